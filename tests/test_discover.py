"""Scenario discovery and robustness: `sim discover` finds a known box; `--design cross` ranks lever settings."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT

from sim.cli import cli

BOX = ROOT / "tests" / "data" / "box.yaml"
FILING, CLEARING, FEE = (
    "reviewers.authority.filing_days.median",
    "reviewers.authority.utility.clear_phase_1",
    "agreement.termination_fee",
)

pytestmark = pytest.mark.xdist_group("box_sweep")  # one worker makes the module's costly fixture once


def sim(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def box_sweep(tmp_path_factory):
    """A sweep of the box scenario: filing days 10 to 90, clearing utility -20 to 20, a fee that does nothing."""
    out = tmp_path_factory.mktemp("box") / "sweep"
    result = sim(
        "sweep",
        str(BOX),
        "--design",
        "lhs",
        "--samples",
        "64",
        "--runs",
        "40",
        "--out",
        str(out),
        "--quiet",
        "--no-report",
    )
    assert result.exit_code == 0, result.output
    return out


def test_a_sweep_keeps_every_run_with_its_point(box_sweep):
    runs = pd.read_parquet(box_sweep / "runs.parquet")
    points = pd.read_csv(box_sweep / "sweep.csv")
    assert len(runs) == 64 * 40
    assert runs.groupby("point").size().eq(40).all()
    first = runs[runs["point"] == 0].iloc[0]
    assert first[FILING] == points.loc[0, FILING]  # each run carries its point's values


def test_discover_recovers_the_known_box(box_sweep, tmp_path):
    """The deal closes in time only when the filing takes at most ~63 days and the reviewer clears in phase 1."""
    out = tmp_path / "found"
    result = sim("discover", str(box_sweep), "--outcome", "closed", "--out", str(out), "--no-report")
    assert result.exit_code == 0, result.output
    found = json.loads((out / "discover.json").read_text())
    prim = found["prim"]
    assert set(prim["limits"]) == {FILING, CLEARING}  # the fee that does nothing is left alone
    assert 45 <= prim["limits"][FILING][1] <= 70  # the truth: 63 days, blurred by the filing time's spread
    assert -8 <= prim["limits"][CLEARING][0] <= 8  # the truth: clearing well above 0
    assert prim["coverage"] >= 0.9 and prim["density"] >= 0.8
    best = found["cart"][0]
    assert set(best["limits"]) == {FILING, CLEARING}
    assert best["limits"][FILING][1] <= 70 and best["limits"][CLEARING][0] >= -5
    assert best["density"] >= 0.95
    assert "filing days is under" in prim["sentence"] and "% of the space" in prim["sentence"]
    assert prim["points"] >= 5 and all(min(q for q in qp if q is not None) < 0.05 for qp in prim["quasi_p"].values())
    trajectory = pd.read_csv(out / "peeling.csv")
    assert trajectory["coverage"].is_monotonic_decreasing  # peeling trades coverage for density
    assert (out / "figures" / "peeling.png").is_file() and (out / "figures" / "box.png").is_file()


def test_discover_by_threshold_finds_points(box_sweep, tmp_path):
    out = tmp_path / "points"
    result = sim(
        "discover", str(box_sweep), "--outcome", "closed", "--threshold", "0.9", "--out", str(out), "--no-report"
    )
    assert result.exit_code == 0, result.output
    found = json.loads((out / "discover.json").read_text())
    assert found["rows"] == 64  # one case per design point
    assert FILING in found["prim"]["limits"]
    assert found["prim"]["sentence"].startswith("P(closes) reaches 90% at ")
    assert "of the design points where" in found["prim"]["sentence"]
    assert "filing days is under" in found["prim"]["sentence"]
    assert re.search(r"\(\d+ design points\)", found["prim"]["sentence"])


def test_a_rare_outcome_is_warned_about(box_sweep, tmp_path):
    result = CliRunner().invoke(
        cli, ["discover", str(box_sweep), "--outcome", "revoked", "--out", str(tmp_path / "rare"), "--no-report"]
    )
    assert result.exit_code == 0
    assert "rare everywhere" in result.stderr and "no box to find" in result.stderr
    assert json.loads((tmp_path / "rare" / "discover.json").read_text())["prim"] is None


def test_discover_refuses_what_is_not_a_sweep(tmp_path):
    result = CliRunner().invoke(cli, ["discover", str(tmp_path), "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "not a sweep" in result.stderr
    assert not (tmp_path / "x").exists()
    result = CliRunner().invoke(cli, ["discover", str(tmp_path), "--outcome", "late"])
    assert result.exit_code == 2 and "closed_by_deadline" in result.stderr


def test_cross_design_ranks_lever_settings_by_robustness(write, tmp_path):
    """Clearing in phase 1 as a lever, crossed with the filing time: the clearing setting is robust, the other is not."""
    path = write(
        "cross.yaml",
        f"""\
        extends: {BOX}
        name: cross_test
        levers:
          - {{path: {CLEARING}, key: clearing, values: [-20, 20]}}
        uncertainties:
          - {{path: {FILING}, key: filing, low: 10, high: 90}}
        """,
    )
    out = tmp_path / "cross"
    result = sim(
        "sweep",
        str(path),
        "--design",
        "cross",
        "--samples",
        "12",
        "--runs",
        "30",
        "--out",
        str(out),
        "--outcome",
        "closed_by_deadline",
        "--no-report",
    )
    assert result.exit_code == 0, result.output
    points = pd.read_csv(out / "sweep.csv")
    assert len(points) == 2 * 12
    for _, group in points.groupby("policy"):  # every setting meets the same uncertainty sample
        assert sorted(group[FILING]) == sorted(points[points["policy"] == 0][FILING])
    robust = pd.read_csv(out / "robustness.csv").set_index(CLEARING)
    assert robust.loc[20, "mean"] > robust.loc[-20, "mean"] + 0.3
    assert robust.loc[20, "max_regret"] == 0 and robust.loc[-20, "max_regret"] > 0.5
    assert robust.loc[-20, "max"] < 0.1
    assert "max regret" in result.stdout


def test_a_whole_number_parameter_gets_a_limit_between_its_values():
    """Extensions allowed (0 to 9) decide the outcome from 5 on: PRIM and CART cut an int column at x.5."""
    from sim.analysis.discover import discover
    from sim.scenario.schema import Parameter

    k = list(range(10)) * 4
    points = pd.DataFrame({"ext.max": k})
    runs = pd.DataFrame(
        {"point": [p for p in range(len(k)) for _ in range(5)], "ext.max": [v for v in k for _ in range(5)]}
    )
    runs["outcome"] = ["closed_by_deadline" if v >= 5 else "pending" for v in runs["ext.max"]]
    found = discover(runs, points, [Parameter(path="ext.max", low=0, high=9)], "closed_by_deadline")
    low, high = found.prim.limits["ext.max"]
    assert 3 < low <= 5 and found.prim.density >= 0.8 and found.prim.coverage == 1.0  # no crash on ints (it was one)
