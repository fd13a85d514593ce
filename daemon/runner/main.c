/* main.c - schedd-runner: the parent of every run (DESIGN.md section 1).
 *
 *   schedd-runner --socket PATH | --listen-fd N  [--linger SECONDS]
 *
 * It listens on a UNIX socket for one daemon at a time, starts runs when
 * asked, and reports how they end, keeping each report until the daemon
 * acknowledges it. It survives the daemon: a new daemon connects, gets
 * every live run and every unacknowledged report again, and goes on.
 *
 * Promises:
 *  - One loop (runner_loop()), one switch over source kinds; it is the
 *    only place the runner waits, except spawn_start()'s wait for exec.
 *  - It runs in its own session, so a terminal's Ctrl-C aimed at schedd
 *    does not reach it; signals are read from a signalfd; SIGPIPE is
 *    ignored; SIGCHLD stays SIG_DFL (waitid() on pidfds needs it).
 *  - It exits by itself when no daemon is connected (or the daemon said
 *    RP_BYE) and no run is alive: at once if every report was
 *    acknowledged, else after --linger (default 60 s) so a restarting
 *    daemon can still collect; the first daemon also gets the linger to
 *    connect. SIGTERM or SIGINT stops every run with a
 *    10 s grace, then exits once everything is acknowledged or no daemon
 *    is connected.
 *  - A new connection replaces the old one once it has sent a HELLO of
 *    our version (so a probe or a daemon of another version disturbs
 *    nothing). A malformed frame, a frame out of place, or a peer other
 *    than root or our own user closes that connection; nothing a peer
 *    sends makes the runner exit. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../journal.h"
#include "runner.h"
#include "spawn.h"

#define STOP_GRACE_ON_SIGTERM (10 * USEC_PER_SEC)
#define CONN_READ_MAX (1024 * 1024)             /* per wake-up */
#define CONN_OUT_MAX ((size_t) 64 * 1024 * 1024) /* a daemon this far behind is stuck */

static const char *arg_socket = NULL;
static int arg_listen_fd = -1;
static usec_t arg_linger = 60 * USEC_PER_SEC;

/* The socket we bound, to unlink at exit if it is still ours. */
static dev_t socket_dev;
static ino_t socket_ino;

