/* heap.h - a binary min-heap of (time, item), for the earliest next firing.
 *
 * Each item records its own position (an index the heap keeps up to date
 * through the pointer given at insertion), so an item can be removed or
 * moved in O(log n) when its job is paused, changed or removed. */
#pragma once

#include <stddef.h>

#include "time.h"

#define HEAP_NONE ((size_t) -1)

struct heap_entry {
        usec_t key;
        void *item;
        size_t *index;          /* where the item keeps its position */
};

struct heap {
        struct heap_entry *v;
        size_t n, cap;
};

void heap_done(struct heap *h);

/* Inserts @item with @key; *index receives its position. 0 or -ENOMEM. */
int heap_push(struct heap *h, usec_t key, void *item, size_t *index);
/* Removes the entry at @i (an item's *index); sets its index to HEAP_NONE. */
void heap_remove(struct heap *h, size_t i);
/* Changes the key of the entry at @i. */
void heap_update(struct heap *h, size_t i, usec_t key);
/* The earliest entry, or NULL when empty. */
static inline const struct heap_entry *
heap_top(const struct heap *h)
{
        return h->n ? &h->v[0] : NULL;
}
