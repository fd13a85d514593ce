/* output.c - how schedctl prints: aligned tables, local times, colors.
 *
 * Tables take their column widths from their content (counted in
 * characters, not bytes, so a UTF-8 job description does not skew them).
 * Times are shown in the process's local time zone (TZ), with a relative
 * form beside them ("in 3h 2m", "5m ago", "now"). Color is used only when
 * stdout is a terminal and NO_COLOR is not set (no-color.org), and never
 * counts toward a column's width. Nothing here talks to the daemon. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "macro.h"

#define ANSI_GREEN  "\033[32m"
#define ANSI_RED    "\033[31m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_BOLD   "\033[1m"
#define ANSI_RESET  "\033[0m"

bool
output_color(void)
{
        static int cached = -1;

        if (cached < 0)
                cached = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
        return cached;
}

const char *
state_color(const char *state)
{
        if (!state)
                return NULL;
        if (strcmp(state, "succeeded") == 0)
                return ANSI_GREEN;
        if (strcmp(state, "failed") == 0 || strcmp(state, "timed-out") == 0 ||
            strcmp(state, "interrupted") == 0)
                return ANSI_RED;
        if (strcmp(state, "paused") == 0 || strcmp(state, "missed") == 0 ||
            strcmp(state, "skipped") == 0)
                return ANSI_YELLOW;
        return NULL;
}

void
print_colored(FILE *f, const char *color, const char *text)
{
        if (color && f == stdout && output_color())
                fprintf(f, "%s%s%s", color, text, ANSI_RESET);
        else
                fputs(text, f);
}

/* --- tables --------------------------------------------------------------- */

struct table_cell {
        char *text;             /* owned */
        const char *color;      /* static, or NULL */
        size_t width;           /* in characters */
};

struct table {
        size_t n_cols;
        struct table_cell *cells;       /* row-major; the first row is the header */
        size_t n_cells, cap;
};

struct table *
table_new(size_t n_cols, ...)
{
        _cleanup_(table_freep) struct table *t = NULL;
        va_list ap;

        t = calloc(1, sizeof *t);
        if (!t)
                return NULL;
        t->n_cols = n_cols;
        va_start(ap, n_cols);
        for (size_t i = 0; i < n_cols; i++)
                if (table_add(t, NULL, "%s", va_arg(ap, const char *)) < 0) {
                        va_end(ap);
                        return NULL;
                }
        va_end(ap);
        return TAKE_PTR(t);
}

struct table *
table_free(struct table *t)
{
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_cells; i++)
                free(t->cells[i].text);
        free(t->cells);
        free(t);
        return NULL;
}

/* Characters of a UTF-8 string: bytes that do not continue a sequence. */
static size_t
text_width(const char *s)
{
        size_t w = 0;

        for (; *s; s++)
                w += ((unsigned char) *s & 0xc0) != 0x80;
        return w;
}

/* Appends a cell that owns @s (freed here on failure). */
static int
add_cell(struct table *t, const char *color, char *s)
{
        if (!s)
                return -ENOMEM;
        if (t->n_cells == t->cap) {
                size_t cap = t->cap ? t->cap * 2 : 32;
                struct table_cell *c = realloc(t->cells, cap * sizeof *c);
                if (!c) {
                        free(s);
                        return -ENOMEM;
                }
                t->cells = c;
                t->cap = cap;
        }
        t->cells[t->n_cells++] = (struct table_cell) { .text = s, .color = color, .width = text_width(s) };
        return 0;
}

int
table_add(struct table *t, const char *color, const char *fmt, ...)
{
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return add_cell(t, color, r < 0 ? NULL : s);
}

int
table_add_text(struct table *t, const char *color, const char *text)
{
        return add_cell(t, color, strdup(text));
}

size_t
table_rows(const struct table *t)
{
        return t->n_cells / t->n_cols - 1;
}

static void
pad(FILE *f, size_t n)
{
        static const char spaces[] = "                                ";

        for (; n > sizeof spaces - 1; n -= sizeof spaces - 1)
                fwrite(spaces, 1, sizeof spaces - 1, f);
        fwrite(spaces, 1, n, f);
}

