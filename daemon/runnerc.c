/* runnerc.c - connect to, start, talk to the runner. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "runnerc.h"
#include "sched.h"

extern char **environ;


static int
fill_addr(const char *path, struct sockaddr_un *sa, socklen_t *len)
{
        size_t l = strlen(path);

        if (l >= sizeof sa->sun_path)
                return -ENAMETOOLONG;
        *sa = (struct sockaddr_un) { .sun_family = AF_UNIX };
        memcpy(sa->sun_path, path, l + 1);
        *len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + l + 1);
        return 0;
}

static int
try_connect(const char *path)
{
        struct sockaddr_un sa;
        socklen_t len;
        int fd, r;

        r = fill_addr(path, &sa, &len);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, len) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

/* Binds the runner's socket and starts schedd-runner on it. */
static int
spawn_runner(struct daemon *d)
{
        struct sockaddr_un sa;
        socklen_t len;
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        char *argv[] = { d->runner_path, "--listen-fd", "3", NULL };
        int fd, r;
        pid_t pid;

        r = fill_addr(d->runner_socket, &sa, &len);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        (void) unlink(d->runner_socket);
        mode_t old = umask(0077);       /* root-only in system mode, user-only in user mode */
        r = bind(fd, (struct sockaddr *) &sa, len);
        umask(old);
        if (r < 0 || listen(fd, 16) < 0) {
                r = -errno;
                close(fd);
                return log_error_errno(r, "Failed to listen on '%s' for the runner: %m", d->runner_socket);
        }

        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fd, 3);  /* dup2 clears CLOEXEC on 3 */
        posix_spawnattr_init(&attr);
        sigset_t none;
        sigemptyset(&none);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
        /* A child inherits the timer slack: the runner, and through it
         * the jobs, get the one we were started with, not ours (main.c). */
        (void) prctl(PR_SET_TIMERSLACK, d->timerslack_ns, 0, 0, 0);
        r = posix_spawn(&pid, d->runner_path, &fa, &attr, argv, environ);
        (void) prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        close(fd);
        if (r != 0)
                return log_error_errno(-r, "Failed to start the runner '%s': %m", d->runner_path);
        d->runner.spawned_pid = pid;
        log_info("Started the runner '%s' (pid %d).", d->runner_path, (int) pid);
        return 0;
}

static void
reap_runner(struct daemon *d)
{
        pid_t pid = d->runner.spawned_pid;

        if (pid > 0 && waitpid(pid, NULL, WNOHANG) == pid)
                d->runner.spawned_pid = 0;
}

static int
queue_hello(struct daemon *d)
{
        struct rp_hello h = { .version = RP_VERSION, .pid = (uint32_t) getpid(),
                              .software = "schedd " SCHEDD_VERSION };
        return rp_encode_hello(&d->runner.out, &h);
}

static void
lost(struct daemon *d, const char *why)
{
        log_warning("Lost the connection to the runner (%s); its runs are interrupted, restarting it.", why);
        runnerc_close(d);
        run_on_runner_lost(d);
        reap_runner(d);
        d->runner.reconnect_at_mono = now_monotonic() + USEC_PER_SEC;
}

static void
dispatch(struct daemon *d, const struct rp_msg *m)
{
        switch (m->type) {
        case RP_HELLO:
                if (m->hello.version != RP_VERSION) {
                        log_error("The runner speaks protocol version %u, this schedd %u; asking it to drain.",
                                  m->hello.version, RP_VERSION);
                        (void) rp_encode_empty(&d->runner.out, RP_BYE);
                        return;
                }
                d->runner.pid = (pid_t) m->hello.pid;
                log_debug("Connected to the runner %s (pid %u).", m->hello.software, m->hello.pid);
                break;
        case RP_STARTED:
                run_on_started(d, &m->started);
                runnerc_ack(d, m->started.seq);
                break;
        case RP_SPAWN_FAILED:
                run_on_spawn_failed(d, &m->spawn_failed);
                runnerc_ack(d, m->spawn_failed.seq);
                break;
        case RP_EXITED:
                run_on_exited(d, &m->exited);
                runnerc_ack(d, m->exited.seq);
                break;
        case RP_SYNC_DONE:
                d->runner.synced = true;
                run_on_runner_synced(d);
                break;
        default:
                log_warning("Unexpected message %d from the runner, ignoring.", (int) m->type);
        }
}

