/* fuzz-runproto.c - libFuzzer target for lib/runproto.c.
 *
 * The input is a byte stream from the runner's socket (either peer).
 * Frames are cut with rp_frame_length() and decoded with rp_decode() as
 * the daemon and the runner do; a frame that decodes is encoded again,
 * which must succeed, and the copy must decode to the same type. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runproto.h"

static void
reencode(const struct rp_msg *m)
{
        struct rp_buf b = {};
        struct rp_msg again;
        int r;

        switch (m->type) {
        case RP_HELLO:       r = rp_encode_hello(&b, &m->hello); break;
        case RP_SPAWN:       r = rp_encode_spawn(&b, &m->spawn); break;
        case RP_STOP:        r = rp_encode_stop(&b, &m->stop); break;
        case RP_STOP_ALL:    r = rp_encode_stop_all(&b, &m->stop_all); break;
        case RP_ACK:         r = rp_encode_ack(&b, &m->ack); break;
        case RP_STARTED:     r = rp_encode_started(&b, &m->started); break;
        case RP_SPAWN_FAILED: r = rp_encode_spawn_failed(&b, &m->spawn_failed); break;
        case RP_EXITED:      r = rp_encode_exited(&b, &m->exited); break;
        default:             r = rp_encode_empty(&b, m->type); break;
        }
        assert(r == 0 || r == -ENOMEM);
        if (r == 0) {
                assert(rp_frame_length(b.data, b.len) == (ssize_t) b.len);
                r = rp_decode(b.data, b.len, &again);
                assert(r == 0 || r == -ENOMEM);
                if (r == 0) {
                        assert(again.type == m->type);
                        rp_msg_done(&again);
                }
        }
        rp_buf_done(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        while (size > 0) {
                ssize_t n = rp_frame_length(data, size);
                struct rp_msg m;
                uint8_t *frame;

                if (n <= 0)
                        break;
                assert((size_t) n <= size);
                /* A copy of exactly the frame: reads past it are caught. */
                frame = malloc((size_t) n);
                if (!frame)
                        break;
                memcpy(frame, data, (size_t) n);
                if (rp_decode(frame, (size_t) n, &m) == 0) {
                        reencode(&m);
                        rp_msg_done(&m);
                }
                free(frame);
                data += n;
                size -= (size_t) n;
        }
        return 0;
}
