"""APScheduler 3.9 (Debian's python3-apscheduler) driven the way issue 7
asks: a BackgroundScheduler with its default thread pool, every job
starting bench/child with subprocess. One mode per scenario; the harness
(bench/suite.py) reads the child's records and /proc, not this output.

  aps.py periodic CHILD OUT START_NS INTERVAL_NS COUNT
  aps.py burst CHILD OUT AT_NS COUNT
  aps.py idle NJOBS           (prints "ready", then sleeps)
  aps.py nextrate ZONE        (prints next-fire computations per second)
"""
import datetime
import subprocess
import sys
import time

T0 = time.monotonic()

from apscheduler.schedulers.background import BackgroundScheduler  # noqa: E402
from apscheduler.triggers.cron import CronTrigger  # noqa: E402
from apscheduler.triggers.date import DateTrigger  # noqa: E402
from apscheduler.triggers.interval import IntervalTrigger  # noqa: E402

UTC = datetime.timezone.utc


def dt(ns):
    return datetime.datetime.fromtimestamp(ns / 1e9, UTC)


def run_child(child, out, tag):
    subprocess.run([child, out, tag, "-"], check=False)


def main():
    mode = sys.argv[1]
    sched = BackgroundScheduler(timezone=UTC)
    if mode == "periodic":
        child, out, start, iv, count = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
        trig = IntervalTrigger(seconds=iv / 1e9, start_date=dt(start),
                               end_date=dt(start + (count - 1) * iv + iv // 2), timezone=UTC)
        sched.add_job(run_child, trig, args=(child, out, "aps"))
        sched.start()
        time.sleep(max(0, (start + count * iv) / 1e9 - time.time()) + 1)
    elif mode == "burst":
        child, out, at, count = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
        for i in range(count):
            sched.add_job(run_child, DateTrigger(run_date=dt(at), timezone=UTC),
                          args=(child, out, f"b{i}"), id=f"b{i}")
        sched.start()
        print("ready", flush=True)
        time.sleep(3600)        # the harness kills us once the records stop growing
    elif mode == "idle":
        n = int(sys.argv[2])
        # None due within the hour: a second, minute and hour an hour or more ahead.
        base = datetime.datetime.now(UTC) + datetime.timedelta(hours=1)
        for i in range(n):
            t = base + datetime.timedelta(seconds=i * 7 % 79200)
            sched.add_job(run_child, CronTrigger(second=t.second, minute=t.minute, hour=t.hour, timezone=UTC),
                          args=("/bin/true", "/dev/null", "x"), id=f"j{i}")
        sched.start()
        print(f"ready {time.monotonic() - T0:.6f}", flush=True)
        time.sleep(3600)
    elif mode == "nextrate":
        import zoneinfo
        zone = UTC if sys.argv[2] == "UTC" else zoneinfo.ZoneInfo(sys.argv[2])
        exprs = ["*/5 * * * *", "30 2 * * mon-fri", "0 9-17 * * 1-5", "15 10 1 * *", "0 0 * * 0", "0 */2 * * *"]
        # APScheduler's crontab form numbers weekdays like cron (0 = Sunday).
        trigs = [CronTrigger.from_crontab(e, timezone=zone) for e in exprs]
        start = datetime.datetime(2026, 1, 1, tzinfo=zone)
        t = [start] * len(trigs)
        n = 0
        t0 = time.monotonic()
        while time.monotonic() - t0 < 1.0:
            for i, tr in enumerate(trigs):
                nxt = tr.get_next_fire_time(None, t[i])
                t[i] = nxt + datetime.timedelta(microseconds=1)
                n += 1
        print(f"{n / (time.monotonic() - t0):.1f}")
    else:
        sys.exit(f"aps.py: unknown mode {mode}")


if __name__ == "__main__":
    main()
