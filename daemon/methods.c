/* methods.c - the io.schedd methods (lib/proto.h holds their contract).
 *
 * A table maps each method to its handler, like smtpctl's command table;
 * the handlers are thin: they check rights and parameters, ask sched.c or
 * the store, and build the reply. None waits: Run with wait and Watch
 * return at once and are answered later by methods_run_event() and
 * methods_broadcast(). Rights come from the peer's credentials, per call:
 * root and the daemon's own user may do everything; another user sees and
 * controls only the jobs that run as that user (SPEC 6). Every call that
 * changes something is logged with the caller's uid and pid. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "joborder.h"
#include "jsonw.h"
#include "jobdir.h"
#include "log.h"
#include "loop.h"
#include "methods.h"
#include "proto.h"
#include "sched.h"
#include "store.h"

#define API_JOBS_PER_USER 1000  /* jobs a non-root user may add */

/* --- JSON building ------------------------------------------------------- */

static json_t *
time_json(usec_t t, const struct tz_zone *z)
{
        char buf[64];

        if (t == USEC_UNSET || t == USEC_INFINITY)
                return json_null();
        return json_string(time_format_rfc3339(t, tz_offset_at(z, t / USEC_PER_SEC), buf, sizeof buf));
}

static json_t *
usec_json(usec_t t)
{
        return t == USEC_UNSET || t == USEC_INFINITY ? json_null() : json_integer(t);
}

static json_t *
str_json(const char *s)
{
        return s ? json_string(s) : json_null();
}

static json_t *
duration_json(usec_t d)
{
        char buf[32];

        if (d == USEC_INFINITY)
                return json_null();
        return json_string(duration_format(d, buf, sizeof buf));
}

/* Output bytes as a JSON string, invalid UTF-8 replaced by U+FFFD. */
static json_t *
output_json(const uint8_t *p, size_t n)
{
        _cleanup_free_ char *s = malloc(n * 3 + 1);
        size_t o = 0;

        if (!s)
                return NULL;
        for (size_t i = 0; i < n;) {
                unsigned char c = p[i];
                size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
                bool ok = len > 0 && i + len <= n && c != 0;
                for (size_t k = 1; ok && k < len; k++)
                        ok = (p[i + k] & 0xc0) == 0x80;
                if (ok && len > 1) {
                        /* Overlong or surrogate forms are not UTF-8 either. */
                        uint32_t cp = len == 2 ? (uint32_t) (c & 0x1f) : len == 3 ? (uint32_t) (c & 0x0f) : (uint32_t) (c & 0x07);
                        for (size_t k = 1; k < len; k++)
                                cp = (cp << 6) | (p[i + k] & 0x3f);
                        ok = !(len == 2 && cp < 0x80) && !(len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) &&
                             !(len == 4 && (cp < 0x10000 || cp > 0x10ffff));
                }
                if (ok) {
                        memcpy(s + o, p + i, len);
                        o += len;
                        i += len;
                } else {
                        memcpy(s + o, "\xef\xbf\xbd", 3);
                        o += 3;
                        i++;
                }
        }
        s[o] = 0;
        return json_stringn(s, o);
}

static const struct tz_zone *
zone_of(struct daemon *d, const char *job_id)
{
        struct job *j = job_id ? sched_job_find(d, job_id) : NULL;
        return j ? j->def->trigger.zone : tz_utc();
}

json_t *
methods_run_json(struct daemon *d, const struct store_run *r)
{
        const struct tz_zone *z = zone_of(d, r->job_id);
        const char *sig = r->signal > 0 ? sigabbrev_np(r->signal) : NULL;
        char signame[32];
        json_t *o;

        if (sig)
                snprintf(signame, sizeof signame, "SIG%s", sig);
        o = json_object();
        if (!o)
                return NULL;
        json_object_set_new(o, "id", json_integer(r->id));
        json_object_set_new(o, "job", str_json(r->job_id));
        json_object_set_new(o, "reason", json_string(run_reason_to_string(r->reason)));
        json_object_set_new(o, "state", json_string(run_state_to_string(r->state)));
        json_object_set_new(o, "attempt", json_integer(r->attempt));
        json_object_set_new(o, "count", json_integer(r->count));
        json_object_set_new(o, "scheduled", time_json(r->scheduled, z));
        json_object_set_new(o, "scheduled_usec", usec_json(r->scheduled));
        json_object_set_new(o, "start", time_json(r->start, z));
        json_object_set_new(o, "start_usec", usec_json(r->start));
        json_object_set_new(o, "end", time_json(r->end, z));
        json_object_set_new(o, "end_usec", usec_json(r->end));
        json_object_set_new(o, "pid", r->pid > 0 ? json_integer(r->pid) : json_null());
        json_object_set_new(o, "exit_status", r->exit_status >= 0 ? json_integer(r->exit_status) : json_null());
        json_object_set_new(o, "signal", sig ? json_string(signame) : json_null());
        json_object_set_new(o, "timed_out", json_boolean(r->timed_out));
        json_object_set_new(o, "failed_step", str_json(r->failed_step));
        json_object_set_new(o, "cause", str_json(r->cause));
        json_object_set_new(o, "user_cpu_usec", run_state_is_final(r->state) && r->start != USEC_UNSET ? json_integer(r->utime) : json_null());
        json_object_set_new(o, "system_cpu_usec", run_state_is_final(r->state) && r->start != USEC_UNSET ? json_integer(r->stime) : json_null());
        json_object_set_new(o, "peak_memory_kib", r->maxrss_kib ? json_integer((json_int_t) r->maxrss_kib) : json_null());
        json_object_set_new(o, "output_bytes", json_integer((json_int_t) r->output_bytes));
        return o;
}

