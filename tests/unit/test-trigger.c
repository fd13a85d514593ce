/* test-trigger.c - intervals, dates, start and end, jitter (SPEC 3). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "trigger.h"

#define S(x) ((usec_t) (x) * USEC_PER_SEC)

static void
test_interval_with_start(void **state)
{
        struct trigger t;
        usec_t next = 0;
        (void) state;

        trigger_init(&t, TRIGGER_INTERVAL, tz_utc());
        t.interval = S(300);
        assert_int_equal(trigger_set_bounds(&t, S(1000), USEC_INFINITY, 0), 0);

        /* Before start: the first firing is start itself (inclusive). */
        assert_int_equal(trigger_next(&t, USEC_UNSET, S(0), &next), 0);
        assert_int_equal(next, S(1000));
        assert_int_equal(trigger_next(&t, USEC_UNSET, S(999), &next), 0);
        assert_int_equal(next, S(1000));
        /* Strictly after. */
        assert_int_equal(trigger_next(&t, USEC_UNSET, S(1000), &next), 0);
        assert_int_equal(next, S(1300));
        assert_int_equal(trigger_next(&t, USEC_UNSET, S(1299), &next), 0);
        assert_int_equal(next, S(1300));
        /* The anchor is ignored when start is given. */
        assert_int_equal(trigger_next(&t, S(7), S(1300), &next), 0);
        assert_int_equal(next, S(1600));
        trigger_done(&t);
}

static void
test_interval_anchor(void **state)
{
        struct trigger t;
        usec_t next = 0;
        (void) state;

        trigger_init(&t, TRIGGER_INTERVAL, tz_utc());
        t.interval = S(60);

        /* Without start, the first firing is one interval after the anchor,
         * and a restart (a later "after") does not shift the series. */
        assert_int_equal(trigger_next(&t, S(10), S(10), &next), 0);
        assert_int_equal(next, S(70));
        assert_int_equal(trigger_next(&t, S(10), S(0), &next), 0);
        assert_int_equal(next, S(70));
        assert_int_equal(trigger_next(&t, S(10), S(3605), &next), 0);
        assert_int_equal(next, S(3610));
        /* No anchor and no start: nothing to count from. */
        assert_int_equal(trigger_next(&t, USEC_UNSET, S(0), &next), -EINVAL);
}

static void
test_at(void **state)
{
        struct trigger t;
        usec_t next = 0;
        (void) state;

        trigger_init(&t, TRIGGER_AT, tz_utc());
        t.at = S(5000);
        assert_int_equal(trigger_next(&t, USEC_UNSET, S(4999), &next), 0);
        assert_int_equal(next, S(5000));
        next = 1;
        assert_int_equal(trigger_next(&t, USEC_UNSET, S(5000), &next), -ENOENT);
        assert_int_equal(next, 1);      /* untouched */
}

static void
test_start_end_bound_cron(void **state)
{
        struct trigger t;
        struct cron_error e;
        struct cron_spec spec;
        usec_t next = 0;
        (void) state;

        trigger_init(&t, TRIGGER_CRON, tz_utc());
        assert_int_equal(cron_parse("0 * * * *", &spec, &e), 0);
        assert_int_equal(trigger_set_cron(&t, &spec), 0);
        /* From 02:00, itself a firing: inclusive; to 03:00, inclusive. */
        assert_int_equal(trigger_set_bounds(&t, S(7200), S(3 * 3600), 0), 0);
        assert_int_equal(trigger_next(&t, USEC_UNSET, S(0), &next), 0);
        assert_int_equal(next, S(7200));
        assert_int_equal(trigger_next(&t, USEC_UNSET, S(7200), &next), 0);
        assert_int_equal(next, S(10800));
        assert_int_equal(trigger_next(&t, USEC_UNSET, S(10800), &next), -ENOENT);
        trigger_done(&t);
}

static void
test_jitter(void **state)
{
        struct trigger t;
        (void) state;

        trigger_init(&t, TRIGGER_INTERVAL, tz_utc());
        assert_int_equal(trigger_jitter(&t, S(100), 12345), S(100));    /* no jitter */
        assert_int_equal(trigger_set_bounds(&t, USEC_UNSET, USEC_INFINITY, S(20)), 0);
        for (uint64_t r = 0; r < 100000; r += 977) {
                usec_t j = trigger_jitter(&t, S(100), r * 0x9e3779b97f4a7c15ULL);
                assert_true(j >= S(100) && j <= S(120));
        }
        assert_int_equal(trigger_jitter(&t, S(100), (uint64_t) S(20)), S(120));  /* inclusive */
        assert_int_equal(trigger_set_bounds(&t, USEC_UNSET, S(110), S(20)), 0);
        assert_int_equal(trigger_jitter(&t, S(100), (uint64_t) S(15)), S(110)); /* never past end */
        trigger_done(&t);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_interval_with_start),
                cmocka_unit_test(test_interval_anchor),
                cmocka_unit_test(test_at),
                cmocka_unit_test(test_start_end_bound_cron),
                cmocka_unit_test(test_jitter),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
