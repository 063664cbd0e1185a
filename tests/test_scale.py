"""Ensembles at scale: identical files on every backend, resume after a kill, failures recorded."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SCENARIOS

from sim import DealModel, run_ensemble
from sim.runs.backends import Execution
from sim.runs.store import load_result, run_to_directory

ECR = SCENARIOS / "export_control_review.yaml"
FILES = ("runs.csv", "summary.json", "events.csv", "spans.csv", "runs.parquet", "events.parquet")


def same_files(a: Path, b: Path, names=FILES) -> None:
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


# Small ensembles cut into many chunks: 1,200 runs in 12 chunks, event logs and attribution for
# the first 300 (so both cross chunk boundaries).
RUNS, SEED, CHUNK, SAMPLE = 1200, 4, 100, 300
STORE = {"chunk": CHUNK, "event_sample": SAMPLE, "attribution": SAMPLE}
CLI = ("--runs", str(RUNS), "--seed", str(SEED), "--chunk-size", str(CHUNK))
CLI += ("--event-sample", str(SAMPLE), "--attribution", str(SAMPLE))


@pytest.fixture(scope="module")
def reference(tmp_path_factory, export_control):
    """An uninterrupted serial run, the yardstick of the tests below."""
    out = tmp_path_factory.mktemp("ref") / "res"
    run_to_directory(export_control, out, RUNS, SEED, execution=Execution(backend="serial"), **STORE)
    return out


@pytest.mark.parametrize("backend, workers", [("processes", 2), ("processes", 1), ("dask", 2)])
def test_every_backend_writes_identical_files(tmp_path, export_control, reference, backend, workers):
    """serial = processes (any number of workers) = a Dask LocalCluster, byte for byte."""
    out = tmp_path / "res"
    run_to_directory(export_control, out, RUNS, SEED, execution=Execution(backend=backend, workers=workers), **STORE)
    same_files(reference, out)


def test_any_executor_can_run_the_ensemble(tmp_path, export_control, reference):
    """The runner takes any concurrent.futures.Executor (here a thread pool)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        run_to_directory(export_control, tmp_path / "res", RUNS, SEED, execution=Execution(executor=pool), **STORE)
    same_files(reference, tmp_path / "res")


# `sim run` whose chunks from number HOLD on never finish: once the chunks before HOLD are saved,
# nothing more can happen until the test's signal, so no test races the run to its end.
HELD_RUN = """
import sys, threading
import sim.runs.store as store

HOLD = int(sys.argv[1])
real = store.run_chunk_for_store

def held(spec, index, start, stop, **kwargs):
    if index >= HOLD:
        threading.Event().wait()
    return real(spec, index, start, stop, **kwargs)

store.run_chunk_for_store = held
from sim.cli import main
sys.argv = ["sim", "run", *sys.argv[2:]]
main()
"""


# `sim run` whose saving of chunk FAIL's tally fails as on a full disk, while other chunks are in flight.
FULL_DISK = """
import errno, sys
import sim.runs.store as store

FAIL = int(sys.argv[1])
real = store._atomic_write

def write(path, data):
    if path.name == f"tally-{FAIL:06d}.json":
        raise OSError(errno.ENOSPC, "No space left on device", str(path))
    return real(path, data)

store._atomic_write = write
from sim.cli import main
sys.argv = ["sim", "run", *sys.argv[2:]]
main()
"""

_STARTED: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _no_process_outlives_its_test():
    """Every `sim` a test starts leads its own process group; whatever is left of it is killed at teardown."""
    yield
    while _STARTED:
        proc = _STARTED.pop()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)


def _sim(*args: str, hold: int | None = None, script: str = HELD_RUN, sigint=signal.SIG_DFL) -> subprocess.Popen:
    """`sim run` in a process group of its own, SIGINT in the disposition given (default: as in a terminal)."""
    run = [str(ECR), "--quiet", "--no-figures", *args]
    cmd = (
        [sys.executable, "-m", "sim", "run", *run] if hold is None else [sys.executable, "-c", script, str(hold), *run]
    )
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, sigint),
    )
    _STARTED.append(proc)
    return proc


