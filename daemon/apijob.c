/* apijob.c - jobs added at run time (io.schedd.Add, SPEC 7 `schedctl add`):
 * their parameters become a struct job_def exactly like a job file's, with
 * the same parsers for cron expressions, durations, times and zones. The
 * same parameters, stored as JSON, rebuild the job after a restart. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "methods.h"
#include "rcstr.h"

_printf_(2, 3) static int
invalid(char **reterr, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(reterr, fmt, ap) < 0)
                *reterr = NULL;
        va_end(ap);
        return -EINVAL;
}

static const char *
get_str(json_t *params, const char *name)
{
        json_t *v = json_object_get(params, name);
        return json_is_string(v) ? json_string_value(v) : NULL;
}

int
methods_def_from_json(struct daemon *d, json_t *params, uid_t uid, struct job_def **ret, char **reterr)
{
        _cleanup_(job_def_freep) struct job_def *def = NULL;
        const char *id = get_str(params, "id"), *cron = get_str(params, "cron"), *every = get_str(params, "every"),
                   *at = get_str(params, "at"), *zone = get_str(params, "timezone"),
                   *timeout = get_str(params, "timeout");
        json_t *cmd = json_object_get(params, "command");
        _cleanup_free_ const char **argv = NULL;
        struct job_def_extra *x;
        const struct tz_zone *z;
        size_t i, n;
        json_t *v;
        int r;

        *reterr = NULL;
        if (!id || !job_id_valid(id))
                return invalid(reterr, "a job id is [A-Za-z0-9][A-Za-z0-9_.@-]{0,127}, got '%s'", id ? id : "");
        if (!json_is_array(cmd) || json_array_size(cmd) == 0)
                return invalid(reterr, "the command must be a non-empty list of strings");
        if (!!cron + !!every + !!at != 1)
                return invalid(reterr, "give exactly one of cron, every and at");
        r = tz_db_get(d->tzdb, zone, &z);
        if (r < 0)
                return invalid(reterr, "unknown time zone '%s'", zone ? zone : "(local)");

        r = job_def_new(id, &def);
        if (r < 0)
                return r;
        def->file = rcstr_new("(added with schedctl add)");
        if (!def->file)
                return -ENOMEM;
        if (zone) {
                x = job_def_extra_mut(def);
                if (!x || !(x->timezone = strdup(zone)))
                        return -ENOMEM;
        }
        n = json_array_size(cmd);
        argv = calloc(n + 1, sizeof *argv);     /* borrowed from @cmd, copied by job_command_set() */
        if (!argv)
                return -ENOMEM;
        json_array_foreach(cmd, i, v) {
                if (!json_is_string(v) || (i == 0 && !*json_string_value(v)))
                        return invalid(reterr, "the command must be a non-empty list of strings");
                argv[i] = json_string_value(v);
        }
        if (job_command_set(&def->command, argv, false) < 0)
                return -ENOMEM;

        if (cron) {
                struct cron_error e = {};
                struct cron_spec spec;
                trigger_init(&def->trigger, TRIGGER_CRON, z);
                if (cron_parse(cron, &spec, &e) < 0)
                        return invalid(reterr, "cron '%s': column %u: %s", cron, e.offset + 1, e.message);
                if (trigger_set_cron(&def->trigger, &spec) < 0)
                        return -ENOMEM;
                r = asprintf(&def->schedule_text, "cron %s", cron);
        } else if (every) {
                char buf[32];
                trigger_init(&def->trigger, TRIGGER_INTERVAL, z);
                if (duration_parse(every, &def->trigger.interval) < 0 || def->trigger.interval <= 0)
                        return invalid(reterr, "every: expected a duration like 5m or 1h30m, got '%s'", every);
                r = asprintf(&def->schedule_text, "interval %s",
                             duration_format(def->trigger.interval, buf, sizeof buf));
        } else {
                enum time_form form;
                struct civil c;
                char buf[64];
                trigger_init(&def->trigger, TRIGGER_AT, z);
                if (time_parse(at, true, &form, &def->trigger.at, &c) < 0)
                        return invalid(reterr, "at: expected a time like 2026-12-31T23:59:00, got '%s'", at);
                if (form == TIME_NAIVE) {
                        int64_t both[2];
                        (void) tz_from_local(z, &c, both);     /* a gap: after the jump; a fold: the first */
                        def->trigger.at = both[0] * USEC_PER_SEC + c.usec;
                }
                r = asprintf(&def->schedule_text, "at %s",
                             time_format_rfc3339(def->trigger.at, tz_offset_at(z, def->trigger.at / USEC_PER_SEC),
                                                 buf, sizeof buf));
        }
        if (r < 0)
                return -ENOMEM;
        if (timeout) {
                usec_t t;

                if (duration_parse(timeout, &t) < 0 || t <= 0)
                        return invalid(reterr, "timeout: expected a duration like 30s or 1h, got '%s'", timeout);
                x = job_def_extra_mut(def);
                if (!x)
                        return -ENOMEM;
                x->timeout = t;
        }

        /* A job added by a user other than root always runs as that user. */
        if (uid != (uid_t) -1) {
                x = job_def_extra_mut(def);
                if (!x || asprintf(&x->user, "%u", (unsigned) uid) < 0) {
                        if (x)
                                x->user = NULL;
                        return -ENOMEM;
                }
        }
        r = job_def_pack(&def);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(def);
        return 0;
}
