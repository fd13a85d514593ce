/* run.c - a run's lifecycle as the daemon sees it.
 *
 *   run_new() ──run_record(queued)──> WAITING ──run_start()──> SENT ──STARTED──> ALIVE
 *                                        │                       │                 │
 *                                        │                SPAWN_FAILED          EXITED
 *                                        v                       v                 v
 *                                  run_abandon()              run_end(): recorded; retry? on_failure?
 *
 *   A retry is a new struct run in RETRY_WAIT until its delay has passed;
 *   then it is a firing again (sched.c firing_accept()).
 *
 * The runner (DESIGN.md 1) is the parent of every run; the daemon only
 * decides, records and builds the spawn request, with everything that can
 * fail for environmental reasons (users, groups, environment) resolved
 * here first. Reports come back with a seq; each is acknowledged only
 * after the transaction holding it has committed (sched_step()). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "methods.h"
#include "orphan.h"
#include "runnerc.h"
#include "sched.h"
#include "store.h"

#define BASE_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct run *
run_new(struct daemon *d, struct job *j, enum run_reason reason, usec_t scheduled, usec_t due,
        unsigned attempt)
{
        struct run *r = calloc(1, sizeof *r);

        if (!r)
                return NULL;
        r->job = j;
        r->reason = reason;
        r->scheduled = scheduled;
        r->due = due;
        r->attempt = attempt;
        r->heap_index = HEAP_NONE;
        r->next = d->runs;
        if (d->runs)
                d->runs->prev = r;
        d->runs = r;
        return r;
}

struct run *
run_free(struct daemon *d, struct run *r)
{
        struct job *j;

        if (!r)
                return NULL;
        j = r->job;
        if (r->heap_index != HEAP_NONE && r->phase == RUN_PHASE_RETRY_WAIT)
                heap_remove(&d->retries, r->heap_index);
        else if (r->heap_index != HEAP_NONE)
                sched_waiting_remove(d, r);
        (void) idmap_remove(&d->runs_by_id, r->id, r);
        orphan_free(d, r->orphan);
        if (j && j->queued == r)
                j->queued = NULL;
        if (r->prev)
                r->prev->next = r->next;
        else if (d->runs == r)
                d->runs = r->next;
        if (r->next)
                r->next->prev = r->prev;
        free(r);
        return NULL;
}

static bool
run_state_ran(enum run_state s)
{
        return s != RUN_STATE_QUEUED && s != RUN_STATE_SKIPPED && s != RUN_STATE_MISSED;
}

void
run_note_last(struct job *j, int64_t id, enum run_state state, usec_t end)
{
        if (!j || id == 0)
                return;
        if (id != j->last_run_id && j->last_run_id != 0) {
                /* Store ids grow; a transient job's ids (memory only) shrink
                 * below zero: either way the larger magnitude is newer. */
                bool newer = llabs(id) >= llabs(j->last_run_id);
                bool ran = run_state_ran(state), last_ran = run_state_ran(j->last_run_state);
                if (ran != last_ran ? !ran : !newer)
                        return;         /* a run that ran beats any miss or skip */
        }
        j->last_run_id = id;
        j->last_run_state = state;
        j->last_run_end = end;
}

int
run_record(struct daemon *d, struct run *r, enum run_state state, unsigned count)
{
        struct store_run row = {
                .job_id = r->job->def->id,
                .reason = r->reason,
                .state = state,
                .scheduled = r->scheduled,
                .attempt = r->attempt,
                .count = count,
                .start = USEC_UNSET,
                .end = run_state_is_final(state) ? r->due : USEC_UNSET,
                .exit_status = -1,
        };
        int k;

        if (r->job->origin == JOB_ORIGIN_TRANSIENT || !d->store) {
                /* Memory only: ids below zero are never the store's. */
                if (r->id == 0)
                        r->id = --d->next_helper_id;
                run_note_last(r->job, r->id, state, row.end);
                return 0;
        }
        sched_tx(d);
        k = store_add_run(d->store, &row, &r->id);
        if (k < 0 && k != -EEXIST)
                log_warning_errno(k, "Failed to record a run of '%s', continuing: %m", r->job->def->id);
        if (k >= 0)
                run_note_last(r->job, r->id, state, row.end);
        return k;
}

