/* jobfile-util.c - error reporting and typed readers for the job-file
 * parser: the parts of YAML handling that do not know what a job is.
 *
 * libyaml's document API hands us untyped nodes: every scalar is text with
 * a style. We resolve types as YAML 1.2's core schema does for the few we
 * need (null, bool, integer, number), and only for plain scalars, so a
 * quoted "true" stays a string. Marks are 0-based; errors are 1-based.
 * Reading a file is here too, shared with lib/config.c; loading its one
 * document is jobfile-load.c. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jobfile-internal.h"

yaml_node_t *
jf_node(struct jf_ctx *c, int i)
{
        return yaml_document_get_node(c->doc, i);
}

static int
error_va(struct jf_ctx *c, unsigned line, unsigned column, const char *path, const char *fmt,
         va_list ap)
{
        _cleanup_free_ char *msg = NULL, *full = NULL, *file = NULL;
        struct conf_error *e;

        if (c->quiet)
                return -EINVAL;

        if (vasprintf(&msg, fmt, ap) < 0) {
                msg = NULL;
                goto oom;
        }
        if (path && *path) {
                if (asprintf(&full, "%s: %s", path, msg) < 0) {
                        full = NULL;
                        goto oom;
                }
        } else
                full = TAKE_PTR(msg);
        file = strdup(c->path);
        if (!file)
                goto oom;

        if (c->n_errors == c->n_alloc) {
                size_t n = c->n_alloc ? c->n_alloc * 2 : 8;
                struct conf_error *a = reallocarray(c->errors, n, sizeof *a);
                if (!a)
                        goto oom;
                c->errors = a;
                c->n_alloc = n;
        }
        e = &c->errors[c->n_errors++];
        *e = (struct conf_error) {
                .file = TAKE_PTR(file),
                .line = line,
                .column = column,
                .message = TAKE_PTR(full),
        };
        return -EINVAL;
oom:
        c->oom = true;
        return -ENOMEM;
}

int
jf_error_at(struct jf_ctx *c, const yaml_mark_t *mark, unsigned column_add, const char *path,
            const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = error_va(c, mark ? mark->line + 1 : 0, mark ? mark->column + 1 + column_add : 0,
                     path, fmt, ap);
        va_end(ap);
        return r;
}

int
jf_error(struct jf_ctx *c, const yaml_node_t *n, const char *path, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = error_va(c, n->start_mark.line + 1, n->start_mark.column + 1, path, fmt, ap);
        va_end(ap);
        return r;
}

int
jf_error_value(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *value,
               const char *path, const char *fmt, ...)
{
        const yaml_node_t *at = key && jf_is_null(value) && !*jf_text(value) ? key : value;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = error_va(c, at->start_mark.line + 1, at->start_mark.column + 1, path, fmt, ap);
        va_end(ap);
        return r;
}

bool
jf_is_plain(const yaml_node_t *n)
{
        return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

bool
jf_is_null(const yaml_node_t *n)
{
        static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };

        if (!jf_is_plain(n))
                return false;
        for (size_t i = 0; i < ELEMENTSOF(nulls); i++)
                if (strcmp(jf_text(n), nulls[i]) == 0)
                        return true;
        return false;
}

const char *
jf_describe(const yaml_node_t *n, char *buf, size_t size)
{
        const char *s;
        size_t k = 0, max;

        switch (n->type) {
        case YAML_SEQUENCE_NODE:
                return "a list";
        case YAML_MAPPING_NODE:
                return "a mapping";
        case YAML_SCALAR_NODE:
                break;
        default:
                return "nothing";
        }
        if (jf_is_null(n))
                return "an empty value";

        /* 'text', at most 40 characters, control characters shown as '?'. */
        assert(size >= 8);
        max = MIN(size - 6, (size_t) 40);
        buf[k++] = '\'';
        for (s = jf_text(n); *s && k < max + 1; s++)
                buf[k++] = (unsigned char) *s < 0x20 || *s == 0x7f ? '?' : *s;
        if (*s) {
                memcpy(buf + k, "...", 3);
                k += 3;
        }
        buf[k++] = '\'';
        buf[k] = 0;
        return buf;
}

const char *
jf_describe_typed(const yaml_node_t *n, char *buf, size_t size)
{
        char inner[64];

        if (n->type != YAML_SCALAR_NODE || jf_is_plain(n))
                return jf_describe(n, buf, size);
        (void) snprintf(buf, size, "the quoted string %s", jf_describe(n, inner, sizeof inner));
        return buf;
}

