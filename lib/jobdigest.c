/* jobdigest.c - a digest of a job definition, so that a reload can tell
 * a changed job from an unchanged one (SPEC 5: "added, changed, removed").
 * FNV-1a over every field in a fixed order; not cryptographic. */
#include <string.h>

#include "jobfile.h"

struct digest {
        uint64_t h;
};

static void
feed(struct digest *d, const void *p, size_t n)
{
        const unsigned char *s = p;

        for (size_t i = 0; i < n; i++)
                d->h = (d->h ^ s[i]) * UINT64_C(0x100000001b3);
}

static void
feed_str(struct digest *d, const char *s)
{
        /* NULL and "" differ: a separator byte that no string contains. */
        if (s)
                feed(d, s, strlen(s) + 1);
        else
                feed(d, "\xff", 1);
}

static void
feed_i64(struct digest *d, int64_t v)
{
        feed(d, &v, sizeof v);
}

static void
feed_strv(struct digest *d, char **v)
{
        int64_t n = 0;

        for (char **s = v; s && *s; s++, n++)
                feed_str(d, *s);
        feed_i64(d, n);
}

uint64_t
job_def_digest(const struct job_def *def)
{
        struct digest d = { UINT64_C(0xcbf29ce484222325) };

        feed_str(&d, def->id);
        feed_str(&d, def->extra->description);
        feed_strv(&d, def->command.argv);
        feed_i64(&d, def->command.shell);
        feed_str(&d, def->schedule_text);
        feed_i64(&d, def->trigger.kind);
        /* interval and at share their bytes with the cron spec; feed each
         * as 0 for the other kinds, as before they did, so that digests in
         * existing state databases stay valid. */
        feed_i64(&d, def->trigger.kind == TRIGGER_INTERVAL ? def->trigger.interval : 0);
        feed_i64(&d, def->trigger.kind == TRIGGER_AT ? def->trigger.at : 0);
        feed_i64(&d, trigger_start(&def->trigger));
        feed_i64(&d, trigger_end(&def->trigger));
        feed_i64(&d, trigger_jitter_max(&def->trigger));
        feed_str(&d, tz_zone_name(def->trigger.zone));
        feed_str(&d, def->extra->user);
        feed_str(&d, def->extra->group);
        feed_str(&d, def->extra->directory);
        feed_strv(&d, def->extra->environment);
        feed_i64(&d, def->extra->timeout);
        feed_i64(&d, def->extra->kill_grace);
        feed_i64(&d, def->max_instances);
        feed_i64(&d, def->on_overlap);
        feed_i64(&d, def->misfire_grace);
        feed_i64(&d, def->coalesce);
        feed_i64(&d, def->extra->retry.attempts);
        feed_i64(&d, def->extra->retry.delay);
        feed(&d, &def->extra->retry.backoff, sizeof def->extra->retry.backoff);
        feed_i64(&d, def->extra->retry.max_delay);
        feed_i64(&d, def->enabled);
        feed_i64(&d, def->output);
        feed_str(&d, def->extra->output_file);
        feed_strv(&d, def->extra->on_failure.argv);
        feed_i64(&d, def->extra->on_failure.shell);
        feed_i64(&d, def->extra->no_new_privileges);
        return d.h;
}
