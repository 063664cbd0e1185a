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
MAX_CONDITIONS = 4  # a sentence names at most this many limits, the most significant first
MIN_POINTS = 5  # a box holds at least this many design points: fewer is a cluster of points, not a region


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
        points: how many of the sweep's design points fall in the box (a point's runs share
            their parameter values, so this, not the runs, is how much of the design it rests on).
        quasi_p: PRIM's quasi-p-value of each limit, ``(lower, upper)``, None for a side not
            restricted (Bryant and Lempert 2010: a one-sided binomial test of the density gained).
        sentence: the box in plain words, on its significant limits only.
    """

    limits: dict[str, Any]
    coverage: float
    density: float
    mass: float
    points: int = 0
    quasi_p: dict[str, tuple[float | None, float | None]] | None = None
    sentence: str = ""

    def significant(self, level: float = 0.05) -> dict[str, Any]:
        """The limits whose quasi-p-value is below ``level`` on a side they restrict (all, without them)."""
        if self.quasi_p is None:
            return dict(self.limits)
        return {
            k: v
            for k, v in self.limits.items()
            if any(q is not None and q < level for q in self.quasi_p.get(k, (None, None)))
        }

    def as_dict(self) -> dict[str, Any]:
        """The box as JSON."""
        limits = {k: (sorted(v) if isinstance(v, set) else [_num(v[0]), _num(v[1])]) for k, v in self.limits.items()}
        return {
            "limits": limits,
            "coverage": round(self.coverage, 4),
            "density": round(self.density, 4),
            "mass": round(self.mass, 4),
            "points": self.points,
            "quasi_p": None
            if self.quasi_p is None
            else {k: [None if q is None else float(f"{q:.3g}") for q in v] for k, v in self.quasi_p.items()},
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
        x = _as_float(runs[paths].reset_index(drop=True))
        return x, hit, rate_by_point.loc[runs["point"]].to_numpy()
    x = _as_float(points[paths].reset_index(drop=True))
    rates = rate_by_point.reindex(range(len(points))).to_numpy()
    return x, rates >= threshold, rates


def _as_float(x: pd.DataFrame) -> pd.DataFrame:
    """Whole-number columns as floats: a box limit falls between two values (1.5 extensions)."""
    ints = [c for c in x.columns if pd.api.types.is_integer_dtype(x[c]) and not pd.api.types.is_bool_dtype(x[c])]
    return x.astype(dict.fromkeys(ints, float)) if ints else x


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
        outcome: one of the eleven outcomes, or ``closed``.
        threshold: look for the points where P(outcome) reaches it, instead of the runs where the
            outcome happened.
        min_density: PRIM's chosen box is the one on its peeling trajectory with the highest
            coverage among those at least this dense (the densest, if none is); CART's boxes are
            those at least this dense.
        mass_min: the smallest share of the rows a box may hold; at least ``MIN_POINTS`` design
            points' worth, whatever is asked (a point's runs share their values, so a box of one
            point's runs would be a point, not a region).
    """
    x, y, rates = cases(runs, points, params, outcome, threshold)
    point_of = runs["point"].to_numpy() if threshold is None else np.arange(len(points))
    n_points = len(np.unique(point_of))
    mass_min = max(mass_min, min(1.0, MIN_POINTS / max(n_points, 1)))
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
    if len(dense):
        chosen = int(dense["coverage"].idxmax())
    else:  # no box dense enough: the one that best trades mass for lift (weighted relative accuracy)
        chosen = int((trajectory["mass"] * (trajectory["density"] - base)).idxmax())
    box.select(chosen)
    phrase = _phrase(outcome, threshold)
    ranges = {
        c: (float(x[c].min()), float(x[c].max())) for c in x.columns if not isinstance(x[c].dtype, pd.CategoricalDtype)
    }
    found.trajectory, found.chosen = trajectory, chosen
    row = trajectory.loc[chosen]
    found.prim = _box(box.box_lims[chosen], box.box_lims[0], x, row["coverage"], row["density"], row["mass"])
    found.prim.points = _points_inside(found.prim, x, point_of)
    found.prim.quasi_p = _point_quasi_p(found.prim, x, point_of, rates, ranges)
    found.prim.sentence = sentence(found.prim, phrase, labels, threshold, ranges)
    dropped = sorted(set(found.prim.limits) - set(found.prim.significant()))
    if dropped:
        found.warnings.append(
            "PRIM's box also restricts "
            + ", ".join(labels.get(d, d) for d in dropped)
            + " with quasi-p-values of 0.05 or more: noise, left out of its sentence"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # the Workbench's CART reads a leaf's feature index (-2) as a column: with one column
        # that fails, so a constant column (never split on, never in a box) stands beside it
        tree = cart_mod.CART(x.assign(_constant=0.0) if x.shape[1] == 1 else x, y, mass_min=mass_min)
        tree.build_tree()
        # a tree of its root alone (too few points to split) has no path to read boxes from
        split = tree.clf.tree_.node_count > 1
        leaves = list(zip(tree.boxes, tree.stats, strict=True)) if split else []  # an empty leaf's density: NaN
    initial = _full_limits(x)
    for lims, stats in leaves:
        if stats["density"] >= min_density and stats["coverage"] > 0:
            b = _box(lims, initial, x, stats["coverage"], stats["density"], stats["mass"])
            b.points = _points_inside(b, x, point_of)
            b.sentence = sentence(b, phrase, labels, threshold, ranges)
            found.cart.append(b)
    found.cart.sort(key=lambda b: -b.coverage)
    if n_points < 2 * MIN_POINTS:
        found.warnings.append(
            f"only {n_points} design points: a box needs {MIN_POINTS} of them, so nothing smaller than the whole "
            "can be told apart (sweep more --samples)"
        )
    elif not split:
        found.warnings.append("CART made no split: no parameter separates the cases")
    elif not found.cart:
        found.warnings.append(f"CART found no leaf at least {min_density:.0%} dense (lower --min-density to see some)")
    if found.prim.density < min_density:
        found.warnings.append(
            f"no box on PRIM's trajectory is {min_density:.0%} dense; shown is the one that best trades its share "
            f"of the space for density above the base rate ({found.prim.density:.0%} dense)"
        )
    return found


def _inside(limits: dict[str, Any], x: pd.DataFrame) -> np.ndarray:
    """Which rows fall inside these limits."""
    inside = np.ones(len(x), bool)
    for c, lim in limits.items():
        if isinstance(lim, set):
            inside &= x[c].astype(str).isin({str(v) for v in lim}).to_numpy()
        else:
            inside &= ((x[c] >= lim[0] - 1e-12) & (x[c] <= lim[1] + 1e-12)).to_numpy()
    return inside


def _points_inside(box: Box, x: pd.DataFrame, point_of: np.ndarray) -> int:
    """How many distinct design points have rows inside the box."""
    return len(np.unique(point_of[_inside(box.limits, x)]))


def _point_quasi_p(
    box: Box, x: pd.DataFrame, point_of: np.ndarray, rates: np.ndarray, ranges: dict[str, tuple[float, float]]
) -> dict[str, tuple[float | None, float | None]]:
    """Each limit's quasi-p-value, counting design points, not runs.

    In the spirit of Bryant and Lempert (2010): how likely the box would be as dense if the limit
    did nothing. The runs of one point share its values, so the test compares design points: the
    rates of the outcome at the points inside the box against those at the points the limit
    shuts out (the box without that limit, less the box), a one-sided Welch test. Counting runs
    as independent would find nearly any limit significant.
    """
    from scipy import stats

    rate = pd.Series(rates).groupby(point_of).first()

    def points(limits: dict[str, Any]) -> set:
        return set(np.unique(point_of[_inside(limits, x)]))

    mine = points(box.limits)
    inside = rate.loc[sorted(mine)].to_numpy()
    out: dict[str, tuple[float | None, float | None]] = {}
    for c, lim in box.limits.items():
        shut_out = rate.loc[sorted(points({k: v for k, v in box.limits.items() if k != c}) - mine)].to_numpy()
        if len(inside) < 2 or len(shut_out) < 2:
            q = 1.0  # a limit that shuts out one point is no evidence of anything
        elif np.ptp(inside) == 0 and np.ptp(shut_out) == 0:
            q = 0.0 if inside[0] > shut_out[0] else 1.0
        else:
            q = float(stats.ttest_ind(inside, shut_out, equal_var=False, alternative="greater").pvalue)
        if isinstance(lim, set):
            out[c] = (q, None)
            continue
        low_end, high_end = ranges.get(c, (-math.inf, math.inf))
        out[c] = (q if lim[0] > low_end + 1e-9 else None, q if lim[1] < high_end - 1e-9 else None)
    return out


def _ema() -> tuple[Any, Any]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import cart, prim
    except ImportError:
        raise UsageError(
            "scenario discovery uses the EMA Workbench's PRIM and CART: pip install -e '.[discover]' in a clone "
            "('dealsim[discover]' from an index)"
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
    limits = box.significant()
    if box.quasi_p is not None:  # the most significant first
        limits = dict(sorted(limits.items(), key=lambda kv: min(q for q in box.quasi_p[kv[0]] if q is not None)))
    shown = dict(list(limits.items())[:MAX_CONDITIONS])
    for path, lim in shown.items():
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
    where = " and ".join(conditions)
    if len(limits) > len(shown):
        where += f" (and {len(limits) - len(shown)} more limits: see the table)"
    if threshold is None:
        head = f"{phrase} in {box.density:.0%} of runs " + (f"when {where}" if where else "anywhere in the sweep")
    else:
        head = f"P({phrase}) reaches {threshold:.0%} at {box.density:.0%} of the design points " + (
            f"where {where}" if where else "anywhere in the sweep"
        )
    points = f" ({box.points} design points)" if box.points else ""
    return f"{head}; {box.mass:.0%} of the space{points}, {box.coverage:.0%} of the cases"
