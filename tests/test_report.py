"""`sim report`: one self-contained HTML page for any result directory, written by every result command."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from conftest import ROOT, SCENARIOS

from sim.cli import cli

TIKTOK = str(SCENARIOS / "tiktok_2020.yaml")
ECR = str(SCENARIOS / "export_control_review.yaml")
BOX = str(ROOT / "tests" / "data" / "box.yaml")
RECORD = str(SCENARIOS / "records" / "tiktok_2020.yaml")

pytestmark = pytest.mark.xdist_group("report")  # one worker makes the module's costly fixture once


def sim(*args):
    result = CliRunner().invoke(cli, [*map(str, args)])
    assert result.exit_code == 0, result.output
    return result


COMMANDS = {
    "run": ["run", TIKTOK, "--runs", 60, "--attribution", 60],
    "sweep": ["sweep", BOX, "--param", "reviewers.authority.filing_days.median=20:80:3", "--runs", 10],
    "sensitivity": ["sensitivity", BOX, "--method", "morris", "--samples", 4, "--runs", 5, "--outcome", "terminated"],
    "compare": ["compare", TIKTOK, ECR, "--runs", 40],
    "backtest": ["backtest", TIKTOK, RECORD, "--runs", 40],
    "decompose": ["decompose", ECR, "--runs", 10],
    "discover": ["discover", "{sweep}", "--outcome", "closed"],
    "calibrate": ["calibrate", TIKTOK, RECORD, "--param", "events.election.p_change=0.5,1", "--runs", 20],
}
"""A small result of each kind."""


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """One small result of each kind, each written with its report (serially: a pool costs more than these runs)."""
    base = tmp_path_factory.mktemp("reports")
    for kind, command in COMMANDS.items():
        args = [str(a).format(sweep=base / "sweep") for a in command]
        sim(*args, "--out", base / kind, "--backend", "serial", "--quiet")
    return {kind: base / kind for kind in COMMANDS}


TITLES = {
    "run": ["Outcomes", "When the sale closes", "Why was the sale late?", "What ran"],
    "sweep": ["What the parameters do", "Design points"],
    "sensitivity": ["Sensitivity"],
    "compare": ["Comparison"],
    "backtest": ["Backtest"],
    "decompose": ["Whose obstacles?"],
    "discover": ["Where closed"],
    "calibrate": ["Calibration"],
}


@pytest.mark.parametrize("kind", list(TITLES))
def test_every_result_command_writes_a_self_contained_report(results, kind):
    page = (results[kind] / "report.html").read_text()
    for title in TITLES[kind]:
        assert f"<h2>{title}" in page.replace("&#39;", "'"), title
    assert not re.search(r"<script[^>]+src=", page)  # nothing fetched: plotly's JavaScript is inlined
    assert "cdn." not in page.split("<script", 1)[0] and "<link" not in page


def test_a_comparison_report_is_titled_after_every_scenario_it_compares(results):
    page = (results["compare"] / "report.html").read_text()
    assert "<title>tiktok_2020 vs export_control_review: comparison</title>" in page
    what_ran = page.split("<h2>What ran", 1)[1]
    assert "tiktok_2020 (" in what_ran and "export_control_review (" in what_ran


def test_a_cross_sweeps_figure_keeps_its_labels_short():
    """robustness.png names each lever setting by the levers' short keys (the long labels are said
    once, under the axis), so the boxes keep most of the width."""
    from matplotlib.figure import Figure

    from sim.analysis.sweep import run_sweep
    from sim.present.figures import plot_robustness
    from sim.runs.backends import Execution
    from sim.scenario.load import ScenarioTemplate

    template = ScenarioTemplate(ECR)
    built = template.build()
    result = run_sweep(
        template, list(built.uncertainties), design="cross", samples=2, runs=2, seed=0,
        execution=Execution(workers=1), levers=list(built.levers),
    )  # fmt: skip
    fig = Figure(figsize=(10, 6), layout="constrained")
    ax = plot_robustness(result, "closed", ax=fig.add_subplot())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels and all(len(label) <= 70 for label in labels), max(labels, key=len)
    assert all("extension_days=" in label for label in labels)
    fig.canvas.draw()
    box = ax.get_position()
    assert box.width > 0.5  # the plot, not its labels, takes most of the figure


def test_the_run_report_shows_the_summarys_numbers(results):
    summary = json.loads((results["run"] / "summary.json").read_text())
    page = (results["run"] / "report.html").read_text()
    table = page.split('<table id="outcomes">', 1)[1].split("</table>", 1)[0]
    for outcome, o in summary["outcomes"].items():
        assert f"<td>{outcome}</td><td>{o['count']}</td><td>{o['p']:.3f}</td>" in table
    assert "Run " in page and "seed" in page  # a typical run told
    assert summary["metrics"]["first_deadline"] in page


def test_the_same_result_gives_the_same_page(results, tmp_path):
    sim("report", results["run"], "--out", tmp_path / "again.html")
    assert (tmp_path / "again.html").read_bytes() == (results["run"] / "report.html").read_bytes()


def test_no_report_skips_it(tmp_path):
    sim("run", TIKTOK, "--runs", 10, "--out", tmp_path / "r", "--no-report")
    assert not (tmp_path / "r" / "report.html").exists()
    sim("report", tmp_path / "r")
    assert (tmp_path / "r" / "report.html").is_file()


def test_report_refuses_what_is_not_a_result(tmp_path):
    result = CliRunner().invoke(cli, ["report", str(tmp_path)])
    assert result.exit_code == 2 and "not a result directory" in result.stderr
    result = CliRunner().invoke(cli, ["report", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "no such result directory" in result.stderr


def test_plotly_is_inlined_only_where_a_figure_draws_with_it(results):
    """A report of tables and images (a backtest, a calibration) carries no Plotly and stays small;
    a run's report, whose figures are Plotly's, carries it once."""
    for kind in ("backtest", "calibrate"):
        page = (results[kind] / "report.html").read_text()
        assert "plotly-graph-div" not in page and len(page.encode()) < 300_000, kind
    run = (results["run"] / "report.html").read_text()
    assert "plotly-graph-div" in run and run.count("Plotly.newPlot") >= 1


def test_a_report_inlines_the_lightest_plotly_that_draws_its_figures(results):
    """Every report of this tool draws with the 1.5 MB cartesian bundle, not plotly's 4.8 MB one;
    a figure the bundle cannot draw gets the full bundle, so a page never loses a figure."""
    import plotly.graph_objects as go
    import plotly.offline

    from sim.present.plotlyjs import CARTESIAN_VERSION, bundle_for
    from sim.present.report import figure

    if plotly.offline.get_plotlyjs_version() != CARTESIAN_VERSION:
        pytest.skip("the installed plotly carries another plotly.js than the shipped bundle")
    for kind in COMMANDS:
        page = (results[kind] / "report.html").read_text()
        if "plotly-graph-div" in page:
            assert "plotly.js (cartesian - minified)" in page, kind
            assert len(page.encode()) < 2_000_000, kind
    assert bundle_for(figure(go.Figure(go.Bar(x=[1], y=[2]))))[1].endswith("cartesian")
    assert bundle_for(figure(go.Figure(go.Scattergl(x=[1], y=[2]))))[1].endswith("full")
    assert bundle_for("<table></table>") == ("", "none")
