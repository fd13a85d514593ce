/* jobfile.c - job files (SPEC section 2): YAML text -> struct job_def.
 *
 * The file is loaded with libyaml's document API, so every node keeps the
 * mark where it starts and errors can say FILE:LINE:COLUMN. Three kinds of
 * trouble, three outcomes:
 *  - the file as a whole is wrong (not YAML, several documents, a top
 *    level that is not a mapping of defaults and jobs, too big, nested
 *    too deep, too many nodes after expanding aliases): refused whole,
 *    with one error;
 *  - a key of defaults is wrong: every job of the file is left out (each
 *    would run with a setting the admin did not ask for), but each job is
 *    still checked so that all errors are reported at once;
 *  - a job is wrong: that job is left out and its id listed in failed_ids.
 *
 * An empty file, a file of comments, "jobs:" with no value and "jobs: {}"
 * are all valid and define no jobs, like an empty crontab. Errors are
 * returned sorted by position. This file holds the top level, reading a
 * file, and the check for ids defined twice; jobfile-job.c reads a job,
 * jobfile-schedule.c its schedule. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobfile-internal.h"
#include "rcstr.h"

static const char *const overlap_names[_OVERLAP_MAX] = {
        [OVERLAP_SKIP] = "skip",
        [OVERLAP_QUEUE] = "queue",
        [OVERLAP_REPLACE] = "replace",
};

static const char *const output_names[_OUTPUT_MAX] = {
        [OUTPUT_JOURNAL] = "journal",
        [OUTPUT_DISCARD] = "discard",
        [OUTPUT_FILE] = "file",
};

const char *
overlap_policy_to_string(enum overlap_policy p)
{
        return (unsigned) p < _OVERLAP_MAX ? overlap_names[p] : NULL;
}

int
overlap_policy_from_string(const char *s)
{
        for (int i = 0; s && i < _OVERLAP_MAX; i++)
                if (strcmp(s, overlap_names[i]) == 0)
                        return i;
        return -EINVAL;
}

const char *
output_kind_to_string(enum output_kind k)
{
        return (unsigned) k < _OUTPUT_MAX ? output_names[k] : NULL;
}

bool
job_id_valid(const char *id)
{
        size_t n;

        if (!id)
                return false;
        n = strlen(id);
        if (n == 0 || n > JOB_ID_MAX)
                return false;
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", id[0]))
                return false;
        return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                          "_.@-") == n;
}

void
jf_command_done(struct job_command *c)
{
        free(c->argv);          /* one block, strings included: job_command_set() */
        *c = (struct job_command) {};
}

int
job_command_set(struct job_command *c, const char *const *argv, bool shell)
{
        size_t n = 0, size;
        char **v, *p;

        for (size = 0; argv[n]; n++)
                size += strlen(argv[n]) + 1;
        v = malloc((n + 1) * sizeof *v + size);
        if (!v)
                return -ENOMEM;
        p = (char *) (v + n + 1);
        for (size_t i = 0; i < n; i++) {
                size_t len = strlen(argv[i]) + 1;
                v[i] = memcpy(p, argv[i], len);
                p += len;
        }
        v[n] = NULL;
        jf_command_done(c);
        c->argv = v;
        c->shell = shell;
        return 0;
}

const struct job_def_extra job_def_extra_default = {
        .timeout = USEC_INFINITY,
        .kill_grace = 10 * USEC_PER_SEC,
        .retry = { .delay = 10 * USEC_PER_SEC, .backoff = 2, .max_delay = USEC_INFINITY },
};

static void
extra_free(struct job_def_extra *x)
{
        if (!x || x == &job_def_extra_default || --x->refs > 0)
                return;
        free(x->description);
        free(x->timezone);
        free(x->user);
        free(x->group);
        free(x->directory);
        strv_free(x->environment);
        free(x->output_file);
        jf_command_done(&x->on_failure);
        free(x);
}

void
job_def_extra_release(const struct job_def_extra *x)
{
        extra_free((struct job_def_extra *) x);
}

