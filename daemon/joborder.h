/* joborder.h - d->jobs in id order, as List shows them.
 *
 * Sorting 100,000 jobs takes about 60 ms, with the loop held. So the order
 * is built once (after start-up and after a reload that changed many
 * jobs, not inside a List) and kept in step with each job added or
 * removed: a binary search and a move of the array's tail. */
#pragma once

#include "daemon.h"

/* The jobs in id order, NULL-terminated; built if missing. The array
 * belongs to the daemon and changes as jobs come and go: a caller that
 * keeps it across loop steps copies it. NULL when out of memory. */
struct job **joborder_get(struct daemon *d);

/* Builds the order now if it is missing, so that no List has to. */
void joborder_prepare(struct daemon *d);

/* @j was just added to, or removed from, d->jobs. After more than a few
 * dozen such changes in one loop step (a reload adding many jobs) the
 * order is dropped instead, to be built again once. */
void joborder_add(struct daemon *d, struct job *j);
void joborder_remove(struct daemon *d, struct job *j);

/* The loop starts a new step: the count of changes above starts again. */
void joborder_step(struct daemon *d);

void joborder_done(struct daemon *d);
