/* test-runproto.c - runner frames: round trips, splits, truncation,
 * corruption, oversize and unknown types. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "runproto.h"

static char *spawn_argv[] = { "/bin/echo", "hello", "", "world", NULL };
static char *spawn_envp[] = { "PATH=/usr/bin:/bin", "HOME=/root", NULL };
static uint32_t spawn_groups[] = { 0, 4, 27, 65534 };
static const uint8_t tail_bytes[] = { 'o', 'k', '\n', 0, 0xff, 'x' };

/* One frame of every type, appended to @b in type order. */
static void
encode_all(struct rp_buf *b)
{
        assert_int_equal(rp_encode_hello(b, &(struct rp_hello) {
                                 .version = RP_VERSION, .pid = 4242, .software = "schedd 0.1.0" }), 0);
        assert_int_equal(rp_encode_spawn(b, &(struct rp_spawn) {
                                 .run_id = 0x1122334455667788ull,
                                 .job_id = "backup",
                                 .argv = spawn_argv,
                                 .envp = spawn_envp,
                                 .path_search = true,
                                 .uid = 1000, .gid = 1001,
                                 .groups = spawn_groups, .n_groups = 4,
                                 .directory = "/srv",
                                 .output = RP_OUTPUT_FILE,
                                 .output_path = "/var/log/backup.log",
                                 .timeout_usec = 7200000000ull,
                                 .kill_grace_usec = 10000000,
                                 .output_limit = 65536,
                                 .no_new_privs = true,
                                 .start_at_usec = 1700000000123456ull }), 0);
        assert_int_equal(rp_encode_stop(b, &(struct rp_stop) { .run_id = 7 }), 0);
        assert_int_equal(rp_encode_stop_all(b, &(struct rp_stop_all) { .grace_usec = 30000000 }), 0);
        assert_int_equal(rp_encode_ack(b, &(struct rp_ack) { .seq = UINT64_MAX }), 0);
        assert_int_equal(rp_encode_empty(b, RP_BYE), 0);
        assert_int_equal(rp_encode_started(b, &(struct rp_started) {
                                 .seq = 1, .run_id = 2, .pid = 3, .start_usec = 1700000000000000ull }), 0);
        assert_int_equal(rp_encode_spawn_failed(b, &(struct rp_spawn_failed) {
                                 .seq = 2, .run_id = 3, .stage = RP_STAGE_CHDIR, .error = ENOENT,
                                 .time_usec = 5 }), 0);
        assert_int_equal(rp_encode_exited(b, &(struct rp_exited) {
                                 .seq = 3, .run_id = 4, .end_usec = 6, .code = 2, .status = -9,
                                 .timed_out = true, .stopped = false,
                                 .utime_usec = 11, .stime_usec = 12, .maxrss_kib = 13,
                                 .output_bytes = 100000000,
                                 .output = tail_bytes, .output_len = sizeof tail_bytes }), 0);
        assert_int_equal(rp_encode_empty(b, RP_SYNC_DONE), 0);
}

