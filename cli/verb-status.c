/* verb-status.c - "schedctl status": how the daemon is doing.
 *
 * Prints the daemon's version and mode, its uptime, the job counts, the
 * runs going on, the next firing, whether the state database refuses
 * writes, and the errors of the last load of the job files as
 * FILE:LINE:COLUMN: message. Errors in job files do not make status fail:
 * the daemon is up and saying so is the command's job (reload and
 * validate exit 1 on them). With --json, the Status reply's parameters. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "proto.h"

void
print_file_errors(json_t *errors, FILE *f)
{
        json_t *e;
        size_t i;

        json_array_foreach(errors, i, e) {
                const char *file = json_str(e, "file"), *msg = json_str(e, "message");
                int64_t line, col;

                if (json_int(e, "line", &line) && json_int(e, "column", &col))
                        fprintf(f, "%s:%lld:%lld: %s\n", file ? file : "?", (long long) line, (long long) col,
                                msg ? msg : "");
                else
                        fprintf(f, "%s: %s\n", file ? file : "?", msg ? msg : "");
        }
}

int
verb_status(const struct cli_options *o, int argc, char *argv[])
{
        _cleanup_(json_decrefp) json_t *p = NULL;
        char buf[96], up[48];
        json_t *next, *errors;
        int64_t uptime;
        int r;

        (void) argv;
        if (argc > 1) {
                fprintf(stderr, "Usage: schedctl status\n");
                return EXIT_USAGE;
        }
        r = client_call1(o, PROTO_M_STATUS, NULL, &p);
        if (r != EXIT_OK)
                return r;
        if (o->json)
                return json_print(p);

        uptime = json_int_or(p, "uptime_usec", 0);
        printf("schedd %s (%s mode), up %s\n", json_str(p, "version") ? json_str(p, "version") : "?",
               json_str(p, "mode") ? json_str(p, "mode") : "?", format_span(uptime, up, sizeof up));
        printf("Jobs:     %lld (%lld paused)\n", (long long) json_int_or(p, "jobs", 0),
               (long long) json_int_or(p, "paused", 0));
        printf("Running:  %lld\n", (long long) json_int_or(p, "running", 0));
        next = json_object_get(p, "next");
        if (json_is_object(next)) {
                int64_t t = json_int_or(next, "time_usec", 0);
                printf("Next:     %s at %s\n", json_str(next, "job") ? json_str(next, "job") : "?",
                       format_when(t, now_usec(), buf, sizeof buf));
        } else
                printf("Next:     -\n");
        if (json_is_true(json_object_get(p, "degraded"))) {
                printf("Database: ");
                print_colored(stdout, state_color("failed"), "degraded");
                printf(": the state database refuses writes; jobs still fire (see the log)\n");
        }
        errors = json_object_get(p, "errors");
        if (json_array_size(errors) > 0) {
                printf("Errors in job files (their previous versions, if any, stay loaded):\n");
                print_file_errors(errors, stdout);
        }
        return EXIT_OK;
}
