/* time.c - civil-date arithmetic, durations and RFC 3339.
 *
 * Everything here is pure. The date algorithms are the well-known
 * era-based conversions (days from civil and back), valid for any year
 * representable in an int. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "time.h"

bool
civil_is_leap(int year)
{
        return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int
civil_days_in_month(int year, int month)
{
        static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

        if (month == 2 && civil_is_leap(year))
                return 29;
        return days[month - 1];
}

int64_t
civil_days_from_date(int year, int month, int day)
{
        int64_t y = (int64_t) year - (month <= 2);
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        int64_t yoe = y - era * 400;                                    /* [0, 399] */
        int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1; /* [0, 365] */
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            /* [0, 146096] */

        return era * 146097 + doe - 719468;
}

void
civil_date_from_days(int64_t z, int *ret_year, int *ret_month, int *ret_day)
{
        z += 719468;
        int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        int64_t doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t y = yoe + era * 400;
        int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int64_t mp = (5 * doy + 2) / 153;
        int64_t d = doy - (153 * mp + 2) / 5 + 1;
        int64_t m = mp < 10 ? mp + 3 : mp - 9;

        *ret_year = (int) (y + (m <= 2));
        *ret_month = (int) m;
        *ret_day = (int) d;
}

int
civil_weekday(int64_t days)
{
        /* 1970-01-01 was a Thursday (4). */
        int64_t w = (days + 4) % 7;
        return (int) (w < 0 ? w + 7 : w);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
        int64_t q = a / b;
        if ((a % b != 0) && ((a < 0) != (b < 0)))
                q--;
        return q;
}

int64_t
civil_to_seconds(const struct civil *c)
{
        return civil_days_from_date(c->year, c->month, c->day) * 86400 +
               c->hour * 3600 + c->minute * 60 + c->second;
}

void
civil_from_seconds(int64_t t, struct civil *ret)
{
        int64_t days = floor_div(t, 86400);
        int64_t rem = t - days * 86400;

        civil_date_from_days(days, &ret->year, &ret->month, &ret->day);
        ret->hour = (int) (rem / 3600);
        ret->minute = (int) (rem / 60 % 60);
        ret->second = (int) (rem % 60);
        ret->usec = 0;
}

bool
civil_valid(const struct civil *c)
{
        return c->month >= 1 && c->month <= 12 &&
               c->day >= 1 && c->day <= civil_days_in_month(c->year, c->month) &&
               c->hour >= 0 && c->hour <= 23 &&
               c->minute >= 0 && c->minute <= 59 &&
               c->second >= 0 && c->second <= 59 &&
               c->usec >= 0 && c->usec <= 999999;
}

/* Reads a non-negative decimal number with an optional fraction. Stores
 * the integer part and the fraction in microseconds. */
static int
parse_number(const char **p, int64_t *ret_int, int64_t *ret_frac_usec, bool *ret_has_frac)
{
        const char *s = *p;
        int64_t v = 0, frac = 0;
        bool has_frac = false;

        if (!isdigit((unsigned char) *s))
                return -EINVAL;
        for (; isdigit((unsigned char) *s); s++) {
                if (v > (INT64_MAX - 9) / 10)
                        return -ERANGE;
                v = v * 10 + (*s - '0');
        }
        if (*s == '.' || *s == ',') {
                int64_t scale = 100000;
                s++;
                if (!isdigit((unsigned char) *s))
                        return -EINVAL;
                has_frac = true;
                for (; isdigit((unsigned char) *s); s++) {
                        frac += (*s - '0') * scale;
                        scale /= 10;
                }
        }
        *p = s;
        *ret_int = v;
        *ret_frac_usec = frac;
        *ret_has_frac = has_frac;
        return 0;
}

static int
add_scaled(usec_t *acc, int64_t n, int64_t frac_usec, usec_t unit)
{
        usec_t part;

        if (n > INT64_MAX / unit)
                return -ERANGE;
        part = n * unit + (usec_t) ((double) frac_usec * (double) unit / 1e6);
        if (*acc > INT64_MAX - 1 - part)    /* keep USEC_INFINITY out of reach */
                return -ERANGE;
        *acc += part;
        return 0;
}

