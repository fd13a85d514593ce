"""Shared fixtures for the end-to-end tests: where the built binaries are."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("SCHEDD_BUILD", ROOT / "build"))


def run(*args, **kw):
    """Runs a program and returns the CompletedProcess (text mode)."""
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 30)
    return subprocess.run([str(a) for a in args], **kw)


@pytest.fixture
def schedctl():
    path = BUILD / "schedctl"
    assert path.exists(), f"{path} is not built"

    def call(*args, **kw):
        return run(path, *args, **kw)

    return call


@pytest.fixture
def daemon(tmp_path):
    """A schedd --user in tmp_path (see daemon.py); not started yet."""
    from daemon import Daemon
    d = Daemon(tmp_path)
    yield d
    d.cleanup()
