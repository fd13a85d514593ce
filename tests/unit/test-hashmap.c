/* test-hashmap.c - the map against a model, with deletions and growth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "hashmap.h"

#define N 5000

static void
test_model(void **state)
{
        static char keys[N][16];
        static int present[N];
        struct hashmap m = {};
        unsigned seed = 7;
        (void) state;

        for (int i = 0; i < N; i++)
                snprintf(keys[i], sizeof keys[i], "job-%d", i);
        for (int step = 0; step < 100000; step++) {
                int k = rand_r(&seed) % N;
                if (rand_r(&seed) % 3) {
                        assert_int_equal(hashmap_put(&m, keys[k], &present[k]), 0);
                        present[k] = 1;
                } else {
                        void *v = hashmap_remove(&m, keys[k]);
                        assert_ptr_equal(v, present[k] ? &present[k] : NULL);
                        present[k] = 0;
                }
        }
        size_t count = 0, i = 0;
        const char *key;
        void *value;
        while (hashmap_next(&m, &i, &key, &value)) {
                assert_non_null(value);
                count++;
        }
        size_t expected = 0;
        for (int k = 0; k < N; k++) {
                expected += present[k];
                assert_ptr_equal(hashmap_get(&m, keys[k]), present[k] ? &present[k] : NULL);
        }
        assert_int_equal(count, expected);
        assert_int_equal(m.n, expected);
        hashmap_done(&m);
}

int
main(void)
{
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_model) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
