/* sched.c - the scheduler's decisions, carried out.
 *
 * Each job sits in d->timers at its next due time (its next firing plus
 * jitter). sched_step() pops the jobs that are due, asks plan_due_firings()
 * which firings run and which are missed, and plan_overlap() what a firing
 * does when the job is already running; then it records the firings in one
 * transaction (a burst in slices, fire_due()), starts what may start, and
 * re-arms the two timers. Nothing here waits or reads the clock: the loop
 * passes both clocks in.
 *
 * A firing's life:
 *
 *      due ──plan──> missed (recorded)
 *        │
 *        ├─overlap skip──> skipped (recorded)
 *        ├─overlap queue─> job->queued ──run of the job ends──┐
 *        └─run / replace─────────────────────────────────────>┴─> d->waiting ─slot free─> run_start()
 *
 * Invariants:
 *  1. A firing is recorded (store_add_run, unique on job and scheduled time)
 *     before its spawn request is written to the runner: the store commits
 *     in sched_step() before the runner's buffer is flushed. The request
 *     may be written up to FIRE_EARLY ahead; the runner holds it until
 *     the instant.
 *  2. job->last_scheduled only moves forward, so no firing is handled twice,
 *     even when the wall clock is set back.
 *  3. A job is in d->timers iff it is enabled, not paused, not finished and
 *     has a next firing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>

#include "control.h"
#include "creds.h"
#include "log.h"
#include "joborder.h"
#include "methods.h"
#include "orphan.h"
#include "runnerc.h"
#include "sched.h"
#include "store.h"

/* How far ahead of its instant a firing is handled. Recording it and
 * handing it to the runner takes 0.3-0.6 ms on an idle machine (the
 * commit, then waking another process), more under load; the runner
 * holds the request and starts the run on the instant (RP_SPAWN's
 * start_at). A firing is judged as if handled on its instant, so
 * nothing else changes: it is recorded before it starts, once. */
#define FIRE_EARLY (2 * USEC_PER_MSEC)

/* xorshift64*: jitter only needs to be spread, not secret. */
static uint64_t
rng_next(struct daemon *d)
{
        d->rng ^= d->rng >> 12;
        d->rng ^= d->rng << 25;
        d->rng ^= d->rng >> 27;
        return d->rng * UINT64_C(2685821657736338717);
}

void
sched_tx(struct daemon *d)
{
        int r;

        if (d->in_transaction || !d->store)
                return;
        r = store_begin(d->store);
        if (r < 0) {
                if (!d->store_degraded)
                        log_error_errno(r, "Failed to begin a state database transaction, firing goes on "
                                        "without recording: %s", store_errmsg(d->store));
                d->store_degraded = true;
                return;
        }
        d->in_transaction = true;
}

void
sched_commit(struct daemon *d)
{
        bool wrote;
        int r;

        if (!d->in_transaction)
                return;
        d->in_transaction = false;
        wrote = store_tx_wrote(d->store);
        r = store_commit(d->store);
        if (r < 0) {
                if (!d->store_degraded)
                        log_error_errno(r, "Failed to write the state database, firing goes on "
                                        "without recording: %s", store_errmsg(d->store));
                (void) store_rollback(d->store);
                d->store_degraded = true;
                return;
        }
        /* Only a write proves the disk takes writes again: updates of
         * rows that were never recorded change nothing and always commit. */
        if (d->store_degraded && wrote) {
                log_notice("The state database accepts writes again.");
                d->store_degraded = false;
        }
}

/* Keeps invariant 3: puts @j in d->timers at its next due time, or out. */
static void
job_arm(struct daemon *d, struct job *j)
{
        bool armed = !j->paused && !j->finished && !j->removed && j->def->enabled &&
                     j->next_firing != USEC_UNSET;
        int r;

        if (!armed) {
                if (j->heap_index != HEAP_NONE)
                        heap_remove(&d->timers, j->heap_index);
                return;
        }
        j->next_due = trigger_jitter(&j->def->trigger, j->next_firing, rng_next(d));
        if (j->heap_index != HEAP_NONE) {
                heap_update(&d->timers, j->heap_index, j->next_due);
                return;
        }
        r = heap_push(&d->timers, j->next_due, j, &j->heap_index);
        if (r < 0)
                log_error_errno(r, "Failed to arm job '%s', it will not fire: %m", j->def->id);
}

