"""Checking a scenario's ``inactive:`` claims by running it.

A scenario may declare a behavioural weight (or a section of them) inactive, with the reason it
cannot act, instead of grounding its value. The claim is checked the only way it can be: each
weight it covers is moved (to the other end of 0-1 for a share or probability, else by +3, or x4
for a choice temperature) and the scenario run again with the same seeds; a weight whose move
changes any run is not inactive. Runs that all agree show only that the weight did not act in
them, so the check can prove a claim wrong, never right (``sim validate`` runs it on 60 runs;
``tests/test_legal_frames.py`` on 200 for the shipped scenarios).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.errors import ScenarioError
from sim.runs.backends import Execution
from sim.runs.ensemble import run_ensemble
from sim.scenario.grounding import covered, weight_paths
from sim.scenario.load import load_scenario
from sim.scenario.schema import Scenario

RUNS = 60
SERIAL = Execution(workers=1)


@dataclass(frozen=True)
class Acting:
    """A weight declared inactive that changed runs when moved."""

    declared: str  # the key under inactive: that covers it
    path: str  # the weight
    value: Any  # the value it was moved to
    changed: int  # runs whose record changed
    runs: int


def perturbations(scenario: Scenario, path: str) -> list[float]:
    """Values to move a weight to: the other end of 0-1 for a share or probability, else +3 (x4 for a scale)."""
    node: Any = scenario
    for part in path.split(".")[:-1]:
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    last = path.split(".")[-1]
    value = node[last] if isinstance(node, dict) else getattr(node, last)
    if last == "choice_temperature":
        return [value * 4]
    flipped = 0.95 if value < 0.5 else 0.05
    return [flipped, value + 3.0] if 0 <= value <= 1 else [value + 3.0]


def moved(scenario: Scenario, path: str, runs: int, base: Any) -> tuple[Any, int] | None:
    """The first move of ``path`` that changes any of ``runs`` runs, and how many it changed.

    ``base`` holds the same runs as the scenario is; None if no move changes any run.
    """
    for value in perturbations(scenario, path):
        try:
            changed = load_scenario(scenario.source, {path: value})
        except ScenarioError:  # out of range for this weight: try the next value
            continue
        rows = run_ensemble(changed, runs=runs, seed=0, execution=SERIAL, events="none").runs
        if not rows.equals(base):
            differ = (rows.astype(str) != base.astype(str)).any(axis=1)
            return value, int(differ.sum())
    return None


def acting_inactive(scenario: Scenario, runs: int = RUNS) -> list[Acting]:
    """Every weight the scenario declares inactive that changes some of ``runs`` runs when moved."""
    if not scenario.inactive:
        return []
    base = run_ensemble(scenario, runs=runs, seed=0, execution=SERIAL, events="none").runs
    weights = weight_paths(scenario)
    found = []
    for declared in scenario.inactive:
        for path in (p for p in weights if covered(p, [declared])):
            hit = moved(scenario, path, runs, base)
            if hit is not None:
                found.append(Acting(declared, path, hit[0], hit[1], runs))
    return found
