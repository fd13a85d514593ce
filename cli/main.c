/* main.c - schedctl: global options, the verb table, dispatch. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct verb verbs[] = {
        { "next",     verb_next },
        { "validate", verb_validate },
        {}
};

static void
usage(FILE *f)
{
        fprintf(f,
                "Usage: schedctl [--socket PATH] [--json] COMMAND ...\n"
                "\n"
                "Offline commands:\n"
                "  next FILE [JOB] [-n N] [--from TIME]\n"
                "  next --cron EXPR [--tz ZONE] [-n N] [--from TIME]\n"
                "  validate FILE...\n");
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
