/* verb-watch.c - "schedctl watch": print the daemon's events as they happen.
 *
 * One line an event: local time, kind, job, run and message, e.g.
 *   2026-12-01 21:00:00 UTC  run-finished  backup  run 42 failed (exited with status 3)
 * With --json, each event's parameters as one compact JSON object a line
 * (JSON Lines), so `schedctl --json watch | jq` and line-based tools both
 * work. Runs until interrupted; SIGINT (Ctrl-C) and SIGTERM end it with
 * exit status 0. Each line is flushed at once, for pipes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "proto.h"
#include "time.h"

static int
on_event(json_t *p, bool continues, void *userdata)
{
        const struct cli_options *o = userdata;
        const char *kind = json_str(p, "kind"), *job = json_str(p, "job"), *msg = json_str(p, "message"),
                   *time_text = json_str(p, "time");
        const json_t *run = json_object_get(p, "run");
        char when[64], result[512];
        enum time_form form;
        struct civil civ;
        usec_t t;

        (void) continues;
        if (o->json) {
                char *s = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
                if (!s)
                        return log_oom();
                printf("%s\n", s);
                free(s);
        } else {
                if (time_text && time_parse(time_text, false, &form, &t, &civ) >= 0 && form == TIME_ABSOLUTE)
                        format_local(t, when, sizeof when);
                else
                        format_local(now_usec(), when, sizeof when);
                printf("%s  %-12s  %s", when, kind ? kind : "?", job ? job : "-");
                if (json_is_object(run)) {
                        const char *state = json_str(run, "state");
                        printf("  run %lld ", (long long) json_int_or(run, "id", 0));
                        print_colored(stdout, state_color(state), format_result(run, result, sizeof result));
                }
                if (msg && *msg)
                        printf("  %s", msg);
                printf("\n");
        }
        fflush(stdout);
        return EXIT_OK;
}

int
verb_watch(const struct cli_options *o, int argc, char *argv[])
{
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                fputs("Usage: schedctl watch\n", c == 'h' ? stdout : stderr);
                return c == 'h' ? EXIT_OK : EXIT_USAGE;
        }
        if (optind < argc) {
                fputs("Usage: schedctl watch\n", stderr);
                return EXIT_USAGE;
        }
        client_catch_interrupt();
        r = client_call(o, PROTO_M_WATCH, NULL, true, on_event, (void *) o);
        if (r == EXIT_OK && !client_interrupted) {
                fprintf(stderr, "schedctl: schedd ended the event stream\n");
                return EXIT_UNREACHABLE;
        }
        return r;
}
