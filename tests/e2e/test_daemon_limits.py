"""Limits on runs: timeout and kill_grace, max_instances with each on_overlap,
max_concurrent_runs, and a job with a huge output."""
import signal
import time

import pytest

from daemon import USEC, Daemon, pid_alive, proc_status, soon


def spans_overlap(rows):
    """The largest number of the runs in @rows that ran at the same time."""
    events = sorted([(r["start_time"], 1) for r in rows] + [(r["end_time"], -1) for r in rows],
                    key=lambda e: (e[0], e[1]))
    most = now = 0
    for _, k in events:
        now += k
        most = max(most, now)
    return most


def test_timeout_kills_the_whole_process_group(daemon, tmp_path):
    pidfile = tmp_path / "grandchild.pid"
    daemon.write_job("t.yaml", f"""
jobs:
  slow:
    command: ["sh", "-c", "sleep 60 & echo $! > {pidfile}; sleep 60"]
    schedule: {{at: {soon()}}}
    timeout: 1s
""")
    daemon.start()
    r = daemon.wait_runs("slow", 1, "timed-out", timeout=10)[0]
    assert r["timed_out"] == 1
    assert r["signal"] == signal.SIGTERM
    assert 0.9 * USEC < r["end_time"] - r["start_time"] < 2 * USEC
    assert "after timeout 1s" in r["cause"]
    grandchild = int(pidfile.read_text())
    daemon.wait_for(lambda: not pid_alive(grandchild), 3, "the grandchild to die")


def test_kill_grace_then_sigkill(daemon, tmp_path):
    mark = tmp_path / "got-term"
    daemon.write_job("t.yaml", f"""
jobs:
  stubborn:
    command: "trap 'echo term >> {mark}' TERM; while :; do sleep 0.1; done"
    schedule: {{at: {soon()}}}
    timeout: 1s
    kill_grace: 1s
""")
    daemon.start()
    r = daemon.wait_runs("stubborn", 1, "timed-out", timeout=10)[0]
    assert r["signal"] == signal.SIGKILL
    assert mark.read_text().startswith("term\n"), "SIGTERM first"
    assert 1.8 * USEC < r["end_time"] - r["start_time"] < 3 * USEC


@pytest.fixture(scope="module")
def overlap(tmp_path_factory):
    """One daemon with a job per on_overlap policy, each firing every 1-2 s
    and running longer than that; ready once each policy has acted."""
    d = Daemon(tmp_path_factory.mktemp("overlap"))
    d.write_job("o.yaml", """
jobs:
  skip:
    command: sleep 2.3
    schedule: {interval: 1s}
    on_overlap: skip
  queue:
    command: sleep 2.2
    schedule: {interval: 1s}
    on_overlap: queue
  replace:
    command: sleep 30
    schedule: {interval: 2s}
    on_overlap: replace
    # A replaced run did not fail on its own: neither is for it.
    retry: {attempts: 2, delay: 1s}
    on_failure: "touch %s/replace-on-failure"
""" % d.root)
    try:
        d.start()
        d.wait_runs("skip", 1, "succeeded", timeout=10)
        d.wait_runs("skip", 2, "skipped", timeout=10)
        # The queue job's second firing was queued, then ran.
        d.wait_for(lambda: [r for r in d.runs("queue")[1:2] if r["state"] == "succeeded"], 10,
                   "the queued firing to run")
        d.wait_for(lambda: [r for r in d.runs("replace")[1:2] if r["start_time"]], 10,
                   "the replacing run to start")
        d.wait_for(lambda: [r for r in d.runs("replace")[0:1] if r["end_time"]], 10,
                   "the replaced run to end")
        yield d
    finally:
        d.cleanup()


def test_overlap_skip(overlap):
    rows = overlap.runs("skip")
    done = [r for r in rows if r["state"] == "succeeded"]
    skipped = [r for r in rows if r["state"] == "skipped"]
    assert len(skipped) >= 2
    assert spans_overlap(done) == 1
    # Every firing is accounted for exactly once, in order.
    sched = [r["scheduled"] for r in rows]
    assert all(r["state"] in ("succeeded", "skipped", "running") for r in rows)
    assert all(b - a == USEC for a, b in zip(sched, sched[1:]))


