/* config.c - schedd.yaml, the daemon's settings (SPEC section 1): YAML
 * text -> struct daemon_config.
 *
 * Loading, YAML errors, the size cap and the typed readers are the job
 * file's (jobfile-util.c), so a mistake reads the same in either file:
 * FILE:LINE:COLUMN, the key path, what was expected and what was found.
 * Unlike a job file there is nothing to keep going with: one bad key
 * refuses the whole file, and the error returned is the first one by
 * position. Every key is optional; an empty file, a file of comments, "~"
 * and "{}" all mean the defaults. As in job files, a key with an empty
 * value ("output_limit:") is an error, not a request for the default. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "jobfile-internal.h"

/* Limits, chosen here (the spec gives only the defaults):
 *  - max_concurrent_runs 1-100000: each run is a process with pipes and a
 *    pidfd, so far beyond that the fd limit is the real cap.
 *  - output_limit 0 to 16 MiB: the tail is kept in SQLite per run; 0
 *    keeps no output. 16 MiB times keep_runs is already a big database.
 *  - history.keep_runs 1 or more; history.keep_days 1-36500 (100 years,
 *    which is "forever" for a run history and keeps keep_age far from
 *    overflowing usec_t).
 *  - shutdown_timeout any duration, 0 included (SIGKILL straight after
 *    SIGTERM). */
#define MAX_CONCURRENT_RUNS_MAX 100000u
#define OUTPUT_LIMIT_MAX (UINT64_C(16) * 1024 * 1024)
#define KEEP_DAYS_MAX 36500u

/* schedd.yaml is a handful of lines; the job files' cap is plenty. */
#define CONFIG_MAX_SIZE JOBFILE_MAX_SIZE

void
config_init(struct daemon_config *c)
{
        *c = (struct daemon_config) {
                .max_concurrent_runs = 64,
                .output_limit = 64 * 1024,
                .keep_runs = 1000,
                .keep_age = 90 * USEC_PER_DAY,
                .shutdown_runs = SHUTDOWN_RUNS_KEEP,
                .shutdown_timeout = 30 * USEC_PER_SEC,
        };
}

/* Sizes: a decimal integer of bytes, optionally followed by spaces and a
 * unit. Accepted units are B, K or KiB, M or MiB, G or GiB, all powers of
 * 1024 and case-sensitive. KB, MB and GB are refused rather than guessed:
 * half the world reads them as 1000 and half as 1024. No fractions. */
int
size_parse(const char *s, uint64_t *ret)
{
        static const struct {
                const char *suffix;
                uint64_t factor;
        } units[] = {
                { "", 1 },
                { "B", 1 },
                { "K", UINT64_C(1) << 10 },
                { "KiB", UINT64_C(1) << 10 },
                { "M", UINT64_C(1) << 20 },
                { "MiB", UINT64_C(1) << 20 },
                { "G", UINT64_C(1) << 30 },
                { "GiB", UINT64_C(1) << 30 },
        };
        uint64_t n = 0;
        bool overflow = false;
        const char *p = s;

        if (!s || *p < '0' || *p > '9')
                return -EINVAL;
        for (; *p >= '0' && *p <= '9'; p++) {
                unsigned digit = (unsigned) (*p - '0');
                if (n > (UINT64_MAX - digit) / 10)
                        overflow = true;
                else
                        n = n * 10 + digit;
        }
        /* "64 KiB", but not "64 " with nothing after the spaces. */
        if (*p == ' ') {
                p += strspn(p, " ");
                if (!*p)
                        return -EINVAL;
        }
        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                if (strcmp(p, units[i].suffix) != 0)
                        continue;
                /* A bad unit is -EINVAL even when the number overflows. */
                if (overflow || n > UINT64_MAX / units[i].factor)
                        return -ERANGE;
                *ret = n * units[i].factor;
                return 0;
        }
        return -EINVAL;
}