/* The next firing after @after, or USEC_UNSET. */
static usec_t
job_next_after(struct job *j, usec_t after)
{
        usec_t next;
        int r;

        r = trigger_next(&j->def->trigger, j->anchor, after, &next);
        if (r == -ENOENT)
                return USEC_UNSET;
        if (r < 0) {
                log_error_errno(r, "Failed to compute the next firing of '%s', it will not fire: %m",
                                j->def->id);
                return USEC_UNSET;
        }
        return next;
}

static void
job_save_state(struct daemon *d, struct job *j)
{
        int r;

        if (j->origin == JOB_ORIGIN_TRANSIENT || !d->store)
                return;
        sched_tx(d);
        r = store_set_schedule_state(d->store, j->def->id, j->last_scheduled, j->next_firing, j->finished);
        if (r < 0 && r != -ENOENT)
                log_debug_errno(r, "Failed to save the state of '%s': %m", j->def->id);
}

/* The digest as the store keeps it: 16 hex digits. */
#define DIGEST_HEX_MAX 17
static char *
digest_hex(uint64_t digest, char buf[static DIGEST_HEX_MAX])
{
        for (int i = 15; i >= 0; i--, digest >>= 4)
                buf[i] = "0123456789abcdef"[digest & 0xf];
        buf[16] = 0;
        return buf;
}

/* Whether saving @row would change @stored: a start-up with 10,000 jobs
 * spent a fifth of its time writing back rows it had just read. */
static bool
job_row_unchanged(const struct store_job *row, const struct store_job *stored)
{
        return stored && row->origin == stored->origin && streq_ptr(row->digest, stored->digest) &&
               row->owner_uid == stored->owner_uid && row->paused == stored->paused &&
               row->last_scheduled == stored->last_scheduled && row->next_firing == stored->next_firing &&
               row->anchor == stored->anchor && row->finished == stored->finished;
}

/* Saves @j's row, unless it is @stored (the row it was loaded from, or
 * NULL) already. @digest is digest_hex() of the definition's digest, or NULL. */
static void
job_save(struct daemon *d, struct job *j, const struct store_job *stored, char *digest)
{
        char buf[DIGEST_HEX_MAX];
        struct store_job row;
        int r;

        if (j->origin == JOB_ORIGIN_TRANSIENT || !d->store)
                return;
        row = (struct store_job) {
                .id = j->def->id,
                .origin = j->origin == JOB_ORIGIN_API ? STORE_ORIGIN_API : STORE_ORIGIN_FILE,
                .digest = digest ? digest : digest_hex(job_def_digest(j->def), buf),
                .owner_uid = j->owner_uid,
                .paused = j->paused,
                .last_scheduled = j->last_scheduled,
                .next_firing = j->next_firing,
                .anchor = j->anchor,
                .finished = j->finished,
        };
        if (job_row_unchanged(&row, stored))
                return;
        sched_tx(d);
        r = store_put_job(d->store, &row);
        if (r < 0)
                log_warning_errno(r, "Failed to save job '%s' in the state database, continuing: %m",
                                  j->def->id);
}

static void
job_free(struct daemon *d, struct job *j)
{
        control_finish_lists(d);        /* an open List may point at @j */
        if (j->heap_index != HEAP_NONE)
                heap_remove(&d->timers, j->heap_index);
        creds_unref(j->creds);
        free(j->creds_error);
        job_def_free(j->def);
        free(j);
}

