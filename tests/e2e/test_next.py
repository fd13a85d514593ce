"""schedctl next, offline (SPEC section 7): the daemon's arithmetic without a daemon."""
import datetime
import json
import random
import textwrap

import pytest


def lines(r):
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


def test_cron_across_spring_forward(schedctl):
    # 02:30 does not exist in Berlin on 2027-03-28: it fires once at the
    # first instant after the jump, 03:00+02:00.
    r = schedctl("next", "--cron", "30 2 * * *", "--tz", "Europe/Berlin", "-n", "3",
                 "--from", "2027-03-26T12:00:00Z")
    assert lines(r) == [
        "2027-03-27T02:30:00+01:00",
        "2027-03-28T03:00:00+02:00",
        "2027-03-29T02:30:00+02:00",
    ]


def test_from_is_exclusive_and_accepts_unix_seconds(schedctl):
    r = schedctl("next", "--cron", "0 * * * *", "--tz", "UTC", "-n", "2", "--from", "@3600")
    assert lines(r) == ["1970-01-01T02:00:00+00:00", "1970-01-01T03:00:00+00:00"]


def test_six_field_seconds_and_nickname(schedctl):
    r = schedctl("next", "--cron", "15 * * * * *", "--tz", "UTC", "-n", "2",
                 "--from", "2026-12-01T10:00:20Z")
    assert lines(r) == ["2026-12-01T10:01:15+00:00", "2026-12-01T10:02:15+00:00"]
    r = schedctl("next", "--cron", "@MONTHLY", "--tz", "Asia/Kolkata", "-n", "1",
                 "--from", "2026-12-01T10:00:00Z")
    assert lines(r) == ["2027-01-01T00:00:00+05:30"]


def test_json(schedctl):
    r = schedctl("--json", "next", "--cron", "@daily", "--tz", "UTC", "-n", "2", "--from", "@0")
    assert r.returncode == 0
    data = json.loads(r.stdout)
    assert [d["time"] for d in data] == ["1970-01-02T00:00:00+00:00", "1970-01-03T00:00:00+00:00"]


def test_bad_expression_names_the_column(schedctl):
    r = schedctl("next", "--cron", "0 25 * * *")
    assert r.returncode == 1
    assert "column 3" in r.stderr and "expected an hour 0-23, got '25'" in r.stderr


def test_impossible_expression_is_refused(schedctl):
    r = schedctl("next", "--cron", "0 0 31 2 *")
    assert r.returncode == 1
    assert "can never fire" in r.stderr


@pytest.mark.parametrize("args", [
    ["next"],
    ["next", "--cron", "* * * * *", "-n", "0"],
    ["next", "--cron", "* * * * *", "--from", "tomorrow"],
    ["next", "--cron", "* * * * *", "extra"],
])
def test_usage_errors(schedctl, args):
    assert schedctl(*args).returncode == 2


def test_job_name_needs_the_daemon(schedctl):
    assert schedctl("--socket", "/nonexistent/sock", "next", "backup").returncode == 3


JOBS = textwrap.dedent("""\
    defaults:
      timezone: Europe/Berlin
    jobs:
      hourly:
        command: /bin/true
        schedule:
          cron: "0 * * * *"
      every-20m:
        command: [/bin/echo, hi]
        schedule:
          interval: 20m
          start: 2027-01-01T00:00:00
      ny-noon:
        command: /bin/true
        schedule:
          cron: {hour: 12}
          timezone: America/New_York
    """)


def test_file_with_several_jobs_merges_in_time_order(schedctl, tmp_path):
    f = tmp_path / "jobs.yaml"
    f.write_text(JOBS)
    # 00:30 in Berlin; ties keep the order of the file.
    r = schedctl("next", f, "-n", "5", "--from", "2026-12-31T23:30:00Z")
    assert lines(r) == [
        "every-20m\t2027-01-01T00:40:00+01:00",
        "hourly\t2027-01-01T01:00:00+01:00",
        "every-20m\t2027-01-01T01:00:00+01:00",
        "every-20m\t2027-01-01T01:20:00+01:00",
        "every-20m\t2027-01-01T01:40:00+01:00",
    ]


def test_file_and_job_prints_times_only(schedctl, tmp_path):
    f = tmp_path / "jobs.yaml"
    f.write_text(JOBS)
    r = schedctl("next", f, "ny-noon", "-n", "2", "--from", "2027-03-13T00:00:00Z")
    # New York springs forward on 2027-03-14; noon stays noon local time.
    assert lines(r) == ["2027-03-13T12:00:00-05:00", "2027-03-14T12:00:00-04:00"]


def test_unknown_job_in_file(schedctl, tmp_path):
    f = tmp_path / "jobs.yaml"
    f.write_text(JOBS)
    r = schedctl("next", f, "nope")
    assert r.returncode == 1
    assert "no job 'nope'" in r.stderr


def test_file_errors_are_reported_and_fail(schedctl, tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("jobs:\n  a:\n    command: x\n    schedule: {cron: '61 * * * *'}\n"
                 "  b:\n    command: y\n    schedule: {cron: '0 0 * * *', timezone: UTC}\n")
    r = schedctl("next", f, "-n", "1", "--from", "@0")
    assert r.returncode == 1
    assert f"{f}:4:" in r.stderr
    assert r.stdout == "1970-01-02T00:00:00+00:00\n"


def test_agrees_with_croniter_in_utc(schedctl):
    """Random expressions (seeded) against croniter, where croniter is
    trustworthy: UTC, and never both day fields restricted."""
    croniter = pytest.importorskip("croniter").croniter
    rng = random.Random(20261201)
    start = datetime.datetime(2026, 12, 1, 7, 13, tzinfo=datetime.timezone.utc)

    def field(lo, hi):
        kind = rng.randrange(5)
        a, b = sorted(rng.sample(range(lo, hi + 1), 2))
        return ["*", f"*/{rng.randint(2, max(2, (hi - lo) // 2))}", str(a), f"{a}-{b}",
                f"{a},{b}"][kind]

    for _ in range(40):
        # croniter ORs the day fields unless one is exactly "*" (SPEC says
        # a field starting with "*" already means AND), so keep one "*".
        dom, dow = field(1, 28), field(0, 6)
        if rng.randrange(2):
            dom = "*"
        else:
            dow = "*"
        expr = " ".join([field(0, 59), field(0, 23), dom, field(1, 12), dow])
        it = croniter(expr, start)
        want = [it.get_next(datetime.datetime).isoformat() for _ in range(4)]
        r = schedctl("next", "--cron", expr, "--tz", "UTC", "-n", "4", "--from", start.isoformat())
        assert lines(r) == want, expr
