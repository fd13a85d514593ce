/* spawn.c - start one process: clone(CLONE_VM|CLONE_VFORK), raw system
 * calls in the child, the failing stage reported through the memory the
 * child shares with the runner.
 *
 * Promises: the child never runs the program with credentials other than
 * the plan's when set_credentials is asked for (every step is checked,
 * and a failure ends the child before execve); the child touches no
 * memory allocator and no lock (it shares the runner's memory until it
 * execs); the pidfd comes from the clone itself (CLONE_PIDFD), so there
 * is no moment in which the pid could be reaped and reused before we hold
 * it. The parent is suspended by CLONE_VFORK until the child has exec'd
 * or exited, so when clone() returns the child has either run the program
 * (and never wrote to our memory again) or stored why it could not in
 * child_args.failure and exited: what glibc's posix_spawn() does. It
 * replaces the CLOEXEC pipe of DESIGN.md 2, which cost a pipe2(), a
 * read() and two close() per run, with their inode and file allocations:
 * about a tenth of the runner's CPU time in a burst. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "spawn.h"

struct spawn_failure {
        int stage;                      /* enum rp_stage */
        int error;                      /* errno */
};

/* The kernel's struct sigaction (asm-generic layout, with sa_restorer as
 * on x86-64 and arm64), for the signals glibc's sigaction() refuses. */
struct kernel_sigaction {
        void (*handler)(int);
        unsigned long flags;
        void (*restorer)(void);
        uint64_t mask;
};

struct child_args {
        const struct spawn_plan *plan;
        struct spawn_failure failure;   /* written by a child that fails, before it exits */
};

/* The child's stack. CLONE_VFORK suspends the parent until the child
 * execs, so one spawn at a time uses it; 64 KiB holds the PATH buffer
 * and the few frames of libc calls the child makes. */
static uint8_t child_stack[64 * 1024] __attribute__((aligned(16)));

/* Noted by spawn_init(), read by every child. */
/* Bit sig - 1 for each signal whose disposition is not SIG_DFL. Not a
 * sigset_t: glibc's sigaddset() refuses its two reserved signals, which
 * may well have been left ignored by whoever started us. */
static uint64_t changed_signals;
_Static_assert(_NSIG - 1 <= 64, "signals fit in 64 bits");
static unsigned long job_timerslack;    /* the slack the runner was started with */

void
spawn_init(void)
{
        /* One look at each disposition here instead of one change per
         * signal in every child: some 60 system calls a spawn. Nothing in
         * the runner changes a disposition after this (main.c). */
        changed_signals = 0;
        for (int sig = 1; sig < _NSIG; sig++) {
                struct kernel_sigaction k;
                if (sig == SIGKILL || sig == SIGSTOP)
                        continue;
                /* The raw call: glibc hides its two reserved signals. */
                if (syscall(SYS_rt_sigaction, sig, NULL, &k, sizeof k.mask) < 0 || k.handler != SIG_DFL)
                        changed_signals |= UINT64_C(1) << (sig - 1);
        }

        /* Timer slack delays the deadline timer (timeouts, kill_grace, a
         * held start) by up to 50 us; the runner's few timers are worth
         * exact wake-ups. Jobs get back the slack we inherited. */
        job_timerslack = (unsigned long) prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
        (void) prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
}

static const char *
env_path(char *const *envp)
{
        for (char *const *e = envp; *e; e++)
                if (strncmp(*e, "PATH=", 5) == 0)
                        return *e + 5;
        /* execvpe()'s default when the environment has no PATH. */
        return "/bin:/usr/bin";
}

/* execvpe() without its allocation and without its ENOEXEC fallback to
 * /bin/sh: tries each PATH directory in turn and returns the most telling
 * errno (EACCES if a candidate was not executable, else the last one). */
static int
exec_search(char *const *argv, char *const *envp)
{
        char buf[PATH_MAX];
        const char *path = env_path(envp);
        size_t flen = strlen(argv[0]);
        bool eacces = false;
        int error = ENOENT;

        if (flen == 0)
                return ENOENT;
        for (const char *p = path;; ) {
                const char *colon = strchrnul(p, ':');
                size_t dlen = (size_t) (colon - p);

                if (dlen == 0) {
                        /* An empty element means the current directory. */
                        buf[0] = '.';
                        dlen = 1;
                } else if (dlen < sizeof buf)
                        memcpy(buf, p, dlen);
                if (dlen + 1 + flen + 1 <= sizeof buf) {
                        buf[dlen] = '/';
                        memcpy(buf + dlen + 1, argv[0], flen + 1);
                        execve(buf, argv, envp);
                        error = errno;
                        if (error == EACCES)
                                eacces = true;
                        else if (error != ENOENT && error != ENOTDIR && error != ESTALE &&
                                 error != ENODEV && error != ETIMEDOUT)
                                return error;
                }
                if (*colon == '\0')
                        break;
                p = colon + 1;
        }
        return eacces ? EACCES : error;
}

