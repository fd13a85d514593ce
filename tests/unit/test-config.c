/* test-config.c - schedd.yaml: defaults, every key, sizes, errors with
 * their exact FILE:LINE:COLUMN and message, loading from disk, and the
 * shipped example conf/schedd.yaml (which must parse to the defaults,
 * commented or not). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "macro.h"

#define EXAMPLE TEST_DATA_DIR "/../../../conf/schedd.yaml"

static void
assert_config_equal(const struct daemon_config *a, const struct daemon_config *b)
{
        assert_int_equal(a->max_concurrent_runs, b->max_concurrent_runs);
        assert_int_equal(a->output_limit, b->output_limit);
        assert_int_equal(a->keep_runs, b->keep_runs);
        assert_int_equal(a->keep_age, b->keep_age);
        assert_int_equal(a->shutdown_runs, b->shutdown_runs);
        assert_int_equal(a->shutdown_timeout, b->shutdown_timeout);
}

static void
assert_defaults(const struct daemon_config *c)
{
        struct daemon_config d;

        config_init(&d);
        assert_config_equal(c, &d);
}

/* Parses @text, which must be valid. */
static void
parse_ok(const char *text, struct daemon_config *c)
{
        struct conf_error e = {};
        int r;

        r = config_parse("t.yaml", text, strlen(text), c, &e);
        if (r < 0)
                print_error("unexpected: %u:%u: %s\n", e.line, e.column, e.message);
        assert_int_equal(r, 0);
        assert_null(e.message);
}

static void
test_defaults(void **state)
{
        struct daemon_config c;
        (void) state;

        memset(&c, 0xa5, sizeof c);
        config_init(&c);
        assert_int_equal(c.max_concurrent_runs, 64);
        assert_int_equal(c.output_limit, 65536);
        assert_int_equal(c.keep_runs, 1000);
        assert_int_equal(c.keep_age, 90 * USEC_PER_DAY);
        assert_int_equal(c.shutdown_runs, SHUTDOWN_RUNS_KEEP);
        assert_int_equal(c.shutdown_timeout, 30 * USEC_PER_SEC);
}

static void
test_empty(void **state)
{
        static const char *const texts[] = {
                "", "\n", "# nothing but a comment\n", "~\n", "null\n", "{}\n", "---\n",
                "--- {}\n...\n",
        };
        (void) state;

        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                struct daemon_config c;
                memset(&c, 0xa5, sizeof c);
                parse_ok(texts[i], &c);
                assert_defaults(&c);
        }
}

static void
test_every_key(void **state)
{
        struct daemon_config c;
        (void) state;

        parse_ok("max_concurrent_runs: 8\n"
                 "output_limit: 1MiB\n"
                 "history:\n"
                 "  keep_runs: 20\n"
                 "  keep_days: 7\n"
                 "shutdown_runs: stop\n"
                 "shutdown_timeout: 1m30s\n", &c);
        assert_int_equal(c.max_concurrent_runs, 8);
        assert_int_equal(c.output_limit, 1024 * 1024);
        assert_int_equal(c.keep_runs, 20);
        assert_int_equal(c.keep_age, 7 * USEC_PER_DAY);
        assert_int_equal(c.shutdown_runs, SHUTDOWN_RUNS_STOP);
        assert_int_equal(c.shutdown_timeout, 90 * USEC_PER_SEC);

        /* The spec's own example, flow history included. */
        parse_ok("max_concurrent_runs: 64\n"
                 "output_limit: 64KiB\n"
                 "history: {keep_runs: 1000, keep_days: 90}\n"
                 "shutdown_runs: keep\n"
                 "shutdown_timeout: 30s\n", &c);
        assert_defaults(&c);

        /* Each key alone leaves the others at their defaults. */
        parse_ok("history: {keep_days: 1}\n", &c);
        assert_int_equal(c.keep_runs, 1000);
        assert_int_equal(c.keep_age, USEC_PER_DAY);
        parse_ok("history: {}\n", &c);
        assert_defaults(&c);
        parse_ok("max_concurrent_runs: 100000\n", &c);
        assert_int_equal(c.max_concurrent_runs, 100000);
        assert_int_equal(c.output_limit, 65536);
        parse_ok("output_limit: 0\n", &c);
        assert_int_equal(c.output_limit, 0);
        parse_ok("output_limit: 16MiB\n", &c);
        assert_int_equal(c.output_limit, 16 * 1024 * 1024);
        parse_ok("output_limit: \"128 K\"\n", &c);
        assert_int_equal(c.output_limit, 128 * 1024);
        parse_ok("history: {keep_runs: 4294967295, keep_days: 36500}\n", &c);
        assert_int_equal(c.keep_runs, 4294967295u);
        assert_int_equal(c.keep_age, 36500 * USEC_PER_DAY);
        parse_ok("shutdown_timeout: 0\n", &c);
        assert_int_equal(c.shutdown_timeout, 0);
        parse_ok("shutdown_timeout: PT2M\n", &c);
        assert_int_equal(c.shutdown_timeout, 2 * USEC_PER_MIN);
        parse_ok("shutdown_runs: 'stop'\n", &c);
        assert_int_equal(c.shutdown_runs, SHUTDOWN_RUNS_STOP);
        /* An anchor is only YAML. */
        parse_ok("output_limit: &l 2M\n", &c);
        assert_int_equal(c.output_limit, 2 * 1024 * 1024);
}

