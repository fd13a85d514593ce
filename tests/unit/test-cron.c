/* test-cron.c - the schedule engine against its tables and by hand.
 *
 * The tables in tests/unit/data are checked row by row: cron.cases and
 * fields.cases come from oracles (tests/oracle), dst.cases is written by
 * hand from SPEC section 3's daylight-saving rule. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cases.h"
#include "cron.h"
#include "trigger.h"
#include "tz.h"

static struct tz_db *db;

struct tally {
        unsigned rows, failed;
};

static const struct tz_zone *
zone(const char *name)
{
        const struct tz_zone *z = NULL;
        int r = tz_db_get(db, name, &z);
        if (r < 0)
                fail_msg("unknown zone '%s': %d", name, r);
        return z;
}

static usec_t
abs_time(const struct case_row *row, const char *s)
{
        enum time_form form;
        struct civil c;
        usec_t t;

        if (time_parse(s, false, &form, &t, &c) < 0 || form != TIME_ABSOLUTE)
                fail_msg("%s:%u: bad time '%s'", row->file, row->line, s);
        return t;
}

/* Compares a computed firing with the expected text, offset included. */
static void
check_next(const struct case_row *row, struct tally *t, const struct tz_zone *z,
           int r, usec_t next, const char *expected)
{
        char got[64];

        t->rows++;
        if (strcmp(expected, "never") == 0) {
                if (r == -ENOENT)
                        return;
                snprintf(got, sizeof got, "r=%d", r);
        } else if (r < 0)
                snprintf(got, sizeof got, "error %d", r);
        else {
                time_format_rfc3339(next, tz_offset_at(z, next / USEC_PER_SEC), got, sizeof got);
                if (strcmp(got, expected) == 0)
                        return;
        }
        t->failed++;
        print_error("%s:%u: %s | %s | %s: expected %s, got %s\n", row->file, row->line,
                    row->col[0], row->col[1], row->col[2], expected, got);
}

/* Every spec of the tables also goes through the packed form a trigger
 * keeps: it must come back field for field. */
static void
check_packed(const struct case_row *row, struct tally *t, const struct cron_spec *c)
{
        struct cron_packed p;
        struct cron_spec buf;

        assert_int_equal(cron_pack(c, &p), 0);
        if (!cron_spec_equal(cron_unpack(&p, &buf), c)) {
                t->failed++;
                print_error("%s:%u: '%s' does not survive cron_pack()\n", row->file, row->line,
                            row->col[0]);
        }
        cron_packed_done(&p);
}

static void
cron_row(const struct case_row *row, void *userdata)
{
        struct tally *t = userdata;
        struct cron_spec c;
        struct cron_error e;
        const struct tz_zone *z;
        usec_t next = 0;
        int r;

        assert_true(row->n_cols >= 4);
        r = cron_parse(row->col[0], &c, &e);
        if (r < 0) {
                t->rows++;
                t->failed++;
                print_error("%s:%u: '%s' does not parse: %s\n", row->file, row->line, row->col[0], e.message);
                return;
        }
        check_packed(row, t, &c);
        z = zone(row->col[1]);
        r = cron_next(&c, z, abs_time(row, row->col[2]), &next);
        check_next(row, t, z, r, next, row->col[3]);
}

/* "name=value; name=value" -> fields[] (pointers into @buf). Returns -1
 * for an unknown or repeated field name, which the job-file loader refuses
 * before the cron parser sees it. */
