/* trigger.h - a schedule: cron, interval or a single date, bounded by
 * start and end, with jitter. Pure: trigger_next() takes "after" and, for
 * intervals, the anchor as arguments; trigger_jitter() takes its random
 * number as an argument. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cron.h"
#include "time.h"
#include "tz.h"

#define USEC_UNSET INT64_MIN    /* "not given" for start and the interval anchor */

enum trigger_kind {
        TRIGGER_CRON,
        TRIGGER_INTERVAL,
        TRIGGER_AT,
        _TRIGGER_KIND_MAX,
};

const char *trigger_kind_to_string(enum trigger_kind k);   /* "cron", "interval", "at" */

struct trigger {
        enum trigger_kind kind;
        union {                         /* by kind: one job has one */
                struct cron_packed cron; /* TRIGGER_CRON; owns memory: trigger_done() */
                usec_t interval;        /* TRIGGER_INTERVAL, > 0 */
                usec_t at;              /* TRIGGER_AT */
        };
        /* Start, end and jitter are rare, so they live out of line, only
         * when one is set: 16 bytes less in each of many thousands of
         * definitions (issue #7). Read them through trigger_start(),
         * trigger_end() and trigger_jitter_max(). */
        struct trigger_bounds *bounds;  /* owned; NULL: none of them */
        const struct tz_zone *zone;     /* not owned (a tz_db's); never NULL */
};

struct trigger_bounds {
        usec_t start;                   /* first possible firing (inclusive), or USEC_UNSET */
        usec_t end;                     /* last possible firing (inclusive), or USEC_INFINITY */
        usec_t jitter;                  /* 0: none */
};

static inline usec_t
trigger_start(const struct trigger *t)
{
        return t->bounds ? t->bounds->start : USEC_UNSET;
}

static inline usec_t
trigger_end(const struct trigger *t)
{
        return t->bounds ? t->bounds->end : USEC_INFINITY;
}

static inline usec_t
trigger_jitter_max(const struct trigger *t)
{
        return t->bounds ? t->bounds->jitter : 0;
}

/* Sets @t's start (USEC_UNSET: none), end (USEC_INFINITY: none) and
 * jitter (0: none), allocating only when one of them is set. Returns 0,
 * or -ENOMEM with @t untouched. */
int trigger_set_bounds(struct trigger *t, usec_t start, usec_t end, usec_t jitter);

/* Initializes @t as an empty trigger of @kind in @zone: no start, no end,
 * no jitter. */
void trigger_init(struct trigger *t, enum trigger_kind kind, const struct tz_zone *zone);

/* Frees what @t owns (a cron spec's out-of-line part, its bounds) and
 * leaves it empty; safe on a trigger_init()ed or zeroed one. */
void trigger_done(struct trigger *t);

/* Makes @t (of kind TRIGGER_CRON) fire on @c, freeing its previous spec.
 * Returns 0, or -ENOMEM with @t untouched. */
int trigger_set_cron(struct trigger *t, const struct cron_spec *c);

/* True if @a and @b fire at the same times: same kind, spec, bounds,
 * jitter and zone. */
bool trigger_equal(const struct trigger *a, const struct trigger *b);

/* The first firing of @t strictly after @after, before jitter.
 * @anchor is where an interval series starts when @t has no start (the
 * time the job was first loaded; SPEC 3); it is ignored otherwise. Firings
 * are start + k * interval (k >= 0), or anchor + k * interval (k >= 1).
 * Returns 0 and stores *ret_next; -ENOENT when @t never fires again (a
 * date in the past, the end passed); -EDEADLK if the search gives up.
 * *ret_next is untouched on failure. */
int trigger_next(const struct trigger *t, usec_t anchor, usec_t after, usec_t *ret_next);

/* @next delayed by a value in [0, trigger_jitter_max(@t)] drawn from @random_u64. */
usec_t trigger_jitter(const struct trigger *t, usec_t next, uint64_t random_u64);
