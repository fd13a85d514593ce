/* varlink.c - Varlink framing, call and reply parsing, reply encoding.
 *
 * The decoder keeps one buffer per connection. Every byte is looked at
 * twice at most: once by varlink_decoder_feed(), which tracks the length
 * of the unterminated message at the end so that an oversized one is
 * refused before it is buffered, and once by varlink_decoder_next(), which
 * remembers how far it has searched for the NUL. Consumed bytes are moved
 * out only when new ones arrive, and a large buffer is released as soon as
 * it is empty, so idle connections cost almost nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "varlink.h"

/* An empty decoder keeps at most this much capacity around. */
#define KEEP_CAPACITY ((size_t) 64 * 1024)

void
varlink_decoder_init(struct varlink_decoder *d)
{
        *d = (struct varlink_decoder) {};
}

void
varlink_decoder_done(struct varlink_decoder *d)
{
        free(d->data);
        varlink_decoder_init(d);
}

void
varlink_decoder_set_limit(struct varlink_decoder *d, size_t limit)
{
        d->limit = limit;
}

static size_t
decoder_limit(const struct varlink_decoder *d)
{
        return d->limit > 0 ? d->limit : VARLINK_MESSAGE_MAX;
}

/* Forgets the bytes already handed out; frees a large buffer once empty. */
static void
decoder_compact(struct varlink_decoder *d)
{
        if (d->start == d->len) {
                d->start = d->scanned = d->len = 0;
                if (d->cap > KEEP_CAPACITY) {
                        d->data = mfree(d->data);
                        d->cap = 0;
                }
        } else if (d->start > 0) {
                memmove(d->data, d->data + d->start, d->len - d->start);
                d->len -= d->start;
                d->scanned -= d->start;
                d->start = 0;
        }
}

/* How many of the @len bytes at @data may be appended, and whether a
 * message then exceeds the limit. Updates nothing. */
static size_t
feed_accept(const struct varlink_decoder *d, const char *data, size_t len,
            size_t *ret_tail, bool *ret_overflow)
{
        size_t limit = decoder_limit(d), tail = d->tail, accept = 0;

        while (accept < len) {
                const char *p = data + accept;
                const char *nul = memchr(p, 0, len - accept);
                size_t seg = nul ? (size_t) (nul - p) : len - accept;

                /* The message's bytes so far, NUL excluded, must fit. A
                 * message that does not is cut at its start in this feed;
                 * whatever of it arrived earlier stays, without a NUL,
                 * which is how varlink_decoder_next() finds the end. */
                if (seg > limit - tail) {
                        *ret_tail = tail;
                        *ret_overflow = true;
                        return accept;
                }
                if (!nul) {
                        tail += seg;
                        accept = len;
                        break;
                }
                tail = 0;
                accept += seg + 1;
        }
        *ret_tail = tail;
        *ret_overflow = false;
        return accept;
}

int
varlink_decoder_feed(struct varlink_decoder *d, const void *data, size_t len)
{
        size_t accept, tail;
        bool overflow;

        if (d->overflow || len == 0)
                return 0;

        accept = feed_accept(d, data, len, &tail, &overflow);

        decoder_compact(d);
        if (accept > d->cap - d->len) {
                size_t cap = MAX(d->cap, (size_t) 4096);
                char *p;

                while (cap - d->len < accept)
                        cap *= 2;
                p = realloc(d->data, cap);
                if (!p)
                        return -ENOMEM;
                d->data = p;
                d->cap = cap;
        }
        if (accept > 0)
                memcpy(d->data + d->len, data, accept);
        d->len += accept;
        d->tail = tail;
        if (overflow) {
                d->overflow = true;
                (void) snprintf(d->reason, sizeof d->reason, "message exceeds %zu bytes",
                                decoder_limit(d));
        }
        return 0;
}