/* Decodes and dispatches every complete frame in the input buffer. */
static int
drain_input(struct daemon *d)
{
        struct runner_client *c = &d->runner;
        size_t off = 0;

        sched_tx(d);
        for (;;) {
                ssize_t l = rp_frame_length(c->in + off, c->in_len - off);
                struct rp_msg m;

                if (l == 0)
                        break;
                if (l < 0 || rp_decode(c->in + off, (size_t) l, &m) < 0)
                        return -EBADMSG;
                dispatch(d, &m);
                rp_msg_done(&m);
                off += (size_t) l;
        }
        memmove(c->in, c->in + off, c->in_len - off);
        c->in_len -= off;
        return 0;
}

static int
read_some(struct daemon *d)
{
        struct runner_client *c = &d->runner;

        for (;;) {
                ssize_t n;

                if (c->in_cap - c->in_len < 65536) {
                        /* A frame is at most RP_FRAME_MAX: the buffer never
                         * needs more than two of them. */
                        size_t cap = c->in_cap ? c->in_cap * 2 : 262144;
                        uint8_t *in;
                        if (cap > 2 * (size_t) RP_FRAME_MAX + 262144)
                                return -EMSGSIZE;
                        in = realloc(c->in, cap);
                        if (!in)
                                return -ENOMEM;
                        c->in = in;
                        c->in_cap = cap;
                }
                n = read(c->src.fd, c->in + c->in_len, c->in_cap - c->in_len);
                if (n == 0)
                        return -EPIPE;
                if (n < 0) {
                        if (errno == EAGAIN)
                                return 0;
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                c->in_len += (size_t) n;
                if (drain_input(d) < 0)
                        return -EBADMSG;
        }
}

static void
set_events(struct daemon *d, bool want_out)
{
        struct epoll_event ev = { .events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.ptr = &d->runner.src };

        (void) epoll_ctl(d->epoll_fd, EPOLL_CTL_MOD, d->runner.src.fd, &ev);
}

void
runnerc_flush(struct daemon *d)
{
        struct runner_client *c = &d->runner;

        if (c->src.fd < 0)
                return;
        if (c->ack_pending > c->acked) {
                struct rp_ack a = { .seq = c->ack_pending };
                if (rp_encode_ack(&c->out, &a) >= 0)
                        c->acked = c->ack_pending;
        }
        while (c->out.len > 0) {
                ssize_t n = write(c->src.fd, c->out.data, c->out.len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                set_events(d, true);
                                return;
                        }
                        lost(d, strerror(errno));
                        return;
                }
                rp_buf_consume(&c->out, (size_t) n);
        }
        set_events(d, false);
}

static int
connect_runner(struct daemon *d)
{
        struct epoll_event ev;
        int fd;

        fd = try_connect(d->runner_socket);
        if (fd < 0) {
                int r = spawn_runner(d);
                if (r < 0)
                        return r;
                fd = try_connect(d->runner_socket);
                if (fd < 0)
                        return log_error_errno(fd, "Failed to connect to the runner at '%s': %m", d->runner_socket);
        } else
                log_info("Found a runner at '%s' from an earlier schedd; collecting its runs.", d->runner_socket);

        if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
                close(fd);
                return -errno;
        }
        d->runner.src = (struct source) { SOURCE_RUNNER, fd };
        d->runner.synced = false;
        d->runner.in_len = 0;
        d->runner.out.len = 0;
        d->runner.ack_pending = 0;
        d->runner.acked = 0;
        d->runner.reconnect_at_mono = USEC_UNSET;
        ev = (struct epoll_event) { .events = EPOLLIN, .data.ptr = &d->runner.src };
        if (epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
                int r = -errno;
                runnerc_close(d);
                return r;
        }
        return queue_hello(d);
}

int
runnerc_connect(struct daemon *d)
{
        int r = connect_runner(d);

        if (r < 0)
                return r;
        runnerc_flush(d);
        return 0;
}

