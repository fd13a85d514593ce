/* loop.h - the event loop, and what the loop does on behalf of others. */
#pragma once

#include "daemon.h"

/* Runs until the daemon is asked to stop and may stop. Returns 0, or a
 * negative errno if waiting itself failed. */
int loop_run(struct daemon *d);

/* Reloads the job files, with RELOADING=1 / READY=1 around it. */
void loop_reload(struct daemon *d);
/* The same, leaving what changed in *rep (jobdir_report_done() it). */
struct jobdir_report;
void loop_reload_report(struct daemon *d, struct jobdir_report *rep);

/* No new runs from now on; with shutdown_runs=stop, stop the running ones. */
void loop_begin_shutdown(struct daemon *d, const char *why);

/* STATUS= for systemd: job count, running runs, the next firing. */
void loop_notify_status(struct daemon *d);
