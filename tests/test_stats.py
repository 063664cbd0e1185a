"""Wilson intervals and summaries."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.stats import outcome_table, wilson_interval


def test_wilson_known_values():
    """Matches the textbook value for 10 of 100 (0.0552, 0.1744)."""
    lo, hi = wilson_interval(10, 100)
    assert lo == pytest.approx(0.0552, abs=1e-4)
    assert hi == pytest.approx(0.1744, abs=1e-4)


def test_wilson_edges():
    """Zero and all successes give intervals touching 0 and 1; n = 0 gives [0, 1]."""
    assert wilson_interval(0, 50)[0] == 0.0 and wilson_interval(0, 50)[1] > 0
    assert wilson_interval(50, 50)[1] == 1.0 and wilson_interval(50, 50)[0] < 1
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_outcome_table_counts():
    table = outcome_table(pd.Series(["stalled", "stalled", "withdrawn", "closed_by_deadline"]))
    assert table["stalled"]["count"] == 2 and table["stalled"]["p"] == 0.5
    assert table["revoked"]["count"] == 0
