"""Ensembles: many runs of one scenario, in chunks, on any backend.

Run ``i`` of an ensemble with master seed ``s`` always has the seed ``run_seed(s, i)``, and the
chunks an ensemble is cut into depend on its number of runs alone. Each chunk comes back as a
self-contained :class:`ChunkResult` (its rows, as CSV text and Arrow tables, and an exact
:class:`~sim.runs.stats.Tally`), so results are identical whatever the backend, the number of
workers, or the order in which chunks finish.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import gc
import io
import math
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import UsageError, require_whole
from sim.model.attribution import ATTRIBUTION_COLUMNS, attribute
from sim.model.dealmodel import RUN_COLUMNS, DealModel
from sim.model.randomness import run_seed
from sim.runs.backends import Execution, default_workers, execute, open_executor
from sim.runs.stats import Counted, Tally, summarize
from sim.scenario.load import scenario_digest
from sim.scenario.schema import Scenario

EVENT_MODES = ("all", "sample", "none")
DEFAULT_EVENT_SAMPLE = 1000
# Ensembles rerun the late stages of 70 of their attributed runs (spread evenly): 1.17 models per
# result for export_control_review at 1,000 runs, against 3.96 with every attributed run rerun.
# The shares of runs in which a stage was decisive come with their 95% intervals.
DEFAULT_COUNTERFACTUALS = 70

_INT = pa.int64()
_STR = pa.string()
RUNS_SCHEMA = pa.schema(
    [
        ("run_id", _INT),
        ("seed", _INT),
        ("outcome", _STR),
        ("end_date", _STR),
        ("close_date", _STR),
        ("days_past_deadline", _INT),
        ("deadline_date", _STR),
        ("extensions", _INT),
        ("deadline_decision", _STR),
        ("ban_days", _INT),
        ("winner", _STR),
        ("structure", _STR),
        ("price", pa.float64()),
        ("fee_paid", pa.float64()),
        ("blessed", pa.bool_()),
        ("licence_required", pa.bool_()),
        ("host_review_days", _INT),
        ("home_review_days", _INT),
        ("letter_review_days", _INT),
        ("licence_review_days", _INT),
        ("restructures", _INT),
        ("host_refusals", _INT),
        ("home_refusals", _INT),
        ("injunctions", _INT),
        ("administration_changed", pa.bool_()),
        ("held_by", _STR),
        ("final_stage", _STR),
        ("error", _STR),
    ]
)
EVENTS_SCHEMA = pa.schema(
    [
        ("run_id", _INT),
        ("day", _INT),
        ("date", _STR),
        ("actor", _STR),
        ("event", _STR),
        ("detail", _STR),
    ]
)
SPANS_SCHEMA = pa.schema(
    [("run_id", _INT), ("span", _STR), ("actor", _STR), ("start_day", _INT), ("end_day", _INT), ("process", _STR)]
)
ATTRIBUTION_SCHEMA = pa.schema(
    [
        ("run_id", _INT),
        ("late", pa.bool_()),
        ("stage", _STR),
        ("actor", _STR),
        ("start_day", _INT),
        ("end_day", _INT),
        ("days", _INT),
        ("excess_days", _INT),
        ("decisive", pa.bool_()),
    ]
)
assert tuple(RUNS_SCHEMA.names) == RUN_COLUMNS  # the records and the files agree
assert tuple(ATTRIBUTION_SCHEMA.names) == ATTRIBUTION_COLUMNS


@dataclass(frozen=True)
class EnsembleSpec:
    """Everything that decides an ensemble's results.

    Attributes:
        scenario: the scenario.
        runs: number of runs.
        seed: master seed.
        events: which runs keep their event log and timeline: ``all``, ``sample`` (the first
            ``event_sample`` runs) or ``none``.
        event_sample: how many runs ``sample`` keeps.
        keep_runs: keep each run's row (False: only the tally, for sweeps).
        attribution: how many runs (the first ones) get a delay attribution, with a
            counterfactual rerun per late stage (:mod:`sim.model.attribution`); 0 for none.
        chunk: runs per chunk (default :func:`chunk_size` of ``runs``); smaller chunks lose less
            to an interruption and let a small ensemble use many workers.
        counterfactuals: how many of the attributed runs, spread evenly over them, have their
            late stages rerun at their minimum (None: all). Reruns are most of an attribution's
            cost; this budget bounds it.
    """

    scenario: Scenario
    runs: int
    seed: int
    events: str = "all"
    event_sample: int = DEFAULT_EVENT_SAMPLE
    keep_runs: bool = True
    attribution: int = 0
    chunk: int | None = None
    counterfactuals: int | None = None

    def __post_init__(self) -> None:
        check_ensemble_args(self.runs, self.seed)
        if self.chunk is not None:
            require_whole("chunk size", self.chunk, 1)
        if self.events not in EVENT_MODES:
            raise UsageError(f"events = {self.events!r}: must be one of {', '.join(EVENT_MODES)}")
        if self.counterfactuals is not None and self.counterfactuals < 0:
            raise UsageError(f"counterfactuals = {self.counterfactuals}: must be >= 0")
        if self.event_sample < 0:
            raise UsageError(f"event_sample = {self.event_sample}: must be >= 0")

    def narrates(self, i: int) -> bool:
        """Whether run ``i`` keeps its event log."""
        return self.events == "all" or (self.events == "sample" and i < self.event_sample)

    def reruns(self, i: int) -> bool:
        """Whether attributed run ``i`` is in the counterfactuals' sample (spread evenly)."""
        n, attributed = self.counterfactuals, min(self.attribution, self.runs)
        if n is None or n >= attributed:
            return True
        return i * n // attributed != (i - 1) * n // attributed if i else n > 0

    @property
    def chunk_runs(self) -> int:
        """Runs per chunk."""
        return self.chunk or chunk_size(self.runs)

    def chunks(self) -> list[tuple[int, int]]:
        """The chunks ``[start, stop)`` of runs; they depend on ``runs`` and ``chunk`` alone."""
        size = self.chunk_runs
        return [(a, min(self.runs, a + size)) for a in range(0, self.runs, size)]


