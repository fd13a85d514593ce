/* jsonscan.c - a strict pull scanner over JSON text (jsonscan.h).
 *
 * A small state machine: @want says what the grammar allows next, the
 * depth and a bit per level (object or array) say what closes what. */
#include <errno.h>
#include <string.h>

#include "jsonscan.h"
#include "utf8.h"

enum want {
        WANT_VALUE,             /* the top-level value, after ':' or after ',' in an array */
        WANT_VALUE_OR_END,      /* just after '[' */
        WANT_KEY_OR_END,        /* just after '{' */
        WANT_KEY,               /* after ',' in an object */
        WANT_COLON,             /* after a key */
        WANT_COMMA_OR_END,      /* after a value inside a container */
        WANT_EOF,               /* after the top-level value */
        WANT_NOTHING,           /* an error was found */
};

void
json_scan_init(struct json_scan *s, const char *text, size_t len)
{
        *s = (struct json_scan) { .p = text, .end = text + len, .start = text, .want = WANT_VALUE };
}

static enum json_token
fail(struct json_scan *s, const char *why)
{
        if (s->want != WANT_NOTHING) {
                s->error = why;
                s->error_offset = (size_t) (s->p - s->start);
                s->want = WANT_NOTHING;
        }
        return JSON_TOK_ERROR;
}

static bool
top_is_object(const struct json_scan *s)
{
        return s->in_object >> (s->depth - 1) & 1;
}

static void
after_value(struct json_scan *s)
{
        s->want = s->depth == 0 ? WANT_EOF : WANT_COMMA_OR_END;
}

static enum json_token
open_container(struct json_scan *s, bool object)
{
        if (s->depth >= JSON_SCAN_DEPTH_MAX)
                return fail(s, "nested too deeply");
        s->p++;
        s->depth++;
        if (object)
                s->in_object |= UINT64_C(1) << (s->depth - 1);
        else
                s->in_object &= ~(UINT64_C(1) << (s->depth - 1));
        s->want = object ? WANT_KEY_OR_END : WANT_VALUE_OR_END;
        return object ? JSON_TOK_OBJECT_BEGIN : JSON_TOK_ARRAY_BEGIN;
}

static enum json_token
close_container(struct json_scan *s)
{
        bool object = top_is_object(s);

        s->p++;
        s->depth--;
        after_value(s);
        return object ? JSON_TOK_OBJECT_END : JSON_TOK_ARRAY_END;
}

static int
hex4(const char *p, const char *end, unsigned *ret)
{
        unsigned v = 0;

        if (end - p < 4)
                return -1;
        for (int i = 0; i < 4; i++) {
                char c = p[i];
                v <<= 4;
                if (c >= '0' && c <= '9')
                        v |= (unsigned) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        v |= (unsigned) (c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        v |= (unsigned) (c - 'A' + 10);
                else
                        return -1;
        }
        *ret = v;
        return 0;
}

static int
string_fail(struct json_scan *s, const char *why)
{
        fail(s, why);
        return -1;
}

/* How many of the 8 bytes at @p go into a string as they are, before the
 * first that needs a look: '"', '\\', a control character or a byte
 * beyond ASCII. The classic bit tricks: a byte's high bit in @m is set if
 * that byte is zero after the XOR, or below 0x20, or is itself high; the
 * lowest flag is exact (false ones appear only above a true one). */
static unsigned
plain_prefix8(const char *p)
{
        const uint64_t ones = UINT64_C(0x0101010101010101), high = UINT64_C(0x8080808080808080);
        uint64_t v, quote, backslash, m;

        memcpy(&v, p, sizeof v);
        quote = v ^ (ones * '"');
        backslash = v ^ (ones * '\\');
        m = ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) | ((v - ones * 0x20) & ~v) | v;
        m &= high;
        if (m == 0)
                return 8;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        return (unsigned) __builtin_ctzll(m) / 8;
#else
        return (unsigned) __builtin_clzll(m) / 8;
#endif
}

