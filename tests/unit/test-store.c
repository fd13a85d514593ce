/* test-store.c - the state database: schema, jobs, runs, trimming,
 * transactions, and a database that survives kill -9 mid-write.
 * Each test gets its own temporary directory under $TMPDIR or /tmp. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "macro.h"
#include "store.h"
#include "trigger.h"

#define T0 ((usec_t) 1767225600 * USEC_PER_SEC)   /* 2026-01-01T00:00:00Z */

struct fixture {
        char dir[256];
        char path[300];
        struct store *s;
};

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
        (void) st, (void) flag, (void) ftw;
        return remove(p);
}

static int
setup(void **state)
{
        struct fixture *f = calloc(1, sizeof *f);
        const char *tmp = getenv("TMPDIR");
        char *err = NULL;

        assert_non_null(f);
        snprintf(f->dir, sizeof f->dir, "%s/test-store.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->path, sizeof f->path, "%s/state.db", f->dir);
        assert_int_equal(store_open(f->path, &f->s, &err), 0);
        assert_null(err);
        *state = f;
        return 0;
}

static int
teardown(void **state)
{
        struct fixture *f = *state;

        f->s = store_close(f->s);
        /* The read-only test may have left the directory unwritable. */
        (void) chmod(f->dir, 0700);
        (void) nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(f);
        return 0;
}

/* The first column of the first row of @sql, through a connection of our
 * own, as text; NULL if there is no row. The caller frees it. */
static char *
raw_query(const char *path, const char *sql)
{
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        char *v = NULL;

        assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
                v = strdup((const char *) sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        sqlite3_close(db);
        return v;
}

static void
assert_raw_query(const char *path, const char *sql, const char *expected)
{
        _cleanup_free_ char *v = raw_query(path, sql);

        if (!expected)
                assert_null(v);
        else {
                assert_non_null(v);
                assert_string_equal(v, expected);
        }
}

static struct store_job
job_template(const char *id)
{
        return (struct store_job) {
                .id = (char *) id,
                .origin = STORE_ORIGIN_FILE,
                .last_scheduled = USEC_UNSET,
                .next_firing = USEC_UNSET,
                .anchor = USEC_UNSET,
        };
}

static struct store_run
run_template(const char *job_id, enum run_state state, usec_t scheduled)
{
        return (struct store_run) {
                .job_id = (char *) job_id,
                .reason = scheduled == USEC_UNSET ? RUN_REASON_MANUAL : RUN_REASON_SCHEDULE,
                .state = state,
                .scheduled = scheduled,
                .count = 1,
                .start = USEC_UNSET,
                .end = USEC_UNSET,
                .exit_status = -1,
                .utime = USEC_UNSET,
                .stime = USEC_UNSET,
        };
}

static void
put_job(struct store *s, const char *id)
{
        struct store_job j = job_template(id);
        assert_int_equal(store_put_job(s, &j), 0);
}

static int64_t
add_run(struct store *s, const char *job_id, enum run_state state, usec_t scheduled, usec_t end)
{
        struct store_run r = run_template(job_id, state, scheduled);
        int64_t id = -1;

        r.end = end;
        assert_int_equal(store_add_run(s, &r, &id), 0);
        assert_true(id > 0);
        return id;
}

static void
assert_str_or_null(const char *a, const char *b)
{
        if (!a || !b)
                assert_ptr_equal(a, b);
        else
                assert_string_equal(a, b);
}

static void
assert_job_equal(const struct store_job *a, const struct store_job *b)
{
        assert_string_equal(a->id, b->id);
        assert_int_equal(a->origin, b->origin);
        assert_str_or_null(a->definition, b->definition);
        assert_str_or_null(a->digest, b->digest);
        assert_int_equal(a->owner_uid, b->owner_uid);
        assert_int_equal(a->paused, b->paused);
        assert_int_equal(a->last_scheduled, b->last_scheduled);
        assert_int_equal(a->next_firing, b->next_firing);
        assert_int_equal(a->anchor, b->anchor);
        assert_int_equal(a->finished, b->finished);
}

/* Every field but id; outputs only if @output. */
static void
assert_run_equal(const struct store_run *a, const struct store_run *b, bool output)
{
        assert_string_equal(a->job_id, b->job_id);
        assert_int_equal(a->reason, b->reason);
        assert_int_equal(a->state, b->state);
        assert_int_equal(a->scheduled, b->scheduled);
        assert_int_equal(a->attempt, b->attempt);
        assert_int_equal(a->count, b->count);
        assert_int_equal(a->start, b->start);
        assert_int_equal(a->end, b->end);
        assert_int_equal(a->pid, b->pid);
        assert_int_equal(a->exit_status, b->exit_status);
        assert_int_equal(a->signal, b->signal);
        assert_int_equal(a->timed_out, b->timed_out);
        assert_str_or_null(a->failed_step, b->failed_step);
        assert_str_or_null(a->cause, b->cause);
        assert_int_equal(a->utime, b->utime);
        assert_int_equal(a->stime, b->stime);
        assert_int_equal(a->maxrss_kib, b->maxrss_kib);
        assert_int_equal(a->output_bytes, b->output_bytes);
        if (output) {
                assert_int_equal(a->output_len, b->output_len);
                if (a->output_len > 0)
                        assert_memory_equal(a->output, b->output, a->output_len);
                else
                        assert_null(b->output);
        }
}

static void
free_jobs(struct store_job *v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                store_job_done(&v[i]);
        free(v);
}

static void
free_runs(struct store_run *v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                store_run_done(&v[i]);
        free(v);
}

static size_t
count_runs(struct store *s, const char *job_id, int state)
{
        struct store_run *v = NULL;
        size_t n = 0;

        assert_int_equal(store_list_runs(s, job_id, state, 0, false, &v, &n), 0);
        free_runs(v, n);
        return n;
}

/* --- opening ---------------------------------------------------------------- */

static void
test_open_schema(void **state)
{
        struct fixture *f = *state;
        struct store *s = NULL;
        char *err = NULL;
        char bad[400];

        assert_raw_query(f->path, "PRAGMA user_version", "2");
        assert_raw_query(f->path, "PRAGMA journal_mode", "wal");
        assert_raw_query(f->path, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                                  "('jobs', 'runs', 'runs_job_id', 'retries')", "4");

        /* Reopening migrates nothing and changes nothing. */
        f->s = store_close(f->s);
        assert_int_equal(store_open(f->path, &f->s, NULL), 0);
        assert_raw_query(f->path, "PRAGMA user_version", "2");

        /* The directory must exist. */
        snprintf(bad, sizeof bad, "%s/missing/state.db", f->dir);
        assert_true(store_open(bad, &s, &err) < 0);
        assert_null(s);
        assert_non_null(err);
        assert_non_null(strstr(err, "open"));
        free(err);

        /* A file that is not a database. */
        snprintf(bad, sizeof bad, "%s/junk.db", f->dir);
        {
                FILE *j = fopen(bad, "w");
                assert_non_null(j);
                for (int i = 0; i < 200; i++)
                        fputs("this is not an SQLite database\n", j);
                fclose(j);
        }
        err = NULL;
        assert_int_equal(store_open(bad, &s, &err), -EIO);
        assert_non_null(err);
        free(err);

        assert_non_null(store_errmsg(f->s));
        assert_non_null(store_errmsg(NULL));
        assert_null(store_close(NULL));
}

static void
test_open_newer_schema(void **state)
{
        struct fixture *f = *state;
        struct store *s = NULL;
        char *err = NULL;

        f->s = store_close(f->s);
        free(raw_query(f->path, "PRAGMA user_version = 99"));
        assert_int_equal(store_open(f->path, &s, &err), -EPROTONOSUPPORT);
        assert_null(s);
        assert_non_null(strstr(err, "newer"));
        free(err);
        /* The refusal changed nothing. */
        assert_raw_query(f->path, "PRAGMA user_version", "99");
}

/* --- jobs ------------------------------------------------------------------- */

static void
test_jobs_roundtrip(void **state)
{
        struct fixture *f = *state;
        struct store_job a = job_template("backup"), b = job_template("api-job");
        struct store_job *v = NULL;
        size_t n = 0;

        a.last_scheduled = T0;
        a.next_firing = T0 + USEC_PER_HOUR;
        a.digest = "sha256:abc";
        b.origin = STORE_ORIGIN_API;
        b.definition = "{\"command\": \"/bin/true\", \"schedule\": {\"interval\": \"5m\"}}";
        b.owner_uid = 1000;
        b.paused = true;
        b.anchor = -12345;      /* before the epoch: negative, not "unset" */
        b.finished = true;

        assert_int_equal(store_put_job(f->s, &a), 0);
        assert_int_equal(store_put_job(f->s, &b), 0);

        assert_int_equal(store_load_jobs(f->s, &v, &n), 0);
        assert_int_equal(n, 2);
        assert_job_equal(&v[0], &b);    /* id order: "api-job" < "backup" */
        assert_job_equal(&v[1], &a);
        free_jobs(v, n);

        /* USEC_UNSET is SQL NULL, not INT64_MIN. */
        assert_raw_query(f->path, "SELECT anchor FROM jobs WHERE id = 'backup'", NULL);
        assert_raw_query(f->path, "SELECT anchor FROM jobs WHERE id = 'api-job'", "-12345");
        assert_raw_query(f->path, "SELECT count(*) FROM jobs WHERE last_scheduled IS NULL", "1");
        assert_raw_query(f->path, "SELECT origin FROM jobs WHERE id = 'api-job'", "api");

        /* An empty store loads as no jobs. */
        assert_int_equal(store_delete_job(f->s, "backup"), 0);
        assert_int_equal(store_delete_job(f->s, "api-job"), 0);
        v = NULL;
        assert_int_equal(store_load_jobs(f->s, &v, &n), 0);
        assert_int_equal(n, 0);
        free(v);

        /* Bad input. */
        a.id = NULL;
        assert_int_equal(store_put_job(f->s, &a), -EINVAL);
        a = job_template("x");
        a.origin = 7;
        assert_int_equal(store_put_job(f->s, &a), -EINVAL);
}

static void
test_jobs_update(void **state)
{
        struct fixture *f = *state;
        struct store_job j = job_template("j"), *v = NULL;
        struct store_run r;
        size_t n = 0;
        int64_t id;

        put_job(f->s, "j");
        assert_int_equal(store_set_paused(f->s, "j", true), 0);
        assert_int_equal(store_set_anchor(f->s, "j", T0), 0);
        assert_int_equal(store_set_schedule_state(f->s, "j", T0 + 60 * USEC_PER_SEC,
                                                  T0 + 120 * USEC_PER_SEC, false), 0);
        assert_int_equal(store_load_jobs(f->s, &v, &n), 0);
        assert_int_equal(n, 1);
        j.paused = true;
        j.anchor = T0;
        j.last_scheduled = T0 + 60 * USEC_PER_SEC;
        j.next_firing = T0 + 120 * USEC_PER_SEC;
        assert_job_equal(&v[0], &j);
        free_jobs(v, n);

        /* Back to unset, and an `at` job that is done. */
        assert_int_equal(store_set_paused(f->s, "j", false), 0);
        assert_int_equal(store_set_anchor(f->s, "j", USEC_UNSET), 0);
        assert_int_equal(store_set_schedule_state(f->s, "j", T0, USEC_UNSET, true), 0);
        assert_int_equal(store_load_jobs(f->s, &v, &n), 0);
        j.paused = false;
        j.anchor = USEC_UNSET;
        j.last_scheduled = T0;
        j.next_firing = USEC_UNSET;
        j.finished = true;
        assert_job_equal(&v[0], &j);
        free_jobs(v, n);

        /* No such job. */
        assert_int_equal(store_set_paused(f->s, "nope", true), -ENOENT);
        assert_int_equal(store_set_anchor(f->s, "nope", T0), -ENOENT);
        assert_int_equal(store_set_schedule_state(f->s, "nope", T0, T0, false), -ENOENT);

        /* Put replaces every column, and keeps the job's runs. */
        r = run_template("j", RUN_STATE_SUCCEEDED, T0);
        assert_int_equal(store_add_run(f->s, &r, &id), 0);
        j = job_template("j");
        j.origin = STORE_ORIGIN_API;
        j.definition = "{}";
        j.digest = "d2";
        j.owner_uid = 42;
        assert_int_equal(store_put_job(f->s, &j), 0);
        assert_int_equal(store_load_jobs(f->s, &v, &n), 0);
        assert_int_equal(n, 1);
        assert_job_equal(&v[0], &j);
        free_jobs(v, n);
        assert_int_equal(count_runs(f->s, "j", -1), 1);

        /* Saved again without its definition (a firing moved its state):
         * an added job keeps the definition it was added with. */
        j.definition = NULL;
        j.paused = true;
        assert_int_equal(store_put_job(f->s, &j), 0);
        assert_int_equal(store_load_jobs(f->s, &v, &n), 0);
        j.definition = "{}";
        assert_job_equal(&v[0], &j);
        free_jobs(v, n);

        /* A file's job of the same id has none. */
        j.origin = STORE_ORIGIN_FILE;
        assert_int_equal(store_put_job(f->s, &j), 0);
        assert_int_equal(store_load_jobs(f->s, &v, &n), 0);
        j.definition = NULL;
        assert_job_equal(&v[0], &j);
        free_jobs(v, n);
}

static void
test_jobs_load_api_only(void **state)
{
        struct fixture *f = *state;
        struct store_job a = job_template("added"), *v = NULL;
        size_t n = 0;

        put_job(f->s, "from-file");
        a.origin = STORE_ORIGIN_API;
        a.definition = "{}";
        assert_int_equal(store_put_job(f->s, &a), 0);
        assert_int_equal(store_load_api_jobs(f->s, &v, &n), 0);
        assert_int_equal(n, 1);
        assert_job_equal(&v[0], &a);
        free_jobs(v, n);
        assert_int_equal(store_load_jobs(f->s, &v, &n), 0);
        assert_int_equal(n, 2);
        free_jobs(v, n);
}

/* One row by its id: what a reload asks for a job it does not have. */
static void
test_jobs_get_one(void **state)
{
        struct fixture *f = *state;
        struct store_job a = job_template("one"), got = {};

        put_job(f->s, "other");
        a.origin = STORE_ORIGIN_API;
        a.definition = "{\"x\": 1}";
        a.paused = true;
        assert_int_equal(store_put_job(f->s, &a), 0);
        assert_int_equal(store_get_job(f->s, "one", &got), 0);
        assert_job_equal(&got, &a);
        store_job_done(&got);
        assert_int_equal(store_get_job(f->s, "missing", &got), -ENOENT);
        /* The statement is ready for the next call after a miss. */
        assert_int_equal(store_get_job(f->s, "other", &got), 0);
        assert_string_equal(got.id, "other");
        store_job_done(&got);
}

struct last_seen {
        char ids[4][16];
        int64_t run[4];
        enum run_state state[4];
        size_t n;
};

static void
note_last(const char *job_id, int64_t id, enum run_state state, usec_t end, void *userdata)
{
        struct last_seen *seen = userdata;

        (void) end;
        assert_true(seen->n < 4);
        snprintf(seen->ids[seen->n], sizeof seen->ids[0], "%s", job_id);
        seen->run[seen->n] = id;
        seen->state[seen->n++] = state;
}

/* A job's last result is its newest run that ran, not a later skip; a job
 * that never ran shows its newest miss; a job without runs shows none. */
static void
test_last_runs(void **state)
{
        struct fixture *f = *state;
        struct last_seen seen = {};
        struct store_run r;
        int64_t ran, id;

        put_job(f->s, "a");
        put_job(f->s, "b");
        put_job(f->s, "c");
        r = run_template("a", RUN_STATE_FAILED, T0);
        assert_int_equal(store_add_run(f->s, &r, &id), 0);
        r = run_template("a", RUN_STATE_SUCCEEDED, T0 + USEC_PER_SEC);
        assert_int_equal(store_add_run(f->s, &r, &ran), 0);
        r = run_template("a", RUN_STATE_SKIPPED, T0 + 2 * USEC_PER_SEC);
        assert_int_equal(store_add_run(f->s, &r, &id), 0);
        r = run_template("b", RUN_STATE_MISSED, T0);
        assert_int_equal(store_add_run(f->s, &r, &id), 0);
        assert_int_equal(store_last_runs(f->s, note_last, &seen), 0);
        assert_int_equal(seen.n, 2);
        for (size_t i = 0; i < seen.n; i++)
                if (strcmp(seen.ids[i], "a") == 0)
                        assert_true(seen.run[i] == ran && seen.state[i] == RUN_STATE_SUCCEEDED);
                else {
                        assert_string_equal(seen.ids[i], "b");
                        assert_true(seen.run[i] == id && seen.state[i] == RUN_STATE_MISSED);
                }
}

struct retries_seen {
        struct store *s;
        char ids[8][16];
        usec_t scheduled[8], due[8];
        uint32_t attempt[8];
        size_t n;
};

static void
note_retry(const struct store_retry *r, void *userdata)
{
        struct retries_seen *seen = userdata;

        assert_true(seen->n < 8);
        snprintf(seen->ids[seen->n], sizeof seen->ids[0], "%s", r->job_id);
        seen->scheduled[seen->n] = r->scheduled;
        seen->due[seen->n] = r->due;
        seen->attempt[seen->n] = r->attempt;
        seen->n++;
        /* Deleting from the callback is allowed. */
        assert_int_equal(store_delete_retry(seen->s, r->id), 0);
}

/* The loaders share one growable array (load_rows()): nothing gives an
 * empty array, and many rows come back complete and in order, past every
 * growth of the array. */
static void
test_load_many_rows(void **state)
{
        struct fixture *f = *state;
        struct store_job *jobs = (struct store_job *) 1;
        struct store_run *runs = (struct store_run *) 1;
        size_t n = 99;
        char id[32];

        assert_int_equal(store_load_jobs(f->s, &jobs, &n), 0);
        assert_null(jobs);
        assert_int_equal(n, 0);
        assert_int_equal(store_list_runs(f->s, NULL, -1, 0, false, &runs, &n), 0);
        assert_null(runs);
        assert_int_equal(n, 0);

        assert_int_equal(store_begin(f->s), 0);
        for (int i = 0; i < 300; i++) {
                snprintf(id, sizeof id, "job%03d", i);
                put_job(f->s, id);
                (void) add_run(f->s, id, RUN_STATE_SUCCEEDED, T0 + i, T0 + i + 1);
        }
        assert_int_equal(store_commit(f->s), 0);

        assert_int_equal(store_load_jobs(f->s, &jobs, &n), 0);
        assert_int_equal(n, 300);
        for (size_t i = 0; i < n; i++) {
                snprintf(id, sizeof id, "job%03zu", i);
                assert_string_equal(jobs[i].id, id);
                store_job_done(&jobs[i]);
        }
        free(jobs);

        assert_int_equal(store_list_runs(f->s, NULL, -1, 0, false, &runs, &n), 0);
        assert_int_equal(n, 300);
        for (size_t i = 0; i < n; i++) {
                /* Newest first. */
                snprintf(id, sizeof id, "job%03zu", 299 - i);
                assert_string_equal(runs[i].job_id, id);
                assert_int_equal(runs[i].scheduled, T0 + 299 - (int64_t) i);
                store_run_done(&runs[i]);
        }
        free(runs);
}

static void
test_retries(void **state)
{
        struct fixture *f = *state;
        struct retries_seen seen = { .s = f->s };
        struct store_retry a = { .job_id = "a", .scheduled = T0, .attempt = 1, .due = T0 + 30 * USEC_PER_SEC };
        struct store_retry b = { .job_id = "b", .scheduled = USEC_UNSET, .attempt = 2, .due = T0 + 10 * USEC_PER_SEC };
        int64_t id_a, id_a2, id_b, id;

        put_job(f->s, "a");
        put_job(f->s, "b");
        put_job(f->s, "c");
        assert_int_equal(store_add_retry(f->s, &a, &id_a), 0);
        assert_int_equal(store_add_retry(f->s, &b, &id_b), 0);
        assert_true(id_a > 0 && id_b > 0 && id_a != id_b);
        /* The same retry of a firing again replaces it. */
        a.due += USEC_PER_SEC;
        assert_int_equal(store_add_retry(f->s, &a, &id_a2), 0);
        assert_true(id_a2 != id_a && id_a2 != id_b);
        /* One of a job that goes: it goes with it. */
        assert_int_equal(store_add_retry(f->s, &(struct store_retry) { .job_id = "c", .attempt = 1, .due = T0 }, &id),
                         0);
        assert_int_equal(store_delete_job(f->s, "c"), 0);

        assert_int_equal(store_load_retries(f->s, note_retry, &seen), 0);
        assert_int_equal(seen.n, 2);
        /* Soonest first. */
        assert_string_equal(seen.ids[0], "b");
        assert_true(seen.scheduled[0] == USEC_UNSET && seen.attempt[0] == 2 && seen.due[0] == b.due);
        assert_string_equal(seen.ids[1], "a");
        assert_true(seen.scheduled[1] == T0 && seen.attempt[1] == 1 && seen.due[1] == a.due);
        /* The callback deleted both. */
        seen.n = 0;
        assert_int_equal(store_load_retries(f->s, note_retry, &seen), 0);
        assert_int_equal(seen.n, 0);
        assert_int_equal(store_add_retry(f->s, &(struct store_retry) { .job_id = "missing", .due = T0 }, &id),
                         -ENOENT);
}

/* Two manual runs of one job that failed at the same attempt have no
 * firing time to tell their retries apart: each keeps its own row, and
 * the one that fires takes only its own with it. */
static void
test_retries_of_manual_runs(void **state)
{
        struct fixture *f = *state;
        struct retries_seen seen = { .s = f->s };
        struct store_retry m = { .job_id = "m", .scheduled = USEC_UNSET, .attempt = 1, .due = T0 };
        int64_t first, second;

        put_job(f->s, "m");
        assert_int_equal(store_add_retry(f->s, &m, &first), 0);
        m.due = T0 + USEC_PER_SEC;
        assert_int_equal(store_add_retry(f->s, &m, &second), 0);
        assert_true(first != second);
        assert_raw_query(f->path, "SELECT count(*) FROM retries", "2");

        assert_int_equal(store_delete_retry(f->s, first), 0);
        assert_raw_query(f->path, "SELECT count(*) FROM retries", "1");
        assert_int_equal(store_load_retries(f->s, note_retry, &seen), 0);
        assert_int_equal(seen.n, 1);
        assert_true(seen.due[0] == T0 + USEC_PER_SEC);
}

/* The log grows with commits until the daemon checkpoints it; SQLite
 * never does so by itself, inside a commit. */
static void
test_checkpoint_is_the_callers(void **state)
{
        struct fixture *f = *state;
        size_t before;

        put_job(f->s, "j");
        assert_int_equal(store_checkpoint(f->s), 0);
        assert_int_equal(store_wal_pages(f->s), 0);
        for (int i = 0; i < 1500; i++) {
                assert_int_equal(store_begin(f->s), 0);
                assert_int_equal(store_set_anchor(f->s, "j", T0 + i), 0);
                assert_int_equal(store_commit(f->s), 0);
        }
        /* Past the 1,000 pages of SQLite's automatic checkpoint. */
        before = store_wal_pages(f->s);
        if (before < 1500)
                fail_msg("%zu pages in the log after 1,500 commits", before);
        assert_int_equal(store_checkpoint(f->s), 0);
        assert_int_equal(store_wal_pages(f->s), 0);
        /* The log is reused from its start after a checkpoint. */
        assert_int_equal(store_begin(f->s), 0);
        assert_int_equal(store_set_anchor(f->s, "j", T0), 0);
        assert_int_equal(store_commit(f->s), 0);
        assert_true(store_wal_pages(f->s) < before);
}

static void
test_jobs_delete(void **state)
{
        struct fixture *f = *state;
        int64_t keep;

        put_job(f->s, "a");
        put_job(f->s, "b");
        for (int i = 0; i < 5; i++)
                add_run(f->s, "a", RUN_STATE_SUCCEEDED, T0 + i * USEC_PER_MIN, USEC_UNSET);
        keep = add_run(f->s, "b", RUN_STATE_RUNNING, T0, USEC_UNSET);

        assert_int_equal(store_delete_job(f->s, "a"), 0);
        assert_int_equal(count_runs(f->s, "a", -1), 0);
        assert_int_equal(count_runs(f->s, NULL, -1), 1);
        assert_raw_query(f->path, "SELECT count(*) FROM runs WHERE job_id = 'a'", "0");
        assert_int_equal(store_delete_job(f->s, "a"), -ENOENT);

        /* Run ids are never reused, even after the newest went. */
        assert_true(add_run(f->s, "b", RUN_STATE_RUNNING, T0 + 1, USEC_UNSET) > keep);
        put_job(f->s, "a");
        assert_int_equal(store_delete_job(f->s, "b"), 0);
        assert_true(add_run(f->s, "a", RUN_STATE_RUNNING, T0, USEC_UNSET) > keep + 1);
}

/* --- runs ------------------------------------------------------------------- */

static void
test_runs_roundtrip(void **state)
{
        struct fixture *f = *state;
        static const uint8_t tail[] = { 'o', 'k', '\n', 0, 0xff, 0, 'x' };
        struct store_run r = run_template("j", RUN_STATE_RUNNING, T0), got;
        int64_t id;

        put_job(f->s, "j");
        r.reason = RUN_REASON_RETRY;
        r.attempt = 2;
        r.count = 3;
        r.start = T0 + 5;
        r.pid = 4242;
        assert_int_equal(store_add_run(f->s, &r, &id), 0);
        assert_int_equal(store_get_run(f->s, id, &got), 0);
        assert_int_equal(got.id, id);
        assert_run_equal(&r, &got, true);
        store_run_done(&got);

        /* The end of the run. */
        r.id = id;
        r.state = RUN_STATE_FAILED;
        r.end = T0 + 10 * USEC_PER_SEC;
        r.exit_status = 3;
        r.signal = 0;
        r.timed_out = true;
        r.failed_step = "change directory to '/srv': No such file or directory";
        r.cause = "exited with status 3";
        r.utime = 1500;
        r.stime = 0;
        r.maxrss_kib = 1ULL << 40;
        r.output_bytes = 5ULL << 32;
        r.output = (uint8_t *) tail;
        r.output_len = sizeof tail;
        /* Columns that are fixed at insertion stay as they were. */
        r.reason = RUN_REASON_SCHEDULE;
        r.attempt = 9;
        assert_int_equal(store_update_run(f->s, &r), 0);
        r.reason = RUN_REASON_RETRY;
        r.attempt = 2;
        assert_int_equal(store_get_run(f->s, id, &got), 0);
        assert_run_equal(&r, &got, true);
        assert_true(run_state_is_final(got.state));
        store_run_done(&got);
        assert_raw_query(f->path, "SELECT typeof(output) || length(output) FROM runs", "blob7");
        assert_raw_query(f->path, "SELECT state || ' ' || reason FROM runs", "failed retry");
        assert_raw_query(f->path, "SELECT count(*) FROM runs WHERE stime = 0 AND end_time IS NOT NULL",
                         "1");

        /* Missing rows, bad input. */
        assert_int_equal(store_get_run(f->s, id + 1, &got), -ENOENT);
        r.id = id + 1;
        assert_int_equal(store_update_run(f->s, &r), -ENOENT);
        r.id = id;
        r.state = _RUN_STATE_MAX;
        assert_int_equal(store_update_run(f->s, &r), -EINVAL);
        r = run_template(NULL, RUN_STATE_QUEUED, T0);
        assert_int_equal(store_add_run(f->s, &r, &id), -EINVAL);
        /* A run of a job that has no row. */
        r = run_template("ghost", RUN_STATE_QUEUED, T0);
        assert_int_equal(store_add_run(f->s, &r, &id), -ENOENT);
}

/* A started report updates a queued row without reading it first; a row
 * that has ended already stays as it was. */
static void
test_run_started(void **state)
{
        struct fixture *f = *state;
        struct store_run r = run_template("j", RUN_STATE_QUEUED, T0), got;
        int64_t id, done_id;

        put_job(f->s, "j");
        r.reason = RUN_REASON_CATCH_UP;
        r.attempt = 1;
        assert_int_equal(store_add_run(f->s, &r, &id), 0);
        assert_int_equal(store_run_started(f->s, id, 777, T0 + 3), 0);
        assert_int_equal(store_get_run(f->s, id, &got), 0);
        r.state = RUN_STATE_RUNNING;
        r.pid = 777;
        r.start = T0 + 3;
        assert_run_equal(&r, &got, true);
        store_run_done(&got);
        /* Running already (a runner's report repeated after a restart):
         * the newer values win. */
        assert_int_equal(store_run_started(f->s, id, 778, T0 + 4), 0);
        assert_raw_query(f->path, "SELECT pid || ' ' || start_time || ' ' || state FROM runs",
                         "778 1767225600000004 running");

        /* Ended: not touched. */
        r = run_template("j", RUN_STATE_SUCCEEDED, T0 + USEC_PER_SEC);
        r.end = T0 + 2 * USEC_PER_SEC;
        assert_int_equal(store_add_run(f->s, &r, &done_id), 0);
        assert_int_equal(store_run_started(f->s, done_id, 779, T0 + 5), -ENOENT);
        assert_int_equal(store_get_run(f->s, done_id, &got), 0);
        r.id = done_id;
        assert_run_equal(&r, &got, true);
        store_run_done(&got);

        /* No such run. */
        assert_int_equal(store_run_started(f->s, done_id + 1, 780, T0), -ENOENT);
}

static void
test_runs_duplicate(void **state)
{
        struct fixture *f = *state;
        struct store_run r = run_template("j", RUN_STATE_RUNNING, T0);
        int64_t id;

        put_job(f->s, "j");
        put_job(f->s, "k");
        assert_int_equal(store_add_run(f->s, &r, &id), 0);
        /* The same firing again: refused, whatever its state. */
        r.state = RUN_STATE_SKIPPED;
        assert_int_equal(store_add_run(f->s, &r, &id), -EEXIST);
        /* A retry of it, the same time for another job, the next firing. */
        r.attempt = 1;
        assert_int_equal(store_add_run(f->s, &r, &id), 0);
        assert_int_equal(store_add_run(f->s, &r, &id), -EEXIST);
        r.job_id = "k";
        assert_int_equal(store_add_run(f->s, &r, &id), 0);
        r.scheduled = T0 + 1;
        assert_int_equal(store_add_run(f->s, &r, &id), 0);

        /* Manual runs have no scheduled time and never collide. */
        r = run_template("j", RUN_STATE_RUNNING, USEC_UNSET);
        assert_int_equal(store_add_run(f->s, &r, &id), 0);
        assert_int_equal(store_add_run(f->s, &r, &id), 0);
        assert_int_equal(store_add_run(f->s, &r, &id), 0);
        assert_int_equal(count_runs(f->s, "j", -1), 5);
        assert_raw_query(f->path, "SELECT count(*) FROM runs WHERE scheduled IS NULL", "3");
}

static void
test_runs_list(void **state)
{
        struct fixture *f = *state;
        struct store_run *v = NULL;
        size_t n = 0;
        int64_t ids[12];

        put_job(f->s, "a");
        put_job(f->s, "b");
        /* a: 0 2 4 6 8 10, b: 1 3 5 7 9 11; every third one running. */
        for (int i = 0; i < 12; i++) {
                struct store_run r = run_template(i % 2 ? "b" : "a",
                                                  i % 3 ? RUN_STATE_SUCCEEDED : RUN_STATE_RUNNING,
                                                  T0 + i * USEC_PER_MIN);
                uint8_t out[8];

                memset(out, 'A' + i, sizeof out);
                r.output = out;
                r.output_len = 1 + i % 8;
                r.output_bytes = r.output_len;
                assert_int_equal(store_add_run(f->s, &r, &ids[i]), 0);
        }

        /* All, newest first, with outputs. */
        assert_int_equal(store_list_runs(f->s, NULL, -1, 0, true, &v, &n), 0);
        assert_int_equal(n, 12);
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(v[i].id, ids[11 - i]);
                assert_int_equal(v[i].output_len, 1 + (11 - i) % 8);
                assert_int_equal(v[i].output[0], 'A' + 11 - i);
        }
        free_runs(v, n);

        /* One job, without outputs. */
        assert_int_equal(store_list_runs(f->s, "a", -1, 0, false, &v, &n), 0);
        assert_int_equal(n, 6);
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(v[i].id, ids[10 - 2 * i]);
                assert_string_equal(v[i].job_id, "a");
                assert_null(v[i].output);
                assert_int_equal(v[i].output_len, 0);
                assert_int_equal(v[i].output_bytes, 1 + (10 - 2 * i) % 8);
        }
        free_runs(v, n);

        /* By state, of all and of one job; limits. */
        assert_int_equal(count_runs(f->s, NULL, RUN_STATE_RUNNING), 4);
        assert_int_equal(count_runs(f->s, "b", RUN_STATE_RUNNING), 2);   /* 3, 9 */
        assert_int_equal(count_runs(f->s, "b", RUN_STATE_FAILED), 0);
        assert_int_equal(store_list_runs(f->s, "b", RUN_STATE_SUCCEEDED, 2, false, &v, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(v[0].id, ids[11]);
        assert_int_equal(v[1].id, ids[7]);
        free_runs(v, n);
        assert_int_equal(store_list_runs(f->s, NULL, -1, 1, false, &v, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(v[0].id, ids[11]);
        free_runs(v, n);
        assert_int_equal(count_runs(f->s, "nope", -1), 0);
        assert_int_equal(store_list_runs(f->s, NULL, _RUN_STATE_MAX, 0, false, &v, &n), -EINVAL);
}

/* --- trimming ---------------------------------------------------------------- */

static void
test_trim_by_count(void **state)
{
        struct fixture *f = *state;
        struct store_run *v = NULL;
        size_t n = 0;
        int64_t queued, running, last[3];

        put_job(f->s, "j");
        put_job(f->s, "other");
        /* The oldest rows are queued and running: they must survive. */
        queued = add_run(f->s, "j", RUN_STATE_QUEUED, T0, USEC_UNSET);
        running = add_run(f->s, "j", RUN_STATE_RUNNING, T0 + 1, USEC_UNSET);
        for (int i = 0; i < 10; i++) {
                int64_t id = add_run(f->s, "j", i % 2 ? RUN_STATE_FAILED : RUN_STATE_MISSED,
                                     T0 + (10 + i) * USEC_PER_SEC, T0 + (10 + i) * USEC_PER_SEC);
                if (i >= 7)
                        last[i - 7] = id;
                add_run(f->s, "other", RUN_STATE_SUCCEEDED, T0 + i * USEC_PER_SEC, T0);
        }

        assert_int_equal(store_trim_runs(f->s, "j", SIZE_MAX, USEC_UNSET), 0);
        assert_int_equal(store_trim_runs(f->s, "j", 10, USEC_UNSET), 0);
        assert_int_equal(store_trim_runs(f->s, "j", 3, USEC_UNSET), 7);
        assert_int_equal(store_trim_runs(f->s, "j", 3, USEC_UNSET), 0);

        assert_int_equal(store_list_runs(f->s, "j", -1, 0, false, &v, &n), 0);
        assert_int_equal(n, 5);
        assert_int_equal(v[0].id, last[2]);
        assert_int_equal(v[1].id, last[1]);
        assert_int_equal(v[2].id, last[0]);
        assert_int_equal(v[3].id, running);
        assert_int_equal(v[4].id, queued);
        free_runs(v, n);
        assert_int_equal(count_runs(f->s, "other", -1), 10);

        /* Keeping none leaves only what is still going on. */
        assert_int_equal(store_trim_runs(f->s, "j", 0, USEC_UNSET), 3);
        assert_int_equal(count_runs(f->s, "j", -1), 2);
        assert_int_equal(store_trim_runs(f->s, "nope", 0, USEC_UNSET), 0);
}

static void
test_trim_by_age(void **state)
{
        struct fixture *f = *state;
        struct store_run r;
        int64_t id;

        put_job(f->s, "j");
        /* Ended at T0 + 0..9 min. */
        for (int i = 0; i < 10; i++)
                add_run(f->s, "j", RUN_STATE_SUCCEEDED, T0 + i * USEC_PER_MIN, T0 + i * USEC_PER_MIN + 1);
        /* Old, but still going on. */
        add_run(f->s, "j", RUN_STATE_RUNNING, T0 - USEC_PER_DAY, USEC_UNSET);
        add_run(f->s, "j", RUN_STATE_QUEUED, T0 - USEC_PER_DAY + 2, USEC_UNSET);
        /* Missed long ago, never started or ended: aged by its scheduled time. */
        add_run(f->s, "j", RUN_STATE_MISSED, T0 - USEC_PER_DAY + 1, USEC_UNSET);
        /* A manual run that started long ago and has no end: aged by its start. */
        r = run_template("j", RUN_STATE_INTERRUPTED, USEC_UNSET);
        r.start = T0 - USEC_PER_DAY;
        assert_int_equal(store_add_run(f->s, &r, &id), 0);

        assert_int_equal(store_trim_runs(f->s, "j", SIZE_MAX, T0 - 2 * USEC_PER_DAY), 0);
        /* Ended before T0 + 5 min: the runs of 0..4, the miss and the interrupted one. */
        assert_int_equal(store_trim_runs(f->s, "j", SIZE_MAX, T0 + 5 * USEC_PER_MIN), 7);
        assert_int_equal(count_runs(f->s, "j", RUN_STATE_SUCCEEDED), 5);
        assert_int_equal(count_runs(f->s, "j", RUN_STATE_RUNNING), 1);
        assert_int_equal(count_runs(f->s, "j", RUN_STATE_QUEUED), 1);
        /* Both limits at once: age takes 5..6, count the next one. */
        assert_int_equal(store_trim_runs(f->s, "j", 2, T0 + 7 * USEC_PER_MIN), 3);
        assert_int_equal(count_runs(f->s, "j", RUN_STATE_SUCCEEDED), 2);
        /* Everything final, however new. */
        assert_int_equal(store_trim_runs(f->s, "j", 0, USEC_INFINITY), 2);
        assert_int_equal(count_runs(f->s, "j", -1), 2);
}

/* --- transactions and persistence ---------------------------------------- */

static void
test_transactions(void **state)
{
        struct fixture *f = *state;
        struct store_job *v = NULL;
        size_t n = 0;

        put_job(f->s, "j");

        /* Rollback discards every write since begin. */
        assert_int_equal(store_begin(f->s), 0);
        add_run(f->s, "j", RUN_STATE_RUNNING, T0, USEC_UNSET);
        assert_int_equal(store_set_schedule_state(f->s, "j", T0, T0 + USEC_PER_MIN, false), 0);
        put_job(f->s, "new");
        assert_int_equal(count_runs(f->s, "j", -1), 1);       /* visible inside */
        assert_int_equal(store_rollback(f->s), 0);
        assert_int_equal(count_runs(f->s, "j", -1), 0);
        assert_int_equal(store_load_jobs(f->s, &v, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(v[0].last_scheduled, USEC_UNSET);
        free_jobs(v, n);

        /* A refused duplicate inside a batch does not spoil the batch. */
        assert_int_equal(store_begin(f->s), 0);
        assert_int_equal(store_begin(f->s), -EBUSY);
        assert_int_equal(store_set_synchronous_full(f->s, true), -EBUSY);
        add_run(f->s, "j", RUN_STATE_RUNNING, T0, USEC_UNSET);
        {
                struct store_run r = run_template("j", RUN_STATE_RUNNING, T0);
                int64_t id;
                assert_int_equal(store_add_run(f->s, &r, &id), -EEXIST);
        }
        add_run(f->s, "j", RUN_STATE_RUNNING, T0 + USEC_PER_MIN, USEC_UNSET);
        assert_int_equal(store_commit(f->s), 0);
        assert_int_equal(count_runs(f->s, "j", -1), 2);

        /* Out of place calls. */
        assert_int_equal(store_commit(f->s), -EINVAL);
        assert_int_equal(store_rollback(f->s), 0);
        assert_int_equal(store_set_synchronous_full(f->s, true), 0);
        assert_int_equal(store_set_synchronous_full(f->s, false), 0);

        /* Closing with a transaction open discards it. */
        assert_int_equal(store_begin(f->s), 0);
        add_run(f->s, "j", RUN_STATE_RUNNING, T0 + 2 * USEC_PER_MIN, USEC_UNSET);
        f->s = store_close(f->s);
        assert_int_equal(store_open(f->path, &f->s, NULL), 0);
        assert_int_equal(count_runs(f->s, "j", -1), 2);
}

static void
test_reopen_keeps_data(void **state)
{
        struct fixture *f = *state;
        struct store_job j = job_template("j"), *v = NULL;
        struct store_run r = run_template("j", RUN_STATE_SUCCEEDED, T0), got;
        size_t n = 0;
        int64_t id;

        j.paused = true;
        j.last_scheduled = T0;
        j.next_firing = T0 + USEC_PER_DAY;
        j.digest = "d";
        assert_int_equal(store_put_job(f->s, &j), 0);
        r.start = T0 + 1;
        r.end = T0 + 2;
        r.exit_status = 0;
        r.cause = "exited with status 0";
        r.output = (uint8_t *) "hello\n";
        r.output_len = 6;
        assert_int_equal(store_add_run(f->s, &r, &id), 0);

        f->s = store_close(f->s);
        assert_int_equal(store_open(f->path, &f->s, NULL), 0);

        assert_int_equal(store_load_jobs(f->s, &v, &n), 0);
        assert_int_equal(n, 1);
        assert_job_equal(&v[0], &j);
        free_jobs(v, n);
        assert_int_equal(store_get_run(f->s, id, &got), 0);
        assert_run_equal(&r, &got, true);
        store_run_done(&got);
}

/* --- kill -9 in the middle of writing --------------------------------------- */

enum { CRASH_BATCH = 10 };

/* The tail of firing @k: its length and bytes follow from k, zeros included. */
static size_t
crash_output(int64_t k, uint8_t *buf, size_t size)
{
        size_t len = (size_t) (k * 97 % (int64_t) size);

        for (size_t i = 0; i < len; i++)
                buf[i] = (uint8_t) (k * 31 + i * 7);
        return len;
}

/* The child: firings CRASH_BATCH to a transaction, as fast as it can,
 * from firing @first on, writing each committed batch's number to @fd. */
_Noreturn static void
crash_writer(const char *path, int64_t first, int fd)
{
        struct store *s = NULL;
        uint8_t buf[4096];

        if (store_open(path, &s, NULL) < 0)
                _exit(2);
        for (int64_t k = first;; ) {
                struct store_job j = job_template("crash");

                if (store_begin(s) < 0)
                        _exit(3);
                /* Every batch rewrites the job too, so that job rows are
                 * in flight when the kill comes. */
                j.last_scheduled = T0 + (k + CRASH_BATCH - 1) * USEC_PER_SEC;
                j.next_firing = T0 + (k + CRASH_BATCH) * USEC_PER_SEC;
                if (store_put_job(s, &j) < 0)
                        _exit(4);
                for (int i = 0; i < CRASH_BATCH; i++, k++) {
                        struct store_run r = run_template("crash", RUN_STATE_RUNNING,
                                                          T0 + k * USEC_PER_SEC);
                        r.output = buf;
                        r.output_len = crash_output(k, buf, sizeof buf);
                        r.output_bytes = (uint64_t) k;
                        if (store_add_run(s, &r, NULL) < 0)
                                _exit(5);
                }
                if (store_commit(s) < 0)
                        _exit(6);
                if (write(fd, &k, sizeof k) != sizeof k)
                        _exit(7);
        }
}

/* Checks that the database holds exactly firings 0..n-1 for some n that
 * is a whole number of batches, at least @committed, each row intact.
 * Returns n. */
static int64_t
crash_check(const char *path, int64_t committed)
{
        struct store *s = NULL;
        struct store_run *v = NULL;
        struct store_job *jobs = NULL;
        size_t n = 0, njobs = 0;
        uint8_t buf[4096];
        char *err = NULL;

        assert_int_equal(store_open(path, &s, &err), 0);
        assert_null(err);
        assert_int_equal(store_list_runs(s, "crash", -1, 0, true, &v, &n), 0);
        assert_true((int64_t) n >= committed);
        /* One batch more than reported: committed, killed before the write(). */
        assert_true((int64_t) n <= committed + CRASH_BATCH);
        assert_int_equal(n % CRASH_BATCH, 0);
        for (size_t i = 0; i < n; i++) {
                int64_t k = (int64_t) (n - 1 - i);    /* newest first */
                size_t len = crash_output(k, buf, sizeof buf);

                assert_int_equal(v[i].scheduled, T0 + k * USEC_PER_SEC);
                assert_int_equal(v[i].output_bytes, k);
                assert_int_equal(v[i].output_len, len);
                if (len > 0)
                        assert_memory_equal(v[i].output, buf, len);
                if (i > 0)
                        assert_true(v[i].id < v[i - 1].id);
        }
        /* The job row is from the same transaction as the last batch. */
        assert_int_equal(store_load_jobs(s, &jobs, &njobs), 0);
        if (n > 0) {
                assert_int_equal(njobs, 1);
                assert_int_equal(jobs[0].last_scheduled, T0 + ((int64_t) n - 1) * USEC_PER_SEC);
                assert_int_equal(jobs[0].next_firing, T0 + (int64_t) n * USEC_PER_SEC);
        } else
                assert_true(njobs <= 1);
        free_jobs(jobs, njobs);
        free_runs(v, n);
        s = store_close(s);

        assert_raw_query(path, "PRAGMA integrity_check", "ok");
        assert_raw_query(path, "PRAGMA foreign_key_check", NULL);
        return (int64_t) n;
}

static void
test_crash_kill9(void **state)
{
        struct fixture *f = *state;
        /* Kill times in ms: the short ones on a fresh file land in open and
         * migration, the long ones in the middle of batches. */
        static const int delays_ms[] = { 0, 1, 3, 200, 7, 20, 200 };
        char path[400];
        int64_t have = 0;

        snprintf(path, sizeof path, "%s/crash.db", f->dir);
        for (size_t round = 0; round < ELEMENTSOF(delays_ms); round++) {
                struct timespec ts = { .tv_nsec = delays_ms[round] * 1000000L };
                int64_t committed = have, k;
                int fds[2], status;
                pid_t pid;

                assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
                pid = fork();
                assert_true(pid >= 0);
                if (pid == 0) {
                        close(fds[0]);
                        crash_writer(path, have, fds[1]);
                }
                close(fds[1]);
                /* In the long rounds, let one batch in first, so that even a
                 * slow machine (valgrind) kills it in the middle of writing. */
                if (delays_ms[round] >= 100 && read(fds[0], &k, sizeof k) == sizeof k)
                        committed = k;
                nanosleep(&ts, NULL);
                assert_int_equal(kill(pid, SIGKILL), 0);
                assert_int_equal(waitpid(pid, &status, 0), pid);
                /* Killed, not failed: an exit code would be a store error. */
                assert_true(WIFSIGNALED(status));
                assert_int_equal(WTERMSIG(status), SIGKILL);
                while (read(fds[0], &k, sizeof k) == sizeof k)
                        committed = k;
                close(fds[0]);

                have = crash_check(path, committed);
        }
        /* The long rounds got some batches in. */
        assert_true(have >= CRASH_BATCH);
        print_message("%zu kill -9 rounds, %lld firings committed and intact\n",
                      ELEMENTSOF(delays_ms), (long long) have);
}

/* --- a database the daemon may not write -------------------------------------- */

/* Opens @path in a child, as nobody if we are root (root ignores modes),
 * and returns the negated result, 0 on success, or -1 if the child could
 * not drop privileges. */
static int
open_unprivileged(const char *path)
{
        pid_t pid;
        int status;

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct store *s = NULL;
                int r;

                if (geteuid() == 0 &&
                    (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0))
                        _exit(255);
                r = store_open(path, &s, NULL);
                s = store_close(s);
                _exit(r < 0 ? (-r & 0xff) : 0);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        return WEXITSTATUS(status) == 255 ? -1 : WEXITSTATUS(status);
}

static void
test_readonly(void **state)
{
        struct fixture *f = *state;
        char fresh[400];
        int e;

        put_job(f->s, "j");
        f->s = store_close(f->s);
        /* Readable by all, writable by none: the file and its directory. */
        assert_int_equal(chmod(f->path, 0444), 0);
        assert_int_equal(chmod(f->dir, 0555), 0);

        e = open_unprivileged(f->path);
        if (e < 0)
                skip();
        /* Refused with a reason, not opened read-only and not a crash. */
        assert_true(e == EROFS || e == EACCES || e == EPERM);

        snprintf(fresh, sizeof fresh, "%s/fresh.db", f->dir);
        e = open_unprivileged(fresh);
        assert_true(e == EROFS || e == EACCES || e == EPERM);

        /* Still intact for whoever may write it. */
        assert_int_equal(chmod(f->dir, 0700), 0);
        assert_int_equal(chmod(f->path, 0600), 0);
        assert_int_equal(store_open(f->path, &f->s, NULL), 0);
        assert_int_equal(store_set_paused(f->s, "j", true), 0);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        const struct CMUnitTest tests[] = {
                T(test_open_schema),
                T(test_open_newer_schema),
                T(test_jobs_roundtrip),
                T(test_jobs_update),
                T(test_jobs_load_api_only),
                T(test_jobs_get_one),
                T(test_jobs_delete),
                T(test_checkpoint_is_the_callers),
                T(test_retries),
                T(test_retries_of_manual_runs),
                T(test_last_runs),
                T(test_runs_roundtrip),
                T(test_run_started),
                T(test_load_many_rows),
                T(test_runs_duplicate),
                T(test_runs_list),
                T(test_trim_by_count),
                T(test_trim_by_age),
                T(test_transactions),
                T(test_reopen_keeps_data),
                T(test_crash_kill9),
                T(test_readonly),
        };
#undef T
        return cmocka_run_group_tests(tests, NULL, NULL);
}
