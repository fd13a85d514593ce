"""schedctl list reads its reply without a jansson tree (cli/list-rows.c):
against a fake daemon that answers with canned replies, it must show what a
valid reply says, report an error reply as every other command does, and
refuse a malformed one, never crash."""
import os
import socket
import threading

import pytest


@pytest.fixture
def fake(tmp_path):
    """A one-call Varlink server on a socket; set .reply before calling."""
    path = str(tmp_path / "fake.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)

    class Fake:
        reply = b'{"parameters":{"jobs":[]}}'
        socket = path
        calls = []

    def serve():
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            with c:
                data = b""
                while not data.endswith(b"\0"):
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                Fake.calls.append(data)
                c.sendall(Fake.reply + b"\0")

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield Fake
    srv.close()


def run_list(schedctl, fake, reply):
    fake.reply = reply
    return schedctl("--socket", fake.socket, "list", env=dict(os.environ, TZ="UTC"))


def test_valid_reply_with_escapes_unknown_members_and_wrong_types(schedctl, fake):
    r = run_list(schedctl, fake,
                 b'{"continues":false,"parameters":{"other":[{"x":1}],"jobs":['
                 b'{"id":"caf\\u00e9","schedule":"cron \\"0 3\\" \\ud83d\\ude00","extra":{"a":[1,{"b":null}]},'
                 b'"running":"two","state":"paused","next_usec":null,"last_state":"failed",'
                 b'"last_end_usec":1.5},'
                 b'{"id":"b","schedule":null,"state":"active","running":2,"next_usec":4102444800000000},'
                 b'7,"not a job"]}}')
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["ID", "SCHEDULE", "NEXT", "LAST", "STATE"]
    assert len(lines) == 3
    assert lines[1].split()[:4] == ["caf\u00e9", "cron", '"0', '3"']
    assert "\U0001F600" in lines[1] and lines[1].rstrip().endswith("failed  paused")
    assert lines[2].startswith("b ") and "2100-01-01 00:00:00 UTC" in lines[2]
    assert lines[2].rstrip().endswith("running (2)")


def test_empty_list(schedctl, fake):
    r = run_list(schedctl, fake, b'{"parameters":{"jobs":[]}}')
    assert (r.returncode, r.stdout) == (0, "No jobs.\n")


@pytest.mark.parametrize("reply, message", [
    (b'{"error":"org.varlink.service.PermissionDenied","parameters":{}}', "permission denied"),
    # The error after the parameters: still an error.
    (b'{"parameters":{"jobs":[{"id":"x"}]},"error":"io.example.Odd"}', "io.schedd.List failed: io.example.Odd"),
])
def test_error_reply(schedctl, fake, reply, message):
    r = run_list(schedctl, fake, reply)
    assert r.returncode == 1 and r.stdout == ""
    assert message in r.stderr


@pytest.mark.parametrize("reply", [
    b'{"parameters":{"jobs":[{"id":"a",}]}}',
    b'{"parameters":{"jobs":[{"id":"caf\xe9"}]}}',
    b'{"parameters":{"jobs":[',
    b'[1,2]',
    b'{"parameters":{"jobs":[]}} {}',
    b'{"parameters":{"jobs":[{"id":"\\ud800"}]}}',
])
def test_malformed_reply(schedctl, fake, reply):
    r = run_list(schedctl, fake, reply)
    assert r.returncode == 1 and r.stdout == ""
    assert "schedctl: schedd at" in r.stderr and ("bad message" in r.stderr or "bad reply" in r.stderr)
