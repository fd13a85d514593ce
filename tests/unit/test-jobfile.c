/* test-jobfile.c - job files: keys, defaults, schedules, zones, errors.
 *
 * The malformed-file corpus lives in data/bad-jobs: each NAME.yaml has a
 * NAME.expected with the exact error lines, FILE:LINE:COLUMN: message,
 * FILE being "bad-jobs/NAME.yaml" (the test runs in data/). The same
 * corpus is run through the real schedctl by tests/e2e/test_validate.py. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "jobfile.h"
#include "macro.h"

static struct tz_db *db;

static int
setup(void **state)
{
        (void) state;
        /* A known local zone for schedules that name none. */
        setenv("TZ", "UTC", 1);
        return tz_db_new(NULL, &db);
}

static int
teardown(void **state)
{
        (void) state;
        db = tz_db_free(db);
        return 0;
}

static void
parse(const char *text, struct jobfile *f)
{
        assert_int_equal(jobfile_parse("t.yaml", text, strlen(text), db, f), 0);
}

/* Parses @text, which must load every job without error. */
static void
parse_ok(const char *text, struct jobfile *f)
{
        parse(text, f);
        for (size_t i = 0; i < f->n_errors; i++)
                print_error("unexpected: %u:%u: %s\n", f->errors[i].line, f->errors[i].column,
                            f->errors[i].message);
        assert_int_equal(f->n_errors, 0);
        assert_false(f->refused);
        assert_null(f->failed_ids);
}

static const struct job_def *
find(const struct jobfile *f, const char *id)
{
        for (size_t i = 0; i < f->n_jobs; i++)
                if (f->jobs[i] && strcmp(f->jobs[i]->id, id) == 0)
                        return f->jobs[i];
        fail_msg("job '%s' not loaded", id);
        return NULL;
}

static usec_t
utc(int y, int mo, int d, int h, int mi, int s)
{
        struct civil c = { y, mo, d, h, mi, s, 0 };
        return civil_to_seconds(&c) * USEC_PER_SEC;
}

static void
test_key_defaults(void **state)
{
        struct jobfile f;
        const struct job_def *d;
        (void) state;

        parse_ok("jobs:\n  j:\n    command: /bin/true\n    schedule: {interval: 5m}\n", &f);
        assert_int_equal(f.n_jobs, 1);
        d = find(&f, "j");
        assert_string_equal(d->file, "t.yaml");
        assert_int_equal(d->line, 2);
        assert_int_equal(d->column, 3);
        assert_null(d->extra->description);
        assert_null(d->extra->user);
        assert_null(d->extra->group);
        assert_null(d->extra->directory);
        assert_null(d->extra->environment);
        assert_null(d->extra->timezone);
        assert_int_equal(d->extra->timeout, USEC_INFINITY);
        assert_int_equal(d->extra->kill_grace, 10 * USEC_PER_SEC);
        assert_int_equal(d->max_instances, 1);
        assert_int_equal(d->on_overlap, OVERLAP_SKIP);
        assert_int_equal(d->misfire_grace, USEC_PER_MIN);
        assert_true(d->coalesce);
        assert_int_equal(d->extra->retry.attempts, 0);
        assert_true(d->enabled);
        assert_int_equal(d->output, OUTPUT_JOURNAL);
        assert_null(d->extra->output_file);
        assert_null(d->extra->on_failure.argv);
        assert_false(d->extra->no_new_privileges);
        assert_int_equal(d->trigger.kind, TRIGGER_INTERVAL);
        assert_int_equal(d->trigger.interval, 5 * USEC_PER_MIN);
        assert_int_equal(trigger_start(&d->trigger), USEC_UNSET);
        assert_int_equal(trigger_end(&d->trigger), USEC_INFINITY);
        assert_int_equal(trigger_jitter_max(&d->trigger), 0);
        assert_string_equal(d->schedule_text, "interval 5m");
        jobfile_done(&f);
}

