"""schedctl validate (SPEC section 7): the real binary over the malformed
job-file corpus of tests/unit/data/bad-jobs and a few good files."""
import json
import pathlib

import pytest

from conftest import ROOT

DATA = ROOT / "tests" / "unit" / "data"
BAD = sorted(p.stem for p in (DATA / "bad-jobs").glob("*.yaml"))
GOOD = [
    DATA / "good-jobs" / "full.yaml",
    DATA / "good-jobs" / "minimal.yaml",
    DATA / "good-jobs" / "empty.yaml",
    DATA / "good-jobs" / "anchors.yaml",
    ROOT / "conf" / "jobs.d" / "example.yaml",
]


def test_corpus_is_big_enough():
    assert len(BAD) >= 30


@pytest.mark.parametrize("name", BAD)
def test_bad_file(schedctl, name):
    # Run in data/ so the paths in messages are bad-jobs/NAME.yaml, as in
    # the .expected files.
    r = schedctl("validate", f"bad-jobs/{name}.yaml", cwd=DATA)
    expected = (DATA / "bad-jobs" / f"{name}.expected").read_text()
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr == expected


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_file(schedctl, path):
    r = schedctl("validate", path)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


def test_good_files_at_once(schedctl):
    # Not example.yaml: it shares job ids with full.yaml.
    r = schedctl("validate", *GOOD[:-1])
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


def test_no_files_is_usage_error(schedctl):
    r = schedctl("validate")
    assert r.returncode == 2
    assert "Usage:" in r.stderr


def test_unreadable_file(schedctl, tmp_path):
    missing = tmp_path / "missing.yaml"
    r = schedctl("validate", missing, GOOD[1])
    assert r.returncode == 1
    assert r.stderr == f"{missing}: cannot read file: No such file or directory\n"


def test_duplicates_across_files(schedctl, tmp_path):
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text("jobs:\n  backup:\n    command: /bin/true\n    schedule: {interval: 1h}\n")
    b.write_text("jobs:\n  other:\n    command: /bin/true\n    schedule: {interval: 1h}\n"
                 "  backup:\n    command: /bin/false\n    schedule: {interval: 2h}\n")
    r = schedctl("validate", a, b)
    assert r.returncode == 1
    assert r.stderr == f"{b}:5:3: jobs: duplicate job id 'backup' (first defined at {a}:2:3)\n"
    # Each file alone is fine.
    assert schedctl("validate", a).returncode == 0
    assert schedctl("validate", b).returncode == 0


def test_too_big(schedctl, tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text(("#" * 63 + "\n") * (1024 * 1024 // 64) + "#")
    r = schedctl("validate", big)
    assert r.returncode == 1
    assert r.stderr == f"{big}: file is too big: 1048577 bytes, at most 1048576 (1 MiB) allowed\n"


def test_json(schedctl):
    r = schedctl("--json", "validate", "bad-jobs/many-errors-one-job.yaml",
                 "bad-jobs/top-level-list.yaml", GOOD[1], cwd=DATA)
    assert r.returncode == 1
    assert r.stderr == ""
    errors = json.loads(r.stdout)
    assert errors[0] == {
        "file": "bad-jobs/many-errors-one-job.yaml", "line": 6, "column": 15,
        "message": "jobs.backup.schedule.jitter: expected a duration like 30s or 1h30m, got 'lots'",
    }
    assert len(errors) == 5
    assert errors[-1]["file"] == "bad-jobs/top-level-list.yaml"


def test_json_success_and_unknown_position(schedctl, tmp_path):
    r = schedctl("--json", "validate", GOOD[0])
    assert (r.returncode, json.loads(r.stdout), r.stderr) == (0, [], "")
    missing = tmp_path / "missing.yaml"
    r = schedctl("--json", "validate", missing)
    assert r.returncode == 1
    assert json.loads(r.stdout) == [{
        "file": str(missing), "line": None, "column": None,
        "message": "cannot read file: No such file or directory",
    }]
