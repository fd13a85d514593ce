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
/* Writes what is queued for every client (after each loop step). */
void control_flush_all(struct daemon *d);

/* Drops stalled and idle clients; returns the next time to look again
 * (monotonic), or USEC_UNSET. */
usec_t control_check_clients(struct daemon *d, usec_t now_mono);
