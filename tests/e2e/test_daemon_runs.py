"""What a run is (SPEC section 4): its environment, process context, working
directory and output; and a command that cannot start."""
import datetime
import os
import pwd
import subprocess

BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def env_of(row):
    """The output of `env -0` as a dict."""
    items = [e for e in row["output"].decode().split("\0") if e]
    return dict(e.split("=", 1) for e in items)


def test_environment_is_exactly_the_documented_one(daemon):
    daemon.write_job("env.yaml", """
jobs:
  env:
    command: ["env", "-0"]
    schedule: {cron: "*/1 * * * * *"}
    environment:
      GREETING: hello world
      EMPTY: ""
""")
    daemon.start(env={"LANG": "C.UTF-8", "TZ": "UTC"})
    row = daemon.wait_runs("env", 1, "succeeded")[0]
    env = env_of(row)
    me = pwd.getpwuid(os.geteuid())
    when = datetime.datetime.fromtimestamp(row["scheduled"] / 1e6, datetime.timezone.utc)
    assert env == {
        "PATH": BASE_PATH,
        "HOME": me.pw_dir,
        "USER": me.pw_name,
        "LOGNAME": me.pw_name,
        "SHELL": "/bin/sh",
        "GREETING": "hello world",
        "EMPTY": "",
        "SCHEDD_JOB_ID": "env",
        "SCHEDD_RUN_ID": str(row["id"]),
        "SCHEDD_SCHEDULED_TIME": when.isoformat(),
    }
    # RFC 3339, parsed back to the scheduled time.
    assert datetime.datetime.fromisoformat(env["SCHEDD_SCHEDULED_TIME"]).timestamp() * 1e6 == row["scheduled"]
    # The daemon's own environment (SCHEDD_TEST_SECRET, NOTIFY_SOCKET,
    # XDG_RUNTIME_DIR, LANG, TZ) stays out, checked above by equality.


def test_job_gets_the_timer_slack_schedd_was_started_with(daemon):
    # schedd and its runner wake on the microsecond (timer slack 1 ns);
    # a job gets the slack schedd itself was given, as if started by it.
    daemon.write_job("slack.yaml", """
jobs:
  slack:
    command: ["cat", "/proc/self/timerslack_ns"]
    schedule: {cron: "*/1 * * * * *"}
""")
    daemon.start()
    row = daemon.wait_runs("slack", 1, "succeeded")[0]
    with open("/proc/self/timerslack_ns") as f:
        assert row["output"].decode().strip() == f.read().strip()


def test_job_path_replaces_the_base_path(daemon):
    daemon.write_job("env.yaml", """
jobs:
  path:
    command: ["env", "-0"]
    schedule: {cron: "*/1 * * * * *"}
    environment: {PATH: "/bin:/usr/bin"}
""")
    daemon.start()
    env = env_of(daemon.wait_runs("path", 1, "succeeded")[0])
    assert env["PATH"] == "/bin:/usr/bin"


def test_process_context(daemon, tmp_path):
    """stdin /dev/null, its own session and process group, umask 022, and
    the working directory: home by default, else `directory:`."""
    probe = tmp_path / "probe.sh"
    probe.write_text("""
out=$1
readlink /proc/$$/fd/0 > $out.stdin
ps -o pid=,sid=,pgid= -p $$ > $out.ids
umask > $out.umask
pwd > $out.pwd
""")
    work = tmp_path / "work dir"
    work.mkdir()
    daemon.write_job("ctx.yaml", f"""
jobs:
  home:
    command: ["sh", "{probe}", "{tmp_path}/home"]
    schedule: {{cron: "*/1 * * * * *"}}
  dir:
    command: ["sh", "{probe}", "{tmp_path}/dir"]
    directory: "{work}"
    schedule: {{cron: "*/1 * * * * *"}}
""")
    # A daemon with a pipe on stdin and umask 077: neither reaches a run.
    daemon.start(stdin=subprocess.PIPE, umask=0o077)
    daemon.wait_runs("home", 1, "succeeded")
    daemon.wait_runs("dir", 1, "succeeded")

    for name in ("home", "dir"):
        assert (tmp_path / f"{name}.stdin").read_text() == "/dev/null\n"
        pid, sid, pgid = (tmp_path / f"{name}.ids").read_text().split()
        assert pid == sid == pgid, "a run leads its own session and process group"
        assert (tmp_path / f"{name}.umask").read_text() == "0022\n"
    assert (tmp_path / "home.pwd").read_text() == pwd.getpwuid(os.geteuid()).pw_dir + "\n"
    assert (tmp_path / "dir.pwd").read_text() == f"{work}\n"
    assert os.getcwd() != pwd.getpwuid(os.geteuid()).pw_dir, "the test must not run from home"


