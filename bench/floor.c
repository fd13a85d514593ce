/* floor.c - the machine's floor for issue 7: the least a scheduler can do,
 * a CLOCK_REALTIME timerfd armed absolutely plus posix_spawn().
 *
 *   floor periodic CHILD OUT START_NS INTERVAL_NS COUNT
 *       COUNT firings at START + k*INTERVAL, each spawning CHILD OUT f SCHED_NS.
 *   floor burst CHILD OUT AT_NS COUNT IN_FLIGHT
 *       at AT, COUNT spawns, at most IN_FLIGHT alive at once.
 *   floor idle NJOBS
 *       holds NJOBS 16-byte entries (next firing, job index) and waits on a
 *       timerfd armed an hour ahead; prints "ready" and sleeps until killed.
 * Children are reaped with waitpid(); nothing is printed per firing. */
#include <errno.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int
wait_until(int tfd, long long ns)
{
        struct itimerspec it = { .it_value = { ns / 1000000000LL, ns % 1000000000LL } };
        uint64_t x;

        if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &it, NULL) < 0)
                return -1;
        while (read(tfd, &x, sizeof x) < 0)
                if (errno != EINTR)
                        return -1;
        return 0;
}

static int
spawn(char *child, char *out, const char *tag, long long sched)
{
        char s[32];
        char *argv[] = { child, out, (char *) tag, s, NULL };
        pid_t pid;

        snprintf(s, sizeof s, "%lld", sched);
        return posix_spawn(&pid, child, NULL, NULL, argv, environ);
}

int
main(int argc, char **argv)
{
        int tfd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC);

        if (tfd < 0 || argc < 3)
                return 2;
        if (strcmp(argv[1], "periodic") == 0 && argc == 7) {
                long long start = atoll(argv[4]), iv = atoll(argv[5]);
                long count = atol(argv[6]);
                for (long k = 0; k < count; k++) {
                        long long at = start + k * iv;
                        if (wait_until(tfd, at) < 0 || spawn(argv[2], argv[3], "f", at) != 0)
                                return 1;
                        while (waitpid(-1, NULL, WNOHANG) > 0)
                                ;
                }
                while (wait(NULL) > 0)
                        ;
                return 0;
        }
        if (strcmp(argv[1], "burst") == 0 && argc == 7) {
                long long at = atoll(argv[4]);
                long count = atol(argv[5]), max = atol(argv[6]), alive = 0;
                char tag[32];
                if (wait_until(tfd, at) < 0)
                        return 1;
                for (long k = 0; k < count; k++) {
                        while (alive >= max && wait(NULL) > 0)
                                alive--;
                        snprintf(tag, sizeof tag, "b%ld", k);
                        if (spawn(argv[2], argv[3], tag, at) != 0)
                                return 1;
                        alive++;
                        while (alive > 0 && waitpid(-1, NULL, WNOHANG) > 0)
                                alive--;
                }
                while (wait(NULL) > 0)
                        ;
                return 0;
        }
        if (strcmp(argv[1], "idle") == 0) {
                long n = atol(argv[2]);
                struct ent { int64_t next; int64_t job; } *v = calloc((size_t) n + 1, sizeof *v);
                struct timespec now;
                if (!v)
                        return 1;
                clock_gettime(CLOCK_REALTIME, &now);
                for (long i = 0; i < n; i++)
                        v[i] = (struct ent) { now.tv_sec + 3600 + i, i };
                printf("ready\n");
                fflush(stdout);
                wait_until(tfd, (now.tv_sec + 3600) * 1000000000LL);
                return 0;
        }
        fprintf(stderr, "usage: floor periodic|burst|idle ...\n");
        return 2;
}