static void
test_size_parse(void **state)
{
        static const struct {
                const char *s;
                uint64_t expected;
        } ok[] = {
                { "0", 0 },
                { "65536", 65536 },
                { "007", 7 },
                { "1B", 1 },
                { "64K", 64 * 1024 },
                { "64KiB", 64 * 1024 },
                { "64 KiB", 64 * 1024 },
                { "1M", 1024 * 1024 },
                { "1MiB", 1024 * 1024 },
                { "2G", UINT64_C(2) << 30 },
                { "2GiB", UINT64_C(2) << 30 },
                { "18446744073709551615", UINT64_MAX },
                { "17179869183G", UINT64_C(17179869183) << 30 },
        };
        static const char *const bad[] = {
                "", " 1", "K", "KiB", "-1", "+1", "1.5M", "1e3", "0x10", "64KB", "64kB", "64MB",
                "1GB", "64k", "64kib", "64KIB", "64 ", "64KiB ", "64 K B", "1T", "1TiB", "64Ki",
                "64iB", "1,024",
        };
        static const char *const range[] = {
                "18446744073709551616", "17179869184G", "99999999999999999999999K",
        };
        uint64_t v;
        (void) state;

        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                v = 12345;
                if (size_parse(ok[i].s, &v) != 0)
                        fail_msg("size_parse(\"%s\") failed", ok[i].s);
                assert_int_equal(v, ok[i].expected);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                v = 12345;
                if (size_parse(bad[i], &v) != -EINVAL)
                        fail_msg("size_parse(\"%s\") did not fail with -EINVAL", bad[i]);
                assert_int_equal(v, 12345);
        }
        for (size_t i = 0; i < ELEMENTSOF(range); i++) {
                v = 12345;
                if (size_parse(range[i], &v) != -ERANGE)
                        fail_msg("size_parse(\"%s\") did not fail with -ERANGE", range[i]);
                assert_int_equal(v, 12345);
        }
        assert_int_equal(size_parse(NULL, &v), -EINVAL);
        /* A bad unit is a syntax error even on an overflowing number. */
        assert_int_equal(size_parse("99999999999999999999999X", &v), -EINVAL);
}

