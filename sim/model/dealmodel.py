"""DealModel: one run of a cross-border sale (forced, negotiated or completed), as a Mesa model driven by events.

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
from sim.model.agents.agency import Agency
from sim.model.agents.base import Actor
from sim.model.agents.bidder import Bidder
from sim.model.agents.courts import Court, merits_stream
from sim.model.agents.executive import Executive
from sim.model.agents.home import HomeGovernment
from sim.model.agents.pool import BidderPool
from sim.model.agents.reviewers import REVIEWER_CLASSES, Reviewer
from sim.model.agents.seller import Seller
from sim.model.deal import Deal, DealStage
from sim.model.instruments import DeadlineState, InstrumentState, instrument_state
from sim.model.market import Threat, ValueClock
from sim.model.mesa_compat import stop_daily_tick
from sim.model.randomness import WorkCalendar, actor_stream
from sim.narrative import EventName, SpanName
from sim.outcomes import MEANING, Outcome, classify
from sim.scenario.schema import Ban, BidderTerms, Law, Scenario

DAY_REPORTERS = {
    "day": "day",
    "date": "date",
    "stage": "stage",
    "open_reviews": "open_reviews",
    "bans_biting": "bans_biting",
    "value": "value_left",
    "days_to_deadline": "days_to_deadline",
    "outcome": "outcome_so_far",
    "close_day": "close_day",
    "winner": "winner",
    "price": "price",
}
"""What the DataCollector records of the run each day stepped (and once at the end of a run played at
once): column name -> the model's attribute."""

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
    "home_review_days",
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


_VARIANTS: dict[tuple, tuple[Scenario, Scenario]] = {}  # (id of the scenario, its parameters) -> (it, the variant)


def with_parameters(scenario: Scenario, params: dict[str, Any]) -> Scenario:
    """The scenario with declared parameters set by their short keys (``Parameter.key``).

    Raises:
        TypeError: a key the scenario does not declare among its levers and uncertainties.
    """
    if not params:
        return scenario
    declared = scenario.declared_parameters
    unknown = sorted(set(params) - set(declared))
    if unknown:
        allowed = ", ".join(declared) or "none: the scenario declares no levers or uncertainties"
        raise TypeError(f"DealModel got unexpected keyword argument(s) {', '.join(unknown)} (allowed: {allowed})")
    key = (id(scenario), tuple(sorted((k, repr(v)) for k, v in params.items())))
    if key not in _VARIANTS:
        from sim.scenario.load import variant

        if len(_VARIANTS) > 256:
            _VARIANTS.clear()
        overrides = {declared[k].path: v for k, v in params.items()}
        _VARIANTS[key] = (
            scenario,
            variant(scenario, overrides, label=", ".join(f"{k}={v}" for k, v in params.items())),
        )
    return _VARIANTS[key][1]


