/* child.c - the job every contender starts (issue 7).
 *
 *   child OUT [TAG [SCHEDULED]]
 *
 * Its first statement reads CLOCK_REALTIME; then it appends one line,
 * "TAG SCHEDULED NS", to OUT with a single O_APPEND write and exits 0.
 * TAG defaults to $SCHEDD_JOB_ID and SCHEDULED to $SCHEDD_SCHEDULED_TIME
 * (schedd's RFC 3339 time), else "-" (the harness then knows the instant).
 * Built static (gcc -static -O2), so exec costs as little as it can. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);

        const char *tag = argc > 2 ? argv[2] : getenv("SCHEDD_JOB_ID");
        const char *sched = argc > 3 ? argv[3] : getenv("SCHEDD_SCHEDULED_TIME");
        char line[512];
        int n, fd;

        if (argc < 2)
                return 2;
        n = snprintf(line, sizeof line, "%s %s %lld\n", tag ? tag : "-", sched ? sched : "-",
                     (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec);
        if (n < 0 || n >= (int) sizeof line)
                return 3;
        fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, line, (size_t) n) != n)
                return 4;
        return 0;
}
