/* control.c - the control socket: Varlink over a UNIX stream socket.
 *
 * Owns the listening socket and the clients: accepts, reads frames into
 * each client's decoder, hands complete calls to methods.c, and writes
 * replies from each client's buffer without ever blocking. Limits, so no
 * client can delay a firing or exhaust the daemon (SPEC 6): a message is at
 * most 1 MiB; at most CONTROL_MAX_CLIENTS at once; at most
 * CONTROL_OUT_MAX bytes of replies waiting per client; a client that
 * leaves a message half-sent or its replies unread for CONTROL_STALL is
 * dropped, and one idle for CONTROL_IDLE is closed (watchers, waiters and
 * readers of a List excepted). A client that sends garbage is dropped; the
 * daemon goes on.
 *
 * A List of many jobs (25 MB for 100,000) is one message, but it is not
 * written in one go: that held the loop for 90 ms, and every firing due
 * then started that late. control_continue() writes it CONTROL_LIST_ROWS
 * jobs at a time, for at most CONTROL_LIST_BUDGET per loop step, and only
 * while fewer than CONTROL_LIST_LOW bytes of the client's replies wait: a
 * slow reader holds a bounded buffer, and the loop fires due jobs between
 * the parts. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "log.h"
#include "methods.h"

#define CONTROL_MAX_CLIENTS 256
#define CONTROL_OUT_MAX (16u * 1024 * 1024)
#define CONTROL_STALL (10 * USEC_PER_SEC)
#define CONTROL_IDLE (60 * USEC_PER_SEC)
#define CONTROL_READ_CHUNK 65536
#define CONTROL_LIST_ROWS 500                   /* about 0.4 ms of writing */
#define CONTROL_LIST_BUDGET (1 * USEC_PER_MSEC)  /* of List writing per loop step, for all clients */
#define CONTROL_LIST_LOW (256u * 1024)           /* write more of a List only below this much pending */

int
control_listen(struct daemon *d)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct epoll_event ev;
        size_t l = strlen(d->socket_path);
        int fd;

        if (l >= sizeof sa.sun_path)
                return log_error_errno(-ENAMETOOLONG, "The socket path '%s' is too long.", d->socket_path);
        memcpy(sa.sun_path, d->socket_path, l + 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        (void) unlink(d->socket_path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen(fd, 128) < 0) {
                int r = -errno;
                close(fd);
                return log_error_errno(r, "Failed to listen on '%s': %m", d->socket_path);
        }
        /* Everyone may connect to the system daemon: rights are decided
         * per call from the peer's credentials. A user daemon is private. */
        (void) chmod(d->socket_path, d->user_mode ? 0600 : 0666);
        d->listen_src = (struct source) { SOURCE_LISTEN, fd };
        ev = (struct epoll_event) { .events = EPOLLIN, .data.ptr = &d->listen_src };
        if (epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
                return -errno;
        return 0;
}

static void
client_free(struct daemon *d, struct client *c)
{
        (void) epoll_ctl(d->epoll_fd, EPOLL_CTL_DEL, c->src.fd, NULL);
        close(c->src.fd);
        varlink_decoder_done(&c->dec);
        varlink_buf_done(&c->out);
        varlink_buf_done(&c->later);
        methods_list_free(c->list);
        if (c->prev)
                c->prev->next = c->next;
        else
                d->clients = c->next;
        if (c->next)
                c->next->prev = c->prev;
        d->n_clients--;
        free(c);
}

void
control_done(struct daemon *d)
{
        while (d->clients)
                client_free(d, d->clients);
        if (d->listen_src.fd >= 0) {
                close(d->listen_src.fd);
                (void) unlink(d->socket_path);
        }
        d->listen_src.fd = -1;
}

void
control_accept(struct daemon *d)
{
        for (;;) {
                struct ucred cred;
                socklen_t len = sizeof cred;
                struct epoll_event ev;
                struct client *c;
                int fd = accept4(d->listen_src.fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

                if (fd < 0) {
                        if (errno != EAGAIN && errno != EINTR)
                                log_warning_errno(-errno, "Failed to accept a control connection, continuing: %m");
                        return;
                }
                if (d->n_clients >= CONTROL_MAX_CLIENTS) {
                        log_warning("Refusing a control connection: %u clients already.", d->n_clients);
                        close(fd);
                        continue;
                }
                if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || !(c = calloc(1, sizeof *c))) {
                        close(fd);
                        continue;
                }
                c->src = (struct source) { SOURCE_CLIENT, fd };
                c->uid = cred.uid;
                c->pid = cred.pid;
                c->privileged = cred.uid == 0 || cred.uid == d->self_uid;
                c->stalled_since_mono = USEC_UNSET;
                c->idle_since_mono = now_monotonic();
                c->events = EPOLLIN;
                varlink_decoder_init(&c->dec);
                ev = (struct epoll_event) { .events = c->events, .data.ptr = &c->src };
                if (epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
                        varlink_decoder_done(&c->dec);
                        free(c);
                        close(fd);
                        continue;
                }
                c->next = d->clients;
                if (d->clients)
                        d->clients->prev = c;
                d->clients = c;
                d->n_clients++;
        }
}

/* While a List is written, the client's next calls are not read: their
 * replies must follow it, and the kernel's buffer holds them meanwhile
 * instead of ours. */
static void
set_out(struct daemon *d, struct client *c, bool want)
{
        uint32_t events = (c->list ? 0 : EPOLLIN) | (want ? EPOLLOUT : 0);
        struct epoll_event ev = { .events = events, .data.ptr = &c->src };

        if (c->events == events)
                return;
        c->events = events;
        (void) epoll_ctl(d->epoll_fd, EPOLL_CTL_MOD, c->src.fd, &ev);
}

static void
update_events(struct daemon *d, struct client *c)
{
        set_out(d, c, c->events & EPOLLOUT);
}

/* Writes what it can. Returns -EPIPE when the client is gone. */
static int
client_flush(struct daemon *d, struct client *c)
{
        bool sent = false;

        while (c->out.len > 0) {
                ssize_t n = send(c->src.fd, c->out.data, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                /* The stall clock counts from the last
                                 * progress: a client that reads a large
                                 * reply slowly but steadily is not stalled. */
                                if (sent || c->stalled_since_mono == USEC_UNSET)
                                        c->stalled_since_mono = now_monotonic();
                                set_out(d, c, true);
                                return 0;
                        }
                        return -EPIPE;
                }
                sent = sent || n > 0;
                varlink_buf_consume(&c->out, (size_t) n);
        }
        /* Replies are out; the client is stalled only if half a message waits. */
        if (varlink_decoder_buffered(&c->dec) == 0)
                c->stalled_since_mono = USEC_UNSET;
        set_out(d, c, false);
        return 0;
}

