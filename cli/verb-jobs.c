/* verb-jobs.c - the verbs that change jobs: pause, resume, add, remove.
 *
 *   pause JOB...  /  resume JOB...
 *   add ID (--cron EXPR | --every DURATION | --at TIME) [--tz ZONE]
 *          [--timeout D] [--transient] -- COMMAND [ARG...]
 *   remove ID
 *
 * pause and resume are all or nothing: the daemon checks every id before
 * changing any. Like systemctl, pause, resume and remove print nothing on
 * success; add prints the job's next firing. The schedule is checked by
 * the daemon, with the same parser as job files, so what add accepts is
 * what a job file accepts. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "proto.h"

static int
pause_resume(const struct cli_options *o, int argc, char *argv[], const char *method, const char *name)
{
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        _cleanup_(json_decrefp) json_t *p = NULL, *ids = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                FILE *f = c == 'h' ? stdout : stderr;
                fprintf(f, "Usage: schedctl %s JOB...\n", name);
                return c == 'h' ? EXIT_OK : EXIT_USAGE;
        }
        if (optind >= argc) {
                fprintf(stderr, "Usage: schedctl %s JOB...\n", name);
                return EXIT_USAGE;
        }
        ids = json_array();
        if (!ids)
                return log_oom();
        for (int i = optind; i < argc; i++)
                if (json_array_append_new(ids, json_string(argv[i])) < 0)
                        return log_oom();
        r = client_call1(o, method, json_pack("{s:O}", "ids", ids), &p);
        if (r != EXIT_OK)
                return r;
        if (o->json)
                return json_print(p);
        return EXIT_OK;
}

int
verb_pause(const struct cli_options *o, int argc, char *argv[])
{
        return pause_resume(o, argc, argv, PROTO_M_PAUSE, "pause");
}

int
verb_resume(const struct cli_options *o, int argc, char *argv[])
{
        return pause_resume(o, argc, argv, PROTO_M_RESUME, "resume");
}

static const char add_usage[] =
        "Usage: schedctl add ID (--cron EXPR | --every DURATION | --at TIME) [--tz ZONE]\n"
        "                       [--timeout D] [--transient] -- COMMAND [ARG...]\n";

int
verb_add(const struct cli_options *o, int argc, char *argv[])
{
        static const struct option options[] = {
                { "cron",      required_argument, NULL, 'c' },
                { "every",     required_argument, NULL, 'e' },
                { "at",        required_argument, NULL, 'a' },
                { "tz",        required_argument, NULL, 'z' },
                { "timeout",   required_argument, NULL, 't' },
                { "transient", no_argument,       NULL, 'T' },
                { "help",      no_argument,       NULL, 'h' },
                {}
        };
        _cleanup_(json_decrefp) json_t *p = NULL, *params = NULL, *cmd = NULL;
        const char *cron = NULL, *every = NULL, *at = NULL, *tz = NULL, *timeout = NULL;
        bool transient = false;
        const json_t *job;
        char buf[96];
        int64_t next;
        int c, r;

        /* Options may follow ID; "--" ends them, so the command's own
         * options are not taken for schedctl's. */
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'c': cron = optarg; break;
                case 'e': every = optarg; break;
                case 'a': at = optarg; break;
                case 'z': tz = optarg; break;
                case 't': timeout = optarg; break;
                case 'T': transient = true; break;
                case 'h': fputs(add_usage, stdout); return EXIT_OK;
                default:  fputs(add_usage, stderr); return EXIT_USAGE;
                }
        }
        if (!!cron + !!every + !!at != 1) {
                fprintf(stderr, "schedctl add: give exactly one of --cron, --every and --at\n");
                fputs(add_usage, stderr);
                return EXIT_USAGE;
        }
        if (argc - optind < 2) {
                fprintf(stderr, "schedctl add: give the job's ID and, after --, its COMMAND\n");
                fputs(add_usage, stderr);
                return EXIT_USAGE;
        }

        cmd = json_array();
        if (!cmd)
                return log_oom();
        for (int i = optind + 1; i < argc; i++)
                if (json_array_append_new(cmd, json_string(argv[i])) < 0)
                        return log_oom();
        params = json_pack("{s:s, s:O}", "id", argv[optind], "command", cmd);
        if (!params ||
            (cron && json_object_set_new(params, "cron", json_string(cron)) < 0) ||
            (every && json_object_set_new(params, "every", json_string(every)) < 0) ||
            (at && json_object_set_new(params, "at", json_string(at)) < 0) ||
            (tz && json_object_set_new(params, "timezone", json_string(tz)) < 0) ||
            (timeout && json_object_set_new(params, "timeout", json_string(timeout)) < 0) ||
            (transient && json_object_set_new(params, "transient", json_true()) < 0))
                return log_oom();

        r = client_call1(o, PROTO_M_ADD, TAKE_PTR(params), &p);
        if (r != EXIT_OK)
                return r;
        if (o->json)
                return json_print(p);
        job = json_object_get(p, "job");
        if (json_int(job, "next_usec", &next))
                printf("Added job '%s'%s; next firing %s.\n", argv[optind], transient ? " (transient)" : "",
                       format_when(next, now_usec(), buf, sizeof buf));
        else
                printf("Added job '%s'%s; it has no firing ahead.\n", argv[optind],
                       transient ? " (transient)" : "");
        return EXIT_OK;
}

int
verb_remove(const struct cli_options *o, int argc, char *argv[])
{
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        _cleanup_(json_decrefp) json_t *p = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                fputs("Usage: schedctl remove ID\n", c == 'h' ? stdout : stderr);
                return c == 'h' ? EXIT_OK : EXIT_USAGE;
        }
        if (argc - optind != 1) {
                fputs("Usage: schedctl remove ID\n", stderr);
                return EXIT_USAGE;
        }
        r = client_call1(o, PROTO_M_REMOVE, json_pack("{s:s}", "id", argv[optind]), &p);
        if (r != EXIT_OK)
                return r;
        if (o->json)
                return json_print(p);
        return EXIT_OK;
}