def test_overlap_queue(overlap):
    rows = overlap.runs("queue")
    first, q = rows[0], rows[1]
    assert first["state"] == "succeeded" and q["state"] == "succeeded"
    assert q["scheduled"] == first["scheduled"] + USEC
    # It waited for the first run to end, then started at once.
    assert first["end_time"] <= q["start_time"] < first["end_time"] + 0.5 * USEC
    # One firing queues; the next one while it waits is skipped.
    assert rows[2]["state"] == "skipped"
    assert len(overlap.runs("queue", "queued")) <= 1
    assert spans_overlap([r for r in rows if r["state"] == "succeeded"]) == 1


def test_overlap_replace(overlap):
    old, new = overlap.runs("replace")[:2]
    assert old["signal"] == signal.SIGTERM
    assert "stopped by schedd" in old["cause"]
    assert new["scheduled"] == old["scheduled"] + 2 * USEC
    assert new["start_time"] - new["scheduled"] < 0.5 * USEC, "the new run starts at once"
    assert old["end_time"] - new["scheduled"] < 0.5 * USEC, "the old run is stopped at once"
    assert new["state"] == "running" or new["end_time"] - new["start_time"] < 2.5 * USEC
    # Stopped to be replaced: no retry of it, no on_failure.
    time.sleep(1.5)     # past the retry delay
    assert all(r["attempt"] == 0 for r in overlap.runs("replace"))
    assert not (overlap.root / "replace-on-failure").exists()


def test_max_concurrent_runs(tmp_path):
    d = Daemon(tmp_path, config="max_concurrent_runs: 2\n")
    try:
        d.write_job("c.yaml", "jobs:\n" + "".join(f"""
  j{i}:
    command: sleep 1
    schedule: {{cron: "*/2 * * * * *"}}
""" for i in range(3)))
        d.start()
        d.wait_for(lambda: len([r for r in d.runs() if r["state"] == "succeeded"]) >= 3, 10, "three runs")
        rows = [r for r in d.runs() if r["state"] == "succeeded"]
        first = [r for r in rows if r["scheduled"] == rows[0]["scheduled"]]
        assert len(first) == 3
        assert spans_overlap(first) == 2
        late = sorted(r["start_time"] - r["scheduled"] for r in first)
        assert late[1] < 0.5 * USEC
        assert 0.9 * USEC < late[2] < 2 * USEC, "the third waits for a free slot"
    finally:
        d.cleanup()


def test_huge_output_keeps_memory_small_and_the_tail_bounded(tmp_path):
    d = Daemon(tmp_path, config="output_limit: 4KiB\n")
    try:
        d.write_job("big.yaml", """
jobs:
  big:
    command: "head -c 100000000 /dev/zero; echo END"
    output: discard
    schedule: {interval: 1s}
  big-journal:
    command: "head -c 5000000 /dev/zero | tr '\\\\0' x | fold -w 100; echo; echo END"
    schedule: {interval: 1s}
""")
        d.start()
        pids = {"schedd": d.proc.pid, "runner": d.runner_pid()}
        peak = {k: 0 for k in pids}
        deadline = time.monotonic() + 20
        while not (d.runs("big", "succeeded") and d.runs("big-journal", "succeeded")):
            assert time.monotonic() < deadline, d.logtext()[-2000:]
            for k, p in pids.items():
                peak[k] = max(peak[k], proc_status(p, "VmRSS") or 0)
            time.sleep(0.02)
        for k, p in pids.items():
            hwm = proc_status(p, "VmHWM")
            assert hwm is not None, f"{k} is gone"
            assert max(hwm, peak[k]) < 20 * 1024, f"{k}: {hwm} kB"
        big = d.runs("big", "succeeded")[0]
        assert big["output_bytes"] == 100_000_004
        assert len(big["output"]) == 4096
        assert big["output"].endswith(b"\0\0END\n")
        journal = d.runs("big-journal", "succeeded")[0]
        assert len(journal["output"]) == 4096
        assert journal["output"].endswith(b"x" * 100 + b"\nEND\n")
    finally:
        d.cleanup()
