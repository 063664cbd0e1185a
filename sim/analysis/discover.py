"""Scenario discovery: under which assumptions does an outcome happen? PRIM and CART on a sweep's runs.

The sweep's rows are the cases: every run, with its design point's parameter values (``x``) and
whether the outcome happened (``y``); or, with a ``threshold``, every point, and whether the
outcome's probability there reaches it. The EMA Workbench's PRIM peels the parameter space down
to a box where the outcome is dense (its peeling trajectory trades coverage, the share of all the
cases that fall in the box, against density, the share of the box's cases that are cases), and
its CART splits the space into boxes by a classification tree. Each box is said in plain words:
"closed by the deadline in 81% of runs when the letter review's median is under 25 days and
tension is under 0.4; 12% of the space".
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import UsageError
from sim.outcomes import Outcome
from sim.scenario.schema import Parameter

OUTCOME_GROUPS = {"closed": ("closed_by_deadline", "closed_after_deadline")}
"""Outcomes that stand for several: ``closed`` is closed by or after the deadline."""
RARE = 0.05  # below this share of cases everywhere, an outcome is rare: boxes on so few cases are fragile


def outcome_names() -> list[str]:
    """The outcomes discovery can look for: the ten, and the groups."""
    return [o.value for o in Outcome] + list(OUTCOME_GROUPS)


@dataclass
class Box:
    """A box in parameter space: its limits on the parameters it restricts, and how good it is.

    Attributes:
        limits: per restricted parameter (by path), ``(low, high)`` or the set of values kept.
        coverage: share of all the cases that fall in the box.
        density: share of the box's rows that are cases.
        mass: share of all rows that fall in the box (of the space, for a sweep's design).
        sentence: the box in plain words.
    """

    limits: dict[str, Any]
    coverage: float
    density: float
    mass: float
    sentence: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The box as JSON."""
        limits = {k: (sorted(v) if isinstance(v, set) else [_num(v[0]), _num(v[1])]) for k, v in self.limits.items()}
        return {
            "limits": limits,
            "coverage": round(self.coverage, 4),
            "density": round(self.density, 4),
            "mass": round(self.mass, 4),
            "sentence": self.sentence,
        }


@dataclass
class Discovery:
    """What discovery found for one outcome in one sweep."""

    outcome: str
    threshold: float | None
    cases: int
    rows: int
    base_rate: float
    highest_point_rate: float
    prim: Box | None
    trajectory: pd.DataFrame
    chosen: int | None
    cart: list[Box]
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The discovery as JSON (``discover.json``)."""
        return {
            "outcome": self.outcome,
            "threshold": self.threshold,
            "cases": self.cases,
            "rows": self.rows,
            "base_rate": round(self.base_rate, 4),
            "highest_point_rate": round(self.highest_point_rate, 4),
            "prim": self.prim.as_dict() if self.prim else None,
            "chosen_step": self.chosen,
            "cart": [b.as_dict() for b in self.cart],
            "warnings": self.warnings,
        }


def _num(x: Any) -> Any:
    return round(float(x), 4) if isinstance(x, int | float | np.floating | np.integer) else x


def cases(
    runs: pd.DataFrame, points: pd.DataFrame, params: list[Parameter], outcome: str, threshold: float | None
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The rows to discover on: ``x``, ``y`` (bool), and each row's point's rate of the outcome."""
    if outcome not in outcome_names():
        raise UsageError(f"outcome = {outcome!r}: must be one of {', '.join(outcome_names())}")
    wanted = OUTCOME_GROUPS.get(outcome, (outcome,))
    paths = [p.path for p in params]
    hit = runs["outcome"].isin(wanted).to_numpy()
    rate_by_point = pd.Series(hit).groupby(runs["point"].to_numpy()).mean()
    if threshold is None:
        x = runs[paths].reset_index(drop=True)
        return x, hit, rate_by_point.loc[runs["point"]].to_numpy()
    x = points[paths].reset_index(drop=True)
    rates = rate_by_point.reindex(range(len(points))).to_numpy()
    return x, rates >= threshold, rates


def discover(
    runs: pd.DataFrame,
    points: pd.DataFrame,
    params: list[Parameter],
    outcome: str = "closed_by_deadline",
    *,
    threshold: float | None = None,
    min_density: float = 0.8,
    mass_min: float = 0.05,
) -> Discovery:
    """Find the boxes of parameter space where ``outcome`` happens (see the module docstring).

    Args:
        runs: a sweep's runs (``runs.parquet``: ``point``, the parameters, the run's record).
        points: the sweep's points (``sweep.csv``), in point order.
        params: the parameters the sweep varied.
        outcome: one of the ten outcomes, or ``closed``.
        threshold: look for the points where P(outcome) reaches it, instead of the runs where the
            outcome happened.
        min_density: PRIM's chosen box is the one on its peeling trajectory with the highest
            coverage among those at least this dense (the densest, if none is); CART's boxes are
            those at least this dense.
        mass_min: the smallest share of the rows a box may hold.
    """
    x, y, rates = cases(runs, points, params, outcome, threshold)
    base = float(y.mean()) if len(y) else 0.0
    highest = float(np.nanmax(rates)) if len(rates) else 0.0
    found = Discovery(outcome, threshold, int(y.sum()), len(y), base, highest, None, pd.DataFrame(), None, [])
    if found.highest_point_rate < RARE * 4 and base < RARE:
        found.warnings.append(
            f"{outcome} is rare everywhere in this sweep ({base:.1%} of the cases; at most "
            f"{found.highest_point_rate:.1%} at any point): boxes found on so few cases are fragile"
        )
    if found.cases == 0 or found.cases == len(y):
        found.warnings.append(
            f"{outcome} happens in {'none' if found.cases == 0 else 'all'} of the cases: there is no box to find"
        )
        return found
    prim_mod, cart_mod = _ema()
    labels = {p.path: p.name for p in params}
    x = _categorical(x, params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        primer = prim_mod.Prim(x, y, mass_min=mass_min)
        box = primer.find_box()
    trajectory = box.peeling_trajectory.copy()
    dense = trajectory[trajectory["density"] >= min_density]
    chosen = int(dense["coverage"].idxmax()) if len(dense) else int(trajectory["density"].idxmax())
    box.select(chosen)
    phrase = _phrase(outcome, threshold)
    ranges = {
        c: (float(x[c].min()), float(x[c].max())) for c in x.columns if not isinstance(x[c].dtype, pd.CategoricalDtype)
    }
    found.trajectory, found.chosen = trajectory, chosen
    row = trajectory.loc[chosen]
    found.prim = _box(box.box_lims[chosen], box.box_lims[0], x, row["coverage"], row["density"], row["mass"])
    found.prim.sentence = sentence(found.prim, phrase, labels, threshold, ranges)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # the Workbench's CART reads a leaf's feature index (-2) as a column: with one column
        # that fails, so a constant column (never split on, never in a box) stands beside it
        tree = cart_mod.CART(x.assign(_constant=0.0) if x.shape[1] == 1 else x, y, mass_min=mass_min)
        tree.build_tree()
        leaves = list(zip(tree.boxes, tree.stats, strict=True))  # an empty leaf's density is 0/0: NaN, skipped
    initial = _full_limits(x)
    for lims, stats in leaves:
        if stats["density"] >= min_density and stats["coverage"] > 0:
            b = _box(lims, initial, x, stats["coverage"], stats["density"], stats["mass"])
            b.sentence = sentence(b, phrase, labels, threshold, ranges)
            found.cart.append(b)
    found.cart.sort(key=lambda b: -b.coverage)
    if found.prim.density < min_density:
        found.warnings.append(
            f"no box on PRIM's trajectory is {min_density:.0%} dense; the densest ({found.prim.density:.0%}) is shown"
        )
    return found


def _ema() -> tuple[Any, Any]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import cart, prim
    except ImportError:
        raise UsageError(
            "scenario discovery uses the EMA Workbench's PRIM and CART: pip install 'dealsim[discover]'"
        ) from None
    return prim, cart


def _categorical(x: pd.DataFrame, params: list[Parameter]) -> pd.DataFrame:
    """Parameters given as a list of values are categories to PRIM and CART (numbers stay numbers)."""
    x = x.copy()
    for p in params:
        if p.values is not None and not all(isinstance(v, int | float) for v in p.values):
            x[p.path] = x[p.path].astype(str).astype("category")
    return x


def _full_limits(x: pd.DataFrame) -> pd.DataFrame:
    lims = {}
    for c in x.columns:
        if isinstance(x[c].dtype, pd.CategoricalDtype):
            lims[c] = [set(x[c].cat.categories), set(x[c].cat.categories)]
        else:
            lims[c] = [x[c].min(), x[c].max()]
    return pd.DataFrame(lims)


def _box(
    lims: pd.DataFrame, initial: pd.DataFrame, x: pd.DataFrame, coverage: float, density: float, mass: float
) -> Box:
    limits: dict[str, Any] = {}
    for c in x.columns:
        lo, hi = lims[c].iloc[0], lims[c].iloc[1]
        if isinstance(lo, set):
            if lo != initial[c].iloc[0]:
                limits[c] = set(lo)
            continue
        if lo > initial[c].iloc[0] + 1e-12 or hi < initial[c].iloc[1] - 1e-12:
            limits[c] = (float(lo), float(hi))
    return Box(limits, float(coverage), float(density), float(mass))


def _phrase(outcome: str, threshold: float | None) -> str:
    words = {
        "closed_by_deadline": "closes by the deadline",
        "closed_after_deadline": "closes after the deadline",
        "closed": "closes",
        "blocked_by_host": "is blocked by the host",
        "blocked_by_home": "is blocked by the home government",
        "terminated": "terminates at its outside date",
        "ban_in_force": "ends with a ban in force",
        "withdrawn": "ends with the seller gone",
        "revoked": "ends revoked",
        "pending": "is still pending",
        "no_deal": "ends with no deal",
    }
    return words.get(outcome, outcome)


def _fmt(v: float) -> str:
    if abs(v) >= 100 or float(v).is_integer():
        return f"{v:.0f}"
    return f"{v:.3g}"


def sentence(
    box: Box, phrase: str, labels: dict[str, str], threshold: float | None, ranges: dict[str, tuple[float, float]]
) -> str:
    """A box in plain words: each numeric limit as under, above or between, against the sweep's ranges."""
    conditions = []
    for path, lim in box.limits.items():
        name = labels.get(path, path)
        if isinstance(lim, set):
            conditions.append(f"{name} is {' or '.join(sorted(map(str, lim)))}")
            continue
        lo, hi = lim
        low_end, high_end = ranges.get(path, (-math.inf, math.inf))
        cut_low, cut_high = lo > low_end + 1e-9, hi < high_end - 1e-9
        if cut_low and cut_high:
            conditions.append(f"{name} is between {_fmt(lo)} and {_fmt(hi)}")
        elif cut_high:
            conditions.append(f"{name} is under {_fmt(hi)}")
        else:
            conditions.append(f"{name} is above {_fmt(lo)}")
    where = " and ".join(conditions) if conditions else "anywhere"
    if threshold is None:
        head = f"{phrase} in {box.density:.0%} of runs when {where}"
    else:
        head = f"P({phrase}) reaches {threshold:.0%} at {box.density:.0%} of the design points where {where}"
    return f"{head}; {box.mass:.0%} of the space, {box.coverage:.0%} of the cases"