/* Updates the row of a run of @j (NULL: look it up by row->job_id, if
 * any) to @row's final or running state. */
static void
run_save(struct daemon *d, struct job *j, struct store_run *row)
{
        int k;

        run_note_last(j ? j : row->job_id ? sched_job_find(d, row->job_id) : NULL, row->id, row->state, row->end);
        if (row->id <= 0 || !d->store)
                return;
        sched_tx(d);
        k = store_update_run(d->store, row);
        if (k < 0)
                log_warning_errno(k, "Failed to update run %lld, continuing: %m", (long long) row->id);
}

static void
run_detach(struct daemon *d, struct run *r)
{
        struct job *j = r->job;

        if (r->phase == RUN_PHASE_SENT || r->phase == RUN_PHASE_ALIVE || r->phase == RUN_PHASE_ORPHAN) {
                d->active--;
                if (j)
                        j->running--;
        }
        run_free(d, r);
        if (!j)
                return;
        /* on_overlap=queue: the waiting firing may start now. */
        if (j->queued && j->running < job_policy(j).max_instances && !j->removed) {
                struct run *q = j->queued;
                j->queued = NULL;
                sched_waiting_push(d, q);
        }
        if (j->removed && j->running == 0) {
                /* The last run of a removed job: the job goes with it. */
                bool referenced = false;
                for (struct run *o = d->runs; o; o = o->next)
                        referenced |= o->job == j;
                if (!referenced)
                        sched_job_remove(d, j);
        }
}

void
run_abandon(struct daemon *d, struct run *r, enum run_state state, const char *cause)
{
        struct store_run row = {
                .id = r->id,
                .state = state,
                .start = USEC_UNSET,
                .end = now_realtime(),
                .exit_status = -1,
                .cause = (char *) cause,
                .count = 1,
        };

        if (r->phase != RUN_PHASE_RETRY_WAIT)
                run_save(d, r->job, &row);
        else
                run_retry_forget(d, r);
        run_detach(d, r);
}

/* One variable of a run's environment, NAME=value as the two halves
 * @a and @b (either may hold the '='). */
struct env_part {
        const char *a, *b;
};

static void
env_set(struct env_part *v, size_t *n, const char *a, const char *b)
{
        v[(*n)++] = (struct env_part) { a, b };
}

/* SPEC 4: a fixed PATH, HOME, USER, LOGNAME, SHELL, the job's environment
 * and the SCHEDD_* variables; nothing of the daemon's own environment.
 * One allocation, freed with free(): the pointer array, then the strings
 * it points at. A burst builds one of these per run, and a vasprintf()
 * and a realloc() per variable cost more than the rest of run_start(). */
static char **
build_env(const struct job *j, int64_t run_id, usec_t scheduled, char **extra)
{
        const struct job_def *def = j->def;
        _cleanup_free_ struct env_part *v = NULL;
        char when[64], id[24];
        size_t n = 0, max = 8, size = 0;
        char **env, *p;

        for (char **e = def->extra->environment; e && *e; e++)
                max++;
        for (char **e = extra; e && *e; e++)
                max++;
        v = malloc(max * sizeof *v);
        if (!v)
                return NULL;

        time_format_rfc3339(scheduled, tz_offset_at(def->trigger.zone, scheduled / USEC_PER_SEC),
                            when, sizeof when);
        (void) snprintf(id, sizeof id, "%lld", (long long) run_id);
        env_set(v, &n, "PATH=", BASE_PATH);
        env_set(v, &n, "HOME=", j->creds->home);
        env_set(v, &n, "USER=", j->creds->user);
        env_set(v, &n, "LOGNAME=", j->creds->user);
        env_set(v, &n, "SHELL=", "/bin/sh");
        for (char **e = def->extra->environment; e && *e; e++) {
                /* A job's own PATH replaces the base one (and a later
                 * variable of the job an earlier one of the same name).
                 * Every part a names the variable, '=' included. */
                size_t l = strcspn(*e, "=");
                for (size_t i = 0; i < n; i++)
                        if (strncmp(v[i].a, *e, l + 1) == 0) {
                                v[i] = v[--n];
                                break;
                        }
                env_set(v, &n, *e, "");
        }
        env_set(v, &n, "SCHEDD_JOB_ID=", def->id);
        env_set(v, &n, "SCHEDD_RUN_ID=", id);
        env_set(v, &n, "SCHEDD_SCHEDULED_TIME=", when);
        for (char **e = extra; e && *e; e++)
                env_set(v, &n, *e, "");

        for (size_t i = 0; i < n; i++)
                size += strlen(v[i].a) + strlen(v[i].b) + 1;
        env = malloc((n + 1) * sizeof *env + size);
        if (!env)
                return NULL;
        p = (char *) (env + n + 1);
        for (size_t i = 0; i < n; i++) {
                env[i] = p;
                p = stpcpy(stpcpy(p, v[i].a), v[i].b) + 1;
        }
        env[n] = NULL;
        return env;
}

