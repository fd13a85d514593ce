/* bench-store.c - figures for the state database: firings recorded per
 * second, one transaction each with synchronous=NORMAL and FULL, and 1,000
 * to a transaction; and the time to open a database of 10,000 jobs and
 * load them. A firing is what the daemon writes before a run starts: its
 * run row and its job's schedule state (DESIGN.md section 3). The
 * databases live in a temporary directory under $TMPDIR or /tmp, whose
 * file system is printed, since a flush on tmpfs costs nothing. It prints;
 * it never fails a build. */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "trigger.h"

#define T0 ((usec_t) 1767225600 * USEC_PER_SEC)   /* 2026-01-01T00:00:00Z */

enum { JOBS = 100 };

static char dir[256];

static double
now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
die(const char *what, int r, struct store *s)
{
        fprintf(stderr, "bench-store: %s failed: %s (%s)\n", what, strerror(-r),
                s ? store_errmsg(s) : "");
        exit(1);
}

/* A fresh database in dir named @name, with @n jobs j0..j(n-1). */
static struct store *
fresh_store(const char *name, int n, char *path, size_t size)
{
        struct store *s = NULL;
        char *err = NULL;
        int r;

        snprintf(path, size, "%s/%s", dir, name);
        r = store_open(path, &s, &err);
        if (r < 0) {
                fprintf(stderr, "bench-store: %s\n", err ? err : path);
                exit(1);
        }
        r = store_begin(s);
        for (int i = 0; r >= 0 && i < n; i++) {
                char id[32];
                struct store_job j = {
                        .id = id,
                        .digest = "sha256:0123456789abcdef0123456789abcdef"
                                  "0123456789abcdef0123456789abcdef",
                        .last_scheduled = T0,
                        .next_firing = T0 + USEC_PER_MIN,
                        .anchor = USEC_UNSET,
                };
                snprintf(id, sizeof id, "job-%05d", i);
                r = store_put_job(s, &j);
        }
        if (r >= 0)
                r = store_commit(s);
        if (r < 0)
                die("creating jobs", r, s);
        return s;
}

/* Firings per second, @batch to a transaction, for about a second. */
static double
firing_rate(const char *name, bool full, int batch)
{
        char path[400];
        struct store *s = fresh_store(name, JOBS, path, sizeof path);
        double t0, t1;
        int64_t k = 0;
        int r;

        r = store_set_synchronous_full(s, full);
        if (r < 0)
                die("PRAGMA synchronous", r, s);
        t0 = now_s();
        do {
                r = store_begin(s);
                for (int i = 0; r >= 0 && i < batch; i++, k++) {
                        char id[32];
                        struct store_run run = {
                                .job_id = id,
                                .reason = RUN_REASON_SCHEDULE,
                                .state = RUN_STATE_RUNNING,
                                .scheduled = T0 + k * USEC_PER_SEC,
                                .count = 1,
                                .start = T0 + k * USEC_PER_SEC + 1000,
                                .end = USEC_UNSET,
                                .exit_status = -1,
                                .utime = USEC_UNSET,
                                .stime = USEC_UNSET,
                        };
                        snprintf(id, sizeof id, "job-%05d", (int) (k % JOBS));
                        r = store_add_run(s, &run, NULL);
                        if (r >= 0)
                                r = store_set_schedule_state(s, id, run.scheduled,
                                                             run.scheduled + JOBS * USEC_PER_SEC, false);
                }
                if (r >= 0)
                        r = store_commit(s);
                if (r < 0)
                        die("recording a firing", r, s);
                t1 = now_s();
        } while (t1 - t0 < 1.0);
        s = store_close(s);
        return k / (t1 - t0);
}

/* Seconds to open a database of @n jobs and load them all, best of 5. */
static double
open_and_load(int n)
{
        char path[400];
        struct store *s = fresh_store("jobs.db", n, path, sizeof path);
        double best = 1e9;

        s = store_close(s);
        for (int round = 0; round < 5; round++) {
                struct store_job *jobs = NULL;
                size_t njobs = 0;
                double t0 = now_s(), t;
                int r;

                r = store_open(path, &s, NULL);
                if (r >= 0)
                        r = store_load_jobs(s, &jobs, &njobs);
                if (r < 0)
                        die("loading jobs", r, s);
                t = now_s() - t0;
                if (njobs != (size_t) n)
                        die("loading jobs (count)", -EIO, s);
                for (size_t i = 0; i < njobs; i++)
                        store_job_done(&jobs[i]);
                free(jobs);
                s = store_close(s);
                if (t < best)
                        best = t;
        }
        return best;
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
        (void) st, (void) flag, (void) ftw;
        return remove(p);
}

static const char *
fs_name(const char *path)
{
        struct statfs f;

        if (statfs(path, &f) < 0)
                return "unknown";
        switch ((unsigned long) f.f_type) {
        case 0xEF53:
                return "ext4";
        case 0x01021994:
                return "tmpfs";
        case 0x58465342:
                return "xfs";
        case 0x9123683E:
                return "btrfs";
        case 0x794c7630:
                return "overlayfs";
        default:
                return "other";
        }
}

int
main(void)
{
        const char *tmp = getenv("TMPDIR");

        snprintf(dir, sizeof dir, "%s/bench-store.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir)) {
                perror("bench-store: mkdtemp");
                return 1;
        }

        printf("\n| state database (%s, %s), a firing = run row + job state | value | DESIGN.md 3 |\n",
               dir, fs_name(dir));
        printf("|---|---|---|\n");
        printf("| firings/s, one transaction each, synchronous=NORMAL | %.0f | ~57 000 |\n",
               firing_rate("normal.db", false, 1));
        printf("| firings/s, one transaction each, synchronous=FULL | %.0f | ~8 800 |\n",
               firing_rate("full.db", true, 1));
        printf("| firings/s, 1,000 to a transaction, synchronous=NORMAL | %.0f | ~600 000 (rows) |\n",
               firing_rate("batch.db", false, 1000));
        printf("| open a 10,000-job database and load every job (best of 5) | %.1f ms | - |\n",
               open_and_load(10000) * 1e3);

        (void) nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        return 0;
}
