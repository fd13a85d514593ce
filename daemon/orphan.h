/* orphan.h - runs whose runner died under them.
 *
 * The runner is the parent of every run (DESIGN.md 1). If it dies, its
 * runs go on with nobody to enforce their timeout, read their output or
 * report their end. Each is recorded as interrupted at once and stopped
 * as a timed-out run is: SIGTERM to its process group, SIGKILL after the
 * job's kill_grace. Until it has exited it still counts against the
 * job's max_instances and max_concurrent_runs, so no new run overlaps one
 * that is still alive. schedd is not the process's parent and cannot
 * reap it; a pidfd tells when it is gone, whoever reaps it. */
#pragma once

#include "daemon.h"

struct orphan {
        struct source src;              /* SOURCE_ORPHAN: the pidfd; first member */
        struct run *run;                /* not owned; its ->orphan is this */
        usec_t kill_at_mono;            /* SIGKILL then; USEC_UNSET once sent */
        struct orphan *next;            /* d->orphans */
};

/* Takes over @r, a run alive under the runner that died: 0 when its
 * process still lives and is provably @r's (the pid's start time matches
 * the run's); it has been sent SIGTERM, and @r is in RUN_PHASE_ORPHAN
 * until orphan_on_exit(). -ESRCH when the process is gone or is not @r's;
 * another negative errno if it could not be watched. */
int orphan_adopt(struct daemon *d, struct run *r);

/* The pidfd became readable: the process exited. */
void orphan_on_exit(struct daemon *d, struct orphan *o);

/* Sends SIGKILL to orphans whose kill_grace is over. */
void orphan_on_deadline(struct daemon *d, usec_t now_mono);

/* The earliest pending SIGKILL, or USEC_UNSET. */
usec_t orphan_next_deadline(const struct daemon *d);

/* Stops watching (run_free() of its run); accepts NULL. */
void orphan_free(struct daemon *d, struct orphan *o);
