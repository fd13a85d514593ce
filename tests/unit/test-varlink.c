/* test-varlink.c - Varlink framing, call and reply parsing, encoding. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "varlink.h"

/* Three frames as they arrive on the wire, and what each decodes to. */
static const char wire[] =
        "{\"method\":\"org.varlink.service.GetInfo\"}\0"
        "{\"method\":\"io.schedd.List\",\"parameters\":{\"user\":\"\\u00e9\"},\"more\":true}\0"
        "{\"parameters\":{}}";
static const char *const wire_methods[] = { "org.varlink.service.GetInfo", "io.schedd.List", NULL };

/* Pulls every available message into @out (up to @max); returns how many. */
static size_t
drain(struct varlink_decoder *d, json_t **out, size_t max)
{
        size_t n = 0;
        json_t *j;
        int r;

        while ((r = varlink_decoder_next(d, &j)) == 1) {
                assert_true(n < max);
                out[n++] = j;
        }
        assert_int_equal(r, 0);
        return n;
}

static void
check_wire(json_t **msgs, size_t n)
{
        assert_int_equal(n, 3);
        for (size_t i = 0; i < 3; i++) {
                json_t *m = json_object_get(msgs[i], "method");
                if (wire_methods[i])
                        assert_string_equal(json_string_value(m), wire_methods[i]);
                else
                        assert_null(m);
        }
        assert_string_equal(json_string_value(json_object_get(json_object_get(msgs[1], "parameters"),
                                                              "user")), "\xc3\xa9");
        for (size_t i = 0; i < n; i++)
                json_decref(msgs[i]);
}

static void
test_split_every_offset(void **state)
{
        (void) state;
        /* sizeof wire includes the implicit final NUL, which ends frame 3. */
        for (size_t a = 0; a <= sizeof wire; a++)
                for (size_t b = a; b <= sizeof wire; b++) {
                        struct varlink_decoder d = {};
                        json_t *msgs[4];
                        size_t n = 0;

                        assert_int_equal(varlink_decoder_feed(&d, wire, a), 0);
                        n += drain(&d, msgs + n, 4 - n);
                        assert_int_equal(varlink_decoder_feed(&d, wire + a, b - a), 0);
                        n += drain(&d, msgs + n, 4 - n);
                        assert_int_equal(varlink_decoder_feed(&d, wire + b, sizeof wire - b), 0);
                        n += drain(&d, msgs + n, 4 - n);
                        check_wire(msgs, n);
                        assert_int_equal(varlink_decoder_buffered(&d), 0);
                        varlink_decoder_done(&d);
                }
}

static void
test_byte_by_byte(void **state)
{
        struct varlink_decoder d;
        json_t *msgs[4];
        size_t n = 0;
        (void) state;

        varlink_decoder_init(&d);
        for (size_t i = 0; i < sizeof wire; i++) {
                assert_int_equal(varlink_decoder_feed(&d, wire + i, 1), 0);
                n += drain(&d, msgs + n, 4 - n);
        }
        check_wire(msgs, n);
        varlink_decoder_done(&d);
}

static void
test_many_per_feed(void **state)
{
        struct varlink_decoder d = {};
        json_t *msgs[4];
        (void) state;

        /* All three at once, then pulled only after a further feed: complete
         * frames wait in the buffer. */
        assert_int_equal(varlink_decoder_feed(&d, wire, sizeof wire - 1), 0);
        assert_int_equal(varlink_decoder_feed(&d, "", 1), 0);
        check_wire(msgs, drain(&d, msgs, 4));

        /* 1000 frames in one feed. */
        {
                const char f[] = "{\"parameters\":{\"i\":1}}";
                size_t len = 1000 * sizeof f;
                char *big = malloc(len);
                json_t *j;
                int r, count = 0;

                assert_non_null(big);
                for (size_t i = 0; i < 1000; i++)
                        memcpy(big + i * sizeof f, f, sizeof f);
                assert_int_equal(varlink_decoder_feed(&d, big, len), 0);
                while ((r = varlink_decoder_next(&d, &j)) == 1) {
                        json_t *p = json_object_get(j, "parameters");

                        assert_int_equal(json_integer_value(json_object_get(p, "i")), 1);
                        json_decref(j);
                        count++;
                }
                assert_int_equal(r, 0);
                assert_int_equal(count, 1000);
                free(big);
        }
        varlink_decoder_done(&d);
}

