/* store.h - schedd's state database (SQLite, WAL; SPEC section 5).
 *
 * Holds per job: paused flag, last scheduled firing, next firing, interval
 * anchor, whether an `at` job has finished, and for jobs added at run time
 * their definition; and the run history. A firing is recorded under the
 * unique key (job, scheduled time, attempt) before its run starts, so no
 * restart can start it twice.
 *
 * Durability: WAL with synchronous=NORMAL. A crash of the process (kill -9)
 * never loses a committed transaction; a power loss may lose the last few
 * (DESIGN.md section 3 has the figures). Callers group the writes that
 * happen together (the firings due at one instant, the run ends of one
 * loop iteration) into one transaction with store_begin()/store_commit().
 *
 * All functions return 0 or a negative errno: -ENOENT for a missing row,
 * -EEXIST for a duplicate firing, -ENOSPC/-EROFS/-EIO when the disk
 * refuses (the caller keeps firing and retries later), -ENOMEM. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "runstate.h"
#include "time.h"

struct store;

/* Opens or creates the database at @path (its directory must exist) and
 * migrates its schema to the current version. On failure returns a
 * negative errno and, if @reterr is not NULL, a malloc'ed message. */
int store_open(const char *path, struct store **ret, char **reterr);
/* Accepts NULL; returns NULL. */
struct store *store_close(struct store *s);

/* The last SQLite error message, for logs. Never NULL. */
const char *store_errmsg(struct store *s);

/* Sets synchronous=FULL (@full) or back to NORMAL, the default: FULL
 * also survives power loss, for a flush per transaction (DESIGN.md
 * section 3; bench/bench-store.c measures both). -EBUSY inside a
 * transaction. */
int store_set_synchronous_full(struct store *s, bool full);

/* Transactions. Nested calls are not allowed: store_begin() inside a
 * transaction returns -EBUSY, store_commit() outside one -EINVAL. After a
 * failed commit call store_rollback(), which returns 0 when SQLite has
 * already rolled back. */
int store_begin(struct store *s);
int store_commit(struct store *s);
/* Whether the current transaction has changed any row so far: a commit
 * that wrote nothing says nothing about whether the disk takes writes. */
bool store_tx_wrote(struct store *s);
int store_rollback(struct store *s);

/* The write-ahead log is copied back into the database (a checkpoint)
 * only when the daemon asks, at a moment no firing is near: SQLite's own
 * automatic checkpoint runs inside a commit and flushes the disk twice.
 * store_wal_pages() is the log's size after the last commit. */
size_t store_wal_pages(const struct store *s);
int store_checkpoint(struct store *s);

enum store_origin {
        STORE_ORIGIN_FILE,      /* "file": from jobs.d */
        STORE_ORIGIN_API,       /* "api": schedctl add (persistent ones only) */
};

struct store_job {
        char *id;
        enum store_origin origin;
        char *definition;       /* API jobs: their definition as JSON text; NULL for file jobs */
        char *digest;           /* of the definition, to notice changes; may be NULL */
        uint32_t owner_uid;     /* who added it (API jobs); 0 for file jobs */
        bool paused;
        usec_t last_scheduled;  /* the last firing that was handled (run, missed, skipped); USEC_UNSET */
        usec_t next_firing;     /* USEC_UNSET: none */
        usec_t anchor;          /* interval anchor; USEC_UNSET */
        bool finished;          /* an `at` job that has fired, or was missed for good */
};
void store_job_done(struct store_job *j);

/* All jobs, in id order. *ret is a malloc'ed array the caller frees
 * (store_job_done() each element, then free()). */
int store_load_jobs(struct store *s, struct store_job **ret, size_t *ret_n);
/* The same for the jobs added with schedctl add only. */
int store_load_api_jobs(struct store *s, struct store_job **ret, size_t *ret_n);
/* The row of job @id in *ret (store_job_done() it), or -ENOENT. */
int store_get_job(struct store *s, const char *id, struct store_job *ret);
/* Inserts or replaces the job row: every column, except that an API job
 * saved with no definition keeps the one it has. */
int store_put_job(struct store *s, const struct store_job *j);
/* Deletes the job and its runs. -ENOENT if there is none. */
int store_delete_job(struct store *s, const char *id);
int store_set_paused(struct store *s, const char *id, bool paused);
int store_set_anchor(struct store *s, const char *id, usec_t anchor);
/* The scheduling state that changes with every firing. */
int store_set_schedule_state(struct store *s, const char *id, usec_t last_scheduled,
                             usec_t next_firing, bool finished);