/* Appends @s to the @n bytes already in @buf, truncating at JF_PATH_MAX
 * as snprintf() would; returns the new length. */
static size_t
path_append(char *buf, size_t n, const char *s, size_t len)
{
        len = MIN(len, JF_PATH_MAX - 1 - n);
        memcpy(buf + n, s, len);
        buf[n + len] = 0;
        return n + len;
}

/* By hand, not snprintf(): every key of every job is joined, and at
 * 10,000 jobs snprintf() was a twentieth of the start-up. */
char *
jf_path_join(char *buf, const char *parent, const char *key)
{
        size_t n = 0;

        if (parent && *parent) {
                n = path_append(buf, n, parent, strlen(parent));
                n = path_append(buf, n, ".", 1);
        }
        (void) path_append(buf, n, key, strlen(key));
        return buf;
}

char *
jf_path_index(char *buf, const char *parent, size_t i)
{
        char digits[24], *p = digits + sizeof digits;
        size_t n;

        *--p = ']';
        do
                *--p = (char) ('0' + i % 10);
        while (i /= 10);
        *--p = '[';
        n = path_append(buf, 0, parent, strlen(parent));
        (void) path_append(buf, n, p, (size_t) (digits + sizeof digits - p));
        return buf;
}

bool
jf_step(struct jf_ctx *c)
{
        /* The caller gives up; jobfile_parse() sees the count and refuses
         * the file with one error. */
        if (c->steps > JF_MAX_STEPS)
                return false;
        return ++c->steps <= JF_MAX_STEPS;
}

struct key_ref {
        const char *key;        /* NULL: not a scalar */
        size_t index;
};

static int
key_ref_cmp(const void *a, const void *b)
{
        const struct key_ref *x = a, *y = b;
        int r;

        if (!x->key || !y->key)
                r = !!x->key - !!y->key;
        else
                r = strcmp(x->key, y->key);
        if (r != 0)
                return r;
        return x->index < y->index ? -1 : x->index > y->index;
}

int
jf_mapping_firsts(const yaml_node_t *n, yaml_document_t *doc, size_t **ret)
{
        size_t count = n->data.mapping.pairs.top - n->data.mapping.pairs.start;
        _cleanup_free_ struct key_ref *refs = NULL;
        _cleanup_free_ size_t *firsts = NULL;

        refs = calloc(count ? count : 1, sizeof *refs);
        firsts = calloc(count ? count : 1, sizeof *firsts);
        if (!refs || !firsts)
                return -ENOMEM;
        for (size_t i = 0; i < count; i++) {
                yaml_node_t *k = yaml_document_get_node(doc, n->data.mapping.pairs.start[i].key);
                refs[i].key = k && k->type == YAML_SCALAR_NODE ? jf_text(k) : NULL;
                refs[i].index = i;
                firsts[i] = i;
        }
        qsort(refs, count, sizeof *refs, key_ref_cmp);
        for (size_t i = 1; i < count; i++)
                if (refs[i].key && refs[i - 1].key && strcmp(refs[i].key, refs[i - 1].key) == 0)
                        firsts[refs[i].index] = firsts[refs[i - 1].index];
        *ret = TAKE_PTR(firsts);
        return 0;
}

/* Levenshtein distance, capped: anything over 3 is "far". */
static unsigned
edit_distance(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);
        unsigned row[33];

        if (la > 32 || lb > 32)
                return 99;
        for (size_t j = 0; j <= lb; j++)
                row[j] = j;
        for (size_t i = 1; i <= la; i++) {
                unsigned diag = row[0];
                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        unsigned up = row[j];
                        unsigned best = diag + (a[i - 1] != b[j - 1]);
                        best = MIN(best, up + 1);
                        best = MIN(best, row[j - 1] + 1);
                        row[j] = best;
                        diag = up;
                }
        }
        return row[lb];
}

const char *
jf_suggest(const char *word, const char *const *known)
{
        const char *best = NULL;
        unsigned best_d = 99, limit;

        /* One typo per three letters, at most two: "comand" -> "command",
         * but "dir" is not offered "user". */
        limit = MIN(strlen(word) / 3, (size_t) 2);
        if (limit == 0)
                limit = 1;
        for (const char *const *k = known; *k; k++) {
                unsigned d = edit_distance(word, *k);
                if (d < best_d) {
                        best_d = d;
                        best = *k;
                }
        }
        return best_d <= limit ? best : NULL;
}

