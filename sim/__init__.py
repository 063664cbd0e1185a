"""dealsim: what-if simulations of a forced cross-border sale of a technology company.

From Python::

    from sim import load_scenario, run_ensemble, DealModel
    scenario = load_scenario("scenarios/export_control_review.yaml",
                             overrides={"china.licence.review_days.median": 90})
    result = run_ensemble(scenario, runs=1000, seed=0)
    result.summary["outcomes"]          # probabilities with 95% intervals
    result.runs, result.events          # pandas DataFrames
    from sim.plots import plot_outcomes; plot_outcomes(result)
"""

from sim.ensemble import EnsembleResult, run_ensemble, run_one
from sim.errors import ScenarioError, SimError
from sim.model import DealModel
from sim.outcomes import Outcome
from sim.scenario import load_scenario
from sim.schema import Scenario

__version__ = "0.1.0"

__all__ = [
    "DealModel",
    "EnsembleResult",
    "Outcome",
    "Scenario",
    "ScenarioError",
    "SimError",
    "load_scenario",
    "run_ensemble",
    "run_one",
]
