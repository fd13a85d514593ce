/* jobdir.c - the jobs directory: scan, check, load, and bring the running
 * set of jobs in line with it (SPEC sections 1, 2 and 5).
 *
 * Each file is loaded whole before anything changes, and the changes are
 * per job: a job with an error keeps its previous version, a refused file
 * keeps all of its previous jobs, runs in progress are never touched. In
 * system mode a job file must be a regular file owned by root and not
 * writable by group or others, and is never followed through a symlink
 * (cron's rule). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds.h"
#include "jobdir.h"
#include "joborder.h"
#include "log.h"
#include "sched.h"
#include "store.h"

static bool
ends_with(const char *s, const char *suffix)
{
        size_t l = strlen(s), k = strlen(suffix);
        return l >= k && strcmp(s + l - k, suffix) == 0;
}

bool
jobdir_name_wanted(const char *name)
{
        if (name[0] == '.' || ends_with(name, "~") || strstr(name, ".dpkg-") || strstr(name, ".ucf-"))
                return false;
        return ends_with(name, ".yaml") || ends_with(name, ".yml");
}

static int
cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The wanted file names of @dir, sorted. */
static int
list_dir(const char *dir, char ***ret, size_t *ret_n)
{
        DIR *dp = opendir(dir);
        struct dirent *de;
        char **names = NULL;
        size_t n = 0;

        if (!dp)
                return -errno;
        while ((de = readdir(dp))) {
                char **v;
                if (!jobdir_name_wanted(de->d_name))
                        continue;
                v = realloc(names, (n + 2) * sizeof *v);
                if (!v)
                        goto oom;
                names = v;
                if (asprintf(&names[n], "%s/%s", dir, de->d_name) < 0)
                        goto oom;
                names[++n] = NULL;
        }
        closedir(dp);
        if (n)
                qsort(names, n, sizeof *names, cmp_str);
        *ret = names;
        *ret_n = n;
        return 0;
oom:
        closedir(dp);
        strv_free(names);
        return -ENOMEM;
}

/* Makes @f a file refused with @message. */
static int
refuse(struct jobfile *f, const char *path, const char *message)
{
        jobfile_done(f);
        *f = (struct jobfile) { .refused = true, .n_errors = 1 };
        f->path = strdup(path);
        f->errors = calloc(1, sizeof *f->errors);
        if (!f->path || !f->errors)
                return -ENOMEM;
        f->errors[0].file = strdup(path);
        f->errors[0].message = strdup(message);
        return f->errors[0].file && f->errors[0].message ? 0 : -ENOMEM;
}

#define RACY_WINDOW ((int64_t) (2 * USEC_PER_SEC))

