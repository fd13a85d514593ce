/* loop.c - the epoll loop: the only place schedd waits (STYLE.md 6).
 *
 * Every fd that can wake the daemon is a struct source in one epoll set;
 * the loop is one switch over their kinds, then one call to sched_step(),
 * which decides what happens next and re-arms the timers. There is no
 * polling: an idle daemon sleeps in epoll_wait() until a timer, a signal,
 * a file change, the runner or a client wakes it. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "jobdir.h"
#include "joborder.h"
#include "log.h"
#include "loop.h"
#include "methods.h"
#include "orphan.h"
#include "control.h"
#include "notify.h"
#include "runnerc.h"
#include "sched.h"

#define RELOAD_DEBOUNCE (200 * USEC_PER_MSEC)
/* With --verbose, a loop step longer than this is logged: every firing
 * due meanwhile starts that late (a List written in one go once took 90). */
#define LOOP_SLOW_STEP (5 * USEC_PER_MSEC)

static usec_t
now_cpu(void)
{
        struct timespec ts;

        (void) clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return (usec_t) ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

usec_t
now_realtime(void)
{
        struct timespec ts;

        (void) clock_gettime(CLOCK_REALTIME, &ts);
        return (usec_t) ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

usec_t
now_monotonic(void)
{
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (usec_t) ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

void
loop_notify_status(struct daemon *d)
{
        const struct heap_entry *top = heap_top(&d->timers);
        char when[64] = "";

        if (top) {
                struct job *j = top->item;
                time_format_rfc3339(j->next_firing, tz_offset_at(j->def->trigger.zone, j->next_firing / USEC_PER_SEC),
                                    when, sizeof when);
                notify_sendf("STATUS=%zu jobs, %u running, next: '%s' at %s", d->jobs.n, d->active,
                           j->def->id, when);
        } else
                notify_sendf("STATUS=%zu jobs, %u running, nothing scheduled", d->jobs.n, d->active);
}

void
loop_reload_report(struct daemon *d, struct jobdir_report *rep)
{
        char msg[256];

        d->reload_requested = false;
        d->reload_at_mono = USEC_UNSET;
        notify_sendf("RELOADING=1\nMONOTONIC_USEC=%lld", (long long) now_monotonic());
        if (jobdir_reload(d, now_realtime(), rep) >= 0) {
                int k = snprintf(msg, sizeof msg, "Reloaded %u job file(s): %zu added, %zu changed, %zu removed, %u error(s)",
                                 rep->files, rep->n_added, rep->n_changed, rep->n_removed, rep->errors);
                if (k > 0 && (size_t) k < sizeof msg && rep->unchanged_files)
                        snprintf(msg + k, sizeof msg - (size_t) k, "; %u unchanged, not read again.",
                                 rep->unchanged_files);
                else if (k > 0 && (size_t) k < sizeof msg)
                        snprintf(msg + k, sizeof msg - (size_t) k, ".");
                log_job(LOG_INFO, LOG_MID_RELOAD, NULL, 0, -1, "%s", msg);
                methods_broadcast(d, "reload", NULL, NULL, msg);
                if (rep->errors)
                        methods_broadcast(d, "error", NULL, NULL, "Some job files have errors; see schedctl status.");
        }
        log_flush();    /* what the reload logged is out before the manager hears it is done */
        notify_send("READY=1");
        loop_notify_status(d);
}

void
loop_reload(struct daemon *d)
{
        struct jobdir_report rep;

        loop_reload_report(d, &rep);
        jobdir_report_done(&rep);
}

static void
on_signal(struct daemon *d)
{
        struct signalfd_siginfo si;

        while (read(d->signal_src.fd, &si, sizeof si) == sizeof si) {
                switch (si.ssi_signo) {
                case SIGHUP:
                        log_info("Reloading on SIGHUP.");
                        d->reload_requested = true;
                        break;
                case SIGTERM:
                case SIGINT:
                        if (!d->exit_requested)
                                loop_begin_shutdown(d, strsignal((int) si.ssi_signo));
                        break;
                }
        }
}

void
loop_begin_shutdown(struct daemon *d, const char *why)
{
        d->exit_requested = true;
        notify_send("STOPPING=1");
        if (d->config.shutdown_runs == SHUTDOWN_RUNS_STOP && !sched_idle(d)) {
                char t[32];
                log_info("Stopping (%s): no new runs; stopping %u run(s), SIGKILL after %s.", why, d->active,
                         duration_format(d->config.shutdown_timeout, t, sizeof t));
                (void) runnerc_stop_all(d, d->config.shutdown_timeout);
                /* The runner kills after the timeout; allow it time to report. */
                d->shutdown_at_mono = now_monotonic() + d->config.shutdown_timeout + 5 * USEC_PER_SEC;
        } else
                log_info("Stopping (%s): no new runs%s.", why,
                         d->active ? "; running jobs are kept and finish on their own" : "");
}

static void
on_clock(struct daemon *d)
{
        uint64_t expirations;

        /* TFD_TIMER_CANCEL_ON_SET: the read fails with ECANCELED when
         * someone set the clock. The timer is then disarmed; sched_step()
         * re-arms it. */
        if (read(d->clock_src.fd, &expirations, sizeof expirations) < 0 && errno == ECANCELED)
                sched_clock_changed(d, now_realtime());
        d->clock_armed = USEC_UNSET;
}

static void
on_deadline(struct daemon *d)
{
        uint64_t expirations;
        usec_t now = now_monotonic();

        (void) read(d->deadline_src.fd, &expirations, sizeof expirations);
        d->deadline_armed = USEC_UNSET;
        if (d->reload_at_mono != USEC_UNSET && now >= d->reload_at_mono)
                d->reload_requested = true;
        if (d->watchdog_next_mono != USEC_UNSET && now >= d->watchdog_next_mono) {
                notify_send("WATCHDOG=1");
                d->watchdog_next_mono = now + d->watchdog_usec / 2;
        }
        runnerc_on_deadline(d, now);
        orphan_on_deadline(d, now);
        d->clients_check_mono = control_check_clients(d, now);
}

static void
on_inotify(struct daemon *d)
{
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        bool relevant = false;
        ssize_t n;

        while ((n = read(d->inotify_src.fd, buf, sizeof buf)) > 0)
                for (char *p = buf; p < buf + n;) {
                        struct inotify_event *ev = (struct inotify_event *) p;
                        /* Editors' swap and backup files do not count. */
                        if ((ev->len && jobdir_name_wanted(ev->name)) || (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)))
                                relevant = true;
                        p += sizeof *ev + ev->len;
                }
        if (relevant)
                d->reload_at_mono = now_monotonic() + RELOAD_DEBOUNCE;
}

static bool
done(struct daemon *d)
{
        if (!d->exit_requested)
                return false;
        if (d->config.shutdown_runs == SHUTDOWN_RUNS_KEEP || sched_idle(d))
                return true;
        if (d->shutdown_at_mono != USEC_UNSET && now_monotonic() >= d->shutdown_at_mono) {
                log_warning("Giving up waiting for %u stopped run(s) to be reported.", d->active);
                return true;
        }
        return false;
}

int
loop_run(struct daemon *d)
{
        struct epoll_event events[64];
        bool busy = false, timed = log_debug_enabled();

        for (;;) {
                int n;

                log_flush();    /* what this iteration logged, before we sleep */
                /* A List being written goes on at once, after a look at what
                 * else is ready. */
                n = epoll_wait(d->epoll_fd, events, ELEMENTSOF(events), busy ? 0 : -1);
                usec_t step_mono = timed ? now_monotonic() : 0, step_cpu = timed ? now_cpu() : 0;

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(-errno, "Failed to wait for events: %m");
                }

                for (int i = 0; i < n; i++) {
                        struct source *s = events[i].data.ptr;

                        switch (s->kind) {
                        case SOURCE_SIGNAL:   on_signal(d);                       break;
                        case SOURCE_CLOCK:    on_clock(d);                        break;
                        case SOURCE_DEADLINE: on_deadline(d);                     break;
                        case SOURCE_INOTIFY:  on_inotify(d);                      break;
                        case SOURCE_RUNNER:   runnerc_io(d, events[i].events);    break;
                        case SOURCE_LISTEN:   control_accept(d);                  break;
                        case SOURCE_CLIENT:   control_io(d, (struct client *) s, events[i].events); break;
                        case SOURCE_ORPHAN:   orphan_on_exit(d, (struct orphan *) s); break;
                        }
                }
                if (d->reload_requested && !d->exit_requested)
                        loop_reload(d);
                /* At most 256 clients: cheap enough to look at every wake-up,
                 * and it keeps the deadline for stalled ones armed. */
                d->clients_check_mono = d->clients ? control_check_clients(d, now_monotonic()) : USEC_UNSET;

                /* One place decides what happens next. */
                sched_step(d, now_realtime(), now_monotonic());
                joborder_step(d);
                busy = control_continue(d);
                log_flush();    /* a client that reads the log after a reply finds what led to it */
                control_flush_all(d);
                if (timed && now_monotonic() - step_mono > LOOP_SLOW_STEP)
                        log_debug("A loop step took %.1f ms (%.1f ms of CPU).",
                                  (double) (now_monotonic() - step_mono) / USEC_PER_MSEC,
                                  (double) (now_cpu() - step_cpu) / USEC_PER_MSEC);

                if (done(d))
                        return 0;
        }
}
