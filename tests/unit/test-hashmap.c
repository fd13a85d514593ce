/* test-hashmap.c - the map against a model, with deletions and growth, in
 * both layouts: (key, value) pairs and values that carry their key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hashmap.h"

#define N 5000

struct item {
        char key[16];
        int present;
};

static const char *
item_key(const void *v)
{
        return ((const struct item *) v)->key;
}

static void
run_model(struct hashmap *m)
{
        static struct item items[N];
        unsigned seed = 7;

        memset(items, 0, sizeof items);
        for (int i = 0; i < N; i++)
                snprintf(items[i].key, sizeof items[i].key, "job-%d", i);
        for (int step = 0; step < 100000; step++) {
                int k = rand_r(&seed) % N;
                if (rand_r(&seed) % 3) {
                        /* The key passed is an equal string, not the item's
                         * own: a keyed map must compare, not trust. */
                        char key[16];
                        snprintf(key, sizeof key, "job-%d", k);
                        assert_int_equal(hashmap_put(m, m->key_of ? key : items[k].key, &items[k]), 0);
                        items[k].present = 1;
                } else {
                        void *v = hashmap_remove(m, items[k].key);
                        assert_ptr_equal(v, items[k].present ? &items[k] : NULL);
                        items[k].present = 0;
                }
        }
        size_t count = 0, i = 0;
        const char *key;
        void *value;
        while (hashmap_next(m, &i, &key, &value)) {
                assert_non_null(value);
                assert_string_equal(key, ((struct item *) value)->key);
                count++;
        }
        size_t expected = 0;
        for (int k = 0; k < N; k++) {
                expected += items[k].present;
                assert_ptr_equal(hashmap_get(m, items[k].key), items[k].present ? &items[k] : NULL);
        }
        assert_null(hashmap_get(m, "job-x"));
        assert_int_equal(count, expected);
        assert_int_equal(m->n, expected);
}

static void
test_model(void **state)
{
        struct hashmap m = {};
        (void) state;

        run_model(&m);
        hashmap_done(&m);
}

/* Values only, keys read from them: the same behaviour, half the table. */
static void
test_keyed(void **state)
{
        struct hashmap m = HASHMAP_KEYED(item_key);
        (void) state;

        run_model(&m);
        hashmap_done(&m);
        assert_ptr_equal(m.key_of, item_key);   /* stays keyed, usable again */
        assert_null(hashmap_get(&m, "job-1"));
        static struct item one = { .key = "one" };
        assert_int_equal(hashmap_put(&m, "one", &one), 0);
        assert_ptr_equal(hashmap_get(&m, "one"), &one);
        hashmap_done(&m);
}

int
main(void)
{
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_model), cmocka_unit_test(test_keyed) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
