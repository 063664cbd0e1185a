"""What reaches the terminal: tables that fit 80 columns, and a result's text shown as text."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from conftest import SCENARIOS

from sim.cli import cli

ECR = str(SCENARIOS / "export_control_review.yaml")
NARROW = {"COLUMNS": "80"}


def sim(*args, env=None):
    return CliRunner(env=env).invoke(cli, [str(a) for a in args], catch_exceptions=False)


def widest(text: str) -> int:
    return max(len(line.rstrip()) for line in text.splitlines())


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "r"
    result = sim("run", ECR, "--runs", 60, "--out", out, "--no-figures", "--no-report", "--workers", 1)
    assert result.exit_code == 0, result.output
    return out


def test_the_outcome_table_fits_80_columns_with_every_meaning(small_run):
    shown = sim("show", small_run, env=NARROW)
    assert shown.exit_code == 0, shown.output
    table = shown.stdout.split("\nfirst deadline")[0]
    assert widest(table) <= 80
    assert "the sale closed on or before the first deadline" in table  # the meaning, under the name


def test_a_sweep_of_twelve_parameters_fits_80_columns(tmp_path):
    out = tmp_path / "sweep"
    result = sim(
        "sweep", ECR, "--design", "lhs", "--samples", 3, "--runs", 4, "--out", out, "--no-report", "--backend", "serial",
        env=NARROW,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = result.stdout.split("results written")[0]
    assert widest(table) <= 80
    assert "china_political=" in table and "P(closed_by_deadline)" in table and "95% CI" in table


def test_compare_of_three_scenarios_finishes_and_fits(tmp_path):
    out = tmp_path / "c3"
    names = ("tiktok_2020", "export_control_review", "full_sale")
    result = sim("compare", *(SCENARIOS / f"{n}.yaml" for n in names), "--runs", 30, "--out", out, env=NARROW)
    assert result.exit_code == 0, result.output
    assert widest(result.stdout.split("results written")[0]) <= 80
    transitions = (out / "transitions.csv").read_text().splitlines()
    assert transitions[0] == "reference_outcome,outcome,runs,scenario"
    assert {line.rsplit(",", 1)[1] for line in transitions[1:]} == set(names[1:])  # both, against the first


def test_sensitivity_prints_its_indices_as_a_table(tmp_path):
    result = sim(
        "sensitivity", SCENARIOS / "tiktok_2020.yaml", "--param", "reviewers.cfius.response_days.median=10:90",
        "--param", "reviewers.china.review_days.median=20:120", "--samples", 4, "--runs", 5,
        "--out", tmp_path / "s", "--no-report", env=NARROW,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "first order S1" in result.stdout and "total ST" in result.stdout and "S1_conf" not in result.stdout
    assert widest(result.stdout.split("note:")[0]) <= 80


def test_show_prints_escape_sequences_and_markup_as_text(small_run, tmp_path):
    """A result directory is data: what its files hold never acts on the terminal."""
    crafted = tmp_path / "crafted"
    crafted.mkdir()
    summary = json.loads((small_run / "summary.json").read_text())
    summary["scenario"] = "\x1b]0;owned\x07\x1b[2J[bold red]loud[/]"
    (crafted / "summary.json").write_text(json.dumps(summary))
    shown = sim("show", crafted)
    assert shown.exit_code == 0, shown.output
    assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout
    assert "\\x1b]0;owned\\x07\\x1b[2J[bold red]loud[/]" in shown.stdout


@pytest.mark.parametrize("content", ["[]", "{}", "null", '{"scenario": 5, "runs": "x"}', "METRICS"])
def test_show_and_explain_say_what_is_wrong_with_a_crafted_summary(small_run, tmp_path, content):
    crafted = tmp_path / "crafted"
    crafted.mkdir()
    if content == "METRICS":  # the right shape, metrics emptied
        summary = json.loads((small_run / "summary.json").read_text())
        summary["metrics"] = {}
        content = json.dumps(summary)
    (crafted / "summary.json").write_text(content)
    (crafted / "manifest.json").write_text((small_run / "manifest.json").read_text())
    for command in ("show", "explain"):
        result = sim(command, crafted)
        assert result.exit_code == 2, (command, result.output)
        assert "internal error" not in result.output and str(crafted) in result.stderr
    assert "summary.json" in sim("show", crafted).stderr  # the file at fault


def test_show_reads_an_analysis_directory_too(tmp_path):
    """A sweep's or a comparison's directory: its main table, not "no summary.json here"."""
    tiktok = SCENARIOS / "tiktok_2020.yaml"
    grid = ("--param", "reviewers.cfius.response_days.median=15,60", "--runs", 8, "--no-report", "--quiet")
    assert sim("sweep", tiktok, *grid, "--out", tmp_path / "sweep").exit_code == 0
    shown = sim("show", tmp_path / "sweep", env=NARROW)
    assert shown.exit_code == 0 and "P(closed_by_deadline)" in shown.stdout and "a sweep" in shown.stdout
    told = sim("explain", tmp_path / "sweep")
    assert told.exit_code == 2 and "a sweep, not a run" in told.stderr and "sim show" in told.stderr
    both = (tiktok, SCENARIOS / "export_control_review.yaml")
    assert sim("compare", *both, "--runs", 10, "--no-report", "--out", tmp_path / "cmp").exit_code == 0
    shown = sim("show", tmp_path / "cmp", env=NARROW)
    assert shown.exit_code == 0 and "10 paired runs, seed 0; differences from tiktok_2020" in shown.stdout
    assert widest(shown.stdout) <= 80


def test_show_prints_a_sweep_as_the_sweep_printed_it(tmp_path):
    """A cross sweep ranked by --outcome closed: `sim show` prints the same robustness table (the
    same outcome, the same rows), not another outcome's per-point table."""
    ecr = SCENARIOS / "export_control_review.yaml"
    args = ("--design", "cross", "--samples", 2, "--runs", 3, "--outcome", "closed", "--no-report")
    swept = sim("sweep", ecr, *args, "--out", tmp_path / "cross", env=NARROW)
    assert swept.exit_code == 0, swept.output
    shown = sim("show", tmp_path / "cross", env=NARROW)
    assert shown.exit_code == 0 and "p_closed across the uncertainties" in shown.stdout
    table = swept.stdout[swept.stdout.index("export_control_review: ") :].split("\nresults")[0].strip()
    assert table.splitlines()[:8] == shown.stdout[shown.stdout.index("export_control_review: ") :].splitlines()[:8]