def chunk_size(runs: int) -> int:
    """Runs per chunk: about a hundred chunks, each of 250 to 5,000 runs.

    Fewer, larger chunks cost less to ship; more, smaller ones lose less to an interruption.
    """
    return min(5000, max(250, math.ceil(runs / 100)))


def check_ensemble_args(runs: Any, seed: Any) -> None:
    """Refuse values that cannot make an ensemble, naming the value."""
    require_whole("runs", runs, 1)
    require_whole("seed", seed, 0)


@dataclass
class ChunkResult:
    """The results of runs ``start`` to ``stop - 1`` (chunk number ``index``)."""

    index: int
    start: int
    stop: int
    tally: Tally
    runs_csv: str = ""
    events_csv: str = ""
    spans_csv: str = ""
    attribution_csv: str = ""
    runs: pa.Table | None = None
    events: pa.Table | None = None
    spans: pa.Table | None = None
    attribution: pa.Table | None = None
    parquet: dict[str, bytes] = field(default_factory=dict)


TABLE_NAMES = ("runs", "events", "spans", "attribution")


def run_chunk_for_store(
    spec: EnsembleSpec, index: int, start: int, stop: int, parquet: bool = True, csv_text: bool = True
) -> ChunkResult:
    """:func:`run_chunk`, with its tables already encoded as Parquet and CSV text by the worker.

    The process writing the result store then only writes bytes: it shares the cores with the
    workers. Each encoding is made only if it will be written.
    """
    chunk = run_chunk(spec, index, start, stop, csv_text=csv_text)
    for name in TABLE_NAMES:
        table = getattr(chunk, name)
        if parquet and table is not None and table.num_rows:
            buffer = io.BytesIO()
            pq.write_table(table, buffer)
            chunk.parquet[name] = buffer.getvalue()
        setattr(chunk, name, None)
    return chunk