def test_output_tail_file_and_discard(daemon, tmp_path):
    log = tmp_path / "job.log"
    log.write_text("earlier\n")
    daemon.write_job("out.yaml", f"""
jobs:
  journal:
    command: "echo out-$SCHEDD_RUN_ID; echo err-$SCHEDD_RUN_ID >&2"
    schedule: {{cron: "*/1 * * * * *"}}
  to-file:
    command: "echo file-$SCHEDD_RUN_ID; echo err >&2"
    output: {{file: "{log}"}}
    schedule: {{cron: "*/1 * * * * *"}}
  discard:
    command: "echo discarded-$SCHEDD_RUN_ID"
    output: discard
    schedule: {{cron: "*/1 * * * * *"}}
""")
    daemon.start()
    rows = daemon.wait_runs("journal", 2, "succeeded")
    files = daemon.wait_runs("to-file", 2, "succeeded")
    discards = daemon.wait_runs("discard", 1, "succeeded")

    # The default (journal) output: stdout and stderr in the tail, and in
    # the log (stderr here, there is no journal) tagged with job and run.
    for r in rows:
        assert r["output"] == f"out-{r['id']}\nerr-{r['id']}\n".encode()
        assert r["output_bytes"] == len(r["output"])
    daemon.wait_log(f"journal[{rows[0]['id']}]: out-{rows[0]['id']}")

    # A file is appended to, and the tail is kept as well.
    text = log.read_text()
    assert text.startswith("earlier\n")
    for r in files:
        assert f"file-{r['id']}\nerr\n" in text
        assert r["output"] == f"file-{r['id']}\nerr\n".encode()
    assert "file-" not in daemon.logtext()

    # Discarded output goes nowhere but the tail of the run record.
    assert f"discarded-{discards[0]['id']}" not in daemon.logtext()
    assert discards[0]["output"] == f"discarded-{discards[0]['id']}\n".encode()


def test_a_command_that_cannot_start_records_the_failing_step(daemon):
    daemon.write_job("bad.yaml", """
jobs:
  no-dir:
    command: "true"
    directory: /nonexistent
    schedule: {cron: "*/1 * * * * *"}
  no-program:
    command: ["/nonexistent/program", "arg"]
    schedule: {cron: "*/1 * * * * *"}
  not-on-path:
    command: ["schedd-no-such-program"]
    schedule: {cron: "*/1 * * * * *"}
  not-executable:
    command: ["/etc/passwd"]
    schedule: {cron: "*/1 * * * * *"}
""")
    daemon.start()
    expect = {
        "no-dir": "failed to change directory '/nonexistent': No such file or directory",
        "no-program": "failed to execute '/nonexistent/program': No such file or directory",
        "not-on-path": "failed to execute 'schedd-no-such-program': No such file or directory",
        "not-executable": "failed to execute '/etc/passwd': Permission denied",
    }
    for job, step in expect.items():
        r = daemon.wait_runs(job, 1, "failed")[0]
        assert r["failed_step"] == step, r
        assert r["exit_status"] == -1, "not a bare 127"
        assert r["end_time"] is not None