static void
test_garbage(void **state)
{
        static const char *const bad[] = {
                "",                     /* empty frame */
                "not json",
                "{\"a\":",
                "[1,2,3]",
                "42",
                "\"str\"",
                "null",
                "{\"a\":1,\"a\":2}",    /* duplicate key */
                "{\"a\":\"\xff\"}",     /* not UTF-8 */
                "{} {}",
        };
        (void) state;

        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                struct varlink_decoder d = {};
                json_t *j = (json_t *) 0x1;

                /* The bad frame, then a good one: the stream goes on. */
                assert_int_equal(varlink_decoder_feed(&d, bad[i], strlen(bad[i]) + 1), 0);
                assert_int_equal(varlink_decoder_feed(&d, "{}", 3), 0);
                assert_int_equal(varlink_decoder_next(&d, &j), -EBADMSG);
                assert_ptr_equal(j, (json_t *) 0x1);
                assert_true(strlen(varlink_decoder_error(&d)) > 0);
                assert_int_equal(varlink_decoder_next(&d, &j), 1);
                assert_true(json_is_object(j));
                assert_string_equal(varlink_decoder_error(&d), "");
                json_decref(j);
                assert_int_equal(varlink_decoder_next(&d, &j), 0);
                varlink_decoder_done(&d);
        }
}

/* Feeds @total bytes of one unterminated message in @chunk-sized pieces;
 * checks the decoder never holds much more than @limit. */
static void
feed_oversized(struct varlink_decoder *d, size_t total, size_t chunk, size_t limit)
{
        char *buf = malloc(chunk);

        assert_non_null(buf);
        memset(buf, ' ', chunk);
        buf[0] = '{';
        for (size_t off = 0; off < total; off += chunk) {
                assert_int_equal(varlink_decoder_feed(d, buf, chunk), 0);
                assert_true(varlink_decoder_buffered(d) <= limit);
                assert_true(d->cap <= 2 * limit);
                buf[0] = ' ';
        }
        free(buf);
}

static void
test_oversized(void **state)
{
        const size_t two_mib = 2 * VARLINK_MESSAGE_MAX;
        struct varlink_decoder d = {};
        json_t *j = NULL;
        (void) state;

        /* A good frame first, then 2 MiB without a NUL in 64 KiB reads: the
         * good frame is still delivered, then -EMSGSIZE, and it sticks. */
        assert_int_equal(varlink_decoder_feed(&d, "{}", 3), 0);
        feed_oversized(&d, two_mib, 64 * 1024, VARLINK_MESSAGE_MAX + 3);
        assert_true(d.overflow);
        assert_int_equal(varlink_decoder_next(&d, &j), 1);
        json_decref(j);
        assert_int_equal(varlink_decoder_next(&d, &j), -EMSGSIZE);
        assert_non_null(strstr(varlink_decoder_error(&d), "exceeds"));
        assert_int_equal(varlink_decoder_feed(&d, "{}", 3), 0);
        assert_int_equal(varlink_decoder_next(&d, &j), -EMSGSIZE);
        assert_int_equal(varlink_decoder_buffered(&d), 0);
        varlink_decoder_done(&d);

        /* The same 2 MiB in a single feed, this time terminated. */
        {
                char *big = malloc(two_mib + 1);

                assert_non_null(big);
                memset(big, ' ', two_mib);
                big[0] = '{';
                big[two_mib - 1] = '}';
                big[two_mib] = 0;
                assert_int_equal(varlink_decoder_feed(&d, big, two_mib + 1), 0);
                assert_true(d.cap <= VARLINK_MESSAGE_MAX);
                assert_int_equal(varlink_decoder_next(&d, &j), -EMSGSIZE);
                free(big);
                varlink_decoder_done(&d);
        }

        /* The limit is exact: limit bytes pass, limit + 1 do not. */
        varlink_decoder_set_limit(&d, 16);
        assert_int_equal(varlink_decoder_feed(&d, "{\"a\":\"12345678\"}", 17), 0);      /* 16 + NUL */
        assert_int_equal(varlink_decoder_next(&d, &j), 1);
        json_decref(j);
        assert_int_equal(varlink_decoder_feed(&d, "{\"a\":\"123456789\"", 16), 0);
        assert_false(d.overflow);
        assert_int_equal(varlink_decoder_next(&d, &j), 0);
        assert_int_equal(varlink_decoder_feed(&d, "}", 1), 0);  /* the 17th byte */
        assert_true(d.overflow);
        assert_int_equal(varlink_decoder_next(&d, &j), -EMSGSIZE);
        varlink_decoder_done(&d);
}

