/* cli.h - what schedctl's verbs share. */
#pragma once

#include <stdbool.h>

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
