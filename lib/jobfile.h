/* jobfile.h - job files (SPEC section 2): YAML text -> struct job_def.
 *
 * jobfile_parse() works on a buffer and never touches the disk except
 * through the tz_db it is given (zone rules). Errors carry FILE:LINE:COLUMN
 * (1-based, from libyaml's marks), the key path, and what was expected. A
 * job with an error is left out and reported; the file's other jobs still
 * load. A file that is not YAML, not the expected shape at the top, or too
 * big is refused whole. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "time.h"
#include "trigger.h"
#include "tz.h"

#define JOBFILE_MAX_SIZE (1024 * 1024)
#define JOB_ID_MAX 128

enum overlap_policy {
        OVERLAP_SKIP,
        OVERLAP_QUEUE,
        OVERLAP_REPLACE,
        _OVERLAP_MAX,
};
const char *overlap_policy_to_string(enum overlap_policy p);
int overlap_policy_from_string(const char *s);

enum output_kind {
        OUTPUT_JOURNAL,
        OUTPUT_DISCARD,
        OUTPUT_FILE,
        _OUTPUT_MAX,
};
const char *output_kind_to_string(enum output_kind k);

/* A command as written: a string runs as /bin/sh -c STRING (shell = true,
 * argv = { "/bin/sh", "-c", STRING }); a list is an argv (PATH search). */
struct job_command {
        char **argv;            /* owned, NULL-terminated; NULL: no command. One allocation,
                                 * the vector followed by its strings: job_command_set() */
        bool shell;
};

/* Sets @c to a copy of @argv (NULL-terminated), packed in one block so
 * that a job's command is one malloc, not one per word; frees the old one.
 * Returns 0, or -ENOMEM with @c untouched. */
int job_command_set(struct job_command *c, const char *const *argv, bool shell);

struct retry_policy {
        unsigned attempts;      /* 0: no retry */
        usec_t delay;
        double backoff;         /* default 2 */
        usec_t max_delay;       /* USEC_INFINITY: no cap */
};

/* The keys most jobs leave at their defaults (SPEC section 2), kept out
 * of line: a definition shares job_def_extra_default until one of them is
 * set, so a plain job pays a pointer for them, not 150 bytes (issue #7). */
struct job_def_extra {
        char *description;              /* NULL: none */
        char *timezone;                 /* as written; NULL: the local zone */
        char *user, *group;             /* as written (name or number); NULL: the mode's default */
        char *directory;                /* NULL: the user's home */
        char **environment;             /* "KEY=VALUE", NULL-terminated; NULL: none */
        char *output_file;              /* OUTPUT_FILE */
        struct job_command on_failure;  /* argv NULL: none */
        usec_t timeout;                 /* USEC_INFINITY: none */
        usec_t kill_grace;              /* default 10s */
        struct retry_policy retry;
        bool no_new_privileges;
        unsigned refs;                  /* the definitions (and loaders) holding it; unused
                                         * in job_def_extra_default */
};

/* Every field at its default: what a job_def's extra points at until one
 * is set. Never freed, never written. */
extern const struct job_def_extra job_def_extra_default;

struct job_def {
        char *id;                       /* points into the allocation itself (job_def_new()) */
        char *file;                     /* where it was defined; an rcstr (rcstr.h), one per
                                         * file, shared by its jobs */
        unsigned line, column;          /* of the job's key */
        struct job_command command;
        struct trigger trigger;
        char *schedule_text;            /* for display: "cron 30 2 * * mon-fri", "interval 5m", "at 2026-12-31T23:59:00+01:00" */
        const struct job_def_extra *extra; /* never NULL: &job_def_extra_default, or owned
                                         * (job_def_extra_mut()) */
        unsigned max_instances;         /* >= 1, default 1 */
        enum overlap_policy on_overlap; /* default skip */
        usec_t misfire_grace;           /* default 1m; USEC_INFINITY: unlimited */
        /* The flags side by side: no padding after each (thousands of jobs). */
        bool coalesce;                  /* default true */
        bool enabled;                   /* default true */
        bool packed;                    /* job_def_pack(): command and schedule_text live
                                         * in this allocation, read-only */
        enum output_kind output;        /* default journal */
        char id_buf[];                  /* the id's text */
};

