/* heap.c - binary min-heap with position tracking. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "heap.h"

void
heap_done(struct heap *h)
{
        free(h->v);
        *h = (struct heap) {};
}

static uint32_t *
index_of(const struct heap *h, void *item)
{
        return (uint32_t *) ((char *) item + h->index_offset);
}

static void
place(struct heap *h, size_t i, struct heap_entry e)
{
        h->v[i] = e;
        *index_of(h, e.item) = (uint32_t) i;
}

static void
sift_up(struct heap *h, size_t i)
{
        struct heap_entry e = h->v[i];

        while (i > 0) {
                size_t parent = (i - 1) / 2;
                if (h->v[parent].key <= e.key)
                        break;
                place(h, i, h->v[parent]);
                i = parent;
        }
        place(h, i, e);
}

static void
sift_down(struct heap *h, size_t i)
{
        struct heap_entry e = h->v[i];

        for (;;) {
                size_t c = 2 * i + 1;
                if (c >= h->n)
                        break;
                if (c + 1 < h->n && h->v[c + 1].key < h->v[c].key)
                        c++;
                if (e.key <= h->v[c].key)
                        break;
                place(h, i, h->v[c]);
                i = c;
        }
        place(h, i, e);
}

int
heap_push(struct heap *h, usec_t key, void *item, uint32_t *index)
{
        size_t offset = (size_t) ((char *) index - (char *) item);

        assert(h->n == 0 || offset == h->index_offset);
        h->index_offset = offset;
        if (h->n >= HEAP_NONE - 1)
                return -ENOMEM;
        if (h->n == h->cap) {
                size_t cap = h->cap ? h->cap * 2 : 64;
                struct heap_entry *v = realloc(h->v, cap * sizeof *v);
                if (!v)
                        return -ENOMEM;
                h->v = v;
                h->cap = cap;
        }
        h->v[h->n] = (struct heap_entry) { key, item };
        *index = (uint32_t) h->n;
        sift_up(h, h->n++);
        return 0;
}

void
heap_remove(struct heap *h, size_t i)
{
        uint32_t *gone = index_of(h, h->v[i].item);

        h->n--;
        if (i != h->n) {
                place(h, i, h->v[h->n]);
                if (i > 0 && h->v[i].key < h->v[(i - 1) / 2].key)
                        sift_up(h, i);
                else
                        sift_down(h, i);
        }
        *gone = HEAP_NONE;
}

void
heap_update(struct heap *h, size_t i, usec_t key)
{
        uint32_t *index = index_of(h, h->v[i].item);

        h->v[i].key = key;
        sift_up(h, i);
        sift_down(h, *index);
}
