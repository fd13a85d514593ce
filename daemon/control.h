/* control.h - the control socket and its clients. */
#pragma once

#include <jansson.h>

#include "daemon.h"

/* Binds and listens on d->socket_path. Returns 0 or a negative errno. */
int control_listen(struct daemon *d);
/* Closes every client and the socket (and unlinks it). */
void control_done(struct daemon *d);

void control_accept(struct daemon *d);
void control_io(struct daemon *d, struct client *c, uint32_t events);

/* Queues @msg (taken over) for @c. Returns 0, -ENOBUFS when the client
 * has too much unread, -ENOMEM. */
int control_send(struct daemon *d, struct client *c, json_t *msg);
/* Queues the message whose JSON text is @text (jsonw.h: malloc()ed, with
 * room for a NUL at text[len]), taken over. Returns as control_send(). */
int control_send_message(struct daemon *d, struct client *c, char *text, size_t len);
/* Writes the next parts of the Lists being written, for at most about a
 * millisecond, and answers the calls that waited for them (after each
 * loop step, before control_flush_all()). Returns true if there is more
 * to do at once: the loop should then not wait for an event. */
bool control_continue(struct daemon *d);
/* Writes the rest of every open List now, whatever the clients read. Call
 * before any job, or a job's definition or credentials, is freed: an open
 * List points at the jobs of its call. */
void control_finish_lists(struct daemon *d);
/* Writes what is queued for every client (after each loop step). */
void control_flush_all(struct daemon *d);

/* Drops stalled and idle clients; returns the next time to look again
 * (monotonic), or USEC_UNSET. */
usec_t control_check_clients(struct daemon *d, usec_t now_mono);