def _gone(pids: list[int], timeout: float = 30) -> bool:
    """Wait until none of ``pids`` runs (a state); False if some still run after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while any(Path(f"/proc/{pid}").exists() and _state(pid) != "Z" for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def _wait_for_chunks(parts: Path, n: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    """Wait until ``n`` chunks are saved (a state); the timeout only turns a hang into a failure."""
    deadline = time.monotonic() + timeout
    while len(list(parts.glob("tally-*.json"))) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the run saved no chunks in time"
        time.sleep(0.05)


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _saved(tmp_path: Path) -> int:
    return len(list((tmp_path / ".res.partial" / "parts").glob("tally-*.json")))


def test_resume_after_a_worker_is_killed(tmp_path, reference):
    """kill -9 of a worker stops the run (exit 1, saying how to resume); --resume then finishes
    it with the same files as an uninterrupted run."""
    out = tmp_path / "res"
    args = (*CLI, "--workers", "2", "--out", str(out))
    proc = _sim(*args, hold=4)
    _wait_for_chunks(tmp_path / ".res.partial" / "parts", 4, proc)
    workers = _children(proc.pid)
    assert len(workers) == 2, "expected two worker processes"
    os.kill(workers[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "a worker process died" in err and "--resume" in err
    assert not out.exists() and _saved(tmp_path) == 4
    resumed = _sim(*args, "--resume")
    _, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    same_files(reference, out)
    assert not (tmp_path / ".res.partial").exists()


def test_resume_after_the_whole_run_is_killed(tmp_path, reference):
    """kill -9 of the command and its workers loses only the chunks in flight."""
    out = tmp_path / "res"
    args = (*CLI, "--workers", "2", "--out", str(out))
    proc = _sim(*args, hold=5)
    _wait_for_chunks(tmp_path / ".res.partial" / "parts", 5, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert _saved(tmp_path) == 5
    resumed = _sim(*args, "--resume")
    _, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    same_files(reference, out)


def test_ctrl_c_saves_what_is_done(tmp_path, reference):
    """Ctrl-C (SIGINT to the process group) exits 130, keeps the finished chunks, and resumes."""
    out = tmp_path / "res"
    args = (*CLI, "--workers", "2", "--out", str(out))
    proc = _sim(*args, hold=3)
    _wait_for_chunks(tmp_path / ".res.partial" / "parts", 3, proc)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted: 3 of 12 chunks are saved" in err and "--resume" in err
    resumed = _sim(*args, "--resume")
    assert resumed.wait(timeout=120) == 0
    same_files(reference, out)


def test_ctrl_c_works_when_sigint_was_inherited_as_ignored(tmp_path):
    """A command started with `&` from a script inherits SIGINT as ignored; sim still stops on Ctrl-C."""
    out = tmp_path / "res"
    proc = _sim(*CLI, "--workers", "2", "--out", str(out), hold=2, sigint=signal.SIG_IGN)
    _wait_for_chunks(tmp_path / ".res.partial" / "parts", 2, proc)
    workers = _children(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted: 2 of 12 chunks are saved" in err
    assert _gone(workers), "workers outlived the command"


def test_workers_die_with_the_command_killed_alone(tmp_path):
    """kill -9 of the main process only (not its group): its workers end too, within seconds."""
    out = tmp_path / "res"
    proc = _sim(*CLI, "--workers", "2", "--out", str(out), hold=2)
    _wait_for_chunks(tmp_path / ".res.partial" / "parts", 2, proc)
    workers = _children(proc.pid)
    assert len(workers) == 2
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert _gone(workers, timeout=30), "workers outlived the command"


def test_a_full_disk_stops_the_run_in_one_line_and_keeps_what_was_saved(tmp_path, reference):
    """Saving a chunk fails (ENOSPC) while others are in flight: exit 1 within seconds, one line naming the
    cause and --resume, no worker left; --resume then finishes with the files of an uninterrupted run."""
    out = tmp_path / "res"
    args = (*CLI, "--workers", "2", "--out", str(out))
    proc = _sim(*args, hold=5, script=FULL_DISK)
    _, err = proc.communicate(timeout=90)
    assert proc.returncode == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "No space left on device" in lines[0] and "--resume" in lines[0], err
    assert not out.exists() and 0 < _saved(tmp_path) < 12
    assert not _children(proc.pid)
    resumed = _sim(*args, "--resume")
    _, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    same_files(reference, out)


def test_sigterm_to_the_command_alone_stops_its_workers(tmp_path, reference):
    """SIGTERM to the main process only (a scheduler, systemd) exits 130 and leaves no worker behind."""
    out = tmp_path / "res"
    args = (*CLI, "--workers", "2", "--out", str(out))
    proc = _sim(*args, hold=2)
    _wait_for_chunks(tmp_path / ".res.partial" / "parts", 2, proc)
    workers = _children(proc.pid)
    assert len(workers) == 2
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted: 2 of 12 chunks are saved" in err
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "orphaned workers"
    resumed = _sim(*args, "--resume")
    assert resumed.wait(timeout=120) == 0
    same_files(reference, out)


def test_resume_refuses_different_settings(tmp_path):
    """--resume of a saved run with another seed is refused, naming what differs (exit 2)."""
    out = tmp_path / "res"
    proc = _sim(*CLI, "--workers", "1", "--out", str(out), hold=1)
    _wait_for_chunks(tmp_path / ".res.partial" / "parts", 1, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    other = _sim(*CLI[:2], "--seed", "9", *CLI[4:], "--out", str(out), "--resume")
    _, err = other.communicate(timeout=60)
    assert other.returncode == 2
    assert "differs in seed" in err


def test_a_failing_run_is_recorded_not_fatal(monkeypatch, export_control):
    """A run that raises is recorded as failed with its seed and error; the others go on."""
    real = DealModel.run

    def flaky(self):
        if self.run_id in (7, 123):
            raise ZeroDivisionError("simulated bug")
        return real(self)

    monkeypatch.setattr(DealModel, "run", flaky)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:  # threads share the patched model; processes may not
        results = [
            run_ensemble(export_control, runs=600, seed=0, execution=Execution(workers=1)),
            run_ensemble(export_control, runs=600, seed=0, execution=Execution(executor=pool)),
        ]
    for result in results:
        failed = result.runs[result.runs["outcome"] == "failed"]
        assert list(failed["run_id"]) == [7, 123]
        assert failed["error"].str.startswith("ZeroDivisionError: simulated bug").all()
        assert failed["seed"].notna().all()
        assert result.summary["failed"]["count"] == 2
        assert [f["run_id"] for f in result.summary["failed"]["first"]] == [7, 123]
        assert sum(o["count"] for o in result.summary["outcomes"].values()) == 598


def test_event_modes(export_control):
    """events: sample keeps the first runs' logs, none keeps no log; the runs are unchanged."""
    every = run_ensemble(export_control, runs=300, seed=0, execution=Execution(workers=1))
    sample = run_ensemble(
        export_control, runs=300, seed=0, execution=Execution(workers=1), events="sample", event_sample=40
    )
    none = run_ensemble(export_control, runs=300, seed=0, execution=Execution(workers=1), events="none")
    assert set(sample.events["run_id"]) == set(range(40))
    assert none.events.empty and none.spans.empty
    assert every.runs.equals(sample.runs) and every.runs.equals(none.runs)
    assert every.summary == none.summary


