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
import fcntl
import glob
import hashlib
import json
import os
import platform
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable
from functools import cached_property, partial
from importlib import metadata
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sim.errors import OutputError, SimError, UsageError
from sim.model.dealmodel import MODEL_VERSION
from sim.model.randomness import STREAM_VERSION
from sim.runs.backends import Execution, FailureLog, Interrupted, RunAborted
from sim.runs.ensemble import (
    ATTRIBUTION_SCHEMA,
    DEFAULT_COUNTERFACTUALS,
    DEFAULT_EVENT_SAMPLE,
    EVENTS_SCHEMA,
    RUNS_SCHEMA,
    SPANS_SCHEMA,
    ChunkResult,
    EnsembleResult,
    EnsembleSpec,
    csv_header,
    run_chunk_for_store,
    run_chunks,
    to_frame,
)
from sim.runs.reading import read_summary, readable
from sim.runs.stats import Tally, summarize
from sim.scenario.load import scenario_digest
from sim.scenario.schema import Scenario

FORMATS = ("csv", "parquet", "both")
TABLES = {"runs": RUNS_SCHEMA, "events": EVENTS_SCHEMA, "spans": SPANS_SCHEMA, "attribution": ATTRIBUTION_SCHEMA}
STORE_VERSION = 2  # 2: chunks stamped with the state's digest


def default_out_dir(scenario_name: str) -> Path:
    """Where results go without ``--out``: ``outputs/<scenario name>``."""
    return Path("outputs") / scenario_name


def check_out_dir(out: str | Path, force: bool) -> Path:
    """Refuse an unusable output directory before any work is done.

    It is refused if it is a symbolic link, a file, the working directory or one of its
    parents, or its parent cannot be created or written. An existing directory is replaced only
    with ``force``, only if it is empty or holds a result this tool wrote and nothing else (its
    ``manifest.json`` carries the seal :func:`seal` puts on it), and never through a symbolic
    link anywhere on its path: ``--force`` never deletes a directory of other files.
    """
    out = Path(out)
    if out.is_symlink():
        raise OutputError(f"--out {out}: is a symbolic link; name the directory itself")
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out}: is a file, not a directory")
    here = Path.cwd().resolve()
    if out.resolve() == here or out.resolve() in here.parents:
        raise OutputError(f"--out {out}: is the working directory or holds it; name a directory inside it")
    if out.exists():
        if not force:
            raise OutputError(f"--out {out}: already holds results; use --force to replace them, or another --out")
        _check_replaceable(out)
    parent = _abs(out).parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"--out {out}: cannot create {parent}: {exc.strerror}") from None
    if not os.access(parent, os.W_OK):
        raise OutputError(f"--out {out}: {parent} is not writable")
    return out


def _linked_ancestor(path: Path) -> Path | None:
    """The first directory on ``path``'s absolute path that is a symbolic link, if any."""
    here = Path(_abs(path).anchor)
    for part in _abs(path).parts[1:-1]:
        here = here / part
        if here.is_symlink():
            return here
    return None


SEAL = "dealsim result"  # manifest.json["result"]["written_by"] of a directory this tool wrote


def _entries(directory: Path) -> dict[str, str]:
    """What a directory holds, by path relative to it: ``file``, ``dir`` or ``other`` (a link...), unfollowed."""
    found: dict[str, str] = {}
    for root, dirs, files in os.walk(directory, followlinks=False):
        rel = Path(root).relative_to(directory)
        for name in dirs:
            path = Path(root) / name
            found[(rel / name).as_posix()] = "other" if path.is_symlink() else "dir"
        for name in files:
            path = Path(root) / name
            found[(rel / name).as_posix()] = "file" if path.is_file() and not path.is_symlink() else "other"
    found.pop("manifest.json", None)
    return found


def _entries_digest(entries: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(sorted(entries.items())).encode()).hexdigest()


def seal(directory: str | Path) -> None:
    """Stamp a result directory's ``manifest.json`` with what it holds, so that ``--force`` knows it for its own.

    The seal lists every file and directory beside the manifest, with the listing's sha256; a
    directory replaced by ``--force`` must carry a seal whose digest matches its listing and
    hold nothing the listing does not name (a file a user added is never deleted).
    """
    directory = Path(directory)
    path = directory / "manifest.json"
    data = json.loads(path.read_text())
    entries = _entries(directory)
    data["result"] = {"written_by": SEAL, "entries": entries, "digest": _entries_digest(entries)}
    _write_json(path, data)


