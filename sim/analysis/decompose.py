"""Whose doing is it? A Shapley decomposition of a scenario's outcome by actor.

Each *factor* is one group of actors' obstacles, removed by a joint counterfactual (a set of
overrides of the scenario):

* ``home_timing``: the home side's reviewers handle every case routinely, each stage at its
  shortest (no political hold, no waiting, no refile);
* ``home_refusal``: the home side's reviewers consent whenever they rule;
* ``host_review``: the host side's reviewers approve every deal at once (or clear it in review);
* ``host_bans``: no ban stage is ever imposed (the business keeps its value);
* ``seller``: the seller sells whatever it is offered, restructures every rejected deal and
  never leaves the market.

Every one of the 2^5 combinations of factors is run with the same seeds (common random numbers),
so run ``i`` of each is the same history with different obstacles. The Shapley share of a
factor is its average marginal effect on P(outcome) over all orders of removing them; the shares
add up to the difference between the scenario with every obstacle removed and the scenario as it
is. 95% intervals come from resampling runs (each run keeps its 32 paired results).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.model.kinds import instrument_kind, reviewer_kind
from sim.runs.backends import Execution
from sim.runs.ensemble import run_ensemble
from sim.scenario.load import variant
from sim.scenario.schema import Scenario

OUTCOMES = {
    "closed_by_deadline": ("closed_by_deadline",),
    "closed": ("closed_by_deadline", "closed_after_deadline"),
}


def _side(s: Scenario, side: str, setting: str) -> dict[str, Any]:
    """Every reviewer of one side at one of its kind's settings (``fastest``, ``consenting``, ``at_once``)."""
    out: dict[str, Any] = {}
    for rid, r in s.reviewers.items():
        if r.side == side:
            out.update(getattr(reviewer_kind(r.kind), setting)(rid, r))
    return out


def _home_timing(s: Scenario) -> dict[str, Any]:
    return _side(s, "home", "fastest")


def _home_refusal(s: Scenario) -> dict[str, Any]:
    return _side(s, "home", "consenting")


def _host_review(s: Scenario) -> dict[str, Any]:
    """The host reviewers approve at once (each kind says how: at its first answer, as fast as it can)."""
    return _side(s, "host", "at_once")


def _host_bans(s: Scenario) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for iid, i in s.instruments.items():
        out.update(instrument_kind(i.kind).without_bans(iid, i))
    out.update({f"courts.{cid}.stages": None for cid, c in s.courts.items() if c.stages is not None})
    out["market.erosion_looming"] = 0.0
    return out


def _seller(s: Scenario) -> dict[str, Any]:
    return {"seller.reservation": 0.0, "seller.p_restructure": 1.0, "seller.exit.base": -50}


FACTORS: dict[str, tuple[str, Callable[[Scenario], dict[str, Any]]]] = {
    "home_timing": ("the home government's timing (political holds, review time)", _home_timing),
    "home_refusal": ("the home government's refusals", _home_refusal),
    "host_review": ("the host regulator's review (time and objections)", _host_review),
    "host_bans": ("the host's ban stages (lost value, exits)", _host_bans),
    "seller": ("the seller's choices (holding out, giving up, leaving)", _seller),
}
"""Each factor: its description and the overrides that remove it from a scenario."""


@dataclass
class Decomposition:
    """The paired results of every combination of factors, and the Shapley shares."""

    scenario: Scenario
    runs: int
    seed: int
    factors: list[str]
    hits: dict[str, np.ndarray]  # outcome -> (combinations, runs) booleans
    table: pd.DataFrame  # one row per outcome and factor: share and its 95% interval

    @property
    def combinations(self) -> list[tuple[int, ...]]:
        return list(itertools.product((0, 1), repeat=len(self.factors)))


def shapley_weights(n: int) -> np.ndarray:
    """(factors, 2^n) weights: ``weights @ v`` gives each factor's Shapley value of ``v``.

    ``v`` is indexed like ``itertools.product((0, 1), repeat=n)`` (1 = the factor removed).
    """
    combos = list(itertools.product((0, 1), repeat=n))
    index = {c: i for i, c in enumerate(combos)}
    weights = np.zeros((n, len(combos)))
    for i in range(n):
        for c in combos:
            if c[i]:
                continue
            size = sum(c)
            w = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            with_i = c[:i] + (1,) + c[i + 1 :]
            weights[i, index[with_i]] += w
            weights[i, index[c]] -= w
    return weights


def decompose(
    scenario: Scenario,
    runs: int,
    seed: int,
    execution: Execution | None = None,
    factors: list[str] | None = None,
    resamples: int = 1000,
) -> Decomposition:
    """Run every combination of factors with common random numbers and share out the effect."""
    factors = factors or list(FACTORS)
    combos = list(itertools.product((0, 1), repeat=len(factors)))
    hits = {name: np.zeros((len(combos), runs), bool) for name in OUTCOMES}
    for k, combo in enumerate(combos):
        overrides: dict[str, Any] = {}
        for on, name in zip(combo, factors, strict=True):
            if on:
                overrides.update(FACTORS[name][1](scenario))
        label = "+".join(f for on, f in zip(combo, factors, strict=True) if on) or "as is"
        s = variant(scenario, overrides, label=label) if overrides else scenario
        outcome = run_ensemble(s, runs=runs, seed=seed, execution=execution, events="none").runs["outcome"]
        for name, counted in OUTCOMES.items():
            hits[name][k] = outcome.isin(counted).to_numpy()
    weights = shapley_weights(len(factors))
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, runs, size=(resamples, runs))
    rows = []
    for name, h in hits.items():
        means = h.mean(axis=1)
        shares = weights @ means
        boot = np.stack([weights @ h[:, d].mean(axis=1) for d in draws])  # (resamples, factors)
        lo, hi = np.percentile(boot, [2.5, 97.5], axis=0)
        for i, factor in enumerate(factors):
            rows.append(
                {
                    "outcome": name,
                    "factor": factor,
                    "meaning": FACTORS[factor][0],
                    "share": round(float(shares[i]), 4) + 0.0,
                    "lo": round(float(lo[i]), 4) + 0.0,
                    "hi": round(float(hi[i]), 4) + 0.0,
                    "p_as_is": round(float(means[0]), 4),
                    "p_all_removed": round(float(means[-1]), 4),
                    "p_only_this_removed": round(float(means[combos.index(_only(i, len(factors)))]), 4),
                }
            )
    return Decomposition(scenario, runs, seed, factors, hits, pd.DataFrame(rows))


def _only(i: int, n: int) -> tuple[int, ...]:
    return tuple(int(j == i) for j in range(n))


def decomposition_json(d: Decomposition) -> dict[str, Any]:
    """The decomposition as ``decomposition.json``."""
    out: dict[str, Any] = {"scenario": d.scenario.name, "runs": d.runs, "seed": d.seed, "outcomes": {}}
    for name, rows in d.table.groupby("outcome", sort=False):
        first = rows.iloc[0]
        out["outcomes"][name] = {
            "p_as_is": float(first["p_as_is"]),
            "p_all_removed": float(first["p_all_removed"]),
            "factors": {
                r.factor: {
                    "meaning": r.meaning,
                    "share": float(r.share),
                    "ci95": [float(r.lo), float(r.hi)],
                    "p_only_this_removed": float(r.p_only_this_removed),
                }
                for r in rows.itertuples()
            },
        }
    return out