static void
test_buffer_released(void **state)
{
        struct varlink_decoder d = {};
        size_t len = 512 * 1024;
        char *big = malloc(len);
        json_t *j;
        (void) state;

        /* After a large message the decoder gives its memory back. */
        assert_non_null(big);
        memset(big, ' ', len);
        big[0] = '{';
        big[len - 2] = '}';
        big[len - 1] = 0;
        assert_int_equal(varlink_decoder_feed(&d, big, len), 0);
        assert_int_equal(varlink_decoder_next(&d, &j), 1);
        json_decref(j);
        assert_null(d.data);
        free(big);
        varlink_decoder_done(&d);
}

static json_t *
load(const char *s)
{
        json_t *j = json_loads(s, JSON_ALLOW_NUL, NULL);

        assert_non_null(j);
        return j;
}

static void
test_parse_call(void **state)
{
        static const char *const bad[] = {
                "{}",
                "{\"parameters\":{}}",
                "{\"method\":42}",
                "{\"method\":null}",
                "{\"method\":[\"a.b.C\"]}",
                "{\"method\":\"\"}",
                "{\"method\":\"GetInfo\"}",
                "{\"method\":\"service.GetInfo\"}",             /* one-label interface */
                "{\"method\":\"org.varlink.service.getInfo\"}",
                "{\"method\":\"org.varlink.service.\"}",
                "{\"method\":\"org..service.GetInfo\"}",
                "{\"method\":\"org.varlink-.service.GetInfo\"}",
                "{\"method\":\"1org.varlink.GetInfo\"}",
                "{\"method\":\"org.varlink.service.Get_Info\"}",
                "{\"method\":\"org.varlink.service.GetInfo\\u0000x\"}",
                "{\"method\":\"a.b.C\",\"parameters\":[]}",
                "{\"method\":\"a.b.C\",\"parameters\":\"x\"}",
                "{\"method\":\"a.b.C\",\"parameters\":1}",
                "{\"method\":\"a.b.C\",\"more\":1}",
                "{\"method\":\"a.b.C\",\"oneway\":\"yes\"}",
                "{\"method\":\"a.b.C\",\"upgrade\":null}",
                "{\"method\":\"a.b.C\",\"more\":true,\"oneway\":true}",
                "{\"method\":\"a.b.C\",\"extra\":1}",
                "[]",
        };
        struct varlink_call c;
        const char *reason;
        json_t *m;
        (void) state;

        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                memset(&c, 0x55, sizeof c);
                reason = NULL;
                m = load(bad[i]);
                assert_int_equal(varlink_parse_call(m, &c, &reason), -EBADMSG);
                assert_non_null(reason);
                assert_int_equal(((unsigned char *) &c)[0], 0x55);     /* untouched */
                assert_int_equal(varlink_parse_call(m, &c, NULL), -EBADMSG);
                json_decref(m);
        }

        m = load("{\"method\":\"org.varlink.service.GetInfo\"}");
        assert_int_equal(varlink_parse_call(m, &c, &reason), 0);
        json_decref(m);         /* the call keeps its own reference */
        assert_string_equal(c.method, "org.varlink.service.GetInfo");
        assert_string_equal(c.interface, "org.varlink.service");
        assert_string_equal(c.member, "GetInfo");
        assert_true(json_is_object(c.parameters));
        assert_int_equal(json_object_size(c.parameters), 0);
        assert_false(c.more || c.oneway || c.upgrade);
        varlink_call_done(&c);
        varlink_call_done(&c);  /* idempotent */

        m = load("{\"method\":\"io.schedd-1.x9.Run\",\"parameters\":{\"id\":\"backup\"},"
                 "\"more\":true,\"upgrade\":false}");
        assert_int_equal(varlink_parse_call(m, &c, NULL), 0);
        assert_string_equal(c.interface, "io.schedd-1.x9");
        assert_string_equal(c.member, "Run");
        assert_string_equal(json_string_value(json_object_get(c.parameters, "id")), "backup");
        assert_true(c.more);
        assert_false(c.oneway);
        varlink_call_done(&c);
        json_decref(m);

        m = load("{\"method\":\"a.b.C\",\"parameters\":null,\"oneway\":true}");
        assert_int_equal(varlink_parse_call(m, &c, NULL), 0);
        assert_int_equal(json_object_size(c.parameters), 0);
        assert_true(c.oneway);
        varlink_call_done(&c);
        json_decref(m);
}

