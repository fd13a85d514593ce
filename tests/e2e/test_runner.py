"""schedd-runner driven by a Python stand-in for the daemon (runnerclient.py)."""
import errno
import os
import pathlib
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import runnerclient as rc  # noqa: E402
from conftest import BUILD  # noqa: E402

RUNNER = BUILD / "schedd-runner"


def socket_mode(path):
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return None


class Runner:
    def __init__(self, path, linger):
        self.path = path
        self.proc = subprocess.Popen([str(RUNNER), "--socket", str(path), "--linger", str(linger)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 5
        # The runner's socket is 0600 from its first moment; a stale one
        # left for test_stale_socket... is not.
        while socket_mode(path) != 0o600:
            assert self.proc.poll() is None, self.proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the runner did not create its socket"
            time.sleep(0.01)

    @property
    def pid(self):
        return self.proc.pid

    def connect(self, **kw):
        return rc.Client(self.path, **kw)

    def wait_exit(self, timeout):
        return self.proc.wait(timeout=timeout)

    def alive(self):
        return self.proc.poll() is None


@pytest.fixture
def runner(tmp_path):
    assert RUNNER.exists(), f"{RUNNER} is not built"
    made = []

    def start(linger=2):
        r = Runner(tmp_path / f"runner{len(made)}.sock", linger)
        made.append(r)
        return r

    yield start
    for r in made:
        if r.alive():
            # SIGTERM stops the runs too; SIGKILL would orphan them.
            r.proc.terminate()
            try:
                r.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                r.proc.kill()
        r.proc.wait()
        r.proc.stderr.close()


@pytest.fixture
def client(runner):
    c = runner().connect()
    yield c
    c.close()


def proc_gone(pid):
    """True if @pid is gone or a zombie waiting for an init that does not reap."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


# --- starting and ending -------------------------------------------------

def test_echo(client):
    started, exited = client.run(1, ["/bin/echo", "hello", "world"])
    assert started["type"] == "started" and started["pid"] > 0
    assert exited["code"] == rc.CLD_EXITED and exited["status"] == 0
    assert exited["output"] == b"hello world\n"
    assert exited["output_bytes"] == 12
    assert not exited["timed_out"] and not exited["stopped"]
    assert exited["maxrss"] > 0
    assert exited["seq"] > started["seq"]


def test_exit_status_and_signal(client):
    _, e = client.run(1, ["/bin/sh", "-c", "exit 7"])
    assert (e["code"], e["status"]) == (rc.CLD_EXITED, 7)
    _, e = client.run(2, ["/bin/sh", "-c", "kill -9 $$"])
    assert (e["code"], e["status"]) == (rc.CLD_KILLED, signal.SIGKILL)
    # CPU time is measured: a busy loop of ~0.2 s shows up in utime.
    _, e = client.run(3, ["/bin/sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"])
    assert e["utime"] + e["stime"] > 10000


def test_spawn_failures(client):
    m, e = client.run(1, ["/nonexistent/program"])
    assert e is None
    assert (m["stage"], m["errno"]) == ("exec", errno.ENOENT)
    m, _ = client.run(2, ["no-such-command-here"], path_search=True)
    assert (m["stage"], m["errno"]) == ("exec", errno.ENOENT)
    m, _ = client.run(3, ["/bin/true"], directory="/nonexistent/dir")
    assert (m["stage"], m["errno"]) == ("chdir", errno.ENOENT)
    m, _ = client.run(4, ["/etc/passwd"])
    assert (m["stage"], m["errno"]) == ("exec", errno.EACCES)
    # PATH comes from the run's environment, not the runner's.
    _, e = client.run(5, ["echo", "found"], path_search=True, env=["PATH=/nonexistent:/bin"])
    assert e["output"] == b"found\n"
    m, _ = client.run(6, ["echo"], path_search=True, env=["PATH=/nonexistent"])
    assert m["type"] == "spawn_failed"
    # A second spawn under a live run's id is refused.
    client.send(rc.spawn(7, ["/bin/sleep", "1"]))
    assert client.wait_for("started", 7)["type"] == "started"
    m, _ = client.run(7, ["/bin/true"])
    assert (m["type"], m["errno"]) == ("spawn_failed", errno.EEXIST)
    client.send(rc.stop(7))
    assert client.wait_for("exited", 7)["stopped"]


def test_environment_stdin_session(client, runner):
    _, e = client.run(1, ["/usr/bin/env"], env=["A=1", "B=two words"])
    assert e["output"] == b"A=1\nB=two words\n"

    _, e = client.run(2, ["/bin/sh", "-c", "readlink /proc/self/fd/0; cat; echo end"])
    assert e["output"] == b"/dev/null\nend\n"

    s, e = client.run(3, ["/bin/cat", "/proc/self/stat"])
    fields = e["output"].decode().rsplit(")", 1)[1].split()
    ppid, pgrp, session = int(fields[1]), int(fields[2]), int(fields[3])
    assert pgrp == session == s["pid"]
    assert ppid == client.runner_pid

    _, e = client.run(4, ["/bin/sh", "-c", "umask; grep -E '^(SigBlk|SigIgn)' /proc/self/status"])
    assert e["output"].decode().split() == ["0022", "SigBlk:", "0000000000000000",
                                            "SigIgn:", "0000000000000000"]

    # Nothing of the runner's but 0, 1, 2 reaches the job.
    _, e = client.run(5, ["/bin/ls", "/proc/self/fd"])
    assert e["output"].split() == [b"0", b"1", b"2", b"3"]   # 3: ls's own directory fd


def test_timer_slack_is_exact_for_the_runner_not_for_jobs(client):
    # The runner wakes on the microsecond; a job gets the slack the runner
    # was started with (ours), as if it had been started directly.
    ours = pathlib.Path("/proc/self/timerslack_ns").read_text().strip()
    assert pathlib.Path(f"/proc/{client.runner_pid}/timerslack_ns").read_text().strip() == "1"
    _, e = client.run(1, ["/bin/cat", "/proc/self/timerslack_ns"])
    assert e["output"].decode().strip() == ours


def test_runner_has_own_session(client):
    with open(f"/proc/{client.runner_pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    assert int(fields[3]) == client.runner_pid


# --- output ---------------------------------------------------------------

def test_output_limit_keeps_tail(client):
    _, e = client.run(1, ["/usr/bin/seq", "1", "1000"], output_limit=10)
    full = b"".join(b"%d\n" % i for i in range(1, 1001))
    assert e["output"] == full[-10:]
    assert e["output_bytes"] == len(full)
    _, e = client.run(2, ["/usr/bin/seq", "1", "1000"], output_limit=0)
    assert e["output"] == b"" and e["output_bytes"] == 0


def test_big_output_keeps_runner_small(client):
    _, e = client.run(1, ["/usr/bin/head", "-c", "100000000", "/dev/zero"], output_limit=65536,
                      wait=30)
    assert e["code"] == rc.CLD_EXITED and e["status"] == 0
    assert e["output_bytes"] == 100_000_000
    assert e["output"] == b"\0" * 65536
    with open(f"/proc/{client.runner_pid}/status") as f:
        status = dict(line.split(":", 1) for line in f)
    assert int(status["VmRSS"].split()[0]) < 10 * 1024, status["VmRSS"]


def test_output_file(client, tmp_path):
    out = tmp_path / "out.log"
    out.write_text("before\n")
    _, e = client.run(1, ["/bin/sh", "-c", "echo one; echo two >&2"], output=rc.OUTPUT_FILE,
                      output_path=str(out))
    assert out.read_text() == "before\none\ntwo\n"
    assert e["output"] == b"one\ntwo\n"
    m, _ = client.run(2, ["/bin/true"], output=rc.OUTPUT_FILE, output_path=str(tmp_path / "no/dir/f"))
    assert (m["stage"], m["errno"]) == ("output", errno.ENOENT)


def test_journal_output_goes_to_stderr(runner):
    r = runner()
    c = r.connect()
    c.run(5, ["/bin/sh", "-c", "echo first; printf 'no newline'"], job="myjob",
          output=rc.OUTPUT_JOURNAL)
    c.close()
    r.wait_exit(5)
    err = r.proc.stderr.read().decode()
    assert "myjob[5]: first\n" in err
    assert "myjob[5]: no newline\n" in err


# --- timeouts and stops -----------------------------------------------------

def test_timeout_kills_grandchild(client):
    t0 = time.monotonic()
    s, e = client.run(1, ["/bin/sh", "-c", "sleep 100 & echo $!; sleep 100"], timeout=0.3,
                      kill_grace=5, output_limit=100)
    assert time.monotonic() - t0 < 3
    assert e["timed_out"] and not e["stopped"]
    assert (e["code"], e["status"]) == (rc.CLD_KILLED, signal.SIGTERM)
    grandchild = int(e["output"])
    deadline = time.monotonic() + 2
    while not proc_gone(grandchild):
        assert time.monotonic() < deadline, "the grandchild survived the timeout"
        time.sleep(0.02)


def test_timeout_escalates_to_sigkill(client):
    t0 = time.monotonic()
    # sh ignores TERM, and the ignored disposition is inherited by sleep.
    _, e = client.run(1, ["/bin/sh", "-c", "trap '' TERM; sleep 100"], timeout=0.2, kill_grace=0.4)
    elapsed = time.monotonic() - t0
    assert e["timed_out"]
    assert (e["code"], e["status"]) == (rc.CLD_KILLED, signal.SIGKILL)
    assert 0.55 < elapsed < 3


def test_stop_and_stop_all(client):
    client.send(rc.spawn(1, ["/bin/sleep", "100"]))
    client.send(rc.spawn(2, ["/bin/sleep", "100"]))
    client.send(rc.spawn(3, ["/bin/sleep", "100"]))
    for i in (1, 2, 3):
        client.wait_for("started", i)
    client.send(rc.stop(1))
    e = client.wait_for("exited", 1, timeout=3)
    assert e["stopped"] and (e["code"], e["status"]) == (rc.CLD_KILLED, signal.SIGTERM)
    client.send(rc.stop(99))   # unknown: ignored
    client.send(rc.stop_all(0))
    for i in (2, 3):
        e = client.wait_for("exited", i, timeout=3)
        assert e["stopped"]


# --- held requests (start_at) ------------------------------------------------------

def test_start_at_holds_until_the_instant(client):
    at = time.time() + 0.3
    client.send(rc.spawn(1, ["/bin/true"], start_at=at))
    client.send(rc.spawn(2, ["/bin/true"]))            # no start_at: at once, not behind 1
    assert client.wait_for("started", 2, timeout=0.25)["start"] < at * 1e6
    st = client.wait_for("started", 1, timeout=3)
    assert at * 1e6 <= st["start"] < (at + 0.1) * 1e6
    assert client.wait_for("exited", 1)["status"] == 0


def test_many_requests_at_once_start_in_order(client):
    # More than one wake-up's worth (16): the rest wait their turn, in order.
    client.send(b"".join(rc.spawn(i, ["/bin/true"]) for i in range(1, 51)))
    starts = [client.wait_for("started", i, timeout=10)["start"] for i in range(1, 51)]
    assert starts == sorted(starts)
    for i in range(1, 51):
        assert client.wait_for("exited", i, timeout=10)["status"] == 0


def test_held_request_starts_when_the_daemon_goes(runner):
    # Whoever connects next must find the run going, not still to come:
    # a new daemon would start a firing it does not see itself.
    r = runner(linger=10)
    c1 = r.connect()
    at = time.time() + 30
    c1.send(rc.spawn(1, ["/bin/sleep", "100"], start_at=at))
    time.sleep(0.1)
    c1.close()
    c2 = r.connect()
    assert [(m["type"], m["run"]) for m in c2.sync] == [("started", 1)]
    assert c2.sync[0]["start"] < at * 1e6
    c2.send(rc.stop(1))
    assert c2.wait_for("exited", 1)["stopped"]
    c2.close()


def test_held_request_is_stopped_or_refused(client, runner):
    client.send(rc.spawn(1, ["/bin/sleep", "100"], start_at=time.time() + 30))
    client.send(rc.stop(1))
    assert client.wait_for("started", 1, timeout=3)
    assert client.wait_for("exited", 1, timeout=3)["stopped"]

    r = runner(linger=10)
    c = r.connect()
    c.send(rc.spawn(2, ["/bin/sleep", "100"], start_at=time.time() + 30))
    time.sleep(0.1)
    r.proc.send_signal(signal.SIGTERM)
    m = c.wait_for(("started", "spawn_failed"), 2, timeout=3)
    assert m["type"] == "spawn_failed" and m["errno"] == errno.ESHUTDOWN
    c.close()


# --- reports, connections and exit -----------------------------------------------

def test_reports_kept_until_ack_and_resent(runner):
    r = runner(linger=10)
    c1 = r.connect(auto_ack=False)
    c1.send(rc.spawn(1, ["/bin/sleep", "1"]))
    st = c1.wait_for("started", 1)
    c1.send(rc.ack(st["seq"]))
    c1.send(rc.spawn(2, ["/bin/sleep", "100"]))
    c1.wait_for("started", 2)          # not acknowledged
    time.sleep(0.1)
    c1.close()

    # A live run is announced again, acknowledged or not.
    c2 = r.connect(auto_ack=False)
    assert sorted((m["type"], m["run"]) for m in c2.sync) == [("started", 1), ("started", 2)]
    assert [m["seq"] for m in c2.sync if m["run"] == 1] == [st["seq"]]
    c2.close()

    time.sleep(1.3)                    # run 1 ends while nobody is connected
    c3 = r.connect(auto_ack=False)
    assert sorted((m["type"], m["run"]) for m in c3.sync) == [("exited", 1), ("started", 2)]
    ex = [m for m in c3.sync if m["type"] == "exited"][0]
    assert ex["code"] == rc.CLD_EXITED and ex["status"] == 0
    c3.close()

    # Not acknowledged: sent again; acknowledged: gone.
    c4 = r.connect(auto_ack=False)
    assert sorted((m["type"], m["run"]) for m in c4.sync) == [("exited", 1), ("started", 2)]
    c4.send(rc.ack(max(m["seq"] for m in c4.sync)))
    c4.send(rc.stop(2))
    c4.wait_for("exited", 2)
    c4.close()
    c5 = r.connect(auto_ack=False)
    assert [(m["type"], m["run"]) for m in c5.sync] == [("exited", 2)]
    c5.close()


def test_new_connection_replaces_old(runner):
    r = runner()
    c1 = r.connect()
    # A connection that never says HELLO (a probe) disturbs nothing.
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.connect(str(r.path))
    probe.close()
    _, e = c1.run(1, ["/bin/true"])
    assert e["status"] == 0
    c2 = r.connect()
    with pytest.raises(EOFError):
        c1.recv(timeout=2)
    _, e = c2.run(2, ["/bin/true"])
    assert e["status"] == 0
    c1.close()
    c2.close()


def test_bad_peers_do_not_hurt(runner):
    r = runner()
    c = r.connect()
    c.send(rc.spawn(1, ["/bin/sleep", "100"]))   # keeps the runner from exiting when idle
    c.wait_for("started", 1)
    c.close()

    # Another version: closed after its HELLO.
    c = r.connect(do_hello=False)
    assert c.recv()["type"] == "hello"
    c.send(rc.hello(version=99))
    with pytest.raises(EOFError):
        c.recv(timeout=2)
    c.close()
    # A frame length below the header, an unknown type, a truncated spawn,
    # a report type from the daemon, a spawn before HELLO: each closes
    # the connection.
    short = rc.spawn(2, ["/bin/true"])[:-1]
    short = struct.pack("<I", len(short)) + short[4:]
    for junk in (struct.pack("<IHH", 3, 1, 0), rc.frame(77), short, rc.frame(rc.SYNC_DONE)):
        c = r.connect()
        c.send(junk)
        with pytest.raises(EOFError):
            c.recv(timeout=2)
        c.close()
    c = r.connect(do_hello=False)
    c.recv()
    c.send(rc.spawn(3, ["/bin/true"]))
    with pytest.raises(EOFError):
        c.recv(timeout=2)
    c.close()

    assert r.alive()
    c = r.connect()
    assert [(m["type"], m["run"]) for m in c.sync] == [("started", 1)]
    _, e = c.run(4, ["/bin/true"])
    assert e["status"] == 0
    c.send(rc.stop(1))
    c.wait_for("exited", 1)
    c.close()
    assert r.wait_exit(3) == 0


def test_exits_when_idle_and_disconnected(runner):
    r = runner(linger=30)
    c = r.connect()
    c.run(1, ["/bin/true"])
    time.sleep(0.05)                   # let the ACK arrive
    c.close()
    assert r.wait_exit(3) == 0
    assert not r.path.exists()


def test_lingers_for_unacknowledged_reports(runner):
    r = runner(linger=1)
    c = r.connect(auto_ack=False)
    c.run(1, ["/bin/true"])
    c.close()
    time.sleep(0.5)
    assert r.alive()
    assert r.wait_exit(3) == 0


def test_waits_for_runs_after_bye(runner):
    r = runner(linger=30)
    c = r.connect()
    c.send(rc.spawn(1, ["/bin/sleep", "0.5"]))
    c.wait_for("started", 1)
    c.send(rc.bye())
    time.sleep(0.2)
    assert r.alive()
    e = c.wait_for("exited", 1)        # a BYE'd daemon still gets reports
    assert e["status"] == 0
    time.sleep(0.05)
    assert r.wait_exit(3) == 0
    c.close()


def test_sigterm_stops_runs_and_exits(runner):
    r = runner()
    c = r.connect()
    c.send(rc.spawn(1, ["/bin/sleep", "100"]))
    c.wait_for("started", 1)
    r.proc.send_signal(signal.SIGTERM)
    e = c.wait_for("exited", 1, timeout=3)
    assert e["stopped"] and e["status"] == signal.SIGTERM
    assert r.wait_exit(3) == 0
    c.close()


def test_stale_socket_is_replaced_live_one_is_not(tmp_path, runner):
    path = tmp_path / "runner0.sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))
    s.close()                          # a dead socket file
    r = runner()
    assert r.path == path
    assert (path.stat().st_mode & 0o777) == 0o600
    second = subprocess.run([str(RUNNER), "--socket", str(path)], capture_output=True, timeout=5)
    assert second.returncode == 1
    assert r.alive()
    c = r.connect()
    _, e = c.run(1, ["/bin/true"])
    assert e["status"] == 0
    c.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root")
def test_runs_as_another_user(client):
    # Not under tmp_path: pytest's base directory is 0700, closed to nobody.
    tmp_path = pathlib.Path(tempfile.mkdtemp(prefix="schedd-runner-test."))
    try:
        run_as_nobody(client, tmp_path)
    finally:
        shutil.rmtree(tmp_path)


def run_as_nobody(client, tmp_path):
    _, e = client.run(1, ["/usr/bin/id", "-u"], uid=65534, gid=65534, groups=[65534])
    assert e["output"] == b"65534\n"
    _, e = client.run(2, ["/bin/sh", "-c", "id -g; id -G; grep NoNewPrivs /proc/self/status"],
                      uid=65534, gid=65534, groups=[65534], no_new_privs=True)
    assert e["output"].decode().split() == ["65534", "65534", "NoNewPrivs:", "1"]
    # The output file is opened as the job's user: not in a root-only place.
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    m, _ = client.run(3, ["/bin/true"], uid=65534, gid=65534, groups=[65534],
                      output=rc.OUTPUT_FILE, output_path=str(private / "log"))
    assert (m["stage"], m["errno"]) == ("output", errno.EACCES)
    os.chmod(tmp_path, 0o755)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    os.chmod(shared, 0o777)
    _, e = client.run(4, ["/bin/echo", "hi"], uid=65534, gid=65534, groups=[65534],
                      output=rc.OUTPUT_FILE, output_path=str(shared / "log"))
    st = (shared / "log").stat()
    assert (st.st_uid, st.st_gid) == (65534, 65534)
    assert (shared / "log").read_text() == "hi\n"
    # And the runner itself is still root afterwards.
    with open(f"/proc/{client.runner_pid}/status") as f:
        ids = {k: v.split() for k, v in (line.split(":", 1) for line in f) if k in ("Uid", "Gid", "Groups")}
    assert ids["Uid"] == ["0"] * 4 and ids["Gid"] == ["0"] * 4