static void
job_set_def(struct daemon *d, struct job *j, struct job_def *def)
{
        if (j->def)
                control_finish_lists(d);        /* an open List may show the old definition */
        j->creds = creds_unref(j->creds);
        j->creds_error = mfree(j->creds_error);
        if (creds_resolve(d, def->extra->user, def->extra->group, &j->creds, &j->creds_error) < 0 && !j->creds_error)
                j->creds_error = strdup("cannot resolve the job's user");
        if (j->creds_error)
                log_job(LOG_WARNING, NULL, def->id, 0, -1,
                        "Job '%s' cannot run as configured, its runs will fail: %s", def->id, j->creds_error);
        /* d->jobs reads the id from j->def (sched_job_key()): the new
         * definition has the same id, so the entry needs no change. */
        job_def_free(j->def);
        j->def = def;
}

int
sched_job_add(struct daemon *d, struct job_def *def, enum job_origin origin,
              const struct store_job *st, usec_t now, struct job **ret)
{
        char digest[DIGEST_HEX_MAX];
        struct job *j;
        int r;

        j = calloc(1, sizeof *j);
        if (!j) {
                job_def_free(def);
                return -ENOMEM;
        }
        j->heap_index = HEAP_NONE;
        j->origin = origin;
        job_set_def(d, j, def);
        if (!def->enabled)
                j->paused = true;       /* enabled: false loads the job paused */

        /* Once, for the comparison below and for job_save(). */
        digest_hex(job_def_digest(j->def), digest);
        if (st) {
                j->paused = st->paused;
                /* Finished is a property of the definition that finished:
                 * a changed one (another trigger, a new `at`) fires again,
                 * from the last firing handled. */
                j->finished = st->finished && st->digest && strcmp(digest, st->digest) == 0;
                j->last_scheduled = st->last_scheduled != USEC_UNSET ? st->last_scheduled : now;
                j->anchor = st->anchor != USEC_UNSET ? st->anchor : now;
                j->owner_uid = st->owner_uid;
        } else {
                j->last_scheduled = now;
                j->anchor = now;
        }

        r = hashmap_put(&d->jobs, j->def->id, j);
        if (r < 0) {
                job_free(d, j);
                return r;
        }
        joborder_add(d, j);
        d->n_paused += j->paused;
        j->next_firing = j->finished ? USEC_UNSET : job_next_after(j, j->last_scheduled);
        job_save(d, j, st, digest);
        job_arm(d, j);
        if (ret)
                *ret = j;
        return 0;
}

int
sched_job_replace(struct daemon *d, struct job *j, struct job_def *def, usec_t now)
{
        bool schedule_changed = !j->def->schedule_text || !def->schedule_text ||
                                strcmp(j->def->schedule_text, def->schedule_text) != 0 ||
                                !trigger_equal(&j->def->trigger, &def->trigger);
        bool was_enabled = j->def->enabled;

        job_set_def(d, j, def);         /* same id: d->jobs now reads it from def */
        if (was_enabled != def->enabled) {
                d->n_paused -= j->paused;
                j->paused = !def->enabled;
                d->n_paused += j->paused;
        }
        if (schedule_changed) {
                /* A new schedule counts from now: its past firings never existed. */
                j->finished = false;
                if (j->last_scheduled < now)
                        j->last_scheduled = now;
                j->next_firing = job_next_after(j, j->last_scheduled);
        }
        job_save(d, j, NULL, NULL);
        job_arm(d, j);
        return 0;
}

/* Drops the firings of @j that wait (queued, for a slot, for a retry). */
static void
job_cancel_waiting(struct daemon *d, struct job *j, const char *why)
{
        for (struct run *r = d->runs, *next; r; r = next) {
                next = r->next;
                if (r->job != j || r->phase == RUN_PHASE_SENT || r->phase == RUN_PHASE_ALIVE ||
                    r->phase == RUN_PHASE_ORPHAN)
                        continue;
                run_abandon(d, r, RUN_STATE_SKIPPED, why);
        }
}