def is_sealed(directory: Path) -> bool:
    """Whether a directory carries this tool's seal (see :func:`seal`)."""
    try:
        block = json.loads((directory / "manifest.json").read_text()).get("result")
        return (
            isinstance(block, dict)
            and block.get("written_by") == SEAL
            and isinstance(block.get("entries"), dict)
            and block.get("digest") == _entries_digest(block["entries"])
        )
    except (OSError, ValueError, TypeError, AttributeError):
        return False


def _check_replaceable(out: Path) -> None:
    """Refuse to replace a directory that is not a result directory this tool wrote (nor empty)."""
    if out.is_symlink():
        raise OutputError(f"--out {out}: is a symbolic link; name the directory itself")
    linked = _linked_ancestor(out)
    if linked is not None:
        raise OutputError(
            f"--out {out}: {linked} on its path is a symbolic link (to {os.readlink(linked)}); --force replaces "
            "results only at a real path: name it without the link"
        )
    try:
        empty = not any(out.iterdir())
    except OSError as exc:
        raise OutputError(f"--out {out}: cannot read it: {exc.strerror}") from None
    if empty:
        return
    if not is_sealed(out):
        raise OutputError(
            f"--out {out}: holds files that are not a result sim wrote (no manifest.json with sim's seal); --force "
            "replaces only a result directory or an empty one, so choose another --out"
        )
    listed = json.loads((out / "manifest.json").read_text())["result"]["entries"]
    extra = sorted(set(_entries(out).items()) - set(listed.items()), key=lambda e: (e[1] == "dir", e[0]))
    if extra:
        raise OutputError(
            f"--out {out}: holds {extra[0][0]!r}, which sim did not write there; --force would delete it, so move "
            "it away or choose another --out"
        )


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
        "stream_version": STREAM_VERSION,
        "model_version": MODEL_VERSION,
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
        self.partial = _abs(self.out).parent / f".{self.out.name}.partial"
        self.parts = self.partial / "parts"
        self.lock = StoreLock(_abs(self.out).parent / f".{self.out.name}.lock", self.out)

    def state(self) -> dict[str, Any]:
        """What identifies the ensemble: a saved run is only resumed if this matches."""
        spec = self.spec
        return {
            "version": STORE_VERSION,
            "stream_version": STREAM_VERSION,
            "model_version": MODEL_VERSION,
            "scenario_sha256": scenario_digest(spec.scenario),
            "seed": spec.seed,
            "runs": spec.runs,
            "events": spec.events,
            "event_sample": spec.event_sample,
            "attribution": spec.attribution,
            "counterfactuals": spec.counterfactuals,
            "chunk_size": spec.chunk_runs,
            "formats": self.formats,
        }

    @cached_property
    def digest(self) -> str:
        """The state's sha256: every saved chunk is stamped with it (the state never changes)."""
        return hashlib.sha256(json.dumps(self.state(), sort_keys=True).encode()).hexdigest()

    def open(self) -> set[int]:
        """Lock and prepare the store; return the chunks already saved (when resuming).

        Raises:
            OutputError: another process is writing the same result directory, or the saved
                run cannot be resumed.
        """
        check_out_dir(self.out, self.force)
        self.lock.acquire()
        try:
            return self._prepare()
        except BaseException:
            self.lock.release()
            raise

    def close(self) -> None:
        """Release the lock (the process's exit releases it too)."""
        self.lock.release()

    def _prepare(self) -> set[int]:
        # With the lock held, assembly directories (and old results) of this name were left by a writer that died.
        for pattern in (".*.assemble", ".*.old"):
            for stale in self.partial.parent.glob(f".{glob.escape(self.out.name)}{pattern}"):
                if stale.is_dir() and not stale.is_symlink():
                    shutil.rmtree(stale, ignore_errors=True)
        if self.partial.is_symlink():
            raise OutputError(f"--out {self.out}: {self.partial} is a symbolic link; remove it")
        state_file = self.partial / "state.json"
        if self.partial.exists():
            if self.resume:
                try:
                    saved = json.loads(state_file.read_text()) if state_file.is_file() else {}
                except (OSError, json.JSONDecodeError):
                    saved = {}
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
        _atomic_write(state_file, _json_bytes(self.state()))
        return set()

    def done(self) -> set[int]:
        """Chunk numbers saved completely (their tally is written last)."""
        return {int(p.stem.split("-")[1]) for p in self.parts.glob("tally-*.json")}

    def _read_tally(self, path: Path) -> Tally:
        """One saved chunk's tally, refused if another ensemble saved it."""
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise OutputError(f"{path}: cannot read a saved chunk: {exc}; use --force to start over") from None
        if data.get("state") != self.digest:
            raise OutputError(
                f"{path}: this chunk was saved by another ensemble (state digest {str(data.get('state'))[:12]}, "
                f"expected {self.digest[:12]}); use --force to start over"
            )
        return Tally.from_json(data["tally"])

    def add(self, chunk: ChunkResult) -> None:
        """Save one chunk's parts; the tally goes last, so a half-saved chunk does not count."""
        k = chunk.index
        for name in TABLES:
            text = getattr(chunk, f"{name}_csv")
            if text and self.formats in ("csv", "both"):
                _atomic_write(self.parts / f"{name}-{k:06d}.csv", text.encode())
            if name in chunk.parquet and self.formats in ("parquet", "both"):
                _atomic_write(self.parts / f"{name}-{k:06d}.parquet", chunk.parquet[name])
        stamped = {"state": self.digest, "tally": chunk.tally.to_json()}
        _atomic_write(self.parts / f"tally-{k:06d}.json", json.dumps(stamped).encode())

    def tally(self) -> Tally:
        """The merged tally of every saved chunk (each checked to be this ensemble's)."""
        total = Tally(self.spec.scenario.start)
        for path in sorted(self.parts.glob("tally-*.json")):
            total.merge(self._read_tally(path))
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
        parent = _abs(self.out).parent
        tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.", suffix=".assemble", dir=parent))
        try:
            tmp.chmod(0o777 & ~_umask())  # mkdtemp makes it private; results are ordinary files
            _write_json(tmp / "summary.json", summary)
            _write_json(tmp / "manifest.json", manifest_data)
            tally = tally or self.tally()
            _write_json(tmp / "tally.json", tally.to_json())
            if tally.count["failed"]:
                log = FailureLog()
                log.note(tally)
                (tmp / "failures.txt").write_text(log.text(), encoding="utf-8")
            for name, schema in TABLES.items():
                if self.formats in ("csv", "both"):
                    self._concat_csv(name, schema, tmp / f"{name}.csv")
                if self.formats in ("parquet", "both"):
                    self._concat_parquet(name, schema, tmp / f"{name}.parquet")
            if draw is not None:
                draw(tmp / "figures")
            seal(tmp)
            _swap_into_place(tmp, _abs(self.out), self.force)
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


