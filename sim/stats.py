"""Summaries of an ensemble: outcome probabilities with Wilson intervals, and metrics."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from sim.outcomes import PRECEDENCE

Z95 = 1.959963984540054


def wilson_interval(count: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``count / n`` (95% by default)."""
    if n <= 0:
        return (0.0, 1.0)
    p = count / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if count == 0 else max(0.0, centre - half)
    hi = 1.0 if count == n else min(1.0, centre + half)
    return (lo, hi)


def outcome_table(outcomes: pd.Series) -> dict[str, dict[str, Any]]:
    """``{outcome: {count, p, ci95}}`` for all eight outcomes, in precedence order."""
    n = int(len(outcomes))
    counts = outcomes.value_counts()
    table = {}
    for outcome in PRECEDENCE:
        c = int(counts.get(outcome.value, 0))
        lo, hi = wilson_interval(c, n)
        table[outcome.value] = {"count": c, "p": _r(c / n if n else 0.0), "ci95": [_r(lo), _r(hi)]}
    return table


def summarize(
    runs: pd.DataFrame, *, scenario_name: str, seed: int, first_deadline: dt.date
) -> dict[str, Any]:
    """The ensemble's summary: outcomes and the metrics users ask about.

    Args:
        runs: one row per run (``runs.csv``).
        scenario_name: the scenario's name.
        seed: the master seed.
        first_deadline: the scenario's first deadline.
    """
    n = len(runs)
    closed = runs[runs["close_date"].notna()]
    close_dates = pd.to_datetime(closed["close_date"])
    late = closed["days_past_deadline"].dropna()
    late = late[late > 0]
    banned = runs["ban_days"]
    return {
        "scenario": scenario_name,
        "runs": n,
        "seed": seed,
        "outcomes": outcome_table(runs["outcome"]),
        "metrics": {
            "first_deadline": first_deadline.isoformat(),
            "p_closed": _r(len(closed) / n if n else 0.0),
            "close_date": _date_quantiles(close_dates),
            "days_past_deadline_if_late": _quantiles(late),
            "extensions": {
                "mean": _r(runs["extensions"].mean()),
                "share": _shares(runs["extensions"]),
            },
            "deadline_decision": _shares(runs["deadline_decision"].fillna("none")),
            "final_deadline": _date_quantiles(pd.to_datetime(runs["deadline_date"].dropna())),
            "ban_days": {
                "mean": _r(banned.mean()),
                "p_any": _r((banned > 0).mean()),
                "if_any": _quantiles(banned[banned > 0]),
            },
            "winner": _shares(runs["winner"].fillna("none")),
            "structure": _shares(runs["structure"].fillna("none")),
            "price_bn": _quantiles(closed["price"].dropna()),
            "p_blessed": _r(runs["blessed"].mean()),
            "p_licence_required": _r(runs["licence_required"].mean()),
            "host_review_days": _quantiles(runs["host_review_days"].dropna()),
            "letter_review_days": _quantiles(runs["letter_review_days"].dropna()),
            "licence_review_days": _quantiles(runs["licence_review_days"].dropna()),
            "restructures_mean": _r(runs["restructures"].mean()),
            "injunctions_mean": _r(runs["injunctions"].mean()),
            "p_administration_changed": _r(runs["administration_changed"].mean()),
        },
    }


def _r(x: float, digits: int = 4) -> float:
    return float(round(float(x), digits)) if x == x else None  # NaN -> None


def _shares(values: pd.Series) -> dict[str, float]:
    counts = values.astype(str).value_counts()
    n = counts.sum()
    return {k: _r(v / n) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}


def _quantiles(values: pd.Series) -> dict[str, Any]:
    values = pd.to_numeric(values, errors="coerce").dropna()
    if values.empty:
        return {"n": 0}
    q = np.quantile(values.to_numpy(dtype=float), [0.05, 0.5, 0.95])
    return {
        "n": int(len(values)),
        "mean": _r(values.mean()),
        "p05": _r(q[0]),
        "median": _r(q[1]),
        "p95": _r(q[2]),
    }


def _date_quantiles(dates: pd.Series) -> dict[str, Any]:
    dates = dates.dropna()
    if dates.empty:
        return {"n": 0}
    days = dates.to_numpy(dtype="datetime64[D]").astype(np.int64)
    q = np.quantile(days, [0.05, 0.25, 0.5, 0.75, 0.95], method="inverted_cdf")
    as_date = [np.datetime64(int(d), "D").astype(dt.date).isoformat() for d in q]
    return {
        "n": int(len(days)),
        **dict(zip(("p05", "p25", "median", "p75", "p95"), as_date, strict=True)),
    }
