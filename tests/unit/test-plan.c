/* test-plan.c - misfire grace, coalescing, overlap and retry decisions,
 * driven by an injected "now" (SPEC sections 2 and 5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plan.h"

#define S(x) ((usec_t) (x) * USEC_PER_SEC)

static struct trigger
every_minute(void)
{
        struct trigger t;
        struct cron_error e;
        struct cron_spec spec;

        trigger_init(&t, TRIGGER_CRON, tz_utc());
        assert_int_equal(cron_parse("* * * * *", &spec, &e), 0);
        assert_int_equal(trigger_set_cron(&t, &spec), 0);
        return t;
}

static const struct plan_policy defaults = {
        .misfire_grace = 60 * USEC_PER_SEC, .coalesce = true, .max_instances = 1,
        .on_overlap = OVERLAP_SKIP,
};

static struct plan_due d;

static void
test_on_time(void **state)
{
        struct trigger t = every_minute();
        (void) state;

        /* The 00:01 firing, observed 2 ms late: it runs. */
        assert_int_equal(plan_due_firings(&t, USEC_UNSET, &defaults, S(0), USEC_UNSET, S(60) + 2000, &d), 0);
        assert_int_equal(d.n_runs, 1);
        assert_int_equal(d.runs[0], S(60));
        assert_int_equal(d.n_missed, 0);
        assert_int_equal(d.last, S(60));
        assert_int_equal(d.next, S(120));

        /* Nothing due yet. */
        assert_int_equal(plan_due_firings(&t, USEC_UNSET, &defaults, S(60), USEC_UNSET, S(119), &d), 0);
        assert_int_equal(d.n_runs, 0);
        assert_int_equal(d.last, USEC_UNSET);
        assert_int_equal(d.next, S(120));
}

static void
test_coalesce_after_downtime(void **state)
{
        struct trigger t = every_minute();
        (void) state;

        /* Down from 00:00 to 01:00:30: 60 firings due; the newest (01:00)
         * is 30 s late, inside the 1 min grace: it runs once, 59 missed. */
        assert_int_equal(plan_due_firings(&t, USEC_UNSET, &defaults, S(0), USEC_UNSET, S(3630), &d), 0);
        assert_int_equal(d.n_runs, 1);
        assert_int_equal(d.runs[0], S(3600));
        assert_int_equal(d.n_missed, 59);
        assert_int_equal(d.missed_first, S(60));
        assert_int_equal(d.missed_last, S(3540));
        assert_int_equal(d.last, S(3600));
        assert_int_equal(d.next, S(3660));
}

static void
test_no_coalesce_runs_each_within_grace(void **state)
{
        struct trigger t = every_minute();
        struct plan_policy p = defaults;
        (void) state;

        p.coalesce = false;
        p.misfire_grace = S(150);
        /* Due: 1,2,3,4,5 min; now 5:10: those within 150 s run (3, 4, 5). */
        assert_int_equal(plan_due_firings(&t, USEC_UNSET, &p, S(0), USEC_UNSET, S(310), &d), 0);
        assert_int_equal(d.n_runs, 3);
        assert_int_equal(d.runs[0], S(180));
        assert_int_equal(d.runs[2], S(300));
        assert_int_equal(d.n_missed, 2);
}

static void
test_too_late_is_missed(void **state)
{
        struct trigger t;
        struct cron_error e;
        struct cron_spec spec;
        struct plan_policy p = defaults;
        (void) state;

        trigger_init(&t, TRIGGER_CRON, tz_utc());
        assert_int_equal(cron_parse("0 * * * *", &spec, &e), 0);
        assert_int_equal(trigger_set_cron(&t, &spec), 0);

        /* A suspend or a clock step: the 01:00 firing is seen at 01:02,
         * past its 1 min grace. It is missed, and handled. */
        assert_int_equal(plan_due_firings(&t, USEC_UNSET, &p, S(0), USEC_UNSET, S(3720), &d), 0);
        assert_int_equal(d.n_runs, 0);
        assert_int_equal(d.n_missed, 1);
        assert_int_equal(d.missed_first, S(3600));
        assert_int_equal(d.last, S(3600));
        assert_int_equal(d.next, S(7200));

        /* Unlimited grace: the newest runs however late; older are coalesced. */
        p.misfire_grace = USEC_INFINITY;
        assert_int_equal(plan_due_firings(&t, USEC_UNSET, &p, S(0), USEC_UNSET, S(10 * 3600 + 5), &d), 0);
        assert_int_equal(d.n_runs, 1);
        assert_int_equal(d.runs[0], S(10 * 3600));
        assert_int_equal(d.n_missed, 9);

        /* Grace 0: a firing observed at all late is missed. */
        p.misfire_grace = 0;
        assert_int_equal(plan_due_firings(&t, USEC_UNSET, &p, S(0), USEC_UNSET, S(3600) + 1, &d), 0);
        assert_int_equal(d.n_runs, 0);
        assert_int_equal(d.n_missed, 1);
}

