/* jobfile-schedule.c - the schedule mapping of a job (SPEC section 3) to a
 * struct trigger and its display text.
 *
 * A schedule names exactly one trigger (cron, string or field form;
 * interval; at) and optionally timezone, start, end and jitter. The zone is
 * resolved first, since naive times in at, start and end are read in it: a
 * local time in a daylight-saving gap means the first instant after the
 * jump, one in a fold its first occurrence (SPEC 3's rule for firings,
 * applied to bounds too). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobfile-internal.h"

static const char *const schedule_keys[] = {
        "cron", "interval", "at", "timezone", "start", "end", "jitter", NULL,
};

static const char *const interval_keys[] = {
        "weeks", "days", "hours", "minutes", "seconds", NULL,
};

static const char *const cron_keys[] = {
        "year", "month", "day", "week", "day_of_week", "hour", "minute", "second", NULL,
};

/* Where a byte offset into a scalar's value sits on its line: quoted
 * scalars start one column after their mark. Escapes in double-quoted
 * scalars and folded lines are not accounted for. */
static unsigned
scalar_column_add(const yaml_node_t *v, unsigned offset)
{
        switch (v->data.scalar.style) {
        case YAML_PLAIN_SCALAR_STYLE:
                return offset;
        case YAML_SINGLE_QUOTED_SCALAR_STYLE:
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
                return offset + 1;
        default:
                return 0;
        }
}

static int
oom(struct jf_ctx *c)
{
        c->oom = true;
        return -ENOMEM;
}

static int
zone_error(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v, const char *path, int r)
{
        const char *name = jf_text(v);

        switch (r) {
        case -ENOMEM:
                return oom(c);
        case -ENOENT:
                return jf_error_value(c, key, v, path, "unknown time zone '%s'", name);
        case -EBADMSG:
                return jf_error_value(c, key, v, path, "time zone file of '%s' is corrupt", name);
        default:
                return jf_error_value(c, key, v, path,
                                      "expected a time zone name like Europe/Berlin, got '%s'",
                                      name);
        }
}

/* Reads a time: RFC 3339, naive (read in @zone), or for at an integer
 * Unix timestamp. */
static int
read_time(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v, const char *path,
          const struct tz_zone *zone, bool allow_integer, usec_t *ret)
{
        enum time_form form;
        struct civil civ;
        usec_t t;
        char got[64];

        if (v->type == YAML_SCALAR_NODE && !jf_is_null(v) &&
            time_parse(jf_text(v), allow_integer, &form, &t, &civ) >= 0) {
                if (form == TIME_NAIVE) {
                        int64_t s[2];
                        /* TZ_UNIQUE, TZ_FOLD (first occurrence) and TZ_GAP (the
                         * first instant after the jump) all put the answer in s[0]. */
                        (void) tz_from_local(zone, &civ, s);
                        t = s[0] * USEC_PER_SEC + civ.usec;
                }
                *ret = t;
                return 0;
        }
        return jf_error_value(c, key, v, path,
                              "expected a time like 2026-12-31T23:59:00 or "
                              "2026-12-31T23:59:00+01:00%s, got %s",
                              allow_integer ? " or a Unix timestamp" : "",
                              jf_describe(v, got, sizeof got));
}

/* "cron EXPR", the schedule's text: without asprintf(), which cost a
 * hundredth of a start-up with 10,000 jobs. NULL when out of memory. */
static char *
cron_text(const char *expr)
{
        size_t n = strlen(expr);
        char *s = malloc(5 + n + 1);

        if (s) {
                memcpy(s, "cron ", 5);
                memcpy(s + 5, expr, n + 1);
        }
        return s;
}

static int
parse_cron_string(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v,
                  const char *path, struct trigger *t, char **ret_text)
{
        struct cron_error e = {};
        struct cron_spec spec;
        char got[64];

        if (v->type != YAML_SCALAR_NODE || jf_is_null(v))
                return jf_error_value(c, key, v, path,
                                      "expected a cron expression like \"30 2 * * mon-fri\" or a "
                                      "mapping of cron fields, got %s",
                                      jf_describe(v, got, sizeof got));
        if (cron_parse(jf_text(v), &spec, &e) < 0)
                return jf_error_at(c, &v->start_mark, scalar_column_add(v, e.offset), path, "%s",
                                   e.message);
        if (trigger_set_cron(t, &spec) < 0)
                return oom(c);
        *ret_text = cron_text(jf_text(v));
        return *ret_text ? 0 : oom(c);
}

