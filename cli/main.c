/* main.c - schedctl: global options, the verb table, dispatch. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct verb verbs[] = {
        { "status",   verb_status },
        { "list",     verb_list },
        { "show",     verb_show },
        { "next",     verb_next },
        { "run",      verb_run },
        { "pause",    verb_pause },
        { "resume",   verb_resume },
        { "add",      verb_add },
        { "remove",   verb_remove },
        { "history",  verb_history },
        { "logs",     verb_logs },
        { "reload",   verb_reload },
        { "watch",    verb_watch },
        { "validate", verb_validate },
        {}
};

static void
usage(FILE *f)
{
        fprintf(f,
                "Usage: schedctl [--socket PATH] [--json] COMMAND ...\n"
                "\n"
                "Commands that ask the daemon:\n"
                "  status                      version, uptime, jobs, runs, next firing, file errors\n"
                "  list                        every job: schedule, next firing, last result, state\n"
                "  show JOB                    a job's definition, state and recent runs\n"
                "  next JOB [-n N]             the job's next N firings\n"
                "  run JOB [--wait] [--force]  fire now; --wait: print the output, exit with its status\n"
                "  pause JOB... / resume JOB...\n"
                "  add ID (--cron EXPR | --every DURATION | --at TIME) [--tz ZONE] [--timeout D]\n"
                "         [--transient] -- COMMAND [ARG...]\n"
                "  remove ID                   remove a job added with add\n"
                "  history [JOB] [-n N]        past runs, newest first\n"
                "  logs JOB [RUN]              the kept output of a run (default: the last)\n"
                "  reload [--check]            reload the job files; --check: only show what changes\n"
                "  watch                       print events as they happen, until Ctrl-C\n"
                "\n"
                "Offline commands:\n"
                "  next FILE [JOB] [-n N] [--from TIME]\n"
                "  next --cron EXPR [--tz ZONE] [-n N] [--from TIME]\n"
                "  validate FILE...\n"
                "\n"
                "Options:\n"
                "  --socket PATH   the daemon's control socket (default: $SCHEDD_SOCKET, else\n"
                "                  $XDG_RUNTIME_DIR/schedd/control.sock if a user daemon runs,\n"
                "                  else /run/schedd/control.sock)\n"
                "  --json          machine-readable output\n"
                "\n"
                "Exit status: 0 success, 1 failure, 2 usage error, 3 daemon not reachable.\n");
}

int
main(int argc, char *argv[])
{
        struct cli_options opts = {};
        static const struct option options[] = {
                { "socket",  required_argument, NULL, 's' },
                { "json",    no_argument,       NULL, 'j' },
                { "help",    no_argument,       NULL, 'h' },
                { "version", no_argument,       NULL, 'V' },
                {}
        };
        int c;

        /* '+': stop at the first non-option, which is the verb. */
        while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0) {
                switch (c) {
                case 's': opts.socket = optarg; break;
                case 'j': opts.json = true; break;
                case 'h': usage(stdout); return EXIT_OK;
                case 'V': printf("schedctl %s\n", SCHEDD_VERSION); return EXIT_OK;
                default:  usage(stderr); return EXIT_USAGE;
                }
        }
        if (optind >= argc) {
                usage(stderr);
                return EXIT_USAGE;
        }

        for (size_t i = 0; verbs[i].name; i++)
                if (strcmp(argv[optind], verbs[i].name) == 0) {
                        int vargc = argc - optind;
                        char **vargv = argv + optind;
                        optind = 0;     /* reset getopt for the verb */
                        return verbs[i].run(&opts, vargc, vargv);
                }

        fprintf(stderr, "schedctl: unknown command '%s'\n", argv[optind]);
        usage(stderr);
        return EXIT_USAGE;
}
