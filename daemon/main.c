/* main.c - schedd: options, modes, the start-up order, exit.
 *
 * Start-up, in order: block the signals the loop reads; choose the files
 * of the mode (SPEC 1) unless overridden; read schedd.yaml; open the state
 * database; load the job files; connect to (or start) the runner and
 * collect what it did while no schedd was there; then READY=1 and the
 * loop. Only this file exits, and only before READY=1. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <malloc.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "creds.h"
#include "jobdir.h"
#include "joborder.h"
#include "log.h"
#include "loop.h"
#include "control.h"
#include "methods.h"
#include "notify.h"
#include "runnerc.h"
#include "sched.h"
#include "store.h"

#ifndef LIBEXECDIR
#define LIBEXECDIR "/usr/local/libexec/schedd"
#endif

static bool arg_user;
static int arg_verbose;
static const char *arg_config, *arg_jobs_dir, *arg_state, *arg_socket, *arg_runner;

static void
help(void)
{
        printf("Usage: schedd [OPTIONS]\n"
               "\n"
               "Runs jobs from job files on their schedules (see schedd(8)).\n"
               "\n"
               "  --user            user mode: files under $XDG_CONFIG_HOME, $XDG_STATE_HOME\n"
               "  --config PATH     daemon settings (schedd.yaml)\n"
               "  --jobs-dir DIR    job files\n"
               "  --state PATH      state database\n"
               "  --socket PATH     control socket (the runner's socket goes beside it)\n"
               "  --runner PATH     the schedd-runner program\n"
               "  -v, --verbose     log scheduling decisions too\n"
               "  --version\n");
}

static int
parse_args(int argc, char *argv[])
{
        enum { OPT_USER = 256, OPT_CONFIG, OPT_JOBS, OPT_STATE, OPT_SOCKET, OPT_RUNNER, OPT_VERSION };
        static const struct option options[] = {
                { "user",     no_argument,       NULL, OPT_USER },
                { "config",   required_argument, NULL, OPT_CONFIG },
                { "jobs-dir", required_argument, NULL, OPT_JOBS },
                { "state",    required_argument, NULL, OPT_STATE },
                { "socket",   required_argument, NULL, OPT_SOCKET },
                { "runner",   required_argument, NULL, OPT_RUNNER },
                { "verbose",  no_argument,       NULL, 'v' },
                { "help",     no_argument,       NULL, 'h' },
                { "version",  no_argument,       NULL, OPT_VERSION },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "hv", options, NULL)) >= 0)
                switch (c) {
                case OPT_USER:   arg_user = true; break;
                case OPT_CONFIG: arg_config = optarg; break;
                case OPT_JOBS:   arg_jobs_dir = optarg; break;
                case OPT_STATE:  arg_state = optarg; break;
                case OPT_SOCKET: arg_socket = optarg; break;
                case OPT_RUNNER: arg_runner = optarg; break;
                case 'v':        arg_verbose++; break;
                case 'h':        help(); return 0;
                case OPT_VERSION:
                        printf("schedd %s\n", SCHEDD_VERSION);
                        return 0;
                default:
                        return -EINVAL;
                }
        if (optind < argc) {
                fprintf(stderr, "schedd: unexpected argument '%s'\n", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

/* $NAME, or $HOME/FALLBACK. */
static char *
xdg_dir(const char *name, const char *fallback)
{
        const char *v = getenv(name), *home = getenv("HOME");
        char *s = NULL;

        if (v && v[0] == '/')
                return strdup(v);
        if (!fallback)
                return NULL;
        if (!home || home[0] != '/') {
                struct passwd *pw = getpwuid(getuid());
                home = pw ? pw->pw_dir : "/";
        }
        return asprintf(&s, "%s/%s", home, fallback) < 0 ? NULL : s;
}

static char *
path_or(const char *arg, const char *base, const char *rest)
{
        char *s = NULL;

        if (arg)
                return strdup(arg);
        if (!base)
                return NULL;
        return asprintf(&s, "%s/%s", base, rest) < 0 ? NULL : s;
}