static void
check_msg(const struct rp_msg *m, enum rp_type type)
{
        assert_int_equal(m->type, type);
        switch (type) {
        case RP_HELLO:
                assert_int_equal(m->hello.version, RP_VERSION);
                assert_int_equal(m->hello.pid, 4242);
                assert_string_equal(m->hello.software, "schedd 0.1.0");
                break;
        case RP_SPAWN: {
                const struct rp_spawn *s = &m->spawn;
                assert_true(s->run_id == 0x1122334455667788ull);
                assert_string_equal(s->job_id, "backup");
                for (int i = 0; spawn_argv[i] || s->argv[i]; i++)
                        assert_string_equal(s->argv[i], spawn_argv[i]);
                for (int i = 0; spawn_envp[i] || s->envp[i]; i++)
                        assert_string_equal(s->envp[i], spawn_envp[i]);
                assert_true(s->path_search);
                assert_int_equal(s->uid, 1000);
                assert_int_equal(s->gid, 1001);
                assert_int_equal(s->n_groups, 4);
                assert_memory_equal(s->groups, spawn_groups, sizeof spawn_groups);
                assert_string_equal(s->directory, "/srv");
                assert_int_equal(s->output, RP_OUTPUT_FILE);
                assert_string_equal(s->output_path, "/var/log/backup.log");
                assert_true(s->timeout_usec == 7200000000ull);
                assert_int_equal(s->kill_grace_usec, 10000000);
                assert_int_equal(s->output_limit, 65536);
                assert_true(s->no_new_privs);
                assert_true(s->start_at_usec == 1700000000123456ull);
                break;
        }
        case RP_STOP:
                assert_int_equal(m->stop.run_id, 7);
                break;
        case RP_STOP_ALL:
                assert_int_equal(m->stop_all.grace_usec, 30000000);
                break;
        case RP_ACK:
                assert_true(m->ack.seq == UINT64_MAX);
                break;
        case RP_BYE:
        case RP_SYNC_DONE:
                break;
        case RP_STARTED:
                assert_int_equal(m->started.seq, 1);
                assert_int_equal(m->started.run_id, 2);
                assert_int_equal(m->started.pid, 3);
                assert_true(m->started.start_usec == 1700000000000000ull);
                break;
        case RP_SPAWN_FAILED:
                assert_int_equal(m->spawn_failed.seq, 2);
                assert_int_equal(m->spawn_failed.run_id, 3);
                assert_int_equal(m->spawn_failed.stage, RP_STAGE_CHDIR);
                assert_int_equal(m->spawn_failed.error, ENOENT);
                assert_int_equal(m->spawn_failed.time_usec, 5);
                break;
        case RP_EXITED: {
                const struct rp_exited *e = &m->exited;
                assert_int_equal(e->seq, 3);
                assert_int_equal(e->run_id, 4);
                assert_int_equal(e->end_usec, 6);
                assert_int_equal(e->code, 2);
                assert_int_equal(e->status, -9);
                assert_true(e->timed_out);
                assert_false(e->stopped);
                assert_int_equal(e->utime_usec, 11);
                assert_int_equal(e->stime_usec, 12);
                assert_int_equal(e->maxrss_kib, 13);
                assert_int_equal(e->output_bytes, 100000000);
                assert_int_equal(e->output_len, sizeof tail_bytes);
                assert_memory_equal(e->output, tail_bytes, sizeof tail_bytes);
                break;
        }
        default:
                fail();
        }
}

static const enum rp_type all_types[] = {
        RP_HELLO, RP_SPAWN, RP_STOP, RP_STOP_ALL, RP_ACK, RP_BYE,
        RP_STARTED, RP_SPAWN_FAILED, RP_EXITED, RP_SYNC_DONE,
};

static void
test_roundtrip(void **state)
{
        struct rp_buf b = {};
        size_t off = 0;
        (void) state;

        encode_all(&b);
        for (size_t i = 0; i < sizeof all_types / sizeof all_types[0]; i++) {
                struct rp_msg m;
                ssize_t n = rp_frame_length(b.data + off, b.len - off);

                assert_true(n >= RP_HEADER_SIZE);
                assert_int_equal(rp_decode(b.data + off, (size_t) n, &m), 0);
                check_msg(&m, all_types[i]);
                rp_msg_done(&m);
                off += (size_t) n;
        }
        assert_int_equal(off, b.len);
        rp_buf_done(&b);
}

/* Feeds the stream one chunk at a time, cut at every byte position: the
 * frame boundary finder must never report a frame early, and the decoded
 * sequence must not depend on where the cut was. */
