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