static void
test_every_key(void **state)
{
        struct jobfile f;
        const struct job_def *d;
        (void) state;

        parse_ok("jobs:\n"
                 "  all.keys@host_1-x:\n"
                 "    description: Everything set\n"
                 "    command: [/usr/bin/env, \"a b\", 42]\n"
                 "    schedule:\n"
                 "      cron: \"*/5 * * * *\"\n"
                 "      jitter: 20s\n"
                 "    user: 1000\n"
                 "    group: staff\n"
                 "    directory: /srv\n"
                 "    environment: {LANG: C.UTF-8, EMPTY: \"\", N: 5}\n"
                 "    timeout: 1h30m\n"
                 "    kill_grace: 90\n"
                 "    max_instances: 3\n"
                 "    on_overlap: replace\n"
                 "    misfire_grace: unlimited\n"
                 "    coalesce: false\n"
                 "    retry: {attempts: 3, delay: 30s, backoff: 1.5, max_delay: 10m}\n"
                 "    enabled: False\n"
                 "    output: {file: /var/log/x.log}\n"
                 "    on_failure: notify-send failed\n"
                 "    no_new_privileges: true\n", &f);
        d = find(&f, "all.keys@host_1-x");
        assert_string_equal(d->extra->description, "Everything set");
        assert_false(d->command.shell);
        assert_string_equal(d->command.argv[0], "/usr/bin/env");
        assert_string_equal(d->command.argv[1], "a b");
        assert_string_equal(d->command.argv[2], "42");
        assert_null(d->command.argv[3]);
        assert_int_equal(d->trigger.kind, TRIGGER_CRON);
        assert_int_equal(trigger_jitter_max(&d->trigger), 20 * USEC_PER_SEC);
        assert_string_equal(d->schedule_text, "cron */5 * * * *");
        assert_string_equal(d->extra->user, "1000");
        assert_string_equal(d->extra->group, "staff");
        assert_string_equal(d->extra->directory, "/srv");
        assert_string_equal(d->extra->environment[0], "LANG=C.UTF-8");
        assert_string_equal(d->extra->environment[1], "EMPTY=");
        assert_string_equal(d->extra->environment[2], "N=5");
        assert_null(d->extra->environment[3]);
        assert_int_equal(d->extra->timeout, 90 * USEC_PER_MIN);
        assert_int_equal(d->extra->kill_grace, 90 * USEC_PER_SEC);
        assert_int_equal(d->max_instances, 3);
        assert_int_equal(d->on_overlap, OVERLAP_REPLACE);
        assert_int_equal(d->misfire_grace, USEC_INFINITY);
        assert_false(d->coalesce);
        assert_int_equal(d->extra->retry.attempts, 3);
        assert_int_equal(d->extra->retry.delay, 30 * USEC_PER_SEC);
        assert_true(d->extra->retry.backoff == 1.5);
        assert_int_equal(d->extra->retry.max_delay, 10 * USEC_PER_MIN);
        assert_false(d->enabled);
        assert_int_equal(d->output, OUTPUT_FILE);
        assert_string_equal(d->extra->output_file, "/var/log/x.log");
        assert_true(d->extra->on_failure.shell);
        assert_string_equal(d->extra->on_failure.argv[2], "notify-send failed");
        assert_true(d->extra->no_new_privileges);
        jobfile_done(&f);

        /* retry's other keys default when only attempts is given. */
        parse_ok("jobs:\n  r:\n    command: x\n    schedule: {interval: 1h}\n"
                 "    retry: {attempts: 2}\n    output: discard\n", &f);
        d = find(&f, "r");
        assert_int_equal(d->extra->retry.attempts, 2);
        assert_int_equal(d->extra->retry.delay, 10 * USEC_PER_SEC);
        assert_true(d->extra->retry.backoff == 2);
        assert_int_equal(d->extra->retry.max_delay, USEC_INFINITY);
        assert_int_equal(d->output, OUTPUT_DISCARD);
        jobfile_done(&f);
}

static void
test_defaults_and_overrides(void **state)
{
        struct jobfile f;
        const struct job_def *a, *b;
        (void) state;

        parse_ok("defaults:\n"
                 "  user: backup\n"
                 "  timezone: Europe/Berlin\n"
                 "  timeout: 2h\n"
                 "  environment: {A: 1}\n"
                 "  output: {file: /var/log/backup.log}\n"
                 "jobs:\n"
                 "  a:\n"
                 "    command: /bin/a\n"
                 "    schedule: {cron: \"30 2 * * mon-fri\"}\n"
                 "  b:\n"
                 "    command: /bin/b\n"
                 "    user: root\n"
                 "    timeout: none\n"
                 "    environment: {B: 2}\n"
                 "    output: journal\n"
                 "    schedule: {cron: \"0 * * * *\", timezone: America/New_York}\n", &f);
        assert_int_equal(f.n_jobs, 2);
        a = find(&f, "a");
        b = find(&f, "b");
        assert_string_equal(a->extra->user, "backup");
        assert_int_equal(a->extra->timeout, 2 * USEC_PER_HOUR);
        assert_string_equal(a->extra->environment[0], "A=1");
        assert_int_equal(a->output, OUTPUT_FILE);
        assert_string_equal(a->extra->output_file, "/var/log/backup.log");
        assert_string_equal(a->extra->timezone, "Europe/Berlin");
        assert_string_equal(tz_zone_name(a->trigger.zone), "Europe/Berlin");
        assert_string_equal(a->schedule_text, "cron 30 2 * * mon-fri");

        /* A job's own key replaces the default as a whole. */
        assert_string_equal(b->extra->user, "root");
        assert_int_equal(b->extra->timeout, USEC_INFINITY);
        assert_string_equal(b->extra->environment[0], "B=2");
        assert_null(b->extra->environment[1]);
        assert_int_equal(b->output, OUTPUT_JOURNAL);
        assert_null(b->extra->output_file);
        assert_string_equal(b->extra->timezone, "America/New_York");
        assert_string_equal(tz_zone_name(b->trigger.zone), "America/New_York");
        jobfile_done(&f);
}

static void
test_commands(void **state)
{
        struct jobfile f;
        const struct job_def *d;
        (void) state;

        parse_ok("jobs:\n"
                 "  s:\n"
                 "    command: echo hello | logger\n"
                 "    schedule: {interval: 1h}\n"
                 "  l:\n"
                 "    command:\n"
                 "      - curl\n"
                 "      - -fsS\n"
                 "      - 'http://localhost:8080/x?a=1'\n"
                 "    schedule: {interval: 1h}\n"
                 "  block:\n"
                 "    command: |\n"
                 "      set -e\n"
                 "      run\n"
                 "    schedule: {interval: 1h}\n", &f);
        d = find(&f, "s");
        assert_true(d->command.shell);
        assert_string_equal(d->command.argv[0], "/bin/sh");
        assert_string_equal(d->command.argv[1], "-c");
        assert_string_equal(d->command.argv[2], "echo hello | logger");
        assert_null(d->command.argv[3]);
        d = find(&f, "l");
        assert_false(d->command.shell);
        assert_string_equal(d->command.argv[0], "curl");
        assert_string_equal(d->command.argv[1], "-fsS");
        assert_string_equal(d->command.argv[2], "http://localhost:8080/x?a=1");
        assert_null(d->command.argv[3]);
        d = find(&f, "block");
        assert_string_equal(d->command.argv[2], "set -e\nrun\n");
        jobfile_done(&f);
}

