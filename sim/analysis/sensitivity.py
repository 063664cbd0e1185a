"""Which assumption drives an outcome most: Sobol and Morris sensitivity analyses with SALib.

The model output at each design point is the probability of one outcome, averaged over
``runs`` replications with common random numbers (the same seeds at every point), so that the
noise of single runs does not swamp the parameters' effects. The result reports how much of
the output's variance that remaining noise could explain (``noise_share``): when it is not
small, raise ``runs``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.sweep import evaluate_points, noise_share
from sim.errors import UsageError
from sim.outcomes import Outcome
from sim.runs.backends import Execution
from sim.runs.stats import summarize
from sim.scenario.load import ScenarioTemplate
from sim.scenario.schema import Parameter

METHODS = ("sobol", "morris")


def salib_problem(params: Sequence[Parameter]) -> dict[str, Any]:
    """The SALib problem: names, bounds and distributions (discrete values as an index)."""
    names, bounds, dists = [], [], []
    for p in params:
        names.append(p.path)
        if p.values is not None:
            bounds.append([0.0, float(len(p.values))])
            dists.append("unif")
        elif p.dist == "normal":
            bounds.append([p.mean, p.sd])
            dists.append("norm")
        elif p.dist == "triangular":
            bounds.append([p.low, p.high, (p.mode - p.low) / (p.high - p.low)])
            dists.append("triang")
        else:
            bounds.append([p.low, p.high])
            dists.append("unif")
    return {"num_vars": len(params), "names": names, "bounds": bounds, "dists": dists}


def _point(params: Sequence[Parameter], row: np.ndarray, integer: Sequence[bool]) -> dict[str, Any]:
    point = {}
    for p, x, is_int in zip(params, row, integer, strict=True):
        if p.values is not None:
            point[p.path] = p.values[min(len(p.values) - 1, int(x))]
        else:
            point[p.path] = int(round(x)) if is_int else float(x)
    return point


@dataclass
class SensitivityResult:
    """Indices per parameter, the design, and the outputs behind them."""

    scenario_name: str
    method: str
    outcome: str
    samples: int
    runs: int
    seed: int
    indices: pd.DataFrame
    design: pd.DataFrame
    noise_share: float


def run_sensitivity(
    template: ScenarioTemplate,
    params: Sequence[Parameter],
    *,
    method: str = "sobol",
    samples: int = 64,
    runs: int = 200,
    outcome: str = "closed_by_deadline",
    seed: int = 0,
    execution: Execution = Execution(),
) -> SensitivityResult:
    """First-order and total Sobol indices, or Morris elementary effects, of P(outcome).

    Args:
        template: the scenario.
        params: the parameters (at least two).
        method: ``sobol`` (Saltelli design, N x (D + 2) points) or ``morris`` (N trajectories,
            N x (D + 1) points).
        samples: N above.
        runs: replications per design point.
        outcome: the outcome whose probability is analysed.
        seed: seeds both the design and the runs.
        execution: where the runs execute.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    if method not in METHODS:
        raise UsageError(f"method = {method!r}: must be one of {', '.join(METHODS)}")
    if outcome not in {o.value for o in Outcome}:
        raise UsageError(f"outcome = {outcome!r}: must be one of {', '.join(o.value for o in Outcome)}")
    if len(params) < 2:
        raise UsageError(f"a sensitivity analysis needs at least 2 parameters, got {len(params)}")
    if samples < 2:
        raise UsageError(f"samples = {samples}: must be >= 2")
    problem = salib_problem(params)
    if method == "sobol":
        X = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    else:
        X = morris_sample.sample(problem, samples, num_levels=4, seed=seed)
    integer = [template.leaf_type(p.path) is int for p in params]
    points = [_point(params, row, integer) for row in X]
    tallies = evaluate_points(template, points, runs, seed, execution)
    scenario = template.build()
    Y = np.array([summarize(t, scenario, seed)["outcomes"][outcome]["p"] for t in tallies])
    if method == "sobol":
        si = sobol_analyze.analyze(problem, Y, calc_second_order=False, seed=seed)
        indices = pd.DataFrame(
            {
                "parameter": problem["names"],
                "S1": si["S1"],
                "S1_conf": si["S1_conf"],
                "ST": si["ST"],
                "ST_conf": si["ST_conf"],
            }
        )
    else:
        si = morris_analyze.analyze(problem, X, Y, num_levels=4, seed=seed)
        indices = pd.DataFrame(
            {
                "parameter": problem["names"],
                "mu_star": si["mu_star"],
                "mu_star_conf": si["mu_star_conf"],
                "sigma": si["sigma"],
                "mu": si["mu"],
            }
        )
    indices.insert(1, "label", [p.name for p in params])
    design = pd.DataFrame(points)
    design[f"p_{outcome}"] = Y
    return SensitivityResult(
        scenario.name,
        method,
        outcome,
        samples,
        runs,
        seed,
        indices.round(6),
        design,
        noise_share(Y, runs),
    )


def sensitivity_json(result: SensitivityResult) -> dict[str, Any]:
    """The analysis as JSON."""
    return {
        "scenario": result.scenario_name,
        "method": result.method,
        "outcome": result.outcome,
        "samples": result.samples,
        "runs_per_point": result.runs,
        "design_points": len(result.design),
        "seed": result.seed,
        "noise_share": None if np.isnan(result.noise_share) else round(result.noise_share, 4),
        "indices": result.indices.to_dict("records"),
    }