static void
fill_spawn(const struct daemon *d, const struct job *j, const struct job_command *cmd,
           uint64_t run_id, char **env, struct rp_spawn *m)
{
        const struct job_def *def = j->def;

        *m = (struct rp_spawn) {
                .run_id = run_id,
                .job_id = def->id,
                .argv = cmd->argv,
                .envp = env,
                .path_search = !cmd->shell,
                .uid = j->creds->uid,
                .gid = j->creds->gid,
                .groups = (uint32_t *) j->creds->groups,
                .n_groups = (uint32_t) j->creds->n_groups,
                .directory = def->extra->directory ? def->extra->directory : j->creds->home,
                .output = def->output == OUTPUT_FILE    ? RP_OUTPUT_FILE
                          : def->output == OUTPUT_DISCARD ? RP_OUTPUT_DISCARD
                                                          : RP_OUTPUT_JOURNAL,
                .output_path = def->extra->output_file,
                .timeout_usec = def->extra->timeout == USEC_INFINITY ? 0 : (uint64_t) def->extra->timeout,
                .kill_grace_usec = (uint64_t) def->extra->kill_grace,
                .output_limit = d->config.output_limit > UINT32_MAX ? UINT32_MAX
                                                                     : (uint32_t) d->config.output_limit,
                .no_new_privs = def->extra->no_new_privileges,
        };
}

void
run_start(struct daemon *d, struct run *r, usec_t now)
{
        struct job *j = r->job;
        _cleanup_free_ char **env = NULL;
        struct rp_spawn m;
        int k;

        if (j->creds_error) {
                run_abandon(d, r, RUN_STATE_FAILED, j->creds_error);
                return;
        }
        env = build_env(j, r->id, r->scheduled != USEC_UNSET ? r->scheduled : now, NULL);
        if (!env) {
                run_abandon(d, r, RUN_STATE_FAILED, "out of memory");
                return;
        }
        fill_spawn(d, j, &j->def->command, (uint64_t) r->id, env, &m);
        /* Without its entry no report of the run could find it. */
        k = idmap_put(&d->runs_by_id, r->id, r);
        if (k < 0) {
                run_abandon(d, r, RUN_STATE_FAILED, "out of memory");
                return;
        }
        /* A firing handled ahead of its instant starts on it (sched.c). */
        m.start_at_usec = r->due > now ? (uint64_t) r->due : 0;
        k = runnerc_spawn(d, &m);
        if (k < 0) {
                run_abandon(d, r, RUN_STATE_FAILED, k == -EMSGSIZE ? "the command and environment are too large"
                                                                    : "cannot reach the runner");
                return;
        }
        r->phase = RUN_PHASE_SENT;
        d->active++;
        j->running++;
}

static struct run *
run_find(struct daemon *d, int64_t id)
{
        struct run *r = idmap_get(&d->runs_by_id, id);

        return r && (r->phase == RUN_PHASE_SENT || r->phase == RUN_PHASE_ALIVE) ? r : NULL;
}