static bool
strv_same(char *const *a, char *const *b)
{
        if (!a || !b)
                return a == b;
        for (; *a && *b; a++, b++)
                if (strcmp(*a, *b) != 0)
                        return false;
        return !*a && !*b;
}

static bool
extra_same(const struct job_def_extra *x, const struct job_def_extra *y)
{
        return streq_ptr(x->description, y->description) && streq_ptr(x->timezone, y->timezone) &&
               streq_ptr(x->user, y->user) && streq_ptr(x->group, y->group) &&
               streq_ptr(x->directory, y->directory) && strv_same(x->environment, y->environment) &&
               streq_ptr(x->output_file, y->output_file) && strv_same(x->on_failure.argv, y->on_failure.argv) &&
               x->on_failure.shell == y->on_failure.shell && x->timeout == y->timeout &&
               x->kill_grace == y->kill_grace && x->retry.attempts == y->retry.attempts &&
               x->retry.delay == y->retry.delay && x->retry.backoff == y->retry.backoff &&
               x->retry.max_delay == y->retry.max_delay && x->no_new_privileges == y->no_new_privileges;
}

void
job_def_extra_share(struct job_def *d, const struct job_def_extra **last)
{
        struct job_def_extra *x = (struct job_def_extra *) d->extra;

        if (x == &job_def_extra_default || x == *last)
                return;
        if (*last && extra_same(x, *last)) {
                extra_free(x);
                d->extra = *last;
                ((struct job_def_extra *) *last)->refs++;
                return;
        }
        job_def_extra_release(*last);
        x->refs++;
        *last = x;
}

struct job_def_extra *
job_def_extra_mut(struct job_def *d)
{
        struct job_def_extra *x;

        if (d->extra != &job_def_extra_default) {
                /* Extras are shared only once a definition is complete
                 * (job_def_extra_share()), and never written after. */
                assert(d->extra->refs == 1);
                return (struct job_def_extra *) d->extra;       /* owned */
        }
        x = malloc(sizeof *x);
        if (!x)
                return NULL;
        *x = job_def_extra_default;     /* no strings to copy: the default has none */
        x->refs = 1;
        d->extra = x;
        return x;
}

void
job_def_extra_compact(struct job_def *d)
{
        const struct job_def_extra *x = d->extra, *z = &job_def_extra_default;

        if (x == z || !extra_same(x, z))
                return;
        extra_free((struct job_def_extra *) x);
        d->extra = z;
}

static size_t
align8(size_t n)
{
        return (n + 7) & ~(size_t) 7;
}

int
job_def_pack(struct job_def **d)
{
        struct job_def *old = *d, *p;
        size_t id_len = old->id ? strlen(old->id) + 1 : 0, n_argv = 0, strings = 0;
        size_t text_len = old->schedule_text ? strlen(old->schedule_text) + 1 : 0;
        size_t vec_at = align8(sizeof *old + id_len), size;
        char **v, *at;

        if (old->packed)
                return 0;
        for (char **a = old->command.argv; a && *a; a++, n_argv++)
                strings += strlen(*a) + 1;
        /* Layout: the struct, the id (in id_buf), padding, the argv vector,
         * its strings, the schedule text. */
        size = vec_at + (old->command.argv ? (n_argv + 1) * sizeof(char *) : 0) + strings + text_len;
        p = malloc(size);
        if (!p)
                return -ENOMEM;
        memcpy(p, old, sizeof *old + id_len);
        if (old->id)
                p->id = p->id_buf;
        at = (char *) p + vec_at;
        if (old->command.argv) {
                v = (char **) at;
                at = (char *) (v + n_argv + 1);
                for (size_t i = 0; i < n_argv; i++) {
                        size_t len = strlen(old->command.argv[i]) + 1;
                        v[i] = memcpy(at, old->command.argv[i], len);
                        at += len;
                }
                v[n_argv] = NULL;
                p->command.argv = v;
        }
        if (old->schedule_text)
                p->schedule_text = memcpy(at, old->schedule_text, text_len);
        p->packed = true;

        /* What moved is freed; what p took over (file, trigger, extra) is not. */
        jf_command_done(&old->command);
        free(old->schedule_text);
        free(old);
        *d = p;
        return 0;
}