void
sched_job_remove(struct daemon *d, struct job *j)
{
        /* Called again from run_detach(): a job of the same id may have been
         * added since, and owns the id and the store's row now. */
        bool replaced = j->removed && sched_job_find(d, j->def->id);

        if (!j->removed) {
                hashmap_remove(&d->jobs, j->def->id);
                joborder_remove(d, j);
                d->n_paused -= j->paused;
        }
        j->removed = true;
        job_arm(d, j);
        job_cancel_waiting(d, j, "the job was removed");
        if (j->running > 0)
                return;         /* again from run_detach() when its last run has ended */
        /* Its history goes with it, but only once no run can still report. */
        if (j->origin != JOB_ORIGIN_TRANSIENT && d->store && !replaced) {
                sched_tx(d);
                (void) store_delete_job(d->store, j->def->id);
        }
        job_free(d, j);
}

struct job *
sched_job_find(struct daemon *d, const char *id)
{
        return hashmap_get(&d->jobs, id);
}

const char *
sched_job_key(const void *job)
{
        return ((const struct job *) job)->def->id;
}

int
sched_job_set_paused(struct daemon *d, struct job *j, bool paused, usec_t now)
{
        int r = 0;

        if (j->paused == paused)
                return 0;
        j->paused = paused;
        if (!j->removed)
                d->n_paused += paused ? 1 : -1;
        if (!paused) {
                /* Firings that fell in the pause are not missed: they were
                 * never due. Resume counts from now. */
                if (j->last_scheduled < now)
                        j->last_scheduled = now;
                if (!j->finished)
                        j->next_firing = job_next_after(j, j->last_scheduled);
        }
        if (j->origin != JOB_ORIGIN_TRANSIENT && d->store) {
                sched_tx(d);
                r = store_set_paused(d->store, j->def->id, paused);
                job_save_state(d, j);
        }
        job_arm(d, j);
        return r;
}

void
sched_done(struct daemon *d)
{
        const char *key;
        void *value;

        while (d->runs)
                run_free(d, d->runs);
        for (size_t i = 0; hashmap_next(&d->jobs, &i, &key, &value);)
                job_free(d, value);
        hashmap_done(&d->jobs);
        joborder_done(d);
        idmap_done(&d->runs_by_id);
        heap_done(&d->timers);
        heap_done(&d->waiting);
        heap_done(&d->retries);
}

/* Runs of @j that count against max_instances: sent, alive, or waiting
 * for a global slot. */
static unsigned
job_instances(const struct job *j)
{
        return j->running + j->waiting;
}

void
sched_waiting_push(struct daemon *d, struct run *r)
{
        int k = heap_push(&d->waiting, r->due, r, &r->heap_index);
        if (k < 0) {
                run_abandon(d, r, RUN_STATE_FAILED, "out of memory");
                return;
        }
        r->job->waiting++;
}

void
sched_waiting_remove(struct daemon *d, struct run *r)
{
        heap_remove(&d->waiting, r->heap_index);
        r->job->waiting--;
}

/* A firing that is due and should run: the overlap policy decides. */
static void
firing_accept(struct daemon *d, struct job *j, usec_t scheduled, usec_t due,
              enum run_reason reason, unsigned attempt, struct run *retry)
{
        struct run *r = retry;
        struct plan_policy policy = job_policy(j);
        enum plan_verb verb = plan_overlap(&policy, job_instances(j), j->queued ? 1 : 0);

