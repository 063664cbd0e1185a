"""Sweeps: the same scenario at many parameter values (a design), each point an ensemble.

Designs are a full grid, a Latin hypercube or a scrambled Sobol sequence (``scipy.stats.qmc``), or
``cross``: every setting of the levers (a grid) crossed with the same sample of the uncertainties
(a Latin hypercube), the EMA Workbench's policies x scenarios, from which :func:`robustness`
says how well each lever setting does across the uncertainties. Every design point runs with the
same master seed, so run ``i`` of every point shares its luck (common random numbers):
differences between points come from the parameters, not from noise. Besides one row per point,
a sweep keeps every run's row (``SweepResult.runs``), so that scenario discovery
(:mod:`sim.analysis.discover`) can work on them without running the sweep again.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import yaml
from pydantic import ValidationError
from scipy import stats
from scipy.stats import qmc

from sim.errors import Problem, ScenarioError, UsageError
from sim.outcomes import PRECEDENCE
from sim.runs.backends import Execution
from sim.runs.ensemble import ChunkResult, EnsembleSpec, run_tasks
from sim.runs.stats import Tally, summarize, wilson_interval
from sim.scenario.load import ScenarioTemplate
from sim.scenario.schema import Parameter

DESIGNS = ("grid", "lhs", "sobol", "cross")


def parse_param(text: str) -> Parameter:
    """Read ``--param PATH=SPEC``.

    SPEC is ``a:b:n`` (n grid points from a to b), ``a:b`` (a range) or ``v1,v2,...`` (values).
    """
    path, sep, spec = text.partition("=")
    where = f"--param {text}"
    if not sep or not path.strip() or not spec.strip():
        raise ScenarioError([Problem(where, "", "expected PATH=LOW:HIGH[:POINTS] or PATH=V1,V2,...")])
    path, spec = path.strip(), spec.strip()
    try:
        if ":" in spec:
            parts = spec.split(":")
            if len(parts) not in (2, 3):
                raise ValueError("use LOW:HIGH or LOW:HIGH:POINTS")
            low, high = float(parts[0]), float(parts[1])
            points = int(parts[2]) if len(parts) == 3 else 5
            return Parameter(path=path, low=low, high=high, points=points)
        values = [yaml.safe_load(v) for v in spec.split(",")]
        return Parameter(path=path, values=values)
    except ValidationError as exc:
        message = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        raise ScenarioError([Problem(where, path, message)]) from None
    except (ValueError, TypeError) as exc:
        raise ScenarioError([Problem(where, path, str(exc))]) from None


def default_parameters(template: ScenarioTemplate, include_levers: bool = True) -> list[Parameter]:
    """The scenario's declared levers and uncertainties (or an error saying how to give some)."""
    scenario = template.build()
    params = [*(scenario.levers if include_levers else []), *scenario.uncertainties]
    if not params:
        raise UsageError(
            f"{template.path}: the scenario declares no `levers:` or `uncertainties:`; "
            "give parameters with --param PATH=LOW:HIGH[:POINTS]"
        )
    return params


def _value(param: Parameter, u: float, integer: bool) -> Any:
    """The parameter's value at quantile ``u`` in [0, 1)."""
    if param.values is not None:
        return param.values[min(len(param.values) - 1, int(u * len(param.values)))]
    if param.dist == "normal":
        x = float(stats.norm.ppf(min(max(u, 1e-6), 1 - 1e-6), param.mean, param.sd))
    elif param.dist == "triangular":
        c = (param.mode - param.low) / (param.high - param.low)
        x = float(stats.triang.ppf(u, c, loc=param.low, scale=param.high - param.low))
    else:
        x = param.low + u * (param.high - param.low)
    return _typed(x, integer)


def _typed(x: float, integer: bool) -> Any:
    return int(round(x)) if integer else float(round(x, 6))


def grid_values(param: Parameter, integer: bool) -> list[Any]:
    """The values a grid sweep takes for one parameter."""
    if param.values is not None:
        return list(param.values)
    if param.dist == "normal":
        low, high = param.mean - 2 * param.sd, param.mean + 2 * param.sd
    else:
        low, high = param.low, param.high
    values = [_typed(x, integer) for x in np.linspace(low, high, param.points)]
    return list(dict.fromkeys(values))  # rounding integers can repeat a value


MAX_POINTS = 1_000_000  # design points of one analysis: each is a scenario validated, then run


def count_points(params: Sequence[Parameter], design: str, samples: int, levers: Sequence[Parameter] = ()) -> int:
    """How many points a design has, worked out without building it (an upper bound for a rounded grid)."""
    if design == "cross":
        return count_points(levers, "grid", 0) * max(samples, 0)
    if design == "grid":
        return math.prod(len(p.values) if p.values is not None else p.points for p in params)
    return max(samples, 0)


