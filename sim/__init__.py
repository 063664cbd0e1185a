"""dealsim: what-if simulations of a forced cross-border sale of a technology company.

From Python::

    from sim import load_scenario, run_ensemble, DealModel
    scenario = load_scenario("scenarios/export_control_review.yaml",
                             overrides={"reviewers.china.review_days.median": 90})
    result = run_ensemble(scenario, runs=1000, seed=0)
    result.summary["outcomes"]          # probabilities with 95% intervals
    result.runs, result.events          # pandas DataFrames
    from sim.present.figures import plot_outcomes; plot_outcomes(result)

The package is a house of floors; each imports only from the floors below it (a test checks):

=================  =========================================================================
``sim.errors``,    the ground: errors and problems, the outcomes, the names of logged events
``sim.outcomes``,
``sim.narrative``
``sim.scenario``   input: the schema, loading and ``extends``, problems, checks, records
``sim.model``      one run: ``DealModel``, its agents, the deal, randomness, per-run attribution
``sim.runs``       many runs: ensembles, backends, tallies, the result store
``sim.analysis``   sweeps, sensitivity, comparisons, backtests and calibration
``sim.present``    terminal tables, stories, figures
``sim.cli``        the ``sim`` command
=================  =========================================================================

The names below are imported when first used, so ``sim --help`` does not load Mesa or pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_PUBLIC = {
    "DealModel": "sim.model.dealmodel",
    "EnsembleResult": "sim.runs.ensemble",
    "Outcome": "sim.outcomes",
    "Scenario": "sim.scenario.schema",
    "ScenarioError": "sim.errors",
    "SimError": "sim.errors",
    "load_scenario": "sim.scenario.load",
    "run_ensemble": "sim.runs.ensemble",
    "run_one": "sim.runs.ensemble",
}

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

if TYPE_CHECKING:
    from sim.errors import ScenarioError, SimError
    from sim.model.dealmodel import DealModel
    from sim.outcomes import Outcome
    from sim.runs.ensemble import EnsembleResult, run_ensemble, run_one
    from sim.scenario.load import load_scenario
    from sim.scenario.schema import Scenario


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])