/* An on_failure command for a run that failed for good. */
static void
run_on_failure(struct daemon *d, struct job *j, int64_t failed_id, const char *state, const char *cause,
               int exit_status)
{
        char *extra[5] = {};
        _cleanup_free_ char **env = NULL;
        struct rp_spawn m;
        int64_t id;

        if (!j->def->extra->on_failure.argv || j->creds_error)
                return;
        if (asprintf(&extra[0], "SCHEDD_FAILED_RUN_ID=%lld", (long long) failed_id) < 0 ||
            asprintf(&extra[1], "SCHEDD_RUN_STATE=%s", state) < 0 ||
            asprintf(&extra[2], "SCHEDD_FAILURE=%s", cause ? cause : state) < 0 ||
            asprintf(&extra[3], "SCHEDD_EXIT_STATUS=%d", exit_status) < 0)
                goto done;
        id = --d->next_helper_id;
        env = build_env(j, failed_id, now_realtime(), extra);
        if (!env)
                goto done;
        fill_spawn(d, j, &j->def->extra->on_failure, (uint64_t) id, env, &m);
        m.timeout_usec = 0;
        if (runnerc_spawn(d, &m) < 0)
                log_job(LOG_WARNING, NULL, j->def->id, failed_id, -1,
                        "Failed to start the on_failure command of '%s'.", j->def->id);
done:
        for (int i = 0; i < 4; i++)
                free(extra[i]);
}

/* The row of @r, a run in memory, as the store holds it once it has
 * started: what the started and exited reports would otherwise read back
 * from the store. The strings are borrowed. */
static struct store_run
run_row(const struct run *r, enum run_state state)
{
        return (struct store_run) {
                .id = r->id,
                .job_id = r->job->def->id,
                .reason = r->reason,
                .state = state,
                .scheduled = r->scheduled,
                .attempt = r->attempt,
                .count = 1,
                .start = r->start,
                .end = USEC_UNSET,
                .pid = (int32_t) r->pid,
                .exit_status = -1,
        };
}

void
run_on_started(struct daemon *d, const struct rp_started *m)
{
        struct run *r;
        struct store_run row = {};
        int64_t id = (int64_t) m->run_id;
        struct job *j;
        int k;

        r = run_find(d, id);
        if (!r && id < 0)
                return;         /* an on_failure helper */
        if (r) {
                struct store_run mem;

                r->phase = RUN_PHASE_ALIVE;
                r->pid = (pid_t) m->pid;
                r->start = (usec_t) m->start_usec;
                log_job(LOG_INFO, LOG_MID_RUN_STARTED, r->job->def->id, id, -1,
                        "Started run %lld of '%s' (%s, pid %u).", (long long) id, r->job->def->id,
                        run_reason_to_string(r->reason), m->pid);
                /* Everything the row holds is in memory: a burst's every
                 * start would otherwise read its row back before writing it.
                 * A transient job's run (id below zero), or one whose row a
                 * full disk kept from being written, is memory only. */
                mem = run_row(r, RUN_STATE_RUNNING);
                if (id > 0 && d->store) {
                        sched_tx(d);
                        k = store_run_started(d->store, id, mem.pid, mem.start);
                        if (k < 0 && k != -ENOENT)
                                log_warning_errno(k, "Failed to update run %lld, continuing: %m", (long long) id);
                }
                run_note_last(r->job, id, RUN_STATE_RUNNING, USEC_UNSET);
                methods_run_event(d, &mem, NULL, 0);
                methods_broadcast(d, "run-started", mem.job_id, &mem, "started");
                return;
        }

        /* A run of the previous daemon, still alive: adopt it, so
         * max_instances and shutdown see it. */
        if (!d->store || store_get_run(d->store, id, &row) < 0)
                return;
        if (!run_state_is_final(row.state)) {
                row.state = RUN_STATE_RUNNING;
                row.pid = (int32_t) m->pid;
                row.start = (usec_t) m->start_usec;
                run_save(d, NULL, &row);
                methods_run_event(d, &row, NULL, 0);
                methods_broadcast(d, "run-started", row.job_id, &row, "started");
        }
        j = sched_job_find(d, row.job_id);
        if (j && (r = run_new(d, j, row.reason, row.scheduled, row.start, row.attempt))) {
                r->id = id;
                if (idmap_put(&d->runs_by_id, id, r) < 0)
                        log_oom();
                r->phase = RUN_PHASE_ALIVE;
                r->pid = (pid_t) m->pid;
                r->start = (usec_t) m->start_usec;
                d->active++;
                j->running++;
        }
        store_run_done(&row);
}

/* Puts the retry @attempt of @j's firing @scheduled in wait for @delay
 * (@due as run_new()). With @persist it is also saved, in the current
 * transaction, so that a restart resumes it (store_add_retry()). */