static int
child_main(void *userdata)
{
        struct child_args *a = userdata;
        const struct spawn_plan *p = a->plan;
        struct spawn_failure f = { .stage = RP_STAGE_SETSID };
        struct sigaction dfl = { .sa_handler = SIG_DFL };
        sigset_t none;

        if (syscall(SYS_setsid) < 0)
                goto fail;

        /* The runner blocks its signals for the signalfd and ignores
         * SIGPIPE; whatever started the runner may have ignored more (an
         * ignored disposition survives execve). Give the job a clean
         * slate: defaults first, then unblock. */
        f.stage = RP_STAGE_SIGNALS;
        for (int sig = 1; sig < _NSIG; sig++) {
                if (!(changed_signals & UINT64_C(1) << (sig - 1)))
                        continue;
                if (sigaction(sig, &dfl, NULL) == 0)
                        continue;
                /* glibc reserves two real-time signals for itself and
                 * refuses them with EINVAL, but a parent may have left
                 * them ignored, and the job is not glibc's business. */
                struct kernel_sigaction k = { .handler = SIG_DFL };
                if (syscall(SYS_rt_sigaction, sig, &k, NULL, sizeof k.mask) < 0)
                        goto fail;
        }
        sigemptyset(&none);
        if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
                goto fail;
        if (job_timerslack > 0 && syscall(SYS_prctl, PR_SET_TIMERSLACK, job_timerslack, 0UL, 0UL, 0UL) < 0)
                goto fail;

        /* Raw system calls: glibc's setgroups/setresgid/setresuid
         * broadcast to every thread through memory this child shares
         * with the runner (DESIGN.md 2). Order matters: groups and gid
         * while we still may, uid last. */
        if (p->set_credentials) {
                f.stage = RP_STAGE_GROUPS;
                if (syscall(SYS_setgroups, p->n_groups, p->groups) < 0)
                        goto fail;
                f.stage = RP_STAGE_GID;
                if (syscall(SYS_setresgid, p->gid, p->gid, p->gid) < 0)
                        goto fail;
                f.stage = RP_STAGE_UID;
                if (syscall(SYS_setresuid, p->uid, p->uid, p->uid) < 0)
                        goto fail;
        }

        if (p->no_new_privs) {
                f.stage = RP_STAGE_NO_NEW_PRIVS;
                if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL) < 0)
                        goto fail;
        }

        f.stage = RP_STAGE_CHDIR;
        if (chdir(p->directory) < 0)
                goto fail;

        f.stage = RP_STAGE_FDS;
        /* The runner keeps 0, 1 and 2 open, so both fds are above 2 and
         * dup2() really duplicates (and clears CLOEXEC on the copy). */
        if (dup2(p->stdin_fd, 0) < 0 || dup2(p->stdout_fd, 1) < 0 || dup2(p->stdout_fd, 2) < 0)
                goto fail;
        umask(022);
        /* Marked rather than closed: execve() closes them all at once,
         * and the table is the child's own (no CLONE_FILES). */
        if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                goto fail;

        f.stage = RP_STAGE_EXEC;
        if (p->path_search && !strchr(p->argv[0], '/'))
                errno = exec_search(p->argv, p->envp);
        else
                execve(p->argv[0], p->argv, p->envp);
fail:
        f.error = errno;
        a->failure = f;
        _exit(127);
}

int
spawn_start(const struct spawn_plan *p, pid_t *ret_pid, int *ret_pidfd, enum rp_stage *reterr_stage)
{
        _cleanup_close_ int pidfd = -1;
        struct child_args a = { .plan = p, .failure = { .stage = RP_STAGE_NONE } };
        pid_t pid;

        /* CLONE_PIDFD stores the pidfd through the parent_tid argument.
         * No CLONE_SIGHAND: the child's sigaction() calls stay its own. */
        pid = clone(child_main, child_stack + sizeof child_stack,
                    CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &a, &pidfd);
        if (pid < 0) {
                *reterr_stage = RP_STAGE_FORK;
                return -errno;
        }
        /* @a escaped into clone(), so the compiler reads what the child
         * stored, if it stored anything. */
        if (a.failure.stage == RP_STAGE_NONE) {
                /* The child exec'd: it never writes to our memory again. */
                *ret_pid = pid;
                *ret_pidfd = TAKE_FD(pidfd);
                return 0;
        }

        /* The child failed and has exited: reap it. */
        {
                siginfo_t si;
                while (waitid(P_PIDFD, (id_t) pidfd, &si, WEXITED) < 0 && errno == EINTR)
                        ;
        }
        if (a.failure.stage < RP_STAGE_NONE || a.failure.stage >= _RP_STAGE_MAX) {
                *reterr_stage = RP_STAGE_FORK;
                return -EIO;
        }
        *reterr_stage = a.failure.stage;
        return a.failure.error > 0 ? -a.failure.error : -EIO;
}