static int
iso8601_duration_parse(const char *s, usec_t *ret)
{
        bool in_time = false, any = false;
        usec_t acc = 0;
        int r;

        /* s points past the leading 'P'. */
        while (*s) {
                int64_t n, frac;
                bool has_frac;
                usec_t unit;

                if (*s == 'T' || *s == 't') {
                        if (in_time)
                                return -EINVAL;
                        in_time = true;
                        s++;
                        if (!*s)
                                return -EINVAL;
                        continue;
                }
                r = parse_number(&s, &n, &frac, &has_frac);
                if (r < 0)
                        return r;
                switch (toupper((unsigned char) *s)) {
                case 'W': unit = in_time ? 0 : USEC_PER_WEEK; break;
                case 'D': unit = in_time ? 0 : USEC_PER_DAY; break;
                case 'H': unit = in_time ? USEC_PER_HOUR : 0; break;
                case 'M': unit = in_time ? USEC_PER_MIN : 0; break;  /* months are not a duration */
                case 'S': unit = in_time ? USEC_PER_SEC : 0; break;
                default: unit = 0;
                }
                if (unit == 0)
                        return -EINVAL;
                r = add_scaled(&acc, n, frac, unit);
                if (r < 0)
                        return r;
                any = true;
                s++;
        }
        if (!any)
                return -EINVAL;
        *ret = acc;
        return 0;
}

int
duration_parse(const char *s, usec_t *ret)
{
        static const struct {
                const char *suffix;
                usec_t unit;
        } units[] = {
                /* Longest suffixes first, so "ms" is not read as "m". */
                { "usec", 1 }, { "msec", USEC_PER_MSEC },
                { "seconds", USEC_PER_SEC }, { "second", USEC_PER_SEC },
                { "minutes", USEC_PER_MIN }, { "minute", USEC_PER_MIN },
                { "hours", USEC_PER_HOUR }, { "hour", USEC_PER_HOUR },
                { "days", USEC_PER_DAY }, { "day", USEC_PER_DAY },
                { "weeks", USEC_PER_WEEK }, { "week", USEC_PER_WEEK },
                { "sec", USEC_PER_SEC }, { "min", USEC_PER_MIN },
                { "us", 1 }, { "ms", USEC_PER_MSEC },
                { "s", USEC_PER_SEC }, { "m", USEC_PER_MIN }, { "h", USEC_PER_HOUR },
                { "d", USEC_PER_DAY }, { "w", USEC_PER_WEEK },
        };
        usec_t acc = 0;
        bool any = false;
        int r;

        if (!s)
                return -EINVAL;
        if (*s == 'P' || *s == 'p')
                return iso8601_duration_parse(s + 1, ret);

        for (;;) {
                int64_t n, frac;
                bool has_frac;
                usec_t unit = 0;

                while (*s == ' ')
                        s++;
                if (!*s)
                        break;
                r = parse_number(&s, &n, &frac, &has_frac);
                if (r < 0)
                        return r;
                while (*s == ' ')
                        s++;
                if (!*s || isdigit((unsigned char) *s)) {
                        /* A bare number is seconds, and only alone ("90"). */
                        if (any || *s)
                                return -EINVAL;
                        unit = USEC_PER_SEC;
                } else {
                        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
                                size_t l = strlen(units[i].suffix);
                                if (strncmp(s, units[i].suffix, l) == 0 &&
                                    !isalpha((unsigned char) s[l])) {
                                        unit = units[i].unit;
                                        s += l;
                                        break;
                                }
                        }
                        if (unit == 0)
                                return -EINVAL;
                }
                r = add_scaled(&acc, n, frac, unit);
                if (r < 0)
                        return r;
                any = true;
        }
        if (!any)
                return -EINVAL;
        *ret = acc;
        return 0;
}