static void
retry_later(struct daemon *d, struct job *j, usec_t scheduled, unsigned attempt, usec_t due, usec_t delay,
            bool persist, int64_t row_id)
{
        struct run *retry = run_new(d, j, RUN_REASON_RETRY, scheduled, due, attempt);

        if (!retry)
                return;
        retry->phase = RUN_PHASE_RETRY_WAIT;
        retry->retry_at_mono = now_monotonic() + delay;
        retry->retry_row = row_id;
        if (heap_push(&d->retries, retry->retry_at_mono, retry, &retry->heap_index) < 0) {
                run_free(d, retry);
                return;
        }
        if (persist && j->origin != JOB_ORIGIN_TRANSIENT && d->store) {
                struct store_retry row = { .job_id = j->def->id, .scheduled = scheduled, .attempt = attempt,
                                           .due = now_realtime() + delay };
                int k;
                sched_tx(d);
                k = store_add_retry(d->store, &row, &retry->retry_row);
                if (k < 0)
                        log_warning_errno(k, "Failed to save the retry of '%s'; a restart would lose it: %m",
                                          j->def->id);
        }
}

void
run_restore_retry(struct daemon *d, const struct store_retry *row)
{
        struct job *j = sched_job_find(d, row->job_id);
        usec_t now = now_realtime();

        if (!j || j->origin == JOB_ORIGIN_TRANSIENT) {
                sched_tx(d);
                (void) store_delete_retry(d->store, row->id);
                return;
        }
        /* Its delay goes on from where it was; one that fell due while
         * schedd was away fires now. */
        retry_later(d, j, row->scheduled, row->attempt, MIN(row->due, now),
                    row->due > now ? row->due - now : 0, false, row->id);
}

/* A retry leaves the store when it becomes a firing (sched.c) or is
 * dropped (run_abandon()). */
void
run_retry_forget(struct daemon *d, struct run *r)
{
        if (r->retry_row == 0 || !d->store)
                return;
        sched_tx(d);
        (void) store_delete_retry(d->store, r->retry_row);
        r->retry_row = 0;
}

static void
run_end(struct daemon *d, struct run *r, struct store_run *row, const char *job_id, bool stopped)
{
        struct job *j = r ? r->job : sched_job_find(d, job_id);
        bool failed = row->state != RUN_STATE_SUCCEEDED;
        char took[32] = "?";

        run_save(d, j, row);
        if (!row->job_id)
                row->job_id = strdup(job_id);
        methods_run_event(d, row, row->output, row->output_len);
        methods_broadcast(d, "run-finished", job_id, row, row->cause);
        if (row->start != USEC_UNSET && row->end != USEC_UNSET)
                duration_format(row->end - row->start, took, sizeof took);
        log_job(failed ? LOG_NOTICE : LOG_INFO, LOG_MID_RUN_FINISHED, job_id, row->id, row->exit_status,
                "Run %lld of '%s' %s: %s (took %s).", (long long) row->id, job_id,
                run_state_to_string(row->state), row->cause ? row->cause : run_state_to_string(row->state),
                took);

        /* After SIGTERM no new runs start (SPEC 5): a run stopped by the
         * shutdown gets neither a retry nor its on_failure command. Nor
         * does one stopped to be replaced (on_overlap=replace): it did not
         * fail on its own, and a retry would overlap its replacement. */
        if (j && failed && !stopped && !j->removed && !d->exit_requested) {
                unsigned attempt = r ? r->attempt : row->attempt;
                if (plan_should_retry(&j->def->extra->retry, attempt)) {
                        usec_t delay = plan_retry_delay(&j->def->extra->retry, attempt + 1);
                        retry_later(d, j, row->scheduled, attempt + 1, row->end, delay, true, 0);
                } else
                        run_on_failure(d, j, row->id, run_state_to_string(row->state), row->cause,
                                       row->exit_status);
        }
        if (j && d->store && row->id % 32 == 0)
                (void) store_trim_runs(d->store, job_id, d->config.keep_runs, now_realtime() - d->config.keep_age);
        if (r)
                run_detach(d, r);
}