static void
test_split_everywhere(void **state)
{
        struct rp_buf b = {};
        (void) state;

        encode_all(&b);
        for (size_t cut = 0; cut <= b.len; cut++) {
                struct rp_buf in = {};
                size_t types_seen = 0;
                size_t fed = 0;

                for (int part = 0; part < 2; part++) {
                        size_t upto = part == 0 ? cut : b.len;
                        ssize_t n;

                        in.data = realloc(in.data, b.len);
                        assert_non_null(in.data);
                        in.cap = b.len;
                        memcpy(in.data + in.len, b.data + fed, upto - fed);
                        in.len += upto - fed;
                        fed = upto;
                        while ((n = rp_frame_length(in.data, in.len)) > 0) {
                                struct rp_msg m;
                                assert_int_equal(rp_decode(in.data, (size_t) n, &m), 0);
                                check_msg(&m, all_types[types_seen++]);
                                rp_msg_done(&m);
                                rp_buf_consume(&in, (size_t) n);
                        }
                        assert_int_equal(n, 0);
                }
                assert_int_equal(types_seen, sizeof all_types / sizeof all_types[0]);
                assert_int_equal(in.len, 0);
                rp_buf_done(&in);
        }
        rp_buf_done(&b);
}

/* Each frame, shortened or lengthened by any amount, is refused, and a
 * shortened frame whose header is patched to match is refused too. */
static void
test_truncated(void **state)
{
        struct rp_buf b = {};
        size_t off = 0;
        (void) state;

        encode_all(&b);
        while (off < b.len) {
                size_t n = (size_t) rp_frame_length(b.data + off, b.len - off);
                uint8_t *copy = malloc(n + 1);

                assert_non_null(copy);
                for (size_t k = 0; k < n; k++) {
                        struct rp_msg m;
                        memcpy(copy, b.data + off, k);
                        assert_int_equal(rp_decode(copy, k, &m), -EBADMSG);
                        if (k >= 4)
                                assert_true(rp_frame_length(copy, k) <= 0);
                        if (k >= RP_HEADER_SIZE) {
                                /* A consistent header over a short payload. */
                                copy[0] = (uint8_t) k;
                                copy[1] = (uint8_t) (k >> 8);
                                copy[2] = copy[3] = 0;
                                int r = rp_decode(copy, k, &m);
                                if (r == 0) {
                                        /* Only types without a payload can be
                                         * complete at their header. */
                                        assert_int_equal(k, RP_HEADER_SIZE);
                                        rp_msg_done(&m);
                                } else
                                        assert_int_equal(r, -EBADMSG);
                        }
                }
                /* A trailing byte is refused everywhere but HELLO. */
                {
                        struct rp_msg m;
                        uint16_t type = (uint16_t) (b.data[off + 4] | b.data[off + 5] << 8);
                        memcpy(copy, b.data + off, n);
                        copy[n] = 0;
                        copy[0] = (uint8_t) (n + 1);
                        copy[1] = (uint8_t) ((n + 1) >> 8);
                        int r = rp_decode(copy, n + 1, &m);
                        if (type == RP_HELLO) {
                                assert_int_equal(r, 0);
                                rp_msg_done(&m);
                        } else
                                assert_int_equal(r, -EBADMSG);
                }
                free(copy);
                off += n;
        }
        rp_buf_done(&b);
}

/* Every byte of every frame, set to each of a few values: the decoder
 * returns 0 or -EBADMSG and never reads outside the frame (run under
 * ASan by make asan-unit). */
static void
test_corrupted(void **state)
{
        static const uint8_t values[] = { 0x00, 0x01, 0x02, 0x7f, 0x80, 0xfe, 0xff };
        struct rp_buf b = {};
        size_t off = 0;
        (void) state;

        encode_all(&b);
        while (off < b.len) {
                size_t n = (size_t) rp_frame_length(b.data + off, b.len - off);
                /* An exactly sized heap copy, so ASan catches any overread. */
                uint8_t *copy = malloc(n);

                assert_non_null(copy);
                for (size_t i = 0; i < n; i++)
                        for (size_t v = 0; v < sizeof values; v++) {
                                struct rp_msg m;
                                int r;

                                memcpy(copy, b.data + off, n);
                                copy[i] = values[v];
                                r = rp_decode(copy, n, &m);
                                if (r == 0)
                                        rp_msg_done(&m);
                                else
                                        assert_int_equal(r, -EBADMSG);
                        }
                free(copy);
                off += n;
        }
        rp_buf_done(&b);
}