def run_chunk(spec: EnsembleSpec, index: int, start: int, stop: int, csv_text: bool = False) -> ChunkResult:
    """Play runs ``start`` to ``stop - 1``; the function every backend's workers call.

    A run that raises is recorded as failed, with its seed and error; the others go on. The
    rows come back as Arrow tables, and as CSV text too with ``csv_text`` (for the result store).
    """
    scenario = spec.scenario
    tally = Tally(scenario.start)
    records: list[dict[str, Any]] = []
    events: list[tuple] = []
    spans: list[tuple] = []
    attribution: list[tuple] = []
    digest = scenario_digest(scenario) if start < spec.attribution else None
    with collected_per_run() as run_done:
        for i in range(start, stop):
            seed = run_seed(spec.seed, i)
            try:
                record, counted, attributed, logged, timeline, rows = _play(spec, i, seed, digest, tally)
            except Exception as exc:  # recorded, not fatal: a run, its attribution or its tally raised
                record, attributed, logged, timeline, rows = failed_record(i, seed, exc), None, [], [], []
                counted = tally.counted(record)
            run_done()
            tally.apply(counted)
            if attributed is not None:
                tally.merge(attributed)
            if spec.keep_runs:
                records.append(record)
            events.extend(logged)
            spans.extend(timeline)
            attribution.extend(rows)
    result = ChunkResult(index, start, stop, tally)
    if spec.keep_runs:
        rows = [tuple(r[c] for c in RUN_COLUMNS) for r in records]
        for name, table_rows, schema in (
            ("runs", rows, RUNS_SCHEMA),
            ("events", events, EVENTS_SCHEMA),
            ("spans", spans, SPANS_SCHEMA),
            ("attribution", attribution, ATTRIBUTION_SCHEMA),
        ):
            setattr(result, name, _table(table_rows, schema))
            if csv_text:
                setattr(result, f"{name}_csv", _csv(table_rows))
    return result


@contextlib.contextmanager
def collected_per_run() -> Iterator[Callable[[], None]]:
    """Collect a run's garbage once, when it ends, instead of whenever Python's collector fires.

    A run's model and actors refer to one another, so they are freed by the cyclic collector,
    not by reference counting. Left to itself the collector fires every 700 allocations, many
    times a run, and walks the run's live objects each time; collecting the youngest generation
    once a run frees the same garbage for less (about 10% of a run's time). Yields the call to
    make after each run; the collector is as it was afterwards.

    Only on the main thread: the collector's switch is the whole process's, and a thread (the
    dashboard's tasks, a Dask worker's) cannot turn it off without racing the others. Elsewhere
    the collector works as usual and the call does nothing.
    """
    if threading.current_thread() is not threading.main_thread() or not gc.isenabled():
        yield lambda: None
        return
    gc.disable()
    try:
        yield lambda: gc.collect(0)
    finally:
        gc.enable()


def _play(
    spec: EnsembleSpec, i: int, seed: int, digest: str | None, tally: Tally
) -> tuple[dict[str, Any], Counted, Tally | None, list[tuple], list[tuple], list[tuple]]:
    """One run and what is made of it: its record, what it adds to the tally, its log, timeline, attribution.

    What it adds is the record's counts (``tally.counted``) and, for the runs that have one, a
    tally of its attribution; the chunk adds both once the run is through.

    Whatever raises here (the run, the counterfactual reruns, the counting) makes the whole run a
    failed one; nothing of it has reached the chunk yet.
    """
    scenario = spec.scenario
    narrate = spec.narrates(i)
    model = DealModel(scenario, rng=seed, run_id=i, narrate=narrate)
    record = model.run()
    counted = tally.counted(record)
    logged, timeline, rows = [], [], []
    if narrate:
        date_of = model.clock.date_of  # the run's own ISO dates, kept per start date
        logged = [(i, day, date_of(day), actor, event, detail) for day, actor, event, detail in model.events]
        timeline = [(i, *span) for span in model.spans]
    attributed = None
    if i < spec.attribution:
        rerun = spec.reruns(i)
        no_deal = model.deal.chosen_day is None
        rows = [] if no_deal else attribute(model, seed, digest, rerun=rerun)
        attributed = Tally(scenario.start)
        attributed.add_attribution(rows, late=record["outcome"] != "closed_by_deadline", rerun=rerun, no_deal=no_deal)
    return record, counted, attributed, logged, timeline, rows


