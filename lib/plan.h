/* plan.h - what should happen to a job's firings now: misfire grace,
 * coalescing, max_instances and on_overlap, retry and backoff (SPEC 2, 5).
 *
 * Pure decisions: the trigger, the job's last handled firing and "now"
 * come in as arguments, verbs come out; daemon/sched.c performs them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "jobfile.h"
#include "time.h"
#include "trigger.h"

/* At most this many due firings of one job are considered at once (a
 * per-second job after a week away); older ones are counted as missed. */
#define PLAN_MAX_FIRINGS 1000

struct plan_policy {
        usec_t misfire_grace;           /* USEC_INFINITY: unlimited */
        bool coalesce;
        unsigned max_instances;
        enum overlap_policy on_overlap;
};

/* Fills @p from a job definition. */
void plan_policy_from_def(struct plan_policy *p, const struct job_def *d);

struct plan_due {
        usec_t runs[PLAN_MAX_FIRINGS];  /* scheduled times of the firings to run, oldest first */
        size_t n_runs;
        usec_t missed_first, missed_last;  /* scheduled times of the missed ones; USEC_UNSET if none */
        unsigned n_missed;              /* how many firings were missed */
        usec_t last;                    /* the newest firing <= now: the new "last scheduled"; USEC_UNSET if none was due */
        usec_t next;                    /* the first firing after now; USEC_UNSET: never again */
};

/* Looks at every firing of @t in (last_scheduled, now] and decides which
 * run and which are missed: a firing is missed when now is more than the
 * misfire grace past it; with coalesce, only the newest firing that is
 * still within its grace runs, and the others count as missed. @due is
 * when the newest firing was meant to start (it differs from its scheduled
 * time by its jitter), or USEC_UNSET to use the scheduled times; lateness
 * of that one firing is measured from @due.
 * Returns 0, or the negative errno of trigger_next() other than -ENOENT. */
int plan_due_firings(const struct trigger *t, usec_t anchor, const struct plan_policy *p,
                     usec_t last_scheduled, usec_t due, usec_t now, struct plan_due *ret);

enum plan_verb {
        PLAN_RUN,               /* start it */
        PLAN_SKIP,              /* record it as skipped */
        PLAN_QUEUE,             /* keep it; start it when a run of the job ends */
        PLAN_REPLACE,           /* stop the oldest run, then start it */
        _PLAN_VERB_MAX,
};

/* What a firing does when @running runs of its job are in progress and
 * @queued firings already wait (on_overlap=queue keeps at most one). */
enum plan_verb plan_overlap(const struct plan_policy *p, unsigned running, unsigned queued);

/* Whether a run that failed on attempt @attempt (0 for the first try)
 * is retried. */
bool plan_should_retry(const struct retry_policy *r, unsigned attempt);

/* The delay before retry number @retry (1 for the first retry):
 * delay * backoff^(retry-1), capped at max_delay. */
usec_t plan_retry_delay(const struct retry_policy *r, unsigned retry);
