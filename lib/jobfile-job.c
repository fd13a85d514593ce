/* jobfile-job.c - one job's mapping, and the defaults: mapping, to a
 * struct job_def (SPEC section 2's key table).
 *
 * Defaults are applied by reading the defaults: mapping again for every
 * job, silently, before the job's own keys, so a job key simply overwrites
 * the value a default left. That needs no copy of a half-built job_def;
 * the defaults' errors are reported once, by jf_parse_defaults(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobfile-internal.h"
#include "rcstr.h"

static int
oom(struct jf_ctx *c)
{
        c->oom = true;
        return -ENOMEM;
}

/* --- job keys ------------------------------------------------------------ */

static int
read_command(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v, const char *path,
             struct job_command *ret)
{
        static const char *what = "a command string or a non-empty list of strings";
        _cleanup_strv_free_ char **argv = NULL;
        char got[64], sub[JF_PATH_MAX];
        size_t n;
        int r = 0;

        if (v->type == YAML_SCALAR_NODE && !jf_is_null(v)) {
                _cleanup_free_ char *s = NULL;

                r = jf_read_string(c, key, v, path, &s);
                if (r < 0)
                        return r;
                if (s[strspn(s, " \t\n")] == 0)
                        return jf_error(c, v, path, "expected %s, got an empty string", what);
                if (job_command_set(ret, (const char *const[]) { "/bin/sh", "-c", s, NULL }, true) < 0)
                        return oom(c);
                return 0;
        }
        if (v->type != YAML_SEQUENCE_NODE ||
            v->data.sequence.items.top == v->data.sequence.items.start)
                return jf_error_value(c, key, v, path, "expected %s, got %s", what,
                                      v->type == YAML_SEQUENCE_NODE ? "an empty list" :
                                      jf_describe(v, got, sizeof got));

        n = v->data.sequence.items.top - v->data.sequence.items.start;
        argv = calloc(n + 1, sizeof *argv);
        if (!argv)
                return oom(c);
        for (size_t i = 0; i < n; i++) {
                yaml_node_t *item = jf_node(c, v->data.sequence.items.start[i]);
                int q;

                if (!jf_step(c))
                        return -EINVAL;
                jf_path_index(sub, path, i);
                q = jf_read_string(c, NULL, item, sub, &argv[i]);
                if (q >= 0 && i == 0 && !*argv[0])
                        q = jf_error(c, item, sub, "expected a program name, got an empty string");
                if (q == -ENOMEM)
                        return q;
                if (q < 0) {
                        r = q;
                        if (!argv[i] && !(argv[i] = strdup("")))
                                return oom(c);
                }
        }
        if (r < 0)
                return r;
        if (job_command_set(ret, (const char *const *) argv, false) < 0)
                return oom(c);
        return 0;
}

