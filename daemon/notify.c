/* notify.c - sd_notify(3) done by hand: libsystemd would cost a mebibyte
 * of resident pages for what is one sendmsg(). The address is a socket
 * path, or an abstract one when it starts with '@' (systemd 252, Debian
 * 12's, knows no other kind). */
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"

int
notify_send(const char *state)
{
        const char *e = getenv("NOTIFY_SOCKET");
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;
        size_t len;

        if (!e || !*e)
                return 0;
        len = strlen(e);
        if ((e[0] != '/' && e[0] != '@') || len < 2 || len > sizeof sa.sun_path)
                return -EINVAL;
        memcpy(sa.sun_path, e, len);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = 0;
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        /* MSG_DONTWAIT: a manager that stops reading must not stall the
         * scheduler; a status it misses is superseded by the next one. */
        if (sendto(fd, state, strlen(state), MSG_NOSIGNAL | MSG_DONTWAIT, (struct sockaddr *) &sa,
                   (socklen_t) (offsetof(struct sockaddr_un, sun_path) + len)) < 0)
                return -errno;
        return 1;
}

int
notify_sendf(const char *fmt, ...)
{
        _cleanup_free_ char *s = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return notify_send(s);
}

static int
parse_u64(const char *s, uint64_t *ret)
{
        char *end;

        if (!s || !*s || *s == '-')
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || *end)
                return -EINVAL;
        *ret = v;
        return 0;
}

int
notify_watchdog_enabled(uint64_t *ret_usec)
{
        const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
        uint64_t u, p;

        if (!usec)
                return 0;
        if (parse_u64(usec, &u) < 0 || u == 0)
                return -EINVAL;
        /* Pings are for the process the manager started, not its children. */
        if (pid) {
                if (parse_u64(pid, &p) < 0 || p == 0)
                        return -EINVAL;
                if ((pid_t) p != getpid())
                        return 0;
        }
        *ret_usec = u;
        return 1;
}