static void
test_schedules(void **state)
{
        struct jobfile f;
        const struct job_def *d;
        (void) state;

        parse_ok("jobs:\n"
                 "  cs:\n"
                 "    command: x\n"
                 "    schedule: {cron: '@daily'}\n"
                 "  cf:\n"
                 "    command: x\n"
                 "    schedule:\n"
                 "      cron: {minute: \"*/5\", hour: 9-17, day_of_week: mon-fri, year: 2027}\n"
                 "  ci:\n"
                 "    command: x\n"
                 "    schedule: {cron: {second: 0, minute: 30}}\n"
                 "  is:\n"
                 "    command: x\n"
                 "    schedule: {interval: PT1H30M}\n"
                 "  ii:\n"
                 "    command: x\n"
                 "    schedule: {interval: 90}\n"
                 "  im:\n"
                 "    command: x\n"
                 "    schedule: {interval: {weeks: 1, days: 1, hours: 1.5, minutes: 1, seconds: 1}}\n"
                 "  at:\n"
                 "    command: x\n"
                 "    schedule: {at: \"2026-12-31T23:59:00+01:00\"}\n"
                 "  atint:\n"
                 "    command: x\n"
                 "    schedule: {at: 1800000000}\n"
                 "  atnaive:\n"
                 "    command: x\n"
                 "    schedule: {at: 2026-07-01 12:00:00, timezone: Europe/Berlin}\n", &f);
        assert_int_equal(f.n_jobs, 9);

        d = find(&f, "cs");
        assert_int_equal(d->trigger.kind, TRIGGER_CRON);
        assert_string_equal(d->schedule_text, "cron @daily");
        d = find(&f, "cf");
        assert_int_equal(d->trigger.kind, TRIGGER_CRON);
        assert_string_equal(d->schedule_text,
                            "cron {year: 2027, day_of_week: mon-fri, hour: 9-17, minute: */5}");
        d = find(&f, "ci");
        assert_string_equal(d->schedule_text, "cron {minute: 30, second: 0}");

        d = find(&f, "is");
        assert_int_equal(d->trigger.kind, TRIGGER_INTERVAL);
        assert_int_equal(d->trigger.interval, 90 * USEC_PER_MIN);
        assert_string_equal(d->schedule_text, "interval 1h30m");
        d = find(&f, "ii");
        assert_int_equal(d->trigger.interval, 90 * USEC_PER_SEC);
        d = find(&f, "im");
        assert_int_equal(d->trigger.interval,
                         USEC_PER_WEEK + USEC_PER_DAY + 90 * USEC_PER_MIN + USEC_PER_MIN + USEC_PER_SEC);

        d = find(&f, "at");
        assert_int_equal(d->trigger.kind, TRIGGER_AT);
        assert_int_equal(d->trigger.at, utc(2026, 12, 31, 22, 59, 0));
        /* Shown in the schedule's zone (here the local zone, UTC). */
        assert_string_equal(d->schedule_text, "at 2026-12-31T22:59:00+00:00");
        d = find(&f, "atint");
        assert_int_equal(d->trigger.at, (usec_t) 1800000000 * USEC_PER_SEC);
        assert_string_equal(d->schedule_text, "at 2027-01-15T08:00:00+00:00");
        d = find(&f, "atnaive");
        assert_int_equal(d->trigger.at, utc(2026, 7, 1, 10, 0, 0));
        assert_string_equal(d->schedule_text, "at 2026-07-01T12:00:00+02:00");
        jobfile_done(&f);
}

static void
test_naive_start_end(void **state)
{
        struct jobfile f;
        const struct job_def *d;
        (void) state;

        parse_ok("defaults:\n"
                 "  timezone: Europe/Berlin\n"
                 "jobs:\n"
                 "  plain:\n"
                 "    command: x\n"
                 "    schedule: {interval: 1h, start: 2026-01-15 12:00:00, end: 2026-01-16}\n"
                 "  gap:\n"
                 "    command: x\n"
                 "    schedule: {interval: 1h, start: \"2026-03-29T02:30:00\"}\n"
                 "  fold:\n"
                 "    command: x\n"
                 "    schedule: {interval: 1h, start: \"2026-10-25 02:30:00\"}\n"
                 "  offset:\n"
                 "    command: x\n"
                 "    schedule: {interval: 1h, start: 2026-01-15T12:00:00Z, end: 2026-01-15T12:00:00Z}\n",
                 &f);
        d = find(&f, "plain");
        assert_int_equal(trigger_start(&d->trigger), utc(2026, 1, 15, 11, 0, 0));
        assert_int_equal(trigger_end(&d->trigger), utc(2026, 1, 15, 23, 0, 0));
        /* In the spring-forward gap: the first instant after the jump. */
        d = find(&f, "gap");
        assert_int_equal(trigger_start(&d->trigger), utc(2026, 3, 29, 1, 0, 0));
        /* In the autumn fold: the first occurrence (still CEST). */
        d = find(&f, "fold");
        assert_int_equal(trigger_start(&d->trigger), utc(2026, 10, 25, 0, 30, 0));
        /* An offset wins over the zone; end == start is allowed. */
        d = find(&f, "offset");
        assert_int_equal(trigger_start(&d->trigger), utc(2026, 1, 15, 12, 0, 0));
        assert_int_equal(trigger_end(&d->trigger), utc(2026, 1, 15, 12, 0, 0));
        jobfile_done(&f);
}