static int
split_fields(char *buf, const char *fields[_CRON_FIELD_MAX])
{
        char *save = NULL;

        for (int f = 0; f < _CRON_FIELD_MAX; f++)
                fields[f] = NULL;
        for (char *kv = strtok_r(buf, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
                char *eq = strchr(kv, '=');
                int f;

                if (!eq)
                        return -1;
                *eq = 0;
                f = cron_field_from_string(cases_trim(kv));
                if (f < 0 || fields[f])
                        return -1;
                fields[f] = cases_trim(eq + 1);
        }
        return 0;
}

static void
fields_row(const struct case_row *row, void *userdata)
{
        struct tally *t = userdata;
        const char *fields[_CRON_FIELD_MAX];
        char buf[512];
        struct cron_spec c;
        struct cron_error e;
        enum cron_field ef;
        const struct tz_zone *z;
        usec_t next = 0;
        int r;

        assert_true(row->n_cols >= 4);
        snprintf(buf, sizeof buf, "%s", row->col[0]);
        if (split_fields(buf, fields) < 0)
                fail_msg("%s:%u: bad field list '%s'", row->file, row->line, row->col[0]);
        r = cron_parse_fields(fields, &c, &ef, &e);
        if (r < 0) {
                t->rows++;
                t->failed++;
                print_error("%s:%u: '%s' does not parse: %s: %s\n", row->file, row->line, row->col[0],
                            cron_field_to_string(ef), e.message);
                return;
        }
        check_packed(row, t, &c);
        check_packed(row, t, &c);
        z = zone(row->col[1]);
        r = cron_next(&c, z, abs_time(row, row->col[2]), &next);
        check_next(row, t, z, r, next, row->col[3]);
}

static void
interval_row(const struct case_row *row, void *userdata)
{
        struct tally *t = userdata;
        struct trigger tr;
        usec_t next = 0;
        int r;

        assert_true(row->n_cols >= 5);
        trigger_init(&tr, TRIGGER_INTERVAL, zone(row->col[2]));
        assert_int_equal(duration_parse(row->col[0], &tr.interval), 0);
        assert_int_equal(trigger_set_bounds(&tr, abs_time(row, row->col[1]), USEC_INFINITY, 0), 0);
        r = trigger_next(&tr, USEC_UNSET, abs_time(row, row->col[3]), &next);
        check_next(row, t, tr.zone, r, next, row->col[4]);
        trigger_done(&tr);
}

static void
invalid_row(const struct case_row *row, void *userdata)
{
        struct tally *t = userdata;
        struct cron_spec c;
        struct cron_error e = {};

        t->rows++;
        if (cron_parse(row->col[0], &c, &e) == 0) {
                t->failed++;
                print_error("%s:%u: '%s' was accepted (%s)\n", row->file, row->line, row->col[0],
                            row->n_cols > 1 ? row->col[1] : "");
        } else if (e.message[0] == 0 || e.offset > strlen(row->col[0])) {
                t->failed++;
                print_error("%s:%u: '%s': no message or bad offset %u\n", row->file, row->line,
                            row->col[0], e.offset);
        }
}

static void
invalid_fields_row(const struct case_row *row, void *userdata)
{
        struct tally *t = userdata;
        const char *fields[_CRON_FIELD_MAX];
        char buf[512];
        struct cron_spec c;
        struct cron_error e = {};
        enum cron_field ef;

        t->rows++;
        snprintf(buf, sizeof buf, "%s", row->col[0]);
        if (split_fields(buf, fields) == 0 && cron_parse_fields(fields, &c, &ef, &e) == 0) {
                t->failed++;
                print_error("%s:%u: '%s' was accepted (%s)\n", row->file, row->line, row->col[0],
                            row->n_cols > 1 ? row->col[1] : "");
        }
}

static void
run_table(const char *name, void (*fn)(const struct case_row *, void *), unsigned min_rows)
{
        struct tally t = {};
        int n = cases_foreach(name, fn, &t);

        if (n < 0)
                fail_msg("cannot open %s", name);
        print_message("%s: %u rows, %u failed\n", name, t.rows, t.failed);
        assert_true(t.rows >= min_rows);
        assert_int_equal(t.failed, 0);
}

static void test_cron_table(void **s) { (void) s; run_table("cron.cases", cron_row, 1); }
static void test_dst_table(void **s) { (void) s; run_table("dst.cases", cron_row, 1); }
static void test_fields_table(void **s) { (void) s; run_table("fields.cases", fields_row, 1); }
static void test_interval_table(void **s) { (void) s; run_table("interval.cases", interval_row, 1); }
static void test_invalid_table(void **s) { (void) s; run_table("cron-invalid.cases", invalid_row, 1); }
static void test_invalid_fields_table(void **s) { (void) s; run_table("fields-invalid.cases", invalid_fields_row, 1); }

/* Error positions point at the offending character. */
static void
test_error_offsets(void **state)
{
        static const struct {
                const char *expr;
                unsigned offset;
                const char *message;
        } cases[] = {
                { "61 * * * *", 0, "expected a minute 0-59, got '61'" },
                { "0 24 * * *", 2, "expected an hour 0-23, got '24'" },
                { "0 0 30-10 * *", 4, "range 30-10 is reversed (its start is after its end)" },
                { "*/0 * * * *", 2, "a step must be at least 1, got 0" },
                { "5x * * * *", 1, "unexpected 'x'" },
                { "0 0 * * 5#6", 10, "expected 1-5 after '#' (a month has at most 5 of any weekday), got 6" },
                { "0 0 * foo *", 6, "expected a month, got 'foo'" },
                { "0 0 1,,2 * *", 6, "empty item in a list" },
                { "0 0 * *", 7, "expected 5, 6 or 7 fields, got 4" },
                { "@reboot", 0, "unknown nickname '@reboot' (expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)" },
                { "0 0 31 2 *", 0, "this schedule can never fire: no date matches all of its fields" },
        };
        (void) state;

        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                struct cron_spec c;
                struct cron_error e = {};
                assert_int_equal(cron_parse(cases[i].expr, &c, &e), -EINVAL);
                assert_string_equal(e.message, cases[i].message);
                assert_int_equal(e.offset, cases[i].offset);
        }
}