usec_t
now_mono(void)
{
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (usec_t) ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

usec_t
now_realtime(void)
{
        struct timespec ts;
        (void) clock_gettime(CLOCK_REALTIME, &ts);
        return (usec_t) ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

int
log_msg(int error, const char *fmt, ...)
{
        va_list ap;
        int saved = errno;

        fputs("schedd-runner: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        if (error < 0)
                fprintf(stderr, ": %s", strerror(-error));
        fputc('\n', stderr);
        errno = saved;
        return error;
}

int
runner_watch(struct runner *rn, struct source *s, uint32_t events)
{
        struct epoll_event ev = { .events = events, .data.ptr = s };

        if (epoll_ctl(rn->epoll_fd, EPOLL_CTL_ADD, s->fd, &ev) < 0)
                return -errno;
        return 0;
}

void
runner_unwatch(struct runner *rn, struct source *s)
{
        if (s->fd < 0)
                return;
        (void) epoll_ctl(rn->epoll_fd, EPOLL_CTL_DEL, s->fd, NULL);
        (void) close(s->fd);
        s->fd = -1;
}

/* --- connections ------------------------------------------------------
 *
 * A connection's slot is freed by conn_close() at once (fd -1): an event
 * for it still in the batch being handled finds fd < 0 and is ignored. */

static struct conn *
conn_of(struct source *s)
{
        return container_of(s, struct conn, src);
}

static void
conn_close(struct runner *rn, struct conn *c)
{
        runner_unwatch(rn, &c->src);
        rp_buf_done(&c->in);
        rp_buf_done(&c->out);
        c->bye = false;
        c->pollout = false;
        if (rn->conn == c) {
                rn->conn = NULL;
                run_release_held(rn);
                report_disconnected(rn);
        }
        if (rn->newcomer == c)
                rn->newcomer = NULL;
}

static void
conn_pollout(struct runner *rn, struct conn *c, bool on)
{
        struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = &c->src };

        if (c->pollout == on)
                return;
        if (epoll_ctl(rn->epoll_fd, EPOLL_CTL_MOD, c->src.fd, &ev) < 0) {
                log_msg(-errno, "Failed to watch a daemon connection, closing it");
                conn_close(rn, c);
                return;
        }
        c->pollout = on;
}

/* Writes as much of the output buffer as the socket takes. */
static void
conn_write(struct runner *rn, struct conn *c)
{
        while (c->out.len > 0) {
                ssize_t n = send(c->src.fd, c->out.data, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n < 0) {
                        if (errno != EPIPE && errno != ECONNRESET)
                                log_msg(-errno, "Failed to write to the daemon, closing the connection");
                        conn_close(rn, c);
                        return;
                }
                rp_buf_consume(&c->out, (size_t) n);
        }
        conn_pollout(rn, c, c->out.len > 0);
}

static int
buf_append(struct rp_buf *b, const uint8_t *data, size_t len)
{
        if (b->len + len > b->cap) {
                size_t cap = MAX(b->cap * 2, b->len + len);
                uint8_t *p = realloc(b->data, cap);
                if (!p)
                        return -ENOMEM;
                b->data = p;
                b->cap = cap;
        }
        memcpy(b->data + b->len, data, len);
        b->len += len;
        return 0;
}

static void
conn_queue(struct runner *rn, struct conn *c, const uint8_t *data, size_t len)
{
        if (c->src.fd < 0 || len == 0)
                return;
        if (c->out.len + len > CONN_OUT_MAX || buf_append(&c->out, data, len) < 0) {
                /* The reports stay in the outbox for the next daemon. */
                log_msg(-ENOBUFS, "The daemon does not read its reports, closing the connection");
                conn_close(rn, c);
                return;
        }
        conn_write(rn, c);
}

void
conn_send(struct runner *rn, const uint8_t *data, size_t len)
{
        if (rn->conn)
                conn_queue(rn, rn->conn, data, len);
}

static void
on_accept(struct runner *rn)
{
        _cleanup_(rp_buf_done) struct rp_buf b = {};
        struct rp_hello h = {
                .version = RP_VERSION,
                .pid = (uint32_t) getpid(),
                .software = "schedd-runner " SCHEDD_VERSION,
        };
        struct ucred cred;
        socklen_t sl = sizeof cred;
        struct conn *c;
        int fd, r;

        fd = accept4(rn->listen_src.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
                if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                        log_msg(-errno, "Failed to accept a connection, ignoring");
                return;
        }
        /* The socket is 0600 in a private directory; this also covers a
         * --listen-fd socket whose permissions we did not choose. */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl) < 0 ||
            (cred.uid != 0 && cred.uid != rn->uid)) {
                log_msg(-EPERM, "Refusing a connection from uid %u", (unsigned) cred.uid);
                (void) close(fd);
                return;
        }

        /* At most one newcomer: the newest. */
        if (rn->newcomer)
                conn_close(rn, rn->newcomer);
        c = rn->conn == &rn->slots[0] ? &rn->slots[1] : &rn->slots[0];
        c->src = (struct source) { .kind = SOURCE_CONN, .fd = fd };
        r = runner_watch(rn, &c->src, EPOLLIN);
        if (r < 0) {
                log_msg(r, "Failed to watch a connection, closing it");
                (void) close(fd);
                c->src.fd = -1;
                return;
        }
        rn->newcomer = c;

        if (rp_encode_hello(&b, &h) < 0) {
                conn_close(rn, c);
                return;
        }
        conn_queue(rn, c, b.data, b.len);
}

static void
stop_all(struct runner *rn, usec_t grace)
{
        /* What is held must be stopped too (or refused, when we terminate). */
        run_release_held(rn);
        for (struct run *r = rn->runs; r; r = run_next(r))
                run_stop(rn, r, grace, false);
}

/* A newcomer's frame. Returns false if the connection must be closed. */
static bool
newcomer_message(struct runner *rn, struct conn *c, const struct rp_msg *m)
{
        if (m->type == RP_BYE) {
                /* A daemon of another version sends only this, to let us
                 * drain (runproto.h): whoever was our daemon is gone. */
                if (rn->conn)
                        conn_close(rn, rn->conn);
                rn->ever_connected = true;
                c->bye = true;
                return true;
        }
        if (m->type != RP_HELLO || c->bye)
                return false;
        if (m->hello.version != RP_VERSION) {
                log_msg(-EPROTO, "A daemon speaks version %" PRIu32 ", we speak %d, closing",
                        m->hello.version, RP_VERSION);
                return false;
        }

        /* The newest daemon wins. */
        if (rn->conn)
                conn_close(rn, rn->conn);
        rn->newcomer = NULL;
        rn->conn = c;
        rn->ever_connected = true;
        return report_sync(rn) >= 0;
}

