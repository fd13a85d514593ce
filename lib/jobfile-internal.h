/* jobfile-internal.h - what jobfile.c, jobfile-schedule.c and
 * jobfile-util.c share: the parse context, error reporting with libyaml
 * marks, loading a YAML document, and typed readers for YAML nodes.
 *
 * Not installed. Used by lib/jobfile*.c and, for the parts that do not
 * know what a job is (jobfile-util.c), by lib/config.c. Every reader that
 * fails has already recorded one error in the context (or noted that
 * memory ran out) and returns a negative errno: -EINVAL for bad input,
 * -ENOMEM. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "jobfile.h"
#include "macro.h"

/* Reads all of @path, expecting at most @max bytes. Returns 0 and a
 * NUL-terminated copy in *ret (caller frees) with its length in *ret_len;
 * -EFBIG when the file holds more than @max bytes, with its size for a
 * message in @size ("1048577", or "more than 1048576" when the size is
 * not known, as for a pipe); -EISDIR for a directory; or the negative
 * errno of open() or read(). Outputs other than @size are untouched on
 * failure. */
int jf_read_file(const char *path, size_t max, char **ret, size_t *ret_len, char size[static 32]);

/* Key paths in messages ("jobs.backup.schedule.cron") are truncated to
 * this; a path only gets that long with a job id that is itself invalid. */
#define JF_PATH_MAX 320

/* Bounds the work done on one file. A small file can name a big node many
 * times through aliases ("billion laughs"); every mapping pair or list
 * item visited counts one step. */
#define JF_MAX_STEPS (4u * 1024 * 1024)

/* Collections nested deeper than this refuse the file (jobfile.c's
 * check_depth() says why). */
#define JF_MAX_DEPTH 64

struct jf_ctx {
        const char *path;               /* the file, for messages */
        char *shared_path;              /* an rcstr of path, made by the first job; each
                                         * job_def->file holds a reference */
        const char *what;               /* "a job file", "schedd.yaml": the kind, for messages */
        yaml_document_t *doc;
        struct tz_db *db;
        struct conf_error *errors;      /* owned */
        size_t n_errors, n_alloc;
        const struct job_def_extra *last_extra; /* a reference: the previous job's extra keys,
                                         * for the next to share (job_def_extra_share()) */
        bool quiet;                     /* drop errors: re-reading defaults, already reported */
        bool oom;                       /* an allocation failed; the parse returns -ENOMEM */
        size_t steps;
};

/* Loads @text as exactly one YAML document into *ret_doc. Returns 1 with
 * the document loaded (its root is NULL for an empty stream; the caller
 * yaml_document_delete()s it); 0 when the text is refused whole, with one
 * error recorded in @c (not YAML, not UTF-8, nested deeper than
 * JF_MAX_DEPTH, a second document); or -ENOMEM. */
int jf_load_document(struct jf_ctx *c, const char *text, size_t len, yaml_document_t *ret_doc);

/* Records the error for a file over @max bytes (@size as from
 * jf_read_file()). Returns -EINVAL, or -ENOMEM. */
int jf_error_too_big(struct jf_ctx *c, const char *size, size_t max);

/* Records the error for a document whose walk spent JF_MAX_STEPS.
 * Returns -EINVAL, or -ENOMEM. */
int jf_error_steps(struct jf_ctx *c);

/* The node with index @i of the document, or NULL. */
yaml_node_t *jf_node(struct jf_ctx *c, int i);

/* Records "PATH: MESSAGE" at @mark (0-based libyaml mark; stored 1-based,
 * @column_add added to the column). @path may be NULL or "" (top level).
 * Returns -EINVAL, or -ENOMEM if the error could not be stored. */
int jf_error_at(struct jf_ctx *c, const yaml_mark_t *mark, unsigned column_add, const char *path,
                const char *fmt, ...) _printf_(5, 6);

/* Same, at the start of @n. */
int jf_error(struct jf_ctx *c, const yaml_node_t *n, const char *path, const char *fmt, ...)
        _printf_(4, 5);

/* Same as jf_error() for the value of @key: at @value, or at @key when
 * the value is empty ("timeout:" puts libyaml's mark after the colon). */
int jf_error_value(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *value,
                   const char *path, const char *fmt, ...) _printf_(5, 6);

