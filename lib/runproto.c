/* runproto.c - encoding and decoding of runner frames (runproto.h).
 *
 * Pure: bytes in, bytes out. The encoder measures a frame before it writes
 * it, so an oversized frame appends nothing. The decoder checks every
 * length against the bytes that remain, so a malformed or hostile frame is
 * -EBADMSG and never a read past the buffer; it also refuses trailing
 * bytes, flags other than 0 and 1, unknown enum values and strings with an
 * embedded NUL. A NULL string is encoded with a byte count of 0 (a present
 * string always counts its NUL, so the two cannot be confused). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "runproto.h"

static const char *const stage_names[_RP_STAGE_MAX] = {
        [RP_STAGE_NONE] = "start",
        [RP_STAGE_PIPE] = "create the output pipe",
        [RP_STAGE_OUTPUT] = "open the output file",
        [RP_STAGE_FORK] = "start a process",
        [RP_STAGE_SETSID] = "create a session",
        [RP_STAGE_SIGNALS] = "reset signals",
        [RP_STAGE_GROUPS] = "set supplementary groups",
        [RP_STAGE_GID] = "set group id",
        [RP_STAGE_UID] = "set user id",
        [RP_STAGE_NO_NEW_PRIVS] = "set no_new_privs",
        [RP_STAGE_CHDIR] = "change directory",
        [RP_STAGE_FDS] = "set up file descriptors",
        [RP_STAGE_EXEC] = "execute",
};

const char *
rp_stage_to_string(enum rp_stage s)
{
        return s >= 0 && s < _RP_STAGE_MAX ? stage_names[s] : NULL;
}

/* --- output buffer --------------------------------------------------- */

void
rp_buf_done(struct rp_buf *b)
{
        free(b->data);
        *b = (struct rp_buf) {};
}

void
rp_buf_consume(struct rp_buf *b, size_t n)
{
        if (n >= b->len) {
                b->len = 0;
                return;
        }
        memmove(b->data, b->data + n, b->len - n);
        b->len -= n;
}

static int
buf_reserve(struct rp_buf *b, size_t extra)
{
        size_t need, cap;
        uint8_t *p;

        if (extra > SIZE_MAX - b->len)
                return -ENOMEM;
        need = b->len + extra;
        if (need <= b->cap)
                return 0;
        cap = b->cap ? b->cap : 256;
        while (cap < need)
                cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        p = realloc(b->data, cap);
        if (!p)
                return -ENOMEM;
        b->data = p;
        b->cap = cap;
        return 0;
}

/* --- encoder ----------------------------------------------------------
 *
 * Each body_*() function is run twice over a struct writer: first with
 * out == NULL, which only counts bytes, then for real into reserved
 * space. One description of each payload serves both passes. */

struct writer {
        uint8_t *out;           /* NULL: measuring pass */
        size_t n;               /* bytes counted or written so far */
        bool overflow;          /* a count did not fit in u32, or the frame in RP_FRAME_MAX */
};

static void
put_bytes(struct writer *w, const void *p, size_t n)
{
        if (n > RP_FRAME_MAX || w->n > RP_FRAME_MAX)
                w->overflow = true;
        if (w->overflow)
                return;
        if (w->out && n > 0)
                memcpy(w->out + w->n, p, n);
        w->n += n;
}

static void
put_u8(struct writer *w, uint8_t v)
{
        put_bytes(w, &v, 1);
}

static void
put_u16(struct writer *w, uint16_t v)
{
        uint8_t b[2] = { v & 0xff, v >> 8 };
        put_bytes(w, b, sizeof b);
}

static void
put_u32(struct writer *w, uint32_t v)
{
        uint8_t b[4];
        for (int i = 0; i < 4; i++)
                b[i] = (uint8_t) (v >> (8 * i));
        put_bytes(w, b, sizeof b);
}

static void
put_u64(struct writer *w, uint64_t v)
{
        uint8_t b[8];
        for (int i = 0; i < 8; i++)
                b[i] = (uint8_t) (v >> (8 * i));
        put_bytes(w, b, sizeof b);
}

static void
put_bool(struct writer *w, bool v)
{
        put_u8(w, v ? 1 : 0);
}

static void
put_count(struct writer *w, size_t n)
{
        if (n > UINT32_MAX)
                w->overflow = true;
        put_u32(w, (uint32_t) n);
}

static void
put_str(struct writer *w, const char *s)
{
        size_t n;

        if (!s) {
                put_u32(w, 0);
                return;
        }
        n = strlen(s) + 1;
        put_count(w, n);
        put_bytes(w, s, n);
}

