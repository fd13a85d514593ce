/* runnerc.h - schedd's side of the connection to its runner (DESIGN.md 1).
 *
 * At start-up schedd connects to the runner's socket; if no runner
 * answers, it binds the socket, starts schedd-runner with the listening
 * fd, and connects. After RP_HELLO the runner re-sends every live run and
 * every unacknowledged report, then RP_SYNC_DONE. Frames to the runner are
 * buffered and written by runnerc_flush(), after the store has committed,
 * which is also when reports are acknowledged. */
#pragma once

#include "daemon.h"

/* Connects to (or starts) the runner and sends RP_HELLO, without waiting
 * for the answer: called early at start-up, so that a runner started
 * here gets going on the other CPU while the job files load. Returns 0 or
 * a negative errno; runnerc_start() tries again. */
int runnerc_connect(struct daemon *d);

/* Connects to (or starts) the runner, unless runnerc_connect() did, and
 * waits up to @timeout for its RP_SYNC_DONE, dispatching the reports it
 * re-sends. Returns 0 or a negative errno (the loop then retries with
 * runnerc_on_deadline()). */
int runnerc_start(struct daemon *d, usec_t timeout);

/* The runner's socket is readable or writable. */
void runnerc_io(struct daemon *d, uint32_t events);

/* Reconnects when the time has come (d->runner.reconnect_at_mono). */
void runnerc_on_deadline(struct daemon *d, usec_t now_mono);

/* Queues a frame. -ENOTCONN when there is no runner, -EMSGSIZE, -ENOMEM. */
int runnerc_spawn(struct daemon *d, const struct rp_spawn *m);
void runnerc_stop(struct daemon *d, struct run *r);
int runnerc_stop_all(struct daemon *d, usec_t grace);

/* Marks the report @seq as recorded; acknowledged at the next flush. */
void runnerc_ack(struct daemon *d, uint64_t seq);

/* Writes what is queued (acknowledgements first); what does not fit now
 * is written when the socket becomes writable. */
void runnerc_flush(struct daemon *d);

/* schedd is leaving with runs kept: tells the runner, writes everything
 * (blocking briefly) and closes. */
void runnerc_bye(struct daemon *d);

void runnerc_close(struct daemon *d);
