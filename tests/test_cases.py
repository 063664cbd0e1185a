"""Every shipped scenario plays a few hundred runs, every record backtests against its scenario, and
the worked cases of comparable-cases.md are written as of their start, out of sample."""

from __future__ import annotations

import pytest
from conftest import SCENARIOS, SHIPPED

from sim import load_scenario, run_ensemble
from sim.analysis.backtest import backtest, sample_check
from sim.runs.backends import Execution
from sim.scenario.record import load_record

LIBRARY = SCENARIOS / "cases"
RECORDS = sorted((SCENARIOS / "records").glob("*.yaml")) + sorted((LIBRARY / "records").glob("*.yaml"))
CASES = sorted(p.stem for p in (LIBRARY / "records").glob("*.yaml"))
SERIAL = Execution(workers=1)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_plays_a_few_hundred_runs(path):
    result = run_ensemble(load_scenario(path), runs=200, seed=0, execution=SERIAL, events="none")
    assert result.summary["failed"]["count"] == 0
    assert sum(o["count"] for o in result.summary["outcomes"].values()) == 200


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_every_record_backtests_against_its_scenario(path):
    record = load_record(path)
    scenario = load_scenario(path.parent.parent / f"{record.name}.yaml")
    report = backtest(scenario, record, runs=60, seed=0, execution=SERIAL).report
    assert [h["observed"] for h in report["horizons"]] == [o.label for o in record.outcomes]
    assert len(report["events"]) == len(record.events)
    assert {"model", "uniform", "uniform_all", "neutral"} == set(report["scores"])


@pytest.mark.parametrize("name", CASES)
def test_a_worked_case_is_written_as_of_its_start(name):
    """Its facts are known as of its start date and no dated input comes later: out of sample."""
    scenario = load_scenario(LIBRARY / f"{name}.yaml")
    assert scenario.as_of == scenario.start
    check = sample_check(scenario)
    assert not check["in_sample"] and check["later_inputs"] == []
    header = (LIBRARY / f"{name}.yaml").read_text().split("\nname:")[0]
    assert "as known on" in header and "assumption" in header


# --- the case library and `sim evaluate` --------------------------------------------------------


def test_the_library_holds_ten_cases_and_a_base_that_is_not_one():
    from sim.analysis.evaluate import find_cases

    cases = find_cases(LIBRARY)
    assert len(cases) >= 10
    assert "base_cfius_721" not in {p.stem for p, _ in cases}  # no record: a shared base the cases extend
    for scenario_path, record_path in cases:
        record = load_record(record_path)
        assert record.name == scenario_path.stem
        record.check_against(load_scenario(scenario_path))
        assert all(e.source for e in record.events) and all(o.source for o in record.outcomes)


def test_the_pit_histogram_counts_percentiles_in_tenths():
    import numpy as np

    from sim.analysis.evaluate import pit_histogram

    assert pit_histogram(np.array([0.0, 5.0, 50.0, 99.0, 100.0])) == [2, 0, 0, 0, 0, 1, 0, 0, 0, 2]


def test_evaluate_scores_each_case_and_sums_them(tmp_path):
    """Two cases: each row's scores are its own backtest's, the totals are their sums, every scored
    event is in the PIT histogram or counted as never simulated, and the report and figures exist."""
    import json
    import shutil

    from click.testing import CliRunner

    from sim.cli import cli

    library = tmp_path / "lib"
    (library / "records").mkdir(parents=True)
    for name in ("lattice_canyon_bridge", "huawei_3leaf"):
        shutil.copy(LIBRARY / f"{name}.yaml", library)
        shutil.copy(LIBRARY / "records" / f"{name}.yaml", library / "records")
    out = tmp_path / "ev"
    result = CliRunner().invoke(cli, ["evaluate", str(library), "--runs", "60", "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "evaluation.json").read_text())
    rows = {c["case"]: c for c in data["cases"]}
    assert set(rows) == {"lattice_canyon_bridge", "huawei_3leaf"}
    for name, row in rows.items():
        alone = backtest(
            load_scenario(library / f"{name}.yaml"), load_record(library / "records" / f"{name}.yaml"), 60, 0, SERIAL
        ).report
        assert row["log_model"] == alone["scores"]["model"]["log_score"]
        assert row["log_uniform"] == alone["scores"]["uniform"]["log_score"]
    totals = data["totals"]
    assert totals["log_score"]["model"] == pytest.approx(sum(r["log_model"] for r in rows.values()), abs=1e-3)
    events = data["events"]
    assert sum(totals["pit_histogram"]) + totals["events_never_simulated"] == len(events) == totals["events_scored"]
    assert {p.name for p in (out / "figures").glob("*.png")} == {"case_scores.png", "pit.png"}
    assert (out / "report.html").is_file() and "The case library" in (out / "report.html").read_text()
    assert "Summed log score" in " ".join(result.output.split())
