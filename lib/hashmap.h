/* hashmap.h - string-keyed open-addressing hash map of borrowed pointers.
 *
 * Keys are not copied: each key must live as long as its entry (job ids
 * are owned by their jobs). Iteration order is unspecified.
 *
 * Two layouts. A zeroed map stores (key, value) pairs, 16 bytes a slot.
 * A map given a key_of function (HASHMAP_KEYED()) stores only the value,
 * 8 bytes a slot, and reads each key from its value: for a map whose
 * values carry their own key, such as the daemon's jobs, that halves the
 * table, 21 bytes a job at 100,000 jobs (issue #7). A keyed map cannot
 * store NULL values, and @key given to hashmap_put() must equal
 * key_of(@value). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct hashmap_slot {
        const char *key;        /* NULL: empty; HASHMAP_TOMB: deleted */
        void *value;
};

struct hashmap {
        void *slots;            /* struct hashmap_slot[cap], or void *[cap] when keyed */
        size_t n, tombs, cap;   /* cap is a power of two, or 0 */
        /* NULL: pairs. Else the key of a stored value; must stay the
         * same string (by content) while the value is in the map. */
        const char *(*key_of)(const void *value);
};

#define HASHMAP_KEYED(f) ((struct hashmap) { .key_of = (f) })

/* Frees the table; a keyed map stays keyed (and empty). */
void hashmap_done(struct hashmap *m);
/* The value for @key, or NULL. */
void *hashmap_get(const struct hashmap *m, const char *key);
/* Adds or replaces. Returns 0 or -ENOMEM. */
int hashmap_put(struct hashmap *m, const char *key, void *value);
/* Removes @key; returns its value or NULL. */
void *hashmap_remove(struct hashmap *m, const char *key);

/* Iteration: for (size_t i = 0; hashmap_next(m, &i, &key, &value); ) */
bool hashmap_next(const struct hashmap *m, size_t *i, const char **ret_key, void **ret_value);
