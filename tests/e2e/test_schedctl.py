"""schedctl against a real schedd (SPEC section 7): every online command in
human and --json form, exit statuses (0 ok, 1 failure or unknown job, 2
usage, 3 no daemon), run --wait, pause/resume, add/remove, history, logs,
reload and watch."""
import json
import os
import pty
import select
import signal
import subprocess
import time

import pytest

from conftest import BUILD, ROOT

JOBS = """\
jobs:
  hello:
    description: says hello and fails
    command: echo hello; echo oops >&2; exit 3
    schedule:
      cron: "0 3 * * *"
      timezone: Europe/Berlin
  fine:
    command: ["/bin/echo", "all", "fine"]
    schedule:
      interval: 1h
  killed:
    command: kill -9 $$
    schedule:
      cron: "0 0 1 1 *"
  slow:
    command: sleep 0.5; echo slept
    schedule:
      cron: "0 0 1 1 *"
"""


@pytest.fixture
def d(daemon):
    daemon.write_job("jobs.yaml", JOBS)
    daemon.start()
    return daemon


@pytest.fixture
def ctl(d, schedctl):
    """schedctl talking to the test's daemon, in UTC."""
    def call(*args, **kw):
        # Drain READY=1/STATUS= messages, as a manager would: with the
        # datagram queue full the daemon drops them (notify.c).
        if d.notify:
            d.read_notify()
        env = dict(os.environ, TZ="UTC")
        env.pop("NO_COLOR", None)
        env.update(kw.pop("env", {}))
        return schedctl("--socket", d.socket, *args, env=env, **kw)
    return call


def ok(r):
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    return r.stdout


def js(r):
    return json.loads(ok(r))


