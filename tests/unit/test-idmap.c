/* test-idmap.c - the map against a model, with deletions and growth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "idmap.h"

#define N 5000

static void
test_model(void **state)
{
        static int present[N];
        struct idmap m = {};
        unsigned seed = 11;
        size_t expected = 0;
        (void) state;

        for (int step = 0; step < 200000; step++) {
                int k = rand_r(&seed) % N;
                /* Negative and zero ids are ids too (helpers, an unrecorded run). */
                int64_t key = (int64_t) k - N / 2;
                if (rand_r(&seed) % 3) {
                        assert_int_equal(idmap_put(&m, key, &present[k]), 0);
                        present[k] = 1;
                } else {
                        bool removed = idmap_remove(&m, key, &present[k]);
                        assert_int_equal(removed, present[k]);
                        present[k] = 0;
                }
        }
        for (int k = 0; k < N; k++) {
                expected += present[k];
                assert_ptr_equal(idmap_get(&m, (int64_t) k - N / 2), present[k] ? &present[k] : NULL);
        }
        assert_int_equal(m.n, expected);
        idmap_done(&m);
}

static void
test_remove_only_own_value(void **state)
{
        struct idmap m = {};
        int a, b;
        (void) state;

        assert_int_equal(idmap_put(&m, 7, &a), 0);
        assert_false(idmap_remove(&m, 7, &b));
        assert_ptr_equal(idmap_get(&m, 7), &a);
        assert_true(idmap_remove(&m, 7, &a));
        assert_null(idmap_get(&m, 7));
        assert_false(idmap_remove(&m, 8, &a));
        idmap_done(&m);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_model),
                cmocka_unit_test(test_remove_only_own_value),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