static bool
stamp_equal(const struct file_stamp *a, const struct file_stamp *b)
{
        return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mode == b->mode &&
               a->uid == b->uid && a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/* The index of @path in @files (in list_dir() order), or -1. */
static ssize_t
files_find(const struct jobfile *files, size_t n, const char *path)
{
        size_t lo = 0, hi = n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(files[mid].path, path);
                if (c == 0)
                        return (ssize_t) mid;
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return -1;
}

/* What @path was at the previous load, if it loaded cleanly (no error, no
 * job left out): only such a file may be taken as it was. A file with
 * errors is parsed again, so that they are logged again, and so that a
 * copy of a job it lost to another file can come back. */
static const struct file_stamp *
previous_stamp(const struct daemon *d, const char *path)
{
        ssize_t i = d->file_stamps ? files_find(d->files, d->n_files, path) : -1;
        const struct jobfile *f;

        if (i < 0)
                return NULL;
        f = &d->files[i];
        if (f->refused || f->n_errors > 0 || (f->failed_ids && f->failed_ids[0]) || !d->file_stamps[i].ino)
                return NULL;
        return &d->file_stamps[i];
}

/* Opens, checks and parses one job file. Always fills *f (possibly as a
 * refused file) and *stamp (zero when refused); returns -ENOMEM only.
 * When @prev is what the file was at the previous load, it is not parsed
 * again: *unchanged is set and *f holds its path only. */
static int
load_file(struct daemon *d, const char *path, const struct file_stamp *prev, struct jobfile *f,
          struct file_stamp *stamp, bool *unchanged)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *text = NULL;
        struct stat st;
        char msg[256];
        size_t len = 0;

        *f = (struct jobfile) {};
        *stamp = (struct file_stamp) {};
        *unchanged = false;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                snprintf(msg, sizeof msg, errno == ELOOP ? "refused: job files are not followed through "
                                                           "symbolic links" : "cannot open: %s",
                         strerror(errno));
                return refuse(f, path, msg);
        }
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return refuse(f, path, "refused: not a regular file");
        if (d->check_ownership) {
                if (st.st_uid != 0) {
                        snprintf(msg, sizeof msg, "refused: owned by uid %u, job files must be owned by root",
                                 (unsigned) st.st_uid);
                        return refuse(f, path, msg);
                }
                if (st.st_mode & (S_IWGRP | S_IWOTH)) {
                        snprintf(msg, sizeof msg, "refused: writable by %s (mode %04o); run chmod go-w",
                                 st.st_mode & S_IWOTH ? "others" : "its group", (unsigned) (st.st_mode & 07777));
                        return refuse(f, path, msg);
                }
        }
        if (st.st_size > JOBFILE_MAX_SIZE) {
                snprintf(msg, sizeof msg, "file is too big: %lld bytes, at most %d (1 MiB) allowed",
                         (long long) st.st_size, JOBFILE_MAX_SIZE);
                return refuse(f, path, msg);
        }
        /* The change time moves with every write, chmod and chown, and a
         * file replaced by a rename has another inode. */
        *stamp = (struct file_stamp) {
                .dev = st.st_dev, .ino = st.st_ino, .size = (uint64_t) st.st_size,
                .mode = st.st_mode, .uid = st.st_uid,
                .mtime_ns = (int64_t) st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
                .ctime_ns = (int64_t) st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec,
        };
        if (prev && stamp_equal(prev, stamp)) {
                *unchanged = true;
                f->path = strdup(path);
                return f->path ? 0 : -ENOMEM;
        }
        /* File times tick coarsely (a few ms): a write in the same tick
         * as this read, of the same size, would leave the stamp as it is.
         * A file changed that recently is not trusted by its stamp at the
         * next load (git's "racily clean" entries). */
        if (stamp->mtime_ns / 1000 + RACY_WINDOW >= (int64_t) now_realtime() ||
            stamp->ctime_ns / 1000 + RACY_WINDOW >= (int64_t) now_realtime())
                stamp->ino = 0;
        text = malloc((size_t) st.st_size + 1);
        if (!text)
                return -ENOMEM;
        while (len < (size_t) st.st_size) {
                ssize_t k = read(fd, text + len, (size_t) st.st_size - len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                len += (size_t) k;
        }
        text[len] = 0;
        return jobfile_parse(path, text, len, d->tzdb, f);
}

static bool
strv_contains(char **v, const char *s)
{
        for (; v && *v; v++)
                if (strcmp(*v, s) == 0)
                        return true;
        return false;
}

/* True if the old version of @j must stay: its file was refused or could
 * not be read, or its new definition has an error. */
static bool
keep_old_version(const struct jobfile *files, size_t n, const struct job *j)
{
        for (size_t i = 0; i < n; i++) {
                if (files[i].refused && strcmp(files[i].path, j->def->file) == 0)
                        return true;
                if (strv_contains(files[i].failed_ids, j->def->id))
                        return true;
        }
        return false;
}

static void
log_file_errors(const struct jobfile *f)
{
        for (size_t i = 0; i < f->n_errors; i++) {
                const struct conf_error *e = &f->errors[i];
                if (e->line)
                        log_error("%s:%u:%u: %s", e->file, e->line, e->column, e->message);
                else
                        log_error("%s: %s", e->file, e->message);
        }
}

static int
strv_push(char ***v, size_t *n, const char *s)
{
        char **w = realloc(*v, (*n + 2) * sizeof *w);

        if (!w)
                return -ENOMEM;
        *v = w;
        w[*n] = strdup(s);
        if (!w[*n])
                return -ENOMEM;
        w[++*n] = NULL;
        return 0;
}