static const char *
job_state(const struct job *j)
{
        return j->finished ? "finished" : j->paused ? "paused" : "active";
}

static void
time_write(struct jsonw *w, usec_t t, const struct tz_zone *z)
{
        char buf[64];

        if (t == USEC_UNSET || t == USEC_INFINITY)
                jsonw_null(w);
        else
                jsonw_string(w, time_format_rfc3339(t, tz_offset_at(z, t / USEC_PER_SEC), buf, sizeof buf));
}

static void
usec_write(struct jsonw *w, usec_t t)
{
        if (t == USEC_UNSET || t == USEC_INFINITY)
                jsonw_null(w);
        else
                jsonw_int(w, (int64_t) t);
}

/* A JobSummary, written as text: List writes 100,000 of them (jsonw.h). */
static void
summary_write(struct jsonw *w, const struct job *j)
{
        const struct tz_zone *z = j->def->trigger.zone;
        const char *origin = j->origin == JOB_ORIGIN_FILE ? "file" : j->origin == JOB_ORIGIN_API ? "api" : "transient";
        usec_t next = j->heap_index != HEAP_NONE ? j->next_firing : USEC_UNSET;
        bool last = j->last_run_id != 0;

        jsonw_object_begin(w);
        jsonw_key_lit(w, "id");
        jsonw_string(w, j->def->id);
        jsonw_key_lit(w, "schedule");
        jsonw_string(w, j->def->schedule_text);
        jsonw_key_lit(w, "timezone");
        jsonw_string(w, tz_zone_name(z));
        jsonw_key_lit(w, "user");
        jsonw_string(w, j->creds ? j->creds->user : j->def->extra->user);
        jsonw_key_lit(w, "origin");
        jsonw_string(w, origin);
        jsonw_key_lit(w, "state");
        jsonw_string(w, job_state(j));
        jsonw_key_lit(w, "running");
        jsonw_int(w, j->running);
        jsonw_key_lit(w, "next");
        time_write(w, next, z);
        jsonw_key_lit(w, "next_usec");
        usec_write(w, next);
        jsonw_key_lit(w, "last_state");
        jsonw_string(w, last ? run_state_to_string(j->last_run_state) : NULL);
        jsonw_key_lit(w, "last_end");
        time_write(w, last ? j->last_run_end : USEC_UNSET, z);
        jsonw_key_lit(w, "last_end_usec");
        usec_write(w, last ? j->last_run_end : USEC_UNSET);
        jsonw_object_end(w);
}

/* The same as a jansson object, for replies that embed one. */
static json_t *
summary_json(const struct job *j)
{
        struct jsonw w = {};
        _cleanup_free_ char *text = NULL;
        size_t n = 0;

        summary_write(&w, j);
        text = jsonw_steal(&w, &n);
        return text ? json_loadb(text, n, 0, NULL) : NULL;
}

static json_t *
file_errors_json(const struct jobfile *files, size_t n)
{
        json_t *a = json_array();

        for (size_t i = 0; a && i < n; i++)
                for (size_t k = 0; k < files[i].n_errors; k++) {
                        const struct conf_error *e = &files[i].errors[k];
                        json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:s}", "file", e->file,
                                                           "line", e->line ? json_integer(e->line) : json_null(),
                                                           "column", e->line ? json_integer(e->column) : json_null(),
                                                           "message", e->message));
                }
        return a;
}

/* --- rights and parameters ----------------------------------------------- */

static bool
may_see(const struct client *c, const struct job *j)
{
        return c->privileged || (!j->creds_error && j->creds && j->creds->uid == c->uid);
}

