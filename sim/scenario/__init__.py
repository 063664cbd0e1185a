"""Input: the scenario schema, loading with ``extends`` and ``--set``, problems, checks, records.

Nothing here imports Mesa or runs a model (a test checks).
"""

from sim.scenario.load import ScenarioTemplate, load_scenario, parse_override, scenario_digest, validate, variant
from sim.scenario.schema import Scenario

__all__ = ["Scenario", "ScenarioTemplate", "load_scenario", "parse_override", "scenario_digest", "validate", "variant"]
