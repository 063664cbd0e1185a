"""``sim validate``, ``show``, ``report``, ``explain``, ``list`` and ``reference``: no simulation."""

from __future__ import annotations

import errno
import shutil
import sys
from pathlib import Path

import click

from sim.cli.app import SET_HELP, cli, overrides_of, scenario_path
from sim.errors import OutputError, Problem, ScenarioError, SimError, UsageError
from sim.outcomes import Outcome
from sim.present.tables import terminal
from sim.scenario.load import load_scenario, shipped_scenarios


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
    type=click.IntRange(min=1, max=3),
    default=1,
    show_default=True,
    help="How many runs to tell: the median by close date, then the earliest and the latest.",
)
@click.option("--run", "run_id", type=click.IntRange(min=0), default=None, help="Tell this run (its run_id).")
def explain(outdir: Path, outcome: str | None, count: int, run_id: int | None) -> None:
    """Why were sales late? The delay attribution, then the story of a typical run.

    Prints, for each stage of the deal, the days it added beyond its minimum in late and on-time
    runs and the share of late runs in which it was decisive (at its minimum, the sale closes by
    the first deadline), then tells the median run of an outcome from its event log, and names
    the earliest and the latest (--runs 3 tells them too, --run ID any run whose log was kept).

    \b
    Example:
      sim explain outputs/export_control_review --outcome closed_after_deadline --runs 3
    """
    from rich.table import Table
    from rich.text import Text

    from sim.present.labels import actor_labels
    from sim.present.story import attribution_table, representative_runs, story
    from sim.present.tables import analysis_kind, printable, unbroken
    from sim.runs.store import load_result

    kind = None if (outdir / "summary.json").exists() else analysis_kind(outdir)
    if kind is not None:
        raise OutputError(
            f"{outdir}: a {kind}, not a run: sim explain tells the runs of `sim run`; "
            f"sim show {outdir} prints its table, sim report {outdir} all of it"
        )
    result = load_result(outdir)
    if run_id is not None and run_id not in set(result.events["run_id"]):
        raise UsageError(
            f"--run {run_id}: no event log of that run in {outdir} (runs 0-{len(result.runs) - 1}; "
            "logs are kept for --event-sample runs, or all with --events all)"
        )
    console = terminal()
    labels = actor_labels(result.scenario)
    rows = printable(attribution_table(result.summary, labels))
    if rows:
        a = result.summary["attribution"]
        table = Table(
            title=f"Where the days went: {a['late_runs']:,} late and {a['on_time_runs']:,} on-time runs attributed "
            f"({a.get('no_deal_runs', 0):,} runs never chose a deal, counted apart)",
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
            table.add_column(column, justify="left" if column in ("stage", "responsible") else "right", overflow="fold")
        for row in rows:
            table.add_row(*row)
        console.print(unbroken(table, console.width))
        console.print(
            "One stage at its minimum rarely saves a deadline; for the shares by actor (the home government's "
            "timing and refusals, the host's review and bans, the seller), run: "
            f"sim decompose {result.scenario.source}",
            highlight=False,
        )
    else:
        console.print("No run was attributed (run with --attribution K).", highlight=False)
    if outcome is None:
        late = [
            o
            for o in result.summary["outcomes"]
            if o != "closed_by_deadline" and result.summary["outcomes"][o]["count"]
        ]
        outcome = max(late, key=lambda o: result.summary["outcomes"][o]["count"]) if late else "closed_by_deadline"
    if run_id is not None:
        console.print(Text(f"\nRun {run_id}", style="bold"))
        console.print(printable(story(result, run_id)))
        return
    picks = representative_runs(result, outcome, 3)
    if not picks:
        raise SimError(
            f"{outdir}: no run with an event log ended {outcome}; run with --events all or a larger --event-sample"
        )
    names = ["The median run", "The earliest", "The latest"]
    for k, pick in enumerate(picks[:count]):
        console.print(Text(f"\n{names[k]} of {outcome}", style="bold"))
        console.print(printable(story(result, pick)))
    untold = [f"{names[k].lower().removeprefix('the ')}, run {pick}" for k, pick in enumerate(picks) if k >= count]
    if untold:
        console.print(
            f"\nAlso of {outcome}: the "
            + "; the ".join(untold)
            + f". Tell one: sim explain {outdir} --run {picks[count]}",
            highlight=False,
        )


@cli.command()
@click.argument("scenario")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help=SET_HELP)
@click.option("--no-runs", is_flag=True, help="Check the file only: do not run it to test its inactive: claims.")
def validate(scenario: str, sets: tuple[str, ...], no_runs: bool) -> None:
    """Check a scenario file (exit 0) or list its problems (exit 2).

    Besides the file itself, every weight the scenario declares under inactive: is moved and the
    scenario run again (60 runs, the same seeds): a weight that changes a run is not inactive,
    and is reported as a problem. --no-runs checks the file only.

    \b
    Example:
      sim validate my_variant.yaml
    """
    spec = load_scenario(scenario_path(scenario), overrides_of(sets))
    checked = ""
    if spec.inactive and not no_runs:
        from sim.analysis.inactive import RUNS, acting_inactive

        wrong = acting_inactive(spec)
        if wrong:
            raise ScenarioError(
                [
                    Problem(
                        spec.source,
                        f"inactive.{a.declared}",
                        f"declared inactive, but moving {a.path} to {a.value:g} changed {a.changed} of {a.runs} runs; "
                        "give it a grounded value (a source, a base rate or '# assumption') instead",
                    )
                    for a in wrong
                ]
            )
        checked = f"; its {len(spec.inactive)} inactive claims changed none of {RUNS} runs when moved"
    click.echo(
        f"ok: {spec.source} ({spec.name}): {spec.start} to {spec.horizon}, first deadline "
        f"{spec.first_deadline}, {len(spec.bidders)} bidders, {len(spec.courts)} courts, "
        f"{len(spec.events)} dated events{checked}"
    )


