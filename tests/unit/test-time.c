/* test-time.c - civil arithmetic, durations, RFC 3339. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "time.h"

static void
test_civil_roundtrip(void **state)
{
        (void) state;
        /* Every day from 1900 to 2400 converts back to itself and agrees
         * with glibc's timegm() (UTC, so no zone is involved). */
        for (int64_t d = civil_days_from_date(1900, 1, 1); d < civil_days_from_date(2400, 1, 1); d++) {
                int y, m, dd;
                civil_date_from_days(d, &y, &m, &dd);
                assert_int_equal(civil_days_from_date(y, m, dd), d);
                if (d % 97 == 0) {
                        struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = dd };
                        assert_int_equal((int64_t) timegm(&tm), d * 86400);
                        assert_int_equal(tm.tm_wday, civil_weekday(d));
                }
        }
        assert_int_equal(civil_weekday(0), 4);   /* 1970-01-01 was a Thursday */
        assert_int_equal(civil_days_in_month(2024, 2), 29);
        assert_int_equal(civil_days_in_month(2100, 2), 28);
        assert_int_equal(civil_days_in_month(2000, 2), 29);
}

static void
test_duration_parse(void **state)
{
        static const struct {
                const char *s;
                usec_t expected;
        } ok[] = {
                { "90", 90 * USEC_PER_SEC },
                { "90s", 90 * USEC_PER_SEC },
                { "1h30m", 90 * USEC_PER_MIN },
                { "1h 30m", 90 * USEC_PER_MIN },
                { "2d", 2 * USEC_PER_DAY },
                { "1w", USEC_PER_WEEK },
                { "500ms", 500 * USEC_PER_MSEC },
                { "1.5s", 1500 * USEC_PER_MSEC },
                { "5min", 5 * USEC_PER_MIN },
                { "2 hours", 2 * USEC_PER_HOUR },
                { "PT1H30M", 90 * USEC_PER_MIN },
                { "P1DT12H", 36 * USEC_PER_HOUR },
                { "P2W", 2 * USEC_PER_WEEK },
                { "PT0.5S", 500 * USEC_PER_MSEC },
                { "0", 0 },
        };
        static const char *bad[] = {
                "", "s", "-5s", "5x", "1h30", "PT", "P", "P1M", "PT1Y", "5 5", "1..5s",
                "99999999999999999999s", "h1", "1hh",
        };
        (void) state;

        for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
                usec_t d = -1;
                assert_int_equal(duration_parse(ok[i].s, &d), 0);
                assert_int_equal(d, ok[i].expected);
        }
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                usec_t d = 12345;
                assert_true(duration_parse(bad[i], &d) < 0);
                assert_int_equal(d, 12345);     /* untouched on failure */
        }
}

static void
test_duration_format(void **state)
{
        char buf[32];
        (void) state;

        assert_string_equal(duration_format(90 * USEC_PER_MIN, buf, sizeof buf), "1h30m");
        assert_string_equal(duration_format(20 * USEC_PER_SEC, buf, sizeof buf), "20s");
        assert_string_equal(duration_format(0, buf, sizeof buf), "0s");
        assert_string_equal(duration_format(1500 * USEC_PER_MSEC, buf, sizeof buf), "1.5s");
        assert_string_equal(duration_format(8 * USEC_PER_DAY, buf, sizeof buf), "1w1d");
        assert_string_equal(duration_format(250 * USEC_PER_MSEC, buf, sizeof buf), "250ms");

        /* format -> parse is the identity */
        for (usec_t d = 0; d < 3 * USEC_PER_DAY; d += 7777 * USEC_PER_SEC + 1000) {
                usec_t back;
                assert_int_equal(duration_parse(duration_format(d, buf, sizeof buf), &back), 0);
                assert_int_equal(back, d);
        }
}

