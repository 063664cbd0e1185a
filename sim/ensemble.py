"""Ensembles: many runs of one scenario, on all cores.

Results do not depend on how the runs were split among workers.

Run ``i`` of an ensemble with master seed ``s`` always has the seed ``run_seed(s, i)``, so the
same scenario and seed give identical results whatever the number of workers.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.errors import UsageError
from sim.model import RUN_COLUMNS, DealModel
from sim.randomness import run_seed
from sim.schema import Scenario
from sim.stats import summarize

EVENT_COLUMNS = ("run_id", "day", "date", "actor", "event", "detail")
SPAN_COLUMNS = ("run_id", "span", "actor", "start_day", "end_day")


@dataclass
class Chunk:
    """The results of runs ``start`` to ``stop - 1``."""

    start: int
    stop: int
    records: list[dict[str, Any]] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    spans: list[tuple] = field(default_factory=list)


@dataclass
class EnsembleResult:
    """What an ensemble returns.

    Attributes:
        scenario: the scenario that was run.
        seed: the master seed.
        summary: outcome probabilities with 95% CIs, and metrics (``summary.json``).
        runs: one row per run (``runs.csv``).
        events: the event logs, one row per event (``events.csv``).
        spans: the deals' timelines, one row per stretch (``spans.csv``).
    """

    scenario: Scenario
    seed: int
    summary: dict[str, Any]
    runs: pd.DataFrame
    events: pd.DataFrame
    spans: pd.DataFrame


def run_one(scenario: Scenario, seed: int = 0, index: int = 0) -> DealModel:
    """Play run ``index`` of the ensemble with master seed ``seed``; return the finished model."""
    model = DealModel(scenario, rng=run_seed(seed, index), run_id=index)
    model.run()
    return model


def run_chunk(scenario: Scenario, seed: int, start: int, stop: int, narrate: bool = True) -> Chunk:
    """Play runs ``start`` to ``stop - 1`` of an ensemble."""
    chunk = Chunk(start, stop)
    for i in range(start, stop):
        model = DealModel(scenario, rng=run_seed(seed, i), run_id=i, narrate=narrate)
        chunk.records.append(model.run())
        if narrate:
            chunk.events.extend((i, *row) for row in model.events)
            chunk.spans.extend((i, *span) for span in model.spans)
    return chunk


def default_workers() -> int:
    """All the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_ensemble(
    scenario: Scenario,
    runs: int = 1000,
    seed: int = 0,
    *,
    workers: int | None = None,
    narrate: bool = True,
    on_progress: Callable[[int], None] | None = None,
) -> EnsembleResult:
    """Run a scenario many times and summarise the outcomes.

    Args:
        scenario: a validated scenario (:func:`sim.load_scenario`).
        runs: number of runs.
        seed: master seed; run ``i`` gets ``run_seed(seed, i)``.
        workers: processes to use (default: all cores); 1 runs in this process.
        narrate: keep the event logs and timelines.
        on_progress: called with the number of runs just finished, as chunks complete.

    Returns:
        The :class:`EnsembleResult`.

    Example:
        >>> result = run_ensemble(load_scenario("scenarios/tiktok_2020.yaml"), runs=200, seed=0)
        >>> result.summary["outcomes"]["closed_by_deadline"]["p"]
    """
    check_ensemble_args(runs, seed, workers)
    workers = workers or default_workers()
    if workers == 1 or runs < 2 * _MIN_CHUNK:  # too few runs to be worth starting processes
        chunks = [_run_chunks_serial(scenario, seed, runs, narrate, on_progress)]
    else:
        chunks = _run_chunks_parallel(scenario, seed, runs, narrate, workers, on_progress)
    return collect(scenario, seed, chunks)


