"""``sim run``: a scenario many times, streamed to a result directory."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sim.cli.app import RUNS, ResultJob, cli, result_options, scenario_path
from sim.present.tables import terminal


@cli.command()
@click.argument("scenario")
@click.option("--runs", type=RUNS, default=1000, show_default=True, help="Number of runs.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Master seed.")
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
def run(
    scenario: str,
    runs: int,
    seed: int,
    job: ResultJob,
    events: str,
    event_sample: int,
    formats: str,
    attribution: int,
    counterfactuals: int,
    chunk: int | None,
    resume: bool,
) -> None:
    """Run a scenario many times; write outcomes, runs, event logs, figures.

    Results stream to disk chunk by chunk (memory stays bounded); an interrupted run resumes
    with --resume and ends identical to an uninterrupted one.

    \b
    Example:
      sim run scenarios/tiktok_2020.yaml --runs 5000 --seed 7 --out outputs/t2020 --workers 2
    """
    from sim.present.tables import metrics_lines, outcome_table
    from sim.runs.store import default_out_dir, run_to_directory

    overrides = job.overrides
    spec = job.scenario(scenario_path(scenario))
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
            figures=_figures(job),
            overrides=overrides,
            command=["sim", *sys.argv[1:]],
        )
    console = terminal()
    console.print(outcome_table(summary, width=console.width))
    for line in metrics_lines(summary):
        console.print(line, highlight=False)
    if overrides:
        console.print("ran with --set " + ", ".join(f"{k}={v}" for k, v in overrides.items()), highlight=False)
    failed = summary["failed"]
    if failed["count"] and job.failures.count != failed["count"]:  # chunks saved before a --resume count too
        job.failures.count, job.failures.first = failed["count"], failed["first"]
    for line in next_steps(scenario_path(scenario), job.out, runs):
        console.print(line, highlight=False, soft_wrap=True)
    job.report()


def next_steps(path: Path, out: Path, runs: int) -> list[str]:
    """What to run next: the paired difference against the scenario this one extends, then why."""
    from sim.scenario.load import parent_of

    parent = parent_of(path)
    lines = []
    if parent is not None and parent.is_file():
        lines.append(
            f"what this scenario changes, run for run: sim compare {_shown(parent)} {_shown(path)} --runs {runs}"
        )
    lines.append(f"why, by stage: sim explain {_shown(out)}; by actor: sim decompose {_shown(path)} --runs {runs}")
    return lines


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to here when it is below here."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _figures(job: ResultJob):
    """What `sim run` draws into the result: figures/ (unless --no-figures), report.html (unless --no-report)."""
    if not job.with_figures and not job.with_report:
        return None

    def draw(result, figures: Path) -> None:
        def save(directory: Path) -> None:
            from sim.present.figures import save_figures  # matplotlib only when figures are wanted

            save_figures(result, directory)

        job.drawing(save)(figures)  # the job leaves the figures out under --no-figures

    return draw