struct call {
        struct daemon *d;
        struct client *c;
        struct varlink_call *v;
        json_t *reply;          /* parameters of the reply, or NULL */
        char *reply_text;       /* or the whole reply message as JSON text (jsonw.h), or NULL */
        size_t reply_text_len;
        json_t *error;          /* a complete error message, or NULL */
};

static int
fail(struct call *k, const char *name, json_t *params)
{
        k->error = varlink_error(name, params ? params : json_object());
        return -1;
}

static int
bad_param(struct call *k, const char *name)
{
        k->error = varlink_error_invalid_parameter(name);
        return -1;
}

static const char *
param_str(struct call *k, const char *name, bool required, int *r)
{
        json_t *v = json_object_get(k->v->parameters, name);

        if (!v || json_is_null(v)) {
                if (required)
                        *r = bad_param(k, name);
                return NULL;
        }
        if (!json_is_string(v)) {
                *r = bad_param(k, name);
                return NULL;
        }
        return json_string_value(v);
}

static bool
param_bool(struct call *k, const char *name, int *r)
{
        json_t *v = json_object_get(k->v->parameters, name);

        if (!v || json_is_null(v))
                return false;
        if (!json_is_boolean(v)) {
                *r = bad_param(k, name);
                return false;
        }
        return json_is_true(v);
}

static long long
param_int(struct call *k, const char *name, long long dflt, long long min, long long max, int *r)
{
        json_t *v = json_object_get(k->v->parameters, name);

        if (!v || json_is_null(v))
                return dflt;
        if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
                *r = bad_param(k, name);
                return dflt;
        }
        return json_integer_value(v);
}

/* The job named by parameter @name, if the caller may see it. */
static struct job *
param_job(struct call *k, const char *name, int *r)
{
        const char *id = param_str(k, name, true, r);
        struct job *j;

        if (!id)
                return NULL;
        j = sched_job_find(k->d, id);
        if (!j || !may_see(k->c, j)) {
                /* Another user's job does not exist, as far as this caller knows. */
                *r = fail(k, PROTO_E_NO_SUCH_JOB, json_pack("{s:s}", "id", id));
                return NULL;
        }
        return j;
}

static void
log_change(struct call *k, const char *what)
{
        log_info("Control: %s by uid %u (pid %d).", what, (unsigned) k->c->uid, (int) k->c->pid);
}

/* --- the methods ----------------------------------------------------------- */

static int
m_status(struct call *k)
{
        struct daemon *d = k->d;
        const struct heap_entry *top = NULL;
        unsigned jobs = 0, paused = 0, running = 0;
        const char *key;
        void *value;
        json_t *next = json_null();

        if (k->c->privileged) {
                /* Counters: Status stays cheap however many jobs there are. */
                jobs = d->jobs.n;
                paused = d->n_paused;
                running = d->active;
        } else
                for (size_t i = 0; hashmap_next(&d->jobs, &i, &key, &value);) {
                        struct job *j = value;
                        if (!may_see(k->c, j))
                                continue;
                        jobs++;
                        paused += j->paused;
                        running += j->running;
                }
        /* The next firing the caller may see. */
        if (k->c->privileged)
                top = heap_top(&d->timers);
        else
                for (size_t i = 0; i < d->timers.n; i++) {
                        struct job *j = d->timers.v[i].item;
                        if (may_see(k->c, j) && (!top || d->timers.v[i].key < top->key))
                                top = &d->timers.v[i];
                }
        if (top) {
                struct job *j = top->item;
                json_decref(next);
                next = json_pack("{s:s, s:o, s:I}", "job", j->def->id, "time", time_json(j->next_firing, j->def->trigger.zone),
                                 "time_usec", (json_int_t) j->next_firing);
        }
        k->reply = json_pack("{s:s, s:s, s:I, s:i, s:i, s:i, s:o, s:o, s:b}", "version", SCHEDD_VERSION, "mode",
                             d->user_mode ? "user" : "system", "uptime_usec",
                             (json_int_t) (now_monotonic() - d->started_mono), "jobs", jobs, "paused", paused,
                             "running", running, "next", next, "errors",
                             k->c->privileged ? file_errors_json(d->files, d->n_files) : json_array(), "degraded", d->store_degraded);
        return 0;
}

/* A job's id for sorting: its first 16 bytes inline, big-endian, so that
 * most comparisons touch neither the job nor its definition. Sorting
 * 100,000 jobs through j->def->id took about 100 ms of the loop, at the
 * first List after jobs came or went. */
/* Lists of at most this many jobs are written in the call itself, in one
 * go, as one text; larger ones in parts from the loop (control_continue()). */
#define LIST_ONESHOT 1000

