/* tz.c - TZif zones and POSIX-rule zones; UTC <-> local wall-clock time.
 *
 * A zone is one sorted table of transitions: those of the TZif file (the
 * 64-bit block for v2+), followed by those its POSIX-TZ footer generates up
 * to the start of TZ_TABLE_END_YEAR. Every lookup in that range is a binary
 * search with no allocation; beyond it (and, for zones made from a rule
 * alone, before TZ_TABLE_FIRST_YEAR) the rule is evaluated directly
 * (tzposix.c). Besides the full table, which tz_to_local() needs for
 * isdst, a second one holds only the UTC offset changes, which is what
 * tz_offset_at(), tz_from_local() and tz_next_transition() care about.
 *
 * Like glibc, the footer governs every instant from the last transition in
 * the file on (RFC 8536 section 3.3 requires the two to agree there), and
 * governs all instants of a file without transitions. Leap-second records
 * are checked for size and ignored: instants here are POSIX time. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "tz.h"
#include "tzposix.h"

#define TZ_TABLE_FIRST_YEAR 1800        /* earliest generated transitions */
#define TZ_TABLE_END_YEAR   2227        /* generated transitions stop before this */

/* RFC 8536 section 3.2: UT offsets of local time types stay in this range. */
#define TZ_UTOFF_MIN (-89999)
#define TZ_UTOFF_MAX 93599

struct tz_state {
        int32_t utcoff;
        bool isdst;
};

struct tz_zone {
        char *name;

        /* The table is authoritative for rule_before <= t < rule_after;
         * outside it the rule is evaluated. */
        struct tz_state init;           /* in force before trans[0] */
        size_t ntrans;
        int64_t *trans;                 /* strictly ascending */
        struct tz_state *state;         /* state[i] applies from trans[i]; never
                                         * equal to the one before */
        int32_t chg_init;               /* == init.utcoff */
        size_t nchg;
        int64_t *chg;                   /* the subset of trans that changes utcoff */
        int32_t *chg_off;

        bool has_rule;
        struct tzposix_rule rule;
        int64_t rule_before, rule_after;
};

static const struct tz_zone utc_zone = {
        .name = (char *) "UTC",
        .rule_before = INT64_MIN,
        .rule_after = INT64_MAX,
};

const struct tz_zone *
tz_utc(void)
{
        return &utc_zone;
}

struct tz_zone *
tz_zone_free(struct tz_zone *z)
{
        if (!z || z == &utc_zone)
                return NULL;
        free(z->name);
        free(z->trans);
        free(z->state);
        free(z->chg);
        free(z->chg_off);
        free(z);
        return NULL;
}

static void
tz_zone_freep(struct tz_zone **z)
{
        tz_zone_free(*z);
}

const char *
tz_zone_name(const struct tz_zone *z)
{
        return z->name;
}

/* Number of elements of the ascending array @a that are <= @t. */
static size_t
count_le(const int64_t *a, size_t n, int64_t t)
{
        size_t lo = 0;

        while (n > 0) {
                size_t half = n / 2;
                if (a[lo + half] <= t) {
                        lo += half + 1;
                        n -= half + 1;
                } else
                        n = half;
        }
        return lo;
}

static bool
in_rule_range(const struct tz_zone *z, int64_t t)
{
        return t < z->rule_before || t >= z->rule_after;
}

static struct tz_state
state_at(const struct tz_zone *z, int64_t t)
{
        size_t i;

        if (in_rule_range(z, t)) {
                struct tzposix_event e;
                int64_t next;

                tzposix_at(&z->rule, t, &e, &next);
                return (struct tz_state) { e.utcoff, e.isdst };
        }
        i = count_le(z->trans, z->ntrans, t);
        return i == 0 ? z->init : z->state[i - 1];
}

/* The UTC offset at @t, and in *ret_next the first instant > @t at which
 * it changes (INT64_MAX if never). */
static int32_t
span_at(const struct tz_zone *z, int64_t t, int64_t *ret_next)
{
        struct tzposix_event e;
        size_t i;

        if (in_rule_range(z, t)) {
                tzposix_at(&z->rule, t, &e, ret_next);
                return e.utcoff;
        }
        i = count_le(z->chg, z->nchg, t);
        if (i < z->nchg)
                *ret_next = z->chg[i];
        else if (z->rule_after != INT64_MAX)
                /* The table agrees with the rule up to rule_after. */
                tzposix_at(&z->rule, MAX(t, z->rule_after - 1), &e, ret_next);
        else
                *ret_next = INT64_MAX;
        return i == 0 ? z->chg_init : z->chg_off[i - 1];
}