char *
duration_format(usec_t d, char *buf, size_t n)
{
        static const struct {
                const char *suffix;
                usec_t unit;
        } units[] = {
                { "w", USEC_PER_WEEK }, { "d", USEC_PER_DAY }, { "h", USEC_PER_HOUR },
                { "m", USEC_PER_MIN }, { "s", USEC_PER_SEC },
        };
        size_t off = 0;

        if (n == 0)
                return buf;
        buf[0] = 0;
        if (d == USEC_INFINITY) {
                snprintf(buf, n, "infinity");
                return buf;
        }
        if (d < USEC_PER_SEC) {
                if (d % USEC_PER_MSEC == 0)
                        snprintf(buf, n, "%" PRId64 "%s", d / USEC_PER_MSEC, d ? "ms" : "s");
                else
                        snprintf(buf, n, "%" PRId64 "us", d);
                return buf;
        }
        for (size_t i = 0; i < sizeof units / sizeof units[0] && off < n; i++) {
                usec_t q = d / units[i].unit;
                if (q == 0)
                        continue;
                d -= q * units[i].unit;
                if (units[i].unit == USEC_PER_SEC && d != 0) {
                        /* Sub-second remainder: "1.5s". */
                        char frac[8];
                        int len = snprintf(frac, sizeof frac, "%06" PRId64, d);
                        while (len > 0 && frac[len - 1] == '0')
                                frac[--len] = 0;
                        off += snprintf(buf + off, n - off, "%" PRId64 ".%ss", q, frac);
                        d = 0;
                } else
                        off += snprintf(buf + off, n - off, "%" PRId64 "%s", q, units[i].suffix);
        }
        if (d != 0 && off < n) {
                if (d % USEC_PER_MSEC == 0)
                        snprintf(buf + off, n - off, "%" PRId64 "ms", d / USEC_PER_MSEC);
                else
                        snprintf(buf + off, n - off, "%" PRId64 "us", d);
        }
        return buf;
}

static int
parse_fixed(const char **p, int digits, int *ret)
{
        int v = 0;

        for (int i = 0; i < digits; i++) {
                if (!isdigit((unsigned char) (*p)[i]))
                        return -EINVAL;
                v = v * 10 + ((*p)[i] - '0');
        }
        *p += digits;
        *ret = v;
        return 0;
}

static int
parse_unix(const char *s, usec_t *ret)
{
        bool neg = false;
        int64_t n, frac;
        bool has_frac;
        int r;

        if (*s == '-') {
                neg = true;
                s++;
        }
        r = parse_number(&s, &n, &frac, &has_frac);
        if (r < 0)
                return r;
        if (*s)
                return -EINVAL;
        if (n > INT64_MAX / USEC_PER_SEC - 1)
                return -ERANGE;
        *ret = (neg ? -1 : 1) * (n * USEC_PER_SEC + frac);
        return 0;
}

