/* jsonw.h - compact JSON text written straight into a growing buffer.
 *
 * For replies too big to build as a jansson tree first: a List of 100,000
 * jobs is 25 MB of JSON, and building, encoding and freeing it as a tree
 * takes about ten times as long as writing the text (make bench, 7).
 *
 * The writer puts in the commas itself: call jsonw_key() before each
 * member's value, nothing between array elements. Strings are escaped as
 * RFC 8259 requires, and bytes that are not UTF-8 become U+FFFD, so the
 * text is always valid JSON. Out of memory is sticky: every later call
 * does nothing and jsonw_steal() returns NULL. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSONW_DEPTH_MAX 32

struct jsonw {
        char *data;             /* owned; NUL-terminated by jsonw_steal() */
        size_t len, cap;
        bool failed;            /* out of memory, or nested deeper than JSONW_DEPTH_MAX */
        bool after_key;         /* the next value is a member's: no comma before it */
        unsigned depth;
        uint32_t nonempty;      /* bit d: the container at depth d has a value already */
};

void jsonw_done(struct jsonw *w);
/* The text (NUL-terminated; its length in *ret_len), now the caller's to
 * free; NULL if the writer failed. Leaves @w empty. */
char *jsonw_steal(struct jsonw *w, size_t *ret_len);
/* The text written since the last jsonw_clear() (not NUL-terminated), in
 * *ret and *ret_len, for a caller that sends a long document piece by
 * piece; valid until the next call on @w. Returns false, and stores
 * nothing, if the writer failed. */
bool jsonw_peek(const struct jsonw *w, const char **ret, size_t *ret_len);
/* Forgets the text but not where the writer is (the open containers,
 * whether a comma is due) and keeps the allocation: what is written next
 * continues the same document. */
void jsonw_clear(struct jsonw *w);

void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);
/* A member's name; its value is the next call. */
void jsonw_key(struct jsonw *w, const char *key);
/* The same for a name of @len bytes known to need no escape (printable
 * ASCII without '"' or '\\'): no strlen(), no look at each byte. */
void jsonw_key_plain(struct jsonw *w, const char *key, size_t len);
/* jsonw_key_plain() of a string literal. */
#define jsonw_key_lit(w, lit) jsonw_key_plain((w), "" lit "", sizeof(lit) - 1)

/* NULL writes null. */
void jsonw_string(struct jsonw *w, const char *s);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