static int
parse_cron_fields(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v,
                  const char *path, struct trigger *t, char **ret_text)
{
        const char *fields[_CRON_FIELD_MAX] = {};
        const yaml_node_t *nodes[_CRON_FIELD_MAX] = {};
        _cleanup_free_ char *text = NULL;
        enum cron_field ef = 0;
        struct cron_error e = {};
        struct cron_spec spec;
        char sub[JF_PATH_MAX], got[64];
        size_t n_given = 0;
        int r;

        r = jf_check_mapping(c, key, v, path, "a mapping of cron fields", cron_keys, NULL);
        for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
             p < v->data.mapping.pairs.top; p++) {
                yaml_node_t *k = jf_node(c, p->key), *val = jf_node(c, p->value);
                int f, q;

                if (k->type != YAML_SCALAR_NODE)
                        continue;
                f = cron_field_from_string(jf_text(k));
                if (f < 0 || nodes[f])
                        continue;       /* reported by jf_check_mapping() */
                jf_path_join(sub, path, jf_text(k));
                if (val->type != YAML_SCALAR_NODE || jf_is_null(val)) {
                        q = jf_error_value(c, k, val, sub,
                                           "expected a cron field expression like 9-17 or "
                                           "\"*/5\", got %s", jf_describe(val, got, sizeof got));
                        r = r < 0 ? r : q;
                        continue;
                }
                nodes[f] = val;
                fields[f] = jf_text(val);
                n_given++;
        }
        if (r < 0)
                return r;
        if (n_given == 0)
                return jf_error_value(c, key, v, path, "expected at least one of year, month, day, "
                                      "week, day_of_week, hour, minute, second");

        if (cron_parse_fields(fields, &spec, &ef, &e) < 0) {
                if ((unsigned) ef < _CRON_FIELD_MAX && nodes[ef])
                        return jf_error_at(c, &nodes[ef]->start_mark,
                                           scalar_column_add(nodes[ef], e.offset),
                                           jf_path_join(sub, path, cron_field_to_string(ef)),
                                           "%s", e.message);
                return jf_error_value(c, key, v, path, "%s", e.message);
        }
        if (trigger_set_cron(t, &spec) < 0)
                return oom(c);

        /* "cron {day_of_week: mon-fri, hour: 9-17}", in field order. */
        for (int f = 0; f < _CRON_FIELD_MAX; f++) {
                char *s;
                if (!fields[f])
                        continue;
                if (asprintf(&s, "%s%s%s: %s", text ? text : "cron {", text ? ", " : "",
                             cron_field_to_string(f), fields[f]) < 0)
                        return oom(c);
                free(text);
                text = s;
        }
        if (asprintf(ret_text, "%s}", text) < 0)
                return oom(c);
        return 0;
}

static int
parse_interval(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v, const char *path,
               struct trigger *t, char **ret_text)
{
        static const double unit[] = { 7 * 86400.0, 86400.0, 3600.0, 60.0, 1.0 };
        char sub[JF_PATH_MAX], buf[32], got[64];
        double seconds = 0;
        int r;

        if (v->type == YAML_MAPPING_NODE) {
                r = jf_check_mapping(c, key, v, path, "a mapping", interval_keys, NULL);
                for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
                     p < v->data.mapping.pairs.top; p++) {
                        yaml_node_t *k = jf_node(c, p->key), *val = jf_node(c, p->value);
                        double x;
                        int q;

                        if (k->type != YAML_SCALAR_NODE)
                                continue;
                        for (size_t i = 0; interval_keys[i]; i++) {
                                if (strcmp(jf_text(k), interval_keys[i]) != 0)
                                        continue;
                                jf_path_join(sub, path, interval_keys[i]);
                                q = jf_read_number(c, k, val, sub, 0, &x);
                                if (q < 0)
                                        r = r < 0 ? r : q;
                                else
                                        seconds += x * unit[i];
                        }
                }
                if (r < 0)
                        return r;
                /* 2^62 microseconds is some 146,000 years. */
                if (seconds * USEC_PER_SEC >= 0x1p62)
                        return jf_error_value(c, key, v, path, "interval is too long");
                t->interval = (usec_t) (seconds * USEC_PER_SEC + 0.5);
        } else {
                r = jf_read_duration(c, key, v, path, NULL, &t->interval);
                if (r < 0)
                        return r;
        }
        if (t->interval <= 0)
                return jf_error_value(c, key, v, path, "expected a duration longer than 0, got %s",
                                      v->type == YAML_MAPPING_NODE ? "0" :
                                      jf_describe(v, got, sizeof got));
        if (asprintf(ret_text, "interval %s", duration_format(t->interval, buf, sizeof buf)) < 0)
                return oom(c);
        return 0;
}

static int
parse_at(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v, const char *path,
         struct trigger *t, char **ret_text)
{
        char buf[40];
        int r;

        r = read_time(c, key, v, path, t->zone, true, &t->at);
        if (r < 0)
                return r;
        if (asprintf(ret_text, "at %s",
                     time_format_rfc3339(t->at, tz_offset_at(t->zone, t->at / USEC_PER_SEC), buf,
                                         sizeof buf)) < 0)
                return oom(c);
        return 0;
}

struct schedule_nodes {
        const yaml_node_t *key, *value;
};