int
varlink_decoder_next_text(struct varlink_decoder *d, const char **ret, size_t *ret_len)
{
        const char *nul;
        size_t n;

        d->reason[0] = 0;
        if (d->scanned < d->start)
                d->scanned = d->start;
        /* memchr() must not see the NULL of an empty decoder. */
        nul = d->len > d->scanned ? memchr(d->data + d->scanned, 0, d->len - d->scanned) : NULL;
        if (!nul) {
                d->scanned = d->len;
                if (!d->overflow)
                        return 0;
                /* Nothing complete is left: the rest is the oversized
                 * message, which will never be delivered. */
                free(d->data);
                d->data = NULL;
                d->start = d->scanned = d->len = d->cap = d->tail = 0;
                (void) snprintf(d->reason, sizeof d->reason, "message exceeds %zu bytes",
                                decoder_limit(d));
                return -EMSGSIZE;
        }
        /* Handed out: the bytes stay where they are until the next call. */
        n = (size_t) (nul - (d->data + d->start));
        *ret = d->data + d->start;
        *ret_len = n;
        d->start += n + 1;
        d->scanned = d->start;
        d->compact_pending = d->start == d->len;
        if (n == 0) {
                (void) snprintf(d->reason, sizeof d->reason, "empty message");
                return -EBADMSG;
        }
        return 1;
}

int
varlink_decoder_next(struct varlink_decoder *d, json_t **ret)
{
        json_error_t err;
        const char *text;
        size_t n;
        json_t *j;
        int r;

        if (d->compact_pending)
                decoder_compact(d);
        r = varlink_decoder_next_text(d, &text, &n);
        if (r <= 0)
                return r;
        /* No JSON_DECODE_ANY: jansson itself refuses a top-level scalar;
         * arrays are refused below. */
        j = json_loadb(text, n, JSON_REJECT_DUPLICATES, &err);
        if (!j) {
                if (json_error_code(&err) == json_error_out_of_memory) {
                        d->start -= n + 1;      /* stays buffered */
                        d->scanned = d->start;
                        d->compact_pending = false;
                        return -ENOMEM;
                }
                (void) snprintf(d->reason, sizeof d->reason, "invalid JSON at byte %d: %s", err.position,
                                err.text);
        } else if (!json_is_object(j)) {
                json_decref(j);
                j = NULL;
                (void) snprintf(d->reason, sizeof d->reason, "message is not a JSON object");
        }
        if (d->compact_pending)
                decoder_compact(d);
        if (!j)
                return -EBADMSG;
        *ret = j;
        return 1;
}

const char *
varlink_decoder_error(const struct varlink_decoder *d)
{
        return d->reason;
}

size_t
varlink_decoder_buffered(const struct varlink_decoder *d)
{
        return d->len - d->start;
}

/* --- names --------------------------------------------------------------- */

