"""The `sim` command, run in-process: exit codes, output, and what is (not) written."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import MINIMAL, SCENARIOS

from sim.cli import cli

ECR = str(SCENARIOS / "export_control_review.yaml")


def sim(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def leftovers(directory) -> list[str]:
    return [p.name for p in directory.iterdir() if p.name.startswith(".")]


def test_run_writes_results_and_prints_the_table(tmp_path):
    out = tmp_path / "res"
    result = sim("run", ECR, "--runs", 120, "--seed", 3, "--out", out, "--workers", 1)
    assert result.exit_code == 0, result.output
    assert "closed_by_deadline" in result.stdout and "95% CI" in result.stdout
    assert f"results written to {out}/" in result.stdout
    for name in ("summary.json", "runs.csv", "events.csv", "spans.csv", "manifest.json"):
        assert (out / name).is_file()
    for name in ("outcomes", "close_dates", "timeline", "winners"):
        assert (out / "figures" / f"{name}.png").stat().st_size > 10_000
    summary = json.loads((out / "summary.json").read_text())
    assert summary["runs"] == 120 and summary["seed"] == 3 and summary["scenario"] == "export_control_review"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3 and manifest["runs"] == 120 and len(manifest["scenario_sha256"]) == 64
    assert manifest["scenario"]["name"] == "export_control_review"
    assert {"python", "mesa", "numpy"} <= set(manifest["versions"])
    assert leftovers(tmp_path) == []


def test_same_seed_same_files(tmp_path):
    """Two runs with the same scenario and seed write identical runs.csv and summary.json,
    whatever the number of workers."""
    a, b = tmp_path / "a", tmp_path / "b"
    assert sim("run", ECR, "--runs", 300, "--out", a, "--workers", 1, "--no-figures").exit_code == 0
    assert sim("run", ECR, "--runs", 300, "--out", b, "--workers", 2, "--no-figures").exit_code == 0
    for name in ("runs.csv", "summary.json", "events.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes()


def test_default_output_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert sim("run", ECR, "--runs", 50, "--no-figures").exit_code == 0
    assert (tmp_path / "outputs" / "export_control_review" / "summary.json").is_file()


def test_existing_results_need_force(tmp_path):
    out = tmp_path / "res"
    assert sim("run", ECR, "--runs", 50, "--out", out, "--no-figures").exit_code == 0
    before = (out / "runs.csv").read_bytes()
    again = sim("run", ECR, "--runs", 60, "--out", out, "--no-figures")
    assert again.exit_code == 2
    assert (
        again.stderr.strip()
        == f"error: --out {out}: already holds results; use --force to replace them, or another --out"
    )
    assert (out / "runs.csv").read_bytes() == before
    forced = sim("run", ECR, "--runs", 60, "--out", out, "--no-figures", "--force")
    assert forced.exit_code == 0
    assert json.loads((out / "summary.json").read_text())["runs"] == 60
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["--runs", "0"], "Invalid value for '--runs': 0 is not in the range 1<=x<=1000000000."),
        (
            ["--set", "reviewers.china.review_day.median=90"],
            "unknown key 'review_day'; did you mean 'review_days'?",
        ),
        (
            ["--set", "courts.ddc.p_enjoin=1.7"],
            "courts.ddc.p_enjoin = 1.7: must be less than or equal to 1 (probability)",
        ),
        (["--set", "nonsense"], "expected KEY.PATH=VALUE"),
        (["--runs", str(10**12)], "is not in the range 1<=x<=1000000000"),
        (["--workers", "100000"], "workers = 100000: at most"),
    ],
)
def test_bad_run_arguments_exit_2_and_write_nothing(tmp_path, args, message):
    out = tmp_path / "res"
    result = sim("run", ECR, "--out", out, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "text, message",
    [
        (
            MINIMAL.replace("base_value: 40", "base_valu: 40"),
            "market.base_valu: unknown key 'base_valu'; did you mean 'base_value'?",
        ),
        (
            MINIMAL.replace("horizon: 2021-06-30", "horizon: 2020-01-01"),
            "horizon = 2020-01-01: must be after the start (2020-08-01)",
        ),
        (
            MINIMAL.replace("kind: ban, date: 2020-08-06,", "kind: ban, date: 2020-08-06, date: 2020-08-07,"),
            "duplicate key 'date'",
        ),
        ("name: [unclosed\n", "line 2, column 1: malformed YAML"),
    ],
)
def test_bad_scenario_file_one_line_exit_2(tmp_path, write, text, message):
    path = write("bad.yaml", text)
    out = tmp_path / "res"
    result = sim("run", path, "--out", out)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}") and message in lines[0]
    assert not out.exists()


def test_missing_scenario_file(tmp_path):
    result = sim("run", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'nope.yaml'}: no such file (expected a scenario .yaml file)"


def test_failure_while_writing_keeps_the_runs_for_resume(tmp_path, monkeypatch):
    """A crash after the runs leaves no result directory; the saved runs let --resume finish."""
    import sim.present.figures as plots

    real = plots.save_figures

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(plots, "save_figures", broken)
    out = tmp_path / "res"
    result = sim("run", ECR, "--runs", 300, "--out", out)
    assert result.exit_code == 1
    assert "internal error: RuntimeError: disk on fire" in result.stderr
    assert not out.exists() and leftovers(tmp_path) == [".res.partial"]
    monkeypatch.setattr(plots, "save_figures", real)
    again = sim("run", ECR, "--runs", 300, "--out", out)
    assert again.exit_code == 2 and "use --resume to finish it or --force to start over" in again.stderr
    assert sim("run", ECR, "--runs", 300, "--out", out, "--resume").exit_code == 0
    assert (out / "figures" / "outcomes.png").is_file() and leftovers(tmp_path) == []


def test_validate(write, minimal):
    ok = sim("validate", ECR)
    assert ok.exit_code == 0 and ok.stdout.startswith(f"ok: {ECR} (export_control_review)")
    bad = sim(
        "validate",
        write(
            "bad.yaml",
            MINIMAL.replace("p_drop_out: 0.1", "p_drop_out: 1.7"),
        ),
    )
    assert bad.exit_code == 2
    assert "bidders.acme.p_drop_out = 1.7: must be less than or equal to 1 (probability)" in bad.stderr


def test_validate_lists_every_problem(write):
    text = MINIMAL.replace("base_value: 40", "base_value: -1").replace("standing: 0.5", "standing: 3")
    result = sim("validate", write("two.yaml", text))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 2


def test_show(tmp_path):
    out = tmp_path / "res"
    sim("run", ECR, "--runs", 50, "--out", out, "--no-figures")
    result = sim("show", out)
    assert result.exit_code == 0
    assert "export_control_review: 50 runs, seed 0" in result.stdout
    assert "first deadline 2020-11-12" in result.stdout
    missing = sim("show", tmp_path)
    assert missing.exit_code == 2 and "no summary.json here" in missing.stderr


def test_list_shows_every_shipped_scenario():
    result = sim("list", SCENARIOS)
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    cases = list((SCENARIOS / "cases" / "records").glob("*.yaml"))  # the library's cases (not its base file)
    assert len(lines) == len(list(SCENARIOS.glob("*.yaml"))) + len(cases)
    assert any(line.startswith("export_control_review") for line in lines)
    assert any(line.startswith("cases/qualcomm_nxp") for line in lines)
    assert "INVALID" not in result.stdout


def test_list_prints_no_terminal_escapes_from_a_file(tmp_path):
    (tmp_path / "esc.yaml").write_text(
        MINIMAL.replace("name: minimal", 'name: esc\ndescription: "a \\e[31mred\\e[0m line"')
    )
    result = CliRunner().invoke(cli, ["list", str(tmp_path)], env={"COLUMNS": "300"})
    assert result.exit_code == 0 and "\x1b" not in result.stdout and "?[31mred?[0m" in result.stdout


def test_shipped_scenario_by_name(monkeypatch, tmp_path):
    """`sim validate tiktok_2020` and `sim list` find the shipped files from any directory."""
    monkeypatch.chdir(SCENARIOS.parent)
    assert sim("validate", "tiktok_2020").exit_code == 0
    monkeypatch.chdir(tmp_path)  # no scenarios/ here
    assert sim("validate", "tiktok_2020").exit_code == 0
    listed = sim("list").stdout.strip().splitlines()
    cases = list((SCENARIOS / "cases" / "records").glob("*.yaml"))
    assert len(listed) == len(list(SCENARIOS.glob("*.yaml"))) + len(cases)
    assert sim("validate", "cases/qualcomm_nxp").exit_code == 0  # a case of the library, by name


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(command):
    result = sim(command, "--help")
    assert result.exit_code == 0
    marker = "Examples:" if "Examples:" in result.stdout else "Example:"
    assert marker in result.stdout and "sim " in result.stdout.split(marker)[1]


def test_python_dash_m_sim():
    result = subprocess.run([sys.executable, "-m", "sim", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "run" in result.stdout


def test_run_defaults_are_the_apis():
    """`sim run` spells its defaults out (importing them would load pyarrow): they must agree."""
    from sim.runs.ensemble import DEFAULT_COUNTERFACTUALS, DEFAULT_EVENT_SAMPLE

    defaults = {p.name: p.default for p in cli.commands["run"].params}
    assert defaults["counterfactuals"] == DEFAULT_COUNTERFACTUALS
    assert defaults["event_sample"] == DEFAULT_EVENT_SAMPLE == defaults["attribution"]


def test_every_result_command_writes_a_manifest_and_lists_its_files(tmp_path):
    """The shared skeleton: calibrate, like the others, writes manifest.json and says what it wrote."""
    record = SCENARIOS / "records" / "tiktok_2020.yaml"
    out = tmp_path / "cal"
    result = sim(
        "calibrate",
        ECR,
        record,
        "--param",
        "events.election.p_change=0.5,1",
        "--runs",
        30,
        "--out",
        out,
        "--workers",
        1,
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 0 and manifest["scenarios"][0]["name"] == "export_control_review"
    listed = result.stdout.split(f"results written to {out}/ (")[1].split(")")[0]
    assert listed == ", ".join(sorted(p.name for p in out.iterdir()))
    shown = CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["show", str(out)])  # before: "no summary.json here"
    assert shown.exit_code == 0, shown.output
    assert "election.p_change" in shown.stdout and "P(pending) at 2020-12-31" in shown.stdout
    best = next(line for line in result.stdout.splitlines() if line.startswith("best values: "))
    assert best in " ".join(shown.stdout.split()) and "a calibration;" in shown.stdout


@pytest.mark.parametrize("command", [None, *sorted(cli.commands)])
def test_help_pages_keep_examples_whole_and_print_no_backslash(command):
    """Help text marks its examples with click's \\b (a backspace), never a literal backslash-b."""
    result = sim(*([command] if command else []), "--help")
    assert "\\b" not in result.stdout and "\b" not in result.stdout
    marker = "Examples:" if "Examples:" in result.stdout else "Example:"
    for example in result.stdout.split(marker)[1].split("\n\n")[0].splitlines()[1:]:
        assert example.strip().startswith("sim "), example