static void
test_errors_keep_other_jobs(void **state)
{
        struct jobfile f;
        (void) state;

        parse("jobs:\n"
              "  good:\n"
              "    command: x\n"
              "    schedule: {interval: 1h}\n"
              "  bad:\n"
              "    command: x\n"
              "    timeout: soon\n"
              "    max_instances: 0\n"
              "    schedule: {interval: 1h}\n"
              "  \"not valid!\":\n"
              "    command: x\n"
              "    schedule: {interval: 1h}\n"
              "  good2:\n"
              "    command: x\n"
              "    schedule: {interval: 1h}\n", &f);
        assert_false(f.refused);
        assert_int_equal(f.n_jobs, 2);
        assert_string_equal(f.jobs[0]->id, "good");
        assert_string_equal(f.jobs[1]->id, "good2");
        /* An invalid id names no job that could have loaded before. */
        assert_non_null(f.failed_ids);
        assert_string_equal(f.failed_ids[0], "bad");
        assert_null(f.failed_ids[1]);
        /* All errors, not just the first. */
        assert_int_equal(f.n_errors, 3);
        assert_int_equal(f.errors[0].line, 7);
        assert_int_equal(f.errors[0].column, 14);
        assert_string_equal(f.errors[0].file, "t.yaml");
        assert_string_equal(f.errors[0].message,
                            "jobs.bad.timeout: expected a duration like 30s or 1h30m, got 'soon'");
        assert_string_equal(f.errors[1].message,
                            "jobs.bad.max_instances: expected an integer 1 or more, got '0'");
        assert_int_equal(f.errors[2].line, 10);
        jobfile_done(&f);

        /* A bad default fails every job of the file, without refusing it. */
        parse("defaults: {timeout: soon}\n"
              "jobs:\n"
              "  a: {command: x, schedule: {interval: 1h}}\n"
              "  b: {command: x, schedule: {interval: 1h}, kill_grace: x}\n", &f);
        assert_false(f.refused);
        assert_int_equal(f.n_jobs, 0);
        assert_string_equal(f.failed_ids[0], "a");
        assert_string_equal(f.failed_ids[1], "b");
        assert_null(f.failed_ids[2]);
        assert_int_equal(f.n_errors, 2);
        assert_string_equal(f.errors[0].message,
                            "defaults.timeout: expected a duration like 30s or 1h30m, got 'soon'");
        assert_int_equal(f.errors[1].line, 4);
        jobfile_done(&f);
}

static void
test_refused(void **state)
{
        static const char *refused[] = {
                "- a\n- b\n",
                "jobs: [a]\n",
                "defaults: 5\njobs: {}\n",
                "jobs: {}\nextra: 1\n",
                "jobs:\n\tx: 1\n",
                "jobs: {a: \"x}\n",
                "jobs: {}\n---\njobs: {}\n",
                "jobs: {}\njobs: {}\n",
        };
        static const char *empty[] = {
                "", "# nothing yet\n", "jobs:\n", "jobs: {}\n", "~\n", "---\n", "defaults: {user: x}\n",
        };
        struct jobfile f;
        (void) state;

        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                parse(refused[i], &f);
                assert_true(f.refused);
                assert_int_equal(f.n_jobs, 0);
                assert_null(f.failed_ids);
                assert_int_equal(f.n_errors, 1);
                assert_true(f.errors[0].line > 0);
                jobfile_done(&f);
        }
        for (size_t i = 0; i < ELEMENTSOF(empty); i++) {
                parse_ok(empty[i], &f);
                assert_int_equal(f.n_jobs, 0);
                jobfile_done(&f);
        }
}

