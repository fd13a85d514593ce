/* verb-run.c - "schedctl run" and the daemon's side of "schedctl next".
 *
 *   run JOB [--wait] [--force]   fire now; --force overrides max_instances
 *   next JOB [-n N]              the next N firings as the daemon sees them
 *
 * "run" without --wait prints the run id and returns at once. With --wait
 * it stays connected until the run ends, then prints the kept output tail
 * on stdout and one line on stderr saying how it ended, and exits with
 * the run's exit status: 0 if it succeeded, its status if it exited
 * non-zero, 1 if it failed without one (killed by a signal, timed out, or
 * never started). Interrupting schedctl does not stop the run. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "proto.h"

struct wait_state {
        const struct cli_options *o;
        const char *job;
        json_t *final;          /* owned: the last reply's parameters */
        bool announced;
};

static int
on_run_reply(json_t *p, bool continues, void *userdata)
{
        struct wait_state *w = userdata;
        json_t *run = json_object_get(p, "run");

        if (continues) {
                /* Progress goes to a terminal only: scripts want the output. */
                if (!w->announced && !w->o->json && isatty(STDERR_FILENO)) {
                        fprintf(stderr, "Run %lld of '%s' %s; waiting for it to end...\n",
                                (long long) json_int_or(run, "id", 0), w->job,
                                json_str(run, "state") ? json_str(run, "state") : "started");
                        w->announced = true;
                }
                return EXIT_OK;
        }
        json_decref(w->final);
        w->final = json_incref(p);
        return EXIT_OK;
}

/* The exit status --wait ends with (SPEC 7). */
static int
run_exit_status(const json_t *run)
{
        const char *state = json_str(run, "state");
        int64_t status;

        if (state && strcmp(state, "succeeded") == 0)
                return EXIT_OK;
        if (json_int(run, "exit_status", &status) && status > 0 && status < 256 &&
            !json_is_true(json_object_get(run, "timed_out")))
                return (int) status;
        return EXIT_FAIL;
}

static int
run_wait(const struct cli_options *o, const char *job, bool force)
{
        struct wait_state w = { .o = o, .job = job };
        _cleanup_(json_decrefp) json_t *final = NULL;
        const json_t *run;
        const char *out, *state;
        char result[512], len[32];
        int64_t start, end;
        size_t n;
        int r;

        r = client_call(o, PROTO_M_RUN, json_pack("{s:s, s:b, s:b}", "id", job, "force", force, "wait", 1),
                        true, on_run_reply, &w);
        final = w.final;
        if (r != EXIT_OK)
                return r;
        if (!final) {
                fprintf(stderr, "schedctl: schedd ended the call before the run ended\n");
                return EXIT_UNREACHABLE;
        }
        run = json_object_get(final, "run");
        if (o->json) {
                (void) json_print(final);
                return run_exit_status(run);
        }

        out = json_str(final, "output");
        n = json_string_length(json_object_get(final, "output"));
        if (out && n > 0) {
                fwrite(out, 1, n, stdout);
                if (out[n - 1] != '\n')
                        putchar('\n');
        }
        fflush(stdout);
        state = json_str(run, "state");
        len[0] = 0;
        if (json_int(run, "start_usec", &start) && json_int(run, "end_usec", &end))
                format_span(end - start, len, sizeof len);
        fprintf(stderr, "Run %lld of '%s' %s%s%s.\n", (long long) json_int_or(run, "id", 0), job,
                state && strcmp(state, "succeeded") == 0 ? "succeeded" : format_result(run, result, sizeof result),
                *len ? " after " : "", len);
        return run_exit_status(run);
}

int
verb_run(const struct cli_options *o, int argc, char *argv[])
{
        static const struct option options[] = {
                { "wait",  no_argument, NULL, 'w' },
                { "force", no_argument, NULL, 'f' },
                { "help",  no_argument, NULL, 'h' },
                {}
        };
        static const char usage_text[] = "Usage: schedctl run JOB [--wait] [--force]\n";
        _cleanup_(json_decrefp) json_t *p = NULL;
        bool wait = false, force = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "hwf", options, NULL)) >= 0) {
                switch (c) {
                case 'w': wait = true; break;
                case 'f': force = true; break;
                case 'h': fputs(usage_text, stdout); return EXIT_OK;
                default:  fputs(usage_text, stderr); return EXIT_USAGE;
                }
        }
        if (argc - optind != 1) {
                fputs(usage_text, stderr);
                return EXIT_USAGE;
        }
        if (wait)
                return run_wait(o, argv[optind], force);

        r = client_call1(o, PROTO_M_RUN, json_pack("{s:s, s:b}", "id", argv[optind], "force", force), &p);
        if (r != EXIT_OK)
                return r;
        if (o->json)
                return json_print(p);
        printf("Started run %lld of '%s'.\n", (long long) json_int_or(json_object_get(p, "run"), "id", 0),
               argv[optind]);
        return EXIT_OK;
}

int
next_online(const struct cli_options *o, const char *job, unsigned n)
{
        _cleanup_(json_decrefp) json_t *p = NULL;
        json_t *f;
        size_t i;
        int r;

        r = client_call1(o, PROTO_M_NEXT, json_pack("{s:s, s:i}", "id", job, "count", (int) n), &p);
        if (r != EXIT_OK)
                return r;
        if (o->json)
                return json_print(p);
        /* The same lines as offline: RFC 3339 with the job's zone offset. */
        json_array_foreach(json_object_get(p, "firings"), i, f)
                printf("%s\n", json_str(f, "time") ? json_str(f, "time") : "?");
        return EXIT_OK;
}
