/* creds.h - resolve who a job runs as (names to numbers, groups, home),
 * in the daemon, before anything is started (DESIGN.md section 2). */
#pragma once

#include "daemon.h"

/* Resolves @user and @group (names or numbers; NULL: the defaults: root in
 * system mode, the daemon's own user in user mode; the user's primary
 * group) into *ret, a reference the caller gives back with creds_unref(),
 * with the user's supplementary groups. Jobs that name the same user and
 * group in one load share one. On failure returns a negative errno and a
 * malloc'ed message in *reterr ("no such user 'backup'"); *ret untouched.
 * In user mode, any user but the daemon's own is refused. */
int creds_resolve(struct daemon *d, const char *user, const char *group,
                  struct job_creds **ret, char **reterr);

/* Forgets the users looked up so far (before each load of the job files,
 * since users and groups may have changed); jobs keep their references. */
void creds_cache_clear(struct daemon *d);

/* Another reference to @c (may be NULL); returns @c. */
struct job_creds *creds_ref(struct job_creds *c);

/* Gives back a reference (may be NULL), freeing @c with the last; returns NULL. */
struct job_creds *creds_unref(struct job_creds *c);