static void
test_duplicates(void **state)
{
        struct jobfile files[3];
        (void) state;

        /* Within a file: the first definition wins. */
        parse("jobs:\n"
              "  x: {command: first, schedule: {interval: 1h}}\n"
              "  y: {command: y, schedule: {interval: 1h}}\n"
              "  x: {command: second, schedule: {interval: 1h}}\n", &files[0]);
        assert_int_equal(files[0].n_jobs, 2);
        assert_string_equal(find(&files[0], "x")->command.argv[2], "first");
        assert_null(files[0].failed_ids);
        assert_int_equal(files[0].n_errors, 1);
        assert_int_equal(files[0].errors[0].line, 4);
        assert_int_equal(files[0].errors[0].column, 3);
        assert_string_equal(files[0].errors[0].message,
                            "jobs: duplicate job id 'x' (first defined at t.yaml:2:3)");
        jobfile_done(&files[0]);

        /* Across files: later copies are removed and reported where they are. */
        const char *a = "jobs:\n  x: {command: a, schedule: {interval: 1h}}\n"
                        "  broken: {command: a}\n";
        const char *b = "jobs:\n"
                        "  early: {command: x, schedule: {interval: 1h, jitter: bad}}\n"
                        "  y: {command: b, schedule: {interval: 1h}}\n"
                        "  x: {command: b, schedule: {interval: 1h}}\n"
                        "  broken: {command: b, schedule: {interval: 1h}}\n";
        assert_int_equal(jobfile_parse("a.yaml", a, strlen(a), db, &files[0]), 0);
        assert_int_equal(jobfile_parse("b.yaml", b, strlen(b), db, &files[1]), 0);
        assert_int_equal(jobfile_parse("c.yaml", a, strlen(a), db, &files[2]), 0);
        assert_int_equal(jobfile_check_duplicates(files, 3), 0);

        assert_int_equal(files[0].n_jobs, 1);
        assert_int_equal(files[0].n_errors, 1);        /* broken: missing schedule */
        assert_int_equal(files[1].n_jobs, 1);
        assert_string_equal(files[1].jobs[0]->id, "y");
        assert_int_equal(files[1].n_errors, 3);
        assert_string_equal(files[1].errors[0].message,
                            "jobs.early.schedule.jitter: expected a duration like 30s or 1h30m, got 'bad'");
        assert_int_equal(files[1].errors[1].line, 4);
        assert_string_equal(files[1].errors[1].message,
                            "jobs: duplicate job id 'x' (first defined at a.yaml:2:3)");
        assert_int_equal(files[1].errors[2].line, 5);
        assert_string_equal(files[1].errors[2].message,
                            "jobs: duplicate job id 'broken' (first defined in a.yaml, "
                            "not loaded because of errors there)");
        assert_int_equal(files[2].n_jobs, 0);
        assert_int_equal(files[2].n_errors, 2);
        assert_string_equal(files[2].errors[0].message,
                            "jobs: duplicate job id 'x' (first defined at a.yaml:2:3)");
        for (size_t i = 0; i < 3; i++)
                jobfile_done(&files[i]);

        assert_int_equal(jobfile_check_duplicates(NULL, 0), 0);
}

static void
write_file(const char *path, size_t size)
{
        _cleanup_free_ char *buf = malloc(size);
        int fd;

        assert_non_null(buf);
        /* Comment lines: valid YAML of any size. */
        memset(buf, '#', size);
        for (size_t i = 63; i < size; i += 64)
                buf[i] = '\n';
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, buf, size), (ssize_t) size);
        close(fd);
}

static void
test_size_cap(void **state)
{
        char path[] = "/tmp/test-jobfile-XXXXXX";
        struct jobfile f;
        int fd;
        (void) state;

        fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);

        write_file(path, JOBFILE_MAX_SIZE);
        assert_int_equal(jobfile_load(path, db, &f), 0);
        assert_false(f.refused);
        assert_int_equal(f.n_errors, 0);
        jobfile_done(&f);

        write_file(path, JOBFILE_MAX_SIZE + 1);
        assert_int_equal(jobfile_load(path, db, &f), 0);
        assert_true(f.refused);
        assert_int_equal(f.n_errors, 1);
        assert_int_equal(f.errors[0].line, 0);
        assert_string_equal(f.errors[0].file, path);
        assert_string_equal(f.errors[0].message,
                            "file is too big: 1048577 bytes, at most 1048576 (1 MiB) allowed");
        jobfile_done(&f);
        unlink(path);

        assert_int_equal(jobfile_parse("big.yaml", "", JOBFILE_MAX_SIZE + 7, db, &f), 0);
        assert_true(f.refused);
        assert_string_equal(f.errors[0].message,
                            "file is too big: 1048583 bytes, at most 1048576 (1 MiB) allowed");
        jobfile_done(&f);

        assert_int_equal(jobfile_load("/nonexistent/x.yaml", db, &f), -ENOENT);
        assert_int_equal(jobfile_load("/", db, &f), -EISDIR);
}

/* Reads a whole file into a NUL-terminated buffer. */
static char *
slurp(const char *path)
{
        FILE *fp = fopen(path, "re");
        char *buf;
        long n;

        assert_non_null(fp);
        assert_int_equal(fseek(fp, 0, SEEK_END), 0);
        n = ftell(fp);
        rewind(fp);
        buf = calloc(1, n + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, n, fp), (size_t) n);
        fclose(fp);
        return buf;
}

static int
name_cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void
test_bad_corpus(void **state)
{
        char *names[256];
        size_t n = 0, failures = 0;
        struct dirent *de;
        DIR *dir;
        (void) state;

        assert_int_equal(chdir(TEST_DATA_DIR), 0);
        dir = opendir("bad-jobs");
        assert_non_null(dir);
        while ((de = readdir(dir))) {
                size_t l = strlen(de->d_name);
                if (l > 5 && strcmp(de->d_name + l - 5, ".yaml") == 0 && n < ELEMENTSOF(names))
                        names[n++] = strndup(de->d_name, l - 5);
        }
        closedir(dir);
        qsort(names, n, sizeof *names, name_cmp);
        assert_true(n >= 30);

        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *path = NULL, *exp_path = NULL, *expected = NULL, *got = NULL;
                size_t got_len = 0;
                FILE *out;
                struct jobfile f;

                assert_true(asprintf(&path, "bad-jobs/%s.yaml", names[i]) > 0);
                assert_true(asprintf(&exp_path, "bad-jobs/%s.expected", names[i]) > 0);
                expected = slurp(exp_path);
                assert_int_equal(jobfile_load(path, db, &f), 0);

                out = open_memstream(&got, &got_len);
                assert_non_null(out);
                for (size_t j = 0; j < f.n_errors; j++)
                        fprintf(out, "%s:%u:%u: %s\n", f.errors[j].file, f.errors[j].line,
                                f.errors[j].column, f.errors[j].message);
                fclose(out);

                /* Every file of the corpus is wrong somewhere. */
                if (f.n_errors == 0 || strcmp(got, expected) != 0) {
                        print_error("%s: expected:\n%s-- got:\n%s--\n", path, expected, got);
                        failures++;
                }
                jobfile_done(&f);
                free(names[i]);
        }
        assert_int_equal(failures, 0);
}

