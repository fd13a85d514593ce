/* test-tz.c - TZif and POSIX-rule zones against glibc, DST gaps and folds
 * by hand, malformed data, and struct tz_db.
 *
 * glibc (localtime_r/mktime under setenv("TZ")) is the oracle for
 * UTC -> local and for unambiguous local -> UTC; gaps and folds, which
 * mktime() resolves by guessing, are written out by hand. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "tz.h"

#define ZONEINFO "/usr/share/zoneinfo"

static const char *const zones[] = {
        "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
        "America/St_Johns", "Pacific/Chatham", "Europe/Dublin", "Africa/Casablanca",
        "America/Sao_Paulo", "Pacific/Apia", "Asia/Tehran", "UTC", "Europe/London",
        "Australia/Sydney", "America/Santiago", "Antarctica/Troll", "Asia/Gaza",
        "America/Nuuk", "Asia/Jerusalem", "Pacific/Auckland", "America/Los_Angeles",
        "Asia/Kathmandu", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/Havana",
        "Europe/Moscow", "America/Asuncion", "Africa/Cairo", "Europe/Lisbon", "Asia/Amman",
};

/* 2100-01-01T00:00:00Z */
#define T_2100 INT64_C(4102444800)

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

/* splitmix64: deterministic, so a failure reproduces. */
static uint64_t
rng(void)
{
        uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
        return z ^ (z >> 31);
}

static int64_t
rng_range(int64_t lo, int64_t hi)
{
        return lo + (int64_t) (rng() % (uint64_t) (hi - lo));
}

static int64_t
utc(int y, int mo, int d, int h, int mi, int s)
{
        struct civil c = { y, mo, d, h, mi, s, 0 };
        return civil_to_seconds(&c);
}

static size_t
read_file(const char *path, char **ret)
{
        FILE *f = fopen(path, "rb");
        char *buf;
        size_t n;

        assert_non_null(f);
        buf = malloc(1 << 20);
        assert_non_null(buf);
        n = fread(buf, 1, 1 << 20, f);
        fclose(f);
        *ret = buf;
        return n;
}

static struct tz_zone *
load(const char *name)
{
        char path[512];
        char *buf;
        struct tz_zone *z = NULL;
        size_t n;

        snprintf(path, sizeof path, "%s/%s", ZONEINFO, name);
        n = read_file(path, &buf);
        assert_int_equal(tz_zone_parse(name, buf, n, &z), 0);
        free(buf);
        assert_string_equal(tz_zone_name(z), name);
        return z;
}

/* The footer of a zone file, or "" (static buffer). */
static const char *
footer_of(const char *name)
{
        static char footer[256];
        char path[512], *buf;
        size_t n, i;

        snprintf(path, sizeof path, "%s/%s", ZONEINFO, name);
        n = read_file(path, &buf);
        assert_true(n > 2 && buf[n - 1] == '\n');
        for (i = n - 1; i > 0 && buf[i - 1] != '\n'; i--)
                ;
        snprintf(footer, sizeof footer, "%.*s", (int) (n - 1 - i), buf + i);
        free(buf);
        return footer;
}

static void
glibc_zone(const char *tz)
{
        assert_int_equal(setenv("TZ", tz, 1), 0);
        tzset();
}

static int checks;

/* tz_to_local() and tz_offset_at() agree with localtime_r() at @t. */
static void
check_instant(const struct tz_zone *z, int64_t t)
{
        struct tz_local l;
        struct tm tm;
        time_t tt = (time_t) t;

        assert_non_null(localtime_r(&tt, &tm));
        tz_to_local(z, t, &l);
        if (l.civil.year != tm.tm_year + 1900 || l.civil.month != tm.tm_mon + 1 ||
            l.civil.day != tm.tm_mday || l.civil.hour != tm.tm_hour ||
            l.civil.minute != tm.tm_min || l.civil.second != tm.tm_sec ||
            l.wday != tm.tm_wday || l.utcoff != tm.tm_gmtoff || l.isdst != (tm.tm_isdst > 0) ||
            tz_offset_at(z, t) != tm.tm_gmtoff)
                fail_msg("%s at %" PRId64 ": got %04d-%02d-%02d %02d:%02d:%02d off %d dst %d, "
                         "glibc %04d-%02d-%02d %02d:%02d:%02d off %ld dst %d",
                         tz_zone_name(z), t, l.civil.year, l.civil.month, l.civil.day,
                         l.civil.hour, l.civil.minute, l.civil.second, l.utcoff, l.isdst,
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                         tm.tm_sec, tm.tm_gmtoff, tm.tm_isdst);
        checks++;
}

/* Like check_instant() for a zone given by a POSIX rule alone. glibc
 * evaluates such rules wrongly before 1970 (it counts years from 1970 up),
 * so earlier instants are checked at the same point of the 400-year
 * Gregorian cycle after 1970, where the rule gives the same answer. */
static void
check_rule_instant(const struct tz_zone *z, int64_t t)
{
        const int64_t cycle = INT64_C(146097) * 86400;
        int64_t s = t;
        int years = 0;
        struct tz_local a, b;

        while (s < 0) {
                s += cycle;
                years += 400;
        }
        tz_to_local(z, t, &a);
        tz_to_local(z, s, &b);
        assert_int_equal(a.utcoff, b.utcoff);
        assert_int_equal(a.isdst, b.isdst);
        assert_int_equal(a.civil.year + years, b.civil.year);
        assert_int_equal(a.wday, b.wday);
        check_instant(z, s);
}

