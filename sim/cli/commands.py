"""The ``sim`` command: parses arguments, calls the library, reports.

Exit codes: 0 success; 2 bad input (usage, scenario file, override, output directory);
1 anything else (a bug: run with SIM_DEBUG=1 to see the traceback).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from sim.errors import OutputError, ScenarioError, SimError, UsageError
from sim.outcomes import Outcome
from sim.runs.backends import BACKENDS, Execution, Interrupted, RunAborted
from sim.scenario.load import load_scenario, parse_override


class SimGroup(click.Group):
    r"""Turns the project's errors into one line each and exit code 2; bugs into exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SimError as exc:
            for line in exc.lines():
                click.echo(f"error: {line}", err=True)
            ctx.exit(2)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Interrupted as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(130)
        except RunAborted as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted: nothing was written", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # the reader of our output went away (`| head`): not an error
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - nothing more is printed
            ctx.exit(0)
        except Exception as exc:  # a bug, not the user's fault
            if os.environ.get("SIM_DEBUG"):
                traceback.print_exc()
            click.echo(
                f"internal error: {type(exc).__name__}: {exc} (set SIM_DEBUG=1 for details)",
                err=True,
            )
            ctx.exit(1)


@click.group(cls=SimGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dealsim", prog_name="sim")
def cli() -> None:
    r"""What-if simulations of a forced cross-border sale of a technology company.

    \b
    Example:
      sim run scenarios/export_control_review.yaml
    """


def _overrides(values: tuple[str, ...]) -> dict[str, Any]:
    return dict(parse_override(v) for v in values)


def _scenario_path(text: str) -> Path:
    r"""A path as given, or the name of a shipped scenario (``tiktok_2020``)."""
    path = Path(text)
    if path.exists() or path.suffix:
        return path
    shipped = shipped_scenarios_dir() / f"{text}.yaml"
    return shipped if shipped.exists() else path


def shipped_scenarios_dir() -> Path:
    r"""``./scenarios`` if there is one, else the scenarios beside the package."""
    here = Path("scenarios")
    return here if here.is_dir() else Path(__file__).resolve().parent.parent / "scenarios"


SET_HELP = "Override a scenario value: KEY.PATH=VALUE (repeatable), e.g. china.tension=0.9"


def result_options(default_help: str) -> Callable:
    """The options of every command that writes a result, given to it as one ``job``.

    --out, --force, --quiet, --backend, --workers and --scheduler become a :class:`ResultJob`.
    """
    options = [
        click.option("--out", type=click.Path(path_type=Path), default=None, help=default_help),
        click.option("--force", is_flag=True, help="Replace an existing result directory (or an empty one)."),
        click.option("--quiet", is_flag=True, help="No progress bar."),
        click.option(
            "--backend",
            type=click.Choice(BACKENDS),
            default=None,
            help="serial, processes (default: all cores) or dask (a LocalCluster, or --scheduler).",
        ),
        click.option("--workers", type=click.IntRange(min=1), default=None, help="Processes [default: all cores]."),
        click.option(
            "--scheduler",
            default=None,
            metavar="ADDRESS",
            help="A running Dask scheduler, e.g. tcp://host:8786 (with --backend dask).",
        ),
    ]

    def wrap(f: Callable) -> Callable:
        @functools.wraps(f)
        def command(*args: Any, out, force, quiet, backend, workers, scheduler, **kwargs: Any) -> Any:
            return f(*args, job=ResultJob(out, force, quiet, backend, workers, scheduler), **kwargs)

        for option in reversed(options):
            command = option(command)
        return command

    return wrap


@dataclass
class ResultJob:
    """The skeleton shared by every command that writes a result directory.

    ``target`` checks the directory before any work, ``running`` gives the :class:`Execution`
    with a progress bar, ``publish`` writes the files with their manifest all at once, and
    ``report`` says what was written.
    """

    out: Path | None
    force: bool
    quiet: bool
    backend: str | None
    workers: int | None
    scheduler: str | None
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def target(self, default_name: str) -> Path:
        """The result directory (``outputs/<default_name>`` without --out), refused early if unusable."""
        from sim.runs.store import check_out_dir, default_out_dir

        self.out = check_out_dir(self.out or default_out_dir(default_name), self.force)
        return self.out

    @contextmanager
    def running(self, total: int, label: str) -> Iterator[Execution]:
        """Where the runs execute, with a progress bar of ``total`` runs."""
        backend = "dask" if self.scheduler and self.backend is None else self.backend
        with progress_bar(total, self.quiet, label) as advance:
            yield Execution(backend=backend, workers=self.workers, scheduler=self.scheduler, progress=advance)

    def publish(
        self,
        files: dict[str, Any],
        specs: list[Any],
        seed: int,
        runs: int,
        draw: Callable[[Path], None] | None = None,
    ) -> None:
        """Write ``files`` and manifest.json to the result directory, all at once."""
        from sim.runs.store import manifest, write_directory

        data = manifest(
            specs[0],
            seed=seed,
            runs=runs,
            started=self.started,
            ended=dt.datetime.now(dt.UTC),
            command=["sim", *sys.argv[1:]],
        )
        data["scenarios"] = [{"name": s.name, "file": s.source} for s in specs]
        write_directory(self.out, {**files, "manifest.json": data}, force=self.force, draw=draw)

    def report(self, extra: str = "") -> None:
        """Say where the results are and which files they are."""
        click.echo(f"results written to {self.out}/ ({_listing(self.out)}){extra}")


def _listing(directory: Path) -> str:
    return ", ".join(sorted(p.name + ("/" if p.is_dir() else "") for p in Path(directory).iterdir()))


@cli.command()
@click.argument("scenario")
@click.option("--runs", type=click.IntRange(min=1), default=1000, show_default=True, help="Number of runs.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Master seed.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help=SET_HELP)
@result_options("Result directory [default: outputs/<scenario name>].")
@click.option(
    "--events",
    type=click.Choice(["all", "sample", "none"]),
    default="sample",
    show_default=True,
    help="Which runs keep their event log and timeline.",
)
@click.option(
    "--event-sample",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="How many runs (the first ones) --events sample keeps.",
)
@click.option(
    "--format",
    "formats",
    type=click.Choice(["csv", "parquet", "both"]),
    default="both",
    show_default=True,
    help="File format of runs, events and spans.",
)
@click.option(
    "--attribution",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="How many runs (the first ones) get a delay attribution, with counterfactual reruns (0: none).",
)
@click.option(
    "--counterfactuals",
    type=click.IntRange(min=0),
    default=70,  # sim.runs.ensemble.DEFAULT_COUNTERFACTUALS (not imported here: it loads pyarrow)
    show_default=True,
    help="How many of the attributed runs (spread evenly) have their late stages rerun at their minimum.",
)
@click.option(
    "--chunk-size",
    "chunk",
    type=click.IntRange(min=1),
    default=None,
    help="Runs per chunk, the unit saved and resumed [default: runs/100, between 250 and 5,000].",
)
@click.option("--resume", is_flag=True, help="Finish an interrupted run with the same settings.")
@click.option("--no-figures", is_flag=True, help="Skip the figures (faster).")
def run(
    scenario: str,
    runs: int,
    seed: int,
    sets: tuple[str, ...],
    job: ResultJob,
    events: str,
    event_sample: int,
    formats: str,
    attribution: int,
    counterfactuals: int,
    chunk: int | None,
    resume: bool,
    no_figures: bool,
) -> None:
    r"""Run a scenario many times; write outcomes, runs, event logs, figures.

    Results stream to disk chunk by chunk (memory stays bounded); an interrupted run resumes
    with --resume and ends identical to an uninterrupted one.

    \b
    Example:
      sim run scenarios/tiktok_2020.yaml --runs 5000 --seed 7 --out outputs/t2020 --workers 2
    """
    from sim.present.tables import metrics_lines, outcome_table
    from sim.runs.store import default_out_dir, run_to_directory

    overrides = _overrides(sets)
    spec = load_scenario(_scenario_path(scenario), overrides)
    job.out = job.out or default_out_dir(spec.name)  # the store checks it, and locks it
    with job.running(runs, spec.name) as execution:
        job.out, summary = run_to_directory(
            spec,
            job.out,
            runs,
            seed,
            execution=execution,
            events=events,
            event_sample=event_sample,
            attribution=attribution,
            counterfactuals=counterfactuals,
            chunk=chunk,
            formats=formats,
            force=job.force,
            resume=resume,
            figures=None if no_figures else _save_figures,
            overrides=overrides,
            command=["sim", *sys.argv[1:]],
        )
    console = Console(file=sys.stdout, width=120)
    console.print(outcome_table(summary))
    for line in metrics_lines(summary):
        console.print(line, highlight=False)
    job.report()


def _parameters(template: Any, params: tuple[str, ...], include_levers: bool) -> list[Any]:
    from sim.analysis.sweep import default_parameters, parse_param

    if params:
        return [parse_param(p) for p in params]
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
    type=click.Choice(["grid", "lhs", "sobol"]),
    default=None,
    help="Full grid, Latin hypercube or Sobol sequence [default: grid for up to two parameters, else lhs].",
)
@click.option(
    "--samples",
    type=click.IntRange(min=1),
    default=64,
    show_default=True,
    help="Design points of an lhs or sobol design.",
)
@click.option("--runs", type=click.IntRange(min=1), default=500, show_default=True, help="Runs per point.")
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Master seed (all points).",
)
@click.option(
    "--outcome",
    type=click.Choice([o.value for o in Outcome]),
    default="closed_by_deadline",
    show_default=True,
    help="The outcome a heatmap or scatter shows.",
)
@result_options("Result directory [default: outputs/<scenario name>_sweep].")
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
    r"""Run the scenario over a design of parameter values; one row per point.

    Writes sweep.csv and sweep.json (every outcome's p and 95% CI per point) and
    figures/sweep.png (lines with CI bands for one parameter, a heatmap for two).

    \b
    Example:
      sim sweep scenarios/export_control_review.yaml --param china.licence.review_days.median=20:180:9
    """
    from sim.analysis.sweep import design_points, run_sweep, sweep_json
    from sim.present.figures import save_sweep_figures
    from sim.present.tables import sweep_table
    from sim.scenario.load import ScenarioTemplate

    template = ScenarioTemplate(_scenario_path(scenario))
    parameters = _parameters(template, params, include_levers=True)
    design = design or ("grid" if len(parameters) <= 2 else "lhs")
    name = template.build().name
    job.target(f"{name}_sweep")
    points = len(design_points(template, parameters, design, samples, seed))
    with job.running(points * runs, f"{name} sweep") as execution:
        result = run_sweep(
            template, parameters, design=design, samples=samples, runs=runs, seed=seed, execution=execution
        )
    files = {"sweep.csv": result.table, "sweep.json": sweep_json(result)}
    job.publish(files, [template.build()], seed, points * runs, draw=lambda d: save_sweep_figures(result, outcome, d))
    Console(file=sys.stdout, width=120).print(sweep_table(result, outcome))
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
    type=click.IntRange(min=1),
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
@result_options("Result directory [default: outputs/<scenario name>_sensitivity].")
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
    r"""Which uncertain parameter drives an outcome most (Sobol or Morris, with SALib).

    Writes sensitivity.json and sensitivity.csv (indices with 95% CIs), design.csv and
    figures/sensitivity.png.

    \b
    Example:
      sim sensitivity scenarios/export_control_review.yaml --method sobol --samples 64 --runs 200
    """
    from sim.analysis.sensitivity import run_sensitivity, sensitivity_json
    from sim.present.figures import save_sensitivity_figure
    from sim.scenario.load import ScenarioTemplate

    template = ScenarioTemplate(_scenario_path(scenario))
    parameters = _parameters(template, params, include_levers=False)
    name = template.build().name
    job.target(f"{name}_sensitivity")
    d = len(parameters)
    points = samples * (d + 2) if method == "sobol" else samples * (d + 1)
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
    click.echo(result.indices.to_string(index=False))
    if result.noise_share == result.noise_share and result.noise_share > 0.2:
        click.echo(
            f"note: run-to-run noise could explain {result.noise_share:.0%} of the output's variance; "
            "raise --runs for sharper indices"
        )
    job.report()