/* The daemon's frame, decoded from @frame. Returns false if the
 * connection must be closed. */
static bool
daemon_message(struct runner *rn, struct conn *c, const struct rp_msg *m, const uint8_t *frame, size_t len)
{
        switch (m->type) {
        case RP_BYE:
                c->bye = true;
                run_release_held(rn);
                return true;
        case RP_SPAWN:
                run_request(rn, &m->spawn, frame, len);
                return true;
        case RP_STOP: {
                struct run *r;

                /* The run may be one still held. */
                run_release_held(rn);
                r = run_find(rn, m->stop.run_id);
                /* An unknown run has ended already; its RP_EXITED says so. */
                if (r)
                        run_stop(rn, r, -1, false);
                return true;
        }
        case RP_STOP_ALL:
                stop_all(rn, (usec_t) MIN(m->stop_all.grace_usec, (uint64_t) INT64_MAX / 4));
                return true;
        case RP_ACK:
                report_ack(rn, m->ack.seq);
                return true;
        default:
                /* A second HELLO, or a report type: not from a daemon. */
                return false;
        }
}

/* Handles every complete frame in the input buffer. */
static void
conn_parse(struct runner *rn, struct conn *c)
{
        size_t off = 0;

        while (c->src.fd >= 0) {
                struct rp_msg m;
                ssize_t n = rp_frame_length(c->in.data + off, c->in.len - off);
                bool ok;

                if (n == 0)
                        break;
                if (n < 0 || rp_decode(c->in.data + off, (size_t) n, &m) < 0) {
                        log_msg(-EBADMSG, "Malformed frame from a daemon, closing the connection");
                        conn_close(rn, c);
                        return;
                }
                ok = c == rn->conn ? daemon_message(rn, c, &m, c->in.data + off, (size_t) n)
                                   : newcomer_message(rn, c, &m);
                rp_msg_done(&m);
                if (!ok) {
                        conn_close(rn, c);
                        return;
                }
                off += (size_t) n;
        }
        if (c->src.fd >= 0)
                rp_buf_consume(&c->in, off);
}

static void
on_conn(struct runner *rn, struct conn *c, uint32_t events)
{
        size_t got = 0;

        if (c->src.fd < 0)
                return;         /* closed earlier in this batch */
        if (events & EPOLLOUT)
                conn_write(rn, c);

        while (c->src.fd >= 0 && got < CONN_READ_MAX) {
                ssize_t n;

                if (c->in.cap - c->in.len < 64 * 1024) {
                        size_t cap = MAX(c->in.cap * 2, c->in.len + 64 * 1024);
                        uint8_t *p = realloc(c->in.data, cap);
                        if (!p) {
                                log_msg(-ENOMEM, "Failed to read from a daemon, closing the connection");
                                conn_close(rn, c);
                                return;
                        }
                        c->in.data = p;
                        c->in.cap = cap;
                }
                n = read(c->src.fd, c->in.data + c->in.len, c->in.cap - c->in.len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n <= 0) {
                        /* EOF or a reset: the daemon is gone. Whatever
                         * arrived before it still counts (an ACK, a BYE). */
                        conn_parse(rn, c);
                        if (c->src.fd >= 0)
                                conn_close(rn, c);
                        return;
                }
                c->in.len += (size_t) n;
                got += (size_t) n;
                conn_parse(rn, c);
        }
}

/* --- signals and timers ------------------------------------------------- */

static void
on_signal(struct runner *rn)
{
        struct signalfd_siginfo si;

        while (read(rn->signal_src.fd, &si, sizeof si) == (ssize_t) sizeof si) {
                switch (si.ssi_signo) {
                case SIGTERM:
                case SIGINT:
                        if (!rn->terminating)
                                log_msg(0, "Received %s, stopping %zu runs", strsignal((int) si.ssi_signo),
                                        rn->n_runs);
                        rn->terminating = true;
                        stop_all(rn, STOP_GRACE_ON_SIGTERM);
                        break;
                default:
                        /* SIGHUP: there is nothing to reload. */
                        break;
                }
        }
}

