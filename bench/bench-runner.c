/* bench-runner.c - spawn rate through schedd-runner against a direct
 * posix_spawn(), both with the same number of runs in flight
 * (DESIGN.md section 1's table).
 *
 *   bench-runner RUNNER PROGRAM [SECONDS] [IN_FLIGHT]
 *
 * Prints runs/s for each and the ratio. The runner is started on a
 * scratch socket and told RP_BYE at the end, so it exits by itself. */
#include <errno.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runproto.h"

extern char **environ;

static double
now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static double
direct_rate(const char *program, double seconds, int in_flight)
{
        char *argv[] = { (char *) program, NULL };
        double t0 = now();
        long done = 0;
        int running = 0;

        for (;;) {
                while (running < in_flight && now() - t0 < seconds) {
                        pid_t pid;
                        if (posix_spawn(&pid, program, NULL, NULL, argv, environ) != 0)
                                return -1;
                        running++;
                }
                if (running == 0)
                        break;
                if (wait(NULL) > 0) {
                        running--;
                        done++;
                }
        }
        return (double) done / (now() - t0);
}

static int
send_all(int fd, const struct rp_buf *b)
{
        for (size_t off = 0; off < b->len; ) {
                ssize_t n = write(fd, b->data + off, b->len - off);
                if (n < 0)
                        return -errno;
                off += (size_t) n;
        }
        return 0;
}

static double
runner_rate(const char *runner, const char *program, double seconds, int in_flight)
{
        char dir[] = "/tmp/bench-runner.XXXXXX", path[128];
        char *argv[] = { (char *) program, NULL };
        char *envp[] = { "PATH=/usr/bin:/bin", NULL };
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct rp_buf in = {}, out = {};
        uint8_t buf[65536];
        uint64_t next_id = 1;
        long done = 0;
        int running = 0, fd;
        pid_t pid;
        double t0;

        if (!mkdtemp(dir))
                return -1;
        snprintf(path, sizeof path, "%s/r.sock", dir);
        pid = fork();
        if (pid == 0) {
                execl(runner, runner, "--socket", path, "--linger", "5", (char *) NULL);
                _exit(127);
        }
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        for (int i = 0; connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0; i++) {
                if (i > 500)
                        return -1;
                usleep(10000);
        }
        rp_encode_hello(&out, &(struct rp_hello) { .version = RP_VERSION, .software = "bench" });
        send_all(fd, &out);
        out.len = 0;

        t0 = now();
        for (;;) {
                uint64_t last_seq = 0;
                ssize_t n, len;

                /* Keep the runner fed ahead of free slots. */
                while (running < in_flight && now() - t0 < seconds) {
                        struct rp_spawn s = {
                                .run_id = next_id++, .job_id = "bench", .argv = argv, .envp = envp,
                                .uid = getuid(), .gid = getgid(), .directory = "/",
                                .output = RP_OUTPUT_JOURNAL, .output_limit = 65536,
                        };
                        rp_encode_spawn(&out, &s);
                        running++;
                }
                if (out.len) {
                        send_all(fd, &out);
                        out.len = 0;
                }
                if (running == 0)
                        break;

                n = read(fd, buf, sizeof buf);
                if (n <= 0)
                        return -1;
                in.data = realloc(in.data, in.len + (size_t) n);
                memcpy(in.data + in.len, buf, (size_t) n);
                in.len += (size_t) n;
                while ((len = rp_frame_length(in.data, in.len)) > 0) {
                        struct rp_msg m;
                        if (rp_decode(in.data, (size_t) len, &m) == 0) {
                                if (m.type == RP_EXITED || m.type == RP_SPAWN_FAILED) {
                                        running--;
                                        done++;
                                }
                                if (m.type == RP_STARTED)
                                        last_seq = m.started.seq;
                                if (m.type == RP_EXITED)
                                        last_seq = m.exited.seq;
                                if (m.type == RP_SPAWN_FAILED)
                                        last_seq = m.spawn_failed.seq;
                                rp_msg_done(&m);
                        }
                        rp_buf_consume(&in, (size_t) len);
                }
                if (last_seq)
                        rp_encode_ack(&out, &(struct rp_ack) { .seq = last_seq });
        }
        double rate = (double) done / (now() - t0);

        rp_encode_empty(&out, RP_BYE);
        send_all(fd, &out);
        close(fd);
        waitpid(pid, NULL, 0);
        rmdir(dir);
        free(in.data);
        free(out.data);
        return rate;
}

int
main(int argc, char *argv[])
{
        double seconds, direct, via;
        int in_flight;

        if (argc < 3) {
                fprintf(stderr, "Usage: bench-runner RUNNER PROGRAM [SECONDS] [IN_FLIGHT]\n");
                return 2;
        }
        seconds = argc > 3 ? atof(argv[3]) : 2.0;
        in_flight = argc > 4 ? atoi(argv[4]) : 2;

        direct = direct_rate(argv[2], seconds, in_flight);
        via = runner_rate(argv[1], argv[2], seconds, in_flight);
        printf("spawn %s, %d in flight, %.0f s: direct posix_spawn %.0f/s, through schedd-runner %.0f/s (%.2fx)\n",
               argv[2], in_flight, seconds, direct, via, direct > 0 ? via / direct : 0);
        return direct > 0 && via > 0 ? 0 : 1;
}
