/* store.c - schedd's state database on SQLite (SPEC section 5).
 *
 * One connection, used from the event loop only (SQLITE_OPEN_NOMUTEX),
 * in WAL mode with synchronous=NORMAL: a kill -9 at any moment leaves a
 * database that the next store_open() recovers, and a committed
 * transaction survives every crash of the process (DESIGN.md section 3).
 * The schema is versioned with PRAGMA user_version and brought up to date
 * by the migrations array, one transaction per step. Every statement is
 * prepared once, at open, and kept in struct store. SQLite result codes
 * become negative errnos in one place, errno_from_sqlite(). Nothing here
 * prints. */
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "store.h"
#include "trigger.h"

/* Schema migrations: migrations[i] takes a database from user_version i
 * to i + 1. Append steps; never edit a step that has shipped.
 *
 * Times are usec_t (microseconds since the epoch, UTC); USEC_UNSET is
 * NULL. Reasons and states are stored by name (runstate.c), so that the
 * enums may be reordered and the database reads well in sqlite3(1). */
static const char *const migrations[] = {
        /* 1: jobs and their runs. */
        "CREATE TABLE jobs (\n"
        "        id TEXT PRIMARY KEY NOT NULL,\n"
        "        origin TEXT NOT NULL CHECK (origin IN ('file', 'api')),\n"
        "        definition TEXT,\n"
        "        digest TEXT,\n"
        "        owner_uid INTEGER NOT NULL DEFAULT 0,\n"
        "        paused INTEGER NOT NULL DEFAULT 0,\n"
        "        last_scheduled INTEGER,\n"
        "        next_firing INTEGER,\n"
        "        anchor INTEGER,\n"
        "        finished INTEGER NOT NULL DEFAULT 0\n"
        ");\n"
        /* AUTOINCREMENT: a run id is shown to users and exported as
         * SCHEDD_RUN_ID, so it is never reused, even after the newest
         * runs were deleted with their job. NULL scheduled times (manual
         * runs) are distinct under UNIQUE, which is what they need. The
         * output tail is the last column so that lists without it do not
         * read its overflow pages. */
        "CREATE TABLE runs (\n"
        "        id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
        "        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,\n"
        "        reason TEXT NOT NULL,\n"
        "        state TEXT NOT NULL,\n"
        "        scheduled INTEGER,\n"
        "        attempt INTEGER NOT NULL DEFAULT 0,\n"
        "        count INTEGER NOT NULL DEFAULT 1,\n"
        "        start_time INTEGER,\n"
        "        end_time INTEGER,\n"
        "        pid INTEGER NOT NULL DEFAULT 0,\n"
        "        exit_status INTEGER NOT NULL DEFAULT -1,\n"
        "        signal INTEGER NOT NULL DEFAULT 0,\n"
        "        timed_out INTEGER NOT NULL DEFAULT 0,\n"
        "        failed_step TEXT,\n"
        "        cause TEXT,\n"
        "        utime INTEGER,\n"
        "        stime INTEGER,\n"
        "        maxrss_kib INTEGER NOT NULL DEFAULT 0,\n"
        "        output_bytes INTEGER NOT NULL DEFAULT 0,\n"
        "        output BLOB,\n"
        "        UNIQUE (job_id, scheduled, attempt)\n"
        ");\n"
        "CREATE INDEX runs_job_id ON runs (job_id, id);\n",
        /* 2: retries waiting out their delay, so that a restart keeps them.
         * A row goes when its retry becomes a firing (a queued run), in
         * the same transaction. */
        "CREATE TABLE retries (\n"
        "        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,\n"
        "        scheduled INTEGER,\n"
        "        attempt INTEGER NOT NULL,\n"
        "        due_time INTEGER NOT NULL,\n"
        "        UNIQUE (job_id, scheduled, attempt)\n"
        ");\n",
};

#define JOB_COLUMNS \
        "id, origin, definition, digest, owner_uid, paused, " \
        "last_scheduled, next_firing, anchor, finished"

/* The columns store_run_from_row() reads, in order; output follows. */
#define RUN_COLUMNS \
        "id, job_id, reason, state, scheduled, attempt, count, start_time, end_time, pid, " \
        "exit_status, signal, timed_out, failed_step, cause, utime, stime, maxrss_kib, output_bytes"

/* Final states, for SQL. Kept in step with run_state_is_final(). */
#define SQL_IS_FINAL "state NOT IN ('queued', 'running')"

enum stmt {
        STMT_BEGIN,
        STMT_COMMIT,
        STMT_ROLLBACK,
        STMT_LOAD_JOBS,
        STMT_LOAD_API_JOBS,
        STMT_GET_JOB,
        STMT_PUT_JOB,
        STMT_DELETE_JOB,
        STMT_SET_PAUSED,
        STMT_SET_ANCHOR,
        STMT_SET_SCHEDULE_STATE,
        STMT_ADD_RUN,
        STMT_UPDATE_RUN,
        STMT_RUN_STARTED,
        STMT_GET_RUN,
        STMT_LIST_RUNS,
        STMT_LIST_RUNS_OF_JOB,
        STMT_TRIM_RUNS,
        STMT_LAST_RUNS,
        STMT_ADD_RETRY,
        STMT_DELETE_RETRY,
        STMT_LOAD_RETRIES,
        _STMT_MAX,
};

