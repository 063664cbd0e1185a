"""Every shipped scenario plays a few hundred runs, every record backtests against its scenario, and
the worked cases of comparable-cases.md are written as of their start, out of sample."""

from __future__ import annotations

import pytest
from conftest import SCENARIOS, SHIPPED

from sim import load_scenario, run_ensemble
from sim.analysis.backtest import backtest, sample_check
from sim.runs.backends import Execution
from sim.scenario.record import load_record

RECORDS = sorted((SCENARIOS / "records").glob("*.yaml"))
CASES = ("qualcomm_nxp", "lattice_canyon_bridge", "huawei_3leaf")
SERIAL = Execution(workers=1)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_plays_a_few_hundred_runs(path):
    result = run_ensemble(load_scenario(path), runs=200, seed=0, execution=SERIAL, events="none")
    assert result.summary["failed"]["count"] == 0
    assert sum(o["count"] for o in result.summary["outcomes"].values()) == 200


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_every_record_backtests_against_its_scenario(path):
    record = load_record(path)
    scenario = load_scenario(SCENARIOS / f"{record.name}.yaml")
    report = backtest(scenario, record, runs=200, seed=0, execution=SERIAL).report
    assert [h["observed"] for h in report["horizons"]] == [o.outcome for o in record.outcomes]
    assert len(report["events"]) == len(record.events)
    assert {"model", "uniform", "uniform_all", "neutral"} == set(report["scores"])


@pytest.mark.parametrize("name", CASES)
def test_a_worked_case_is_written_as_of_its_start(name):
    """Its facts are known as of its start date and no dated input comes later: out of sample."""
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    assert scenario.as_of == scenario.start
    check = sample_check(scenario)
    assert not check["in_sample"] and check["later_inputs"] == []
    header = (SCENARIOS / f"{name}.yaml").read_text().split("\nname:")[0]
    assert "as known on" in header and "assumption" in header
