"""Writing results: streamed to disk chunk by chunk, resumable, and published all at once.

While an ensemble runs, each finished chunk is saved in a hidden directory beside the target
(``.<name>.partial/``): its rows (CSV and Parquet parts) and its tally. Memory holds only the
chunks in flight. If the run is interrupted (Ctrl-C, a crash, ``kill -9``), the saved chunks stay
and ``--resume`` runs only the rest. At the end the parts are concatenated in run order into a
second hidden directory, which is renamed into place: a result directory appears complete or
not at all, and an existing one is replaced only with ``force``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import Executor
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sim.backends import Interrupted, RunAborted
from sim.ensemble import (
    ATTRIBUTION_SCHEMA,
    DEFAULT_EVENT_SAMPLE,
    EVENTS_SCHEMA,
    RUNS_SCHEMA,
    SPANS_SCHEMA,
    ChunkResult,
    EnsembleResult,
    EnsembleSpec,
    chunk_size,
    csv_header,
    run_chunk_for_store,
    run_chunks,
    to_frame,
)
from sim.errors import OutputError, UsageError
from sim.scenario import scenario_digest
from sim.schema import Scenario
from sim.stats import Tally, summarize

FORMATS = ("csv", "parquet", "both")
TABLES = {"runs": RUNS_SCHEMA, "events": EVENTS_SCHEMA, "spans": SPANS_SCHEMA, "attribution": ATTRIBUTION_SCHEMA}
STORE_VERSION = 1


def default_out_dir(scenario_name: str) -> Path:
    """Where results go without ``--out``: ``outputs/<scenario name>``."""
    return Path("outputs") / scenario_name


def check_out_dir(out: str | Path, force: bool) -> Path:
    """Refuse an unusable output directory before any work is done.

    It is refused if it exists (without ``force``), is a file, or its parent cannot be created
    or written.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out}: is a file, not a directory")
    if out.exists() and not force:
        raise OutputError(f"--out {out}: already holds results; use --force to replace them, or another --out")
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"--out {out}: cannot create {parent}: {exc.strerror}") from None
    if not os.access(parent, os.W_OK):
        raise OutputError(f"--out {out}: {parent} is not writable")
    return out