@cli.command()
@click.argument("scenarios", nargs=-1, required=True)
@click.option("--runs", type=click.IntRange(min=1), default=1000, show_default=True, help="Runs per scenario.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Master seed (all scenarios).")
@result_options("Result directory [default: outputs/compare_<first>_<second>...].")
def compare(
    scenarios: tuple[str, ...],
    runs: int,
    seed: int,
    job: ResultJob,
) -> None:
    r"""Compare scenarios run with common random numbers: paired differences from the first.

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
    specs = [load_scenario(_scenario_path(p)) for p in scenarios]
    job.target("compare_" + "_".join(dict.fromkeys(s.name for s in specs)))
    with job.running(runs * len(specs), "compare") as execution:
        result = run_compare(specs, runs, seed, execution)
    transitions = pd.concat(
        [t.stack().rename("runs").reset_index().assign(scenario=label) for label, t in result.transitions.items()]
    )
    transitions.columns = ["reference_outcome", "outcome", "runs", "scenario"]
    files = {
        "comparison.json": comparison_json(result),
        "comparison.csv": result.table,
        "transitions.csv": transitions[transitions["runs"] > 0],
    }
    job.publish(files, specs, seed, runs, draw=lambda d: save_compare_figures(result, d))
    Console(file=sys.stdout, width=140).print(comparison_table(result))
    job.report()


@cli.command()
@click.argument("scenario")
@click.argument("record", type=click.Path(path_type=Path))
@click.option("--runs", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@result_options("Result directory [default: outputs/backtest_<scenario>_<record>].")
def backtest(
    scenario: str,
    record: Path,
    runs: int,
    seed: int,
    job: ResultJob,
) -> None:
    r"""Score a scenario against an observed record (what really happened).

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

    spec = load_scenario(_scenario_path(scenario))
    observed = load_record(record)
    observed.check_against(spec)
    job.target(f"backtest_{spec.name}_{observed.name}")
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
    s = result.report["scores"]
    click.echo(
        f"total log score {s['model']['log_score']:.3f} (uniform {s['uniform']['log_score']:.3f}, "
        f"neutral {s['neutral']['log_score']:.3f}); Brier {s['model']['brier']:.3f} "
        f"(uniform {s['uniform']['brier']:.3f}, neutral {s['neutral']['brier']:.3f})"
    )
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
@click.option("--runs", type=click.IntRange(min=1), default=500, show_default=True, help="Runs per grid point.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--write-scenario",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write the calibrated scenario here (e.g. scenarios/x_calibrated.yaml).",
)
@result_options("Result directory [default: outputs/calibrate_<scenario>_<record>].")
def calibrate(
    scenario: str,
    record: Path,
    params: tuple[str, ...],
    runs: int,
    seed: int,
    write_scenario: Path | None,
    job: ResultJob,
) -> None:
    r"""Grid-search parameters for the values under which the record is most likely.

    Prints the best values and the record's approximate log-likelihood before and after, and
    writes calibration.csv (every grid point), calibration.json and a scenario file that extends
    the original with the best values.

    \b
    Example:
      sim calibrate tiktok_2020 scenarios/records/tiktok_2020.yaml --param events.election.p_change=0.5,1
    """
    from sim.analysis.backtest import calibrate as run_calibrate
    from sim.analysis.backtest import calibrated_scenario
    from sim.analysis.sweep import design_points, parse_param
    from sim.scenario.load import ScenarioTemplate
    from sim.scenario.record import load_record

    template = ScenarioTemplate(_scenario_path(scenario))
    observed = load_record(record)
    parameters = [parse_param(p) for p in params]
    name = template.build().name
    out = job.target(f"calibrate_{name}_{observed.name}")
    if write_scenario is not None and write_scenario.exists() and not job.force:
        raise OutputError(f"--write-scenario {write_scenario}: exists; use --force to replace it")
    points = len(design_points(template, parameters, "grid", 0, seed))
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
    click.echo("best values: " + ", ".join(f"{k}={v}" for k, v in result.best.items()))
    click.echo(f"approximate log-likelihood of the record: {result.before:.3f} before, {result.after:.3f} after")
    job.report(f"; scenario written to {write_scenario}" if write_scenario else "")


