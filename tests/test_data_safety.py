"""What `--force`, scenario names and concurrent writers may never do: delete or mix data."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import SCENARIOS

from sim import load_scenario
from sim.cli import cli
from sim.errors import OutputError
from sim.runs.backends import Execution
from sim.runs.ensemble import EnsembleSpec, run_chunks
from sim.runs.store import ResultStore

ECR = str(SCENARIOS / "export_control_review.yaml")


def sim(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def keep(directory, name="field_notes.txt"):
    """Put a precious file in ``directory`` and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    precious = directory / name
    precious.write_text("irreplaceable")
    return precious


@pytest.mark.parametrize("name", ["..", ".", "...", "..x", "-x", ".hidden", "a/b", "x" * 65])
def test_a_name_that_is_not_a_plain_directory_name_is_refused(tmp_path, monkeypatch, name):
    """`--set name=..` with --force would replace the working directory's parent: refused up front."""
    work = tmp_path / "work"
    precious = keep(work)
    outputs_note = keep(work / "outputs", "README.md")
    monkeypatch.chdir(work)
    checked = sim("validate", ECR, "--set", f"name={name}")
    assert checked.exit_code == 2 and len(checked.stderr.strip().splitlines()) == 1
    assert ("name = " in checked.stderr and "must start with" in checked.stderr) or "as YAML" in checked.stderr
    ran = sim("run", ECR, "--set", f"name={name}", "--force", "--runs", 20, "--no-figures")
    assert ran.exit_code == 2, ran.output
    assert len(ran.stderr.strip().splitlines()) == 1
    assert precious.read_text() == "irreplaceable" and outputs_note.is_file()
    assert sorted(p.name for p in work.iterdir()) == ["field_notes.txt", "outputs"]


@pytest.mark.parametrize("name", ["ok", "tiktok_2020.v2", "_x", "9-lives"])
def test_plain_names_are_accepted(name):
    assert sim("validate", ECR, "--set", f"name={name}").exit_code == 0


def test_force_does_not_replace_a_directory_of_other_files(tmp_path):
    precious = keep(tmp_path / "mydata")
    ran = sim("run", ECR, "--runs", 20, "--out", tmp_path / "mydata", "--force", "--no-figures")
    assert ran.exit_code == 2
    assert "not a result sim wrote" in ran.stderr and "mydata" in ran.stderr
    assert precious.read_text() == "irreplaceable"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mydata"]


@pytest.mark.parametrize(
    "manifest",
    [
        "{}",
        '{"name": "my web app", "version": 3}',
        '{"result": {"written_by": "dealsim result", "entries": {"notes.txt": "file"}, "digest": "forged"}}',
    ],
)
def test_force_does_not_replace_a_project_that_has_its_own_manifest(tmp_path, manifest):
    """A manifest.json that is not sim's sealed one (many projects have one) is no licence to delete."""
    precious = keep(tmp_path / "project", "notes.txt")
    (tmp_path / "project" / "manifest.json").write_text(manifest)
    ran = sim("run", ECR, "--runs", 20, "--out", tmp_path / "project", "--force", "--no-figures")
    assert ran.exit_code == 2 and "not a result sim wrote" in ran.stderr
    assert len(ran.stderr.strip().splitlines()) == 1
    assert precious.read_text() == "irreplaceable"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]


def test_force_does_not_delete_a_file_added_to_a_result(tmp_path):
    """A result directory where the user saved a file of their own is not replaced: it names the file."""
    out = tmp_path / "res"
    assert sim("run", ECR, "--runs", 20, "--out", out, "--no-figures", "--no-report").exit_code == 0
    precious = keep(out / "figures", "my_annotations.txt")
    ran = sim("run", ECR, "--runs", 30, "--out", out, "--force", "--no-figures")
    assert ran.exit_code == 2 and "figures/my_annotations.txt" in ran.stderr
    assert precious.read_text() == "irreplaceable"
    assert json.loads((out / "summary.json").read_text())["runs"] == 20


def test_sim_report_keeps_a_result_replaceable(tmp_path):
    """`sim report DIR` adds report.html to a result written without one; --force still knows the result."""
    out = tmp_path / "res"
    assert sim("run", ECR, "--runs", 20, "--out", out, "--no-figures", "--no-report").exit_code == 0
    assert sim("report", out).exit_code == 0
    assert sim("run", ECR, "--runs", 30, "--out", out, "--force", "--no-figures", "--no-report").exit_code == 0
    assert json.loads((out / "summary.json").read_text())["runs"] == 30