def check_size(points: int, what: str) -> None:
    """Refuse a design of more than ``MAX_POINTS`` points before anything is built.

    Raises:
        UsageError: naming the count and what to change.
    """
    if points > MAX_POINTS:
        raise UsageError(
            f"{what}: {points:,} design points; at most {MAX_POINTS:,} (fewer values or points per --param, "
            "or fewer --samples)"
        )


def design_points(
    template: ScenarioTemplate,
    params: Sequence[Parameter],
    design: str,
    samples: int,
    seed: int,
    levers: Sequence[Parameter] = (),
) -> list[dict[str, Any]]:
    """The design: one ``{path: value}`` per point.

    With ``cross``, ``levers`` take every grid setting and ``params`` (the uncertainties) the same
    ``samples`` Latin-hypercube points under each setting.
    """
    if design not in DESIGNS:
        raise UsageError(f"design = {design!r}: must be one of {', '.join(DESIGNS)}")
    check_size(count_points(params, design, samples, levers), f"design {design}")
    if design == "cross":
        if not levers or not params:
            raise UsageError("design cross crosses levers with uncertainties: the scenario must declare both")
        settings = design_points(template, levers, "grid", 0, seed)
        sample = design_points(template, params, "lhs", samples, seed)
        return [{**setting, **point} for setting in settings for point in sample]
    integer = [template.leaf_type(p.path) is int for p in params]
    if design == "grid":
        axes = [grid_values(p, i) for p, i in zip(params, integer, strict=True)]
        return [dict(zip((p.path for p in params), combo, strict=True)) for combo in itertools.product(*axes)]
    if samples < 1:
        raise UsageError(f"samples = {samples}: must be >= 1")
    if design == "lhs":
        unit = qmc.LatinHypercube(d=len(params), seed=seed).random(samples)
    else:
        unit = qmc.Sobol(d=len(params), scramble=True, seed=seed).random(samples)
    return [{p.path: _value(p, u, i) for p, u, i in zip(params, row, integer, strict=True)} for row in unit]


def evaluate_points(
    template: ScenarioTemplate,
    points: Sequence[dict[str, Any]],
    runs: int,
    seed: int,
    execution: Execution = Execution(),
    keep_runs: list | None = None,
) -> list[Tally]:
    """Run an ensemble at every design point (same seed everywhere); one tally per point.

    Every point's scenario is built and validated before any run starts. Given a list as
    ``keep_runs``, every run's row is kept too: the list gets one Arrow table of the point's runs
    per point, in point order.
    """
    specs = []
    for point in points:
        try:
            spec = EnsembleSpec(template.build(point), runs, seed, events="none", keep_runs=keep_runs is not None)
            specs.append(spec)
        except ScenarioError as exc:
            where = ", ".join(f"{k}={v}" for k, v in point.items())
            raise ScenarioError(
                [Problem(f"design point ({where})", p.path, p.message, p.value) for p in exc.problems]
            ) from None
    tallies = [Tally(template.build().start) for _ in points]
    tasks = [(spec, i, a, b) for i, spec in enumerate(specs) for a, b in spec.chunks()]
    chunks: list[list[ChunkResult]] = [[] for _ in points]

    def keep(chunk: ChunkResult) -> None:
        tallies[chunk.index].merge(chunk.tally)
        if keep_runs is not None:
            chunks[chunk.index].append(chunk)

    run_tasks(tasks, keep, execution)
    if keep_runs is not None:
        for mine in chunks:
            keep_runs.append(pa.concat_tables([c.runs for c in sorted(mine, key=lambda c: c.start)]))
    return tallies


@dataclass
class SweepResult:
    """A sweep's design and, per point, every outcome's probability and 95% interval.

    Attributes:
        params: the parameters varied (with ``cross``, the levers first).
        design: ``grid``, ``lhs``, ``sobol`` or ``cross``.
        runs: runs per point; seed: the master seed (the same at every point).
        table: one row per design point: the parameter values, then for each outcome ``p_<o>``,
            ``lo_<o>``, ``hi_<o>``, then a few metrics (with ``cross``, a ``policy`` number first:
            the lever setting).
        runs_table: one row per run of every point: ``point``, the parameter values, then the
            run's record (``runs.csv``'s columns).
        levers: with ``cross``, the levers among ``params``.
    """

    scenario_name: str
    params: list[Parameter]
    design: str
    runs: int
    seed: int
    table: pd.DataFrame
    runs_table: pd.DataFrame | None = None
    levers: list[Parameter] = field(default_factory=list)


