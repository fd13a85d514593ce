/* fuzz-jobfile.c - libFuzzer target for lib/jobfile*.c.
 *
 * The input is a job file. jobfile_parse() must return 0 or -ENOMEM,
 * never crash or leak, and every error it reports carries a message; the
 * jobs that loaded go through the digest and duplicate checks as the
 * daemon's reload does. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "jobfile.h"
#include "tz.h"

static struct tz_db *db;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct jobfile f[2] = {};
        int r;

        /* Bigger files are refused by jobfile_load() before parsing. */
        if (size > 64 * 1024)
                return 0;
        if (!db && tz_db_new(NULL, &db) < 0)
                abort();
        r = jobfile_parse("fuzz.yaml", (const char *) data, size, db, &f[0]);
        if (r < 0) {
                assert(r == -ENOMEM);
                return 0;
        }
        for (size_t i = 0; i < f[0].n_errors; i++)
                assert(f[0].errors[i].message);
        for (size_t i = 0; i < f[0].n_jobs; i++)
                (void) job_def_digest(f[0].jobs[i]);
        /* The same file twice: every job is then a duplicate. */
        r = jobfile_parse("again.yaml", (const char *) data, size, db, &f[1]);
        if (r >= 0) {
                assert(jobfile_check_duplicates(f, 2) >= 0);
                assert(f[1].n_jobs == 0);
                jobfile_done(&f[1]);
        }
        jobfile_done(&f[0]);
        return 0;
}
