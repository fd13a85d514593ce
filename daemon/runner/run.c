/* run.c - one run's lifecycle in the runner: spawn, output, timeout,
 * stop, reap, report.
 *
 *   run_request() --start_at ahead--> held until then, or until the daemon
 *       |                            goes, says BYE or stops runs
 *       v
 *   run_spawn() --fails--> RP_SPAWN_FAILED (no struct run survives)
 *       |
 *       v              timeout or RP_STOP[_ALL]             kill_grace passed
 *   RUN_RUNNING ----------- run_stop() ----------> RUN_STOPPING -----------> RUN_KILLED
 *       |                  SIGTERM+SIGCONT to -pgid     |   run_deadlines()    |
 *       |                                               |   SIGKILL to -pgid   |
 *       +---------------- pidfd readable: run_reap() ---+----------------------+
 *                               |
 *                               v
 *                     RP_EXITED queued; the run is dead (freed after this
 *                     loop iteration, run_collect_garbage())
 *
 * Invariants:
 *  1. A run in the list has an unreaped leader, so its pid is also its
 *     process group id and cannot have been reused: signalling -pid
 *     reaches only this run's group (STYLE.md 7).
 *  2. The tail holds the last output_limit bytes ever read, in at most
 *     output_limit bytes of memory, however much the job writes.
 *  3. Every run ends in exactly one report: RP_SPAWN_FAILED, or
 *     RP_STARTED followed by RP_EXITED.
 *
 * Decisions:
 *  - Output files are opened by the runner, which tees the pipe into the
 *    file, the tail and nothing else, so the tail exists for every run
 *    (SPEC 4). When the runner is root the file is opened with the job's
 *    filesystem credentials (setfsuid, setfsgid and its groups), so a job
 *    can only append to a file its user could open, and a new file
 *    belongs to that user.
 *  - After the leader exits, the pipe is drained of what is already in it
 *    (bounded) and then closed: a background grandchild that keeps the
 *    pipe open must not keep the run alive forever. Later writes by such
 *    a grandchild get EPIPE.
 *  - When the leader of a run that is being stopped exits, the rest of its
 *    group is sent SIGKILL before the leader is reaped (while the zombie
 *    still pins the group id): a stop or a timeout leaves nothing behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/fsuid.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../journal.h"
#include "runner.h"
#include "spawn.h"

#define READ_CHUNK (64 * 1024)
#define READS_PER_WAKEUP 16             /* fairness between busy runs */
#define DRAIN_MAX (1024 * 1024)         /* read at most this much after the leader exited */
#define LINE_MAX_FORWARD 4096           /* longer lines are forwarded in pieces */

enum run_phase {
        RUN_RUNNING,
        RUN_STOPPING,                   /* SIGTERM sent, SIGKILL at kill_mono */
        RUN_KILLED,                     /* SIGKILL sent */
};

/* The last @limit bytes of a stream: a ring, grown on demand up to
 * @limit, so short outputs cost little memory. */
struct tail {
        uint8_t *data;
        size_t cap, limit, len, start;
};

struct run {
        struct source child_src;        /* pidfd */
        struct source output_src;       /* read end of the output pipe; -1 when closed or none */
        struct run *next, *prev;
        bool dead;                      /* reported; freed by run_collect_garbage() */

        uint64_t id;
        char *job_id;
        pid_t pid;
        enum run_phase phase;
        usec_t start_usec;
        usec_t timeout_mono;            /* USEC_INFINITY: none */
        usec_t kill_mono;               /* RUN_STOPPING: when SIGKILL is due */
        usec_t kill_grace;
        bool timed_out, stopped;
        uint64_t started_seq;

        uint8_t output;                 /* enum rp_output */
        int file_fd;                    /* RP_OUTPUT_FILE, else -1 */
        bool file_failed;               /* a write failed; logged once */
        struct tail tail;
        uint64_t output_bytes;
        char *line;                     /* RP_OUTPUT_JOURNAL: a partial line */
        size_t line_len;
};