static const char *const stmt_sql[_STMT_MAX] = {
        /* IMMEDIATE: take the write lock now, so that a transaction never
         * fails half-way with SQLITE_BUSY when it upgrades to a writer. */
        [STMT_BEGIN] = "BEGIN IMMEDIATE",
        [STMT_COMMIT] = "COMMIT",
        [STMT_ROLLBACK] = "ROLLBACK",
        [STMT_LOAD_JOBS] = "SELECT " JOB_COLUMNS " FROM jobs ORDER BY id",
        [STMT_LOAD_API_JOBS] = "SELECT " JOB_COLUMNS " FROM jobs WHERE origin = 'api' ORDER BY id",
        [STMT_GET_JOB] = "SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?1",
        /* An upsert, not INSERT OR REPLACE: REPLACE deletes the old row
         * first, and the cascade would take the job's run history with it.
         * An added job keeps its definition when it is saved without one
         * (the scheduling state changed); a file's job has none. */
        [STMT_PUT_JOB] =
                "INSERT INTO jobs (" JOB_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                "ON CONFLICT (id) DO UPDATE SET origin = excluded.origin, "
                "definition = CASE WHEN excluded.origin = 'api' "
                "THEN coalesce(excluded.definition, jobs.definition) END, digest = excluded.digest, "
                "owner_uid = excluded.owner_uid, paused = excluded.paused, "
                "last_scheduled = excluded.last_scheduled, next_firing = excluded.next_firing, "
                "anchor = excluded.anchor, finished = excluded.finished",
        [STMT_DELETE_JOB] = "DELETE FROM jobs WHERE id = ?1",
        [STMT_SET_PAUSED] = "UPDATE jobs SET paused = ?2 WHERE id = ?1",
        [STMT_SET_ANCHOR] = "UPDATE jobs SET anchor = ?2 WHERE id = ?1",
        [STMT_SET_SCHEDULE_STATE] =
                "UPDATE jobs SET last_scheduled = ?2, next_firing = ?3, finished = ?4 WHERE id = ?1",
        [STMT_ADD_RUN] =
                "INSERT INTO runs (job_id, reason, state, scheduled, attempt, count, start_time, "
                "end_time, pid, exit_status, signal, timed_out, failed_step, cause, utime, stime, "
                "maxrss_kib, output_bytes, output, id) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
                "?17, ?18, ?19, ?20)",
        [STMT_UPDATE_RUN] =
                "UPDATE runs SET state = ?3, count = ?6, start_time = ?7, end_time = ?8, pid = ?9, "
                "exit_status = ?10, signal = ?11, timed_out = ?12, failed_step = ?13, cause = ?14, "
                "utime = ?15, stime = ?16, maxrss_kib = ?17, output_bytes = ?18, output = ?19 "
                "WHERE id = ?20",
        /* Only a queued or running row: a run recorded as ended (a report
         * that came late, or twice) stays ended. */
        [STMT_RUN_STARTED] =
                "UPDATE runs SET state = 'running', pid = ?2, start_time = ?3 "
                "WHERE id = ?1 AND state IN ('queued', 'running')",
        [STMT_GET_RUN] = "SELECT " RUN_COLUMNS ", output FROM runs WHERE id = ?1",
        /* ?1 state name or NULL for all, ?2 limit (-1: none), ?3 with output. */
        [STMT_LIST_RUNS] =
                "SELECT " RUN_COLUMNS ", CASE WHEN ?3 THEN output END FROM runs "
                "WHERE (?1 IS NULL OR state = ?1) ORDER BY id DESC LIMIT ?2",
        /* Same, of job ?4: walks the (job_id, id) index backwards. */
        [STMT_LIST_RUNS_OF_JOB] =
                "SELECT " RUN_COLUMNS ", CASE WHEN ?3 THEN output END FROM runs "
                "WHERE job_id = ?4 AND (?1 IS NULL OR state = ?1) ORDER BY id DESC LIMIT ?2",
        /* ?1 job, ?2 final runs to keep, ?3 age limit or NULL. The subquery
         * finds the newest final run beyond the kept ones; it and every
         * older final run go. A final run without an end time (a miss, a
         * skip) is aged by its start, then by its scheduled time. */
        [STMT_TRIM_RUNS] =
                "DELETE FROM runs WHERE job_id = ?1 AND " SQL_IS_FINAL " AND ("
                "id <= (SELECT id FROM runs WHERE job_id = ?1 AND " SQL_IS_FINAL
                " ORDER BY id DESC LIMIT 1 OFFSET ?2) "
                "OR coalesce(end_time, start_time, scheduled) < ?3)",
        /* Per job, its newest run that ran, else its newest run: each
         * walks the job's (job_id, id) index from the newest end, so the
         * cost does not grow with the history kept. */
        [STMT_LAST_RUNS] =
                "SELECT r.job_id, r.id, r.state, r.end_time FROM jobs AS j JOIN runs AS r ON r.id = coalesce("
                "(SELECT id FROM runs WHERE job_id = j.id AND state NOT IN ('queued', 'skipped', 'missed') "
                "ORDER BY id DESC LIMIT 1), "
                "(SELECT id FROM runs WHERE job_id = j.id ORDER BY id DESC LIMIT 1))",
        [STMT_ADD_RETRY] =
                "INSERT OR REPLACE INTO retries (job_id, scheduled, attempt, due_time, rowid) "
                "VALUES (?1, ?2, ?3, ?4, ?5)",
        [STMT_DELETE_RETRY] = "DELETE FROM retries WHERE rowid = ?1",
        [STMT_LOAD_RETRIES] = "SELECT job_id, scheduled, attempt, due_time, rowid FROM retries ORDER BY due_time",
};

