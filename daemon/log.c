/* log.c - the journal, or stderr. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>

#include "log.h"

static bool use_journal;
static int max_level = LOG_INFO;

/* systemd.exec(5): $JOURNAL_STREAM is "DEVICE:INODE" of the stream
 * connected to stderr; it is only ours if stderr still is that stream. */
static bool
stderr_is_journal(void)
{
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return st.st_dev == dev && st.st_ino == ino;
}

void
log_setup(int verbose)
{
        use_journal = stderr_is_journal();
        max_level = verbose ? LOG_DEBUG : LOG_INFO;
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
                fprintf(stderr, "schedd: %s\n", msg);
                errno = saved;
                return;
        }

        char run[32] = "", status[32] = "";
        if (run_id > 0)
                snprintf(run, sizeof run, "SCHEDD_RUN=%lld", (long long) run_id);
        if (exit_status >= 0)
                snprintf(status, sizeof status, "EXIT_STATUS=%d", exit_status);
        /* sd_journal_send() takes a NULL-terminated list; empty fields are
         * skipped by passing them last. */
        const char *fields[4];
        char jobf[256] = "", mid[64] = "";
        size_t n = 0;
        if (job) {
                snprintf(jobf, sizeof jobf, "SCHEDD_JOB=%s", job);
                fields[n++] = jobf;
        }
        if (run[0])
                fields[n++] = run;
        if (status[0])
                fields[n++] = status;
        if (message_id) {
                snprintf(mid, sizeof mid, "MESSAGE_ID=%s", message_id);
                fields[n++] = mid;
        }
        while (n < 4)
                fields[n++] = NULL;
        sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", level, "SYSLOG_IDENTIFIER=schedd",
                        fields[0], fields[1], fields[2], fields[3], NULL);
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
