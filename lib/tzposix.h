/* tzposix.h - POSIX TZ strings ("CET-1CEST,M3.5.0,M10.5.0/3") as rules.
 *
 * Internal to tz.c: the parser of a TZ string (POSIX.1-2017 section 8.3
 * with the RFC 8536 section 3.3.1 extensions: rule times from -167 to 167
 * hours) and the arithmetic that turns a rule into UTC transition instants.
 * Pure, no allocation. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Instants beyond +-2^53 s (about 285 million years) are clamped before any
 * calendar arithmetic, so that no computation can overflow. */
#define TZPOSIX_T_LIMIT ((int64_t) 1 << 53)

enum tzposix_date_kind {
        TZPOSIX_JULIAN,         /* Jn: day 1..365, February 29 never counted */
        TZPOSIX_ZERO,           /* n: day 0..365, February 29 counted */
        TZPOSIX_MONTH,          /* Mm.w.d: day d of week w (5 = last) of month m */
};

/* The day and local time of day at which DST starts or ends. */
struct tzposix_date {
        enum tzposix_date_kind kind;
        int day;                /* JULIAN, ZERO: the day number; MONTH: unused */
        int month, week, wday;  /* MONTH only */
        int32_t time;           /* seconds after local midnight, -167h..167h */
};

struct tzposix_rule {
        int32_t std_off;        /* seconds east of UTC */
        int32_t dst_off;        /* seconds east of UTC; == std_off if !has_dst */
        bool has_dst;
        struct tzposix_date start, end;  /* only if has_dst */
};

/* One change of local time type. */
struct tzposix_event {
        int64_t t;              /* the UTC instant from which it applies */
        int32_t utcoff;
        bool isdst;
};

/* Parses the @len bytes at @s (need not be NUL-terminated) as a complete TZ
 * string. Returns 0 and fills *ret, or -EBADMSG; *ret untouched on failure. */
int tzposix_parse(const char *s, size_t len, struct tzposix_rule *ret);

/* Writes the DST start and end instants of the years @from..@to (UTC years,
 * at most 2 * (to - from + 1) events) in ascending order to @ret and returns
 * how many. Where an end and the next start coincide (DST all year round)
 * only the later event is kept. Requires r->has_dst and |years| < 2^28. */
size_t tzposix_events(const struct tzposix_rule *r, int from, int to, struct tzposix_event *ret);

/* The local time type in force at @t under @r, and in *ret_next the first
 * instant > @t with a different UTC offset (INT64_MAX if none). */
void tzposix_at(const struct tzposix_rule *r, int64_t t, struct tzposix_event *ret,
                int64_t *ret_next);