int32_t
tz_offset_at(const struct tz_zone *z, int64_t t)
{
        size_t i;

        if (in_rule_range(z, t))
                return state_at(z, t).utcoff;
        i = count_le(z->chg, z->nchg, t);
        return i == 0 ? z->chg_init : z->chg_off[i - 1];
}

static int64_t
floor_div(int64_t a, int64_t b)
{
        int64_t q = a / b;
        if (a % b != 0 && (a < 0) != (b < 0))
                q--;
        return q;
}

void
tz_to_local(const struct tz_zone *z, int64_t t, struct tz_local *ret)
{
        struct tz_state s;
        int64_t l;

        /* Keep t + utcoff and the calendar arithmetic in range. */
        t = MAX(MIN(t, TZPOSIX_T_LIMIT), -TZPOSIX_T_LIMIT);
        s = state_at(z, t);
        l = t + s.utcoff;
        civil_from_seconds(l, &ret->civil);
        ret->wday = civil_weekday(floor_div(l, 86400));
        ret->utcoff = s.utcoff;
        ret->isdst = s.isdst;
}

enum tz_resolution
tz_from_local(const struct tz_zone *z, const struct civil *c, int64_t ret[2])
{
        int64_t l = civil_to_seconds(c), s, next, found[2], gap = INT64_MIN;
        int32_t off, prev = 0;
        bool first = true;
        size_t n = 0;

        /* Every instant with local time l lies in [l - TZ_UTOFF_MAX,
         * l - TZ_UTOFF_MIN], so walk the spans of constant offset that meet
         * that window. In each, l - off is a solution if it falls inside;
         * where the offset grows, the local times [T + prev, T + off) are
         * skipped. Real zones have at most two spans here. */
        for (s = l - TZ_UTOFF_MAX - 1;; s = next) {
                off = span_at(z, s, &next);
                if (!first && off > prev && s + prev <= l && l < s + off && gap == INT64_MIN)
                        gap = s;
                if (l - off >= s && l - off < next && n < 2)
                        found[n++] = l - off;
                if (next > l - TZ_UTOFF_MIN)
                        break;
                prev = off;
                first = false;
        }

        if (n == 2) {
                ret[0] = found[0];
                ret[1] = found[1];
                return TZ_FOLD;
        }
        if (n == 1) {
                ret[0] = found[0];
                return TZ_UNIQUE;
        }
        /* No solution means the offset jumped over l; the walk saw it. */
        ret[0] = gap != INT64_MIN ? gap : l - tz_offset_at(z, l);
        return TZ_GAP;
}

int64_t
tz_next_transition(const struct tz_zone *z, int64_t t)
{
        int64_t next;

        (void) span_at(z, t, &next);
        return next;
}

/* The UTC year of @t, clamped to a range the calendar code handles. */
static int
year_of(int64_t t)
{
        struct civil c;

        civil_from_seconds(MAX(MIN(t, TZPOSIX_T_LIMIT), -TZPOSIX_T_LIMIT), &c);
        return c.year;
}

/* Builds a zone from the file's transitions (@times, @states, @n; @init
 * before the first) and an optional footer @rule; see the file header for
 * how the two combine. @states is modified. */