def versions() -> dict[str, str]:
    """Versions of the package, Python and the libraries results depend on."""
    found = {"python": platform.python_version()}
    for dist in ("dealsim", "mesa", "numpy", "pandas", "pyarrow", "pydantic", "matplotlib"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "not installed"
    return found


def manifest(
    scenario: Scenario,
    *,
    seed: int,
    runs: int,
    started: dt.datetime,
    ended: dt.datetime,
    settings: dict[str, Any] | None = None,
    overrides: dict[str, Any] | None = None,
    command: list[str] | None = None,
) -> dict[str, Any]:
    """What is needed to reproduce the results and to know what made them."""
    return {
        "scenario_name": scenario.name,
        "scenario_file": scenario.source,
        "scenario_sha256": scenario_digest(scenario),
        "overrides": {k: _jsonable(v) for k, v in (overrides or {}).items()},
        "seed": seed,
        "runs": runs,
        "settings": settings or {},
        "versions": versions(),
        "command": command if command is not None else sys.argv,
        "started": started.isoformat(timespec="seconds"),
        "ended": ended.isoformat(timespec="seconds"),
        "scenario": scenario.model_dump(mode="json"),
    }


# --- the store of an ensemble in progress ---------------------------------------------------


class ResultStore:
    """The chunks of one ensemble saved so far, and their assembly into a result directory.

    Args:
        out: the result directory to produce.
        spec: the ensemble.
        formats: ``csv``, ``parquet`` or ``both`` for runs, events and spans.
        force: replace an existing result directory, and discard a saved interrupted run.
        resume: continue a saved interrupted run of the same ensemble.
    """

    def __init__(
        self,
        out: str | Path,
        spec: EnsembleSpec,
        *,
        formats: str = "both",
        force: bool = False,
        resume: bool = False,
    ):
        if formats not in FORMATS:
            raise UsageError(f"format = {formats!r}: must be one of {', '.join(FORMATS)}")
        self.out = Path(out)
        self.spec = spec
        self.formats = formats
        self.force = force
        self.resume = resume
        self.partial = self.out.resolve().parent / f".{self.out.name}.partial"
        self.parts = self.partial / "parts"

    def state(self) -> dict[str, Any]:
        """What identifies the ensemble: a saved run is only resumed if this matches."""
        spec = self.spec
        return {
            "version": STORE_VERSION,
            "scenario_sha256": scenario_digest(spec.scenario),
            "seed": spec.seed,
            "runs": spec.runs,
            "events": spec.events,
            "event_sample": spec.event_sample,
            "attribution": spec.attribution,
            "chunk_size": chunk_size(spec.runs),
            "formats": self.formats,
        }

    def open(self) -> set[int]:
        """Prepare the store; return the chunks already saved (when resuming)."""
        check_out_dir(self.out, self.force)
        state_file = self.partial / "state.json"
        if self.partial.exists():
            if self.resume:
                saved = json.loads(state_file.read_text()) if state_file.is_file() else {}
                differs = [k for k, v in self.state().items() if saved.get(k) != v]
                if differs:
                    raise OutputError(
                        f"--resume: the saved run in {self.partial} differs in {', '.join(differs)}; "
                        "run the same command as before, or use --force to start over"
                    )
                return self.done()
            if not self.force:
                raise OutputError(
                    f"--out {self.out}: an interrupted run is saved in {self.partial}; "
                    "use --resume to finish it or --force to start over"
                )
            shutil.rmtree(self.partial)
        self.parts.mkdir(parents=True)
        _write_json(state_file, self.state())
        return set()

    def done(self) -> set[int]:
        """Chunk numbers saved completely (their tally is written last)."""
        return {int(p.stem.split("-")[1]) for p in self.parts.glob("tally-*.json")}

    def add(self, chunk: ChunkResult) -> None:
        """Save one chunk's parts; the tally goes last, so a half-saved chunk does not count."""
        k = chunk.index
        for name in TABLES:
            text = getattr(chunk, f"{name}_csv")
            if text and self.formats in ("csv", "both"):
                _atomic_write(self.parts / f"{name}-{k:06d}.csv", text.encode())
            if name in chunk.parquet and self.formats in ("parquet", "both"):
                _atomic_write(self.parts / f"{name}-{k:06d}.parquet", chunk.parquet[name])
        _atomic_write(self.parts / f"tally-{k:06d}.json", json.dumps(chunk.tally.to_json()).encode())

    def tally(self) -> Tally:
        """The merged tally of every saved chunk."""
        total = Tally(self.spec.scenario.start)
        for path in sorted(self.parts.glob("tally-*.json")):
            total.merge(Tally.from_json(json.loads(path.read_text())))
        return total

    def sample(self, limit: int = DEFAULT_EVENT_SAMPLE) -> dict[str, Any]:
        """Rows of the first runs that kept event logs (at most ``limit``), for figures."""
        frames: dict[str, list[pa.Table]] = {name: [] for name in TABLES}
        for k, (start, _) in enumerate(self.spec.chunks()):
            if start >= limit or not self.spec.narrates(start):
                break
            for name in TABLES:
                table = self._read_part(name, k)
                if table is not None:
                    frames[name].append(table.filter(pc.less(table["run_id"], limit)))
        return {
            name: to_frame(pa.concat_tables(frames[name]) if frames[name] else schema.empty_table())
            for name, schema in TABLES.items()
        }

    def _read_part(self, name: str, k: int) -> pa.Table | None:
        parquet, text = self.parts / f"{name}-{k:06d}.parquet", self.parts / f"{name}-{k:06d}.csv"
        if parquet.is_file():
            return pq.read_table(parquet)
        if text.is_file():
            return read_csv(text, TABLES[name], header=False)
        return None

    def assemble(
        self,
        summary: dict[str, Any],
        manifest_data: dict[str, Any],
        draw: Callable[[Path], None] | None = None,
        tally: Tally | None = None,
    ) -> Path:
        """Concatenate the parts in run order into the result directory, all at once."""
        parent = self.out.resolve().parent
        tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.", suffix=".assemble", dir=parent))
        try:
            tmp.chmod(0o777 & ~_umask())  # mkdtemp makes it private; results are ordinary files
            _write_json(tmp / "summary.json", summary)
            _write_json(tmp / "manifest.json", manifest_data)
            _write_json(tmp / "tally.json", (tally or self.tally()).to_json())
            for name, schema in TABLES.items():
                if self.formats in ("csv", "both"):
                    self._concat_csv(name, schema, tmp / f"{name}.csv")
                if self.formats in ("parquet", "both"):
                    self._concat_parquet(name, schema, tmp / f"{name}.parquet")
            if draw is not None:
                draw(tmp / "figures")
            _swap_into_place(tmp, self.out.resolve(), self.force)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        shutil.rmtree(self.partial, ignore_errors=True)
        return self.out

    def _concat_csv(self, name: str, schema: pa.Schema, target: Path) -> None:
        with target.open("wb") as out:
            out.write(csv_header(schema).encode())
            for part in sorted(self.parts.glob(f"{name}-*.csv")):
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out)

    def _concat_parquet(self, name: str, schema: pa.Schema, target: Path) -> None:
        with pq.ParquetWriter(target, schema) as writer:
            for part in sorted(self.parts.glob(f"{name}-*.parquet")):
                writer.write_table(pq.read_table(part))