        if (!r) {
                r = run_new(d, j, reason, scheduled, due, attempt);
                if (!r) {
                        log_oom();
                        return;
                }
        }
        if (verb == PLAN_SKIP) {
                if (run_record(d, r, RUN_STATE_SKIPPED, 1) >= 0) {
                        char msg[256];
                        snprintf(msg, sizeof msg, "Skipped a firing of '%s': %u run(s) still running (max_instances=%u).",
                                 j->def->id, j->running, policy.max_instances);
                        log_job(LOG_NOTICE, LOG_MID_RUN_SKIPPED, j->def->id, r->id, -1, "%s", msg);
                        methods_broadcast(d, "run-skipped", j->def->id, NULL, msg);
                }
                run_free(d, r);
                return;
        }
        if (run_record(d, r, RUN_STATE_QUEUED, 1) == -EEXIST) {
                /* Already recorded by an earlier daemon: never run a firing twice. */
                log_job(LOG_DEBUG, NULL, j->def->id, 0, -1,
                        "A firing of '%s' was already recorded, not running it again.", j->def->id);
                run_free(d, r);
                return;
        }
        switch (verb) {
        case PLAN_QUEUE:
                j->queued = r;
                break;
        case PLAN_REPLACE:
                /* Stop the oldest run; the new one starts at once. */
                for (struct run *o = d->runs; o; o = o->next)
                        if (o->job == j && (o->phase == RUN_PHASE_ALIVE || o->phase == RUN_PHASE_SENT) &&
                            !o->stop_sent && !o->helper) {
                                log_job(LOG_NOTICE, NULL, j->def->id, o->id, -1,
                                        "Stopping run %lld of '%s' to replace it (on_overlap=replace).",
                                        (long long) o->id, j->def->id);
                                runnerc_stop(d, o);
                                break;
                        }
                r->force = true;
                sched_waiting_push(d, r);
                break;
        default:
                sched_waiting_push(d, r);
        }
}

static void
fire_job(struct daemon *d, struct job *j, usec_t now)
{
        static struct plan_due due;     /* 8 KiB: not on the stack */
        struct plan_policy policy;
        usec_t after, newest_due;
        int r;

        /* j->next_due is when j->next_firing is due, jitter included. It is
         * the newest due firing's only if no later one is due too; after a
         * downtime or a clock jump the newest must not be judged late by
         * the oldest one's due time. */
        after = job_next_after(j, j->next_firing);
        newest_due = after == USEC_UNSET || after > now ? j->next_due : USEC_UNSET;
        policy = job_policy(j);
        r = plan_due_firings(&j->def->trigger, j->anchor, &policy, j->last_scheduled, newest_due,
                             now, &due);
        if (r < 0) {
                log_error_errno(r, "Failed to plan the firings of '%s', disarming it: %m", j->def->id);
                j->next_firing = USEC_UNSET;
                job_arm(d, j);
                return;
        }
        sched_tx(d);

        if (due.n_missed > 0) {
                struct run *m = run_new(d, j, RUN_REASON_SCHEDULE, due.missed_last, due.missed_last, 0);
                char when[64];

                time_format_rfc3339(due.missed_last, tz_offset_at(j->def->trigger.zone,
                                                                  due.missed_last / USEC_PER_SEC),
                                    when, sizeof when);
                if (m && run_record(d, m, RUN_STATE_MISSED, due.n_missed) >= 0) {
                        char msg[256];
                        snprintf(msg, sizeof msg, "Missed %u firing(s) of '%s', the last scheduled at %s (misfire_grace%s).",
                                 due.n_missed, j->def->id, when, policy.coalesce ? ", coalesced" : "");
                        log_job(LOG_NOTICE, LOG_MID_RUN_MISSED, j->def->id, m->id, -1, "%s", msg);
                        methods_broadcast(d, "run-missed", j->def->id, NULL, msg);
                }
                if (m)
                        run_free(d, m);
        }

        for (size_t i = 0; i < due.n_runs; i++) {
                usec_t scheduled = due.runs[i];
                bool newest = i == due.n_runs - 1;
                /* Catch-up: the firing was due before this daemon started,
                 * or was jumped over by the clock. */
                enum run_reason reason = scheduled < d->started_rt || now - scheduled > USEC_PER_MIN + trigger_jitter_max(&j->def->trigger)
                                                 ? RUN_REASON_CATCH_UP
                                                 : RUN_REASON_SCHEDULE;
                firing_accept(d, j, scheduled, newest && newest_due != USEC_UNSET ? newest_due : scheduled,
                              reason, 0, NULL);
        }

        if (due.last != USEC_UNSET && due.last > j->last_scheduled)
                j->last_scheduled = due.last;
        j->next_firing = due.next;
        if (due.next == USEC_UNSET && j->def->trigger.kind == TRIGGER_AT)
                j->finished = true;
        job_save_state(d, j);
        job_arm(d, j);
}

