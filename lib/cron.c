/* cron.c - cron expressions: parsing into bitsets, and the next match.
 *
 * Parsing fills a struct cron_spec (OpenBSD cron's bitsets, plus the L, W
 * and # extensions and the year and ISO-week fields). Searching has two
 * layers:
 *
 *   next_civil()  finds the first matching wall-clock time at or after a
 *                 given one, in pure calendar arithmetic (no zone);
 *   cron_next()   walks the zone's stretches of constant UTC offset and
 *                 turns wall-clock matches into instants, applying SPEC
 *                 section 3's daylight-saving rule.
 *
 * Both are bounded: the calendar search stops at CRON_YEAR_MAX, and the
 * zone walk gives up after CRON_MAX_STEPS stretches. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cron.h"
#include "macro.h"

#define CRON_MAX_STEPS 10000

/* --- bit helpers ---------------------------------------------------------- */

/* The lowest set bit of @mask at index >= @i, or -1. */
static int
next_bit(uint64_t mask, int i)
{
        if (i < 0)
                i = 0;
        if (i >= 64)
                return -1;
        mask &= ~UINT64_C(0) << i;
        return mask ? __builtin_ctzll(mask) : -1;
}

static bool
year_bit(const struct cron_spec *c, int y)
{
        unsigned i;

        if (y < CRON_YEAR_MIN || y > CRON_YEAR_MAX)
                return false;
        i = (unsigned) (y - CRON_YEAR_MIN);
        return (c->year[i / 64] >> (i % 64)) & 1;
}

static void
set_year(struct cron_spec *c, int y)
{
        unsigned i = (unsigned) (y - CRON_YEAR_MIN);
        c->year[i / 64] |= UINT64_C(1) << (i % 64);
}

/* --- matching days ---------------------------------------------------------- */

/* The day of the month (1..31) of the weekday nearest to @t in a month of
 * @dim days whose first day is weekday @wd1, never leaving the month; 0 if
 * the month has no day @t (SPEC: "no firing in a month without that day"). */
static int
nearest_weekday(int t, int dim, int wd1)
{
        int w;

        if (t > dim)
                return 0;
        w = (wd1 + t - 1) % 7;
        if (w == 6)                     /* Saturday: Friday, or Monday on the 1st */
                return t == 1 ? t + 2 : t - 1;
        if (w == 0)                     /* Sunday: Monday, or Friday on the last day */
                return t == dim ? t - 2 : t + 1;
        return t;
}

/* The days (bit d for day d) of month @m of year @y that match @s. */
static uint32_t
side_mask(const struct cron_days *s, int dim, int wd1)
{
        uint32_t mask = s->mday;

        for (int n = next_bit(s->last, 0); n >= 0; n = next_bit(s->last, n + 1))
                if (dim - n >= 1)
                        mask |= UINT32_C(1) << (dim - n);

        for (int t = next_bit(s->nearest, 1); t >= 0; t = next_bit(s->nearest, t + 1)) {
                int d = nearest_weekday(t, dim, wd1);
                if (d)
                        mask |= UINT32_C(1) << d;
        }

        if (s->last_weekday) {
                int d = dim, w = (wd1 + dim - 1) % 7;
                if (w == 6)
                        d -= 1;
                else if (w == 0)
                        d -= 2;
                mask |= UINT32_C(1) << d;
        }

        for (int w = 0; w < 7; w++) {
                int first = 1 + (w - wd1 + 7) % 7;     /* the first weekday w of the month */

                if (s->wday & (1u << w))
                        for (int d = first; d <= dim; d += 7)
                                mask |= UINT32_C(1) << d;
                for (int n = next_bit(s->nth[w], 1); n >= 0; n = next_bit(s->nth[w], n + 1))
                        if (first + 7 * (n - 1) <= dim)
                                mask |= UINT32_C(1) << (first + 7 * (n - 1));
                if (s->last_wday & (1u << w))
                        mask |= UINT32_C(1) << (first + 7 * ((dim - first) / 7));
        }

        /* Plain days past the end of a short month never match. */
        return mask & (((UINT32_C(1) << dim) - 1) << 1);
}

/* ISO 8601 week number (1..53) of the date @days (days since the epoch). */
static int
iso_week(int64_t days)
{
        int wd = (civil_weekday(days) + 6) % 7;        /* 0 = Monday */
        int64_t thursday = days - wd + 3;               /* the Thursday of this ISO week */
        int y, m, d;

        civil_date_from_days(thursday, &y, &m, &d);
        return (int) ((thursday - civil_days_from_date(y, 1, 1)) / 7) + 1;
}

#define ALL_WEEKS (((UINT64_C(1) << 53) - 1) << 1)