static void
test_corpus_outcomes(void **state)
{
        struct jobfile f;
        (void) state;

        assert_int_equal(chdir(TEST_DATA_DIR), 0);
        assert_int_equal(jobfile_load("bad-jobs/errors-keep-others.yaml", db, &f), 0);
        assert_false(f.refused);
        assert_int_equal(f.n_jobs, 2);
        assert_string_equal(f.jobs[0]->id, "good");
        assert_string_equal(f.jobs[1]->id, "also-good");
        assert_string_equal(f.failed_ids[0], "bad");
        jobfile_done(&f);

        assert_int_equal(jobfile_load("bad-jobs/yaml-tab.yaml", db, &f), 0);
        assert_true(f.refused);
        jobfile_done(&f);

        assert_int_equal(jobfile_load("bad-jobs/defaults-bad-timeout.yaml", db, &f), 0);
        assert_false(f.refused);
        assert_int_equal(f.n_jobs, 0);
        assert_string_equal(f.failed_ids[0], "backup");
        assert_string_equal(f.failed_ids[1], "other");
        jobfile_done(&f);
}

static void
test_good_files(void **state)
{
        static const char *good[] = {
                TEST_DATA_DIR "/good-jobs/full.yaml",
                TEST_DATA_DIR "/good-jobs/minimal.yaml",
                TEST_DATA_DIR "/good-jobs/empty.yaml",
                TEST_DATA_DIR "/good-jobs/anchors.yaml",
                TEST_DATA_DIR "/../../../conf/jobs.d/example.yaml",
        };
        struct jobfile f;
        (void) state;

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                assert_int_equal(jobfile_load(good[i], db, &f), 0);
                for (size_t j = 0; j < f.n_errors; j++)
                        print_error("%s:%u:%u: %s\n", f.errors[j].file, f.errors[j].line,
                                    f.errors[j].column, f.errors[j].message);
                assert_int_equal(f.n_errors, 0);
                assert_false(f.refused);
                jobfile_done(&f);
        }
}

/* Never crash, never leak: every prefix of a rich file, and random byte
 * mutations of it (fixed seed), must parse to a result. */
static void
test_no_crash(void **state)
{
        _cleanup_free_ char *text = slurp(TEST_DATA_DIR "/good-jobs/full.yaml");
        size_t len = strlen(text);
        static const char mutations[] = " :-[]{}\"'*&!|>#\t\n0aZ,\\";
        unsigned seed = 12345;
        (void) state;

        for (size_t n = 0; n <= len; n++) {
                struct jobfile f;
                assert_int_equal(jobfile_parse("p.yaml", text, n, db, &f), 0);
                jobfile_done(&f);
        }
        for (int round = 0; round < 400; round++) {
                _cleanup_free_ char *m = strdup(text);
                struct jobfile f;

                assert_non_null(m);
                for (int k = 0; k < 1 + round % 4; k++) {
                        seed = seed * 1103515245 + 12345;
                        size_t at = (seed >> 8) % len;
                        seed = seed * 1103515245 + 12345;
                        m[at] = mutations[(seed >> 8) % (sizeof mutations - 1)];
                }
                assert_int_equal(jobfile_parse("m.yaml", m, len, db, &f), 0);
                jobfile_done(&f);
        }
}

/* A small file that names a big list many times through aliases must be
 * refused for the work it would take, not keep the daemon busy. */
static void
test_alias_bomb(void **state)
{
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        struct jobfile f;
        (void) state;

        assert_non_null(out);
        fprintf(out, "jobs:\n  j0: {schedule: {interval: 1h}, command: &a [");
        for (int i = 0; i < 4000; i++)
                fprintf(out, "%sa", i ? "," : "");
        fprintf(out, "]}\n");
        for (int i = 1; i < 4000; i++)
                fprintf(out, "  j%d: {command: *a, schedule: {interval: 1h}}\n", i);
        fclose(out);

        assert_int_equal(jobfile_parse("bomb.yaml", text, len, db, &f), 0);
        assert_true(f.refused);
        assert_int_equal(f.n_jobs, 0);
        assert_int_equal(f.n_errors, 1);
        assert_string_equal(f.errors[0].message,
                            "too many nodes after expanding aliases, at most 4194304 allowed");
        jobfile_done(&f);
}

