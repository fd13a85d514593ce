#!/usr/bin/python3
"""bench/suite.py - issue 7's benchmark: schedd against APScheduler, Vixie
cron and the machine's floor, on the same work, in the same run.

  suite.py [--quick] --build DIR --out FILE

Prints one Markdown table and writes it to FILE. Every scenario catches
its own errors and reports them in its cells ("error: ..."); the suite
itself always exits 0. Every process it starts is killed at the end.

The contenders:
  schedd       build/schedd --user on a temporary directory, stderr to a
               file, jobs in job files, readiness from a NOTIFY_SOCKET.
  APScheduler  bench/aps.py: BackgroundScheduler, default thread pool,
               each job runs bench/child through subprocess.run().
  cron         Debian's cron in the foreground (cron -f) with a file in
               /etc/cron.d that is removed afterwards; minute granularity.
  floor        bench/floor.c: a CLOCK_REALTIME timerfd plus posix_spawn().
Every one starts the same static bench/child, whose first statement reads
CLOCK_REALTIME and which appends "TAG SCHEDULED NS" to a file.
"""
import argparse
import calendar
import datetime
import json
import os
import pathlib
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import traceback

HERE = pathlib.Path(__file__).resolve().parent
PY = "/usr/bin/python3"
NS = 1_000_000_000

STARTED = []            # every Popen we started, killed at the end
CRON_FILES = []         # /etc/cron.d files we wrote, removed at the end


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def popen(*a, **kw):
    p = subprocess.Popen(*a, **kw)
    STARTED.append(p)
    return p


def kill(p, sig=signal.SIGKILL, timeout=10):
    if p is None:
        return
    if p.poll() is None:
        try:
            p.send_signal(sig)
            p.wait(timeout)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            p.kill()
            p.wait(5)


# --- /proc ------------------------------------------------------------------

def proc_status(pid, key):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return None


def rss_kib(pids):
    return sum(proc_status(p, "VmRSS") or 0 for p in pids)


def ctx(pids):
    """(voluntary, nonvoluntary) context switches, summed over every thread."""
    vol = non = 0
    for pid in pids:
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except FileNotFoundError:
            continue
        for t in tasks:
            v = proc_status(f"{pid}/task/{t}", "voluntary_ctxt_switches")
            n = proc_status(f"{pid}/task/{t}", "nonvoluntary_ctxt_switches")
            vol += v or 0
            non += n or 0
    return vol, non


def pids_of_exe(exe):
    exe = os.path.realpath(exe)
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if os.readlink(f"/proc/{d}/exe") == exe:
                    st = open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()[0]
                    if st != "Z":
                        out.append(int(d))
            except OSError:
                pass
    return out


# --- records ----------------------------------------------------------------

RFC = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d(?::\d\d)?)$")


def rfc3339_ns(s):
    m = RFC.match(s)
    if not m:
        raise ValueError(f"bad time {s!r}")
    secs = calendar.timegm(tuple(int(m.group(i)) for i in range(1, 7)))
    frac = int(((m.group(7) or "") + "000000000")[:9])
    off = 0
    if m.group(8) != "Z":
        sign = -1 if m.group(8)[0] == "-" else 1
        parts = [int(x) for x in m.group(8)[1:].split(":")]
        off = sign * (parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) > 2 else 0))
    return (secs - off) * NS + frac


def read_records(path):
    """[(tag, scheduled_ns or None, start_ns)]"""
    out = []
    try:
        text = pathlib.Path(path).read_text()
    except FileNotFoundError:
        return out
    for line in text.splitlines():
        parts = line.split(" ")
        if len(parts) != 3:
            continue
        tag, sched, t = parts
        if sched == "-":
            s = None
        elif sched.isdigit():
            s = int(sched)
        else:
            s = rfc3339_ns(sched)
        out.append((tag, s, int(t)))
    return out


def count_lines(path):
    try:
        with open(path, "rb") as f:
            return f.read().count(b"\n")
    except FileNotFoundError:
        return 0


def wait_records(path, want, deadline, quiet=3.0):
    """Waits for @want records, or until none came for @quiet seconds after
    the first, or @deadline (monotonic). Returns the count."""
    last_n, last_change = -1, time.monotonic()
    while time.monotonic() < deadline:
        n = count_lines(path)
        if n >= want:
            return n
        if n != last_n:
            last_n, last_change = n, time.monotonic()
        elif n > 0 and time.monotonic() - last_change > quiet:
            return n
        time.sleep(0.05)
    return count_lines(path)


