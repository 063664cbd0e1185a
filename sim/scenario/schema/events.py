"""Dated events: elections, revocations, catalogue updates, changes of jurisdiction, tension or government, deals."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sim.scenario.schema import kinds
from sim.scenario.schema.base import Dated, Probability, param


class EventBase(Dated):
    """Fields every dated event has (see ``Dated`` for uncertain dates)."""

    id: str | None = param(
        None,
        "id",
        "Names the event for `extends` merging; defaults to its kind. A child's event with the "
        "same id replaces the parent's.",
    )


class Election(EventBase):
    """A host election; the administration may change at the inauguration."""

    kind: Literal["election"]
    p_change: Probability = param(..., "probability", "Chance the administration changes.")
    inauguration: dt.date = param(..., "date", "When a new administration takes office.")
    result_known: dt.date | None = param(
        None,
        "date",
        "When the result is known (a reviewer waiting for it may move then); polling day if omitted.",
    )


class Revocation(EventBase):
    """A dated revocation of instruments (without an election)."""

    kind: Literal["revocation"]
    revokes: list[str] = param(..., "instrument ids", "Which instruments are revoked.")


class CatalogueUpdate(EventBase):
    """The home government adds technologies to an export-licence reviewer's catalogue."""

    kind: Literal["catalogue_update"]
    adds: list[str] = param(..., "technology ids", "Technologies added to the catalogue.")
    reviewer: str | None = param(None, "reviewer id", "Whose catalogue; the one export-licence reviewer if omitted.")
    description: str = param("", "text", "The catalogue entries as published (e.g. item numbers), for the narrative.")


class JurisdictionChange(EventBase):
    """Which deals a reviewer must clear changes (e.g. a new export-control law)."""

    kind: Literal["jurisdiction_change"]
    reviewer: str = param(..., "reviewer id", "The reviewer.")
    applies_to: Literal["any_sale", "foreign_buyer", "listed_technology", "none"] = param(
        ..., "", "From this date: which deals it must clear (see the reviewers' `applies_to`)."
    )


class TensionChange(EventBase):
    """Something moves the tension between the governments or the home government's stance."""

    kind: Literal["tension_change"]
    tension: float = param(0.0, "index change", "Added to tension (the result is kept in 0-1).")
    stance: float = param(0.0, "index change", "Added to the stance (kept in 0-1).")


class HomeChange(EventBase):
    """The home government may change (an election, a new leadership); if it does, its politics move.

    On this date the change is drawn; the new government takes office on ``takes_office`` and
    moves the tension with the host and its public stance by the amounts given, which every home
    reviewer reads (a political hold may end at it where the scenario says so).
    """

    kind: Literal["home_change"]
    p_change: Probability = param(..., "probability", "Chance the government changes.")
    takes_office: dt.date = param(..., "date", "When the new government takes office.")
    tension: float = param(0.0, "index change", "Added to tension when it takes office (kept in 0-1).")
    stance: float = param(0.0, "index change", "Added to the public stance when it takes office (kept in 0-1).")


class AnnouncedDeal(EventBase):
    """The seller and a bidder announce a deal on this date (the pick is not left to chance)."""

    kind: Literal["announced_deal"]
    bidder: str = param(..., "bidder id", "The buyer.")
    structure: str | None = param(None, "structure id", "The structure; the bidder's offer if omitted.")


kinds.add("events", Election, Revocation, CatalogueUpdate, JurisdictionChange, TensionChange, HomeChange, AnnouncedDeal)
