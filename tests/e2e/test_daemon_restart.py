"""Persistence and restarts (SPEC section 5, DESIGN.md 1): firings missed while
the daemon was down, kill -9 of the daemon or of the runner, and SIGTERM
under each shutdown_runs."""
import os
import random
import signal
import time

from daemon import FINAL, USEC, Daemon, pid_alive, soon


def sleep_until(t):
    time.sleep(max(0, t - time.time()))


def test_misfire_grace_and_coalesce_across_a_restart(daemon):
    daemon.write_job("m.yaml", """
jobs:
  coalesced:
    command: "true"
    schedule: {cron: "*/1 * * * * *"}
  each:
    command: "true"
    schedule: {cron: "*/1 * * * * *"}
    coalesce: false
    max_instances: 10
  short-grace:
    command: "true"
    schedule: {cron: "*/2 * * * * *"}
    misfire_grace: 1s
  newest-in-grace:
    command: "true"
    schedule: {cron: "*/1 * * * * *"}
    misfire_grace: 2s
""")
    daemon.start()
    # Stop right after an even second T has fired for every job.
    first = daemon.wait_runs("short-grace", 1, "succeeded", timeout=5)[0]["scheduled"]
    t = first // USEC
    for job in ("coalesced", "each", "newest-in-grace"):
        daemon.wait_for(lambda: [r for r in daemon.runs(job, "succeeded") if r["scheduled"] == first], 3,
                        f"{job} at T")
    assert daemon.stop() == 0
    assert time.time() < t + 1, "stopped before T+1"
    # Down over T+1 .. T+5; back at T+5.4, before T+6.
    sleep_until(t + 5.4)
    daemon.start()
    daemon.wait_for(lambda: [r for r in daemon.runs("coalesced", "succeeded") if r["scheduled"] > (t + 5) * USEC],
                    5, "the first firing after the restart")

    def after_t(job):
        return [r for r in daemon.runs(job) if r["scheduled"] > first]

    def at(k):
        return (t + k) * USEC

    # coalesce (the default), misfire_grace 1m: T+1..T+5 run once, as the
    # newest (T+5); the others are one missed row with their count.
    rows = after_t("coalesced")
    assert [(r["reason"], r["state"], r["scheduled"], r["count"]) for r in rows[:2]] == [
        ("schedule", "missed", at(4), 4),
        ("catch-up", "succeeded", at(5), 1),
    ]
    assert all(r["reason"] == "schedule" and r["scheduled"] >= at(6) for r in rows[2:])

    # coalesce: false runs each of them.
    rows = after_t("each")
    catchup = [r for r in rows if r["reason"] == "catch-up"]
    assert [r["scheduled"] for r in catchup] == [at(k) for k in range(1, 6)]
    assert all(r["state"] == "succeeded" for r in catchup)
    assert not [r for r in rows if r["state"] == "missed"]

    # misfire_grace shorter than the downtime: T+2 and T+4 are missed.
    rows = after_t("short-grace")
    assert (rows[0]["state"], rows[0]["scheduled"], rows[0]["count"]) == ("missed", at(4), 2)
    assert not [r for r in rows if r["reason"] == "catch-up"]

    # The newest (T+5) is within its 2 s grace and runs; T+4 is coalesced.
    rows = after_t("newest-in-grace")
    assert [(r["reason"], r["state"], r["scheduled"], r["count"]) for r in rows[:2]] == [
        ("schedule", "missed", at(4), 4),
        ("catch-up", "succeeded", at(5), 1),
    ]
    daemon.wait_log("Missed 4 firing(s) of 'coalesced'")


def test_kill9_of_the_daemon_during_a_run(daemon, tmp_path):
    out = tmp_path / "side-effects"
    daemon.write_job("k.yaml", f"""
jobs:
  slow:
    command: "echo start $SCHEDD_SCHEDULED_TIME >> {out}; sleep 2; echo done-$SCHEDD_RUN_ID"
    schedule: {{cron: "*/1 * * * * *"}}
""")
    daemon.start()
    running = daemon.wait_runs("slow", 1, "running")[0]
    runner = daemon.runner_pid()
    daemon.kill9()
    daemon.start()
    assert "Found a runner" in daemon.logtext()
    assert daemon.runner_pid() == runner and pid_alive(runner), "the runner survived"
    row = daemon.wait_for(lambda: [r for r in daemon.runs("slow") if r["id"] == running["id"] and
                                   r["state"] in FINAL], 5, "the run to be collected")[0]
    assert row["state"] == "succeeded"
    assert row["output"] == f"done-{row['id']}\n".encode()
    assert row["start_time"] == running["start_time"]
    daemon.wait_runs("slow", 2, "succeeded", timeout=8)
    daemon.stop()

    rows = daemon.runs("slow")
    assert not [r for r in rows if r["state"] == "interrupted"]
    started = [r for r in rows if r["state"] in ("succeeded", "running")]
    lines = out.read_text().splitlines()
    assert len(lines) == len(set(lines)) == len(started), (lines, started)


