/* jobdir.h - load the jobs directory into the scheduler. */
#pragma once

#include <stdbool.h>

#include "daemon.h"

struct jobdir_report {
        unsigned files, errors;
        unsigned unchanged_files;               /* found as they were: not parsed again */
        char **added, **changed, **removed;     /* job ids, NULL-terminated (or NULL) */
        size_t n_added, n_changed, n_removed;
        const struct jobfile *shown_files;      /* the files as loaded: their errors */
        size_t n_files;
        struct jobfile *owned_files;            /* check mode: the report owns them */
};
void jobdir_report_done(struct jobdir_report *r);

/* True for names schedd reads: *.yaml and *.yml, but not hidden or backup
 * files (.*, *~, *.dpkg-*, *.ucf-*). */
bool jobdir_name_wanted(const char *name);

/* (Re)loads every job file, then adds, replaces and removes file jobs.
 * Errors are logged and kept in d->files; a broken file or job keeps its
 * previous version. Returns 0, or a negative errno when the directory
 * cannot be read at all (then nothing changes). */
int jobdir_reload(struct daemon *d, usec_t now, struct jobdir_report *report);

/* Like jobdir_reload(), but changes nothing: only reports what a reload
 * would add, change and remove, and the errors it would find. */
int jobdir_check(struct daemon *d, struct jobdir_report *report);
