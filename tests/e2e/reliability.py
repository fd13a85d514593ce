"""Helpers shared by the reliability tests (test_reliability_*.py).

Nothing here starts a daemon by itself: the tests use the `daemon`
fixture of conftest.py and daemon.py, and these helpers read what it
left behind: the state database, the jobs' own side-effect files.
"""
import datetime
import os
import pathlib
import sqlite3
import subprocess

import varlink_client

# A job that leaves "JOB SCHEDULED" in a file of its own, once per firing.
SIDE_EFFECT = 'echo "$SCHEDD_JOB_ID $SCHEDD_SCHEDULED_TIME" >> {dir}/$SCHEDD_JOB_ID'


def jobs_every_second(n, side_dir, prefix="j", extra=""):
    """A job file with @n jobs firing every second, each appending to its
    own side-effect file in @side_dir."""
    lines = ["jobs:"]
    for i in range(n):
        lines += [f"  {prefix}{i:03d}:",
                  f"    command: '{SIDE_EFFECT.format(dir=side_dir)}'",
                  "    schedule:",
                  '      cron: "* * * * * *"']
        lines += [f"    {e}" for e in extra.splitlines() if e]
    return "\n".join(lines) + "\n"


def parse_time(s):
    """RFC 3339 (as in SCHEDD_SCHEDULED_TIME) -> whole Unix seconds."""
    return int(datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())


def side_effects(side_dir):
    """Every (job, scheduled second) line the jobs wrote, as a list, so
    that duplicates can be seen."""
    out = []
    for p in sorted(pathlib.Path(side_dir).iterdir()):
        for line in p.read_text().splitlines():
            job, when = line.split(" ", 1)
            out.append((job, parse_time(when)))
    return out


def integrity(db_path):
    """PRAGMA integrity_check of a database no daemon has open: what the
    next daemon will find. Returns the first row ("ok" when sound)."""
    c = sqlite3.connect(str(db_path), timeout=5)
    try:
        return c.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        c.close()


def runs(db_path):
    c = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    c.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in c.execute("SELECT id, job_id, reason, state, scheduled, count, "
                                            "exit_status, cause FROM runs ORDER BY id")]
    finally:
        c.close()


def call(socket_path, method, params=None):
    with varlink_client.connect(socket_path) as c:
        return c.call1(method, params)


def status(socket_path):
    return call(socket_path, "io.schedd.Status")["parameters"]


def is_root():
    return os.geteuid() == 0


def run_as(uid, gid, argv, **kw):
    """Runs @argv as @uid:@gid with no supplementary groups (setpriv)."""
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 30)
    return subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", *argv], **kw)


def system_daemon(tmp_path, prefix=()):
    """A daemon.Daemon to be started in system mode (no --user), as root:
    job files are checked for ownership and mode, jobs may name a user,
    and the control socket is open to every user (0666), so it lives in a
    directory of /tmp that every user can reach (tmp_path is not). The
    daemon runs under @prefix, a command such as setpriv with options."""
    import shutil
    import socket
    import tempfile
    from conftest import BUILD
    from daemon import Daemon

    class SystemDaemon(Daemon):
        def start(self, *args, wait=True, env=None):
            notify_path = self.root / "notify.sock"
            notify_path.unlink(missing_ok=True)
            self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.notify.bind(str(notify_path))
            self.notify.settimeout(0.2)
            e = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFY_")}
            e.update({"NOTIFY_SOCKET": str(notify_path), "TZ": "UTC",
                      "SCHEDD_TEST_SECRET": "leak-me-not"})
            e.pop("JOURNAL_STREAM", None)
            e.update(env or {})
            self.log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(
                [*prefix, str(BUILD / "schedd"), "--config", str(self.config), "--jobs-dir",
                 str(self.jobs_dir), "--state", str(self.state), "--socket", str(self.socket), *args],
                stdout=self.log, stderr=self.log, env=e)
            if wait:
                self.wait_notify("READY=1", timeout=15)
            return self

        def cleanup(self):
            Daemon.cleanup(self)
            shutil.rmtree(self.public, ignore_errors=True)

    d = SystemDaemon(tmp_path)
    d.public = pathlib.Path(tempfile.mkdtemp(prefix="schedd-test-", dir="/tmp"))
    d.public.chmod(0o755)
    d.socket = d.public / "control.sock"
    return d


def call_as(uid, socket_path, calls):
    """Makes @calls ([(method, params)]) on one connection from a child
    that has become @uid (its gid the same, no supplementary groups), and
    returns the replies."""
    import json
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            with varlink_client.connect(socket_path) as c:
                out = [c.call1(m, p) for m, p in calls]
            os.write(w, json.dumps(out).encode())
            os._exit(0)
        except BaseException as e:     # noqa: BLE001 - report anything to the parent
            os.write(w, json.dumps({"exception": repr(e)}).encode())
            os._exit(1)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    out = json.loads(data)
    if isinstance(out, dict):
        raise AssertionError(f"the client as uid {uid} failed: {out['exception']}")
    return out
