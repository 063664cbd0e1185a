"""Writing an ensemble's results: all files appear together, or none do.

Everything is written into a hidden temporary directory beside the target, which is then
renamed into place. An existing result directory is only replaced with ``force``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from sim.ensemble import EnsembleResult
from sim.errors import OutputError
from sim.scenario import scenario_digest

RESULT_FILES = ("summary.json", "runs.csv", "events.csv", "spans.csv", "manifest.json")


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
        raise OutputError(
            f"--out {out}: already holds results; use --force to replace them, or another --out"
        )
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
    for dist in ("dealsim", "mesa", "numpy", "pandas", "pydantic", "matplotlib"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "not installed"
    return found


def manifest(
    result: EnsembleResult,
    *,
    started: dt.datetime,
    ended: dt.datetime,
    workers: int,
    overrides: dict[str, Any] | None = None,
    command: list[str] | None = None,
) -> dict[str, Any]:
    """What is needed to reproduce the results and to know what made them."""
    return {
        "scenario_name": result.scenario.name,
        "scenario_file": result.scenario.source,
        "scenario_sha256": scenario_digest(result.scenario),
        "overrides": {k: _jsonable(v) for k, v in (overrides or {}).items()},
        "seed": result.seed,
        "runs": len(result.runs),
        "workers": workers,
        "versions": versions(),
        "command": command if command is not None else sys.argv,
        "started": started.isoformat(timespec="seconds"),
        "ended": ended.isoformat(timespec="seconds"),
        "scenario": result.scenario.model_dump(mode="json"),
    }


def write_results(
    result: EnsembleResult,
    out: str | Path,
    *,
    force: bool = False,
    manifest_data: dict[str, Any] | None = None,
    figures: bool = True,
) -> Path:
    """Write summary.json, runs.csv, events.csv, spans.csv, manifest.json and figures/ to ``out``.

    The directory appears complete or not at all; an existing one is replaced only with
    ``force``.
    """
    out = check_out_dir(out, force)
    parent = out.resolve().parent
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=parent))
    try:
        tmp.chmod(0o777 & ~_umask())  # mkdtemp makes it private; results are ordinary files
        _write_json(tmp / "summary.json", result.summary)
        result.runs.to_csv(tmp / "runs.csv", index=False)
        result.events.to_csv(tmp / "events.csv", index=False)
        result.spans.to_csv(tmp / "spans.csv", index=False)
        _write_json(tmp / "manifest.json", manifest_data or {})
        if figures:
            from sim.plots import save_figures  # matplotlib only when figures are wanted

            save_figures(result, tmp / "figures")
        _swap_into_place(tmp, out.resolve(), force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


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