void
run_on_spawn_failed(struct daemon *d, const struct rp_spawn_failed *m)
{
        int64_t id = (int64_t) m->run_id;
        struct run *r = run_find(d, id);
        struct store_run row = {};
        char cause[512];
        const char *what = r && r->job->def->extra->directory ? r->job->def->extra->directory : NULL;

        if (!r && id < 0) {
                log_warning("An on_failure command could not start: %s: %s",
                            rp_stage_to_string(m->stage), strerror(m->error));
                return;
        }
        if (m->stage == RP_STAGE_CHDIR && r)
                snprintf(cause, sizeof cause, "failed to %s '%s': %s", rp_stage_to_string(m->stage),
                         what ? what : r->job->creds ? r->job->creds->home : NULL, strerror(m->error));
        else if (m->stage == RP_STAGE_EXEC && r)
                snprintf(cause, sizeof cause, "failed to %s '%s': %s", rp_stage_to_string(m->stage),
                         r->job->def->command.argv[r->job->def->command.shell ? 0 : 0], strerror(m->error));
        else
                snprintf(cause, sizeof cause, "failed to %s: %s", rp_stage_to_string(m->stage), strerror(m->error));

        if (!d->store || store_get_run(d->store, id, &row) < 0) {
                row = (struct store_run) { .id = id, .job_id = NULL, .scheduled = r ? r->scheduled : USEC_UNSET };
                row.start = USEC_UNSET;
        }
        row.state = RUN_STATE_FAILED;
        row.end = (usec_t) m->time_usec;
        row.exit_status = -1;
        free(row.failed_step);
        row.failed_step = strdup(cause);
        free(row.cause);
        row.cause = strdup(cause);
        run_end(d, r, &row, r ? r->job->def->id : row.job_id ? row.job_id : "?", false);
        store_run_done(&row);
}

static void
describe_exit(const struct rp_exited *m, const struct job *j, char *buf, size_t n)
{
        const char *sig = m->code != CLD_EXITED ? sigabbrev_np(m->status) : NULL;
        char t[32] = "";

        if (m->timed_out && j)
                duration_format(j->def->extra->timeout, t, sizeof t);
        if (m->code == CLD_EXITED)
                snprintf(buf, n, "exited with status %d%s%s", m->status, m->timed_out ? " after timeout " : "", t);
        else if (m->timed_out)
                snprintf(buf, n, "killed by SIG%s after timeout %s", sig ? sig : "?", t);
        else
                snprintf(buf, n, "killed by SIG%s%s%s", sig ? sig : "?",
                         m->code == CLD_DUMPED ? " (core dumped)" : "",
                         m->stopped ? ", stopped by schedd" : "");
}

void
run_on_exited(struct daemon *d, const struct rp_exited *m)
{
        int64_t id = (int64_t) m->run_id;
        struct run *r;
        struct store_run row, stored = {};
        char cause[128];

        r = run_find(d, id);
        if (!r && id < 0) {
                describe_exit(m, NULL, cause, sizeof cause);
                log_info("An on_failure command %s.", cause);
                return;
        }
        if (r)
                /* The row from memory, as in run_on_started(). */
                row = run_row(r, RUN_STATE_RUNNING);
        else {
                /* A run that ended while no daemon held it: only its row
                 * knows it, and a report sent twice finds it ended. */
                if (!d->store || store_get_run(d->store, id, &stored) < 0)
                        return;
                if (run_state_is_final(stored.state)) {
                        store_run_done(&stored);
                        return;
                }
                row = stored;
        }
        describe_exit(m, r ? r->job : sched_job_find(d, row.job_id ? row.job_id : ""), cause, sizeof cause);
        row.state = m->timed_out ? RUN_STATE_TIMED_OUT
                    : m->code == CLD_EXITED && m->status == 0 ? RUN_STATE_SUCCEEDED
                                                               : RUN_STATE_FAILED;
        row.end = (usec_t) m->end_usec;
        row.exit_status = m->code == CLD_EXITED ? m->status : -1;
        row.signal = m->code != CLD_EXITED ? m->status : 0;
        row.timed_out = m->timed_out;
        row.cause = cause;
        row.utime = (usec_t) m->utime_usec;
        row.stime = (usec_t) m->stime_usec;
        row.maxrss_kib = m->maxrss_kib;
        row.output_bytes = m->output_bytes;
        /* Borrowed from the report, which outlives the call. */
        row.output = m->output_len ? (uint8_t *) m->output : NULL;
        row.output_len = m->output_len;
        run_end(d, r, &row, r ? r->job->def->id : row.job_id ? row.job_id : "?", m->stopped);
        /* row borrows every string; stored owns its own, and row.cause and
         * row.output replaced its (freed here too). */
        store_run_done(&stored);
}

