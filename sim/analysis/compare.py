"""Paired comparison of scenarios with common random numbers.

Run ``i`` of every scenario has the same seed, and each actor draws from its own stream derived
from (run seed, actor id): two scenarios that differ in one actor's parameters play out the same
luck everywhere else, so a run that changes outcome between them changed because of the
difference. Differences are estimated on the pairs: Newcombe's hybrid score interval for paired
proportions (his method 10, 1998), and SciPy's paired BCa bootstrap for medians and means.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.outcomes import PRECEDENCE
from sim.runs.backends import Execution
from sim.runs.ensemble import EnsembleResult, run_ensemble
from sim.runs.stats import wilson_interval
from sim.scenario.schema import Scenario

BOOTSTRAP = 1000


def paired_difference(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Difference of two paired proportions, ``mean(b) - mean(a)``, with Newcombe's 95% interval.

    Newcombe (1998, Stat. Med. 17:2635), method 10: the two Wilson intervals combined with the
    pairs' correlation phi, continuity-corrected as published (AD - BC less N/2 when positive,
    zero when that is negative).

    Args:
        a: booleans, one per pair (run ``i`` of the first scenario).
        b: booleans, one per pair (run ``i`` of the second).
    """
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    n = len(a)
    both = int(np.sum(a & b))
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
    neither = n - both - only_a - only_b
    pa, pb = (both + only_a) / n, (both + only_b) / n
    la, ua = wilson_interval(both + only_a, n)
    lb, ub = wilson_interval(both + only_b, n)
    denom = (both + only_a) * (neither + only_b) * (both + only_b) * (neither + only_a)
    # Newcombe's correlation with his continuity correction: a positive AD - BC less N/2, and
    # none at all below N/2 (a negative one is kept as it is)
    cross = both * neither - only_a * only_b
    corrected = max(cross - n / 2, 0.0) if cross >= 0 else cross
    phi = corrected / math.sqrt(denom) if denom > 0 else 0.0
    diff = pb - pa
    lower = math.sqrt(max(0.0, (pb - lb) ** 2 - 2 * phi * (pb - lb) * (ua - pa) + (ua - pa) ** 2))
    upper = math.sqrt(max(0.0, (ub - pb) ** 2 - 2 * phi * (ub - pb) * (pa - la) + (pa - la) ** 2))
    return diff, max(-1.0, diff - lower), min(1.0, diff + upper)


BCA_MAX = 2_000  # BCa's jackknife costs n statistics of n values: above this many pairs, percentile
_NAN_AWARE = {np.median: np.nanmedian, np.mean: np.nanmean}  # statistics SciPy can run on a whole batch


