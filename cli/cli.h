/* cli.h - what schedctl's verbs share. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses, SPEC section 7. */
enum {
        EXIT_OK = 0,
        EXIT_FAIL = 1,          /* a failed run, a validation error, an unknown job */
        EXIT_USAGE = 2,
        EXIT_UNREACHABLE = 3,   /* the daemon is not reachable */
};

struct cli_options {
        const char *socket;     /* NULL: the mode's default */
        bool json;
};

struct verb {
        const char *name;
        int (*run)(const struct cli_options *o, int argc, char *argv[]);
};

int verb_status(const struct cli_options *o, int argc, char *argv[]);
int verb_list(const struct cli_options *o, int argc, char *argv[]);
int verb_show(const struct cli_options *o, int argc, char *argv[]);
int verb_history(const struct cli_options *o, int argc, char *argv[]);
int verb_logs(const struct cli_options *o, int argc, char *argv[]);
int verb_next(const struct cli_options *o, int argc, char *argv[]);
int verb_run(const struct cli_options *o, int argc, char *argv[]);
int verb_pause(const struct cli_options *o, int argc, char *argv[]);
int verb_resume(const struct cli_options *o, int argc, char *argv[]);
int verb_add(const struct cli_options *o, int argc, char *argv[]);
int verb_remove(const struct cli_options *o, int argc, char *argv[]);
int verb_reload(const struct cli_options *o, int argc, char *argv[]);
int verb_watch(const struct cli_options *o, int argc, char *argv[]);
int verb_validate(const struct cli_options *o, int argc, char *argv[]);

#include <jansson.h>

#include "jobfile.h"
#include "macro.h"
#include "time.h"
#include "tz.h"

/* jansson provides json_decrefp() for _cleanup_. */

static inline void
tz_db_freep(struct tz_db **db)
{
        tz_db_free(*db);
}

/* Prints "schedctl: out of memory" and returns EXIT_FAIL. */
int log_oom(void);

/* Prints @j on stdout, indented, with a newline. Returns EXIT_OK. */
int json_print(json_t *j);

/* Prints each error of @f as FILE:LINE:COLUMN: message. */
void print_conf_errors(const struct jobfile *f, FILE *out);

/* A positive count ("-n 5"). Returns 0 or -EINVAL. */
int parse_count(const char *s, unsigned *ret);

/* An instant for --from: RFC 3339 with an offset, or @UNIXSECONDS.
 * Returns 0 or -EINVAL. */
int parse_from(const char *s, usec_t *ret);

/* --- client.c: talking to the daemon ------------------------------------- */

/* The socket to use: --socket, else $SCHEDD_SOCKET, else (for root)
 * /run/schedd/control.sock, else $XDG_RUNTIME_DIR/schedd/control.sock if
 * it exists, else /run/schedd/control.sock (the system daemon, which shows
 * a non-root caller that caller's own jobs). Never NULL. */
const char *client_socket_path(const struct cli_options *o);

/* Called for each reply of a call: @parameters is borrowed, @continues
 * says whether more replies follow. Returns EXIT_OK to go on, or an exit
 * status to stop the call with. */
typedef int (*client_reply_fn)(json_t *parameters, bool continues, void *userdata);

/* Calls @method with @parameters (stolen; NULL: {}) on the daemon and
 * hands each reply to @fn (with @more, until one that does not continue;
 * without it, the single reply). Returns EXIT_OK, @fn's status, or, having
 * printed why on stderr: EXIT_UNREACHABLE if the daemon cannot be reached
 * or drops the connection, EXIT_FAIL for an error reply (an unknown job,
 * a refusal, ...) or a malformed reply. A call without @more gives up
 * after CLIENT_TIMEOUT_SEC without an answer. */
int client_call(const struct cli_options *o, const char *method, json_t *parameters, bool more,
                client_reply_fn fn, void *userdata);

/* Like client_call() for a method with exactly one reply: on EXIT_OK
 * stores a new reference to the reply's parameters in *ret. */
int client_call1(const struct cli_options *o, const char *method, json_t *parameters, json_t **ret);

/* Called with the text of a reply (not parsed; jsonscan.h): returns an
 * exit status, or CLIENT_TEXT_NOT_PARAMETERS when the text is not a
 * successful reply it can read (an error reply, or malformed), which
 * client_call_text() then parses and reports. */
#define CLIENT_TEXT_NOT_PARAMETERS (-1)
typedef int (*client_text_fn)(const char *text, size_t len, void *userdata);

