"""Hostile scenario files: refused early with one line naming the file, exit 2, nothing written."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from sim.cli import cli
from sim.scenario.load import MAX_EXTENDS, MAX_FILE_BYTES


def sim(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def refused(result, path, words: str) -> str:
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and str(path) in line and words in line, line
    return line


def test_a_billion_laughs_is_refused_before_it_expands(tmp_path, monkeypatch):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")  # 9**9 values expanded
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n")
    monkeypatch.chdir(tmp_path)
    refused(sim("run", bomb, "--runs", 5), bomb, "aliases")
    assert not (tmp_path / "outputs").exists()


def test_a_file_too_big_is_refused_unread(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("name: x\ndescription: " + "a" * MAX_FILE_BYTES + "\n")
    refused(sim("validate", big), big, f"at most {MAX_FILE_BYTES:,}")


def test_nesting_too_deep_is_malformed_yaml_not_a_crash(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    refused(sim("validate", deep), deep, "nested too deeply")


def test_a_long_extends_chain_is_refused(tmp_path):
    n = MAX_EXTENDS + 5
    for i in range(n):
        parent = f"c{i + 1}.yaml" if i < n - 1 else "export_control_review"
        (tmp_path / f"c{i}.yaml").write_text(f"extends: {parent}\n")
    refused(sim("validate", tmp_path / "c0.yaml"), tmp_path / "c0.yaml", f"more than {MAX_EXTENDS} files")


def test_extends_finds_a_shipped_scenario_by_name_from_anywhere(tmp_path):
    child = tmp_path / "mine.yaml"
    child.write_text("extends: export_control_review\nname: mine\nhome: {tension: 0.8}\n")
    result = sim("validate", child)
    assert result.exit_code == 0, result.output
    assert "ok:" in result.stdout and "(mine)" in result.stdout


@pytest.mark.parametrize("target", ["secrets.env", "credentials.json"])
def test_extends_reads_only_scenario_files(tmp_path, target):
    (tmp_path / target).write_text("password: hunter2\n")
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {target}\n")
    line = refused(sim("validate", child), child, ".yaml or .yml")
    assert "hunter2" not in line


def test_a_foreign_yaml_file_extended_has_no_value_echoed(tmp_path):
    (tmp_path / "vault.yaml").write_text("password: hunter2\ntoken: s3cr3t\n")
    child = tmp_path / "child.yaml"
    child.write_text("extends: vault.yaml\n")
    result = sim("validate", child)
    assert result.exit_code == 2
    assert "unknown key 'password'" in result.stderr and "unknown key 'token'" in result.stderr
    assert "hunter2" not in result.stderr and "s3cr3t" not in result.stderr


@pytest.mark.parametrize("number", ["9" * 5000, "0x" + "f" * 5000, "1_000" * 20])
def test_an_integer_too_long_is_refused_with_its_key_and_line(tmp_path, number):
    """An integer of thousands of digits (past Python's conversion limit, or just absurd): one line
    naming the file, the key and the line, exit 2; a long decimal number is only a number."""
    bad = tmp_path / "big.yaml"
    bad.write_text(f"extends: export_control_review\nhorizon: {number}\n")
    line = refused(sim("validate", bad), bad, "line 2")
    assert "horizon" in line and "digits (at most 30)" in line and number not in line


ECR = "export_control_review"


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ("reviewers.cfius.silent=.nan", "reviewers.cfius.silent = nan: must be a finite number"),
        ("reviewers.cfius.silent=.inf", "reviewers.cfius.silent = inf: must be a finite number"),
        ("reviewers.china.p_grant_after_letter=true", "p_grant_after_letter = True: must be a number, not yes/no"),
        ("start=0", "start = 0: must be a date (YYYY-MM-DD), not a number"),
    ],
)
def test_numbers_are_numbers_and_dates_are_dates(override, words):
    """NaN, infinity, yes/no for a number and 0 for a date are refused at their key, not converted."""
    result = sim("validate", ECR, "--set", override)
    assert result.exit_code == 2
    assert words in result.stderr, result.stderr


def test_a_lax_value_in_a_file_names_the_file_and_its_key(tmp_path):
    child = tmp_path / "child.yaml"
    child.write_text("extends: export_control_review\nhome: {tension: yes}\n")
    line = refused(sim("validate", child), child, "home.tension = True: must be a number, not yes/no")
    assert line.startswith(f"error: {child}:")


def test_a_child_that_moves_the_start_is_blamed_first(tmp_path):
    """Moving `start:` past the parent's dates: the first line names the child's key, each other the cause."""
    child = tmp_path / "later.yaml"
    child.write_text("extends: tiktok_2020\nname: later\nstart: 2021-01-01\n")
    result = sim("validate", child)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: {child}: start = 2021-01-01: leaves ")
    assert "seller.bid_deadline" in lines[0]
    parents = [line for line in lines[1:] if "must be within the scenario's start" in line]
    assert parents and all(line.endswith(f"the start is set in {child}") for line in parents)


def test_a_childs_own_early_date_is_its_one_line_not_its_parents(tmp_path):
    """A child's own event dated before the start its parents set: one line, naming the child's key
    (not a line blaming the parent for "leaving" a date it never had)."""
    child = tmp_path / "early.yaml"
    child.write_text(
        "extends: export_control_review\nname: early\n"
        "events:\n  - {id: new_escalation, date: 2019-10-15, kind: tension_change, tension: 0.2}\n"
    )
    line = refused(sim("validate", child), child, "events.new_escalation.date = 2019-10-15")
    assert "must be within the scenario's start" in line


@pytest.mark.parametrize(
    "text",
    ["a: &a [*a]\n", "name: x\nb: &b {c: *b}\n", "name: x\nb: &b {c: [1, {d: *b}]}\n"],
    ids=["list", "map", "deep"],
)
def test_a_recursive_alias_is_refused_at_once(tmp_path, text):
    """An anchor used inside itself would make validation loop while memory grows: refused in one line."""
    bad = tmp_path / "loop.yaml"
    bad.write_text(text)
    refused(sim("validate", bad), bad, "recursive alias")


ECR = "export_control_review"


@pytest.mark.parametrize(
    "args, words",
    [
        (
            ("sweep", ECR, "--param", "home.tension=0:1:100000", "--param", "seller.reservation=0:1:100000"),
            "runs in all",
        ),
        (("sweep", ECR, "--param", "home.tension=0:1:2000000", "--runs", "1"), "design points"),
        (("sweep", ECR, "--design", "lhs", "--samples", str(10**9), "--runs", "1"), "design points"),
        (("sensitivity", ECR, "--samples", str(10**9), "--runs", "1"), "design points"),
        (
            (
                "calibrate",
                ECR,
                "scenarios/records/tiktok_2020.yaml",
                "--param",
                "home.tension=0:1:3000000",
                "--runs",
                "1",
            ),
            "design points",
        ),
    ],
    ids=["grid-runs", "grid-points", "lhs", "sobol", "calibrate"],
)
def test_a_design_too_large_is_refused_before_it_is_built(tmp_path, args, words):
    """Grids, samples and calibration grids are counted, not built, before the size limit: exit 2 at once."""
    result = sim(*args, "--out", tmp_path / "res")
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and words in result.stderr
    assert not (tmp_path / "res").exists()


def test_the_same_param_twice_is_refused():
    result = sim("sensitivity", ECR, "--param", "home.tension=0:1", "--param", "home.tension=0.2:0.4")
    assert result.exit_code == 2 and "--param home.tension: given twice" in result.stderr


@pytest.mark.parametrize(
    "override, words",
    [
        ("bidders.oracle.valuation.high=1e308", "less than or equal to 1000000"),
        ("reviewers.china.review_days={median: 1e300, unit: working_days}", "less than or equal to 36500"),
        ("start=0001-01-02", "must be between 1950-01-01 and 2100-12-31"),
        ("horizon=9000-12-31", "at most 36,500 days"),
    ],
)
def test_values_whose_runs_would_overflow_are_refused_at_validation(override, words):
    """Values that validated before and then made every run fail (an infinite price, a date past year 9999)."""
    result = sim("validate", ECR, "--set", override)
    assert result.exit_code == 2 and words in result.stderr, result.output


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """A small run and a small sweep of the box scenario."""
    from conftest import ROOT

    base = tmp_path_factory.mktemp("results")
    box = ROOT / "tests" / "data" / "box.yaml"
    assert sim("run", box, "--runs", 20, "--out", base / "run", "--quiet", "--no-report").exit_code == 0
    sweep = ["sweep", box, "--param", "reviewers.authority.filing_days.median=20:80:3", "--runs", 5]
    assert sim(*sweep, "--out", base / "sweep", "--quiet", "--no-report").exit_code == 0
    return base


@pytest.mark.parametrize(
    "kind, damaged, command",
    [
        ("run", "runs.parquet", ["report"]),
        ("run", "runs.parquet", ["explain"]),
        ("run", "events.parquet", ["explain"]),
        ("run", "tally.json", ["report"]),
        ("sweep", "runs.parquet", ["discover", "{dir}", "--outcome", "closed"]),
        ("sweep", "sweep.json", ["show"]),
        ("sweep", "sweep.csv", ["report"]),
    ],
)
def test_a_damaged_result_file_is_named_in_one_line(results, tmp_path, kind, damaged, command):
    """A result file overwritten with garbage (truncated, another program's): one line naming the
    file and what to do, exit 2, never a traceback or an "internal error"."""
    import shutil

    copy = tmp_path / kind
    shutil.copytree(results / kind, copy)
    (copy / damaged).write_bytes(b"garbage\x00,,\n{")
    args = [a.format(dir=copy) for a in command] if "{dir}" in command else [*command, copy]
    out = tmp_path / "out"
    if command[0] in ("discover",):
        args += ["--out", out]
    refused(sim(*args), copy / damaged, "cannot be read as sim wrote it")
    assert not out.exists()
