/* log.h - schedd's logging: the journal with structured fields when
 * stderr is connected to journald ($JOURNAL_STREAM), plain "schedd: ..."
 * lines on stderr otherwise (SPEC section 8, STYLE.md section 5). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

#include "macro.h"

/* Fixed MESSAGE_IDs per event kind, so `journalctl MESSAGE_ID=...` finds
 * every run start, end, miss or skip. */
#define LOG_MID_RUN_STARTED  "5c2b1b4de3a94a5f9f2d2f8a8e1c0a01"
#define LOG_MID_RUN_FINISHED "5c2b1b4de3a94a5f9f2d2f8a8e1c0a02"
#define LOG_MID_RUN_MISSED   "5c2b1b4de3a94a5f9f2d2f8a8e1c0a03"
#define LOG_MID_RUN_SKIPPED  "5c2b1b4de3a94a5f9f2d2f8a8e1c0a04"
#define LOG_MID_CLOCK_JUMP   "5c2b1b4de3a94a5f9f2d2f8a8e1c0a05"
#define LOG_MID_RELOAD       "5c2b1b4de3a94a5f9f2d2f8a8e1c0a06"

/* Writes the lines logged to stderr since the last call: the loop calls
 * it before it waits, and so does an exit from main(). The journal gets
 * each message at once. */
void log_flush(void);

/* Chooses the journal or stderr, once, at start-up. @verbose logs debug. */
void log_setup(int verbose);
/* True if debug messages are logged (--verbose). */
bool log_debug_enabled(void);

_printf_(2, 3) void log_full(int level, const char *fmt, ...);
/* Sets errno to -r so that %m works, logs, and returns r (negative). */
_printf_(3, 4) int log_full_errno(int level, int r, const char *fmt, ...);
/* A message about one job (and run), with SCHEDD_JOB=, SCHEDD_RUN=,
 * MESSAGE_ID= and, when exit_status >= 0, EXIT_STATUS= fields. */
_printf_(6, 7) void log_job(int level, const char *message_id, const char *job, int64_t run_id,
                            int exit_status, const char *fmt, ...);

#define log_debug(...)   log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)    log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...)  log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...)   log_full(LOG_ERR, __VA_ARGS__)
#define log_debug_errno(r, ...)   log_full_errno(LOG_DEBUG, r, __VA_ARGS__)
#define log_warning_errno(r, ...) log_full_errno(LOG_WARNING, r, __VA_ARGS__)
#define log_error_errno(r, ...)   log_full_errno(LOG_ERR, r, __VA_ARGS__)
#define log_oom() log_full_errno(LOG_ERR, -ENOMEM, "Out of memory.")