/* tz_from_local() is consistent with tz_to_local(), and with mktime() where
 * the local time is unambiguous. */
static void
check_local(const struct tz_zone *z, const struct civil *c)
{
        int64_t r[2], lc = civil_to_seconds(c);
        struct tz_local l;
        struct tm tm = {
                .tm_year = c->year - 1900, .tm_mon = c->month - 1, .tm_mday = c->day,
                .tm_hour = c->hour, .tm_min = c->minute, .tm_sec = c->second, .tm_isdst = -1,
        };

        switch (tz_from_local(z, c, r)) {
        case TZ_UNIQUE:
                tz_to_local(z, r[0], &l);
                assert_int_equal(civil_to_seconds(&l.civil), lc);
                if ((int64_t) mktime(&tm) != r[0])
                        fail_msg("%s: local %" PRId64 " -> %" PRId64 ", mktime %" PRId64,
                                 tz_zone_name(z), lc, r[0], (int64_t) mktime(&tm));
                break;
        case TZ_FOLD:
                assert_true(r[0] < r[1]);
                tz_to_local(z, r[0], &l);
                assert_int_equal(civil_to_seconds(&l.civil), lc);
                tz_to_local(z, r[1], &l);
                assert_int_equal(civil_to_seconds(&l.civil), lc);
                assert_true(tz_offset_at(z, r[0]) > tz_offset_at(z, r[1]));
                break;
        case TZ_GAP:
                tz_to_local(z, r[0], &l);
                assert_true(civil_to_seconds(&l.civil) > lc);
                tz_to_local(z, r[0] - 1, &l);
                assert_true(civil_to_seconds(&l.civil) < lc);
                assert_true(tz_offset_at(z, r[0]) > tz_offset_at(z, r[0] - 1));
                break;
        default:
                fail();
        }
        checks++;
}

static void
test_against_glibc(void **state)
{
        int total_transitions = 0;
        (void) state;

        checks = 0;
        for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
                struct tz_zone *z = load(zones[i]);
                int64_t t, prev;

                glibc_zone(zones[i]);

                /* Every offset change 1970..2100, each side of it, and a
                 * random point between it and the next (glibc must agree
                 * that nothing changed there). */
                prev = 0;
                for (t = tz_next_transition(z, 0); t < T_2100; t = tz_next_transition(z, t)) {
                        assert_true(t > prev);
                        assert_int_not_equal(tz_offset_at(z, t - 1), tz_offset_at(z, t));
                        check_instant(z, t - 1);
                        check_instant(z, t);
                        check_instant(z, t + 1);
                        check_instant(z, rng_range(prev, t));
                        check_instant(z, prev + (t - prev) / 2);
                        prev = t;
                        total_transitions++;
                }

                for (int k = 0; k < 20000; k++) {
                        int64_t u = rng_range(0, T_2100);
                        struct tz_local l;
                        struct civil c;
                        int64_t r[2];
                        enum tz_resolution res;

                        check_instant(z, u);

                        /* Round trip: u's local time maps back to u. */
                        tz_to_local(z, u, &l);
                        res = tz_from_local(z, &l.civil, r);
                        assert_int_not_equal(res, TZ_GAP);
                        assert_true(r[0] == u || (res == TZ_FOLD && r[1] == u));

                        /* A random local time, often near a transition. */
                        civil_from_seconds(u + rng_range(-2 * 3600, 2 * 3600), &c);
                        check_local(z, &c);
                }
                tz_zone_free(z);
        }
        print_message("compared %d instants and local times in %zu zones (%d transitions)\n",
                      checks, sizeof zones / sizeof zones[0], total_transitions);
        unsetenv("TZ");
}

/* Near every transition, local times every 15 minutes resolve sensibly. */
static void
test_from_local_near_transitions(void **state)
{
        (void) state;

        for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
                struct tz_zone *z = load(zones[i]);

                glibc_zone(zones[i]);
                for (int64_t t = tz_next_transition(z, 0); t < T_2100; t = tz_next_transition(z, t))
                        for (int64_t d = -3 * 3600; d <= 3 * 3600; d += 900) {
                                struct civil c;
                                civil_from_seconds(t + tz_offset_at(z, t) + d, &c);
                                check_local(z, &c);
                        }
                tz_zone_free(z);
        }
        unsetenv("TZ");
}

static void
expect(const char *zone, int y, int mo, int d, int h, int mi, int s,
       enum tz_resolution res, int64_t r0, int64_t r1)
{
        struct tz_zone *z = load(zone);
        struct civil c = { y, mo, d, h, mi, s, 0 };
        int64_t r[2] = { -1, -1 };

        assert_int_equal(tz_from_local(z, &c, r), res);
        assert_int_equal(r[0], r0);
        if (res == TZ_FOLD)
                assert_int_equal(r[1], r1);
        tz_zone_free(z);
}

