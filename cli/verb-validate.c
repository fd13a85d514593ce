/* verb-validate.c - "schedctl validate FILE...": check job files offline.
 *
 * Loads every file exactly as the daemon would (same parser, same 1 MiB
 * cap, zones from /usr/share/zoneinfo), then checks that no job id is
 * defined twice across the files given. Errors go to stderr as
 * FILE:LINE:COLUMN: message, like a compiler's, in the order of the files
 * on the command line; success prints nothing. With --json, stdout gets a
 * JSON array of {file, line, column, message} instead (line and column
 * null when unknown), "[]" on success. Exit 0 if all is well, 1 on any
 * error (a file that cannot be read included), 2 on a usage error. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jobfile.h"
#include "macro.h"
#include "tz.h"

static void
usage(FILE *f)
{
        fprintf(f, "Usage: schedctl [--json] validate FILE...\n");
}

/* Makes @f a refused file with the single error @message (no position). */
static int
file_unreadable(struct jobfile *f, const char *path, int error)
{
        *f = (struct jobfile) { .refused = true };
        f->path = strdup(path);
        f->errors = calloc(1, sizeof *f->errors);
        if (!f->path || !f->errors)
                return -ENOMEM;
        f->n_errors = 1;
        f->errors[0].file = strdup(path);
        if (asprintf(&f->errors[0].message, "cannot read file: %s", strerror(-error)) < 0)
                f->errors[0].message = NULL;
        if (!f->errors[0].file || !f->errors[0].message)
                return -ENOMEM;
        return 0;
}

static int
print_json(const struct jobfile *files, size_t n)
{
        json_t *a = json_array();
        char *s;

        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < files[i].n_errors; j++) {
                        const struct conf_error *e = &files[i].errors[j];
                        json_t *line = e->line ? json_integer(e->line) : json_null();
                        json_t *column = e->line ? json_integer(e->column) : json_null();
                        /* "o" steals the references to line and column. */
                        json_t *o = json_pack("{s:s, s:o, s:o, s:s}", "file", e->file,
                                              "line", line, "column", column,
                                              "message", e->message);
                        if (!o || json_array_append_new(a, o) < 0) {
                                json_decref(a);
                                return -ENOMEM;
                        }
                }
        s = json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(a);
        if (!s)
                return -ENOMEM;
        printf("%s\n", s);
        free(s);
        return 0;
}

int
verb_validate(const struct cli_options *o, int argc, char *argv[])
{
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                {}
        };
        struct tz_db *db = NULL;
        struct jobfile *files = NULL;
        size_t n = 0, n_errors = 0;
        int c, r, ret = EXIT_FAIL;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        usage(stdout);
                        return EXIT_OK;
                default:
                        usage(stderr);
                        return EXIT_USAGE;
                }
        if (optind >= argc) {
                fprintf(stderr, "schedctl validate: no files given\n");
                usage(stderr);
                return EXIT_USAGE;
        }

        r = tz_db_new(NULL, &db);
        if (r < 0) {
                fprintf(stderr, "schedctl: failed to set up the time zone database: %s\n",
                        strerror(-r));
                return EXIT_FAIL;
        }
        files = calloc(argc - optind, sizeof *files);
        if (!files)
                goto oom;

        for (int i = optind; i < argc; i++, n++) {
                r = jobfile_load(argv[i], db, &files[n]);
                if (r == -ENOMEM)
                        goto oom;
                if (r < 0 && file_unreadable(&files[n], argv[i], r) < 0) {
                        n++;
                        goto oom;
                }
        }
        r = jobfile_check_duplicates(files, n);
        if (r < 0)
                goto oom;

        for (size_t i = 0; i < n; i++)
                n_errors += files[i].n_errors;
        if (o->json) {
                if (print_json(files, n) < 0)
                        goto oom;
        } else
                for (size_t i = 0; i < n; i++)
                        print_conf_errors(&files[i], stderr);
        ret = n_errors > 0 ? EXIT_FAIL : EXIT_OK;
        goto done;

oom:
        fprintf(stderr, "schedctl: out of memory\n");
        ret = EXIT_FAIL;
done:
        for (size_t i = 0; files && i < n; i++)
                jobfile_done(&files[i]);
        free(files);
        tz_db_free(db);
        return ret;
}