int
sched_run_now(struct daemon *d, struct job *j, bool force, usec_t now, struct run **ret)
{
        struct run *r;

        if (!force && job_instances(j) >= job_policy(j).max_instances)
                return -EBUSY;
        r = run_new(d, j, RUN_REASON_MANUAL, USEC_UNSET, now, 0);
        if (!r)
                return -ENOMEM;
        r->force = force;
        sched_tx(d);
        (void) run_record(d, r, RUN_STATE_QUEUED, 1);
        sched_waiting_push(d, r);
        if (ret)
                *ret = r;
        return 0;
}

bool
sched_idle(const struct daemon *d)
{
        return d->active == 0;
}

/* Starts waiting runs while there are free slots, oldest due first. */
static void
start_waiting(struct daemon *d, usec_t now)
{
        while (d->waiting.n > 0 && d->active < d->config.max_concurrent_runs && d->runner.synced) {
                struct run *r = (struct run *) heap_top(&d->waiting)->item;

                sched_waiting_remove(d, r);
                run_start(d, r, now);
        }
}

static void
start_retries(struct daemon *d, usec_t now_mono)
{
        while (d->retries.n > 0 && heap_top(&d->retries)->key <= now_mono) {
                struct run *r = (struct run *) heap_top(&d->retries)->item;

                heap_remove(&d->retries, r->heap_index);
                r->phase = RUN_PHASE_WAITING;
                sched_tx(d);
                run_retry_forget(d, r);         /* a firing now, recorded as one below */
                firing_accept(d, r->job, r->scheduled, r->due, RUN_REASON_RETRY, r->attempt, r);
        }
}

static void
arm_timer(int fd, int flags, usec_t *armed, usec_t when)
{
        struct itimerspec its = {};

        if (when == *armed)
                return;
        if (when != USEC_UNSET) {
                /* A zero it_value disarms: fire at the epoch's first µs instead. */
                usec_t t = when > 0 ? when : 1;
                its.it_value.tv_sec = t / USEC_PER_SEC;
                its.it_value.tv_nsec = (t % USEC_PER_SEC) * 1000;
        }
        if (timerfd_settime(fd, flags, &its, NULL) < 0) {
                log_error_errno(-errno, "Failed to arm a timer: %m");
                return;
        }
        *armed = when;
}

static usec_t
earliest(usec_t a, usec_t b)
{
        if (a == USEC_UNSET)
                return b;
        if (b == USEC_UNSET)
                return a;
        return a < b ? a : b;
}

static void
rearm(struct daemon *d)
{
        usec_t mono = USEC_UNSET;

        arm_timer(d->clock_src.fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &d->clock_armed,
                  d->timers.n && !d->exit_requested ? heap_top(&d->timers)->key - FIRE_EARLY : USEC_UNSET);

        if (d->retries.n && !d->exit_requested)
                mono = heap_top(&d->retries)->key;
        mono = earliest(mono, d->reload_at_mono);
        mono = earliest(mono, d->shutdown_at_mono);
        mono = earliest(mono, d->runner.reconnect_at_mono);
        mono = earliest(mono, d->watchdog_next_mono);
        mono = earliest(mono, d->clients_check_mono);
        mono = earliest(mono, orphan_next_deadline(d));
        arm_timer(d->deadline_src.fd, TFD_TIMER_ABSTIME, &d->deadline_armed, mono);
}

/* Handles up to FIRE_SLICE jobs due within FIRE_EARLY. When more are due
 * (a burst), the rest wait for the next steps, so that the first runs are
 * recorded and sent at once and the loop reads the runner's reports in
 * between, instead of recording the whole burst first. The rest are
 * judged (misfire_grace, catch-up) at the instant the burst was found
 * due, as if they had all been handled then, and a job due ahead as if
 * handled on its instant; the timer, armed in the past, wakes the loop
 * again at once. */