def test_force_does_not_go_through_a_linked_parent(tmp_path):
    """--out link/res where link is a symbolic link: --force would replace the link target's content."""
    target = tmp_path / "elsewhere"
    assert sim("run", ECR, "--runs", 20, "--out", target / "res", "--no-figures", "--no-report").exit_code == 0
    before = (target / "res" / "summary.json").read_bytes()
    (tmp_path / "link").symlink_to(target)
    ran = sim("run", ECR, "--runs", 30, "--out", tmp_path / "link" / "res", "--force", "--no-figures")
    assert ran.exit_code == 2 and "symbolic link" in ran.stderr and str(tmp_path / "link") in ran.stderr
    assert (target / "res" / "summary.json").read_bytes() == before


def test_a_lock_file_that_is_a_link_is_refused_not_written_through(tmp_path):
    """A symbolic link planted at .res.lock: the run is refused and the link's target keeps its content."""
    victim = keep(tmp_path / "home", ".bashrc")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / ".res.lock").symlink_to(victim)
    ran = sim("run", ECR, "--runs", 20, "--out", tmp_path / "out" / "res", "--no-figures")
    assert ran.exit_code == 2 and "lock file" in ran.stderr and "symbolic link" in ran.stderr
    assert victim.read_text() == "irreplaceable"


def test_a_force_that_cannot_delete_the_old_result_leaves_it_whole(tmp_path):
    """A result with a read-only subdirectory: --force is refused before anything moves; no .old copy is left."""
    if os.geteuid() == 0:
        pytest.skip("root may delete anything: the permission check cannot fail")
    out = tmp_path / "res"
    assert sim("run", ECR, "--runs", 20, "--out", out, "--no-report").exit_code == 0
    (out / "figures").chmod(0o555)
    try:
        ran = sim("run", ECR, "--runs", 30, "--out", out, "--force", "--no-figures")
        assert ran.exit_code == 2 and "cannot be deleted" in ran.stderr
        assert json.loads((out / "summary.json").read_text())["runs"] == 20
        assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]
    finally:
        (out / "figures").chmod(0o755)


def test_an_old_copy_left_by_a_killed_writer_is_removed(tmp_path):
    """A `.res.<pid>.old` left by a writer killed mid-swap is removed by the next writer of the same result."""
    out = tmp_path / "res"
    stale = tmp_path / ".res.12345.old"
    keep(stale, "summary.json")
    assert sim("run", ECR, "--runs", 20, "--out", out, "--no-figures", "--no-report").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]


def test_force_does_not_replace_the_working_directory(tmp_path, monkeypatch):
    precious = keep(tmp_path / "work")
    (tmp_path / "work" / "manifest.json").write_text("{}")  # even one that looks like a result
    monkeypatch.chdir(tmp_path / "work")
    for out in (".", "..", "sub/../.."):
        ran = sim("run", ECR, "--runs", 20, "--out", out, "--force", "--no-figures")
        assert ran.exit_code == 2 and "working directory" in ran.stderr, (out, ran.output)
    assert precious.read_text() == "irreplaceable"


def test_force_does_not_follow_a_symbolic_link(tmp_path):
    target = tmp_path / "elsewhere"
    precious = keep(target)
    (target / "manifest.json").write_text("{}")
    (tmp_path / "outputs").mkdir()
    (tmp_path / "outputs" / "res").symlink_to(target)
    ran = sim("run", ECR, "--runs", 20, "--out", tmp_path / "outputs" / "res", "--force", "--no-figures")
    assert ran.exit_code == 2 and "symbolic link" in ran.stderr
    assert precious.read_text() == "irreplaceable" and (tmp_path / "outputs" / "res").is_symlink()


def test_force_replaces_an_empty_directory_or_a_result(tmp_path):
    out = tmp_path / "res"
    out.mkdir()
    assert sim("run", ECR, "--runs", 20, "--out", out, "--force", "--no-figures").exit_code == 0
    assert sim("run", ECR, "--runs", 30, "--out", out, "--force", "--no-figures").exit_code == 0
    assert json.loads((out / "summary.json").read_text())["runs"] == 30
    assert [p.name for p in tmp_path.iterdir()] == ["res"]  # no lock, partial or old copy left


HOLD_THE_LOCK = """
import sys
from sim import load_scenario
from sim.runs.ensemble import EnsembleSpec
from sim.runs.store import ResultStore
spec = EnsembleSpec(load_scenario(sys.argv[1]), 600, 7, "sample", 1000)
store = ResultStore(sys.argv[2], spec)
store.open()
print("locked", flush=True)
sys.stdin.read()  # hold the store until the test closes our input
"""


