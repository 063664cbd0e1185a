"""Screen every behavioural weight of a scenario: which ones move which outcome (Morris, SALib).

    python docs/screening.py [scenarios/export_control_review.yaml ...] [--trajectories 8] [--runs 100]

Each weight the scenario does not declare inactive varies over a range around its value: a
probability or share by +/-0.25 within 0-1, a choice temperature from half to twice, an erosion
rate from half to one and a half times, any other (logit) weight by +/-1.5. Morris elementary
effects (mu*, the mean absolute effect on P(outcome) of moving a weight across its range, with a
95% interval) rank them for each outcome. The result is written to docs/screening.md; the shipped
scenarios' `uncertainties:` are the top drivers found here.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample

from sim.analysis.sensitivity import _point, evaluate_points, salib_problem
from sim.outcomes import Outcome
from sim.runs.backends import Execution, default_workers
from sim.runs.stats import summarize
from sim.scenario.grounding import weight_paths
from sim.scenario.load import ScenarioTemplate
from sim.scenario.schema import Parameter, Scenario

ROOT = Path(__file__).resolve().parent.parent
OUTCOMES = [o.value for o in Outcome]
TOP = 8


def value_at(scenario: Scenario, path: str) -> float:
    node = scenario
    for part in path.split("."):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return float(node)


def unit_of(scenario: Scenario, path: str) -> str:
    """The declared unit of the weight at ``path`` (a mapping weight's, for one of its keys)."""
    node, unit = scenario, ""
    for part in path.split("."):
        if isinstance(node, dict):
            node = node[part]
            continue
        field = type(node).model_fields[part]
        unit = (field.json_schema_extra or {}).get("unit", unit)
        node = getattr(node, part)
    return unit


def weight_range(path: str, value: float, unit: str = "") -> tuple[float, float]:
    """The range a weight is screened over (see the module docstring)."""
    last = path.split(".")[-1]
    if last == "choice_temperature":
        return value / 2, value * 2
    if last.startswith("erosion"):
        return (value * 0.5, value * 1.5) if value > 0 else (0.0, 0.05)
    if unit in ("probability", "index 0-1", "multiplier 0-1"):
        lo, hi = max(0.0, value - 0.25), min(1.0, value + 0.25)
        return (lo, hi) if hi > lo else (0.0, 1.0)
    if last == "reservation":
        return max(0.0, value - 0.25), value + 0.25
    return value - 1.5, value + 1.5


def screen(path: Path, trajectories: int, runs: int, seed: int, execution: Execution) -> pd.DataFrame:
    template = ScenarioTemplate(path)
    scenario = template.build()
    paths = [p for p in weight_paths(scenario) if not any(p == i or p.startswith(f"{i}.") for i in scenario.inactive)]
    params = [
        Parameter(path=p, low=lo, high=hi)
        for p in paths
        for lo, hi in [weight_range(p, value_at(scenario, p), unit_of(scenario, p))]
    ]
    problem = salib_problem(params)
    X = morris_sample.sample(problem, trajectories, num_levels=4, seed=seed)
    points = [_point(params, row, [False] * len(params)) for row in X]
    tallies = evaluate_points(template, points, runs, seed, execution)
    shares = [
        summarize(t, scenario_name=scenario.name, seed=seed, first_deadline=scenario.first_deadline)["outcomes"]
        for t in tallies
    ]
    rows = []
    for outcome in OUTCOMES:
        Y = np.array([s[outcome]["p"] for s in shares])
        if Y.std() == 0:
            continue
        mi = morris_analyze.analyze(problem, X, Y, num_levels=4, seed=seed)
        for name, mu, conf in zip(problem["names"], mi["mu_star"], mi["mu_star_conf"], strict=True):
            rows.append({"scenario": scenario.name, "outcome": outcome, "weight": name, "mu_star": mu, "conf": conf})
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame, args: argparse.Namespace, started: dt.datetime) -> str:
    lines = [
        "# Which behavioural weights matter: a Morris screening",
        "",
        f"Written by `python docs/screening.py` ({args.trajectories} trajectories, {args.runs} runs per point, "
        f"seed {args.seed}, {started:%Y-%m-%d}). mu* is the mean absolute change in P(outcome) from moving a "
        "weight across its range (see the script for the ranges), with a 95% interval; noise alone gives "
        f"mu* of a few hundredths at {args.runs} runs per point. Outcomes no point moved are left out.",
        "",
    ]
    for (scenario, outcome), rows in table.groupby(["scenario", "outcome"], sort=False):
        top = rows.sort_values("mu_star", ascending=False).head(TOP)
        lines += [f"## {scenario}: P({outcome})", "", "| weight | mu* | 95% |", "|---|---|---|"]
        lines += [f"| `{r.weight}` | {r.mu_star:.3f} | ±{r.conf:.3f} |" for r in top.itertuples()]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "scenarios",
        nargs="*",
        type=Path,
        default=[ROOT / "scenarios" / "export_control_review.yaml", ROOT / "scenarios" / "tiktok_2020.yaml"],
    )
    parser.add_argument("--trajectories", type=int, default=8)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screening.md")
    args = parser.parse_args()
    started = dt.datetime.now(dt.UTC)
    execution = Execution(workers=default_workers())
    table = pd.concat([screen(p, args.trajectories, args.runs, args.seed, execution) for p in args.scenarios])
    args.out.write_text(markdown(table, args, started))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
