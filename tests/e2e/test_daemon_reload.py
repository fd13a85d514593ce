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
    # The child writes its word before it exits; the log line follows.
    daemon.wait_log(f"Run {gone['id']} of 'gone' succeeded")
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


def last_reload(d):
    lines = [line for line in d.logtext().splitlines() if "Reloaded " in line]
    return lines[-1] if lines else ""


def settle():
    """A file written in the last 2 s is parsed at every load (its times
    could hide a second write); let the ones just written age."""
    time.sleep(2.1)


def test_a_reload_parses_only_the_files_that_changed(daemon, tmp_path):
    out = tmp_path / "out"
    daemon.write_job("a.yaml", TICK.format(word="a", out=out).replace("tick:", "ta:"))
    daemon.write_job("b.yaml", TICK.format(word="b", out=out).replace("tick:", "tb:"))
    daemon.write_job("c.yaml", TICK.format(word="c", out=out).replace("tick:", "tc:"))
    settle()
    daemon.start()
    daemon.reload()
    assert "Reloaded 3 job file(s): 0 added, 0 changed, 0 removed, 0 error(s); 3 unchanged" in last_reload(daemon)

    # One file edited: only it is read; the others' jobs stand as they were.
    daemon.write_job("b.yaml", TICK.format(word="B", out=out).replace("tick:", "tb:"))
    daemon.reload()
    assert "0 added, 1 changed, 0 removed, 0 error(s); 2 unchanged" in last_reload(daemon)
    wait_word(daemon, out, "B", 3)
    wait_word(daemon, out, "a", 3)
    wait_word(daemon, out, "c", 3)

    # A file removed takes its jobs with it, the rest still unread.
    (daemon.jobs_dir / "c.yaml").unlink()
    daemon.reload()
    assert "0 added, 0 changed, 1 removed" in last_reload(daemon)
    daemon.wait_for(lambda: "tc" not in [r[0] for r in daemon.db().execute("SELECT id FROM jobs")], 3,
                    "the removed job's row to go")
    assert {r[0] for r in daemon.db().execute("SELECT id FROM jobs")} == {"ta", "tb"}

    # A file with an error is read at every reload, so its error is
    # reported each time (and the job keeps its previous version).
    daemon.write_job("b.yaml", "jobs:\n  tb:\n    command: true\n    schedule: {cron: \"61 * * * *\"}\n")
    settle()
    daemon.reload()
    assert "1 error(s); 1 unchanged" in last_reload(daemon)
    daemon.reload()
    assert "1 error(s); 1 unchanged" in last_reload(daemon)
    assert daemon.logtext().count("expected a minute") >= 2
    wait_word(daemon, out, "B", 3)


def test_a_changed_file_taking_the_id_of_an_unchanged_files_job_is_judged_by_file_order(daemon, tmp_path):
    """The first file in name order keeps a duplicated id, also when only
    the later file changed and the earlier one is not read again."""
    out = tmp_path / "out"
    daemon.write_job("a.yaml", TICK.format(word="a", out=out))
    daemon.write_job("z.yaml", TICK.format(word="z0", out=out).replace("tick:", "other:"))
    settle()
    daemon.start()
    wait_word(daemon, out, "a", 3)
    # z.yaml now also defines tick: a.yaml's stays, and z.yaml says why.
    daemon.write_job("z.yaml", TICK.format(word="z0", out=out).replace("tick:", "other:")
                     + TICK.format(word="z", out=out).replace("jobs:\n", ""))
    daemon.reload()
    log = daemon.logtext()
    assert "duplicate job id 'tick'" in log
    assert "0 added, 0 changed, 0 removed, 1 error(s)" in last_reload(daemon)
    wait_word(daemon, out, "a", 3)
    time.sleep(1.2)
    assert "z" not in words(out)


def test_a_job_fixed_after_a_broken_start_keeps_its_saved_state(daemon, schedctl):
    """A file refused when schedd starts keeps its jobs' saved state
    (paused): fixed, its job comes back paused, and the row of a job the
    fix removed goes."""
    good = 'jobs:\n  keep:\n    command: "true"\n    schedule: {cron: "*/1 * * * * *"}\n'
    gone = '  gone:\n    command: "true"\n    schedule: {cron: "0 0 1 1 *"}\n'
    daemon.write_job("k.yaml", good + gone)
    daemon.start()
    assert schedctl("--socket", daemon.socket, "pause", "keep").returncode == 0
    assert daemon.stop() == 0
    daemon.write_job("k.yaml", good + gone + "  : [\n")
    daemon.start()
    assert "k.yaml" in daemon.logtext()
    with daemon.db() as c:
        assert {r[0] for r in c.execute("SELECT id FROM jobs")} == {"keep", "gone"}
    daemon.write_job("k.yaml", good)
    fixed = time.time() * USEC
    daemon.reload()
    assert "1 added" in last_reload(daemon)
    with daemon.db() as c:
        assert c.execute("SELECT paused FROM jobs WHERE id = 'keep'").fetchone() == (1,)
        assert {r[0] for r in c.execute("SELECT id FROM jobs")} == {"keep"}
    time.sleep(1.5)
    assert [r for r in daemon.runs("keep") if (r["start_time"] or 0) > fixed] == []
