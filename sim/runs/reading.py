"""Reading a result directory's small files, without loading the model, pandas or Arrow.

Commands that only print a summary (``sim show``) start fast; ``sim.runs.store.load_result``
loads a whole result.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sim.errors import OutputError


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
    problem = summary_problem(summary)
    if problem:
        raise OutputError(f"{path}: not a summary written by `sim run` ({problem})")
    if not isinstance(manifest_data, dict):
        raise OutputError(f"{out / 'manifest.json'}: not a manifest written by sim (it holds no mapping)")
    return summary, manifest_data


def summary_problem(summary: Any) -> str:
    """What is wrong with a summary's shape ("" when nothing): the keys and types `sim show` reads."""
    if not isinstance(summary, dict):
        return f"it holds a {type(summary).__name__}, not a mapping"
    wanted = {"scenario": str, "runs": int, "seed": int, "outcomes": dict, "metrics": dict}
    for key, kind in wanted.items():
        if not isinstance(summary.get(key), kind) or isinstance(summary.get(key), bool):
            return f"{key!r} missing or not a {kind.__name__}"
    for name, row in summary["outcomes"].items():
        ci = row.get("ci95") if isinstance(row, dict) else None
        numbers = isinstance(row, dict) and all(
            isinstance(row.get(k), int | float) and not isinstance(row.get(k), bool) for k in ("count", "p")
        )
        if not numbers or not (isinstance(ci, list) and len(ci) == 2 and all(isinstance(v, int | float) for v in ci)):
            return f"outcome {name!r} lacks its count, p and ci95"
    return ""


@contextmanager
def readable(path: Path) -> Iterator[None]:
    """Read a result file inside this: a damaged or foreign file becomes one line naming it.

    A Parquet or CSV file that is not what sim wrote (truncated, overwritten, another program's)
    makes Arrow, pandas or json raise their own errors; they become an :class:`OutputError`
    (exit 2) that names the file, says what is wrong in a few words and what to do.
    """
    try:
        yield
    except OutputError:
        raise
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:  # Arrow's and pandas' errors too
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise unreadable(path, reason) from None


def read_json(path: Path) -> Any:
    """A result's JSON file (a damaged one named in one line: :func:`readable`)."""
    with readable(path):
        return json.loads(path.read_text())


def read_frame(path: Path) -> Any:
    """A result's CSV file as a pandas DataFrame (a damaged one named in one line: :func:`readable`)."""
    import pandas as pd  # only for the commands that read tables

    with readable(path):
        return pd.read_csv(path)


def unreadable(path: Path, reason: str) -> OutputError:
    """The one line for a result file that is not as sim wrote it."""
    return OutputError(f"{path}: cannot be read as sim wrote it ({reason}); run the command that wrote it again")


def require_columns(path: Path, frame: Any, columns: list[str]) -> None:
    """A table read from ``path`` must have these columns (a foreign CSV parses, but not as sim's)."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise unreadable(path, f"no column {missing[0]!r}")