void
run_on_runner_lost(struct daemon *d)
{
        for (struct run *r = d->runs, *next; r; r = next) {
                next = r->next;
                if (r->phase != RUN_PHASE_SENT && r->phase != RUN_PHASE_ALIVE)
                        continue;
                if (r->phase == RUN_PHASE_ALIVE && orphan_adopt(d, r) == 0) {
                        struct store_run row = {
                                .id = r->id,
                                .state = RUN_STATE_INTERRUPTED,
                                .start = r->start,
                                .end = now_realtime(),
                                .pid = (int32_t) r->pid,
                                .exit_status = -1,
                                .cause = (char *) "interrupted: the runner died; schedd stopped it",
                                .count = 1,
                        };
                        log_job(LOG_WARNING, NULL, r->job->def->id, r->id, -1,
                                "Run %lld of '%s' is interrupted: the runner is gone. Stopping its "
                                "process group (pid %d); it counts against max_instances until it exits.",
                                (long long) r->id, r->job->def->id, (int) r->pid);
                        if (!r->helper)
                                run_save(d, r->job, &row);
                        continue;
                }
                log_job(LOG_WARNING, NULL, r->job->def->id, r->id, -1,
                        "Run %lld of '%s' is interrupted: the runner is gone.", (long long) r->id,
                        r->job->def->id);
                run_abandon(d, r, RUN_STATE_INTERRUPTED, "interrupted: the runner died");
        }
}

void
run_orphan_gone(struct daemon *d, struct run *r)
{
        run_detach(d, r);
}

void
run_on_runner_synced(struct daemon *d)
{
        _cleanup_free_ struct store_run *rows = NULL;
        size_t n = 0;

        if (!d->store)
                return;
        /* Runs the store believes are running, that no runner reported. */
        if (store_list_runs(d->store, NULL, RUN_STATE_RUNNING, 0, false, &rows, &n) >= 0)
                for (size_t i = 0; i < n; i++) {
                        if (!run_find(d, rows[i].id)) {
                                rows[i].state = RUN_STATE_INTERRUPTED;
                                rows[i].end = now_realtime();
                                free(rows[i].cause);
                                rows[i].cause = strdup("interrupted: schedd or its runner died while it ran");
                                log_job(LOG_WARNING, NULL, rows[i].job_id, rows[i].id, -1,
                                        "Run %lld of '%s' was interrupted while schedd was away.",
                                        (long long) rows[i].id, rows[i].job_id);
                                run_save(d, NULL, &rows[i]);
                        }
                        store_run_done(&rows[i]);
                }
        rows = mfree(rows);

        /* Firings recorded but never started (the daemon died in between):
         * they start now, once. */
        if (store_list_runs(d->store, NULL, RUN_STATE_QUEUED, 0, false, &rows, &n) >= 0)
                for (size_t i = 0; i < n; i++) {
                        struct job *j = sched_job_find(d, rows[i].job_id);
                        bool known = false;
                        for (struct run *r = d->runs; r; r = r->next)
                                known |= r->id == rows[i].id;
                        if (known)
                                ;
                        else if (j) {
                                struct run *r = run_new(d, j, rows[i].reason, rows[i].scheduled,
                                                        rows[i].scheduled != USEC_UNSET ? rows[i].scheduled
                                                                                          : now_realtime(),
                                                        rows[i].attempt);
                                if (r) {
                                        r->id = rows[i].id;
                                        sched_waiting_push(d, r);
                                }
                        } else {
                                rows[i].state = RUN_STATE_SKIPPED;
                                rows[i].end = now_realtime();
                                free(rows[i].cause);
                                rows[i].cause = strdup("the job no longer exists");
                                run_save(d, NULL, &rows[i]);
                        }
                        store_run_done(&rows[i]);
                }
}