def test_repeated_kill9_never_runs_a_firing_twice_nor_loses_one(daemon, tmp_path):
    out = tmp_path / "side-effects"
    daemon.write_job("k.yaml", f"""
jobs:
  tick:
    command: "echo $SCHEDD_SCHEDULED_TIME >> {out}"
    schedule: {{cron: "*/1 * * * * *"}}
    max_instances: 10
    coalesce: false
  slow:
    command: "echo $SCHEDD_SCHEDULED_TIME >> {out}.slow; sleep 0.7"
    schedule: {{cron: "*/1 * * * * *"}}
    max_instances: 10
    coalesce: false
""")
    rnd = random.Random(7)
    daemon.start()
    for _ in range(5):
        time.sleep(rnd.uniform(0.3, 1.1))
        daemon.kill9()
        daemon.start()
    time.sleep(1.2)
    daemon.stop()
    daemon.start()
    daemon.wait_for(lambda: not daemon.runs(state="running") and not daemon.runs(state="queued"), 5,
                    "every run to end")
    daemon.stop()

    # (A runner left with no run and nothing to report exits at once, so
    # a later daemon may have started another: its runs were all done.)
    for job, path in (("tick", out), ("slow", tmp_path / "side-effects.slow")):
        rows = daemon.runs(job)
        assert {r["state"] for r in rows} == {"succeeded"}, rows
        lines = path.read_text().splitlines()
        assert len(lines) == len(set(lines)), "a firing ran twice"
        assert len(lines) == len(rows)
        sched = sorted(r["scheduled"] for r in rows)
        # Consecutive seconds: nothing lost across the restarts.
        assert sched == list(range(sched[0], sched[-1] + 1, USEC)), job


def test_kill9_of_the_runner_interrupts_its_runs(daemon, tmp_path):
    daemon.write_job("r.yaml", f"""
jobs:
  long:
    command: "echo $$ > {tmp_path}/long.pid; exec sleep 30"
    schedule: {{cron: "*/1 * * * * *"}}
  tick:
    command: "true"
    schedule: {{cron: "*/1 * * * * *"}}
""")
    daemon.start()
    running = daemon.wait_runs("long", 1, "running")[0]
    old = daemon.runner_pid()
    os.kill(old, signal.SIGKILL)
    row = daemon.wait_for(lambda: [r for r in daemon.runs("long", "interrupted") if r["id"] == running["id"]],
                          3, "the run to be interrupted")[0]
    assert row["end_time"] is not None
    assert "runner" in row["cause"]
    daemon.wait_log("Lost the connection to the runner")
    daemon.wait_for(lambda: daemon.runner_pid() != old, 5, "a new runner")
    new = daemon.runner_pid()
    assert pid_alive(new)
    # Later firings run again under the new runner.
    later = time.time() * USEC
    daemon.wait_for(lambda: [r for r in daemon.runs("tick", "succeeded") if r["start_time"] > later], 5,
                    "a firing after the new runner")
    daemon.wait_for(lambda: [r for r in daemon.runs("long", "running") if r["id"] > running["id"]], 5,
                    "a new run of long")