static void
test_jitter_counts_from_due(void **state)
{
        struct trigger t = every_minute();
        struct plan_policy p = defaults;
        (void) state;

        /* Jitter moved the 01:00 firing to 01:50; observed at 01:50.1 with a
         * 10 s grace: on time, because lateness counts from when it was due. */
        p.misfire_grace = S(10);
        assert_int_equal(plan_due_firings(&t, USEC_UNSET, &p, S(0), S(110), S(110) + 100000, &d), 0);
        assert_int_equal(d.n_runs, 1);
        assert_int_equal(d.runs[0], S(60));
}

static void
test_at_trigger_finishes(void **state)
{
        struct trigger t;
        (void) state;

        trigger_init(&t, TRIGGER_AT, tz_utc());
        t.at = S(500);
        assert_int_equal(plan_due_firings(&t, USEC_UNSET, &defaults, S(0), USEC_UNSET, S(501), &d), 0);
        assert_int_equal(d.n_runs, 1);
        assert_int_equal(d.next, USEC_UNSET);   /* never again */
        assert_int_equal(plan_due_firings(&t, USEC_UNSET, &defaults, S(500), USEC_UNSET, S(9999), &d), 0);
        assert_int_equal(d.n_runs, 0);
        assert_int_equal(d.next, USEC_UNSET);
}

static void
test_interval_catch_up_keeps_series(void **state)
{
        struct trigger t;
        (void) state;

        trigger_init(&t, TRIGGER_INTERVAL, tz_utc());
        t.interval = S(300);
        /* Anchored at 7; down from 607 to 1000: 907 runs (93 s late), 
         * and the series is still 7 + k*300. */
        assert_int_equal(plan_due_firings(&t, S(7), &defaults, S(607), USEC_UNSET, S(1000), &d), 0);
        assert_int_equal(d.n_runs, 0);          /* 907 is 93 s late: missed */
        assert_int_equal(d.n_missed, 1);
        assert_int_equal(d.next, S(1207));
}

static void
test_overflow_counts_as_missed(void **state)
{
        struct trigger t;
        struct plan_policy p = defaults;
        (void) state;

        trigger_init(&t, TRIGGER_INTERVAL, tz_utc());
        t.interval = S(1);
        p.coalesce = false;
        p.misfire_grace = USEC_INFINITY;
        assert_int_equal(plan_due_firings(&t, S(0), &p, S(0), USEC_UNSET, S(5000), &d), 0);
        assert_int_equal(d.n_runs, PLAN_MAX_FIRINGS);
        assert_int_equal(d.runs[0], S(5000 - PLAN_MAX_FIRINGS + 1));
        assert_int_equal(d.n_missed, 5000 - PLAN_MAX_FIRINGS);
}

static void
test_clock_step_forward(void **state)
{
        struct trigger t = every_minute();
        struct plan_policy p = defaults;
        (void) state;

        /* Handled up to 10:00; the clock is set forward three hours and
         * the daemon wakes at 13:00:10. That is a late now, no more: the
         * 13:00 firing is 10 s late and runs once; the 179 jumped over
         * (10:01 to 12:59) are missed, coalesced (SPEC 3). */
        assert_int_equal(plan_due_firings(&t, USEC_UNSET, &p, S(36000), USEC_UNSET, S(46810), &d), 0);
        assert_int_equal(d.n_runs, 1);
        assert_int_equal(d.runs[0], S(46800));
        assert_int_equal(d.n_missed, 179);
        assert_int_equal(d.missed_first, S(36060));
        assert_int_equal(d.missed_last, S(46740));
        assert_int_equal(d.last, S(46800));
        assert_int_equal(d.next, S(46860));

        /* Landing 30 s past a firing with a 10 s grace: every firing in
         * the gap, the newest too, is missed; nothing runs. */
        p.misfire_grace = S(10);
        assert_int_equal(plan_due_firings(&t, USEC_UNSET, &p, S(36000), USEC_UNSET, S(46830), &d), 0);
        assert_int_equal(d.n_runs, 0);
        assert_int_equal(d.n_missed, 180);
        assert_int_equal(d.last, S(46800));
        assert_int_equal(d.next, S(46860));

        /* Without coalescing, the firings still within their grace run,
         * each once; the older ones are missed. */
        p.misfire_grace = S(150);
        p.coalesce = false;
        assert_int_equal(plan_due_firings(&t, USEC_UNSET, &p, S(36000), USEC_UNSET, S(46810), &d), 0);
        assert_int_equal(d.n_runs, 3);          /* 12:58, 12:59, 13:00 */
        assert_int_equal(d.runs[0], S(46680));
        assert_int_equal(d.n_missed, 177);
}