/* Where a message for @c goes: after the List being written, if any. */
static struct varlink_buf *
out_of(struct client *c)
{
        return c->list ? &c->later : &c->out;
}

int
control_send_message(struct daemon *d, struct client *c, char *text, size_t len)
{
        (void) d;
        if (out_of(c)->len > CONTROL_OUT_MAX) {
                free(text);
                return -ENOBUFS;
        }
        return varlink_buf_put_message(out_of(c), text, len);
}

int
control_send(struct daemon *d, struct client *c, json_t *msg)
{
        int r;

        if (!msg)
                return -ENOMEM;
        if (out_of(c)->len > CONTROL_OUT_MAX) {
                json_decref(msg);
                return -ENOBUFS;        /* a watcher that does not read: dropped below */
        }
        r = varlink_encode(msg, out_of(c));
        json_decref(msg);
        if (r < 0)
                return r;
        (void) d;
        return 0;
}

/* Answers the complete calls buffered, in order, until one opens a List
 * written in parts: the rest wait for it. Returns 0 or a negative errno
 * (the client must be dropped). */
static int
client_dispatch(struct daemon *d, struct client *c)
{
        json_t *msg;
        int r = 0;

        c->calls_pending = false;
        while (!c->list && (r = varlink_decoder_next(&c->dec, &msg)) > 0) {
                r = methods_dispatch(d, c, msg);
                json_decref(msg);
                if (r < 0)
                        break;
        }
        if (c->list)
                update_events(d, c);
        return MIN(r, 0);
}

static void
client_drop(struct daemon *d, struct client *c, int r)
{
        log_warning("Dropping control client (uid %u, pid %d): %s.", (unsigned) c->uid, (int) c->pid,
                    r == -EMSGSIZE ? "message larger than 1 MiB"
                    : r == -ENOBUFS ? "it does not read its replies"
                                    : varlink_decoder_error(&c->dec));
        client_free(d, c);
}