@pytest.mark.parametrize(
    "command", ["run", "validate", "sweep", "sensitivity", "compare", "decompose", "backtest", "calibrate"]
)
def test_every_command_that_reads_a_scenario_takes_set(command):
    assert "--set KEY=VALUE" in sim(command, "--help").stdout


def test_set_reaches_a_sweep_and_its_manifest_and_a_dead_one_is_warned(tmp_path):
    tiktok = SCENARIOS / "tiktok_2020.yaml"
    grid = ("--param", "reviewers.cfius.response_days.median=15,60", "--runs", 30, "--no-report", "--quiet")
    plain = sim("sweep", tiktok, *grid, "--out", tmp_path / "plain")
    harsh = sim("sweep", tiktok, *grid, "--out", tmp_path / "harsh", "--set", "reviewers.cfius.silent=3")
    assert plain.exit_code == 0 and harsh.exit_code == 0, harsh.output
    manifest = json.loads((tmp_path / "harsh" / "manifest.json").read_text())
    assert manifest["overrides"] == {"reviewers.cfius.silent": 3}
    assert (tmp_path / "plain" / "sweep.csv").read_text() != (tmp_path / "harsh" / "sweep.csv").read_text()
    dead = sim("sweep", tiktok, *grid, "--out", tmp_path / "dead", "--set", "courts.dccir.p_slow=0.5")
    assert dead.exit_code == 0
    assert "warning: --set courts.dccir.p_slow: the scenario declares courts.dccir.p_slow inactive" in dead.stderr


