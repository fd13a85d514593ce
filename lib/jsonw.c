/* jsonw.c - compact JSON text written straight into a buffer (jsonw.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "utf8.h"

void
jsonw_done(struct jsonw *w)
{
        free(w->data);
        *w = (struct jsonw) {};
}

char *
jsonw_steal(struct jsonw *w, size_t *ret_len)
{
        char *p = w->failed || !w->data ? NULL : w->data;

        if (p)
                p[w->len] = 0;          /* reserve() keeps room for it */
        if (p && ret_len)
                *ret_len = w->len;
        if (!p)
                free(w->data);
        *w = (struct jsonw) {};
        return p;
}

bool
jsonw_peek(const struct jsonw *w, const char **ret, size_t *ret_len)
{
        if (w->failed)
                return false;
        *ret = w->data ? w->data : "";
        *ret_len = w->len;
        return true;
}

void
jsonw_clear(struct jsonw *w)
{
        w->len = 0;
}

/* Room for @n more bytes and the NUL: the growing half of reserve(). */
static bool __attribute__((noinline))
grow(struct jsonw *w, size_t n)
{
        size_t cap;
        char *p;

        if (w->failed)
                return false;
        cap = w->cap ? w->cap : 4096;
        while (cap - w->len <= n) {
                if (cap > SIZE_MAX / 2) {
                        w->failed = true;
                        return false;
                }
                cap *= 2;
        }
        p = realloc(w->data, cap);
        if (!p) {
                w->failed = true;
                return false;
        }
        w->data = p;
        w->cap = cap;
        return true;
}

/* Room for @n more bytes and the NUL. Once the writer has failed, what
 * still fits may be written, harmlessly: jsonw_steal() throws it away. */
static inline bool
reserve(struct jsonw *w, size_t n)
{
        return w->cap - w->len > n || grow(w, n);
}

static inline void
put(struct jsonw *w, const char *s, size_t n)
{
        if (!reserve(w, n))
                return;
        memcpy(w->data + w->len, s, n);
        w->len += n;
}

/* Before any value: the comma that separates it from the one before. */
static void
value_begin(struct jsonw *w)
{
        if (w->after_key) {
                w->after_key = false;
                return;
        }
        if (w->nonempty & (UINT32_C(1) << w->depth))
                put(w, ",", 1);
        w->nonempty |= UINT32_C(1) << w->depth;
}

static void
container_begin(struct jsonw *w, char c)
{
        value_begin(w);
        if (w->depth + 1 >= JSONW_DEPTH_MAX) {
                w->failed = true;
                return;
        }
        put(w, &c, 1);
        w->depth++;
        w->nonempty &= ~(UINT32_C(1) << w->depth);
}

static void
container_end(struct jsonw *w, char c)
{
        if (w->depth == 0) {
                w->failed = true;       /* more ends than begins: a caller's bug */
                return;
        }
        w->depth--;
        put(w, &c, 1);
}

void
jsonw_object_begin(struct jsonw *w)
{
        container_begin(w, '{');
}

void
jsonw_object_end(struct jsonw *w)
{
        container_end(w, '}');
}

void
jsonw_array_begin(struct jsonw *w)
{
        container_begin(w, '[');
}

void
jsonw_array_end(struct jsonw *w)
{
        container_end(w, ']');
}

/* Bytes that go into a JSON string as they are, without a closer look. */
static bool
plain_ascii(unsigned char c)
{
        return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

static void
put_escaped(struct jsonw *w, const char *str)
{
        const unsigned char *s = (const unsigned char *) str;
        size_t n = strlen(str), i = 0;

        /* Most strings (every key, ids, schedules, zones) need no escape:
         * one check, one copy. */
        while (i < n && plain_ascii(s[i]))
                i++;
        if (i == n && reserve(w, n + 2)) {
                char *o = w->data + w->len;
                o[0] = '"';
                memcpy(o + 1, str, n);
                o[n + 1] = '"';
                w->len += n + 2;
                return;
        }
        i = 0;
        put(w, "\"", 1);
        while (i < n && !w->failed) {
                size_t run = i, k;
                char esc[8];

                /* Copy the longest stretch that needs no escape in one go. */
                for (;;) {
                        while (run < n && plain_ascii(s[run]))
                                run++;
                        if (run >= n || s[run] < 0x80 || (k = utf8_sequence_length(s + run, n - run)) == 0)
                                break;
                        run += k;
                }
                put(w, str + i, run - i);
                i = run;
                if (i >= n)
                        break;
                if (s[i] == '"' || s[i] == '\\') {
                        esc[0] = '\\', esc[1] = (char) s[i];
                        put(w, esc, 2);
                } else if (s[i] < 0x20) {
                        snprintf(esc, sizeof esc, "\\u%04x", s[i]);
                        put(w, esc, 6);
                } else
                        put(w, "\xef\xbf\xbd", 3);      /* not UTF-8: U+FFFD */
                i++;
        }
        put(w, "\"", 1);
}

void
jsonw_key(struct jsonw *w, const char *key)
{
        value_begin(w);
        put_escaped(w, key);
        put(w, ":", 1);
        w->after_key = true;
}

void
jsonw_key_plain(struct jsonw *w, const char *key, size_t len)
{
        char *o;

        value_begin(w);
        if (!reserve(w, len + 3))
                return;
        o = w->data + w->len;
        o[0] = '"';
        memcpy(o + 1, key, len);
        o[len + 1] = '"';
        o[len + 2] = ':';
        w->len += len + 3;
        w->after_key = true;
}

void
jsonw_string(struct jsonw *w, const char *s)
{
        if (!s) {
                jsonw_null(w);
                return;
        }
        value_begin(w);
        put_escaped(w, s);
}

void
jsonw_int(struct jsonw *w, int64_t v)
{
        /* By hand: snprintf() was a tenth of a List's time. */
        char buf[24], *p = buf + sizeof buf;
        uint64_t u = v < 0 ? 0 - (uint64_t) v : (uint64_t) v;

        do {
                *--p = (char) ('0' + u % 10);
                u /= 10;
        } while (u);
        if (v < 0)
                *--p = '-';
        value_begin(w);
        put(w, p, (size_t) (buf + sizeof buf - p));
}

void
jsonw_bool(struct jsonw *w, bool v)
{
        value_begin(w);
        if (v)
                put(w, "true", 4);
        else
                put(w, "false", 5);
}

void
jsonw_null(struct jsonw *w)
{
        value_begin(w);
        put(w, "null", 4);
}