int
time_parse(const char *s, bool allow_integer, enum time_form *ret_form,
           usec_t *ret_abs, struct civil *ret_civil)
{
        struct civil c = {};
        const char *p;
        int r;

        if (!s || !*s)
                return -EINVAL;

        if (*s == '@' || (allow_integer && strspn(s, "0123456789") == strlen(s))) {
                usec_t t;
                r = parse_unix(*s == '@' ? s + 1 : s, &t);
                if (r < 0)
                        return r;
                *ret_form = TIME_ABSOLUTE;
                *ret_abs = t;
                return 0;
        }

        p = s;
        if (parse_fixed(&p, 4, &c.year) < 0 || *p++ != '-' ||
            parse_fixed(&p, 2, &c.month) < 0 || *p++ != '-' ||
            parse_fixed(&p, 2, &c.day) < 0)
                return -EINVAL;

        if (*p == 'T' || *p == 't' || *p == ' ') {
                p++;
                if (parse_fixed(&p, 2, &c.hour) < 0 || *p++ != ':' ||
                    parse_fixed(&p, 2, &c.minute) < 0)
                        return -EINVAL;
                if (*p == ':') {
                        p++;
                        if (parse_fixed(&p, 2, &c.second) < 0)
                                return -EINVAL;
                        if (*p == '.' || *p == ',') {
                                int scale = 100000;
                                p++;
                                if (!isdigit((unsigned char) *p))
                                        return -EINVAL;
                                for (; isdigit((unsigned char) *p); p++) {
                                        c.usec += (*p - '0') * scale;
                                        scale /= 10;
                                }
                        }
                }
        } else if (*p != 0)
                return -EINVAL;

        if (!civil_valid(&c))
                return -EINVAL;

        if (*p == 0) {
                *ret_form = TIME_NAIVE;
                *ret_civil = c;
                return 0;
        }

        int offset;
        if (*p == 'Z' || *p == 'z') {
                offset = 0;
                p++;
        } else if (*p == '+' || *p == '-') {
                int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
                if (parse_fixed(&p, 2, &oh) < 0)
                        return -EINVAL;
                if (*p == ':')
                        p++;
                if (*p && parse_fixed(&p, 2, &om) < 0)
                        return -EINVAL;
                if (oh > 23 || om > 59)
                        return -EINVAL;
                offset = sign * (oh * 3600 + om * 60);
        } else
                return -EINVAL;
        if (*p != 0)
                return -EINVAL;

        *ret_form = TIME_ABSOLUTE;
        *ret_abs = (civil_to_seconds(&c) - offset) * USEC_PER_SEC + c.usec;
        return 0;
}

/* Two decimal digits of @v (0 to 99). */
static char *
put2(char *p, int v)
{
        p[0] = (char) ('0' + v / 10);
        p[1] = (char) ('0' + v % 10);
        return p + 2;
}

char *
time_format_rfc3339(usec_t t, int utcoff, char *buf, size_t n)
{
        int64_t sec = floor_div(t, USEC_PER_SEC);
        int64_t usec = t - sec * USEC_PER_SEC;
        struct civil c;
        char frac[16] = "";
        int off = utcoff < 0 ? -utcoff : utcoff;

        civil_from_seconds(sec + utcoff, &c);
        /* The common case by hand: a List of 100,000 jobs formats 200,000
         * of these, and snprintf() took a tenth of its time; every run's
         * SCHEDD_SCHEDULED_TIME is one, often with a fraction. */
        if (c.year >= 0 && c.year <= 9999 && off % 60 == 0 && n >= 33) {
                char *p = buf;
                p = put2(p, c.year / 100);
                p = put2(p, c.year % 100);
                *p++ = '-';
                p = put2(p, c.month);
                *p++ = '-';
                p = put2(p, c.day);
                *p++ = 'T';
                p = put2(p, c.hour);
                *p++ = ':';
                p = put2(p, c.minute);
                *p++ = ':';
                p = put2(p, c.second);
                if (usec) {
                        /* Six digits, trailing zeros dropped. */
                        int64_t u = usec, digits = 6;
                        while (u % 10 == 0) {
                                u /= 10;
                                digits--;
                        }
                        *p++ = '.';
                        for (int64_t i = digits - 1; i >= 0; i--, u /= 10)
                                p[i] = (char) ('0' + u % 10);
                        p += digits;
                }
                *p++ = utcoff < 0 ? '-' : '+';
                p = put2(p, off / 3600);
                *p++ = ':';
                p = put2(p, off / 60 % 60);
                *p = 0;
                return buf;
        }
        if (usec) {
                int len = snprintf(frac, sizeof frac, ".%06" PRId64, usec);
                while (len > 1 && frac[len - 1] == '0')
                        frac[--len] = 0;
        }
        if (off % 60)
                snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%s%c%02d:%02d:%02d",
                         c.year, c.month, c.day, c.hour, c.minute, c.second, frac,
                         utcoff < 0 ? '-' : '+', off / 3600, off / 60 % 60, off % 60);
        else
                snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%s%c%02d:%02d",
                         c.year, c.month, c.day, c.hour, c.minute, c.second, frac,
                         utcoff < 0 ? '-' : '+', off / 3600, off / 60 % 60);
        return buf;
}
