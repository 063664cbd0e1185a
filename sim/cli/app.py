"""The ``sim`` command group: errors into exit codes, the options and skeleton its commands share.

Exit codes: 0 success; 2 bad input (usage, scenario file, override, output directory);
1 anything else (a bug: run with SIM_DEBUG=1 to see the traceback). The commands live beside
it: ``run``, ``analysis`` (sweep, sensitivity, compare, backtest, calibrate) and ``inspect``
(validate, show, explain, list, reference).
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

from sim.errors import RunsFailed, SimError, UsageError
from sim.runs.backends import BACKENDS, Execution, FailureLog, Interrupted, RunAborted
from sim.scenario.load import load_scenario, parse_override, shipped_scenarios


class SimGroup(click.Group):
    """Turns the project's errors into one line each and exit code 2; bugs into exit code 1."""

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
        except RunsFailed as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)
        except RunAborted as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted: nothing was written", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # the reader of our output went away (`| head`): not an error
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - nothing more is printed
            ctx.exit(0)
        except OSError as exc:  # a full disk, a read-only file system: the machine's fault, said in one line
            where = f" ({exc.filename})" if exc.filename else ""
            click.echo(f"error: cannot write: {exc.strerror or exc}{where}", err=True)
            ctx.exit(1)
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
    """What-if simulations of a forced cross-border sale of a technology company.

    \b
    Example:
      sim run scenarios/export_control_review.yaml
    """


def overrides_of(values: tuple[str, ...]) -> dict[str, Any]:
    return dict(parse_override(v) for v in values)


def warn_inactive_overrides(spec: Any, overrides: dict[str, Any]) -> None:
    """Warn of an override that no run can read: the scenario declares its key inactive."""
    for key in overrides:
        for path, reason in spec.inactive.items():
            if key == path or key.startswith(path + "."):
                said = f"the scenario declares {path} inactive ({reason}); it changes no run"
                click.echo(f"warning: --set {key}: {said}", err=True)


def scenario_path(text: str) -> Path:
    """A path as given, or the name of a shipped scenario (``tiktok_2020``)."""
    path = Path(text)
    if path.exists() or path.suffix:
        return path
    shipped = shipped_scenarios() / f"{text}.yaml"
    return shipped if shipped.exists() else path


MAX_RUNS = 1_000_000_000  # about 12 days on one core at 1,000 runs a second, and 100 GB of runs.csv
RUNS = click.IntRange(1, MAX_RUNS)
"""``--runs``: at least one, at most ``MAX_RUNS`` (beyond it, say so before anything is written)."""

SET_HELP = "Override a scenario value: KEY.PATH=VALUE (repeatable), e.g. home.tension=0.9"


