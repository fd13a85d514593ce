/* cli.h - what schedctl's verbs share. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

/* Exit statuses, SPEC section 7. */
enum {
        EXIT_OK = 0,
        EXIT_FAIL = 1,          /* a failed run, a validation error, an unknown job */
        EXIT_USAGE = 2,
        EXIT_UNREACHABLE = 3,   /* the daemon is not reachable */
};

struct cli_options {
        const char *socket;     /* NULL: the mode's default */
        bool json;
};

struct verb {
        const char *name;
        int (*run)(const struct cli_options *o, int argc, char *argv[]);
};

int verb_next(const struct cli_options *o, int argc, char *argv[]);
int verb_validate(const struct cli_options *o, int argc, char *argv[]);

#include <jansson.h>

#include "jobfile.h"
#include "time.h"
#include "tz.h"

/* jansson provides json_decrefp() for _cleanup_. */

static inline void
tz_db_freep(struct tz_db **db)
{
        tz_db_free(*db);
}

/* Prints "schedctl: out of memory" and returns EXIT_FAIL. */
int log_oom(void);

/* Prints @j on stdout, indented, with a newline. Returns EXIT_OK. */
int json_print(json_t *j);

/* Prints each error of @f as FILE:LINE:COLUMN: message. */
void print_conf_errors(const struct jobfile *f, FILE *out);

/* A positive count ("-n 5"). Returns 0 or -EINVAL. */
int parse_count(const char *s, unsigned *ret);

/* An instant for --from: RFC 3339 with an offset, or @UNIXSECONDS.
 * Returns 0 or -EINVAL. */
int parse_from(const char *s, usec_t *ret);

/* For commands that need the daemon, until there is a protocol: says that
 * no daemon could be reached and returns EXIT_UNREACHABLE. */
int daemon_unreachable(const struct cli_options *o);