def paired_bootstrap(
    a: np.ndarray, b: np.ndarray, statistic, rng: np.random.Generator, resamples: int = BOOTSTRAP
) -> tuple[float, float, float]:
    """``statistic(b) - statistic(a)`` with a 95% interval from resampling pairs (SciPy's bootstrap).

    BCa up to ``BCA_MAX`` pairs, the percentile interval above (BCa's jackknife grows with the
    square of the pairs) and wherever BCa cannot be computed (a statistic that never varies).
    NaNs in ``a`` or ``b`` (a run without the quantity, e.g. no close) are left out of the
    statistic of that arm, not of the resampling.
    """
    import warnings

    from scipy import stats

    a, b = np.asarray(a, float), np.asarray(b, float)
    point = _stat(statistic, b) - _stat(statistic, a)
    if math.isnan(point):
        return (math.nan, math.nan, math.nan)
    aware = _NAN_AWARE.get(statistic)
    if aware is not None:

        def difference(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # a resample with no value in an arm: NaN
                return aware(y, axis=axis) - aware(x, axis=axis)
    else:

        def difference(x: np.ndarray, y: np.ndarray) -> float:
            return _stat(statistic, y) - _stat(statistic, x)

    for method in ("BCa", "percentile") if len(a) <= BCA_MAX else ("percentile",):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a degenerate distribution warns; the NaN it gives is handled below
            found = stats.bootstrap(
                (a, b),
                difference,
                paired=True,
                vectorized=aware is not None,
                n_resamples=resamples,
                batch=max(1, 2_000_000 // max(len(a), 1)),  # about 16 MB of resamples at a time
                method=method,
                random_state=rng,
            ).confidence_interval
        if not (math.isnan(found.low) or math.isnan(found.high)):
            return float(point), float(found.low), float(found.high)
    return float(point), math.nan, math.nan


def _stat(statistic, x: np.ndarray) -> float:
    x = x[~np.isnan(x)]
    return float(statistic(x)) if len(x) else math.nan


def _days(result: EnsembleResult, column: str) -> np.ndarray:
    dates = pd.to_datetime(result.runs[column].astype(object), errors="coerce")
    return ((dates - pd.Timestamp(result.scenario.start)).dt.days).to_numpy(dtype=float)


METRICS = {  # name: (how to read it per run, statistic, unit)
    "close_day_median": (lambda r: _days(r, "close_date"), np.median, "days from the start, closed runs"),
    "extensions_mean": (lambda r: r.runs["extensions"].to_numpy(dtype=float), np.mean, "extensions"),
    "ban_days_mean": (lambda r: r.runs["ban_days"].to_numpy(dtype=float), np.mean, "days a ban bit"),
    "price_median": (lambda r: r.runs["price"].to_numpy(dtype=float), np.median, "US$ bn, closed runs"),
}


@dataclass
class Comparison:
    """Scenarios run with common random numbers, and their paired differences from the first."""

    labels: list[str]
    results: list[EnsembleResult]
    runs: int
    seed: int
    table: pd.DataFrame  # one row per scenario and quantity: value, CI, diff, diff CI
    transitions: dict[str, pd.DataFrame]  # per later scenario: first's outcome x its outcome

    def changed(self, label: str) -> int:
        """Runs whose outcome differs from the first scenario's."""
        t = self.transitions[label]
        return int(t.to_numpy().sum() - np.trace(t.to_numpy()))


def labels_of(scenarios: Sequence[Scenario]) -> list[str]:
    """Scenario names, made unique (a scenario compared with itself is ``name`` and ``name#2``)."""
    labels: list[str] = []
    for s in scenarios:
        label, k = s.name, 2
        while label in labels:
            label, k = f"{s.name}#{k}", k + 1
        labels.append(label)
    return labels


def compare(
    scenarios: Sequence[Scenario], runs: int = 1000, seed: int = 0, execution: Execution = Execution()
) -> Comparison:
    """Run every scenario with the same seeds; compare each with the first, pair by pair.

    Args:
        scenarios: two or more validated scenarios; the first is the reference.
        runs: runs per scenario.
        seed: the master seed (the same for all, so run ``i`` is paired across scenarios).
        execution: where the runs execute.
    """
    results = [run_ensemble(s, runs, seed, execution=execution, events="none") for s in scenarios]
    labels = labels_of(scenarios)
    rng = np.random.default_rng(seed)
    base = results[0]
    outcomes = [o.value for o in PRECEDENCE]
    rows = []
    transitions = {}
    for label, result in zip(labels, results, strict=True):
        is_base = result is base
        for name in [*outcomes, "closed"]:
            hits = _indicator(result, name)
            count = int(hits.sum())
            lo, hi = wilson_interval(count, runs)
            row = {
                "scenario": label,
                "quantity": name,
                "kind": "probability",
                "value": count / runs,
                "lo": lo,
                "hi": hi,
                "diff": None,
                "diff_lo": None,
                "diff_hi": None,
            }
            if not is_base:
                row["diff"], row["diff_lo"], row["diff_hi"] = paired_difference(_indicator(base, name), hits)
            rows.append(row)
        for name, (read, statistic, unit) in METRICS.items():
            values = read(result)
            row = {
                "scenario": label,
                "quantity": name,
                "kind": unit,
                "value": _stat(statistic, values),
                "lo": None,
                "hi": None,
                "diff": None,
                "diff_lo": None,
                "diff_hi": None,
            }
            if not is_base:
                row["diff"], row["diff_lo"], row["diff_hi"] = paired_bootstrap(read(base), values, statistic, rng)
            rows.append(row)
        if not is_base:
            transitions[label] = pd.crosstab(
                pd.Categorical(base.runs["outcome"], categories=[*outcomes, "failed"]),
                pd.Categorical(result.runs["outcome"], categories=[*outcomes, "failed"]),
                rownames=[labels[0]],
                colnames=[label],
                dropna=False,
            )
    table = pd.DataFrame(rows)
    return Comparison(labels, results, runs, seed, table, transitions)


def _indicator(result: EnsembleResult, name: str) -> np.ndarray:
    outcome = result.runs["outcome"].to_numpy(dtype=object)
    if name == "closed":
        return np.isin(outcome, ["closed_by_deadline", "closed_after_deadline"])
    return outcome == name


def comparison_json(c: Comparison) -> dict[str, Any]:
    """comparison.json: per scenario and outcome p, ci95, and against the first diff, diff_ci95."""

    def r(x):
        return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 4)

    out: dict[str, Any] = {"runs": c.runs, "seed": c.seed, "reference": c.labels[0], "scenarios": {}}
    for label in c.labels:
        rows = c.table[c.table["scenario"] == label]
        entry: dict[str, Any] = {"outcomes": {}, "metrics": {}}
        for _, row in rows.iterrows():
            item: dict[str, Any] = {"p" if row["kind"] == "probability" else "value": r(row["value"])}
            if row["kind"] == "probability":
                item["ci95"] = [r(row["lo"]), r(row["hi"])]
            else:
                item["unit"] = row["kind"]
            if label != c.labels[0]:
                item["diff"] = r(row["diff"])
                item["diff_ci95"] = [r(row["diff_lo"]), r(row["diff_hi"])]
            entry["outcomes" if row["kind"] == "probability" else "metrics"][row["quantity"]] = item
        if label != c.labels[0]:
            t = c.transitions[label]
            entry["changed_outcome"] = c.changed(label)
            entry["transitions"] = {
                str(a): {str(b): int(t.loc[a, b]) for b in t.columns if t.loc[a, b]} for a in t.index if t.loc[a].sum()
            }
        out["scenarios"][label] = entry
    return out