static void
test_specific_faults(void **state)
{
        struct rp_buf b = {};
        struct rp_msg m;
        uint8_t frame[64];
        (void) state;

        /* Unknown types, and the reserved field. */
        for (unsigned type = 0; type < 300; type++) {
                memset(frame, 0, sizeof frame);
                frame[0] = RP_HEADER_SIZE;
                frame[4] = (uint8_t) type;
                frame[5] = (uint8_t) (type >> 8);
                int r = rp_decode(frame, RP_HEADER_SIZE, &m);
                if (type == RP_BYE || type == RP_SYNC_DONE) {
                        assert_int_equal(r, 0);
                        assert_int_equal(m.type, type);
                        rp_msg_done(&m);
                        frame[6] = 1;
                        assert_int_equal(rp_decode(frame, RP_HEADER_SIZE, &m), -EBADMSG);
                } else
                        assert_int_equal(r, -EBADMSG);
        }

        /* Header lengths out of range. */
        memset(frame, 0, sizeof frame);
        frame[0] = RP_HEADER_SIZE - 1;
        assert_int_equal(rp_frame_length(frame, sizeof frame), -EBADMSG);
        frame[0] = 0; frame[1] = 0; frame[2] = 0x40; frame[3] = 0; /* 4 MiB: the limit itself */
        assert_int_equal(rp_frame_length(frame, sizeof frame), 0);
        frame[0] = 1;                                               /* one more */
        assert_int_equal(rp_frame_length(frame, sizeof frame), -EBADMSG);
        assert_int_equal(rp_frame_length(frame, 3), 0);

        /* A string with an embedded NUL, and a bool of 2. */
        assert_int_equal(rp_encode_hello(&b, &(struct rp_hello) { .version = 1, .software = "ab" }), 0);
        b.data[20 + 1] = 0;                  /* "a\0\0" */
        assert_int_equal(rp_decode(b.data, b.len, &m), -EBADMSG);
        b.len = 0;
        assert_int_equal(rp_encode_exited(&b, &(struct rp_exited) { .timed_out = true }), 0);
        b.data[8 + 8 * 3 + 4 + 4] = 2;
        assert_int_equal(rp_decode(b.data, b.len, &m), -EBADMSG);

        /* A spawn with an empty argv, an unknown output, a file output
         * without a path. */
        {
                char *empty[] = { NULL };
                struct rp_spawn s = { .job_id = "j", .argv = empty, .envp = empty, .directory = "/" };
                b.len = 0;
                assert_int_equal(rp_encode_spawn(&b, &s), 0);
                assert_int_equal(rp_decode(b.data, b.len, &m), -EBADMSG);
                s.argv = spawn_argv;
                s.output = 3;
                b.len = 0;
                assert_int_equal(rp_encode_spawn(&b, &s), 0);
                assert_int_equal(rp_decode(b.data, b.len, &m), -EBADMSG);
                s.output = RP_OUTPUT_FILE;
                b.len = 0;
                assert_int_equal(rp_encode_spawn(&b, &s), 0);
                assert_int_equal(rp_decode(b.data, b.len, &m), -EBADMSG);
                s.output = RP_OUTPUT_DISCARD;
                b.len = 0;
                assert_int_equal(rp_encode_spawn(&b, &s), 0);
                assert_int_equal(rp_decode(b.data, b.len, &m), 0);
                assert_null(m.spawn.output_path);
                assert_int_equal(m.spawn.n_groups, 0);
                rp_msg_done(&m);
        }

        /* A vector count far beyond the frame must not allocate it. */
        {
                char *one[] = { "x", NULL };
                struct rp_spawn s = { .job_id = "j", .argv = one, .envp = one, .directory = "/" };
                b.len = 0;
                assert_int_equal(rp_encode_spawn(&b, &s), 0);
                /* argv's count follows run_id (8) and job_id (4 + 2). */
                memset(b.data + 8 + 8 + 6, 0xff, 4);
                assert_int_equal(rp_decode(b.data, b.len, &m), -EBADMSG);
        }

        /* An unknown stage in a report. */
        b.len = 0;
        assert_int_equal(rp_encode_spawn_failed(&b, &(struct rp_spawn_failed) { .stage = _RP_STAGE_MAX }), 0);
        assert_int_equal(rp_decode(b.data, b.len, &m), -EBADMSG);

        /* rp_encode_empty() only takes payload-less types. */
        assert_int_equal(rp_encode_empty(&b, RP_ACK), -EINVAL);
        rp_buf_done(&b);
}