/* A List being written in parts. The jobs are those of the call, in id
 * order. Their rows are written as they are when their part is: each row
 * is one moment of one job, and the set of jobs is the call's. No job on
 * the array is freed meanwhile: before a job or its definition is freed
 * (sched.c), every open List is finished at once (control_finish_lists()). */
struct list_reply {
        struct job **jobs;              /* owned array, not the jobs */
        size_t n, next;
        size_t bytes;                   /* of the message written so far */
        int error;                      /* sticky: the reply cannot be completed */
        struct jsonw w;                 /* the text of the current part */
};

void
methods_list_free(struct list_reply *l)
{
        if (!l)
                return;
        jsonw_done(&l->w);
        free(l->jobs);
        free(l);
}

/* The whole message, {"parameters": {"jobs": [...]}}, so that the text
 * goes out as it is (control_send_message()). */
static void
list_begin(struct jsonw *w)
{
        jsonw_object_begin(w);
        jsonw_key(w, "parameters");
        jsonw_object_begin(w);
        jsonw_key(w, "jobs");
        jsonw_array_begin(w);
}

static void
list_end(struct jsonw *w)
{
        jsonw_array_end(w);
        jsonw_object_end(w);
        jsonw_object_end(w);
}

int
methods_list_step(struct daemon *d, struct client *c, size_t rows)
{
        struct list_reply *l = c->list;
        size_t end = rows < l->n - l->next ? l->next + rows : l->n, len;
        const char *text;
        bool last;
        int r;

        (void) d;
        if (l->error < 0)
                return l->error;
        /* A non-root caller's filter is applied here, not at the call: a
         * walk of 100,000 jobs is a part's worth of work. */
        for (; l->next < end; l->next++)
                if (may_see(c, l->jobs[l->next]))
                        summary_write(&l->w, l->jobs[l->next]);
        last = l->next == l->n;
        if (last)
                list_end(&l->w);
        if (!jsonw_peek(&l->w, &text, &len))
                return (l->error = -ENOMEM);
        if (len + 1 > VARLINK_REPLY_MAX - l->bytes)
                return (l->error = -EMSGSIZE);
        r = varlink_buf_append(&c->out, text, len);
        if (r >= 0 && last)
                r = varlink_buf_append(&c->out, "", 1);
        if (r < 0)
                return (l->error = r);
        l->bytes += len;
        jsonw_clear(&l->w);
        if (!last)
                return 1;
        methods_list_free(TAKE_PTR(c->list));
        return 0;
}

static int
m_list(struct call *k)
{
        struct job **v = joborder_get(k->d);
        struct list_reply *l;
        struct jsonw w = {};
        size_t n = 0;

        if (!v)
                return -ENOMEM;
        if (k->v->oneway)
                return 0;       /* nobody reads it */
        while (v[n])
                n++;
        if (n > LIST_ONESHOT) {
                l = calloc(1, sizeof *l);
                if (!l || !(l->jobs = malloc(n * sizeof *l->jobs))) {
                        free(l);
                        return -ENOMEM;
                }
                /* A copy: d->jobs_by_id changes as jobs come and go. */
                memcpy(l->jobs, v, n * sizeof *l->jobs);
                l->n = n;
                list_begin(&l->w);
                k->c->list = l;
                return 1;       /* written from the loop */
        }
        list_begin(&w);
        for (; *v; v++)
                if (may_see(k->c, *v))
                        summary_write(&w, *v);
        list_end(&w);
        k->reply_text = jsonw_steal(&w, &k->reply_text_len);
        return k->reply_text ? 0 : -ENOMEM;
}

static json_t *
runs_json(struct daemon *d, struct store_run *rows, size_t n)
{
        json_t *a = json_array();

        for (size_t i = 0; i < n; i++) {
                if (a)
                        json_array_append_new(a, methods_run_json(d, &rows[i]));
                store_run_done(&rows[i]);
        }
        return a;
}

static json_t *
strv_json(char **v)
{
        json_t *a = json_array();

        for (; a && v && *v; v++)
                json_array_append_new(a, json_string(*v));
        return a;
}

