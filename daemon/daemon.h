/* daemon.h - schedd's state: one struct daemon, passed explicitly.
 *
 * Ownership: the daemon owns its jobs (d->jobs), every run in memory
 * (d->runs), the store, the zone cache and every fd below. A job owns its
 * definition. A run points at its job without owning it; a job that is
 * removed while runs of it are in progress is kept (job->removed) until
 * the last one ends. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "hashmap.h"
#include "heap.h"
#include "idmap.h"
#include "jobfile.h"
#include "plan.h"
#include "runproto.h"
#include "runstate.h"
#include "time.h"
#include "tz.h"
#include "varlink.h"

struct store;
struct orphan;

/* Everything that can wake the loop is one of these, embedded first in
 * its owner (STYLE.md section 6). */
enum source_kind {
        SOURCE_SIGNAL,          /* signalfd: TERM, INT, HUP */
        SOURCE_CLOCK,           /* timerfd CLOCK_REALTIME, ABSTIME|CANCEL_ON_SET: the next firing */
        SOURCE_DEADLINE,        /* timerfd CLOCK_MONOTONIC: retries, reload debounce, shutdown */
        SOURCE_INOTIFY,         /* the jobs directory */
        SOURCE_RUNNER,          /* the connection to the runner */
        SOURCE_LISTEN,          /* the control socket */
        SOURCE_CLIENT,          /* one control connection */
        SOURCE_ORPHAN,          /* pidfd of a run whose runner died (orphan.h) */
};

struct source {
        enum source_kind kind;
        int fd;
};

enum job_origin {
        JOB_ORIGIN_FILE,        /* jobs.d */
        JOB_ORIGIN_API,         /* schedctl add, persistent */
        JOB_ORIGIN_TRANSIENT,   /* schedctl add --transient: memory only */
};

/* Who a job runs as, resolved when it is loaded. Shared: the jobs of one
 * load that name the same user and group hold references to one
 * (creds_ref()/creds_unref() in creds.c), not a copy each. */
struct job_creds {
        unsigned n_ref;
        uid_t uid;
        gid_t gid;
        gid_t *groups;          /* owned */
        int n_groups;
        char *user;             /* owned: USER and LOGNAME */
        char *home;             /* owned: HOME, and the default directory */
};

struct run;
struct list_reply;

struct job {
        struct job_def *def;            /* owned; def->id is the key in d->jobs */
        struct job_creds *creds;        /* a reference; NULL when the user cannot be resolved */
        char *creds_error;              /* owned; set when the user cannot be resolved: runs fail with it */

        usec_t last_scheduled;          /* the newest firing handled (run, missed or skipped) */
        usec_t next_firing;             /* the next firing's scheduled time; USEC_UNSET: none */
        usec_t next_due;                /* next_firing plus its jitter: when the timer fires */
        usec_t anchor;                  /* interval anchor */
        struct run *queued;             /* on_overlap=queue: the one firing waiting for a run to end */

        /* What List shows as the job's last result: the newest run that
         * ran or runs, else the newest of any kind (a miss, a skip). Kept
         * here (run_note_last) so that listing 100,000 jobs asks the store
         * nothing; loaded from it at start-up. */
        int64_t last_run_id;            /* 0: none */
        usec_t last_run_end;

        /* The small fields together, so that they share words: a job is
         * 104 bytes, one of many thousands (issue #7), which malloc keeps
         * in 112; at 105 it would take 128. The digest of the definition,
         * which a reload compares, is computed when needed, not kept. */
        uint32_t owner_uid;             /* who added it (API jobs) */
        unsigned running;               /* runs sent to the runner that have not ended */
        unsigned waiting;               /* runs of it in d->waiting */
        uint32_t heap_index;            /* in d->timers, or HEAP_NONE */
        enum run_state last_run_state : 8;
        enum job_origin origin : 8;
        bool paused;
        bool finished;                  /* an `at` job that has fired */
        bool removed;                   /* no longer defined; freed with its last run */
};

/* The job's plan policy, from its definition (not kept: 24 bytes a job). */
static inline struct plan_policy
job_policy(const struct job *j)
{
        struct plan_policy p;

        plan_policy_from_def(&p, j->def);
        return p;
}

enum run_phase {
        RUN_PHASE_WAITING,              /* recorded as queued, waiting for a slot or for its job */
        RUN_PHASE_RETRY_WAIT,           /* waiting out a retry delay; not recorded yet */
        RUN_PHASE_SENT,                 /* the spawn request went to the runner */
        RUN_PHASE_ALIVE,                /* the runner reported it started */
        RUN_PHASE_ORPHAN,               /* the runner died; its process is being stopped (orphan.h) */
};

struct run {
        int64_t id;                     /* the store's run id; 0 while not recorded */
        struct job *job;                /* not owned */
        enum run_phase phase;
        enum run_reason reason;
        usec_t scheduled;               /* the firing; USEC_UNSET for manual runs */
        usec_t due;                     /* when it was meant to start */
        unsigned attempt;               /* 0, or the retry number */
        bool helper;                    /* an on_failure command: logged, not recorded */
        bool force;                     /* started regardless of max_instances */
        bool stop_sent;
        pid_t pid;
        usec_t start;
        usec_t retry_at_mono;
        int64_t retry_row;              /* RUN_PHASE_RETRY_WAIT: its row in the store's retries; 0: none */
        struct orphan *orphan;          /* RUN_PHASE_ORPHAN: owned */
        uint32_t heap_index;            /* in d->waiting or d->retries, or HEAP_NONE */
        struct run *prev, *next;        /* d->runs */
};

