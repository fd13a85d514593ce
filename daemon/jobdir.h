/* jobdir.h - load the jobs directory into the scheduler. */
#pragma once

#include <stdbool.h>

#include "daemon.h"

struct jobdir_report {
        unsigned files, added, changed, removed, errors;
};

/* True for names schedd reads: *.yaml and *.yml, but not hidden or backup
 * files (.*, *~, *.dpkg-*, *.ucf-*). */
bool jobdir_name_wanted(const char *name);

/* (Re)loads every job file, then adds, replaces and removes file jobs.
 * Errors are logged and kept in d->files; a broken file or job keeps its
 * previous version. Returns 0, or a negative errno when the directory
 * cannot be read at all (then nothing changes). */
int jobdir_reload(struct daemon *d, usec_t now, struct jobdir_report *report);