@cli.command()
@click.argument("outdir", type=click.Path(path_type=Path))
def show(outdir: Path) -> None:
    """Print the summary of a result directory: a run's outcomes, or an analysis's main table.

    \b
    Example:
      sim show outputs/export_control_review
    """
    from sim.present.tables import analysis_kind, metrics_lines, outcome_table, printable
    from sim.runs.reading import read_summary

    console = terminal()
    kind = None if (outdir / "summary.json").exists() else analysis_kind(outdir)
    if kind is not None:  # a sweep, comparison, backtest...: its own table
        from sim.present.tables import analysis_view

        try:
            shown = analysis_view(outdir, width=console.width)
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise OutputError(f"{outdir}: a {kind} whose files are not as sim writes them ({exc!r})") from None
        for part in shown:
            console.print(part)
        console.print(f"a {kind}; every table and figure: sim report {outdir}", highlight=False)
        return
    summary, manifest_data = (printable(d) for d in read_summary(outdir))  # a result's files are data
    try:  # the shape is checked on reading; what the metrics hold, on printing
        lines = metrics_lines(summary)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        problem = f"its metrics are not as `sim run` writes them ({exc!r})"
        raise OutputError(f"{outdir / 'summary.json'}: {problem}") from None
    console.print(outcome_table(summary, width=console.width))
    for line in lines:
        console.print(line, highlight=False)
    overrides = summary.get("overrides") or manifest_data.get("overrides")
    if overrides:
        shown = ", ".join(f"{k}={v}" for k, v in overrides.items())
        console.print(f"ran with --set {shown}", highlight=False)
    if manifest_data:
        console.print(
            f"scenario file {manifest_data.get('scenario_file')}; the scenario as run (with its extends and --set) "
            f"has sha256 {manifest_data.get('scenario_sha256', '')[:12]}; ran {manifest_data.get('started')}",
            highlight=False,
        )


@cli.command()
@click.argument("outdir", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The HTML file to write [default: OUTDIR/report.html].",
)
def report(outdir: Path, path: Path | None) -> None:
    """Write one self-contained HTML report of a result directory (any command's).

    The outcome table with intervals, interactive figures (hover for details), the delay
    attribution, the stories of typical runs, the manifest and overrides. It needs no network
    connection: open it in any browser, or mail it. Result commands write it themselves unless
    given --no-report.

    \b
    Example:
      sim report outputs/tiktok_2020
    """
    from sim.errors import OutputError
    from sim.present.report import write_report
    from sim.runs.store import is_sealed, seal

    if not outdir.is_dir():
        raise OutputError(f"{outdir}: no such result directory")
    if path is not None and not path.parent.is_dir():
        raise UsageError(f"--out {path}: no directory {path.parent} to write it in")
    sealed = is_sealed(outdir)
    written = write_report(outdir, path)
    if sealed:
        seal(outdir)  # the report is the result's own file: --force may still replace the directory
    click.echo(f"report written to {written}")