/* Like client_call1(), for a reply too big for a jansson tree: hands the
 * reply's text to @fn. */
int client_call_text(const struct cli_options *o, const char *method, json_t *parameters, client_text_fn fn,
                     void *userdata);

#define CLIENT_TIMEOUT_SEC 30

/* Set by SIGINT/SIGTERM while a streaming call waits (see
 * client_catch_interrupt()). */
extern volatile sig_atomic_t client_interrupted;

/* From now on, SIGINT and SIGTERM make a waiting client_call() return
 * EXIT_OK instead of killing schedctl ("watch": Ctrl-C exits 0). */
void client_catch_interrupt(void);

/* --- list-rows.c: List replies read from their text ------------------------ */

/* What the list table shows of one JobSummary (lib/proto.h). The strings
 * are NULL when absent or null, and borrowed: valid during the call. */
struct job_row {
        const char *id, *schedule, *state, *last_state;
        int64_t running;
        bool has_next, has_last_end;
        int64_t next_usec, last_end_usec;
};
typedef int (*list_row_fn)(const struct job_row *row, void *userdata);

/* Calls @fn for each job of the List reply @text. Returns 1 once all are
 * read; 0 if @text is valid but not a successful reply (an error); or
 * -EBADMSG (with *reterr saying why) or -ENOMEM, or @fn's negative return. */
int list_rows_read(const char *text, size_t len, list_row_fn fn, void *userdata, const char **reterr);

/* --- output.c: tables, times, colors -------------------------------------- */

/* True if stdout is a terminal and NO_COLOR is not set. */
bool output_color(void);

/* The ANSI color of a run or job state (green succeeded; red failed,
 * timed-out, interrupted; yellow paused, missed, skipped), or NULL. */
const char *state_color(const char *state);

/* Prints @text on @f, in @color if @f is stdout and color is on. */
void print_colored(FILE *f, const char *color, const char *text);

/* A table: its header names the columns; cells are added row by row. */
struct table;

/* A table of @n_cols columns with these @n_cols header strings; NULL on
 * -ENOMEM. */
struct table *table_new(size_t n_cols, ...);
/* Frees @t (NULL is fine); returns NULL. */
struct table *table_free(struct table *t);
static inline void
table_freep(struct table **t)
{
        table_free(*t);
}
/* Appends the next cell, printf-style, shown in @color (NULL: none).
 * Returns 0 or -ENOMEM. */
int table_add(struct table *t, const char *color, const char *fmt, ...) _printf_(3, 4);
/* The rows added, header excluded. */
/* The same with @text as it is (no format: cheaper, for big tables). */
int table_add_text(struct table *t, const char *color, const char *text);
size_t table_rows(const struct table *t);
/* Prints @t with each column as wide as its widest cell, two spaces
 * between columns. */
void table_print(const struct table *t, FILE *f);

/* The current realtime clock. */
usec_t now_usec(void);
/* "2026-12-01 21:00:00 CET" in the local time zone. Returns @buf. */
char *format_local(usec_t t, char *buf, size_t n);
/* "in 3h 2m", "5m ago" or "now" (within a second). Returns @buf. */
char *format_relative(usec_t t, usec_t now, char *buf, size_t n);
/* Both: "2026-12-01 21:00:00 CET (in 3h 2m)". Returns @buf. */
char *format_when(usec_t t, usec_t now, char *buf, size_t n);
/* A run's length: "420ms" under a second, "4.20s" under ten, else "3m 12s". */
char *format_span(usec_t d, char *buf, size_t n);

/* A string member of @o, or NULL if absent, null or not a string. */
const char *json_str(const json_t *o, const char *key);
/* True and *ret if member @key of @o is an integer; false otherwise. */
bool json_int(const json_t *o, const char *key, int64_t *ret);
/* Member @key of @o if an integer, else @dflt. */
int64_t json_int_or(const json_t *o, const char *key, int64_t dflt);

/* --- shared by the verbs --------------------------------------------------- */

/* Prints a runs table (RUN JOB REASON STARTED DURATION RESULT) of the
 * Run objects in @runs; @with_job adds the JOB column. */
int print_runs(json_t *runs, bool with_job);

/* "next JOB": asks the daemon for @job's next @n firings (verb-run.c). */
int next_online(const struct cli_options *o, const char *job, unsigned n);

/* Prints the FileError objects of @errors as FILE:LINE:COLUMN: message. */
void print_file_errors(json_t *errors, FILE *f);

/* "failed (exited with status 3)": a run's state and why. Returns @buf. */
char *format_result(const json_t *run, char *buf, size_t n);
