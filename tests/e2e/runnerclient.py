"""A small Python implementation of the runner protocol (lib/runproto.h),
acting as the daemon in the runner's end-to-end tests."""
import os
import select
import socket
import struct
import time

RP_VERSION = 2
HELLO, SPAWN, STOP, STOP_ALL, ACK, BYE, STARTED, SPAWN_FAILED, EXITED, SYNC_DONE = range(1, 11)
OUTPUT_JOURNAL, OUTPUT_DISCARD, OUTPUT_FILE = range(3)
STAGES = ["none", "pipe", "output", "fork", "setsid", "signals", "groups", "gid", "uid",
          "no_new_privs", "chdir", "fds", "exec"]
CLD_EXITED, CLD_KILLED, CLD_DUMPED = 1, 2, 3


def _str(s):
    if s is None:
        return struct.pack("<I", 0)
    b = s.encode() + b"\0"
    return struct.pack("<I", len(b)) + b


def _strv(v):
    return struct.pack("<I", len(v)) + b"".join(_str(s) for s in v)


def frame(type_, payload=b""):
    return struct.pack("<IHH", 8 + len(payload), type_, 0) + payload


def hello(version=RP_VERSION):
    return frame(HELLO, struct.pack("<II", version, os.getpid()) + _str("test-daemon"))


def spawn(run_id, argv, env=None, job="job", path_search=False, uid=None, gid=None, groups=None,
          directory="/", output=OUTPUT_DISCARD, output_path=None, timeout=0.0, kill_grace=10.0,
          output_limit=65536, no_new_privs=False, start_at=0.0):
    uid = os.getuid() if uid is None else uid
    gid = os.getgid() if gid is None else gid
    groups = [gid] if groups is None else groups
    env = ["PATH=/usr/bin:/bin"] if env is None else env
    p = struct.pack("<Q", run_id) + _str(job) + _strv(argv) + _strv(env)
    p += struct.pack("<BII", path_search, uid, gid)
    p += struct.pack("<I", len(groups)) + b"".join(struct.pack("<I", g) for g in groups)
    p += _str(directory) + struct.pack("<B", output) + _str(output_path)
    p += struct.pack("<QQIB", int(timeout * 1e6), int(kill_grace * 1e6), output_limit, no_new_privs)
    p += struct.pack("<Q", int(start_at * 1e6))
    return frame(SPAWN, p)


def stop(run_id):
    return frame(STOP, struct.pack("<Q", run_id))


def stop_all(grace):
    return frame(STOP_ALL, struct.pack("<Q", int(grace * 1e6)))


def ack(seq):
    return frame(ACK, struct.pack("<Q", seq))


def bye():
    return frame(BYE)


def decode(type_, p):
    """Returns a dict describing one frame sent by the runner."""
    if type_ == HELLO:
        version, pid, n = struct.unpack_from("<III", p)
        return {"type": "hello", "version": version, "pid": pid, "software": p[12:12 + n - 1].decode()}
    if type_ == STARTED:
        seq, run, pid, start = struct.unpack("<QQIQ", p)
        return {"type": "started", "seq": seq, "run": run, "pid": pid, "start": start}
    if type_ == SPAWN_FAILED:
        seq, run, stage, err, t = struct.unpack("<QQBiQ", p)
        return {"type": "spawn_failed", "seq": seq, "run": run, "stage": STAGES[stage], "errno": err}
    if type_ == EXITED:
        (seq, run, end, code, status, timed_out, stopped, utime, stime, maxrss, nbytes,
         n) = struct.unpack_from("<QQQiiBBQQQQI", p)
        off = struct.calcsize("<QQQiiBBQQQQI")
        assert len(p) == off + n
        return {"type": "exited", "seq": seq, "run": run, "code": code, "status": status,
                "timed_out": bool(timed_out), "stopped": bool(stopped), "utime": utime,
                "stime": stime, "maxrss": maxrss, "output_bytes": nbytes, "output": p[off:]}
    if type_ == SYNC_DONE:
        assert p == b""
        return {"type": "sync_done"}
    raise AssertionError(f"unexpected frame type {type_}")


class Client:
    """One daemon connection: send frames, receive decoded reports."""

    def __init__(self, path, do_hello=True, auto_ack=True):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(str(path))
        self.buf = b""
        self.auto_ack = auto_ack
        self.pending = []
        self.sync = []
        if do_hello:
            h = self.recv()
            assert h["type"] == "hello" and h["version"] == RP_VERSION, h
            self.runner_pid = h["pid"]
            self.send(hello())
            while True:
                m = self.recv()
                if m["type"] == "sync_done":
                    break
                self.sync.append(m)

    def send(self, data):
        self.sock.sendall(data)

    def close(self):
        self.sock.close()

    def _read_frame(self, deadline):
        while True:
            if len(self.buf) >= 8:
                n, type_, _ = struct.unpack_from("<IHH", self.buf)
                if len(self.buf) >= n:
                    payload = self.buf[8:n]
                    self.buf = self.buf[n:]
                    return decode(type_, payload)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no frame from the runner")
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                continue
            data = self.sock.recv(1 << 20)
            if not data:
                raise EOFError("the runner closed the connection")
            self.buf += data

    def recv(self, timeout=10.0):
        if self.pending:
            return self.pending.pop(0)
        m = self._read_frame(time.monotonic() + timeout)
        if self.auto_ack and "seq" in m and m["type"] != "hello":
            self.send(ack(m["seq"]))
        return m

    def wait_for(self, types, run, timeout=10.0):
        """Returns the first report of one of @types (a name or a tuple)
        about @run; other reports are kept for later."""
        types = (types,) if isinstance(types, str) else types
        for i, m in enumerate(self.pending):
            if m["type"] in types and m.get("run") == run:
                return self.pending.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            m = self._read_frame(deadline)
            if self.auto_ack and "seq" in m:
                self.send(ack(m["seq"]))
            if m["type"] in types and m.get("run") == run:
                return m
            self.pending.append(m)

    def run(self, run_id, argv, wait=10.0, **kw):
        """Spawns and waits up to @wait seconds: returns (first report,
        EXITED or None). @kw are spawn()'s."""
        self.send(spawn(run_id, argv, **kw))
        deadline = time.monotonic() + wait
        m = self.wait_for(("started", "spawn_failed"), run_id, timeout=wait)
        if m["type"] == "spawn_failed":
            return m, None
        return m, self.wait_for("exited", run_id, timeout=max(0.01, deadline - time.monotonic()))
