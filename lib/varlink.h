/* varlink.h - Varlink messages as bytes: framing, calls and replies (SPEC.md 6).
 *
 * Varlink (varlink.org) carries JSON objects over a SOCK_STREAM socket,
 * each terminated by a NUL byte. A call is {"method", "parameters",
 * "more", "oneway", "upgrade"}; a reply is {"parameters", "continues"} or
 * {"error", "parameters"}. This file and varlink.c are pure: the decoder
 * is fed bytes and hands back complete messages, the encoder appends bytes
 * to a buffer. Nothing here touches a socket or prints (STYLE.md 9), so
 * daemon/control.c and cli/ share it and the tests drive it with strings.
 *
 * Ownership follows jansson: "stolen" arguments are released by the callee
 * even when it fails. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* The largest message, NUL excluded, either side accepts (SPEC.md 6). */
#define VARLINK_MESSAGE_MAX ((size_t) 1024 * 1024)
/* Replies may be larger than calls: the list of 100,000 jobs is about
 * 30 MiB. The daemon refuses calls over VARLINK_MESSAGE_MAX (SPEC 6);
 * schedctl reads replies up to this. */
#define VARLINK_REPLY_MAX ((size_t) 256 * 1024 * 1024)

/* The errors of the org.varlink.service interface, with the parameters
 * each carries. */
#define VARLINK_ERROR_INTERFACE_NOT_FOUND    "org.varlink.service.InterfaceNotFound"    /* {interface} */
#define VARLINK_ERROR_METHOD_NOT_FOUND       "org.varlink.service.MethodNotFound"       /* {method} */
#define VARLINK_ERROR_METHOD_NOT_IMPLEMENTED "org.varlink.service.MethodNotImplemented" /* {method} */
#define VARLINK_ERROR_INVALID_PARAMETER      "org.varlink.service.InvalidParameter"     /* {parameter} */
#define VARLINK_ERROR_EXPECTED_MORE          "org.varlink.service.ExpectedMore"         /* {} */
#define VARLINK_ERROR_PERMISSION_DENIED      "org.varlink.service.PermissionDenied"     /* {} */

/* --- decoding ------------------------------------------------------------ */

/* Splits a byte stream into messages. Zero-initialise it (or call
 * varlink_decoder_init()); free it with varlink_decoder_done().
 *
 * Memory is bounded: the unterminated message at the end of the buffer
 * never exceeds the limit, because varlink_decoder_feed() drops bytes
 * instead of buffering past it. Complete messages not yet pulled also stay
 * buffered, so pull them with varlink_decoder_next() between feeds. */
struct varlink_decoder {
        char *data;
        size_t start;           /* first byte not yet handed out */
        size_t scanned;         /* data[start, scanned) holds no NUL */
        size_t len, cap;
        size_t tail;            /* bytes after the last NUL in data */
        size_t limit;           /* 0: VARLINK_MESSAGE_MAX */
        bool overflow;          /* a message exceeded the limit; sticky */
        bool compact_pending;   /* all was handed out as text: drop it before the next use */
        char reason[JSON_ERROR_TEXT_LENGTH + 48]; /* why the last -EBADMSG or -EMSGSIZE */
};

/* Sets up an empty decoder with the default limit. Cannot fail. */
void varlink_decoder_init(struct varlink_decoder *d);
/* Frees the buffered bytes; @d may then be reused after init. */
void varlink_decoder_done(struct varlink_decoder *d);

/* Sets the largest accepted message to @limit bytes (NUL excluded; 0
 * restores VARLINK_MESSAGE_MAX). Call before the first feed. */
void varlink_decoder_set_limit(struct varlink_decoder *d, size_t limit);

/* Appends @len bytes of @data. Returns 0, or -ENOMEM (nothing appended).
 * A message longer than the limit is detected here, as soon as its bytes
 * exceed it: the decoder then keeps the complete messages before it, drops
 * that message and everything after it, and ignores later feeds;
 * varlink_decoder_next() reports -EMSGSIZE once those are pulled. */
int varlink_decoder_feed(struct varlink_decoder *d, const void *data, size_t len);

/* Pulls the next complete message. Returns 1 and stores a new reference
 * to a JSON object in *ret; 0 if more bytes are needed; -EBADMSG if the
 * message is empty, not valid JSON (UTF-8, no duplicate keys) or not an
 * object (the message is consumed, and the next call continues after it);
 * -EMSGSIZE if a message exceeded the limit (sticky: the stream cannot be
 * resynchronised); -ENOMEM (the message stays buffered). *ret is untouched
 * unless 1 is returned; varlink_decoder_error() then tells why. */
int varlink_decoder_next(struct varlink_decoder *d, json_t **ret);
/* The same without parsing: the next complete message's text (no NUL) in
 * *ret and *ret_len, valid until the next call on @d. For replies too big
 * for a jansson tree (jsonscan.h). -EBADMSG only for an empty message. */
int varlink_decoder_next_text(struct varlink_decoder *d, const char **ret, size_t *ret_len);

/* A sentence on the last -EBADMSG or -EMSGSIZE ("invalid JSON at byte 3:
 * ..."), "" if there was none. Valid until the next call on @d. */
const char *varlink_decoder_error(const struct varlink_decoder *d);

/* Bytes currently buffered, pulled or not (for tests and stall checks). */
size_t varlink_decoder_buffered(const struct varlink_decoder *d);

