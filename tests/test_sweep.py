"""Sweeps and sensitivity analyses on small designs."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import SCENARIOS

from sim.analysis.sensitivity import run_sensitivity
from sim.analysis.sweep import design_points, parse_param, run_sweep
from sim.cli import cli
from sim.errors import ScenarioError, UsageError
from sim.runs.backends import Execution
from sim.scenario.load import ScenarioTemplate, load_scenario
from sim.scenario.schema import Parameter

ECR = SCENARIOS / "export_control_review.yaml"


@pytest.fixture(scope="module")
def ecr_template():
    return ScenarioTemplate(ECR)


@pytest.fixture(scope="module")
def tiktok_template():
    return ScenarioTemplate(SCENARIOS / "tiktok_2020.yaml")


def test_parse_param_forms():
    grid = parse_param("reviewers.china.review_days.median=20:180:9")
    assert (grid.low, grid.high, grid.points) == (20, 180, 9)
    assert parse_param("instruments.divestiture_order.extensions.max=0,1,2,3").values == [0, 1, 2, 3]
    assert parse_param("home.tension=0.2:0.8").points == 5


@pytest.mark.parametrize(
    "text, message",
    [
        ("home.tension", "expected PATH=LOW:HIGH"),
        ("home.tension=0.8:0.2", "high (0.2) must be > low (0.8)"),
        ("home.tension=a:b", "could not convert"),
    ],
)
def test_parse_param_errors(text, message):
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_param(text)


def test_grid_design_is_the_full_product(ecr_template):
    points = design_points(
        ecr_template,
        [
            parse_param("reviewers.china.review_days.median=20:180:9"),
            parse_param("instruments.divestiture_order.extensions.max=0,1,2,3"),
        ],
        "grid",
        0,
        0,
    )
    assert len(points) == 36
    assert {p["instruments.divestiture_order.extensions.max"] for p in points} == {0, 1, 2, 3}


def test_sampled_designs_respect_bounds_and_types(ecr_template):
    """LHS and Sobol points fall in their ranges; integer parameters get whole numbers."""
    params = [parse_param("home.tension=0.2:0.9"), parse_param("instruments.divestiture_order.extensions.max=0:3")]
    for design in ("lhs", "sobol"):
        points = design_points(ecr_template, params, design, 16, 1)
        assert len(points) == 16
        assert all(0.2 <= p["home.tension"] <= 0.9 for p in points)
        assert all(isinstance(p["instruments.divestiture_order.extensions.max"], int) for p in points)
        assert design_points(ecr_template, params, design, 16, 1) == points  # seeded


def test_one_parameter_sweep_moves_the_outcome(ecr_template):
    """Likelier political handling by the home government lowers the share of closes (and rows
    carry CIs)."""
    result = run_sweep(
        ecr_template,
        [parse_param("reviewers.china.political.base=-6:6:3")],
        runs=300,
        seed=0,
        execution=Execution(workers=1),
    )
    table = result.table.sort_values("reviewers.china.political.base")
    assert len(table) == 3
    assert table["p_closed"].iloc[0] > table["p_closed"].iloc[-1] + 0.03
    assert (table["lo_pending"] <= table["p_pending"]).all() and (table["p_pending"] <= table["hi_pending"]).all()


def test_invalid_design_point_names_the_point(ecr_template):
    with pytest.raises(ScenarioError, match=r"design point \(courts.ddc.p_enjoin=1.5\)"):
        run_sweep(
            ecr_template,
            [Parameter(path="courts.ddc.p_enjoin", values=[0.5, 1.5])],
            runs=10,
            execution=Execution(workers=1),
        )


def test_scenario_without_declared_parameters_needs_param(minimal):
    from sim.analysis.sweep import default_parameters
    from sim.scenario.load import ScenarioTemplate

    with pytest.raises(UsageError, match="declares no `levers:` or `uncertainties:`"):
        default_parameters(ScenarioTemplate(minimal))


def test_declared_parameter_paths_are_checked(write, minimal):
    path = write(
        "p.yaml", "extends: minimal.yaml\nname: p\nuncertainties:\n  - {path: home.tensoin, low: 0, high: 1}\n"
    )
    with pytest.raises(
        ScenarioError,
        match=r"uncertainties\[0\].path = 'home.tensoin': unknown key 'tensoin'; did you mean 'tension'\?",
    ):
        ScenarioTemplate(path)


def test_sobol_finds_the_parameter_that_matters(tiktok_template):
    """In tiktok_2020 (no catalogue update) China's review time cannot matter; CFIUS's does."""
    params = [
        parse_param("reviewers.cfius.response_days.median=10:90"),
        parse_param("reviewers.china.review_days.median=20:120"),
    ]
    result = run_sensitivity(
        tiktok_template, params, method="sobol", samples=16, runs=60, seed=0, execution=Execution(workers=1)
    )
    idx = result.indices.set_index("parameter")
    assert idx.loc["reviewers.cfius.response_days.median", "ST"] > 0.5
    assert abs(idx.loc["reviewers.china.review_days.median", "ST"]) < 0.05
    assert len(result.design) == 16 * 4


def test_morris_ranks_the_same_way(tiktok_template):
    params = [
        parse_param("reviewers.cfius.response_days.median=10:90"),
        parse_param("reviewers.china.review_days.median=20:120"),
    ]
    result = run_sensitivity(
        tiktok_template, params, method="morris", samples=8, runs=150, seed=0, execution=Execution(workers=1)
    )
    idx = result.indices.set_index("parameter")
    assert idx.loc["reviewers.cfius.response_days.median", "mu_star"] > 0.1
    assert idx.loc["reviewers.china.review_days.median", "mu_star"] == 0


def test_cli_sweep_and_sensitivity_write_their_files(tmp_path):
    runner = CliRunner()
    out = tmp_path / "sweep"
    result = runner.invoke(
        cli,
        [
            "sweep",
            str(ECR),
            "--param",
            "home.tension=0.2:0.9:3",
            "--param",
            "instruments.divestiture_order.extensions.max=0,2",
            "--runs",
            "50",
            "--out",
            str(out),
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {
        "sweep.csv",
        "sweep.json",
        "runs.parquet",
        "manifest.json",
        "figures",
        "report.html",
    }
    assert len(json.loads((out / "sweep.json").read_text())["points"]) == 6
    assert (out / "figures" / "sweep.png").stat().st_size > 10_000
    out = tmp_path / "sens"
    result = runner.invoke(
        cli,
        [
            "sensitivity",
            str(ECR),
            "--samples",
            "4",
            "--runs",
            "20",
            "--out",
            str(out),
            "--workers",
            "1",
            "--method",
            "morris",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads((out / "sensitivity.json").read_text())
    assert data["method"] == "morris" and len(data["indices"]) == len(load_scenario(ECR).uncertainties)
    assert (out / "figures" / "sensitivity.png").is_file()


def test_run_sweep_takes_a_path_and_plain_values():
    """The Python API needs no Parameter objects: a mapping of values, or --param strings, as the README shows."""
    by_values = run_sweep(
        SCENARIOS / "tiktok_2020.yaml", {"reviewers.cfius.response_days.median": [15, 60]}, runs=10,
        execution=Execution(workers=1),
    )  # fmt: skip
    assert list(by_values.table["reviewers.cfius.response_days.median"]) == [15, 60]
    by_text = run_sweep(
        SCENARIOS / "tiktok_2020.yaml", "reviewers.cfius.response_days.median=15,60", runs=10,
        execution=Execution(workers=1),
    )  # fmt: skip
    assert by_text.table.equals(by_values.table)


def test_a_sweep_says_what_it_cannot_show():
    """CFIUS's willingness to accept mitigation moves P(closed_after_deadline); the number of extensions
    the order allows does not (they cannot move a close that waits on China): only the second is
    flagged. An outcome no point reaches is flagged as such."""
    from sim.analysis.sweep import sweep_warnings

    params = [
        "reviewers.cfius.accept_mitigation=-50,0",
        "instruments.divestiture_order.extensions.max=0,3",
    ]
    result = run_sweep(
        SCENARIOS / "export_control_review.yaml",
        [parse_param(p) for p in params],
        runs=200,
        execution=Execution(workers=1),
    )
    flagged = sweep_warnings(result, "closed_after_deadline")
    assert len(flagged) == 1 and flagged[0].startswith("instruments.divestiture_order.extensions.max does not move")
    (rare,) = sweep_warnings(result, "blocked_by_home")
    assert rare.startswith("P(blocked_by_home) is below 1% at every point")
