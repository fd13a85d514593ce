/* client.c - schedctl's side of the control socket (SPEC section 6).
 *
 * One connection per command: connect, send one Varlink call, read its
 * replies (several, with "more") and close. Blocking I/O is fine for a
 * CLI; a call without "more" still gives up after CLIENT_TIMEOUT_SEC, so
 * a wedged daemon cannot hang a script forever. The framing is lib/'s
 * varlink.c, the same code the daemon uses. Error replies are turned into
 * one sentence on stderr here, in one place (STYLE.md 3), and into the
 * exit statuses of SPEC section 7: 3 if the daemon cannot be reached, 1
 * for everything it refuses. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "macro.h"
#include "proto.h"
#include "varlink.h"

#define SYSTEM_SOCKET "/run/schedd/control.sock"

volatile sig_atomic_t client_interrupted;

/* With client_catch_interrupt(), SIGINT and SIGTERM are blocked except
 * inside ppoll(), so one cannot slip in between the check of
 * client_interrupted and the wait. */
static bool catching;
static sigset_t wait_mask;

static void
on_interrupt(int sig)
{
        (void) sig;
        client_interrupted = 1;
}

void
client_catch_interrupt(void)
{
        struct sigaction sa = { .sa_handler = on_interrupt };
        sigset_t block;

        (void) sigemptyset(&sa.sa_mask);
        (void) sigaction(SIGINT, &sa, NULL);
        (void) sigaction(SIGTERM, &sa, NULL);
        (void) sigemptyset(&block);
        (void) sigaddset(&block, SIGINT);
        (void) sigaddset(&block, SIGTERM);
        (void) sigprocmask(SIG_BLOCK, &block, &wait_mask);
        (void) sigdelset(&wait_mask, SIGINT);
        (void) sigdelset(&wait_mask, SIGTERM);
        catching = true;
}

const char *
client_socket_path(const struct cli_options *o)
{
        static char *user_path;
        const char *e;
        struct stat st;

        if (o->socket)
                return o->socket;
        e = getenv("SCHEDD_SOCKET");
        if (e && *e)
                return e;
        if (geteuid() == 0)
                return SYSTEM_SOCKET;
        e = getenv("XDG_RUNTIME_DIR");
        if (!user_path && e && *e && asprintf(&user_path, "%s/schedd/control.sock", e) < 0)
                user_path = NULL;
        /* A user daemon only if one has made its socket; otherwise the
         * system daemon, which shows a user that user's own jobs. */
        if (user_path && stat(user_path, &st) == 0 && S_ISSOCK(st.st_mode))
                return user_path;
        return SYSTEM_SOCKET;
}

static int
unreachable(const char *path, int error)
{
        fprintf(stderr, "schedctl: cannot reach schedd at %s: %s\n", path, strerror(error));
        return EXIT_UNREACHABLE;
}

static int
connect_socket(const char *path, int *ret_fd)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;
        size_t l = strlen(path);

        if (l >= sizeof sa.sun_path)
                return unreachable(path, ENAMETOOLONG);
        memcpy(sa.sun_path, path, l + 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return unreachable(path, errno);
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return unreachable(path, errno);
        *ret_fd = TAKE_FD(fd);
        return EXIT_OK;
}

