/* fuzz-varlink.c - libFuzzer target for lib/varlink.c.
 *
 * The input is a byte stream from a control client. It is fed to the
 * decoder in chunks whose sizes come from the input's first byte, with a
 * small message limit so the overflow path is reached too; every message
 * pulled goes through varlink_parse_call() and varlink_parse_reply(), and a
 * call is answered and encoded as the daemon would. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "varlink.h"

static void
pull(struct varlink_decoder *dec)
{
        json_t *msg;
        int r;

        while ((r = varlink_decoder_next(dec, &msg)) != 0) {
                struct varlink_call call;
                struct varlink_reply reply;
                struct varlink_buf out = {};
                const char *why;

                if (r < 0) {
                        assert(r == -EBADMSG || r == -EMSGSIZE || r == -ENOMEM);
                        if (r != -EBADMSG)
                                return;
                        continue;
                }
                assert(json_is_object(msg));
                if (varlink_parse_call(msg, &call, &why) == 0) {
                        json_t *rep = varlink_error_method_not_found(call.method);
                        if (rep) {
                                (void) varlink_encode(rep, &out);
                                json_decref(rep);
                        }
                        (void) varlink_name_is_valid(call.method);
                        varlink_call_done(&call);
                }
                if (varlink_parse_reply(msg, &reply, &why) == 0)
                        varlink_reply_done(&reply);
                varlink_buf_done(&out);
                json_decref(msg);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct varlink_decoder dec;
        size_t chunk;

        if (size < 1)
                return 0;
        chunk = (size_t) (data[0] % 64) + 1;
        data++;
        size--;
        varlink_decoder_init(&dec);
        /* Odd inputs get a tiny limit: the overflow path on small inputs. */
        if (chunk % 2)
                varlink_decoder_set_limit(&dec, 256);
        for (size_t off = 0; off < size; off += chunk) {
                size_t n = size - off < chunk ? size - off : chunk;
                if (varlink_decoder_feed(&dec, data + off, n) < 0)
                        break;
                pull(&dec);
        }
        pull(&dec);
        varlink_decoder_done(&dec);
        return 0;
}