static const struct {
        const char *text;
        unsigned line, column;
        const char *message;
} bad_cases[] = {
        { "max_concurrent_runs: 0\n", 1, 22,
          "max_concurrent_runs: expected an integer 1-100000, got '0'" },
        { "max_concurrent_runs: 100001\n", 1, 22,
          "max_concurrent_runs: expected an integer 1-100000, got '100001'" },
        { "max_concurrent_runs: \"8\"\n", 1, 22,
          "max_concurrent_runs: expected an integer 1-100000, got the quoted string '8'" },
        { "max_concurrent_runs:\n", 1, 1,
          "max_concurrent_runs: expected an integer 1-100000, got an empty value" },
        { "max_concurent_runs: 8\n", 1, 1,
          "unknown key 'max_concurent_runs' (did you mean 'max_concurrent_runs'?)" },
        { "verbose: true\n", 1, 1, "unknown key 'verbose'" },
        { "keep_runs: 5\n", 1, 1, "unknown key 'keep_runs' (it belongs in history:)" },
        { "jobs: {}\n", 1, 1, "unknown key 'jobs' (jobs are defined in job files in jobs.d)" },
        { "output_limit: lots\n", 1, 15,
          "output_limit: expected a size like 64KiB or 1MiB, got 'lots'" },
        { "output_limit: -1\n", 1, 15,
          "output_limit: expected a size like 64KiB or 1MiB, got '-1'" },
        { "output_limit: 1.5M\n", 1, 15,
          "output_limit: expected a size like 64KiB or 1MiB, got '1.5M'" },
        { "output_limit: [64K]\n", 1, 15,
          "output_limit: expected a size like 64KiB or 1MiB, got a list" },
        { "output_limit:\n", 1, 1,
          "output_limit: expected a size like 64KiB or 1MiB, got an empty value" },
        { "output_limit: 64KB\n", 1, 15,
          "output_limit: expected a size like 64KiB or 1MiB, got '64KB' "
          "(KB, MB and GB are ambiguous, write KiB, MiB or GiB)" },
        { "output_limit: 32MiB\n", 1, 15,
          "output_limit: expected a size of at most 16MiB, got '32MiB'" },
        { "output_limit: 16777217\n", 1, 15,
          "output_limit: expected a size of at most 16MiB, got '16777217'" },
        { "output_limit: 99999999999999999999999\n", 1, 15,
          "output_limit: expected a size of at most 16MiB, got '99999999999999999999999'" },
        { "history:\n  keep_runs: many\n", 2, 14,
          "history.keep_runs: expected an integer 1 or more, got 'many'" },
        { "history: {keep_runs: 0}\n", 1, 22,
          "history.keep_runs: expected an integer 1 or more, got '0'" },
        { "history: {keep_runs: 4294967296}\n", 1, 22,
          "history.keep_runs: expected an integer 1 or more, got '4294967296'" },
        { "history: {keep_days: 36501}\n", 1, 22,
          "history.keep_days: expected an integer 1-36500, got '36501'" },
        { "history: {keep_days: 90d}\n", 1, 22,
          "history.keep_days: expected an integer 1-36500, got '90d'" },
        { "history:\n  keep_days:\n", 2, 3,
          "history.keep_days: expected an integer 1-36500, got an empty value" },
        { "history: {keep_day: 9}\n", 1, 11,
          "history: unknown key 'keep_day' (did you mean 'keep_days'?)" },
        { "history: {keep_runs: 5, keep_runs: 6}\n", 1, 25,
          "history: duplicate key 'keep_runs' (first at 1:11)" },
        { "history: 5\n", 1, 10,
          "history: expected a mapping like {keep_runs: 1000, keep_days: 90}, got '5'" },
        { "history:\n", 1, 1,
          "history: expected a mapping like {keep_runs: 1000, keep_days: 90}, "
          "got an empty value" },
        { "shutdown_runs: kill\n", 1, 16, "shutdown_runs: expected keep or stop, got 'kill'" },
        { "shutdown_runs: Keep\n", 1, 16, "shutdown_runs: expected keep or stop, got 'Keep'" },
        { "shutdown_runs: {}\n", 1, 16, "shutdown_runs: expected keep or stop, got a mapping" },
        { "shutdown_timeout: soon\n", 1, 19,
          "shutdown_timeout: expected a duration like 30s or 1h30m, got 'soon'" },
        { "shutdown_timeout: -5s\n", 1, 19,
          "shutdown_timeout: expected a duration like 30s or 1h30m, got '-5s'" },
        { "shutdown_timeout: 99999999999999999999s\n", 1, 19,
          "shutdown_timeout: duration '99999999999999999999s' is too long" },
        { "shutdown_runs: keep\nshutdown_runs: stop\n", 2, 1,
          "duplicate key 'shutdown_runs' (first at 1:1)" },
        { "- max_concurrent_runs: 8\n", 1, 1,
          "expected a mapping of settings like {max_concurrent_runs: 64}, got a list" },
        { "64\n", 1, 1,
          "expected a mapping of settings like {max_concurrent_runs: 64}, got '64'" },
        { "max_concurrent_runs: 8\n---\nmax_concurrent_runs: 9\n", 2, 1,
          "expected one YAML document, found a second one" },
        { "history: {keep_runs: 5\n", 2, 1,
          "invalid YAML: did not find expected ',' or '}' while parsing a flow mapping "
          "started at 1:10" },
        { "history:\n\tkeep_runs: 5\n", 2, 1,
          "invalid YAML: found character that cannot start any token while scanning "
          "for the next token (YAML does not allow tabs for indentation, use spaces)" },
        { "shutdown_runs: \xff\n", 1, 16,
          "invalid YAML: invalid leading UTF-8 octet (schedd.yaml must be UTF-8)" },
        /* Several problems: the first by position is the one reported. */
        { "shutdown_runs: kill\nmax_concurrent_runs: 0\n", 1, 16,
          "shutdown_runs: expected keep or stop, got 'kill'" },
        { "max_concurrent_runs: 8\nbogus: 1\noutput_limit: x\n", 2, 1, "unknown key 'bogus'" },
        { "history: {keep_runs: x}\nshutdown_timeout: y\n", 1, 22,
          "history.keep_runs: expected an integer 1 or more, got 'x'" },
};