def failed_record(run_id: int, seed: int, exc: BaseException) -> dict[str, Any]:
    """The row of a run that raised: its id, seed and error, nothing else."""
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    place = f" at {where.filename.rsplit('/', 1)[-1]}:{where.lineno}" if where else ""
    record: dict[str, Any] = dict.fromkeys(RUN_COLUMNS)
    record.update(run_id=run_id, seed=seed, outcome="failed", error=f"{type(exc).__name__}: {exc}{place}")
    record["traceback"] = "".join(traceback.format_exception(exc))  # not a column: kept for the first failures
    return record


def _csv(rows: list[tuple]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(tuple("" if v is None else v for v in row) for row in rows)
    return buffer.getvalue()


def _table(rows: list[tuple], schema: pa.Schema) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema.names]
    return pa.Table.from_arrays(
        [pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)], schema=schema
    )


def csv_header(schema: pa.Schema) -> str:
    """The header line of a CSV file with these columns."""
    return ",".join(schema.names) + "\n"


# --- running --------------------------------------------------------------------------------


def run_chunks(
    spec: EnsembleSpec,
    on_chunk: Callable[[ChunkResult], None],
    execution: Execution = Execution(),
    *,
    skip: Iterable[int] = (),
    fn: Callable[..., ChunkResult] = run_chunk,
) -> None:
    """Run every chunk of ``spec`` not in ``skip`` and pass each result to ``on_chunk``.

    Args:
        spec: the ensemble.
        on_chunk: called in this process with each chunk's result, in completion order.
        execution: where the chunks run, and who hears of progress.
        skip: chunk numbers already done (resuming).
        fn: the worker function (:func:`run_chunk` or a variant taking the same arguments).
    """
    done = set(skip)
    tasks = [(spec, k, a, b) for k, (a, b) in enumerate(spec.chunks()) if k not in done]
    run_tasks(tasks, on_chunk, execution, fn=fn)


def run_tasks(
    tasks: list[tuple[EnsembleSpec, int, int, int]],
    on_chunk: Callable[[Any], None],
    execution: Execution = Execution(),
    *,
    fn: Callable[..., Any] = run_chunk,
) -> None:
    """Run chunk tasks ``(spec, index, start, stop)`` (of one or many ensembles) on a backend.

    ``on_chunk`` gets each result (anything with ``start`` and ``stop``), then progress is reported.
    """
    if execution.progress is True:  # a tqdm bar over these tasks' runs
        from tqdm.auto import tqdm

        label = tasks[0][0].scenario.name if tasks else ""
        with tqdm(total=sum(b - a for _, _, a, b in tasks), unit="runs", desc=label) as bar:
            run_tasks(tasks, on_chunk, dataclasses.replace(execution, progress=bar.update), fn=fn)
        return

    def done(chunk: Any) -> None:
        on_chunk(chunk)
        if execution.failures is not None and hasattr(chunk, "tally"):
            execution.failures.note(chunk.tally)
        execution.advance(chunk.stop - chunk.start)

    if execution.executor is not None:
        execute(tasks, fn, execution.executor, done)
        return
    workers = min(execution.workers or default_workers(), max(1, len(tasks)))
    backend = execution.backend or ("serial" if workers == 1 else "processes")
    with open_executor(backend, workers, execution.scheduler) as pool:
        execute(tasks, fn, pool, done, in_flight=2 * workers + 2)