/* A spawn request held until its start (see "held requests" below). */
#define HOLD_MAX USEC_PER_SEC
/* Spawns between two looks at the loop; the rest are held, due at once. */
#define SPAWNS_PER_WAKEUP 16

struct held {
        struct held *next;
        usec_t start_mono;
        uint64_t run_id;
        size_t len;
        uint8_t frame[];                /* the RP_SPAWN frame as received */
};

/* --- tail ------------------------------------------------------------ */

static void
tail_copy_out(const struct tail *t, uint8_t *dst)
{
        size_t first = MIN(t->len, t->cap - t->start);

        if (t->len == 0)
                return;
        memcpy(dst, t->data + t->start, first);
        memcpy(dst + first, t->data, t->len - first);
}

static void
tail_append(struct tail *t, const uint8_t *p, size_t n)
{
        size_t need, pos, first;

        if (t->limit == 0 || n == 0)
                return;
        if (n >= t->limit) {
                p += n - t->limit;
                n = t->limit;
                t->len = 0;
                t->start = 0;
        }
        need = MIN(t->len + n, t->limit);
        if (need > t->cap) {
                size_t cap = MIN(t->limit, MAX(need, MAX(t->cap * 2, (size_t) 4096)));
                uint8_t *d = malloc(cap);

                if (!d)
                        return;         /* keep the old tail rather than none */
                tail_copy_out(t, d);
                free(t->data);
                t->data = d;
                t->cap = cap;
                t->start = 0;
        }
        /* cap >= min(len + n, limit) and n <= limit: the new bytes fit,
         * overwriting the oldest once the ring is full. */
        pos = (t->start + t->len) % t->cap;
        first = MIN(n, t->cap - pos);
        memcpy(t->data + pos, p, first);
        memcpy(t->data, p + first, n - first);
        t->len += n;
        if (t->len > t->cap) {
                t->start = (t->start + t->len - t->cap) % t->cap;
                t->len = t->cap;
        }
}

/* --- accessors for main.c and report.c -------------------------------- */

uint64_t
run_started_seq(const struct run *r)
{
        return r->started_seq;
}

uint64_t
run_id(const struct run *r)
{
        return r->id;
}

pid_t
run_pid(const struct run *r)
{
        return r->pid;
}

usec_t
run_start_time(const struct run *r)
{
        return r->start_usec;
}

struct run *
run_next(const struct run *r)
{
        return r->next;
}

struct run *
run_of_child(struct source *s)
{
        return container_of(s, struct run, child_src);
}

struct run *
run_of_output(struct source *s)
{
        return container_of(s, struct run, output_src);
}

struct run *
run_find(struct runner *rn, uint64_t id)
{
        for (struct run *r = rn->runs; r; r = r->next)
                if (r->id == id)
                        return r;
        return NULL;
}

/* --- life and death ---------------------------------------------------- */

static struct run *
run_free(struct runner *rn, struct run *r)
{
        if (!r)
                return NULL;
        runner_unwatch(rn, &r->child_src);
        runner_unwatch(rn, &r->output_src);
        if (r->file_fd >= 0)
                (void) close(r->file_fd);
        free(r->tail.data);
        free(r->line);
        free(r->job_id);
        free(r);
        return NULL;
}

static void
run_unlink(struct runner *rn, struct run *r)
{
        if (r->prev)
                r->prev->next = r->next;
        else
                rn->runs = r->next;
        if (r->next)
                r->next->prev = r->prev;
        r->next = r->prev = NULL;
        rn->n_runs--;
}

void
run_collect_garbage(struct runner *rn)
{
        while (rn->dead_runs) {
                struct run *r = rn->dead_runs;
                rn->dead_runs = r->next;
                run_free(rn, r);
        }
}

