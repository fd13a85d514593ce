/* verb-next.c - "schedctl next": the next firings, offline or from the daemon.
 *
 *   next FILE [JOB] [-n N] [--from TIME]        from a job file, no daemon needed
 *   next --cron EXPR [--tz ZONE] [-n N] [--from TIME]
 *   next JOB [-n N]                             asks the daemon
 *
 * Offline, the arithmetic is lib/'s, exactly the daemon's. Times print in
 * RFC 3339 with the offset of the schedule's zone. With several jobs and no
 * JOB named, the first N firings of the file are merged in time order and
 * each line is JOB<TAB>TIME. Jitter is not applied; an interval without
 * start is anchored at --from (as if the job were loaded then). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "cron.h"
#include "jobfile.h"
#include "macro.h"
#include "trigger.h"
#include "tz.h"

struct series {
        const char *id;                 /* NULL for --cron */
        const struct trigger *trigger;  /* not owned */
        usec_t anchor;
        usec_t next;                    /* USEC_INFINITY: done */
};

static usec_t
now_realtime(void)
{
        struct timespec ts;

        (void) clock_gettime(CLOCK_REALTIME, &ts);
        return (usec_t) ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
series_advance(struct series *s, usec_t after)
{
        if (trigger_next(s->trigger, s->anchor, after, &s->next) < 0)
                s->next = USEC_INFINITY;
}

/* Prints the first @n firings of all @series merged in time order. */
static int
print_firings(const struct cli_options *o, struct series *series, size_t n_series, unsigned n,
              bool with_ids)
{
        _cleanup_(json_decrefp) json_t *arr = o->json ? json_array() : NULL;

        if (o->json && !arr)
                return log_oom();
        for (unsigned i = 0; i < n; i++) {
                struct series *best = NULL;
                char buf[64];

                for (size_t k = 0; k < n_series; k++)
                        if (series[k].next != USEC_INFINITY && (!best || series[k].next < best->next))
                                best = &series[k];
                if (!best)
                        break;
                time_format_rfc3339(best->next,
                                    tz_offset_at(best->trigger->zone, best->next / USEC_PER_SEC),
                                    buf, sizeof buf);
                if (arr) {
                        json_t *e = json_pack("{s:s, s:I}", "time", buf, "unix_usec", (json_int_t) best->next);
                        if (!e || (best->id && json_object_set_new(e, "job", json_string(best->id)) < 0) ||
                            json_array_append_new(arr, e) < 0)
                                return log_oom();
                } else if (with_ids)
                        printf("%s\t%s\n", best->id, buf);
                else
                        printf("%s\n", buf);
                series_advance(best, best->next);
        }
        if (arr)
                return json_print(arr);
        return EXIT_OK;
}

static int
next_cron(const struct cli_options *o, const char *expr, const char *zone_name, unsigned n, usec_t from)
{
        _cleanup_(tz_db_freep) struct tz_db *db = NULL;
        _cleanup_(trigger_done) struct trigger t = {};
        struct cron_error e = {};
        struct cron_spec spec;
        const struct tz_zone *z;
        struct series s;
        int r;

        r = tz_db_new(NULL, &db);
        if (r < 0)
                return log_oom();
        r = tz_db_get(db, zone_name, &z);
        if (r < 0) {
                fprintf(stderr, "schedctl: unknown time zone '%s'\n", zone_name ? zone_name : "(local)");
                return EXIT_FAIL;
        }
        trigger_init(&t, TRIGGER_CRON, z);
        r = cron_parse(expr, &spec, &e);
        if (r < 0) {
                fprintf(stderr, "schedctl: --cron '%s': column %u: %s\n", expr, e.offset + 1, e.message);
                return EXIT_FAIL;
        }
        if (trigger_set_cron(&t, &spec) < 0)
                return log_oom();
        s = (struct series) { .trigger = &t, .anchor = from };
        series_advance(&s, from);
        return print_firings(o, &s, 1, n, false);
}

static int
next_file(const struct cli_options *o, const char *path, const char *job, unsigned n, usec_t from)
{
        _cleanup_(tz_db_freep) struct tz_db *db = NULL;
        _cleanup_(jobfile_done) struct jobfile f = {};
        _cleanup_free_ struct series *series = NULL;
        size_t n_series = 0;
        int r;

        r = tz_db_new(NULL, &db);
        if (r < 0)
                return log_oom();
        r = jobfile_load(path, db, &f);
        if (r < 0) {
                fprintf(stderr, "schedctl: cannot read '%s': %s\n", path, strerror(-r));
                return EXIT_FAIL;
        }
        print_conf_errors(&f, stderr);
        if (f.refused)
                return EXIT_FAIL;

        series = calloc(f.n_jobs ? f.n_jobs : 1, sizeof *series);
        if (!series)
                return log_oom();
        for (size_t i = 0; i < f.n_jobs; i++) {
                if (job && strcmp(job, f.jobs[i]->id) != 0)
                        continue;
                series[n_series] = (struct series) {
                        .id = f.jobs[i]->id,
                        .trigger = &f.jobs[i]->trigger,
                        .anchor = from,
                };
                series_advance(&series[n_series], from);
                n_series++;
        }
        if (job && n_series == 0) {
                fprintf(stderr, "schedctl: no job '%s' in '%s'%s\n", job, path,
                        f.n_errors ? " (see the errors above)" : "");
                return EXIT_FAIL;
        }
        r = print_firings(o, series, n_series, n, !job && f.n_jobs > 1);
        if (r == EXIT_OK && f.n_errors)
                return EXIT_FAIL;       /* some jobs were left out */
        return r;
}

static bool
looks_like_file(const char *arg)
{
        struct stat st;
        size_t l = strlen(arg);

        return strchr(arg, '/') || stat(arg, &st) == 0 ||
               (l > 5 && strcmp(arg + l - 5, ".yaml") == 0) || (l > 4 && strcmp(arg + l - 4, ".yml") == 0);
}

int
verb_next(const struct cli_options *o, int argc, char *argv[])
{
        static const struct option options[] = {
                { "cron", required_argument, NULL, 'c' },
                { "tz",   required_argument, NULL, 'z' },
                { "from", required_argument, NULL, 'f' },
                {}
        };
        const char *cron = NULL, *zone = NULL;
        unsigned n = 5;
        usec_t from = now_realtime();
        bool from_given = false;
        int c;

        while ((c = getopt_long(argc, argv, "n:", options, NULL)) >= 0) {
                switch (c) {
                case 'c': cron = optarg; break;
                case 'z': zone = optarg; break;
                case 'n':
                        if (parse_count(optarg, &n) < 0) {
                                fprintf(stderr, "schedctl next: -n expects a positive number, got '%s'\n", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case 'f':
                        if (parse_from(optarg, &from) < 0) {
                                fprintf(stderr, "schedctl next: --from expects RFC 3339 or @UNIXSECONDS, got '%s'\n", optarg);
                                return EXIT_USAGE;
                        }
                        from_given = true;
                        break;
                default:
                        return EXIT_USAGE;
                }
        }
        argc -= optind;
        argv += optind;

        if (cron) {
                if (argc > 0) {
                        fprintf(stderr, "schedctl next: --cron takes no FILE or JOB\n");
                        return EXIT_USAGE;
                }
                return next_cron(o, cron, zone, n, from);
        }
        if (argc < 1 || argc > 2) {
                fprintf(stderr, "Usage: schedctl next FILE [JOB] [-n N] [--from TIME]\n"
                                "       schedctl next --cron EXPR [--tz ZONE] [-n N] [--from TIME]\n"
                                "       schedctl next JOB [-n N]\n");
                return EXIT_USAGE;
        }
        if (zone) {
                fprintf(stderr, "schedctl next: --tz goes with --cron; a job file names its own zones\n");
                return EXIT_USAGE;
        }
        if (argc == 2 || looks_like_file(argv[0]))
                return next_file(o, argv[0], argc == 2 ? argv[1] : NULL, n, from);

        if (from_given) {
                fprintf(stderr, "schedctl next: --from goes with a FILE or --cron; the daemon counts from "
                                "the job's last firing\n");
                return EXIT_USAGE;
        }
        return next_online(o, argv[0], n);
}
