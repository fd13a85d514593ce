/* util.c - small helpers shared by schedctl's verbs. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int
log_oom(void)
{
        fprintf(stderr, "schedctl: out of memory\n");
        return EXIT_FAIL;
}

int
json_print(json_t *j)
{
        char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

        if (!s)
                return log_oom();
        printf("%s\n", s);
        free(s);
        return EXIT_OK;
}

void
print_conf_errors(const struct jobfile *f, FILE *out)
{
        for (size_t i = 0; i < f->n_errors; i++) {
                const struct conf_error *e = &f->errors[i];

                if (e->line > 0)
                        fprintf(out, "%s:%u:%u: %s\n", e->file, e->line, e->column, e->message);
                else
                        fprintf(out, "%s: %s\n", e->file, e->message);
        }
}

int
parse_count(const char *s, unsigned *ret)
{
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < 1 || v > 1000000)
                return -EINVAL;
        *ret = (unsigned) v;
        return 0;
}

int
parse_from(const char *s, usec_t *ret)
{
        enum time_form form;
        struct civil c;
        usec_t t;

        if (time_parse(s, false, &form, &t, &c) < 0 || form != TIME_ABSOLUTE)
                return -EINVAL;
        *ret = t;
        return 0;
}
