/* joborder.c - d->jobs in id order, as List shows them (joborder.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "joborder.h"
#include "macro.h"

/* Changes kept in step within one loop step before the order is dropped:
 * each moves up to the whole array (0.8 MB at 100,000 jobs, ~40 us). */
#define EDITS_MAX 64

struct sort_key {
        uint64_t a, b;
        struct job *job;
};

static uint64_t
be64_prefix(const char *s, size_t len)
{
        uint64_t v = 0;

        for (size_t i = 0; i < 8; i++)
                v = v << 8 | (i < len ? (uint8_t) s[i] : 0);
        return v;
}

static int
cmp_key(const void *x, const void *y)
{
        const struct sort_key *p = x, *q = y;

        if (p->a != q->a)
                return p->a < q->a ? -1 : 1;
        if (p->b != q->b)
                return p->b < q->b ? -1 : 1;
        /* Ids are unique: equal prefixes mean both are longer than 15 bytes
         * (a shorter one ends in a NUL within them). */
        return strcmp(p->job->def->id, q->job->def->id);
}

struct job **
joborder_get(struct daemon *d)
{
        _cleanup_free_ struct sort_key *keys = NULL;
        const char *key;
        void *value;
        size_t n = 0;

        if (d->jobs_by_id)
                return d->jobs_by_id;
        keys = malloc(MAX(d->jobs.n, (size_t) 1) * sizeof *keys);
        d->jobs_by_id = calloc(d->jobs.n + 1, sizeof *d->jobs_by_id);
        if (!keys || !d->jobs_by_id)
                return (d->jobs_by_id = mfree(d->jobs_by_id));
        for (size_t i = 0; hashmap_next(&d->jobs, &i, &key, &value);) {
                size_t len = strlen(key);
                keys[n++] = (struct sort_key) { be64_prefix(key, len), len > 8 ? be64_prefix(key + 8, len - 8) : 0,
                                                value };
        }
        qsort(keys, n, sizeof *keys, cmp_key);
        for (size_t i = 0; i < n; i++)
                d->jobs_by_id[i] = keys[i].job;
        d->n_jobs_by_id = n;
        return d->jobs_by_id;
}

void
joborder_prepare(struct daemon *d)
{
        (void) joborder_get(d);
}

static void
drop(struct daemon *d)
{
        d->jobs_by_id = mfree(d->jobs_by_id);
        d->n_jobs_by_id = 0;
}

/* Where @id is, or would go, in the order. */
static size_t
position(const struct daemon *d, const char *id)
{
        size_t lo = 0, hi = d->n_jobs_by_id;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (strcmp(d->jobs_by_id[mid]->def->id, id) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

void
joborder_add(struct daemon *d, struct job *j)
{
        struct job **v;
        size_t at;

        if (!d->jobs_by_id)
                return;
        if (++d->joborder_edits > EDITS_MAX ||
            !(v = reallocarray(d->jobs_by_id, d->n_jobs_by_id + 2, sizeof *v))) {
                drop(d);
                return;
        }
        d->jobs_by_id = v;
        at = position(d, j->def->id);
        memmove(v + at + 1, v + at, (d->n_jobs_by_id - at + 1) * sizeof *v);   /* the NULL too */
        v[at] = j;
        d->n_jobs_by_id++;
}

void
joborder_remove(struct daemon *d, struct job *j)
{
        size_t at;

        if (!d->jobs_by_id)
                return;
        if (++d->joborder_edits > EDITS_MAX) {
                drop(d);
                return;
        }
        at = position(d, j->def->id);
        if (at >= d->n_jobs_by_id || d->jobs_by_id[at] != j) {
                drop(d);        /* not where it should be: never trust the order again */
                return;
        }
        memmove(d->jobs_by_id + at, d->jobs_by_id + at + 1, (d->n_jobs_by_id - at) * sizeof *d->jobs_by_id);
        d->n_jobs_by_id--;
}

void
joborder_step(struct daemon *d)
{
        d->joborder_edits = 0;
}

void
joborder_done(struct daemon *d)
{
        drop(d);
}