struct store {
        sqlite3 *db;
        sqlite3_stmt *stmts[_STMT_MAX];
        int64_t last_run_id;    /* the newest run id handed out, committed or not */
        int64_t last_retry_id;  /* the same for retries' rows */
        int changes_at_begin;   /* sqlite3_total_changes() when the transaction began */
        int wal_pages;          /* pages in the write-ahead log after the last commit */
};

static void
sqlite3_finalizep(sqlite3_stmt **st)
{
        if (*st)
                (void) sqlite3_finalize(*st);
}
#define _cleanup_finalize_ _cleanup_(sqlite3_finalizep)

/* Makes a cached statement ready for its next use when the variable goes
 * out of scope. The step's result was already taken from sqlite3_step(). */
static void
sqlite3_resetp(sqlite3_stmt **st)
{
        if (*st) {
                (void) sqlite3_reset(*st);
                (void) sqlite3_clear_bindings(*st);
        }
}
#define _cleanup_reset_ _cleanup_(sqlite3_resetp)

/* The one place where SQLite's result codes (extended ones enabled)
 * become negative errnos. */
static int
errno_from_sqlite(sqlite3 *db, int rc)
{
        int e;

        switch (rc) {
        case SQLITE_OK:
        case SQLITE_ROW:
        case SQLITE_DONE:
                return 0;
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
                return -EEXIST;
        case SQLITE_CONSTRAINT_FOREIGNKEY:
                /* A run of a job that has no row. */
                return -ENOENT;
        case SQLITE_IOERR_NOMEM:
                return -ENOMEM;
        }

        switch (rc & 0xff) {
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_FULL:
                return -ENOSPC;
        case SQLITE_READONLY:
                return -EROFS;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EBUSY;
        case SQLITE_IOERR:
                /* Keep the causes a caller can act on; the rest is -EIO. */
                e = db ? sqlite3_system_errno(db) : 0;
                if (e == ENOSPC || e == EDQUOT)
                        return -ENOSPC;
                if (e == EROFS)
                        return -EROFS;
                return -EIO;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
                return -EIO;
        case SQLITE_CANTOPEN:
                /* The file or its -wal/-shm could not be opened: say why. */
                e = db ? sqlite3_system_errno(db) : 0;
                return e > 0 ? -e : -EIO;
        case SQLITE_PERM:
        case SQLITE_AUTH:
                return -EACCES;
        case SQLITE_TOOBIG:
                return -E2BIG;
        case SQLITE_CONSTRAINT:
        case SQLITE_MISMATCH:
        case SQLITE_RANGE:
        case SQLITE_MISUSE:
                return -EINVAL;
        default:
                return -EIO;
        }
}

static int
stmt_error(struct store *s, int rc)
{
        return errno_from_sqlite(s->db, rc);
}

/* Runs a statement that returns no rows. */
static int
step_done(struct store *s, sqlite3_stmt *st)
{
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                return -EINVAL;
        return rc == SQLITE_DONE ? 0 : stmt_error(s, rc);
}

/* Bind helpers. Every bound pointer lives until the statement has been
 * stepped, so SQLite need not copy (SQLITE_STATIC). */
static int
bind_usec(sqlite3_stmt *st, int i, usec_t v)
{
        return v == USEC_UNSET ? sqlite3_bind_null(st, i) : sqlite3_bind_int64(st, i, v);
}

static int
bind_text(sqlite3_stmt *st, int i, const char *v)
{
        return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static usec_t
column_usec(sqlite3_stmt *st, int i)
{
        return sqlite3_column_type(st, i) == SQLITE_NULL ? USEC_UNSET : sqlite3_column_int64(st, i);
}

/* Copies a text column into *ret: NULL for SQL NULL. */
static int
column_strdup(sqlite3_stmt *st, int i, char **ret)
{
        const unsigned char *t;

        if (sqlite3_column_type(st, i) == SQLITE_NULL) {
                *ret = NULL;
                return 0;
        }
        t = sqlite3_column_text(st, i);
        if (!t)
                return -ENOMEM;
        *ret = strdup((const char *) t);
        return *ret ? 0 : -ENOMEM;
}

/* Fills *reterr, when the caller wants it, with "what: detail". */
static void
set_reterr(char **reterr, const char *what, const char *detail)
{
        if (reterr && !*reterr && asprintf(reterr, "%s: %s", what, detail) < 0)
                *reterr = NULL;
}

static int
exec_sql(sqlite3 *db, const char *sql)
{
        return errno_from_sqlite(db, sqlite3_exec(db, sql, NULL, NULL, NULL));
}

static int
pragma_user_version(sqlite3 *db, int64_t *ret)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int rc;

        rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
        if (rc != SQLITE_OK)
                return errno_from_sqlite(db, rc);
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return rc == SQLITE_DONE ? -EIO : errno_from_sqlite(db, rc);
        *ret = sqlite3_column_int64(st, 0);
        return 0;
}