/* The classic day rule: '*' in either day field means AND. */
static void
test_day_rule(void **state)
{
        struct cron_spec c;
        struct cron_error e;
        (void) state;

        assert_int_equal(cron_parse("0 0 1 * mon", &c, &e), 0);
        assert_true(c.day_or);
        assert_int_equal(cron_parse("0 0 */2 * mon", &c, &e), 0);
        assert_false(c.day_or);
        assert_int_equal(cron_parse("0 0 ? * mon", &c, &e), 0);
        assert_false(c.day_or);
        assert_int_equal(cron_parse("0 0 1-31 * mon", &c, &e), 0);
        assert_true(c.day_or);
        assert_int_equal(cron_parse("0 0 1 * *", &c, &e), 0);
        assert_false(c.day_or);
        assert_int_equal(cron_parse("0 */2 * * *", &c, &e), 0);
        assert_true(c.hour_wild);
        assert_int_equal(cron_parse("0 2 * * *", &c, &e), 0);
        assert_false(c.hour_wild);
}

/* Searches are bounded: the last possible year, then -ENOENT. */
static void
test_never_again(void **state)
{
        struct cron_spec c;
        struct cron_error e;
        usec_t next = 42;
        (void) state;

        assert_int_equal(cron_parse("0 0 0 1 1 * 2030", &c, &e), 0);
        assert_int_equal(cron_next(&c, tz_utc(), (usec_t) 1893456000 * USEC_PER_SEC, &next), -ENOENT);
        assert_int_equal(next, 42);
        assert_int_equal(cron_parse("0 0 0 1 1 * 2030", &c, &e), 0);
        assert_int_equal(cron_next(&c, tz_utc(), 0, &next), 0);
        assert_int_equal(next, (usec_t) 1893456000 * USEC_PER_SEC);
}

static int
setup(void **state)
{
        (void) state;
        return tz_db_new(NULL, &db);
}

static int
teardown(void **state)
{
        (void) state;
        db = tz_db_free(db);
        return 0;
}

/* Plain expressions pack inline; the year and week fields and the
 * L, W, # and nth-weekday extensions go out of line. */