static void
test_gaps_and_folds(void **state)
{
        (void) state;

        /* Berlin: 2024-03-31 02:00 CET -> 03:00 CEST at 01:00Z. */
        expect("Europe/Berlin", 2024, 3, 31, 2, 30, 0, TZ_GAP, utc(2024, 3, 31, 1, 0, 0), 0);
        expect("Europe/Berlin", 2024, 3, 31, 2, 0, 0, TZ_GAP, utc(2024, 3, 31, 1, 0, 0), 0);
        expect("Europe/Berlin", 2024, 3, 31, 2, 59, 59, TZ_GAP, utc(2024, 3, 31, 1, 0, 0), 0);
        expect("Europe/Berlin", 2024, 3, 31, 1, 59, 59, TZ_UNIQUE, utc(2024, 3, 31, 0, 59, 59), 0);
        expect("Europe/Berlin", 2024, 3, 31, 3, 0, 0, TZ_UNIQUE, utc(2024, 3, 31, 1, 0, 0), 0);
        /* Berlin: 2024-10-27 03:00 CEST -> 02:00 CET at 01:00Z. */
        expect("Europe/Berlin", 2024, 10, 27, 2, 30, 0, TZ_FOLD,
               utc(2024, 10, 27, 0, 30, 0), utc(2024, 10, 27, 1, 30, 0));
        expect("Europe/Berlin", 2024, 10, 27, 2, 0, 0, TZ_FOLD,
               utc(2024, 10, 27, 0, 0, 0), utc(2024, 10, 27, 1, 0, 0));
        expect("Europe/Berlin", 2024, 10, 27, 1, 59, 59, TZ_UNIQUE, utc(2024, 10, 26, 23, 59, 59), 0);
        expect("Europe/Berlin", 2024, 10, 27, 3, 0, 0, TZ_UNIQUE, utc(2024, 10, 27, 2, 0, 0), 0);

        /* New York: 2024-03-10 02:00 EST -> 03:00 EDT at 07:00Z. */
        expect("America/New_York", 2024, 3, 10, 2, 30, 0, TZ_GAP, utc(2024, 3, 10, 7, 0, 0), 0);
        expect("America/New_York", 2024, 3, 10, 3, 0, 0, TZ_UNIQUE, utc(2024, 3, 10, 7, 0, 0), 0);
        expect("America/New_York", 2024, 3, 10, 1, 59, 59, TZ_UNIQUE, utc(2024, 3, 10, 6, 59, 59), 0);
        /* New York: 2024-11-03 02:00 EDT -> 01:00 EST at 06:00Z. */
        expect("America/New_York", 2024, 11, 3, 1, 30, 0, TZ_FOLD,
               utc(2024, 11, 3, 5, 30, 0), utc(2024, 11, 3, 6, 30, 0));
        expect("America/New_York", 2024, 11, 3, 2, 0, 0, TZ_UNIQUE, utc(2024, 11, 3, 7, 0, 0), 0);
        expect("America/New_York", 2024, 11, 3, 0, 59, 59, TZ_UNIQUE, utc(2024, 11, 3, 4, 59, 59), 0);

        /* Lord Howe, a half-hour shift: 2024-10-06 02:00 +1030 -> 02:30
         * +11 at 2024-10-05T15:30Z; 2024-04-07 02:00 +11 -> 01:30 +1030 at
         * 2024-04-06T15:00Z. */
        expect("Australia/Lord_Howe", 2024, 10, 6, 2, 15, 0, TZ_GAP, utc(2024, 10, 5, 15, 30, 0), 0);
        expect("Australia/Lord_Howe", 2024, 10, 6, 2, 0, 0, TZ_GAP, utc(2024, 10, 5, 15, 30, 0), 0);
        expect("Australia/Lord_Howe", 2024, 10, 6, 2, 30, 0, TZ_UNIQUE, utc(2024, 10, 5, 15, 30, 0), 0);
        expect("Australia/Lord_Howe", 2024, 10, 6, 1, 59, 59, TZ_UNIQUE, utc(2024, 10, 5, 15, 29, 59), 0);
        expect("Australia/Lord_Howe", 2024, 4, 7, 1, 45, 0, TZ_FOLD,
               utc(2024, 4, 6, 14, 45, 0), utc(2024, 4, 6, 15, 15, 0));
        expect("Australia/Lord_Howe", 2024, 4, 7, 1, 30, 0, TZ_FOLD,
               utc(2024, 4, 6, 14, 30, 0), utc(2024, 4, 6, 15, 0, 0));
        expect("Australia/Lord_Howe", 2024, 4, 7, 2, 0, 0, TZ_UNIQUE, utc(2024, 4, 6, 15, 30, 0), 0);
        expect("Australia/Lord_Howe", 2024, 4, 7, 1, 29, 59, TZ_UNIQUE, utc(2024, 4, 6, 14, 29, 59), 0);

        /* Apia skipped 2011-12-30 entirely (-10 -> +14). */
        expect("Pacific/Apia", 2011, 12, 30, 12, 0, 0, TZ_GAP, utc(2011, 12, 30, 10, 0, 0), 0);

        /* Far past the table: the rule is evaluated directly. */
        expect("Europe/Berlin", 2300, 3, 25, 2, 30, 0, TZ_GAP, utc(2300, 3, 25, 1, 0, 0), 0);
        expect("Europe/Berlin", 2300, 10, 28, 2, 30, 0, TZ_FOLD,
               utc(2300, 10, 28, 0, 30, 0), utc(2300, 10, 28, 1, 30, 0));
}