struct job_def *
job_def_free(struct job_def *d)
{
        if (!d)
                return NULL;
        rcstr_unref(d->file);
        if (!d->packed) {
                jf_command_done(&d->command);
                free(d->schedule_text);
        }
        trigger_done(&d->trigger);
        extra_free((struct job_def_extra *) d->extra);
        free(d);
        return NULL;
}

void
conf_error_done(struct conf_error *e)
{
        if (!e)
                return;
        free(e->file);
        free(e->message);
        *e = (struct conf_error) {};
}

void
jobfile_done(struct jobfile *f)
{
        if (!f)
                return;
        free(f->path);
        for (size_t i = 0; i < f->n_jobs; i++)
                job_def_free(f->jobs[i]);
        free(f->jobs);
        strv_free(f->failed_ids);
        for (size_t i = 0; i < f->n_errors; i++)
                conf_error_done(&f->errors[i]);
        free(f->errors);
        *f = (struct jobfile) {};
}

/* --- errors ---------------------------------------------------------------- */

static bool
error_before(const struct conf_error *a, const struct conf_error *b)
{
        return a->line < b->line || (a->line == b->line && a->column < b->column);
}

/* A stable merge sort by position: errors found in one pass come out in
 * the order they were found when they share a position. */
static int
errors_sort(struct conf_error *e, size_t n)
{
        _cleanup_free_ struct conf_error *tmp = NULL;

        if (n < 2)
                return 0;
        tmp = calloc(n, sizeof *tmp);
        if (!tmp)
                return -ENOMEM;
        for (size_t w = 1; w < n; w *= 2) {
                for (size_t lo = 0; lo < n; lo += 2 * w) {
                        size_t mid = MIN(lo + w, n), hi = MIN(lo + 2 * w, n);
                        size_t i = lo, j = mid, k = lo;

                        while (i < mid && j < hi)
                                tmp[k++] = error_before(&e[j], &e[i]) ? e[j++] : e[i++];
                        while (i < mid)
                                tmp[k++] = e[i++];
                        while (j < hi)
                                tmp[k++] = e[j++];
                }
                memcpy(e, tmp, n * sizeof *e);
        }
        return 0;
}

static void
errors_free(struct conf_error *e, size_t n)
{
        for (size_t i = 0; i < n; i++)
                conf_error_done(&e[i]);
        free(e);
}

void
jobfile_drop_jobs(struct jobfile *f)
{
        for (size_t i = 0; i < f->n_jobs; i++)
                job_def_free(f->jobs[i]);
        f->jobs = mfree(f->jobs);
        f->n_jobs = 0;
}

/* Drops everything found so far: the file is about to be refused with
 * one error, which the caller records next. */
static void
refuse(struct jf_ctx *c, struct jobfile *f)
{
        jobfile_drop_jobs(f);
        strv_free(f->failed_ids);
        f->failed_ids = NULL;
        errors_free(c->errors, c->n_errors);
        c->errors = NULL;
        c->n_errors = c->n_alloc = 0;
        c->quiet = false;
        f->refused = true;
}

static int
push_job(struct jobfile *f, struct job_def *d)
{
        struct job_def **a = reallocarray(f->jobs, f->n_jobs + 1, sizeof *a);

        if (!a)
                return -ENOMEM;
        f->jobs = a;
        f->jobs[f->n_jobs++] = d;
        return 0;
}

static int
push_failed(struct jobfile *f, const char *id)
{
        size_t n = 0;
        char **a;

        while (f->failed_ids && f->failed_ids[n])
                n++;
        a = reallocarray(f->failed_ids, n + 2, sizeof *a);
        if (!a)
                return -ENOMEM;
        f->failed_ids = a;
        a[n + 1] = NULL;
        a[n] = strdup(id);
        return a[n] ? 0 : -ENOMEM;
}

