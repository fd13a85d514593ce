/* cron.h - cron expressions: parse to bitsets, find the next match.
 *
 * Two notations compile to the same struct cron_spec:
 *  - the Unix string form, 5, 6 (seconds first) or 7 (then year) fields,
 *    with Vixie cron's day rule and the L, W, # extensions (SPEC 3);
 *  - APScheduler's CronTrigger field form (year, month, day, week,
 *    day_of_week, hour, minute, second), where both day fields must match.
 *
 * Matching happens on local wall-clock time in a zone; cron_next() turns
 * matches into instants with SPEC section 3's daylight-saving rule. All of
 * it is pure: no clock, no files, no TZ. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "time.h"
#include "tz.h"

#define CRON_YEAR_MIN 1970
#define CRON_YEAR_MAX 2225      /* 256 years, one bit each */

/* One side of the day rule: a day matches the side if any entry does. */
struct cron_days {
        uint32_t mday;          /* bit d (1..31): that day of the month */
        uint32_t last;          /* bit n (0..30): "L-n", n days before the last day */
        uint32_t nearest;       /* bit d (1..31): "dW", the weekday nearest day d */
        bool last_weekday;      /* "LW": the last weekday (Mon-Fri) of the month */
        uint8_t wday;           /* bit w (0 = Sunday): every such weekday */
        uint8_t nth[7];         /* nth[w] bit n (1..5): the n-th weekday w ("fri#3", "3rd fri") */
        uint8_t last_wday;      /* bit w: the last weekday w of the month ("5L", "last fri") */
};

struct cron_spec {
        uint64_t second;        /* bits 0..59 */
        uint64_t minute;        /* bits 0..59 */
        uint32_t hour;          /* bits 0..23 */
        uint16_t month;         /* bits 1..12 */
        uint64_t year[4];       /* bit i: year CRON_YEAR_MIN + i */
        uint64_t week;          /* ISO 8601 weeks, bits 1..53 */
        struct cron_days dom;   /* day-of-month side (APScheduler's "day") */
        struct cron_days dow;   /* day-of-week side */
        bool day_or;            /* Vixie: both day fields restricted, so EITHER side matches */
        bool hour_wild;         /* hour is '*' or '*' '/n' (or defaulted to '*'): SPEC 3's fold rule */
};

/* A cron_spec as a trigger keeps it, for thousands of jobs (issue #7): the
 * fields nearly every expression uses inline, 40 bytes instead of 112, and
 * the whole spec out of line only when it restricts the year or the ISO
 * week or uses L, W, # or an nth weekday (cron_pack()). */
struct cron_packed {
        uint64_t second, minute;
        uint32_t hour;
        uint32_t mday;          /* dom.mday */
        uint16_t month;
        uint8_t wday;           /* dow.wday */
        bool day_or, hour_wild;
        struct cron_spec *full; /* owned; NULL when the fields above say it all */
};


struct cron_error {
        unsigned offset;        /* byte offset in the expression (string form) or the field's value */
        char message[160];      /* "expected a minute 0-59, got '61'" */
};

/* Parses the Unix string form, nicknames included. Returns 0 and fills
 * *ret, or -EINVAL and fills *reterr (*ret untouched). Refuses schedules
 * that can never fire ("0 0 31 2 *", "0 0 * * 5#6"). */
int cron_parse(const char *expr, struct cron_spec *ret, struct cron_error *reterr);

enum cron_field {
        CRON_FIELD_YEAR,
        CRON_FIELD_MONTH,
        CRON_FIELD_DAY,
        CRON_FIELD_WEEK,
        CRON_FIELD_DAY_OF_WEEK,
        CRON_FIELD_HOUR,
        CRON_FIELD_MINUTE,
        CRON_FIELD_SECOND,
        _CRON_FIELD_MAX,
};

/* "year", "month", ... "second"; NULL if out of range. */
const char *cron_field_to_string(enum cron_field f);
/* -EINVAL if unknown. */
int cron_field_from_string(const char *s);

/* Parses APScheduler's field form. fields[f] is the expression given for
 * field f, or NULL when the field was not given (APScheduler's defaults
 * apply). At least one field must be given. Returns 0 and fills *ret, or
 * -EINVAL and fills *reterr_field and *reterr (offset within that field's
 * value). */
int cron_parse_fields(const char *const fields[_CRON_FIELD_MAX], struct cron_spec *ret,
                      enum cron_field *reterr_field, struct cron_error *reterr);

/* The first firing strictly after @after, as an instant (whole seconds,
 * in usec). Wall-clock matches are mapped to instants in @zone by SPEC 3:
 * a time in a gap fires at the end of the gap; a time in a fold fires at
 * its first occurrence, or at both when hour_wild. Returns 0 and stores
 * *ret_next; -ENOENT when it never fires again (past CRON_YEAR_MAX or the
 * year field); -EDEADLK if the bounded search gives up. *ret_next is
 * untouched on failure. */
int cron_next(const struct cron_spec *c, const struct tz_zone *zone, usec_t after, usec_t *ret_next);

/* Packs @c into *ret (which holds nothing owned yet). Returns 0, or
 * -ENOMEM (*ret untouched) when @c needs its out-of-line copy and there
 * is no memory for it. */
int cron_pack(const struct cron_spec *c, struct cron_packed *ret);

/* The spec @p packs: either its out-of-line copy, or @buf filled from the
 * inline fields. Cheap: no allocation, a copy of 112 bytes at most. */
const struct cron_spec *cron_unpack(const struct cron_packed *p, struct cron_spec *buf);

/* Frees what @p owns and empties it; safe on a zeroed or emptied one. */
void cron_packed_done(struct cron_packed *p);

/* True if @a and @b pack the same spec. */
bool cron_packed_equal(const struct cron_packed *a, const struct cron_packed *b);

/* True if @a and @b are the same spec, field by field. */
bool cron_spec_equal(const struct cron_spec *a, const struct cron_spec *b);
