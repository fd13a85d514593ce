/* runstate.c - names of run reasons and states. */
#include <errno.h>
#include <string.h>

#include "runstate.h"

static const char *const reasons[_RUN_REASON_MAX] = {
        [RUN_REASON_SCHEDULE] = "schedule",
        [RUN_REASON_CATCH_UP] = "catch-up",
        [RUN_REASON_MANUAL] = "manual",
        [RUN_REASON_RETRY] = "retry",
};

static const char *const states[_RUN_STATE_MAX] = {
        [RUN_STATE_QUEUED] = "queued",
        [RUN_STATE_RUNNING] = "running",
        [RUN_STATE_SUCCEEDED] = "succeeded",
        [RUN_STATE_FAILED] = "failed",
        [RUN_STATE_TIMED_OUT] = "timed-out",
        [RUN_STATE_SKIPPED] = "skipped",
        [RUN_STATE_MISSED] = "missed",
        [RUN_STATE_INTERRUPTED] = "interrupted",
};

static int
lookup(const char *const *names, int n, const char *s)
{
        for (int i = 0; s && i < n; i++)
                if (strcmp(names[i], s) == 0)
                        return i;
        return -EINVAL;
}

const char *
run_reason_to_string(enum run_reason r)
{
        return r >= 0 && r < _RUN_REASON_MAX ? reasons[r] : NULL;
}

int
run_reason_from_string(const char *s)
{
        return lookup(reasons, _RUN_REASON_MAX, s);
}

const char *
run_state_to_string(enum run_state s)
{
        return s >= 0 && s < _RUN_STATE_MAX ? states[s] : NULL;
}

int
run_state_from_string(const char *s)
{
        return lookup(states, _RUN_STATE_MAX, s);
}