static void
test_strings(void **state)
{
        (void) state;

        assert_string_equal(overlap_policy_to_string(OVERLAP_SKIP), "skip");
        assert_string_equal(overlap_policy_to_string(OVERLAP_QUEUE), "queue");
        assert_string_equal(overlap_policy_to_string(OVERLAP_REPLACE), "replace");
        assert_null(overlap_policy_to_string(_OVERLAP_MAX));
        assert_int_equal(overlap_policy_from_string("queue"), OVERLAP_QUEUE);
        assert_int_equal(overlap_policy_from_string("Queue"), -EINVAL);
        assert_int_equal(overlap_policy_from_string(NULL), -EINVAL);
        assert_string_equal(output_kind_to_string(OUTPUT_JOURNAL), "journal");
        assert_string_equal(output_kind_to_string(OUTPUT_DISCARD), "discard");
        assert_string_equal(output_kind_to_string(OUTPUT_FILE), "file");
        assert_null(output_kind_to_string(_OUTPUT_MAX));

        assert_true(job_id_valid("a"));
        assert_true(job_id_valid("nightly-backup"));
        assert_true(job_id_valid("0.x_y@host-1"));
        assert_false(job_id_valid(""));
        assert_false(job_id_valid(NULL));
        assert_false(job_id_valid("-x"));
        assert_false(job_id_valid("_x"));
        assert_false(job_id_valid("a b"));
        assert_false(job_id_valid("a/b"));
        assert_false(job_id_valid("caf\xc3\xa9"));

        char id[JOB_ID_MAX + 2];
        memset(id, 'a', sizeof id);
        id[JOB_ID_MAX] = 0;
        assert_true(job_id_valid(id));
        id[JOB_ID_MAX] = 'a';
        id[JOB_ID_MAX + 1] = 0;
        assert_false(job_id_valid(id));

        struct conf_error e = { strdup("f"), 1, 2, strdup("m") };
        conf_error_done(&e);
        assert_null(e.file);
        conf_error_done(NULL);
        jobfile_done(NULL);
        assert_null(job_def_free(NULL));
}

/* The rarely set keys live out of line: a job that sets none shares
 * job_def_extra_default; one that does (itself or through defaults:)
 * gets its own; one that spells out the defaults shares again. */
static void
test_extra_shared(void **state)
{
        struct jobfile f;

        (void) state;
        parse_ok("jobs:\n"
                 "  plain: {command: x, schedule: {interval: 1m}, max_instances: 2}\n"
                 "  spelled: {command: x, schedule: {interval: 1m}, timeout: none, kill_grace: 10s,\n"
                 "            retry: {attempts: 0}, no_new_privileges: false}\n"
                 "  timed: {command: x, schedule: {interval: 1m}, timeout: 5s}\n"
                 "  zoned: {command: x, schedule: {interval: 1m, timezone: Europe/Berlin}}\n"
                 "  filed: {command: x, schedule: {interval: 1m}, output: {file: /tmp/o}}\n"
                 "  back: {command: x, schedule: {interval: 1m}, output: journal}\n", &f);
        assert_ptr_equal(find(&f, "plain")->extra, &job_def_extra_default);
        assert_int_equal(find(&f, "plain")->max_instances, 2);
        assert_ptr_equal(find(&f, "spelled")->extra, &job_def_extra_default);
        assert_ptr_equal(find(&f, "back")->extra, &job_def_extra_default);
        assert_ptr_not_equal(find(&f, "timed")->extra, &job_def_extra_default);
        assert_int_equal(find(&f, "timed")->extra->timeout, 5 * USEC_PER_SEC);
        assert_int_equal(find(&f, "timed")->extra->kill_grace, 10 * USEC_PER_SEC);
        assert_string_equal(find(&f, "zoned")->extra->timezone, "Europe/Berlin");
        assert_string_equal(find(&f, "filed")->extra->output_file, "/tmp/o");
        assert_int_equal(find(&f, "filed")->output, OUTPUT_FILE);
        jobfile_done(&f);

        /* A default applies to every job. Jobs in a row that end up with
         * the same extra keys share one copy; one that differs gets its
         * own, and the next ones share that. Each is freed with its last
         * job (ASan and valgrind check the counting). */
        parse_ok("defaults: {user: nobody, environment: {A: b}}\n"
                 "jobs:\n"
                 "  a: {command: x, schedule: {interval: 1m}}\n"
                 "  a2: {command: y, schedule: {interval: 2m}}\n"
                 "  b: {command: x, schedule: {interval: 1m}, user: root}\n"
                 "  b2: {command: x, schedule: {interval: 1m}, user: root}\n"
                 "  c: {command: x, schedule: {interval: 1m}, environment: {A: c}}\n"
                 "  a3: {command: x, schedule: {interval: 1m}}\n", &f);
        assert_string_equal(find(&f, "a")->extra->user, "nobody");
        assert_string_equal(find(&f, "a")->extra->environment[0], "A=b");
        assert_string_equal(find(&f, "b")->extra->user, "root");
        assert_string_equal(find(&f, "c")->extra->environment[0], "A=c");
        assert_ptr_equal(find(&f, "a")->extra, find(&f, "a2")->extra);
        assert_ptr_not_equal(find(&f, "a")->extra, find(&f, "b")->extra);
        assert_ptr_equal(find(&f, "b")->extra, find(&f, "b2")->extra);
        assert_ptr_not_equal(find(&f, "b")->extra, find(&f, "c")->extra);
        assert_ptr_not_equal(find(&f, "c")->extra, find(&f, "a3")->extra);
        assert_string_equal(find(&f, "a3")->extra->user, "nobody");
        assert_int_equal(find(&f, "a")->extra->refs, 2);
        /* Freed one by one, in any order, the shared copy outlives all but its last. */
        for (size_t i = 0; i < f.n_jobs; i++)
                if (strcmp(f.jobs[i]->id, "a") == 0)
                        f.jobs[i] = job_def_free(f.jobs[i]);
        assert_string_equal(find(&f, "a2")->extra->environment[0], "A=b");
        jobfile_done(&f);

        /* The default is never written: the first write copies it. */
        {
                _cleanup_(job_def_freep) struct job_def *d = NULL;
                struct job_def_extra *x;

                assert_int_equal(job_def_new("t", &d), 0);
                assert_ptr_equal(d->extra, &job_def_extra_default);
                x = job_def_extra_mut(d);
                assert_non_null(x);
                assert_ptr_equal(job_def_extra_mut(d), x);
                x->timeout = 1;
                assert_int_equal(job_def_extra_default.timeout, USEC_INFINITY);
                job_def_extra_compact(d);
                assert_ptr_equal(d->extra, x);
                x->timeout = USEC_INFINITY;
                job_def_extra_compact(d);
                assert_ptr_equal(d->extra, &job_def_extra_default);
        }
}

