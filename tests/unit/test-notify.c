/* test-notify.c - sd_notify by hand: what reaches the manager's socket,
 * which addresses are accepted, and that a manager that stopped reading
 * does not stall the daemon. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "notify.h"

/* A datagram socket bound to @path ('@': abstract), as systemd's is. */
static int
listener(const char *path)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t len = strlen(path);
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        assert_true(fd >= 0);
        memcpy(sa.sun_path, path, len);
        if (path[0] == '@')
                sa.sun_path[0] = 0;
        else
                unlink(path);
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, (socklen_t) (offsetof(struct sockaddr_un, sun_path) + len)),
                         0);
        return fd;
}

static void
expect_datagram(int fd, const char *text)
{
        char buf[256];
        ssize_t n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);

        assert_true(n >= 0);
        buf[n] = 0;
        assert_string_equal(buf, text);
}

static void
test_path_and_abstract(void **state)
{
        char path[64], abstract[64];
        (void) state;

        snprintf(path, sizeof path, "/tmp/test-notify-%d.sock", (int) getpid());
        int fd = listener(path);
        setenv("NOTIFY_SOCKET", path, 1);
        assert_int_equal(notify_send("READY=1"), 1);
        expect_datagram(fd, "READY=1");
        assert_int_equal(notify_sendf("STATUS=%d jobs", 3), 1);
        expect_datagram(fd, "STATUS=3 jobs");
        close(fd);
        unlink(path);

        snprintf(abstract, sizeof abstract, "@test-notify-%d", (int) getpid());
        fd = listener(abstract);
        setenv("NOTIFY_SOCKET", abstract, 1);
        assert_int_equal(notify_send("STOPPING=1"), 1);
        expect_datagram(fd, "STOPPING=1");
        close(fd);
        unsetenv("NOTIFY_SOCKET");
}

static void
test_no_manager_and_bad_addresses(void **state)
{
        (void) state;

        unsetenv("NOTIFY_SOCKET");
        assert_int_equal(notify_send("READY=1"), 0);
        setenv("NOTIFY_SOCKET", "", 1);
        assert_int_equal(notify_send("READY=1"), 0);
        setenv("NOTIFY_SOCKET", "relative/path", 1);
        assert_int_equal(notify_send("READY=1"), -EINVAL);
        setenv("NOTIFY_SOCKET", "@", 1);
        assert_int_equal(notify_send("READY=1"), -EINVAL);
        setenv("NOTIFY_SOCKET", "/nonexistent/notify.sock", 1);
        assert_int_equal(notify_send("READY=1"), -ENOENT);
        unsetenv("NOTIFY_SOCKET");
}

static double
now_s(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* A manager that stopped reading fills its queue; then a send fails with
 * -EAGAIN at once instead of blocking the event loop until it reads. */
static void
test_full_queue_does_not_block(void **state)
{
        char path[64];
        int r = 1, sent = 0;
        double t0;
        (void) state;

        snprintf(path, sizeof path, "/tmp/test-notify-full-%d.sock", (int) getpid());
        int fd = listener(path);
        setenv("NOTIFY_SOCKET", path, 1);
        t0 = now_s();
        /* The queue holds net.unix.max_dgram_qlen datagrams (512 by default). */
        while (sent < 100000 && (r = notify_send("WATCHDOG=1")) == 1)
                sent++;
        assert_int_equal(r, -EAGAIN);
        assert_true(sent > 0);
        assert_true(now_s() - t0 < 5.0);
        /* Once the manager reads again, sending works again. */
        expect_datagram(fd, "WATCHDOG=1");
        assert_int_equal(notify_send("STATUS=back"), 1);
        close(fd);
        unlink(path);
        unsetenv("NOTIFY_SOCKET");
}

static void
test_watchdog_enabled(void **state)
{
        char pid[32];
        uint64_t usec = 0;
        (void) state;

        unsetenv("WATCHDOG_USEC");
        unsetenv("WATCHDOG_PID");
        assert_int_equal(notify_watchdog_enabled(&usec), 0);
        setenv("WATCHDOG_USEC", "30000000", 1);
        assert_int_equal(notify_watchdog_enabled(&usec), 1);
        assert_int_equal(usec, 30000000);
        snprintf(pid, sizeof pid, "%d", (int) getpid());
        setenv("WATCHDOG_PID", pid, 1);
        assert_int_equal(notify_watchdog_enabled(&usec), 1);
        /* Meant for another process (the manager started our parent). */
        setenv("WATCHDOG_PID", "1", 1);
        usec = 7;
        assert_int_equal(notify_watchdog_enabled(&usec), 0);
        assert_int_equal(usec, 7);
        setenv("WATCHDOG_PID", "x", 1);
        assert_int_equal(notify_watchdog_enabled(&usec), -EINVAL);
        unsetenv("WATCHDOG_PID");
        setenv("WATCHDOG_USEC", "0", 1);
        assert_int_equal(notify_watchdog_enabled(&usec), -EINVAL);
        setenv("WATCHDOG_USEC", "-5", 1);
        assert_int_equal(notify_watchdog_enabled(&usec), -EINVAL);
        unsetenv("WATCHDOG_USEC");
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_path_and_abstract),
                cmocka_unit_test(test_no_manager_and_bad_addresses),
                cmocka_unit_test(test_full_queue_does_not_block),
                cmocka_unit_test(test_watchdog_enabled),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
