"""The shipped job files (examples, demo, the installed example) are valid."""
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
FILES = sorted(ROOT.glob("conf/*/*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_job_file_is_valid(schedctl, path):
    r = schedctl("validate", path)
    assert r.returncode == 0, r.stderr


def test_there_are_shipped_files():
    assert len(FILES) >= 3
