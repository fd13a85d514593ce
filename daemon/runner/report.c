/* report.c - the runner's outbox: reports numbered, batched, kept until
 * acknowledged, re-sent to the next daemon.
 *
 * Every RP_STARTED, RP_SPAWN_FAILED and RP_EXITED gets the next seq and
 * is kept, encoded, in a FIFO until an RP_ACK covers it, so a daemon that
 * crashed before recording it gets it again from the next connection.
 * Reports are written in batches (DESIGN.md 1: a wake-up of the daemon
 * costs about a quarter of a trivial job): when 16 are waiting, or 2 ms
 * after the first of them, or as soon as no run is alive, in one write.
 *
 * Invariants:
 *  1. The FIFO is in increasing seq order, and every seq in it is above
 *     acked_seq.
 *  2. first_unsent is NULL or a member of the FIFO; every report after it
 *     is unsent too, every report before it has been handed to the
 *     current connection's output buffer.
 *  3. The flush timer is armed iff flush_armed, and then n_unsent > 0. */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>

#include "runner.h"

#define BATCH_MAX 16
#define BATCH_DELAY_USEC (2 * USEC_PER_MSEC)

uint64_t
report_next_seq(struct runner *rn)
{
        return rn->next_seq++;
}

int
report_queue(struct runner *rn, const struct rp_buf *frame)
{
        struct report *rep;

        rep = malloc(sizeof *rep + frame->len);
        if (!rep)
                return -ENOMEM;
        rep->next = NULL;
        /* Every report type starts its payload with the seq. */
        memcpy(&rep->seq, frame->data + RP_HEADER_SIZE, sizeof rep->seq);
        rep->seq = le64toh(rep->seq);
        rep->len = frame->len;
        memcpy(rep->frame, frame->data, frame->len);

        if (rn->reports_tail)
                rn->reports_tail->next = rep;
        else
                rn->reports_head = rep;
        rn->reports_tail = rep;
        rn->n_reports++;
        if (!rn->first_unsent)
                rn->first_unsent = rep;
        rn->n_unsent++;
        return 0;
}

int
report_started(struct runner *rn, uint64_t run_id, pid_t pid, usec_t start, uint64_t *ret_seq)
{
        _cleanup_(rp_buf_done) struct rp_buf b = {};
        struct rp_started m = {
                .seq = report_next_seq(rn),
                .run_id = run_id,
                .pid = (uint32_t) pid,
                .start_usec = (uint64_t) start,
        };
        int r;

        r = rp_encode_started(&b, &m);
        if (r >= 0)
                r = report_queue(rn, &b);
        if (r >= 0)
                *ret_seq = m.seq;
        return r;
}

int
report_spawn_failed(struct runner *rn, uint64_t run_id, enum rp_stage stage, int error)
{
        _cleanup_(rp_buf_done) struct rp_buf b = {};
        struct rp_spawn_failed m = {
                .seq = report_next_seq(rn),
                .run_id = run_id,
                .stage = (uint8_t) stage,
                .error = error,
                .time_usec = (uint64_t) now_realtime(),
        };
        int r;

        r = rp_encode_spawn_failed(&b, &m);
        return r < 0 ? r : report_queue(rn, &b);
}

int
report_exited(struct runner *rn, struct rp_exited *e)
{
        _cleanup_(rp_buf_done) struct rp_buf b = {};
        int r;

        e->seq = report_next_seq(rn);
        r = rp_encode_exited(&b, e);
        return r < 0 ? r : report_queue(rn, &b);
}

void
report_ack(struct runner *rn, uint64_t seq)
{
        if (seq > rn->acked_seq)
                rn->acked_seq = seq;
        while (rn->reports_head && rn->reports_head->seq <= seq) {
                struct report *rep = rn->reports_head;

                rn->reports_head = rep->next;
                if (!rn->reports_head)
                        rn->reports_tail = NULL;
                if (rn->first_unsent == rep) {
                        /* Acknowledged before we sent it: a confused
                         * daemon, but nothing to resend either. */
                        rn->first_unsent = rep->next;
                        rn->n_unsent--;
                }
                rn->n_reports--;
                free(rep);
        }
}