def run_to_directory(
    scenario: Scenario,
    out: str | Path,
    runs: int = 1000,
    seed: int = 0,
    *,
    backend: str | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    scheduler: str | None = None,
    events: str = "sample",
    event_sample: int = DEFAULT_EVENT_SAMPLE,
    attribution: int = DEFAULT_EVENT_SAMPLE,
    formats: str = "both",
    force: bool = False,
    resume: bool = False,
    figures: bool = True,
    on_progress: Callable[[int], None] | None = None,
    overrides: dict[str, Any] | None = None,
    command: list[str] | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Run an ensemble straight to a result directory, with bounded memory.

    Returns the directory and the summary.

    Raises:
        RunAborted: a worker died; the chunks saved so far can be resumed.
        Interrupted: Ctrl-C; likewise.
    """
    spec = EnsembleSpec(scenario, runs, seed, events, event_sample, attribution=attribution)
    store = ResultStore(out, spec, formats=formats, force=force, resume=resume)
    done = store.open()
    if on_progress and done:
        on_progress(sum(b - a for k, (a, b) in enumerate(spec.chunks()) if k in done))
    started = dt.datetime.now(dt.UTC)

    def save(chunk: ChunkResult) -> None:
        store.add(chunk)
        if on_progress:
            on_progress(chunk.stop - chunk.start)

    try:
        worker = partial(run_chunk_for_store, parquet=formats in ("parquet", "both"))
        run_chunks(
            spec, save, backend=backend, workers=workers, executor=executor, scheduler=scheduler, skip=done, fn=worker
        )
    except KeyboardInterrupt:
        raise Interrupted(_saved_note(store, "interrupted")) from None
    except RunAborted as exc:
        raise RunAborted(_saved_note(store, str(exc))) from None
    tally = store.tally()
    summary = summarize(tally, scenario_name=scenario.name, seed=seed, first_deadline=scenario.first_deadline)
    settings = {
        "backend": backend or "auto",
        "workers": workers,
        "events": events,
        "event_sample": event_sample,
        "attribution": attribution,
        "formats": formats,
        "resumed_chunks": len(done),
    }
    data = manifest(
        scenario,
        seed=seed,
        runs=runs,
        started=started,
        ended=dt.datetime.now(dt.UTC),
        settings=settings,
        overrides=overrides,
        command=command,
    )
    draw = None
    if figures:
        sample = store.sample()
        result = EnsembleResult(
            scenario, seed, summary, sample["runs"], sample["events"], sample["spans"], tally, sample["attribution"]
        )

        def draw(directory: Path) -> None:
            from sim.plots import save_figures  # matplotlib only when figures are wanted

            save_figures(result, directory)

    return store.assemble(summary, data, draw, tally), summary


def _saved_note(store: ResultStore, what: str) -> str:
    saved, total = len(store.done()), len(store.spec.chunks())
    return (
        f"{what}: {saved} of {total} chunks are saved in {store.partial}; run the same command with --resume to finish"
    )


# --- reading results ------------------------------------------------------------------------


def read_csv(path: Path, schema: pa.Schema, header: bool = True) -> pa.Table:
    """Read a result CSV with its declared column types."""
    read = pacsv.ReadOptions(column_names=None if header else schema.names)
    convert = pacsv.ConvertOptions(
        column_types=dict(zip(schema.names, schema.types, strict=True)),
        strings_can_be_null=True,
        true_values=["True"],
        false_values=["False"],
    )
    return pacsv.read_csv(path, read_options=read, convert_options=convert).select(schema.names)


def read_summary(out: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read a result directory's summary and manifest."""
    out = Path(out)
    path = out / "summary.json"
    if not path.is_file():
        raise OutputError(f"{out}: no summary.json here (is it a directory written by `sim run`?)")
    try:
        summary = json.loads(path.read_text())
        manifest_path = out / "manifest.json"
        manifest_data = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    except (OSError, json.JSONDecodeError) as exc:
        raise OutputError(f"{path}: cannot read: {exc}") from None
    return summary, manifest_data


def load_result(out: str | Path) -> EnsembleResult:
    """Load a finished result directory as an :class:`EnsembleResult` (Parquet if present)."""
    from sim.scenario import validate

    out = Path(out)
    summary, manifest_data = read_summary(out)
    if "scenario" not in manifest_data:
        raise OutputError(f"{out}: manifest.json has no scenario; cannot load these results")
    scenario = validate(manifest_data["scenario"], source=manifest_data.get("scenario_file", str(out)))
    tables = {}
    for name, schema in TABLES.items():
        if (out / f"{name}.parquet").is_file():
            tables[name] = to_frame(pq.read_table(out / f"{name}.parquet"))
        elif (out / f"{name}.csv").is_file():
            tables[name] = to_frame(read_csv(out / f"{name}.csv", schema))
        else:
            tables[name] = to_frame(schema.empty_table())
    if (out / "tally.json").is_file():
        tally = Tally.from_json(json.loads((out / "tally.json").read_text()))
    else:  # written by hand or by an older version: count the rows again
        tally = Tally(scenario.start)
        for record in tables["runs"].astype(object).where(tables["runs"].notna(), None).to_dict("records"):
            tally.add(record)
    return EnsembleResult(
        scenario,
        manifest_data["seed"],
        summary,
        tables["runs"],
        tables["events"],
        tables["spans"],
        tally,
        tables["attribution"],
    )


# --- small helpers ----------------------------------------------------------------------------


def _swap_into_place(tmp: Path, out: Path, force: bool) -> None:
    if not out.exists():
        os.rename(tmp, out)
        return
    if not force:
        raise OutputError(f"--out {out}: already holds results; use --force to replace them")
    old = out.with_name(f".{out.name}.{os.getpid()}.old")
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except OSError:
        os.rename(old, out)  # put the previous results back
        raise
    shutil.rmtree(old, ignore_errors=True)


def write_directory(
    out: str | Path,
    files: dict[str, Any],
    *,
    force: bool = False,
    draw: Callable[[Path], None] | None = None,
) -> Path:
    """Write small results (JSON-able dicts, text, or DataFrames) to ``out`` all at once."""
    out = check_out_dir(out, force)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".assemble", dir=out.resolve().parent))
    try:
        tmp.chmod(0o777 & ~_umask())
        for name, content in files.items():
            path = tmp / name
            if name.endswith(".json"):
                _write_json(path, content)
            elif hasattr(content, "to_csv"):
                content.to_csv(path, index=False)
            else:
                path.write_text(content, encoding="utf-8")
        if draw is not None:
            draw(tmp / "figures")
        _swap_into_place(tmp, out.resolve(), force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, default=_jsonable) + "\n", encoding="utf-8")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, str | int | float | bool | type(None) | list | dict):
        return value
    return str(value)