def test_list_gives_one_line_each_within_the_width(monkeypatch):
    monkeypatch.chdir(SCENARIOS.parent)  # ./scenarios: short paths, as in a clone
    listed = sim("list", env=NARROW)
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    cases = list((SCENARIOS / "cases" / "records").glob("*.yaml"))
    assert len(lines) == len(list(SCENARIOS.glob("*.yaml"))) + len(cases) and widest(listed.stdout) <= 80


def test_outcome_meanings_are_in_the_cases_words():
    """A negotiated merger's table speaks of the deal and its outside date, and marks the outcomes its
    structure rules out (no ban, no instrument); the TikTok table keeps its words."""
    from sim import load_scenario
    from sim.present.tables import case_meaning
    from sim.runs.stats import about

    merger = about(load_scenario(SCENARIOS / "cases" / "qualcomm_nxp.yaml"))
    assert case_meaning("closed_by_deadline", merger) == "the deal closed on or before the first outside date"
    assert case_meaning("ban_in_force", merger).endswith("(cannot happen: no ban in this case)")
    assert "cannot happen" in case_meaning("revoked", merger)
    tiktok = about(load_scenario(SCENARIOS / "tiktok_2020.yaml"))
    assert case_meaning("closed_by_deadline", tiktok) == "the sale closed on or before the first deadline"
    assert "cannot happen" not in case_meaning("ban_in_force", tiktok)


