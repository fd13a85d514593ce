/* notify.h - the service manager's notification protocol (sd_notify(3)),
 * without linking libsystemd: one datagram of "KEY=VALUE" lines to the
 * socket named by $NOTIFY_SOCKET. */
#pragma once

#include <stdint.h>

#include "macro.h"

/* Sends @state ("READY=1", "STATUS=..."). Returns 1 when sent, 0 when no
 * service manager listens ($NOTIFY_SOCKET unset), or a negative errno
 * (-EAGAIN: the manager's queue is full; the call never waits for it). */
int notify_send(const char *state);
int notify_sendf(const char *fmt, ...) _printf_(1, 2);

/* As sd_watchdog_enabled(false, ...): 1 and the interval in *ret_usec when
 * $WATCHDOG_USEC asks this process for keep-alive pings, 0 when not, or
 * -EINVAL for a malformed variable (*ret_usec untouched unless 1). */
int notify_watchdog_enabled(uint64_t *ret_usec);
