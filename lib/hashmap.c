/* hashmap.c - linear probing, FNV-1a, tombstones, doubling at 70% load.
 *
 * Both layouts (hashmap.h) share the probing; slot_key() and slot_set()
 * are the only places that know which one a map uses. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "hashmap.h"

/* A deleted slot: its key in a pair, its value in a keyed map. */
static const char tomb[1];
#define HASHMAP_TOMB tomb

static uint64_t
hash(const char *s)
{
        uint64_t h = UINT64_C(0xcbf29ce484222325);

        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * UINT64_C(0x100000001b3);
        return h;
}

static size_t
slot_size(const struct hashmap *m)
{
        return m->key_of ? sizeof(void *) : sizeof(struct hashmap_slot);
}

/* Slot @i's key: NULL when empty, HASHMAP_TOMB when deleted. */
static const char *
slot_key(const struct hashmap *m, size_t i)
{
        void *v;

        if (!m->key_of)
                return ((struct hashmap_slot *) m->slots)[i].key;
        v = ((void **) m->slots)[i];
        if (!v || v == (void *) HASHMAP_TOMB)
                return v;
        return m->key_of(v);
}

/* True if slot @i holds an entry. A keyed map's value tells without
 * reading the key: a walk over every job need not touch each definition. */
static bool
slot_live(const struct hashmap *m, size_t i)
{
        const void *p = m->key_of ? ((void **) m->slots)[i] : (const void *) ((struct hashmap_slot *) m->slots)[i].key;

        return p && p != (const void *) HASHMAP_TOMB;
}

static void *
slot_value(const struct hashmap *m, size_t i)
{
        return m->key_of ? ((void **) m->slots)[i] : ((struct hashmap_slot *) m->slots)[i].value;
}

/* Sets slot @i to (@key, @value), or to a tombstone when @key is HASHMAP_TOMB. */
static void
slot_set(struct hashmap *m, size_t i, const char *key, void *value)
{
        if (m->key_of)
                ((void **) m->slots)[i] = key == HASHMAP_TOMB ? (void *) HASHMAP_TOMB : value;
        else
                ((struct hashmap_slot *) m->slots)[i] = (struct hashmap_slot) {
                        .key = key, .value = key == HASHMAP_TOMB ? NULL : value };
}

void
hashmap_done(struct hashmap *m)
{
        free(m->slots);
        *m = (struct hashmap) { .key_of = m->key_of };
}

/* The slot holding @key, or -1. */
static ssize_t
find(const struct hashmap *m, const char *key)
{
        if (!m->cap)
                return -1;
        for (size_t i = hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
                const char *k = slot_key(m, i);
                if (!k)
                        return -1;
                if (k != HASHMAP_TOMB && strcmp(k, key) == 0)
                        return (ssize_t) i;
        }
}

void *
hashmap_get(const struct hashmap *m, const char *key)
{
        ssize_t i = find(m, key);
        return i >= 0 ? slot_value(m, i) : NULL;
}

static int
grow(struct hashmap *m)
{
        size_t cap = m->cap ? m->cap * 2 : 16;
        void *old = m->slots;
        struct hashmap o = *m;

        /* Only rehashing (many tombstones) needs no more room. */
        if (m->n * 10 < m->cap * 5)
                cap = m->cap;
        m->slots = calloc(cap, slot_size(m));
        if (!m->slots) {
                m->slots = old;
                return -ENOMEM;
        }
        m->cap = cap;
        m->n = m->tombs = 0;
        for (size_t i = 0; i < o.cap; i++)
                if (slot_live(&o, i))
                        (void) hashmap_put(m, slot_key(&o, i), slot_value(&o, i));
        free(old);
        return 0;
}

int
hashmap_put(struct hashmap *m, const char *key, void *value)
{
        ssize_t found = find(m, key);
        int r;

        assert(!m->key_of || (value && strcmp(m->key_of(value), key) == 0));
        if (found >= 0) {
                slot_set(m, found, key, value);
                return 0;
        }
        if ((m->n + m->tombs + 1) * 10 > m->cap * 7) {
                r = grow(m);
                if (r < 0)
                        return r;
        }
        for (size_t i = hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
                const char *k = slot_key(m, i);
                if (!k || k == HASHMAP_TOMB) {
                        if (k == HASHMAP_TOMB)
                                m->tombs--;
                        slot_set(m, i, key, value);
                        m->n++;
                        return 0;
                }
        }
}

void *
hashmap_remove(struct hashmap *m, const char *key)
{
        ssize_t i = find(m, key);
        void *v;

        if (i < 0)
                return NULL;
        v = slot_value(m, i);
        slot_set(m, i, HASHMAP_TOMB, NULL);
        m->n--;
        m->tombs++;
        return v;
}

bool
hashmap_next(const struct hashmap *m, size_t *i, const char **ret_key, void **ret_value)
{
        for (; *i < m->cap; (*i)++) {
                if (slot_live(m, *i)) {
                        if (ret_key)
                                *ret_key = slot_key(m, *i);
                        if (ret_value)
                                *ret_value = slot_value(m, *i);
                        (*i)++;
                        return true;
                }
        }
        return false;
}
