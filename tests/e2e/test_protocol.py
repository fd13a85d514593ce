"""The control protocol as SPEC section 6 says, spoken by a raw Varlink
client rather than schedctl: framing, the service interface, every
io.schedd method's shape, and robustness against hostile clients while a
job keeps firing on time."""
import json
import socket
import time

import pytest

import varlink_client

TICK = """\
jobs:
  tick:
    command: echo tick
    schedule:
      cron: "* * * * * *"
  slow:
    command: sleep 1; echo slept
    schedule:
      cron: "0 0 1 1 *"
"""


@pytest.fixture
def running(daemon):
    daemon.write_job("tick.yaml", TICK)
    daemon.start()
    return daemon


def conn(d, **kw):
    return varlink_client.connect(d.socket, **kw)


def test_get_info_and_interface_description(running):
    with conn(running) as c:
        info = c.call1("org.varlink.service.GetInfo")["parameters"]
        assert "io.schedd" in info["interfaces"]
        desc = c.call1("org.varlink.service.GetInterfaceDescription",
                       {"interface": "io.schedd"})["parameters"]["description"]
        # The description documents every method the daemon answers.
        for m in ["Status", "List", "Show", "Next", "Run", "Pause", "Resume", "Add",
                  "Remove", "Reload", "History", "Logs", "Watch"]:
            assert f"method {m}(" in desc
        r = c.call1("org.varlink.service.GetInterfaceDescription", {"interface": "no.such"})
        assert r["error"] == "org.varlink.service.InterfaceNotFound"


def test_unknown_method_and_bad_parameters(running):
    with conn(running) as c:
        assert c.call1("io.schedd.Nope")["error"] == "org.varlink.service.MethodNotFound"
        r = c.call1("io.schedd.Show", {"id": 5})
        assert r["error"] == "org.varlink.service.InvalidParameter"
        assert r["parameters"]["parameter"] == "id"
        r = c.call1("io.schedd.Show", {"id": "nope"})
        assert r["error"] == "io.schedd.NoSuchJob"
        assert c.call1("io.schedd.Watch")["error"] == "org.varlink.service.ExpectedMore"


def test_status_list_show_next(running):
    with conn(running) as c:
        st = c.call1("io.schedd.Status")["parameters"]
        assert st["jobs"] == 2 and st["mode"] == "user" and st["errors"] == []
        assert st["next"]["job"] == "tick"
        jobs = c.call1("io.schedd.List")["parameters"]["jobs"]
        assert [j["id"] for j in jobs] == ["slow", "tick"]
        assert jobs[1]["schedule"] == "cron * * * * * *"
        show = c.call1("io.schedd.Show", {"id": "slow"})["parameters"]
        assert show["job"]["command"] == ["sleep 1; echo slept"] and show["job"]["shell"]
        nxt = c.call1("io.schedd.Next", {"id": "slow", "count": 2})["parameters"]["firings"]
        assert [f["time"][5:] for f in nxt] == ["01-01T00:00:00+00:00"] * 2


def test_run_with_wait_streams_until_the_end(running):
    with conn(running) as c:
        replies = list(c.call("io.schedd.Run", {"id": "slow", "wait": True}, more=True))
        states = [r["parameters"]["run"]["state"] for r in replies]
        assert states[0] == "queued" and "running" in states and states[-1] == "succeeded"
        assert all(r.get("continues") for r in replies[:-1])
        assert replies[-1]["parameters"]["output"] == "slept\n"
        run_id = replies[-1]["parameters"]["run"]["id"]
        logs = c.call1("io.schedd.Logs", {"job": "slow", "run": run_id})["parameters"]
        assert logs["output"] == "slept\n"


def test_pause_resume_add_remove(running):
    with conn(running) as c:
        assert "error" not in c.call1("io.schedd.Pause", {"ids": ["tick"]})
        assert c.call1("io.schedd.Show", {"id": "tick"})["parameters"]["job"]["summary"]["state"] == "paused"
        # All or nothing: an unknown id pauses nothing.
        assert c.call1("io.schedd.Resume", {"ids": ["tick", "nope"]})["error"] == "io.schedd.NoSuchJob"
        assert c.call1("io.schedd.Show", {"id": "tick"})["parameters"]["job"]["summary"]["state"] == "paused"
        c.call1("io.schedd.Resume", {"ids": ["tick"]})
        added = c.call1("io.schedd.Add", {"id": "x", "command": ["/bin/true"], "every": "1h"})
        assert added["parameters"]["job"]["origin"] == "api"
        assert c.call1("io.schedd.Add", {"id": "x", "command": ["/bin/true"], "every": "1h"})["error"] == \
            "io.schedd.JobExists"
        bad = c.call1("io.schedd.Add", {"id": "y", "command": ["/bin/true"], "cron": "61 * * * *"})
        assert bad["error"] == "io.schedd.InvalidSchedule" and "minute" in bad["parameters"]["message"]
        assert c.call1("io.schedd.Remove", {"id": "tick"})["error"] == "io.schedd.NotRemovable"
        assert "error" not in c.call1("io.schedd.Remove", {"id": "x"})