/* @d's extra keys, for writing: gives @d its own copy of the defaults
 * first if it still shares them. Returns NULL when out of memory (@d
 * then unchanged). */
struct job_def_extra *job_def_extra_mut(struct job_def *d);

/* Makes @d share *@last (the previous job's, from the same loader) if
 * its extra keys are the same: the jobs of a file whose defaults set a
 * user or an environment would otherwise each hold a copy. Else @d's
 * become *last. *last holds a reference: job_def_extra_release() it. */
void job_def_extra_share(struct job_def *d, const struct job_def_extra **last);
void job_def_extra_release(const struct job_def_extra *x);

/* Makes @d share job_def_extra_default again if its own extra keys all
 * hold their defaults (a job that spelled out "timeout: none"). */
void job_def_extra_compact(struct job_def *d);

/* A new definition of job @id (NULL: none, for the defaults mapping) with
 * every default of SPEC section 2 filled in (no command or schedule yet).
 * The id is stored in the same allocation: one malloc less per job.
 * Returns 0 or -ENOMEM. */
int job_def_new(const char *id, struct job_def **ret);

/* Moves the command and the schedule text of *@d into one allocation with
 * the definition and its id: one malloc a job instead of three, 48 bytes
 * less (issue #7). Done once a definition is complete; after it both are
 * read-only (a job_def is not changed once loaded). Returns 0 and
 * replaces *@d, or -ENOMEM with *@d untouched. */
int job_def_pack(struct job_def **d);

/* Frees everything; accepts NULL; returns NULL. */
struct job_def *job_def_free(struct job_def *d);
static inline void
job_def_freep(struct job_def **d)
{
        job_def_free(*d);
}

/* True if @id is a valid job id: [A-Za-z0-9][A-Za-z0-9_.@-]{0,127}. */
bool job_id_valid(const char *id);

struct conf_error {
        char *file;             /* owned */
        unsigned line, column;  /* 1-based; 0 when not known (e.g. the file is too big) */
        char *message;          /* owned: "jobs.backup.timeout: expected a duration like 30s or 1h30m, got 'soon'" */
};
void conf_error_done(struct conf_error *e);

/* The result of loading one file. */
struct jobfile {
        char *path;                     /* owned */
        bool refused;                   /* the whole file was refused; jobs is empty */
        struct job_def **jobs;          /* owned; the jobs that loaded */
        size_t n_jobs;
        char **failed_ids;              /* owned, NULL-terminated: ids of jobs left out
                                         * for an error (their old versions keep running) */
        struct conf_error *errors;      /* owned, in file order */
        size_t n_errors;
};
void jobfile_done(struct jobfile *f);

/* Frees the jobs @f still holds and its array of them, keeping its path,
 * errors and failed ids: what a daemon keeps of a file once it has taken
 * the jobs (8 bytes a job less). */
void jobfile_drop_jobs(struct jobfile *f);

/* Parses one job file held in memory. @path is used in errors. Returns 0
 * and fills *ret (which the caller must jobfile_done()), even when jobs
 * or the whole file were refused: look at ret->refused and ret->errors.
 * Returns -ENOMEM on allocation failure (*ret then untouched). */
int jobfile_parse(const char *path, const char *text, size_t len, struct tz_db *db,
                  struct jobfile *ret);

/* Reads @path (refusing files over JOBFILE_MAX_SIZE, which counts as a
 * refused file, not a failure) and parses it. Returns as jobfile_parse(),
 * or a negative errno when the file cannot be read at all. */
int jobfile_load(const char *path, struct tz_db *db, struct jobfile *ret);

/* Enforces unique ids across @files: the second and later definitions of
 * an id are removed from their file and reported there with an error
 * that names both places. Returns 0 or -ENOMEM. */
int jobfile_check_duplicates(struct jobfile *files, size_t n_files);

/* A digest of every field of @d (jobdigest.c): equal definitions have
 * equal digests, so a reload can tell changed jobs from unchanged ones. */
uint64_t job_def_digest(const struct job_def *d);
