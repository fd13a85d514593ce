/* journal.h - structured log entries to journald over its native protocol
 * (systemd.io/JOURNAL_NATIVE_PROTOCOL), without linking libsystemd.
 *
 * libsystemd and the six libraries it pulls in cost each process about a
 * mebibyte of resident pages, for two calls; the protocol is a documented,
 * stable datagram format, so schedd and its runner speak it themselves. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct journal_field {
        const char *name;               /* "MESSAGE": upper case, digits and '_' */
        const char *value;              /* any bytes */
        size_t len;                     /* of value */
};

/* Sends one entry made of @fields, plus CODE_FILE, CODE_LINE and CODE_FUNC
 * naming the caller (as sd_journal_send() adds them). Returns 0, or a
 * negative errno (-ENOENT: no journald listens). */
int journal_send_with_location(const char *file, int line, const char *func,
                               const struct journal_field *fields, size_t n);

#define journal_send(fields, n) journal_send_with_location(__FILE__, __LINE__, __func__, fields, n)

/* True if stderr is still the stream $JOURNAL_STREAM names
 * (systemd.exec(5)): only then is journald the reader of our stderr, and
 * structured entries are worth sending instead of plain lines. A child
 * that inherited the variable but not the stream gets false. */
bool stderr_is_journal(void);
