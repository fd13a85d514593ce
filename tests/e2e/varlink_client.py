"""A raw Varlink client for the end-to-end tests (SPEC section 6).

Varlink messages are JSON objects, each terminated by a NUL byte, on a
SOCK_STREAM UNIX socket. This client does the framing and nothing else:
it neither checks interfaces nor raises on error replies, so tests can
look at exactly what the daemon sent and can send bytes a real client
never would (send_raw).

    with varlink_client.connect(path) as c:
        (reply,) = c.call("io.schedd.Status")
        for event in c.call("io.schedd.Events", more=True): ...
"""
import json
import socket


class Connection:
    """One Varlink connection over a connected stream socket."""

    def __init__(self, sock, bufsize=65536, timeout=10.0):
        self.sock = sock
        self.bufsize = bufsize  # bytes per recv(); 1 exercises split frames
        self.sock.settimeout(timeout)
        self._buf = bytearray()

    # -- bytes --------------------------------------------------------

    def send_raw(self, data):
        """Sends @data (bytes) as is: no JSON, no NUL added."""
        self.sock.sendall(data)

    def send(self, msg):
        """Sends one message (a dict) as compact JSON plus the NUL."""
        self.send_raw(encode(msg))

    def recv(self):
        """Returns the next message as a dict. Raises EOFError if the peer
        closes between messages, ConnectionError if it closes inside one,
        socket.timeout if nothing complete arrives in time."""
        while True:
            nul = self._buf.find(b"\0")
            if nul >= 0:
                frame = bytes(self._buf[:nul])
                del self._buf[: nul + 1]
                return json.loads(frame.decode("utf-8"))
            chunk = self.sock.recv(self.bufsize)
            if not chunk:
                if self._buf:
                    raise ConnectionError(
                        f"connection closed inside a message ({len(self._buf)} bytes buffered)")
                raise EOFError("connection closed")
            self._buf += chunk

    def at_eof(self):
        """True if the peer has closed the connection with nothing pending."""
        if self._buf:
            return False
        try:
            return self.sock.recv(1, socket.MSG_PEEK) == b""
        except (ConnectionResetError, BrokenPipeError):
            return True

    # -- calls --------------------------------------------------------

    def call(self, method, params=None, more=False, oneway=False):
        """Sends a call now and returns an iterator over its replies (dicts,
        error replies included), which ends after the first reply without
        "continues": true. A oneway call returns an empty iterator."""
        msg = {"method": method, "parameters": params if params is not None else {}}
        if more:
            msg["more"] = True
        if oneway:
            msg["oneway"] = True
        self.send(msg)
        if oneway:
            return iter(())
        return self._replies()

    def _replies(self):
        while True:
            reply = self.recv()
            yield reply
            if not reply.get("continues"):
                return

    def call1(self, method, params=None):
        """Sends a plain call and returns its one reply."""
        (reply,) = list(self.call(method, params))
        return reply

    # -- lifetime -----------------------------------------------------

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def encode(msg):
    """The wire form of @msg: compact JSON, UTF-8, then a NUL."""
    return json.dumps(msg, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\0"


def connect(path, timeout=10.0):
    """Connects to the Varlink socket at @path."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    try:
        sock.settimeout(timeout)
        sock.connect(str(path))
    except BaseException:
        sock.close()
        raise
    return Connection(sock, timeout=timeout)