void
run_free_all(struct runner *rn)
{
        while (rn->held_head) {
                struct held *h = rn->held_head;
                rn->held_head = h->next;
                free(h);
        }
        rn->held_tail = NULL;
        while (rn->runs) {
                struct run *r = rn->runs;
                run_unlink(rn, r);
                run_free(rn, r);
        }
        run_collect_garbage(rn);
}

/* Opens the output file as the job's user would (see the file header).
 * Returns an fd or a negative errno. */
static int
open_output_file(struct runner *rn, const struct rp_spawn *m)
{
        int fd, error = 0;

        if (!rn->privileged) {
                fd = open(m->output_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
                return fd < 0 ? -errno : fd;
        }

        /* The runner is single-threaded, so changing its own groups and
         * filesystem ids for one open() affects nothing else. */
        if (syscall(SYS_setgroups, (size_t) m->n_groups, m->groups) < 0)
                return -errno;
        (void) setfsgid(m->gid);
        (void) setfsuid(m->uid);
        /* set*fsid() report no errors; asking again returns the current
         * value, which must be the one we set. */
        if ((uid_t) setfsuid(m->uid) != m->uid || (gid_t) setfsgid(m->gid) != m->gid)
                error = -EPERM;
        if (error == 0) {
                fd = open(m->output_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
                if (fd < 0)
                        error = -errno;
        }
        (void) setfsuid(rn->uid);
        (void) setfsgid(rn->gid);
        if (syscall(SYS_setgroups, rn->n_own_groups, rn->own_groups) < 0 ||
            (uid_t) setfsuid(rn->uid) != rn->uid || (gid_t) setfsgid(rn->gid) != rn->gid) {
                /* Cannot happen to root; if it did, every later decision
                 * would be made with a job's identity. */
                log_msg(-errno, "Failed to restore own credentials, aborting");
                abort();
        }
        return error < 0 ? error : fd;
}

/* Starts the run; on failure returns a negative errno and the stage in
 * *reterr_stage, and no struct run remains. */
static int
spawn_one(struct runner *rn, const struct rp_spawn *m, enum rp_stage *reterr_stage)
{
        _cleanup_close_ int rfd = -1, wfd = -1, file_fd = -1;
        struct spawn_plan plan;
        struct run *r;
        pid_t pid;
        int pidfd, k;

        *reterr_stage = RP_STAGE_NONE;
        if (run_find(rn, m->run_id))
                return -EEXIST;

        if (m->output == RP_OUTPUT_DISCARD && m->output_limit == 0) {
                /* Nothing to keep and nothing to forward: skip the pipe. */
        } else {
                int fds[2];

                *reterr_stage = RP_STAGE_PIPE;
                if (pipe2(fds, O_CLOEXEC) < 0)
                        return -errno;
                rfd = fds[0];
                wfd = fds[1];
                if (fcntl(rfd, F_SETFL, O_NONBLOCK) < 0)
                        return -errno;
        }

        if (m->output == RP_OUTPUT_FILE) {
                *reterr_stage = RP_STAGE_OUTPUT;
                file_fd = open_output_file(rn, m);
                if (file_fd < 0)
                        return file_fd;
        }

        *reterr_stage = RP_STAGE_NONE;
        r = calloc(1, sizeof *r);
        if (!r)
                return -ENOMEM;
        *r = (struct run) {
                .child_src = { .kind = SOURCE_CHILD, .fd = -1 },
                .output_src = { .kind = SOURCE_OUTPUT, .fd = -1 },
                .id = m->run_id,
                .job_id = strdup(m->job_id),
                .timeout_mono = USEC_INFINITY,
                .kill_grace = (usec_t) MIN(m->kill_grace_usec, (uint64_t) INT64_MAX / 4),
                .output = m->output,
                .file_fd = -1,
                /* The tail must fit in one RP_EXITED frame. */
                .tail = { .limit = MIN(m->output_limit, RP_FRAME_MAX - 4096) },
        };
        if (!r->job_id) {
                free(r);
                return -ENOMEM;
        }

        plan = (struct spawn_plan) {
                .argv = m->argv,
                .envp = m->envp,
                .path_search = m->path_search,
                /* Root always sets all three, so a run never keeps root's
                 * groups by accident; anyone else only tries when asked
                 * to become someone else (and the kernel says no). */
                .set_credentials = rn->privileged || m->uid != rn->uid || m->gid != rn->gid,
                .uid = m->uid,
                .gid = m->gid,
                .groups = m->groups,
                .n_groups = m->n_groups,
                .no_new_privs = m->no_new_privs,
                .directory = m->directory,
                .stdin_fd = rn->devnull_fd,
                .stdout_fd = wfd >= 0 ? wfd : rn->devnull_fd,
        };
        k = spawn_start(&plan, &pid, &pidfd, reterr_stage);
        if (k < 0) {
                run_free(rn, r);
                return k;
        }

        r->pid = pid;
        r->start_usec = now_realtime();
        r->child_src.fd = pidfd;
        r->output_src.fd = TAKE_FD(rfd);
        r->file_fd = TAKE_FD(file_fd);
        if (m->timeout_usec > 0 && m->timeout_usec < (uint64_t) INT64_MAX / 2)
                r->timeout_mono = now_mono() + (usec_t) m->timeout_usec;

        k = runner_watch(rn, &r->child_src, EPOLLIN);
        if (k >= 0 && r->output_src.fd >= 0)
                k = runner_watch(rn, &r->output_src, EPOLLIN);
        if (k < 0) {
                siginfo_t si;

                /* Without its pidfd in the loop we could never reap it:
                 * kill it now, and report that it could not start. */
                log_msg(k, "Failed to watch run %" PRIu64 ", killing it", r->id);
                (void) kill(-pid, SIGKILL);
                (void) waitid(P_PIDFD, (id_t) pidfd, &si, WEXITED);
                run_free(rn, r);
                *reterr_stage = RP_STAGE_FORK;
                return k;
        }

        r->next = rn->runs;
        if (rn->runs)
                rn->runs->prev = r;
        rn->runs = r;
        rn->n_runs++;
        rn->deadlines_dirty = true;

        k = report_started(rn, r->id, pid, r->start_usec, &r->started_seq);
        if (k < 0)
                log_msg(k, "Failed to queue the start of run %" PRIu64, r->id);
        return 0;
}

static void
run_spawn(struct runner *rn, const struct rp_spawn *m)
{
        enum rp_stage stage;
        int k;

        k = spawn_one(rn, m, &stage);
        if (k >= 0)
                return;
        k = report_spawn_failed(rn, m->run_id, stage, -k);
        if (k < 0)
                log_msg(k, "Failed to queue the spawn failure of run %" PRIu64 " of '%s'",
                        m->run_id, m->job_id);
}

static void
start_or_refuse(struct runner *rn, const struct rp_spawn *m)
{
        int k;

        if (!rn->terminating) {
                rn->spawns_in_wakeup++;
                run_spawn(rn, m);
                return;
        }
        k = report_spawn_failed(rn, m->run_id, RP_STAGE_NONE, ESHUTDOWN);
        if (k < 0)
                log_msg(k, "Failed to queue a refused spawn");
}

/* --- held requests -------------------------------------------------------
 *
 * A request that is not started at once waits here as the frame it came
 * in, decoded again when it starts, in order of start time:
 *  - one whose start_at is ahead. schedd sends a firing a few ms ahead
 *    (sched.c FIRE_EARLY); a hold is converted to the monotonic clock and
 *    capped at HOLD_MAX, so a clock set in between can delay a start by
 *    no more than that;
 *  - one beyond SPAWNS_PER_WAKEUP in one loop iteration, due at once. A
 *    child copies the runner's fd table and closes it again at exec, so
 *    every exited run not yet reaped (a pidfd and a pipe) makes every
 *    later spawn dearer: a burst of 10,000 with max_concurrent_runs:
 *    10000, read in batches of thousands of requests and spawned without
 *    reaping in between, went several times slower than with 64 slots.
 * The deadline timer, armed at the first start (in the past for those
 * due at once), brings the loop back for them. */

static void
held_insert(struct runner *rn, struct held *h)
{
        struct held **p = &rn->held_head;

        if (rn->held_tail && rn->held_tail->start_mono > h->start_mono) {
                /* Rare: the common case is a later start, appended. */
                while ((*p)->start_mono <= h->start_mono)
                        p = &(*p)->next;
                h->next = *p;
                *p = h;
                return;
        }
        if (rn->held_tail)
                rn->held_tail->next = h;
        else
                rn->held_head = h;
        rn->held_tail = h;
}

void
run_request(struct runner *rn, const struct rp_spawn *m, const uint8_t *frame, size_t len)
{
        usec_t ahead = 0, now = now_mono();
        struct held *h;

        if (m->start_at_usec > 0 && m->start_at_usec < (uint64_t) INT64_MAX)
                ahead = (usec_t) m->start_at_usec - now_realtime();
        /* At once, unless it would overtake held requests that are due,
         * or the budget of this wake-up is spent. */
        if (rn->terminating || (ahead <= 0 && rn->spawns_in_wakeup < SPAWNS_PER_WAKEUP &&
                                !(rn->held_head && rn->held_head->start_mono <= now))) {
                start_or_refuse(rn, m);
                return;
        }
        /* Without memory for the copy, early beats never. */
        h = malloc(sizeof *h + len);
        if (!h) {
                start_or_refuse(rn, m);
                return;
        }
        *h = (struct held) {
                .start_mono = now + MAX(MIN(ahead, HOLD_MAX), (usec_t) 0),
                .run_id = m->run_id,
                .len = len,
        };
        memcpy(h->frame, frame, len);
        held_insert(rn, h);
        rn->deadlines_dirty = true;
}

static void
held_start(struct runner *rn, struct held *h)
{
        struct rp_msg m;
        int k;

        k = rp_decode(h->frame, h->len, &m);
        if (k >= 0) {
                start_or_refuse(rn, &m.spawn);
                rp_msg_done(&m);
                return;
        }
        /* It decoded once, so only memory can be missing. */
        k = report_spawn_failed(rn, h->run_id, RP_STAGE_NONE, -k);
        if (k < 0)
                log_msg(k, "Failed to queue the spawn failure of run %" PRIu64, h->run_id);
}

/* Starts the held requests due at @now_mono, as many as this wake-up's
 * budget allows, or all of them. */
static void
held_release(struct runner *rn, bool all, usec_t now_mono)
{
        while (rn->held_head &&
               (all || (rn->held_head->start_mono <= now_mono && rn->spawns_in_wakeup < SPAWNS_PER_WAKEUP))) {
                struct held *h = rn->held_head;

                rn->held_head = h->next;
                if (!rn->held_head)
                        rn->held_tail = NULL;
                held_start(rn, h);
                free(h);
        }
        rn->deadlines_dirty = true;
}

void
run_release_held(struct runner *rn)
{
        held_release(rn, true, 0);
}

/* --- output ------------------------------------------------------------ */

static void
forward_line(struct runner *rn, struct run *r, const char *p, size_t n)
{
        if (rn->journal) {
                char run_id[24];
                /* "%.*s" formatting, as sd_journal_send() had: up to a NUL. */
                struct journal_field f[] = {
                        { "MESSAGE", p, strnlen(p, n) },
                        { "PRIORITY", "6", 1 },
                        { "SCHEDD_JOB", r->job_id, strlen(r->job_id) },
                        { "SCHEDD_RUN", run_id, (size_t) snprintf(run_id, sizeof run_id, "%" PRIu64, r->id) },
                        { "SYSLOG_IDENTIFIER", r->job_id, strlen(r->job_id) },
                };
                int k = journal_send(f, ELEMENTSOF(f));
                if (k >= 0)
                        return;
                /* The journal is gone: stderr is the next best place. */
        }
        fprintf(stderr, "%s[%" PRIu64 "]: %.*s\n", r->job_id, r->id, (int) n, p);
}

static void
forward(struct runner *rn, struct run *r, const uint8_t *data, size_t n)
{
        const char *p = (const char *) data, *end = p + n;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t chunk = (size_t) ((nl ? nl : end) - p);

                if (r->line_len == 0 && nl && chunk <= LINE_MAX_FORWARD) {
                        /* The common case: a whole line, no copy. */
                        forward_line(rn, r, p, chunk);
                        p = nl + 1;
                        continue;
                }
                if (!r->line) {
                        r->line = malloc(LINE_MAX_FORWARD);
                        if (!r->line)
                                return;
                }
                chunk = MIN(chunk, LINE_MAX_FORWARD - r->line_len);
                memcpy(r->line + r->line_len, p, chunk);
                r->line_len += chunk;
                p += chunk;
                if (r->line_len == LINE_MAX_FORWARD || (p < end && *p == '\n')) {
                        forward_line(rn, r, r->line, r->line_len);
                        r->line_len = 0;
                        if (p < end && *p == '\n')
                                p++;
                }
        }
}

static void
forward_rest(struct runner *rn, struct run *r)
{
        if (r->line_len > 0)
                forward_line(rn, r, r->line, r->line_len);
        r->line_len = 0;
}

static void
consume(struct runner *rn, struct run *r, const uint8_t *data, size_t n)
{
        r->output_bytes += n;
        tail_append(&r->tail, data, n);

        switch (r->output) {
        case RP_OUTPUT_JOURNAL:
                forward(rn, r, data, n);
                break;
        case RP_OUTPUT_FILE:
                for (size_t off = 0; r->file_fd >= 0 && off < n; ) {
                        ssize_t w = write(r->file_fd, data + off, n - off);
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w <= 0) {
                                /* ENOSPC, EFBIG...: the tail still collects. */
                                log_msg(w < 0 ? -errno : -EIO, "Failed to write output of run %" PRIu64
                                        " of '%s', discarding the rest", r->id, r->job_id);
                                (void) close(r->file_fd);
                                r->file_fd = -1;
                                break;
                        }
                        off += (size_t) w;
                }
                break;
        default:
                break;
        }
}