static bool
is_alpha(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_alnum(char c)
{
        return is_alpha(c) || (c >= '0' && c <= '9');
}

/* The Varlink interface grammar, for @len bytes at @s:
 *   [A-Za-z](-*[A-Za-z0-9])* ( \. [A-Za-z0-9](-*[A-Za-z0-9])* )+ */
static bool
interface_is_valid(const char *s, size_t len)
{
        size_t labels = 0;

        for (size_t i = 0; i < len;) {
                if (labels > 0) {
                        if (s[i] != '.')
                                return false;
                        i++;
                }
                if (i >= len || !(labels == 0 ? is_alpha(s[i]) : is_alnum(s[i])))
                        return false;
                for (i++; i < len && s[i] != '.'; i++)
                        if (!is_alnum(s[i]) && s[i] != '-')
                                return false;
                if (s[i - 1] == '-')
                        return false;
                labels++;
        }
        return labels >= 2;
}

bool
varlink_name_is_valid(const char *name)
{
        const char *dot = strrchr(name, '.');

        if (!dot || !(dot[1] >= 'A' && dot[1] <= 'Z'))
                return false;
        for (const char *p = dot + 2; *p; p++)
                if (!is_alnum(*p))
                        return false;
        return interface_is_valid(name, (size_t) (dot - name));
}

/* --- parsing ------------------------------------------------------------- */

/* Stores in *ret a new reference to the "parameters" member of @msg, or
 * to a new empty object if it is absent or null. Returns 0, -EBADMSG with
 * *reterr set if it is not an object, or -ENOMEM. */
static int
get_parameters(json_t *msg, json_t **ret, const char **reterr)
{
        json_t *p = json_object_get(msg, "parameters");

        if (p && !json_is_null(p)) {
                if (!json_is_object(p)) {
                        *reterr = "\"parameters\" must be an object";
                        return -EBADMSG;
                }
                *ret = json_incref(p);
                return 0;
        }
        p = json_object();
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

/* Reads the optional boolean @key of @msg into *ret. */
static int
get_bool(json_t *msg, const char *key, bool *ret)
{
        json_t *v = json_object_get(msg, key);

        if (!v) {
                *ret = false;
                return 0;
        }
        if (!json_is_boolean(v))
                return -EBADMSG;
        *ret = json_is_true(v);
        return 0;
}

void
varlink_call_done(struct varlink_call *c)
{
        json_decref(c->msg);
        json_decref(c->parameters);
        free(c->interface);
        *c = (struct varlink_call) {};
}

int
varlink_parse_call(json_t *msg, struct varlink_call *ret, const char **reterr)
{
        static const char *const keys[] = { "method", "parameters", "more", "oneway", "upgrade" };
        const char *reason = NULL, *key, *method, *dot;
        struct varlink_call c = {};
        json_t *v, *params;
        int r;

        if (!reterr)
                reterr = &reason;
        if (!json_is_object(msg)) {
                *reterr = "a call must be a JSON object";
                return -EBADMSG;
        }
        json_object_foreach(msg, key, v) {
                bool known = false;

                for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                        known = known || strcmp(key, keys[i]) == 0;
                if (!known) {
                        *reterr = "unknown key in call";
                        return -EBADMSG;
                }
        }

        v = json_object_get(msg, "method");
        if (!v) {
                *reterr = "\"method\" is missing";
                return -EBADMSG;
        }
        method = json_string_value(v);
        if (!method) {
                *reterr = "\"method\" must be a string";
                return -EBADMSG;
        }
        /* A NUL inside the string would hide the rest from C code. */
        if (strlen(method) != json_string_length(v) || !varlink_name_is_valid(method)) {
                *reterr = "\"method\" must be of the form interface.Method";
                return -EBADMSG;
        }
        if (get_bool(msg, "more", &c.more) < 0 || get_bool(msg, "oneway", &c.oneway) < 0 ||
            get_bool(msg, "upgrade", &c.upgrade) < 0) {
                *reterr = "\"more\", \"oneway\" and \"upgrade\" must be booleans";
                return -EBADMSG;
        }
        /* A oneway call gets no reply, so it cannot ask for several. */
        if (c.more && c.oneway) {
                *reterr = "\"more\" and \"oneway\" exclude each other";
                return -EBADMSG;
        }

        r = get_parameters(msg, &params, reterr);
        if (r < 0)
                return r;
        dot = strrchr(method, '.');
        c.interface = strndup(method, (size_t) (dot - method));
        if (!c.interface) {
                json_decref(params);
                return -ENOMEM;
        }
        c.msg = json_incref(msg);
        c.method = method;
        c.member = dot + 1;
        c.parameters = params;
        *ret = c;
        return 0;
}

void
varlink_reply_done(struct varlink_reply *r)
{
        json_decref(r->msg);
        json_decref(r->parameters);
        *r = (struct varlink_reply) {};
}

int
varlink_parse_reply(json_t *msg, struct varlink_reply *ret, const char **reterr)
{
        const char *reason = NULL, *key, *error = NULL;
        bool continues;
        json_t *v, *params;
        int r;

        if (!reterr)
                reterr = &reason;
        if (!json_is_object(msg)) {
                *reterr = "a reply must be a JSON object";
                return -EBADMSG;
        }
        json_object_foreach(msg, key, v)
                if (strcmp(key, "error") != 0 && strcmp(key, "parameters") != 0 &&
                    strcmp(key, "continues") != 0) {
                        *reterr = "unknown key in reply";
                        return -EBADMSG;
                }

        v = json_object_get(msg, "error");
        if (v) {
                error = json_string_value(v);
                if (!error || strlen(error) != json_string_length(v) ||
                    !varlink_name_is_valid(error)) {
                        *reterr = "\"error\" must be a string of the form interface.Error";
                        return -EBADMSG;
                }
        }
        if (get_bool(msg, "continues", &continues) < 0) {
                *reterr = "\"continues\" must be a boolean";
                return -EBADMSG;
        }
        if (error && continues) {
                *reterr = "an error reply cannot continue";
                return -EBADMSG;
        }

        r = get_parameters(msg, &params, reterr);
        if (r < 0)
                return r;
        *ret = (struct varlink_reply) {
                .msg = json_incref(msg),
                .error = error,
                .parameters = params,
                .continues = continues,
        };
        return 0;
}

/* --- building ------------------------------------------------------------ */

/* Sets "parameters" in @msg to @parameters (NULL: {}). Steals both;
 * returns @msg, or NULL after releasing both. */
static json_t *
with_parameters(json_t *msg, json_t *parameters)
{
        if (!parameters)
                parameters = json_object();
        if (!msg || !parameters) {
                json_decref(msg);
                json_decref(parameters);
                return NULL;
        }
        /* json_object_set_new() releases @parameters even when it fails. */
        if (json_object_set_new(msg, "parameters", parameters) < 0) {
                json_decref(msg);
                return NULL;
        }
        return msg;
}

/* Sets @key of @msg to @value; steals both, returns @msg or NULL. */
static json_t *
with(json_t *msg, const char *key, json_t *value)
{
        if (!msg) {
                json_decref(value);
                return NULL;
        }
        if (json_object_set_new(msg, key, value) < 0) {
                json_decref(msg);
                return NULL;
        }
        return msg;
}

json_t *
varlink_reply(json_t *parameters, bool continues)
{
        json_t *m = json_object();

        if (continues)
                m = with(m, "continues", json_true());
        return with_parameters(m, parameters);
}

json_t *
varlink_error(const char *error_name, json_t *parameters)
{
        return with_parameters(with(json_object(), "error", json_string(error_name)), parameters);
}

static json_t *
error_with(const char *error_name, const char *key, const char *value)
{
        return varlink_error(error_name, json_pack("{s:s}", key, value));
}

json_t *
varlink_error_method_not_found(const char *method)
{
        return error_with(VARLINK_ERROR_METHOD_NOT_FOUND, "method", method);
}

json_t *
varlink_error_interface_not_found(const char *interface)
{
        return error_with(VARLINK_ERROR_INTERFACE_NOT_FOUND, "interface", interface);
}

json_t *
varlink_error_invalid_parameter(const char *parameter)
{
        return error_with(VARLINK_ERROR_INVALID_PARAMETER, "parameter", parameter);
}

json_t *
varlink_call_new(const char *method, json_t *parameters, bool more)
{
        json_t *m = with(json_object(), "method", json_string(method));

        m = with_parameters(m, parameters);
        if (more)
                m = with(m, "more", json_true());
        return m;
}

/* --- encoding ------------------------------------------------------------ */

void
varlink_buf_done(struct varlink_buf *b)
{
        free(b->mem);
        *b = (struct varlink_buf) {};
}

/* A partial write moves data forward instead of moving the bytes: a 25 MB
 * reply goes out in hundreds of writes, and moving the rest after each
 * one made that quadratic. */
void
varlink_buf_consume(struct varlink_buf *b, size_t n)
{
        if (n >= b->len) {
                b->data = b->mem;
                b->len = 0;
                return;
        }
        b->data += n;
        b->len -= n;
}

/* Room for @n more bytes after the pending ones. The written bytes before
 * data are reclaimed only when they are at least as many as the pending
 * ones, so that each byte is moved at most once per byte written out. */
static int
buf_reserve(struct varlink_buf *b, size_t n)
{
        size_t off = (size_t) (b->data - b->mem), cap;
        char *p;

        if (n < b->cap - off - b->len)
                return 0;
        if (off > 0 && off >= b->len) {
                memmove(b->mem, b->data, b->len);
                b->data = b->mem;
                off = 0;
                if (n < b->cap - b->len)
                        return 0;
        }
        cap = MAX(b->cap, (size_t) 4096);
        while (cap - off - b->len <= n)
                cap *= 2;
        p = realloc(b->mem, cap);
        if (!p)
                return -ENOMEM;
        b->mem = p;
        b->data = p + off;
        b->cap = cap;
        return 0;
}

static void
buf_put(struct varlink_buf *b, const char *s, size_t n)
{
        memcpy(b->data + b->len, s, n);
        b->len += n;
}

int
varlink_encode(json_t *msg, struct varlink_buf *out)
{
        return varlink_encode_max(msg, out, VARLINK_REPLY_MAX);
}

struct dump_state {
        struct varlink_buf *out;
        size_t written, max;
        int error;
};

static int
dump_chunk(const char *buffer, size_t size, void *userdata)
{
        struct dump_state *st = userdata;

        if (size > st->max - st->written) {
                st->error = -EMSGSIZE;
                return -1;
        }
        if (buf_reserve(st->out, size + 1) < 0) {
                st->error = -ENOMEM;
                return -1;
        }
        buf_put(st->out, buffer, size);
        st->written += size;
        return 0;
}

int
varlink_encode_max(json_t *msg, struct varlink_buf *out, size_t max)
{
        struct dump_state st = { .out = out, .max = max };
        size_t start;

        if (!json_is_object(msg))
                return -EINVAL;
        if (buf_reserve(out, 1) < 0)
                return -ENOMEM;
        /* One pass straight into the buffer; on failure the partial
         * message is cut off again. */
        start = out->len;
        if (json_dump_callback(msg, dump_chunk, &st, JSON_COMPACT) < 0 || buf_reserve(out, 1) < 0) {
                out->len = start;
                /* jansson also fails on what it cannot encode (a NaN, say). */
                return st.error ? st.error : -ENOMEM;
        }
        buf_put(out, "", 1);
        return 0;
}

int
varlink_encode_reply_text(const char *params, size_t len, struct varlink_buf *out)
{
        static const char head[] = "{\"parameters\":";

        if (len > VARLINK_REPLY_MAX - (sizeof head - 1) - 1)
                return -EMSGSIZE;
        if (buf_reserve(out, sizeof head - 1 + len + 2) < 0)
                return -ENOMEM;
        buf_put(out, head, sizeof head - 1);
        buf_put(out, params, len);
        buf_put(out, "}", 2);           /* with the NUL */
        return 0;
}

int
varlink_buf_put_message(struct varlink_buf *out, char *msg, size_t len)
{
        _cleanup_free_ char *m = msg;

        if (len > VARLINK_REPLY_MAX - 1)
                return -EMSGSIZE;
        m[len] = 0;
        if (out->len == 0) {
                free(out->mem);
                out->mem = out->data = TAKE_PTR(m);
                out->len = out->cap = len + 1;
                return 0;
        }
        if (buf_reserve(out, len + 1) < 0)
                return -ENOMEM;
        buf_put(out, m, len + 1);
        return 0;
}

int
varlink_buf_append(struct varlink_buf *out, const void *data, size_t len)
{
        if (len == 0)
                return 0;
        if (buf_reserve(out, len) < 0)
                return -ENOMEM;
        buf_put(out, data, len);
        return 0;
}