/* The days of month @m of year @y on which @c may fire. */
static uint32_t
day_mask(const struct cron_spec *c, int y, int m)
{
        int dim = civil_days_in_month(y, m);
        int64_t first = civil_days_from_date(y, m, 1);
        int wd1 = civil_weekday(first);
        uint32_t a = side_mask(&c->dom, dim, wd1);
        uint32_t b = side_mask(&c->dow, dim, wd1);
        uint32_t mask = c->day_or ? (a | b) : (a & b);

        if ((c->week & ALL_WEEKS) != ALL_WEEKS)
                for (int d = next_bit(mask, 1); d >= 0; d = next_bit(mask, d + 1))
                        if (!((c->week >> iso_week(first + d - 1)) & 1))
                                mask &= ~(UINT32_C(1) << d);
        return mask;
}

/* The first matching time of day at or after *h:*mi:*s. Returns false if
 * there is none left in the day. */
static bool
time_of_day_next(const struct cron_spec *c, int *h, int *mi, int *s)
{
        int H = *h, M = *mi, S = *s;

        for (;;) {
                int n = next_bit(c->hour, H);
                if (n < 0)
                        return false;
                if (n != H) {
                        H = n;
                        M = S = 0;
                }
                n = next_bit(c->minute, M);
                if (n < 0) {
                        H++;
                        M = S = 0;
                        continue;
                }
                if (n != M) {
                        M = n;
                        S = 0;
                }
                n = next_bit(c->second, S);
                if (n < 0) {
                        M++;
                        S = 0;
                        continue;
                }
                *h = H;
                *mi = M;
                *s = n;
                return true;
        }
}

/* Finds the first wall-clock time >= *t (seconds precision) that matches
 * @c, and stores it in *t. Returns false if there is none up to
 * CRON_YEAR_MAX. At most 12 months a year for 256 years are visited. */
static bool
next_civil(const struct cron_spec *c, struct civil *t)
{
        int y = t->year, mo = t->month, d = t->day, h = t->hour, mi = t->minute, s = t->second;

        if (y < CRON_YEAR_MIN) {
                y = CRON_YEAR_MIN;
                mo = d = 1;
                h = mi = s = 0;
        }
        for (; y <= CRON_YEAR_MAX; y++, mo = 1, d = 1, h = mi = s = 0) {
                if (!year_bit(c, y))
                        continue;
                for (; mo <= 12; mo++, d = 1, h = mi = s = 0) {
                        uint32_t mask;

                        if (!((c->month >> mo) & 1))
                                continue;
                        mask = day_mask(c, y, mo);
                        for (;;) {
                                int nd = next_bit(mask, d);
                                if (nd < 0)
                                        break;
                                if (nd != d) {
                                        d = nd;
                                        h = mi = s = 0;
                                }
                                if (time_of_day_next(c, &h, &mi, &s)) {
                                        *t = (struct civil) { .year = y, .month = mo, .day = d,
                                                              .hour = h, .minute = mi, .second = s };
                                        return true;
                                }
                                d++;
                                h = mi = s = 0;
                        }
                }
        }
        return false;
}

/* --- from wall-clock matches to instants ------------------------------------ */

static int64_t
floor_div_sec(usec_t t)
{
        int64_t q = t / USEC_PER_SEC;
        if (t % USEC_PER_SEC < 0)
                q--;
        return q;
}

int
cron_next(const struct cron_spec *c, const struct tz_zone *zone, usec_t after, usec_t *ret_next)
{
        /* Candidates are whole seconds strictly after @after. */
        int64_t t = floor_div_sec(after) + 1;

        for (unsigned step = 0; step < CRON_MAX_STEPS; step++) {
                int32_t off = tz_offset_at(zone, t);
                int32_t off_before = tz_offset_at(zone, t - 1);
                int64_t next_tr, inst, local;
                struct civil lc;

                /* @t is the instant of a forward jump: the wall-clock times the
                 * clock skipped, [t + off_before, t + off), fire at t. */
                if (off_before < off) {
                        civil_from_seconds(t + off_before, &lc);
                        if (!next_civil(c, &lc))
                                return -ENOENT;
                        if (civil_to_seconds(&lc) < t + off) {
                                *ret_next = t * USEC_PER_SEC;
                                return 0;
                        }
                }

                /* Within [t, next_tr) the offset is constant, so wall-clock
                 * time and instants map one to one. */
                next_tr = tz_next_transition(zone, t);
                civil_from_seconds(t + off, &lc);
                if (!next_civil(c, &lc))
                        return -ENOENT;
                local = civil_to_seconds(&lc);
                inst = local - off;

                if (inst < next_tr) {
                        int64_t both[2];

                        /* The second pass of a fold fires only for hour
                         * wildcards (SPEC 3); skip to the end of the fold. */
                        if (!c->hour_wild && tz_from_local(zone, &lc, both) == TZ_FOLD &&
                            both[1] == inst) {
                                int64_t fold_start = tz_next_transition(zone, both[0]);
                                t = fold_start + (both[1] - both[0]);
                                continue;
                        }
                        *ret_next = inst * USEC_PER_SEC;
                        return 0;
                }

                /* The match lies past this stretch. Step into the next one;
                 * when the next change of offset is days away, it is safe to
                 * jump to two days before the match: no earlier wall-clock
                 * time matches, and no fold or gap near @t is skipped. */
                if (next_tr - t > 2 * 86400)
                        t = MAX(next_tr, inst - 2 * 86400);
                else
                        t = next_tr;
        }
        return -EDEADLK;
}