static void
test_clock_step_backward(void **state)
{
        struct trigger t = every_minute();
        usec_t last = S(36000);                 /* 10:00 was handled */
        (void) state;

        /* The clock is set back an hour. The next firing is computed from
         * the last one handled, not from the clock (sched.c invariant 2):
         * nothing between 09:00 and 10:00 runs again, at any step. */
        for (usec_t now = S(32400); now < S(36060); now += S(30)) {
                assert_int_equal(plan_due_firings(&t, USEC_UNSET, &defaults, last, USEC_UNSET, now, &d), 0);
                assert_int_equal(d.n_runs, 0);
                assert_int_equal(d.n_missed, 0);
                assert_int_equal(d.next, S(36060));
        }
        /* Once the clock is back at 10:01, the 10:01 firing runs, once. */
        assert_int_equal(plan_due_firings(&t, USEC_UNSET, &defaults, last, USEC_UNSET, S(36060), &d), 0);
        assert_int_equal(d.n_runs, 1);
        assert_int_equal(d.runs[0], S(36060));
        assert_int_equal(d.n_missed, 0);
        last = d.last;
        assert_int_equal(plan_due_firings(&t, USEC_UNSET, &defaults, last, USEC_UNSET, S(36061), &d), 0);
        assert_int_equal(d.n_runs, 0);
}

static void
test_overlap(void **state)
{
        struct plan_policy p = defaults;
        (void) state;

        assert_int_equal(plan_overlap(&p, 0, 0), PLAN_RUN);
        assert_int_equal(plan_overlap(&p, 1, 0), PLAN_SKIP);
        p.on_overlap = OVERLAP_QUEUE;
        assert_int_equal(plan_overlap(&p, 1, 0), PLAN_QUEUE);
        assert_int_equal(plan_overlap(&p, 1, 1), PLAN_SKIP);    /* one queued at most */
        p.on_overlap = OVERLAP_REPLACE;
        assert_int_equal(plan_overlap(&p, 1, 0), PLAN_REPLACE);
        p.max_instances = 3;
        assert_int_equal(plan_overlap(&p, 2, 0), PLAN_RUN);
        assert_int_equal(plan_overlap(&p, 3, 0), PLAN_REPLACE);
}

static void
test_retry(void **state)
{
        struct retry_policy r = { .attempts = 3, .delay = S(10), .backoff = 2, .max_delay = S(30) };
        (void) state;

        assert_true(plan_should_retry(&r, 0));
        assert_true(plan_should_retry(&r, 2));
        assert_false(plan_should_retry(&r, 3));
        assert_int_equal(plan_retry_delay(&r, 1), S(10));
        assert_int_equal(plan_retry_delay(&r, 2), S(20));
        assert_int_equal(plan_retry_delay(&r, 3), S(30));       /* capped */
        r.max_delay = USEC_INFINITY;
        assert_int_equal(plan_retry_delay(&r, 3), S(40));
        r.attempts = 0;
        assert_false(plan_should_retry(&r, 0));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_on_time),
                cmocka_unit_test(test_coalesce_after_downtime),
                cmocka_unit_test(test_no_coalesce_runs_each_within_grace),
                cmocka_unit_test(test_too_late_is_missed),
                cmocka_unit_test(test_jitter_counts_from_due),
                cmocka_unit_test(test_at_trigger_finishes),
                cmocka_unit_test(test_interval_catch_up_keeps_series),
                cmocka_unit_test(test_overflow_counts_as_missed),
                cmocka_unit_test(test_clock_step_forward),
                cmocka_unit_test(test_clock_step_backward),
                cmocka_unit_test(test_overlap),
                cmocka_unit_test(test_retry),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