static void
test_next_transition(void **state)
{
        struct tz_zone *z = load("Europe/Berlin");
        (void) state;

        assert_int_equal(tz_next_transition(z, utc(2024, 1, 1, 0, 0, 0)), utc(2024, 3, 31, 1, 0, 0));
        assert_int_equal(tz_next_transition(z, utc(2024, 3, 31, 0, 59, 59)), utc(2024, 3, 31, 1, 0, 0));
        assert_int_equal(tz_next_transition(z, utc(2024, 3, 31, 1, 0, 0)), utc(2024, 10, 27, 1, 0, 0));
        /* Across the end of the generated table and beyond. */
        assert_int_equal(tz_next_transition(z, utc(2226, 11, 1, 0, 0, 0)), utc(2227, 3, 25, 1, 0, 0));
        assert_int_equal(tz_next_transition(z, utc(2400, 4, 1, 0, 0, 0)), utc(2400, 10, 29, 1, 0, 0));
        tz_zone_free(z);

        z = load("Asia/Kolkata");
        assert_int_equal(tz_next_transition(z, 0), INT64_MAX);
        tz_zone_free(z);

        assert_int_equal(tz_next_transition(tz_utc(), 0), INT64_MAX);
        assert_int_equal(tz_offset_at(tz_utc(), INT64_MAX), 0);
        assert_string_equal(tz_zone_name(tz_utc()), "UTC");
        assert_null(tz_zone_free((struct tz_zone *) tz_utc()));
        assert_null(tz_zone_free(NULL));
}

/* A zone built from a file's footer alone agrees with the file in the far
 * future, and with glibc given the same TZ string, in any year. */
static void
test_posix_vs_file(void **state)
{
        int n = 0;
        (void) state;

        for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
                struct tz_zone *file = load(zones[i]), *posix = NULL;
                const char *footer = footer_of(zones[i]);

                assert_int_equal(tz_zone_from_posix(NULL, footer, &posix), 0);
                assert_string_equal(tz_zone_name(posix), footer);
                for (int k = 0; k < 3000; k++) {
                        int64_t t = rng_range(utc(2090, 1, 1, 0, 0, 0), utc(2500, 1, 1, 0, 0, 0));
                        struct tz_local a, b;
                        struct civil c;
                        int64_t ra[2], rb[2];

                        tz_to_local(file, t, &a);
                        tz_to_local(posix, t, &b);
                        assert_int_equal(a.utcoff, b.utcoff);
                        assert_int_equal(a.isdst, b.isdst);
                        assert_int_equal(tz_next_transition(file, t), tz_next_transition(posix, t));
                        civil_from_seconds(t + rng_range(-3 * 3600, 3 * 3600), &c);
                        assert_int_equal(tz_from_local(file, &c, ra), tz_from_local(posix, &c, rb));
                        assert_int_equal(ra[0], rb[0]);
                        n++;
                }

                /* glibc evaluates the same rule itself, 1800..2500. */
                glibc_zone(footer);
                for (int k = 0; k < 3000; k++)
                        check_rule_instant(posix, rng_range(utc(1800, 1, 1, 0, 0, 0), utc(2500, 1, 1, 0, 0, 0)));
                glibc_zone(zones[i]);
                for (int k = 0; k < 3000; k++)
                        check_instant(file, rng_range(T_2100, utc(2500, 1, 1, 0, 0, 0)));
                tz_zone_free(file);
                tz_zone_free(posix);
        }
        print_message("compared %d far-future instants of file and footer zones\n", n);
        unsetenv("TZ");
}