static void
timer_read(int fd)
{
        uint64_t ticks;
        (void) !read(fd, &ticks, sizeof ticks);
}

static void
deadline_arm(struct runner *rn)
{
        struct itimerspec at = {};
        usec_t t = run_next_deadline(rn);

        if (rn->idle_since_mono > 0)
                t = MIN(t, rn->idle_since_mono + arg_linger);
        if (t != USEC_INFINITY) {
                t = MAX(t, (usec_t) 1);
                at.it_value.tv_sec = t / USEC_PER_SEC;
                at.it_value.tv_nsec = (t % USEC_PER_SEC) * 1000;
        }
        if (timerfd_settime(rn->deadline_src.fd, TFD_TIMER_ABSTIME, &at, NULL) < 0)
                log_msg(-errno, "Failed to arm the deadline timer");
        rn->deadlines_dirty = false;
}

/* After each loop iteration: is it time to go? (the header's rules) */
static bool
should_exit(struct runner *rn)
{
        bool daemon_here = rn->conn && !rn->conn->bye;
        usec_t now;

        if (rn->n_runs > 0) {
                rn->idle_since_mono = 0;
                return false;
        }
        /* Before the first daemon came, "nothing unacknowledged" would
         * end us at once; the daemon that started us gets the linger to
         * connect instead. */
        if (rn->n_reports == 0 && rn->ever_connected && (!daemon_here || rn->terminating))
                return true;
        if (!daemon_here && rn->terminating)
                return true;
        if (daemon_here && !rn->terminating) {
                rn->idle_since_mono = 0;
                return false;
        }
        /* Unacknowledged reports and nobody to take them (or a daemon
         * that takes long to acknowledge while we terminate): linger. */
        now = now_mono();
        if (rn->idle_since_mono == 0) {
                rn->idle_since_mono = now;
                rn->deadlines_dirty = true;
        }
        return now >= rn->idle_since_mono + arg_linger;
}

static int
runner_loop(struct runner *rn)
{
        struct epoll_event events[64];

        for (;;) {
                int n;

                if (should_exit(rn))
                        return 0;
                if (rn->deadlines_dirty)
                        deadline_arm(rn);

                n = epoll_wait(rn->epoll_fd, events, ELEMENTSOF(events), -1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_msg(-errno, "Failed to wait for events");
                }

                for (int i = 0; i < n; i++) {
                        struct source *s = events[i].data.ptr;

                        switch (s->kind) {
                        case SOURCE_SIGNAL:   on_signal(rn);                          break;
                        case SOURCE_LISTEN:   on_accept(rn);                          break;
                        case SOURCE_CONN:     on_conn(rn, conn_of(s), events[i].events); break;
                        case SOURCE_FLUSH:    timer_read(s->fd); report_flush(rn);    break;
                        case SOURCE_DEADLINE: timer_read(s->fd); run_deadlines(rn, now_mono()); break;
                        case SOURCE_CHILD:    run_reap(rn, run_of_child(s));          break;
                        case SOURCE_OUTPUT:   run_read_output(rn, run_of_output(s));  break;
                        }
                }

                run_collect_garbage(rn);
                rn->spawns_in_wakeup = 0;
                report_schedule(rn);
        }
}

/* --- start-up ------------------------------------------------------------ */

/* Listens on @path. The socket is bound and listening under a temporary
 * name first, then renamed into place: a client that sees the path can
 * always connect (a socket bound but not yet listening refuses, and a
 * client, or another runner probing for a live one, would take that for
 * a dead runner's socket). */
