"""Reading a result directory's small files, without loading the model, pandas or Arrow.

Commands that only print a summary (``sim show``) start fast; ``sim.runs.store.load_result``
loads a whole result.
"""

from __future__ import annotations

import json
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
    return summary, manifest_data