@cli.command()
@click.argument("outdir", type=click.Path(path_type=Path))
@click.option(
    "--outcome",
    type=click.Choice([o.value for o in Outcome]),
    default=None,
    help="The outcome whose runs to tell [default: the most common late outcome].",
)
@click.option(
    "--runs",
    "count",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="How many runs to tell: the median by close date, then the extremes.",
)
def explain(outdir: Path, outcome: str | None, count: int) -> None:
    r"""Why were sales late? The delay attribution, then the stories of typical runs.

    Prints, for each stage of the deal, the days it added beyond its minimum in late and on-time
    runs and the share of late runs in which it was decisive (at its minimum, the sale closes by
    the first deadline), then tells K runs of an outcome from their event logs.

    \b
    Example:
      sim explain outputs/export_control_review --outcome closed_after_deadline --runs 3
    """
    from rich.table import Table

    from sim.present.labels import actor_labels
    from sim.present.story import attribution_table, representative_runs, story
    from sim.runs.store import load_result

    result = load_result(outdir)
    console = Console(file=sys.stdout, width=120)
    labels = actor_labels(result.scenario)
    rows = attribution_table(result.summary, labels)
    if rows:
        a = result.summary["attribution"]
        table = Table(
            title=f"Where the days went: {a['late_runs']:,} late and {a['on_time_runs']:,} on-time runs attributed",
            title_justify="left",
        )
        for column in (
            "stage",
            "responsible",
            "late: on path",
            "late: mean days added",
            "median if on path",
            "decisive",
            "on time: mean days added",
        ):
            table.add_column(column, justify="left" if column in ("stage", "responsible") else "right")
        for row in rows:
            table.add_row(*row)
        console.print(table)
    else:
        console.print("No run was attributed (run with --attribution K).", highlight=False)
    if outcome is None:
        late = [
            o
            for o in result.summary["outcomes"]
            if o != "closed_by_deadline" and result.summary["outcomes"][o]["count"]
        ]
        outcome = max(late, key=lambda o: result.summary["outcomes"][o]["count"]) if late else "closed_by_deadline"
    picks = representative_runs(result, outcome, count)
    if not picks:
        raise SimError(
            f"{outdir}: no run with an event log ended {outcome}; run with --events all or a larger --event-sample"
        )
    for k, run_id in enumerate(picks):
        heading = ("The median run" if k == 0 else "The earliest" if k == 1 else "The latest") + f" of {outcome}"
        console.print(f"\n[bold]{heading}[/bold]")
        console.print(story(result, run_id), highlight=False)