static void
put_strv(struct writer *w, char *const *v)
{
        size_t n = 0;

        while (v && v[n])
                n++;
        put_count(w, n);
        for (size_t i = 0; i < n; i++)
                put_str(w, v[i]);
}

static void
put_data(struct writer *w, const void *p, size_t n)
{
        put_count(w, n);
        put_bytes(w, p, n);
}

typedef void (*body_fn)(struct writer *w, const void *m);

static int
encode(struct rp_buf *b, enum rp_type type, body_fn body, const void *m)
{
        struct writer w = {};
        size_t start = b->len;
        int r;

        /* Pass 1: measure. */
        put_u32(&w, 0);
        put_u16(&w, (uint16_t) type);
        put_u16(&w, 0);
        if (body)
                body(&w, m);
        if (w.overflow || w.n > RP_FRAME_MAX)
                return -EMSGSIZE;

        r = buf_reserve(b, w.n);
        if (r < 0)
                return r;

        /* Pass 2: write. */
        w = (struct writer) { .out = b->data + start };
        put_u32(&w, 0);
        put_u16(&w, (uint16_t) type);
        put_u16(&w, 0);
        if (body)
                body(&w, m);
        /* Now the length is known for sure: patch it in. */
        {
                struct writer h = { .out = b->data + start };
                put_u32(&h, (uint32_t) w.n);
        }
        b->len = start + w.n;
        return 0;
}

static void
body_hello(struct writer *w, const void *p)
{
        const struct rp_hello *m = p;
        put_u32(w, m->version);
        put_u32(w, m->pid);
        put_str(w, m->software);
}

static void
body_spawn(struct writer *w, const void *p)
{
        const struct rp_spawn *m = p;
        put_u64(w, m->run_id);
        put_str(w, m->job_id);
        put_strv(w, m->argv);
        put_strv(w, m->envp);
        put_bool(w, m->path_search);
        put_u32(w, m->uid);
        put_u32(w, m->gid);
        put_count(w, m->n_groups);
        for (uint32_t i = 0; i < m->n_groups; i++)
                put_u32(w, m->groups[i]);
        put_str(w, m->directory);
        put_u8(w, m->output);
        put_str(w, m->output_path);
        put_u64(w, m->timeout_usec);
        put_u64(w, m->kill_grace_usec);
        put_u32(w, m->output_limit);
        put_bool(w, m->no_new_privs);
        put_u64(w, m->start_at_usec);
}

static void
body_u64(struct writer *w, const void *p)
{
        /* rp_stop, rp_stop_all and rp_ack are each one u64. */
        put_u64(w, *(const uint64_t *) p);
}

static void
body_started(struct writer *w, const void *p)
{
        const struct rp_started *m = p;
        put_u64(w, m->seq);
        put_u64(w, m->run_id);
        put_u32(w, m->pid);
        put_u64(w, m->start_usec);
}

static void
body_spawn_failed(struct writer *w, const void *p)
{
        const struct rp_spawn_failed *m = p;
        put_u64(w, m->seq);
        put_u64(w, m->run_id);
        put_u8(w, m->stage);
        put_u32(w, (uint32_t) m->error);
        put_u64(w, m->time_usec);
}

static void
body_exited(struct writer *w, const void *p)
{
        const struct rp_exited *m = p;
        put_u64(w, m->seq);
        put_u64(w, m->run_id);
        put_u64(w, m->end_usec);
        put_u32(w, (uint32_t) m->code);
        put_u32(w, (uint32_t) m->status);
        put_bool(w, m->timed_out);
        put_bool(w, m->stopped);
        put_u64(w, m->utime_usec);
        put_u64(w, m->stime_usec);
        put_u64(w, m->maxrss_kib);
        put_u64(w, m->output_bytes);
        put_data(w, m->output, m->output_len);
}

int
rp_encode_hello(struct rp_buf *b, const struct rp_hello *m)
{
        return encode(b, RP_HELLO, body_hello, m);
}

int
rp_encode_spawn(struct rp_buf *b, const struct rp_spawn *m)
{
        return encode(b, RP_SPAWN, body_spawn, m);
}

int
rp_encode_stop(struct rp_buf *b, const struct rp_stop *m)
{
        return encode(b, RP_STOP, body_u64, &m->run_id);
}

