/* proto.h - the io.schedd Varlink interface: its description, the names
 * of its errors, and the mapping from errno to them (SPEC section 6).
 *
 * Both sides use it: the daemon answers GetInterfaceDescription with
 * PROTO_INTERFACE_DESCRIPTION and maps handler errors with
 * proto_error_from_errno(); schedctl names methods with the PROTO_M_*
 * constants. The description below is the contract: every method,
 * parameter, reply field and error is documented there. */
#pragma once

#define PROTO_INTERFACE "io.schedd"

#define PROTO_M_STATUS  "io.schedd.Status"
#define PROTO_M_LIST    "io.schedd.List"
#define PROTO_M_SHOW    "io.schedd.Show"
#define PROTO_M_NEXT    "io.schedd.Next"
#define PROTO_M_RUN     "io.schedd.Run"
#define PROTO_M_PAUSE   "io.schedd.Pause"
#define PROTO_M_RESUME  "io.schedd.Resume"
#define PROTO_M_ADD     "io.schedd.Add"
#define PROTO_M_REMOVE  "io.schedd.Remove"
#define PROTO_M_RELOAD  "io.schedd.Reload"
#define PROTO_M_HISTORY "io.schedd.History"
#define PROTO_M_LOGS    "io.schedd.Logs"
#define PROTO_M_WATCH   "io.schedd.Watch"

#define PROTO_E_NO_SUCH_JOB       "io.schedd.NoSuchJob"
#define PROTO_E_NO_SUCH_RUN       "io.schedd.NoSuchRun"
#define PROTO_E_JOB_EXISTS        "io.schedd.JobExists"
#define PROTO_E_NOT_REMOVABLE     "io.schedd.NotRemovable"
#define PROTO_E_MAX_INSTANCES     "io.schedd.MaxInstances"
#define PROTO_E_INVALID_SCHEDULE  "io.schedd.InvalidSchedule"
#define PROTO_E_PERMISSION_DENIED "io.schedd.PermissionDenied"
#define PROTO_E_TOO_MANY_JOBS     "io.schedd.TooManyJobs"
#define PROTO_E_SHUTTING_DOWN     "io.schedd.ShuttingDown"
#define PROTO_E_INTERNAL          "io.schedd.InternalError"

/* Times are RFC 3339 strings with the offset of the job's zone, and the
 * same instant in microseconds since the epoch beside them (*_usec). */
