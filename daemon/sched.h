/* sched.h - the scheduler: owns jobs and runs, asks lib/plan.c what to
 * do, does it, and re-arms the timers. */
#pragma once

#include "daemon.h"

/* Adds a job from @def (taken over, freed on failure too). @st: its
 * persisted state, or NULL for a job never seen before (it is then
 * anchored at @now, and only firings after @now count). */
struct store_job;
int sched_job_add(struct daemon *d, struct job_def *def, enum job_origin origin,
                  const struct store_job *st, usec_t now, struct job **ret);
/* Gives @j a new definition (taken over). Runs in progress are not
 * disturbed; the paused flag and the interval anchor are kept; the next
 * firing is recomputed if the schedule changed. */
int sched_job_replace(struct daemon *d, struct job *j, struct job_def *def, usec_t now);
/* Removes @j: no more firings; runs in progress finish and are recorded. */
void sched_job_remove(struct daemon *d, struct job *j);
struct job *sched_job_find(struct daemon *d, const char *id);

/* The key of a struct job in d->jobs, its id: d->jobs is a keyed hashmap
 * (hashmap.h), so that its slots hold only the job. */
const char *sched_job_key(const void *job);
/* Pauses or resumes @j, persistently. Resuming does not catch up the
 * firings that fell in the pause: they are not missed, they did not exist. */
int sched_job_set_paused(struct daemon *d, struct job *j, bool paused, usec_t now);
/* Frees every job and run (at exit). */
void sched_done(struct daemon *d);

/* The one place that decides what happens next: fires due jobs, starts
 * waiting runs, retries, commits the store, flushes the runner and arms
 * the timers. Called after every wake-up of the loop. */
void sched_step(struct daemon *d, usec_t now_rt, usec_t now_mono);

/* The wall clock was set: log the jump measured against the previous
 * step and recompute every next firing. Firings jumped over are due now
 * and go through the misfire policy; a backward jump never repeats a
 * firing already handled. */
void sched_clock_changed(struct daemon *d, usec_t now_rt);

/* Fires @j now (SPEC 7: schedctl run). Honours max_instances unless
 * @force. Returns the run (recorded, waiting to start) or a negative
 * errno: -EBUSY when max_instances is reached. */
int sched_run_now(struct daemon *d, struct job *j, bool force, usec_t now, struct run **ret);

/* Puts a recorded run in line for a free slot (max_concurrent_runs). */
void sched_waiting_push(struct daemon *d, struct run *r);
/* Takes @r out of that line (it is there: r->heap_index is set). */
void sched_waiting_remove(struct daemon *d, struct run *r);

/* True when no run is sent to or alive in the runner. */
bool sched_idle(const struct daemon *d);

/* The store, one transaction per loop iteration. */
void sched_tx(struct daemon *d);
void sched_commit(struct daemon *d);

/* Run lifecycle (run.c). */
struct run *run_new(struct daemon *d, struct job *j, enum run_reason reason, usec_t scheduled,
                    usec_t due, unsigned attempt);
struct run *run_free(struct daemon *d, struct run *r);
/* Records a run row in @state; stores the id in r->id. */
int run_record(struct daemon *d, struct run *r, enum run_state state, unsigned count);
/* Keeps j->last_run_* (List's LAST) up to date with a run row written as
 * @state; accepts a NULL @j. */
void run_note_last(struct job *j, int64_t id, enum run_state state, usec_t end);
/* A retry saved by a previous daemon (store_load_retries()): it waits out
 * the rest of its delay, or fires at once. */
struct store_retry;
void run_restore_retry(struct daemon *d, const struct store_retry *row);
/* Deletes the saved retry @r stands for, if any. */
void run_retry_forget(struct daemon *d, struct run *r);
/* Sends @r to the runner (or fails it at once when it cannot start). */
void run_start(struct daemon *d, struct run *r, usec_t now);
/* Records @r as ended in @state with @cause, without it ever having run. */
void run_abandon(struct daemon *d, struct run *r, enum run_state state, const char *cause);
void run_on_started(struct daemon *d, const struct rp_started *m);
void run_on_spawn_failed(struct daemon *d, const struct rp_spawn_failed *m);
void run_on_exited(struct daemon *d, const struct rp_exited *m);
/* The runner is gone: every run it held is interrupted; those whose
 * process still lives are stopped and counted until it exits (orphan.h). */
void run_on_runner_lost(struct daemon *d);
/* The process of the orphaned run @r has exited: it no longer counts. */
void run_orphan_gone(struct daemon *d, struct run *r);
/* After a runner's RP_SYNC_DONE: runs the store says were running, that
 * the runner does not know, are interrupted. */
void run_on_runner_synced(struct daemon *d);
