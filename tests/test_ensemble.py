"""Ensembles: reproducible whatever the number of workers; summaries that add up."""

from __future__ import annotations

import pandas as pd
import pytest

from sim import run_ensemble
from sim.errors import UsageError
from sim.outcomes import Outcome
from sim.runs.backends import Execution
from sim.runs.ensemble import EnsembleSpec, chunk_size


def test_workers_do_not_change_results(export_control):
    """The same scenario and seed give identical results serially and on two processes."""
    serial = run_ensemble(export_control, runs=400, seed=5, execution=Execution(workers=1))
    parallel = run_ensemble(export_control, runs=400, seed=5, execution=Execution(workers=2))
    pd.testing.assert_frame_equal(serial.runs, parallel.runs)
    pd.testing.assert_frame_equal(serial.events, parallel.events)
    pd.testing.assert_frame_equal(serial.spans, parallel.spans)
    assert serial.summary == parallel.summary


def test_prefix_of_a_larger_ensemble(export_control):
    """Run i is the same run whatever the ensemble's size."""
    small = run_ensemble(export_control, runs=100, seed=3, execution=Execution(workers=1))
    large = run_ensemble(export_control, runs=250, seed=3, execution=Execution(workers=1))
    pd.testing.assert_frame_equal(small.runs, large.runs.iloc[:100])


def test_seed_changes_results(export_control):
    """Another master seed plays other runs (outcomes, dates, review times); the same one, the same runs."""
    a = run_ensemble(export_control, runs=100, seed=1, execution=Execution(workers=1))
    b = run_ensemble(export_control, runs=100, seed=2, execution=Execution(workers=1))
    again = run_ensemble(export_control, runs=100, seed=1, execution=Execution(workers=1))
    played = ["outcome", "end_date", "close_date", "host_review_days", "ban_days"]
    assert a.runs.equals(again.runs)
    differ = (a.runs[played].astype(str) != b.runs[played].astype(str)).any(axis=1)
    assert differ.mean() > 0.5  # most runs play out differently, not just with other seed numbers
    assert (a.runs["outcome"] != b.runs["outcome"]).sum() > 10


def test_summary_covers_all_outcomes_and_adds_up(export_control):
    """All ten outcomes appear, counts add up to the runs, intervals bracket p."""
    result = run_ensemble(export_control, runs=300, seed=0, execution=Execution(workers=1))
    outcomes = result.summary["outcomes"]
    assert list(outcomes) == [o.value for o in Outcome]
    assert sum(o["count"] for o in outcomes.values()) == 300
    for o in outcomes.values():
        assert o["ci95"][0] <= o["p"] <= o["ci95"][1]
    assert result.summary["runs"] == 300 and result.summary["seed"] == 0
    assert set(result.events["run_id"]) == set(range(300))
    assert list(result.events.columns) == ["run_id", "day", "date", "actor", "event", "detail"]


def test_event_dates_follow_days(export_control):
    result = run_ensemble(export_control, runs=20, seed=0, execution=Execution(workers=1))
    row = result.events.iloc[5]
    assert pd.Timestamp(row["date"]) == pd.Timestamp(export_control.start) + pd.Timedelta(days=int(row["day"]))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"runs": 0}, "runs = 0: must be a whole number >= 1"),
        ({"runs": 10, "seed": -1}, "seed = -1"),
        ({"runs": 10, "chunk": 0}, "chunk size = 0"),
    ],
)
def test_bad_ensemble_arguments(export_control, kwargs, match):
    with pytest.raises(UsageError, match=match):
        run_ensemble(export_control, **kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"workers": 0}, "workers = 0"),
        ({"workers": True}, "workers = True"),
        ({"backend": "gpu"}, "backend = 'gpu'"),
        ({"backend": "processes", "scheduler": "tcp://x:1"}, "only with backend dask"),
    ],
)
def test_bad_execution_is_refused_when_made(kwargs, match):
    with pytest.raises(UsageError, match=match):
        Execution(**kwargs)


def test_never_more_workers_than_chunks(export_control, monkeypatch):
    """The most workers allowed (four a core) with 3 chunks starts 3 processes; one chunk runs in this process."""
    import sim.runs.ensemble as ensemble
    from sim.runs.backends import WORKERS_PER_CORE, default_workers

    most = WORKERS_PER_CORE * default_workers()

    opened = []
    real = ensemble.open_executor
    monkeypatch.setattr(ensemble, "open_executor", lambda b, w, s=None: opened.append((b, w)) or real(b, w, s))
    seen = []
    result = run_ensemble(export_control, runs=5, execution=Execution(workers=most, progress=seen.append))
    assert result.summary["runs"] == 5 and seen == [5] and opened == [("serial", 1)]
    run_ensemble(export_control, runs=30, chunk=10, execution=Execution(workers=most))
    assert opened[-1] == ("processes", 3)


def test_chunks_cover_every_run_once(export_control):
    """Chunks tile the runs exactly, and depend on the number of runs alone."""
    for runs in (1, 99, 1000, 123457, 1_000_000):
        bounds = EnsembleSpec(export_control, runs, 0).chunks()
        assert bounds[0][0] == 0 and bounds[-1][1] == runs
        assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
        assert all(b - a <= chunk_size(runs) for a, b in bounds)


def test_progress_true_draws_a_tqdm_bar_to_the_end(export_control, capsys):
    """Notebooks and scripts get progress with Execution(progress=True): tqdm.auto, counted in runs."""
    result = run_ensemble(export_control, runs=60, chunk=20, execution=Execution(workers=1, progress=True))
    assert result.summary["runs"] == 60
    bar = capsys.readouterr().err
    assert "export_control_review" in bar and "60/60" in bar and "runs/s" in bar


def test_the_collector_is_switched_off_only_on_the_main_thread():
    """A chunk on the main thread turns Python's cyclic collector off and collects after each run;
    on another thread (the dashboard's tasks) it leaves the process-wide switch alone."""
    import gc
    import threading

    from sim.runs.ensemble import collected_per_run

    seen = {}

    def chunk(name):
        with collected_per_run() as run_done:
            seen[name] = gc.isenabled()
            run_done()

    assert gc.isenabled()
    chunk("main")
    worker = threading.Thread(target=chunk, args=("thread",))
    worker.start()
    worker.join()
    assert seen == {"main": False, "thread": True}
    assert gc.isenabled()