static int
listen_on_path(const char *path)
{
        _cleanup_close_ int fd = -1, probe = -1;
        struct sockaddr_un sa = { .sun_family = AF_UNIX }, tmp = { .sun_family = AF_UNIX };
        struct stat st;
        mode_t old;
        int r;

        if (strlen(path) >= sizeof sa.sun_path ||
            snprintf(tmp.sun_path, sizeof tmp.sun_path, "%s.%d~", path, (int) getpid()) >= (int) sizeof tmp.sun_path)
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);

        /* Do not steal a live runner's address; a socket nobody answers
         * on is a dead runner's, and is replaced. */
        probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (probe < 0)
                return -errno;
        if (connect(probe, (struct sockaddr *) &sa, sizeof sa) == 0)
                return -EADDRINUSE;
        if (errno != ECONNREFUSED && errno != ENOENT)
                return -errno;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        (void) unlink(tmp.sun_path);
        /* umask makes the socket 0600 from its first moment. */
        old = umask(0177);
        r = bind(fd, (struct sockaddr *) &tmp, sizeof tmp) < 0 ? -errno : 0;
        umask(old);
        if (r < 0)
                return r;
        if (chmod(tmp.sun_path, 0600) < 0 || listen(fd, 16) < 0 || rename(tmp.sun_path, path) < 0) {
                r = -errno;
                (void) unlink(tmp.sun_path);
                return r;
        }
        if (stat(path, &st) < 0)
                return -errno;
        socket_dev = st.st_dev;
        socket_ino = st.st_ino;
        return TAKE_FD(fd);
}

static int
prepare_listen_fd(int fd)
{
        int accepting = 0;
        socklen_t sl = sizeof accepting;

        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &sl) < 0)
                return -errno;
        if (!accepting)
                return -EINVAL;
        if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
                return -errno;
        if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
                return -errno;
        return fd;
}

static void
help(void)
{
        printf("Usage: schedd-runner (--socket PATH | --listen-fd N) [--linger SECONDS]\n"
               "\n"
               "The parent of schedd's runs; started by schedd, not by hand.\n"
               "  --socket PATH     create and listen on this UNIX socket (mode 0600)\n"
               "  --listen-fd N     listen on this already bound socket\n"
               "  --linger SECONDS  how long to keep unacknowledged reports without\n"
               "                    a daemon before exiting (default 60)\n");
}

static int
parse_argv(int argc, char *argv[])
{
        static const struct option options[] = {
                { "socket",    required_argument, NULL, 's' },
                { "listen-fd", required_argument, NULL, 'l' },
                { "linger",    required_argument, NULL, 'g' },
                { "help",      no_argument,       NULL, 'h' },
                { "version",   no_argument,       NULL, 'V' },
                {}
        };
        char *end;
        int c;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                switch (c) {
                case 's':
                        arg_socket = optarg;
                        break;
                case 'l': {
                        long v;
                        errno = 0;
                        v = strtol(optarg, &end, 10);
                        if (errno || *end || v < 0 || v > INT_MAX) {
                                fprintf(stderr, "schedd-runner: invalid --listen-fd '%s'\n", optarg);
                                return -EINVAL;
                        }
                        arg_listen_fd = (int) v;
                        break;
                }
                case 'g': {
                        double v;
                        errno = 0;
                        v = strtod(optarg, &end);
                        if (errno || *end || !(v >= 0) || v > 1e9) {
                                fprintf(stderr, "schedd-runner: invalid --linger '%s'\n", optarg);
                                return -EINVAL;
                        }
                        arg_linger = (usec_t) (v * USEC_PER_SEC);
                        break;
                }
                case 'h':
                        help();
                        return 0;
                case 'V':
                        printf("schedd-runner %s\n", SCHEDD_VERSION);
                        return 0;
                default:
                        return -EINVAL;
                }
        }
        if (optind < argc || (!arg_socket) == (arg_listen_fd < 0)) {
                fprintf(stderr, "schedd-runner: give exactly one of --socket PATH and --listen-fd N\n");
                return -EINVAL;
        }
        return 1;
}