/* Reads what the pipe holds, up to @budget bytes. Returns true at EOF or
 * on an error (the pipe is then of no further use). */
static bool
read_pipe(struct runner *rn, struct run *r, size_t budget)
{
        static uint8_t buf[READ_CHUNK];

        while (budget > 0) {
                ssize_t n = read(r->output_src.fd, buf, MIN(sizeof buf, budget));
                if (n > 0) {
                        consume(rn, r, buf, (size_t) n);
                        budget -= (size_t) n;
                        continue;
                }
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return false;
                if (n < 0)
                        log_msg(-errno, "Failed to read output of run %" PRIu64 ", closing it", r->id);
                return true;
        }
        return false;
}

void
run_read_output(struct runner *rn, struct run *r)
{
        if (r->dead || r->output_src.fd < 0)
                return;         /* closed earlier in this loop iteration */
        if (read_pipe(rn, r, (size_t) READ_CHUNK * READS_PER_WAKEUP)) {
                /* Every writer closed it; the leader may still run. */
                forward_rest(rn, r);
                runner_unwatch(rn, &r->output_src);
        }
}

/* --- stopping ----------------------------------------------------------- */

void
run_stop(struct runner *rn, struct run *r, usec_t grace, bool why_timeout)
{
        usec_t now = now_mono();

        if (grace < 0)
                grace = r->kill_grace;
        if (why_timeout)
                r->timed_out = true;
        else
                r->stopped = true;

        switch (r->phase) {
        case RUN_RUNNING:
                /* Invariant 1: the leader is unreaped, so -pid is ours. */
                (void) kill(-r->pid, SIGTERM);
                /* A stopped job could not act on SIGTERM. */
                (void) kill(-r->pid, SIGCONT);
                r->phase = RUN_STOPPING;
                r->kill_mono = now + MAX(grace, 0);
                break;
        case RUN_STOPPING:
                r->kill_mono = MIN(r->kill_mono, now + MAX(grace, 0));
                break;
        case RUN_KILLED:
                break;
        }
        rn->deadlines_dirty = true;
}