def as_parameters(params: Any) -> list[Parameter]:
    """Parameters as :func:`run_sweep` takes them, in any of three forms.

    :class:`Parameter` objects; ``--param`` strings (``"home.tension=0.3:0.9:4"``); or a mapping
    of paths to values (``{"home.tension": [0.3, 0.9]}``), to ranges (``(0.3, 0.9)``: five grid
    points) or to ``--param`` specs (``"0.3:0.9:4"``).
    """
    if isinstance(params, Mapping):
        out = []
        for path, spec in params.items():
            if isinstance(spec, str):
                out.append(parse_param(f"{path}={spec}"))
            elif isinstance(spec, tuple) and len(spec) == 2:
                out.append(Parameter(path=path, low=spec[0], high=spec[1]))
            else:
                out.append(Parameter(path=path, values=list(spec)))
        return out
    if isinstance(params, str | Parameter):
        params = [params]
    return [p if isinstance(p, Parameter) else parse_param(p) for p in params]


def run_sweep(
    template: ScenarioTemplate | str | Path,
    params: Any,
    *,
    design: str = "grid",
    samples: int = 64,
    runs: int = 500,
    seed: int = 0,
    execution: Execution = Execution(),
    levers: Sequence[Parameter] = (),
) -> SweepResult:
    """Sweep parameters over a design, running on ``execution``.

    With ``design="cross"``, ``levers`` are crossed with ``samples`` points of ``params``.

    Args:
        template: the scenario (a :class:`ScenarioTemplate`, or its file's path).
        params: what varies, in any form :func:`as_parameters` reads.
        design: ``grid``, ``lhs``, ``sobol`` or ``cross``.
        samples: design points of ``lhs`` and ``sobol`` (of the uncertainties, for ``cross``).
        runs: runs per design point.
        seed: seeds the design and the runs.
        execution: where the runs execute.
        levers: for ``cross``, the settings crossed with the sample, in any form ``params`` takes.
    """
    if not isinstance(template, ScenarioTemplate):
        template = ScenarioTemplate(template)
    params, levers = as_parameters(params), as_parameters(levers) if levers else []
    points = design_points(template, params, design, samples, seed, levers)
    scenario = template.build()
    kept: list[pa.Table] = []
    tallies = evaluate_points(template, points, runs, seed, execution, keep_runs=kept)
    rows, frames = [], []
    lever_paths = [p.path for p in levers] if design == "cross" else []
    settings: dict[tuple, int] = {}
    for i, (point, tally, table) in enumerate(zip(points, tallies, kept, strict=True)):
        summary = summarize(tally, scenario, seed)
        head = (
            {"policy": settings.setdefault(tuple(point[p] for p in lever_paths), len(settings))} if lever_paths else {}
        )
        rows.append({**head, **point, **point_metrics(summary)})
        runs_frame = table.to_pandas()
        frames.append(
            pd.concat([pd.DataFrame({"point": i, **head, **point}, index=runs_frame.index), runs_frame], axis=1)
        )
    all_params = [*levers, *params] if design == "cross" else list(params)
    return SweepResult(
        scenario.name,
        all_params,
        design,
        runs,
        seed,
        pd.DataFrame(rows),
        pd.concat(frames, ignore_index=True),
        list(levers) if design == "cross" else [],
    )


def sweep_warnings(result: SweepResult, outcome: str) -> list[str]:
    """What a sweep cannot show about ``outcome``: rare everywhere, or a parameter that does not move it.

    A parameter does not move it when the spread of P(outcome) between its values (averaged over
    the other parameters) is no larger than the points' own 95% intervals are wide, on average.
    """
    t = result.table
    p, lo, hi = (t.get(f"{k}_{outcome}") for k in ("p", "lo", "hi"))
    if p is None:
        return []
    if float(p.max()) < 0.01:
        return [
            f"P({outcome}) is below 1% at every point ({float(p.max()):.1%} at most): this sweep cannot show "
            "what moves it; try another --outcome (closed, pending...) or other parameters"
        ]
    warnings = []
    width = float((hi - lo).mean()) if lo is not None and hi is not None else 0.0
    for param in result.params:
        if param.path not in t.columns:
            continue
        means = t.groupby(param.path)[f"p_{outcome}"].mean()
        if len(means) > 1 and float(means.max() - means.min()) <= width / 2:
            warnings.append(
                f"{param.path} does not move P({outcome}) beyond the points' 95% intervals "
                f"(from {float(means.min()):.3f} to {float(means.max()):.3f} across its values)"
            )
    return warnings


