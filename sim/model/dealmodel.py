"""DealModel: one run of a forced cross-border sale, as a Mesa model driven by events.

Time is in days from the scenario's start. Nothing ticks: every actor schedules what it will do
with Mesa's event list (``schedule_event``), and ``run_until`` jumps from event to event, so a
run costs in proportion to what happens in it, not to the number of days. The run ends at the
horizon or as soon as its outcome cannot change (a close, a final block, the seller's exit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import mesa
import numpy as np
from mesa.time import Event, Priority

from sim.model import mesa_compat
from sim.model.agents.bidder import Bidder
from sim.model.agents.commerce import Commerce
from sim.model.agents.courts import Court, merits_stream
from sim.model.agents.executive import Executive
from sim.model.agents.home import HomeGovernment
from sim.model.agents.regulator import Regulator
from sim.model.agents.seller import Seller
from sim.model.deal import Deal, DealStage
from sim.model.market import Threat, ValueClock
from sim.model.mesa_compat import stop_daily_tick
from sim.model.randomness import WorkCalendar, actor_stream
from sim.narrative import EventName, SpanName
from sim.outcomes import MEANING, Outcome, classify
from sim.scenario.schema import Scenario

RUN_COLUMNS = (
    "run_id",
    "seed",
    "outcome",
    "end_date",
    "close_date",
    "days_past_deadline",
    "deadline_date",
    "extensions",
    "deadline_decision",
    "ban_days",
    "winner",
    "structure",
    "price",
    "blessed",
    "licence_required",
    "host_review_days",
    "letter_review_days",
    "licence_review_days",
    "restructures",
    "injunctions",
    "administration_changed",
    "final_stage",
    "error",
)
"""The per-run record, in column order (``runs.csv``)."""


def as_seed(rng: Any) -> int:
    """Turn what Mesa accepts as ``rng`` into one integer seed (drawing one if needed)."""
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng must be a non-negative integer, got {rng}")
        return int(rng)
    if rng is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
    if isinstance(rng, np.random.SeedSequence):
        return int(rng.generate_state(1, np.uint64)[0] >> np.uint64(1))
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1))
    raise TypeError(f"rng must be an int, a SeedSequence, a Generator or None, got {type(rng).__name__}")


class DealModel(mesa.Model):
    """One run of a scenario.

    A plain Mesa model: ``DealModel(scenario, rng=seed).run()`` plays the run out and returns its
    record; ``mesa.batch_run(DealModel, parameters={"scenario": [scenario]}, rng=[1, 2, 3])``
    works too (each ``step()`` advances one day; the model stops itself at the end).

    Args:
        scenario: a validated scenario (see :func:`sim.load_scenario`).
        rng: the run's seed (an int, as recorded in ``runs.csv``), or anything Mesa accepts.
        run_id: the run's index in its ensemble (for the event log).
        narrate: keep the event log (turn off for speed when only outcomes are needed).
        checkpoints: days (from the start, up to the horizon) at whose end the outcome is read
            as if the run stopped there (``snapshots``); backtests read several horizons at once.

    Attributes:
        deal_scenario: the scenario played (``scenario`` is Mesa's own attribute, left to Mesa).
        record: the run's record (``RUN_COLUMNS``) once it has ended, else None.
        events: the event log, rows of (day, actor, event, detail).
        spans: the deal's timeline, rows of [span, actor, start day, end day].
        stage_history: the deal's stages, rows of (day, stage) from day 0.
        snapshots: ``{checkpoint day: outcome}``, the outcome as of the end of each checkpoint.
    """

    def __init__(
        self,
        scenario: Scenario,
        rng: Any = None,
        *,
        run_id: int = 0,
        narrate: bool = True,
        checkpoints: tuple[int, ...] = (),
    ):
        self.run_seed = as_seed(rng)
        super().__init__(rng=self.run_seed)
        stop_daily_tick(self)
        self.deal_scenario = scenario  # Mesa's own Model.scenario is left as Mesa sets it
        self.day = 0  # the day of the event being played (set by mesa_compat.Call; Mesa's time as an int)
        self.run_id = run_id
        self.narrate = narrate
        self.horizon_day = scenario.days
        self.first_deadline_day = scenario.day(scenario.first_deadline)
        self.weekdays = WorkCalendar(scenario.start)

        self.events: list[tuple[int, str, str, str]] = []
        self.spans: list[list] = []
        self._open_spans: dict[str, list] = {}
        self._keep_alive: list[Callable] = []  # what mesa_compat.schedule's fallback must keep alive
        self._scheduled: list[Event] = []
        self.events_scheduled = 0  # what a run costs grows with this, not with the horizon

        self.deal = Deal()
        self.stage_history: list[tuple[int, str]] = [(0, DealStage.BIDDING.value)]
        self.value = ValueClock(scenario.market)
        self.ban_order_in_force = False
        self.divestiture_order_in_force = False
        self._merits: dict[str, float] = {}
        self.ban_bites = False
        self.revoked = False
        self.outcome: Outcome | None = None
        self.record: dict[str, Any] | None = None
        self.checkpoints = tuple(sorted(set(checkpoints)))
        self.snapshots: dict[int, str] = {}
        if self.checkpoints and not 0 <= self.checkpoints[0] <= self.checkpoints[-1] <= self.horizon_day:
            raise ValueError(f"checkpoints must be days 0 to {self.horizon_day}, got {self.checkpoints}")

        self.executive = Executive(self, scenario.executive)
        self.cfius = Regulator(self, scenario.cfius)
        self.commerce = Commerce(self, scenario.commerce)
        self.courts = {cid: Court(self, cid, spec) for cid, spec in scenario.courts.items()}
        self.china = HomeGovernment(self, scenario.china)
        self.seller = Seller(self, scenario.seller)
        self.bidders = {bid: Bidder(self, bid, spec) for bid, spec in scenario.bidders.items()}
        for day in self.checkpoints:  # first thing the next morning, i.e. the end of `day`
            if day < self.horizon_day:
                self.schedule(day + 1, self._snapshot, day, priority=Priority.HIGH)
        self._schedule_scenario_events()
        self.schedule(self.horizon_day + 1, self.settle, priority=Priority.HIGH)
        self._datacollector: mesa.DataCollector | None = None

    # --- running ------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        """Play the run to its end and return its record."""
        self.run_until(self.horizon_day + 1)
        return self.record

    def schedule(
        self,
        day: int,
        action: Callable[..., Any],
        *args: Any,
        priority: Priority = Priority.DEFAULT,
    ) -> None:
        """Have ``action(*args)`` happen on ``day`` (never, if that is past the horizon)."""
        if day > self.horizon_day + 1 or not self.running:
            return
        self._scheduled.append(mesa_compat.schedule(self, max(day, self.day), action, args, priority))
        self.events_scheduled += 1

    def _schedule_scenario_events(self) -> None:
        handlers = {
            "ban_order": self.executive.issue_ban_order,
            "divestiture_order": self.executive.issue_divestiture_order,
            "election": self.executive.hold_election,
            "revocation": self.executive.revocation_event,
            "catalogue_update": self.china.update_catalogue,
            "home_consent": self.china.change_consent,
            "tension_change": self.china.change_tension,
            "announced_deal": self.seller.announced_deal,
        }
        for event in sorted(self.deal_scenario.events, key=lambda e: e.date):
            day = self.event_day(event)
            if day is not None:
                self.schedule(day, handlers[event.kind], event, priority=Priority.HIGH)

    def event_day(self, event: Any) -> int | None:
        """The day a scenario event happens in this run, or None if it does not happen.

        A certain event on a fixed date draws nothing. An uncertain one draws twice from its own
        stream, keyed by the run seed and the event's id: whether it happens (``p``) and on which
        day of its window (``date`` to ``date_to``).
        """
        first = self.deal_scenario.day(event.date)
        if event.p >= 1 and event.date_to is None:
            return first
        stream = actor_stream(self.run_seed, f"event:{event.id or event.kind}")
        happens, where = stream.random() < event.p, stream.random()
        if not happens:
            return None
        if event.date_to is None:
            return first
        return first + int(where * (self.deal_scenario.day(event.date_to) - first + 1))

    @property
    def today(self) -> int:
        """The current day (days from the start)."""
        return self.day

    def date_of(self, day: int) -> str:
        """The ISO date of a day number."""
        return (self.deal_scenario.start + dt.timedelta(days=day)).isoformat()

    def stale(self, version: int) -> bool:
        """Whether something scheduled for deal ``version`` no longer applies."""
        return version != self.deal.version or self.deal.stage.ended or not self.running

    def set_stage(self, stage: DealStage) -> None:
        """Move the deal to a stage, remembering when (the fan chart of a backtest uses it)."""
        self.deal.stage = stage
        self.stage_history.append((self.today, stage.value))

    def bidders_pending(self) -> bool:
        """Whether any bidder may still bid."""
        return any(b.pending for b in self.bidders.values())

    def deal_name(self) -> str:
        """How the narrative names the current deal: ``Oracle deal (trusted_partner)``."""
        deal = self.deal
        if deal.bidder is None:
            return "sale"
        return f"{self.bidders[deal.bidder].label} deal ({deal.structure})"

    # --- the narrative ------------------------------------------------------------------------

    def log(self, actor: str, event: EventName, detail: str = "") -> None:
        """One row of the event log."""
        if self.narrate:
            self.events.append((self.today, actor, event.value, detail))

    def open_span(self, name: SpanName, actor: str) -> None:
        """A stretch of the deal's timeline starts today (if it is not already open)."""
        if name not in self._open_spans:
            span = [name.value, actor, self.today, None]
            self._open_spans[name] = span
            self.spans.append(span)

    def close_span(self, name: SpanName) -> None:
        """A stretch of the timeline ends today."""
        span = self._open_spans.pop(name, None)
        if span is not None:
            span[3] = self.today

    def add_span(self, name: SpanName, actor: str, start: int, end: int) -> None:
        """A stretch of the timeline already over (or whose end is known), e.g. a court case."""
        self.spans.append([name.value, actor, start, min(end, self.horizon_day)])

    def span_open(self, name: SpanName) -> bool:
        """Whether a stretch of the timeline is open."""
        return name in self._open_spans

    def close_deal_spans(self) -> None:
        """Close every open stretch of the deal's timeline (not the ban's)."""
        for name in list(self._open_spans):
            if name is not SpanName.BAN:
                self.close_span(name)

    # --- the ban and the business's value ----------------------------------------------------

    def value_factor(self) -> float:
        """Share of the business's base value left today."""
        return self.value.factor(self.today)

    def refresh_ban(self) -> None:
        """Recompute whether a ban stage bites, and what that does to the business's value."""
        biting = self.commerce.biting() if self.ban_order_in_force else []
        bites = bool(biting)
        if bites:
            severity = sum(self.commerce.stages[s].spec.severity for s in biting)
            self.value.set(self.today, Threat.BITING, severity)
        elif self.ban_order_in_force and self.deal.closed_day is None and not self.seller.withdrawn:
            self.value.set(self.today, Threat.LOOMING)
        else:
            self.value.set(self.today, Threat.NONE)
        if bites and not self.ban_bites:
            self.ban_bites = True
            self.china.host_action("ban_bites")
            self.market_moves("the ban began to bite")
            self.open_span(SpanName.BAN, "commerce")
            self.commerce.log(
                EventName.BAN_BITES,
                f"The ban bites ({', '.join(biting)}): the business loses users and value",
            )
            self.seller.ban_started()
        elif not bites and self.ban_bites:
            self.ban_bites = False
            self.close_span(SpanName.BAN)
            self.commerce.log(EventName.BAN_LIFTED, "No ban stage bites any more")

    def market_moves(self, reason: str) -> None:
        """Something changed the seller's position.

        A held-out seller reconsiders, and while no deal is in progress a bidder that dropped out
        may come back.
        """
        if self.deal.stage is DealStage.BIDDING:
            for bidder in self.bidders.values():
                bidder.consider_return()
        self.seller.reconsider(reason)

    def merits(self, instrument: str) -> float:
        """The run's merits draw for the legal question every challenge of ``instrument`` shares."""
        if instrument not in self._merits:
            self._merits[instrument] = merits_stream(self.run_seed, instrument).standard_normal()
        return self._merits[instrument]

    def revoke(self, orders: tuple[str, ...], detail: str) -> None:
        """Revoke orders, each on its own track: the ban order lifts every stage; the divestiture order its deadline."""
        self.executive.log(EventName.REVOCATION, detail)
        if "ban_order" in orders:
            if self.deal.closed_day is None:
                self.revoked = True
            self.ban_order_in_force = False
            self.commerce.lift_all()
            self.refresh_ban()
        if "divestiture_order" in orders:
            self._end_divestiture_order()

    def set_aside_divestiture_order(self, court: str, detail: str) -> None:
        """A court sets the divestiture order aside (the ban order, if any, stands)."""
        self.log(court, EventName.ORDER_SET_ASIDE, detail)
        self._end_divestiture_order()

    def _end_divestiture_order(self) -> None:
        self.divestiture_order_in_force = False
        self.executive.deadline_day = None
        if not self.ban_order_in_force and self.deal.closed_day is None:
            self.revoked = True
            self.settle()  # nothing forces a sale any more

    # --- the end ------------------------------------------------------------------------------

    def try_close(self) -> None:
        """Once signed and approved by both governments, the deal closes after a few days."""
        deal = self.deal
        if deal.approvals_complete() and not deal.closing_scheduled:
            deal.closing_scheduled = True
            self.open_span(SpanName.CLOSING, "seller")
            self.seller.after(self.deal_scenario.seller.closing_days, self.close, deal.version, priority=Priority.HIGH)

    def close(self, version: int) -> None:
        """The sale closes: the ban is lifted and the outcome is settled."""
        if self.stale(version):
            return
        deal = self.deal
        self.set_stage(DealStage.CLOSED)
        deal.closed_day = self.today
        self.close_span(SpanName.CLOSING)
        self.seller.log(EventName.CLOSED, f"closes the {self.deal_name()} at US${deal.price:.1f} bn")
        self.commerce.lift_all()
        self.refresh_ban()
        self.settle()

    def outcome_now(self) -> Outcome:
        """The outcome if the run stopped today."""
        blocked = {
            DealStage.BLOCKED_HOST: "host",
            DealStage.BLOCKED_HOME: "home",
            DealStage.TERMINATED: "agreement",
        }.get(self.deal.stage)
        return classify(
            closed_day=self.deal.closed_day,
            first_deadline_day=self.first_deadline_day,
            blocked_by=blocked,
            ban_bites=self.ban_bites,
            withdrawn=self.seller.withdrawn,
            revoked=self.revoked,
            deal_in_progress=self.deal.stage.in_progress,
        )

    def _snapshot(self, day: int) -> None:
        self.snapshots[day] = self.outcome_now().value

    def settle(self) -> None:
        """End the run: read the outcome, record it, drop what is still scheduled."""
        if not self.running:
            return
        self.running = False
        end = min(self.today, self.horizon_day)
        self.end_day = end
        self.outcome = self.outcome_now()
        for day in self.checkpoints:  # checkpoints not reached: the outcome no longer changes
            self.snapshots.setdefault(day, self.outcome.value)
        if self.narrate:  # dated on the last day simulated, not the day after the horizon
            self.events.append(
                (
                    end,
                    "model",
                    EventName.OUTCOME.value,
                    f"{self.outcome.value}: {MEANING[self.outcome]}",
                )
            )
        for span in self._open_spans.values():
            span[3] = end
        self._open_spans.clear()
        for event in self._scheduled:
            event.cancel()
        self._scheduled.clear()
        self._keep_alive.clear()
        self.record = self._make_record(end)

    @property
    def datacollector(self) -> mesa.DataCollector:
        """Mesa's view of the run (for ``mesa.batch_run``): its outcome, close day, winner and price.

        Made when first asked for, as of the run's end (ensembles read ``record`` and never ask).
        """
        if self._datacollector is None:
            self._datacollector = mesa.DataCollector(
                model_reporters={name: name for name in ("outcome", "close_day", "winner", "price")}
            )
            if self.record is not None:
                self._datacollector.collect(self)
        return self._datacollector

    @property
    def close_day(self) -> int | None:
        """Day of the close, if the deal closed."""
        return self.deal.closed_day

    @property
    def winner(self) -> str | None:
        """The buyer, if the deal closed."""
        return self.deal.bidder if self.deal.closed_day is not None else None

    @property
    def price(self) -> float | None:
        """The price, US$ bn, if the deal closed."""
        return self.deal.price if self.deal.closed_day is not None else None

    def _make_record(self, end: int) -> dict[str, Any]:
        deal = self.deal
        closed = deal.closed_day is not None
        return {
            "run_id": self.run_id,
            "seed": self.run_seed,
            "outcome": self.outcome.value,
            "end_date": self.date_of(end),
            "close_date": self.date_of(deal.closed_day) if closed else None,
            "days_past_deadline": max(0, deal.closed_day - self.first_deadline_day) if closed else None,
            "deadline_date": self.date_of(self.executive.last_deadline_day)
            if self.executive.last_deadline_day is not None
            else None,
            "extensions": self.executive.extensions,
            "deadline_decision": self.executive.decision,
            "ban_days": self.value.days_biting(end),
            "winner": deal.bidder if closed else None,
            "structure": deal.structure if closed else None,
            "price": deal.price if closed else None,
            "blessed": deal.blessed,
            "licence_required": deal.licence_ever,
            "host_review_days": deal.review_days.get("host"),
            "letter_review_days": deal.review_days.get("letter"),
            "licence_review_days": deal.review_days.get("licence"),
            "restructures": deal.restructures,
            "injunctions": sum(c.injunctions for c in self.courts.values()),
            "administration_changed": self.executive.new_administration,
            "final_stage": deal.stage.value,
            "error": None,
        }