static int
m_show(struct call *k)
{
        int r = 0;
        struct job *j = param_job(k, "id", &r);
        long long limit = param_int(k, "runs", 10, 0, 1000, &r);
        _cleanup_free_ struct store_run *rows = NULL;
        size_t n = 0;
        json_t *env, *detail;
        const struct job_def *def;

        if (r < 0)
                return 0;
        def = j->def;
        env = json_object();
        for (char **e = def->extra->environment; env && e && *e; e++) {
                char *eq = strchr(*e, '=');
                if (eq) {
                        _cleanup_free_ char *name = strndup(*e, (size_t) (eq - *e));
                        if (name)
                                json_object_set_new(env, name, json_string(eq + 1));
                }
        }
        detail = json_object();
        if (!detail)
                return -ENOMEM;
        json_object_set_new(detail, "summary", summary_json(j));
        json_object_set_new(detail, "description", str_json(def->extra->description));
        json_object_set_new(detail, "file", str_json(j->origin == JOB_ORIGIN_FILE ? def->file : NULL));
        json_object_set_new(detail, "command", strv_json(def->command.shell ? def->command.argv + 2 : def->command.argv));
        json_object_set_new(detail, "shell", json_boolean(def->command.shell));
        json_object_set_new(detail, "group", str_json(def->extra->group));
        json_object_set_new(detail, "directory", json_string(def->extra->directory ? def->extra->directory : j->creds ? j->creds->home : "~"));
        json_object_set_new(detail, "environment", env);
        json_object_set_new(detail, "timeout", duration_json(def->extra->timeout));
        json_object_set_new(detail, "kill_grace", duration_json(def->extra->kill_grace));
        json_object_set_new(detail, "max_instances", json_integer(def->max_instances));
        json_object_set_new(detail, "on_overlap", json_string(overlap_policy_to_string(def->on_overlap)));
        json_object_set_new(detail, "misfire_grace", def->misfire_grace == USEC_INFINITY ? json_string("unlimited")
                                                                                        : duration_json(def->misfire_grace));
        json_object_set_new(detail, "coalesce", json_boolean(def->coalesce));
        json_object_set_new(detail, "retry_attempts", json_integer(def->extra->retry.attempts));
        json_object_set_new(detail, "jitter", trigger_jitter_max(&def->trigger) ? duration_json(trigger_jitter_max(&def->trigger)) : json_null());
        json_object_set_new(detail, "output", json_string(def->output == OUTPUT_FILE ? def->extra->output_file
                                                          : output_kind_to_string(def->output)));
        json_object_set_new(detail, "error", str_json(j->creds_error));
        if (k->d->store && limit > 0)
                (void) store_list_runs(k->d->store, def->id, -1, (size_t) limit, false, &rows, &n);
        k->reply = json_pack("{s:o, s:o}", "job", detail, "runs", runs_json(k->d, rows, n));
        return 0;
}

static int
m_next(struct call *k)
{
        int r = 0;
        struct job *j = param_job(k, "id", &r);
        long long count = param_int(k, "count", 5, 1, 10000, &r);
        usec_t t;
        json_t *a;

        if (r < 0)
                return 0;
        a = json_array();
        t = j->last_scheduled;
        for (long long i = 0; a && i < count && !j->finished; i++) {
                usec_t next;
                if (trigger_next(&j->def->trigger, j->anchor, t, &next) < 0)
                        break;
                json_array_append_new(a, json_pack("{s:s, s:o, s:I}", "job", j->def->id, "time",
                                                   time_json(next, j->def->trigger.zone), "time_usec", (json_int_t) next));
                t = next;
        }
        k->reply = json_pack("{s:o}", "firings", a);
        return 0;
}

static int
m_run(struct call *k)
{
        int r = 0;
        struct job *j = param_job(k, "id", &r);
        bool force = param_bool(k, "force", &r), wait = param_bool(k, "wait", &r);
        struct run *run = NULL;
        struct store_run row;

        if (r < 0)
                return 0;
        if (wait && !k->v->more)
                return fail(k, VARLINK_ERROR_EXPECTED_MORE, NULL);
        if (k->d->exit_requested)
                return fail(k, PROTO_E_SHUTTING_DOWN, NULL);
        r = sched_run_now(k->d, j, force, now_realtime(), &run);
        if (r == -EBUSY)
                return fail(k, PROTO_E_MAX_INSTANCES, json_pack("{s:s, s:i}", "id", j->def->id, "running", j->running));
        if (r < 0)
                return r;
        log_change(k, "run now requested");
        if (wait)
                k->c->wait_run = run->id;
        row = (struct store_run) { .id = run->id, .job_id = j->def->id, .reason = RUN_REASON_MANUAL,
                                   .state = RUN_STATE_QUEUED, .scheduled = USEC_UNSET, .start = USEC_UNSET,
                                   .end = USEC_UNSET, .exit_status = -1, .count = 1 };
        k->reply = json_pack("{s:o}", "run", methods_run_json(k->d, &row));
        if (wait) {
                /* The first reply says it is queued; more follow. */
                control_send(k->d, k->c, varlink_reply(TAKE_PTR(k->reply), true));
        }
        return 0;
}

