/* verb-reload.c - "schedctl reload [--check]": reload the job files.
 *
 * The daemon reloads each file atomically; a file with an error keeps its
 * previous version running (SPEC 5). This prints the errors per file as
 * FILE:LINE:COLUMN: message on stderr, then the jobs added, changed and
 * removed on stdout ("would be" with --check, which changes nothing), and
 * exits 1 if any file had an error. With --json, the Reload reply's
 * parameters, and the same exit status. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "proto.h"

/* "  added:   a, b" if @ids is not empty; returns whether it printed. */
static bool
print_ids(const char *label, json_t *ids)
{
        json_t *v;
        size_t i;

        if (json_array_size(ids) == 0)
                return false;
        printf("%-22s", label);
        json_array_foreach(ids, i, v)
                printf("%s%s", i ? ", " : "", json_string_value(v) ? json_string_value(v) : "?");
        printf("\n");
        return true;
}

int
verb_reload(const struct cli_options *o, int argc, char *argv[])
{
        static const struct option options[] = {
                { "check", no_argument, NULL, 'c' },
                { "help",  no_argument, NULL, 'h' },
                {}
        };
        static const char usage_text[] = "Usage: schedctl reload [--check]\n";
        _cleanup_(json_decrefp) json_t *p = NULL;
        bool check = false, any;
        json_t *errors;
        int c, r;

        while ((c = getopt_long(argc, argv, "hc", options, NULL)) >= 0) {
                switch (c) {
                case 'c': check = true; break;
                case 'h': fputs(usage_text, stdout); return EXIT_OK;
                default:  fputs(usage_text, stderr); return EXIT_USAGE;
                }
        }
        if (optind < argc) {
                fputs(usage_text, stderr);
                return EXIT_USAGE;
        }
        r = client_call1(o, PROTO_M_RELOAD, json_pack("{s:b}", "check", check), &p);
        if (r != EXIT_OK)
                return r;
        errors = json_object_get(p, "errors");
        if (o->json) {
                (void) json_print(p);
                return json_array_size(errors) > 0 ? EXIT_FAIL : EXIT_OK;
        }

        print_file_errors(errors, stderr);
        any = print_ids(check ? "Would add:" : "Added:", json_object_get(p, "added"));
        any |= print_ids(check ? "Would change:" : "Changed:", json_object_get(p, "changed"));
        any |= print_ids(check ? "Would remove:" : "Removed:", json_object_get(p, "removed"));
        if (!any)
                printf(check ? "Nothing would change.\n" : "No job changed.\n");
        if (json_array_size(errors) > 0) {
                fprintf(stderr, "schedctl: %zu error(s) in the job files; %s\n", json_array_size(errors),
                        check ? "reloading would keep the previous version of those jobs"
                              : "the previous version of those jobs stays loaded");
                return EXIT_FAIL;
        }
        return EXIT_OK;
}
