"""Security (SPEC sections 1, 4 and 6; issue 6), in system mode as root:
job files must be root's and not writable by others; a job runs as its
user with that user's groups, never as root after a failed drop; a
non-root client sees and controls only its own jobs; the daemon's
environment never reaches a job."""
import os
import pathlib
import tempfile

import pytest

import reliability as rel

pytestmark = pytest.mark.skipif(not rel.is_root(), reason="needs root: system mode")

JOB = """\
jobs:
  {id}:
    command: {command}
    directory: /
    schedule:
      cron: "0 0 1 1 *"
{extra}"""


def job(id, command='"true"', extra=""):
    return JOB.format(id=id, command=command, extra=extra)


@pytest.fixture
def system(tmp_path):
    d = rel.system_daemon(tmp_path)
    yield d
    d.cleanup()


def file_error(st, name):
    return [e["message"] for e in st["errors"] if e["file"].endswith(name)]


def test_unsafe_job_files_are_refused(system, tmp_path):
    d = system
    d.write_job("good.yaml", job("good"))
    p = d.write_job("theirs.yaml", job("theirs"))
    os.chown(p, 65534, 65534)
    p = d.write_job("groupw.yaml", job("groupw"))
    p.chmod(0o664)
    p = d.write_job("otherw.yaml", job("otherw"))
    p.chmod(0o646)
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text(job("linked"))
    (d.jobs_dir / "link.yaml").symlink_to(elsewhere)
    d.start()

    st = rel.status(d.socket)
    assert st["mode"] == "system"
    ids = [j["id"] for j in rel.call(d.socket, "io.schedd.List")["parameters"]["jobs"]]
    assert ids == ["good"]
    log = d.logtext()
    for name, why in [("theirs.yaml", "owned by"), ("groupw.yaml", "writable"),
                      ("otherw.yaml", "writable"), ("link.yaml", "symbolic link")]:
        msgs = file_error(st, name)
        assert msgs and why in msgs[0], (name, st["errors"])
        assert name in log and msgs[0] in log, (name, msgs[0])

    # Made safe, the same file loads at the next reload.
    (d.jobs_dir / "groupw.yaml").chmod(0o644)
    d.reload()
    ids = [j["id"] for j in rel.call(d.socket, "io.schedd.List")["parameters"]["jobs"]]
    assert ids == ["good", "groupw"]


def test_job_runs_as_its_user_with_its_groups(system):
    d = system
    d.write_job("ids.yaml", job("ids", command="'id -u; id -g; id -G; id -un'", extra="    user: nobody\n"))
    d.start()
    rel.call(d.socket, "io.schedd.Run", {"id": "ids"})
    (run,) = d.wait_for(lambda: d.runs("ids", "succeeded"), what="the run")
    uid, gid, groups, name = bytes(run["output"]).decode().split("\n")[:4]
    assert (uid, gid, name) == ("65534", "65534", "nobody")
    expected = sorted({65534, *os.getgrouplist("nobody", 65534)})
    assert sorted(int(g) for g in groups.split()) == expected
    assert 0 not in [int(g) for g in groups.split()]


def test_failure_to_drop_privileges_aborts_the_run(tmp_path):
    # Root without CAP_SETUID and CAP_SETGID (from the bounding set, so
    # the runner has neither): setgroups() fails, and the job must not run.
    d = rel.system_daemon(tmp_path, prefix=["setpriv", "--bounding-set=-setuid,-setgid", "--"])
    side = tmp_path / "ran"
    try:
        d.write_job("drop.yaml", job("drop", command=f"'touch {side}'", extra="    user: nobody\n"))
        d.start()
        rel.call(d.socket, "io.schedd.Run", {"id": "drop"})
        (run,) = d.wait_for(lambda: d.runs("drop", "failed"), what="the run to fail")
        assert "set" in run["cause"] and "Operation not permitted" in run["cause"], run["cause"]
        assert not side.exists(), "the job ran although its credentials were not set"
    finally:
        d.cleanup()


