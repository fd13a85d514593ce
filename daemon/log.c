/* log.c - the journal, or stderr. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "log.h"

static bool use_journal;
static int max_level = LOG_INFO;

/* Lines for stderr, written by log_flush() once per loop iteration: a
 * burst logs two lines a run, and a write() for each was a sixth of the
 * daemon's system calls. Only whole lines are written, so that a line
 * never mixes with one of the runner, which shares stderr. */
static char pending[16384];
static size_t n_pending;

static void
write_all(const char *p, size_t n)
{
        while (n > 0) {
                ssize_t k = write(STDERR_FILENO, p, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return;         /* nowhere to log to: nothing to do about it */
                p += k;
                n -= (size_t) k;
        }
}

void
log_flush(void)
{
        int saved = errno;

        write_all(pending, n_pending);
        n_pending = 0;
        errno = saved;
}

static void
log_line(const char *msg)
{
        size_t n = strlen(msg);

        if (n_pending + sizeof "schedd: \n" - 1 + n > sizeof pending)
                log_flush();
        if (sizeof "schedd: \n" - 1 + n > sizeof pending) {
                write_all("schedd: ", 8);
                write_all(msg, n);
                write_all("\n", 1);
                return;
        }
        memcpy(pending + n_pending, "schedd: ", 8);
        memcpy(pending + n_pending + 8, msg, n);
        pending[n_pending + 8 + n] = '\n';
        n_pending += 8 + n + 1;
}

void
log_setup(int verbose)
{
        use_journal = stderr_is_journal();
        max_level = verbose ? LOG_DEBUG : LOG_INFO;
        /* Whatever way main() ends, the last lines get out. */
        (void) atexit(log_flush);
}

bool
log_debug_enabled(void)
{
        return max_level >= LOG_DEBUG;
}

static void
vlog(int level, const char *message_id, const char *job, int64_t run_id, int exit_status,
     const char *fmt, va_list ap)
{
        char msg[2048];
        int saved = errno;

        if (level > max_level)
                return;
        errno = saved;
        vsnprintf(msg, sizeof msg, fmt, ap);

        if (!use_journal) {
                log_line(msg);
                errno = saved;
                return;
        }

        /* The fields sd_journal_send() was given before journal.c replaced
         * it, with the same limits (SCHEDD_JOB= fitted in 256 bytes). */
        char run[32], status[32], prio[2] = { (char) ('0' + level), 0 };
        struct journal_field f[7] = {
                { "MESSAGE", msg, strlen(msg) },
                { "PRIORITY", prio, 1 },
                { "SYSLOG_IDENTIFIER", "schedd", 6 },
        };
        size_t n = 3;
        if (job)
                f[n++] = (struct journal_field) { "SCHEDD_JOB", job, strnlen(job, 256 - sizeof "SCHEDD_JOB=") };
        if (run_id > 0)
                f[n++] = (struct journal_field) { "SCHEDD_RUN", run,
                                                  (size_t) snprintf(run, sizeof run, "%lld", (long long) run_id) };
        if (exit_status >= 0)
                f[n++] = (struct journal_field) { "EXIT_STATUS", status,
                                                  (size_t) snprintf(status, sizeof status, "%d", exit_status) };
        if (message_id)
                f[n++] = (struct journal_field) { "MESSAGE_ID", message_id, strlen(message_id) };
        (void) journal_send(f, n);
        errno = saved;
}

void
log_full(int level, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vlog(level, NULL, NULL, 0, -1, fmt, ap);
        va_end(ap);
}

int
log_full_errno(int level, int r, const char *fmt, ...)
{
        va_list ap;

        errno = r < 0 ? -r : r;
        va_start(ap, fmt);
        vlog(level, NULL, NULL, 0, -1, fmt, ap);
        va_end(ap);
        return r < 0 ? r : -r;
}

void
log_job(int level, const char *message_id, const char *job, int64_t run_id, int exit_status,
        const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vlog(level, message_id, job, run_id, exit_status, fmt, ap);
        va_end(ap);
}