static bool
ends_with(const char *s, const char *suffix)
{
        size_t a = strlen(s), b = strlen(suffix);

        return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int
read_size(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v, const char *path,
          uint64_t max, uint64_t *ret)
{
        char got[64];
        uint64_t n;
        int r = -EINVAL;

        if (v->type == YAML_SCALAR_NODE && !jf_is_null(v) &&
            strlen(jf_text(v)) == v->data.scalar.length)
                r = size_parse(jf_text(v), &n);
        if (r == -ERANGE || (r >= 0 && n > max))
                return jf_error(c, v, path, "expected a size of at most %" PRIu64 "MiB, got %s",
                                max >> 20, jf_describe(v, got, sizeof got));
        if (r >= 0) {
                *ret = n;
                return 0;
        }
        if (v->type == YAML_SCALAR_NODE &&
            (ends_with(jf_text(v), "KB") || ends_with(jf_text(v), "kB") ||
             ends_with(jf_text(v), "MB") || ends_with(jf_text(v), "GB")))
                return jf_error(c, v, path,
                                "expected a size like 64KiB or 1MiB, got %s "
                                "(KB, MB and GB are ambiguous, write KiB, MiB or GiB)",
                                jf_describe(v, got, sizeof got));
        return jf_error_value(c, key, v, path, "expected a size like 64KiB or 1MiB, got %s",
                              jf_describe(v, got, sizeof got));
}

static int
read_shutdown_runs(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v,
                   const char *path, enum shutdown_runs *ret)
{
        char got[64];

        if (v->type == YAML_SCALAR_NODE && strcmp(jf_text(v), "keep") == 0)
                *ret = SHUTDOWN_RUNS_KEEP;
        else if (v->type == YAML_SCALAR_NODE && strcmp(jf_text(v), "stop") == 0)
                *ret = SHUTDOWN_RUNS_STOP;
        else
                return jf_error_value(c, key, v, path, "expected keep or stop, got %s",
                                      jf_describe(v, got, sizeof got));
        return 0;
}

static const char *const history_keys[] = { "keep_runs", "keep_days", NULL };

static int
read_history(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v, const char *path,
             struct daemon_config *cfg)
{
        char sub[JF_PATH_MAX];
        int r, q;

        r = jf_check_mapping(c, key, v, path, "a mapping like {keep_runs: 1000, keep_days: 90}",
                             history_keys, NULL);
        if (v->type != YAML_MAPPING_NODE)
                return r;
        for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
             p++) {
                yaml_node_t *kn = jf_node(c, p->key), *val = jf_node(c, p->value);
                unsigned days;

                if (kn->type != YAML_SCALAR_NODE)
                        continue;
                jf_path_join(sub, path, jf_text(kn));
                q = 0;
                if (strcmp(jf_text(kn), "keep_runs") == 0)
                        q = jf_read_uint(c, kn, val, sub, 1, UINT32_MAX, &cfg->keep_runs);
                else if (strcmp(jf_text(kn), "keep_days") == 0) {
                        q = jf_read_uint(c, kn, val, sub, 1, KEEP_DAYS_MAX, &days);
                        if (q >= 0)
                                cfg->keep_age = (usec_t) days * USEC_PER_DAY;
                }
                r = r < 0 ? r : q;
        }
        return r;
}

static const char *const config_keys[] = {
        "max_concurrent_runs", "output_limit", "history", "shutdown_runs", "shutdown_timeout",
        NULL,
};

static int
apply_key(struct jf_ctx *c, const yaml_node_t *k, const yaml_node_t *v,
          struct daemon_config *cfg)
{
        const char *name = jf_text(k);

        if (strcmp(name, "max_concurrent_runs") == 0)
                return jf_read_uint(c, k, v, name, 1, MAX_CONCURRENT_RUNS_MAX,
                                    &cfg->max_concurrent_runs);
        if (strcmp(name, "output_limit") == 0)
                return read_size(c, k, v, name, OUTPUT_LIMIT_MAX, &cfg->output_limit);
        if (strcmp(name, "history") == 0)
                return read_history(c, k, v, name, cfg);
        if (strcmp(name, "shutdown_runs") == 0)
                return read_shutdown_runs(c, k, v, name, &cfg->shutdown_runs);
        if (strcmp(name, "shutdown_timeout") == 0)
                return jf_read_duration(c, k, v, name, NULL, &cfg->shutdown_timeout);
        return 0;       /* unknown: reported by jf_check_mapping() */
}

/* Two likely mix-ups: history's keys at the top, and job-file keys in
 * the daemon's file. */
static const char *
config_key_hint(const char *name, char *buf, size_t size)
{
        for (size_t i = 0; history_keys[i]; i++)
                if (strcmp(name, history_keys[i]) == 0) {
                        (void) snprintf(buf, size, "unknown key '%s' (it belongs in history:)",
                                        name);
                        return buf;
                }
        if (strcmp(name, "jobs") == 0 || strcmp(name, "defaults") == 0) {
                (void) snprintf(buf, size,
                                "unknown key '%s' (jobs are defined in job files in jobs.d)",
                                name);
                return buf;
        }
        return NULL;
}