def test_load_result_round_trips(tmp_path, export_control):
    """A result directory loads back as the result that wrote it (CSV or Parquet)."""
    memory = run_ensemble(export_control, runs=500, seed=2, execution=Execution(workers=1), attribution=100)
    for fmt in ("csv", "parquet"):
        out = tmp_path / fmt
        run_to_directory(
            export_control,
            out,
            500,
            2,
            execution=Execution(backend="serial"),
            formats=fmt,
            events="all",
            attribution=100,
        )
        loaded = load_result(out)
        assert loaded.summary == memory.summary
        assert loaded.runs.equals(memory.runs)
        assert loaded.events.equals(memory.events)
        assert loaded.attribution.equals(memory.attribution)
        assert loaded.tally.to_json() == memory.tally.to_json()
        assert json.loads((out / "manifest.json").read_text())["settings"]["formats"] == fmt


def test_a_failure_outside_the_run_is_a_failed_run_too(monkeypatch, export_control):
    """The attribution's rerun raising, or a record the tally cannot count (an infinite price),
    makes that run a failed one; nothing of it is half-counted and the ensemble goes on."""
    import sim.runs.ensemble as ensemble

    real_run, real_attribute = DealModel.run, ensemble.attribute

    def run(self):
        record = real_run(self)
        if self.run_id == 9:
            record["price"], record["close_date"] = float("inf"), "2020-11-01"  # round(inf * 100) overflows
        if self.run_id == 11:
            record["restructures"] = None  # a count that is no number: found before anything is counted
        if self.run_id == 13:
            record["extensions"] = [1]  # a value no histogram can take
        return record

    def attribute(model, *args, **kwargs):
        if model.run_id == 7:
            raise OverflowError("counterfactual exploded")
        return real_attribute(model, *args, **kwargs)

    monkeypatch.setattr(DealModel, "run", run)
    monkeypatch.setattr(ensemble, "attribute", attribute)
    result = run_ensemble(export_control, runs=60, seed=0, attribution=60, execution=Execution(workers=1))
    failed = result.runs[result.runs["outcome"] == "failed"].set_index("run_id")["error"]
    assert list(failed.index) == [7, 9, 11, 13]
    assert failed[[7, 9]].str.startswith("OverflowError").all()
    assert failed[[11, 13]].str.startswith("TypeError").all()
    assert sum(o["count"] for o in result.summary["outcomes"].values()) == 56
    assert result.summary["runs"] == 60
    assert not result.attribution["run_id"].isin(failed.index).any()
    assert not result.events["run_id"].isin(failed.index).any()
    a = result.summary["attribution"]
    assert a["late_runs"] + a["on_time_runs"] + a["no_deal_runs"] == 56


