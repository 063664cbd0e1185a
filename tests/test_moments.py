"""Moments in order: a reaction runs after its cause has returned, and nothing is written after a run ends."""

from __future__ import annotations

import pytest

from sim import run_ensemble
from sim.model.moments import Delivery, Moment, Reacting, on
from sim.model.timeline import RunTimeline, TimelineClosed
from sim.narrative import EventName
from sim.runs.backends import Execution


class Ping(Moment):
    pass


class Pong(Moment):
    pass


def test_a_reaction_runs_after_its_cause_returns_in_subscription_order():
    """A handler that announces a moment finishes first; subscribers hear it in the order they subscribed."""
    delivery, trace = Delivery(), []

    class First(Reacting):
        @on(Ping)
        def ping(self, moment):
            trace.append("first hears ping")
            delivery.announce(Pong())
            trace.append("first done")

        @on(Pong)
        def pong(self, moment):
            trace.append("first hears pong")

    class Second(Reacting):
        @on(Ping)
        def ping(self, moment):
            trace.append("second hears ping")

    delivery.subscribe(First())
    delivery.subscribe(Second())
    delivery.announce(Ping())
    delivery.deliver()
    assert trace == ["first hears ping", "first done", "second hears ping", "first hears pong"]


def test_nothing_is_delivered_once_the_run_has_ended():
    delivery, trace = Delivery(), []

    class Ender(Reacting):
        @on(Ping)
        def ping(self, moment):
            delivery.close()

    class Late(Reacting):
        @on(Ping, Pong)
        def any(self, moment):
            trace.append(type(moment).__name__)

    delivery.subscribe(Ender())
    delivery.subscribe(Late())
    delivery.announce(Ping())
    delivery.announce(Pong())
    delivery.deliver()
    delivery.announce(Ping())
    delivery.deliver()
    assert trace == []


def test_the_timeline_refuses_writes_after_the_end():
    timeline = RunTimeline(lambda: 5, True, 100, "bidding")
    timeline.log("seller", EventName.BID, "a bid")
    timeline.end(5, ("pending", "still going"))
    with pytest.raises(TimelineClosed, match="after the run ended"):
        timeline.log("commerce", EventName.BAN_BITES, "too late")


def test_no_row_follows_the_outcome_and_every_stretch_ends(export_control):
    """In 2,000 runs (the ones where "the ban bites" was once logged after the outcome) the outcome
    is the last row of every run, and no stretch of the timeline is left open or ends after it."""
    result = run_ensemble(export_control, runs=2000, seed=0, events="all", execution=Execution(workers=2))
    assert result.summary["failed"]["count"] == 0
    events = result.events
    last = events.groupby("run_id").tail(1)
    assert (last["event"] == "outcome").all() and len(last) == 2000
    end_day = last.set_index("run_id")["day"]
    spans = result.spans
    assert spans["end_day"].notna().all()
    assert (spans["end_day"] <= spans["run_id"].map(end_day)).all()
    assert (events["day"] <= events["run_id"].map(end_day)).all()
    bites = events[events["event"] == "ban_bites"]
    assert len(bites) > 0  # the case the issue measured is exercised
