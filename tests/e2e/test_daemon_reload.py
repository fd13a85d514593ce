"""Reload (SPEC section 5): inotify and SIGHUP, broken edits keep the old
version, removed jobs stop, runs in progress are not disturbed."""
import time

from daemon import USEC, soon

TICK = """
jobs:
  tick:
    command: "echo {word} >> {out}"
    schedule: {{cron: "*/1 * * * * *"}}
"""


def words(path):
    return path.read_text().split() if path.exists() else []


def wait_word(d, path, word, timeout=4):
    """Waits until @word is appended to @path after now; returns its count."""
    before = words(path).count(word)
    d.wait_for(lambda: words(path).count(word) > before, timeout, f"a new '{word}' in {path.name}")


def test_a_new_file_is_picked_up_without_sighup(daemon, tmp_path):
    out = tmp_path / "out"
    daemon.start()
    t0 = time.monotonic()
    daemon.write_job("new.yaml", TICK.format(word="new", out=out))
    daemon.wait_for(lambda: "1 added" in daemon.logtext(), 2, "the reload")
    assert time.monotonic() - t0 < 1.0
    assert "SIGHUP" not in daemon.logtext()
    wait_word(daemon, out, "new", 3)
    # Editors' temporary files and other names are ignored.
    daemon.write_job("draft.yaml~", TICK.format(word="backup", out=out))
    daemon.write_job("notes.txt", TICK.format(word="txt", out=out))
    time.sleep(1.5)
    assert set(words(out)) == {"new"}


def test_sighup_reloads(daemon, tmp_path):
    out = tmp_path / "out"
    daemon.start()
    daemon.write_job("a.yaml", TICK.format(word="a", out=out))
    daemon.reload()     # at once, before inotify's debounce would
    log = daemon.logtext()
    assert "Reloading on SIGHUP." in log
    assert "Reloaded 1 job file(s): 1 added" in log.split("Reloading on SIGHUP.")[1]
    wait_word(daemon, out, "a", 3)


def test_broken_edits_keep_the_old_version_then_removal_stops_it(daemon, tmp_path):
    out = tmp_path / "out"
    other = tmp_path / "other"
    daemon.write_job("tick.yaml", TICK.format(word="v1", out=out) + f"""
  other:
    command: "echo other >> {other}"
    schedule: {{cron: "*/1 * * * * *"}}
""")
    daemon.start()
    wait_word(daemon, out, "v1")

    # Not YAML at all: the whole file is refused, both jobs keep running.
    daemon.write_job("tick.yaml", "jobs:\n  tick: [unclosed\n")
    daemon.reload()
    assert "tick.yaml:" in daemon.logtext().split("Reloading on SIGHUP.")[-1]
    wait_word(daemon, out, "v1")
    wait_word(daemon, other, "other")

    # A bad cron in one job: that job keeps v1, the other job is updated.
    daemon.write_job("tick.yaml", f"""
jobs:
  tick:
    command: "echo v2 >> {out}"
    schedule: {{cron: "*/1 * * * * * * *"}}
  other:
    command: "echo other2 >> {other}"
    schedule: {{cron: "*/1 * * * * *"}}
""")
    daemon.reload()
    tail = daemon.logtext().split("Reloading on SIGHUP.")[-1]
    assert "tick.yaml:5:" in tail and "cron" in tail, tail
    wait_word(daemon, out, "v1")
    wait_word(daemon, other, "other2")
    assert "v2" not in words(out)

    # Fixed: the new version runs.
    daemon.write_job("tick.yaml", TICK.format(word="v3", out=out))
    daemon.reload()
    wait_word(daemon, out, "v3")
    n = len(words(out))

    # Removed: it stops firing.
    (daemon.jobs_dir / "tick.yaml").unlink()
    daemon.reload()
    assert "Job 'tick' is no longer defined" in daemon.logtext()
    time.sleep(0.2)     # a firing started just before may still write
    n = len(words(out))
    time.sleep(2)
    assert len(words(out)) == n
    assert daemon.proc.poll() is None


def test_runs_in_progress_survive_a_reload(daemon, tmp_path):
    daemon.write_job("slow.yaml", f"""
jobs:
  slow:
    command: "sleep 1.5; echo done-$SCHEDD_RUN_ID >> {tmp_path}/done"
    schedule: {{at: {soon()}}}
  gone:
    command: "sleep 1.5; echo gone-$SCHEDD_RUN_ID >> {tmp_path}/done"
    schedule: {{at: {soon()}}}
""")
    daemon.start()
    slow = daemon.wait_runs("slow", 1, "running", timeout=8)[0]
    gone = daemon.wait_runs("gone", 1, "running", timeout=8)[0]
    # Change one job (its command) and remove the other while both run.
    daemon.write_job("slow.yaml", f"""
jobs:
  slow:
    description: changed
    command: "echo changed"
    schedule: {{at: {int(time.time()) + 60}}}
""")
    daemon.reload()
    assert "1 changed, 1 removed" in daemon.logtext()
    row = daemon.wait_for(lambda: [r for r in daemon.runs("slow", "succeeded") if r["id"] == slow["id"]], 5,
                          "the changed job's run to finish")[0]
    assert row["end_time"] - row["start_time"] > 1.4 * USEC
    daemon.wait_for(lambda: (tmp_path / "done").exists() and len(words(tmp_path / "done")) == 2, 3,
                    "both runs to finish")
    assert sorted(words(tmp_path / "done")) == [f"done-{slow['id']}", f"gone-{gone['id']}"]
    assert f"Run {gone['id']} of 'gone' succeeded" in daemon.logtext()
    assert "Failed to update run" not in daemon.logtext()
    # The changed job's history is kept, and it is still known by its id
    # (a further reload neither duplicates nor loses it).
    daemon.reload()
    assert "Reloaded 1 job file(s): 0 added, 0 changed, 0 removed" in daemon.logtext()
    assert [r["id"] for r in daemon.runs("slow")] == [slow["id"]]


def test_a_job_removed_while_running_and_added_back(daemon, tmp_path):
    job = f"""
jobs:
  back:
    command: "sleep 1.5; echo $SCHEDD_RUN_ID >> {tmp_path}/out"
    schedule: {{at: {soon()}}}
"""
    daemon.write_job("back.yaml", job)
    daemon.start()
    first = daemon.wait_runs("back", 1, "running", timeout=8)[0]
    (daemon.jobs_dir / "back.yaml").unlink()
    daemon.reload()
    # Back, with a new schedule, before its old run has ended.
    daemon.write_job("back.yaml", f"""
jobs:
  back:
    command: "echo $SCHEDD_RUN_ID >> {tmp_path}/out"
    schedule: {{cron: "*/1 * * * * *"}}
""")
    daemon.reload()
    assert "1 added" in daemon.logtext().split("Reloading on SIGHUP.")[-1]
    daemon.wait_for(lambda: (tmp_path / "out").exists() and str(first["id"]) in words(tmp_path / "out"), 4,
                    "the old run to end")
    # The new job goes on, recorded, after the old one's last run.
    ended = time.time() * USEC
    daemon.wait_for(lambda: [r for r in daemon.runs("back", "succeeded") if r["start_time"] > ended + USEC], 4,
                    "a recorded run of the new job")
    assert "Failed to" not in daemon.logtext()