def test_show_says_which_overrides_a_run_had(tmp_path):
    out = tmp_path / "r"
    assert sim("run", ECR, "--runs", 20, "--out", out, "--set", "home.tension=0.9", "--no-figures").exit_code == 0
    assert "ran with --set home.tension=0.9" in sim("show", out).stdout
    assert json.loads((out / "summary.json").read_text())["overrides"] == {"home.tension": 0.9}
    from sim.present.figures import plot_outcomes
    from sim.runs.store import load_result

    title = plot_outcomes(load_result(out)).get_title()
    assert "--set home.tension=0.9" in title  # figures say what they ran with


def test_a_run_ends_with_what_to_run_next(tmp_path):
    """A scenario that extends another ends with the paired comparison against it, then the commands
    that take the result apart; one that extends nothing has no comparison to offer."""
    ecr = sim("run", SCENARIOS / "export_control_review.yaml", "--runs", 30, "--workers", 1, "--out", tmp_path / "e")
    assert ecr.exit_code == 0, ecr.output
    lines = ecr.stdout.splitlines()
    (compare,) = [line for line in lines if line.startswith("what this scenario changes")]
    assert "sim compare " in compare and "tiktok_2020.yaml " in compare
    assert compare.endswith("export_control_review.yaml --runs 30")
    assert any(line.startswith("why, by stage: sim explain") and "sim decompose" in line for line in lines)
    alone = sim("run", SCENARIOS / "tiktok_2020.yaml", "--runs", 30, "--workers", 1, "--out", tmp_path / "t")
    assert alone.exit_code == 0, alone.output
    assert not any(line.startswith("what this scenario changes") for line in alone.stdout.splitlines())