static int
runner_setup(struct runner *rn)
{
        sigset_t mask;
        int r, n;

        rn->uid = getuid();
        rn->gid = getgid();
        rn->privileged = geteuid() == 0;
        rn->journal = stderr_is_journal();
        rn->next_seq = 1;

        n = getgroups(0, NULL);
        if (n < 0)
                return log_msg(-errno, "Failed to read own groups");
        rn->own_groups = calloc((size_t) n + 1, sizeof(gid_t));
        if (!rn->own_groups)
                return log_msg(-ENOMEM, "Failed to allocate");
        n = getgroups(n, rn->own_groups);
        if (n < 0)
                return log_msg(-errno, "Failed to read own groups");
        rn->n_own_groups = (size_t) n;

        rn->devnull_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (rn->devnull_fd < 0)
                return log_msg(-errno, "Failed to open /dev/null");

        rn->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (rn->epoll_fd < 0)
                return log_msg(-errno, "Failed to create the epoll set");

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_msg(-errno, "Failed to block signals");
        rn->signal_src.fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
        if (rn->signal_src.fd < 0)
                return log_msg(-errno, "Failed to create the signalfd");

        rn->flush_src.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        rn->deadline_src.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (rn->flush_src.fd < 0 || rn->deadline_src.fd < 0)
                return log_msg(-errno, "Failed to create timers");

        if (arg_socket) {
                rn->listen_src.fd = listen_on_path(arg_socket);
                if (rn->listen_src.fd < 0)
                        return log_msg(rn->listen_src.fd, "Failed to listen on '%s'", arg_socket);
        } else {
                rn->listen_src.fd = prepare_listen_fd(arg_listen_fd);
                if (rn->listen_src.fd < 0)
                        return log_msg(rn->listen_src.fd, "Failed to use --listen-fd %d", arg_listen_fd);
        }

        if ((r = runner_watch(rn, &rn->signal_src, EPOLLIN)) < 0 ||
            (r = runner_watch(rn, &rn->listen_src, EPOLLIN)) < 0 ||
            (r = runner_watch(rn, &rn->flush_src, EPOLLIN)) < 0 ||
            (r = runner_watch(rn, &rn->deadline_src, EPOLLIN)) < 0)
                return log_msg(r, "Failed to set up the event loop");
        return 0;
}

static void
runner_done(struct runner *rn)
{
        struct stat st;

        /* A last attempt to hand over what is still buffered. */
        if (rn->conn && rn->conn->out.len > 0)
                (void) !send(rn->conn->src.fd, rn->conn->out.data, rn->conn->out.len,
                             MSG_NOSIGNAL | MSG_DONTWAIT);
        /* Runs first: closing the daemon's connection would start what
         * is held (conn_close()), and nothing starts on the way out. */
        run_free_all(rn);
        for (size_t i = 0; i < ELEMENTSOF(rn->slots); i++)
                conn_close(rn, &rn->slots[i]);
        report_free_all(rn);
        runner_unwatch(rn, &rn->signal_src);
        runner_unwatch(rn, &rn->listen_src);
        runner_unwatch(rn, &rn->flush_src);
        runner_unwatch(rn, &rn->deadline_src);
        if (rn->epoll_fd >= 0)
                (void) close(rn->epoll_fd);
        if (rn->devnull_fd >= 0)
                (void) close(rn->devnull_fd);
        free(rn->own_groups);

        /* Remove the socket only if it is still the one we bound: a newer
         * runner may have replaced it after we stopped answering. */
        if (arg_socket && stat(arg_socket, &st) == 0 && st.st_dev == socket_dev && st.st_ino == socket_ino)
                (void) unlink(arg_socket);
}

int
main(int argc, char *argv[])
{
        struct runner rn = {
                .epoll_fd = -1,
                .devnull_fd = -1,
                .signal_src = { .kind = SOURCE_SIGNAL, .fd = -1 },
                .listen_src = { .kind = SOURCE_LISTEN, .fd = -1 },
                .slots = { { .src = { .kind = SOURCE_CONN, .fd = -1 } },
                           { .src = { .kind = SOURCE_CONN, .fd = -1 } } },
                .flush_src = { .kind = SOURCE_FLUSH, .fd = -1 },
                .deadline_src = { .kind = SOURCE_DEADLINE, .fd = -1 },
        };
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? 2 : 0;

        /* Keep 0, 1 and 2 taken, so no pipe of ours lands on them and a
         * child's dup2() onto them always duplicates (spawn.c). */
        for (;;) {
                int fd = open("/dev/null", O_RDWR);
                if (fd < 0)
                        return 1;
                if (fd > 2) {
                        (void) close(fd);
                        break;
                }
        }

        /* Out of schedd's session and process group: a Ctrl-C or a
         * SIGHUP meant for schedd's terminal is not ours. Fails only if we
         * lead a group already, which is as good. */
        (void) setsid();
        (void) signal(SIGPIPE, SIG_IGN);
        spawn_init();

        r = runner_setup(&rn);
        if (r >= 0)
                r = runner_loop(&rn);
        runner_done(&rn);
        return r < 0 ? 1 : 0;
}