static int
pause_resume(struct call *k, bool pause)
{
        json_t *ids = json_object_get(k->v->parameters, "ids");
        size_t i;
        json_t *v;
        int r = 0;

        if (!json_is_array(ids))
                return bad_param(k, "ids");
        /* All or nothing: check every id first. */
        json_array_foreach(ids, i, v) {
                struct job *j = json_is_string(v) ? sched_job_find(k->d, json_string_value(v)) : NULL;
                if (!json_is_string(v))
                        return bad_param(k, "ids");
                if (!j || !may_see(k->c, j))
                        return fail(k, PROTO_E_NO_SUCH_JOB, json_pack("{s:s}", "id", json_string_value(v)));
        }
        json_array_foreach(ids, i, v) {
                struct job *j = sched_job_find(k->d, json_string_value(v));
                r = sched_job_set_paused(k->d, j, pause, now_realtime());
                log_info("Control: job '%s' %s by uid %u (pid %d).", j->def->id, pause ? "paused" : "resumed",
                         (unsigned) k->c->uid, (int) k->c->pid);
        }
        (void) r;
        k->reply = json_object();
        return 0;
}

static int m_pause(struct call *k) { return pause_resume(k, true); }
static int m_resume(struct call *k) { return pause_resume(k, false); }

static int
m_add(struct call *k)
{
        struct job_def *def = NULL;
        char *err = NULL;
        struct job *j;
        bool transient;
        int r = 0;
        const char *id = param_str(k, "id", true, &r);

        transient = param_bool(k, "transient", &r);
        if (r < 0)
                return 0;
        if (sched_job_find(k->d, id))
                return fail(k, PROTO_E_JOB_EXISTS, json_pack("{s:s}", "id", id));
        if (!k->c->privileged) {
                unsigned mine = 0;
                const char *key;
                void *value;
                for (size_t i = 0; hashmap_next(&k->d->jobs, &i, &key, &value);)
                        mine += ((struct job *) value)->origin != JOB_ORIGIN_FILE &&
                                ((struct job *) value)->owner_uid == k->c->uid;
                if (mine >= API_JOBS_PER_USER)
                        return fail(k, PROTO_E_TOO_MANY_JOBS, json_pack("{s:i}", "limit", API_JOBS_PER_USER));
        }
        r = methods_def_from_json(k->d, k->v->parameters, k->c->privileged ? (uid_t) -1 : k->c->uid, &def, &err);
        if (r < 0) {
                json_t *e = json_pack("{s:s}", "message", err ? err : strerror(-r));
                free(err);
                return r == -EINVAL ? fail(k, PROTO_E_INVALID_SCHEDULE, e) : (json_decref(e), r);
        }
        r = sched_job_add(k->d, def, transient ? JOB_ORIGIN_TRANSIENT : JOB_ORIGIN_API, NULL, now_realtime(), &j);
        if (r < 0)
                return r;
        j->owner_uid = k->c->uid;
        if (!transient && k->d->store) {
                _cleanup_free_ char *text = json_dumps(k->v->parameters, JSON_COMPACT | JSON_SORT_KEYS);
                struct store_job row;
                /* The caller is remembered (owner_uid), so a restart rebuilds
                 * the job as it was added. */
                row = (struct store_job) { .id = j->def->id, .origin = STORE_ORIGIN_API, .definition = text,
                                           .owner_uid = k->c->uid, .paused = j->paused,
                                           .last_scheduled = j->last_scheduled, .next_firing = j->next_firing,
                                           .anchor = j->anchor };
                sched_tx(k->d);
                (void) store_put_job(k->d->store, &row);
        }
        log_change(k, transient ? "transient job added" : "job added");
        k->reply = json_pack("{s:o}", "job", summary_json(j));
        return 0;
}

static int
m_remove(struct call *k)
{
        int r = 0;
        struct job *j = param_job(k, "id", &r);

        if (r < 0)
                return 0;
        if (j->origin == JOB_ORIGIN_FILE)
                return fail(k, PROTO_E_NOT_REMOVABLE, json_pack("{s:s, s:s}", "id", j->def->id, "file", j->def->file));
        if (!k->c->privileged && j->owner_uid != k->c->uid)
                return fail(k, PROTO_E_PERMISSION_DENIED, NULL);
        log_change(k, "job removed");
        sched_job_remove(k->d, j);
        k->reply = json_object();
        return 0;
}

static int
m_reload(struct call *k)
{
        int r = 0;
        bool check = param_bool(k, "check", &r);
        struct jobdir_report rep = {};

        if (r < 0)
                return 0;
        if (!k->c->privileged)
                return fail(k, PROTO_E_PERMISSION_DENIED, NULL);
        if (!check) {
                log_change(k, "reload");
                loop_reload_report(k->d, &rep);
        } else
                r = jobdir_check(k->d, &rep);
        if (r < 0)
                return r;
        k->reply = json_pack("{s:o, s:o, s:o, s:o}", "errors", file_errors_json(rep.shown_files, rep.n_files),
                             "added", strv_json(rep.added), "changed", strv_json(rep.changed),
                             "removed", strv_json(rep.removed));
        jobdir_report_done(&rep);
        return 0;
}