def pct(v, p):
    v = sorted(v)
    k = max(0, min(len(v) - 1, -(-len(v) * p // 100) - 1))
    return v[int(k)]


def sleep_until_ns(t):
    d = t / NS - time.time()
    if d > 0:
        time.sleep(d)


# --- contenders ---------------------------------------------------------------

class Schedd:
    def __init__(self, build, root, config=""):
        self.build = pathlib.Path(build)
        self.root = pathlib.Path(root)
        self.jobs = self.root / "jobs.d"
        self.run = self.root / "run"
        for d in (self.jobs, self.run, self.root / "state"):
            d.mkdir(parents=True, exist_ok=True)
        self.state = self.root / "state" / "state.db"
        self.sock = self.run / "control.sock"
        self.config = self.root / "schedd.yaml"
        self.config.write_text(config)
        self.proc = None
        self.startup = None

    def write_jobs(self, items, per_file=4000, name="jobs"):
        """items: [(id, yaml body lines)]. Files stay under 1 MiB each."""
        for f in self.jobs.glob("*.yaml"):
            f.unlink()
        for k in range(0, max(len(items), 1), per_file):
            chunk = items[k:k + per_file]
            text = "defaults:\n  output: discard\njobs:\n" + "".join(
                f"  {jid}:\n" + "".join(f"    {line}\n" for line in body) for jid, body in chunk)
            if not chunk:
                text = "jobs: {}\n"
            assert len(text) < 1 << 20, "job file over 1 MiB"
            p = self.jobs / f"{name}-{k // per_file:03d}.yaml"
            p.write_text(text)

    def start(self, timeout=180):
        nsock = self.root / "notify.sock"
        if nsock.exists():
            nsock.unlink()
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(str(nsock))
        env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFY_")}
        env.pop("JOURNAL_STREAM", None)
        env.update({"NOTIFY_SOCKET": str(nsock), "XDG_RUNTIME_DIR": str(self.run), "TZ": "UTC"})
        self.logf = open(self.root / "schedd.log", "ab")
        t0 = time.monotonic()
        self.proc = popen([str(self.build / "schedd"), "--user", "--config", str(self.config),
                           "--jobs-dir", str(self.jobs), "--state", str(self.state),
                           "--socket", str(self.sock)], stdout=self.logf, stderr=self.logf, env=env)
        buf = ""
        notify.settimeout(0.5)
        try:
            while "READY=1" not in buf.split("\n"):
                if time.monotonic() - t0 > timeout:
                    raise RuntimeError("no READY=1 within %ds" % timeout)
                if self.proc.poll() is not None:
                    raise RuntimeError(f"schedd exited with {self.proc.returncode}: " + self.logtail())
                try:
                    buf += "\n" + notify.recv(4096).decode()
                except socket.timeout:
                    pass
            self.startup = time.monotonic() - t0
        finally:
            notify.close()
        return self

    def logtail(self):
        try:
            return (self.root / "schedd.log").read_text(errors="replace")[-400:].replace("\n", " / ")
        except OSError:
            return ""

    def pids(self):
        """The daemon and its runner."""
        out = [self.proc.pid] if self.proc and self.proc.poll() is None else []
        return out + self.runner_pids()

    def runner_pids(self):
        return pids_of_exe(self.build / "schedd-runner")

    def stop(self):
        if self.proc:
            kill(self.proc, signal.SIGTERM, 15)
            self.logf.close()
        # The runner exits by itself once it has neither daemon nor run.
        deadline = time.monotonic() + 3
        while self.runner_pids() and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in self.runner_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc = None

    def db_states(self):
        try:
            with sqlite3.connect(f"file:{self.state}?mode=ro", uri=True, timeout=5) as c:
                return dict(c.execute("SELECT state, count(*) FROM runs GROUP BY state"))
        except sqlite3.Error as e:
            return {"error": str(e)}

    # Varlink: JSON objects terminated by NUL on the control socket.
    def varlink(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(str(self.sock))
        return s


def varlink_call(s, method, params=None, buf=None):
    msg = {"method": method}
    if params:
        msg["parameters"] = params
    s.sendall(json.dumps(msg).encode() + b"\0")
    chunks = bytearray() if buf is None else buf
    while True:
        i = chunks.find(b"\0")
        if i >= 0:
            data = bytes(chunks[:i])
            del chunks[:i + 1]
            return json.loads(data)
        d = s.recv(1 << 20)
        if not d:
            raise RuntimeError("connection closed by schedd")
        chunks += d


class Cron:
    """Debian's cron in the foreground with files in /etc/cron.d. Debian's
    cron ignores a crontab longer than 10,000 lines, so the lines are
    split over files of at most 5,000."""
    PER_FILE = 5000

    def __init__(self):
        self.base = f"schedd-bench-{os.getpid()}"
        self.paths = []
        self.proc = None

    def start(self, lines):
        if not shutil.which("cron"):
            raise RuntimeError("cron is not installed")
        for k in range(0, max(len(lines), 1), self.PER_FILE):
            path = pathlib.Path(f"/etc/cron.d/{self.base}-{k // self.PER_FILE:03d}")
            text = 'SHELL=/bin/sh\nPATH=/usr/bin:/bin\nMAILTO=""\n' + "".join(
                l + "\n" for l in lines[k:k + self.PER_FILE])
            CRON_FILES.append(path)
            self.paths.append(path)
            tmp = path.with_name("." + path.name)
            tmp.write_text(text)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        self.proc = popen(["cron", "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)
        if self.proc.poll() is not None:
            raise RuntimeError(f"cron exited with {self.proc.returncode} (another cron running?)")
        # cron reads its files before its first sleep; wait until its memory settles.
        last, t0 = -1, time.monotonic()
        while time.monotonic() - t0 < 30:
            r = rss_kib([self.proc.pid])
            if r == last and time.monotonic() - t0 > 1:
                break
            last = r
            time.sleep(0.3)
        return self

    def pids(self):
        return [self.proc.pid] if self.proc and self.proc.poll() is None else []

    def stop(self):
        kill(self.proc, signal.SIGTERM)
        self.proc = None
        for path in self.paths:
            try:
                path.unlink()
            except FileNotFoundError:
                pass


# --- results ------------------------------------------------------------------

CONTENDERS = ["schedd", "APScheduler", "cron", "floor"]


class Results:
    def __init__(self):
        self.rows = []              # (key, label, unit, higher_better)
        self.cells = {}             # (key, contender) -> list of numbers | str
        self.notes = []

    def row(self, key, label, unit, higher_better=False):
        if key not in [r[0] for r in self.rows]:
            self.rows.append((key, label, unit, higher_better))

    def add(self, key, who, value):
        c = self.cells.setdefault((key, who), [])
        if isinstance(c, list):
            c.append(value)

    def set(self, key, who, text):
        self.cells[(key, who)] = text

    def error(self, keys, who, e):
        for k in keys:
            if not isinstance(self.cells.get((k, who)), list) or not self.cells.get((k, who)):
                self.cells[(k, who)] = f"error: {e}"

    def median(self, key, who):
        v = self.cells.get((key, who))
        if isinstance(v, list) and v:
            return statistics.median(v)
        return None


def fmt_num(x, unit):
    if unit == "ms":
        return f"{x * 1e3:.2f} ms" if x < 1 else f"{x:.2f} s"
    if unit == "s":
        return f"{x * 1e3:.1f} ms" if x < 1 else f"{x:.2f} s"
    if unit == "MiB":
        return f"{x / 1024:.1f} MiB"
    if unit == "/s":
        if x >= 1e6:
            return f"{x / 1e6:.2f} M/s"
        return f"{x:,.0f}/s"
    if unit == "n":
        return f"{x:,.0f}" if x == int(x) else f"{x:,.1f}"
    return f"{x:.3g}"


def fmt_spread(lo, hi, unit):
    if unit == "ms":
        if hi < 1:
            return f"{lo * 1e3:.2f}-{hi * 1e3:.2f}"
        return f"{lo:.2f}-{hi:.2f} s"
    if unit == "s":
        if hi < 1:
            return f"{lo * 1e3:.1f}-{hi * 1e3:.1f}"
        return f"{lo:.2f}-{hi:.2f}"
    if unit == "MiB":
        return f"{lo / 1024:.1f}-{hi / 1024:.1f}"
    if unit == "/s":
        if hi >= 1e6:
            return f"{lo / 1e6:.2f}-{hi / 1e6:.2f}"
        return f"{lo:,.0f}-{hi:,.0f}"
    return f"{fmt_num(lo, unit)}-{fmt_num(hi, unit)}"


def cell(res, key, unit, who):
    v = res.cells.get((key, who))
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if not v:
        return "-"
    m = statistics.median(v)
    s = fmt_num(m, unit)
    if len(v) > 1:
        s += f" ({fmt_spread(min(v), max(v), unit)})"
    return s


def ratio(res, key, a, b):
    x, y = res.median(key, a), res.median(key, b)
    if x is None or y is None or y == 0:
        return "-"
    return f"{x / y:.2f}x"


# --- scenarios ----------------------------------------------------------------

class Suite:
    def __init__(self, args):
        self.a = args
        self.quick = args.quick
        self.build = pathlib.Path(args.build).resolve()
        self.child = str(self.build / "bench" / "child")
        self.floor = str(self.build / "bench" / "floor")
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="schedd-bench."))
        self.r = Results()
        self.targets = []           # (text, met: True/False/None, detail)
        self.n = 0
        self.load0 = open("/proc/loadavg").read().split()[:3]
        self.list_bytes = {}

    def tmpdir(self, name):
        self.n += 1
        d = self.tmp / f"{self.n:02d}-{name}"
        d.mkdir()
        return d

    def guard(self, keys, who, fn, *args):
        try:
            return fn(*args)
        except Exception as e:      # a failing scenario reports and the rest goes on
            log(f"{who}: {keys[0]}: {e}")
            if os.environ.get("BENCH_DEBUG"):
                traceback.print_exc()
            self.r.error(keys, who, str(e).replace("|", "/")[:160])

    # -- 6. next-firing computations ------------------------------------------

    def next_firing(self):
        r = self.r
        r.row("next_utc", "6. next-firing computations/s, UTC (6 cron expressions)", "/s", True)
        r.row("next_berlin", "6. next-firing computations/s, Europe/Berlin", "/s", True)
        r.row("load10k", "6. load and validate one 10,000-job file (bench-lib, best of 5)", "ms")
        reps = 1 if self.quick else 3

        def schedd():
            for _ in range(reps):
                out = subprocess.run([str(self.build / "bench" / "bench-lib")], capture_output=True,
                                     text=True, timeout=60).stdout
                m1 = re.search(r"UTC.*?\| ([\d.]+) M", out)
                m2 = re.search(r"Berlin \| ([\d.]+) M", out)
                m3 = re.search(r"best of 5\) \| ([\d.]+) ms", out)
                if not (m1 and m2 and m3):
                    raise RuntimeError("unexpected bench-lib output: " + out[:100])
                r.add("next_utc", "schedd", float(m1.group(1)) * 1e6)
                r.add("next_berlin", "schedd", float(m2.group(1)) * 1e6)
                r.add("load10k", "schedd", float(m3.group(1)) / 1e3)

        def aps():
            for _ in range(reps):
                for key, zone in (("next_utc", "UTC"), ("next_berlin", "Europe/Berlin")):
                    out = subprocess.run([PY, str(HERE / "aps.py"), "nextrate", zone], capture_output=True,
                                         text=True, timeout=60)
                    if out.returncode:
                        raise RuntimeError(out.stderr.strip().splitlines()[-1])
                    r.add(key, "APScheduler", float(out.stdout))

        self.guard(["next_utc", "next_berlin", "load10k"], "schedd", schedd)
        self.guard(["next_utc", "next_berlin"], "APScheduler", aps)
        for k in ("next_utc", "next_berlin", "load10k"):
            r.set(k, "cron", "n/a: internal")
            r.set(k, "floor", "n/a")
        r.set("load10k", "APScheduler", "n/a: no job files")

    # -- 4, 5, 7. memory, start-up, control ----------------------------------

    @staticmethod
    def idle_cron6(n):
        """n 6-field cron schedules none of which is due within the hour."""
        base = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        out = []
        for i in range(n):
            t = base + datetime.timedelta(seconds=i * 7 % 79200)
            out.append(f"{t.second} {t.minute} {t.hour} * * *")
        return out

    def schedd_jobs_idle(self, d, n):
        d.write_jobs([(f"job{i:06d}", [f"command: [{self.child}, /dev/null]",
                                       f'schedule: {{cron: "{c}"}}'])
                      for i, c in enumerate(self.idle_cron6(n))])

    def memory_startup_control(self):
        r = self.r
        sizes = [0, 10000, 100000]
        reps = 1 if self.quick else 3
        for n in sizes:
            r.row(f"rss{n}", f"4. resident memory, {n:,} jobs" + (" (daemon + runner)" if n == 0 else ""), "MiB")
        for n in sizes[1:]:
            r.row(f"start{n}", f"5. start-up to ready, {n:,} jobs (job files + SQLite state)", "s")
        r.row("reload100k", "5. reload (SIGHUP) after one of 25 job files changed, 100,000 jobs", "s")
        r.row("list1k", "7. list 1,000 jobs (`schedctl list`, or raw Varlink `List`)", "s")
        r.row("list100k", "7. list 100,000 jobs", "s")
        r.row("status10k", "7. `Status` calls/s, one client, 10,000 jobs", "/s", True)
        r.row("status", "7. `Status` calls/s, one client, 100,000 jobs", "/s", True)

        for n in sizes:
            def schedd(n=n):
                d = Schedd(self.build, self.tmpdir(f"schedd-mem{n}"))
                self.schedd_jobs_idle(d, n)
                d.start()                   # the first start writes the state
                log(f"schedd {n} jobs: first start {d.startup:.3f} s")
                time.sleep(1)
                d.stop()
                for k in range(reps):
                    d.start()
                    if n:
                        r.add(f"start{n}", "schedd", d.startup)
                    time.sleep(1)
                    r.add(f"rss{n}", "schedd", rss_kib(d.pids()))
                    if n == 100000 and k == 0:
                        self.guard(["reload100k"], "schedd", self.control_reload, d, "reload100k")
                        self.guard(["list100k"], "schedd", self.control_list, d, n, "list100k")
                        self.guard(["status"], "schedd", self.control_status, d, "status")
                    if n == 10000 and k == 0:
                        self.guard(["status10k"], "schedd", self.control_status, d, "status10k")
                    d.stop()
            self.guard([f"rss{n}", f"start{n}"], "schedd", schedd)

        for n in sizes:
            def aps(n=n):
                if n == 100000 and self.quick:
                    for k in (f"rss{n}", f"start{n}"):
                        r.set(k, "APScheduler", "n/a: not in bench-quick (16 s)")
                    return
                for k in range(1 if n == 100000 else reps):
                    t0 = time.monotonic()
                    p = popen([PY, str(HERE / "aps.py"), "idle", str(n)], stdout=subprocess.PIPE, text=True)
                    try:
                        line = p.stdout.readline()
                        t = time.monotonic() - t0
                        if not line.startswith("ready"):
                            raise RuntimeError("aps.py: no ready line")
                        if n:
                            r.add(f"start{n}", "APScheduler", t)
                        time.sleep(1)
                        r.add(f"rss{n}", "APScheduler", rss_kib([p.pid]))
                    finally:
                        kill(p)
            self.guard([f"rss{n}", f"start{n}"], "APScheduler", aps)

            def cron(n=n):
                c = Cron()
                try:
                    c.start(self.cron_idle_lines(n))
                    r.add(f"rss{n}", "cron", rss_kib(c.pids()))
                finally:
                    c.stop()
            self.guard([f"rss{n}"], "cron", cron)

            def floor(n=n):
                p = popen([self.floor, "idle", str(n)], stdout=subprocess.PIPE, text=True)
                try:
                    p.stdout.readline()
                    time.sleep(0.2)
                    r.add(f"rss{n}", "floor", rss_kib([p.pid]))
                finally:
                    kill(p)
            self.guard([f"rss{n}"], "floor", floor)
        for n in sizes[1:]:
            r.set(f"start{n}", "cron", "n/a: no readiness protocol")
            r.set(f"start{n}", "floor", "n/a")
        def small():
            d = Schedd(self.build, self.tmpdir("schedd-list1k"))
            self.schedd_jobs_idle(d, 1000)
            try:
                d.start()
                self.control_list(d, 1000, "list1k")
            finally:
                d.stop()
        self.guard(["list1k"], "schedd", small)
        self.control_notes()
        for k in ("list1k", "list100k", "status10k", "status"):
            r.set(k, "APScheduler", "n/a: in-process API only")
            r.set(k, "cron", "n/a")
            r.set(k, "floor", "n/a")
        self.r.notes.append(
            "APScheduler's start-up is in memory (MemoryJobStore: every job added again at each start; "
            "python3-sqlalchemy, needed for its SQLite job store, is not installed), from the interpreter's "
            "start to `start()` returning; at 100,000 jobs APScheduler is measured once.")

    def cron_idle_lines(self, n):
        """n crontab lines none of which is due within the hour."""
        now = datetime.datetime.now()
        out = []
        for i in range(n):
            t = now + datetime.timedelta(hours=2, minutes=i % 1200)
            out.append(f"{t.minute} {t.hour} * * * root /bin/true")
        return out

    def control_reload(self, d, key):
        """SIGHUP after one job file changed (a command edited), to the
        "Reloaded" log line: what an admin's edit of one file costs."""
        reps = 2 if self.quick else 3
        first = sorted(d.jobs.glob("*.yaml"))[0]
        log = d.root / "schedd.log"
        for k in range(reps):
            text = first.read_text()
            before = log.read_text(errors="replace").count("Reloaded ")
            first.write_text(text.replace("/dev/null]", "/dev/zero]", 1) if k % 2 == 0
                             else text.replace("/dev/zero]", "/dev/null]", 1))
            # At once, inside inotify's 200 ms debounce: this reload is the
            # one that finds the change.
            t0 = time.monotonic()
            d.proc.send_signal(signal.SIGHUP)
            while log.read_text(errors="replace").count("Reloaded ") == before:
                if time.monotonic() - t0 > 60:
                    raise RuntimeError("no reload within 60 s")
                time.sleep(0.002)
            self.r.add(key, "schedd", time.monotonic() - t0)
            line = [x for x in log.read_text(errors="replace").splitlines() if "Reloaded " in x][before]
            if "1 changed" not in line:
                raise RuntimeError(f"the reload did not see the change: {line[-120:]}")
            time.sleep(0.6)     # inotify's own reload goes by

    def control_list(self, d, n, key):
        """Times `schedctl list` if it exists, else io.schedd.List over a raw
        Varlink connection (the reply parsed, its jobs counted)."""
        r = self.r
        cli = self.build / "schedctl"
        reps = 2 if self.quick else 3
        probe = subprocess.run([str(cli), "--socket", str(d.sock), "list"], capture_output=True, timeout=120)
        self.used_cli = probe.returncode == 0 and bool(probe.stdout)
        self.cli_probe = (probe.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[0][:80]
        for _ in range(reps):
            t0 = time.monotonic()
            if self.used_cli:
                subprocess.run([str(cli), "--socket", str(d.sock), "list"], stdout=subprocess.DEVNULL,
                               timeout=120, check=True)
            else:
                s = d.varlink()
                try:
                    s.sendall(b'{"method":"io.schedd.List"}\0')
                    data = bytearray()
                    while not data.endswith(b"\0"):
                        chunk = s.recv(1 << 20)
                        if not chunk:
                            raise RuntimeError(f"schedd closed the connection after {len(data):,} bytes "
                                               "of the List reply")
                        data += chunk
                finally:
                    s.close()
                reply = json.loads(data[:-1])
                if "error" in reply:
                    raise RuntimeError(f"List: {reply['error']} {reply.get('parameters', '')}")
                got = len(reply["parameters"]["jobs"])
                if got != n:
                    raise RuntimeError(f"List returned {got} jobs, not {n:,}")
                self.list_bytes[n] = len(data)
            r.add(key, "schedd", time.monotonic() - t0)

    def control_status(self, d, key):
        r = self.r
        reps = 2 if self.quick else 3
        s = d.varlink()
        buf = bytearray()
        try:
            for _ in range(reps):
                n, t0 = 0, time.monotonic()
                while time.monotonic() - t0 < (0.5 if self.quick else 1.0):
                    reply = varlink_call(s, "io.schedd.Status", buf=buf)
                    if "error" in reply:
                        raise RuntimeError(f"Status: {reply['error']}")
                    n += 1
                r.add(key, "schedd", n / (time.monotonic() - t0))
        finally:
            s.close()

    def control_notes(self):
        if not hasattr(self, "used_cli"):
            return
        text = "Scenario 7: " + (
            "`build/schedctl list`, wall time." if self.used_cli else
            f"`build/schedctl list` is not available yet (\"{self.cli_probe}\"), so a raw Varlink client "
            "(Python: JSON + NUL on the control socket, the reply read whole and parsed) times "
            "`io.schedd.List`; `io.schedd.Status` likewise, calls one after another on one connection.")
        for n, b in sorted(self.list_bytes.items()):
            text += f" The List reply for {n:,} jobs is {b:,} bytes ({b / n:.0f} bytes a job)."
        self.r.notes.append(text)

    # -- 1. one firing at a time ---------------------------------------------

    def periodic(self):
        r = self.r
        count = 60 if self.quick else 200
        iv = 100_000_000 if self.quick else 200_000_000
        reps = 1 if self.quick else 3
        keys = ["lat_p50", "lat_p99", "lat_max", "lat_lost"]
        r.row("lat_p50", f"1. lateness p50, {count} firings every {iv // 1_000_000} ms", "ms")
        r.row("lat_p99", "1. lateness p99", "ms")
        r.row("lat_max", "1. lateness max", "ms")
        r.row("lat_lost", "1. firings missing", "n")
        r.notes.append(
            f"Scenario 1: schedd, APScheduler and the floor run side by side, their firings offset by a "
            f"third of the {iv // 1_000_000} ms interval so that no two overlap; lateness is the child's first "
            f"CLOCK_REALTIME reading minus the scheduled instant. {reps} repetition(s) of {count} firings.")

        def one_rep():
            root = self.tmpdir("periodic")
            outs = {w: str(root / f"{w}.out") for w in ("schedd", "APScheduler", "floor")}
            d = Schedd(self.build, root / "schedd")
            start = (int(time.time()) + 4) * NS
            st = datetime.datetime.fromtimestamp(start // NS, datetime.timezone.utc)
            d.write_jobs([("tick", [f"command: [{self.child}, {outs['schedd']}]",
                                    f"schedule: {{interval: {iv // 1_000_000}ms, start: '{st:%Y-%m-%dT%H:%M:%SZ}'}}"])])
            procs = []
            ok = {}
            try:
                try:
                    d.start()
                    ok["schedd"] = True
                except Exception as e:
                    r.error(keys, "schedd", e)
                procs.append(popen([PY, str(HERE / "aps.py"), "periodic", self.child, outs["APScheduler"],
                                    str(start + iv // 3), str(iv), str(count)]))
                procs.append(popen([self.floor, "periodic", self.child, outs["floor"],
                                    str(start + 2 * iv // 3), str(iv), str(count)]))
                sleep_until_ns(start + count * iv + NS)
            finally:
                d.stop()
                for p in procs:
                    kill(p, signal.SIGTERM)
            base = {"schedd": start, "APScheduler": start + iv // 3, "floor": start + 2 * iv // 3}
            for w, path in outs.items():
                if w == "schedd" and not ok.get("schedd"):
                    continue
                recs = read_records(path)
                lat = []
                for tag, s, t in recs:
                    if s is None:           # APScheduler: the grid point at or before the start
                        k = (t - base[w]) // iv
                        s = base[w] + k * iv
                    if s < base[w] + count * iv:
                        lat.append((t - s) / NS)
                lat = lat[:count]
                if not lat:
                    r.error(keys, w, "no firing recorded")
                    continue
                r.add("lat_p50", w, pct(lat, 50))
                r.add("lat_p99", w, pct(lat, 99))
                r.add("lat_max", w, max(lat))
                r.add("lat_lost", w, count - len(lat))

        for k in range(reps):
            self.guard(keys, "schedd", one_rep)

    # -- 2. bursts --------------------------------------------------------------

    def bursts(self):
        r = self.r
        sizes = [1000, 10000]
        reps = {1000: 1 if self.quick else 3, 10000: 1 if self.quick else 2}
        for n in sizes:
            r.row(f"b{n}_rate", f"2. burst of {n:,}: runs started/s", "/s", True)
            r.row(f"b{n}_last", f"2. burst of {n:,}: last start's lateness", "s")
            r.row(f"b{n}_lost", f"2. burst of {n:,}: dropped or missed", "n")
        r.row("b10000_rate_unl", "2. burst of 10,000, schedd with max_concurrent_runs: 10000: runs started/s", "/s", True)
        r.row("b10000_last_unl", "2. burst of 10,000, max_concurrent_runs: 10000: last start's lateness", "s")

        def summarize(n, who, path, at, suffix=""):
            recs = read_records(path)
            if not recs:
                raise RuntimeError("no run started")
            last = max(t for _, _, t in recs)
            first = min(t for _, _, t in recs)
            r.add(f"b{n}_rate{suffix}", who, len(recs) / max((last - at) / NS, 1e-9))
            r.add(f"b{n}_last{suffix}", who, (last - at) / NS)
            if not suffix:
                r.add(f"b{n}_lost", who, n - len(recs))
            log(f"{who} burst {n}{suffix}: {len(recs)} started, first +{(first - at) / 1e6:.1f} ms, "
                f"last +{(last - at) / 1e6:.0f} ms")

        def schedd(n, config="", suffix=""):
            root = self.tmpdir(f"schedd-burst{n}")
            d = Schedd(self.build, root, config)
            out = str(root / "out")
            at = int((time.time() + 1.5 + n / 10000) * 10) * (NS // 10)
            ats = datetime.datetime.fromtimestamp(at // NS, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{at % NS // 100_000_000}Z"
            d.write_jobs([(f"b{i:05d}", [f"command: [{self.child}, {out}]", f"schedule: {{at: '{ats}'}}"])
                          for i in range(n)], per_file=4000)
            try:
                d.start()
                if time.time_ns() > at:
                    raise RuntimeError(f"ready {d.startup:.1f} s after start, past the burst instant")
                sleep_until_ns(at)
                wait_records(out, n, time.monotonic() + 120, quiet=2)
                states = d.db_states()
            finally:
                d.stop()
            summarize(n, "schedd", out, at, suffix)
            if not suffix:
                log(f"schedd burst {n}: run states in the database {states}")
                self.burst_states[n] = states

        def aps(n):
            root = self.tmpdir(f"aps-burst{n}")
            out = str(root / "out")
            at = int((time.time() + 1.5 + n / 4000) * 10) * (NS // 10)
            p = popen([PY, str(HERE / "aps.py"), "burst", self.child, out, str(at), str(n)],
                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            try:
                if not p.stdout.readline().startswith("ready"):
                    raise RuntimeError("aps.py: no ready line")
                if time.time_ns() > at:
                    raise RuntimeError("set-up past the burst instant")
                sleep_until_ns(at)
                wait_records(out, n, time.monotonic() + 120, quiet=2)
            finally:
                kill(p)
            summarize(n, "APScheduler", out, at)

        def floor(n):
            root = self.tmpdir(f"floor-burst{n}")
            out = str(root / "out")
            at = int((time.time() + 0.5) * 10) * (NS // 10)
            p = popen([self.floor, "burst", self.child, out, str(at), str(n), "64"])
            try:
                p.wait(120)
            finally:
                kill(p)
            summarize(n, "floor", out, at)

        self.burst_states = {}
        for n in sizes:
            for _ in range(reps[n]):
                keys = [f"b{n}_rate", f"b{n}_last", f"b{n}_lost"]
                self.guard(keys, "floor", floor, n)
                self.guard(keys, "schedd", schedd, n)
                self.guard(keys, "APScheduler", aps, n)
        for _ in range(0 if self.quick else reps[10000]):
            self.guard(["b10000_rate_unl", "b10000_last_unl"], "schedd", schedd, 10000,
                       "max_concurrent_runs: 10000\n", "_unl")
        for k in ("b10000_rate_unl", "b10000_last_unl"):
            if self.quick:
                r.set(k, "schedd", "n/a: not in bench-quick")
            for w in ("APScheduler", "cron"):
                r.set(k, w, "-")
        self.r.notes.append(
            "Scenario 2: one `at:` job per firing (schedd, default max_concurrent_runs: 64 unless said), "
            "one DateTrigger job each (APScheduler, default misfire_grace_time 1 s, thread pool of 10), "
            "one crontab line each (cron), the floor keeps at most 64 children alive. Runs started/s is the "
            "number started divided by the time from the instant to the last start.")

    # -- 3. idle, and cron's timed scenarios --------------------------------------

    def idle_and_cron(self):
        r = self.r
        n = 10000
        window = 10 if self.quick else 30
        r.row("idle_wake", f"3. idle, {n:,} jobs none due, {window} s: wake-ups (voluntary switches)", "n")
        r.row("idle_ctx", f"3. idle: all context switches (voluntary + involuntary)", "n")
        keys = ["idle_wake", "idle_ctx"]
        procs = {}
        d = None
        c = None
        try:
            def st_schedd():
                nonlocal d
                d = Schedd(self.build, self.tmpdir("schedd-idle"))
                self.schedd_jobs_idle(d, n)
                d.start()
                procs["schedd"] = d.pids
            self.guard(keys, "schedd", st_schedd)

            def st_aps():
                p = popen([PY, str(HERE / "aps.py"), "idle", str(n)], stdout=subprocess.PIPE, text=True)
                if not p.stdout.readline().startswith("ready"):
                    raise RuntimeError("aps.py: no ready line")
                procs["APScheduler"] = lambda: [p.pid] if p.poll() is None else []
            self.guard(keys, "APScheduler", st_aps)

            def st_floor():
                p = popen([self.floor, "idle", str(n)], stdout=subprocess.PIPE, text=True)
                p.stdout.readline()
                procs["floor"] = lambda: [p.pid] if p.poll() is None else []
            self.guard(keys, "floor", st_floor)

            def st_cron():
                nonlocal c
                c = Cron().start(self.cron_idle_lines(n))
                procs["cron"] = c.pids
            self.guard(keys, "cron", st_cron)

            time.sleep(2)
            before = {w: ctx(f()) for w, f in procs.items()}
            pids_before = {w: sorted(f()) for w, f in procs.items()}
            t0 = time.time()
            time.sleep(window)
            t1 = time.time()
            for w, f in procs.items():
                if sorted(f()) != pids_before[w]:
                    r.error(keys, w, "a process came or went during the window")
                    continue
                v0, n0 = before[w]
                v1, n1 = ctx(f())
                r.add("idle_wake", w, v1 - v0)
                r.add("idle_ctx", w, (v1 - v0) + (n1 - n0))
            boundaries = int(t1 // 60) - int(t0 // 60)
            r.notes.append(f"Scenario 3: all four idle side by side over the same {window} s window, "
                           f"which held {boundaries} minute boundary(ies) (cron wakes once a minute); "
                           "schedd counts the daemon and its runner, APScheduler every thread.")
        finally:
            if d:
                d.stop()
            if c:
                c.stop()
            for w in ("APScheduler", "floor"):
                pass
            for p in STARTED:
                if p.args and p.args[0] in (PY, self.floor) and "idle" in p.args:
                    kill(p)

    def cron_timed(self):
        """Scenarios 1 and 2 for cron: a firing at one minute boundary, a
        burst of 1,000 at the next (and 10,000 at the one after, full run)."""
        r = self.r
        if self.quick:
            for k in ("lat_p50", "lat_p99", "lat_max", "lat_lost", "b1000_rate", "b1000_last", "b1000_lost",
                      "b10000_rate", "b10000_last", "b10000_lost"):
                r.set(k, "cron", "n/a: quick (minute boundaries)")
            return
        keys1 = ["lat_p50", "lat_max"]
        root = self.tmpdir("cron")
        out = {k: str(root / f"{k}.out") for k in ("single", "b1000", "b10000")}
        now = time.time()
        b1 = (int(now // 60) + (1 if now % 60 < 50 else 2)) * 60
        lines = []

        def at(t, cmd):
            tm = time.localtime(t)
            return f"{tm.tm_min} {tm.tm_hour} * * * root {cmd}"
        lines.append(at(b1, f"{self.child} {out['single']} single -"))
        lines += [at(b1 + 60, f"{self.child} {out['b1000']} b{i} -") for i in range(1000)]
        lines += [at(b1 + 120, f"{self.child} {out['b10000']} b{i} -") for i in range(10000)]
        c = Cron()
        try:
            c.start(lines)
            log(f"cron: waiting for {time.strftime('%H:%M', time.localtime(b1))} and the two minutes after")
            sleep_until_ns((b1 + 5) * NS)
            recs = read_records(out["single"])
            if recs:
                lat = (recs[0][2] - b1 * NS) / NS
                for k in ("lat_p50", "lat_p99", "lat_max"):
                    r.add(k, "cron", lat)
                r.add("lat_lost", "cron", 0)
            else:
                r.error(keys1, "cron", "no firing")
            for n, t in ((1000, b1 + 60), (10000, b1 + 120)):
                sleep_until_ns((t + 1) * NS)
                wait_records(out[f"b{n}"], n, time.monotonic() + 55, quiet=5)
                recs = read_records(out[f"b{n}"])
                if not recs:
                    r.error([f"b{n}_rate", f"b{n}_last", f"b{n}_lost"], "cron", "no run started")
                    continue
                last = max(x[2] for x in recs)
                r.add(f"b{n}_rate", "cron", len(recs) / ((last - t * NS) / NS))
                r.add(f"b{n}_last", "cron", (last - t * NS) / NS)
                r.add(f"b{n}_lost", "cron", n - len(recs))
                log(f"cron burst {n}: {len(recs)} started, last +{(last - t * NS) / 1e6:.0f} ms")
        finally:
            c.stop()
        r.notes.append("cron: one firing at a minute boundary (scenario 1: p50 = p99 = max of that one "
                       "firing), one burst of 1,000 and one of 10,000 crontab lines at the next two; "
                       "one repetition each.")

    # -- the table ------------------------------------------------------------------

    def evaluate(self):
        r = self.r
        m = lambda k: r.median(k, "schedd")      # noqa: E731
        fl = lambda k: r.median(k, "floor")      # noqa: E731
        t = []

        def add(text, key, ok, detail):
            c = r.cells.get((key, "schedd"))
            if isinstance(c, str):          # an error is a miss, and says why
                t.append((text, False, c))
            else:
                t.append((text, None if m(key) is None else ok, detail))
        v = m("lat_p50")
        add("lateness p50 <= 1 ms", "lat_p50", v is not None and v <= 1e-3, fmt_num(v, "ms") if v else "")
        v = m("lat_p99")
        add("lateness p99 <= 2 ms", "lat_p99", v is not None and v <= 2e-3, fmt_num(v, "ms") if v else "")
        for n in (1000, 10000):
            v, f, lost = m(f"b{n}_rate"), fl(f"b{n}_rate"), m(f"b{n}_lost")
            ok = v is not None and f and v >= 0.9 * f and lost == 0
            add(f"burst of {n:,} drained at >= 90% of the floor's rate, none dropped", f"b{n}_rate", ok,
                f"{v / f:.2f}x of the floor, {lost:.0f} dropped" if v and f and lost is not None else "")
        v = m("idle_wake")
        add("zero idle wake-ups", "idle_wake", v == 0, f"{v:.0f} in the window" if v is not None else "")
        for n in (0, 10000, 100000):
            v = m(f"rss{n}")
            lim = 3 * 1024 + 0.3 * n
            add(f"RSS < 3 MiB + 0.3 KiB/job at {n:,} jobs ({lim / 1024:.1f} MiB)", f"rss{n}",
                v is not None and v < lim, fmt_num(v, "MiB") if v is not None else "")
        v = m("start10000")
        add("start-up with 10,000 jobs < 0.15 s", "start10000", v is not None and v < 0.15,
            fmt_num(v, "s") if v else "")
        for k, z in (("next_utc", "UTC"), ("next_berlin", "Europe/Berlin")):
            v = m(k)
            add(f">= 1,000,000 next-firing computations/s ({z})", k, v is not None and v >= 1e6,
                fmt_num(v, "/s") if v else "")
        v = m("list100k")
        add("`schedctl list` at 100,000 jobs < 300 ms", "list100k", v is not None and v < 0.3,
            fmt_num(v, "s") if v else "")
        v = m("status")
        add(">= 5,000 status calls/s", "status", v is not None and v >= 5000, fmt_num(v, "/s") if v else "")
        return t

    def table(self):
        r = self.r
        lines = []
        cpu = "unknown"
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = proc_status("self", "VmRSS")
        total = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
        lines.append(f"# schedd benchmark ({'make bench-quick' if self.quick else 'make bench'})")
        lines.append("")
        lines.append(f"- machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu}, "
                     f"{total // 1024:,} MiB RAM")
        lines.append(f"- kernel: {platform.system()} {platform.release()} {platform.machine()}")
        lines.append(f"- load average at the start and the end: {self.load0} / {open('/proc/loadavg').read().split()[:3]}"
                     " (other work on the machine shows here and in every figure)")
        lines.append(f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}")
        try:
            aps_v = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "python3-apscheduler"],
                                   capture_output=True, text=True).stdout
            cron_v = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "cron"],
                                    capture_output=True, text=True).stdout
            rev = subprocess.run(["git", "-C", str(HERE), "describe", "--always", "--dirty"],
                                 capture_output=True, text=True).stdout.strip()
        except OSError:
            aps_v = cron_v = rev = "?"
        lines.append(f"- schedd {rev}; APScheduler {aps_v or 'missing'} (Python {platform.python_version()}); "
                     f"cron {cron_v or 'missing'}; figures are medians of the repetitions, (min-max) beside")
        lines.append("")
        lines.append("| figure | schedd | APScheduler | cron | floor | schedd/floor | schedd/APScheduler |")
        lines.append("|---|---|---|---|---|---|---|")
        for key, label, unit, hb in r.rows:
            cells = [cell(r, key, unit, w) for w in CONTENDERS]
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {ratio(r, key, 'schedd', 'floor')} | "
                         f"{ratio(r, key, 'schedd', 'APScheduler')} |")
        lines.append("")
        lines.append("Targets (issues 3 and 7), schedd:")
        lines.append("")
        for text, ok, detail in self.evaluate():
            verdict = "not measured" if ok is None else ("met" if ok else "**missed**")
            lines.append(f"- {text}: {verdict}" + (f" ({detail})" if detail else ""))
        if self.burst_states_text():
            lines.append("")
            lines.append(self.burst_states_text())
        lines.append("")
        lines.append("Notes:")
        lines.append("")
        for n in r.notes:
            lines.append(f"- {n}")
        if getattr(self, "component_text", None):
            lines.append("")
            lines.append("## Components (bench-store, bench-runner)")
            lines.append("")
            lines.append(self.component_text)
        return "\n".join(lines) + "\n"

    def burst_states_text(self):
        s = getattr(self, "burst_states", {})
        if not s:
            return ""
        return "schedd's run states after each burst (state database): " + "; ".join(
            f"{n:,}: " + ", ".join(f"{k} {v}" for k, v in sorted(st.items())) for n, st in sorted(s.items()))

    def components(self):
        """The component benchmarks that were there before the suite, their
        output kept as they print it: the state store and the runner."""
        b = self.build / "bench"
        cmds = [[str(b / "bench-store")]]
        secs = "1" if self.quick else "2"
        cmds += [[str(b / "bench-runner"), str(self.build / "schedd-runner"), "/bin/true", secs, k]
                 for k in ("2", "16")]
        out = []
        for c in cmds:
            try:
                p = subprocess.run(c, capture_output=True, text=True, timeout=120)
                text = (p.stdout.strip() or p.stderr.strip()) or f"exit {p.returncode}"
            except Exception as e:
                text = f"error: {os.path.basename(c[0])}: {e}"
            out.append(text)
        self.component_text = "\n\n".join(out)

    def run(self):
        t0 = time.monotonic()
        steps = [("6. next firings", self.next_firing),
                 ("4/5/7. memory, start-up, control", self.memory_startup_control),
                 ("3. idle", self.idle_and_cron),
                 ("1. one firing at a time", self.periodic),
                 ("2. bursts", self.bursts),
                 ("cron: minute boundaries", self.cron_timed),
                 ("components", self.components)]
        for name, fn in steps:
            log(f"{name} ({time.monotonic() - t0:.0f} s so far)")
            try:
                fn()
            except Exception as e:
                traceback.print_exc()
                log(f"{name}: {e}")
        log(f"done in {time.monotonic() - t0:.0f} s")
        self.r.notes.append(f"The suite took {time.monotonic() - t0:.0f} s.")


def cleanup(suite):
    for p in STARTED:
        try:
            kill(p)
        except Exception:
            pass
    for f in CRON_FILES:
        try:
            f.unlink()
        except FileNotFoundError:
            pass
    if suite:
        for pid in pids_of_exe(suite.build / "schedd-runner"):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(suite.tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--build", default="build")
    ap.add_argument("--out", default=str(HERE / "results" / "latest.md"))
    ap.add_argument("--only", help="comma-separated step numbers, for development")
    a = ap.parse_args()
    suite = None
    try:
        suite = Suite(a)
        if a.only:
            only = a.only.split(",")
            keep = {"6": suite.next_firing, "4": suite.memory_startup_control, "3": suite.idle_and_cron,
                    "1": suite.periodic, "2": suite.bursts, "c": suite.cron_timed,
                    "x": suite.components}
            t0 = time.monotonic()
            for k in only:
                keep[k]()
            suite.r.notes.append(f"Partial run ({a.only}), {time.monotonic() - t0:.0f} s.")
        else:
            suite.run()
        text = suite.table()
        print(text)
        pathlib.Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(a.out).write_text(text)
    except Exception:
        traceback.print_exc()
    finally:
        cleanup(suite)
    return 0


if __name__ == "__main__":
    sys.exit(main())