static int
send_all(int fd, const char *p, size_t n)
{
        while (n > 0) {
                ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

/* An error parameter as text, for messages: "" if absent. */
static const char *
param(json_t *p, const char *key)
{
        const char *s = json_str(p, key);

        return s ? s : "";
}

/* Says what an error reply means, in one sentence on stderr. */
static int
report_error(const char *path, const char *method, const char *error, json_t *p)
{
        int64_t n;

        if (strcmp(error, PROTO_E_NO_SUCH_JOB) == 0)
                fprintf(stderr, "schedctl: no such job '%s'\n", param(p, "id"));
        else if (strcmp(error, PROTO_E_NO_SUCH_RUN) == 0) {
                if (json_int(p, "id", &n) && n > 0)
                        fprintf(stderr, "schedctl: no such run %lld of this job\n", (long long) n);
                else
                        fprintf(stderr, "schedctl: the job has no run yet\n");
        } else if (strcmp(error, PROTO_E_JOB_EXISTS) == 0)
                fprintf(stderr, "schedctl: a job '%s' already exists\n", param(p, "id"));
        else if (strcmp(error, PROTO_E_NOT_REMOVABLE) == 0)
                fprintf(stderr, "schedctl: job '%s' comes from %s; remove it from that file instead\n",
                        param(p, "id"), param(p, "file"));
        else if (strcmp(error, PROTO_E_MAX_INSTANCES) == 0)
                fprintf(stderr, "schedctl: job '%s' already has %lld run(s) going (max_instances); "
                        "--force starts another\n", param(p, "id"), (long long) json_int_or(p, "running", 0));
        else if (strcmp(error, PROTO_E_INVALID_SCHEDULE) == 0)
                fprintf(stderr, "schedctl: %s\n", param(p, "message"));
        else if (strcmp(error, PROTO_E_PERMISSION_DENIED) == 0 ||
                 strcmp(error, VARLINK_ERROR_PERMISSION_DENIED) == 0)
                fprintf(stderr, "schedctl: permission denied: schedd at %s does not allow this to uid %u\n",
                        path, (unsigned) geteuid());
        else if (strcmp(error, PROTO_E_TOO_MANY_JOBS) == 0)
                fprintf(stderr, "schedctl: too many jobs: a user may add at most %lld\n",
                        (long long) json_int_or(p, "limit", 0));
        else if (strcmp(error, PROTO_E_SHUTTING_DOWN) == 0)
                fprintf(stderr, "schedctl: schedd is shutting down\n");
        else if (strcmp(error, PROTO_E_INTERNAL) == 0)
                fprintf(stderr, "schedctl: schedd failed: %s\n", param(p, "message"));
        else if (strcmp(error, VARLINK_ERROR_METHOD_NOT_FOUND) == 0 ||
                 strcmp(error, VARLINK_ERROR_INTERFACE_NOT_FOUND) == 0 ||
                 strcmp(error, VARLINK_ERROR_METHOD_NOT_IMPLEMENTED) == 0)
                fprintf(stderr, "schedctl: schedd at %s does not know %s (is it an older version?)\n", path,
                        method);
        else if (strcmp(error, VARLINK_ERROR_INVALID_PARAMETER) == 0)
                fprintf(stderr, "schedctl: schedd refused parameter '%s' of %s\n", param(p, "parameter"),
                        method);
        else {
                _cleanup_free_ char *s = json_dumps(p, JSON_COMPACT);
                fprintf(stderr, "schedctl: %s failed: %s %s\n", method, error, s ? s : "");
        }
        return EXIT_FAIL;
}

/* Reads from @fd until @dec holds a complete message; returns it in *ret.
 * Returns EXIT_OK, or an exit status having said why. */
static int
read_message(int fd, const char *path, struct varlink_decoder *dec, bool more, json_t **ret,
             const char **ret_text, size_t *ret_len)
{
        for (;;) {
                const struct timespec timeout = { .tv_sec = CLIENT_TIMEOUT_SEC };
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                char buf[65536];
                ssize_t n;
                int r;

                r = ret_text ? varlink_decoder_next_text(dec, ret_text, ret_len) : varlink_decoder_next(dec, ret);
                if (r == 1)
                        return EXIT_OK;
                if (r == -ENOMEM)
                        return log_oom();
                if (r < 0) {
                        fprintf(stderr, "schedctl: schedd at %s sent a bad message: %s\n", path,
                                varlink_decoder_error(dec));
                        return EXIT_FAIL;
                }

                if (client_interrupted)
                        return EXIT_OK;
                if (catching)
                        r = ppoll(&pfd, 1, more ? NULL : &timeout, &wait_mask);
                else
                        r = poll(&pfd, 1, more ? -1 : CLIENT_TIMEOUT_SEC * 1000);
                if (r < 0 && errno == EINTR)
                        continue;       /* client_interrupted is checked above */
                if (r < 0)
                        return unreachable(path, errno);
                if (r == 0) {
                        fprintf(stderr, "schedctl: schedd at %s did not answer within %ds\n", path,
                                CLIENT_TIMEOUT_SEC);
                        return EXIT_UNREACHABLE;
                }
                n = read(fd, buf, sizeof buf);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return unreachable(path, errno);
                if (n == 0) {
                        fprintf(stderr, "schedctl: schedd at %s closed the connection before answering\n",
                                path);
                        return EXIT_UNREACHABLE;
                }
                if (varlink_decoder_feed(dec, buf, (size_t) n) < 0)
                        return log_oom();
        }
}

/* Connects, sends the call (stealing @parameters) and sets up @dec for the
 * replies. */
static int
send_call(const char *path, const char *method, json_t *parameters, bool more, struct varlink_decoder *dec,
          int *ret_fd)
{
        _cleanup_(varlink_buf_done) struct varlink_buf out = {};
        _cleanup_(json_decrefp) json_t *call = varlink_call_new(method, parameters, more);
        _cleanup_close_ int fd = -1;
        int r;

        if (!call)
                return log_oom();
        r = varlink_encode(call, &out);
        if (r < 0) {
                fprintf(stderr, "schedctl: cannot encode the call: %s\n", strerror(-r));
                return EXIT_FAIL;
        }
        varlink_decoder_set_limit(dec, VARLINK_REPLY_MAX);  /* List of 100,000 jobs: ~25 MiB */
        r = connect_socket(path, &fd);
        if (r != EXIT_OK)
                return r;
        r = send_all(fd, out.data, out.len);
        if (r < 0)
                return unreachable(path, -r);
        *ret_fd = TAKE_FD(fd);
        return EXIT_OK;
}

/* Parses a whole reply and says what is wrong with it, or what error it
 * carries; EXIT_OK only if it is neither. */
static int
check_reply(const char *path, const char *method, json_t *msg, struct varlink_reply *reply)
{
        const char *why = NULL;
        int r = varlink_parse_reply(msg, reply, &why);

        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                fprintf(stderr, "schedctl: schedd at %s sent a bad reply: %s\n", path, why);
                return EXIT_FAIL;
        }
        if (reply->error)
                return report_error(path, method, reply->error, reply->parameters);
        return EXIT_OK;
}

int
client_call(const struct cli_options *o, const char *method, json_t *parameters, bool more,
            client_reply_fn fn, void *userdata)
{
        _cleanup_(varlink_decoder_done) struct varlink_decoder dec = {};
        const char *path = client_socket_path(o);
        _cleanup_close_ int fd = -1;
        int r;

        varlink_decoder_init(&dec);
        r = send_call(path, method, parameters, more, &dec, &fd);
        if (r != EXIT_OK)
                return r;

        for (;;) {
                _cleanup_(varlink_reply_done) struct varlink_reply reply = {};
                _cleanup_(json_decrefp) json_t *msg = NULL;

                r = read_message(fd, path, &dec, more, &msg, NULL, NULL);
                if (r != EXIT_OK || !msg)
                        return r;       /* !msg: interrupted while waiting */
                r = check_reply(path, method, msg, &reply);
                if (r != EXIT_OK)
                        return r;
                r = fn ? fn(reply.parameters, reply.continues, userdata) : EXIT_OK;
                if (r != EXIT_OK || !reply.continues)
                        return r;
        }
}

static int
keep_reply(json_t *parameters, bool continues, void *userdata)
{
        json_t **ret = userdata;

        (void) continues;
        json_decref(*ret);
        *ret = json_incref(parameters);
        return EXIT_OK;
}

int
client_call1(const struct cli_options *o, const char *method, json_t *parameters, json_t **ret)
{
        json_t *p = NULL;
        int r;

        r = client_call(o, method, parameters, false, keep_reply, &p);
        if (r != EXIT_OK) {
                json_decref(p);
                return r;
        }
        if (!p)
                return log_oom();
        *ret = p;
        return EXIT_OK;
}

int
client_call_text(const struct cli_options *o, const char *method, json_t *parameters, client_text_fn fn,
                 void *userdata)
{
        _cleanup_(varlink_decoder_done) struct varlink_decoder dec = {};
        _cleanup_(varlink_reply_done) struct varlink_reply reply = {};
        _cleanup_(json_decrefp) json_t *msg = NULL;
        const char *path = client_socket_path(o), *text = NULL;
        _cleanup_close_ int fd = -1;
        json_error_t err;
        size_t len = 0;
        int r;

        varlink_decoder_init(&dec);
        r = send_call(path, method, parameters, false, &dec, &fd);
        if (r != EXIT_OK)
                return r;
        r = read_message(fd, path, &dec, false, NULL, &text, &len);
        if (r != EXIT_OK || !text)
                return r;
        r = fn(text, len, userdata);
        if (r != CLIENT_TEXT_NOT_PARAMETERS)
                return r;
        /* An error, or not a reply at all: small, so jansson says which. */
        msg = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
        if (!msg) {
                fprintf(stderr, "schedctl: schedd at %s sent a bad message: invalid JSON at byte %d: %s\n",
                        path, err.position, err.text);
                return EXIT_FAIL;
        }
        r = check_reply(path, method, msg, &reply);
        if (r == EXIT_OK) {
                fprintf(stderr, "schedctl: schedd at %s sent a reply to %s that is not understood\n", path,
                        method);
                r = EXIT_FAIL;
        }
        return r;
}