void
jobdir_report_done(struct jobdir_report *r)
{
        strv_free(r->added);
        strv_free(r->changed);
        strv_free(r->removed);
        if (r->owned_files) {
                for (size_t i = 0; i < r->n_files; i++)
                        jobfile_done(&r->owned_files[i]);
                free(r->owned_files);
        }
        *r = (struct jobdir_report) {};
}

/* One load of the jobs directory: its files in list_dir() order, what
 * each was on disk, and which were found as they were last loaded (so not
 * parsed again: their jobs stand as they are). */
struct dir_load {
        struct jobfile *files;
        struct file_stamp *stamps;
        bool *unchanged;
        size_t n;
};

static void
dir_load_done(struct dir_load *l)
{
        for (size_t i = 0; l->files && i < l->n; i++)
                jobfile_done(&l->files[i]);
        free(l->files);
        free(l->stamps);
        free(l->unchanged);
        *l = (struct dir_load) {};
}

/* Whether @j is a job of a file @l did not parse again. */
static bool
dir_load_kept(const struct dir_load *l, const struct job *j)
{
        ssize_t i;

        if (j->origin != JOB_ORIGIN_FILE || !j->def->file)
                return false;
        i = files_find(l->files, l->n, j->def->file);
        return i >= 0 && l->unchanged[i];
}

/* Whether a file that was parsed defines (or fails to define) an id that
 * a job of a file taken as it was has: who wins is decided by file order
 * (jobfile_check_duplicates()), which needs both parsed. */
static bool
dir_load_conflicts(struct daemon *d, const struct dir_load *l)
{
        for (size_t f = 0; f < l->n; f++) {
                for (size_t k = 0; k < l->files[f].n_jobs; k++) {
                        struct job *j = sched_job_find(d, l->files[f].jobs[k]->id);
                        if (j && dir_load_kept(l, j))
                                return true;
                }
                for (char **s = l->files[f].failed_ids; s && *s; s++) {
                        struct job *j = sched_job_find(d, *s);
                        if (j && dir_load_kept(l, j))
                                return true;
                }
        }
        return false;
}

/* Reads and parses every job file; with @reuse, those found as they were
 * at the previous clean load are not parsed again. */
static int
load_all(struct daemon *d, bool reuse, struct dir_load *ret)
{
        _cleanup_strv_free_ char **paths = NULL;
        struct dir_load l = {};
        size_t n = 0;
        int r;

        r = list_dir(d->jobs_dir, &paths, &n);
        if (r == -ENOENT)
                log_warning("The jobs directory '%s' does not exist; no job files are loaded.", d->jobs_dir);
        else if (r < 0)
                return log_error_errno(r, "Failed to read the jobs directory '%s', keeping the jobs as they are: %m",
                                       d->jobs_dir);
        l.files = calloc(n ? n : 1, sizeof *l.files);
        l.stamps = calloc(n ? n : 1, sizeof *l.stamps);
        l.unchanged = calloc(n ? n : 1, sizeof *l.unchanged);
        if (!l.files || !l.stamps || !l.unchanged) {
                dir_load_done(&l);
                return log_oom();
        }
        for (size_t i = 0; i < n; i++) {
                l.n = i + 1;
                if (load_file(d, paths[i], reuse ? previous_stamp(d, paths[i]) : NULL, &l.files[i], &l.stamps[i],
                              &l.unchanged[i]) < 0) {
                        dir_load_done(&l);
                        return log_oom();
                }
        }
        l.n = n;
        if (reuse && dir_load_conflicts(d, &l)) {
                dir_load_done(&l);
                return load_all(d, false, ret);
        }
        if (jobfile_check_duplicates(l.files, n) < 0)
                log_oom();
        *ret = l;
        return 0;
}

/* Indexes @files' definitions by id, to their slots in files[].jobs: a
 * reload of 100,000 jobs looked each one up by walking every file, 10^10
 * comparisons. Ids are unique across files by now
 * (jobfile_check_duplicates()). */