static void
test_posix_strings(void **state)
{
        static const char *const good[] = {
                "UTC0", "<+0330>-3:30", "<-03>3", "CET-1CEST,M3.5.0,M10.5.0/3",
                "XXX3YYY,J60/2,J300/2", "XXX3YYY,59/2,299/2", "XXX-3YYY,J2/0,J365/23",
                "EET-2EEST,M3.4.4/50,M10.4.4/50", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
                "AAA+3:15:30BBB+2:15,M4.1.0/1:30:15,M9.5.6/-2:30", "NZST-12NZDT,M9.5.0,M4.1.0/3",
                "EST5EDT,M3.2.0/-167,M11.1.0/167",
        };
        static const char *const bad[] = {
                "", "CET", "CE-1", "CET-", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0",
                "CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,M3.5.7,M10.5.0", "CET-25", "<+03",
                "<+3>-3", "CET-1CEST,J0,J365", "CET-1CEST,M3.5.0/168,M10.5.0", "CET-1 ",
                "CET-1CEST,366,0", "CET-1:60", "CET-1CEST,M3.5.0,M10.5.0,", "CET-1,M3.5.0,M10.5.0",
                "<+0330>-3:30x", "CET-1CEST-2-3", "EST5EDT,M0.1.0,M11.1.0", "1234",
        };
        struct tz_zone *z = NULL;
        struct tz_local l;
        (void) state;

        for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
                assert_int_equal(tz_zone_from_posix("x", good[i], &z), 0);
                glibc_zone(good[i]);
                for (int k = 0; k < 2000; k++)
                        check_rule_instant(z, rng_range(utc(1850, 1, 1, 0, 0, 0), utc(2300, 1, 1, 0, 0, 0)));
                for (int k = 0; k < 500; k++) {
                        struct civil c;
                        civil_from_seconds(rng_range(0, T_2100), &c);
                        check_local(z, &c);
                }
                z = tz_zone_free(z);
        }
        unsetenv("TZ");
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                z = (struct tz_zone *) 0x1;
                assert_int_equal(tz_zone_from_posix("x", bad[i], &z), -EBADMSG);
                assert_ptr_equal(z, (struct tz_zone *) 0x1);
        }

        assert_int_equal(tz_zone_from_posix(NULL, "<+0330>-3:30", &z), 0);
        assert_int_equal(tz_offset_at(z, 0), 12600);
        assert_int_equal(tz_next_transition(z, 0), INT64_MAX);
        z = tz_zone_free(z);

        /* No rule given: the US rules. (glibc would read the posixrules
         * file here, or EST5EDT from zoneinfo, so it is no oracle.) */
        assert_int_equal(tz_zone_from_posix(NULL, "EST5EDT", &z), 0);
        assert_int_equal(tz_offset_at(z, utc(2024, 7, 1, 0, 0, 0)), -4 * 3600);
        assert_int_equal(tz_offset_at(z, utc(2024, 1, 1, 0, 0, 0)), -5 * 3600);
        z = tz_zone_free(z);

        /* A start that falls in the previous UTC year (glibc only looks at
         * the UTC year's own rule dates and gets this wrong). */
        assert_int_equal(tz_zone_from_posix(NULL, "XXX-3YYY,J1/0,J365/23", &z), 0);
        assert_int_equal(tz_offset_at(z, utc(2138, 12, 31, 23, 4, 52)), 4 * 3600);
        assert_int_equal(tz_offset_at(z, utc(2138, 12, 31, 20, 0, 0)), 3 * 3600);
        assert_int_equal(tz_next_transition(z, utc(2138, 12, 31, 20, 0, 0)), utc(2138, 12, 31, 21, 0, 0));
        z = tz_zone_free(z);

        /* DST all year: the end of one year's DST meets the next start. */
        assert_int_equal(tz_zone_from_posix(NULL, "EST5EDT,0/0,J365/25", &z), 0);
        for (int k = 0; k < 1000; k++) {
                int64_t t = rng_range(utc(1700, 1, 1, 0, 0, 0), utc(2600, 1, 1, 0, 0, 0));
                tz_to_local(z, t, &l);
                assert_int_equal(l.utcoff, -4 * 3600);
                assert_true(l.isdst);
        }
        assert_int_equal(tz_next_transition(z, 0), INT64_MAX);
        z = tz_zone_free(z);

        /* Extreme instants stay defined. */
        assert_int_equal(tz_zone_from_posix(NULL, "CET-1CEST,M3.5.0,M10.5.0/3", &z), 0);
        tz_to_local(z, INT64_MAX, &l);
        tz_to_local(z, INT64_MIN, &l);
        (void) tz_offset_at(z, INT64_MIN);
        (void) tz_next_transition(z, INT64_MIN);
        assert_int_equal(tz_next_transition(z, INT64_MAX), INT64_MAX);
        {
                struct civil c = { INT_MAX, 12, 31, 23, 59, 59, 0 }, d = { INT_MIN, 1, 1, 0, 0, 0, 0 };
                int64_t r[2];
                (void) tz_from_local(z, &c, r);
                (void) tz_from_local(z, &d, r);
        }
        z = tz_zone_free(z);
}

/* --- synthetic and damaged TZif data --------------------------------------- */

static uint8_t *
put32(uint8_t *p, uint32_t v)
{
        *p++ = v >> 24;
        *p++ = v >> 16;
        *p++ = v >> 8;
        *p++ = v;
        return p;
}

/* A v2 file with the given 64-bit transitions and types (abbreviation
 * "ZZZ" for all) and footer; returns its length. */
static size_t
tzif_build(uint8_t *buf, char version, size_t ntimes, const int64_t *times, const uint8_t *idx,
           size_t ntypes, const int32_t *offs, const uint8_t *isdst, const char *footer)
{
        uint8_t *p = buf;

        /* Minimal v1 block: one type, one byte of abbreviations. */
        memcpy(p, "TZif", 4);
        p[4] = (uint8_t) version;
        memset(p + 5, 0, 15);
        p = put32(put32(put32(put32(put32(put32(p + 20, 0), 0), 0), 0), 1), 1);
        memset(p, 0, 7);
        p += 7;

        memcpy(p, "TZif", 4);
        p[4] = (uint8_t) version;
        memset(p + 5, 0, 15);
        p = put32(put32(put32(put32(put32(put32(p + 20, 0), 0), 0), (uint32_t) ntimes),
                                    (uint32_t) ntypes), 4);
        for (size_t i = 0; i < ntimes; i++)
                p = put32(put32(p, (uint32_t) ((uint64_t) times[i] >> 32)), (uint32_t) times[i]);
        if (ntimes)
                memcpy(p, idx, ntimes);
        p += ntimes;
        for (size_t i = 0; i < ntypes; i++) {
                p = put32(p, (uint32_t) offs[i]);
                *p++ = isdst[i];
                *p++ = 0;
        }
        memcpy(p, "ZZZ", 4);
        p += 4;
        p += sprintf((char *) p, "\n%s\n", footer);
        return (size_t) (p - buf);
}

