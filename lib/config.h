/* config.h - schedd.yaml, the daemon's settings (SPEC section 1).
 * Every key is optional; a missing file means all defaults. */
#pragma once

#include <stdint.h>

#include "jobfile.h"
#include "time.h"

enum shutdown_runs {
        SHUTDOWN_RUNS_KEEP,     /* "keep": runs survive the daemon (default) */
        SHUTDOWN_RUNS_STOP,     /* "stop": SIGTERM, SIGKILL after shutdown_timeout */
};

struct daemon_config {
        unsigned max_concurrent_runs;   /* 64 */
        uint64_t output_limit;          /* bytes of output tail kept per run; 64 KiB */
        unsigned keep_runs;             /* per job; 1000 */
        usec_t keep_age;                /* history.keep_days; 90 days */
        enum shutdown_runs shutdown_runs;
        usec_t shutdown_timeout;        /* 30s */
};

/* The defaults. */
void config_init(struct daemon_config *c);

/* Parses schedd.yaml text. Returns 0 and fills *ret (starting from the
 * defaults), or -EINVAL and fills *reterr (FILE:LINE:COLUMN, key path,
 * what was expected; the caller frees it with conf_error_done()), or
 * -ENOMEM. *ret is untouched on failure. */
int config_parse(const char *path, const char *text, size_t len, struct daemon_config *ret,
                 struct conf_error *reterr);

/* Reads and parses @path. A missing file (ENOENT) gives the defaults and
 * returns 0. Otherwise returns as config_parse(); a file over 1 MiB is
 * -EINVAL with an error at line 0. Other read failures (-EISDIR, -EACCES,
 * ...) return a negative errno and leave *ret and *reterr untouched. */
int config_load(const char *path, struct daemon_config *ret, struct conf_error *reterr);

/* Parses a size: "65536", "64KiB", "64K", "1MiB", "1M", "2GiB". K, M and G
 * are powers of 1024 as in the spec's examples. Also "1B", and spaces
 * between number and unit ("64 KiB"). Units are case-sensitive; KB, MB
 * and GB (ambiguous), fractions and signs are refused. Returns 0, or
 * -EINVAL / -ERANGE (over UINT64_MAX); *ret is untouched on failure. */
int size_parse(const char *s, uint64_t *ret);