static bool
user_name_valid(const char *s)
{
        size_t n = strlen(s);

        /* What useradd(8) accepts, plus numeric ids; a trailing '$' is
         * allowed for Samba machine accounts. */
        if (n == 0 || n > 256 || s[0] == '-')
                return false;
        if (s[n - 1] == '$')
                n--;
        return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

static int
read_user(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v, const char *path,
          const char *what, char **ret)
{
        _cleanup_free_ char *s = NULL;
        char got[64];
        int r;

        r = jf_read_string(c, key, v, path, &s);
        if (r < 0)
                return r;
        if (!user_name_valid(s))
                return jf_error(c, v, path, "expected a %s name or number, got %s", what,
                                jf_describe(v, got, sizeof got));
        free(*ret);
        *ret = TAKE_PTR(s);
        return 0;
}

static int
read_path(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v, const char *path,
          char **ret)
{
        _cleanup_free_ char *s = NULL;
        char got[64];
        int r;

        r = jf_read_string(c, key, v, path, &s);
        if (r < 0)
                return r;
        if (s[0] != '/')
                return jf_error(c, v, path, "expected an absolute path, got %s",
                                jf_describe(v, got, sizeof got));
        free(*ret);
        *ret = TAKE_PTR(s);
        return 0;
}

static bool
env_name_valid(const char *s)
{
        if (!*s || (*s >= '0' && *s <= '9'))
                return false;
        return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
               strlen(s);
}

static int
read_environment(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v, const char *path,
                 char ***ret)
{
        _cleanup_strv_free_ char **env = NULL;
        char sub[JF_PATH_MAX], got[64];
        size_t n, k = 0;
        int r;

        r = jf_check_mapping(c, key, v, path, "a mapping of variable names to values", NULL, NULL);
        if (v->type != YAML_MAPPING_NODE)
                return r;
        n = v->data.mapping.pairs.top - v->data.mapping.pairs.start;
        env = calloc(n + 1, sizeof *env);
        if (!env)
                return oom(c);
        for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
             p < v->data.mapping.pairs.top; p++) {
                yaml_node_t *kn = jf_node(c, p->key), *val = jf_node(c, p->value);
                const char *name;
                int q;

                if (kn->type != YAML_SCALAR_NODE || !*jf_text(kn))
                        continue;       /* reported by jf_check_mapping() */
                name = jf_text(kn);
                if (!env_name_valid(name)) {
                        q = jf_error(c, kn, path, "expected a variable name of letters, digits "
                                     "and '_' not starting with a digit, got %s",
                                     jf_describe(kn, got, sizeof got));
                        r = r < 0 ? r : q;
                        continue;
                }
                if (strncmp(name, "SCHEDD_", 7) == 0) {
                        q = jf_error(c, kn, path, "variable '%s' is reserved: schedd sets "
                                     "SCHEDD_* itself", name);
                        r = r < 0 ? r : q;
                        continue;
                }
                if (val->type != YAML_SCALAR_NODE || jf_is_null(val)) {
                        q = jf_error_value(c, kn, val, jf_path_join(sub, path, name),
                                           "expected a string (\"\" for an empty value), got %s",
                                           jf_describe(val, got, sizeof got));
                        r = r < 0 ? r : q;
                        continue;
                }
                if (r < 0)
                        continue;
                if (asprintf(&env[k], "%s=%s", name, jf_text(val)) < 0) {
                        env[k] = NULL;
                        return oom(c);
                }
                k++;
        }
        if (r < 0)
                return r;
        strv_free(*ret);
        *ret = TAKE_PTR(env);
        return 0;
}

static int
read_overlap(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v, const char *path,
             enum overlap_policy *ret)
{
        char got[64];
        int p = -EINVAL;

        if (v->type == YAML_SCALAR_NODE)
                p = overlap_policy_from_string(jf_text(v));
        if (p < 0)
                return jf_error_value(c, key, v, path,
                                      "expected one of skip, queue, replace, got %s",
                                      jf_describe(v, got, sizeof got));
        *ret = p;
        return 0;
}

static const char *const retry_keys[] = { "attempts", "delay", "backoff", "max_delay", NULL };

static int
read_retry(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v, const char *path,
           struct retry_policy *ret)
{
        /* A job's retry replaces the default's as a whole; unset keys get
         * the built-in defaults, not the defaults: section's. */
        struct retry_policy p = {
                .delay = 10 * USEC_PER_SEC, .backoff = 2, .max_delay = USEC_INFINITY,
        };
        bool have_attempts = false;
        char sub[JF_PATH_MAX];
        int r, q;

        r = jf_check_mapping(c, key, v, path, "a mapping like {attempts: 3, delay: 30s}",
                             retry_keys, NULL);
        if (v->type != YAML_MAPPING_NODE)
                return r;
        for (yaml_node_pair_t *pr = v->data.mapping.pairs.start;
             pr < v->data.mapping.pairs.top; pr++) {
                yaml_node_t *kn = jf_node(c, pr->key), *val = jf_node(c, pr->value);
                const char *name;

                if (kn->type != YAML_SCALAR_NODE)
                        continue;
                name = jf_text(kn);
                jf_path_join(sub, path, name);
                if (strcmp(name, "attempts") == 0) {
                        q = jf_read_uint(c, kn, val, sub, 0, UINT32_MAX, &p.attempts);
                        have_attempts = true;
                } else if (strcmp(name, "delay") == 0)
                        q = jf_read_duration(c, kn, val, sub, NULL, &p.delay);
                else if (strcmp(name, "backoff") == 0)
                        q = jf_read_number(c, kn, val, sub, 1, &p.backoff);
                else if (strcmp(name, "max_delay") == 0)
                        q = jf_read_duration(c, kn, val, sub, "none", &p.max_delay);
                else
                        continue;
                r = r < 0 ? r : q;
        }
        if (r >= 0 && !have_attempts)
                r = jf_error_value(c, key, v, path, "missing required key 'attempts'");
        if (r < 0)
                return r;
        *ret = p;
        return 0;
}

static const char *const output_keys[] = { "file", NULL };

