"""A real schedd in a temporary directory, for end-to-end tests.

Like Redis's start_server: every test gets its own jobs directory, state
database and sockets. Readiness is learnt the way systemd learns it: the
test listens on a NOTIFY_SOCKET and waits for READY=1. Until schedctl
talks to the daemon, tests read the state database directly (read-only).
"""
import os
import pathlib
import re
import signal
import socket
import sqlite3
import subprocess
import time

from conftest import BUILD

USEC = 1_000_000
FINAL = ("succeeded", "failed", "timed-out", "skipped", "missed", "interrupted")


class Daemon:
    def __init__(self, tmp_path, config=None):
        self.root = pathlib.Path(tmp_path)
        self.jobs_dir = self.root / "jobs.d"
        self.jobs_dir.mkdir(exist_ok=True)
        self.run_dir = self.root / "run"
        self.run_dir.mkdir(exist_ok=True)
        self.state = self.root / "state" / "state.db"
        self.socket = self.run_dir / "control.sock"
        self.config = self.root / "schedd.yaml"
        self.config.write_text(config or "")
        self.log_path = self.root / "schedd.log"
        self.proc = None
        self.notify = None
        self.messages = []

    def write_job(self, name, text):
        path = self.jobs_dir / name
        tmp = path.with_name("." + name + ".tmp")
        tmp.write_text(text)
        os.replace(tmp, path)       # atomic, like an editor or a package manager
        return path

    def start(self, *args, wait=True, env=None, user_mode=True, **popen):
        notify_path = self.root / "notify.sock"
        if notify_path.exists():
            notify_path.unlink()
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(str(notify_path))
        self.notify.settimeout(0.2)
        e = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFY_")}
        e.update({"NOTIFY_SOCKET": str(notify_path), "XDG_RUNTIME_DIR": str(self.run_dir),
                  "TZ": "UTC", "SCHEDD_TEST_SECRET": "leak-me-not"})
        e.pop("JOURNAL_STREAM", None)
        e.update(env or {})
        self.log = open(self.log_path, "ab")
        mode = ["--user"] if user_mode else []
        self.proc = subprocess.Popen(
            [str(BUILD / "schedd"), *mode, "--config", str(self.config), "--jobs-dir",
             str(self.jobs_dir), "--state", str(self.state), "--socket", str(self.socket), *args],
            stdout=self.log, stderr=self.log, env=e, **popen)
        if wait:
            self.wait_notify("READY=1", timeout=15)
        return self

    def read_notify(self):
        try:
            while True:
                data = self.notify.recv(4096).decode()
                self.messages.extend(data.split("\n"))
        except (socket.timeout, BlockingIOError):
            pass

    def wait_notify(self, what, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.read_notify()
            if what in self.messages:
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"schedd exited with {self.proc.returncode}:\n{self.logtext()}")
        raise AssertionError(f"no {what} from schedd within {timeout}s:\n{self.logtext()}")

    def logtext(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            self.log.close()

    def kill9(self):
        self.proc.kill()
        self.proc.wait(5)
        self.log.close()

    def reload(self):
        self.messages.clear()
        self.proc.send_signal(signal.SIGHUP)
        self.wait_notify("RELOADING=1")
        self.wait_notify("READY=1")

    def db(self):
        return sqlite3.connect(f"file:{self.state}?mode=ro", uri=True, timeout=5)

    def runs(self, job=None, state=None):
        q = "SELECT * FROM runs WHERE 1=1"
        args = []
        if job:
            q += " AND job_id = ?"
            args.append(job)
        if state:
            q += " AND state = ?"
            args.append(state)
        with self.db() as c:
            c.row_factory = sqlite3.Row
            return [dict(r) for r in c.execute(q + " ORDER BY id", args)]

    def wait_log(self, text, timeout=5):
        """Waits until the log holds @text. Log lines are written once per
        loop step, so an effect seen elsewhere (a row, a file, a dead
        process) can come a moment before the line that tells of it."""
        return self.wait_for(lambda: text in self.logtext(), timeout, f"the log to say {text!r}")

    def wait_runs(self, job, n, state=None, timeout=10):
        """Waits until @job has at least @n runs (in @state) and returns them."""
        def enough():
            rows = self.runs(job, state)
            return rows if len(rows) >= n else None
        return self.wait_for(enough, timeout, f"{n} run(s) of {job}" + (f" {state}" if state else ""))

    def wait_for(self, predicate, timeout=10, what="condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                v = predicate()
            except sqlite3.OperationalError:
                v = None
            if v:
                return v
            if self.proc.poll() is not None and self.proc.returncode not in (0, None):
                raise AssertionError(f"schedd died ({self.proc.returncode}):\n{self.logtext()}")
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}:\n{self.logtext()}")

    def runner_pids(self):
        """Every runner a daemon of this test started, oldest first."""
        return [int(p) for p in re.findall(r"Started the runner '[^']*' \(pid (\d+)\)", self.logtext())]

    def runner_pid(self):
        pids = self.runner_pids()
        return pids[-1] if pids else None

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        if self.notify:
            self.notify.close()
        # The runner exits by itself once idle and alone, but a test may
        # leave runs behind (sleep 60): SIGTERM stops them, SIGKILL after.
        runners = [p for p in self.runner_pids() if pid_alive(p)]
        for p in runners:
            signal_pid(p, signal.SIGTERM)
        deadline = time.monotonic() + 3
        while any(pid_alive(p) for p in runners) and time.monotonic() < deadline:
            time.sleep(0.05)
        for p in runners:
            signal_pid(p, signal.SIGKILL)
        # Runs orphaned by a killed runner: each leads its own group.
        try:
            pgids = [r["pid"] for r in self.runs() if r["state"] in ("running", "interrupted") and r["pid"] > 0]
        except sqlite3.Error:
            pgids = []
        for g in pgids:
            try:
                os.killpg(g, signal.SIGKILL)
            except OSError:
                pass


def soon():
    """A whole Unix second for an `at` written before the daemon starts:
    2 to 3 s ahead. A new job's past firings never happen, and a daemon
    started under ASan on a loaded machine has taken more than a second
    to load its jobs."""
    return int(time.time()) + 3


def pid_alive(pid):
    """True if @pid exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def signal_pid(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def proc_status(pid, field):
    """A field of /proc/PID/status in kB (VmRSS, VmHWM), or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None
