"""A full state directory (issue 6): the daemon keeps firing, says it is
degraded in io.schedd.Status and in the log, and recovers by itself
when space returns. The state database lives on a 1 MiB tmpfs."""
import errno
import os
import re
import subprocess
import time

import pytest

import reliability as rel

pytestmark = pytest.mark.skipif(not rel.is_root(), reason="needs root to mount a tmpfs")

JOBS = 20


def lines(side):
    return len(rel.side_effects(side))


def test_full_state_directory(daemon, tmp_path):
    mnt = tmp_path / "statefs"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    side = tmp_path / "side"
    side.mkdir()
    try:
        daemon.state = mnt / "state.db"
        daemon.write_job("tick.yaml", rel.jobs_every_second(JOBS, side))
        daemon.start()
        daemon.wait_for(lambda: len(daemon.runs(state="succeeded")) >= JOBS, what="the first runs")
        assert rel.status(daemon.socket)["degraded"] is False

        # Fill the file system to the last block.
        fd = os.open(mnt / "fill", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError as e:
            assert e.errno == errno.ENOSPC
        finally:
            os.close(fd)
        daemon.wait_for(lambda: rel.status(daemon.socket)["degraded"], timeout=30,
                        what="Status to say degraded")
        daemon.wait_log("Failed to write the state database")

        # Firing goes on while nothing can be recorded.
        # (A small transaction may still fit in the WAL now and then, and
        # Status then says so until the next one fails: sample it.)
        before = lines(side)
        said = []
        for _ in range(30):
            said.append(rel.status(daemon.socket)["degraded"])
            time.sleep(0.1)
        during = lines(side) - before
        assert during >= JOBS * 2, f"only {during} firings in 3 s while degraded"
        assert said.count(True) >= len(said) // 2, said
        assert daemon.proc.poll() is None

        # Space returns: the daemon notices by itself and records again.
        (mnt / "fill").unlink()
        t_back = time.time()
        daemon.wait_for(lambda: not rel.status(daemon.socket)["degraded"], timeout=15,
                        what="Status to say not degraded")
        daemon.wait_log("The state database accepts writes again.")
        daemon.wait_for(lambda: len([r for r in daemon.runs(state="succeeded")
                                     if r["scheduled"] / 1e6 > t_back + 1]) >= JOBS,
                        timeout=15, what="new runs recorded")
        assert daemon.stop() == 0
        assert rel.integrity(daemon.state) == "ok"
        # A run whose record was rolled back still ran: its id is never
        # given to another run.
        started = re.findall(r"Started run (\d+) of", daemon.logtext())
        assert len(started) == len(set(started)), "a run id was handed out twice"
        print(f"\ndegraded: {during} firings in 3 s with a full state directory")
    finally:
        daemon.cleanup()
        subprocess.run(["umount", "-l", str(mnt)], check=False)