static void
test_names(void **state)
{
        (void) state;
        assert_true(varlink_name_is_valid("org.varlink.service.MethodNotFound"));
        assert_true(varlink_name_is_valid("a.b.C"));
        assert_true(varlink_name_is_valid("a--b.c.D0"));
        assert_true(varlink_name_is_valid("a.0b.C"));
        assert_false(varlink_name_is_valid("a.b.c"));
        assert_false(varlink_name_is_valid("a-.b.C"));
        assert_false(varlink_name_is_valid("-a.b.C"));
        assert_false(varlink_name_is_valid("a.b."));
        assert_false(varlink_name_is_valid(".a.b.C"));
        assert_false(varlink_name_is_valid("a.C"));
        assert_false(varlink_name_is_valid(""));
}

static void
test_parse_reply(void **state)
{
        static const char *const bad[] = {
                "{\"error\":42}",
                "{\"error\":\"nope\"}",
                "{\"parameters\":[]}",
                "{\"continues\":\"yes\"}",
                "{\"error\":\"a.b.C\",\"continues\":true}",
                "{\"method\":\"a.b.C\"}",
        };
        struct varlink_reply r;
        const char *reason;
        json_t *m;
        (void) state;

        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                reason = NULL;
                m = load(bad[i]);
                assert_int_equal(varlink_parse_reply(m, &r, &reason), -EBADMSG);
                assert_non_null(reason);
                json_decref(m);
        }

        m = load("{}");
        assert_int_equal(varlink_parse_reply(m, &r, NULL), 0);
        json_decref(m);
        assert_null(r.error);
        assert_false(r.continues);
        assert_int_equal(json_object_size(r.parameters), 0);
        varlink_reply_done(&r);

        m = load("{\"error\":\"org.varlink.service.InvalidParameter\","
                 "\"parameters\":{\"parameter\":\"id\"}}");
        assert_int_equal(varlink_parse_reply(m, &r, NULL), 0);
        json_decref(m);
        assert_string_equal(r.error, VARLINK_ERROR_INVALID_PARAMETER);
        assert_string_equal(json_string_value(json_object_get(r.parameters, "parameter")), "id");
        varlink_reply_done(&r);
}

