"""Named experiments saved with a scenario: `sim experiment SCENARIO [NAME]` lists and reruns them."""

from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import SCENARIOS

from sim.cli import cli

ECR = str(SCENARIOS / "export_control_review.yaml")


def sim(*args):
    return CliRunner().invoke(cli, list(args))


def test_experiments_are_listed_with_their_commands():
    result = sim("experiment", ECR)
    assert result.exit_code == 0
    for name in ("robust_levers", "where_it_closes", "versus_no_catalogue", "against_the_record"):
        assert f"{name}: " in result.stdout
    assert f"sim compare {ECR} {SCENARIOS / 'tiktok_2020.yaml'} --runs 2000" in result.stdout
    assert "then sim discover <its result> --outcome closed" in result.stdout


def test_an_experiment_runs_again_by_name_with_options_added(tmp_path):
    """A sweep experiment with discovery: both results, the sweep's design as saved, --runs as added."""
    out = tmp_path / "where"
    result = sim(
        "experiment",
        ECR,
        "where_it_closes",
        "--samples",
        "4",
        "--runs",
        "6",
        "--out",
        str(out),
        "--quiet",
        "--no-report",
        "--backend",
        "serial",
    )
    assert result.exit_code == 0, result.output
    sweep = json.loads((out / "sweep.json").read_text())
    assert sweep["design"] == "lhs" and sweep["runs_per_point"] == 6 and len(sweep["points"]) == 4
    found = json.loads((tmp_path / "where_discover" / "discover.json").read_text())
    assert found["outcome"] == "closed" and found["threshold"] == 0.2 and found["rows"] == 4  # a row per point
    assert any("only 4 design points" in w for w in found["warnings"])  # too few to tell a box from the whole


def test_a_compare_experiment_names_its_scenarios(tmp_path):
    out = tmp_path / "versus"
    result = sim(
        "experiment",
        ECR,
        "versus_no_catalogue",
        "--runs",
        "20",
        "--out",
        str(out),
        "--no-report",
        "--backend",
        "serial",
    )
    assert result.exit_code == 0, result.output
    comparison = json.loads((out / "comparison.json").read_text())
    assert list(comparison["scenarios"]) == ["export_control_review", "tiktok_2020"]


def test_an_unknown_experiment_names_the_known_ones():
    result = sim("experiment", ECR, "robust")
    assert result.exit_code == 2
    assert "no experiment 'robust'" in result.stderr and "robust_levers" in result.stderr


def test_an_experiment_that_does_not_fit_its_command_is_refused(write, minimal):
    path = write(
        "bad.yaml",
        f"""\
        extends: {minimal}
        experiments:
          odd: {{command: sweep, record: records/x.yaml}}
        """,
    )
    result = sim("validate", str(path))
    assert result.exit_code == 2
    assert "experiments.odd" in result.stderr and "record is for command: backtest or calibrate" in result.stderr