static void
flush_disarm(struct runner *rn)
{
        struct itimerspec off = {};

        if (!rn->flush_armed)
                return;
        (void) timerfd_settime(rn->flush_src.fd, 0, &off, NULL);
        rn->flush_armed = false;
}

/* Appends every unsent report to @b. */
static int
collect_unsent(struct runner *rn, struct rp_buf *b)
{
        size_t total = 0;
        uint8_t *p;

        for (struct report *rep = rn->first_unsent; rep; rep = rep->next)
                total += rep->len;
        if (b->len + total > b->cap) {
                p = realloc(b->data, b->len + total);
                if (!p)
                        return -ENOMEM;
                b->data = p;
                b->cap = b->len + total;
        }
        for (struct report *rep = rn->first_unsent; rep; rep = rep->next) {
                memcpy(b->data + b->len, rep->frame, rep->len);
                b->len += rep->len;
        }
        rn->first_unsent = NULL;
        rn->n_unsent = 0;
        return 0;
}

void
report_flush(struct runner *rn)
{
        _cleanup_(rp_buf_done) struct rp_buf b = {};
        int r;

        flush_disarm(rn);
        if (!rn->conn || !rn->first_unsent)
                return;
        r = collect_unsent(rn, &b);
        if (r < 0) {
                log_msg(r, "Failed to collect reports, retrying later");
                return;
        }
        conn_send(rn, b.data, b.len);
}

void
report_schedule(struct runner *rn)
{
        struct itimerspec at = {};

        if (!rn->conn || rn->n_unsent == 0) {
                flush_disarm(rn);
                return;
        }
        /* With no run alive, nothing else is coming to share the write
         * with but new spawns, which the daemon sends only after it has
         * heard of these ends: waiting would only add latency. */
        if (rn->n_unsent >= BATCH_MAX || rn->n_runs == 0) {
                report_flush(rn);
                return;
        }
        if (rn->flush_armed)
                return;
        at.it_value.tv_nsec = BATCH_DELAY_USEC * 1000;
        if (timerfd_settime(rn->flush_src.fd, 0, &at, NULL) < 0) {
                log_msg(-errno, "Failed to arm the flush timer, flushing now");
                report_flush(rn);
                return;
        }
        rn->flush_armed = true;
}

int
report_sync(struct runner *rn)
{
        _cleanup_(rp_buf_done) struct rp_buf b = {};
        int r = 0;

        /* Live runs whose RP_STARTED was acknowledged by an earlier daemon
         * are told again, with their original seq, so this daemon knows
         * every run that is alive. The ones still unacknowledged follow
         * with the rest of the outbox. */
        for (struct run *run = rn->runs; run && r >= 0; run = run_next(run)) {
                struct rp_started m;

                if (run_started_seq(run) > rn->acked_seq)
                        continue;
                m = (struct rp_started) {
                        .seq = run_started_seq(run),
                        .run_id = run_id(run),
                        .pid = (uint32_t) run_pid(run),
                        .start_usec = (uint64_t) run_start_time(run),
                };
                r = rp_encode_started(&b, &m);
        }
        rn->first_unsent = rn->reports_head;
        rn->n_unsent = rn->n_reports;
        if (r >= 0)
                r = collect_unsent(rn, &b);
        if (r >= 0)
                r = rp_encode_empty(&b, RP_SYNC_DONE);
        if (r < 0) {
                /* Without a complete sync the daemon would act on a wrong
                 * picture; let it reconnect instead. */
                log_msg(r, "Failed to build the sync for the daemon");
                rn->first_unsent = rn->reports_head;
                rn->n_unsent = rn->n_reports;
                return r;
        }
        flush_disarm(rn);
        conn_send(rn, b.data, b.len);
        return 0;
}

void
report_disconnected(struct runner *rn)
{
        flush_disarm(rn);
        rn->first_unsent = rn->reports_head;
        rn->n_unsent = rn->n_reports;
}

void
report_free_all(struct runner *rn)
{
        while (rn->reports_head) {
                struct report *rep = rn->reports_head;
                rn->reports_head = rep->next;
                free(rep);
        }
        rn->reports_tail = rn->first_unsent = NULL;
        rn->n_reports = rn->n_unsent = 0;
}