static void
test_oversize(void **state)
{
        struct rp_buf b = {};
        struct rp_msg m;
        size_t hdr;
        uint8_t *big = calloc(1, RP_FRAME_MAX);
        (void) state;

        assert_non_null(big);
        assert_int_equal(rp_encode_empty(&b, RP_BYE), 0);
        hdr = b.len;

        /* Too big by far, and too big by one byte: nothing is appended. */
        assert_int_equal(rp_encode_exited(&b, &(struct rp_exited) { .output = big, .output_len = RP_FRAME_MAX }),
                         -EMSGSIZE);
        assert_int_equal(b.len, hdr);
        /* The fixed part of EXITED: header 8, 8 * 3, 4 * 2, 2, 8 * 4, count 4. */
        size_t fixed = 8 + 24 + 8 + 2 + 32 + 4;
        assert_int_equal(rp_encode_exited(&b, &(struct rp_exited) {
                                 .output = big, .output_len = (uint32_t) (RP_FRAME_MAX - fixed + 1) }),
                         -EMSGSIZE);
        assert_int_equal(b.len, hdr);
        /* Exactly at the limit it fits, and decodes. */
        assert_int_equal(rp_encode_exited(&b, &(struct rp_exited) {
                                 .output = big, .output_len = (uint32_t) (RP_FRAME_MAX - fixed) }),
                         0);
        assert_int_equal(b.len, hdr + RP_FRAME_MAX);
        assert_int_equal(rp_frame_length(b.data + hdr, b.len - hdr), RP_FRAME_MAX);
        assert_int_equal(rp_decode(b.data + hdr, RP_FRAME_MAX, &m), 0);
        assert_int_equal(m.exited.output_len, RP_FRAME_MAX - fixed);
        rp_msg_done(&m);

        rp_buf_consume(&b, hdr);
        assert_int_equal(b.len, RP_FRAME_MAX);
        rp_buf_consume(&b, SIZE_MAX);
        assert_int_equal(b.len, 0);

        free(big);
        rp_buf_done(&b);
}

static void
test_stage_names(void **state)
{
        (void) state;
        for (int s = 0; s < _RP_STAGE_MAX; s++)
                assert_non_null(rp_stage_to_string(s));
        assert_string_equal(rp_stage_to_string(RP_STAGE_CHDIR), "change directory");
        assert_string_equal(rp_stage_to_string(RP_STAGE_EXEC), "execute");
        assert_null(rp_stage_to_string(_RP_STAGE_MAX));
        assert_null(rp_stage_to_string(-1));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_roundtrip),
                cmocka_unit_test(test_split_everywhere),
                cmocka_unit_test(test_truncated),
                cmocka_unit_test(test_corrupted),
                cmocka_unit_test(test_specific_faults),
                cmocka_unit_test(test_oversize),
                cmocka_unit_test(test_stage_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
