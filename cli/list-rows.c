/* list-rows.c - the jobs of a List reply, read straight from its text.
 *
 * schedctl list at 100,000 jobs gets 25 MB of JSON; as a jansson tree it
 * takes a second to parse and free, with lib/jsonscan.c a tenth of that.
 * Only the members the table shows are decoded; the rest are skipped. A
 * member of the wrong type counts as absent, as json_str() and json_int()
 * treat it in the other views. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jsonscan.h"

/* A string member's value, in a buffer reused from row to row. */
struct field {
        char *s;
        size_t cap;
        bool set;
};

static int
field_take(struct json_scan *s, struct field *f)
{
        size_t n = json_scan_string(s, f->s, f->cap);

        if (n >= f->cap) {
                char *p = realloc(f->s, n + 1);
                if (!p)
                        return -ENOMEM;
                f->s = p;
                f->cap = n + 1;
                (void) json_scan_string(s, f->s, f->cap);
        }
        f->set = true;
        return 0;
}

enum { F_ID, F_SCHEDULE, F_STATE, F_LAST_STATE, _F_STRINGS };

struct reader {
        struct json_scan s;
        struct field f[_F_STRINGS];
        list_row_fn fn;
        void *userdata;
};

/* The value after a key: a string into @f, an integer into @i, anything
 * else skipped. */
static int
take_value(struct reader *r, struct field *f, int64_t *i, bool *i_set)
{
        enum json_token t = json_scan_next(&r->s);

        if (t == JSON_TOK_STRING && f)
                return field_take(&r->s, f);
        if (t == JSON_TOK_NUMBER && i) {
                *i_set = json_scan_int(&r->s, i);
                return 0;
        }
        if (t == JSON_TOK_ERROR)
                return -EBADMSG;
        return json_scan_skip(&r->s) < 0 ? -EBADMSG : 0;
}

/* The members the table shows; the rest are skipped. */
enum member { M_RUNNING = _F_STRINGS, M_NEXT_USEC, M_LAST_END_USEC, _M_MAX };
static const struct { const char *name; size_t len; } members[_M_MAX] = {
        [F_ID] = { "id", 2 },
        [F_SCHEDULE] = { "schedule", 8 },
        [F_STATE] = { "state", 5 },
        [F_LAST_STATE] = { "last_state", 10 },
        [M_RUNNING] = { "running", 7 },
        [M_NEXT_USEC] = { "next_usec", 9 },
        [M_LAST_END_USEC] = { "last_end_usec", 13 },
};

/* Which member the current key names, or -1. Without escapes, by its
 * length and then one memcmp(): a job has a dozen keys, and the loop over
 * the seven names for each of them was a tenth of schedctl list. */
static int
member_of(const struct json_scan *s)
{
        int m = -1;

        if (s->tok_escaped) {
                for (int i = 0; i < _M_MAX; i++)
                        if (json_scan_string_is(s, members[i].name))
                                return i;
                return -1;
        }
        switch (s->tok_len) {
        case 2: m = F_ID; break;
        case 5: m = F_STATE; break;
        case 7: m = M_RUNNING; break;
        case 8: m = F_SCHEDULE; break;
        case 9: m = M_NEXT_USEC; break;
        case 10: m = F_LAST_STATE; break;
        case 13: m = M_LAST_END_USEC; break;
        default: return -1;
        }
        return members[m].len == s->tok_len && memcmp(s->tok, members[m].name, s->tok_len) == 0 ? m : -1;
}