static int
m_history(struct call *k)
{
        int r = 0;
        const char *job = param_str(k, "job", false, &r);
        long long limit = param_int(k, "limit", 20, 1, 100000, &r);
        _cleanup_free_ struct store_run *rows = NULL;
        size_t n = 0;
        json_t *a;

        if (r < 0)
                return 0;
        if (job) {
                struct job *j = sched_job_find(k->d, job);
                if (!j || !may_see(k->c, j))
                        return fail(k, PROTO_E_NO_SUCH_JOB, json_pack("{s:s}", "id", job));
        }
        if (!k->d->store) {
                k->reply = json_pack("{s:[]}", "runs");
                return 0;
        }
        /* For another user, filter: fetch more and keep the visible ones. */
        r = store_list_runs(k->d->store, job, -1, k->c->privileged || job ? (size_t) limit : 0, false, &rows, &n);
        if (r < 0)
                return r;
        a = json_array();
        for (size_t i = 0, kept = 0; i < n; i++) {
                struct job *j = sched_job_find(k->d, rows[i].job_id);
                if (a && kept < (size_t) limit && (k->c->privileged || (j && may_see(k->c, j)))) {
                        json_array_append_new(a, methods_run_json(k->d, &rows[i]));
                        kept++;
                }
                store_run_done(&rows[i]);
        }
        k->reply = json_pack("{s:o}", "runs", a);
        return 0;
}

static int
m_logs(struct call *k)
{
        int r = 0;
        struct job *j = param_job(k, "job", &r);
        long long id = param_int(k, "run", 0, 1, INT64_MAX, &r);
        struct store_run row = {};

        if (r < 0)
                return 0;
        if (!k->d->store)
                return fail(k, PROTO_E_NO_SUCH_RUN, json_pack("{s:I}", "id", (json_int_t) id));
        if (id > 0) {
                r = store_get_run(k->d->store, id, &row);
                if (r < 0 || strcmp(row.job_id, j->def->id) != 0) {
                        store_run_done(&row);
                        return fail(k, PROTO_E_NO_SUCH_RUN, json_pack("{s:I}", "id", (json_int_t) id));
                }
        } else {
                _cleanup_free_ struct store_run *rows = NULL;
                size_t n = 0;
                int64_t pick = 0;
                if (store_list_runs(k->d->store, j->def->id, -1, 50, false, &rows, &n) >= 0) {
                        for (size_t i = 0; i < n; i++) {
                                if (!pick && (rows[i].state == RUN_STATE_RUNNING || rows[i].start != USEC_UNSET ||
                                              rows[i].failed_step))
                                        pick = rows[i].id;
                                store_run_done(&rows[i]);
                        }
                }
                if (!pick || store_get_run(k->d->store, pick, &row) < 0)
                        return fail(k, PROTO_E_NO_SUCH_RUN, json_pack("{s:I}", "id", (json_int_t) 0));
        }
        k->reply = json_pack("{s:o, s:o}", "run", methods_run_json(k->d, &row), "output",
                             output_json(row.output, row.output_len));
        store_run_done(&row);
        return 0;
}

static int
m_watch(struct call *k)
{
        if (!k->v->more)
                return fail(k, VARLINK_ERROR_EXPECTED_MORE, NULL);
        k->c->watching = true;
        return 1;               /* no reply now: events follow */
}

static int
m_get_info(struct call *k)
{
        k->reply = json_pack("{s:s, s:s, s:s, s:s, s:[s, s]}", "vendor", "schedd", "product", "schedd", "version",
                             SCHEDD_VERSION, "url", "https://schedd.invalid/", "interfaces", "org.varlink.service",
                             PROTO_INTERFACE);
        return 0;
}

static const char service_description[] =
        "# The Varlink service interface\n"
        "interface org.varlink.service\n\n"
        "method GetInfo() -> (vendor: string, product: string, version: string, url: string, interfaces: []string)\n\n"
        "method GetInterfaceDescription(interface: string) -> (description: string)\n\n"
        "error InterfaceNotFound (interface: string)\n"
        "error MethodNotFound (method: string)\n"
        "error MethodNotImplemented (method: string)\n"
        "error InvalidParameter (parameter: string)\n"
        "error PermissionDenied ()\n"
        "error ExpectedMore ()\n";