/* At '"': checks the string and makes it the current token. */
static int
scan_string(struct json_scan *s)
{
        const char *p = s->p + 1;

        s->tok_escaped = false;
        while (p < s->end && *p != '"') {
                unsigned char c;

                /* Eight bytes at a time to the next that needs a look:
                 * the strings of a List reply are most of its 25 MB. */
                while (s->end - p >= 8) {
                        unsigned k = plain_prefix8(p);
                        p += k;
                        if (k < 8)
                                break;
                }
                if (p >= s->end || *p == '"')
                        break;
                c = (unsigned char) *p;
                if (c < 0x20) {
                        s->p = p;
                        return string_fail(s, "a control character in a string");
                }
                if (c == '\\') {
                        unsigned cp, lo;
                        s->tok_escaped = true;
                        if (++p >= s->end)
                                break;
                        if (*p && strchr("\"\\/bfnrt", *p)) {
                                p++;
                                continue;
                        }
                        if (*p != 'u' || hex4(p + 1, s->end, &cp) < 0) {
                                s->p = p;
                                return string_fail(s, "a bad escape in a string");
                        }
                        p += 5;
                        if (cp >= 0xd800 && cp <= 0xdbff) {
                                /* A high surrogate needs its low half next. */
                                if (s->end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, s->end, &lo) < 0 ||
                                    lo < 0xdc00 || lo > 0xdfff) {
                                        s->p = p;
                                        return string_fail(s, "a lone UTF-16 surrogate in a string");
                                }
                                p += 6;
                        } else if ((cp >= 0xdc00 && cp <= 0xdfff) || cp == 0) {
                                s->p = p;
                                return string_fail(s, cp ? "a lone UTF-16 surrogate in a string"
                                                  : "\\u0000 in a string");
                        }
                        continue;
                }
                if (c < 0x80) {
                        p++;
                        continue;
                }
                size_t k = utf8_sequence_length((const unsigned char *) p, (size_t) (s->end - p));
                if (k == 0) {
                        s->p = p;
                        return string_fail(s, "a string that is not UTF-8");
                }
                p += k;
        }
        if (p >= s->end) {
                s->p = p;
                return string_fail(s, "a string without its closing quote");
        }
        s->tok = s->p + 1;
        s->tok_len = (size_t) (p - s->tok);
        s->p = p + 1;
        return 0;
}

static bool
is_digit(char c)
{
        return c >= '0' && c <= '9';
}

static enum json_token
scan_number(struct json_scan *s)
{
        const char *p = s->p;

        if (p < s->end && *p == '-')
                p++;
        if (p < s->end && *p == '0')
                p++;
        else if (p < s->end && is_digit(*p))
                while (p < s->end && is_digit(*p))
                        p++;
        else
                return fail(s, "a bad number");
        if (p < s->end && *p == '.') {
                if (++p >= s->end || !is_digit(*p))
                        return fail(s, "a bad number");
                while (p < s->end && is_digit(*p))
                        p++;
        }
        if (p < s->end && (*p == 'e' || *p == 'E')) {
                p++;
                if (p < s->end && (*p == '+' || *p == '-'))
                        p++;
                if (p >= s->end || !is_digit(*p))
                        return fail(s, "a bad number");
                while (p < s->end && is_digit(*p))
                        p++;
        }
        s->tok = s->p;
        s->tok_len = (size_t) (p - s->p);
        s->p = p;
        after_value(s);
        return JSON_TOK_NUMBER;
}

static enum json_token
scan_literal(struct json_scan *s, const char *word, enum json_token t)
{
        size_t n = strlen(word);

        if ((size_t) (s->end - s->p) < n || memcmp(s->p, word, n) != 0)
                return fail(s, "an unknown word");
        s->tok = s->p;
        s->tok_len = n;
        s->p += n;
        after_value(s);
        return t;
}

static enum json_token
scan_value(struct json_scan *s)
{
        switch (*s->p) {
        case '{':
                return open_container(s, true);
        case '[':
                return open_container(s, false);
        case '"':
                if (scan_string(s) < 0)
                        return JSON_TOK_ERROR;
                after_value(s);
                return JSON_TOK_STRING;
        case 't':
                return scan_literal(s, "true", JSON_TOK_TRUE);
        case 'f':
                return scan_literal(s, "false", JSON_TOK_FALSE);
        case 'n':
                return scan_literal(s, "null", JSON_TOK_NULL);
        default:
                if (*s->p == '-' || is_digit(*s->p))
                        return scan_number(s);
                return fail(s, "expected a value");
        }
}

