/* fuzz-jsonscan.c - libFuzzer target for lib/jsonscan.c, with jansson as
 * the oracle.
 *
 * Whatever jansson accepts, the scanner must accept with the same value;
 * whatever jansson refuses, the scanner must refuse, except numbers beyond
 * jansson's range (which the scanner leaves to json_scan_int() and strtod).
 * The scanner's only stricter rule is its depth limit. A string is also
 * written back with lib/jsonw.c and must scan to the same value. */
#include <assert.h>
#include <string.h>

#include "jsonscan.h"
#include "jsonw.h"
#include "../tests/support/jsonscan-tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct json_scan s;
        json_error_t err;
        json_t *mine = jsonscan_tree((const char *) data, size, &s);
        json_t *theirs = json_loadb((const char *) data, size, JSON_DECODE_ANY, &err);

        /* jansson reads a NUL byte as the end of its input; a Varlink
         * message never holds one (a NUL ends it). The scanner still runs
         * on such input, for the sanitizers, but is not compared. */
        if (memchr(data, 0, size)) {
                json_decref(mine);
                json_decref(theirs);
                return 0;
        }
        if (theirs && !mine)
                assert(strcmp(s.error, "nested too deeply") == 0);
        if (mine && !theirs)
                assert(strstr(err.text, "too big") || strstr(err.text, "overflow"));
        if (mine && theirs)
                assert(json_equal(mine, theirs));

        if (mine && json_is_string(mine)) {
                /* The string through the writer and back. */
                struct jsonw w = {};
                struct json_scan s2;
                char *text;
                size_t n = 0;
                json_t *back;

                jsonw_string(&w, json_string_value(mine));
                text = jsonw_steal(&w, &n);
                assert(text);
                back = jsonscan_tree(text, n, &s2);
                assert(back && json_equal(back, mine));
                json_decref(back);
                free(text);
        }
        json_decref(mine);
        json_decref(theirs);
        return 0;
}