class DealModel(mesa.Model):
    """One run of a scenario.

    A plain Mesa model: ``DealModel(scenario, rng=seed).run()`` plays the run out and returns its
    record. As Mesa's tools expect, ``step()`` plays one day (``model.steps`` counts the days
    played, so ``batch_run``'s ``max_steps`` means days) and a DataCollector records the deal
    every day stepped; and the scenario's declared levers and uncertainties are keyword
    arguments, by their short keys, so that ``mesa.batch_run(DealModel, parameters={"scenario":
    [s], "tension": [0.3, 0.9]})`` sweeps one and SolaraViz can make sliders of them.

    Args:
        scenario: a validated scenario (see :func:`sim.load_scenario`), or the path of its file.
        rng: the run's seed (an int, as recorded in ``runs.csv``), or anything Mesa accepts.
        run_id: the run's index in its ensemble (for the event log).
        narrate: keep the event log (turn off for speed when only outcomes are needed).
        checkpoints: days (from the start, up to the horizon) at whose end the outcome is read
            as if the run stopped there (``snapshots``); backtests read several horizons at once.
        collect_agents: the DataCollector also records each actor's state every day stepped
            (the dashboard's single-run view; off for batch runs, whose rows are then one per run).
        **params: declared parameters by their short keys (``scenario.declared_parameters``).

    Attributes:
        deal_scenario: the scenario played (``scenario`` is Mesa's own attribute, left to Mesa).
        record: the run's record (``RUN_COLUMNS``) once it has ended, else None.
        events: the event log, rows of (day, actor, event, detail).
        spans: the deal's timeline, rows of [span, actor, start day, end day, process] (the reviewer
            or instrument whose procedure the stretch belongs to, or None).
        stage_history: the deal's stages, rows of (day, stage) from day 0.
        snapshots: ``{checkpoint day: outcome}``, the outcome as of the end of each checkpoint.
    """

    def __init__(
        self,
        scenario: Scenario | str,
        rng: Any = None,
        *,
        run_id: int = 0,
        narrate: bool = True,
        checkpoints: tuple[int, ...] = (),
        collect_agents: bool = False,
        **params: Any,
    ):
        if not isinstance(scenario, Scenario):
            from sim.scenario.load import load_scenario

            scenario = load_scenario(scenario)
        scenario = with_parameters(scenario, params)
        self.run_seed = as_seed(rng)
        super().__init__(rng=self.run_seed)
        stop_daily_tick(self)
        self.step = self._play_a_day  # Mesa's step would advance time without counting the days
        self.collect_agents = collect_agents
        self.deal_scenario = scenario  # Mesa's own Model.scenario is left as Mesa sets it
        self.day = 0  # the day of the event being played (set by mesa_compat.Call; Mesa's time as an int)
        self.run_id = run_id
        self.narrate = narrate
        self.horizon_day = scenario.days
        self.first_deadline_day = scenario.day(scenario.first_deadline)
        self.weekdays = WorkCalendar(scenario.start)

        self.events: list[tuple[int, str, str, str]] = []
        self.spans: list[list] = []
        self._open_spans: dict[tuple[SpanName, str | None], list] = {}
        self._keep_alive: list[Callable] = []  # what mesa_compat.schedule's fallback must keep alive
        self._scheduled: list[Event] = []
        self.events_scheduled = 0  # what a run costs grows with this, not with the horizon

        self.deal = Deal()
        self.stage_history: list[tuple[int, str]] = [(0, DealStage.BIDDING.value)]
        self.value = ValueClock(scenario.market)
        self._merits: dict[str, float] = {}
        self.ban_bites = False
        self.revoked = False
        self.outcome: Outcome | None = None
        self.record: dict[str, Any] | None = None
        self.checkpoints = tuple(sorted(set(checkpoints)))
        self.snapshots: dict[int, str] = {}
        if self.checkpoints and not 0 <= self.checkpoints[0] <= self.checkpoints[-1] <= self.horizon_day:
            raise ValueError(f"checkpoints must be days 0 to {self.horizon_day}, got {self.checkpoints}")

        # The actors, in an order that also fixes the order of what they schedule at the start.
        self.executive = Executive(self, scenario.executive) if scenario.executive else None
        self.reviewers: dict[str, Reviewer] = {
            rid: REVIEWER_CLASSES[spec.kind](self, rid, spec) for rid, spec in scenario.reviewers.items()
        }
        self.instruments: dict[str, InstrumentState] = {
            iid: instrument_state(self, iid, spec) for iid, spec in scenario.instruments.items()
        }
        self.agencies: dict[str, Agency] = {}  # who implements the stages, each with its instruments
        for spec in scenario.instruments.values():
            if isinstance(spec, Ban | Law) and spec.agency not in self.agencies:
                mine = {i: s for i, s in scenario.instruments.items() if getattr(s, "agency", None) == spec.agency}
                self.agencies[spec.agency] = Agency(self, spec.agency, spec.agency_label, mine)
        self.courts = {cid: Court(self, cid, spec) for cid, spec in scenario.courts.items()}
        self.home = HomeGovernment(self, scenario.home) if scenario.home else None
        self.seller = Seller(self, scenario.seller)
        forced = scenario.deal.kind == "forced_divestiture"
        self.bidders = {bid: Bidder(self, bid, spec, enters=forced) for bid, spec in scenario.bidders.items()}
        self.pool = BidderPool(self, scenario.bidder_pool) if scenario.bidder_pool and forced else None
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

    def _play_a_day(self) -> None:
        """One day: the events of day ``steps`` (the first step plays day 0), then the day's record.

        The horizon's step also settles the run, so a run stepped to its end takes one step a day.
        """
        if not self.running:
            return
        self._advance_time(self.steps + (1.5 if self.steps == self.horizon_day else 0.5))
        self.steps += 1
        self.time = float(self.steps)  # whole days played, as Mesa's step counter and time say
        if self.running:
            self.day = self.steps - 1  # the day just played, also when no event fell on it
        self.datacollector.collect(self)

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
        """The instruments on their dates, then the dated events, in date order (instruments first on a day)."""
        handlers = {
            "election": lambda e: self.executive.hold_election(e),
            "revocation": lambda e: self.executive.revocation_event(e),
            "catalogue_update": self._catalogue_update,
            "jurisdiction_change": self._jurisdiction_change,
            "tension_change": lambda e: self.home.change_tension(e),
            "announced_deal": self.seller.announced_deal,
        }
        scenario = self.deal_scenario
        dated = [
            (spec.date, 0, f"instrument:{iid}", spec, self.instruments[iid].issue, ())
            for iid, spec in scenario.instruments.items()
        ]
        dated += [(e.date, 1, f"event:{e.id or e.kind}", e, handlers[e.kind], (e,)) for e in scenario.events]
        for _, _, key, item, handler, args in sorted(dated, key=lambda d: (d[0], d[1])):
            day = self.event_day(item, key)
            if day is not None:
                self.schedule(day, handler, *args, priority=Priority.HIGH)

    def _catalogue_update(self, event: Any) -> None:
        rid = event.reviewer or next(iter(self.deal_scenario.reviewers_of("export_licence")))
        self.reviewers[rid].update_catalogue(event)

    def _jurisdiction_change(self, event: Any) -> None:
        self.reviewers[event.reviewer].change_jurisdiction(event.applies_to, event.note)

    def event_day(self, item: Any, key: str) -> int | None:
        """The day a dated item (an instrument or an event) happens in this run, or None if it does not happen.

        A certain item on a fixed date draws nothing. An uncertain one draws twice from its own
        stream, keyed by the run seed and ``key`` (``event:<id>`` or ``instrument:<id>``): whether
        it happens (``p``) and on which day of its window (``date`` to ``date_to``).
        """
        first = self.deal_scenario.day(item.date)
        if item.certain:
            return first
        stream = actor_stream(self.run_seed, key)
        happens, where = stream.random() < item.p, stream.random()
        if not happens:
            return None
        if item.date_to is None:
            return first
        return first + int(where * (self.deal_scenario.day(item.date_to) - first + 1))

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

    # --- who is who ---------------------------------------------------------------------------

    def actor(self, actor_id: str) -> Actor:
        """An actor by its id (``executive``, a reviewer's...), e.g. an instrument's ``decided_by``."""
        return self.executive if actor_id == "executive" else self.reviewers[actor_id]

    def buyer_spec(self, bidder_id: str) -> BidderTerms:
        """A buyer's terms: a named bidder's, or one the pool brought."""
        return self.bidders[bidder_id].spec

    def each_reviewer(self, moment: str, *args: Any) -> None:
        """Tell every reviewer, in the scenario's order, of a moment of the deal (``deal_signed``...)."""
        for reviewer in self.reviewers.values():
            getattr(reviewer, moment)(*args)

    def host_action(self, action: str) -> None:
        """A host action (a blessing, an injunction, a ban biting, enforcement, the election): holds may end."""
        self.each_reviewer("host_action", action)

    def consider_blessing(self) -> None:
        """The executive, if any, may bless the deal agreed in principle."""
        if self.executive is not None:
            self.executive.consider_blessing()

    def under_review(self) -> bool:
        """Whether the deal is before some reviewer (notified, filed or applied for)."""
        return any(r.filed for r in self.reviewers.values())

    def approvals_complete(self) -> bool:
        """Signed, and every reviewer the terms need has approved them."""
        return self.deal.stage is DealStage.SIGNED and all(r.satisfied for r in self.reviewers.values())

    def blocked_stage(self, side: str) -> DealStage:
        """Where a final block by a reviewer of ``side`` leaves the deal."""
        return DealStage.BLOCKED_HOST if side == "host" else DealStage.BLOCKED_HOME

    def deadline_instruments(self) -> list[DeadlineState]:
        """The divestiture orders and laws, in the scenario's order."""
        return [i for i in self.instruments.values() if isinstance(i, DeadlineState)]

    @property
    def new_administration(self) -> bool:
        """A new administration has taken office."""
        return self.executive is not None and self.executive.new_administration

    @property
    def lame_duck(self) -> bool:
        """Between an election that changed the administration and the inauguration."""
        return self.executive is not None and self.executive.lame_duck

    @property
    def administration_changing(self) -> bool:
        """An election has changed the administration (the lame-duck weeks included)."""
        return self.executive is not None and self.executive.administration_changing

    # --- the narrative ------------------------------------------------------------------------

    def log(self, actor: str, event: EventName, detail: str = "") -> None:
        """One row of the event log."""
        if self.narrate:
            self.events.append((self.today, actor, event.value, detail))

    def open_span(self, name: SpanName, actor: str, process: str | None = None) -> None:
        """A stretch of the deal's timeline starts today (if it is not already open).

        ``process`` is the reviewer or instrument whose procedure it belongs to, if any.
        """
        key = (name, process)
        if key not in self._open_spans:
            span = [name.value, actor, self.today, None, process]
            self._open_spans[key] = span
            self.spans.append(span)

    def close_span(self, name: SpanName, process: str | None = None) -> None:
        """A stretch of the timeline ends today."""
        span = self._open_spans.pop((name, process), None)
        if span is not None:
            span[3] = self.today

    def add_span(self, name: SpanName, actor: str, start: int, end: int, process: str | None = None) -> None:
        """A stretch of the timeline already over (or whose end is known), e.g. a court case."""
        self.spans.append([name.value, actor, start, min(end, self.horizon_day), process])

    def span_open(self, name: SpanName, process: str | None = None) -> bool:
        """Whether a stretch of the timeline is open."""
        return (name, process) in self._open_spans

    def close_deal_spans(self) -> None:
        """Close every open stretch of the deal's timeline (not the ban's)."""
        for name, process in list(self._open_spans):
            if name is not SpanName.BAN:
                self.close_span(name, process)

    # --- the ban and the business's value ----------------------------------------------------

    def value_factor(self) -> float:
        """Share of the business's base value left today."""
        return self.value.factor(self.today)

    def refresh_ban(self) -> None:
        """Recompute whether a ban stage bites, and what that does to the business's value."""
        biting = [(agency, sid) for agency in self.agencies.values() for sid in agency.biting()]
        bites = bool(biting)
        if bites:
            severity = sum(agency.stages[sid].spec.severity for agency, sid in biting)
            self.value.set(self.today, Threat.BITING, severity)
        elif self._ban_looms() and self.deal.closed_day is None and not self.seller.withdrawn:
            self.value.set(self.today, Threat.LOOMING)
        else:
            self.value.set(self.today, Threat.NONE)
        if bites and not self.ban_bites:
            self.ban_bites = True
            agency = biting[0][0]
            self.host_action("ban_bites")
            self.market_moves("the ban began to bite")
            self.open_span(SpanName.BAN, agency.actor_id)
            agency.log(
                EventName.BAN_BITES,
                f"The ban bites ({', '.join(sid for _, sid in biting)}): the business loses users and value",
            )
            self.seller.ban_started()
        elif not bites and self.ban_bites:
            self.ban_bites = False
            span = self._open_spans.get((SpanName.BAN, None))
            self.close_span(SpanName.BAN)
            self.log(span[1] if span else "model", EventName.BAN_LIFTED, "No ban stage bites any more")

    def _ban_looms(self) -> bool:
        return any(i.in_force and i.has_stages for i in self.instruments.values())

    def lift_all_stages(self) -> None:
        """Every ban ends for good (a close, or the seller's exit)."""
        for agency in self.agencies.values():
            agency.lift()

    def market_moves(self, reason: str) -> None:
        """Something changed the seller's position.

        A held-out seller reconsiders, and while no deal is in progress a bidder that dropped out
        may come back.
        """
        if self.deal.stage is DealStage.BIDDING:
            for bidder in list(self.bidders.values()):
                bidder.consider_return()
        self.seller.reconsider(reason)

    def merits(self, instrument: str) -> float:
        """The run's merits draw for the legal question every challenge of ``instrument`` shares."""
        if instrument not in self._merits:
            self._merits[instrument] = merits_stream(self.run_seed, instrument).standard_normal()
        return self._merits[instrument]

    # --- instruments ending -------------------------------------------------------------------

    def revoke(self, instruments: tuple[str, ...], detail: str) -> None:
        """Revoke instruments, each on its own track: a ban lifts its stages; a divestiture order ends its deadline."""
        self.executive.log(EventName.REVOCATION, detail)
        for iid in instruments:
            inst = self.instruments[iid]
            if not inst.in_force:
                continue
            if isinstance(inst.spec, Ban):
                if self.deal.closed_day is None:
                    self.revoked = True
                inst.end()
                self.agencies[inst.spec.agency].lift(iid)
                self.refresh_ban()
        for iid in instruments:
            if isinstance(self.instruments[iid], DeadlineState) and self.instruments[iid].in_force:
                self._deadline_ended(iid)

    def set_aside(self, instrument: str, court: str, detail: str) -> None:
        """A court sets a divestiture order or a law aside (other instruments stand)."""
        self.log(court, EventName.ORDER_SET_ASIDE, detail)
        self._deadline_ended(instrument)

    def _deadline_ended(self, instrument: str) -> None:
        inst = self.instruments[instrument]
        inst.end()
        if inst.has_stages:
            self.refresh_ban()
        if not any(i.in_force for i in self.instruments.values()) and self.deal.closed_day is None:
            self.revoked = True
            self.settle()  # nothing forces a sale any more

    # --- the end ------------------------------------------------------------------------------

    def try_close(self) -> None:
        """Once signed and approved by every reviewer it needs, the deal closes after a few days.

        A completed deal closed before the run: its clearance is the close.
        """
        deal = self.deal
        if self.approvals_complete() and not deal.closing_scheduled:
            deal.closing_scheduled = True
            if self.deal_scenario.deal.kind == "completed":
                self.close(deal.version)
                return
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
        if self.deal_scenario.deal.kind == "completed":
            self.seller.log(EventName.CLOSED, f"keeps the completed {self.deal_name()}: every review cleared it")
        else:
            self.seller.log(EventName.CLOSED, f"closes the {self.deal_name()} at US${deal.price:.1f} bn")
        self.lift_all_stages()
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
        """Mesa's view of the run: every day stepped, or once at the end of a run played at once.

        Model reporters: the day and date, the deal's stage, reviews open, ban stages biting, the
        share of value left, days to the deadline in force, and the outcome (so far), close day,
        winner and price; with ``collect_agents``, each actor's kind and state too. Made when
        first asked for (ensembles read ``record`` and never ask).
        """
        if self._datacollector is None:
            agents = {"actor": "actor_id", "kind": lambda a: type(a).__name__, "state": "state"}
            self._datacollector = mesa.DataCollector(
                model_reporters=dict(DAY_REPORTERS),
                agent_reporters=agents if self.collect_agents else None,
            )
            if self.record is not None and self.steps == 0:
                self._datacollector.collect(self)
        return self._datacollector

    @property
    def date(self) -> str:
        """Today's date."""
        return self.date_of(self.day)

    @property
    def stage(self) -> str:
        """The deal's stage today."""
        return self.deal.stage.value

    @property
    def open_reviews(self) -> int:
        """Reviewers that have the deal before them and have not approved it."""
        return sum(r.filed and not r.approved and not r.shelved for r in self.reviewers.values())

    @property
    def bans_biting(self) -> int:
        """Ban stages that bite today."""
        return sum(len(a.biting()) for a in self.agencies.values())

    @property
    def value_left(self) -> float:
        """Share of the business's base value left today."""
        return round(self.value_factor(), 4)

    @property
    def days_to_deadline(self) -> int | None:
        """Days from today to the nearest deadline in force (an instrument's or the outside date)."""
        days = [i.deadline_day for i in self.deadline_instruments() if i.deadline_day is not None]
        if self.seller.outside_day is not None and not self.deal.stage.ended:
            days.append(self.seller.outside_day)
        ahead = [d - self.day for d in days if d >= self.day]
        return min(ahead) if ahead else None

    @property
    def outcome_so_far(self) -> str:
        """The outcome, or the outcome if the run stopped today."""
        return (self.outcome or self.outcome_now()).value

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
        deadlines = self.deadline_instruments()
        primary = min(deadlines, key=lambda i: i.spec.deadline) if deadlines else None
        last = primary.last_deadline_day if primary is not None else None
        days = deal.review_days
        licences = [r for r in self.reviewers.values() if r.spec.kind == "export_licence"]
        return {
            "run_id": self.run_id,
            "seed": self.run_seed,
            "outcome": self.outcome.value,
            "end_date": self.date_of(end),
            "close_date": self.date_of(deal.closed_day) if closed else None,
            "days_past_deadline": max(0, deal.closed_day - self.first_deadline_day) if closed else None,
            "deadline_date": self.date_of(last) if last is not None else None,
            "extensions": sum(i.extensions for i in deadlines),
            "deadline_decision": primary.decision if primary is not None else None,
            "ban_days": self.value.days_biting(end),
            "winner": deal.bidder if closed else None,
            "structure": deal.structure if closed else None,
            "price": deal.price if closed else None,
            "blessed": deal.blessed,
            "licence_required": any(r.ever_needed for r in self.reviewers.values() if r.side == "home"),
            "host_review_days": self._review_days("host"),
            "home_review_days": self._review_days("home"),
            "letter_review_days": days.get(f"{licences[0].actor_id}:letter") if licences else None,
            "licence_review_days": days.get(f"{licences[0].actor_id}:licence") if licences else None,
            "restructures": deal.restructures,
            "injunctions": sum(c.injunctions for c in self.courts.values()),
            "administration_changed": self.new_administration,
            "final_stage": deal.stage.value,
            "error": None,
        }

    def _review_days(self, side: str) -> int | None:
        """The longest review of one side that ended in an approval (days from its start)."""
        days = [
            self.deal.review_days[r]
            for r, rev in self.reviewers.items()
            if rev.side == side and r in self.deal.review_days
        ]
        return max(days) if days else None