def test_a_second_writer_is_refused_while_the_first_writes(tmp_path):
    """The first writer holds the store; a second (even with --force) exits 2 and touches nothing."""
    out = tmp_path / "res"
    first = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, ECR, str(out)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert first.stdout.readline().strip() == "locked"  # a state, not a timer
        state = (tmp_path / ".res.partial" / "state.json").read_bytes()
        second = sim("run", ECR, "--runs", 600, "--seed", 8, "--out", out, "--force", "--no-figures")
        assert second.exit_code == 2
        assert f"another sim (pid {first.pid}) is writing this result" in second.stderr
        assert (tmp_path / ".res.partial" / "state.json").read_bytes() == state
        assert not out.exists()
    finally:
        first.communicate("")
    assert first.returncode == 0
    # the lock died with its holder: the saved run can now be taken over
    assert sim("run", ECR, "--runs", 600, "--seed", 8, "--out", out, "--force", "--no-figures").exit_code == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 8


def test_a_chunk_saved_by_another_ensemble_is_refused(tmp_path, export_control):
    """Chunks carry the digest of their ensemble; a foreign one stops assembly with a clear error."""
    mine = ResultStore(tmp_path / "res", EnsembleSpec(export_control, 600, 7, "sample", 1000))
    theirs = ResultStore(tmp_path / "res", EnsembleSpec(export_control, 600, 8, "sample", 1000))
    mine.open()
    try:
        run_chunks(mine.spec, mine.add, execution=Execution(backend="serial"))
        assert mine.tally().count["runs"] == 600
        foreign = []
        run_chunks(theirs.spec, foreign.append, execution=Execution(backend="serial"))
        theirs.add(foreign[1])  # as if a second writer slipped a chunk in
        with pytest.raises(OutputError, match="saved by another ensemble"):
            mine.tally()
    finally:
        mine.close()
    assert not (tmp_path / ".res.lock").exists()


def test_an_empty_state_file_is_reported_not_a_json_error(tmp_path):
    partial = tmp_path / ".res.partial"
    (partial / "parts").mkdir(parents=True)
    (partial / "state.json").write_text("")
    ran = sim("run", ECR, "--runs", 20, "--out", tmp_path / "res", "--resume", "--no-figures")
    assert ran.exit_code == 2 and "differs in" in ran.stderr and "--force to start over" in ran.stderr


def test_a_bad_scheduler_leaves_nothing_to_resume(tmp_path):
    """The executor is refused after the store is opened: no .partial is left to mistake for a run."""
    args = ("run", ECR, "--runs", 20, "--out", tmp_path / "res", "--scheduler", "tcp://127.0.0.1:1")
    ran = sim(*args, "--backend", "processes")
    assert ran.exit_code == 2 and "only with backend dask" in ran.stderr
    assert os.listdir(tmp_path) == []
    assert sim(*args[:-2], "--no-figures").exit_code == 0  # not "an interrupted run is saved"


def test_a_saved_run_of_another_stream_version_is_not_resumed(tmp_path, monkeypatch):
    """Random streams changed kind once (numpy to stdlib); a run saved before is refused by name."""
    out = tmp_path / "res"
    import sim.runs.store as store

    monkeypatch.setattr(store, "STREAM_VERSION", 1)
    mine = ResultStore(out, EnsembleSpec(load_scenario(ECR), 600, 7, "sample", 1000))
    mine.open()
    mine.close()
    monkeypatch.undo()
    ran = sim("run", ECR, "--runs", 600, "--seed", 7, "--out", out, "--resume", "--no-figures")
    assert ran.exit_code == 2 and "differs in stream_version" in ran.stderr
    assert json.loads((tmp_path / ".res.partial" / "state.json").read_text())["stream_version"] == 1


def test_a_saved_run_of_another_model_version_is_not_resumed(tmp_path, monkeypatch):
    """The model's reactions changed order once (moments delivered in order); a run saved before is refused."""
    out = tmp_path / "res"
    import sim.runs.store as store

    monkeypatch.setattr(store, "MODEL_VERSION", 1)
    mine = ResultStore(out, EnsembleSpec(load_scenario(ECR), 600, 7, "sample", 1000))
    mine.open()
    mine.close()
    monkeypatch.undo()
    ran = sim("run", ECR, "--runs", 600, "--seed", 7, "--out", out, "--resume", "--no-figures")
    assert ran.exit_code == 2 and "differs in model_version" in ran.stderr
    ok = sim("run", ECR, "--runs", 20, "--out", tmp_path / "fresh", "--no-figures", "--no-report")
    assert ok.exit_code == 0
    assert json.loads((tmp_path / "fresh" / "manifest.json").read_text())["model_version"] == store.MODEL_VERSION
