/* bench-lib.c - figures for the pure core: next-firing computations per
 * second (UTC and Europe/Berlin) and the time to load a 10,000-job file.
 * It prints; it never fails a build. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cron.h"
#include "jobfile.h"
#include "tz.h"

static double
now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *const exprs[] = {
        "*/5 * * * *", "30 2 * * mon-fri", "0 9-17 * * 1-5", "15 10 1 * *", "0 0 * * 0", "0 */2 * * *",
};

static double
next_rate(const struct tz_zone *z)
{
        enum { ELEMENTS = sizeof exprs / sizeof exprs[0] };
        struct cron_spec specs[ELEMENTS];
        struct cron_error e;
        long n = 0;
        double t0, t1;
        usec_t t[ELEMENTS];

        for (size_t i = 0; i < ELEMENTS; i++) {
                if (cron_parse(exprs[i], &specs[i], &e) < 0)
                        abort();
                t[i] = (usec_t) 1767225600 * USEC_PER_SEC;   /* 2026-01-01 */
        }
        t0 = now_s();
        do {
                for (int k = 0; k < 10000; k++)
                        for (size_t i = 0; i < ELEMENTS; i++) {
                                usec_t next;
                                if (cron_next(&specs[i], z, t[i], &next) < 0)
                                        abort();
                                /* Walk forward, but wrap so every run covers the same years. */
                                t[i] = next < (usec_t) 1924992000 * USEC_PER_SEC ? next
                                                                                : (usec_t) 1767225600 * USEC_PER_SEC;
                                n++;
                        }
                t1 = now_s();
        } while (t1 - t0 < 1.0);
        return n / (t1 - t0);
}

static double
load_10k(struct tz_db *db, size_t *ret_jobs, size_t *ret_bytes)
{
        size_t cap = 4 << 20, len = 0;
        char *text = malloc(cap);
        struct jobfile f = {};
        double t0, t1;

        len += snprintf(text + len, cap - len, "defaults:\n  timezone: Europe/Berlin\njobs:\n");
        /* Compact flow style: a 10,000-job file must fit the 1 MiB cap. */
        for (int i = 0; i < 10000; i++) {
                switch (i % 3) {
                case 0:
                        len += snprintf(text + len, cap - len,
                                        "  j%d: {command: /bin/true %d, schedule: {cron: \"%d %d * * 1-5\"}}\n",
                                        i, i, i % 60, i % 24);
                        break;
                case 1:
                        len += snprintf(text + len, cap - len,
                                        "  j%d: {command: [curl, -fsS, \"http://l/%d\"], schedule: {interval: %dm}, timeout: 1h}\n",
                                        i, i, 1 + i % 90);
                        break;
                default:
                        len += snprintf(text + len, cap - len,
                                        "  j%d: {command: x, schedule: {cron: {day_of_week: mon-fri, minute: \"*/%d\"}}}\n",
                                        i, 1 + i % 30);
                }
        }
        t0 = now_s();
        if (jobfile_parse("bench.yaml", text, len, db, &f) < 0)
                abort();
        for (size_t i = 0; i < f.n_errors && i < 3; i++)
                fprintf(stderr, "bench.yaml:%u:%u: %s\n", f.errors[i].line, f.errors[i].column, f.errors[i].message);
        t1 = now_s();
        *ret_jobs = f.n_jobs;
        *ret_bytes = len;
        jobfile_done(&f);
        free(text);
        return t1 - t0;
}

int
main(void)
{
        struct tz_db *db;
        const struct tz_zone *berlin;
        size_t jobs = 0, bytes = 0;
        double best = 1e9;

        if (tz_db_new(NULL, &db) < 0 || tz_db_get(db, "Europe/Berlin", &berlin) < 0)
                abort();
        printf("| figure | value | target |\n|---|---|---|\n");
        printf("| next firings/s, UTC (6 typical 5-field expressions) | %.2f M | >= 1 M |\n", next_rate(tz_utc()) / 1e6);
        printf("| next firings/s, Europe/Berlin | %.2f M | >= 1 M |\n", next_rate(berlin) / 1e6);
        for (int i = 0; i < 5; i++) {
                double t = load_10k(db, &jobs, &bytes);
                if (t < best)
                        best = t;
        }
        printf("| load and validate a %zu-job file, %zu KiB (best of 5) | %.1f ms | < 100 ms |\n", jobs, bytes / 1024, best * 1e3);
        tz_db_free(db);
        return 0;
}