def robustness(result: SweepResult, outcome: str = "p_closed", threshold: float = 0.5) -> pd.DataFrame:
    """How each lever setting of a ``cross`` sweep does across the sample of uncertainties.

    One row per setting: the levers' values, then for the chosen column (a point's ``p_<outcome>``,
    ``p_closed`` by default) its mean, minimum, 10th percentile and maximum over the uncertainty
    points, the share of them at which it reaches ``threshold`` (satisficing), and its largest
    regret: how far below the best setting at the same uncertainty point it falls, at worst.
    """
    if result.design != "cross":
        raise UsageError("robustness needs a sweep with --design cross (levers crossed with uncertainties)")
    table = result.table
    if outcome not in table:
        raise UsageError(f"outcome column {outcome!r}: not in the sweep (e.g. p_closed, p_closed_by_deadline)")
    levers = [p.path for p in result.levers]
    sample = [p.path for p in result.params if p.path not in levers]
    wide = table.pivot_table(index=sample, columns="policy", values=outcome)
    regret = wide.max(axis=1).to_numpy()[:, None] - wide.to_numpy()
    rows = []
    for k, (policy, group) in enumerate(table.groupby("policy", sort=True)):
        values = group[outcome]
        rows.append(
            {
                "policy": policy,
                **{p: group[p].iloc[0] for p in levers},
                "outcome": outcome,
                "mean": round(float(values.mean()), 4),
                "min": round(float(values.min()), 4),
                "p10": round(float(values.quantile(0.1)), 4),
                "max": round(float(values.max()), 4),
                f"share_at_least_{threshold:g}": round(float((values >= threshold).mean()), 4),
                "max_regret": round(float(regret[:, k].max()), 4),
            }
        )
    return pd.DataFrame(rows)


def point_metrics(summary: dict[str, Any]) -> dict[str, Any]:
    """One design point's row: each outcome's p and interval, and headline metrics."""
    row: dict[str, Any] = {}
    for outcome in PRECEDENCE:
        o = summary["outcomes"][outcome.value]
        row[f"p_{outcome.value}"] = o["p"]
        row[f"lo_{outcome.value}"], row[f"hi_{outcome.value}"] = o["ci95"]
    m = summary["metrics"]
    row["p_closed"] = m["p_closed"]
    counts = {name: o["count"] for name, o in summary["outcomes"].items()}
    closed = counts["closed_by_deadline"] + counts["closed_after_deadline"]
    row["lo_closed"], row["hi_closed"] = (round(x, 4) for x in wilson_interval(closed, sum(counts.values())))
    row["median_close_date"] = m["close_date"].get("median")
    row["mean_extensions"] = m["extensions"]["mean"]
    row["failed"] = summary["failed"]["count"]
    return row


def sweep_json(result: SweepResult, outcome: str = "closed_by_deadline") -> dict[str, Any]:
    """The sweep as JSON: design, parameters (the levers named), the outcome it showed, one record per point."""
    table = result.table.astype(object).where(result.table.notna(), None)
    return {
        "scenario": result.scenario_name,
        "design": result.design,
        "runs_per_point": result.runs,
        "seed": result.seed,
        "outcome": outcome,
        "params": [p.model_dump(exclude_defaults=True) for p in result.params],
        "levers": [p.path for p in result.levers],
        "points": table.to_dict("records"),
    }


def noise_share(p: np.ndarray, runs: int) -> float:
    """Share of the variance of estimated probabilities that sampling noise alone explains."""
    var = float(np.var(p))
    if var == 0:
        return math.nan
    return float(np.mean(p * (1 - p)) / runs / var)


def read_sweep(directory: str) -> tuple[list[Parameter], pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """A sweep's result directory: its parameters, its points, its runs and its manifest.

    Raises:
        OutputError: the directory is not a sweep's (no sweep.json), or one written before sweeps
            kept their runs (no runs.parquet).
    """
    from pathlib import Path

    from sim.errors import OutputError
    from sim.runs.reading import read_frame, read_json, readable

    d = Path(directory)
    if not d.is_dir():
        raise OutputError(f"{d}: no such directory (give a sweep's result directory, as written by `sim sweep`)")
    if not (d / "sweep.json").is_file():
        raise OutputError(f"{d}: not a sweep's result directory (no sweep.json); run `sim sweep` first")
    if not (d / "runs.parquet").is_file():
        raise OutputError(f"{d}: this sweep kept no runs (no runs.parquet); run it again with this version")
    meta = read_json(d / "sweep.json")
    with readable(d / "sweep.json"):  # a parameter not as sim writes one
        params = [Parameter.model_validate(p) for p in meta["params"]]
    manifest = read_json(d / "manifest.json") if (d / "manifest.json").is_file() else {}
    points = read_frame(d / "sweep.csv")
    with readable(d / "runs.parquet"):
        runs = pd.read_parquet(d / "runs.parquet")
    return params, points, runs, manifest