BOX = str.maketrans({c: " " for c in "┏┳┓┃┡╇┩│└┴┘━─"})


def test_explain_at_80_columns_wraps_its_table_between_words(small_run):
    """Every word in the attribution table at 80 columns is a word of a cell or a header, whole
    ("responsible", not "responsi" and "ble"); the table fits; one story is told, and the others named."""
    from sim.present.labels import actor_labels
    from sim.present.story import attribution_table
    from sim.runs.store import load_result

    told = sim("explain", small_run, env=NARROW)
    assert told.exit_code == 0, told.output
    text = told.stdout
    table = text[text.index("┏") : text.index("┘") + 1]
    assert widest(table) <= 80
    loaded = load_result(small_run)
    rows = attribution_table(loaded.summary, actor_labels(loaded.scenario))
    headers = (
        "stage responsible late: on path late: mean days added median if on path decisive on time: mean days added"
    )
    words = {w for row in rows for cell in row for w in str(cell).split()} | set(headers.split())
    assert set(table.translate(BOX).split()) <= words
    assert len(re.findall(r"^Run \d+ \(seed", text, re.M)) == 1  # the median run; the extremes are named
    named = re.search(r"Also of (\w+): the earliest, run (\d+); the latest, run (\d+)", " ".join(text.split()))
    assert named, text[-300:]
    assert f"--run {named.group(2)}" in " ".join(text.split())  # the hint names a run not told, the earliest
    assert "none of these" not in text  # the table's wording does not reach the story
    again = sim("explain", small_run, "--run", named.group(3), env=NARROW)
    assert again.exit_code == 0 and f"Run {named.group(3)} (seed" in again.stdout


def test_explain_refuses_a_run_whose_log_it_has_not(small_run):
    told = sim("explain", small_run, "--run", 10_000)
    assert told.exit_code == 2 and "--run 10000" in told.stderr and told.stdout == ""


def test_show_prints_a_backtest_as_tables_not_markdown(tmp_path):
    """`sim show` on a backtest: its Markdown's tables as terminal tables within 80 columns whose
    cells wrap between words, its prose as prose; no pipe or `**` of the source reaches the terminal."""
    out = tmp_path / "bt"
    record = SCENARIOS / "records" / "tiktok_2020.yaml"
    scored = sim("backtest", ECR, record, "--runs", 40, "--out", out, "--no-report", "--no-figures", "--workers", 1)
    assert scored.exit_code == 0, scored.output
    shown = sim("show", out, env=NARROW)
    assert shown.exit_code == 0, shown.output
    body = shown.stdout.split("\na backtest;")[0]
    assert widest(body) <= 80 and "|" not in body and "**" not in body and "---" not in body
    source = (out / "backtest.md").read_text()
    words = set(source.replace("|", " ").replace("**", " ").split())
    unknown = {w for w in body.translate(BOX).split() if w not in words and w.strip(".,;:()") not in words}
    assert unknown <= {"•", "figure:"} | {w for w in unknown if "/" in w}, unknown  # bullets, figures' paths
    assert "P(observed)" in body and "percentile" in body


def test_show_prints_a_case_library_evaluation(tmp_path):
    """`sim show` on `sim evaluate`'s directory: the table evaluate printed (not "no summary.json")."""
    out = tmp_path / "ev"
    evaluated = sim(
        "evaluate", SCENARIOS / "cases", "--runs", 4, "--out", out, "--no-report", "--no-figures", env=NARROW
    )
    assert evaluated.exit_code == 0, evaluated.output
    shown = sim("show", out, env=NARROW)
    assert shown.exit_code == 0, shown.output
    table = evaluated.stdout.split("results written")[0].strip()
    assert table[table.index("case") :] in shown.stdout  # the same table and verdict
    assert "a case-library evaluation" in shown.stdout and widest(shown.stdout) <= 80