struct runner_client {
        struct source src;              /* SOURCE_RUNNER; fd -1 when not connected */
        bool synced;                    /* RP_SYNC_DONE received */
        uint64_t ack_pending;           /* the newest report seq recorded but not yet acknowledged */
        uint64_t acked;                 /* the newest seq acknowledged */
        pid_t spawned_pid;              /* a runner this schedd started, to reap when it dies */
        struct rp_buf out;              /* frames not yet written */
        uint8_t *in;                    /* bytes read, not yet decoded */
        size_t in_len, in_cap;
        pid_t pid;                      /* the runner's pid, from its HELLO */
        usec_t reconnect_at_mono;       /* USEC_UNSET when not waiting to reconnect */
};

/* One control connection (control.c). */
struct client {
        struct source src;              /* SOURCE_CLIENT; first member */
        struct varlink_decoder dec;
        struct varlink_buf out;
        uid_t uid;                      /* SO_PEERCRED */
        pid_t pid;
        bool privileged;                /* root, or the daemon's own user */
        bool watching;                  /* io.schedd.Watch */
        int64_t wait_run;               /* io.schedd.Run with wait: the run it waits for; 0: none */
        uint32_t events;                /* registered with epoll: EPOLLIN unless a List is being
                                         * written, EPOLLOUT while replies wait for room */
        /* A large io.schedd.List is written a few thousand jobs at a time
         * between loop steps, so that firings are not held up by it
         * (control_continue()). Meanwhile no other call of this client is
         * read, and messages that come unasked (Watch events, Run with
         * wait) go to later, to follow the List's reply. */
        struct list_reply *list;        /* owned (methods.c), or NULL */
        struct varlink_buf later;
        bool calls_pending;             /* its List is written: look again at the calls it sent meanwhile */
        bool broken;                    /* a reply could not be completed: dropped at the next step */
        usec_t stalled_since_mono;      /* a partial message, or output not read; USEC_UNSET */
        usec_t idle_since_mono;
        struct client *prev, *next;
};

/* A job file as it was on disk when it was loaded: one found the same at
 * a reload is not parsed again (jobdir.c). ino 0: not known. */
struct file_stamp {
        uint64_t dev, ino, size;
        uint32_t mode, uid;
        int64_t mtime_ns, ctime_ns;
};

struct daemon {
        /* Settings, fixed at start-up. */
        bool user_mode;
        bool check_ownership;           /* system mode: job files must be root's, not writable by others */
        char *config_path, *jobs_dir, *state_path, *socket_path;
        char *runner_path;              /* the schedd-runner binary */
        char *runner_socket;
        struct daemon_config config;
        uid_t self_uid;

        int epoll_fd;
        struct source signal_src, clock_src, deadline_src, inotify_src, listen_src;
        struct client *clients;         /* owned */
        unsigned n_clients;
        struct runner_client runner;

        struct tz_db *tzdb;
        struct store *store;
        bool in_transaction;
        bool store_degraded;            /* the last write failed: firing goes on, writes are retried */

        struct hashmap jobs;            /* id -> struct job *, owned */
        struct job **jobs_by_id;        /* owned array (not the jobs): d->jobs sorted for List;
                                         * NULL until joborder.c builds it */
        size_t n_jobs_by_id;
        unsigned joborder_edits;        /* changes to it in this loop step (joborder.c) */
        struct hashmap creds_cache;     /* "user\ngroup" -> resolved credentials (creds.c) */
        struct heap timers;             /* jobs by next_due */
        struct heap waiting;            /* runs waiting for a slot, by due */
        struct heap retries;            /* runs waiting for a retry, by retry_at_mono */
        struct run *runs;               /* every run in memory, owned */
        struct idmap runs_by_id;        /* the runs sent or alive, by id, for the runner's reports */
        struct orphan *orphans;         /* the runs' orphans, a list (orphan.h) */
        unsigned active;                /* runs sent, alive or orphaned: counted against max_concurrent_runs;
                                         * the sum of every job's running */
        unsigned n_paused;              /* jobs in d->jobs that are paused: Status without a walk */
        int64_t next_helper_id;

        struct jobfile *files;          /* the last load of each job file (errors, for status) */
        struct file_stamp *file_stamps; /* what each was on disk then (jobdir.c); owned */
        size_t n_files;

        usec_t clock_armed;             /* the realtime timer's expiry; USEC_UNSET: disarmed */
        usec_t deadline_armed;          /* the monotonic timer's expiry; USEC_UNSET: disarmed */
        usec_t reload_at_mono;          /* debounced reload after inotify; USEC_UNSET */
        usec_t shutdown_at_mono;        /* give up waiting for stopped runs; USEC_UNSET */
        usec_t clients_check_mono;      /* when to look for stalled control clients; USEC_UNSET */
        usec_t watchdog_usec;           /* WatchdogSec=, or 0 */
        usec_t watchdog_next_mono;      /* the next WATCHDOG=1; USEC_UNSET without a watchdog */
        usec_t last_now;                /* realtime at the previous step: clock jumps are measured against it */
        usec_t backlog_now;             /* due firings left for the next step are judged at this; USEC_UNSET */
        usec_t started_rt, started_mono;
        uint64_t rng;                   /* jitter */
        unsigned long timerslack_ns;    /* the slack we were started with: the runner inherits it */
        bool exit_requested;
        bool reload_requested;
};

/* Clocks, in usec_t. */
usec_t now_realtime(void);
usec_t now_monotonic(void);