static void
test_errors(void **state)
{
        (void) state;

        for (size_t i = 0; i < ELEMENTSOF(bad_cases); i++) {
                const char *text = bad_cases[i].text;
                struct daemon_config c, before;
                struct conf_error e = {};
                int r;

                memset(&c, 0xa5, sizeof c);
                before = c;
                r = config_parse("schedd.yaml", text, strlen(text), &c, &e);
                if (r != -EINVAL || !e.message || e.line != bad_cases[i].line ||
                    e.column != bad_cases[i].column ||
                    strcmp(e.message, bad_cases[i].message) != 0)
                        fail_msg("case %zu: %s\n got r=%d %u:%u: %s\n want %u:%u: %s", i, text,
                                 r, e.line, e.column, e.message ? e.message : "(none)",
                                 bad_cases[i].line, bad_cases[i].column, bad_cases[i].message);
                assert_string_equal(e.file, "schedd.yaml");
                /* *ret is untouched on failure. */
                assert_memory_equal(&c, &before, sizeof c);
                conf_error_done(&e);
        }
}

static void
test_deep_and_big(void **state)
{
        struct daemon_config c;
        struct conf_error e = {};
        char deep[200];
        (void) state;

        /* Nested too deep: refused before libyaml builds the document. */
        memset(deep, '[', sizeof deep);
        memcpy(deep, "x: ", 3);
        deep[sizeof deep - 1] = 0;
        assert_int_equal(config_parse("d.yaml", deep, strlen(deep), &c, &e), -EINVAL);
        assert_string_equal(e.message, "nested deeper than 64 levels");
        assert_int_equal(e.line, 1);
        conf_error_done(&e);

        assert_int_equal(config_parse("big.yaml", "", JOBFILE_MAX_SIZE + 7, &c, &e), -EINVAL);
        assert_int_equal(e.line, 0);
        assert_string_equal(e.file, "big.yaml");
        assert_string_equal(e.message,
                            "file is too big: 1048583 bytes, at most 1048576 (1 MiB) allowed");
        conf_error_done(&e);
}