#define FIRE_SLICE 64

static bool
backlog(const struct daemon *d, usec_t judged_at)
{
        return d->timers.n > 0 && heap_top(&d->timers)->key <= judged_at + FIRE_EARLY;
}

static void
fire_due(struct daemon *d, usec_t now_rt)
{
        usec_t judged_at = d->backlog_now != USEC_UNSET ? d->backlog_now : now_rt;

        for (unsigned n = 0; n < FIRE_SLICE && backlog(d, judged_at); n++) {
                struct job *j = heap_top(&d->timers)->item;
                fire_job(d, j, MAX(judged_at, j->next_due));
        }
        d->backlog_now = backlog(d, judged_at) ? judged_at : USEC_UNSET;
}

/* SQLite's automatic checkpoint, at the same size (1,000 pages), but taken
 * between firings: not while one is due within CHECKPOINT_GAP, unless the
 * log has grown past CHECKPOINT_FORCE pages (a long burst). */
#define CHECKPOINT_PAGES 1000
#define CHECKPOINT_FORCE (8 * CHECKPOINT_PAGES)
#define CHECKPOINT_GAP (50 * USEC_PER_MSEC)

static void
checkpoint_if_quiet(struct daemon *d, usec_t now_rt)
{
        size_t pages = d->store ? store_wal_pages(d->store) : 0;
        bool quiet = d->timers.n == 0 || heap_top(&d->timers)->key > now_rt + CHECKPOINT_GAP;
        int r;

        if (pages < CHECKPOINT_PAGES || (!quiet && pages < CHECKPOINT_FORCE) || d->in_transaction)
                return;
        r = store_checkpoint(d->store);
        if (r < 0 && !d->store_degraded)
                log_warning_errno(r, "Failed to checkpoint the state database, continuing: %m");
}

void
sched_step(struct daemon *d, usec_t now_rt, usec_t now_mono)
{
        /* A firing fires at the first step at or after its due time. The
         * realtime timer is re-armed below; a clock set is handled by
         * sched_clock_changed() first, through TFD_TIMER_CANCEL_ON_SET. */
        if (!d->exit_requested) {
                fire_due(d, now_rt);
                start_retries(d, now_mono);
                start_waiting(d, now_rt);
        }
        d->last_now = now_rt;

        /* Invariant 1: commit the firings, then let the runner start them
         * and acknowledge the reports now safely recorded. */
        sched_commit(d);
        runnerc_flush(d);
        checkpoint_if_quiet(d, now_rt);
        rearm(d);
}

void
sched_clock_changed(struct daemon *d, usec_t now_rt)
{
        usec_t jump = now_rt - d->last_now;
        const char *key;
        void *value;
        char size[32];

        char msg[256];

        duration_format(jump < 0 ? -jump : jump, size, sizeof size);
        snprintf(msg, sizeof msg, "The system clock was set %s by about %s; recomputing every next firing%s.",
                 jump < 0 ? "back" : "forward", size,
                 jump < 0 ? " (firings already handled are not repeated)"
                          : " (firings jumped over go through misfire_grace)");
        log_job(LOG_WARNING, LOG_MID_CLOCK_JUMP, NULL, 0, -1, "%s", msg);
        methods_broadcast(d, "clock-jump", NULL, NULL, msg);

        /* Forward: due jobs fire in the next step, late, so misfire_grace
         * and coalesce decide. Backward: a next firing is never before the
         * last one handled (invariant 2), so nothing repeats; the wait is
         * recomputed from the handled firing, not from the clock. */
        for (size_t i = 0; hashmap_next(&d->jobs, &i, &key, &value);) {
                struct job *j = value;
                if (j->finished)
                        continue;
                j->next_firing = job_next_after(j, j->last_scheduled);
                job_arm(d, j);
        }
        d->clock_armed = USEC_UNSET;    /* a cancelled timer is disarmed */
        d->last_now = now_rt;
        d->backlog_now = USEC_UNSET;    /* judged anew, at the new time */
}