@cli.command()
@click.argument("scenario")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help=SET_HELP)
def validate(scenario: str, sets: tuple[str, ...]) -> None:
    r"""Check a scenario file (exit 0) or list its problems (exit 2).

    \b
    Example:
      sim validate scenarios/my_variant.yaml
    """
    spec = load_scenario(_scenario_path(scenario), _overrides(sets))
    click.echo(
        f"ok: {spec.source} ({spec.name}): {spec.start} to {spec.horizon}, first deadline "
        f"{spec.first_deadline}, {len(spec.bidders)} bidders, {len(spec.courts)} courts, "
        f"{len(spec.events)} dated events"
    )


@cli.command()
@click.argument("outdir", type=click.Path(path_type=Path))
def show(outdir: Path) -> None:
    r"""Print the summary of a result directory as a table.

    \b
    Example:
      sim show outputs/export_control_review
    """
    from sim.present.tables import metrics_lines, outcome_table
    from sim.runs.reading import read_summary

    summary, manifest_data = read_summary(outdir)
    console = Console(file=sys.stdout, width=120)
    console.print(outcome_table(summary))
    for line in metrics_lines(summary):
        console.print(line, highlight=False)
    if manifest_data:
        console.print(
            f"scenario file {manifest_data.get('scenario_file')}, sha256 "
            f"{manifest_data.get('scenario_sha256', '')[:12]}, ran {manifest_data.get('started')}",
            highlight=False,
        )