static void
test_time_parse(void **state)
{
        enum time_form form;
        usec_t t;
        struct civil c;
        (void) state;

        assert_int_equal(time_parse("2026-12-31T23:59:00+01:00", false, &form, &t, &c), 0);
        assert_int_equal(form, TIME_ABSOLUTE);
        assert_int_equal(t, (usec_t) 1798757940 * USEC_PER_SEC);

        assert_int_equal(time_parse("2026-12-31T22:59:00Z", false, &form, &t, &c), 0);
        assert_int_equal(t, (usec_t) 1798757940 * USEC_PER_SEC);

        assert_int_equal(time_parse("2026-12-31 23:59:00", false, &form, &t, &c), 0);
        assert_int_equal(form, TIME_NAIVE);
        assert_int_equal(c.year, 2026);
        assert_int_equal(c.hour, 23);
        assert_int_equal(c.minute, 59);

        assert_int_equal(time_parse("2026-12-31", false, &form, &t, &c), 0);
        assert_int_equal(form, TIME_NAIVE);
        assert_int_equal(c.hour, 0);

        assert_int_equal(time_parse("@1700000000", false, &form, &t, &c), 0);
        assert_int_equal(form, TIME_ABSOLUTE);
        assert_int_equal(t, (usec_t) 1700000000 * USEC_PER_SEC);

        assert_int_equal(time_parse("1700000000", true, &form, &t, &c), 0);
        assert_int_equal(t, (usec_t) 1700000000 * USEC_PER_SEC);
        assert_true(time_parse("1700000000", false, &form, &t, &c) < 0);

        assert_int_equal(time_parse("2026-01-01T00:00:00.25Z", false, &form, &t, &c), 0);
        assert_int_equal(t % USEC_PER_SEC, 250000);

        static const char *bad[] = {
                "", "2026-02-30T00:00:00Z", "2026-13-01", "2026-1-01", "2026-01-01T25:00",
                "2026-01-01T00:00:00+25:00", "2026-01-01T00:00:00 junk", "tomorrow", "@",
                "2026-01-01T00:60", "2026-01-01T",
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
                assert_true(time_parse(bad[i], false, &form, &t, &c) < 0);
}

static void
test_rfc3339_format(void **state)
{
        char buf[40];
        (void) state;

        assert_string_equal(time_format_rfc3339((usec_t) 1806195600 * USEC_PER_SEC, 7200, buf, sizeof buf),
                            "2027-03-28T03:00:00+02:00");
        assert_string_equal(time_format_rfc3339(0, 0, buf, sizeof buf), "1970-01-01T00:00:00+00:00");
        assert_string_equal(time_format_rfc3339(-1 * USEC_PER_SEC, -5 * 3600, buf, sizeof buf),
                            "1969-12-31T18:59:59-05:00");
        assert_string_equal(time_format_rfc3339(1500000, 37800, buf, sizeof buf),
                            "1970-01-01T10:30:01.5+10:30");
        /* Offsets with seconds (LMT) keep them. */
        assert_string_equal(time_format_rfc3339(0, 3208, buf, sizeof buf), "1970-01-01T00:53:28+00:53:28");
}

/* The hand-written digits agree with printf over years 0 to 9999 and
 * offsets in whole minutes, and the rest still goes through printf. */
static void
test_rfc3339_format_matches_printf(void **state)
{
        uint64_t x = 0x9e3779b97f4a7c15ull;
        (void) state;

        for (int i = 0; i < 200000; i++) {
                char got[48], want[48];
                struct civil c;
                int64_t sec;
                int off, a;

                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                /* Offsets from -18h to +18h in whole minutes. */
                sec = (int64_t) (x % 322000000000ull) - 65400000000ll;       /* about -100 to 10100 */
                off = (int) (x >> 40 & 0xffff) % (18 * 60 * 2 + 1) * 60 - 18 * 3600;
                time_format_rfc3339(sec * (int64_t) USEC_PER_SEC, off, got, sizeof got);
                civil_from_seconds(sec + off, &c);
                a = off < 0 ? -off : off;
                snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", c.year, c.month, c.day,
                         c.hour, c.minute, c.second, off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
                assert_string_equal(got, want);

                /* The same with a fraction of a second. */
                int64_t usec = (int64_t) (x >> 20 & 0xfffff) % USEC_PER_SEC;
                char frac[16] = "";
                if (usec) {
                        int len = snprintf(frac, sizeof frac, ".%06" PRId64, usec);
                        while (len > 1 && frac[len - 1] == '0')
                                frac[--len] = 0;
                }
                time_format_rfc3339(sec * (int64_t) USEC_PER_SEC + usec, off, got, sizeof got);
                snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d%s%c%02d:%02d", c.year, c.month,
                         c.day, c.hour, c.minute, c.second, frac, off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
                assert_string_equal(got, want);
        }
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_civil_roundtrip),
                cmocka_unit_test(test_duration_parse),
                cmocka_unit_test(test_duration_format),
                cmocka_unit_test(test_time_parse),
                cmocka_unit_test(test_rfc3339_format),
                cmocka_unit_test(test_rfc3339_format_matches_printf),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
