/* jsonscan.h - a strict pull scanner over JSON text held in memory.
 *
 * For replies too big to parse into a jansson tree: schedctl list reads
 * 100,000 jobs (25 MB) through this in a tenth of the time jansson takes
 * to build and free the tree (make bench, 7). Everything else uses
 * jansson.
 *
 * Each json_scan_next() returns the next token; the scanner checks the
 * grammar of RFC 8259 as it goes (strings, escapes, UTF-8, numbers,
 * nesting, commas), so a text it scans to JSON_TOK_END without an error is
 * valid JSON. Strings are not copied: json_scan_string() decodes the
 * current one on demand. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_SCAN_DEPTH_MAX 64

enum json_token {
        JSON_TOK_ERROR = -1,    /* s->error says what; every later call returns it again */
        JSON_TOK_END = 0,       /* the one top-level value is complete, and only whitespace follows */
        JSON_TOK_OBJECT_BEGIN,
        JSON_TOK_OBJECT_END,
        JSON_TOK_ARRAY_BEGIN,
        JSON_TOK_ARRAY_END,
        JSON_TOK_KEY,           /* a member's name (a string) */
        JSON_TOK_STRING,
        JSON_TOK_NUMBER,
        JSON_TOK_TRUE,
        JSON_TOK_FALSE,
        JSON_TOK_NULL,
};

struct json_scan {
        const char *p, *end;            /* the text not yet scanned */
        const char *tok;                /* the current token's text (strings: inside the quotes) */
        size_t tok_len;
        bool tok_escaped;               /* the current string has backslash escapes */
        unsigned depth;
        uint64_t in_object;             /* bit d: the container at depth d is an object */
        int want;                       /* what the grammar allows next (jsonscan.c) */
        const char *error;              /* static text, set with JSON_TOK_ERROR */
        size_t error_offset;
        const char *start;
};

void json_scan_init(struct json_scan *s, const char *text, size_t len);
enum json_token json_scan_next(struct json_scan *s);

/* After JSON_TOK_OBJECT_BEGIN or ARRAY_BEGIN: scans to the matching end.
 * After any other value token: does nothing. Returns 0, or -EINVAL with
 * s->error set. */
int json_scan_skip(struct json_scan *s);

/* The current string or key, unescaped, into @buf (NUL-terminated,
 * truncated to @size - 1 bytes). Returns its full length, so a return
 * >= @size means it was cut. \u0000 decodes to nothing. */
size_t json_scan_string(const struct json_scan *s, char *buf, size_t size);
/* True if the current string or key equals @lit (compared unescaped). */
bool json_scan_string_is(const struct json_scan *s, const char *lit);

/* The current number as an integer: false if it has a fraction or an
 * exponent or does not fit. */
bool json_scan_int(const struct json_scan *s, int64_t *ret);
