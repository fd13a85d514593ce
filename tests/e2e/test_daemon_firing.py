"""Firing accuracy of a real schedd (SPEC section 3): every trigger form fires
on its schedule, on time, once per firing."""
import datetime
import time

from daemon import USEC, soon

LATE = 0.5 * USEC      # a firing starts within this of its scheduled time


def scheduled_steps(rows):
    s = [r["scheduled"] for r in rows]
    return [b - a for a, b in zip(s, s[1:])]


def assert_on_time(rows):
    for r in rows:
        assert r["state"] == "succeeded", r
        assert r["reason"] == "schedule", r
        assert 0 <= r["start_time"] - r["scheduled"] < LATE, r


def test_each_trigger_form_fires_on_its_schedule(daemon):
    daemon.write_job("forms.yaml", """
jobs:
  cron-seconds:
    command: "true"
    schedule: {cron: "*/1 * * * * *"}
  cron-fields:
    command: "true"
    schedule:
      cron: {second: "*/2"}
  every-1s:
    command: ["true"]
    schedule: {interval: 1s}
  every-2s:
    command: ["true"]
    schedule: {interval: {seconds: 2}}
""")
    loaded = time.time() * USEC
    daemon.start()
    daemon.wait_runs("every-2s", 3, "succeeded", timeout=15)
    for job in ("cron-seconds", "cron-fields", "every-1s"):
        daemon.wait_runs(job, 3, "succeeded")

    cron = daemon.runs("cron-seconds", "succeeded")
    assert all(r["scheduled"] % USEC == 0 for r in cron)
    assert scheduled_steps(cron) == [USEC] * (len(cron) - 1)
    assert_on_time(cron)

    fields = daemon.runs("cron-fields", "succeeded")
    assert all(r["scheduled"] % (2 * USEC) == 0 for r in fields)
    assert scheduled_steps(fields) == [2 * USEC] * (len(fields) - 1)
    assert_on_time(fields)

    # Intervals count from the moment the job was first loaded.
    for job, step in (("every-1s", USEC), ("every-2s", 2 * USEC)):
        rows = daemon.runs(job, "succeeded")
        assert scheduled_steps(rows) == [step] * (len(rows) - 1), job
        assert loaded + step - 0.1 * USEC < rows[0]["scheduled"] < loaded + step + 1.5 * USEC, job
        assert_on_time(rows)

    # Nothing fired twice, nothing was skipped or missed.
    assert all(r["state"] in ("succeeded", "running", "queued") for r in daemon.runs())


def test_at_fires_once_and_never_again_after_a_restart(daemon, tmp_path):
    at = soon()
    stamp = datetime.datetime.fromtimestamp(at, datetime.timezone.utc).isoformat()
    out = tmp_path / "at.out"
    daemon.write_job("at.yaml", f"""
jobs:
  once:
    command: "echo $SCHEDD_SCHEDULED_TIME >> {out}"
    schedule: {{at: "{stamp}"}}
  once-unix:
    command: "true"
    schedule: {{at: {at}}}
""")
    daemon.start()
    rows = daemon.wait_runs("once", 1, "succeeded")
    unix = daemon.wait_runs("once-unix", 1, "succeeded")
    assert rows[0]["scheduled"] == at * USEC == unix[0]["scheduled"]
    assert_on_time(rows + unix)
    assert out.read_text() == stamp + "\n"

    time.sleep(1)
    with daemon.db() as c:
        assert c.execute("SELECT finished FROM jobs WHERE id = 'once'").fetchone() == (1,)
    assert daemon.stop() == 0
    daemon.start()
    time.sleep(1.5)
    assert len(daemon.runs("once")) == 1
    assert len(daemon.runs("once-unix")) == 1
    assert out.read_text() == stamp + "\n"



def test_a_finished_at_job_given_a_cron_while_the_daemon_is_down_fires_again(daemon):
    daemon.write_job("at.yaml", f"""
jobs:
  once:
    command: "true"
    schedule: {{at: {soon()}}}
""")
    daemon.start()
    daemon.wait_runs("once", 1, "succeeded", timeout=5)
    time.sleep(0.3)
    assert daemon.stop() == 0
    daemon.write_job("at.yaml", """
jobs:
  once:
    command: "true"
    schedule: {cron: "*/1 * * * * *"}
""")
    daemon.start()
    rows = daemon.wait_runs("once", 2, "succeeded", timeout=5)
    assert rows[1]["scheduled"] > rows[0]["scheduled"]