int
jf_check_mapping(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *n,
                 const char *path, const char *what, const char *const *known,
                 const char *(*hint)(const char *unknown, char *buf, size_t size))
{
        _cleanup_free_ size_t *firsts = NULL;
        char got[64];
        size_t count;
        int r = 0, k;

        if (n->type != YAML_MAPPING_NODE)
                return key ? jf_error_value(c, key, n, path, "expected %s, got %s", what,
                                            jf_describe(n, got, sizeof got))
                           : jf_error(c, n, path, "expected %s, got %s", what,
                                      jf_describe(n, got, sizeof got));

        if (jf_mapping_firsts(n, c->doc, &firsts) < 0) {
                c->oom = true;
                return -ENOMEM;
        }
        count = n->data.mapping.pairs.top - n->data.mapping.pairs.start;
        for (size_t i = 0; i < count; i++) {
                yaml_node_t *kn = jf_node(c, n->data.mapping.pairs.start[i].key);
                const char *name;

                if (!jf_step(c))
                        return -EINVAL;
                if (!kn || kn->type != YAML_SCALAR_NODE || !*jf_text(kn)) {
                        k = jf_error(c, kn ? kn : n, path, "expected a key name, got %s",
                                     kn ? jf_describe(kn, got, sizeof got) : "nothing");
                        r = r < 0 ? r : k;
                        continue;
                }
                name = jf_text(kn);
                if (firsts[i] != i) {
                        yaml_node_t *first = jf_node(c, n->data.mapping.pairs.start[firsts[i]].key);
                        k = jf_error(c, kn, path, "duplicate key '%s' (first at %zu:%zu)", name,
                                     first->start_mark.line + 1, first->start_mark.column + 1);
                        r = r < 0 ? r : k;
                        continue;
                }
                if (known) {
                        bool found = false;
                        for (const char *const *p = known; *p && !found; p++)
                                found = strcmp(*p, name) == 0;
                        if (!found) {
                                char hbuf[160];
                                const char *h = hint ? hint(name, hbuf, sizeof hbuf) : NULL;
                                const char *s = h ? NULL : jf_suggest(name, known);
                                if (h)
                                        k = jf_error(c, kn, path, "%s", h);
                                else if (s)
                                        k = jf_error(c, kn, path, "unknown key '%s' "
                                                     "(did you mean '%s'?)", name, s);
                                else
                                        k = jf_error(c, kn, path, "unknown key '%s'", name);
                                r = r < 0 ? r : k;
                        }
                }
        }
        return r;
}

static int
expect_scalar(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v, const char *path,
              const char *what)
{
        char got[64];

        if (v->type != YAML_SCALAR_NODE || jf_is_null(v))
                return jf_error_value(c, key, v, path, "expected %s, got %s", what,
                                      jf_describe(v, got, sizeof got));
        if (strlen(jf_text(v)) != v->data.scalar.length)
                return jf_error(c, v, path, "expected %s, got a string with a NUL byte", what);
        return 0;
}

int
jf_read_string(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v, const char *path,
               char **ret)
{
        char *s;
        int r;

        r = expect_scalar(c, key, v, path, "a string");
        if (r < 0)
                return r;
        s = strdup(jf_text(v));
        if (!s) {
                c->oom = true;
                return -ENOMEM;
        }
        free(*ret);
        *ret = s;
        return 0;
}

int
jf_read_bool(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v, const char *path,
             bool *ret)
{
        static const char *const yes[] = { "true", "True", "TRUE" };
        static const char *const no[] = { "false", "False", "FALSE" };
        char got[64];

        if (jf_is_plain(v)) {
                for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                        if (strcmp(jf_text(v), yes[i]) == 0) {
                                *ret = true;
                                return 0;
                        }
                for (size_t i = 0; i < ELEMENTSOF(no); i++)
                        if (strcmp(jf_text(v), no[i]) == 0) {
                                *ret = false;
                                return 0;
                        }
        }
        return jf_error_value(c, key, v, path, "expected true or false, got %s",
                              jf_describe_typed(v, got, sizeof got));
}