def test_an_output_file_in_a_missing_directory_is_refused_before_anything_runs(tmp_path):
    """`calibrate --write-scenario` and `report --out` into a directory that does not exist: one
    line naming the option, exit 2, nothing written (calibrate runs nothing)."""
    record = SCENARIOS / "records" / "tiktok_2020.yaml"
    out = tmp_path / "cal"
    calibrated = sim(
        "calibrate", SCENARIOS / "tiktok_2020.yaml", record, "--param", "events.election.p_change=0.5,1",
        "--runs", 5, "--out", out, "--write-scenario", tmp_path / "nowhere" / "x.yaml",
    )  # fmt: skip
    assert calibrated.exit_code == 2 and "--write-scenario" in calibrated.stderr and not out.exists()
    ran = sim(
        "run", SCENARIOS / "tiktok_2020.yaml", "--runs", 10, "--workers", 1, "--out", tmp_path / "r", "--no-report"
    )
    assert ran.exit_code == 0, ran.output
    reported = sim("report", tmp_path / "r", "--out", tmp_path / "nowhere" / "report.html")
    assert reported.exit_code == 2 and "--out" in reported.stderr and not (tmp_path / "nowhere").exists()


def test_default_result_directories_follow_one_scheme_and_two_sweeps_do_not_collide(tmp_path, monkeypatch):
    """Without --out: outputs/<scenario> for a run, outputs/<subject>_<command>[_<what varies>] for
    the others; a second sweep of other parameters gets its own directory instead of an error."""
    from conftest import ROOT

    monkeypatch.chdir(tmp_path)
    box = str(ROOT / "tests" / "data" / "box.yaml")
    few = ("--runs", "3", "--quiet", "--no-report")
    first = sim("sweep", box, "--param", "reviewers.authority.filing_days.median=20:80:2", *few)
    second = sim("sweep", box, "--param", "agreement.termination_fee=0.5,1", *few)
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert sim("decompose", box, *few).exit_code == 0
    made = sorted(p.name for p in (tmp_path / "outputs").iterdir())
    assert made == [
        "box_test_decompose",
        "box_test_sweep_agreement_termination_fee",
        "box_test_sweep_filing_days_median",
    ], made
    again = sim("sweep", box, "--param", "reviewers.authority.filing_days.median=20:80:2", *few)
    assert again.exit_code == 2 and "already holds results" in again.stderr  # the same question: never replaced


def test_every_result_command_can_skip_its_figures(tmp_path):
    """--no-figures is one of the shared result options: a sweep, a comparison, a decomposition
    write their tables and no figures/ (with --no-report, nothing draws at all)."""
    from conftest import ROOT

    box = str(ROOT / "tests" / "data" / "box.yaml")
    few = ("--runs", "3", "--quiet", "--no-report", "--no-figures")
    commands = {
        "sweep": ["sweep", box, "--param", "reviewers.authority.filing_days.median=20:80:2"],
        "compare": ["compare", box, box],
        "decompose": ["decompose", box],
    }
    for name, command in commands.items():
        out = tmp_path / name
        done = sim(*command, *few, "--out", str(out))
        assert done.exit_code == 0, done.output
        assert (out / "manifest.json").is_file() and not (out / "figures").exists(), name