static void
client_read(struct daemon *d, struct client *c)
{
        char buf[CONTROL_READ_CHUNK];
        ssize_t n = recv(c->src.fd, buf, sizeof buf, MSG_DONTWAIT);
        int r;

        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                client_free(d, c);
                return;
        }
        if (n < 0)
                return;
        c->idle_since_mono = now_monotonic();
        r = varlink_decoder_feed(&c->dec, buf, (size_t) n);
        if (r >= 0)
                r = client_dispatch(d, c);
        if (r < 0) {
                client_drop(d, c, r);
                return;
        }
        /* Half a message waiting: the stall clock runs. */
        if (varlink_decoder_buffered(&c->dec) > 0) {
                if (c->stalled_since_mono == USEC_UNSET)
                        c->stalled_since_mono = now_monotonic();
        } else if (c->out.len == 0)
                c->stalled_since_mono = USEC_UNSET;
        if (client_flush(d, c) < 0)
                client_free(d, c);
}

void
control_io(struct daemon *d, struct client *c, uint32_t events)
{
        if (events & EPOLLOUT) {
                if (client_flush(d, c) < 0) {
                        client_free(d, c);
                        return;
                }
        }
        if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                client_read(d, c);
}

void
control_flush_all(struct daemon *d)
{
        for (struct client *c = d->clients, *next; c; c = next) {
                next = c->next;
                if (c->out.len > 0 && client_flush(d, c) < 0)
                        client_free(d, c);
        }
}

usec_t
control_check_clients(struct daemon *d, usec_t now_mono)
{
        usec_t next = USEC_UNSET;

        for (struct client *c = d->clients, *n; c; c = n) {
                usec_t deadline = USEC_UNSET;
                n = c->next;
                if (c->stalled_since_mono != USEC_UNSET)
                        deadline = c->stalled_since_mono + CONTROL_STALL;
                else if (!c->watching && c->wait_run == 0 && !c->list)
                        deadline = c->idle_since_mono + CONTROL_IDLE;
                if (deadline == USEC_UNSET)
                        continue;
                if (now_mono >= deadline) {
                        if (c->stalled_since_mono != USEC_UNSET)
                                log_warning("Dropping control client (uid %u, pid %d): stalled.", (unsigned) c->uid,
                                            (int) c->pid);
                        client_free(d, c);
                        continue;
                }
                if (next == USEC_UNSET || deadline < next)
                        next = deadline;
        }
        return next;
}

/* The List of @c is written: what came for it meanwhile follows, and its
 * next calls are read again. */
static void
list_done(struct daemon *d, struct client *c)
{
        if (varlink_buf_append(&c->out, c->later.data, c->later.len) < 0)
                c->broken = true;
        varlink_buf_done(&c->later);
        c->calls_pending = true;
        update_events(d, c);
}

static void
list_failed(struct client *c, int r)
{
        log_warning("Dropping control client (uid %u, pid %d): its List reply cannot be completed: %s.",
                    (unsigned) c->uid, (int) c->pid, strerror(-r));
        c->broken = true;
}

bool
control_continue(struct daemon *d)
{
        usec_t deadline = now_monotonic() + CONTROL_LIST_BUDGET;
        bool more;

        do {
                more = false;
                for (struct client *c = d->clients, *next; c; c = next) {
                        int r = 0;

                        next = c->next;
                        if (c->list && !c->broken && c->out.len < CONTROL_LIST_LOW) {
                                r = methods_list_step(d, c, CONTROL_LIST_ROWS);
                                if (r < 0)
                                        list_failed(c, r);
                                else if (r == 0)
                                        list_done(d, c);
                        }
                        if (c->broken) {
                                client_free(d, c);
                                continue;
                        }
                        if (!c->list && c->calls_pending) {
                                r = client_dispatch(d, c);
                                if (r < 0) {
                                        client_drop(d, c, r);
                                        continue;
                                }
                                more = true;    /* sched_step() must see what they changed */
                        }
                        if (c->out.len > 0 && client_flush(d, c) < 0) {
                                client_free(d, c);
                                continue;
                        }
                        if (c->list && c->out.len < CONTROL_LIST_LOW)
                                more = true;
                }
        } while (more && now_monotonic() < deadline);
        return more;
}

void
control_finish_lists(struct daemon *d)
{
        for (struct client *c = d->clients; c; c = c->next) {
                int r;

                if (!c->list || c->broken)
                        continue;
                r = methods_list_step(d, c, SIZE_MAX);
                if (r < 0)
                        list_failed(c, r);
                else
                        list_done(d, c);
        }
}