/* Describes @n for "got ..." in messages: "'soon'", "a list", "a mapping",
 * "an empty value", and for typed values (@typed) a quoted scalar as
 * "the quoted string '3'". Returns @buf or a constant. */
const char *jf_describe(const yaml_node_t *n, char *buf, size_t size);
const char *jf_describe_typed(const yaml_node_t *n, char *buf, size_t size);

/* True for a plain scalar that YAML reads as null: "", "~", "null". */
bool jf_is_null(const yaml_node_t *n);

/* True for a plain (unquoted) scalar. */
bool jf_is_plain(const yaml_node_t *n);

/* The scalar's text, NUL-terminated by libyaml. */
static inline const char *
jf_text(const yaml_node_t *n)
{
        return (const char *) n->data.scalar.value;
}

/* "PARENT.KEY" into @buf (of JF_PATH_MAX bytes); returns @buf. */
char *jf_path_join(char *buf, const char *parent, const char *key);
/* "PARENT[I]" into @buf (of JF_PATH_MAX bytes); returns @buf. */
char *jf_path_index(char *buf, const char *parent, size_t i);

/* Counts one step of work; false when the budget of JF_MAX_STEPS is
 * spent (the file is then refused whole). */
bool jf_step(struct jf_ctx *c);

/* Checks that @n is a mapping whose keys are non-empty scalars, each at
 * most once, and each in @known (NULL-terminated) unless @known is NULL.
 * Unknown keys are reported with a suggestion; @hint, if not NULL, is
 * called for an unknown key and may write a whole message of its own
 * into its buffer and return it (or return NULL). Reports
 * every problem found; returns 0 if there was none, else -EINVAL (or
 * -ENOMEM). @what names the mapping for "expected ..." ("a mapping of job
 * keys"). A non-mapping is reported at @key (or @n when @key is NULL). */
int jf_check_mapping(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *n,
                     const char *path, const char *what, const char *const *known,
                     const char *(*hint)(const char *unknown, char *buf, size_t size));

/* For each pair i of mapping @n, stores in (*ret)[i] the index of the
 * first pair with the same scalar key (i itself for a first or a
 * non-scalar key). Sorts, so it stays fast on a mapping of thousands of
 * jobs. Returns 0, or -ENOMEM (*ret untouched). Caller frees *ret. */
int jf_mapping_firsts(const yaml_node_t *n, yaml_document_t *doc, size_t **ret);

/* The closest of @known to @word by edit distance, if close enough to be
 * a likely typo; else NULL. */
const char *jf_suggest(const char *word, const char *const *known);

/* Typed readers. Each takes the key node (for the position of an empty
 * value), the value node and the key path, checks the type, and on
 * success stores the result (freeing any previous string in *ret). */
int jf_read_string(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v,
                   const char *path, char **ret);
int jf_read_bool(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v,
                 const char *path, bool *ret);
/* An integer in [min, max]. */
int jf_read_uint(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v,
                 const char *path, unsigned min, unsigned max, unsigned *ret);
/* A duration: duration_parse() text; a bare number means seconds. With
 * @none, the word "none" is also accepted and stored as USEC_INFINITY. */
int jf_read_duration(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v,
                     const char *path, const char *none, usec_t *ret);
/* A finite number >= @min (plain scalar, decimal, fraction allowed). */
int jf_read_number(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v,
                   const char *path, double min, double *ret);

/* Parses the schedule mapping @v of job @d (SPEC section 3): fills
 * d->trigger, d->schedule_text and d->timezone. d->timezone on entry is
 * the file's default zone (NULL: local). */
int jf_schedule_parse(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v,
                      const char *path, struct job_def *d);

/* Frees the argv of @c and empties it. */
void jf_command_done(struct job_command *c);


/* Checks the defaults mapping @defaults (the value of key @k), reporting
 * its errors. Returns 0 if it is fine, else -EINVAL or -ENOMEM. */
int jf_parse_defaults(struct jf_ctx *c, const yaml_node_t *k, const yaml_node_t *defaults);

/* Parses job @k: @v, with the (already checked) mapping @defaults applied
 * first; @defaults may be NULL. Returns 0 and a new job in *ret (caller
 * owns), or -EINVAL with the errors recorded, or -ENOMEM; *ret untouched
 * on failure. */
int jf_parse_job(struct jf_ctx *c, const yaml_node_t *defaults, const yaml_node_t *k,
                 const yaml_node_t *v, struct job_def **ret);