static int
zone_build(const char *name, struct tz_state init, const int64_t *times, struct tz_state *states,
           size_t n, const struct tzposix_rule *rule, struct tz_zone **ret)
{
        _cleanup_(tz_zone_freep) struct tz_zone *z = NULL;
        _cleanup_free_ struct tzposix_event *ev = NULL;
        size_t nev = 0, cap;

        z = calloc(1, sizeof *z);
        if (!z)
                return -ENOMEM;
        z->name = strdup(name ? name : "");
        if (!z->name)
                return -ENOMEM;
        z->rule_before = INT64_MIN;
        z->rule_after = INT64_MAX;

        if (rule && !rule->has_dst) {
                /* A fixed offset from the last transition on. */
                struct tz_state fixed = { rule->std_off, false };
                if (n > 0)
                        states[n - 1] = fixed;
                else
                        init = fixed;
        } else if (rule) {
                int64_t end = civil_days_from_date(TZ_TABLE_END_YEAR, 1, 1) * 86400;
                int64_t from = n > 0 ? times[n - 1] : INT64_MIN;
                int first_year = TZ_TABLE_FIRST_YEAR;
                struct tzposix_event e;
                int64_t unused;

                z->has_rule = true;
                z->rule = *rule;
                if (n > 0) {
                        /* A file whose table ends before TZ_TABLE_FIRST_YEAR
                         * (none does) gets the rule only from then on. */
                        first_year = MAX(year_of(from) - 1, TZ_TABLE_FIRST_YEAR);
                        tzposix_at(rule, from, &e, &unused);
                        states[n - 1] = (struct tz_state) { e.utcoff, e.isdst };
                        z->rule_after = MAX(end, from < INT64_MAX ? from + 1 : from);
                } else {
                        z->rule_before = civil_days_from_date(first_year, 1, 1) * 86400;
                        tzposix_at(rule, z->rule_before, &e, &unused);
                        init = (struct tz_state) { e.utcoff, e.isdst };
                        z->rule_after = end;
                }
                if (first_year <= TZ_TABLE_END_YEAR) {
                        /* From the year before: its last event may fall
                         * into first_year. */
                        ev = calloc(2 * (size_t) (TZ_TABLE_END_YEAR - first_year + 2), sizeof *ev);
                        if (!ev)
                                return -ENOMEM;
                        nev = tzposix_events(rule, first_year - 1, TZ_TABLE_END_YEAR, ev);
                }
        }

        cap = n + nev;
        z->trans = calloc(MAX(cap, 1), sizeof *z->trans);
        z->state = calloc(MAX(cap, 1), sizeof *z->state);
        z->chg = calloc(MAX(cap, 1), sizeof *z->chg);
        z->chg_off = calloc(MAX(cap, 1), sizeof *z->chg_off);
        if (!z->trans || !z->state || !z->chg || !z->chg_off)
                return -ENOMEM;

        z->init = init;
        z->chg_init = init.utcoff;
        for (size_t i = 0; i < cap; i++) {
                int64_t t;
                struct tz_state s, last = z->ntrans > 0 ? z->state[z->ntrans - 1] : z->init;

                if (i < n) {
                        t = times[i];
                        s = states[i];
                } else {
                        t = ev[i - n].t;
                        s = (struct tz_state) { ev[i - n].utcoff, ev[i - n].isdst };
                        /* Generated events only extend the table. */
                        if ((n > 0 && t <= times[n - 1]) || t < z->rule_before || t >= z->rule_after)
                                continue;
                }
                if (s.utcoff == last.utcoff && s.isdst == last.isdst)
                        continue;
                z->trans[z->ntrans] = t;
                z->state[z->ntrans++] = s;
                if (s.utcoff != last.utcoff) {
                        z->chg[z->nchg] = t;
                        z->chg_off[z->nchg++] = s.utcoff;
                }
        }

        *ret = TAKE_PTR(z);
        return 0;
}

int
tz_zone_from_posix(const char *name, const char *posix, struct tz_zone **ret)
{
        struct tzposix_rule rule;

        if (!posix || tzposix_parse(posix, strlen(posix), &rule) < 0)
                return -EBADMSG;
        return zone_build(name ? name : posix, (struct tz_state) {}, NULL, NULL, 0, &rule, ret);
}

/* --- TZif (RFC 8536) ------------------------------------------------------ */

struct reader {
        const uint8_t *p;
        size_t left;
};

static const uint8_t *
take(struct reader *r, uint64_t n)
{
        const uint8_t *p = r->p;

        if (n > r->left)
                return NULL;
        r->p += n;
        r->left -= n;
        return p;
}

