/* trigger.c - the next firing of a cron, interval or date schedule.
 *
 * start and end bound every kind; jitter is added by the caller through
 * trigger_jitter() with a random number it drew itself, so this file stays
 * deterministic. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "trigger.h"

static const char *const kind_names[_TRIGGER_KIND_MAX] = {
        [TRIGGER_CRON] = "cron",
        [TRIGGER_INTERVAL] = "interval",
        [TRIGGER_AT] = "at",
};

const char *
trigger_kind_to_string(enum trigger_kind k)
{
        return k >= 0 && k < _TRIGGER_KIND_MAX ? kind_names[k] : NULL;
}

void
trigger_init(struct trigger *t, enum trigger_kind kind, const struct tz_zone *zone)
{
        *t = (struct trigger) {
                .kind = kind,
                .zone = zone,
        };
}

void
trigger_done(struct trigger *t)
{
        if (t->kind == TRIGGER_CRON)
                cron_packed_done(&t->cron);
        free(t->bounds);
        t->bounds = NULL;
}

int
trigger_set_bounds(struct trigger *t, usec_t start, usec_t end, usec_t jitter)
{
        struct trigger_bounds *b = NULL;

        if (start != USEC_UNSET || end != USEC_INFINITY || jitter != 0) {
                b = malloc(sizeof *b);
                if (!b)
                        return -ENOMEM;
                *b = (struct trigger_bounds) { start, end, jitter };
        }
        free(t->bounds);
        t->bounds = b;
        return 0;
}

int
trigger_set_cron(struct trigger *t, const struct cron_spec *c)
{
        struct cron_packed p;
        int r;

        assert(t->kind == TRIGGER_CRON);
        r = cron_pack(c, &p);
        if (r < 0)
                return r;
        cron_packed_done(&t->cron);
        t->cron = p;
        return 0;
}

bool
trigger_equal(const struct trigger *a, const struct trigger *b)
{
        if (a->kind != b->kind || trigger_start(a) != trigger_start(b) ||
            trigger_end(a) != trigger_end(b) || trigger_jitter_max(a) != trigger_jitter_max(b) ||
            a->zone != b->zone)
                return false;
        switch (a->kind) {
        case TRIGGER_CRON:
                return cron_packed_equal(&a->cron, &b->cron);
        case TRIGGER_INTERVAL:
                return a->interval == b->interval;
        default:
                return a->at == b->at;
        }
}

/* The first of base + k * interval (k >= k_min) strictly after @after. */
static int
interval_next(usec_t base, usec_t interval, int64_t k_min, usec_t after, usec_t *ret)
{
        int64_t k = k_min;

        if (interval <= 0)
                return -EINVAL;
        if (after >= base) {
                /* (after - base) may overflow for extreme inputs; int64 µs
                 * spans ±292,000 years, so only nonsense gets here. */
                if (after - base < 0)
                        return -ENOENT;
                k = (after - base) / interval + 1;
                if (k < k_min)
                        k = k_min;
        }
        if (k > (INT64_MAX - 1 - base) / interval)
                return -ENOENT;
        *ret = base + k * interval;
        return 0;
}

int
trigger_next(const struct trigger *t, usec_t anchor, usec_t after, usec_t *ret_next)
{
        usec_t start = trigger_start(t), next;
        int r;

        /* start is inclusive: look for firings after the instant before it. */
        if (start != USEC_UNSET && after < start)
                after = start - 1;

        switch (t->kind) {
        case TRIGGER_CRON: {
                struct cron_spec buf;

                r = cron_next(cron_unpack(&t->cron, &buf), t->zone, after, &next);
                break;
        }
        case TRIGGER_INTERVAL:
                if (start != USEC_UNSET)
                        r = interval_next(start, t->interval, 0, after, &next);
                else if (anchor != USEC_UNSET)
                        r = interval_next(anchor, t->interval, 1, after, &next);
                else
                        r = -EINVAL;
                break;
        case TRIGGER_AT:
                r = t->at > after ? 0 : -ENOENT;
                next = t->at;
                break;
        default:
                r = -EINVAL;
        }
        if (r < 0)
                return r;
        if (next > trigger_end(t))
                return -ENOENT;
        *ret_next = next;
        return 0;
}

usec_t
trigger_jitter(const struct trigger *t, usec_t next, uint64_t random_u64)
{
        usec_t max = trigger_jitter_max(t), end = trigger_end(t), j;

        if (max <= 0)
                return next;
        j = (usec_t) (random_u64 % ((uint64_t) max + 1));
        /* end is a promise: no firing after it, jitter included. */
        if (end != USEC_INFINITY && next + j > end)
                return end;
        return next + j;
}