void
run_deadlines(struct runner *rn, usec_t now)
{
        held_release(rn, false, now);
        for (struct run *r = rn->runs; r; r = r->next) {
                if (r->phase == RUN_RUNNING && r->timeout_mono <= now)
                        run_stop(rn, r, r->kill_grace, true);
                if (r->phase == RUN_STOPPING && r->kill_mono <= now) {
                        (void) kill(-r->pid, SIGKILL);
                        r->phase = RUN_KILLED;
                }
        }
        rn->deadlines_dirty = true;
}

usec_t
run_next_deadline(struct runner *rn)
{
        usec_t t = rn->held_head ? rn->held_head->start_mono : USEC_INFINITY;

        for (struct run *r = rn->runs; r; r = r->next) {
                if (r->phase == RUN_RUNNING)
                        t = MIN(t, r->timeout_mono);
                else if (r->phase == RUN_STOPPING)
                        t = MIN(t, r->kill_mono);
        }
        return t;
}

/* --- reaping ------------------------------------------------------------- */

static uint64_t
timeval_usec(const struct timeval *tv)
{
        return (uint64_t) tv->tv_sec * 1000000u + (uint64_t) tv->tv_usec;
}

void
run_reap(struct runner *rn, struct run *r)
{
        _cleanup_free_ uint8_t *tail = NULL;
        struct rusage ru = {};
        siginfo_t si = {};
        struct rp_exited e;
        long k;

        if (r->dead)
                return;

        if (r->phase != RUN_RUNNING)
                /* See the file header: a stop leaves nothing behind. The
                 * leader has exited but is not reaped, so the group id is
                 * still this run's. */
                (void) kill(-r->pid, SIGKILL);

        /* The raw call takes the rusage that glibc's waitid() does not. */
        do
                k = syscall(SYS_waitid, P_PIDFD, r->child_src.fd, &si, WEXITED | WNOHANG, &ru);
        while (k < 0 && errno == EINTR);
        if (k < 0) {
                log_msg(-errno, "Failed to reap run %" PRIu64 ", reporting it as killed", r->id);
                si.si_code = CLD_KILLED;
                si.si_status = SIGKILL;
        } else if (si.si_pid == 0)
                return;         /* spurious wake-up: not exited yet */

        if (r->output_src.fd >= 0) {
                (void) read_pipe(rn, r, DRAIN_MAX);
                runner_unwatch(rn, &r->output_src);
        }
        forward_rest(rn, r);

        if (r->tail.len > 0) {
                tail = malloc(r->tail.len);
                if (tail)
                        tail_copy_out(&r->tail, tail);
        }
        e = (struct rp_exited) {
                .run_id = r->id,
                .end_usec = (uint64_t) now_realtime(),
                .code = si.si_code,
                .status = si.si_status,
                .timed_out = r->timed_out,
                .stopped = r->stopped,
                .utime_usec = timeval_usec(&ru.ru_utime),
                .stime_usec = timeval_usec(&ru.ru_stime),
                .maxrss_kib = (uint64_t) MAX(ru.ru_maxrss, 0L),
                .output_bytes = r->output_bytes,
                .output = tail,
                .output_len = tail ? (uint32_t) r->tail.len : 0,
        };
        k = report_exited(rn, &e);
        if (k < 0)
                log_msg((int) k, "Failed to queue the end of run %" PRIu64 " of '%s'", r->id, r->job_id);

        run_unlink(rn, r);
        r->dead = true;
        r->next = rn->dead_runs;
        rn->dead_runs = r;
        rn->deadlines_dirty = true;
}