def test_a_run_orphaned_by_the_runner_is_stopped_and_still_counts(daemon, tmp_path):
    """A run whose runner died is interrupted and stopped like a timed-out
    one (SIGTERM to its group, SIGKILL after kill_grace); until its process
    has exited, it holds its place under max_instances."""
    daemon.write_job("o.yaml", f"""
jobs:
  stubborn:
    command: "echo $$ > {tmp_path}/stubborn.pid; trap '' TERM; sleep 30 & echo $! > {tmp_path}/child.pid; wait"
    schedule: {{cron: "*/1 * * * * *"}}
    kill_grace: 2s
""")
    daemon.start()
    running = daemon.wait_runs("stubborn", 1, "running")[0]
    daemon.wait_for(lambda: (tmp_path / "child.pid").exists() and (tmp_path / "child.pid").read_text().strip(),
                    3, "the run's child")
    leader, child = int((tmp_path / "stubborn.pid").read_text()), int((tmp_path / "child.pid").read_text())
    os.kill(daemon.runner_pid(), signal.SIGKILL)
    killed = time.time()
    row = daemon.wait_for(lambda: [r for r in daemon.runs("stubborn", "interrupted") if r["id"] == running["id"]],
                          3, "the run to be interrupted")[0]
    assert "schedd stopped it" in row["cause"]
    # It ignores SIGTERM: alive for kill_grace, and no new run meanwhile.
    time.sleep(1)
    assert pid_alive(leader) and pid_alive(child)
    assert not [r for r in daemon.runs("stubborn") if r["id"] > running["id"] and r["state"] == "running"]
    daemon.wait_for(lambda: not pid_alive(leader) and not pid_alive(child), 5, "SIGKILL of the whole group")
    assert time.time() - killed > 1.5
    daemon.wait_log("outlived kill_grace, sending SIGKILL")
    # Then the job runs again.
    daemon.wait_for(lambda: [r for r in daemon.runs("stubborn", "running") if r["id"] > running["id"]], 5,
                    "a new run once the old process is gone")
    new = [r for r in daemon.runs("stubborn") if r["id"] > running["id"] and r["start_time"]]
    assert min(r["start_time"] for r in new) > killed * USEC + 1.5 * USEC


def test_sigterm_with_shutdown_runs_keep(daemon, tmp_path):
    done = tmp_path / "done"
    daemon.write_job("s.yaml", f"""
jobs:
  finishing:
    command: "sleep 1.5; echo finished > {done}; echo bye"
    schedule: {{at: {soon()}}}
""")
    daemon.start()
    running = daemon.wait_runs("finishing", 1, "running", timeout=8)[0]
    t0 = time.monotonic()
    assert daemon.stop() == 0
    assert time.monotonic() - t0 < 2
    assert not done.exists(), "the daemon did not wait for the run"
    assert pid_alive(running["pid"]), "the run was not disturbed"
    assert daemon.runs("finishing")[0]["state"] == "running"
    # The job finishes on its own; the next daemon records how it ended.
    deadline = time.monotonic() + 5
    while not done.exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    daemon.start()
    row = daemon.wait_for(lambda: daemon.runs("finishing", "succeeded"), 5, "the run to be recorded")[0]
    assert row["id"] == running["id"]
    assert row["output"] == b"bye\n"
    assert row["end_time"] > row["start_time"] + 1.4 * USEC


def test_sigterm_with_shutdown_runs_stop(tmp_path):
    d = Daemon(tmp_path, config="shutdown_runs: stop\nshutdown_timeout: 1s\n")
    try:
        d.write_job("s.yaml", f"""
jobs:
  polite:
    command: sleep 30
    schedule: {{at: {soon()}}}
    on_failure: "touch {tmp_path}/on-failure"
  stubborn:
    command: "trap '' TERM; sleep 30"
    schedule: {{at: {soon()}}}
""")
        d.start()
        d.wait_runs("polite", 1, "running", timeout=8)
        d.wait_runs("stubborn", 1, "running", timeout=8)
        t0 = time.monotonic()
        assert d.stop() == 0
        took = time.monotonic() - t0
        assert took < 2.5, took
        # Every outcome is recorded before the daemon exits.
        polite, stubborn = d.runs("polite")[0], d.runs("stubborn")[0]
        assert polite["state"] == "failed" and polite["signal"] == signal.SIGTERM, polite
        assert stubborn["state"] == "failed" and stubborn["signal"] == signal.SIGKILL, stubborn
        assert "stopped by schedd" in polite["cause"]
        assert not pid_alive(polite["pid"]) and not pid_alive(stubborn["pid"])
        # No new runs after SIGTERM, on_failure included.
        time.sleep(0.5)
        assert not (tmp_path / "on-failure").exists()
        assert len(d.runs("polite")) == 1
    finally:
        d.cleanup()