static void
test_synthetic(void **state)
{
        uint8_t buf[4096];
        struct tz_zone *z = NULL, *posix = NULL;
        size_t n;
        (void) state;

        /* No transitions, a DST footer: the rule governs all time. */
        n = tzif_build(buf, '2', 0, NULL, NULL, 1, (int32_t[]) { 3600 }, (uint8_t[]) { 0 },
                       "CET-1CEST,M3.5.0,M10.5.0/3");
        assert_int_equal(tz_zone_parse("syn", buf, n, &z), 0);
        assert_int_equal(tz_zone_from_posix(NULL, "CET-1CEST,M3.5.0,M10.5.0/3", &posix), 0);
        for (int k = 0; k < 5000; k++) {
                int64_t t = rng_range(utc(1600, 1, 1, 0, 0, 0), utc(2600, 1, 1, 0, 0, 0));
                assert_int_equal(tz_offset_at(z, t), tz_offset_at(posix, t));
                assert_int_equal(tz_next_transition(z, t), tz_next_transition(posix, t));
        }
        z = tz_zone_free(z);
        posix = tz_zone_free(posix);

        /* Transitions that change only isdst (or nothing) are not offset
         * changes: 1000 +1 std -> +1 "dst" at 2000 -> +2 dst at 3000. */
        n = tzif_build(buf, '3', 3, (int64_t[]) { 1000, 2000, 3000 }, (uint8_t[]) { 0, 1, 2 }, 3,
                       (int32_t[]) { 3600, 3600, 7200 }, (uint8_t[]) { 0, 1, 1 }, "");
        assert_int_equal(tz_zone_parse("syn", buf, n, &z), 0);
        assert_int_equal(tz_next_transition(z, 0), 3000);
        assert_int_equal(tz_next_transition(z, 2999), 3000);
        assert_int_equal(tz_next_transition(z, 3000), INT64_MAX);
        {
                struct tz_local l;
                struct civil c;
                int64_t r[2];

                tz_to_local(z, 2500, &l);
                assert_true(l.isdst);
                tz_to_local(z, 1500, &l);
                assert_false(l.isdst);
                civil_from_seconds(2000 + 3600, &c);    /* local time at the no-op */
                assert_int_equal(tz_from_local(z, &c, r), TZ_UNIQUE);
                assert_int_equal(r[0], 2000);
                civil_from_seconds(3000 + 3600 + 1800, &c);
                assert_int_equal(tz_from_local(z, &c, r), TZ_GAP);
                assert_int_equal(r[0], 3000);
        }
        z = tz_zone_free(z);

        /* v4 with an empty footer: the last type persists. */
        n = tzif_build(buf, '4', 1, (int64_t[]) { 0 }, (uint8_t[]) { 1 }, 2,
                       (int32_t[]) { 0, -3600 }, (uint8_t[]) { 0, 0 }, "");
        assert_int_equal(tz_zone_parse("syn", buf, n, &z), 0);
        assert_int_equal(tz_offset_at(z, -1), 0);
        assert_int_equal(tz_offset_at(z, utc(3000, 1, 1, 0, 0, 0)), -3600);
        z = tz_zone_free(z);

        /* Each of these is rejected. */
        struct {
                const char *what;
                size_t ntimes;
                int64_t times[2];
                uint8_t idx[2];
                int32_t offs[2];
                uint8_t isdst[2];
                const char *footer;
        } bad[] = {
                { "descending", 2, { 5, 4 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, "" },
                { "equal times", 2, { 5, 5 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, "" },
                { "type index", 1, { 5 }, { 2 }, { 0, 0 }, { 0, 0 }, "" },
                { "utoff -2^31", 1, { 5 }, { 1 }, { 0, INT32_MIN }, { 0, 0 }, "" },
                { "utoff 26h", 1, { 5 }, { 1 }, { 0, 26 * 3600 }, { 0, 0 }, "" },
                { "isdst 2", 1, { 5 }, { 1 }, { 0, 0 }, { 0, 2 }, "" },
                { "footer", 1, { 5 }, { 1 }, { 0, 0 }, { 0, 0 }, "CET-1CEST,M3.5.0" },
                { "footer space", 1, { 5 }, { 1 }, { 0, 0 }, { 0, 0 }, " UTC0" },
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                n = tzif_build(buf, '2', bad[i].ntimes, bad[i].times, bad[i].idx, 2, bad[i].offs,
                               bad[i].isdst, bad[i].footer);
                z = (struct tz_zone *) 0x1;
                if (tz_zone_parse("syn", buf, n, &z) != -EBADMSG)
                        fail_msg("accepted: %s", bad[i].what);
                assert_ptr_equal(z, (struct tz_zone *) 0x1);
        }

        /* Header damage. */
        n = tzif_build(buf, '2', 0, NULL, NULL, 1, (int32_t[]) { 0 }, (uint8_t[]) { 0 }, "UTC0");
        assert_int_equal(tz_zone_parse("syn", buf, n, &z), 0);
        z = tz_zone_free(z);
        buf[4] = '1';
        assert_int_equal(tz_zone_parse("syn", buf, n, &z), -EBADMSG);
        buf[4] = '2';
        buf[0] = 'X';
        assert_int_equal(tz_zone_parse("syn", buf, n, &z), -EBADMSG);
        buf[0] = 'T';
        buf[51 + 36 + 3] = 0;                   /* second header: typecnt 0 */
        assert_int_equal(tz_zone_parse("syn", buf, n, &z), -EBADMSG);
        buf[51 + 36] = 0xff;                    /* typecnt huge */
        assert_int_equal(tz_zone_parse("syn", buf, n, &z), -EBADMSG);
        buf[51 + 36] = 0;
        buf[51 + 36 + 3] = 1;
        memset(buf + 51 + 32, 0xff, 4);         /* timecnt 2^32 - 1 */
        assert_int_equal(tz_zone_parse("syn", buf, n, &z), -EBADMSG);
        assert_int_equal(tz_zone_parse("syn", NULL, 0, &z), -EBADMSG);
        assert_int_equal(tz_zone_parse("syn", buf, 0, &z), -EBADMSG);
}

/* A version 1 file: the 32-bit block of a real file alone. */
static void
test_v1(void **state)
{
        char *buf;
        size_t n = read_file(ZONEINFO "/Europe/Berlin", &buf);
        const uint8_t *p = (const uint8_t *) buf;
        uint32_t c[6];
        size_t v1len;
        struct tz_zone *z = NULL, *z2 = load("Europe/Berlin");
        (void) state;

        for (int i = 0; i < 6; i++)
                c[i] = (uint32_t) p[20 + 4 * i] << 24 | p[21 + 4 * i] << 16 | p[22 + 4 * i] << 8 |
                       p[23 + 4 * i];
        v1len = 44 + c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
        assert_true(v1len < n);
        buf[4] = 0;
        assert_int_equal(tz_zone_parse("v1", buf, v1len, &z), 0);
        glibc_zone("Europe/Berlin");
        for (int k = 0; k < 20000; k++) {
                int64_t t = rng_range(0, INT32_MAX);
                assert_int_equal(tz_offset_at(z, t), tz_offset_at(z2, t));
                check_instant(z, t);
        }
        unsetenv("TZ");
        /* Every prefix of it is rejected. */
        for (size_t len = 0; len < v1len; len++) {
                struct tz_zone *bad = (struct tz_zone *) 0x1;
                assert_int_equal(tz_zone_parse("v1", buf, len, &bad), -EBADMSG);
        }
        tz_zone_free(z);
        tz_zone_free(z2);
        free(buf);
}

static void
test_truncated_and_corrupt(void **state)
{
        static const char *const names[] = {
                "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC", "Asia/Gaza",
        };
        int accepted = 0, rejected = 0;
        (void) state;

        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
                char path[512], *buf, *copy;
                size_t n;

                snprintf(path, sizeof path, "%s/%s", ZONEINFO, names[i]);
                n = read_file(path, &buf);

                /* Each prefix is copied to its own exact-size buffer, so
                 * ASan and valgrind see any read past the end. */
                for (size_t len = 0; len < n; len++) {
                        struct tz_zone *z = (struct tz_zone *) 0x1;
                        copy = malloc(len ? len : 1);
                        memcpy(copy, buf, len);
                        if (tz_zone_parse("t", copy, len, &z) != -EBADMSG)
                                fail_msg("%s: prefix of %zu bytes accepted", names[i], len);
                        assert_ptr_equal(z, (struct tz_zone *) 0x1);
                        free(copy);
                }

                /* Random damage: either rejected, or a zone that works. */
                for (int k = 0; k < 1500; k++) {
                        struct tz_zone *z = NULL;
                        int r, flips = 1 + (int) (rng() % 4);

                        copy = malloc(n);
                        memcpy(copy, buf, n);
                        for (int f = 0; f < flips; f++)
                                copy[rng() % n] ^= (char) (1u << (rng() % 8));
                        r = tz_zone_parse("t", copy, n, &z);
                        if (r == 0) {
                                struct tz_local l;
                                int64_t res[2], t = 0;
                                accepted++;
                                for (int m = 0; m < 50; m++) {
                                        struct civil c;
                                        int64_t u = (int64_t) rng();
                                        tz_to_local(z, u, &l);
                                        tz_to_local(z, rng_range(-T_2100, 2 * T_2100), &l);
                                        civil_from_seconds(rng_range(-T_2100, 2 * T_2100), &c);
                                        (void) tz_from_local(z, &c, res);
                                        t = tz_next_transition(z, t);
                                        if (t == INT64_MAX)
                                                t = 0;
                                }
                                tz_zone_free(z);
                        } else {
                                assert_int_equal(r, -EBADMSG);
                                rejected++;
                        }
                        free(copy);
                }
                free(buf);
        }
        print_message("corrupted files: %d rejected, %d accepted and exercised\n", rejected, accepted);
}

/* --- tz_db ----------------------------------------------------------------- */

static void
test_db(void **state)
{
        struct tz_db *db = NULL;
        const struct tz_zone *z = NULL, *z2 = NULL;
        static const char *const invalid[] = {
                "../etc/passwd", "/etc/passwd", "Europe/../../etc/passwd", "Europe/Ber lin",
                "Europe//Berlin", "./UTC", "Europe/", "Europe/Berlin\n", "a*", "..", "Europe/..",
        };
        (void) state;

        assert_int_equal(tz_db_new(NULL, &db), 0);
        assert_int_equal(tz_db_get(db, "Europe/Berlin", &z), 0);
        assert_string_equal(tz_zone_name(z), "Europe/Berlin");
        assert_int_equal(tz_db_get(db, "Europe/Berlin", &z2), 0);
        assert_ptr_equal(z, z2);                /* cached */
        assert_int_equal(tz_offset_at(z, utc(2024, 7, 1, 0, 0, 0)), 7200);
        assert_int_equal(tz_db_get(db, "America/New_York", &z2), 0);
        assert_int_equal(tz_offset_at(z2, utc(2024, 7, 1, 0, 0, 0)), -4 * 3600);
        assert_int_equal(tz_db_get(db, "Etc/GMT+5", &z2), 0);
        assert_int_equal(tz_offset_at(z2, 0), -5 * 3600);

        for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
                z = (const struct tz_zone *) 0x1;
                if (tz_db_get(db, invalid[i], &z) != -EINVAL)
                        fail_msg("accepted '%s'", invalid[i]);
                assert_ptr_equal(z, (const struct tz_zone *) 0x1);
        }
        assert_int_equal(tz_db_get(db, "Nowhere/Atlantis", &z), -ENOENT);
        assert_int_equal(tz_db_get(db, "Europe", &z), -ENOENT);       /* a directory */
        assert_int_equal(tz_db_get(db, "Europe/Berlin/x", &z), -ENOENT);
        assert_int_equal(tz_db_get(db, "zone1970.tab", &z), -EBADMSG);
        db = tz_db_free(db);
        assert_null(db);

        /* UTC needs no files. */
        assert_int_equal(tz_db_new("/nonexistent", &db), 0);
        assert_int_equal(tz_db_get(db, "UTC", &z), 0);
        assert_ptr_equal(z, tz_utc());
        assert_int_equal(tz_db_get(db, "Z", &z), 0);
        assert_ptr_equal(z, tz_utc());
        assert_int_equal(tz_db_get(db, "Etc/UTC", &z), 0);
        assert_ptr_equal(z, tz_utc());
        assert_int_equal(tz_db_get(db, "Europe/Berlin", &z), -ENOENT);
        db = tz_db_free(db);
        assert_null(tz_db_free(NULL));
}