static void
write_text(const char *path, const char *text, size_t len)
{
        int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, len), (ssize_t) len);
        close(fd);
}

static void
test_load(void **state)
{
        char path[] = "/tmp/test-config-XXXXXX";
        struct daemon_config c;
        struct conf_error e = {};
        _cleanup_free_ char *big = NULL;
        int fd;
        (void) state;

        /* A missing file is the defaults, and no error. */
        memset(&c, 0xa5, sizeof c);
        assert_int_equal(config_load("/nonexistent/schedd/schedd.yaml", &c, &e), 0);
        assert_defaults(&c);
        assert_null(e.message);

        assert_int_equal(config_load("/", &c, &e), -EISDIR);
        assert_null(e.message);

        fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);

        /* An empty file. */
        memset(&c, 0xa5, sizeof c);
        assert_int_equal(config_load(path, &c, &e), 0);
        assert_defaults(&c);

        write_text(path, "max_concurrent_runs: 3\n", 23);
        assert_int_equal(config_load(path, &c, &e), 0);
        assert_int_equal(c.max_concurrent_runs, 3);

        write_text(path, "\nshutdown_runs: kill\n", 21);
        assert_int_equal(config_load(path, &c, &e), -EINVAL);
        assert_string_equal(e.file, path);
        assert_int_equal(e.line, 2);
        assert_int_equal(e.column, 16);
        assert_string_equal(e.message, "shutdown_runs: expected keep or stop, got 'kill'");
        conf_error_done(&e);

        /* Exactly the cap is read; one byte more is refused. */
        big = malloc(JOBFILE_MAX_SIZE + 1);
        assert_non_null(big);
        memset(big, '\n', JOBFILE_MAX_SIZE + 1);
        write_text(path, big, JOBFILE_MAX_SIZE);
        assert_int_equal(config_load(path, &c, &e), 0);
        write_text(path, big, JOBFILE_MAX_SIZE + 1);
        assert_int_equal(config_load(path, &c, &e), -EINVAL);
        assert_string_equal(e.file, path);
        assert_int_equal(e.line, 0);
        assert_string_equal(e.message,
                            "file is too big: 1048577 bytes, at most 1048576 (1 MiB) allowed");
        conf_error_done(&e);

        unlink(path);
}

/* Reads a whole file into a NUL-terminated buffer. */
static char *
slurp(const char *path, size_t *ret_len)
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
        *ret_len = n;
        return buf;
}

static void
test_example(void **state)
{
        _cleanup_free_ char *text = NULL;
        struct daemon_config c;
        struct conf_error e = {};
        size_t len, w = 0, settings = 0;
        (void) state;

        /* As installed. */
        memset(&c, 0xa5, sizeof c);
        assert_int_equal(config_load(EXAMPLE, &c, &e), 0);
        assert_defaults(&c);

        /* With every commented-out setting uncommented: the values shown
         * are the defaults, and they are valid. A setting is a line "#KEY"
         * or "#  KEY" (nested); prose is "# text". */
        text = slurp(EXAMPLE, &len);
        for (size_t r = 0; r < len;) {
                bool bol = r == 0 || text[r - 1] == '\n';
                if (bol && text[r] == '#' && r + 1 < len &&
                    ((text[r + 1] >= 'a' && text[r + 1] <= 'z') ||
                     (text[r + 1] == ' ' && r + 2 < len && text[r + 2] == ' '))) {
                        r++;
                        settings++;
                        continue;
                }
                text[w++] = text[r++];
        }
        text[w] = 0;
        /* max_concurrent_runs, output_limit, history + 2, shutdown_runs and _timeout. */
        assert_int_equal(settings, 7);
        memset(&c, 0xa5, sizeof c);
        parse_ok(text, &c);
        assert_defaults(&c);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_every_key),
                cmocka_unit_test(test_size_parse),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_deep_and_big),
                cmocka_unit_test(test_load),
                cmocka_unit_test(test_example),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
