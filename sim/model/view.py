"""The ports actors see a run through: a clock, a read-only view, their timeline, and ``announce``.

:class:`Ports` bundles them for one run; :class:`~sim.model.agents.base.Actor` takes what it
needs from it. Nothing here changes the run: the clock schedules an actor's own steps, and the
view answers questions about what the actors have made public (the deal, the tension, whether a
reviewer blocks signing...). Changing another actor's state goes through a moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.model.deal import DealView
from sim.model.kinds import instrument_kind
from sim.model.moments import Moment
from sim.model.randomness import WorkCalendar
from sim.model.timeline import RunTimeline
from sim.scenario.schema import BidderTerms, Scenario, Structure

if TYPE_CHECKING:
    from sim.model.dealmodel import DealModel


_ISO_DATES: dict[dt.date, dict[int, str]] = {}  # per start date: each day's ISO date, as a run asks for it


class Clock:
    """Today, dates, and scheduling.

    ``schedule(day, action, *args, priority=...)`` has ``action(*args)`` happen on ``day`` (never,
    if that is past the horizon or the run has ended).
    """

    def __init__(self, model: DealModel):
        self._model = model
        self.start: dt.date = model.deal_scenario.start
        self.horizon_day: int = model.horizon_day
        self.weekdays = WorkCalendar(self.start)
        self.schedule = model.schedule  # the run's own method, without a frame of ours around it
        self._iso = _ISO_DATES.setdefault(self.start, {})

    @property
    def today(self) -> int:
        """The current day (days from the start)."""
        return self._model.day

    def date_of(self, day: int) -> str:
        """The ISO date of a day number."""
        iso = self._iso.get(day)
        if iso is None:
            iso = self._iso[day] = (self.start + dt.timedelta(days=day)).isoformat()
        return iso

    def day_of(self, date: dt.date) -> int:
        """The day number of a date."""
        return (date - self.start).days


class RunView:
    """What every actor may know of the run, read only."""

    def __init__(self, model: DealModel):
        self._m = model
        self.scenario: Scenario = model.deal_scenario
        self.deal = DealView(model.deal)

    # --- the deal and its parties -------------------------------------------------------------

    def structure(self, structure_id: str) -> Structure:
        """A structure's terms."""
        return self.scenario.structures[structure_id]

    def buyer(self, bidder_id: str) -> BidderTerms:
        """A buyer's terms: a named bidder's, or one a pool brought."""
        return self._m.bidders[bidder_id].spec

    def bidder_label(self, bidder_id: str) -> str:
        """A buyer's name."""
        return self._m.bidders[bidder_id].label

    def bidder_active(self, bidder_id: str) -> bool:
        """Whether a bidder is still in the race."""
        return self._m.bidders[bidder_id].active

    def bidder_accepts(self, bidder_id: str, structure_id: str) -> bool:
        """Whether a bidder would do the deal under a structure."""
        return self._m.bidders[bidder_id].accepts(structure_id)

    def host_reviews_pending(self) -> bool:
        """Whether a host reviewer the current terms need has not approved them yet."""
        return any(r.side == "host" and r.needed and not r.approved for r in self._m.reviewers.values())

    def bidders_pending(self) -> bool:
        """Whether any bidder may still bid."""
        return any(b.pending for b in self._m.bidders.values())

    def deal_name(self) -> str:
        """How the narrative names the current deal: ``Oracle deal (trusted_partner)``."""
        deal = self._m.deal
        if deal.bidder is None:
            return "sale"
        return f"{self._m.bidders[deal.bidder].label} deal ({deal.structure})"

    def money(self, bn: float) -> str:
        """An amount in billions, in the scenario's currency."""
        return self.scenario.labels.money(bn)

    # --- reviewers ----------------------------------------------------------------------------

    def approval_belief(self, structure_id: str, bidder_id: str) -> float:
        """The chance every reviewer approves these terms, as the seller reads the rules."""
        belief = 1.0
        for reviewer in self._m.reviewers.values():
            belief *= reviewer.approval_belief(structure_id, bidder_id)
        return belief

    def needs(self, reviewer: str, structure_id: str, bidder_id: str) -> bool:
        """Whether a reviewer's rule makes it clear a deal with these terms."""
        return self._m.reviewers[reviewer].applies(structure_id, bidder_id)

    def under_review(self) -> bool:
        """Whether the deal is before some reviewer (notified, filed or applied for)."""
        return any(r.filed for r in self._m.reviewers.values())

    def signing_blocked_by(self) -> str | None:
        """The reviewer without whose consent no contract may be signed yet (a letter of intent), if any."""
        return next((rid for rid, r in self._m.reviewers.items() if r.blocks_signing), None)

    def all_approved(self) -> bool:
        """Every reviewer the current terms need has approved them."""
        return all(r.satisfied for r in self._m.reviewers.values())

    # --- the governments ----------------------------------------------------------------------

    @property
    def tension(self) -> float:
        """Tension between the two governments (0-1)."""
        return self._m.home.tension if self._m.home is not None else 0.0

    @property
    def stance(self) -> float:
        """The home public's opposition to the sale (0-1)."""
        return self._m.home.stance if self._m.home is not None else 0.0

    @property
    def new_administration(self) -> bool:
        """A new host administration has taken office."""
        return self._m.executive is not None and self._m.executive.new_administration

    @property
    def lame_duck(self) -> bool:
        """Between an election that changed the administration and the inauguration."""
        return self._m.executive is not None and self._m.executive.lame_duck

    @property
    def administration_changing(self) -> bool:
        """An election has changed the administration (the lame-duck weeks included)."""
        return self._m.executive is not None and self._m.executive.administration_changing

    # --- instruments, stages, courts, the market ------------------------------------------------

    def sale_forced(self) -> bool:
        """Whether an instrument in force obliges the seller to sell (a divestiture order, a law)."""
        return self.scenario.deal.kind == "forced_divestiture" and any(
            i.in_force and instrument_kind(i.spec.kind).forces_sale for i in self._m.instruments.values()
        )

    def in_force(self, instrument: str) -> bool:
        """Whether an instrument is in force."""
        return self._m.instruments[instrument].in_force

    def deadline_day(self, instrument: str) -> int | None:
        """An instrument's deadline in force (None if it has none, or is no longer in force)."""
        return getattr(self._m.instruments[instrument], "deadline_day", None)

    def instrument_label(self, instrument: str) -> str:
        """An instrument's name."""
        return self.scenario.instruments[instrument].label

    def stage(self, stage_id: str) -> Any:
        """A ban stage's state (read only: ``due``, ``lifted``, ``enjoined_by``...)."""
        return self._m.stage_state(stage_id)

    def stage_effective_day(self, stage_id: str) -> int | None:
        """The day a stage is due to take effect as things stand (None if it has no date yet)."""
        return self._m.stage_effective_day(stage_id)

    def litigating(self) -> bool:
        """Whether the seller has a case pending or one of its injunctions stands."""
        return any(c.spec.plaintiff == "seller" and c.active for c in self._m.courts.values())

    def value_factor(self) -> float:
        """Share of the business's base value left today."""
        return self._m.market.factor(self._m.day)

    def service_stopped(self) -> bool:
        """Whether a biting stage stops the service for existing users (``stops_service``)."""
        return any(a.stages[sid].spec.stops_service for a in self._m.agencies.values() for sid in a.biting())

    @property
    def ban_bites(self) -> bool:
        """Whether a ban stage bites today."""
        return self._m.market.ban_bites


@dataclass
class Ports:
    """What an actor is built with: the run's clock, view, timeline, moment queue and seed."""

    clock: Clock
    view: RunView
    timeline: RunTimeline
    announce: Callable[[Moment], None]
    seed: int
