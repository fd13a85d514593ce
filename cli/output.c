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

/* The cells' text lives in one growing buffer, not one allocation each:
 * schedctl list adds half a million cells, and malloc(), strdup() and
 * free() of each were a fifth of its time. */
struct table_cell {
        size_t off, len;        /* of the text in t->text, without a NUL */
        const char *color;      /* static, or NULL */
        size_t width;           /* in characters */
};

struct table {
        size_t n_cols;
        struct table_cell *cells;       /* row-major; the first row is the header */
        size_t n_cells, cap;
        char *text;                     /* owned: every cell's bytes, one after another */
        size_t text_len, text_cap;
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
                if (table_add_text(t, NULL, va_arg(ap, const char *)) < 0) {
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
        free(t->cells);
        free(t->text);
        free(t);
        return NULL;
}

/* Characters of UTF-8 text: bytes that do not continue a sequence. Eight
 * ASCII bytes at a time, as nearly every cell is ASCII. */
static size_t
text_width(const char *s, size_t n)
{
        size_t w = 0, i = 0;

        for (; n - i >= 8; i += 8) {
                uint64_t v;
                memcpy(&v, s + i, sizeof v);
                if ((v & UINT64_C(0x8080808080808080)) != 0)
                        break;
                w += 8;
        }
        for (; i < n; i++)
                w += ((unsigned char) s[i] & 0xc0) != 0x80;
        return w;
}

/* Room for @n more bytes of text. */
static int
text_reserve(struct table *t, size_t n)
{
        size_t cap;
        char *p;

        if (t->text_cap - t->text_len >= n)
                return 0;
        cap = t->text_cap ? t->text_cap : 4096;
        while (cap - t->text_len < n) {
                if (cap > SIZE_MAX / 2)
                        return -ENOMEM;
                cap *= 2;
        }
        p = realloc(t->text, cap);
        if (!p)
                return -ENOMEM;
        t->text = p;
        t->text_cap = cap;
        return 0;
}

/* Appends a cell whose @len bytes were just written at t->text + t->text_len. */
static int
add_cell(struct table *t, const char *color, size_t len)
{
        const char *s = t->text + t->text_len;

        if (t->n_cells == t->cap) {
                size_t cap = t->cap ? t->cap * 2 : 32;
                struct table_cell *c = realloc(t->cells, cap * sizeof *c);
                if (!c)
                        return -ENOMEM;
                t->cells = c;
                t->cap = cap;
        }
        t->cells[t->n_cells++] = (struct table_cell) {
                .off = t->text_len, .len = len, .color = color, .width = text_width(s, len),
        };
        t->text_len += len;
        return 0;
}

int
table_add(struct table *t, const char *color, const char *fmt, ...)
{
        va_list ap;
        size_t room;
        int n;

        /* Formatted in place; a second time if it did not fit. */
        for (int pass = 0; pass < 2; pass++) {
                room = t->text_cap - t->text_len;
                va_start(ap, fmt);
                n = vsnprintf(room ? t->text + t->text_len : NULL, room, fmt, ap);
                va_end(ap);
                if (n < 0)
                        return -ENOMEM;
                if ((size_t) n < room)
                        return add_cell(t, color, (size_t) n);
                if (text_reserve(t, (size_t) n + 1) < 0)
                        return -ENOMEM;
        }
        return -ENOMEM;         /* not reached: the second pass has room */
}

int
table_add_text(struct table *t, const char *color, const char *text)
{
        size_t len = strlen(text);

        if (text_reserve(t, len) < 0)
                return -ENOMEM;
        memcpy(t->text + t->text_len, text, len);
        return add_cell(t, color, len);
}

size_t
table_rows(const struct table *t)
{
        return t->n_cells / t->n_cols - 1;
}

/* Output gathered in a buffer and written in large pieces: one stdio call
 * per cell and per padding was a tenth of schedctl list. */
struct out {
        FILE *f;
        size_t len;
        char buf[65536];
};

static void
out_flush(struct out *o)
{
        if (o->len > 0)
                (void) fwrite(o->buf, 1, o->len, o->f);
        o->len = 0;
}

static void
out_put(struct out *o, const char *s, size_t n)
{
        if (n > sizeof o->buf - o->len) {
                out_flush(o);
                if (n > sizeof o->buf) {
                        (void) fwrite(s, 1, n, o->f);
                        return;
                }
        }
        memcpy(o->buf + o->len, s, n);
        o->len += n;
}

static void
out_pad(struct out *o, size_t n)
{
        static const char spaces[] = "                                ";

        for (; n > sizeof spaces - 1; n -= sizeof spaces - 1)
                out_put(o, spaces, sizeof spaces - 1);
        out_put(o, spaces, n);
}

void
table_print(const struct table *t, FILE *f)
{
        _cleanup_free_ size_t *width = calloc(t->n_cols, sizeof *width);
        _cleanup_free_ struct out *o = malloc(sizeof *o);
        bool color = f == stdout && output_color();

        if (!width || !o)
                return;
        o->f = f;
        o->len = 0;
        for (size_t i = 0; i < t->n_cells; i++)
                width[i % t->n_cols] = MAX(width[i % t->n_cols], t->cells[i].width);
        for (size_t i = 0, col = 0; i < t->n_cells; i++) {
                const struct table_cell *c = &t->cells[i];
                bool last = col == t->n_cols - 1;
                const char *on = i < t->n_cols ? ANSI_BOLD : c->color;

                if (color && on) {
                        out_put(o, on, strlen(on));
                        out_put(o, t->text + c->off, c->len);
                        out_put(o, ANSI_RESET, strlen(ANSI_RESET));
                } else
                        out_put(o, t->text + c->off, c->len);
                if (last)
                        out_put(o, "\n", 1);
                else
                        out_pad(o, width[col] + 2 - c->width);
                col = last ? 0 : col + 1;
        }
        out_flush(o);
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
 * end. By hand, not snprintf(): schedctl list formats 100,000 of these.
 * Inlined, so that the length of a literal is known where it is used. */
static inline __attribute__((always_inline)) void
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

/* Two digits at @p. */
static inline void
put2(char *p, int v)
{
        p[0] = (char) ('0' + v / 10);
        p[1] = (char) ('0' + v % 10);
}

/* @local (seconds, already shifted into the zone) as "%Y-%m-%d %H:%M:%S
 * @zone", the date text kept from the call before when the day is the
 * same. False for a year strftime() would have to print. */
static bool
format_civil(int64_t local, const char *zone, char *buf, size_t n)
{
        static int64_t day = INT64_MIN;
        static char date[16];
        static size_t date_len;
        int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
        int sec = (int) (local - days * 86400);
        char text[64];
        size_t o = 0;

        if (days != day) {
                int y, m, d;
                civil_date_from_days(days, &y, &m, &d);
                if (y < 0 || y > 9999)
                        return false;
                date_len = 0;
                append_uint(date, sizeof date, &date_len, (unsigned) y, 1);     /* as %Y: not padded */
                date[date_len++] = '-';
                put2(date + date_len, m);
                date[date_len + 2] = '-';
                put2(date + date_len + 3, d);
                date_len += 5;
                date[date_len] = 0;
                day = days;
        }
        memcpy(text, date, date_len);
        o = date_len;
        text[o] = ' ';
        put2(text + o + 1, sec / 3600);
        text[o + 3] = ':';
        put2(text + o + 4, sec / 60 % 60);
        text[o + 6] = ':';
        put2(text + o + 7, sec % 60);
        text[o + 9] = ' ';
        text[o + 10] = 0;
        o += 10;
        append(text, sizeof text, &o, zone);
        o = 0;
        append(buf, n, &o, text);
        return true;
}

/* What localtime_r() says about one hour of UTC, [start, start + 3600):
 * its offset and abbreviation if they are the same at both ends. */
struct local_hour {
        time_t start;
        bool known, uniform;
        long gmtoff;
        char zone[16];
};

/* True if @tm is @s plus its tm_gmtoff, in plain calendar arithmetic:
 * not so with a zone that counts leap seconds ("right/UTC"). */
static bool
tm_is(const struct tm *tm, time_t s)
{
        struct civil c;

        civil_from_seconds((int64_t) s + tm->tm_gmtoff, &c);
        return c.year == tm->tm_year + 1900 && c.month == tm->tm_mon + 1 && c.day == tm->tm_mday &&
               c.hour == tm->tm_hour && c.minute == tm->tm_min && c.second == tm->tm_sec;
}

/* Formats @s from the cached hour, if it is uniform; false otherwise.
 * schedctl list formats 100,000 times, and localtime_r() (with its search
 * of the zone's transitions) was most of the cost of each; the next
 * firings of a list cluster in few hours. The offset is taken as constant
 * within an hour whose two ends agree: no zone changes its offset twice
 * within an hour and back (the tz database has no such pair), and a leap
 * second inside the hour shows at its end (tm_is()). */
static bool
format_local_cached(time_t s, char *buf, size_t n)
{
        static struct local_hour cache[64];
        time_t start = s - ((s % 3600) + 3600) % 3600;
        struct local_hour *h = &cache[(unsigned long long) (start / 3600) % ELEMENTSOF(cache)];

        if (!h->known || h->start != start) {
                time_t end = start + 3599;
                struct tm a, b;

                *h = (struct local_hour) { .start = start, .known = true };
                h->uniform = localtime_r(&start, &a) && localtime_r(&end, &b) && a.tm_zone && b.tm_zone &&
                             a.tm_gmtoff == b.tm_gmtoff && a.tm_isdst == b.tm_isdst &&
                             strcmp(a.tm_zone, b.tm_zone) == 0 && strlen(a.tm_zone) < sizeof h->zone &&
                             tm_is(&a, start) && tm_is(&b, end);
                if (h->uniform) {
                        h->gmtoff = a.tm_gmtoff;
                        strcpy(h->zone, a.tm_zone);
                }
        }
        if (!h->uniform)
                return false;
        return format_civil((int64_t) s + h->gmtoff, h->zone, buf, n);
}

char *
format_local(usec_t t, char *buf, size_t n)
{
        time_t s = (time_t) (t / USEC_PER_SEC);
        struct tm tm;
        size_t o = 0;

        if (format_local_cached(s, buf, n))
                return buf;
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
