/* test-joborder.c - List's id order, kept in step with jobs added and
 * removed, against a sort of the map after every change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "joborder.h"

#define N 400

static const char *
key_of(const void *value)
{
        return ((const struct job *) value)->def->id;
}

static int
cmp_id(const void *a, const void *b)
{
        return strcmp((*(struct job *const *) a)->def->id, (*(struct job *const *) b)->def->id);
}

/* The order must be d->jobs sorted by id, NULL-terminated. */
static void
assert_order(struct daemon *d)
{
        struct job **v = joborder_get(d), **want = calloc(d->jobs.n + 1, sizeof *want);
        const char *key;
        void *value;
        size_t n = 0;

        assert_non_null(v);
        for (size_t i = 0; hashmap_next(&d->jobs, &i, &key, &value);)
                want[n++] = value;
        qsort(want, n, sizeof *want, cmp_id);
        for (size_t i = 0; i < n; i++)
                assert_ptr_equal(v[i], want[i]);
        assert_null(v[n]);
        free(want);
}

static struct job *
new_job(const char *id)
{
        struct job *j = calloc(1, sizeof *j);

        assert_non_null(j);
        assert_int_equal(job_def_new(id, &j->def), 0);
        return j;
}

static void
test_against_a_sort(void **state)
{
        struct daemon d = { .jobs = HASHMAP_KEYED(key_of) };
        static struct job *jobs[N];
        unsigned seed = 5;
        char id[32];
        (void) state;

        for (int i = 0; i < N; i++) {
                /* Ids sharing long prefixes, and short ones: the sort's
                 * 16-byte prefix and the binary search's strcmp() agree. */
                snprintf(id, sizeof id, i % 3 ? "backup-host-%05d" : "j%d", (i * 7919) % N);
                jobs[i] = new_job(id);
        }
        for (int i = 0; i < N / 2; i++)
                assert_int_equal(hashmap_put(&d.jobs, jobs[i]->def->id, jobs[i]), 0);
        assert_order(&d);

        for (int step = 0; step < 3000; step++) {
                int k = rand_r(&seed) % N;
                bool present = hashmap_get(&d.jobs, jobs[k]->def->id) != NULL;
                if (present) {
                        hashmap_remove(&d.jobs, jobs[k]->def->id);
                        joborder_remove(&d, jobs[k]);
                } else {
                        assert_int_equal(hashmap_put(&d.jobs, jobs[k]->def->id, jobs[k]), 0);
                        joborder_add(&d, jobs[k]);
                }
                /* A step of the loop ends now and then: many changes in
                 * one step drop the order, to be built again. */
                if (rand_r(&seed) % 90 == 0)
                        joborder_step(&d);
                if (step % 7 == 0)
                        assert_order(&d);
        }
        assert_order(&d);
        joborder_done(&d);
        hashmap_done(&d.jobs);
        for (int i = 0; i < N; i++) {
                job_def_free(jobs[i]->def);
                free(jobs[i]);
        }
}

/* Kept in step, the order is not built again: the same array is moved. */
static void
test_kept_not_rebuilt(void **state)
{
        struct daemon d = { .jobs = HASHMAP_KEYED(key_of) };
        struct job *a = new_job("a"), *b = new_job("b"), *c = new_job("c");
        (void) state;

        assert_int_equal(hashmap_put(&d.jobs, "a", a), 0);
        assert_int_equal(hashmap_put(&d.jobs, "c", c), 0);
        joborder_prepare(&d);
        assert_int_equal(d.n_jobs_by_id, 2);
        assert_int_equal(hashmap_put(&d.jobs, "b", b), 0);
        joborder_add(&d, b);
        assert_int_equal(d.n_jobs_by_id, 3);
        assert_ptr_equal(d.jobs_by_id[1], b);
        hashmap_remove(&d.jobs, "a");
        joborder_remove(&d, a);
        assert_ptr_equal(d.jobs_by_id[0], b);
        assert_ptr_equal(d.jobs_by_id[1], c);
        assert_null(d.jobs_by_id[2]);
        joborder_done(&d);
        assert_null(d.jobs_by_id);
        hashmap_done(&d.jobs);
        for (struct job **j = (struct job *[]) { a, b, c, NULL }; *j; j++) {
                job_def_free((*j)->def);
                free(*j);
        }
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_against_a_sort),
                cmocka_unit_test(test_kept_not_rebuilt),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