static const char *const top_keys[] = { "defaults", "jobs", NULL };

/* The jobs: mapping, job by job. */
static int
parse_jobs(struct jf_ctx *c, struct jobfile *f, const yaml_node_t *defaults, bool defaults_ok,
           const yaml_node_t *jobs)
{
        _cleanup_free_ size_t *firsts = NULL;
        size_t n = jobs->data.mapping.pairs.top - jobs->data.mapping.pairs.start;
        char got[64];
        int r;

        if (jf_mapping_firsts(jobs, c->doc, &firsts) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                yaml_node_pair_t *p = &jobs->data.mapping.pairs.start[i];
                yaml_node_t *k = jf_node(c, p->key), *v = jf_node(c, p->value);
                struct job_def *d = NULL;

                if (!jf_step(c))
                        return 0;
                if (k->type != YAML_SCALAR_NODE || !*jf_text(k)) {
                        r = jf_error(c, k, "jobs", "expected a job id, got %s",
                                     jf_describe(k, got, sizeof got));
                        if (r == -ENOMEM)
                                return r;
                        continue;
                }
                if (firsts[i] != i) {
                        yaml_node_t *first =
                                jf_node(c, jobs->data.mapping.pairs.start[firsts[i]].key);
                        r = jf_error(c, k, "jobs",
                                     "duplicate job id '%s' (first defined at %s:%zu:%zu)",
                                     jf_text(k), c->path, first->start_mark.line + 1,
                                     first->start_mark.column + 1);
                        if (r == -ENOMEM)
                                return r;
                        continue;
                }
                r = jf_parse_job(c, defaults, k, v, &d);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0 && defaults_ok) {
                        if (push_job(f, d) < 0) {
                                job_def_free(d);
                                return -ENOMEM;
                        }
                        continue;
                }
                job_def_free(d);
                /* An invalid id cannot name a loaded job, so it is not listed. */
                if (job_id_valid(jf_text(k)) && push_failed(f, jf_text(k)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* The document's top level: a mapping of defaults and jobs. */
static int
parse_root(struct jf_ctx *c, struct jobfile *f, const yaml_node_t *root)
{
        const yaml_node_t *defaults = NULL, *defaults_key = NULL, *jobs = NULL;
        char got[64];
        bool defaults_ok;
        int r;

        if (jf_is_null(root))
                return 0;       /* "~" alone: as empty */
        r = jf_check_mapping(c, NULL, root, NULL, "a mapping with the keys defaults and jobs",
                             top_keys, NULL);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                /* Keep the first problem only: the file is refused whole. */
                struct conf_error first = c->errors[0];
                c->errors[0] = (struct conf_error) {};
                errors_free(c->errors, c->n_errors);
                c->errors = NULL;
                c->n_errors = c->n_alloc = 0;
                refuse(c, f);
                c->errors = calloc(1, sizeof *c->errors);
                if (!c->errors) {
                        conf_error_done(&first);
                        return -ENOMEM;
                }
                c->errors[0] = first;
                c->n_errors = c->n_alloc = 1;
                return 0;
        }

        for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
             p < root->data.mapping.pairs.top; p++) {
                yaml_node_t *k = jf_node(c, p->key), *v = jf_node(c, p->value);

                if (strcmp(jf_text(k), "defaults") == 0 && !jf_is_null(v)) {
                        defaults_key = k;
                        defaults = v;
                } else if (strcmp(jf_text(k), "jobs") == 0 && !jf_is_null(v))
                        jobs = v;
        }
        if (defaults && defaults->type != YAML_MAPPING_NODE) {
                refuse(c, f);
                return jf_error(c, defaults, "defaults", "expected a mapping of job keys, got %s",
                                jf_describe(defaults, got, sizeof got)) == -ENOMEM ? -ENOMEM : 0;
        }
        if (jobs && jobs->type != YAML_MAPPING_NODE) {
                refuse(c, f);
                return jf_error(c, jobs, "jobs", "expected a mapping of job ids to jobs, got %s",
                                jf_describe(jobs, got, sizeof got)) == -ENOMEM ? -ENOMEM : 0;
        }

        defaults_ok = true;
        if (defaults) {
                r = jf_parse_defaults(c, defaults_key, defaults);
                if (r == -ENOMEM)
                        return r;
                defaults_ok = r >= 0;
        }
        if (jobs)
                return parse_jobs(c, f, defaults, defaults_ok, jobs);
        return 0;
}

static int
parse_text(struct jf_ctx *c, struct jobfile *f, const char *text, size_t len)
{
        yaml_document_t doc;
        yaml_node_t *root;
        int r;

        r = jf_load_document(c, text, len, &doc);
        if (r <= 0) {
                /* Refused before anything else was found: the one error
                 * is already recorded, so refuse() (which drops errors)
                 * is not called. */
                f->refused = r == 0;
                return r;
        }

        root = yaml_document_get_root_node(&doc);
        if (!root) {
                /* An empty stream: no jobs. */
                yaml_document_delete(&doc);
                return 0;
        }

        c->doc = &doc;
        r = parse_root(c, f, root);
        c->doc = NULL;
        if (r >= 0 && c->steps > JF_MAX_STEPS) {
                refuse(c, f);
                r = jf_error_steps(c);
        }
        yaml_document_delete(&doc);
        return r == -ENOMEM ? r : 0;
}

static int
refuse_too_big(struct jf_ctx *c, struct jobfile *f, const char *size)
{
        refuse(c, f);
        return jf_error_too_big(c, size, JOBFILE_MAX_SIZE);
}

/* Finishes a parse: on success moves the result into *ret. */
static int
finish(struct jf_ctx *c, struct jobfile *f, int r, struct jobfile *ret)
{
        c->shared_path = rcstr_unref(c->shared_path);   /* the jobs hold their own references */
        job_def_extra_release(c->last_extra);
        c->last_extra = NULL;
        if (r >= 0 && c->oom)
                r = -ENOMEM;
        if (r >= 0)
                r = errors_sort(c->errors, c->n_errors);
        if (r < 0) {
                errors_free(c->errors, c->n_errors);
                jobfile_done(f);
                return r;
        }
        f->errors = TAKE_PTR(c->errors);
        f->n_errors = c->n_errors;
        *ret = *f;
        return 0;
}

int
jobfile_parse(const char *path, const char *text, size_t len, struct tz_db *db,
              struct jobfile *ret)
{
        struct jobfile f = {};
        struct jf_ctx c = { .path = path, .what = "a job file", .db = db };
        char size[32];
        int r;

        f.path = strdup(path);
        if (!f.path)
                return -ENOMEM;
        if (len > JOBFILE_MAX_SIZE) {
                (void) snprintf(size, sizeof size, "%zu", len);
                r = refuse_too_big(&c, &f, size);
        } else
                r = parse_text(&c, &f, text, len);
        return finish(&c, &f, r == -ENOMEM ? r : 0, ret);
}

int
jobfile_load(const char *path, struct tz_db *db, struct jobfile *ret)
{
        _cleanup_free_ char *buf = NULL;
        char size[32];
        size_t n;
        int r;

        r = jf_read_file(path, JOBFILE_MAX_SIZE, &buf, &n, size);
        if (r == -EFBIG) {
                struct jobfile f = {};
                struct jf_ctx c = { .path = path, .what = "a job file", .db = db };

                f.path = strdup(path);
                if (!f.path)
                        return -ENOMEM;
                r = refuse_too_big(&c, &f, size);
                return finish(&c, &f, r == -ENOMEM ? r : 0, ret);
        }
        if (r < 0)
                return r;
        return jobfile_parse(path, buf, n, db, ret);
}

/* --- ids across files ------------------------------------------------------ */

struct def_ref {
        const char *id;
        size_t file;
        size_t order;           /* within the file: jobs first, then failed ids */
        bool failed;
};

static int
def_ref_cmp(const void *a, const void *b)
{
        const struct def_ref *x = a, *y = b;
        int r = strcmp(x->id, y->id);

        if (r != 0)
                return r;
        if (x->file != y->file)
                return x->file < y->file ? -1 : 1;
        return x->order < y->order ? -1 : x->order > y->order;
}

static int
add_error(struct jobfile *f, const struct job_def *d, char *message)
{
        struct conf_error *a = reallocarray(f->errors, f->n_errors + 1, sizeof *a);
        char *file;

        if (!a) {
                free(message);
                return -ENOMEM;
        }
        f->errors = a;
        file = strdup(d->file);
        if (!file) {
                free(message);
                return -ENOMEM;
        }
        f->errors[f->n_errors++] = (struct conf_error) {
                .file = file, .line = d->line, .column = d->column, .message = message,
        };
        return 0;
}

int
jobfile_check_duplicates(struct jobfile *files, size_t n_files)
{
        _cleanup_free_ struct def_ref *refs = NULL;
        _cleanup_free_ bool *changed = NULL, *drop = NULL;
        size_t n = 0, k = 0;

        for (size_t i = 0; i < n_files; i++) {
                n += files[i].n_jobs;
                for (char **s = files[i].failed_ids; s && *s; s++)
                        n++;
        }
        refs = calloc(n ? n : 1, sizeof *refs);
        changed = calloc(n_files ? n_files : 1, sizeof *changed);
        drop = calloc(n ? n : 1, sizeof *drop);
        if (!refs || !changed || !drop)
                return -ENOMEM;
        for (size_t i = 0; i < n_files; i++) {
                size_t o = 0;
                for (size_t j = 0; j < files[i].n_jobs; j++, o++)
                        refs[k++] = (struct def_ref) { files[i].jobs[j]->id, i, o, false };
                for (char **s = files[i].failed_ids; s && *s; s++, o++)
                        refs[k++] = (struct def_ref) { *s, i, o, true };
        }
        qsort(refs, n, sizeof *refs, def_ref_cmp);

        /* The first definition of an id wins, even one that failed to
         * load: otherwise fixing nothing in a.yaml and adding a copy to
         * b.yaml would quietly move the job. Later loaded copies are
         * removed (jobs[] entries set to NULL, compacted below). */
        for (size_t i = 0; i < n;) {
                const struct def_ref *w = &refs[i];
                size_t j = i + 1;

                for (; j < n && strcmp(refs[j].id, w->id) == 0; j++) {
                        struct jobfile *f = &files[refs[j].file];
                        struct job_def *d;
                        char *msg;
                        int q;

                        if (refs[j].failed)
                                continue;
                        d = f->jobs[refs[j].order];
                        if (!w->failed) {
                                const struct job_def *first = files[w->file].jobs[w->order];
                                q = asprintf(&msg, "jobs: duplicate job id '%s' "
                                             "(first defined at %s:%u:%u)",
                                             d->id, first->file, first->line, first->column);
                        } else
                                q = asprintf(&msg, "jobs: duplicate job id '%s' "
                                             "(first defined in %s, "
                                             "not loaded because of errors there)",
                                             d->id, files[w->file].path);
                        if (q < 0)
                                return -ENOMEM;
                        if (add_error(f, d, msg) < 0)
                                return -ENOMEM;
                        changed[refs[j].file] = true;
                        drop[j] = true;
                }
                i = j;
        }

        /* Free the dropped jobs only now: refs point into them. */
        for (size_t i = 0; i < n; i++)
                if (drop[i]) {
                        struct jobfile *f = &files[refs[i].file];
                        f->jobs[refs[i].order] = job_def_free(f->jobs[refs[i].order]);
                }
        for (size_t i = 0; i < n_files; i++) {
                size_t w = 0;
                if (!changed[i])
                        continue;
                for (size_t j = 0; j < files[i].n_jobs; j++)
                        if (files[i].jobs[j])
                                files[i].jobs[w++] = files[i].jobs[j];
                files[i].n_jobs = w;
                if (errors_sort(files[i].errors, files[i].n_errors) < 0)
                        return -ENOMEM;
        }
        return 0;
}
