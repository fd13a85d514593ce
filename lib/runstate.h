/* runstate.h - the vocabulary of runs, shared by schedd, its store and
 * schedctl (SPEC section 4). */
#pragma once

enum run_reason {
        RUN_REASON_SCHEDULE,    /* "schedule" */
        RUN_REASON_CATCH_UP,    /* "catch-up": missed while the daemon was down, within misfire_grace */
        RUN_REASON_MANUAL,      /* "manual": schedctl run */
        RUN_REASON_RETRY,       /* "retry" */
        _RUN_REASON_MAX,
};

enum run_state {
        RUN_STATE_QUEUED,       /* "queued": on_overlap=queue, or over max_concurrent_runs */
        RUN_STATE_RUNNING,      /* "running" */
        RUN_STATE_SUCCEEDED,    /* "succeeded" */
        RUN_STATE_FAILED,       /* "failed": nonzero exit, a signal, or it could not start */
        RUN_STATE_TIMED_OUT,    /* "timed-out" */
        RUN_STATE_SKIPPED,      /* "skipped": max_instances reached, on_overlap=skip */
        RUN_STATE_MISSED,       /* "missed": later than misfire_grace */
        RUN_STATE_INTERRUPTED,  /* "interrupted": its runner died while it ran */
        _RUN_STATE_MAX,
};

const char *run_reason_to_string(enum run_reason r);
int run_reason_from_string(const char *s);      /* -EINVAL if unknown */
const char *run_state_to_string(enum run_state s);
int run_state_from_string(const char *s);       /* -EINVAL if unknown */

/* True for states a run never leaves. */
static inline int
run_state_is_final(enum run_state s)
{
        return s != RUN_STATE_QUEUED && s != RUN_STATE_RUNNING;
}