def check_ensemble_args(runs: int, seed: int, workers: int | None) -> None:
    """Refuse values that cannot make an ensemble, naming the value."""
    if not isinstance(runs, int) or runs < 1:
        raise UsageError(f"runs = {runs}: must be a whole number >= 1")
    if not isinstance(seed, int) or seed < 0:
        raise UsageError(f"seed = {seed}: must be a whole number >= 0")
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise UsageError(f"workers = {workers}: must be a whole number >= 1")


_MIN_CHUNK = 50
_MAX_CHUNK = 2000


def chunk_bounds(runs: int, workers: int) -> list[tuple[int, int]]:
    """Split ``runs`` into chunks: about four per worker, each 50 to 2,000 runs."""
    size = min(_MAX_CHUNK, max(_MIN_CHUNK, math.ceil(runs / (workers * 4))))
    return [(a, min(runs, a + size)) for a in range(0, runs, size)]


def _run_chunks_serial(scenario, seed, runs, narrate, on_progress) -> Chunk:
    total = Chunk(0, runs)
    for a, b in chunk_bounds(runs, 1):
        part = run_chunk(scenario, seed, a, b, narrate)
        total.records += part.records
        total.events += part.events
        total.spans += part.spans
        if on_progress:
            on_progress(b - a)
    return total


_worker_scenario: Scenario | None = None


def _init_worker(scenario: Scenario) -> None:
    global _worker_scenario
    _worker_scenario = scenario


def _run_chunk_in_worker(seed: int, start: int, stop: int, narrate: bool) -> Chunk:
    return run_chunk(_worker_scenario, seed, start, stop, narrate)


def process_context() -> multiprocessing.context.BaseContext:
    """How to start worker processes, whatever the process-wide default.

    (``mesa.batch_run`` sets the default to spawn, process-wide.)

    Fork when this process has a single thread: it starts fast and does not re-import the
    caller's ``__main__`` (so it works from notebooks, ``python -`` and scripts without a
    ``__main__`` guard). With other threads running, forking is unsafe, so use forkserver.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["sim.model"])
        return ctx
    return multiprocessing.get_context("spawn")


def _run_chunks_parallel(scenario, seed, runs, narrate, workers, on_progress) -> list[Chunk]:
    bounds = chunk_bounds(runs, workers)
    workers = min(workers, len(bounds))
    with warnings.catch_warnings(), ProcessPoolExecutor(
        max_workers=workers,
        mp_context=process_context(),
        initializer=_init_worker,
        initargs=(scenario,),
    ) as pool:
        # Fork is only chosen when no other Python thread runs; the threads Python still warns
        # about are idle native ones (numpy's BLAS pool), which the workers never use.
        warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
        futures = [pool.submit(_run_chunk_in_worker, seed, a, b, narrate) for a, b in bounds]
        chunks = []
        for future in futures:
            chunk = future.result()
            chunks.append(chunk)
            if on_progress:
                on_progress(chunk.stop - chunk.start)
    return chunks


def collect(scenario: Scenario, seed: int, chunks: list[Chunk]) -> EnsembleResult:
    """Assemble chunks (in run order) into an :class:`EnsembleResult`."""
    chunks = sorted(chunks, key=lambda c: c.start)
    records = [r for c in chunks for r in c.records]
    runs = pd.DataFrame.from_records(records, columns=list(RUN_COLUMNS))
    events = pd.DataFrame(
        [e for c in chunks for e in c.events], columns=[c for c in EVENT_COLUMNS if c != "date"]
    )
    events.insert(2, "date", _dates(scenario, events["day"]))
    spans = pd.DataFrame([s for c in chunks for s in c.spans], columns=list(SPAN_COLUMNS))
    summary = summarize(
        runs, scenario_name=scenario.name, seed=seed, first_deadline=scenario.first_deadline
    )
    return EnsembleResult(scenario, seed, summary, runs, events, spans)


def _dates(scenario: Scenario, days: pd.Series) -> pd.Series:
    start = pd.Timestamp(scenario.start)
    return (start + pd.to_timedelta(days.astype("int64"), unit="D")).dt.strftime("%Y-%m-%d")