def wait_run_end(ctl, job, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = js(ctl("--json", "history", job))["runs"]
        if runs and runs[0]["state"] not in ("queued", "running"):
            return runs[0]
        time.sleep(0.05)
    raise AssertionError(f"no run of {job} ended")


# --- status, list, show, next ----------------------------------------------

def test_status(ctl):
    # The soonest of hello (03:00 Berlin) and fine (an hour from now)
    # depends on the time of day.
    jobs = js(ctl("--json", "list"))["jobs"]
    soonest = min((j for j in jobs if j["next_usec"]), key=lambda j: j["next_usec"])["id"]
    out = ok(ctl("status"))
    assert out.startswith("schedd ") and "(user mode), up " in out
    assert "Jobs:     4 (0 paused)" in out
    assert "Running:  0" in out
    assert f"Next:     {soonest} at " in out
    p = js(ctl("--json", "status"))
    assert p["mode"] == "user" and p["jobs"] == 4 and p["paused"] == 0
    assert p["errors"] == [] and p["degraded"] is False
    assert p["next"]["job"] == soonest


def test_status_reports_file_errors(d, ctl):
    d.write_job("bad.yaml", "jobs:\n  broken:\n    command: true\n    schedule: {cron: '0 25 * * *'}\n")
    ctl("reload")
    out = ok(ctl("status"))
    assert "bad.yaml:4:" in out and "expected an hour" in out
    errs = js(ctl("--json", "status"))["errors"]
    assert errs[0]["file"].endswith("bad.yaml") and errs[0]["line"] == 4


def test_list(ctl):
    lines = ok(ctl("list")).splitlines()
    assert lines[0].split() == ["ID", "SCHEDULE", "NEXT", "LAST", "STATE"]
    # Aligned: every row starts its SCHEDULE column where the header does.
    col = lines[0].index("SCHEDULE")
    rows = {l.split()[0]: l for l in lines[1:]}
    assert sorted(rows) == ["fine", "hello", "killed", "slow"]
    for l in rows.values():
        assert l[col - 2:col] == "  " and l[col] != " "
    assert "cron 0 3 * * *" in rows["hello"]
    assert "UTC (in " in rows["fine"]
    assert rows["hello"].rstrip().endswith("active")
    assert "\033[" not in "".join(lines)     # not a terminal: no color
    p = js(ctl("--json", "list"))
    jobs = {j["id"]: j for j in p["jobs"]}
    assert jobs["hello"]["timezone"] == "Europe/Berlin"
    assert jobs["hello"]["next"].endswith(("+01:00", "+02:00"))
    assert jobs["fine"]["state"] == "active" and jobs["fine"]["last_state"] is None



def list_last(ctl):
    return {j["id"]: j["last_state"] for j in js(ctl("--json", "list"))["jobs"]}


def test_list_last_result_follows_runs_and_restarts(d, ctl):
    """LAST is the newest run that ran; a later skip does not hide it, and a
    restarted daemon shows what the state database says."""
    ok(ctl("pause", "fine"))
    assert ctl("run", "hello", "--wait").returncode == 3
    ok(ctl("run", "fine", "--wait"))
    ok(ctl("run", "slow"))
    d.wait_for(lambda: list_last(ctl)["slow"] == "running", what="slow running")
    last = list_last(ctl)
    assert last == {"hello": "failed", "fine": "succeeded", "slow": "running", "killed": None}
    wait_run_end(ctl, "slow")
    assert list_last(ctl)["slow"] == "succeeded"
    row = {j["id"]: j for j in js(ctl("--json", "list"))["jobs"]}["hello"]
    assert row["last_end_usec"] and row["last_end"].endswith(("+01:00", "+02:00"))

    d.stop()
    d.start()
    assert list_last(ctl) == {"hello": "failed", "fine": "succeeded", "slow": "succeeded", "killed": None}
    assert js(ctl("--json", "status"))["paused"] == 1


def test_list_last_result_is_not_a_skip(d, ctl):
    # Every second, for 1.5 s: every other firing is skipped (max_instances 1).
    ok(ctl("add", "overlap", "--every", "1s", "--", "sleep", "1.5"))
    seen = set()
    deadline = time.monotonic() + 4.5
    while time.monotonic() < deadline:
        seen.add(list_last(ctl)["overlap"])
        time.sleep(0.05)
    states = {r["state"] for r in js(ctl("--json", "history", "overlap"))["runs"]}
    assert "skipped" in states
    assert "skipped" not in seen and {"running", "succeeded"} <= seen


def test_status_counts_follow_pause_reload_and_remove(d, ctl):
    ok(ctl("pause", "hello", "killed"))
    p = js(ctl("--json", "status"))
    assert (p["jobs"], p["paused"]) == (4, 2)
    # killed (paused) leaves the file; hello stays paused across the reload.
    d.write_job("jobs.yaml", JOBS.replace("  killed:\n    command: kill -9 $$\n", "  killed2:\n    command: true\n"))
    ok(ctl("reload"))
    p = js(ctl("--json", "status"))
    assert (p["jobs"], p["paused"]) == (4, 1)
    ok(ctl("resume", "hello"))
    ok(ctl("add", "extra", "--every", "1h", "--", "true"))
    ok(ctl("pause", "extra"))
    p = js(ctl("--json", "status"))
    assert (p["jobs"], p["paused"]) == (5, 1)
    ok(ctl("remove", "extra"))
    p = js(ctl("--json", "status"))
    assert (p["jobs"], p["paused"]) == (4, 0)
    assert "Jobs:     4 (0 paused)" in ok(ctl("status"))


def test_show(ctl):
    ctl("run", "hello", "--wait")
    out = ok(ctl("show", "hello"))
    assert out.startswith("hello - says hello and fails\n")
    assert "Schedule:       cron 0 3 * * * (Europe/Berlin)" in out
    assert "Command:        /bin/sh -c 'echo hello; echo oops >&2; exit 3'" in out
    assert "File:" in out and "jobs.yaml" in out
    assert "Max instances:  1" in out
    assert "Recent runs:" in out and "failed (exited with status 3)" in out
    p = js(ctl("--json", "show", "hello"))
    assert p["job"]["summary"]["id"] == "hello" and p["job"]["shell"] is True
    assert p["runs"][0]["exit_status"] == 3
    out = ok(ctl("show", "fine"))
    assert "Command:        /bin/echo all fine" in out


def test_next_online(ctl):
    lines = ok(ctl("next", "hello", "-n", "3")).splitlines()
    assert len(lines) == 3
    assert all(l.endswith(("T03:00:00+01:00", "T03:00:00+02:00")) for l in lines)
    p = js(ctl("--json", "next", "hello", "-n", "2"))
    assert [f["time"] for f in p["firings"]] == lines[:2]
    assert ctl("next", "hello", "--from", "@0").returncode == 2


# --- run ---------------------------------------------------------------------

def test_run_wait_exits_with_the_run_status(ctl):
    r = ctl("run", "hello", "--wait")
    assert r.returncode == 3
    assert r.stdout == "hello\noops\n"
    assert "failed (exited with status 3)" in r.stderr
    r = ctl("run", "fine", "--wait")
    assert r.returncode == 0 and r.stdout == "all fine\n"
    assert "succeeded" in r.stderr


def test_run_wait_killed_exits_1(ctl):
    r = ctl("run", "killed", "--wait")
    assert r.returncode == 1
    assert "SIGKILL" in r.stderr


def test_run_wait_json(ctl):
    r = ctl("--json", "run", "hello", "--wait")
    assert r.returncode == 3
    p = json.loads(r.stdout)
    assert p["run"]["state"] == "failed" and p["output"] == "hello\noops\n"


def test_run_without_wait(ctl):
    out = ok(ctl("run", "slow"))
    assert out.startswith("Started run ") and "'slow'" in out
    run = wait_run_end(ctl, "slow")
    assert run["state"] == "succeeded" and run["reason"] == "manual"
    p = js(ctl("--json", "run", "fine"))
    assert p["run"]["job"] == "fine" and isinstance(p["run"]["id"], int)


def test_run_max_instances_and_force(ctl):
    ok(ctl("run", "slow"))
    r = ctl("run", "slow")
    assert r.returncode == 1 and "max_instances" in r.stderr and "--force" in r.stderr
    ok(ctl("run", "slow", "--force"))


# --- pause, resume, add, remove -------------------------------------------------

def test_pause_resume(ctl):
    assert ok(ctl("pause", "hello", "fine")) == ""
    jobs = {j["id"]: j for j in js(ctl("--json", "list"))["jobs"]}
    assert jobs["hello"]["state"] == "paused" and jobs["fine"]["state"] == "paused"
    assert jobs["hello"]["next"] is None
    assert "paused" in ok(ctl("list"))
    assert "(2 paused)" in ok(ctl("status"))
    assert js(ctl("--json", "resume", "hello")) == {}
    jobs = {j["id"]: j for j in js(ctl("--json", "list"))["jobs"]}
    assert jobs["hello"]["state"] == "active" and jobs["fine"]["state"] == "paused"
    # All or nothing: an unknown id changes nothing.
    r = ctl("resume", "fine", "nope")
    assert r.returncode == 1 and "no such job 'nope'" in r.stderr
    assert {j["id"]: j for j in js(ctl("--json", "list"))["jobs"]}["fine"]["state"] == "paused"


def test_add_and_remove(d, ctl):
    out = ok(ctl("add", "every5", "--every", "5m", "--", "echo", "-n", "hi"))
    assert out.startswith("Added job 'every5'; next firing ") and "(in 4m" in out
    r = ctl("run", "every5", "--wait")
    assert r.returncode == 0 and r.stdout == "hi\n"
    p = js(ctl("--json", "add", "nightly", "--cron", "0 2 * * *", "--tz", "Asia/Kolkata",
               "--timeout", "5s", "--", "/bin/true"))
    assert p["job"]["id"] == "nightly" and p["job"]["timezone"] == "Asia/Kolkata"
    assert p["job"]["next"].endswith("T02:00:00+05:30")
    assert js(ctl("--json", "show", "nightly"))["job"]["timeout"] == "5s"
    ok(ctl("add", "once", "--at", "2099-01-01T00:00:00Z", "--transient", "--", "true"))
    ids = [j["id"] for j in js(ctl("--json", "list"))["jobs"]]
    assert {"every5", "nightly", "once"} <= set(ids)
    origins = {j["id"]: j["origin"] for j in js(ctl("--json", "list"))["jobs"]}
    assert origins["once"] == "transient" and origins["nightly"] == "api"

    # Persistent jobs survive a restart; a transient one does not.
    d.stop()
    d.start()
    ids = [j["id"] for j in js(ctl("--json", "list"))["jobs"]]
    assert "every5" in ids and "nightly" in ids and "once" not in ids

    assert ok(ctl("remove", "every5")) == ""
    assert js(ctl("--json", "remove", "nightly")) == {}
    ids = [j["id"] for j in js(ctl("--json", "list"))["jobs"]]
    assert "every5" not in ids and "nightly" not in ids


def test_add_refusals(ctl):
    ok(ctl("add", "x", "--every", "1h", "--", "true"))
    r = ctl("add", "x", "--every", "1h", "--", "true")
    assert r.returncode == 1 and "already exists" in r.stderr
    r = ctl("add", "y", "--cron", "0 25 * * *", "--", "true")
    assert r.returncode == 1 and "expected an hour 0-23" in r.stderr
    r = ctl("remove", "hello")
    assert r.returncode == 1 and "jobs.yaml" in r.stderr and "remove it from that file" in r.stderr
    r = ctl("remove", "nope")
    assert r.returncode == 1 and "no such job 'nope'" in r.stderr


@pytest.mark.parametrize("args", [
    ["add", "z", "--", "true"],                                  # no schedule
    ["add", "z", "--every", "1h", "--cron", "* * * * *", "--", "true"],
    ["add", "z", "--every", "1h"],                               # no command
    ["add", "--every", "1h"],
    ["run"], ["run", "a", "b"], ["run", "hello", "--bogus"],
    ["show"], ["logs"], ["logs", "hello", "abc"], ["logs", "hello", "1", "2"],
    ["history", "-n", "0"], ["history", "a", "b"],
    ["pause"], ["resume"], ["remove"], ["reload", "x"], ["watch", "x"], ["status", "x"],
    ["list", "x"], ["next", "hello", "-n", "zero"],
])
def test_usage_errors_exit_2(ctl, args):
    r = ctl(*args)
    assert r.returncode == 2, (args, r.stdout, r.stderr)
    assert r.stderr


# --- history and logs ---------------------------------------------------------------

def test_history_and_logs(ctl):
    ctl("run", "hello", "--wait")
    ok(ctl("run", "fine", "--wait"))
    ok(ctl("run", "fine", "--wait"))
    lines = ok(ctl("history")).splitlines()
    assert lines[0].split() == ["RUN", "JOB", "REASON", "STARTED", "DURATION", "RESULT"]
    assert len(lines) == 4
    assert " fine " in lines[1] and "succeeded" in lines[1]
    assert " hello " in lines[3] and "failed (exited with status 3)" in lines[3]
    runs = js(ctl("--json", "history", "-n", "2"))["runs"]
    assert [r["job"] for r in runs] == ["fine", "fine"] and runs[0]["id"] > runs[1]["id"]
    lines = ok(ctl("history", "hello")).splitlines()
    assert lines[0].split() == ["RUN", "REASON", "STARTED", "DURATION", "RESULT"] and len(lines) == 2
    hello_run = js(ctl("--json", "history", "hello"))["runs"][0]["id"]

    assert ok(ctl("logs", "hello")) == "hello\noops\n"
    assert ok(ctl("logs", "hello", str(hello_run))) == "hello\noops\n"
    assert ok(ctl("logs", "fine")) == "all fine\n"
    p = js(ctl("--json", "logs", "hello"))
    assert p["output"] == "hello\noops\n" and p["run"]["id"] == hello_run
    r = ctl("logs", "fine", str(hello_run))          # a run of another job
    assert r.returncode == 1 and "no such run" in r.stderr
    r = ctl("logs", "slow")
    assert r.returncode == 1 and "no run yet" in r.stderr
    assert ok(ctl("history", "slow")) == "No runs.\n"


@pytest.mark.parametrize("args", [
    ["show", "nope"], ["next", "nope"], ["run", "nope"], ["run", "nope", "--wait"],
    ["pause", "nope"], ["resume", "nope"], ["remove", "nope"], ["history", "nope"],
    ["logs", "nope"],
])
def test_unknown_job_exits_1(ctl, args):
    r = ctl(*args)
    assert r.returncode == 1
    assert r.stderr == "schedctl: no such job 'nope'\n"


# --- reload ----------------------------------------------------------------------

def test_reload(d, ctl):
    assert ok(ctl("reload")) == "No job changed.\n"
    assert ok(ctl("reload", "--check")) == "Nothing would change.\n"
    # The daemon also notices the change itself (inotify), so either the
    # explicit reload or that one may be the one that adds the job.
    d.write_job("more.yaml", "jobs:\n  extra:\n    command: true\n    schedule: {interval: 1m}\n")
    assert ok(ctl("reload")) in ("Added:                extra\n", "No job changed.\n")
    assert "extra" in [j["id"] for j in js(ctl("--json", "list"))["jobs"]]
    d.write_job("more.yaml", "jobs:\n  extra:\n    command: false\n    schedule: {interval: 1m}\n")
    p = js(ctl("--json", "reload"))
    assert p in ({"errors": [], "added": [], "changed": ["extra"], "removed": []},
                 {"errors": [], "added": [], "changed": [], "removed": []})
    (d.jobs_dir / "more.yaml").unlink()
    assert ok(ctl("reload")) in ("Removed:              extra\n", "No job changed.\n")
    assert "extra" not in [j["id"] for j in js(ctl("--json", "list"))["jobs"]]


def test_reload_errors_exit_1(d, ctl):
    d.write_job("bad.yaml", "jobs:\n  broken:\n    command: true\n    schedule: {cron: '0 25 * * *'}\n")
    r = ctl("reload")
    assert r.returncode == 1
    first = r.stderr.splitlines()[0]
    assert first.startswith(str(d.jobs_dir / "bad.yaml") + ":4:")
    assert "expected an hour 0-23" in first
    r = ctl("--json", "reload", "--check")
    assert r.returncode == 1
    assert json.loads(r.stdout)["errors"][0]["line"] == 4


# --- watch ------------------------------------------------------------------------

def watch(d, *args):
    env = dict(os.environ, TZ="UTC")
    return subprocess.Popen([str(BUILD / "schedctl"), "--socket", str(d.socket), *args, "watch"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def read_until(p, needle, timeout=10):
    """Lines of p's stdout up to the first holding @needle (read from the
    fd itself: a buffered readline() would hide lines from select())."""
    buf = b""
    deadline = time.monotonic() + timeout
    fd = p.stdout.fileno()
    while time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            buf += chunk
            lines = buf.decode().splitlines(keepends=True)
            for i, line in enumerate(lines):
                if needle in line and line.endswith("\n"):
                    return lines[:i + 1]
    raise AssertionError(f"no {needle!r} in {buf!r}")


def test_watch_and_ctrl_c(d, ctl):
    p = watch(d)
    try:
        time.sleep(0.3)
        ctl("run", "hello", "--wait")
        lines = read_until(p, "run-finished")
        assert any("run-started" in l and "hello" in l for l in lines)
        assert "failed (exited with status 3)" in lines[-1]
        p.send_signal(signal.SIGINT)
        assert p.wait(5) == 0
    finally:
        p.kill()
        p.wait()


def test_watch_json_lines(d, ctl):
    p = watch(d, "--json")
    try:
        time.sleep(0.3)
        ok(ctl("run", "fine", "--wait"))
        lines = read_until(p, "run-finished")
        events = [json.loads(l) for l in lines]
        assert events[-1]["kind"] == "run-finished" and events[-1]["job"] == "fine"
        assert events[-1]["run"]["state"] == "succeeded"
        p.send_signal(signal.SIGTERM)
        assert p.wait(5) == 0
    finally:
        p.kill()
        p.wait()


# --- no daemon, socket choice, color -----------------------------------------------------

@pytest.mark.parametrize("args", [
    ["status"], ["list"], ["show", "x"], ["next", "x"], ["run", "x"], ["run", "x", "--wait"],
    ["pause", "x"], ["resume", "x"], ["add", "x", "--every", "1h", "--", "true"],
    ["remove", "x"], ["history"], ["logs", "x"], ["reload"], ["watch"],
])
def test_no_daemon_exits_3(schedctl, tmp_path, args):
    sock = tmp_path / "none.sock"
    r = schedctl("--socket", sock, *args)
    assert r.returncode == 3
    assert r.stderr == f"schedctl: cannot reach schedd at {sock}: No such file or directory\n"


def test_socket_from_environment(d, schedctl, tmp_path):
    r = schedctl("status", env=dict(os.environ, SCHEDD_SOCKET=str(d.socket)))
    assert r.returncode == 0 and "Jobs:" in r.stdout
    # XDG_RUNTIME_DIR/schedd/control.sock, when it exists (the test
    # daemon's socket is exactly there), is the user daemon's.
    env = {k: v for k, v in os.environ.items() if k != "SCHEDD_SOCKET"}
    env["XDG_RUNTIME_DIR"] = str(d.run_dir)
    d_sock = d.run_dir / "schedd" / "control.sock"
    if os.geteuid() != 0:
        d_sock.parent.mkdir(exist_ok=True)
        os.symlink(d.socket, d_sock)
        assert schedctl("status", env=env).returncode == 0
    # --socket wins over the environment.
    r = schedctl("--socket", tmp_path / "none", "status", env=dict(os.environ, SCHEDD_SOCKET=str(d.socket)))
    assert r.returncode == 3


def on_terminal(argv, env):
    """Runs argv with stdout on a pseudo-terminal; returns what it printed."""
    master, slave = pty.openpty()
    p = subprocess.Popen(argv, stdout=slave, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait(10)
    os.close(master)
    return out.decode()


def test_color_only_on_a_terminal_without_no_color(d, ctl):
    ctl("run", "hello", "--wait")
    ok(ctl("run", "fine", "--wait"))
    argv = [str(BUILD / "schedctl"), "--socket", str(d.socket), "history"]
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TZ"] = "UTC"
    out = on_terminal(argv, env)
    assert "\033[32msucceeded" in out and "\033[31mfailed" in out
    out = on_terminal(argv, dict(env, NO_COLOR="1"))
    assert "\033[" not in out and "succeeded" in out


# --- bash completion ------------------------------------------------------------------------

COMPLETION = ROOT / "completion" / "schedctl.bash"


def complete(words, sock=None):
    script = f"""
        PATH={BUILD}:$PATH
        source {COMPLETION}
        COMP_WORDS=({' '.join(repr(w) for w in words)})
        COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
        _schedctl
        printf '%s\\n' "${{COMPREPLY[@]}}"
    """
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return sorted(filter(None, r.stdout.splitlines()))


def test_bash_completion(d):
    assert "status" in complete(["schedctl", ""]) and complete(["schedctl", "wa"]) == ["watch"]
    assert complete(["schedctl", "--socket", str(d.socket), "show", ""]) == \
        ["fine", "hello", "killed", "slow"]
    assert complete(["schedctl", "--socket", str(d.socket), "run", "he"]) == ["hello"]
    assert "--wait" in complete(["schedctl", "run", "hello", "--"])
    # No daemon: nothing offered, and nothing printed.
    assert complete(["schedctl", "--socket", "/nonexistent", "show", ""]) == []


def test_add_at_local_time_in_a_zone(ctl):
    p = js(ctl("--json", "add", "remind", "--at", "2099-12-24 18:00:00", "--tz", "Europe/Berlin",
               "--", "true"))
    assert p["job"]["next"] == "2099-12-24T18:00:00+01:00"


def test_list_reply_over_one_mebibyte(daemon, schedctl):
    """The 1 MiB limit is for calls (SPEC 6): a List of 5,000 jobs (about
    1.2 MB of JSON) reaches schedctl whole."""
    n = 5000
    daemon.write_job("many.yaml", "jobs:\n" + "".join(
        f"  job{i:05d}:\n    command: [/bin/true]\n    schedule: {{interval: {i + 1}h}}\n" for i in range(n)))
    daemon.start()
    env = dict(os.environ, TZ="UTC")
    r = schedctl("--socket", daemon.socket, "list", env=env)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == n + 1 and lines[1].startswith("job00000 ") and lines[-1].startswith("job04999 ")
    r = schedctl("--socket", daemon.socket, "--json", "list", env=env)
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)["jobs"]) == n


def test_list_local_times_are_libcs(daemon, schedctl, monkeypatch):
    """schedctl list converts NEXT to local time by arithmetic inside an
    hour whose two ends agree (cli/output.c); it must print what
    localtime() does, across DST changes, in half- and quarter-hour zones,
    and with leap seconds (right/)."""
    import datetime
    import re
    import zoneinfo

    utc = datetime.timezone.utc
    zones = ["Europe/Berlin", "Australia/Lord_Howe", "America/St_Johns", "Asia/Kathmandu"]
    times = set()
    for zone in zones:
        z = zoneinfo.ZoneInfo(zone)
        t = datetime.datetime(2099, 1, 1, tzinfo=utc)
        while t.year == 2099:
            u = t + datetime.timedelta(hours=1)
            if t.astimezone(z).utcoffset() != u.astimezone(z).utcoffset():
                base = int(t.timestamp())
                times.update(base - 3600 + k * 433 for k in range(30))
                times.update((base + 3599, base + 3600, base + 3601))
            t = u
    times.update(4102444800 + k * 86400 * 37 + k * 61 for k in range(12))   # 2100, any day
    times = sorted(times)
    daemon.write_job("at.yaml", "jobs:\n" + "".join(
        f"  at{i:04d}:\n    command: [/bin/true]\n    schedule: {{at: {s}}}\n" for i, s in enumerate(times)))
    daemon.start()
    p = json.loads(schedctl("--socket", daemon.socket, "--json", "list").stdout)
    want_usec = {j["id"]: j["next_usec"] for j in p["jobs"]}
    assert len(want_usec) == len(times)
    try:
        for tz in zones + ["right/Europe/Berlin", "right/UTC", "UTC"]:
            monkeypatch.setenv("TZ", tz)
            time.tzset()
            r = schedctl("--socket", daemon.socket, "list", env=dict(os.environ))
            assert r.returncode == 0, r.stderr
            got = {}
            for line in r.stdout.splitlines()[1:]:
                m = re.match(r"(\S+) .*  (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+) \(", line)
                assert m, line
                got[m.group(1)] = m.group(2)
            for jid, usec in want_usec.items():
                want = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(usec // 1000000))
                assert got[jid] == want, (tz, jid, usec)
    finally:
        monkeypatch.undo()
        time.tzset()
