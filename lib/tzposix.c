/* tzposix.c - parse POSIX TZ strings and compute their transitions.
 *
 * A TZ string is "std offset [dst [offset] [,start[/time],end[/time]]]".
 * Offsets count hours west of UTC ("CET-1" is UTC+1); we store seconds
 * east. Rule times may be negative or exceed 24 hours (RFC 8536 3.3.1,
 * used by Asia/Gaza's "M3.4.4/50" and America/Nuuk's "M3.5.0/-1"), so a
 * year's transition can fall into a neighbouring year: the lookups below
 * always consider two years either side. Pure; nothing here allocates. */
#include <errno.h>
#include <string.h>

#include "time.h"
#include "tzposix.h"

struct cursor {
        const char *p, *end;
};

static int
peek(const struct cursor *c)
{
        return c->p < c->end ? (unsigned char) *c->p : -1;
}

static bool
accept(struct cursor *c, int ch)
{
        if (peek(c) != ch)
                return false;
        c->p++;
        return true;
}

static bool
is_alpha(int ch)
{
        return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

static bool
is_digit(int ch)
{
        return ch >= '0' && ch <= '9';
}

/* A zone abbreviation: three or more letters, or <...> holding three or
 * more of [A-Za-z0-9+-]. We do not keep it. */
static int
parse_name(struct cursor *c)
{
        size_t n = 0;

        if (accept(c, '<')) {
                for (; peek(c) >= 0 && peek(c) != '>'; c->p++, n++) {
                        int ch = peek(c);
                        if (!is_alpha(ch) && !is_digit(ch) && ch != '+' && ch != '-')
                                return -EBADMSG;
                }
                if (!accept(c, '>'))
                        return -EBADMSG;
        } else
                for (; is_alpha(peek(c)); c->p++)
                        n++;
        return n >= 3 ? 0 : -EBADMSG;
}

/* Up to three decimal digits, at most @max. */
static int
parse_uint(struct cursor *c, int max, int *ret)
{
        int v = 0, n = 0;

        while (is_digit(peek(c))) {
                if (++n > 3)
                        return -EBADMSG;
                v = v * 10 + (*c->p++ - '0');
        }
        if (n == 0 || v > max)
                return -EBADMSG;
        *ret = v;
        return 0;
}

/* [+-]hh[:mm[:ss]] with hh at most @max_hours, as signed seconds. */
static int
parse_hms(struct cursor *c, int max_hours, int32_t *ret)
{
        int h, m = 0, s = 0, sign = 1;

        if (accept(c, '-'))
                sign = -1;
        else
                (void) accept(c, '+');
        if (parse_uint(c, max_hours, &h) < 0)
                return -EBADMSG;
        if (accept(c, ':')) {
                if (parse_uint(c, 59, &m) < 0)
                        return -EBADMSG;
                if (accept(c, ':') && parse_uint(c, 59, &s) < 0)
                        return -EBADMSG;
        }
        *ret = sign * (h * 3600 + m * 60 + s);
        return 0;
}

/* Jn, n or Mm.w.d, then an optional /time (default 02:00). */
static int
parse_date(struct cursor *c, struct tzposix_date *ret)
{
        struct tzposix_date d = { .time = 2 * 3600 };

        if (accept(c, 'J')) {
                d.kind = TZPOSIX_JULIAN;
                if (parse_uint(c, 365, &d.day) < 0 || d.day < 1)
                        return -EBADMSG;
        } else if (accept(c, 'M')) {
                d.kind = TZPOSIX_MONTH;
                if (parse_uint(c, 12, &d.month) < 0 || d.month < 1 || !accept(c, '.') ||
                    parse_uint(c, 5, &d.week) < 0 || d.week < 1 || !accept(c, '.') ||
                    parse_uint(c, 6, &d.wday) < 0)
                        return -EBADMSG;
        } else {
                d.kind = TZPOSIX_ZERO;
                if (parse_uint(c, 365, &d.day) < 0)
                        return -EBADMSG;
        }
        if (accept(c, '/') && parse_hms(c, 167, &d.time) < 0)
                return -EBADMSG;
        *ret = d;
        return 0;
}

int
tzposix_parse(const char *s, size_t len, struct tzposix_rule *ret)
{
        struct cursor c = { s, s + len };
        struct tzposix_rule r = {};
        int32_t west;

        if (parse_name(&c) < 0 || parse_hms(&c, 24, &west) < 0)
                return -EBADMSG;
        r.std_off = r.dst_off = -west;

        if (peek(&c) >= 0) {
                r.has_dst = true;
                if (parse_name(&c) < 0)
                        return -EBADMSG;
                r.dst_off = r.std_off + 3600;
                if (peek(&c) >= 0 && peek(&c) != ',') {
                        if (parse_hms(&c, 24, &west) < 0)
                                return -EBADMSG;
                        r.dst_off = -west;
                }
                if (accept(&c, ',')) {
                        if (parse_date(&c, &r.start) < 0 || !accept(&c, ',') ||
                            parse_date(&c, &r.end) < 0)
                                return -EBADMSG;
                } else {
                        /* POSIX leaves a missing rule to the implementation;
                         * like glibc and tzcode we take the US rules. */
                        r.start = (struct tzposix_date) { TZPOSIX_MONTH, 0, 3, 2, 0, 2 * 3600 };
                        r.end = (struct tzposix_date) { TZPOSIX_MONTH, 0, 11, 1, 0, 2 * 3600 };
                }
        }
        if (c.p != c.end)
                return -EBADMSG;
        *ret = r;
        return 0;
}

/* Days since the epoch of @d in @year. */
static int64_t
date_days(const struct tzposix_date *d, int year)
{
        int64_t jan1 = civil_days_from_date(year, 1, 1);
        int64_t first;
        int dom;

        switch (d->kind) {
        case TZPOSIX_JULIAN:
                return jan1 + d->day - 1 + (civil_is_leap(year) && d->day >= 60);
        case TZPOSIX_ZERO:
                return jan1 + d->day;
        case TZPOSIX_MONTH:
        default:
                first = civil_days_from_date(year, d->month, 1);
                dom = 1 + (d->wday - civil_weekday(first) + 7) % 7 + (d->week - 1) * 7;
                if (dom > civil_days_in_month(year, d->month))
                        dom -= 7;       /* week 5 means the last one */
                return first + dom - 1;
        }
}

size_t
tzposix_events(const struct tzposix_rule *r, int from, int to, struct tzposix_event *ret)
{
        size_t n = 0;

        for (int y = from; y <= to; y++) {
                /* The start time is given in standard time, the end time in DST. */
                ret[n++] = (struct tzposix_event) {
                        date_days(&r->start, y) * 86400 + r->start.time - r->std_off,
                        r->dst_off, true,
                };
                ret[n++] = (struct tzposix_event) {
                        date_days(&r->end, y) * 86400 + r->end.time - r->dst_off,
                        r->std_off, false,
                };
        }

        /* Stable insertion sort: nearly sorted already (southern hemisphere
         * rules swap each pair), and ties keep generation order. */
        for (size_t i = 1; i < n; i++) {
                struct tzposix_event e = ret[i];
                size_t j = i;
                for (; j > 0 && ret[j - 1].t > e.t; j--)
                        ret[j] = ret[j - 1];
                ret[j] = e;
        }

        /* Of events at the same instant the later one wins: an end of DST
         * that coincides with the next start ("J365/25,0/0") means DST all
         * year, as tzcode reads it. */
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                if (k > 0 && ret[k - 1].t == ret[i].t)
                        k--;
                ret[k++] = ret[i];
        }
        return k;
}

