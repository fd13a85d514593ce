"""make install honours DESTDIR and PREFIX and installs the whole tree
(SPEC section 8); make uninstall removes what it installed."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def make(*args, **kw):
    env = dict(os.environ)
    env.pop("MAKEFLAGS", None)
    return subprocess.run(["make", "-s", "-C", str(ROOT), *args], capture_output=True, text=True,
                          env=env, timeout=300, **kw)


@pytest.mark.skipif(os.environ.get("SCHEDD_SANITIZED") == "1",
                    reason="make install installs build/, not the sanitized build: the plain run covers it")
def test_install_and_uninstall_into_destdir(tmp_path):
    dest = tmp_path / "root"
    r = make("install", f"DESTDIR={dest}", "PREFIX=/usr")
    assert r.returncode == 0, r.stderr
    expected = [
        "usr/sbin/schedd", "usr/bin/schedctl", "usr/libexec/schedd/schedd-runner",
        "usr/lib/systemd/system/schedd.service", "usr/lib/systemd/user/schedd.service",
        "usr/share/man/man1/schedctl.1", "usr/share/man/man5/schedd.yaml.5", "usr/share/man/man8/schedd.8",
        "usr/share/bash-completion/completions/schedctl",
        "etc/schedd/schedd.yaml", "etc/schedd/jobs.d/example.yaml.disabled",
    ]
    for p in expected:
        assert (dest / p).exists(), p
    assert os.access(dest / "usr/sbin/schedd", os.X_OK)
    # The unit points at the installed daemon, and the example is not read.
    assert "ExecStart=/usr/sbin/schedd\n" in (dest / "usr/lib/systemd/system/schedd.service").read_text()
    assert not list((dest / "etc/schedd/jobs.d").glob("*.yaml"))

    # An administrator's settings are never overwritten.
    (dest / "etc/schedd/schedd.yaml").write_text("max_concurrent_runs: 8\n")
    assert make("install", f"DESTDIR={dest}", "PREFIX=/usr").returncode == 0
    assert (dest / "etc/schedd/schedd.yaml").read_text() == "max_concurrent_runs: 8\n"

    r = make("uninstall", f"DESTDIR={dest}", "PREFIX=/usr")
    assert r.returncode == 0, r.stderr
    for p in expected[:-2]:
        assert not (dest / p).exists(), p
    assert (dest / "etc/schedd/schedd.yaml").exists()      # settings stay