static bool
inside(const void *block, const void *p)
{
        return (const char *) p >= (const char *) block &&
               (const char *) p < (const char *) block + malloc_usable_size((void *) block);
}

/* A loaded definition is one allocation: id, command and schedule text
 * inside it (job_def_pack()). */
static void
test_packed(void **state)
{
        struct jobfile f;
        const struct job_def *d;

        (void) state;
        parse_ok("jobs:\n"
                 "  list: {command: [/bin/echo, a, '', 'b c'], schedule: {cron: '*/5 * * * *'}}\n"
                 "  shell: {command: 'echo hi | wc', schedule: {interval: 90s}, on_failure: [x, y]}\n",
                 &f);
        d = find(&f, "list");
        assert_true(d->packed);
        assert_true(inside(d, d->id) && inside(d, d->schedule_text) && inside(d, d->command.argv));
        assert_int_equal((uintptr_t) d->command.argv % sizeof(char *), 0);
        for (char **a = d->command.argv; *a; a++)
                assert_true(inside(d, *a));
        assert_string_equal(d->id, "list");
        assert_string_equal(d->schedule_text, "cron */5 * * * *");
        assert_string_equal(d->command.argv[0], "/bin/echo");
        assert_string_equal(d->command.argv[1], "a");
        assert_string_equal(d->command.argv[2], "");
        assert_string_equal(d->command.argv[3], "b c");
        assert_null(d->command.argv[4]);
        assert_false(d->command.shell);
        d = find(&f, "shell");
        assert_true(d->command.shell);
        assert_string_equal(d->command.argv[2], "echo hi | wc");
        assert_string_equal(d->schedule_text, "interval 1m30s");
        assert_string_equal(d->extra->on_failure.argv[1], "y");
        jobfile_done(&f);

        /* Packing twice changes nothing; a definition with neither packs too. */
        {
                _cleanup_(job_def_freep) struct job_def *e = NULL;
                struct job_def *before;

                assert_int_equal(job_def_new("e", &e), 0);
                assert_int_equal(job_def_pack(&e), 0);
                assert_true(e->packed);
                assert_null(e->command.argv);
                assert_null(e->schedule_text);
                assert_string_equal(e->id, "e");
                before = e;
                assert_int_equal(job_def_pack(&e), 0);
                assert_ptr_equal(e, before);
        }
}

/* Digests are kept in state databases (an `at` job that fired stays
 * finished across restarts only while its digest is the same), so the
 * way a definition is laid out in memory must never change them. These
 * values are those of schedd 0.1.0 before the memory work of issue #7. */
static void
test_digest_stable(void **state)
{
        struct jobfile f;

        (void) state;
        parse_ok("jobs:\n"
                 "  c: {command: [/bin/true, a], schedule: {cron: '30 2 * * mon-fri', timezone: Europe/Berlin}}\n"
                 "  i: {command: 'echo hi', schedule: {interval: 90s, start: '2026-01-01T00:00:00Z'}, timeout: 5s}\n"
                 "  a: {command: [/bin/x], schedule: {at: '2026-12-31T23:59:00Z', jitter: 10s}, user: nobody}\n",
                 &f);
        assert_true(job_def_digest(find(&f, "c")) == UINT64_C(0xd864794ed94d9995));
        assert_true(job_def_digest(find(&f, "i")) == UINT64_C(0xb0887b39016befed));
        assert_true(job_def_digest(find(&f, "a")) == UINT64_C(0x2f45b8f84fbfb531));
        jobfile_done(&f);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_key_defaults),
                cmocka_unit_test(test_every_key),
                cmocka_unit_test(test_defaults_and_overrides),
                cmocka_unit_test(test_commands),
                cmocka_unit_test(test_schedules),
                cmocka_unit_test(test_naive_start_end),
                cmocka_unit_test(test_errors_keep_other_jobs),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_duplicates),
                cmocka_unit_test(test_size_cap),
                cmocka_unit_test(test_bad_corpus),
                cmocka_unit_test(test_corpus_outcomes),
                cmocka_unit_test(test_good_files),
                cmocka_unit_test(test_no_crash),
                cmocka_unit_test(test_alias_bomb),
                cmocka_unit_test(test_strings),
                cmocka_unit_test(test_extra_shared),
                cmocka_unit_test(test_packed),
                cmocka_unit_test(test_digest_stable),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