/* --- parsing: shared ----------------------------------------------------------- */

static const char *const month_names[] = {
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
};
/* Index 0 = Sunday, as in Unix cron. */
static const char *const wday_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

_printf_(3, 4) static int
fail(struct cron_error *e, unsigned offset, const char *fmt, ...)
{
        va_list ap;

        e->offset = offset;
        va_start(ap, fmt);
        vsnprintf(e->message, sizeof e->message, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

/* What a field accepts. */
struct field_kind {
        const char *what;               /* "a minute" */
        int min, max;
        const char *const *names;       /* or NULL */
        int names_base;                 /* value of names[0] */
        int names_len;
};

static const struct field_kind K_SECOND = { "a second", 0, 59 };
static const struct field_kind K_MINUTE = { "a minute", 0, 59 };
static const struct field_kind K_HOUR = { "an hour", 0, 23 };
static const struct field_kind K_DOM = { "a day of the month", 1, 31 };
static const struct field_kind K_MONTH = { "a month", 1, 12, month_names, 1, 12 };
static const struct field_kind K_DOW = { "a day of the week", 0, 7, wday_names, 0, 7 };
static const struct field_kind K_YEAR = { "a year", CRON_YEAR_MIN, CRON_YEAR_MAX };
/* APScheduler's field form: 0 = Monday. */
static const char *const ap_wday_names[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
static const struct field_kind K_AP_DOW = { "a day of the week", 0, 6, ap_wday_names, 0, 7 };
static const struct field_kind K_AP_WEEK = { "an ISO week", 1, 53 };
static const struct field_kind K_AP_DAY = { "a day of the month", 1, 31 };

/* A cursor over one field's text; offsets are reported relative to base. */
struct cursor {
        const char *p;          /* current position */
        const char *end;        /* end of the field */
        const char *base;       /* start of the whole expression */
};

static unsigned
at(const struct cursor *c)
{
        return (unsigned) (c->p - c->base);
}

static int
read_number(struct cursor *c, int *ret)
{
        long v = 0;

        if (c->p >= c->end || !isdigit((unsigned char) *c->p))
                return -EINVAL;
        for (; c->p < c->end && isdigit((unsigned char) *c->p); c->p++) {
                v = v * 10 + (*c->p - '0');
                if (v > 100000)
                        v = 100000;     /* clamp: reported as out of range */
        }
        *ret = (int) v;
        return 0;
}

/* Reads a value: a number, or a name when the field has names. */
static int
read_value(struct cursor *c, const struct field_kind *k, int *ret, struct cron_error *e)
{
        const char *start = c->p;
        unsigned off = at(c);
        int v;

        if (c->p < c->end && isdigit((unsigned char) *c->p)) {
                (void) read_number(c, &v);
                if (v < k->min || v > k->max)
                        return fail(e, off, "expected %s %d-%d, got '%.*s'", k->what, k->min, k->max,
                                    (int) (c->p - start), start);
                *ret = v;
                return 0;
        }
        if (k->names && c->p < c->end && isalpha((unsigned char) *c->p)) {
                size_t len = 0;
                while (c->p + len < c->end && isalpha((unsigned char) c->p[len]))
                        len++;
                for (int i = 0; i < k->names_len; i++)
                        if (len == 3 && strncasecmp(c->p, k->names[i], 3) == 0) {
                                c->p += 3;
                                *ret = k->names_base + i;
                                return 0;
                        }
                return fail(e, off, "expected %s, got '%.*s'", k->what, (int) len, c->p);
        }
        if (c->p >= c->end)
                return fail(e, off, "expected %s, got nothing", k->what);
        return fail(e, off, "expected %s, got '%.*s'", k->what, (int) (c->end - c->p), c->p);
}

/* Reads "/n" if present; *ret_step is 0 without one. */
static int
read_step(struct cursor *c, const struct field_kind *k, int *ret_step, struct cron_error *e)
{
        unsigned off;
        int v;

        *ret_step = 0;
        if (c->p >= c->end || *c->p != '/')
                return 0;
        c->p++;
        off = at(c);
        if (read_number(c, &v) < 0)
                return fail(e, off, "expected a step (a number) after '/'");
        if (v == 0)
                return fail(e, off, "a step must be at least 1, got 0");
        /* A step that reaches past the field's whole range can only ever
         * mean its first value, which is surely not what was meant. */
        if (v > k->max - k->min)
                return fail(e, off, "step %d is larger than the range of %s (%d-%d)",
                            v, k->what, k->min, k->max);
        *ret_step = v;
        return 0;
}

static void
set_range(uint64_t *bits, int lo, int hi, int step)
{
        for (int v = lo; v <= hi; v += step ? step : 1)
                *bits |= UINT64_C(1) << v;
}

/* Parses one list item of the form "*", "*\/n", "a", "a-b", "a-b/n", "a/n"
 * into @bits (bit v for value v). @star receives whether it began with '*'. */
static int
parse_range_item(struct cursor *c, const struct field_kind *k, bool allow_question,
                 uint64_t *bits, struct cron_error *e)
{
        int lo, hi, step, r;
        unsigned off = at(c);
        bool range = false;

        if (c->p < c->end && (*c->p == '*' || (allow_question && *c->p == '?'))) {
                c->p++;
                r = read_step(c, k, &step, e);
                if (r < 0)
                        return r;
                lo = k->min;
                hi = k->max;
                if (k == &K_DOW)
                        hi = 6;         /* 7 is Sunday again; '*' means every day once */
        } else {
                r = read_value(c, k, &lo, e);
                if (r < 0)
                        return r;
                hi = lo;
                if (c->p < c->end && *c->p == '-') {
                        c->p++;
                        r = read_value(c, k, &hi, e);
                        if (r < 0)
                                return r;
                        if (hi < lo)
                                return fail(e, off, "range %.*s is reversed (its start is after its end)",
                                            (int) (c->p - (c->base + off)), c->base + off);
                        range = true;
                }
                r = read_step(c, k, &step, e);
                if (r < 0)
                        return r;
                if (step && !range)
                        hi = k->max;    /* "a/n": from a to the end, every n */
        }
        set_range(bits, lo, hi, step);
        return 0;
}

/* Years don't fit in 64 bits. */
static int
parse_year_item(struct cursor *c, struct cron_spec *spec, struct cron_error *e)
{
        const struct field_kind *k = &K_YEAR;
        int lo, hi, step, r;
        unsigned off = at(c);
        bool range = true;

        if (c->p < c->end && *c->p == '*') {
                c->p++;
                lo = k->min;
                hi = k->max;
        } else {
                range = false;
                r = read_value(c, k, &lo, e);
                if (r < 0)
                        return r;
                hi = lo;
                if (c->p < c->end && *c->p == '-') {
                        c->p++;
                        r = read_value(c, k, &hi, e);
                        if (r < 0)
                                return r;
                        if (hi < lo)
                                return fail(e, off, "range %.*s is reversed (its start is after its end)",
                                            (int) (c->p - (c->base + off)), c->base + off);
                        range = true;
                }
        }
        r = read_step(c, k, &step, e);
        if (r < 0)
                return r;
        if (step && !range)
                hi = k->max;
        for (int y = lo; y <= hi; y += step ? step : 1)
                set_year(spec, y);
        return 0;
}

/* Checks that the item ended at a ',' or the field's end. */
static int
item_end(struct cursor *c, struct cron_error *e)
{
        if (c->p < c->end && *c->p != ',')
                return fail(e, at(c), "unexpected '%.*s'", (int) (c->end - c->p), c->p);
        return 0;
}

/* Walks a comma-separated list. list_first() is called before the first
 * item and list_next() after each; both return 1 when an item follows, 0 at
 * the end of the field, or a negative errno. @spaces allows blanks around
 * items (the field form). */
static int
list_item_start(struct cursor *c, bool spaces, struct cron_error *e)
{
        if (spaces)
                while (c->p < c->end && *c->p == ' ')
                        c->p++;
        if (c->p >= c->end || *c->p == ',')
                return fail(e, at(c), "empty item in a list");
        return 1;
}

static int
list_first(struct cursor *c, bool spaces, struct cron_error *e)
{
        return list_item_start(c, spaces, e);
}

static int
list_next(struct cursor *c, bool spaces, struct cron_error *e)
{
        int r;

        if (spaces)
                while (c->p < c->end && *c->p == ' ')
                        c->p++;
        r = item_end(c, e);
        if (r < 0)
                return r;
        if (c->p >= c->end)
                return 0;
        c->p++;
        return list_item_start(c, spaces, e);
}

/* A list of plain items (no L, W or #); @spaces: the field form's blanks. */
static int
parse_plain_field(struct cursor *c, const struct field_kind *k, bool spaces, uint64_t *bits,
                  struct cron_error *e)
{
        int r;

        *bits = 0;
        for (r = list_first(c, spaces, e); r > 0; r = list_next(c, spaces, e)) {
                r = parse_range_item(c, k, false, bits, e);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return 0;
}

static bool
starts_with_star(const struct cursor *c)
{
        return c->p < c->end && (*c->p == '*' || *c->p == '?');
}

/* Day of month, string form: plain items plus L, L-n, nW, LW. */
static int
parse_dom_field(struct cursor *c, struct cron_days *s, struct cron_error *e)
{
        int r;

        *s = (struct cron_days) {};
        for (r = list_first(c, false, e); r > 0; r = list_next(c, false, e)) {
                unsigned off = at(c);

                if (toupper((unsigned char) *c->p) == 'L') {
                        c->p++;
                        if (c->p < c->end && toupper((unsigned char) *c->p) == 'W') {
                                c->p++;
                                s->last_weekday = true;
                        } else if (c->p < c->end && *c->p == '-') {
                                int n;
                                c->p++;
                                if (read_number(c, &n) < 0 || n > 30)
                                        return fail(e, off, "expected L-n with n 0-30");
                                s->last |= UINT32_C(1) << n;
                        } else
                                s->last |= 1;
                } else {
                        uint64_t bits = 0;
                        const char *q = c->p;
                        /* "15W": a number directly followed by W. */
                        while (q < c->end && isdigit((unsigned char) *q))
                                q++;
                        if (q > c->p && q < c->end && toupper((unsigned char) *q) == 'W') {
                                int t;
                                r = read_value(c, &K_DOM, &t, e);
                                if (r < 0)
                                        return r;
                                c->p++;         /* the W */
                                s->nearest |= UINT32_C(1) << t;
                        } else {
                                r = parse_range_item(c, &K_DOM, true, &bits, e);
                                if (r < 0)
                                        return r;
                                s->mday |= (uint32_t) bits;
                        }
                }
        }
        if (r < 0)
                return r;
        return 0;
}

/* Day of week, string form: plain items plus w#n and wL. */
static int
parse_dow_field(struct cursor *c, struct cron_days *s, struct cron_error *e)
{
        int r;

        *s = (struct cron_days) {};
        for (r = list_first(c, false, e); r > 0; r = list_next(c, false, e)) {
                const char *q = c->p;
                uint64_t bits = 0;

                /* Look ahead for '#' or a trailing 'L' in this item. */
                while (q < c->end && *q != ',' && *q != '#' && *q != '-' && *q != '/')
                        q++;
                if (q < c->end && *q == '#') {
                        int w, n;
                        unsigned noff;
                        r = read_value(c, &K_DOW, &w, e);
                        if (r < 0)
                                return r;
                        c->p++;         /* the # */
                        noff = at(c);
                        if (read_number(c, &n) < 0)
                                return fail(e, noff, "expected a number 1-5 after '#'");
                        if (n < 1 || n > 5)
                                return fail(e, noff, "expected 1-5 after '#' (a month has at most 5 of any weekday), got %d", n);
                        s->nth[w % 7] |= 1u << n;
                } else if (q - c->p >= 2 && toupper((unsigned char) q[-1]) == 'L' &&
                           (q == c->end || *q == ',')) {
                        int w;
                        struct cursor sub = { c->p, q - 1, c->base };
                        r = read_value(&sub, &K_DOW, &w, e);
                        if (r < 0)
                                return r;
                        if (sub.p != q - 1)
                                return fail(e, at(&sub), "unexpected '%.*s'", (int) (q - sub.p), sub.p);
                        c->p = q;
                        s->last_wday |= 1u << (w % 7);
                } else {
                        r = parse_range_item(c, &K_DOW, true, &bits, e);
                        if (r < 0)
                                return r;
                        if (bits & (1u << 7))
                                bits = (bits | 1) & 0x7f;      /* 7 is Sunday */
                        s->wday |= (uint8_t) bits;
                }
        }
        if (r < 0)
                return r;
        return 0;
}

/* A word at a time: a bit at a time was 3% of a start-up with 10,000
 * cron jobs, nearly all of which leave the year out. */
static void
years_all(struct cron_spec *c)
{
        unsigned n = CRON_YEAR_MAX - CRON_YEAR_MIN + 1;

        for (unsigned i = 0; i < n / 64; i++)
                c->year[i] = UINT64_MAX;
        for (unsigned i = n / 64 * 64; i < n; i++)
                c->year[i / 64] |= UINT64_C(1) << (i % 64);
}

/* Refuses a spec that no date can ever satisfy. */
static int
check_satisfiable(const struct cron_spec *c, struct cron_error *e)
{
        struct civil t = { .year = CRON_YEAR_MIN, .month = 1, .day = 1 };

        if (!next_civil(c, &t))
                return fail(e, 0, "this schedule can never fire: no date matches all of its fields");
        return 0;
}

/* --- parsing: the Unix string form ----------------------------------------- */

static const struct {
        const char *name;
        const char *expr;
} nicknames[] = {
        { "@yearly", "0 0 1 1 *" }, { "@annually", "0 0 1 1 *" }, { "@monthly", "0 0 1 * *" },
        { "@weekly", "0 0 * * 0" }, { "@daily", "0 0 * * *" },    { "@midnight", "0 0 * * *" },
        { "@hourly", "0 * * * *" },
};

int
cron_parse(const char *expr, struct cron_spec *ret, struct cron_error *reterr)
{
        struct cron_spec c = {};
        struct cursor f[7];
        const char *p = expr;
        size_t n = 0;
        int r;

        while (*p == ' ' || *p == '\t')
                p++;
        if (*p == '@') {
                size_t len = strcspn(p, " \t");
                for (size_t i = 0; i < ELEMENTSOF(nicknames); i++)
                        if (strlen(nicknames[i].name) == len && strncasecmp(p, nicknames[i].name, len) == 0) {
                                if (p[len + strspn(p + len, " \t")] != 0)
                                        return fail(reterr, (unsigned) (p + len - expr),
                                                    "unexpected text after '%.*s'", (int) len, p);
                                r = cron_parse(nicknames[i].expr, &c, reterr);
                                if (r < 0)
                                        return r;
                                *ret = c;
                                return 0;
                        }
                return fail(reterr, (unsigned) (p - expr), "unknown nickname '%.*s' (expected @yearly, @annually, "
                            "@monthly, @weekly, @daily, @midnight or @hourly)", (int) len, p);
        }

        for (;;) {
                while (*p == ' ' || *p == '\t')
                        p++;
                if (!*p)
                        break;
                if (n == ELEMENTSOF(f))
                        return fail(reterr, (unsigned) (p - expr),
                                    "too many fields: expected 5, 6 or 7, separated by spaces");
                f[n].base = expr;
                f[n].p = p;
                p += strcspn(p, " \t");
                f[n].end = p;
                n++;
        }
        if (n < 5)
                return fail(reterr, (unsigned) (p - expr), "expected 5, 6 or 7 fields, got %zu", n);

        struct cursor *sec = n >= 6 ? &f[0] : NULL, *fields = n >= 6 ? f + 1 : f;
        if (sec) {
                r = parse_plain_field(sec, &K_SECOND, false, &c.second, reterr);
                if (r < 0)
                        return r;
        } else
                c.second = 1;

        r = parse_plain_field(&fields[0], &K_MINUTE, false, &c.minute, reterr);
        if (r < 0)
                return r;

        c.hour_wild = starts_with_star(&fields[1]);
        uint64_t bits;
        r = parse_plain_field(&fields[1], &K_HOUR, false, &bits, reterr);
        if (r < 0)
                return r;
        c.hour = (uint32_t) bits;

        bool dom_star = starts_with_star(&fields[2]);
        r = parse_dom_field(&fields[2], &c.dom, reterr);
        if (r < 0)
                return r;

        r = parse_plain_field(&fields[3], &K_MONTH, false, &bits, reterr);
        if (r < 0)
                return r;
        c.month = (uint16_t) bits;

        bool dow_star = starts_with_star(&fields[4]);
        r = parse_dow_field(&fields[4], &c.dow, reterr);
        if (r < 0)
                return r;

        if (n == 7) {
                struct cursor *y = &f[6];
                for (r = list_first(y, false, reterr); r > 0; r = list_next(y, false, reterr)) {
                        r = parse_year_item(y, &c, reterr);
                        if (r < 0)
                                return r;
                }
                if (r < 0)
                        return r;
        } else
                years_all(&c);

        /* The classic day rule (Vixie cron, cronie): if either day field
         * starts with '*' (or '?'), a day must match both; otherwise it
         * must match either. "1-31" is a restriction, "*\/2" is not. */
        c.day_or = !dom_star && !dow_star;
        c.week = ALL_WEEKS;

        r = check_satisfiable(&c, reterr);
        if (r < 0)
                return r;
        *ret = c;
        return 0;
}

/* --- parsing: APScheduler's field form ------------------------------------- */

static const char *const field_names[_CRON_FIELD_MAX] = {
        [CRON_FIELD_YEAR] = "year",
        [CRON_FIELD_MONTH] = "month",
        [CRON_FIELD_DAY] = "day",
        [CRON_FIELD_WEEK] = "week",
        [CRON_FIELD_DAY_OF_WEEK] = "day_of_week",
        [CRON_FIELD_HOUR] = "hour",
        [CRON_FIELD_MINUTE] = "minute",
        [CRON_FIELD_SECOND] = "second",
};

const char *
cron_field_to_string(enum cron_field f)
{
        return f >= 0 && f < _CRON_FIELD_MAX ? field_names[f] : NULL;
}

int
cron_field_from_string(const char *s)
{
        for (int f = 0; f < _CRON_FIELD_MAX; f++)
                if (strcmp(s, field_names[f]) == 0)
                        return f;
        return -EINVAL;
}

/* APScheduler's defaults for fields not given, when they are less
 * significant than the least significant given field (more significant
 * ones are '*'). */
static const char *const field_defaults[_CRON_FIELD_MAX] = {
        [CRON_FIELD_YEAR] = "*",
        [CRON_FIELD_MONTH] = "1",
        [CRON_FIELD_DAY] = "1",
        [CRON_FIELD_WEEK] = "*",
        [CRON_FIELD_DAY_OF_WEEK] = "*",
        [CRON_FIELD_HOUR] = "0",
        [CRON_FIELD_MINUTE] = "0",
        [CRON_FIELD_SECOND] = "0",
};

static void
skip_spaces(struct cursor *c)
{
        while (c->p < c->end && *c->p == ' ')
                c->p++;
}


static bool
word_is(const struct cursor *c, const char *w)
{
        size_t l = strlen(w);
        return (size_t) (c->end - c->p) >= l && strncasecmp(c->p, w, l) == 0 &&
               (c->p + l == c->end || c->p[l] == ' ' || c->p[l] == ',');
}

/* APScheduler's "day": numbers and ranges, "last", "last fri", "3rd mon". */
static int
ap_day_field(struct cursor *c, struct cron_days *s, struct cron_error *e)
{
        static const char *const ordinals[] = { "1st", "2nd", "3rd", "4th", "5th", "last" };
        int r;

        *s = (struct cron_days) {};
        for (r = list_first(c, true, e); r > 0; r = list_next(c, true, e)) {
                int ord = -1;

                for (int i = 0; i < (int) ELEMENTSOF(ordinals); i++)
                        if (word_is(c, ordinals[i])) {
                                ord = i;
                                break;
                        }
                if (ord >= 0) {
                        c->p += strlen(ordinals[ord]);
                        skip_spaces(c);
                        if (c->p >= c->end || *c->p == ',') {
                                if (ord != 5)
                                        return fail(e, at(c), "expected a weekday after '%s'", ordinals[ord]);
                                s->last |= 1;           /* "last": the last day of the month */
                        } else {
                                int w;
                                r = read_value(c, &K_AP_DOW, &w, e);
                                if (r < 0)
                                        return r;
                                w = (w + 1) % 7;        /* to 0 = Sunday */
                                if (ord == 5)
                                        s->last_wday |= 1u << w;
                                else
                                        s->nth[w] |= 1u << (ord + 1);
                        }
                } else {
                        uint64_t bits = 0;
                        r = parse_range_item(c, &K_AP_DAY, false, &bits, e);
                        if (r < 0)
                                return r;
                        s->mday |= (uint32_t) bits;
                }
        }
        if (r < 0)
                return r;
        return 0;
}

static int
ap_year_field(struct cursor *c, struct cron_spec *spec, struct cron_error *e)
{
        int r;

        for (r = list_first(c, true, e); r > 0; r = list_next(c, true, e)) {
                r = parse_year_item(c, spec, e);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return 0;
}

static int
ap_field(struct cron_spec *spec, enum cron_field f, struct cursor *c, struct cron_error *e)
{
        uint64_t bits = 0;
        int r;

        switch (f) {
        case CRON_FIELD_YEAR:
                return ap_year_field(c, spec, e);
        case CRON_FIELD_MONTH:
                r = parse_plain_field(c, &K_MONTH, true, &bits, e);
                spec->month = (uint16_t) bits;
                return r;
        case CRON_FIELD_DAY:
                return ap_day_field(c, &spec->dom, e);
        case CRON_FIELD_WEEK:
                r = parse_plain_field(c, &K_AP_WEEK, true, &spec->week, e);
                return r;
        case CRON_FIELD_DAY_OF_WEEK:
                r = parse_plain_field(c, &K_AP_DOW, true, &bits, e);
                spec->dow = (struct cron_days) {};
                /* 0 = Monday in APScheduler; rotate to 0 = Sunday. */
                for (int w = 0; w < 7; w++)
                        if (bits & (UINT64_C(1) << w))
                                spec->dow.wday |= 1u << ((w + 1) % 7);
                return r;
        case CRON_FIELD_HOUR:
                r = parse_plain_field(c, &K_HOUR, true, &bits, e);
                spec->hour = (uint32_t) bits;
                return r;
        case CRON_FIELD_MINUTE:
                return parse_plain_field(c, &K_MINUTE, true, &spec->minute, e);
        case CRON_FIELD_SECOND:
                return parse_plain_field(c, &K_SECOND, true, &spec->second, e);
        default:
                return -EINVAL;
        }
}

int
cron_parse_fields(const char *const fields[_CRON_FIELD_MAX], struct cron_spec *ret,
                  enum cron_field *reterr_field, struct cron_error *reterr)
{
        struct cron_spec c = {};
        int last_given = -1, r;

        for (int f = 0; f < _CRON_FIELD_MAX; f++)
                if (fields[f])
                        last_given = f;
        if (last_given < 0) {
                *reterr_field = CRON_FIELD_SECOND;
                return fail(reterr, 0, "expected at least one of year, month, day, week, "
                            "day_of_week, hour, minute, second");
        }

        for (int f = 0; f < _CRON_FIELD_MAX; f++) {
                const char *v = fields[f] ? fields[f] : f > last_given ? field_defaults[f] : "*";
                struct cursor cur = { v, v + strlen(v), v };

                skip_spaces(&cur);
                if (f == CRON_FIELD_HOUR)
                        c.hour_wild = cur.p < cur.end && *cur.p == '*';
                r = ap_field(&c, (enum cron_field) f, &cur, reterr);
                if (r < 0) {
                        *reterr_field = (enum cron_field) f;
                        return r;
                }
        }

        /* Both day fields must match (APScheduler). */
        c.day_or = false;

        r = check_satisfiable(&c, reterr);
        if (r < 0) {
                *reterr_field = (enum cron_field) last_given;
                return r;
        }
        *ret = c;
        return 0;
}

/* --- the packed form a trigger keeps ---------------------------------------- */

static bool
days_equal(const struct cron_days *a, const struct cron_days *b)
{
        return a->mday == b->mday && a->last == b->last && a->nearest == b->nearest &&
               a->last_weekday == b->last_weekday && a->wday == b->wday &&
               memcmp(a->nth, b->nth, sizeof a->nth) == 0 && a->last_wday == b->last_wday;
}

bool
cron_spec_equal(const struct cron_spec *a, const struct cron_spec *b)
{
        return a->second == b->second && a->minute == b->minute && a->hour == b->hour &&
               a->month == b->month && memcmp(a->year, b->year, sizeof a->year) == 0 &&
               a->week == b->week && days_equal(&a->dom, &b->dom) &&
               days_equal(&a->dow, &b->dow) && a->day_or == b->day_or &&
               a->hour_wild == b->hour_wild;
}

_Static_assert(CRON_YEAR_MAX - CRON_YEAR_MIN + 1 == 4 * 64, "year[] is four full words");

/* Fills @c from the inline fields of @p: every year (CRON_YEAR_MIN ..
 * CRON_YEAR_MAX is exactly 256 years, four words of ones), every week,
 * and nothing of the day extensions. */
static void
unpack_inline(const struct cron_packed *p, struct cron_spec *c)
{
        *c = (struct cron_spec) {
                .second = p->second,
                .minute = p->minute,
                .hour = p->hour,
                .month = p->month,
                .year = { UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX },
                .week = ALL_WEEKS,
                .dom = { .mday = p->mday },
                .dow = { .wday = p->wday },
                .day_or = p->day_or,
                .hour_wild = p->hour_wild,
        };
}

int
cron_pack(const struct cron_spec *c, struct cron_packed *ret)
{
        struct cron_packed p = {
                .second = c->second,
                .minute = c->minute,
                .hour = c->hour,
                .mday = c->dom.mday,
                .month = c->month,
                .wday = c->dow.wday,
                .day_or = c->day_or,
                .hour_wild = c->hour_wild,
        };
        struct cron_spec check;

        unpack_inline(&p, &check);
        if (!cron_spec_equal(&check, c)) {
                p.full = malloc(sizeof *p.full);
                if (!p.full)
                        return -ENOMEM;
                *p.full = *c;
        }
        *ret = p;
        return 0;
}

const struct cron_spec *
cron_unpack(const struct cron_packed *p, struct cron_spec *buf)
{
        if (p->full)
                return p->full;
        unpack_inline(p, buf);
        return buf;
}

void
cron_packed_done(struct cron_packed *p)
{
        free(p->full);
        *p = (struct cron_packed) {};
}

bool
cron_packed_equal(const struct cron_packed *a, const struct cron_packed *b)
{
        struct cron_spec ba, bb;

        return cron_spec_equal(cron_unpack(a, &ba), cron_unpack(b, &bb));
}