void
tzposix_at(const struct tzposix_rule *r, int64_t t, struct tzposix_event *ret, int64_t *ret_next)
{
        struct tzposix_event ev[12], cur;
        int64_t horizon;
        struct civil c;
        size_t n, i;

        if (!r->has_dst) {
                *ret = (struct tzposix_event) { INT64_MIN, r->std_off, false };
                *ret_next = INT64_MAX;
                return;
        }

        bool clamped = t > TZPOSIX_T_LIMIT || t < -TZPOSIX_T_LIMIT;
        if (clamped)
                t = t > 0 ? TZPOSIX_T_LIMIT : -TZPOSIX_T_LIMIT;

        civil_from_seconds(t, &c);
        n = tzposix_events(r, c.year - 2, c.year + 3, ev);

        /* Events of year Y lie within about eight days of year Y, so some
         * event precedes @t. Every event before the start of year Y + 2 is
         * known along with its neighbours (which decide ties), and a rule
         * that changes the offset does so within any whole year: if none
         * before then does, none ever will (equal offsets, DST all year). */
        horizon = civil_days_from_date(c.year + 2, 1, 1) * 86400;
        cur = (struct tzposix_event) { INT64_MIN, r->std_off, false };
        for (i = 0; i < n && ev[i].t <= t; i++)
                cur = ev[i];
        *ret = cur;

        *ret_next = INT64_MAX;
        if (clamped && t > 0)
                return;
        for (; i < n && ev[i].t < horizon; i++)
                if (ev[i].utcoff != cur.utcoff) {
                        *ret_next = ev[i].t;
                        break;
                }
}
