/* jsonscan-tree.h - builds a jansson tree from lib/jsonscan.c's tokens, so
 * that tests and the fuzzer can compare the scanner with jansson itself.
 * Test support only: included by tests/unit/test-jsonscan.c and
 * fuzz/fuzz-jsonscan.c. */
#pragma once

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "jsonscan.h"

/* The value of the whole text, or NULL when the scanner refuses it (then
 * s->error says why). */
static json_t *
jsonscan_tree(const char *text, size_t len, struct json_scan *s)
{
        json_t *stack[JSON_SCAN_DEPTH_MAX + 1], *top = NULL;
        char *keys[JSON_SCAN_DEPTH_MAX + 1] = {};
        unsigned n = 0;
        enum json_token t;

        json_scan_init(s, text, len);
        while ((t = json_scan_next(s)) > JSON_TOK_END) {
                json_t *v = NULL;
                size_t k;
                char *buf;

                switch (t) {
                case JSON_TOK_KEY:
                        k = json_scan_string(s, NULL, 0);
                        free(keys[n]);
                        keys[n] = malloc(k + 1);
                        json_scan_string(s, keys[n], k + 1);
                        continue;
                case JSON_TOK_OBJECT_BEGIN:
                case JSON_TOK_ARRAY_BEGIN:
                        stack[++n] = t == JSON_TOK_OBJECT_BEGIN ? json_object() : json_array();
                        continue;
                case JSON_TOK_OBJECT_END:
                case JSON_TOK_ARRAY_END:
                        v = stack[n];
                        free(keys[n]);
                        keys[n--] = NULL;
                        break;
                case JSON_TOK_STRING:
                        k = json_scan_string(s, NULL, 0);
                        buf = malloc(k + 1);
                        json_scan_string(s, buf, k + 1);
                        v = json_stringn_nocheck(buf, k);
                        free(buf);
                        break;
                case JSON_TOK_NUMBER: {
                        int64_t i;
                        if (json_scan_int(s, &i))
                                v = json_integer(i);
                        else {
                                char *num = strndup(s->tok, s->tok_len);
                                v = num ? json_real(strtod(num, NULL)) : NULL;
                                free(num);
                        }
                        break;
                }
                case JSON_TOK_TRUE:
                        v = json_true();
                        break;
                case JSON_TOK_FALSE:
                        v = json_false();
                        break;
                default:
                        v = json_null();
                        break;
                }
                if (n == 0)
                        top = v;
                else if (json_is_object(stack[n]))
                        json_object_set_new_nocheck(stack[n], keys[n], v);
                else
                        json_array_append_new(stack[n], v);
        }
        for (; n > 0; n--) {
                json_decref(stack[n]);
                free(keys[n]);
        }
        free(keys[0]);
        if (t == JSON_TOK_ERROR) {
                json_decref(top);
                return NULL;
        }
        return top;
}