static int
index_defs(struct jobfile *files, size_t n, struct hashmap *index)
{
        for (size_t f = 0; f < n; f++)
                for (size_t k = 0; k < files[f].n_jobs; k++)
                        if (files[f].jobs[k] && hashmap_put(index, files[f].jobs[k]->id, &files[f].jobs[k]) < 0)
                                return -ENOMEM;
        return 0;
}

/* The definition of @id in @index (index_defs()), or NULL; with @take,
 * taken out of its file and out of @index (its id, the key, goes with it). */
static struct job_def *
take_def(struct hashmap *index, const char *id, bool take)
{
        struct job_def **slot = hashmap_get(index, id);

        if (!slot || !*slot)
                return NULL;
        if (!take)
                return *slot;
        (void) hashmap_remove(index, id);
        return TAKE_PTR(*slot);
}

/* Whether the previous load left rows of jobs it could not read in the
 * store (a refused file, a job with an error): they may be stale now. */
static bool
previous_load_kept_rows(const struct daemon *d)
{
        for (size_t i = 0; i < d->n_files; i++)
                if (d->files[i].refused || (d->files[i].failed_ids && d->files[i].failed_ids[0]))
                        return true;
        return false;
}

/* Brings the file jobs in line with @files; with @check, only reports. */
static int
apply(struct daemon *d, const struct dir_load *l, usec_t now, bool check, struct jobdir_report *rep)
{
        struct jobfile *files = l->files;
        size_t n_files = l->n;
        _cleanup_free_ struct store_job *rows = NULL;
        _cleanup_free_ struct job **gone = NULL;
        struct hashmap stored = {}, index = {};
        size_t n_rows = 0, n_gone = 0, n_added = 0, n_changed = 0, n_removed = 0;
        const char *key;
        void *value;
        int r = 0;

        gone = calloc(d->jobs.n + 1, sizeof *gone);
        if (!gone || index_defs(files, n_files, &index) < 0) {
                hashmap_done(&index);
                return -ENOMEM;
        }

        /* Changed jobs, and jobs that are gone (removed after the walk,
         * which must not see the map change under it). */
        for (size_t i = 0; hashmap_next(&d->jobs, &i, &key, &value);) {
                struct job *j = value;
                struct job_def *def;

                if (j->origin != JOB_ORIGIN_FILE || dir_load_kept(l, j))
                        continue;
                def = take_def(&index, j->def->id, !check);
                if (def) {
                        if (job_def_digest(def) != job_def_digest(j->def)) {
                                r |= strv_push(&rep->changed, &n_changed, j->def->id);
                                if (!check) {
                                        sched_job_replace(d, j, def, now);
                                        def = NULL;
                                }
                        }
                        if (!check)
                                job_def_free(def);
                } else if (!keep_old_version(files, n_files, j))
                        gone[n_gone++] = j;
        }
        hashmap_done(&index);
        for (size_t i = 0; i < n_gone; i++) {
                r |= strv_push(&rep->removed, &n_removed, gone[i]->def->id);
                if (!check) {
                        log_info("Job '%s' is no longer defined, removing it.", gone[i]->def->id);
                        sched_job_remove(d, gone[i]);
                }
        }

        /* Persisted state of jobs this daemon does not have yet (start-up,
         * or a job that comes back). Every row at start-up, to find those
         * of jobs removed while schedd was away, and after a load that
         * kept rows for broken files; otherwise each new job's own. */
        bool all_rows = !check && d->store && (!d->files || previous_load_kept_rows(d));
        if (all_rows && store_load_jobs(d->store, &rows, &n_rows) >= 0)
                for (size_t i = 0; i < n_rows; i++)
                        (void) hashmap_put(&stored, rows[i].id, &rows[i]);

        /* New jobs. */
        for (size_t f = 0; f < n_files; f++)
                for (size_t k = 0; k < files[f].n_jobs; k++) {
                        struct job_def *def = files[f].jobs[k];
                        struct job *existing;
                        int k_add;

                        if (!def)
                                continue;
                        existing = sched_job_find(d, def->id);
                        if (existing && existing->origin == JOB_ORIGIN_FILE)
                                continue;       /* check mode: already handled above */
                        if (existing) {
                                /* An added job of the same id: the file loses. */
                                log_error("%s: job '%s' is already defined with schedctl add, skipping it.",
                                          def->file, def->id);
                                continue;
                        }
                        r |= strv_push(&rep->added, &n_added, def->id);
                        if (check)
                                continue;
                        files[f].jobs[k] = NULL;
                        struct store_job one = {};
                        bool got_one = !all_rows && d->store && store_get_job(d->store, def->id, &one) >= 0;
                        k_add = sched_job_add(d, def, JOB_ORIGIN_FILE, got_one ? &one : hashmap_get(&stored, def->id),
                                              now, NULL);
                        if (got_one)
                                store_job_done(&one);
                        if (k_add < 0)  /* @def is freed by now */
                                log_error_errno(k_add, "Failed to add a job of '%s': %m", files[f].path);
                }

        /* Rows of file jobs that no longer exist anywhere. */
        for (size_t i = 0; i < n_rows; i++) {
                if (rows[i].origin == STORE_ORIGIN_FILE && !sched_job_find(d, rows[i].id)) {
                        bool keep = false;
                        for (size_t f = 0; f < n_files; f++)
                                keep |= strv_contains(files[f].failed_ids, rows[i].id) || files[f].refused;
                        /* A removed job whose runs still go on: sched_job_remove()
                         * deletes it once the last one has been recorded. */
                        for (struct run *u = d->runs; u && !keep; u = u->next)
                                keep |= strcmp(u->job->def->id, rows[i].id) == 0;
                        if (!keep) {
                                sched_tx(d);
                                (void) store_delete_job(d->store, rows[i].id);
                        }
                }
                store_job_done(&rows[i]);
        }
        hashmap_done(&stored);

        rep->n_added = n_added;
        rep->n_changed = n_changed;
        rep->n_removed = n_removed;
        for (size_t f = 0; f < n_files; f++) {
                rep->errors += files[f].n_errors;
                rep->unchanged_files += l->unchanged[f];
                rep->files++;
        }
        return r < 0 ? -ENOMEM : 0;
}

