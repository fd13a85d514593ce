/* test-jsonw.c - the JSON text writer: commas, escapes, UTF-8 repair,
 * and that whatever it writes, jansson reads back as written. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "jsonw.h"

static char *
steal(struct jsonw *w)
{
        size_t n = 0;
        char *s = jsonw_steal(w, &n);

        assert_non_null(s);
        assert_int_equal(strlen(s), n);
        return s;
}

static void
test_nesting_and_commas(void **state)
{
        struct jsonw w = {};
        char *s;

        (void) state;
        jsonw_object_begin(&w);
        jsonw_key(&w, "jobs");
        jsonw_array_begin(&w);
        for (int i = 0; i < 3; i++) {
                jsonw_object_begin(&w);
                jsonw_key(&w, "id");
                jsonw_int(&w, i);
                jsonw_key(&w, "on");
                jsonw_bool(&w, i == 1);
                jsonw_key(&w, "x");
                jsonw_string(&w, NULL);
                jsonw_object_end(&w);
        }
        jsonw_array_end(&w);
        jsonw_key(&w, "empty");
        jsonw_array_begin(&w);
        jsonw_array_end(&w);
        jsonw_key(&w, "n");
        jsonw_int(&w, INT64_MIN);
        jsonw_object_end(&w);
        s = steal(&w);
        assert_string_equal(s, "{\"jobs\":[{\"id\":0,\"on\":false,\"x\":null},{\"id\":1,\"on\":true,\"x\":null},"
                               "{\"id\":2,\"on\":false,\"x\":null}],\"empty\":[],\"n\":-9223372036854775808}");
        free(s);
        assert_null(w.data);
}

/* The same document written in one go and in pieces (peek, then clear,
 * after every element, as a List reply is sent): the pieces join to the
 * same text, and clearing keeps the commas and the open containers. */
static void
write_doc(struct jsonw *w, int i)
{
        jsonw_object_begin(w);
        jsonw_key_lit(w, "id");
        jsonw_int(w, i);
        jsonw_key_lit(w, "s");
        jsonw_string(w, i % 2 ? "a\"b" : NULL);
        jsonw_object_end(w);
}

static void
test_pieces(void **state)
{
        struct jsonw whole = {}, w = {};
        char *joined = NULL, *s;
        size_t n_joined = 0, n;
        const char *p;

        (void) state;
        jsonw_object_begin(&whole);
        jsonw_key(&whole, "jobs");
        jsonw_array_begin(&whole);
        jsonw_object_begin(&w);
        jsonw_key(&w, "jobs");
        jsonw_array_begin(&w);
        for (int i = 0; i <= 500; i++) {
                write_doc(&whole, i);
                write_doc(&w, i);
                if (i % 7 == 0 || i == 500) {
                        if (i == 500) {
                                jsonw_array_end(&w);
                                jsonw_object_end(&w);
                        }
                        assert_true(jsonw_peek(&w, &p, &n));
                        joined = realloc(joined, n_joined + n + 1);
                        memcpy(joined + n_joined, p, n);
                        n_joined += n;
                        jsonw_clear(&w);
                        assert_true(jsonw_peek(&w, &p, &n));
                        assert_int_equal(n, 0);
                }
        }
        jsonw_array_end(&whole);
        jsonw_object_end(&whole);
        joined[n_joined] = 0;
        s = steal(&whole);
        assert_string_equal(joined, s);
        assert_int_equal(strlen(s), n_joined);
        free(s);
        free(joined);
        jsonw_done(&w);

        /* A failed writer has nothing to show. */
        jsonw_object_end(&w);
        assert_false(jsonw_peek(&w, &p, &n));
        jsonw_done(&w);
}

/* Writes @in as a string, checks the text, and that jansson reads @back. */
static void
check_string(const char *in, const char *text, const char *back)
{
        struct jsonw w = {};
        json_error_t err;
        json_t *j;
        char *s;

        jsonw_array_begin(&w);
        jsonw_string(&w, in);
        jsonw_array_end(&w);
        s = steal(&w);
        assert_string_equal(s, text);
        j = json_loads(s, 0, &err);
        assert_non_null(j);
        assert_string_equal(json_string_value(json_array_get(j, 0)), back);
        json_decref(j);
        free(s);
}

static void
test_escapes(void **state)
{
        (void) state;
        check_string("plain", "[\"plain\"]", "plain");
        check_string("a\"b\\c", "[\"a\\\"b\\\\c\"]", "a\"b\\c");
        check_string("tab\there\nnl\x01", "[\"tab\\u0009here\\u000anl\\u0001\"]", "tab\there\nnl\x01");
        check_string("Zürich 東京 \xf0\x9f\x98\x80", "[\"Zürich 東京 \xf0\x9f\x98\x80\"]", "Zürich 東京 \xf0\x9f\x98\x80");
        /* Not UTF-8: a stray continuation byte, a truncated sequence, an
         * overlong '/', a surrogate, and Latin-1. */
        check_string("a\x80z", "[\"a\xef\xbf\xbdz\"]", "a\xef\xbf\xbdz");
        check_string("\xe6\x9d", "[\"\xef\xbf\xbd\xef\xbf\xbd\"]", "\xef\xbf\xbd\xef\xbf\xbd");
        check_string("\xc0\xaf", "[\"\xef\xbf\xbd\xef\xbf\xbd\"]", "\xef\xbf\xbd\xef\xbf\xbd");
        check_string("\xed\xa0\x80", "[\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"]",
                     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
        check_string("caf\xe9", "[\"caf\xef\xbf\xbd\"]", "caf\xef\xbf\xbd");
}

/* Any bytes at all come out as JSON that jansson accepts. */
static void
test_random_bytes_stay_valid(void **state)
{
        uint64_t x = 88172645463325252ull;

        (void) state;
        for (int round = 0; round < 2000; round++) {
                char in[64];
                size_t n = 1 + round % 63;
                struct jsonw w = {};
                json_error_t err;
                json_t *j;
                char *s;

                for (size_t i = 0; i < n; i++) {
                        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                        in[i] = (char) (x % 255 + 1);   /* no NUL */
                }
                in[n] = 0;
                jsonw_object_begin(&w);
                jsonw_key(&w, in);
                jsonw_string(&w, in);
                jsonw_object_end(&w);
                s = steal(&w);
                j = json_loads(s, 0, &err);
                if (!j)
                        fail_msg("jansson refused %s: %s", s, err.text);
                json_decref(j);
                free(s);
        }
}

static void
test_misuse_fails(void **state)
{
        struct jsonw w = {};

        (void) state;
        jsonw_array_end(&w);
        assert_true(w.failed);
        assert_null(jsonw_steal(&w, NULL));
        for (int i = 0; i < JSONW_DEPTH_MAX + 1; i++)
                jsonw_array_begin(&w);
        assert_true(w.failed);
        jsonw_done(&w);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_nesting_and_commas),
                cmocka_unit_test(test_escapes),
                cmocka_unit_test(test_pieces),
                cmocka_unit_test(test_random_bytes_stay_valid),
                cmocka_unit_test(test_misuse_fails),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