enum json_token
json_scan_next(struct json_scan *s)
{
        for (;;) {
                while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
                        s->p++;
                if (s->want == WANT_NOTHING)
                        return JSON_TOK_ERROR;
                if (s->want == WANT_EOF)
                        return s->p == s->end ? JSON_TOK_END : fail(s, "more text after the value");
                if (s->p == s->end)
                        return fail(s, "the text ends early");

                switch (s->want) {
                case WANT_COMMA_OR_END:
                        if (*s->p == ',') {
                                s->p++;
                                s->want = top_is_object(s) ? WANT_KEY : WANT_VALUE;
                                continue;
                        }
                        if (*s->p == (top_is_object(s) ? '}' : ']'))
                                return close_container(s);
                        return fail(s, top_is_object(s) ? "expected ',' or '}'" : "expected ',' or ']'");
                case WANT_COLON:
                        if (*s->p != ':')
                                return fail(s, "expected ':'");
                        s->p++;
                        s->want = WANT_VALUE;
                        continue;
                case WANT_KEY_OR_END:
                        if (*s->p == '}')
                                return close_container(s);
                        __attribute__((fallthrough));
                case WANT_KEY:
                        if (*s->p != '"')
                                return fail(s, "expected a member name");
                        if (scan_string(s) < 0)
                                return JSON_TOK_ERROR;
                        s->want = WANT_COLON;
                        return JSON_TOK_KEY;
                case WANT_VALUE_OR_END:
                        if (*s->p == ']')
                                return close_container(s);
                        __attribute__((fallthrough));
                default:
                        return scan_value(s);
                }
        }
}

int
json_scan_skip(struct json_scan *s)
{
        unsigned depth;

        if (s->want != WANT_KEY_OR_END && s->want != WANT_VALUE_OR_END)
                return s->want == WANT_NOTHING ? -EINVAL : 0;
        /* Just inside a container: scan until the depth falls below it. */
        depth = s->depth;
        while (s->depth >= depth)
                if (json_scan_next(s) == JSON_TOK_ERROR)
                        return -EINVAL;
        return 0;
}

/* Decodes the current string's escapes into @buf, as json_scan_string(). */
static size_t
unescape(const struct json_scan *s, char *buf, size_t size)
{
        const char *p = s->tok, *end = s->tok + s->tok_len;
        size_t n = 0;

        while (p < end) {
                char tmp[4];
                const char *piece = p;
                size_t len = 1;

                if (*p != '\\') {
                        const char *q = memchr(p, '\\', (size_t) (end - p));
                        len = (size_t) ((q ? q : end) - p);
                        p += len;
                } else {
                        unsigned cp = 0, lo;
                        p++;
                        switch (*p) {
                        case 'b': tmp[0] = '\b'; break;
                        case 'f': tmp[0] = '\f'; break;
                        case 'n': tmp[0] = '\n'; break;
                        case 'r': tmp[0] = '\r'; break;
                        case 't': tmp[0] = '\t'; break;
                        case 'u':
                                (void) hex4(p + 1, end, &cp);
                                p += 4;
                                if (cp >= 0xd800 && cp <= 0xdbff) {
                                        (void) hex4(p + 3, end, &lo);
                                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                                        p += 6;
                                }
                                len = utf8_encode(cp, tmp);
                                break;
                        default: tmp[0] = *p; break;   /* " \ / */
                        }
                        p++;
                        piece = tmp;
                }
                if (n < size) {
                        size_t room = size - 1 - n < len ? size - 1 - n : len;
                        memcpy(buf + n, piece, room);
                }
                n += len;
        }
        if (size)
                buf[n < size ? n : size - 1] = 0;
        return n;
}

size_t
json_scan_string(const struct json_scan *s, char *buf, size_t size)
{
        if (!s->tok_escaped) {
                if (size) {
                        size_t room = s->tok_len < size ? s->tok_len : size - 1;
                        memcpy(buf, s->tok, room);
                        buf[room] = 0;
                }
                return s->tok_len;
        }
        return unescape(s, buf, size);
}

bool
json_scan_string_is(const struct json_scan *s, const char *lit)
{
        char buf[256];
        size_t n;

        if (!s->tok_escaped)    /* no strlen(): List compares every key with several names */
                return strncmp(s->tok, lit, s->tok_len) == 0 && lit[s->tok_len] == 0;
        n = strlen(lit);
        if (n >= sizeof buf)
                return false;
        return json_scan_string(s, buf, sizeof buf) == n && memcmp(buf, lit, n) == 0;
}

bool
json_scan_int(const struct json_scan *s, int64_t *ret)
{
        const char *p = s->tok, *end = s->tok + s->tok_len;
        bool neg = p < end && *p == '-';
        uint64_t v = 0, limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;

        p += neg;
        if (p == end)
                return false;
        for (; p < end; p++) {
                if (!is_digit(*p))
                        return false;   /* a fraction or an exponent */
                if (v > (limit - (uint64_t) (*p - '0')) / 10)
                        return false;
                v = v * 10 + (uint64_t) (*p - '0');
        }
        *ret = neg ? (int64_t) (0 - v) : (int64_t) v;
        return true;
}