static int
read_job(struct reader *r)
{
        struct job_row row = {};
        bool running_set = false;
        enum json_token t;
        int k;

        for (size_t i = 0; i < _F_STRINGS; i++)
                r->f[i].set = false;
        while ((t = json_scan_next(&r->s)) == JSON_TOK_KEY) {
                int m = member_of(&r->s);
                if (m >= 0 && m < _F_STRINGS)
                        k = take_value(r, &r->f[m], NULL, NULL);
                else if (m == M_RUNNING)
                        k = take_value(r, NULL, &row.running, &running_set);
                else if (m == M_NEXT_USEC)
                        k = take_value(r, NULL, &row.next_usec, &row.has_next);
                else if (m == M_LAST_END_USEC)
                        k = take_value(r, NULL, &row.last_end_usec, &row.has_last_end);
                else
                        k = take_value(r, NULL, NULL, NULL);
                if (k < 0)
                        return k;
        }
        if (t != JSON_TOK_OBJECT_END)
                return -EBADMSG;
        row.id = r->f[F_ID].set ? r->f[F_ID].s : NULL;
        row.schedule = r->f[F_SCHEDULE].set ? r->f[F_SCHEDULE].s : NULL;
        row.state = r->f[F_STATE].set ? r->f[F_STATE].s : NULL;
        row.last_state = r->f[F_LAST_STATE].set ? r->f[F_LAST_STATE].s : NULL;
        if (!running_set)
                row.running = 0;
        return r->fn(&row, r->userdata) < 0 ? -ENOMEM : 0;
}

/* At "jobs": its array, one row per object; any other element is skipped. */
static int
read_jobs(struct reader *r)
{
        enum json_token t = json_scan_next(&r->s);
        int k;

        if (t != JSON_TOK_ARRAY_BEGIN)
                return t == JSON_TOK_ERROR ? -EBADMSG : json_scan_skip(&r->s) < 0 ? -EBADMSG : 0;
        while ((t = json_scan_next(&r->s)) != JSON_TOK_ARRAY_END) {
                if (t == JSON_TOK_OBJECT_BEGIN)
                        k = read_job(r);
                else
                        k = t == JSON_TOK_ERROR || json_scan_skip(&r->s) < 0 ? -EBADMSG : 0;
                if (k < 0)
                        return k;
        }
        return 0;
}

/* An object's members, up to its end: at the top "parameters" is entered,
 * in the parameters "jobs"; everything else is skipped. */
static int
read_members(struct reader *r, bool top, bool *saw_parameters, bool *saw_error)
{
        enum json_token t;
        int k;

        while ((t = json_scan_next(&r->s)) == JSON_TOK_KEY) {
                if (top && json_scan_string_is(&r->s, "parameters")) {
                        *saw_parameters = true;
                        t = json_scan_next(&r->s);
                        if (t == JSON_TOK_OBJECT_BEGIN)
                                k = read_members(r, false, saw_parameters, saw_error);
                        else
                                k = t == JSON_TOK_ERROR || json_scan_skip(&r->s) < 0 ? -EBADMSG : 0;
                } else if (!top && json_scan_string_is(&r->s, "jobs"))
                        k = read_jobs(r);
                else {
                        if (top && json_scan_string_is(&r->s, "error"))
                                *saw_error = true;
                        k = take_value(r, NULL, NULL, NULL);
                }
                if (k < 0)
                        return k;
        }
        return t == JSON_TOK_OBJECT_END ? 0 : -EBADMSG;
}

int
list_rows_read(const char *text, size_t len, list_row_fn fn, void *userdata, const char **reterr)
{
        struct reader r = { .fn = fn, .userdata = userdata };
        bool saw_parameters = false, saw_error = false;
        int k;

        json_scan_init(&r.s, text, len);
        if (json_scan_next(&r.s) != JSON_TOK_OBJECT_BEGIN)
                k = -EBADMSG;
        else
                k = read_members(&r, true, &saw_parameters, &saw_error);
        if (k == 0 && json_scan_next(&r.s) != JSON_TOK_END)
                k = -EBADMSG;
        for (size_t i = 0; i < _F_STRINGS; i++)
                free(r.f[i].s);
        if (k == -EBADMSG && reterr)
                *reterr = r.s.error ? r.s.error : "not a List reply";
        if (k < 0)
                return k;
        return saw_parameters && !saw_error;
}