int
jobdir_reload(struct daemon *d, usec_t now, struct jobdir_report *rep)
{
        struct dir_load l = {};
        bool first = !d->files;
        int r;

        *rep = (struct jobdir_report) {};
        /* At start-up nothing was loaded before; after it, only the files
         * that changed are parsed: a reload of 100,000 jobs spent two
         * seconds, the loop blocked, parsing files nobody had touched. */
        r = load_all(d, true, &l);
        if (r < 0)
                return r;
        creds_cache_clear(d);
        r = apply(d, &l, now, false, rep);
        for (size_t f = 0; f < l.n; f++)
                log_file_errors(&l.files[f]);
        for (size_t i = 0; i < d->n_files; i++)
                jobfile_done(&d->files[i]);
        free(d->files);
        free(d->file_stamps);
        free(l.unchanged);
        d->files = l.files;
        d->file_stamps = l.stamps;
        d->n_files = l.n;
        rep->shown_files = d->files;
        rep->n_files = l.n;
        /* The first List after a reload that changed many jobs would
         * otherwise sort them all, with the loop held. (At start-up,
         * main() does it once it is ready.) */
        if (!first)
                joborder_prepare(d);
        /* Parsing a large job file builds a YAML document many times the
         * size of the jobs it yields; give that memory back to the system. */
        (void) malloc_trim(0);
        return r;
}

int
jobdir_check(struct daemon *d, struct jobdir_report *rep)
{
        struct dir_load l = {};
        int r;

        *rep = (struct jobdir_report) {};
        r = load_all(d, true, &l);
        if (r < 0)
                return r;
        r = apply(d, &l, now_realtime(), true, rep);
        rep->owned_files = l.files;
        rep->shown_files = l.files;
        rep->n_files = l.n;
        free(l.stamps);
        free(l.unchanged);
        return r;
}
