"""``sim sweep``, ``discover``, ``sensitivity``, ``compare``, ``backtest`` and ``calibrate``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sim.cli.app import RUNS, ResultJob, cli, result_options, scenario_path
from sim.errors import OutputError, UsageError
from sim.outcomes import Outcome
from sim.present.tables import terminal
from sim.scenario.load import load_scenario


def _parameters(template: Any, params: tuple[str, ...], include_levers: bool) -> list[Any]:
    from sim.analysis.sweep import default_parameters, parse_param

    if params:
        parsed = [parse_param(p) for p in params]
        paths = [p.path for p in parsed]
        twice = next((path for path in paths if paths.count(path) > 1), None)
        if twice is not None:
            raise UsageError(f"--param {twice}: given twice; vary each parameter once")
        return parsed
    return default_parameters(template, include_levers)


@cli.command()
@click.argument("scenario")
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="PATH=SPEC",
    help="A parameter to vary: PATH=LOW:HIGH:POINTS, PATH=LOW:HIGH or PATH=V1,V2,... "
    "(repeatable) [default: the scenario's levers and uncertainties].",
)
@click.option(
    "--design",
    type=click.Choice(["grid", "lhs", "sobol", "cross"]),
    default=None,
    help="Full grid, Latin hypercube, Sobol sequence, or cross: every setting of the levers (a grid) crossed "
    "with the same lhs sample of the uncertainties [default: grid for up to two parameters, else lhs].",
)
@click.option(
    "--samples",
    type=click.IntRange(min=1),
    default=64,
    show_default=True,
    help="Design points of an lhs or sobol design (with cross: uncertainty points per lever setting).",
)
@click.option("--runs", type=RUNS, default=500, show_default=True, help="Runs per point.")
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Master seed (all points).",
)
@click.option(
    "--outcome",
    type=click.Choice([*(o.value for o in Outcome), "closed"]),
    default="closed_by_deadline",
    show_default=True,
    help="The outcome the figure shows and, with --design cross, robustness ranks (closed: by or after the deadline).",
)
@result_options("Result directory [default: outputs/<scenario name>_sweep_<parameters' keys, or the design>].")
def sweep(
    scenario: str,
    params: tuple[str, ...],
    design: str | None,
    samples: int,
    runs: int,
    seed: int,
    outcome: str,
    job: ResultJob,
) -> None:
    """Run the scenario over a design of parameter values; one row per point.

    Writes sweep.csv and sweep.json (every outcome's p and 95% CI per point), runs.parquet
    (every run's row, for `sim discover`) and figures/sweep.png (lines with CI bands for one
    parameter, a heatmap for two). With --design cross, also robustness.csv: each lever
    setting's P(outcome) across the uncertainty sample (mean, worst, 10th percentile, regret).

    \b
    Examples:
      sim sweep scenarios/export_control_review.yaml --param reviewers.china.review_days.median=20:180:9
      sim sweep scenarios/export_control_review.yaml --design cross --samples 16 --runs 200
    """
    from sim.analysis.sweep import count_points, robustness, run_sweep, sweep_json
    from sim.present.figures import save_sweep_figures
    from sim.present.tables import robustness_table, sweep_table

    template = job.template(scenario_path(scenario))
    levers: list[Any] = []
    if design == "cross":
        if params:
            raise UsageError("--design cross uses the scenario's levers and uncertainties; give no --param")
        built = template.build()
        levers, parameters = list(built.levers), list(built.uncertainties)
    else:
        parameters = _parameters(template, params, include_levers=True)
    design = design or ("grid" if len(parameters) <= 2 else "lhs")
    name = template.build().name
    job.target(f"{name}_sweep_{_varied(parameters) if params else design}")  # two sweeps' defaults differ
    points = count_points(parameters, design, samples, levers)
    with job.running(points * runs, f"{name} sweep") as execution:
        result = run_sweep(
            template,
            parameters,
            design=design,
            samples=samples,
            runs=runs,
            seed=seed,
            execution=execution,
            levers=levers,
        )
    files: dict[str, Any] = {
        "sweep.csv": result.table,
        "sweep.json": sweep_json(result, outcome),
        "runs.parquet": result.runs_table,
    }
    column = f"p_{outcome}"
    if design == "cross":
        files["robustness.csv"] = robustness(result, column)
    job.publish(
        files, [template.build()], seed, len(result.table) * runs, draw=lambda d: save_sweep_figures(result, outcome, d)
    )
    console = terminal()
    if design == "cross":
        console.print(robustness_table(files["robustness.csv"], result, column, width=console.width))
    else:
        console.print(sweep_table(result, outcome, width=console.width))
    from sim.analysis.sweep import sweep_warnings

    for line in sweep_warnings(result, outcome):
        click.echo(f"warning: {line}", err=True)
    job.report()


def _varied(parameters: list[Any]) -> str:
    """The parameters' names for a default directory name (cut, with a digest, past 60 characters)."""
    import hashlib

    # a parameter's own key, else its path's last two parts (the last alone says little: "median")
    name = "_".join(p.key or "_".join(p.path.split(".")[-2:]) for p in parameters)
    if len(name) <= 60:
        return name
    return name[:51] + "_" + hashlib.sha256(name.encode()).hexdigest()[:8]


@cli.command()
@click.argument("sweep_dir", metavar="SWEEP_DIR", type=click.Path(path_type=Path))
@click.option(
    "--outcome",
    default="closed_by_deadline",
    show_default=True,
    help="The outcome to find: one of the ten, or closed (by or after the deadline).",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=None,
    help="Find the design points where P(outcome) reaches this, instead of the runs where it happened.",
)
@click.option(
    "--min-density",
    type=click.FloatRange(0, 1),
    default=0.8,
    show_default=True,
    help="PRIM's box: the widest on its peeling trajectory at least this dense; CART's: those this dense.",
)
@result_options("Result directory [default: outputs/<sweep directory>_discover].", scenarios=False)
def discover(sweep_dir: Path, outcome: str, threshold: float | None, min_density: float, job: ResultJob) -> None:
    """Under which parameter values does an outcome happen? PRIM and CART on a sweep's runs.

    Writes discover.json and discover.md (each box in plain words, with its limits, coverage,
    density and share of the space), peeling.csv (PRIM's peeling trajectory), and
    figures/peeling.png and figures/box.png. Warns when the outcome is rare everywhere.

    \b
    Example:
      sim sweep scenarios/export_control_review.yaml --design lhs --samples 64 --runs 100
      sim discover outputs/export_control_review_sweep_lhs --outcome closed
    """
    from sim.analysis.discover import discover as run_discover
    from sim.analysis.discover import outcome_names
    from sim.analysis.sweep import read_sweep
    from sim.present.figures import save_discovery_figures
    from sim.present.tables import discovery_markdown, discovery_table

    if outcome not in outcome_names():
        raise UsageError(f"--outcome {outcome}: must be one of {', '.join(outcome_names())}")
    params, points, runs, manifest = read_sweep(sweep_dir)
    job.target(f"{Path(sweep_dir).name}_discover")
    found = run_discover(runs, points, params, outcome, threshold=threshold, min_density=min_density)
    if "scenario" not in manifest:
        raise OutputError(f"{sweep_dir}: the sweep's manifest.json is missing or holds no scenario")
    from sim.scenario.load import validate

    scenario = validate(manifest["scenario"], source=manifest.get("scenario_file", str(sweep_dir)))
    files = {
        "discover.json": {"sweep": str(sweep_dir), **found.as_dict()},
        "discover.md": discovery_markdown(found, params, str(sweep_dir)),
        "peeling.csv": found.trajectory,
    }
    job.publish(
        files,
        [scenario],
        int(manifest.get("seed", 0)),
        len(runs),
        draw=lambda d: save_discovery_figures(found, params, d),
    )
    for warning in found.warnings:
        click.echo(f"warning: {warning}", err=True)
    terminal().print(discovery_table(found))
    job.report()


@cli.command()
@click.argument("scenario")
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="PATH=LOW:HIGH",
    help="An uncertain parameter (repeatable) [default: the scenario's uncertainties].",
)
@click.option("--method", type=click.Choice(["sobol", "morris"]), default="sobol", show_default=True)
@click.option(
    "--samples",
    type=click.IntRange(min=2),
    default=64,
    show_default=True,
    help="Base samples N: Sobol runs N x (D + 2) points, Morris N x (D + 1).",
)
@click.option(
    "--runs",
    type=RUNS,
    default=200,
    show_default=True,
    help="Replications per point (the output is their average).",
)
@click.option(
    "--outcome",
    type=click.Choice([o.value for o in Outcome]),
    default="closed_by_deadline",
    show_default=True,
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@result_options("Result directory [default: outputs/<scenario name>_sensitivity_<method>].")
def sensitivity(
    scenario: str,
    params: tuple[str, ...],
    method: str,
    samples: int,
    runs: int,
    outcome: str,
    seed: int,
    job: ResultJob,
) -> None:
    """Which uncertain parameter drives an outcome most (Sobol or Morris, with SALib).

    Writes sensitivity.json and sensitivity.csv (indices with 95% CIs), design.csv and
    figures/sensitivity.png.

    \b
    Example:
      sim sensitivity scenarios/export_control_review.yaml --method sobol --samples 64 --runs 200
    """
    from sim.analysis.sensitivity import run_sensitivity, sensitivity_json
    from sim.analysis.sweep import check_size
    from sim.present.figures import save_sensitivity_figure
    from sim.present.tables import sensitivity_table

    template = job.template(scenario_path(scenario))
    parameters = _parameters(template, params, include_levers=False)
    name = template.build().name
    job.target(f"{name}_sensitivity_{method}")
    d = len(parameters)
    points = samples * (d + 2) if method == "sobol" else samples * (d + 1)
    check_size(points, f"{method} with --samples {samples}")
    with job.running(points * runs, f"{name} {method}") as execution:
        result = run_sensitivity(
            template,
            parameters,
            method=method,
            samples=samples,
            runs=runs,
            outcome=outcome,
            seed=seed,
            execution=execution,
        )
    files = {
        "sensitivity.json": sensitivity_json(result),
        "sensitivity.csv": result.indices,
        "design.csv": result.design,
    }
    job.publish(
        files, [template.build()], seed, len(result.design) * runs, draw=lambda d: save_sensitivity_figure(result, d)
    )
    terminal().print(sensitivity_table(result))
    if result.noise_share == result.noise_share and result.noise_share > 0.2:
        click.echo(
            f"note: run-to-run noise could explain {result.noise_share:.0%} of the output's variance; "
            "raise --runs for sharper indices"
        )
    job.report()


@cli.command()
@click.argument("scenarios", nargs=-1, required=True)
@click.option("--runs", type=RUNS, default=1000, show_default=True, help="Runs per scenario.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Master seed (all scenarios).")
@result_options("Result directory [default: outputs/<first>_vs_<second>..._compare].")
def compare(
    scenarios: tuple[str, ...],
    runs: int,
    seed: int,
    job: ResultJob,
) -> None:
    """Compare scenarios run with common random numbers: paired differences from the first.

    Writes comparison.json and comparison.csv (each scenario's p and CI per outcome and metric,
    and the paired difference from the first with its 95% CI), transitions.csv (how many runs
    changed outcome), and figures.

    \b
    Example:
      sim compare scenarios/tiktok_2020.yaml scenarios/export_control_review.yaml --runs 2000
    """
    import pandas as pd

    from sim.analysis.compare import compare as run_compare
    from sim.analysis.compare import comparison_json
    from sim.present.figures import save_compare_figures
    from sim.present.tables import comparison_table

    if len(scenarios) < 2:
        raise UsageError(f"compare needs at least two scenarios, got {len(scenarios)}")
    specs = [job.scenario(scenario_path(p)) for p in scenarios]
    job.target("_vs_".join(dict.fromkeys(s.name for s in specs)) + "_compare")
    with job.running(runs * len(specs), "compare") as execution:
        result = run_compare(specs, runs, seed, execution)
    transitions = pd.concat(  # each scenario's crosstab against the reference, its axes named alike
        [
            t.rename_axis(index="reference_outcome", columns="outcome").stack().rename("runs").reset_index()
            for t in result.transitions.values()
        ],
        keys=list(result.transitions),
        names=["scenario", None],
    ).reset_index(level="scenario")[["reference_outcome", "outcome", "runs", "scenario"]]
    files = {
        "comparison.json": comparison_json(result),
        "comparison.csv": result.table,
        "transitions.csv": transitions[transitions["runs"] > 0],
    }
    job.publish(files, specs, seed, runs, draw=lambda d: save_compare_figures(result, d))
    terminal().print(comparison_table(result))
    job.report()


@cli.command()
@click.argument("scenario")
@click.option("--runs", type=RUNS, default=1000, show_default=True, help="Runs per combination.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@result_options("Result directory [default: outputs/<scenario>_decompose].")
def decompose(scenario: str, runs: int, seed: int, job: ResultJob) -> None:
    """Whose obstacles: Shapley shares of P(closed by the deadline) and P(closed) by actor.

    Runs every combination of five joint counterfactuals (the home government's timing, its
    refusals, the host regulator's review, the host's ban stages, the seller's choices) with
    common random numbers, and shares the gap between the scenario as is and every obstacle
    removed among them, with 95% intervals. Writes decomposition.json, decomposition.csv and
    decomposition.png.

    \b
    Example:
      sim decompose scenarios/export_control_review.yaml --runs 1000
    """
    from sim.analysis.decompose import FACTORS, decomposition_json
    from sim.analysis.decompose import decompose as run_decompose
    from sim.present.figures import plot_decomposition, save_figure
    from sim.present.tables import decomposition_table

    spec = job.scenario(scenario_path(scenario))
    job.target(f"{spec.name}_decompose")
    with job.running(runs * 2 ** len(FACTORS), "decompose") as execution:
        result = run_decompose(spec, runs, seed, execution)
    files = {"decomposition.json": decomposition_json(result), "decomposition.csv": result.table}
    job.publish(
        files,
        [spec],
        seed,
        runs,
        draw=lambda d: save_figure(d / "decomposition.png", (9, 4.5), plot_decomposition, result),
    )
    terminal().print(decomposition_table(result))
    job.report()


@cli.command()
@click.argument("scenario")
@click.argument("record", type=click.Path(path_type=Path))
@click.option("--runs", type=RUNS, default=1000, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@result_options("Result directory [default: outputs/<scenario>_backtest_<record>].")
def backtest(
    scenario: str,
    record: Path,
    runs: int,
    seed: int,
    job: ResultJob,
) -> None:
    """Score a scenario against an observed record (what really happened).

    Writes backtest.json, backtest.md (a readable report) and figures: the probability of the
    observed outcome at each horizon with log and Brier scores against two baselines, and each
    observed event's date against the simulated ones.

    \b
    Example:
      sim backtest scenarios/export_control_review.yaml scenarios/records/tiktok_2020.yaml --runs 2000
    """
    from sim.analysis.backtest import backtest as run_backtest
    from sim.present.figures import save_backtest_figures
    from sim.present.tables import backtest_markdown
    from sim.scenario.record import load_record

    spec = job.scenario(scenario_path(scenario))
    observed = load_record(record)
    observed.check_against(spec)
    job.target(f"{spec.name}_backtest_{observed.name}")
    with job.running(2 * runs, "backtest") as execution:
        result = run_backtest(spec, observed, runs, seed, execution)
    figures = ["fan_chart.png", "event_dates.png"]
    files = {"backtest.json": result.report, "backtest.md": backtest_markdown(result.report, figures)}
    job.publish(files, [spec], seed, runs, draw=lambda d: save_backtest_figures(result, d))
    for h in result.report["horizons"]:
        click.echo(
            f"{h['horizon']}: observed {h['observed']}, P = {h['p_observed']:.3f} "
            f"(log score {h['model']['log_score']:.3f}; uniform {h['uniform']['log_score']:.3f}, "
            f"neutral decisions {h['neutral']['log_score']:.3f})"
        )
    s, seq, sample = result.report["scores"], result.report["sequence"], result.report["sample"]
    click.echo(
        f"the sequence {' then '.join(seq['observed'])}: P = {seq['model']['p_observed']:.3f}, "
        f"log score {s['model']['log_score']:.3f} of P smoothed over the sequences "
        f"(uniform {s['uniform']['log_score']:.3f}, "
        f"neutral {s['neutral']['log_score']:.3f}); Brier {s['model']['brier']:.3f} "
        f"(uniform {s['uniform']['brier']:.3f}, neutral {s['neutral']['brier']:.3f})"
    )
    click.echo(("in sample: " if sample["in_sample"] else "out of sample: ") + sample["why"])
    if result.report["conditions"]:
        click.echo(f"not scored (inputs of the scenario): {'; '.join(result.report['conditions'])}")
    job.report()


@cli.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--runs", type=RUNS, default=500, show_default=True, help="Runs per case (and as many neutral ones).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@result_options("Result directory [default: outputs/<directory>_evaluate].")
def evaluate(directory: Path | None, runs: int, seed: int, job: ResultJob) -> None:
    """Backtest every case of a library and score them together.

    DIRECTORY holds cases: NAME.yaml (a scenario written as of the case's start) and
    records/NAME.yaml (what happened); the shipped library scenarios/cases by default. Writes
    evaluation.json, evaluation.csv, evaluation.md and figures: each case's log and Brier scores of
    its observed outcomes against the neutral and uniform baselines, the summed scores, the share
    of observed dates inside the simulated 5-95% band, and a PIT histogram of the observed dates.

    \b
    Example:
      sim evaluate --runs 500
    """
    from sim.analysis.evaluate import evaluate as run_evaluate
    from sim.analysis.evaluate import evaluation_json, find_cases
    from sim.present.figures import save_evaluation_figures
    from sim.present.tables import evaluation_markdown, evaluation_table
    from sim.scenario.load import shipped_scenarios

    directory = directory or shipped_scenarios() / "cases"
    cases = find_cases(directory)
    specs = [job.scenario(path) for path, _ in cases]
    job.target(f"{directory.name}_evaluate")
    with job.running(2 * runs * len(cases), "evaluate") as execution:
        pairs = [(spec, record) for spec, (_, record) in zip(specs, cases, strict=True)]
        result = run_evaluate(pairs, runs, seed, execution)
    data = evaluation_json(result, runs, seed)
    figures = ["case_scores.png", "pit.png"]
    files = {
        "evaluation.json": data,
        "evaluation.csv": result.table,
        "evaluation.md": evaluation_markdown(data, figures),
    }
    job.publish(files, specs, seed, runs, draw=lambda d: save_evaluation_figures(result, d))
    console = terminal()
    console.print(evaluation_table(data, console.width))
    job.report()


@cli.command()
@click.argument("scenario")
@click.argument("record", type=click.Path(path_type=Path))
@click.option(
    "--param",
    "params",
    multiple=True,
    required=True,
    metavar="PATH=SPEC",
    help="A parameter to search: PATH=LOW:HIGH:POINTS or PATH=V1,V2,... (repeatable).",
)
@click.option("--runs", type=RUNS, default=500, show_default=True, help="Runs per grid point.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--write-scenario",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write the calibrated scenario here (e.g. scenarios/x_calibrated.yaml).",
)
@result_options("Result directory [default: outputs/<scenario>_calibrate_<record>].")
def calibrate(
    scenario: str,
    record: Path,
    params: tuple[str, ...],
    runs: int,
    seed: int,
    write_scenario: Path | None,
    job: ResultJob,
) -> None:
    """Grid-search parameters for the values under which the record is most likely.

    Prints the best values and the record's approximate log-likelihood before and after, and
    writes calibration.csv (every grid point), calibration.json and a scenario file that extends
    the original with the best values.

    \b
    Example:
      sim calibrate tiktok_2020 scenarios/records/tiktok_2020.yaml --param events.election.p_change=0.5,1
    """
    from sim.analysis.backtest import calibrate as run_calibrate
    from sim.analysis.backtest import calibrated_scenario
    from sim.analysis.sweep import count_points, parse_param
    from sim.present.tables import calibration_lines
    from sim.scenario.record import load_record

    template = job.template(scenario_path(scenario))
    observed = load_record(record)
    parameters = [parse_param(p) for p in params]
    name = template.build().name
    out = job.target(f"{name}_calibrate_{observed.name}")
    if write_scenario is not None and write_scenario.exists() and not job.force:
        raise OutputError(f"--write-scenario {write_scenario}: exists; use --force to replace it")
    if write_scenario is not None and not write_scenario.parent.is_dir():
        raise UsageError(f"--write-scenario {write_scenario}: no directory {write_scenario.parent} to write it in")
    points = count_points(parameters, "grid", 0)
    with job.running((points + 1) * runs, "calibrate") as execution:
        result = run_calibrate(template, observed, parameters, runs, seed, execution)
    target = write_scenario or out / f"{name}_calibrated.yaml"
    text = calibrated_scenario(template, result, observed, str(target))
    summary = {
        "scenario": name,
        "record": observed.name,
        "runs_per_point": runs,
        "seed": seed,
        "params": [p.model_dump(exclude_defaults=True) for p in parameters],
        "best": result.best,
        "log_likelihood": {"before": result.before, "after": result.after},
    }
    files = {"calibration.csv": result.table, "calibration.json": summary, f"{name}_calibrated.yaml": text}
    job.publish(files, [template.build()], seed, (points + 1) * runs)
    if write_scenario is not None:
        write_scenario.write_text(text, encoding="utf-8")
    for line in calibration_lines(summary):
        click.echo(line)
    job.report(f"; scenario written to {write_scenario}" if write_scenario else "")


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("scenario")
@click.argument("name", required=False)
@click.argument("extra", nargs=-1, type=click.UNPROCESSED)
def experiment(scenario: str, name: str | None, extra: tuple[str, ...]) -> None:
    """Run a named experiment saved in the scenario's `experiments:` (or list them).

    An experiment is a sim command with its options; options given after NAME are added (e.g.
    --runs 100 for a quick look). Results go to outputs/<scenario>_<name>/ unless the options
    say --out.

    \b
    Examples:
      sim experiment scenarios/export_control_review.yaml
      sim experiment scenarios/export_control_review.yaml robust_levers --runs 50
    """
    path = scenario_path(scenario)
    spec = load_scenario(path)
    here = Path(path).parent

    def arguments(e: Any) -> list[str]:
        return [str(path), *(str(here / s) for s in e.scenarios), *([str(here / e.record)] if e.record else [])]

    if name is None:
        if not spec.experiments:
            click.echo(f"{path}: no experiments (add an `experiments:` section to name some)")
        for key, e in spec.experiments.items():
            click.echo(f"{key}: {e.description}")
            click.echo(f"    sim {e.command} {' '.join([*arguments(e), *e.args])}")
            if e.discover is not None:
                click.echo(f"    then sim discover <its result> {' '.join(e.discover)}")
        return
    if name not in spec.experiments:
        allowed = ", ".join(spec.experiments) or "none"
        raise UsageError(f"{path}: no experiment {name!r} (experiments: {allowed})")
    e = spec.experiments[name]
    args = arguments(e)
    options = [*e.args, *extra]
    from sim.runs.store import default_out_dir

    out = default_out_dir(f"{spec.name}_{name}")
    if "--out" not in options:
        options += ["--out", str(out)]
    else:
        out = Path(options[options.index("--out") + 1])
    click.echo(f"experiment {name}: sim {e.command} {' '.join([*args, *options])}")
    cli.commands[e.command].main([*args, *options], prog_name=f"sim {e.command}", standalone_mode=False)
    if e.discover is not None:
        more = [*e.discover]
        more += [flag for flag in ("--force", "--quiet", "--no-report") if flag in options and flag not in more]
        if "--out" not in more:
            more += ["--out", str(out.with_name(f"{out.name}_discover"))]
        click.echo(f"experiment {name}: sim discover {out} {' '.join(more)}")
        cli.commands["discover"].main([str(out), *more], prog_name="sim discover", standalone_mode=False)