/* Switches to WAL and checks that SQLite agreed: it keeps the old mode,
 * without an error, where WAL cannot work. */
static int
enable_wal(sqlite3 *db)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        const unsigned char *mode;
        int rc;

        rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
        if (rc != SQLITE_OK)
                return errno_from_sqlite(db, rc);
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return rc == SQLITE_DONE ? -EIO : errno_from_sqlite(db, rc);
        mode = sqlite3_column_text(st, 0);
        return mode && strcmp((const char *) mode, "wal") == 0 ? 0 : -EOPNOTSUPP;
}

/* Applies the missing migrations, each with its version bump in one
 * transaction, so a crash leaves the schema at one version or the next. */
static int
migrate(sqlite3 *db, char **reterr)
{
        int r;

        for (;;) {
                char sql[64];
                int64_t v = 0;

                r = exec_sql(db, "BEGIN IMMEDIATE");
                if (r < 0) {
                        set_reterr(reterr, "Failed to begin migration", sqlite3_errmsg(db));
                        return r;
                }
                /* Read inside the transaction: another schedd may have
                 * migrated since we looked. */
                r = pragma_user_version(db, &v);
                if (r < 0)
                        goto fail;
                if (v > (int64_t) ELEMENTSOF(migrations)) {
                        (void) exec_sql(db, "ROLLBACK");
                        set_reterr(reterr, "Schema is newer than this schedd",
                                   "the database was written by a later version");
                        return -EPROTONOSUPPORT;
                }
                if (v == (int64_t) ELEMENTSOF(migrations))
                        return exec_sql(db, "COMMIT");

                r = exec_sql(db, migrations[v]);
                if (r < 0)
                        goto fail;
                (void) snprintf(sql, sizeof sql, "PRAGMA user_version = %lld", (long long) v + 1);
                r = exec_sql(db, sql);
                if (r < 0)
                        goto fail;
                r = exec_sql(db, "COMMIT");
                if (r < 0)
                        goto fail;
        }
fail:
        set_reterr(reterr, "Failed to migrate schema", sqlite3_errmsg(db));
        (void) exec_sql(db, "ROLLBACK");
        return r;
}

/* Why sqlite3_open_v2() failed. When it cannot create the file, SQLite
 * retries read-only and reports that attempt's ENOENT; a directory that
 * exists but may not be written is the better answer. */
static int
open_errno(sqlite3 *db, int rc, const char *path)
{
        _cleanup_free_ char *dir = NULL;
        int r = errno_from_sqlite(db, rc);
        char *slash;

        if (r != -ENOENT)
                return r;
        dir = strdup(path);
        if (!dir)
                return -ENOMEM;
        slash = strrchr(dir, '/');
        if (slash == dir)
                slash[1] = '\0';
        else if (slash)
                *slash = '\0';
        else
                strcpy(dir, ".");
        if (access(dir, F_OK) == 0 && access(dir, W_OK) < 0)
                return -errno;
        return r;
}

static int
configure(sqlite3 *db, char **reterr)
{
        int r;

        (void) sqlite3_extended_result_codes(db, 1);
        (void) sqlite3_busy_timeout(db, 5000);

        /* SQLite opens a file it may not write read-only without a word;
         * a state database that cannot record firings must not pass. */
        if (sqlite3_db_readonly(db, "main") == 1) {
                set_reterr(reterr, "Database is read-only", "cannot record runs");
                return -EROFS;
        }

        r = enable_wal(db);
        if (r < 0) {
                set_reterr(reterr, "Failed to enable WAL", sqlite3_errmsg(db));
                return r;
        }
        /* NORMAL in WAL mode loses no committed transaction on a crash of
         * the process, only the last ones on power loss; FULL costs a flush
         * per firing (DESIGN.md section 3). */
        r = exec_sql(db, "PRAGMA synchronous = NORMAL");
        if (r >= 0)
                r = exec_sql(db, "PRAGMA foreign_keys = ON");
        /* A small page cache: the daemon's working set is the rows it is
         * writing; the OS page cache holds the rest (SPEC memory target). */
        if (r >= 0)
                r = exec_sql(db, "PRAGMA cache_size = -512");
        if (r < 0) {
                set_reterr(reterr, "Failed to set pragmas", sqlite3_errmsg(db));
                return r;
        }
        return 0;
}

static int
note_wal_pages(void *userdata, sqlite3 *db, const char *name, int pages)
{
        struct store *s = userdata;

        (void) db;
        (void) name;
        s->wal_pages = pages;
        return SQLITE_OK;
}

size_t
store_wal_pages(const struct store *s)
{
        return s->wal_pages > 0 ? (size_t) s->wal_pages : 0;
}

int
store_checkpoint(struct store *s)
{
        int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

        /* Counted from zero again either way: a disk that refuses is tried
         * again after as many pages, not at every step. */
        s->wal_pages = 0;
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
                return errno_from_sqlite(s->db, rc);
        return 0;
}

