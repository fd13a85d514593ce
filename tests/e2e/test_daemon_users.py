"""Who a run executes as (SPEC sections 1, 2 and 4), and the ownership rule of
job files in system mode. Needs root."""
import os
import time

import pytest

from daemon import Daemon

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root")


def test_user_mode_refuses_another_user(daemon):
    daemon.write_job("u.yaml", """
jobs:
  as-nobody:
    command: "true"
    user: nobody
    schedule: {cron: "*/1 * * * * *"}
""")
    daemon.start()
    r = daemon.wait_runs("as-nobody", 1, "failed")[0]
    assert r["cause"] == "schedd --user runs jobs only as its own user, not as 'nobody'"
    assert r["pid"] == 0 and r["start_time"] is None, "nothing was started"
    daemon.wait_log("Job 'as-nobody' cannot run as configured")


def system_job(d, name, text, mode=0o644, uid=0):
    path = d.write_job(name, text)
    os.chown(path, uid, 0)
    os.chmod(path, mode)
    return path


@pytest.fixture
def system(tmp_path):
    """A schedd in system mode (as root, ownership checked), every path in tmp_path."""
    d = Daemon(tmp_path)
    yield d
    d.cleanup()


def test_system_mode_runs_as_the_job_user_with_its_groups(system):
    system_job(system, "n.yaml", """
jobs:
  as-nobody:
    command: ["sh", "-c", "id -u; id -g; id -G; echo $HOME $USER $LOGNAME; pwd"]
    user: nobody
    directory: /
    schedule: {cron: "*/1 * * * * *"}
  as-nobody-group:
    command: ["sh", "-c", "id -u; id -g; id -G"]
    user: nobody
    group: daemon
    directory: /
    schedule: {cron: "*/1 * * * * *"}
  as-root:
    command: ["id", "-u"]
    schedule: {cron: "*/1 * * * * *"}
""")
    system.start(user_mode=False)
    assert "ready (system mode)" in system.logtext()
    r = system.wait_runs("as-nobody", 1, "succeeded")[0]
    groups = " ".join(str(g) for g in os.getgrouplist("nobody", 65534))
    assert r["output"].decode() == f"65534\n65534\n{groups}\n/nonexistent nobody nobody\n/\n"
    r = system.wait_runs("as-nobody-group", 1, "succeeded")[0]
    uid, gid, all_groups = r["output"].decode().splitlines()
    assert (uid, gid) == ("65534", "1")
    assert all_groups.split()[0] == "1"
    assert system.wait_runs("as-root", 1, "succeeded")[0]["output"] == b"0\n"


def test_system_mode_refuses_unsafe_job_files(system, tmp_path):
    out = tmp_path / "out"
    job = """
jobs:
  {id}:
    command: "echo {id} >> {out}"
    schedule: {{cron: "*/1 * * * * *"}}
"""
    system_job(system, "ok.yaml", job.format(id="ok", out=out))
    system_job(system, "others.yaml", job.format(id="others", out=out), mode=0o666)
    system_job(system, "group.yaml", job.format(id="group", out=out), mode=0o664)
    system_job(system, "owner.yaml", job.format(id="owner", out=out), uid=65534)
    os.symlink(system.jobs_dir / "ok.yaml", system.jobs_dir / "link.yaml")
    system.start(user_mode=False)
    system.wait_runs("ok", 2, "succeeded")
    log = system.logtext()
    d = system.jobs_dir
    assert f"{d}/others.yaml: refused: writable by others (mode 0666); run chmod go-w" in log
    assert f"{d}/group.yaml: refused: writable by its group (mode 0664); run chmod go-w" in log
    assert f"{d}/owner.yaml: refused: owned by uid 65534, job files must be owned by root" in log
    assert f"{d}/link.yaml: refused: job files are not followed through symbolic links" in log
    assert set(out.read_text().split()) == {"ok"}

    # A loaded file that turns unsafe is refused whole; its jobs keep the
    # version loaded before (inotify sees the chmod).
    os.chmod(d / "ok.yaml", 0o666)
    system.wait_for(lambda: f"{d}/ok.yaml: refused: writable by others" in system.logtext(), 3,
                    "the chmod to be noticed")
    n = len(system.runs("ok", "succeeded"))
    system.wait_runs("ok", n + 2, "succeeded", timeout=4)
