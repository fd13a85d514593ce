/* test-heap.c - the heap against a brute-force model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "heap.h"

#define N 500

struct item {
        usec_t key;
        uint32_t index;
        int in;
};

static void
test_random_operations(void **state)
{
        static struct item items[N];
        struct heap h = {};
        unsigned seed = 12345;
        (void) state;

        for (int step = 0; step < 200000; step++) {
                struct item *it = &items[rand_r(&seed) % N];
                int op = rand_r(&seed) % 3;

                if (!it->in) {
                        it->key = rand_r(&seed) % 10000;
                        assert_int_equal(heap_push(&h, it->key, it, &it->index), 0);
                        it->in = 1;
                } else if (op == 0) {
                        heap_remove(&h, it->index);
                        assert_true(it->index == HEAP_NONE);
                        it->in = 0;
                } else if (op == 1) {
                        it->key = rand_r(&seed) % 10000;
                        heap_update(&h, it->index, it->key);
                } else {
                        /* pop the minimum and compare with the model */
                        const struct heap_entry *top = heap_top(&h);
                        usec_t min = INT64_MAX;
                        for (int i = 0; i < N; i++)
                                if (items[i].in && items[i].key < min)
                                        min = items[i].key;
                        assert_non_null(top);
                        assert_int_equal(top->key, min);
                        struct item *t = top->item;
                        heap_remove(&h, t->index);
                        t->in = 0;
                }
                /* every item knows where it is */
                for (int i = 0; i < N; i += 37)
                        if (items[i].in)
                                assert_ptr_equal(h.v[items[i].index].item, &items[i]);
        }
        heap_done(&h);
}

/* An entry is the key and the item; the index is found at the offset the
 * first push gave, which may differ once the heap has been emptied. */
static void
test_index_offset(void **state)
{
        struct first { uint32_t index; usec_t key; } a[3] = {};
        struct item b[2] = {};
        struct heap h = {};

        (void) state;
        assert_int_equal(sizeof(struct heap_entry), 16);
        for (int i = 0; i < 3; i++)
                assert_int_equal(heap_push(&h, 30 - i, &a[i], &a[i].index), 0);
        assert_ptr_equal(heap_top(&h)->item, &a[2]);
        assert_int_equal(a[2].index, 0);
        heap_update(&h, a[2].index, 40);
        assert_ptr_equal(heap_top(&h)->item, &a[1]);
        assert_ptr_equal(h.v[a[2].index].item, &a[2]);
        for (int i = 0; i < 3; i++)
                heap_remove(&h, a[i].index);
        assert_true(a[0].index == HEAP_NONE && a[1].index == HEAP_NONE && a[2].index == HEAP_NONE);

        assert_int_equal(heap_push(&h, 2, &b[0], &b[0].index), 0);
        assert_int_equal(heap_push(&h, 1, &b[1], &b[1].index), 0);
        assert_ptr_equal(heap_top(&h)->item, &b[1]);
        assert_int_equal(b[0].index, 1);
        heap_done(&h);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_random_operations),
                cmocka_unit_test(test_index_offset),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