static int
choose_paths(struct daemon *d)
{
        _cleanup_free_ char *config = NULL, *state = NULL, *runtime = NULL, *exe = NULL;
        char buf[PATH_MAX];
        ssize_t n;

        if (arg_user) {
                config = xdg_dir("XDG_CONFIG_HOME", ".config");
                state = xdg_dir("XDG_STATE_HOME", ".local/state");
                runtime = xdg_dir("XDG_RUNTIME_DIR", NULL);
                if (!arg_socket && !runtime) {
                        fprintf(stderr, "schedd: $XDG_RUNTIME_DIR is not set; give --socket\n");
                        return -EINVAL;
                }
        } else {
                config = strdup("/etc");
                state = strdup("/var/lib");
                runtime = strdup("/run");
        }
        d->config_path = path_or(arg_config, config, "schedd/schedd.yaml");
        d->jobs_dir = path_or(arg_jobs_dir, config, "schedd/jobs.d");
        d->state_path = path_or(arg_state, state, "schedd/state.db");
        d->socket_path = path_or(arg_socket, runtime, "schedd/control.sock");
        if (!d->config_path || !d->jobs_dir || !d->state_path || !d->socket_path)
                return -ENOMEM;
        /* Job paths appear in errors and in `schedctl show`: make them absolute. */
        if (d->jobs_dir[0] != '/' && realpath(d->jobs_dir, buf)) {
                free(d->jobs_dir);
                d->jobs_dir = strdup(buf);
                if (!d->jobs_dir)
                        return -ENOMEM;
        }

        /* The runner's socket lives beside the control socket. */
        strncpy(buf, d->socket_path, sizeof buf - 1);
        buf[sizeof buf - 1] = 0;
        if (asprintf(&d->runner_socket, "%s/runner.sock", dirname(buf)) < 0)
                return -ENOMEM;

        /* schedd-runner: beside this binary (a build tree), else LIBEXECDIR. */
        if (arg_runner)
                d->runner_path = strdup(arg_runner);
        else {
                n = readlink("/proc/self/exe", buf, sizeof buf - 1);
                if (n > 0) {
                        buf[n] = 0;
                        char *dir = dirname(buf);
                        /* Beside schedd (a build tree), or PREFIX/libexec/schedd
                         * for an installed PREFIX/sbin/schedd, whatever the
                         * PREFIX it was built with. */
                        if (asprintf(&exe, "%s/schedd-runner", dir) < 0)
                                return -ENOMEM;
                        if (access(exe, X_OK) != 0) {
                                free(exe);
                                if (asprintf(&exe, "%s/../libexec/schedd/schedd-runner", dir) < 0)
                                        return -ENOMEM;
                        }
                        if (access(exe, X_OK) == 0)
                                d->runner_path = TAKE_PTR(exe);
                }
                if (!d->runner_path)
                        d->runner_path = strdup(LIBEXECDIR "/schedd-runner");
        }
        return d->runner_path ? 0 : -ENOMEM;
}

