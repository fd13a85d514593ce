/* creds.c - users and groups, via NSS, resolved at load time. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "creds.h"
#include "macro.h"

static void
creds_done(struct job_creds *c)
{
        free(c->groups);
        free(c->user);
        free(c->home);
        *c = (struct job_creds) {};
}

struct job_creds *
creds_ref(struct job_creds *c)
{
        if (c)
                c->n_ref++;
        return c;
}

struct job_creds *
creds_unref(struct job_creds *c)
{
        if (c && --c->n_ref == 0) {
                creds_done(c);
                free(c);
        }
        return NULL;
}

static bool
all_digits(const char *s)
{
        return *s && strspn(s, "0123456789") == strlen(s);
}

static int
lookup_user(const char *name, struct passwd *pw, char **buf)
{
        size_t len = 16384;
        struct passwd *res = NULL;
        int r;

        *buf = malloc(len);
        if (!*buf)
                return -ENOMEM;
        if (all_digits(name))
                r = getpwuid_r((uid_t) strtoul(name, NULL, 10), pw, *buf, len, &res);
        else
                r = getpwnam_r(name, pw, *buf, len, &res);
        if (r != 0)
                return -r;
        return res ? 0 : -ESRCH;
}

static int
lookup_group(const char *name, gid_t *ret)
{
        char buf[16384];
        struct group gr, *res = NULL;
        int r;

        if (all_digits(name)) {
                *ret = (gid_t) strtoul(name, NULL, 10);
                return 0;
        }
        r = getgrnam_r(name, &gr, buf, sizeof buf, &res);
        if (r != 0)
                return -r;
        if (!res)
                return -ESRCH;
        *ret = gr.gr_gid;
        return 0;
}

struct cached {
        char *key;              /* "user\ngroup" */
        struct job_creds *creds;  /* a reference */
};

void
creds_cache_clear(struct daemon *d)
{
        const char *key;
        void *value;

        for (size_t i = 0; hashmap_next(&d->creds_cache, &i, &key, &value);) {
                struct cached *c = value;
                creds_unref(c->creds);
                free(c->key);
                free(c);
        }
        hashmap_done(&d->creds_cache);
}

static int resolve(const struct daemon *d, const char *user, const char *group, struct job_creds *ret,
                   char **reterr);

int
creds_resolve(struct daemon *d, const char *user, const char *group, struct job_creds **ret, char **reterr)
{
        _cleanup_free_ char *heap_key = NULL;
        const char *u = user ? user : "", *g = group ? group : "";
        size_t lu = strlen(u), lg = strlen(g);
        char stack_key[128], *key;
        struct job_creds *creds;
        struct cached *c;
        int r;

        /* Thousands of jobs share a handful of users: look each up once per
         * load (the cache is cleared on every reload), and let the jobs
         * share the result. The key, "user\ngroup", is built on the stack
         * (an asprintf() for each job's lookup was a seventieth of a
         * start-up with 10,000 jobs) and copied only into the cache. */
        if (lu + 1 + lg < sizeof stack_key)
                key = stack_key;
        else {
                key = heap_key = malloc(lu + 1 + lg + 1);
                if (!key)
                        return -ENOMEM;
        }
        memcpy(key, u, lu);
        key[lu] = '\n';
        memcpy(key + lu + 1, g, lg + 1);
        c = hashmap_get(&d->creds_cache, key);
        if (c) {
                *ret = creds_ref(c->creds);
                return 0;
        }
        creds = calloc(1, sizeof *creds);
        if (!creds)
                return -ENOMEM;
        r = resolve(d, user, group, creds, reterr);
        if (r < 0) {
                free(creds);
                return r;
        }
        creds->n_ref = 1;
        /* Not caching is only slower: the job gets its creds either way. */
        c = calloc(1, sizeof *c);
        if (c) {
                c->key = heap_key ? TAKE_PTR(heap_key) : strdup(key);
                c->creds = creds_ref(creds);
                if (!c->key || hashmap_put(&d->creds_cache, c->key, c) < 0) {
                        creds_unref(c->creds);
                        free(c->key);
                        free(c);
                }
        }
        *ret = creds;
        return 0;
}

static int
resolve(const struct daemon *d, const char *user, const char *group, struct job_creds *ret, char **reterr)
{
        struct job_creds c = {};
        struct passwd pw;
        char *buf = NULL, self[32];
        int r, n = 64;

        if (!user) {
                snprintf(self, sizeof self, "%u", (unsigned) d->self_uid);
                user = d->user_mode ? self : "0";
        }
        r = lookup_user(user, &pw, &buf);
        if (r < 0) {
                free(buf);
                if (asprintf(reterr, r == -ESRCH ? "no such user '%s'" : "cannot look up user '%s': %s",
                             user, strerror(-r)) < 0)
                        *reterr = NULL;
                return r;
        }
        if (d->user_mode && pw.pw_uid != d->self_uid) {
                if (asprintf(reterr, "schedd --user runs jobs only as its own user, not as '%s'", user) < 0)
                        *reterr = NULL;
                free(buf);
                return -EPERM;
        }
        c.uid = pw.pw_uid;
        c.gid = pw.pw_gid;
        c.user = strdup(pw.pw_name);
        c.home = strdup(pw.pw_dir && *pw.pw_dir ? pw.pw_dir : "/");
        if (!c.user || !c.home)
                goto oom;
        if (group) {
                r = lookup_group(group, &c.gid);
                if (r < 0) {
                        if (asprintf(reterr, "no such group '%s'", group) < 0)
                                *reterr = NULL;
                        free(buf);
                        creds_done(&c);
                        return r;
                }
        }
        /* The user's supplementary groups, as login would set them. */
        for (;;) {
                gid_t *g = realloc(c.groups, n * sizeof *g);
                if (!g)
                        goto oom;
                c.groups = g;
                int got = n;
                if (getgrouplist(c.user, c.gid, c.groups, &got) >= 0) {
                        c.n_groups = got;
                        break;
                }
                if (got <= n)
                        got = n * 2;
                n = got;
        }
        free(buf);
        *ret = c;
        return 0;
oom:
        free(buf);
        creds_done(&c);
        *reterr = NULL;
        return -ENOMEM;
}