struct store_run {
        int64_t id;             /* assigned by store_add_run() */
        char *job_id;
        enum run_reason reason;
        enum run_state state;
        usec_t scheduled;       /* the firing's scheduled time; USEC_UNSET for manual runs */
        uint32_t attempt;       /* 0 for the first try, n for the n-th retry */
        uint32_t count;         /* firings this row stands for (coalesced misses); 1 otherwise */
        usec_t start, end;      /* USEC_UNSET while not known */
        int32_t pid;            /* 0 while not known */
        int32_t exit_status;    /* -1 if it did not exit normally */
        int32_t signal;         /* 0 if not killed by a signal */
        bool timed_out;
        char *failed_step;      /* "change directory to '/srv': No such file or directory"; NULL */
        char *cause;            /* "exited with status 3", "killed by SIGKILL after timeout"; NULL */
        usec_t utime, stime;    /* CPU time */
        uint64_t maxrss_kib;    /* peak memory */
        uint64_t output_bytes;  /* all output the run wrote */
        uint8_t *output;        /* the kept tail; NULL when none */
        size_t output_len;
};
void store_run_done(struct store_run *r);

/* Records a new run (a firing, a miss, a skip...) and stores its id in
 * *ret_id. Returns -EEXIST if (job_id, scheduled, attempt) is already
 * recorded and scheduled is not USEC_UNSET, -ENOENT if the job has no row. */
int store_add_run(struct store *s, const struct store_run *r, int64_t *ret_id);
/* Updates every column but id, job_id, reason, scheduled and attempt. */
int store_update_run(struct store *s, const struct store_run *r);
/* Marks a queued (or running) run as running, with its pid and start
 * time, without reading the row first: the started report of a run the
 * daemon holds in memory. -ENOENT if there is no such run, or it is
 * recorded as ended already (then it is left as it is). */
int store_run_started(struct store *s, int64_t id, int32_t pid, usec_t start);
/* One run, output included. -ENOENT if there is none. */
int store_get_run(struct store *s, int64_t id, struct store_run *ret);
/* Runs newest first (by id), at most @limit (0: no limit), of one job or
 * of all (@job_id NULL), only in @state unless it is negative. Outputs are
 * not loaded (output NULL) unless @with_output. */
int store_list_runs(struct store *s, const char *job_id, int state, size_t limit, bool with_output,
                    struct store_run **ret, size_t *ret_n);
/* Deletes a job's final runs beyond the newest @keep_runs (SIZE_MAX: no
 * limit), and those that ended before @older_than (USEC_UNSET: no limit;
 * a run with no end time is aged by its start, then its scheduled time).
 * Queued and running rows are never deleted. Returns the number deleted,
 * or a negative errno. */
int store_trim_runs(struct store *s, const char *job_id, size_t keep_runs, usec_t older_than);

/* Calls @fn once for each job with runs: its newest run that ran (any
 * state but queued, skipped and missed), else its newest run. That is
 * what List shows as a job's last result, read once at start-up. */
typedef void (*store_last_run_fn)(const char *job_id, int64_t id, enum run_state state, usec_t end,
                                  void *userdata);
int store_last_runs(struct store *s, store_last_run_fn fn, void *userdata);

/* A retry waiting out its delay (SPEC 2, retry): kept so that a restart
 * resumes it. */
struct store_retry {
        int64_t id;             /* the row's: what deletes it (two manual runs may fail at the
                                 * same attempt, with no firing time to tell them apart) */
        const char *job_id;     /* borrowed */
        usec_t scheduled;       /* the firing's; USEC_UNSET for a manual run */
        uint32_t attempt;       /* the retry's number, from 1 */
        usec_t due;             /* realtime: when it fires */
};
/* Adds the retry @r (its id is ignored), replacing the one of the same
 * (job, scheduled, attempt) of a firing; a manual run's is always new.
 * Stores the new row's id in *ret_id. */
int store_add_retry(struct store *s, const struct store_retry *r, int64_t *ret_id);
/* Deletes the row @id; no such row is not an error. */
int store_delete_retry(struct store *s, int64_t id);
/* Calls @fn for each, soonest first (@fn may add or delete retries); the
 * strings live during the call. */
typedef void (*store_retry_fn)(const struct store_retry *r, void *userdata);
int store_load_retries(struct store *s, store_retry_fn fn, void *userdata);
