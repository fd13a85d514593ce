"""retry with backoff, and on_failure after the final failure (SPEC section 2)."""
import time

from daemon import USEC, soon


def env_file(path):
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def test_retry_with_backoff_then_on_failure(daemon, tmp_path):
    attempts = tmp_path / "attempts"
    failure = tmp_path / "failure.env"
    healed = tmp_path / "healed"
    at = soon()
    daemon.write_job("r.yaml", f"""
jobs:
  flaky:
    command: "echo $SCHEDD_RUN_ID >> {attempts}; echo boom; exit 3"
    schedule: {{at: {at}}}
    retry: {{attempts: 2, delay: 1s, backoff: 2}}
    on_failure: "env > {failure}.tmp; mv {failure}.tmp {failure}"
  heals:
    command: "if [ -e {healed} ]; then exit 0; fi; touch {healed}; exit 1"
    schedule: {{at: {at}}}
    retry: {{attempts: 3, delay: 1s}}
    on_failure: "touch {tmp_path}/heals-on-failure"
""")
    daemon.start()
    rows = daemon.wait_runs("flaky", 3, "failed", timeout=15)
    assert [(r["reason"], r["attempt"]) for r in rows] == [("schedule", 0), ("retry", 1), ("retry", 2)]
    # One firing: every attempt carries its scheduled time.
    assert {r["scheduled"] for r in rows} == {at * USEC}
    assert all(r["exit_status"] == 3 for r in rows)
    # delay, then delay * backoff, counted from the end of the failed run.
    gaps = [b["start_time"] - a["end_time"] for a, b in zip(rows, rows[1:])]
    assert 0.9 * USEC < gaps[0] < 1.5 * USEC, gaps
    assert 1.9 * USEC < gaps[1] < 2.5 * USEC, gaps
    assert attempts.read_text().split() == [str(r["id"]) for r in rows]

    # on_failure runs once, after the last attempt, and is told about it.
    daemon.wait_for(failure.exists, 5, "the on_failure command")
    env = env_file(failure)
    assert env["SCHEDD_JOB_ID"] == "flaky"
    assert env["SCHEDD_FAILED_RUN_ID"] == str(rows[-1]["id"])
    assert env["SCHEDD_RUN_STATE"] == "failed"
    assert env["SCHEDD_EXIT_STATUS"] == "3"
    assert "exited with status 3" in env["SCHEDD_FAILURE"]
    assert "SCHEDD_TEST_SECRET" not in env
    assert failure.stat().st_mtime * USEC >= rows[-1]["end_time"] - 0.01 * USEC

    # A job that succeeds on its first retry: no more attempts, no on_failure.
    heals = daemon.runs("heals")
    assert [(r["state"], r["attempt"]) for r in heals] == [("failed", 0), ("succeeded", 1)]
    time.sleep(0.5)
    assert len(daemon.runs("flaky")) == 3
    assert not (tmp_path / "heals-on-failure").exists()


def test_on_failure_after_a_timeout_and_a_start_failure(daemon, tmp_path):
    at = soon()
    daemon.write_job("f.yaml", f"""
jobs:
  slow:
    command: sleep 30
    timeout: 1s
    schedule: {{at: {at}}}
    on_failure: "echo $SCHEDD_RUN_STATE > {tmp_path}/slow.state"
  cannot-start:
    command: ["/nonexistent/program"]
    schedule: {{at: {at}}}
    on_failure: ["sh", "-c", "echo \\"$SCHEDD_FAILURE\\" > {tmp_path}/start.failure"]
""")
    daemon.start()
    daemon.wait_for(lambda: (tmp_path / "slow.state").exists(), 8, "on_failure of slow")
    daemon.wait_for(lambda: (tmp_path / "start.failure").exists(), 5, "on_failure of cannot-start")
    assert (tmp_path / "slow.state").read_text() == "timed-out\n"
    assert (tmp_path / "start.failure").read_text() == \
        "failed to execute '/nonexistent/program': No such file or directory\n"


def test_a_waiting_retry_survives_a_restart(daemon, tmp_path):
    """A retry waiting out its delay is in the state database: a restarted
    daemon fires it when it was due, and one that fell due while schedd was
    down at once; each exactly once."""
    at = soon()
    daemon.write_job("r.yaml", f"""
jobs:
  later:
    command: "exit 1"
    schedule: {{at: {at}}}
    retry: {{attempts: 1, delay: 4s}}
  overdue:
    command: "exit 1"
    schedule: {{at: {at}}}
    retry: {{attempts: 1, delay: 2s}}
""")
    daemon.start()
    first_later = daemon.wait_runs("later", 1, "failed", timeout=10)[0]
    first_overdue = daemon.wait_runs("overdue", 1, "failed", timeout=10)[0]
    assert daemon.stop() == 0
    # Down past overdue's retry, not past later's.
    time.sleep(max(0, first_overdue["end_time"] / USEC + 2.5 - time.time()))
    started = time.time()
    daemon.start()

    rows = daemon.wait_runs("overdue", 2, "failed", timeout=10)
    assert [(r["reason"], r["attempt"]) for r in rows] == [("schedule", 0), ("retry", 1)]
    assert rows[1]["start_time"] - started * USEC < 1.5 * USEC, "the overdue retry fires at once"

    rows = daemon.wait_for(lambda: [r for r in daemon.runs("later") if r["start_time"]][1:] and daemon.runs("later"),
                           10, "the retry of later to start")
    assert [(r["reason"], r["attempt"]) for r in rows] == [("schedule", 0), ("retry", 1)]
    gap = rows[1]["start_time"] - first_later["end_time"]
    assert 3.8 * USEC < gap < 5 * USEC, f"the retry keeps its 4 s delay across the restart ({gap / USEC:.2f} s)"
    time.sleep(1)
    assert len(daemon.runs("later")) == 2 and len(daemon.runs("overdue")) == 2
    assert daemon.db().execute("SELECT count(*) FROM retries").fetchone()[0] == 0


def test_retries_of_two_manual_runs_both_survive_a_restart(daemon, schedctl):
    """Two manual runs of one job that fail at the same attempt wait out
    their retries side by side, with no firing time to tell them apart:
    the first retry to fire takes only its own with it, and a restart
    keeps the other."""
    daemon.write_job("m.yaml", """
jobs:
  manual:
    command: "exit 1"
    schedule: {at: "2099-01-01T00:00:00Z"}
    max_instances: 2
    retry: {attempts: 1, delay: 3s}
""")
    daemon.start()
    assert schedctl("--socket", daemon.socket, "run", "manual").returncode == 0
    daemon.wait_runs("manual", 1, "failed", timeout=10)
    time.sleep(1.5)
    assert schedctl("--socket", daemon.socket, "run", "manual").returncode == 0
    daemon.wait_runs("manual", 2, "failed", timeout=10)
    # The first retry fires; the second still waits when schedd stops.
    daemon.wait_for(lambda: [r for r in daemon.runs("manual") if r["reason"] == "retry"], 5, "the first retry")
    assert daemon.stop() == 0
    with daemon.db() as c:
        assert c.execute("SELECT count(*) FROM retries WHERE job_id = 'manual'").fetchone()[0] == 1
    daemon.start()
    rows = daemon.wait_runs("manual", 4, "failed", timeout=10)
    assert sorted((r["reason"], r["attempt"]) for r in rows) == [("manual", 0)] * 2 + [("retry", 1)] * 2
    time.sleep(0.5)
    assert len(daemon.runs("manual")) == 4
    assert daemon.db().execute("SELECT count(*) FROM retries").fetchone()[0] == 0
