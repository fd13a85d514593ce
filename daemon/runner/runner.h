/* runner.h - schedd-runner's state, shared by its four files (DESIGN.md 1).
 *
 * main.c owns the loop, the signals, the listening socket and the one
 * daemon connection; spawn.c starts a process; run.c carries a run from
 * its spawn to its report; report.c keeps the reports until the daemon
 * acknowledges them. There is one struct runner, passed explicitly. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"
#include "runproto.h"
#include "time.h"

#ifndef container_of
#define container_of(ptr, type, member) ((type *) ((char *) (ptr) - offsetof(type, member)))
#endif

/* Everything that can wake the runner is one of these in its epoll set. */
enum source_kind {
        SOURCE_SIGNAL,          /* signalfd: SIGTERM, SIGINT, SIGHUP */
        SOURCE_LISTEN,          /* the listening socket */
        SOURCE_CONN,            /* the daemon's connection */
        SOURCE_FLUSH,           /* timerfd CLOCK_MONOTONIC: 2 ms report batching */
        SOURCE_DEADLINE,        /* timerfd CLOCK_MONOTONIC: timeouts, kill_grace, linger */
        SOURCE_CHILD,           /* a run's pidfd */
        SOURCE_OUTPUT,          /* a run's output pipe */
};

struct source {
        enum source_kind kind;
        int fd;
};

/* A report: one encoded frame, kept until acknowledged. */
struct report {
        struct report *next;
        uint64_t seq;
        size_t len;
        uint8_t frame[];
};

/* A connection from a daemon. It is a newcomer until it has sent a
 * HELLO of our version; then it becomes the daemon, replacing any
 * earlier one. A connection that never completes HELLO (a probe, another
 * version) therefore never disturbs the daemon that is connected. */
struct conn {
        struct source src;              /* SOURCE_CONN; fd -1: the slot is free */
        bool bye;                       /* it said RP_BYE: counts as gone */
        bool pollout;                   /* EPOLLOUT is requested */
        struct rp_buf in, out;
};

struct run;

struct runner {
        int epoll_fd;
        struct source signal_src, listen_src, flush_src, deadline_src;
        int devnull_fd;                 /* O_RDWR, CLOEXEC: every run's stdin */

        /* Connections: the daemon (HELLO done, reports flow) and at most
         * one newcomer, each NULL or one of the two slots. */
        struct conn slots[2];
        struct conn *conn, *newcomer;
        bool ever_connected;            /* a daemon completed HELLO since we started */

        /* The outbox (report.c): a FIFO in seq order. */
        struct report *reports_head, *reports_tail;
        struct report *first_unsent;    /* NULL: everything queued was written */
        size_t n_reports, n_unsent;
        uint64_t next_seq;              /* the seq of the next report, from 1 */
        uint64_t acked_seq;             /* the highest RP_ACK seen */
        bool flush_armed;

        /* Spawn requests not started yet (run.c), by start time. */
        struct held *held_head, *held_tail;
        unsigned spawns_in_wakeup;      /* spawns in this loop iteration; reset after it */

        /* Runs (run.c), newest first. */
        struct run *runs;
        struct run *dead_runs;          /* reaped in this loop iteration, freed after it */
        size_t n_runs;
        bool deadlines_dirty;           /* re-arm deadline_src before sleeping */

        /* Who we are: decides whether a run's credentials are changed. */
        uid_t uid;
        gid_t gid;
        bool privileged;                /* effective uid 0 */
        gid_t *own_groups;              /* restored after opening an output file */
        size_t n_own_groups;
        bool journal;                   /* stderr is connected to journald */

        usec_t linger_usec;
        usec_t idle_since_mono;         /* 0: not idle */
        bool terminating;               /* SIGTERM or SIGINT was received */
        bool exit_now;
};

/* --- main.c ------------------------------------------------------------ */

usec_t now_mono(void);
usec_t now_realtime(void);

/* "schedd-runner: <message>" on stderr; with @error (a negative errno)
 * ": <strerror>" is appended. Returns @error. */
int log_msg(int error, const char *fmt, ...) _printf_(2, 3);

