/* spawn.h - start one process, vfork-style (STYLE.md section 7).
 *
 * Everything that can fail for environmental reasons is settled by the
 * caller before spawn_start(); the child only makes system calls, and
 * reports the first one that fails through the memory it shares with the
 * runner until it execs (spawn.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "runproto.h"

struct spawn_plan {
        char *const *argv;              /* not owned; argv[0] non-NULL */
        char *const *envp;              /* not owned; the complete environment */
        bool path_search;               /* argv[0] without '/' is looked up in envp's PATH */
        bool set_credentials;           /* apply groups, gid, uid (each checked) */
        uid_t uid;
        gid_t gid;
        const gid_t *groups;
        size_t n_groups;
        bool no_new_privs;
        const char *directory;
        int stdin_fd;                   /* moved onto 0 */
        int stdout_fd;                  /* moved onto 1 and 2 */
};

/* Takes note of what every child must undo: the signal dispositions that
 * are not the default, and the timer slack, which the runner then sets
 * to 1 ns for its own timers. Call once, after the runner's dispositions
 * are final (the child resets only the signals noted here). */
void spawn_init(void);

/* Starts @p's program in a new session (so its pid is its process group).
 * On success returns 0, the pid in *ret_pid and a pidfd (CLOEXEC) in
 * *ret_pidfd: the exec has succeeded by then. On failure returns a
 * negative errno and the stage in *reterr_stage; a child that failed has
 * been reaped already. Outputs are untouched on failure, except
 * *reterr_stage. Blocks only until the child has exec'd or failed. */
int spawn_start(const struct spawn_plan *p, pid_t *ret_pid, int *ret_pidfd, enum rp_stage *reterr_stage);