int
store_open(const char *path, struct store **ret, char **reterr)
{
        struct store *s;
        int rc, r;

        if (reterr)
                *reterr = NULL;

        /* Before SQLite's first use in the process: no memory statistics,
         * which schedd never reads, and whose global mutex and counters
         * each allocation paid for: 7% of a burst's instructions
         * in the daemon. Refused (and harmless) once SQLite is
         * initialized, by an earlier store_open(). */
        (void) sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);

        s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;

        rc = sqlite3_open_v2(path, &s->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
        if (rc != SQLITE_OK) {
                r = open_errno(s->db, rc, path);
                set_reterr(reterr, "Failed to open database",
                           s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
                goto fail;
        }

        r = configure(s->db, reterr);
        if (r < 0)
                goto fail;
        /* Checkpoints are the daemon's to time (store_checkpoint()): the
         * automatic one ran inside a commit, a firing's, and its flushes
         * made that firing some 9 ms late. A WAL hook of our own replaces
         * SQLite's automatic checkpoint, which is one too. */
        sqlite3_wal_hook(s->db, note_wal_pages, s);
        r = migrate(s->db, reterr);
        if (r < 0)
                goto fail;

        for (size_t i = 0; i < _STMT_MAX; i++) {
                rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                        &s->stmts[i], NULL);
                if (rc != SQLITE_OK) {
                        r = errno_from_sqlite(s->db, rc);
                        set_reterr(reterr, "Failed to prepare statement", sqlite3_errmsg(s->db));
                        goto fail;
                }
        }

        *ret = s;
        return 0;
fail:
        (void) store_close(s);
        return r;
}

struct store *
store_close(struct store *s)
{
        if (!s)
                return NULL;
        for (size_t i = 0; i < _STMT_MAX; i++)
                (void) sqlite3_finalize(s->stmts[i]);
        if (s->db) {
                /* Cheap, and keeps the planner's statistics useful. */
                if (sqlite3_get_autocommit(s->db))
                        (void) sqlite3_exec(s->db, "PRAGMA optimize", NULL, NULL, NULL);
                /* Statements are finalized, so this cannot be refused. */
                (void) sqlite3_close(s->db);
        }
        free(s);
        return NULL;
}

const char *
store_errmsg(struct store *s)
{
        return s && s->db ? sqlite3_errmsg(s->db) : "no database";
}

int
store_set_synchronous_full(struct store *s, bool full)
{
        if (!sqlite3_get_autocommit(s->db))
                return -EBUSY;
        return exec_sql(s->db, full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
}

int
store_begin(struct store *s)
{
        _cleanup_reset_ sqlite3_stmt *st = s->stmts[STMT_BEGIN];

        if (!sqlite3_get_autocommit(s->db))
                return -EBUSY;
        s->changes_at_begin = sqlite3_total_changes(s->db);
        return step_done(s, st);
}

bool
store_tx_wrote(struct store *s)
{
        return sqlite3_total_changes(s->db) != s->changes_at_begin;
}

int
store_commit(struct store *s)
{
        _cleanup_reset_ sqlite3_stmt *st = s->stmts[STMT_COMMIT];

        if (sqlite3_get_autocommit(s->db))
                return -EINVAL;
        return step_done(s, st);
}

int
store_rollback(struct store *s)
{
        _cleanup_reset_ sqlite3_stmt *st = s->stmts[STMT_ROLLBACK];

        /* SQLite may have rolled back already, after a failed COMMIT or
         * an I/O error; that is the state the caller asked for. */
        if (sqlite3_get_autocommit(s->db))
                return 0;
        return step_done(s, st);
}

/* A row read into one element of an array by load_rows(): returns 0 when
 * the row filled @elem, 1 when it is to be skipped (@elem untouched), or
 * a negative errno, after which @elem holds nothing to free. */
typedef int (*row_fn)(sqlite3_stmt *st, void *elem);

/* Steps @st to its end and collects its rows, through @from_row, into a
 * malloc'ed array of @size-byte elements in *ret (NULL when there are
 * none), with their count in *ret_n. On failure the elements read so far
 * go through @done and the array is freed; *ret and *ret_n are left
 * untouched. The statement is not reset: the caller's _cleanup_reset_
 * does that, or an explicit sqlite3_reset() when the rows must be read
 * completely before anything else touches the tables. */
static int
load_rows(struct store *s, sqlite3_stmt *st, size_t size, row_fn from_row, void (*done)(void *elem),
          void **ret, size_t *ret_n)
{
        uint8_t *v = NULL;
        size_t n = 0, cap = 0;
        int rc, r;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (n == cap) {
                        size_t c = cap ? cap * 2 : 16;
                        uint8_t *w = reallocarray(v, c, size);
                        if (!w) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        v = w;
                        cap = c;
                }
                r = from_row(st, v + n * size);
                if (r < 0)
                        goto fail;
                if (r == 0)
                        n++;
        }
        if (rc != SQLITE_DONE) {
                r = stmt_error(s, rc);
                goto fail;
        }
        *ret = v;
        *ret_n = n;
        return 0;
fail:
        for (size_t i = 0; i < n; i++)
                done(v + i * size);
        free(v);
        return r;
}

/* --- jobs ----------------------------------------------------------------- */

void
store_job_done(struct store_job *j)
{
        if (!j)
                return;
        free(j->id);
        free(j->definition);
        free(j->digest);
        *j = (struct store_job) {};
}