@cli.command(name="list")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
def list_scenarios(directory: Path | None) -> None:
    r"""List the shipped scenarios (or those in DIRECTORY), one line each.

    \b
    Example:
      sim list
    """
    directory = directory or shipped_scenarios_dir()
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise SimError(f"{directory}: no scenario files (*.yaml) here")
    for path in files:
        try:
            spec = load_scenario(path)
            click.echo(f"{spec.name:<24} {path}  {spec.description}")
        except ScenarioError as exc:
            click.echo(f"{path.stem:<24} {path}  INVALID: {exc.lines()[0]}")


@cli.command()
def reference() -> None:
    r"""Print the scenario reference (every parameter, its unit and meaning) as Markdown.

    \b
    Example:
      sim reference > docs/scenario-reference.md
    """
    from sim.scenario.reference import scenario_reference

    click.echo(scenario_reference(), nl=False)


@contextmanager
def progress_bar(total: int, quiet: bool, label: str) -> Iterator[Any]:
    """A progress bar on stderr (runs done, rate, time left).

    Silent with ``quiet`` or when stderr is not a terminal.
    """
    stream = sys.stderr
    if quiet or not stream.isatty():
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(file=stream), transient=True) as progress:
        task = progress.add_task(label, total=total, rate="")

        def advance(n: int) -> None:
            progress.advance(task, n)
            speed = progress.tasks[task].speed
            progress.update(task, rate=f"{speed:,.0f} runs/s" if speed else "")

        yield advance


def main() -> None:
    """Entry point of the ``sim`` console script.

    SIGTERM (what a scheduler or systemd sends) is taken as Ctrl-C: the workers are stopped,
    the finished chunks stay saved for ``--resume``, and the exit code is 130.
    """
    signal.signal(signal.SIGTERM, _terminated)
    cli(prog_name="sim")


def _terminated(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _save_figures(result, directory: Path) -> None:
    from sim.present.figures import save_figures  # matplotlib only when figures are wanted

    save_figures(result, directory)