@cli.command()
@click.argument("scenario", required=False, default="export_control_review")
@click.option(
    "--port",
    type=click.IntRange(min=0, max=65535),
    default=8765,
    show_default=True,
    help="The port to serve on (0: any free port; the address is printed).",
)
@click.option("--host", default="localhost", show_default=True, help="The address to listen on.")
@click.option("--open", "open_browser", is_flag=True, help="Open it in the default browser.")
def dashboard(scenario: str, port: int, host: str, open_browser: bool) -> None:
    """Explore a scenario in the browser: one run day by day, and the ensemble beside the scenario as it is.

    Mesa's SolaraViz steps a run a day at a time, with the scenario's levers and uncertainties
    as sliders and switches; the Ensemble page runs a few hundred runs as set and as the
    scenario is, with the same seeds. It works with no internet connection. Needs the dashboard
    extra (pip install -e '.[dashboard]'); stop it with Ctrl-C.

    \b
    Example:
      sim dashboard scenarios/tiktok_2020.yaml --port 8765
    """
    import importlib.util
    import os
    import subprocess

    path = Path(scenario_path(scenario)).resolve()
    load_scenario(path)  # a bad scenario is refused here, with its one-line errors
    if importlib.util.find_spec("solara") is None or importlib.util.find_spec("altair") is None:
        raise UsageError(
            "the dashboard needs its extra: pip install -e '.[dashboard]' in a clone "
            "('dealsim[dashboard]' from an index)"
        )
    if port and not _port_free(host, port):
        raise UsageError(f"--port {port}: already in use on {host}; choose another, or --port 0 for any free one")
    env = {
        **os.environ,
        "SIM_DASHBOARD_SCENARIO": str(path),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # Solara reports usage to Mixpanel unless told not to
    }
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "sim.present.dashboard",
        "--port",
        str(port),
        "--host",
        host,
        "--production",
        "--no-check-version",
        "--open" if open_browser else "--no-open",
    ]
    click.echo(f"dashboard of {path.name}; stop with Ctrl-C", err=True)
    try:
        status = subprocess.run(command, env=env).returncode
    except KeyboardInterrupt:
        status = 0
    sys.exit(status)


def _port_free(host: str, port: int) -> bool:
    """Whether a server could listen on ``host:port`` now (the check uvicorn would fail later, with a traceback)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return True  # an address that does not resolve is the server's to report
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: TIME_WAIT is no obstacle
            try:
                probe.bind(address)
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    return False
    return True


@cli.command(name="list")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
def list_scenarios(directory: Path | None) -> None:
    """List the shipped scenarios (or those in DIRECTORY), one line each.

    \b
    Example:
      sim list
    """
    directory = directory or shipped_scenarios()
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise SimError(f"{directory}: no scenario files (*.yaml) here")
    width = shutil.get_terminal_size((100, 24)).columns

    def line(name: str, path: Path, text: str) -> str:  # one line each: the text is cut, never the path
        text = "".join(c if c.isprintable() else "?" for c in text)  # no terminal escapes from a file
        head = f"{name:<24} {path}  "
        room = width - len(head)
        if len(text) <= room:
            return head + text
        return head + text[: room - 3] + "..." if room >= 10 else head.rstrip()

    cases = directory / "cases"
    if (cases / "records").is_dir():  # the case library: its cases (a base file without a record is none)
        files += [p for p in sorted(cases.glob("*.yaml")) if (cases / "records" / p.name).is_file()]
    for path in files:
        try:
            spec = load_scenario(path)
            name = spec.name if path.parent == directory else f"cases/{spec.name}"
            click.echo(line(name, path, spec.description))
        except ScenarioError as exc:
            click.echo(line(path.stem, path, f"INVALID: {exc.lines()[0]}"))


@cli.command()
def reference() -> None:
    """Print the scenario reference (every parameter, its unit and meaning) as Markdown.

    \b
    Example:
      sim reference > docs/scenario-reference.md
    """
    from sim.scenario.reference import scenario_reference

    click.echo(scenario_reference(), nl=False)