int
jf_schedule_parse(struct jf_ctx *c, const yaml_node_t *key, const yaml_node_t *v,
                  const char *path, struct job_def *d)
{
        struct schedule_nodes trig = {}, tz = {}, start = {}, end = {}, jitter = {};
        _cleanup_free_ char *text = NULL, *zone_name = NULL;
        const struct tz_zone *zone;
        enum trigger_kind kind = _TRIGGER_KIND_MAX;
        _cleanup_(trigger_done) struct trigger t = {};
        usec_t t_start = USEC_UNSET, t_end = USEC_INFINITY, t_jitter = 0;
        char sub[JF_PATH_MAX];
        int r, q;

        r = jf_check_mapping(c, key, v, path, "a mapping with one of cron, interval, at",
                             schedule_keys, NULL);
        if (v->type != YAML_MAPPING_NODE)
                return r;

        for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
             p < v->data.mapping.pairs.top; p++) {
                const yaml_node_t *k = jf_node(c, p->key), *val = jf_node(c, p->value);
                struct schedule_nodes *slot = NULL;
                const char *name;

                if (k->type != YAML_SCALAR_NODE)
                        continue;
                name = jf_text(k);
                if (strcmp(name, "cron") == 0 || strcmp(name, "interval") == 0 ||
                    strcmp(name, "at") == 0) {
                        if (trig.key) {
                                if (strcmp(jf_text(trig.key), name) != 0) {
                                        q = jf_error(c, k, path,
                                                     "expected exactly one of cron, interval, at");
                                        r = r < 0 ? r : q;
                                }
                                continue;
                        }
                        slot = &trig;
                        kind = name[0] == 'c' ? TRIGGER_CRON :
                               name[0] == 'i' ? TRIGGER_INTERVAL : TRIGGER_AT;
                } else if (strcmp(name, "timezone") == 0)
                        slot = &tz;
                else if (strcmp(name, "start") == 0)
                        slot = &start;
                else if (strcmp(name, "end") == 0)
                        slot = &end;
                else if (strcmp(name, "jitter") == 0)
                        slot = &jitter;
                if (slot && !slot->key)
                        *slot = (struct schedule_nodes) { k, val };
        }
        if (!trig.key) {
                q = jf_error(c, key, path, "expected exactly one of cron, interval, at");
                return r < 0 ? r : q;
        }

        /* The zone first: at, start and end may be naive local times. */
        if (tz.key) {
                q = jf_read_string(c, tz.key, tz.value, jf_path_join(sub, path, "timezone"),
                                   &zone_name);
                if (q >= 0) {
                        q = tz_db_get(c->db, zone_name, &zone);
                        if (q < 0)
                                q = zone_error(c, tz.key, tz.value, sub, q);
                }
                if (q < 0)
                        return q;
        } else {
                const char *dz = d->extra->timezone;

                q = tz_db_get(c->db, dz, &zone);
                if (q == -ENOMEM)
                        return oom(c);
                if (q < 0)
                        return jf_error(c, key, path, "cannot load the %s time zone%s%s%s: %s",
                                        dz ? "default" : "local", dz ? " '" : "", dz ? dz : "",
                                        dz ? "'" : "", strerror(-q));
        }

        trigger_init(&t, kind, zone);
        jf_path_join(sub, path, jf_text(trig.key));
        switch (kind) {
        case TRIGGER_CRON:
                if (trig.value->type == YAML_MAPPING_NODE)
                        q = parse_cron_fields(c, trig.key, trig.value, sub, &t, &text);
                else
                        q = parse_cron_string(c, trig.key, trig.value, sub, &t, &text);
                break;
        case TRIGGER_INTERVAL:
                q = parse_interval(c, trig.key, trig.value, sub, &t, &text);
                break;
        default:
                q = parse_at(c, trig.key, trig.value, sub, &t, &text);
                break;
        }
        r = r < 0 ? r : q;

        if (start.key) {
                q = read_time(c, start.key, start.value, jf_path_join(sub, path, "start"), zone,
                              false, &t_start);
                r = r < 0 ? r : q;
        }
        if (end.key) {
                q = read_time(c, end.key, end.value, jf_path_join(sub, path, "end"), zone, false,
                              &t_end);
                if (q >= 0 && start.key && t_start != USEC_UNSET && t_end < t_start)
                        q = jf_error_value(c, end.key, end.value, sub,
                                           "expected a time not before start '%s', got '%s'",
                                           jf_text(start.value), jf_text(end.value));
                r = r < 0 ? r : q;
        }
        if (jitter.key) {
                q = jf_read_duration(c, jitter.key, jitter.value, jf_path_join(sub, path, "jitter"),
                                     NULL, &t_jitter);
                r = r < 0 ? r : q;
        }
        if (r < 0)
                return r;
        if (trigger_set_bounds(&t, t_start, t_end, t_jitter) < 0)
                return oom(c);

        if (zone_name) {
                struct job_def_extra *x = job_def_extra_mut(d);

                if (!x)
                        return oom(c);
                free(x->timezone);
                x->timezone = TAKE_PTR(zone_name);
        }
        trigger_done(&d->trigger);
        d->trigger = t;
        t = (struct trigger) {};        /* moved */
        free(d->schedule_text);
        d->schedule_text = TAKE_PTR(text);
        return 0;
}
