/* main.c - schedd's entry point.
 *
 * The daemon proper arrives with issue 3; until then this binary only
 * answers --version and --help, and says plainly that it cannot run. */
#include <stdio.h>
#include <string.h>

int
main(int argc, char *argv[])
{
        if (argc > 1 && strcmp(argv[1], "--version") == 0) {
                printf("schedd %s\n", SCHEDD_VERSION);
                return 0;
        }
        if (argc > 1 && strcmp(argv[1], "--help") == 0) {
                printf("Usage: schedd [--user] [--version]\n");
                return 0;
        }
        fprintf(stderr, "schedd: the daemon is not implemented yet\n");
        return 1;
}