/* Adds @s to the epoll set for @events. Returns 0 or a negative errno. */
int runner_watch(struct runner *rn, struct source *s, uint32_t events);
/* Removes @s from the epoll set, closes its fd and sets it to -1. */
void runner_unwatch(struct runner *rn, struct source *s);
/* Appends @data to the daemon connection's output buffer and tries to
 * write. Without a daemon, does nothing. */
void conn_send(struct runner *rn, const uint8_t *data, size_t len);

/* --- report.c ---------------------------------------------------------- */

/* Queues an encoded frame as a report. The caller has encoded it with
 * seq = report_next_seq(rn). Returns 0 or -ENOMEM. */
int report_queue(struct runner *rn, const struct rp_buf *frame);
/* The seq the next report_queue() must carry; consumes it. */
uint64_t report_next_seq(struct runner *rn);
/* Queues RP_STARTED, RP_SPAWN_FAILED or RP_EXITED. -ENOMEM if they
 * could not be queued (the report is lost; the caller logs it). */
int report_started(struct runner *rn, uint64_t run_id, pid_t pid, usec_t start, uint64_t *ret_seq);
int report_spawn_failed(struct runner *rn, uint64_t run_id, enum rp_stage stage, int error);
int report_exited(struct runner *rn, struct rp_exited *e);
/* Drops every report with seq <= @seq. */
void report_ack(struct runner *rn, uint64_t seq);
/* Writes the unsent reports to the connection now (one write). */
void report_flush(struct runner *rn);
/* Decides, after a loop iteration, whether to flush now (16 pending, or
 * no run alive) or to arm the 2 ms flush timer. */
void report_schedule(struct runner *rn);
/* After HELLO: every live run's RP_STARTED whose report is already
 * acknowledged, every unacknowledged report, then RP_SYNC_DONE.
 * Returns 0, or -ENOMEM (nothing sent: close the connection). */
int report_sync(struct runner *rn);
/* A connection is gone: everything unacknowledged is unsent again. */
void report_disconnected(struct runner *rn);
void report_free_all(struct runner *rn);

/* --- run.c ------------------------------------------------------------- */

/* A spawn request from the daemon, decoded from @frame (@len bytes):
 * started now, refused once we terminate, or held (a copy of the frame
 * is kept) until its start_at, or its turn when many come at once.
 * Always ends in a report: RP_STARTED (and later RP_EXITED) or
 * RP_SPAWN_FAILED. */
void run_request(struct runner *rn, const struct rp_spawn *m, const uint8_t *frame, size_t len);
/* Starts every held request now, whatever its start_at: the daemon that
 * sent them is gone or leaving, or is about to stop runs, and whoever
 * connects next must find them running, never still to come (a new
 * daemon would start the firing itself). */
void run_release_held(struct runner *rn);
/* The run's pidfd is readable: reap it, drain its output, report, free. */
void run_reap(struct runner *rn, struct run *r);
/* The run's pipe is readable (or hung up). */
void run_read_output(struct runner *rn, struct run *r);
/* SIGTERM to the group now, SIGKILL after @grace (negative: the run's
 * own kill_grace), or at an already planned SIGKILL if that is earlier. @why_timeout sets timed_out, else
 * stopped. */
void run_stop(struct runner *rn, struct run *r, usec_t grace, bool why_timeout);
/* Looks a live run up by id; NULL if none. */
struct run *run_find(struct runner *rn, uint64_t run_id);
/* Acts on every deadline that has passed at @now, held requests
 * included. */
void run_deadlines(struct runner *rn, usec_t now);
/* The earliest pending deadline of any run or held request, or
 * USEC_INFINITY. */
usec_t run_next_deadline(struct runner *rn);
/* The seq of a run's RP_STARTED; for report_sync(). */
uint64_t run_started_seq(const struct run *r);
uint64_t run_id(const struct run *r);
pid_t run_pid(const struct run *r);
usec_t run_start_time(const struct run *r);
struct run *run_next(const struct run *r);
struct run *run_of_child(struct source *s);
struct run *run_of_output(struct source *s);
/* Frees the runs reaped in this loop iteration (events for their fds
 * may still be in the batch being handled, so they live until then). */
void run_collect_garbage(struct runner *rn);
/* Kills nothing; frees every run's memory and fds (at exit). */
void run_free_all(struct runner *rn);
