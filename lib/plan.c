/* plan.c - misfire, coalesce, overlap and retry decisions. Pure. */
#include <errno.h>
#include <math.h>

#include "plan.h"

void
plan_policy_from_def(struct plan_policy *p, const struct job_def *d)
{
        *p = (struct plan_policy) {
                .misfire_grace = d->misfire_grace,
                .coalesce = d->coalesce,
                .max_instances = d->max_instances ? d->max_instances : 1,
                .on_overlap = d->on_overlap,
        };
}

static bool
too_late(const struct plan_policy *p, usec_t due, usec_t now)
{
        return p->misfire_grace != USEC_INFINITY && now - due > p->misfire_grace;
}

static void
count_missed(struct plan_due *d, usec_t scheduled)
{
        if (d->n_missed == 0)
                d->missed_first = scheduled;
        d->missed_last = scheduled;
        d->n_missed++;
}

int
plan_due_firings(const struct trigger *t, usec_t anchor, const struct plan_policy *p,
                 usec_t last_scheduled, usec_t due, usec_t now, struct plan_due *ret)
{
        usec_t window[PLAN_MAX_FIRINGS];
        size_t n = 0;
        usec_t cursor = last_scheduled, next;
        int r;

        ret->n_runs = 0;
        ret->n_missed = 0;
        ret->missed_first = ret->missed_last = ret->last = ret->next = USEC_UNSET;

        /* Collect the due firings, keeping the newest PLAN_MAX_FIRINGS:
         * anything older overflows straight into the missed count. */
        for (;;) {
                r = trigger_next(t, anchor, cursor, &next);
                if (r == -ENOENT) {
                        next = USEC_UNSET;
                        break;
                }
                if (r < 0)
                        return r;
                if (next > now)
                        break;
                if (n == PLAN_MAX_FIRINGS) {
                        count_missed(ret, window[0]);
                        for (size_t i = 1; i < n; i++)
                                window[i - 1] = window[i];
                        n--;
                }
                window[n++] = next;
                cursor = next;
        }
        ret->next = next;
        if (n == 0)
                return 0;
        ret->last = window[n - 1];

        for (size_t i = 0; i < n; i++) {
                usec_t d = (i == n - 1 && due != USEC_UNSET) ? due : window[i];
                bool newest = i == n - 1;

                if (too_late(p, d, now) || (p->coalesce && !newest))
                        count_missed(ret, window[i]);
                else
                        ret->runs[ret->n_runs++] = window[i];
        }

        /* Coalescing runs the newest firing still within its grace: if the
         * newest is too late, so are all before it. */
        return 0;
}

enum plan_verb
plan_overlap(const struct plan_policy *p, unsigned running, unsigned queued)
{
        if (running < p->max_instances)
                return PLAN_RUN;
        switch (p->on_overlap) {
        case OVERLAP_QUEUE:
                return queued == 0 ? PLAN_QUEUE : PLAN_SKIP;
        case OVERLAP_REPLACE:
                return PLAN_REPLACE;
        default:
                return PLAN_SKIP;
        }
}

bool
plan_should_retry(const struct retry_policy *r, unsigned attempt)
{
        return attempt < r->attempts;
}

usec_t
plan_retry_delay(const struct retry_policy *r, unsigned retry)
{
        double backoff = r->backoff >= 1 ? r->backoff : 1;
        double d = (double) r->delay * pow(backoff, retry > 0 ? retry - 1 : 0);

        if (r->max_delay != USEC_INFINITY && d > (double) r->max_delay)
                return r->max_delay;
        if (d > (double) (INT64_MAX / 2))
                return INT64_MAX / 2;
        return (usec_t) d;
}
