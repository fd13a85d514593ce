"""Limits on everything a user controls (issue 6), each with a test: job
file size, jobs added per user, output kept per run, history kept,
control clients, and message size. Each limit is probed on both sides:
at the limit it is accepted, past it refused, and the daemon goes on."""
import socket
import time

import pytest

import reliability as rel
import varlink_client

MIB = 1024 * 1024
ONE_JOB = """\
jobs:
  {id}:
    command: "true"
    schedule:
      cron: "0 0 1 1 *"
"""


def test_job_file_size_limit(daemon):
    daemon.start()
    # Exactly 1 MiB loads; one byte more is refused whole, with the reason.
    body = ONE_JOB.format(id="fits")
    fits = body + "#" * (MIB - len(body) - 1) + "\n"
    assert len(fits) == MIB
    daemon.write_job("fits.yaml", fits)
    body = ONE_JOB.format(id="toobig")
    big = body + "#" * (MIB - len(body)) + "\n"
    assert len(big) == MIB + 1
    daemon.write_job("big.yaml", big)
    daemon.reload()
    st = rel.status(daemon.socket)
    assert st["jobs"] == 1
    errors = [e for e in st["errors"] if e["file"].endswith("big.yaml")]
    assert errors and "too big" in errors[0]["message"], st["errors"]
    assert "1048577" in daemon.logtext() and "big.yaml" in daemon.logtext()
    ids = [j["id"] for j in rel.call(daemon.socket, "io.schedd.List")["parameters"]["jobs"]]
    assert ids == ["fits"]


def test_output_kept_per_run_is_bounded(daemon):
    daemon.config.write_text("output_limit: 1KiB\n")
    # 100 KB of output, numbered lines, so the tail can be recognised.
    daemon.write_job("loud.yaml", ONE_JOB.format(id="loud").replace(
        'command: "true"', "command: 'seq 1 20000 | sed s/^/line-/'"))
    daemon.start()
    rel.call(daemon.socket, "io.schedd.Run", {"id": "loud"})
    (run,) = daemon.wait_for(lambda: daemon.runs("loud", "succeeded"), what="the run")
    out = bytes(run["output"])
    total = sum(len(f"line-{i}\n") for i in range(1, 20001))
    assert len(out) == 1024
    assert out.endswith(b"line-19999\nline-20000\n")
    assert run["output_bytes"] == total
    logs = rel.call(daemon.socket, "io.schedd.Logs", {"job": "loud"})["parameters"]
    assert len(logs["output"]) == 1024


def test_history_kept_stays_bounded(daemon):
    keep = 5
    daemon.config.write_text(f"history: {{keep_runs: {keep}}}\n")
    daemon.write_job("many.yaml", ONE_JOB.format(id="many"))
    daemon.start()
    # Runs are trimmed every 32 ended runs: the count never grows past
    # keep + 32, however many runs there are.
    seen = 0
    with varlink_client.connect(daemon.socket) as c:
        for i in range(100):
            reply = c.call1("io.schedd.Run", {"id": "many", "force": True})
            assert "error" not in reply, reply
            if i % 10 == 9:
                daemon.wait_for(lambda: len(daemon.runs("many", "queued")) +
                                len(daemon.runs("many", "running")) == 0, what="the runs to end")
                seen = max(seen, len(daemon.runs("many")))
                assert seen <= keep + 32, seen
    rows = daemon.runs("many")
    assert len(rows) <= keep + 32
    assert max(r["id"] for r in rows) >= 100
    print(f"\nhistory: 100 runs, at most {seen} kept (keep_runs={keep})")


def connect_patiently(path):
    """Connects, waiting while the listen backlog is full (EAGAIN)."""
    for _ in range(200):
        try:
            return varlink_client.connect(path)
        except BlockingIOError:
            time.sleep(0.01)
    raise AssertionError("the daemon does not accept connections")


def test_control_clients_limit(daemon):
    daemon.write_job("tick.yaml", ONE_JOB.format(id="tick"))
    daemon.start()
    crowd = []
    try:
        for _ in range(256):
            crowd.append(connect_patiently(daemon.socket))
        # Every one of the 256 is served...
        assert crowd[0].call1("io.schedd.Status")["parameters"]["jobs"] == 1
        assert crowd[-1].call1("io.schedd.Status")["parameters"]["jobs"] == 1
        # ...and the 257th is accepted and closed at once.
        extra = connect_patiently(daemon.socket)
        with pytest.raises((EOFError, ConnectionError, OSError)):
            extra.call1("io.schedd.Status")
        extra.close()
        # Logged at the end of the loop step, maybe after the client saw EOF.
        daemon.wait_for(lambda: "Refusing a control connection: 256 clients already" in daemon.logtext(), 3,
                        "the refusal in the log")
    finally:
        for c in crowd[1:]:
            c.close()
    # Room again once they have gone.
    time.sleep(0.3)
    with varlink_client.connect(daemon.socket) as c:
        assert c.call1("io.schedd.Status")["parameters"]["jobs"] == 1
    crowd[0].close()


def test_message_size_limit(daemon):
    daemon.start()
    prefix = b'{"method":"io.schedd.Status","parameters":{"pad":"'
    suffix = b'"}}'
    # A call of exactly 1 MiB is read and answered (Status ignores the
    # parameter it does not know).
    with varlink_client.connect(daemon.socket) as c:
        c.send_raw(prefix + b"a" * (MIB - len(prefix) - len(suffix)) + suffix + b"\0")
        reply = c.recv()
        assert reply["parameters"]["mode"] == "user", reply
        assert c.call1("io.schedd.Status")["parameters"]["mode"] == "user"
    # One byte more and the connection is closed, before its end arrives.
    big = varlink_client.connect(daemon.socket)
    try:
        big.send_raw(prefix + b"a" * (MIB - len(prefix) - len(suffix) + 1) + suffix)
    except OSError:
        pass
    with pytest.raises((EOFError, ConnectionError, OSError)):
        big.recv()
    big.close()
    assert rel.status(daemon.socket)["mode"] == "user"


@pytest.mark.skipif(not rel.is_root(), reason="needs root: a system daemon and a client as nobody")
def test_jobs_added_per_user_limit(tmp_path):
    d = rel.system_daemon(tmp_path)
    try:
        d.start()
        calls = [("io.schedd.Add", {"id": f"n{i:04d}", "command": ["true"], "cron": "0 0 1 1 *",
                                    "transient": i % 2 == 0}) for i in range(1001)]
        calls.append(("io.schedd.Status", {}))
        replies = rel.call_as(65534, d.socket, calls)
        errors = [r for r in replies[:1000] if "error" in r]
        assert not errors, errors[:3]
        assert replies[1000]["error"] == "io.schedd.TooManyJobs", replies[1000]
        assert replies[1000]["parameters"]["limit"] == 1000
        assert replies[1001]["parameters"]["jobs"] == 1000
        # Root is not limited by nobody's jobs.
        assert "error" not in rel.call(d.socket, "io.schedd.Add",
                                       {"id": "rootjob", "command": ["true"], "cron": "0 0 1 1 *"})
    finally:
        d.cleanup()
