/* test-jsonscan.c - the pull scanner: tokens, what it refuses and why,
 * skipping, string decoding and truncation, integers; and that it reads
 * every value as jansson does (fuzz/fuzz-jsonscan.c does so at random). */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "jsonscan.h"
#include "../support/jsonscan-tree.h"

static void
test_tokens(void **state)
{
        static const char text[] = " {\"a\" : [1, -2.5e3, \"x\", true, false, null, {}], \"b\":[]} ";
        static const enum json_token want[] = {
                JSON_TOK_OBJECT_BEGIN, JSON_TOK_KEY, JSON_TOK_ARRAY_BEGIN, JSON_TOK_NUMBER, JSON_TOK_NUMBER,
                JSON_TOK_STRING, JSON_TOK_TRUE, JSON_TOK_FALSE, JSON_TOK_NULL, JSON_TOK_OBJECT_BEGIN,
                JSON_TOK_OBJECT_END, JSON_TOK_ARRAY_END, JSON_TOK_KEY, JSON_TOK_ARRAY_BEGIN, JSON_TOK_ARRAY_END,
                JSON_TOK_OBJECT_END, JSON_TOK_END, JSON_TOK_END,
        };
        struct json_scan s;

        (void) state;
        json_scan_init(&s, text, strlen(text));
        for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
                enum json_token t = json_scan_next(&s);
                if (t != want[i])
                        fail_msg("token %zu: %d, expected %d (%s)", i, t, want[i], s.error ? s.error : "");
        }
}

/* Refused, with the reason and where. */
static void
check_refused(const char *text, const char *why, size_t offset)
{
        struct json_scan s;
        json_t *j = jsonscan_tree(text, strlen(text), &s);

        if (j)
                fail_msg("accepted: %s", text);
        assert_string_equal(s.error, why);
        assert_int_equal(s.error_offset, offset);
        assert_int_equal(json_scan_next(&s), JSON_TOK_ERROR);   /* sticky */
        j = json_loads(text, JSON_DECODE_ANY, NULL);
        assert_null(j);                                         /* jansson agrees */
}

static void
test_refused(void **state)
{
        (void) state;
        check_refused("", "the text ends early", 0);
        check_refused("[1,]", "expected a value", 3);
        check_refused("[1 2]", "expected ',' or ']'", 3);
        check_refused("{\"a\" 1}", "expected ':'", 5);
        check_refused("{\"a\":1,}", "expected a member name", 7);
        check_refused("{1:2}", "expected a member name", 1);
        check_refused("[1]]", "more text after the value", 3);
        check_refused("01", "more text after the value", 1);
        check_refused("-", "a bad number", 0);
        check_refused("1.", "a bad number", 0);
        check_refused("1e+", "a bad number", 0);
        check_refused("tru", "an unknown word", 0);
        check_refused("\"abc", "a string without its closing quote", 4);
        check_refused("\"a\tb\"", "a control character in a string", 2);
        check_refused("\"\\x\"", "a bad escape in a string", 2);
        check_refused("\"\\u12g4\"", "a bad escape in a string", 2);
        check_refused("\"\\ud800x\"", "a lone UTF-16 surrogate in a string", 7);
        check_refused("\"\\udc00\"", "a lone UTF-16 surrogate in a string", 7);
        check_refused("\"\\u0000\"", "\\u0000 in a string", 7);
        check_refused("\"caf\xe9\"", "a string that is not UTF-8", 4);
}

/* The eight-bytes-at-a-time path of strings: a byte that needs a look
 * (quote, backslash, control character, UTF-8, not UTF-8) at every
 * offset of strings of every length around a multiple of 8, and text that
 * ends inside a string, must give what byte-by-byte scanning gives. */
static void
test_string_offsets(void **state)
{
        static const struct { const char *piece, *why; const char *value; } cases[] = {
                { "\\\"", NULL, "\"" },
                { "\\n", NULL, "\n" },
                { "\xc3\xa9", NULL, "\xc3\xa9" },
                { "\x7f", NULL, "\x7f" },
                { " ", NULL, " " },
                { "\x1f", "a control character in a string", NULL },
                { "\xe9", "a string that is not UTF-8", NULL },
                { "\x80", "a string that is not UTF-8", NULL },
        };

        (void) state;
        for (size_t c = 0; c < sizeof cases / sizeof *cases; c++)
                for (size_t len = 0; len < 26; len++)
                        for (size_t at = 0; at <= len; at++) {
                                char text[64], want[64], got[64];
                                struct json_scan s;
                                enum json_token t;
                                size_t n = 0;

                                text[n++] = '"';
                                memset(text + n, 'a', at), n += at;
                                n += (size_t) sprintf(text + n, "%s", cases[c].piece);
                                memset(text + n, 'b', len - at), n += len - at;
                                text[n++] = '"';
                                json_scan_init(&s, text, n);
                                t = json_scan_next(&s);
                                if (cases[c].why) {
                                        assert_int_equal(t, JSON_TOK_ERROR);
                                        assert_string_equal(s.error, cases[c].why);
                                        assert_int_equal(s.error_offset, 1 + at);
                                } else {
                                        assert_int_equal(t, JSON_TOK_STRING);
                                        snprintf(want, sizeof want, "%.*s%s%.*s", (int) at, "aaaaaaaaaaaaaaaaaaaaaaaaaa",
                                                 cases[c].value, (int) (len - at), "bbbbbbbbbbbbbbbbbbbbbbbbbb");
                                        json_scan_string(&s, got, sizeof got);
                                        assert_string_equal(got, want);
                                        assert_int_equal(json_scan_next(&s), JSON_TOK_END);
                                }
                                /* Cut before the closing quote, in a block of
                                 * its own size: never read past the end (ASan). */
                                char *cut = malloc(n - 1);
                                assert_non_null(cut);
                                memcpy(cut, text, n - 1);
                                json_scan_init(&s, cut, n - 1);
                                t = json_scan_next(&s);
                                free(cut);
                                assert_int_equal(t, JSON_TOK_ERROR);
                                if (!cases[c].why)
                                        assert_string_equal(s.error, "a string without its closing quote");
                        }
}

