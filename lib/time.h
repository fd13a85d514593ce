/* time.h - schedd's one time type and its text forms.
 *
 * usec_t counts microseconds. Realtime values are UTC since the Unix epoch;
 * monotonic values are named *_mono. Civil (calendar) arithmetic is
 * proleptic Gregorian and pure: no clock, no TZ, no locale. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t usec_t;

#define USEC_PER_SEC  ((usec_t) 1000000)
#define USEC_PER_MSEC ((usec_t) 1000)
#define USEC_PER_MIN  (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MIN)
#define USEC_PER_DAY  (24 * USEC_PER_HOUR)
#define USEC_PER_WEEK (7 * USEC_PER_DAY)
#define USEC_INFINITY INT64_MAX   /* "never", "unlimited" */

/* A calendar date and wall-clock time, with no zone attached. */
struct civil {
        int year;               /* e.g. 2026 */
        int month;              /* 1..12 */
        int day;                /* 1..31 */
        int hour, minute, second;
        int usec;               /* 0..999999 */
};

/* Days since 1970-01-01 of a proleptic Gregorian date; the month may be
 * any value 1..12 and the day 1..31 (no validation). */
int64_t civil_days_from_date(int year, int month, int day);
/* The inverse of civil_days_from_date(). */
void civil_date_from_days(int64_t days, int *ret_year, int *ret_month, int *ret_day);
/* 0 = Sunday .. 6 = Saturday. */
int civil_weekday(int64_t days);
int civil_days_in_month(int year, int month);
bool civil_is_leap(int year);
/* Seconds since the epoch if @c were UTC (ignores c->usec). */
int64_t civil_to_seconds(const struct civil *c);
void civil_from_seconds(int64_t t, struct civil *ret);
/* True if @c names a real calendar date and time of day. */
bool civil_valid(const struct civil *c);

/* Parses a duration: "90" (seconds), "90s", "1h30m", "2d", "1w", "500ms",
 * "1h 30m", or ISO 8601 ("PT1H30M", "P1DT12H", "P2W", "PT0.5S").
 * Returns 0 and stores it in *ret, -EINVAL for bad syntax, -ERANGE on
 * overflow. *ret is untouched on failure. */
int duration_parse(const char *s, usec_t *ret);

/* Formats @d compactly ("1h30m", "20s", "0s", "1d2h", "1.5s").
 * Returns @buf. @n of 32 is always enough. */
char *duration_format(usec_t d, char *buf, size_t n);

/* How a time string was written. */
enum time_form {
        TIME_ABSOLUTE,          /* had an offset or was a Unix timestamp */
        TIME_NAIVE,             /* a local wall-clock time; the caller picks the zone */
};

/* Parses "2026-12-31T23:59:00+01:00", "...Z", "2026-12-31 23:59:00",
 * "2026-12-31T23:59", "2026-12-31" (midnight), "@1700000000", and, when
 * @allow_integer, a bare integer Unix timestamp. Fractional seconds are
 * accepted. On success returns 0 and stores either *ret_abs (TIME_ABSOLUTE)
 * or *ret_civil (TIME_NAIVE), and the form in *ret_form. -EINVAL for bad
 * syntax or an impossible date; outputs untouched on failure. */
int time_parse(const char *s, bool allow_integer, enum time_form *ret_form,
               usec_t *ret_abs, struct civil *ret_civil);

/* Formats @t as RFC 3339 with the given UTC offset in seconds:
 * "2027-03-28T03:00:00+02:00". Fractional seconds appear only when
 * non-zero. Returns @buf; @n of 40 is always enough. */
char *time_format_rfc3339(usec_t t, int utcoff, char *buf, size_t n);
