"""The EMA Workbench bridge: a model whose uncertainties, levers and outcomes come from the scenario."""

from __future__ import annotations

import pickle

import pytest
from conftest import ROOT, SCENARIOS

from sim.ema import OUTCOME_NAMES, ema_model
from sim.runs.ensemble import run_ensemble
from sim.scenario.load import load_scenario

ema = pytest.importorskip("ema_workbench")  # the optional extra dealsim[discover]; the test extra installs it
BOX = ROOT / "tests" / "data" / "box.yaml"


def test_the_model_declares_what_the_scenario_declares():
    model = ema_model(SCENARIOS / "export_control_review.yaml", runs=10)
    levers = {p.name: p for p in model.levers}
    uncertainties = {p.name: p for p in model.uncertainties}
    assert set(levers) == {"extension_days", "seller_proposes"}
    assert isinstance(levers["extension_days"], ema.CategoricalParameter)  # given as values: 0, 15, 30, 90 days
    assert [c.value for c in levers["extension_days"].categories] == [0, 15, 30, 90]
    assert isinstance(levers["seller_proposes"], ema.CategoricalParameter)
    assert "china_grant" in uncertainties and isinstance(uncertainties["china_grant"], ema.RealParameter)
    assert (uncertainties["china_grant"].lower_bound, uncertainties["china_grant"].upper_bound) == (0.0, 3.0)
    assert [o.name for o in model.outcomes] == list(OUTCOME_NAMES)


def test_perform_experiments_gives_the_ensembles_answers():
    """Each experiment's outcomes are those of the ensemble at its values (same seed everywhere)."""
    model = ema_model(BOX, runs=20, seed=3)
    scenarios = [ema.Sample(f"s{i}", filing=f, clearing=c, fee=1.0) for i, (f, c) in enumerate([(20, 15), (85, 15)])]
    experiments, outcomes = ema.perform_experiments(model, scenarios=scenarios, log_progress=False)
    assert len(experiments) == 2 and set(OUTCOME_NAMES) <= set(outcomes)
    for i, (filing, clearing) in enumerate([(20, 15), (85, 15)]):
        scenario = load_scenario(
            BOX,
            {
                "reviewers.authority.filing_days.median": filing,
                "reviewers.authority.utility.clear_phase_1": clearing,
                "agreement.termination_fee": 1.0,
            },
        )
        summary = run_ensemble(scenario, runs=20, seed=3, events="none").summary
        assert outcomes["p_closed"][i] == pytest.approx(summary["metrics"]["p_closed"])
        assert outcomes["p_terminated"][i] == pytest.approx(summary["outcomes"]["terminated"]["p"])
    assert outcomes["p_closed"][0] > 0.8 > 0.2 > outcomes["p_closed"][1]  # the box: a quick filing closes


def test_the_function_travels_to_worker_processes():
    model = ema_model(BOX, runs=5)
    clone = pickle.loads(pickle.dumps(model.function))
    assert clone(filing=20, clearing=15.0, fee=0.0) == model.function(filing=20, clearing=15.0, fee=0.0)