/* Encodes @msg (stolen), checks the bytes, decodes them back. */
static json_t *
roundtrip(json_t *msg, const char *expected)
{
        struct varlink_buf b = {};
        struct varlink_decoder d = {};
        json_t *back = NULL;

        assert_non_null(msg);
        assert_int_equal(varlink_encode(msg, &b), 0);
        assert_int_equal(b.len, strlen(expected) + 1);
        assert_memory_equal(b.data, expected, b.len);   /* with the NUL */
        assert_int_equal(varlink_decoder_feed(&d, b.data, b.len), 0);
        assert_int_equal(varlink_decoder_next(&d, &back), 1);
        assert_true(json_equal(back, msg));
        assert_int_equal(varlink_decoder_next(&d, &back), 0);
        varlink_decoder_done(&d);
        varlink_buf_done(&b);
        json_decref(msg);
        return back;
}

/* Partial writes interleaved with new messages: what is pending is always
 * the unwritten bytes, in order, whatever the buffer does to reclaim room. */
static void
test_buf_partial_writes(void **state)
{
        struct varlink_buf b = {};
        char *expect = NULL, *sent = NULL;
        size_t n_expect = 0, n_sent = 0;
        uint64_t x = 1;

        (void) state;
        for (int i = 0; i < 3000; i++) {
                char params[32], msg[64];
                int np = snprintf(params, sizeof params, "{\"n\":%d}", i), nm;
                size_t take;

                /* Through jansson, as parameters' text, or as a whole
                 * message's text taken over (which, when nothing is
                 * pending, becomes the buffer). */
                if (i % 5 == 4) {
                        /* In raw pieces, as a large List reply goes out:
                         * the NUL comes with the last one. */
                        nm = snprintf(msg, sizeof msg, "{\"parameters\":%s}", params);
                        assert_int_equal(varlink_buf_append(&b, msg, 5), 0);
                        assert_int_equal(varlink_buf_append(&b, msg + 5, 0), 0);
                        assert_int_equal(varlink_buf_append(&b, msg + 5, (size_t) nm - 5 + 1), 0);
                } else if (i % 3 == 2) {
                        nm = snprintf(msg, sizeof msg, "{\"parameters\":%s}", params);
                        assert_int_equal(varlink_buf_put_message(&b, strdup(msg), (size_t) nm), 0);
                } else if (i % 3 == 0) {
                        json_t *m = json_pack("{s:i}", "n", i);
                        assert_int_equal(varlink_encode(m, &b), 0);
                        json_decref(m);
                        nm = snprintf(msg, sizeof msg, "%s", params);
                } else {
                        assert_int_equal(varlink_encode_reply_text(params, (size_t) np, &b), 0);
                        nm = snprintf(msg, sizeof msg, "{\"parameters\":%s}", params);
                }
                expect = realloc(expect, n_expect + (size_t) nm + 1);
                memcpy(expect + n_expect, msg, (size_t) nm + 1);       /* with the NUL */
                n_expect += (size_t) nm + 1;

                /* Write out a random part of what is pending, now and
                 * then all of it. */
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                take = x % 4 == 0 ? b.len : x % (b.len + 1);
                sent = realloc(sent, n_sent + take + 1);
                memcpy(sent + n_sent, b.data, take);
                n_sent += take;
                varlink_buf_consume(&b, take);
        }
        sent = realloc(sent, n_sent + b.len);
        memcpy(sent + n_sent, b.data, b.len);
        n_sent += b.len;
        assert_int_equal(n_sent, n_expect);
        assert_memory_equal(sent, expect, n_expect);
        varlink_buf_done(&b);
        free(expect);
        free(sent);
}

