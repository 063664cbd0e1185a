"""Wilson intervals and summaries."""

from __future__ import annotations

from collections import Counter

import pytest

from sim.runs.stats import outcome_table, quantile, wilson_interval


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
    table = outcome_table(Counter(["pending", "pending", "withdrawn", "closed_by_deadline"]), 4)
    assert table["pending"]["count"] == 2 and table["pending"]["p"] == 0.5
    assert table["revoked"]["count"] == 0


def test_quantile_is_an_observed_value():
    """Histogram quantiles are values that occurred (the inverted CDF)."""
    h = Counter({1: 2, 5: 1, 9: 1})
    assert quantile(h, 0.5) == 1 and quantile(h, 0.51) == 5 and quantile(h, 1.0) == 9


def test_tallies_merge_in_any_order(export_control):
    """Merging chunk tallies in any order gives the same summary as one tally of all runs."""
    from sim.runs.ensemble import EnsembleSpec, run_chunk
    from sim.runs.stats import Tally, summarize

    spec = EnsembleSpec(export_control, 400, 1)
    chunks = [run_chunk(spec, k, a, b) for k, (a, b) in enumerate(spec.chunks())]
    forward, backward = Tally(export_control.start), Tally(export_control.start)
    for c in chunks:
        forward.merge(c.tally)
    for c in reversed(chunks):
        backward.merge(c.tally)
    assert summarize(forward, export_control, 1) == summarize(backward, export_control, 1)
    assert forward.to_json() == Tally.from_json(forward.to_json()).to_json()