static int
parse_root(struct jf_ctx *c, const yaml_node_t *root, struct daemon_config *cfg)
{
        int r, q;

        if (jf_is_null(root))
                return 0;       /* "~" alone: as empty */
        r = jf_check_mapping(c, NULL, root, NULL, "a mapping of settings like "
                             "{max_concurrent_runs: 64}", config_keys, config_key_hint);
        if (root->type != YAML_MAPPING_NODE)
                return r;
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
             p < root->data.mapping.pairs.top; p++) {
                yaml_node_t *k = jf_node(c, p->key), *v = jf_node(c, p->value);

                if (k->type != YAML_SCALAR_NODE)
                        continue;
                q = apply_key(c, k, v, cfg);
                r = r < 0 ? r : q;
        }
        return r;
}

/* Moves the first error by position into *reterr and frees the rest. */
static void
take_first_error(struct jf_ctx *c, struct conf_error *reterr)
{
        size_t best = 0;

        if (c->n_errors == 0)
                return;
        for (size_t i = 1; i < c->n_errors; i++)
                if (c->errors[i].line < c->errors[best].line ||
                    (c->errors[i].line == c->errors[best].line &&
                     c->errors[i].column < c->errors[best].column))
                        best = i;
        if (reterr) {
                *reterr = c->errors[best];
                c->errors[best] = (struct conf_error) {};
        }
        for (size_t i = 0; i < c->n_errors; i++)
                conf_error_done(&c->errors[i]);
        free(c->errors);
        c->errors = NULL;
        c->n_errors = c->n_alloc = 0;
}

static void
drop_errors(struct jf_ctx *c)
{
        take_first_error(c, NULL);
}

static int
parse_text(struct jf_ctx *c, const char *text, size_t len, struct daemon_config *cfg)
{
        yaml_document_t doc;
        yaml_node_t *root;
        int r;

        r = jf_load_document(c, text, len, &doc);
        if (r <= 0)
                return r;
        root = yaml_document_get_root_node(&doc);
        c->doc = &doc;
        r = root ? parse_root(c, root, cfg) : 0;
        c->doc = NULL;
        yaml_document_delete(&doc);
        if (r != -ENOMEM && c->steps > JF_MAX_STEPS) {
                /* Whatever else was found came from a walk cut short. */
                drop_errors(c);
                r = jf_error_steps(c);
        }
        return r;
}

/* Turns the context into the result: -ENOMEM, -EINVAL with the first
 * error, or 0 with @cfg copied to *ret. */
static int
finish(struct jf_ctx *c, int r, const struct daemon_config *cfg, struct daemon_config *ret,
       struct conf_error *reterr)
{
        if (r == -ENOMEM || c->oom) {
                drop_errors(c);
                return -ENOMEM;
        }
        if (c->n_errors > 0) {
                take_first_error(c, reterr);
                return -EINVAL;
        }
        *ret = *cfg;
        return 0;
}

int
config_parse(const char *path, const char *text, size_t len, struct daemon_config *ret,
             struct conf_error *reterr)
{
        struct jf_ctx c = { .path = path, .what = "schedd.yaml" };
        struct daemon_config cfg;
        char size[32];
        int r;

        config_init(&cfg);
        if (len > CONFIG_MAX_SIZE) {
                (void) snprintf(size, sizeof size, "%zu", len);
                r = jf_error_too_big(&c, size, CONFIG_MAX_SIZE);
        } else
                r = parse_text(&c, text, len, &cfg);
        return finish(&c, r, &cfg, ret, reterr);
}

int
config_load(const char *path, struct daemon_config *ret, struct conf_error *reterr)
{
        _cleanup_free_ char *buf = NULL;
        char size[32];
        size_t n;
        int r;

        r = jf_read_file(path, CONFIG_MAX_SIZE, &buf, &n, size);
        if (r == -ENOENT) {
                /* Every key is optional, and so is the file (SPEC 1). */
                config_init(ret);
                return 0;
        }
        if (r == -EFBIG) {
                struct jf_ctx c = { .path = path, .what = "schedd.yaml" };

                r = jf_error_too_big(&c, size, CONFIG_MAX_SIZE);
                return finish(&c, r, NULL, ret, reterr);
        }
        if (r < 0)
                return r;
        return config_parse(path, buf, n, ret, reterr);
}