static void
test_encode_roundtrip(void **state)
{
        struct varlink_reply r;
        struct varlink_call c;
        json_t *back;
        (void) state;

        back = roundtrip(varlink_reply(json_pack("{s:i}", "n", 3), true),
                         "{\"continues\":true,\"parameters\":{\"n\":3}}");
        assert_int_equal(varlink_parse_reply(back, &r, NULL), 0);
        assert_true(r.continues);
        assert_null(r.error);
        varlink_reply_done(&r);
        json_decref(back);

        json_decref(roundtrip(varlink_reply(NULL, false), "{\"parameters\":{}}"));
        json_decref(roundtrip(varlink_error(VARLINK_ERROR_PERMISSION_DENIED, NULL),
                              "{\"error\":\"org.varlink.service.PermissionDenied\",\"parameters\":{}}"));
        json_decref(roundtrip(varlink_error_method_not_found("io.schedd.Nope"),
                              "{\"error\":\"org.varlink.service.MethodNotFound\","
                              "\"parameters\":{\"method\":\"io.schedd.Nope\"}}"));
        json_decref(roundtrip(varlink_error_interface_not_found("io.nope"),
                              "{\"error\":\"org.varlink.service.InterfaceNotFound\","
                              "\"parameters\":{\"interface\":\"io.nope\"}}"));
        json_decref(roundtrip(varlink_error_invalid_parameter("id"),
                              "{\"error\":\"org.varlink.service.InvalidParameter\","
                              "\"parameters\":{\"parameter\":\"id\"}}"));

        back = roundtrip(varlink_call_new("io.schedd.Events",
                                          json_pack("{s:s}", "job", "a\"b\xc3\xa9"), true),
                         "{\"method\":\"io.schedd.Events\","
                         "\"parameters\":{\"job\":\"a\\\"b\xc3\xa9\"},\"more\":true}");
        assert_int_equal(varlink_parse_call(back, &c, NULL), 0);
        assert_true(c.more);
        assert_string_equal(json_string_value(json_object_get(c.parameters, "job")), "a\"b\xc3\xa9");
        varlink_call_done(&c);
        json_decref(back);

        json_decref(roundtrip(varlink_call_new("a.b.C", NULL, false),
                              "{\"method\":\"a.b.C\",\"parameters\":{}}"));
}

static void
test_encode_limits(void **state)
{
        struct varlink_buf b = {};
        json_t *j;
        char *s;
        (void) state;

        j = json_array();
        assert_int_equal(varlink_encode(j, &b), -EINVAL);
        json_decref(j);

        /* A message over the limit given is not encoded at all. */
        s = malloc(VARLINK_MESSAGE_MAX + 1);
        assert_non_null(s);
        memset(s, 'x', VARLINK_MESSAGE_MAX);
        s[VARLINK_MESSAGE_MAX] = 0;
        j = varlink_reply(json_pack("{s:s}", "out", s), false);
        assert_int_equal(varlink_encode_max(j, &b, VARLINK_MESSAGE_MAX), -EMSGSIZE);
        assert_int_equal(b.len, 0);
        /* Replies may be bigger than calls (a list of 100,000 jobs). */
        assert_int_equal(varlink_encode(j, &b), 0);
        assert_true(b.len > VARLINK_MESSAGE_MAX);
        b.len = 0;
        json_decref(j);
        free(s);

        /* Two messages back to back, then consumed in pieces. */
        j = varlink_reply(NULL, false);
        assert_int_equal(varlink_encode(j, &b), 0);
        assert_int_equal(varlink_encode(j, &b), 0);
        json_decref(j);
        assert_int_equal(b.len, 2 * sizeof "{\"parameters\":{}}");
        varlink_buf_consume(&b, 5);
        assert_memory_equal(b.data, "ameters\":{}}\0{", 14);
        varlink_buf_consume(&b, b.len);
        assert_int_equal(b.len, 0);
        varlink_buf_done(&b);
        varlink_buf_done(&b);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_split_every_offset),
                cmocka_unit_test(test_byte_by_byte),
                cmocka_unit_test(test_many_per_feed),
                cmocka_unit_test(test_garbage),
                cmocka_unit_test(test_oversized),
                cmocka_unit_test(test_buffer_released),
                cmocka_unit_test(test_parse_call),
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_parse_reply),
                cmocka_unit_test(test_encode_roundtrip),
                cmocka_unit_test(test_encode_limits),
                cmocka_unit_test(test_buf_partial_writes),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