def result_options(default_help: str, scenarios: bool = True) -> Callable:
    """The options of every command that writes a result, given to it as one ``job``.

    --out, --force, --quiet, --backend, --workers and --scheduler become a :class:`ResultJob`;
    with ``scenarios`` (a command that reads scenario files), so does --set, as ``job.overrides``.
    """
    options = [
        *([click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help=SET_HELP)] if scenarios else []),
        click.option("--out", type=click.Path(path_type=Path), default=None, help=default_help),
        click.option("--force", is_flag=True, help="Replace an existing result directory (or an empty one)."),
        click.option("--quiet", is_flag=True, help="No progress bar."),
        click.option(
            "--allow-failures",
            "allow_failures",
            is_flag=True,
            help="Exit 0 even if some runs raised (they are counted apart; failures.txt has their tracebacks).",
        ),
        click.option("--svg", is_flag=True, help="Also write every figure as SVG (vector, for print)."),
        click.option("--no-figures", "no_figures", is_flag=True, help="Skip the figures/ PNGs (faster)."),
        click.option(
            "--no-report",
            "no_report",
            is_flag=True,
            help="Skip report.html (the self-contained HTML report; `sim report DIR` writes it later).",
        ),
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
        def command(
            *args: Any,
            out,
            force,
            quiet,
            allow_failures,
            svg,
            no_figures,
            no_report,
            backend,
            workers,
            scheduler,
            **kwargs: Any,
        ) -> Any:
            job = ResultJob(out, force, quiet, backend, workers, scheduler, with_report=not no_report)
            job.with_figures = not no_figures
            job.allow_failures = allow_failures
            job.overrides = overrides_of(kwargs.pop("sets", ()))
            if not svg:
                return f(*args, job=job, **kwargs)
            from sim.present import figures

            figures.EXTRA_FORMATS = ("svg",)
            try:
                return f(*args, job=job, **kwargs)
            finally:
                figures.EXTRA_FORMATS = ()

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
    with_report: bool = True
    with_figures: bool = True  # --no-figures: no figures/ PNGs (the report draws its own)
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    overrides: dict[str, Any] = field(default_factory=dict)  # --set, applied to every scenario the command reads
    allow_failures: bool = False  # --allow-failures: runs that raised do not make the command fail
    failures: FailureLog = field(default_factory=FailureLog)  # the runs that raised, in every ensemble it ran

    def scenario(self, path: Path) -> Any:
        """The scenario file with the command's --set overrides, validated (with a warning for a dead one)."""
        spec = load_scenario(path, self.overrides)
        warn_inactive_overrides(spec, self.overrides)
        return spec

    def template(self, path: Path) -> Any:
        """The scenario file as a template for variants, with the command's --set overrides."""
        from sim.scenario.load import ScenarioTemplate

        template = ScenarioTemplate(path, self.overrides)
        warn_inactive_overrides(template.build(), self.overrides)
        return template

    def target(self, default_name: str) -> Path:
        """The result directory (``outputs/<default_name>`` without --out), refused early if unusable."""
        from sim.runs.store import check_out_dir, default_out_dir

        self.out = check_out_dir(self.out or default_out_dir(default_name), self.force)
        return self.out

    @contextmanager
    def running(self, total: int, label: str) -> Iterator[Execution]:
        """Where the runs execute, with a progress bar of ``total`` runs (refused above ``MAX_RUNS``)."""
        if total > MAX_RUNS:
            raise UsageError(f"{label}: {total:,} runs in all; at most {MAX_RUNS:,} (fewer points or --runs)")
        backend = "dask" if self.scheduler and self.backend is None else self.backend
        with progress_bar(total, self.quiet, label) as advance:
            yield Execution(
                backend=backend,
                workers=self.workers,
                scheduler=self.scheduler,
                progress=advance,
                failures=self.failures,
            )

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
            overrides=self.overrides,
        )
        data["scenarios"] = [{"name": s.name, "file": s.source} for s in specs]
        if self.failures.count:
            files = {**files, "failures.txt": self.failures.text()}
        write_directory(self.out, {**files, "manifest.json": data}, force=self.force, draw=self.drawing(draw))

    def drawing(self, draw: Callable[[Path], None] | None) -> Callable[[Path], None] | None:
        """``draw`` (figures into a directory) unless --no-figures, then report.html beside them unless --no-report."""
        if not self.with_figures:
            draw = None
        if not self.with_report:
            return draw
        out = self.out

        def figures_and_report(figures: Path) -> None:
            from sim.present.report import write_report

            if draw is not None:
                draw(figures)
            write_report(figures.parent, shown_as=out)

        return figures_and_report

    def report(self, extra: str = "") -> None:
        """Say where the results are and which files they are; then, if runs raised, say so and fail.

        Raises:
            RunsFailed: some runs raised and ``--allow-failures`` was not given.
        """
        click.echo(f"results written to {self.out}/ ({_listing(self.out)}){extra}")
        if not self.failures.count:
            return
        line = self.failures.line() + f"; tracebacks in {self.out}/failures.txt"
        if self.allow_failures:
            click.echo(f"warning: {line} (allowed by --allow-failures)", err=True)
            return
        raise RunsFailed(f"{line}; their outcomes are left out of the results (--allow-failures to accept)")


def _listing(directory: Path) -> str:
    return ", ".join(sorted(p.name + ("/" if p.is_dir() else "") for p in Path(directory).iterdir()))


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
    the finished chunks stay saved for ``--resume``, and the exit code is 130. Ctrl-C itself is
    handled whatever disposition the command inherits: a process started with ``&`` from a
    non-interactive shell inherits SIGINT as ignored, and would otherwise never stop on it.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminated)
    cli(prog_name="sim")


def _terminated(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
