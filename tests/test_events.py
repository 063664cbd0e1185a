"""Uncertain events: any dated event may happen with a probability, on a day drawn from a window."""

from __future__ import annotations

import pytest
from conftest import SCENARIOS

from sim import load_scenario, run_ensemble
from sim.errors import ScenarioError
from sim.runs.backends import Execution

TIKTOK = SCENARIOS / "tiktok_2020.yaml"
SERIAL = Execution(workers=1)


def events_of(result, kind):
    return result.events[result.events["event"] == kind]


def test_an_event_happens_with_its_probability():
    """p = 0: never; p = 0.5: in about half the runs; p = 1: in every run."""
    never = run_ensemble(load_scenario(TIKTOK, {"events.election.p": 0.0}), runs=300, seed=0, execution=SERIAL)
    assert events_of(never, "election").empty
    half = run_ensemble(load_scenario(TIKTOK, {"events.election.p": 0.5}), runs=300, seed=0, execution=SERIAL)
    ran_to_election = (half.runs["end_date"] >= "2020-11-03").sum()
    share = events_of(half, "election")["run_id"].nunique() / ran_to_election
    assert 0.4 < share < 0.6


def test_an_event_in_a_window_falls_on_days_drawn_across_it():
    """date: {between: [a, b]} puts the event on a day from a to b, both ends included, spread
    over the window rather than on one day."""
    window = {"events.election.date": {"between": ["2020-10-20", "2020-10-26"]}}
    result = run_ensemble(load_scenario(TIKTOK, window), runs=400, seed=0, execution=SERIAL)
    dates = events_of(result, "election")["date"]
    assert dates.min() == "2020-10-20" and dates.max() == "2020-10-26"
    assert dates.nunique() == 7


def test_an_uncertain_event_leaves_the_other_draws_alone():
    """Making the election uncertain in date changes nothing before its earliest day."""
    base = run_ensemble(load_scenario(TIKTOK), runs=200, seed=0, execution=SERIAL).events
    moved = run_ensemble(
        load_scenario(TIKTOK, {"events.election.date": {"between": ["2020-10-20", "2020-11-03"]}}),
        runs=200,
        seed=0,
        execution=SERIAL,
    ).events
    before = lambda e: e[e["date"] < "2020-10-20"].reset_index(drop=True)  # noqa: E731
    assert before(base).equals(before(moved))


def test_a_window_must_be_in_order():
    with pytest.raises(ScenarioError, match="date_to .* must be on or after the first possible day"):
        load_scenario(TIKTOK, {"events.election.date_to": "2020-10-01"})
