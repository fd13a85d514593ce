"""Self-test of varlink_client's framing against a socketpair (no daemon)."""
import json
import socket
import threading

import pytest

import varlink_client


@pytest.fixture
def pair():
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    b.settimeout(5)
    yield a, b
    a.close()
    b.close()


def read_frame(sock):
    """Reads one NUL-terminated frame from the raw end, byte by byte."""
    data = b""
    while not data.endswith(b"\0"):
        chunk = sock.recv(1)
        assert chunk, "peer closed"
        data += chunk
    return data


def test_call_framing(pair):
    a, b = pair
    c = varlink_client.Connection(a)
    b.sendall(b'{"parameters":{"ok":true}}\0')
    (reply,) = c.call("io.schedd.Status", {"x": "\u00e9"})
    frame = read_frame(b)
    assert frame.count(b"\0") == 1
    assert b" " not in frame
    assert json.loads(frame[:-1]) == {"method": "io.schedd.Status", "parameters": {"x": "\u00e9"}}
    assert reply == {"parameters": {"ok": True}}


def test_more_splits_and_batches(pair):
    a, b = pair
    c = varlink_client.Connection(a, bufsize=1)  # every frame split at every byte
    wire = (b'{"continues":true,"parameters":{"n":1}}\0'
            b'{"continues":true,"parameters":{"n":2}}\0'
            b'{"parameters":{"n":3}}\0'
            b'{"parameters":{"next":true}}\0')

    def trickle():
        for i in range(len(wire)):
            b.sendall(wire[i:i + 1])

    t = threading.Thread(target=trickle)
    t.start()
    replies = list(c.call("io.schedd.Events", more=True))
    t.join()
    assert [r["parameters"]["n"] for r in replies] == [1, 2, 3]
    assert json.loads(read_frame(b)[:-1])["more"] is True
    # The frame after the stream's end stays buffered for the next read.
    assert c.recv() == {"parameters": {"next": True}}


def test_error_reply_ends_stream(pair):
    a, b = pair
    c = varlink_client.Connection(a)
    b.sendall(b'{"error":"org.varlink.service.MethodNotFound","parameters":{"method":"a.b.C"}}\0'
              b'{"parameters":{}}\0')
    reply = c.call1("a.b.C")
    assert reply["error"] == "org.varlink.service.MethodNotFound"
    assert c.recv() == {"parameters": {}}


def test_send_raw_and_oneway(pair):
    a, b = pair
    c = varlink_client.Connection(a)
    c.send_raw(b"not json\0")
    assert read_frame(b) == b"not json\0"
    assert list(c.call("a.b.C", oneway=True)) == []
    assert json.loads(read_frame(b)[:-1]) == {"method": "a.b.C", "parameters": {}, "oneway": True}


def test_eof(pair):
    a, b = pair
    c = varlink_client.Connection(a)
    b.sendall(b'{"parameters":{}}\0{"trunc')
    b.shutdown(socket.SHUT_WR)
    assert c.recv() == {"parameters": {}}
    with pytest.raises(ConnectionError):
        c.recv()


def test_clean_eof(pair):
    a, b = pair
    c = varlink_client.Connection(a)
    b.close()
    assert c.at_eof()
    with pytest.raises(EOFError):
        c.recv()


def test_connect(tmp_path):
    path = tmp_path / "sock"
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(str(path))
    srv.listen(1)
    try:
        with varlink_client.connect(path) as c:
            peer, _ = srv.accept()
            with peer:
                peer.sendall(varlink_client.encode({"parameters": {"v": 1}}))
                assert c.call1("org.varlink.service.GetInfo") == {"parameters": {"v": 1}}
    finally:
        srv.close()
