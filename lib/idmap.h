/* idmap.h - a hash map from int64 ids to borrowed pointers.
 *
 * For lookups by run id on every report from the runner, which must not
 * cost a walk over every run in memory (a burst holds thousands).
 * Linear probing without tombstones (deletion shifts the cluster back),
 * doubling at half load. NULL values cannot be stored. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idmap_slot {
        int64_t key;
        void *value;            /* NULL: empty */
};

struct idmap {
        struct idmap_slot *slots;
        size_t n, cap;          /* cap is a power of two, or 0 */
};

void idmap_done(struct idmap *m);
/* The value for @key, or NULL. */
void *idmap_get(const struct idmap *m, int64_t key);
/* Adds @key, or replaces its value. @value must not be NULL. Returns 0
 * or -ENOMEM (the map is unchanged then). */
int idmap_put(struct idmap *m, int64_t key, void *value);
/* Removes @key if it maps to @value (so that one of two entries that
 * happen to share an id cannot remove the other's). Returns true if it
 * did. */
bool idmap_remove(struct idmap *m, int64_t key, const void *value);
