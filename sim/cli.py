"""The ``sim`` command: parses arguments, calls the library, reports.

Exit codes: 0 success; 2 bad input (usage, scenario file, override, output directory);
1 anything else (a bug: run with SIM_DEBUG=1 to see the traceback).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from sim.errors import ScenarioError, SimError
from sim.scenario import load_scenario, parse_override


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
        except KeyboardInterrupt:
            click.echo("interrupted: nothing was written", err=True)
            ctx.exit(130)
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


@cli.command()
@click.argument("scenario")
@click.option(
    "--runs", type=click.IntRange(min=1), default=1000, show_default=True, help="Number of runs."
)
@click.option(
    "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Master seed."
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Result directory [default: outputs/<scenario name>].",
)
@click.option(
    "--workers", type=click.IntRange(min=1), default=None, help="Processes [default: all cores]."
)
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help=SET_HELP)
@click.option("--force", is_flag=True, help="Replace an existing result directory.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--no-figures", is_flag=True, help="Skip the figures (faster).")
def run(
    scenario: str,
    runs: int,
    seed: int,
    out: Path | None,
    workers: int | None,
    sets: tuple[str, ...],
    force: bool,
    quiet: bool,
    no_figures: bool,
) -> None:
    r"""Run a scenario many times; write outcomes, runs, event logs, figures.

    \b
    Example:
      sim run scenarios/tiktok_2020.yaml --runs 5000 --seed 7 --out outputs/t2020 --workers 2
    """
    from sim.ensemble import default_workers, run_ensemble
    from sim.output import check_out_dir, default_out_dir, manifest, write_results
    from sim.report import metrics_lines, outcome_table

    overrides = _overrides(sets)
    spec = load_scenario(_scenario_path(scenario), overrides)
    out = check_out_dir(out or default_out_dir(spec.name), force)
    workers = workers or default_workers()
    started = dt.datetime.now(dt.UTC)
    with progress_bar(runs, quiet, f"{spec.name}") as advance:
        result = run_ensemble(spec, runs=runs, seed=seed, workers=workers, on_progress=advance)
    ended = dt.datetime.now(dt.UTC)
    data = manifest(
        result,
        started=started,
        ended=ended,
        workers=workers,
        overrides=overrides,
        command=["sim", *sys.argv[1:]],
    )
    write_results(result, out, force=force, manifest_data=data, figures=not no_figures)
    console = Console(file=sys.stdout, width=120)
    console.print(outcome_table(result.summary))
    for line in metrics_lines(result.summary):
        console.print(line, highlight=False)
    console.print(
        f"results written to {out}/ (summary.json, runs.csv, events.csv, spans.csv, manifest.json"
        + ("" if no_figures else ", figures/")
        + ")",
        highlight=False,
    )


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
    from sim.output import read_summary
    from sim.report import metrics_lines, outcome_table

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
    from sim.reference import scenario_reference

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
    """Entry point of the ``sim`` console script."""
    cli(prog_name="sim")