static int
job_from_row(sqlite3_stmt *st, struct store_job *ret)
{
        const unsigned char *origin;
        int r;

        *ret = (struct store_job) {};
        origin = sqlite3_column_text(st, 1);
        if (!origin)
                return -EIO;
        if (strcmp((const char *) origin, "file") == 0)
                ret->origin = STORE_ORIGIN_FILE;
        else if (strcmp((const char *) origin, "api") == 0)
                ret->origin = STORE_ORIGIN_API;
        else
                return -EIO;

        r = column_strdup(st, 0, &ret->id);
        if (r >= 0)
                r = column_strdup(st, 2, &ret->definition);
        if (r >= 0)
                r = column_strdup(st, 3, &ret->digest);
        if (r < 0) {
                store_job_done(ret);
                return r;
        }
        ret->owner_uid = (uint32_t) sqlite3_column_int64(st, 4);
        ret->paused = sqlite3_column_int(st, 5) != 0;
        ret->last_scheduled = column_usec(st, 6);
        ret->next_firing = column_usec(st, 7);
        ret->anchor = column_usec(st, 8);
        ret->finished = sqlite3_column_int(st, 9) != 0;
        return 0;
}

static int
job_row(sqlite3_stmt *st, void *elem)
{
        return job_from_row(st, elem);
}

static void
job_elem_done(void *elem)
{
        store_job_done(elem);
}

static int
load_jobs(struct store *s, enum stmt which, struct store_job **ret, size_t *ret_n)
{
        _cleanup_reset_ sqlite3_stmt *st = s->stmts[which];

        return load_rows(s, st, sizeof **ret, job_row, job_elem_done, (void **) ret, ret_n);
}

int
store_load_jobs(struct store *s, struct store_job **ret, size_t *ret_n)
{
        return load_jobs(s, STMT_LOAD_JOBS, ret, ret_n);
}

int
store_load_api_jobs(struct store *s, struct store_job **ret, size_t *ret_n)
{
        return load_jobs(s, STMT_LOAD_API_JOBS, ret, ret_n);
}