static void
test_packed(void **state)
{
        static const char *const inline_exprs[] = {
                "30 2 * * mon-fri", "*/5 * * * * *", "@daily", "0 0 1,15 * *", "0 9-17 * * *",
                "0 0 1 * 1", "* * * * * * *", NULL,
        };
        static const char *const full_exprs[] = {
                "0 0 L * *", "0 0 * * 5#3", "0 0 15W * *", "0 0 * * 5L", "0 0 LW * *",
                "0 0 0 1 1 * 2030", "0 0 L-3 * *", NULL,
        };
        const char *fields[_CRON_FIELD_MAX] = { [CRON_FIELD_WEEK] = "10" };
        struct cron_spec c, buf;
        struct cron_packed p, q;
        struct trigger a, b;
        struct cron_error e;
        enum cron_field ef;

        (void) state;
        for (size_t i = 0; inline_exprs[i]; i++) {
                assert_int_equal(cron_parse(inline_exprs[i], &c, &e), 0);
                assert_int_equal(cron_pack(&c, &p), 0);
                assert_null(p.full);
                assert_true(cron_spec_equal(cron_unpack(&p, &buf), &c));
                cron_packed_done(&p);
        }
        for (size_t i = 0; full_exprs[i]; i++) {
                assert_int_equal(cron_parse(full_exprs[i], &c, &e), 0);
                assert_int_equal(cron_pack(&c, &p), 0);
                assert_non_null(p.full);
                assert_ptr_equal(cron_unpack(&p, &buf), p.full);
                assert_true(cron_spec_equal(p.full, &c));
                cron_packed_done(&p);
                assert_null(p.full);
        }
        assert_int_equal(cron_parse_fields(fields, &c, &ef, &e), 0);
        assert_int_equal(cron_pack(&c, &p), 0);
        assert_non_null(p.full);

        /* Equality is of the specs, not of the pointers. */
        assert_int_equal(cron_pack(&c, &q), 0);
        assert_ptr_not_equal(p.full, q.full);
        assert_true(cron_packed_equal(&p, &q));
        cron_packed_done(&q);
        assert_int_equal(cron_parse("0 0 L * *", &c, &e), 0);
        assert_int_equal(cron_pack(&c, &q), 0);
        assert_false(cron_packed_equal(&p, &q));
        cron_packed_done(&q);
        cron_packed_done(&p);

        /* Triggers: the same schedule twice is equal; set_cron replaces. */
        trigger_init(&a, TRIGGER_CRON, tz_utc());
        trigger_init(&b, TRIGGER_CRON, tz_utc());
        assert_int_equal(cron_parse("0 0 * * 5#3", &c, &e), 0);
        assert_int_equal(trigger_set_cron(&a, &c), 0);
        assert_int_equal(trigger_set_cron(&b, &c), 0);
        assert_true(trigger_equal(&a, &b));
        assert_int_equal(trigger_set_bounds(&b, USEC_UNSET, USEC_INFINITY, 1), 0);
        assert_non_null(b.bounds);
        assert_int_equal(trigger_jitter_max(&b), 1);
        assert_int_equal(trigger_start(&b), USEC_UNSET);
        assert_false(trigger_equal(&a, &b));
        /* All at their defaults: nothing allocated, equal again. */
        assert_int_equal(trigger_set_bounds(&b, USEC_UNSET, USEC_INFINITY, 0), 0);
        assert_null(b.bounds);
        assert_int_equal(trigger_end(&b), USEC_INFINITY);
        assert_true(trigger_equal(&a, &b));
        assert_int_equal(cron_parse("0 0 * * 5", &c, &e), 0);
        assert_int_equal(trigger_set_cron(&b, &c), 0);
        assert_null(b.cron.full);
        assert_false(trigger_equal(&a, &b));
        trigger_done(&a);
        trigger_done(&b);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cron_table),
                cmocka_unit_test(test_dst_table),
                cmocka_unit_test(test_fields_table),
                cmocka_unit_test(test_interval_table),
                cmocka_unit_test(test_invalid_table),
                cmocka_unit_test(test_invalid_fields_table),
                cmocka_unit_test(test_error_offsets),
                cmocka_unit_test(test_day_rule),
                cmocka_unit_test(test_never_again),
                cmocka_unit_test(test_packed),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