int
runnerc_start(struct daemon *d, usec_t timeout)
{
        usec_t until = now_monotonic() + timeout;
        int r;

        if (d->runner.src.fd < 0) {
                r = connect_runner(d);
                if (r < 0) {
                        d->runner.reconnect_at_mono = now_monotonic() + USEC_PER_SEC;
                        return r;
                }
        }
        runnerc_flush(d);
        /* Wait for the re-sent runs and reports: max_instances and the
         * catch-up must know what is still running before anything fires. */
        while (!d->runner.synced && d->runner.src.fd >= 0) {
                struct pollfd p = { .fd = d->runner.src.fd, .events = POLLIN };
                usec_t left = until - now_monotonic();
                if (left <= 0)
                        return log_error_errno(-ETIMEDOUT, "The runner did not answer in time.");
                if (poll(&p, 1, (int) (left / 1000) + 1) < 0 && errno != EINTR)
                        return -errno;
                r = read_some(d);
                if (r < 0) {
                        lost(d, strerror(-r));
                        return r;
                }
        }
        sched_commit(d);
        runnerc_flush(d);
        return d->runner.synced ? 0 : -ENOTCONN;
}

void
runnerc_io(struct daemon *d, uint32_t events)
{
        int r;

        if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                r = read_some(d);
                if (r < 0) {
                        lost(d, r == -EPIPE ? "it closed the connection" : strerror(-r));
                        return;
                }
        }
        if (events & EPOLLOUT)
                runnerc_flush(d);
}

void
runnerc_on_deadline(struct daemon *d, usec_t now_mono)
{
        if (d->runner.reconnect_at_mono == USEC_UNSET || now_mono < d->runner.reconnect_at_mono)
                return;
        d->runner.reconnect_at_mono = USEC_UNSET;
        if (connect_runner(d) < 0)
                d->runner.reconnect_at_mono = now_mono + 5 * USEC_PER_SEC;
}

int
runnerc_spawn(struct daemon *d, const struct rp_spawn *m)
{
        if (d->runner.src.fd < 0)
                return -ENOTCONN;
        return rp_encode_spawn(&d->runner.out, m);
}

void
runnerc_stop(struct daemon *d, struct run *r)
{
        struct rp_stop s = { .run_id = (uint64_t) r->id };

        if (d->runner.src.fd >= 0 && rp_encode_stop(&d->runner.out, &s) >= 0)
                r->stop_sent = true;
}

int
runnerc_stop_all(struct daemon *d, usec_t grace)
{
        struct rp_stop_all s = { .grace_usec = (uint64_t) grace };

        if (d->runner.src.fd < 0)
                return -ENOTCONN;
        return rp_encode_stop_all(&d->runner.out, &s);
}

void
runnerc_ack(struct daemon *d, uint64_t seq)
{
        if (seq > d->runner.ack_pending)
                d->runner.ack_pending = seq;
}

void
runnerc_bye(struct daemon *d)
{
        struct runner_client *c = &d->runner;

        if (c->src.fd < 0)
                return;
        (void) rp_encode_empty(&c->out, RP_BYE);
        if (c->ack_pending > c->acked) {
                struct rp_ack a = { .seq = c->ack_pending };
                (void) rp_encode_ack(&c->out, &a);
        }
        /* Blocking now: a short, final write. */
        (void) fcntl(c->src.fd, F_SETFL, 0);
        while (c->out.len > 0) {
                ssize_t n = write(c->src.fd, c->out.data, c->out.len);
                if (n <= 0 && errno != EINTR)
                        break;
                if (n > 0)
                        rp_buf_consume(&c->out, (size_t) n);
        }
        runnerc_close(d);
}

void
runnerc_close(struct daemon *d)
{
        struct runner_client *c = &d->runner;

        if (c->src.fd >= 0) {
                (void) epoll_ctl(d->epoll_fd, EPOLL_CTL_DEL, c->src.fd, NULL);
                close(c->src.fd);
        }
        c->src.fd = -1;
        c->synced = false;
        c->in_len = 0;
        c->out.len = 0;
}