/* --- calls (server side) ------------------------------------------------- */

/* A parsed call. It holds its own references, so the message may be
 * released after varlink_parse_call(); free it with varlink_call_done(). */
struct varlink_call {
        json_t *msg;            /* owned reference to the whole call */
        const char *method;     /* "io.schedd.List", points into msg */
        char *interface;        /* owned: "io.schedd" */
        const char *member;     /* "List", points into method */
        json_t *parameters;     /* owned reference, always an object */
        bool more, oneway, upgrade;
};
void varlink_call_done(struct varlink_call *c);

/* Checks @msg (borrowed) against the call grammar: "method" a string of the
 * form interface.Method (reverse-domain interface, Method starting with an
 * upper-case letter), "parameters" an object (absent or null: {}), "more",
 * "oneway" and "upgrade" booleans (absent: false), no other keys, and not
 * both more and oneway. Returns 0 and fills *ret; -EBADMSG and, if
 * @reterr is not NULL, a static sentence in *reterr; or -ENOMEM. *ret is
 * untouched on failure. */
int varlink_parse_call(json_t *msg, struct varlink_call *ret, const char **reterr);

/* True if @name is interface.Member as above: the form of method and error
 * names. */
bool varlink_name_is_valid(const char *name);

/* --- replies (server side) ----------------------------------------------- */

/* {"parameters": @parameters} plus "continues": true if @continues.
 * Steals @parameters (NULL: {}). Returns a new reference, NULL on -ENOMEM. */
json_t *varlink_reply(json_t *parameters, bool continues);

/* {"error": @error_name, "parameters": @parameters}. Steals @parameters
 * (NULL: {}). Returns a new reference, NULL on -ENOMEM. */
json_t *varlink_error(const char *error_name, json_t *parameters);

/* The standard errors with their parameter filled in. New reference, or
 * NULL on -ENOMEM. */
json_t *varlink_error_method_not_found(const char *method);
json_t *varlink_error_interface_not_found(const char *interface);
json_t *varlink_error_invalid_parameter(const char *parameter);

/* --- calls and replies (client side) ------------------------------------- */

/* {"method": @method, "parameters": @parameters} plus "more": true if
 * @more. Steals @parameters (NULL: {}). New reference, NULL on -ENOMEM. */
json_t *varlink_call_new(const char *method, json_t *parameters, bool more);

/* A parsed reply, holding its own references; free with
 * varlink_reply_done(). */
struct varlink_reply {
        json_t *msg;            /* owned reference to the whole reply */
        const char *error;      /* NULL, or the error name, points into msg */
        json_t *parameters;     /* owned reference, always an object */
        bool continues;
};
void varlink_reply_done(struct varlink_reply *r);

/* Checks @msg (borrowed) against the reply grammar: "error" an
 * interface.Error string (optional), "parameters" an object (absent or
 * null: {}), "continues" a boolean (optional, and not with an error), no
 * other keys. Returns 0 and fills *ret; -EBADMSG with a static sentence
 * in *reterr (if not NULL); -ENOMEM. *ret is untouched on failure. */
int varlink_parse_reply(json_t *msg, struct varlink_reply *ret, const char **reterr);

/* --- encoding ------------------------------------------------------------ */

/* A growable output buffer. */
struct varlink_buf {
        char *data;             /* the bytes not yet written: len of them */
        size_t len;
        char *mem;              /* owned: the allocation data points into */
        size_t cap;             /* of mem */
};
void varlink_buf_done(struct varlink_buf *b);
/* Drops the first @n bytes (after a partial write); @n <= b->len. */
void varlink_buf_consume(struct varlink_buf *b, size_t n);

/* Appends @msg (borrowed, a JSON object) as compact JSON and a NUL.
 * Returns 0; -EINVAL if @msg is not an object; -EMSGSIZE if it would
 * exceed VARLINK_REPLY_MAX; -ENOMEM.
 * Nothing is appended on failure. */
int varlink_encode(json_t *msg, struct varlink_buf *out);
/* The same with another limit than VARLINK_REPLY_MAX (calls: VARLINK_MESSAGE_MAX). */
int varlink_encode_max(json_t *msg, struct varlink_buf *out, size_t max);
/* Appends the reply {"parameters": @params} where @params is the JSON text
 * of an object (from jsonw.h, not parsed again), and a NUL. Returns as
 * varlink_encode(). */
int varlink_encode_reply_text(const char *params, size_t len, struct varlink_buf *out);
/* Appends the message @msg (a whole message's JSON text of @len bytes,
 * from jsonw.h, not parsed again) and a NUL, taking over @msg, which must
 * be malloc()ed with room for that NUL at msg[len]. When nothing is
 * pending, @msg becomes the buffer itself: a List reply of 25 MB is not
 * copied again. Returns as varlink_encode(); @msg is freed on failure. */
int varlink_buf_put_message(struct varlink_buf *out, char *msg, size_t len);
/* Appends @len raw bytes: a piece of a message written in parts (a large
 * List reply), its NUL included in the last piece, or another buffer's
 * whole messages. The caller keeps each message under VARLINK_REPLY_MAX.
 * Returns 0 or -ENOMEM (nothing appended). */
int varlink_buf_append(struct varlink_buf *out, const void *data, size_t len);