void
table_print(const struct table *t, FILE *f)
{
        _cleanup_free_ size_t *width = calloc(t->n_cols, sizeof *width);
        bool color = f == stdout && output_color();

        if (!width)
                return;
        for (size_t i = 0; i < t->n_cells; i++)
                width[i % t->n_cols] = MAX(width[i % t->n_cols], t->cells[i].width);
        for (size_t i = 0; i < t->n_cells; i++) {
                const struct table_cell *c = &t->cells[i];
                size_t col = i % t->n_cols;
                bool last = col == t->n_cols - 1;
                const char *on = i < t->n_cols ? ANSI_BOLD : c->color;

                if (color && on)
                        fprintf(f, "%s%s%s", on, c->text, ANSI_RESET);
                else
                        fputs(c->text, f);
                if (last)
                        fputc('\n', f);
                else
                        pad(f, width[col] + 2 - c->width);
        }
}

/* --- times ---------------------------------------------------------------- */

usec_t
now_usec(void)
{
        struct timespec ts;

        (void) clock_gettime(CLOCK_REALTIME, &ts);
        return (usec_t) ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Text appended at *o in @buf of @n bytes, cut (and NUL-terminated) at the
 * end. By hand, not snprintf(): schedctl list formats 100,000 of these. */
static void
append(char *buf, size_t n, size_t *o, const char *s)
{
        size_t len = strlen(s);

        if (*o + 1 < n) {
                size_t room = n - 1 - *o;
                memcpy(buf + *o, s, len < room ? len : room);
        }
        *o += len;
        if (n)
                buf[*o < n ? *o : n - 1] = 0;
}

/* @v in decimal, at least @width digits. */
static void
append_uint(char *buf, size_t n, size_t *o, unsigned long long v, int width)
{
        char d[24], *p = d + sizeof d;

        *--p = 0;
        do {
                *--p = (char) ('0' + v % 10);
                v /= 10;
                width--;
        } while (v || width > 0);
        append(buf, n, o, p);
}

char *
format_local(usec_t t, char *buf, size_t n)
{
        time_t s = (time_t) (t / USEC_PER_SEC);
        struct tm tm;
        size_t o = 0;

        if (!localtime_r(&s, &tm)) {
                snprintf(buf, n, "@%lld", (long long) s);
                return buf;
        }
        if (tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999 || !tm.tm_zone) {
                /* What strftime() does with such years is its business. */
                if (strftime(buf, n, "%Y-%m-%d %H:%M:%S %Z", &tm) == 0)
                        snprintf(buf, n, "@%lld", (long long) s);
                return buf;
        }
        /* "%Y-%m-%d %H:%M:%S %Z" */
        append_uint(buf, n, &o, (unsigned) (tm.tm_year + 1900), 1);    /* as %Y: not padded */
        append(buf, n, &o, "-");
        append_uint(buf, n, &o, (unsigned) tm.tm_mon + 1, 2);
        append(buf, n, &o, "-");
        append_uint(buf, n, &o, (unsigned) tm.tm_mday, 2);
        append(buf, n, &o, " ");
        append_uint(buf, n, &o, (unsigned) tm.tm_hour, 2);
        append(buf, n, &o, ":");
        append_uint(buf, n, &o, (unsigned) tm.tm_min, 2);
        append(buf, n, &o, ":");
        append_uint(buf, n, &o, (unsigned) tm.tm_sec, 2);
        append(buf, n, &o, " ");
        append(buf, n, &o, tm.tm_zone);
        return buf;
}

/* The two largest non-zero units of @d: "3h 2m", "2d 5h", "45s". */
static char *
span(usec_t d, char *buf, size_t n)
{
        static const struct { usec_t usec; const char *unit; } units[] = {
                { USEC_PER_DAY, "d" }, { USEC_PER_HOUR, "h" }, { USEC_PER_MIN, "m" }, { USEC_PER_SEC, "s" },
        };
        size_t o = 0;
        int shown = 0;

        buf[0] = 0;
        for (size_t i = 0; i < ELEMENTSOF(units) && shown < 2; i++) {
                usec_t v = d / units[i].usec;
                if (v == 0) {
                        if (shown)
                                break;  /* "3h", not "3h 0m 5s" */
                        continue;
                }
                if (shown)
                        append(buf, n, &o, " ");
                append_uint(buf, n, &o, (unsigned long long) v, 1);
                append(buf, n, &o, units[i].unit);
                d -= v * units[i].usec;
                shown++;
        }
        return buf;
}

char *
format_relative(usec_t t, usec_t now, char *buf, size_t n)
{
        char s[48];
        size_t o = 0;

        buf[0] = 0;
        if (t - now < USEC_PER_SEC && now - t < USEC_PER_SEC)
                append(buf, n, &o, "now");
        else if (t > now) {
                append(buf, n, &o, "in ");
                append(buf, n, &o, span(t - now, s, sizeof s));
        } else {
                append(buf, n, &o, span(now - t, s, sizeof s));
                append(buf, n, &o, " ago");
        }
        return buf;
}

char *
format_when(usec_t t, usec_t now, char *buf, size_t n)
{
        char a[64], r[64];
        size_t o = 0;

        buf[0] = 0;
        append(buf, n, &o, format_local(t, a, sizeof a));
        append(buf, n, &o, " (");
        append(buf, n, &o, format_relative(t, now, r, sizeof r));
        append(buf, n, &o, ")");
        return buf;
}

char *
format_span(usec_t d, char *buf, size_t n)
{
        if (d < 0)
                d = 0;
        if (d < USEC_PER_SEC)
                snprintf(buf, n, "%lldms", (long long) (d / USEC_PER_MSEC));
        else if (d < 10 * USEC_PER_SEC)
                snprintf(buf, n, "%.2fs", (double) d / USEC_PER_SEC);
        else
                span(d, buf, n);
        return buf;
}

/* --- reading replies ------------------------------------------------------ */

const char *
json_str(const json_t *o, const char *key)
{
        return json_string_value(json_object_get(o, key));
}

bool
json_int(const json_t *o, const char *key, int64_t *ret)
{
        json_t *v = json_object_get(o, key);

        if (!json_is_integer(v))
                return false;
        *ret = json_integer_value(v);
        return true;
}

int64_t
json_int_or(const json_t *o, const char *key, int64_t dflt)
{
        int64_t v;

        return json_int(o, key, &v) ? v : dflt;
}

/* --- runs ----------------------------------------------------------------- */

char *
format_result(const json_t *run, char *buf, size_t n)
{
        const char *state = json_str(run, "state"), *cause = json_str(run, "cause"),
                   *step = json_str(run, "failed_step");
        int64_t count = json_int_or(run, "count", 1);

        if (!state)
                state = "?";
        if (step)
                snprintf(buf, n, "%s (%s)", state, step);
        else if (cause && strcmp(state, "succeeded") != 0)
                snprintf(buf, n, "%s (%s)", state, cause);
        else if (strcmp(state, "missed") == 0 && count > 1)
                snprintf(buf, n, "%s (%lld firings)", state, (long long) count);
        else
                snprintf(buf, n, "%s", state);
        return buf;
}

int
print_runs(json_t *runs, bool with_job)
{
        _cleanup_(table_freep) struct table *t = NULL;
        usec_t now = now_usec();
        json_t *run;
        size_t i;

        t = with_job ? table_new(6, "RUN", "JOB", "REASON", "STARTED", "DURATION", "RESULT")
                     : table_new(5, "RUN", "REASON", "STARTED", "DURATION", "RESULT");
        if (!t)
                return log_oom();
        json_array_foreach(runs, i, run) {
                const char *job = json_str(run, "job"), *state = json_str(run, "state");
                char when[96] = "-", len[32] = "-", result[512];
                int64_t start, end;
                int r = 0;

                if (json_int(run, "start_usec", &start)) {
                        format_when(start, now, when, sizeof when);
                        if (json_int(run, "end_usec", &end))
                                format_span(end - start, len, sizeof len);
                        else
                                format_span(now - start, len, sizeof len);
                } else if (json_int(run, "scheduled_usec", &start))
                        format_when(start, now, when, sizeof when);

                r |= table_add(t, NULL, "%lld", (long long) json_int_or(run, "id", 0));
                if (with_job)
                        r |= table_add(t, NULL, "%s", job ? job : "-");
                r |= table_add(t, NULL, "%s", json_str(run, "reason") ? json_str(run, "reason") : "-");
                r |= table_add(t, NULL, "%s", when);
                r |= table_add(t, NULL, "%s", len);
                r |= table_add(t, state_color(state), "%s", format_result(run, result, sizeof result));
                if (r < 0)
                        return log_oom();
        }
        if (table_rows(t) == 0)
                printf("No runs.\n");
        else
                table_print(t, stdout);
        return EXIT_OK;
}
