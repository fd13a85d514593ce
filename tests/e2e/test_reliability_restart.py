"""Jobs survive restarts (SPEC section 5, shutdown_runs: keep): a daemon
restart in the middle of a 10-second job neither kills nor disturbs it,
and the next daemon records how it ended, with its output."""
import os
import time

import reliability as rel

LONG = """\
jobs:
  long:
    command: 'echo before; sleep 10; echo after; exit 3'
    schedule:
      cron: "0 0 1 1 *"
"""


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_restart_in_the_middle_of_a_long_job(daemon):
    daemon.config.write_text("shutdown_runs: keep\n")
    daemon.write_job("long.yaml", LONG)
    daemon.start()
    reply = rel.call(daemon.socket, "io.schedd.Run", {"id": "long"})
    assert "error" not in reply, reply
    (run,) = daemon.wait_for(lambda: daemon.runs("long", "running"), what="the run to start")
    started = time.monotonic()
    pid = run["pid"]
    assert pid > 0 and alive(pid)

    time.sleep(2)
    assert daemon.stop() == 0          # SIGTERM: the daemon goes, the run stays
    assert time.monotonic() - started < 6, "the daemon did not exit promptly"
    assert alive(pid), "the restart killed the job"
    assert daemon.runs("long")[0]["state"] == "running"
    time.sleep(1)

    daemon.start()
    assert alive(pid)
    (done,) = daemon.wait_for(lambda: daemon.runs("long", "failed"), timeout=20, what="the run to end")
    took = time.monotonic() - started
    assert 9 <= took < 16, took
    assert done["id"] == run["id"]
    assert done["exit_status"] == 3
    assert "exited with status 3" in done["cause"]
    assert bytes(done["output"]) == b"before\nafter\n"
    assert not alive(pid)
    assert [r["state"] for r in daemon.runs("long")] == ["failed"]