def test_failed_runs_make_the_command_fail_unless_allowed(tmp_path, monkeypatch, export_control):
    """`sim run` with runs that raise: results written, failures.txt with the first traceback, one line, exit 1;
    --allow-failures exits 0 with a warning."""
    from click.testing import CliRunner

    from sim.cli import cli

    real = DealModel.run

    def flaky(self):
        if self.run_id in (3, 11):
            raise ZeroDivisionError("simulated bug")
        return real(self)

    monkeypatch.setattr(DealModel, "run", flaky)
    args = ["run", str(ECR), "--runs", "40", "--workers", "1", "--no-figures", "--no-report"]
    failed = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "a")])
    assert failed.exit_code == 1
    line = failed.stderr.strip()
    assert line.startswith("error: 2 runs failed (first: run 3, seed ") and "ZeroDivisionError: simulated bug" in line
    assert "(38 counted" not in failed.stdout and "40 runs (2 failed, left out of the shares)" in failed.stdout
    text = (tmp_path / "a" / "failures.txt").read_text()
    assert "Traceback (most recent call last)" in text and "raise ZeroDivisionError" in text
    allowed = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "b"), "--allow-failures"])
    assert allowed.exit_code == 0 and "warning: 2 runs failed" in allowed.stderr


def test_an_analysis_with_failed_runs_fails_too(tmp_path, monkeypatch):
    """A sweep whose runs raise says so in one line and exits 1 (its failures.txt names the first)."""
    from click.testing import CliRunner

    from sim.cli import cli

    real = DealModel.run

    def flaky(self):
        if self.run_id == 5:
            raise ValueError("simulated bug")
        return real(self)

    monkeypatch.setattr(DealModel, "run", flaky)
    ran = CliRunner().invoke(
        cli,
        ["sweep", str(ECR), "--param", "home.tension=0.3,0.6", "--runs", "20", "--workers", "1"]
        + ["--out", str(tmp_path / "s"), "--no-report"],
    )
    assert ran.exit_code == 1 and "2 runs failed (first: run 5" in ran.stderr
    assert (tmp_path / "s" / "failures.txt").is_file()
