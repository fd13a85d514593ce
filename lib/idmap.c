/* idmap.c - linear probing on a mixed 64-bit hash, backward-shift
 * deletion (Knuth 6.4, algorithm R), doubling at half load. */
#include <errno.h>
#include <stdlib.h>

#include "idmap.h"

static size_t
home(const struct idmap *m, int64_t key)
{
        /* splitmix64's finalizer: run ids are consecutive, and the low
         * bits of a consecutive series must still spread. */
        uint64_t h = (uint64_t) key;

        h = (h ^ (h >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        h = (h ^ (h >> 27)) * UINT64_C(0x94d049bb133111eb);
        h ^= h >> 31;
        return (size_t) h & (m->cap - 1);
}

void
idmap_done(struct idmap *m)
{
        free(m->slots);
        *m = (struct idmap) {};
}

static struct idmap_slot *
find(const struct idmap *m, int64_t key)
{
        if (!m->cap)
                return NULL;
        for (size_t i = home(m, key);; i = (i + 1) & (m->cap - 1)) {
                struct idmap_slot *s = &m->slots[i];
                if (!s->value)
                        return NULL;
                if (s->key == key)
                        return s;
        }
}

void *
idmap_get(const struct idmap *m, int64_t key)
{
        struct idmap_slot *s = find(m, key);

        return s ? s->value : NULL;
}

static void
insert(struct idmap *m, int64_t key, void *value)
{
        size_t i = home(m, key);

        while (m->slots[i].value)
                i = (i + 1) & (m->cap - 1);
        m->slots[i] = (struct idmap_slot) { key, value };
        m->n++;
}

static int
grow(struct idmap *m)
{
        struct idmap old = *m;
        size_t cap = m->cap ? m->cap * 2 : 64;
        struct idmap_slot *slots = calloc(cap, sizeof *slots);

        if (!slots)
                return -ENOMEM;
        *m = (struct idmap) { .slots = slots, .cap = cap };
        for (size_t i = 0; i < old.cap; i++)
                if (old.slots[i].value)
                        insert(m, old.slots[i].key, old.slots[i].value);
        free(old.slots);
        return 0;
}

int
idmap_put(struct idmap *m, int64_t key, void *value)
{
        struct idmap_slot *s = find(m, key);
        int r;

        if (s) {
                s->value = value;
                return 0;
        }
        if ((m->n + 1) * 2 > m->cap) {
                r = grow(m);
                if (r < 0)
                        return r;
        }
        insert(m, key, value);
        return 0;
}

bool
idmap_remove(struct idmap *m, int64_t key, const void *value)
{
        struct idmap_slot *s = find(m, key);
        size_t hole, j;

        if (!s || s->value != value)
                return false;
        /* Close the hole: move back every later member of the cluster
         * whose home does not lie cyclically in (hole, j]. */
        hole = (size_t) (s - m->slots);
        for (j = (hole + 1) & (m->cap - 1); m->slots[j].value; j = (j + 1) & (m->cap - 1)) {
                size_t h = home(m, m->slots[j].key);
                bool stays = hole < j ? hole < h && h <= j : hole < h || h <= j;
                if (stays)
                        continue;
                m->slots[hole] = m->slots[j];
                hole = j;
        }
        m->slots[hole] = (struct idmap_slot) {};
        m->n--;
        return true;
}
