/* methods.h - the io.schedd methods, and the answers that come later. */
#pragma once

#include <jansson.h>

#include "daemon.h"

struct store_run;

/* Handles one message from @c (a Varlink call) and queues its reply.
 * Returns 0, or a negative errno when the client must be dropped (not a
 * call, or it does not read its replies). */
int methods_dispatch(struct daemon *d, struct client *c, json_t *msg);

/* Writes up to @rows more jobs of the List that @c has open (c->list)
 * into c->out, and the end of the message after the last one; then frees
 * it and sets c->list to NULL. Returns 1 if rows are left, 0 when the
 * reply is complete, or a negative errno (sticky: -ENOMEM, -EMSGSIZE past
 * VARLINK_REPLY_MAX) when it cannot be: the client must then be dropped,
 * since half a message is out. */
int methods_list_step(struct daemon *d, struct client *c, size_t rows);
/* Frees a List's state (a client that went away); NULL is fine. */
void methods_list_free(struct list_reply *l);

/* A run changed state: answers the clients waiting on it (Run with wait);
 * the final state carries the output tail. */
void methods_run_event(struct daemon *d, const struct store_run *row, const uint8_t *output, size_t output_len);

/* Tells every watcher (Watch) of an event; @job and @row may be NULL. */
void methods_broadcast(struct daemon *d, const char *kind, const char *job, const struct store_run *row,
                       const char *message);

/* The Run type of the interface. */
json_t *methods_run_json(struct daemon *d, const struct store_run *r);

/* Builds a job definition from Add's parameters (also used to rebuild
 * added jobs at start-up). A non-root caller's @uid becomes the job's
 * user; (uid_t) -1 means the caller may choose (root). Returns 0, or
 * -EINVAL with a malloc'ed message in *reterr, or -ENOMEM. */
int methods_def_from_json(struct daemon *d, json_t *params, uid_t uid, struct job_def **ret, char **reterr);