int
rp_encode_stop_all(struct rp_buf *b, const struct rp_stop_all *m)
{
        return encode(b, RP_STOP_ALL, body_u64, &m->grace_usec);
}

int
rp_encode_ack(struct rp_buf *b, const struct rp_ack *m)
{
        return encode(b, RP_ACK, body_u64, &m->seq);
}

int
rp_encode_started(struct rp_buf *b, const struct rp_started *m)
{
        return encode(b, RP_STARTED, body_started, m);
}

int
rp_encode_spawn_failed(struct rp_buf *b, const struct rp_spawn_failed *m)
{
        return encode(b, RP_SPAWN_FAILED, body_spawn_failed, m);
}

int
rp_encode_exited(struct rp_buf *b, const struct rp_exited *m)
{
        return encode(b, RP_EXITED, body_exited, m);
}

int
rp_encode_empty(struct rp_buf *b, enum rp_type type)
{
        if (type != RP_BYE && type != RP_SYNC_DONE)
                return -EINVAL;
        return encode(b, type, NULL, NULL);
}

/* --- decoder --------------------------------------------------------- */

static uint32_t
le32(const uint8_t *p)
{
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

ssize_t
rp_frame_length(const uint8_t *data, size_t len)
{
        uint32_t n;

        if (len < 4)
                return 0;
        n = le32(data);
        if (n < RP_HEADER_SIZE || n > RP_FRAME_MAX)
                return -EBADMSG;
        return len >= n ? (ssize_t) n : 0;
}

/* A cursor over the payload. Every get_*() fails (sets bad and returns a
 * zero value) once fewer bytes remain than it needs; callers check bad
 * once at the end, because a failed get never reads anything. */
struct reader {
        const uint8_t *p;
        size_t left;
        bool bad;
};

static const uint8_t *
get_bytes(struct reader *r, size_t n)
{
        const uint8_t *p;

        if (r->bad || n > r->left) {
                r->bad = true;
                return NULL;
        }
        p = r->p;
        r->p += n;
        r->left -= n;
        return p;
}

static uint8_t
get_u8(struct reader *r)
{
        const uint8_t *p = get_bytes(r, 1);
        return p ? p[0] : 0;
}

static uint16_t
get_u16(struct reader *r)
{
        const uint8_t *p = get_bytes(r, 2);
        return p ? (uint16_t) (p[0] | p[1] << 8) : 0;
}

static uint32_t
get_u32(struct reader *r)
{
        const uint8_t *p = get_bytes(r, 4);
        return p ? le32(p) : 0;
}

static uint64_t
get_u64(struct reader *r)
{
        const uint8_t *p = get_bytes(r, 8);
        return p ? (uint64_t) le32(p) | (uint64_t) le32(p + 4) << 32 : 0;
}

static bool
get_bool(struct reader *r)
{
        uint8_t v = get_u8(r);
        if (v > 1)
                r->bad = true;
        return v == 1;
}

/* Returns NULL for an absent string (count 0) or on error (r->bad). */
static const char *
get_str(struct reader *r)
{
        uint32_t n = get_u32(r);
        const uint8_t *p;

        if (r->bad || n == 0)
                return NULL;
        p = get_bytes(r, n);
        if (!p)
                return NULL;
        /* Exactly one NUL, at the end. */
        if (memchr(p, 0, n) != p + n - 1) {
                r->bad = true;
                return NULL;
        }
        return (const char *) p;
}

static char **
get_strv(struct reader *r)
{
        uint32_t n = get_u32(r);
        char **v;

        /* Each element takes at least 5 bytes (count and NUL), so a count
         * beyond that is a lie; checking it first bounds the allocation. */
        if (r->bad || n > r->left / 5) {
                r->bad = true;
                return NULL;
        }
        v = calloc((size_t) n + 1, sizeof *v);
        if (!v)
                return NULL;
        for (uint32_t i = 0; i < n; i++) {
                const char *s = get_str(r);
                if (!s) {
                        r->bad = true;  /* an element may not be absent */
                        free(v);
                        return NULL;
                }
                /* The vector is char ** for execve(); nothing writes through it. */
                v[i] = (char *) s;
        }
        return v;
}

static int
decode_spawn(struct reader *r, struct rp_spawn *m)
{
        m->run_id = get_u64(r);
        m->job_id = get_str(r);
        m->argv = get_strv(r);
        if (!m->argv && !r->bad)
                return -ENOMEM;
        m->envp = get_strv(r);
        if (!m->envp && !r->bad)
                return -ENOMEM;
        m->path_search = get_bool(r);
        m->uid = get_u32(r);
        m->gid = get_u32(r);
        m->n_groups = get_u32(r);
        if (r->bad || m->n_groups > r->left / 4)
                return -EBADMSG;
        m->groups = calloc(m->n_groups ? m->n_groups : 1, sizeof *m->groups);
        if (!m->groups)
                return -ENOMEM;
        for (uint32_t i = 0; i < m->n_groups; i++)
                m->groups[i] = get_u32(r);
        m->directory = get_str(r);
        m->output = get_u8(r);
        m->output_path = get_str(r);
        m->timeout_usec = get_u64(r);
        m->kill_grace_usec = get_u64(r);
        m->output_limit = get_u32(r);
        m->no_new_privs = get_bool(r);
        m->start_at_usec = get_u64(r);
        if (r->bad)
                return -EBADMSG;
        if (!m->job_id || !m->argv[0] || !m->directory)
                return -EBADMSG;
        if (m->output > RP_OUTPUT_FILE || (m->output == RP_OUTPUT_FILE && !m->output_path))
                return -EBADMSG;
        return 0;
}

static int
decode_body(struct reader *r, struct rp_msg *m)
{
        switch (m->type) {
        case RP_HELLO:
                m->hello.version = get_u32(r);
                m->hello.pid = get_u32(r);
                m->hello.software = get_str(r);
                /* A later version may append fields to HELLO; what matters
                 * is that its version can always be read, so trailing
                 * bytes are allowed here and nowhere else. */
                r->left = 0;
                return r->bad ? -EBADMSG : 0;
        case RP_SPAWN:
                return decode_spawn(r, &m->spawn);
        case RP_STOP:
                m->stop.run_id = get_u64(r);
                return 0;
        case RP_STOP_ALL:
                m->stop_all.grace_usec = get_u64(r);
                return 0;
        case RP_ACK:
                m->ack.seq = get_u64(r);
                return 0;
        case RP_BYE:
        case RP_SYNC_DONE:
                return 0;
        case RP_STARTED:
                m->started.seq = get_u64(r);
                m->started.run_id = get_u64(r);
                m->started.pid = get_u32(r);
                m->started.start_usec = get_u64(r);
                return 0;
        case RP_SPAWN_FAILED:
                m->spawn_failed.seq = get_u64(r);
                m->spawn_failed.run_id = get_u64(r);
                m->spawn_failed.stage = get_u8(r);
                m->spawn_failed.error = (int32_t) get_u32(r);
                m->spawn_failed.time_usec = get_u64(r);
                if (m->spawn_failed.stage >= _RP_STAGE_MAX)
                        return -EBADMSG;
                return 0;
        case RP_EXITED: {
                struct rp_exited *e = &m->exited;
                e->seq = get_u64(r);
                e->run_id = get_u64(r);
                e->end_usec = get_u64(r);
                e->code = (int32_t) get_u32(r);
                e->status = (int32_t) get_u32(r);
                e->timed_out = get_bool(r);
                e->stopped = get_bool(r);
                e->utime_usec = get_u64(r);
                e->stime_usec = get_u64(r);
                e->maxrss_kib = get_u64(r);
                e->output_bytes = get_u64(r);
                e->output_len = get_u32(r);
                e->output = get_bytes(r, e->output_len);
                return 0;
        }
        default:
                return -EBADMSG;
        }
}

int
rp_decode(const uint8_t *frame, size_t len, struct rp_msg *ret)
{
        struct reader r = { .p = frame, .left = len };
        struct rp_msg m = {};
        uint32_t n;
        uint16_t type, reserved;
        int k;

        n = get_u32(&r);
        type = get_u16(&r);
        reserved = get_u16(&r);
        if (r.bad || n != len || reserved != 0)
                return -EBADMSG;
        if (type < RP_HELLO || type >= _RP_TYPE_MAX)
                return -EBADMSG;
        m.type = type;

        k = decode_body(&r, &m);
        if (k == 0 && (r.bad || r.left != 0))
                k = -EBADMSG;
        if (k < 0) {
                rp_msg_done(&m);
                return k;
        }
        *ret = m;
        return 0;
}

void
rp_msg_done(struct rp_msg *m)
{
        if (m->type == RP_SPAWN) {
                /* The strings point into the frame; only the vectors are ours. */
                free(m->spawn.argv);
                free(m->spawn.envp);
                free(m->spawn.groups);
        }
        *m = (struct rp_msg) {};
}