static struct tz_db *local_db;

/* The local zone of a new tz_db under $TZ=@tz (NULL: unset). */
static const struct tz_zone *
local_zone(const char *tz)
{
        const struct tz_zone *z = NULL, *z2 = NULL;

        local_db = tz_db_free(local_db);
        if (tz)
                assert_int_equal(setenv("TZ", tz, 1), 0);
        else
                unsetenv("TZ");
        assert_int_equal(tz_db_new(NULL, &local_db), 0);
        assert_int_equal(tz_db_get(local_db, NULL, &z), 0);
        assert_int_equal(tz_db_get(local_db, "", &z2), 0);
        assert_ptr_equal(z, z2);
        return z;
}

static void
test_db_local(void **state)
{
        const struct tz_zone *z;
        char target[4096];
        ssize_t k;
        (void) state;

        z = local_zone(":Europe/Berlin");
        assert_string_equal(tz_zone_name(z), "Europe/Berlin");
        assert_int_equal(tz_offset_at(z, utc(2024, 7, 1, 0, 0, 0)), 7200);
        z = local_zone("America/New_York");
        assert_string_equal(tz_zone_name(z), "America/New_York");
        z = local_zone(":/usr/share/zoneinfo/Asia/Tokyo");
        assert_string_equal(tz_zone_name(z), "Asia/Tokyo");
        assert_int_equal(tz_offset_at(z, 0), 9 * 3600);
        z = local_zone("<+0330>-3:30");
        assert_string_equal(tz_zone_name(z), "<+0330>-3:30");
        assert_int_equal(tz_offset_at(z, 0), 12600);
        z = local_zone("CET-1CEST,M3.5.0,M10.5.0/3");
        assert_int_equal(tz_offset_at(z, utc(2024, 7, 1, 0, 0, 0)), 7200);
        z = local_zone("");
        assert_ptr_equal(z, tz_utc());

        /* No $TZ: /etc/localtime, named after its symlink target. */
        z = local_zone(NULL);
        k = readlink("/etc/localtime", target, sizeof target - 1);
        if (k > 0) {
                const char *p = strstr((target[k] = 0, target), "zoneinfo/");
                if (p)
                        assert_string_equal(tz_zone_name(z), p + strlen("zoneinfo/"));
        } else if (access("/etc/localtime", F_OK) != 0)
                assert_ptr_equal(z, tz_utc());

        {
                struct tz_db *db = NULL;
                assert_int_equal(setenv("TZ", "Not/A/Zone", 1), 0);
                assert_int_equal(tz_db_new(NULL, &db), 0);
                assert_int_equal(tz_db_get(db, NULL, &z), -ENOENT);
                tz_db_free(db);
        }
        unsetenv("TZ");
        local_db = tz_db_free(local_db);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_against_glibc),
                cmocka_unit_test(test_from_local_near_transitions),
                cmocka_unit_test(test_gaps_and_folds),
                cmocka_unit_test(test_next_transition),
                cmocka_unit_test(test_posix_vs_file),
                cmocka_unit_test(test_posix_strings),
                cmocka_unit_test(test_synthetic),
                cmocka_unit_test(test_v1),
                cmocka_unit_test(test_truncated_and_corrupt),
                cmocka_unit_test(test_db),
                cmocka_unit_test(test_db_local),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