static int
read_output(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v, const char *path,
            struct job_def *d)
{
        struct job_def_extra *x;
        char got[64], sub[JF_PATH_MAX];
        int r;

        if (v->type == YAML_MAPPING_NODE) {
                _cleanup_free_ char *file = NULL;
                yaml_node_t *fk = NULL, *fv = NULL;

                r = jf_check_mapping(c, key, v, path, "a mapping", output_keys, NULL);
                for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
                     p < v->data.mapping.pairs.top; p++) {
                        yaml_node_t *kn = jf_node(c, p->key);
                        if (!fk && kn->type == YAML_SCALAR_NODE &&
                            strcmp(jf_text(kn), "file") == 0) {
                                fk = kn;
                                fv = jf_node(c, p->value);
                        }
                }
                if (r < 0)
                        return r;
                if (!fk)
                        return jf_error_value(c, key, v, path, "missing required key 'file'");
                r = read_path(c, fk, fv, jf_path_join(sub, path, "file"), &file);
                if (r < 0)
                        return r;
                x = job_def_extra_mut(d);
                if (!x)
                        return oom(c);
                free(x->output_file);
                x->output_file = TAKE_PTR(file);
                d->output = OUTPUT_FILE;
                return 0;
        }
        if (v->type == YAML_SCALAR_NODE && strcmp(jf_text(v), "journal") == 0)
                d->output = OUTPUT_JOURNAL;
        else if (v->type == YAML_SCALAR_NODE && strcmp(jf_text(v), "discard") == 0)
                d->output = OUTPUT_DISCARD;
        else
                return jf_error_value(c, key, v, path,
                                      "expected journal, discard or {file: PATH}, got %s",
                                      jf_describe(v, got, sizeof got));
        if (d->extra->output_file) {
                x = job_def_extra_mut(d);       /* owned already: never fails */
                x->output_file = mfree(x->output_file);
        }
        return 0;
}

static int
read_default_timezone(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v,
                      const char *path, char **ret)
{
        _cleanup_free_ char *name = NULL;
        const struct tz_zone *z;
        int r;

        r = jf_read_string(c, key, v, path, &name);
        if (r < 0)
                return r;
        r = tz_db_get(c->db, name, &z);
        if (r == -ENOMEM)
                return oom(c);
        if (r == -ENOENT)
                return jf_error(c, v, path, "unknown time zone '%s'", name);
        if (r == -EBADMSG)
                return jf_error(c, v, path, "time zone file of '%s' is corrupt", name);
        if (r < 0)
                return jf_error(c, v, path,
                                "expected a time zone name like Europe/Berlin, got '%s'", name);
        free(*ret);
        *ret = TAKE_PTR(name);
        return 0;
}

static const char *const job_keys[] = {
        "command", "schedule", "description", "user", "group", "directory", "environment",
        "timeout", "kill_grace", "max_instances", "on_overlap", "misfire_grace", "coalesce",
        "retry", "enabled", "output", "on_failure", "no_new_privileges", NULL,
};

static const char *const default_keys[] = {
        "description", "user", "group", "directory", "environment", "timeout", "kill_grace",
        "max_instances", "on_overlap", "misfire_grace", "coalesce", "retry", "enabled", "output",
        "on_failure", "no_new_privileges", "timezone", NULL,
};

static const char *
job_key_hint(const char *name, char *buf, size_t size)
{
        static const char *const schedule_only[] = {
                "cron", "interval", "at", "jitter", "start", "end", NULL,
        };

        if (strcmp(name, "timezone") == 0) {
                (void) snprintf(buf, size,
                                "unknown key 'timezone' (it belongs in schedule: or defaults:)");
                return buf;
        }
        for (size_t i = 0; schedule_only[i]; i++)
                if (strcmp(name, schedule_only[i]) == 0) {
                        (void) snprintf(buf, size, "unknown key '%s' (it belongs in schedule:)",
                                        name);
                        return buf;
                }
        return NULL;
}

static const char *
default_key_hint(const char *name, char *buf, size_t size)
{
        if (strcmp(name, "command") == 0 || strcmp(name, "schedule") == 0) {
                (void) snprintf(buf, size, "'%s' cannot have a default, set it in each job", name);
                return buf;
        }
        return NULL;
}

static int apply_extra_key(struct jf_ctx *c, struct job_def *d, const yaml_node_t *k,
                           const yaml_node_t *v, const char *path, const char *name,
                           bool in_defaults);

/* Applies one key of a job or of defaults to @d. Unknown keys were
 * reported by jf_check_mapping() and are ignored here. */
