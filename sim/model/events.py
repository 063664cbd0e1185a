"""Dated events: who in a run handles each kind (elections, revocations, catalogue updates...).

Each kind is registered in :mod:`sim.model.kinds` with its schema and its handler, which hands
the event to the actor it concerns. The run schedules every event on its day (drawn, for an
uncertain one), instruments first on a day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.model.kinds import EventKind, register_event
from sim.model.randomness import actor_stream
from sim.scenario.schema import (
    AnnouncedDeal,
    CatalogueUpdate,
    Election,
    HomeChange,
    JurisdictionChange,
    Revocation,
    TensionChange,
)

if TYPE_CHECKING:
    from sim.model.agents.executive import Executive
    from sim.model.dealmodel import DealModel


def _catalogue_update(model: DealModel, event: Any) -> None:
    rid = event.reviewer or next(iter(model.deal_scenario.reviewers_of("export_licence")))
    model.reviewers[rid].update_catalogue(event)


def _executive(model: DealModel) -> Executive:
    if model.executive is None:  # refused at validation: an election or revocation needs an executive
        raise RuntimeError("this event needs the scenario's executive")
    return model.executive


def _tension_change(model: DealModel, event: Any) -> None:
    if model.home is None:  # refused at validation
        raise RuntimeError("a tension change needs the scenario's home government")
    model.home.change_tension(event)


def _home_change(model: DealModel, event: HomeChange) -> None:
    """Whether the home government changes: drawn from the event's own stream, so the other draws stay."""
    if model.home is None:  # refused at validation
        raise RuntimeError("a change of home government needs the scenario's home government")
    rng = actor_stream(model.run_seed, f"home_change:{event.id or event.kind}")
    changes = rng.random() < event.p_change
    model.home.election(event, changes)
    if changes:
        model.clock.schedule(model.clock.day_of(event.takes_office), model.home.take_office, event)


register_event(EventKind(Election, lambda m, e: _executive(m).hold_election(e)))
register_event(EventKind(Revocation, lambda m, e: _executive(m).revocation_event(e)))
register_event(EventKind(CatalogueUpdate, _catalogue_update))
register_event(
    EventKind(JurisdictionChange, lambda m, e: m.reviewers[e.reviewer].change_jurisdiction(e.applies_to, e.note))
)
register_event(EventKind(TensionChange, _tension_change))
register_event(EventKind(HomeChange, _home_change))
register_event(EventKind(AnnouncedDeal, lambda m, e: m.bidders[e.bidder].announced_deal(e)))
