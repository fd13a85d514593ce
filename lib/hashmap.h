/* hashmap.h - string-keyed open-addressing hash map of borrowed pointers.
 *
 * Keys are not copied: each key must live as long as its entry (job ids
 * are owned by their jobs). Iteration order is unspecified. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct hashmap_slot {
        const char *key;        /* NULL: empty; HASHMAP_TOMB: deleted */
        void *value;
};

struct hashmap {
        struct hashmap_slot *slots;
        size_t n, tombs, cap;   /* cap is a power of two, or 0 */
};

void hashmap_done(struct hashmap *m);
/* The value for @key, or NULL. */
void *hashmap_get(const struct hashmap *m, const char *key);
/* Adds or replaces. Returns 0 or -ENOMEM. */
int hashmap_put(struct hashmap *m, const char *key, void *value);
/* Removes @key; returns its value or NULL. */
void *hashmap_remove(struct hashmap *m, const char *key);

/* Iteration: for (size_t i = 0; hashmap_next(m, &i, &key, &value); ) */
bool hashmap_next(const struct hashmap *m, size_t *i, const char **ret_key, void **ret_value);