static int
apply_key(struct jf_ctx *c, struct job_def *d, const yaml_node_t *k, const yaml_node_t *v,
          const char *parent, bool in_defaults, bool *seen_command, bool *seen_schedule)
{
        char path[JF_PATH_MAX];
        const char *name;

        if (k->type != YAML_SCALAR_NODE)
                return 0;
        name = jf_text(k);
        jf_path_join(path, parent, name);

        if (!in_defaults && strcmp(name, "command") == 0) {
                *seen_command = true;
                return read_command(c, k, v, path, &d->command);
        }
        if (!in_defaults && strcmp(name, "schedule") == 0) {
                *seen_schedule = true;
                return jf_schedule_parse(c, k, v, path, d);
        }
        if (strcmp(name, "max_instances") == 0)
                return jf_read_uint(c, k, v, path, 1, UINT32_MAX, &d->max_instances);
        if (strcmp(name, "on_overlap") == 0)
                return read_overlap(c, k, v, path, &d->on_overlap);
        if (strcmp(name, "misfire_grace") == 0)
                return jf_read_duration(c, k, v, path, "unlimited", &d->misfire_grace);
        if (strcmp(name, "coalesce") == 0)
                return jf_read_bool(c, k, v, path, &d->coalesce);
        if (strcmp(name, "enabled") == 0)
                return jf_read_bool(c, k, v, path, &d->enabled);
        if (strcmp(name, "output") == 0)
                return read_output(c, k, v, path, d);
        return apply_extra_key(c, d, k, v, path, name, in_defaults);
}

/* The keys that live in d->extra: the first one set gives @d its own. */
static int
apply_extra_key(struct jf_ctx *c, struct job_def *d, const yaml_node_t *k, const yaml_node_t *v,
                const char *path, const char *name, bool in_defaults)
{
        static const char *const extra_keys[] = {
                "description", "user", "group", "directory", "environment", "timeout",
                "kill_grace", "retry", "on_failure", "no_new_privileges", NULL,
        };
        struct job_def_extra *x;
        size_t i;

        for (i = 0; extra_keys[i]; i++)
                if (strcmp(name, extra_keys[i]) == 0)
                        break;
        if (!extra_keys[i] && !(in_defaults && strcmp(name, "timezone") == 0))
                return 0;
        x = job_def_extra_mut(d);
        if (!x)
                return oom(c);

        if (strcmp(name, "timezone") == 0)
                return read_default_timezone(c, k, v, path, &x->timezone);
        if (strcmp(name, "description") == 0)
                return jf_read_string(c, k, v, path, &x->description);
        if (strcmp(name, "user") == 0)
                return read_user(c, k, v, path, "user", &x->user);
        if (strcmp(name, "group") == 0)
                return read_user(c, k, v, path, "group", &x->group);
        if (strcmp(name, "directory") == 0)
                return read_path(c, k, v, path, &x->directory);
        if (strcmp(name, "environment") == 0)
                return read_environment(c, k, v, path, &x->environment);
        if (strcmp(name, "timeout") == 0)
                return jf_read_duration(c, k, v, path, "none", &x->timeout);
        if (strcmp(name, "kill_grace") == 0)
                return jf_read_duration(c, k, v, path, NULL, &x->kill_grace);
        if (strcmp(name, "retry") == 0)
                return read_retry(c, k, v, path, &x->retry);
        if (strcmp(name, "on_failure") == 0)
                return read_command(c, k, v, path, &x->on_failure);
        return jf_read_bool(c, k, v, path, &x->no_new_privileges);     /* no_new_privileges */
}

int
job_def_new(const char *id, struct job_def **ret)
{
        size_t len = id ? strlen(id) + 1 : 0;
        struct job_def *d = calloc(1, sizeof *d + len);

        if (!d)
                return -ENOMEM;
        if (id)
                d->id = memcpy(d->id_buf, id, len);
        d->extra = &job_def_extra_default;
        d->max_instances = 1;
        d->on_overlap = OVERLAP_SKIP;
        d->misfire_grace = USEC_PER_MIN;
        d->coalesce = true;
        d->enabled = true;
        d->output = OUTPUT_JOURNAL;
        *ret = d;
        return 0;
}

/* Applies the keys of mapping @defaults (NULL: none) to @d; returns <0 if
 * any was bad. */