@dataclass
class EnsembleResult:
    """What an ensemble returns.

    Attributes:
        scenario: the scenario that was run.
        seed: the master seed.
        summary: outcome probabilities with 95% CIs, failures, metrics (``summary.json``).
        runs: one row per run (``runs.csv``); may hold only the runs with event logs when
            loaded for figures from a large result.
        events: the event logs, one row per event (``events.csv``).
        spans: the deals' timelines, one row per stretch (``spans.csv``).
        tally: exact counts behind the summary (histograms of dates and days).
        attribution: where the days went in the attributed runs (``attribution.csv``).
    """

    scenario: Scenario
    seed: int
    summary: dict[str, Any]
    runs: pd.DataFrame
    events: pd.DataFrame
    spans: pd.DataFrame
    tally: Tally = field(repr=False)
    attribution: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)


def run_ensemble(
    scenario: Scenario | str | Path,
    runs: int = 1000,
    seed: int = 0,
    *,
    execution: Execution = Execution(),
    events: str = "all",
    event_sample: int = DEFAULT_EVENT_SAMPLE,
    attribution: int = 0,
    counterfactuals: int | None = DEFAULT_COUNTERFACTUALS,
    chunk: int | None = None,
) -> EnsembleResult:
    """Run a scenario many times, in memory, and summarise the outcomes.

    For ensembles too large for memory, write to a directory instead
    (:func:`sim.runs.store.run_to_directory`, or ``sim run``).

    Args:
        scenario: a validated scenario (:func:`sim.load_scenario`), or its file (loaded and
            validated here, as ``DealModel`` does).
        runs: number of runs.
        seed: master seed; run ``i`` gets ``run_seed(seed, i)``.
        execution: where the runs execute (``Execution(workers=1)`` runs in this process) and
            who hears of progress.
        events: which runs keep event logs: ``all``, ``sample`` or ``none``.
        event_sample: runs kept by ``sample`` (the first ones).
        attribution: runs (the first ones) whose delays are attributed (:mod:`sim.model.attribution`).
        counterfactuals: how many attributed runs, spread evenly, get counterfactual reruns (None: all).
        chunk: runs per chunk (default :func:`chunk_size`).

    Returns:
        The :class:`EnsembleResult`.

    Example:
        >>> result = run_ensemble(load_scenario("scenarios/tiktok_2020.yaml"), runs=200, seed=0)
        >>> result.summary["outcomes"]["closed_by_deadline"]["p"]
    """
    if not isinstance(scenario, Scenario):
        from sim.scenario.load import load_scenario

        scenario = load_scenario(scenario)
    spec = EnsembleSpec(
        scenario,
        runs,
        seed,
        events,
        event_sample,
        attribution=attribution,
        chunk=chunk,
        counterfactuals=counterfactuals,
    )
    chunks: list[ChunkResult] = []
    run_chunks(spec, chunks.append, execution)
    chunks.sort(key=lambda c: c.index)
    tally = Tally(scenario.start)
    for chunk in chunks:
        tally.merge(chunk.tally)
    return EnsembleResult(
        scenario=scenario,
        seed=seed,
        summary=summarize(tally, scenario, seed),
        runs=to_frame(pa.concat_tables([c.runs for c in chunks])),
        events=to_frame(pa.concat_tables([c.events for c in chunks])),
        spans=to_frame(pa.concat_tables([c.spans for c in chunks])),
        tally=tally,
        attribution=to_frame(pa.concat_tables([c.attribution for c in chunks])),
    )


def to_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as a DataFrame with nullable integers and booleans (no 45.0 for 45)."""
    mapping = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    return table.to_pandas(types_mapper=mapping.get)


def run_one(scenario: Scenario, seed: int = 0, index: int = 0) -> DealModel:
    """Play run ``index`` of the ensemble with master seed ``seed``; return the finished model."""
    model = DealModel(scenario, rng=run_seed(seed, index), run_id=index)
    model.run()
    return model