class StoreLock:
    """An exclusive lock on one result directory's store, so that two writers cannot mix.

    A POSIX record lock on ``.<name>.lock`` beside the result: held by this process only (worker
    processes do not inherit it), released when the process ends however it ends, and refused at
    once, naming the holder, while another process holds it.
    """

    def __init__(self, path: Path, out: Path):
        self.path, self.out, self.fd = path, out, None

    def acquire(self) -> None:
        """Take the lock or raise :class:`OutputError` naming the process that holds it.

        The lock file is created exclusively and opened without following a symbolic link: a
        link planted at its path is refused, never written through.
        """
        while self.fd is None:
            fd = self._open()
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
                os.close(fd)
                raise OutputError(
                    f"--out {self.out}: another sim ({holder}) is writing this result; wait for it to finish, "
                    "or choose another --out"
                ) from None
            try:  # the holder before us may have removed the file: lock the one at the path
                same = os.path.samestat(os.fstat(fd), os.stat(self.path, follow_symlinks=False))
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}".encode(), 0)
            self.fd = fd

    def _open(self) -> int:
        """The lock file, new (exclusively) or left by a writer that died; never a link or a special file."""
        flags = os.O_RDWR | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        try:
            try:
                return os.open(self.path, flags | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                fd = os.open(self.path, flags | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            what = "is a symbolic link" if self.path.is_symlink() else f"cannot be opened ({exc.strerror})"
            raise OutputError(f"--out {self.out}: the lock file {self.path} {what}; remove it and try again") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OutputError(f"--out {self.out}: the lock file {self.path} is not a regular file; remove it")
        return fd

    def release(self) -> None:
        """Remove the lock file and release the lock (removing first, so no one locks a stale file)."""
        if self.fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self.fd)
            self.fd = None


def run_to_directory(
    scenario: Scenario,
    out: str | Path,
    runs: int = 1000,
    seed: int = 0,
    *,
    execution: Execution = Execution(),
    events: str = "sample",
    event_sample: int = DEFAULT_EVENT_SAMPLE,
    attribution: int = DEFAULT_EVENT_SAMPLE,
    counterfactuals: int | None = DEFAULT_COUNTERFACTUALS,
    chunk: int | None = None,
    formats: str = "both",
    force: bool = False,
    resume: bool = False,
    figures: Callable[[EnsembleResult, Path], Any] | None = None,
    overrides: dict[str, Any] | None = None,
    command: list[str] | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Run an ensemble straight to a result directory, with bounded memory.

    Returns the directory and the summary. ``figures`` draws the result's figures into a
    directory (``sim.present.figures.save_figures``, as ``sim run`` does); without it none are drawn.

    Raises:
        RunAborted: a worker died; the chunks saved so far can be resumed.
        Interrupted: Ctrl-C; likewise.
    """
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
    store = ResultStore(out, spec, formats=formats, force=force, resume=resume)
    done = store.open()
    try:  # the lock is held until the result is in place, or the run stops
        if done:
            execution.advance(sum(b - a for k, (a, b) in enumerate(spec.chunks()) if k in done))
        started = dt.datetime.now(dt.UTC)
        try:
            worker = partial(
                run_chunk_for_store, parquet=formats in ("parquet", "both"), csv_text=formats in ("csv", "both")
            )
            run_chunks(spec, store.add, execution, skip=done, fn=worker)
        except KeyboardInterrupt:
            raise Interrupted(_saved_note(store, "interrupted")) from None
        except RunAborted as exc:
            raise RunAborted(_saved_note(store, str(exc))) from None
        except OSError as exc:  # a full disk, a file system gone read-only: the chunks saved so far stay
            raise RunAborted(_saved_note(store, f"cannot save a chunk: {_reason(exc)}")) from None
        except SimError:  # bad input found on starting (a --scheduler that does not answer...)
            if not store.done():
                shutil.rmtree(store.partial, ignore_errors=True)  # nothing to resume: leave nothing
            raise
        tally = store.tally()
        summary = summarize(tally, scenario, seed)
        if overrides:  # the results say what they ran with (figure titles, sim show)
            summary["overrides"] = {k: _jsonable(v) for k, v in overrides.items()}
        settings = {
            **execution.settings(),
            "events": events,
            "event_sample": event_sample,
            "attribution": attribution,
            "counterfactuals": counterfactuals,
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
        if figures is not None:
            sample = store.sample()
            result = EnsembleResult(
                scenario, seed, summary, sample["runs"], sample["events"], sample["spans"], tally, sample["attribution"]
            )

            def draw(directory: Path) -> None:
                figures(result, directory)

        try:
            return store.assemble(summary, data, draw, tally), summary
        except OSError as exc:
            raise RunAborted(_saved_note(store, f"cannot write the result: {_reason(exc)}")) from None
    finally:
        store.close()


def _reason(exc: OSError) -> str:
    """An OS error in a few words: what failed, and on which file."""
    where = f" ({exc.filename})" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


def _saved_note(store: ResultStore, what: str) -> str:
    try:
        saved = len(store.done())
    except OSError:
        saved = "some"
    total = len(store.spec.chunks())
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


def load_result(out: str | Path) -> EnsembleResult:
    """Load a finished result directory as an :class:`EnsembleResult` (Parquet if present)."""
    from sim.scenario.load import validate

    out = Path(out)
    summary, manifest_data = read_summary(out)
    if "scenario" not in manifest_data:
        raise OutputError(f"{out}: manifest.json has no scenario; cannot load these results")
    scenario = validate(manifest_data["scenario"], source=manifest_data.get("scenario_file", str(out)))
    tables = {}
    for name, schema in TABLES.items():
        if (out / f"{name}.parquet").is_file():
            with readable(out / f"{name}.parquet"):
                tables[name] = to_frame(pq.read_table(out / f"{name}.parquet"))
        elif (out / f"{name}.csv").is_file():
            with readable(out / f"{name}.csv"):
                tables[name] = to_frame(read_csv(out / f"{name}.csv", schema))
        else:
            tables[name] = to_frame(schema.empty_table())
    if (out / "tally.json").is_file():
        with readable(out / "tally.json"):
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
    """Put the assembled ``tmp`` at ``out``; an existing ``out`` (with ``force``) is replaced and deleted.

    The two are exchanged in one step where the system can (Linux's ``renameat2``), else by two
    renames. Either way no copy of the old results outlives the command: if they cannot be deleted
    (a read-only file in them), they are put back and the new ones removed, and the error says so.
    """
    if not out.exists():
        os.rename(tmp, out)
        return
    if not force:
        raise OutputError(f"--out {out}: already holds results; use --force to replace them")
    _check_replaceable(out)  # again: it may have changed while the ensemble ran
    undeletable = _undeletable(out)
    if undeletable is not None:
        raise OutputError(f"--out {out}: cannot replace it: {undeletable} cannot be deleted (permission denied)")
    if _exchange(tmp, out):
        old = tmp  # the exchange left the old results at tmp's name
    else:
        old = out.with_name(f".{out.name}.{os.getpid()}.old")
        os.rename(out, old)
        try:
            os.rename(tmp, out)
        except BaseException:
            os.rename(old, out)  # put the previous results back
            raise
    try:
        shutil.rmtree(old)
    except OSError as exc:
        raise OutputError(f"--out {out}: replaced, but the old results at {old} could not be deleted: {exc}") from None
    finally:
        shutil.rmtree(old, ignore_errors=True)  # also after Ctrl-C in the middle of the first attempt


def _undeletable(directory: Path) -> str | None:
    """A directory under ``directory`` (itself included) whose entries this process cannot delete, if any."""
    for root, _, _ in os.walk(directory, followlinks=False):
        if not os.access(root, os.W_OK | os.X_OK):
            return root
    return None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically (``renameat2(RENAME_EXCHANGE)``); False where the system cannot."""
    if sys.platform != "linux":
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the file system cannot exchange
        return False
    raise OSError(errno, os.strerror(errno), str(b))


def write_directory(
    out: str | Path,
    files: dict[str, Any],
    *,
    force: bool = False,
    draw: Callable[[Path], None] | None = None,
) -> Path:
    """Write small results (JSON-able dicts, text, or DataFrames: CSV, or Parquet by the name) to ``out`` at once."""
    out = check_out_dir(out, force)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".assemble", dir=_abs(out).parent))
    try:
        tmp.chmod(0o777 & ~_umask())
        for name, content in files.items():
            path = tmp / name
            if name.endswith(".json"):
                _write_json(path, content)
            elif name.endswith(".parquet"):
                content.to_parquet(path, index=False)
            elif hasattr(content, "to_csv"):
                content.to_csv(path, index=False)
            else:
                path.write_text(content, encoding="utf-8")
        if draw is not None:
            draw(tmp / "figures")
        if (tmp / "manifest.json").is_file():
            seal(tmp)
        _swap_into_place(tmp, _abs(out), force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _abs(path: Path) -> Path:
    """An absolute path with ``..`` removed, without following symbolic links (unlike resolve)."""
    return Path(os.path.abspath(path))


def _atomic_write(path: Path, data: bytes) -> None:
    """Write a file whole or not at all, and on disk before it counts.

    A crash or a power loss leaves the old file or the new one, never a torn one.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself
    finally:
        os.close(directory)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, default=_jsonable) + "\n").encode()


def _write_json(path: Path, data: Any) -> None:
    path.write_bytes(_json_bytes(data))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, str | int | float | bool | type(None) | list | dict):
        return value
    return str(value)