def test_added_job_survives_a_restart_and_transient_does_not(running):
    with conn(running) as c:
        c.call1("io.schedd.Add", {"id": "keep", "command": ["/bin/true"], "every": "1h"})
        c.call1("io.schedd.Add", {"id": "gone", "command": ["/bin/true"], "every": "1h", "transient": True})
    assert running.stop() == 0
    running.start()
    with conn(running) as c:
        ids = [j["id"] for j in c.call1("io.schedd.List")["parameters"]["jobs"]]
    assert "keep" in ids and "gone" not in ids
    # And the next restart too: restoring the job must not lose its definition.
    assert running.stop() == 0
    running.start()
    with conn(running) as c:
        ids = [j["id"] for j in c.call1("io.schedd.List")["parameters"]["jobs"]]
    assert "keep" in ids


def test_watch_streams_run_events(running):
    with conn(running) as c:
        events = c.call("io.schedd.Watch", more=True)
        kinds = set()
        deadline = time.monotonic() + 5
        for e in events:
            assert e.get("continues")
            kinds.add(e["parameters"]["kind"])
            if {"run-started", "run-finished"} <= kinds or time.monotonic() > deadline:
                break
        assert {"run-started", "run-finished"} <= kinds


def test_reload_check_reports_without_changing(running):
    running.write_job("new.yaml", "jobs:\n  fresh:\n    command: x\n    schedule: {interval: 1h}\n")
    with conn(running) as c:
        # inotify may already have picked it up; a check then reports nothing new.
        r = c.call1("io.schedd.Reload", {"check": True})["parameters"]
        ids = [j["id"] for j in c.call1("io.schedd.List")["parameters"]["jobs"]]
        assert ("fresh" in r["added"]) != ("fresh" in ids)
        r = c.call1("io.schedd.Reload")["parameters"]
        ids = [j["id"] for j in c.call1("io.schedd.List")["parameters"]["jobs"]]
        assert "fresh" in ids


def tick_starts(d):
    return [r["start_time"] for r in d.runs("tick") if r["start_time"]]


def assert_tick_keeps_firing(d, since_usec):
    """Every second since @since_usec has its tick, started promptly."""
    rows = [r for r in d.runs("tick") if r["scheduled"] and r["scheduled"] > since_usec]
    assert len(rows) >= 2, d.logtext()
    for r in rows:
        assert r["start_time"] - r["scheduled"] < 500_000, r


def test_hostile_clients_do_not_stop_firing(running):
    d = running
    start = int(time.time() * 1e6)
    # Garbage, a frame split into single bytes, an oversized message, a
    # stalled half message, and 200 idle clients at once.
    with conn(d) as g:
        g.send_raw(b"this is not json\0")
        with pytest.raises((EOFError, ConnectionError, OSError)):
            g.recv()
    with conn(d) as s:
        for b in varlink_client.encode({"method": "io.schedd.Status", "parameters": {}}):
            s.send_raw(bytes([b]))
        assert s.recv()["parameters"]["mode"] == "user"
    big = conn(d)
    try:
        big.send_raw(b'{"method":"io.schedd.Status","parameters":{"x":"' + b"a" * (2 << 20))
    except OSError:
        pass                    # the daemon may hang up before we finish
    with pytest.raises((EOFError, ConnectionError, OSError)):
        big.recv()
    big.close()
    stalled = conn(d)
    stalled.send_raw(b'{"method":"io.schedd.Sta')
    crowd = []
    for _ in range(200):
        try:
            crowd.append(conn(d, timeout=5))
        except OSError:
            break
    time.sleep(3)
    # The daemon still answers, and the tick kept firing every second.
    with conn(d) as c:
        assert c.call1("io.schedd.Status")["parameters"]["jobs"] == 2
    assert_tick_keeps_firing(d, start)
    for c in crowd:
        c.close()
    stalled.close()


def test_stalled_client_is_dropped(running):
    s = conn(running, timeout=20)
    s.send_raw(b'{"method":"io.schedd.Sta')
    t0 = time.monotonic()
    with pytest.raises((EOFError, ConnectionError)):
        s.recv()
    assert time.monotonic() - t0 < 15