static uint32_t
be32(const uint8_t *p)
{
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static int64_t
be64(const uint8_t *p)
{
        return (int64_t) ((uint64_t) be32(p) << 32 | be32(p + 4));
}

struct tzif_header {
        uint8_t version;
        uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static int
header_read(struct reader *r, struct tzif_header *ret)
{
        const uint8_t *p = take(r, 44);

        if (!p || memcmp(p, "TZif", 4) != 0)
                return -EBADMSG;
        if (p[4] != 0 && p[4] < '2')
                return -EBADMSG;
        *ret = (struct tzif_header) {
                .version = p[4],
                .isutcnt = be32(p + 20), .isstdcnt = be32(p + 24), .leapcnt = be32(p + 28),
                .timecnt = be32(p + 32), .typecnt = be32(p + 36), .charcnt = be32(p + 40),
        };
        return 0;
}

/* Size of the data block after @h, with @ts-byte times. Cannot overflow:
 * each count is below 2^32. */
static uint64_t
block_size(const struct tzif_header *h, unsigned ts)
{
        return (uint64_t) h->timecnt * (ts + 1) + (uint64_t) h->typecnt * 6 + h->charcnt +
               (uint64_t) h->leapcnt * (ts + 4) + h->isstdcnt + h->isutcnt;
}

/* Reads the data block after @h into newly allocated *ret_times and
 * *ret_states (one per transition) and *ret_init. */
static int
block_read(struct reader *r, const struct tzif_header *h, unsigned ts, int64_t **ret_times,
           struct tz_state **ret_states, struct tz_state *ret_init)
{
        _cleanup_free_ int64_t *times = NULL;
        _cleanup_free_ struct tz_state *states = NULL;
        struct tz_state types[256];
        const uint8_t *tp, *ip, *yp, *std, *ut;

        /* RFC 8536 section 3.1. Type indices are one byte, so more than
         * 256 types could never be used. */
        if (h->typecnt == 0 || h->typecnt > 256 || h->charcnt == 0 ||
            (h->isstdcnt != 0 && h->isstdcnt != h->typecnt) ||
            (h->isutcnt != 0 && h->isutcnt != h->typecnt))
                return -EBADMSG;
        if (block_size(h, ts) > r->left)
                return -EBADMSG;
        tp = take(r, (uint64_t) h->timecnt * ts);
        ip = take(r, h->timecnt);
        yp = take(r, (uint64_t) h->typecnt * 6);
        (void) take(r, h->charcnt);                             /* abbreviations, unused */
        (void) take(r, (uint64_t) h->leapcnt * (ts + 4));       /* leap seconds, ignored */
        std = h->isstdcnt ? take(r, h->isstdcnt) : NULL;        /* absent or one per type */
        ut = h->isutcnt ? take(r, h->isutcnt) : NULL;

        for (uint32_t i = 0; i < h->typecnt; i++) {
                const uint8_t *y = yp + 6 * i;
                int32_t off = (int32_t) be32(y);

                if (off < TZ_UTOFF_MIN || off > TZ_UTOFF_MAX || y[4] > 1 || y[5] >= h->charcnt)
                        return -EBADMSG;
                if ((std && std[i] > 1) || (ut && ut[i] > 1))
                        return -EBADMSG;
                types[i] = (struct tz_state) { off, y[4] };
        }

        times = calloc(MAX(h->timecnt, 1u), sizeof *times);
        states = calloc(MAX(h->timecnt, 1u), sizeof *states);
        if (!times || !states)
                return -ENOMEM;
        for (uint32_t i = 0; i < h->timecnt; i++) {
                times[i] = ts == 8 ? be64(tp + 8 * i) : (int32_t) be32(tp + 4 * i);
                if (i > 0 && times[i] <= times[i - 1])
                        return -EBADMSG;
                if (ip[i] >= h->typecnt)
                        return -EBADMSG;
                states[i] = types[ip[i]];
        }

        /* RFC 8536 3.2: type 0 applies before the first transition. */
        *ret_init = types[0];
        *ret_times = TAKE_PTR(times);
        *ret_states = TAKE_PTR(states);
        return 0;
}

int
tz_zone_parse(const char *name, const void *data, size_t len, struct tz_zone **ret)
{
        struct reader r = { data, len };
        _cleanup_free_ int64_t *times = NULL;
        _cleanup_free_ struct tz_state *states = NULL;
        struct tzif_header h;
        struct tz_state init;
        struct tzposix_rule rule;
        bool has_rule = false;
        int k;

        if (!data)
                return -EBADMSG;
        k = header_read(&r, &h);
        if (k < 0)
                return k;

        if (h.version >= '2') {
                /* Skip the 32-bit block; the 64-bit one follows its own header. */
                if (!take(&r, block_size(&h, 4)))
                        return -EBADMSG;
                k = header_read(&r, &h);
                if (k < 0)
                        return k;
                if (h.version < '2')
                        return -EBADMSG;
        }

        k = block_read(&r, &h, h.version >= '2' ? 8 : 4, &times, &states, &init);
        if (k < 0)
                return k;

        if (h.version >= '2') {
                /* The footer: "\n" TZ-string "\n"; an empty string means
                 * no rule. */
                const uint8_t *nl;

                if (!take(&r, 1) || r.p[-1] != '\n')
                        return -EBADMSG;
                nl = memchr(r.p, '\n', r.left);
                if (!nl)
                        return -EBADMSG;
                if (nl > r.p) {
                        if (tzposix_parse((const char *) r.p, (size_t) (nl - r.p), &rule) < 0)
                                return -EBADMSG;
                        has_rule = true;
                }
        }

        return zone_build(name, init, times, states, h.timecnt, has_rule ? &rule : NULL, ret);
}