static void
test_depth_limit(void **state)
{
        char deep[2 * JSON_SCAN_DEPTH_MAX + 3];
        struct json_scan s;
        json_t *j;

        (void) state;
        memset(deep, '[', JSON_SCAN_DEPTH_MAX);
        memset(deep + JSON_SCAN_DEPTH_MAX, ']', JSON_SCAN_DEPTH_MAX);
        j = jsonscan_tree(deep, 2 * JSON_SCAN_DEPTH_MAX, &s);
        assert_non_null(j);
        json_decref(j);
        memset(deep, '[', JSON_SCAN_DEPTH_MAX + 1);
        memset(deep + JSON_SCAN_DEPTH_MAX + 1, ']', JSON_SCAN_DEPTH_MAX + 1);
        assert_null(jsonscan_tree(deep, 2 * JSON_SCAN_DEPTH_MAX + 2, &s));
        assert_string_equal(s.error, "nested too deeply");
}

static void
test_same_values_as_jansson(void **state)
{
        static const char *const texts[] = {
                "{\"parameters\":{\"jobs\":[{\"id\":\"a\",\"next_usec\":1764633600000000,\"x\":null}]}}",
                "\"\\u00e9\\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t Zürich\"",
                "[-0, 0.5, -1.25e-3, 1E2, 9223372036854775807, -9223372036854775808]",
                "{\"dup\":1,\"dup\":2}",
                "  [ [ ] , { } , \"\" ]\r\n",
        };
        (void) state;
        for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
                struct json_scan s;
                json_t *mine = jsonscan_tree(texts[i], strlen(texts[i]), &s);
                json_t *theirs = json_loads(texts[i], JSON_DECODE_ANY, NULL);
                if (!mine)
                        fail_msg("refused %s: %s", texts[i], s.error);
                assert_non_null(theirs);
                assert_true(json_equal(mine, theirs));
                json_decref(mine);
                json_decref(theirs);
        }
}

static void
test_skip_and_strings(void **state)
{
        static const char text[] = "{\"skip\":{\"a\":[1,{\"b\":[]}]},\"s\":\"h\\u00e9llo\",\"n\":-42,\"big\":1e3}";
        struct json_scan s;
        char buf[5];
        int64_t v = 0;

        (void) state;
        json_scan_init(&s, text, strlen(text));
        assert_int_equal(json_scan_next(&s), JSON_TOK_OBJECT_BEGIN);
        assert_int_equal(json_scan_next(&s), JSON_TOK_KEY);
        assert_true(json_scan_string_is(&s, "skip"));
        assert_int_equal(json_scan_next(&s), JSON_TOK_OBJECT_BEGIN);
        assert_int_equal(json_scan_skip(&s), 0);
        assert_int_equal(json_scan_next(&s), JSON_TOK_KEY);
        assert_true(json_scan_string_is(&s, "s"));
        assert_int_equal(json_scan_next(&s), JSON_TOK_STRING);
        assert_true(json_scan_string_is(&s, "h\xc3\xa9llo"));
        assert_false(json_scan_string_is(&s, "hello"));
        /* 6 bytes decoded; 4 fit with the NUL. */
        assert_int_equal(json_scan_string(&s, buf, sizeof buf), 6);
        assert_string_equal(buf, "h\xc3\xa9l");
        assert_int_equal(json_scan_skip(&s), 0);                /* a scalar: nothing to skip */
        assert_int_equal(json_scan_next(&s), JSON_TOK_KEY);
        assert_int_equal(json_scan_next(&s), JSON_TOK_NUMBER);
        assert_true(json_scan_int(&s, &v));
        assert_int_equal(v, -42);
        assert_int_equal(json_scan_next(&s), JSON_TOK_KEY);
        assert_int_equal(json_scan_next(&s), JSON_TOK_NUMBER);
        assert_false(json_scan_int(&s, &v));                    /* an exponent */
        assert_int_equal(json_scan_next(&s), JSON_TOK_OBJECT_END);
        assert_int_equal(json_scan_next(&s), JSON_TOK_END);
}

static void
test_int_range(void **state)
{
        static const struct { const char *text; bool ok; int64_t v; } rows[] = {
                { "9223372036854775807", true, INT64_MAX },
                { "-9223372036854775808", true, INT64_MIN },
                { "9223372036854775808", false, 0 },
                { "-9223372036854775809", false, 0 },
                { "18446744073709551616", false, 0 },
                { "0", true, 0 },
                { "1.0", false, 0 },
        };
        (void) state;
        for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
                struct json_scan s;
                int64_t v = 0;
                json_scan_init(&s, rows[i].text, strlen(rows[i].text));
                assert_int_equal(json_scan_next(&s), JSON_TOK_NUMBER);
                assert_int_equal(json_scan_int(&s, &v), rows[i].ok);
                if (rows[i].ok)
                        assert_true(v == rows[i].v);
        }
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_tokens),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_string_offsets),
                cmocka_unit_test(test_depth_limit),
                cmocka_unit_test(test_same_values_as_jansson),
                cmocka_unit_test(test_skip_and_strings),
                cmocka_unit_test(test_int_range),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