static int
apply_defaults(struct jf_ctx *c, struct job_def *d, const yaml_node_t *defaults)
{
        int r = 0, q;

        if (!defaults)
                return 0;
        for (yaml_node_pair_t *p = defaults->data.mapping.pairs.start;
             p < defaults->data.mapping.pairs.top; p++) {
                if (!jf_step(c))
                        return -EINVAL;
                q = apply_key(c, d, jf_node(c, p->key), jf_node(c, p->value), "defaults", true,
                              NULL, NULL);
                if (q == -ENOMEM)
                        return q;
                r = r < 0 ? r : q;
        }
        return r;
}

/* True if a key of mapping @v is a likely typo of @name. */
static bool
typo_of(struct jf_ctx *c, const yaml_node_t *v, const char *name)
{
        for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
             p < v->data.mapping.pairs.top; p++) {
                yaml_node_t *k = jf_node(c, p->key);
                const char *s;

                if (k->type != YAML_SCALAR_NODE || strcmp(jf_text(k), name) == 0)
                        continue;
                s = jf_suggest(jf_text(k), job_keys);
                if (s && strcmp(s, name) == 0)
                        return true;
        }
        return false;
}

/* Parses job @k: @v. Returns 0 and the job in *ret, or <0 (errors
 * recorded; *ret untouched). */
int
jf_parse_job(struct jf_ctx *c, const yaml_node_t *defaults, const yaml_node_t *k,
          const yaml_node_t *v, struct job_def **ret)
{
        _cleanup_(job_def_freep) struct job_def *d = NULL;
        bool seen_command = false, seen_schedule = false, quiet;
        const char *id = jf_text(k);
        char path[JF_PATH_MAX], got[64];
        int r = 0, q;

        jf_path_join(path, "jobs", id);
        if (!job_id_valid(id))
                r = jf_error(c, k, "jobs", "expected a job id of at most %d letters, digits and "
                             "_.@- starting with a letter or digit, got %s", JOB_ID_MAX,
                             jf_describe(k, got, sizeof got));
        if (r == -ENOMEM)
                return r;

        q = jf_check_mapping(c, k, v, path, "a mapping of job keys", job_keys, job_key_hint);
        if (v->type != YAML_MAPPING_NODE)
                return q;
        r = r < 0 ? r : q;

        if (job_def_new(id, &d) < 0)
                return oom(c);
        /* One copy of the path for all the file's jobs, not one each. */
        if (!c->shared_path)
                c->shared_path = rcstr_new(c->path);
        d->file = rcstr_ref(c->shared_path);
        if (!d->file)
                return oom(c);
        d->line = k->start_mark.line + 1;
        d->column = k->start_mark.column + 1;

        /* The defaults' own errors were reported once, by jf_parse_defaults(). */
        quiet = c->quiet;
        c->quiet = true;
        q = apply_defaults(c, d, defaults);
        c->quiet = quiet;
        if (q == -ENOMEM)
                return q;

        for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
             p < v->data.mapping.pairs.top; p++) {
                if (!jf_step(c))
                        return -EINVAL;
                q = apply_key(c, d, jf_node(c, p->key), jf_node(c, p->value), path, false,
                              &seen_command, &seen_schedule);
                if (q == -ENOMEM)
                        return q;
                r = r < 0 ? r : q;
        }
        /* "comand: x" already got "did you mean 'command'?"; do not also
         * say that command is missing. */
        if (!seen_command && !typo_of(c, v, "command"))
                r = jf_error(c, k, path, "missing required key 'command'");
        if (!seen_schedule && !typo_of(c, v, "schedule"))
                r = jf_error(c, k, path, "missing required key 'schedule'");
        if (!seen_command || !seen_schedule)
                r = r < 0 ? r : -EINVAL;
        if (r < 0)
                return r;
        job_def_extra_compact(d);
        job_def_extra_share(d, &c->last_extra);
        if (job_def_pack(&d) < 0)
                return oom(c);
        *ret = TAKE_PTR(d);
        return 0;
}

/* Checks the defaults mapping once, reporting its errors. */
int
jf_parse_defaults(struct jf_ctx *c, const yaml_node_t *k, const yaml_node_t *defaults)
{
        _cleanup_(job_def_freep) struct job_def *d = NULL;
        int r, q;

        r = jf_check_mapping(c, k, defaults, "defaults", "a mapping of job keys", default_keys,
                             default_key_hint);
        if (job_def_new(NULL, &d) < 0)
                return oom(c);
        q = apply_defaults(c, d, defaults);
        return r < 0 ? r : q;
}