int
store_get_job(struct store *s, const char *id, struct store_job *ret)
{
        _cleanup_reset_ sqlite3_stmt *st = s->stmts[STMT_GET_JOB];
        int rc;

        bind_text(st, 1, id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return stmt_error(s, rc);
        return job_from_row(st, ret);
}

int
store_put_job(struct store *s, const struct store_job *j)
{
        _cleanup_reset_ sqlite3_stmt *st = s->stmts[STMT_PUT_JOB];

        if (!j->id || (j->origin != STORE_ORIGIN_FILE && j->origin != STORE_ORIGIN_API))
                return -EINVAL;
        bind_text(st, 1, j->id);
        bind_text(st, 2, j->origin == STORE_ORIGIN_API ? "api" : "file");
        bind_text(st, 3, j->definition);
        bind_text(st, 4, j->digest);
        sqlite3_bind_int64(st, 5, j->owner_uid);
        sqlite3_bind_int(st, 6, j->paused);
        bind_usec(st, 7, j->last_scheduled);
        bind_usec(st, 8, j->next_firing);
        bind_usec(st, 9, j->anchor);
        sqlite3_bind_int(st, 10, j->finished);
        return step_done(s, st);
}

/* Steps a statement that changes one job row: -ENOENT if there was none. */
static int
step_job_change(struct store *s, sqlite3_stmt *st)
{
        int r = step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

int
store_delete_job(struct store *s, const char *id)
{
        _cleanup_reset_ sqlite3_stmt *st = s->stmts[STMT_DELETE_JOB];

        /* The runs go by ON DELETE CASCADE (foreign_keys is on). */
        bind_text(st, 1, id);
        return step_job_change(s, st);
}

int
store_set_paused(struct store *s, const char *id, bool paused)
{
        _cleanup_reset_ sqlite3_stmt *st = s->stmts[STMT_SET_PAUSED];

        bind_text(st, 1, id);
        sqlite3_bind_int(st, 2, paused);
        return step_job_change(s, st);
}

int
store_set_anchor(struct store *s, const char *id, usec_t anchor)
{
        _cleanup_reset_ sqlite3_stmt *st = s->stmts[STMT_SET_ANCHOR];

        bind_text(st, 1, id);
        bind_usec(st, 2, anchor);
        return step_job_change(s, st);
}

int
store_set_schedule_state(struct store *s, const char *id, usec_t last_scheduled,
                         usec_t next_firing, bool finished)
{
        _cleanup_reset_ sqlite3_stmt *st = s->stmts[STMT_SET_SCHEDULE_STATE];

        bind_text(st, 1, id);
        bind_usec(st, 2, last_scheduled);
        bind_usec(st, 3, next_firing);
        sqlite3_bind_int(st, 4, finished);
        return step_job_change(s, st);
}

/* --- runs ----------------------------------------------------------------- */

void
store_run_done(struct store_run *r)
{
        if (!r)
                return;
        free(r->job_id);
        free(r->failed_step);
        free(r->cause);
        free(r->output);
        *r = (struct store_run) {};
}

/* Binds the columns that STMT_ADD_RUN and STMT_UPDATE_RUN share, by the
 * parameter numbers both use. */
static int
bind_run(sqlite3_stmt *st, const struct store_run *r)
{
        const char *reason, *state;
        int rc;

        reason = (unsigned) r->reason < _RUN_REASON_MAX ? run_reason_to_string(r->reason) : NULL;
        state = (unsigned) r->state < _RUN_STATE_MAX ? run_state_to_string(r->state) : NULL;
        if (!reason || !state)
                return -EINVAL;
        if (r->output_len > (size_t) INT_MAX || (r->output_len > 0 && !r->output))
                return -EINVAL;

        bind_text(st, 1, r->job_id);
        bind_text(st, 2, reason);
        bind_text(st, 3, state);
        bind_usec(st, 4, r->scheduled);
        sqlite3_bind_int64(st, 5, r->attempt);
        sqlite3_bind_int64(st, 6, r->count);
        bind_usec(st, 7, r->start);
        bind_usec(st, 8, r->end);
        sqlite3_bind_int(st, 9, r->pid);
        sqlite3_bind_int(st, 10, r->exit_status);
        sqlite3_bind_int(st, 11, r->signal);
        sqlite3_bind_int(st, 12, r->timed_out);
        bind_text(st, 13, r->failed_step);
        bind_text(st, 14, r->cause);
        bind_usec(st, 15, r->utime);
        bind_usec(st, 16, r->stime);
        sqlite3_bind_int64(st, 17, (int64_t) r->maxrss_kib);
        sqlite3_bind_int64(st, 18, (int64_t) r->output_bytes);
        /* The one bind that can fail: a tail over SQLITE_LIMIT_LENGTH. */
        if (r->output)
                rc = sqlite3_bind_blob(st, 19, r->output, (int) r->output_len, SQLITE_STATIC);
        else
                rc = sqlite3_bind_null(st, 19);
        return errno_from_sqlite(NULL, rc);
}

static int
run_from_row(sqlite3_stmt *st, struct store_run *ret)
{
        int reason, state, r;

        *ret = (struct store_run) {};
        reason = run_reason_from_string((const char *) sqlite3_column_text(st, 2));
        state = run_state_from_string((const char *) sqlite3_column_text(st, 3));
        if (reason < 0 || state < 0)
                return -EIO;    /* not a name this schedd wrote */

        ret->id = sqlite3_column_int64(st, 0);
        ret->reason = reason;
        ret->state = state;
        ret->scheduled = column_usec(st, 4);
        ret->attempt = (uint32_t) sqlite3_column_int64(st, 5);
        ret->count = (uint32_t) sqlite3_column_int64(st, 6);
        ret->start = column_usec(st, 7);
        ret->end = column_usec(st, 8);
        ret->pid = sqlite3_column_int(st, 9);
        ret->exit_status = sqlite3_column_int(st, 10);
        ret->signal = sqlite3_column_int(st, 11);
        ret->timed_out = sqlite3_column_int(st, 12) != 0;
        ret->utime = column_usec(st, 15);
        ret->stime = column_usec(st, 16);
        ret->maxrss_kib = (uint64_t) sqlite3_column_int64(st, 17);
        ret->output_bytes = (uint64_t) sqlite3_column_int64(st, 18);

        r = column_strdup(st, 1, &ret->job_id);
        if (r >= 0)
                r = column_strdup(st, 13, &ret->failed_step);
        if (r >= 0)
                r = column_strdup(st, 14, &ret->cause);
        if (r >= 0 && sqlite3_column_type(st, 19) != SQLITE_NULL) {
                const void *b = sqlite3_column_blob(st, 19);
                int len = sqlite3_column_bytes(st, 19);
                /* A zero-length tail reads back as none. */
                if (len > 0) {
                        ret->output = malloc(len);
                        if (ret->output) {
                                memcpy(ret->output, b, len);
                                ret->output_len = len;
                        } else
                                r = -ENOMEM;
                }
        }
        if (r < 0) {
                store_run_done(ret);
                return r;
        }
        return 0;
}

int
store_add_run(struct store *s, const struct store_run *r, int64_t *ret_id)
{
        _cleanup_reset_ sqlite3_stmt *st = s->stmts[STMT_ADD_RUN];
        int k;

        if (!r->job_id)
                return -EINVAL;
        k = bind_run(st, r);
        if (k < 0)
                return k;
        /* A run may start although the transaction that recorded it was
         * rolled back (a full disk: firing goes on), and AUTOINCREMENT
         * would then hand its id out again, to another run. Ids handed
         * out once are never reused: count on from the newest. */
        if (s->last_run_id > 0)
                sqlite3_bind_int64(st, 20, s->last_run_id + 1);
        k = step_done(s, st);
        if (k < 0)
                return k;
        s->last_run_id = sqlite3_last_insert_rowid(s->db);
        if (ret_id)
                *ret_id = s->last_run_id;
        return 0;
}

int
store_update_run(struct store *s, const struct store_run *r)
{
        _cleanup_reset_ sqlite3_stmt *st = s->stmts[STMT_UPDATE_RUN];
        int k;

        k = bind_run(st, r);
        if (k < 0)
                return k;
        sqlite3_bind_int64(st, 20, r->id);
        k = step_done(s, st);
        if (k < 0)
                return k;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

int
store_run_started(struct store *s, int64_t id, int32_t pid, usec_t start)
{
        _cleanup_reset_ sqlite3_stmt *st = s->stmts[STMT_RUN_STARTED];
        int k;

        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, pid);
        bind_usec(st, 3, start);
        k = step_done(s, st);
        if (k < 0)
                return k;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

int
store_get_run(struct store *s, int64_t id, struct store_run *ret)
{
        _cleanup_reset_ sqlite3_stmt *st = s->stmts[STMT_GET_RUN];
        int rc;

        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return stmt_error(s, rc);
        return run_from_row(st, ret);
}

static int
run_row(sqlite3_stmt *st, void *elem)
{
        return run_from_row(st, elem);
}

static void
run_elem_done(void *elem)
{
        store_run_done(elem);
}

int
store_list_runs(struct store *s, const char *job_id, int state, size_t limit, bool with_output,
                struct store_run **ret, size_t *ret_n)
{
        _cleanup_reset_ sqlite3_stmt *st = s->stmts[job_id ? STMT_LIST_RUNS_OF_JOB : STMT_LIST_RUNS];

        if (state >= _RUN_STATE_MAX)
                return -EINVAL;
        bind_text(st, 1, state >= 0 ? run_state_to_string(state) : NULL);
        sqlite3_bind_int64(st, 2, limit == 0 || limit > INT64_MAX ? -1 : (int64_t) limit);
        sqlite3_bind_int(st, 3, with_output);
        if (job_id)
                bind_text(st, 4, job_id);

        return load_rows(s, st, sizeof **ret, run_row, run_elem_done, (void **) ret, ret_n);
}

int
store_trim_runs(struct store *s, const char *job_id, size_t keep_runs, usec_t older_than)
{
        _cleanup_reset_ sqlite3_stmt *st = s->stmts[STMT_TRIM_RUNS];
        int r;

        bind_text(st, 1, job_id);
        sqlite3_bind_int64(st, 2, keep_runs > INT64_MAX ? INT64_MAX : (int64_t) keep_runs);
        bind_usec(st, 3, older_than);
        r = step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db);
}

int
store_last_runs(struct store *s, store_last_run_fn fn, void *userdata)
{
        _cleanup_reset_ sqlite3_stmt *st = s->stmts[STMT_LAST_RUNS];
        int rc;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *job_id = (const char *) sqlite3_column_text(st, 0);
                int state = run_state_from_string((const char *) sqlite3_column_text(st, 2));
                if (!job_id || state < 0)
                        continue;       /* not a row this version wrote; List shows no result */
                fn(job_id, sqlite3_column_int64(st, 1), state, column_usec(st, 3), userdata);
        }
        return rc == SQLITE_DONE ? 0 : stmt_error(s, rc);
}

int
store_add_retry(struct store *s, const struct store_retry *r, int64_t *ret_id)
{
        _cleanup_reset_ sqlite3_stmt *st = s->stmts[STMT_ADD_RETRY];
        int k;

        if (!r->job_id)
                return -EINVAL;
        bind_text(st, 1, r->job_id);
        bind_usec(st, 2, r->scheduled);
        sqlite3_bind_int64(st, 3, r->attempt);
        sqlite3_bind_int64(st, 4, (int64_t) r->due);
        /* As for runs (store_add_run()): a row id handed out in a
         * transaction that rolled back must not name another retry. */
        if (s->last_retry_id > 0)
                sqlite3_bind_int64(st, 5, s->last_retry_id + 1);
        k = step_done(s, st);
        if (k < 0)
                return k;
        s->last_retry_id = sqlite3_last_insert_rowid(s->db);
        *ret_id = s->last_retry_id;
        return 0;
}

int
store_delete_retry(struct store *s, int64_t id)
{
        _cleanup_reset_ sqlite3_stmt *st = s->stmts[STMT_DELETE_RETRY];

        sqlite3_bind_int64(st, 1, id);
        return step_done(s, st);
}

/* The job id is the element's own copy, freed by retry_elem_done(). */
static int
retry_row(sqlite3_stmt *st, void *elem)
{
        const char *job_id = (const char *) sqlite3_column_text(st, 0);
        char *id;

        if (!job_id)
                return 1;
        id = strdup(job_id);
        if (!id)
                return -ENOMEM;
        *(struct store_retry *) elem = (struct store_retry) {
                .job_id = id,
                .scheduled = column_usec(st, 1),
                .attempt = (uint32_t) sqlite3_column_int64(st, 2),
                .due = (usec_t) sqlite3_column_int64(st, 3),
                .id = sqlite3_column_int64(st, 4),
        };
        return 0;
}

static void
retry_elem_done(void *elem)
{
        free((char *) ((struct store_retry *) elem)->job_id);
}

int
store_load_retries(struct store *s, store_retry_fn fn, void *userdata)
{
        sqlite3_stmt *st = s->stmts[STMT_LOAD_RETRIES];
        struct store_retry *v = NULL;
        size_t n = 0;
        int r;

        /* All rows first: @fn may delete some, which must not happen under
         * a statement that is still reading them. */
        r = load_rows(s, st, sizeof *v, retry_row, retry_elem_done, (void **) &v, &n);
        sqlite3_reset(st);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                fn(&v[i], userdata);
                retry_elem_done(&v[i]);
        }
        free(v);
        return 0;
}