#define PROTO_INTERFACE_DESCRIPTION \
"# schedd: a job scheduler daemon. Jobs come from job files (jobs.d) or\n" \
"# are added at run time. Times are RFC 3339 with the zone's offset, and\n" \
"# the same instant in microseconds since the epoch in *_usec fields.\n" \
"# Root, and the user the daemon runs as, see and control every job;\n" \
"# another user only the jobs that run as that user.\n" \
"interface io.schedd\n" \
"\n" \
"type FileError (file: string, line: ?int, column: ?int, message: string)\n" \
"\n" \
"type NextFiring (job: string, time: string, time_usec: int)\n" \
"\n" \
"# state: active, paused or finished (an `at` job that has fired).\n" \
"type JobSummary (\n" \
"  id: string,\n" \
"  schedule: string,\n" \
"  timezone: string,\n" \
"  user: string,\n" \
"  origin: string,\n" \
"  state: string,\n" \
"  running: int,\n" \
"  next: ?string,\n" \
"  next_usec: ?int,\n" \
"  last_state: ?string,\n" \
"  last_end: ?string,\n" \
"  last_end_usec: ?int\n" \
")\n" \
"\n" \
"# reason: schedule, catch-up, manual, retry. state: queued, running,\n" \
"# succeeded, failed, timed-out, skipped, missed, interrupted. count: the\n" \
"# firings a missed row stands for.\n" \
"type Run (\n" \
"  id: int,\n" \
"  job: string,\n" \
"  reason: string,\n" \
"  state: string,\n" \
"  attempt: int,\n" \
"  count: int,\n" \
"  scheduled: ?string,\n" \
"  scheduled_usec: ?int,\n" \
"  start: ?string,\n" \
"  start_usec: ?int,\n" \
"  end: ?string,\n" \
"  end_usec: ?int,\n" \
"  pid: ?int,\n" \
"  exit_status: ?int,\n" \
"  signal: ?string,\n" \
"  timed_out: bool,\n" \
"  failed_step: ?string,\n" \
"  cause: ?string,\n" \
"  user_cpu_usec: ?int,\n" \
"  system_cpu_usec: ?int,\n" \
"  peak_memory_kib: ?int,\n" \
"  output_bytes: int\n" \
")\n" \
"\n" \
"# The definition as loaded, every key with its effective value.\n" \
"type JobDetail (\n" \
"  summary: JobSummary,\n" \
"  description: ?string,\n" \
"  file: ?string,\n" \
"  command: []string,\n" \
"  shell: bool,\n" \
"  group: ?string,\n" \
"  directory: string,\n" \
"  environment: [string]string,\n" \
"  timeout: ?string,\n" \
"  kill_grace: string,\n" \
"  max_instances: int,\n" \
"  on_overlap: string,\n" \
"  misfire_grace: string,\n" \
"  coalesce: bool,\n" \
"  retry_attempts: int,\n" \
"  jitter: ?string,\n" \
"  output: string,\n" \
"  error: ?string\n" \
")\n" \
"\n" \
"# Daemon version, uptime, job counts, running runs, the next firing, the\n" \
"# errors of the last load of the job files, and whether the state\n" \
"# database currently refuses writes (firing goes on regardless).\n" \
"method Status() -> (\n" \
"  version: string,\n" \
"  mode: string,\n" \
"  uptime_usec: int,\n" \
"  jobs: int,\n" \
"  paused: int,\n" \
"  running: int,\n" \
"  next: ?NextFiring,\n" \
"  errors: []FileError,\n" \
"  degraded: bool\n" \
")\n" \
"\n" \
"method List() -> (jobs: []JobSummary)\n" \
"\n" \
"# The job and its newest runs (at most `runs`, default 10).\n" \
"method Show(id: string, runs: ?int) -> (job: JobDetail, runs: []Run)\n" \
"\n" \
"# The next `count` firings (default 5), before jitter.\n" \
"method Next(id: string, count: ?int) -> (firings: []NextFiring)\n" \
"\n" \
"# Fires the job now. Honours max_instances unless `force`. Without\n" \
"# `wait`, replies at once with the run id. With `wait` (call with more),\n" \
"# replies with continues=true as the run starts, then a last reply when\n" \
"# it ends, with the run and its output tail.\n" \
"method Run(id: string, force: ?bool, wait: ?bool) -> (run: Run, output: ?string)\n" \
"\n" \
"method Pause(ids: []string) -> ()\n" \
"method Resume(ids: []string) -> ()\n" \
"\n" \
"# Adds a job at run time: exactly one of cron, every (a duration), at (a\n" \
"# time). A job added by a user other than root always runs as that user.\n" \
"# Persistent unless `transient` (then it lives in memory only).\n" \
"method Add(\n" \
"  id: string,\n" \
"  command: []string,\n" \
"  cron: ?string,\n" \
"  every: ?string,\n" \
"  at: ?string,\n" \
"  timezone: ?string,\n" \
"  timeout: ?string,\n" \
"  transient: ?bool\n" \
") -> (job: JobSummary)\n" \
"\n" \
"# Removes a job added with Add. Jobs from job files are removed by\n" \
"# deleting them from their file.\n" \
"method Remove(id: string) -> ()\n" \
"\n" \
"# Reloads the job files (check: only report what would change).\n" \
"method Reload(check: ?bool) -> (\n" \
"  errors: []FileError,\n" \
"  added: []string,\n" \
"  changed: []string,\n" \
"  removed: []string\n" \
")\n" \
"\n" \
"# Past runs, newest first; of one job, or of every job the caller sees.\n" \
"method History(job: ?string, limit: ?int) -> (runs: []Run)\n" \
"\n" \
"# The kept output tail of a run (default: the job's newest run that has\n" \
"# ended or is running). Bytes that are not UTF-8 become U+FFFD.\n" \
"method Logs(job: string, run: ?int) -> (run: Run, output: string)\n" \
"\n" \
"# Events as they happen (call with more): kind is run-started,\n" \
"# run-finished, run-missed, run-skipped, reload, clock-jump or error.\n" \
"method Watch() -> (\n" \
"  kind: string,\n" \
"  time: string,\n" \
"  job: ?string,\n" \
"  run: ?Run,\n" \
"  message: string\n" \
")\n" \
"\n" \
"error NoSuchJob (id: string)\n" \
"error NoSuchRun (id: int)\n" \
"error JobExists (id: string)\n" \
"error NotRemovable (id: string, file: string)\n" \
"error MaxInstances (id: string, running: int)\n" \
"error InvalidSchedule (message: string)\n" \
"error PermissionDenied ()\n" \
"error TooManyJobs (limit: int)\n" \
"error ShuttingDown ()\n" \
"error InternalError (message: string)\n"
