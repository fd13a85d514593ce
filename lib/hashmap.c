/* hashmap.c - linear probing, FNV-1a, tombstones, doubling at 70% load. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"

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

void
hashmap_done(struct hashmap *m)
{
        free(m->slots);
        *m = (struct hashmap) {};
}

static struct hashmap_slot *
find(const struct hashmap *m, const char *key)
{
        if (!m->cap)
                return NULL;
        for (size_t i = hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
                struct hashmap_slot *s = &m->slots[i];
                if (!s->key)
                        return NULL;
                if (s->key != HASHMAP_TOMB && strcmp(s->key, key) == 0)
                        return s;
        }
}

void *
hashmap_get(const struct hashmap *m, const char *key)
{
        struct hashmap_slot *s = find(m, key);
        return s ? s->value : NULL;
}

static int
grow(struct hashmap *m)
{
        size_t cap = m->cap ? m->cap * 2 : 16;
        struct hashmap_slot *old = m->slots, *slots;
        size_t old_cap = m->cap;

        /* Only rehashing (many tombstones) needs no more room. */
        if (m->n * 10 < m->cap * 5)
                cap = m->cap;
        slots = calloc(cap, sizeof *slots);
        if (!slots)
                return -ENOMEM;
        m->slots = slots;
        m->cap = cap;
        m->n = m->tombs = 0;
        for (size_t i = 0; i < old_cap; i++)
                if (old[i].key && old[i].key != HASHMAP_TOMB)
                        (void) hashmap_put(m, old[i].key, old[i].value);
        free(old);
        return 0;
}

int
hashmap_put(struct hashmap *m, const char *key, void *value)
{
        struct hashmap_slot *s = find(m, key);
        int r;

        if (s) {
                s->key = key;
                s->value = value;
                return 0;
        }
        if ((m->n + m->tombs + 1) * 10 > m->cap * 7) {
                r = grow(m);
                if (r < 0)
                        return r;
        }
        for (size_t i = hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
                s = &m->slots[i];
                if (!s->key || s->key == HASHMAP_TOMB) {
                        if (s->key == HASHMAP_TOMB)
                                m->tombs--;
                        s->key = key;
                        s->value = value;
                        m->n++;
                        return 0;
                }
        }
}

void *
hashmap_remove(struct hashmap *m, const char *key)
{
        struct hashmap_slot *s = find(m, key);
        void *v;

        if (!s)
                return NULL;
        v = s->value;
        s->key = HASHMAP_TOMB;
        s->value = NULL;
        m->n--;
        m->tombs++;
        return v;
}

bool
hashmap_next(const struct hashmap *m, size_t *i, const char **ret_key, void **ret_value)
{
        for (; *i < m->cap; (*i)++) {
                const struct hashmap_slot *s = &m->slots[*i];
                if (s->key && s->key != HASHMAP_TOMB) {
                        if (ret_key)
                                *ret_key = s->key;
                        if (ret_value)
                                *ret_value = s->value;
                        (*i)++;
                        return true;
                }
        }
        return false;
}
