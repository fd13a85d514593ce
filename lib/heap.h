/* heap.h - a binary min-heap of (time, item), for the earliest next firing.
 *
 * Each item records its own position (an index the heap keeps up to date
 * through the pointer given at insertion), so an item can be removed or
 * moved in O(log n) when its job is paused, changed or removed. Every item
 * of one heap keeps that index at the same offset in itself (a member of
 * its struct), so an entry stores the key and the item only: 16 bytes a
 * job, not 24 (issue #7). The index is 32 bits, which lets it share a word
 * with other small fields of its item: a heap holds fewer than
 * HEAP_NONE entries. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "time.h"

#define HEAP_NONE UINT32_MAX

struct heap_entry {
        usec_t key;
        void *item;
};

struct heap {
        struct heap_entry *v;
        size_t n, cap;
        size_t index_offset;    /* of each item's position in the item; set by the first push */
};

void heap_done(struct heap *h);

/* Inserts @item with @key; *index receives its position and keeps it up
 * to date. @index must lie inside @item, at the same offset for every
 * item of @h. 0 or -ENOMEM (also when @h holds HEAP_NONE - 1 entries). */
int heap_push(struct heap *h, usec_t key, void *item, uint32_t *index);
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
