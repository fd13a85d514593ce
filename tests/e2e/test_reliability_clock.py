"""A real clock step (SPEC section 3, issue 6): set back, no firing runs
twice; set forward, the firings jumped over are missed; both are logged.

It sets the system clock, so it runs only when asked to, as root, with
SCHEDD_TEST_CLOCK_STEP=1, and always puts the clock back where it would
have been (the elapsed time added). The pure core of the same rules is
tested with an injected clock in tests/unit/test-plan.c."""
import collections
import os
import subprocess
import time

import pytest

import reliability as rel

pytestmark = pytest.mark.skipif(
    os.environ.get("SCHEDD_TEST_CLOCK_STEP") != "1" or not rel.is_root(),
    reason="sets the system clock: run as root with SCHEDD_TEST_CLOCK_STEP=1")


def set_clock(t):
    subprocess.run(["date", "-s", f"@{t:.6f}"], check=True, capture_output=True)


def step(delta):
    """Sets the clock @delta seconds away from now; returns a function
    that puts it back, counting the time elapsed in between."""
    real, mono = time.time(), time.monotonic()
    set_clock(real + delta)
    return lambda: set_clock(real + (time.monotonic() - mono))


def test_clock_steps(daemon, tmp_path):
    side = tmp_path / "side"
    side.mkdir()
    daemon.write_job("tick.yaml", rel.jobs_every_second(3, side, extra="misfire_grace: 5s"))
    daemon.start()
    time.sleep(3)

    restore = step(-30)
    try:
        time.sleep(4)
    finally:
        restore()
    daemon.wait_for(lambda: "The system clock was set back by about" in daemon.logtext(),
                    what="the backward step to be logged")
    time.sleep(2)
    restore = step(+120)
    try:
        time.sleep(3)
        daemon.wait_for(lambda: "The system clock was set forward by about" in daemon.logtext(),
                        what="the forward step to be logged")
        missed = [r for r in daemon.runs(state="missed") if r["count"] >= 100]
        assert len(missed) == 3, daemon.runs(state="missed")
    finally:
        restore()
    assert daemon.stop() == 0

    lines = rel.side_effects(side)
    doubled = [k for k, n in collections.Counter(lines).items() if n > 1]
    assert not doubled, f"firings run twice after the clock was set back: {doubled[:5]}"