/* mkdir -p of the directory holding @path. */
static int
make_parent(const char *path, mode_t mode)
{
        char buf[PATH_MAX];

        if (strlen(path) >= sizeof buf)
                return -ENAMETOOLONG;
        strcpy(buf, path);
        char *dir = dirname(buf);
        for (char *p = dir + 1; *p; p++)
                if (*p == '/') {
                        *p = 0;
                        if (mkdir(dir, mode) < 0 && errno != EEXIST)
                                return -errno;
                        *p = '/';
                }
        if (mkdir(dir, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

static int
add_source(struct daemon *d, struct source *s, enum source_kind kind, int fd)
{
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = s };

        if (fd < 0)
                return -errno;
        *s = (struct source) { kind, fd };
        if (epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
                return -errno;
        return 0;
}

static int
setup_sources(struct daemon *d, const sigset_t *mask)
{
        int r;

        d->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (d->epoll_fd < 0)
                return -errno;
        r = add_source(d, &d->signal_src, SOURCE_SIGNAL, signalfd(-1, mask, SFD_CLOEXEC | SFD_NONBLOCK));
        if (r >= 0)
                r = add_source(d, &d->clock_src, SOURCE_CLOCK,
                               timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK));
        if (r >= 0)
                r = add_source(d, &d->deadline_src, SOURCE_DEADLINE,
                               timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
        if (r < 0)
                return r;

        int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (fd >= 0 && inotify_add_watch(fd, d->jobs_dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM |
                                                          IN_DELETE | IN_CREATE | IN_ATTRIB |
                                                          IN_DELETE_SELF | IN_MOVE_SELF) < 0) {
                log_warning_errno(-errno, "Failed to watch '%s' for changes, reload with SIGHUP: %m",
                                  d->jobs_dir);
                close(fd);
                fd = -1;
        }
        if (fd >= 0)
                return add_source(d, &d->inotify_src, SOURCE_INOTIFY, fd);
        d->inotify_src = (struct source) { SOURCE_INOTIFY, -1 };
        return 0;
}

/* Jobs added with schedctl add (not transient) come back from the store. */
static void
load_api_jobs(struct daemon *d)
{
        _cleanup_free_ struct store_job *rows = NULL;
        size_t n = 0;

        if (store_load_api_jobs(d->store, &rows, &n) < 0)
                return;
        for (size_t i = 0; i < n; i++) {
                json_t *params = NULL;
                struct job_def *def = NULL;
                char *err = NULL;

                if (rows[i].origin == STORE_ORIGIN_API && rows[i].definition &&
                    (params = json_loads(rows[i].definition, 0, NULL)) &&
                    methods_def_from_json(d, params, rows[i].owner_uid == 0 ? (uid_t) -1 : rows[i].owner_uid,
                                          &def, &err) >= 0) {
                        struct job *j;
                        if (sched_job_add(d, def, JOB_ORIGIN_API, &rows[i], now_realtime(), &j) >= 0)
                                j->owner_uid = rows[i].owner_uid;
                } else if (rows[i].origin == STORE_ORIGIN_API)
                        log_error("Failed to restore the added job '%s', skipping it: %s", rows[i].id,
                                  err ? err : "bad definition");
                free(err);
                json_decref(params);
                store_job_done(&rows[i]);
        }
}

static void
restore_retry(const struct store_retry *r, void *userdata)
{
        run_restore_retry(userdata, r);
}

static void
note_last_run(const char *job_id, int64_t id, enum run_state state, usec_t end, void *userdata)
{
        run_note_last(sched_job_find(userdata, job_id), id, state, end);
}

static void
daemon_done(struct daemon *d)
{
        control_done(d);
        sched_done(d);
        creds_cache_clear(d);
        runnerc_close(d);
        rp_buf_done(&d->runner.out);
        free(d->runner.in);
        for (size_t i = 0; i < d->n_files; i++)
                jobfile_done(&d->files[i]);
        free(d->files);
        free(d->file_stamps);
        d->store = store_close(d->store);
        d->tzdb = tz_db_free(d->tzdb);
        closep(&d->signal_src.fd);
        closep(&d->clock_src.fd);
        closep(&d->deadline_src.fd);
        closep(&d->inotify_src.fd);
        closep(&d->epoll_fd);
        free(d->config_path);
        free(d->jobs_dir);
        free(d->state_path);
        free(d->socket_path);
        free(d->runner_path);
        free(d->runner_socket);
}

int
main(int argc, char *argv[])
{
        struct daemon d = {
                .epoll_fd = -1,
                .signal_src.fd = -1, .clock_src.fd = -1, .deadline_src.fd = -1, .inotify_src.fd = -1,
                .runner.src = { SOURCE_RUNNER, -1 },
                .runner.reconnect_at_mono = USEC_UNSET,
                .clock_armed = USEC_UNSET, .deadline_armed = USEC_UNSET,
                .reload_at_mono = USEC_UNSET, .shutdown_at_mono = USEC_UNSET,
                .watchdog_next_mono = USEC_UNSET,
                .clients_check_mono = USEC_UNSET,
                .backlog_now = USEC_UNSET,
                .listen_src.fd = -1,
                .jobs = HASHMAP_KEYED(sched_job_key),
        };
        struct conf_error cerr = {};
        struct jobdir_report rep;
        _cleanup_free_ char *err = NULL;
        sigset_t mask;
        uint64_t wd;
        int r;

        /* Signals are read from a signalfd in the loop, never delivered. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);

        r = parse_args(argc, argv);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        log_setup(arg_verbose);

        /* The kernel may delay a timer's expiry by the thread's timer
         * slack (50 us by default) to batch wake-ups; the firing timer is
         * the product, so it wakes us on the microsecond instead. One
         * wake-up per firing costs nothing worth batching for. The old
         * value goes to the runner and from it to the jobs (runnerc.c). */
        d.timerslack_ns = (unsigned long) prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
        (void) prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

        d.user_mode = arg_user;
        d.check_ownership = !arg_user && geteuid() == 0;
        d.self_uid = geteuid();
        if (getrandom(&d.rng, sizeof d.rng, 0) != sizeof d.rng || d.rng == 0)
                d.rng = (uint64_t) now_monotonic() | 1;
        d.started_rt = now_realtime();
        d.started_mono = now_monotonic();
        d.last_now = d.started_rt;

        r = choose_paths(&d);
        if (r < 0) {
                log_error_errno(r, "Failed to choose file locations: %m");
                goto fail;
        }

        config_init(&d.config);
        r = config_load(d.config_path, &d.config, &cerr);
        if (r < 0) {
                if (cerr.message)
                        log_error("%s:%u:%u: %s", cerr.file, cerr.line, cerr.column, cerr.message);
                else
                        log_error_errno(r, "Failed to read '%s': %m", d.config_path);
                conf_error_done(&cerr);
                goto fail;
        }

        if ((r = make_parent(d.state_path, 0755)) < 0 || (r = make_parent(d.socket_path, 0755)) < 0) {
                log_error_errno(r, "Failed to create the directories for '%s' and '%s': %m", d.state_path,
                                d.socket_path);
                goto fail;
        }
        r = tz_db_new(NULL, &d.tzdb);
        if (r < 0)
                goto fail;
        r = store_open(d.state_path, &d.store, &err);
        if (r < 0) {
                log_error_errno(r, "Failed to open the state database '%s': %s", d.state_path,
                                err ? err : strerror(-r));
                goto fail;
        }
        r = setup_sources(&d, &mask);
        if (r < 0) {
                log_error_errno(r, "Failed to set up the event loop: %m");
                goto fail;
        }

        /* Its answer is read once the jobs are known (runnerc_start()). */
        (void) runnerc_connect(&d);

        r = jobdir_reload(&d, d.started_rt, &rep);
        if (r < 0)
                goto fail;
        log_info("Loaded %zu job(s) from %u file(s) in '%s'%s.", d.jobs.n, rep.files, d.jobs_dir,
                 rep.errors ? ", with errors (see above)" : "");
        jobdir_report_done(&rep);
        load_api_jobs(&d);
        if (store_last_runs(d.store, note_last_run, &d) < 0)
                log_warning("Failed to read the jobs' last results; list shows them from their next runs.");
        if (store_load_retries(d.store, restore_retry, &d) < 0)
                log_warning("Failed to read the retries that were waiting; they are lost.");
        sched_commit(&d);

        r = control_listen(&d);
        if (r < 0)
                goto fail;

        if (runnerc_start(&d, 5 * USEC_PER_SEC) < 0)
                log_warning("Starting without a runner for now; retrying in the background.");

        if (notify_watchdog_enabled(&wd) > 0) {
                d.watchdog_usec = (usec_t) wd;
                d.watchdog_next_mono = now_monotonic() + d.watchdog_usec / 2;
        }
        sched_step(&d, now_realtime(), now_monotonic());
        log_info("schedd %s ready (%s mode): %zu job(s), state '%s', socket '%s'.", SCHEDD_VERSION,
                 d.user_mode ? "user" : "system", d.jobs.n, d.state_path, d.socket_path);
        log_flush();    /* the start-up's lines are out before the manager hears it is ready */
        notify_send("READY=1");
        loop_notify_status(&d);
        joborder_prepare(&d);   /* List's order, after READY=1: 60 ms at 100,000 jobs */
        /* Start-up's peaks (the YAML documents, the store's queries for
         * every job's last result, the first step's batch, the sort of
         * List's order) are over: give their free memory back rather than
         * keep it resident for the daemon's lifetime. jobdir_reload()
         * trimmed after the parse, before the store's part. */
        (void) malloc_trim(0);

        r = loop_run(&d);

        /* Leaving: what is recorded is committed, reports acknowledged;
         * with shutdown_runs=keep the runner keeps every run going. */
        sched_commit(&d);
        runnerc_bye(&d);
        log_info("schedd stopped.");
        daemon_done(&d);
        return r < 0 ? 1 : 0;

fail:
        daemon_done(&d);
        return 1;
}