def test_non_root_client_sees_and_controls_only_its_own(system):
    d = system
    pub = pathlib.Path(tempfile.mkdtemp(prefix="schedd-own-", dir="/tmp"))
    pub.chmod(0o777)
    try:
        d.write_job("root.yaml", job("rootjob", command=f"'touch {pub}/rootjob-ran'"))
        d.start()
        replies = rel.call_as(65534, d.socket, [
            ("io.schedd.List", {}),
            ("io.schedd.Show", {"id": "rootjob"}),
            ("io.schedd.Run", {"id": "rootjob", "force": True}),
            ("io.schedd.Pause", {"ids": ["rootjob"]}),
            ("io.schedd.Remove", {"id": "rootjob"}),
            ("io.schedd.Logs", {"job": "rootjob"}),
            ("io.schedd.Reload", {}),
            ("io.schedd.Add", {"id": "mine", "command": ["/bin/sh", "-c", "id -u"],
                               "cron": "0 0 1 1 *"}),
            ("io.schedd.Run", {"id": "mine"}),
            ("io.schedd.List", {}),
        ])
        # nobody's home, /nonexistent, is where its job starts: the job is
        # nobody's, not root's. The user daemon (uid 1, home /usr/sbin)
        # shows the job running as itself.
        theirs = rel.call_as(1, d.socket, [
            ("io.schedd.Add", {"id": "daemons", "command": ["/bin/sh", "-c", f"id -u > {pub}/daemons"],
                               "cron": "0 0 1 1 *"}),
            ("io.schedd.Run", {"id": "daemons"}),
            ("io.schedd.List", {}),
        ])
        assert replies[0]["parameters"]["jobs"] == []
        for r in replies[1:6]:
            assert r.get("error") == "io.schedd.NoSuchJob", r
        assert replies[6].get("error") == "io.schedd.PermissionDenied", replies[6]
        assert "error" not in replies[7], replies[7]
        assert "error" not in replies[8], replies[8]
        assert [j["id"] for j in replies[9]["parameters"]["jobs"]] == ["mine"]

        (run,) = d.wait_for(lambda: d.runs("mine", "failed"), what="nobody's run")
        assert run["cause"] == "failed to change directory '/nonexistent': No such file or directory"
        assert [j["id"] for j in theirs[2]["parameters"]["jobs"]] == ["daemons"]
        d.wait_for(lambda: d.runs("daemons", "succeeded"), what="daemon's run")
        assert (pub / "daemons").read_text() == "1\n"
        assert (pub / "daemons").stat().st_uid == 1
        assert not (pub / "rootjob-ran").exists()
        assert not d.runs("rootjob")
        assert not [j for j in rel.call(d.socket, "io.schedd.List")["parameters"]["jobs"]
                    if j["id"] == "rootjob" and j.get("paused")]
    finally:
        for p in pub.iterdir():
            p.unlink()
        pub.rmdir()


def test_nothing_of_the_daemons_environment_reaches_jobs(system):
    d = system
    d.write_job("env.yaml", job("env", command='["/usr/bin/env"]', extra="    user: nobody\n"))
    d.start(env={"LD_PRELOAD": "", "SCHEDD_TEST_SECRET": "leak-me-not", "PATH": "/leak:/usr/bin:/bin"})
    rel.call(d.socket, "io.schedd.Run", {"id": "env"})
    (run,) = d.wait_for(lambda: d.runs("env", "succeeded"), what="the run")
    env = dict(line.split("=", 1) for line in bytes(run["output"]).decode().splitlines())
    assert sorted(env) == ["HOME", "LOGNAME", "PATH", "SCHEDD_JOB_ID", "SCHEDD_RUN_ID",
                           "SCHEDD_SCHEDULED_TIME", "SHELL", "USER"]
    assert env["PATH"] == "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    assert (env["USER"], env["LOGNAME"], env["SHELL"]) == ("nobody", "nobody", "/bin/sh")
    assert "leak-me-not" not in bytes(run["output"]).decode()