static int
m_get_interface_description(struct call *k)
{
        int r = 0;
        const char *name = param_str(k, "interface", true, &r);

        if (r < 0)
                return 0;
        if (strcmp(name, PROTO_INTERFACE) == 0)
                k->reply = json_pack("{s:s}", "description", PROTO_INTERFACE_DESCRIPTION);
        else if (strcmp(name, "org.varlink.service") == 0)
                k->reply = json_pack("{s:s}", "description", service_description);
        else
                k->error = varlink_error_interface_not_found(name);
        return 0;
}

static const struct method {
        const char *name;
        int (*fn)(struct call *k);
} methods[] = {
        { "org.varlink.service.GetInfo", m_get_info },
        { "org.varlink.service.GetInterfaceDescription", m_get_interface_description },
        { PROTO_M_STATUS, m_status },
        { PROTO_M_LIST, m_list },
        { PROTO_M_SHOW, m_show },
        { PROTO_M_NEXT, m_next },
        { PROTO_M_RUN, m_run },
        { PROTO_M_PAUSE, m_pause },
        { PROTO_M_RESUME, m_resume },
        { PROTO_M_ADD, m_add },
        { PROTO_M_REMOVE, m_remove },
        { PROTO_M_RELOAD, m_reload },
        { PROTO_M_HISTORY, m_history },
        { PROTO_M_LOGS, m_logs },
        { PROTO_M_WATCH, m_watch },
};

int
methods_dispatch(struct daemon *d, struct client *c, json_t *msg)
{
        struct varlink_call v = {};
        const char *why = NULL;
        struct call k = { .d = d, .c = c, .v = &v };
        int r;

        r = varlink_parse_call(msg, &v, &why);
        if (r < 0)
                return r;       /* not a call: the client is dropped */

        for (size_t i = 0; i < ELEMENTSOF(methods); i++) {
                if (strcmp(v.method, methods[i].name) != 0)
                        continue;
                r = methods[i].fn(&k);
                if (r == 1) {
                        varlink_call_done(&v);
                        return 0;       /* answered later */
                }
                if (r < 0 && !k.error) {
                        json_decref(k.reply);
                        k.reply = NULL;
                        k.error = varlink_error(PROTO_E_INTERNAL, json_pack("{s:s}", "message", strerror(-r)));
                }
                goto reply;
        }
        if (v.interface && strcmp(v.interface, PROTO_INTERFACE) != 0 && strcmp(v.interface, "org.varlink.service") != 0)
                k.error = varlink_error_interface_not_found(v.interface);
        else
                k.error = varlink_error_method_not_found(v.method);
reply:
        r = 0;
        if (!v.oneway) {
                if (k.error)
                        r = control_send(d, c, TAKE_PTR(k.error));
                else if (k.reply_text)
                        r = control_send_message(d, c, TAKE_PTR(k.reply_text), k.reply_text_len);
                else if (k.reply)
                        r = control_send(d, c, varlink_reply(TAKE_PTR(k.reply), false));
        }
        free(k.reply_text);
        json_decref(k.error);
        json_decref(k.reply);
        varlink_call_done(&v);
        return r;
}

/* --- answers that come later ------------------------------------------------ */

void
methods_run_event(struct daemon *d, const struct store_run *row, const uint8_t *output, size_t output_len)
{
        bool final = run_state_is_final(row->state);

        for (struct client *c = d->clients, *next; c; c = next) {
                json_t *p;
                next = c->next;
                if (c->wait_run == 0 || c->wait_run != row->id)
                        continue;
                p = json_pack("{s:o}", "run", methods_run_json(d, row));
                if (p && final)
                        json_object_set_new(p, "output", output_json(output, output_len));
                if (final)
                        c->wait_run = 0;
                (void) control_send(d, c, varlink_reply(p, !final));
        }
}

void
methods_broadcast(struct daemon *d, const char *kind, const char *job, const struct store_run *row,
                  const char *message)
{
        char now[64];
        json_t *base = NULL;

        if (!d->clients)
                return;
        time_format_rfc3339(now_realtime(), tz_offset_at(zone_of(d, job), now_realtime() / USEC_PER_SEC), now,
                            sizeof now);
        for (struct client *c = d->clients; c; c = c->next) {
                struct job *j = job ? sched_job_find(d, job) : NULL;
                if (!c->watching)
                        continue;
                /* Another user hears only of its own jobs. */
                if (!c->privileged && (!j || !may_see(c, j)))
                        continue;
                if (!base)
                        base = json_pack("{s:s, s:s, s:o, s:o, s:s}", "kind", kind, "time", now, "job", str_json(job),
                                         "run", row ? methods_run_json(d, row) : json_null(), "message",
                                         message ? message : "");
                if (base)
                        (void) control_send(d, c, varlink_reply(json_incref(base), true));
        }
        json_decref(base);
}