int
jf_read_uint(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v, const char *path,
             unsigned min, unsigned max, unsigned *ret)
{
        char got[64];
        unsigned long long n = 0;
        const char *s;

        if (!jf_is_plain(v) || jf_is_null(v))
                goto bad;
        s = jf_text(v);
        if (*s == '+')
                s++;
        if (!*s)
                goto bad;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        goto bad;
                n = n * 10 + (unsigned) (*s - '0');
                if (n > max)
                        goto bad;
        }
        if (n < min)
                goto bad;
        *ret = (unsigned) n;
        return 0;
bad:
        if (max == UINT32_MAX)
                return jf_error_value(c, key, v, path, "expected an integer %u or more, got %s",
                                      min, jf_describe_typed(v, got, sizeof got));
        return jf_error_value(c, key, v, path, "expected an integer %u-%u, got %s", min, max,
                              jf_describe_typed(v, got, sizeof got));
}

int
jf_read_duration(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v, const char *path,
                 const char *none, usec_t *ret)
{
        char got[64];
        usec_t d;
        int r;

        if (v->type == YAML_SCALAR_NODE && !jf_is_null(v)) {
                if (none && strcmp(jf_text(v), none) == 0) {
                        *ret = USEC_INFINITY;
                        return 0;
                }
                r = duration_parse(jf_text(v), &d);
                if (r == -ERANGE)
                        return jf_error(c, v, path, "duration %s is too long",
                                        jf_describe(v, got, sizeof got));
                if (r >= 0 && strlen(jf_text(v)) == v->data.scalar.length) {
                        *ret = d;
                        return 0;
                }
        }
        /* "unlimited" is part of misfire_grace's documented type; "none"
         * (timeout, max_delay) only undoes a default, and is left out of
         * the message to keep it short. */
        if (none && strcmp(none, "unlimited") == 0)
                return jf_error_value(c, key, v, path,
                                      "expected a duration like 30s or 1h30m, or '%s', got %s",
                                      none, jf_describe(v, got, sizeof got));
        return jf_error_value(c, key, v, path, "expected a duration like 30s or 1h30m, got %s",
                              jf_describe(v, got, sizeof got));
}

int
jf_read_number(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v, const char *path,
               double min, double *ret)
{
        char got[64], *end;
        const char *s;
        double x;

        if (!jf_is_plain(v) || jf_is_null(v))
                goto bad;
        s = jf_text(v);
        /* Decimal only: strtod() would also take "inf", "nan" and hex. */
        if (strspn(s, "+-0123456789.eE") != strlen(s))
                goto bad;
        errno = 0;
        x = strtod(s, &end);
        if (errno != 0 || end == s || *end || !isfinite(x) || x < min)
                goto bad;
        *ret = x;
        return 0;
bad:
        return jf_error_value(c, key, v, path, "expected a number %g or more, got %s", min,
                              jf_describe_typed(v, got, sizeof got));
}

/* --- files and documents ---------------------------------------------------- */

int
jf_read_file(const char *path, size_t max, char **ret, size_t *ret_len, char size[static 32])
{
        _cleanup_free_ char *buf = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t n = 0;
        struct stat st;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;

        /* Read one byte more than allowed, to tell "exactly @max" from
         * "more"; also for files whose st_size says nothing (pipes). */
        buf = malloc(max + 2);
        if (!buf)
                return -ENOMEM;
        while (n < max + 1) {
                ssize_t k = read(fd, buf + n, max + 1 - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                n += k;
        }
        if (n > max) {
                if (S_ISREG(st.st_mode) && (uintmax_t) st.st_size > max)
                        (void) snprintf(size, 32, "%jd", (intmax_t) st.st_size);
                else
                        (void) snprintf(size, 32, "more than %zu", max);
                return -EFBIG;
        }
        buf[n] = 0;
        *ret = TAKE_PTR(buf);
        *ret_len = n;
        return 0;
}

int
jf_error_too_big(struct jf_ctx *c, const char *size, size_t max)
{
        char human[32];

        if (max % (1024 * 1024) == 0)
                (void) snprintf(human, sizeof human, "%zu MiB", max / (1024 * 1024));
        else
                (void) snprintf(human, sizeof human, "%zu KiB", max / 1024);
        return jf_error_at(c, NULL, 0, NULL, "file is too big: %s bytes, at most %zu (%s) allowed",
                           size, max, human);
}

int
jf_error_steps(struct jf_ctx *c)
{
        return jf_error_at(c, NULL, 0, NULL,
                           "too many nodes after expanding aliases, at most %u allowed",
                           JF_MAX_STEPS);
}
