/* orphan.c - runs whose runner died under them (orphan.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "orphan.h"
#include "sched.h"

/* How far the process's start may be from the run's: the runner takes
 * the run's start time just before it spawns, and /proc counts in ticks. */
#define START_SLACK (2 * USEC_PER_SEC)

/* Whether @pid leads its own process group and started at realtime
 * @start, as the run's process did. Read after a pidfd pins the process:
 * a pid reused since is another process, with another start time. */
static bool
process_is_run(pid_t pid, usec_t start)
{
        char path[64], buf[1024];
        unsigned long long starttime;
        long pgrp, ticks = sysconf(_SC_CLK_TCK);
        ssize_t n;
        int fd;
        char *p;

        snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0 || ticks <= 0)
                return false;
        buf[n] = 0;
        /* The command name may hold anything, ')' too: fields follow the last. */
        p = strrchr(buf, ')');
        if (!p || sscanf(p + 1, " %*c %*d %ld %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                         &pgrp, &starttime) != 2)
                return false;
        if (pgrp != pid)
                return false;
        /* starttime is in ticks after boot; the run's start is realtime. */
        struct timespec boot;
        (void) clock_gettime(CLOCK_BOOTTIME, &boot);
        usec_t boot_rt = now_realtime() - ((usec_t) boot.tv_sec * USEC_PER_SEC + (usec_t) boot.tv_nsec / 1000);
        usec_t started = boot_rt + (usec_t) (starttime * USEC_PER_SEC / (unsigned long long) ticks);
        return started + START_SLACK >= start && started <= start + START_SLACK;
}

static bool
pidfd_exited(int fd)
{
        struct pollfd p = { .fd = fd, .events = POLLIN };

        return poll(&p, 1, 0) != 0;
}

/* The whole group, by the leader's pid, which names the group as long as
 * the leader lives: looked at just before, through the pidfd. Signalling
 * the leader first would not do: killed, it may be gone by then, and the
 * rest of its group with it out of reach. Once the leader is gone, what is
 * left of its group cannot be told from a group that reused the number. */
static void
signal_group(struct orphan *o, int sig)
{
        if (!pidfd_exited(o->src.fd))
                (void) kill(-o->run->pid, sig);
}

int
orphan_adopt(struct daemon *d, struct run *r)
{
        struct orphan *o;
        int fd;

        if (r->pid <= 0 || r->start == USEC_UNSET)
                return -ESRCH;
        fd = pidfd_open(r->pid, 0);
        if (fd < 0)
                return -errno;
        if (!process_is_run(r->pid, r->start)) {
                close(fd);
                return -ESRCH;
        }
        o = calloc(1, sizeof *o);
        if (!o) {
                close(fd);
                return -ENOMEM;
        }
        o->src = (struct source) { .kind = SOURCE_ORPHAN, .fd = fd };
        o->run = r;
        if (epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, fd,
                      &(struct epoll_event) { .events = EPOLLIN, .data.ptr = &o->src }) < 0) {
                int k = -errno;
                close(fd);
                free(o);
                return k;
        }
        o->next = d->orphans;
        d->orphans = o;
        r->orphan = o;
        r->phase = RUN_PHASE_ORPHAN;
        signal_group(o, SIGTERM);
        o->kill_at_mono = now_monotonic() + r->job->def->extra->kill_grace;
        return 0;
}

void
orphan_on_exit(struct daemon *d, struct orphan *o)
{
        struct run *r = o->run;

        log_job(LOG_INFO, NULL, r->job->def->id, r->id, -1,
                "The process of interrupted run %lld of '%s' (pid %d) has exited.", (long long) r->id,
                r->job->def->id, (int) r->pid);
        run_orphan_gone(d, r);         /* frees @o, through run_free() */
}

void
orphan_on_deadline(struct daemon *d, usec_t now_mono)
{
        for (struct orphan *o = d->orphans; o; o = o->next)
                if (o->kill_at_mono != USEC_UNSET && now_mono >= o->kill_at_mono) {
                        struct run *r = o->run;
                        log_job(LOG_WARNING, NULL, r->job->def->id, r->id, -1,
                                "Interrupted run %lld of '%s' (pid %d) outlived kill_grace, sending SIGKILL.",
                                (long long) r->id, r->job->def->id, (int) r->pid);
                        signal_group(o, SIGKILL);
                        o->kill_at_mono = USEC_UNSET;
                }
}

usec_t
orphan_next_deadline(const struct daemon *d)
{
        usec_t next = USEC_UNSET;

        for (const struct orphan *o = d->orphans; o; o = o->next)
                if (o->kill_at_mono != USEC_UNSET && (next == USEC_UNSET || o->kill_at_mono < next))
                        next = o->kill_at_mono;
        return next;
}

void
orphan_free(struct daemon *d, struct orphan *o)
{
        if (!o)
                return;
        for (struct orphan **p = &d->orphans; *p; p = &(*p)->next)
                if (*p == o) {
                        *p = o->next;
                        break;
                }
        o->run->orphan = NULL;
        close(o->src.fd);       /* leaves the epoll set with it */
        free(o);
}
