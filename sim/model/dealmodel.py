"""DealModel: one run of a cross-border sale (forced, negotiated or completed), as a Mesa model driven by events.

Time is in days from the scenario's start. Nothing ticks: every actor schedules what it will do
with Mesa's event list (``schedule_event``), and ``run_until`` jumps from event to event, so a
run costs in proportion to what happens in it, not to the number of days. After each event the
moments it announced are delivered (:mod:`sim.model.moments`). The run ends at the horizon or as
soon as its outcome cannot change (a close, a final block, the seller's exit).

``DealModel`` is a shell: it builds the actors from the scenario through the registries of kinds
(:mod:`sim.model.kinds`), runs and steps, and delivers moments. What a run leaves behind (its
record, the DataCollector's daily rows) is :mod:`sim.model.run_record`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mesa
import numpy as np
from mesa.time import Priority

from sim.model import mesa_compat
from sim.model.agents.agency import Agency, StageState
from sim.model.agents.base import Actor
from sim.model.agents.bidder import Bidder
from sim.model.agents.courts import Court
from sim.model.agents.executive import Executive
from sim.model.agents.home import HomeGovernment
from sim.model.agents.pool import BidderPool
from sim.model.agents.reviewers import Reviewer
from sim.model.agents.seller import Seller
from sim.model.deal import Deal, DealStage
from sim.model.events import register_event  # noqa: F401 - registers the dated event kinds
from sim.model.instruments import DeadlineState, InstrumentState
from sim.model.kinds import event_kind, instrument_kind, reviewer_kind
from sim.model.market import Market
from sim.model.mesa_compat import stop_daily_tick
from sim.model.moments import (
    BidderArrived,
    DealClosed,
    Delivery,
    InstrumentEnded,
    InstrumentIssued,
    Reacting,
    SaleEnded,
    SellerLeft,
    on,
)
from sim.model.randomness import actor_stream
from sim.model.run_record import DAY_REPORTERS, RUN_COLUMNS, held_by, make_record
from sim.model.timeline import RunTimeline
from sim.model.view import Clock, Ports, RunView
from sim.outcomes import MEANING, Outcome, RunFacts, classify
from sim.scenario.schema import Ban, BidderSpec, BidderTerms, Law, Scenario

MODEL_VERSION = 4  # 4: each run records the reviewers it still waited on (held_by)
"""The model's version: results and saved runs record it, and a saved run is not resumed across versions.

1: reactions ran inside their causes; 2: moments delivered in order (sim.model.moments); 3: the
forced sale after the pick (#20); 4: a run's row names the reviewers it still waited on at its end.
"""

__all__ = ["DAY_REPORTERS", "MODEL_VERSION", "RUN_COLUMNS", "DealModel", "as_seed", "with_parameters"]


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


class DealModel(mesa.Model, Reacting):
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

    running: bool
    day: int
    clock: Clock
    view: RunView
    deal: Deal
    market: Market
    timeline: RunTimeline
    delivery: Delivery
    executive: Executive | None
    home: HomeGovernment | None
    seller: Seller

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
        self.horizon_day = scenario.days
        self.first_deadline_day = scenario.day(scenario.first_deadline)
        self.checkpoints = tuple(sorted(set(checkpoints)))
        if self.checkpoints and not 0 <= self.checkpoints[0] <= self.checkpoints[-1] <= self.horizon_day:
            raise ValueError(f"checkpoints must be days 0 to {self.horizon_day}, got {self.checkpoints}")
        self.snapshots: dict[int, str] = {}
        self.waiting_on: dict[int, tuple[str, ...]] = {}  # at each checkpoint: the reviewers the deal waits on
        self.outcome: Outcome | None = None
        self.record: dict[str, Any] | None = None
        self.revoked = False
        self._ending = False
        self._keep_alive: list[Callable] = []  # what mesa_compat.schedule's fallback must keep alive
        self.events_scheduled = 0  # what a run costs grows with this, not with the horizon
        self._datacollector: mesa.DataCollector | None = None

        # The ports every actor sees the run through.
        self.timeline = RunTimeline(lambda: self.day, narrate, self.horizon_day, DealStage.BIDDING.value)
        self.delivery = Delivery()
        self.clock = Clock(self)
        self.deal = Deal()  # the seller's: every other actor reads it through view.deal
        self.view = RunView(self)
        self.ports = Ports(self.clock, self.view, self.timeline, self.delivery.announce, self.run_seed)
        self._build(scenario)
        for day in self.checkpoints:  # first thing the next morning, i.e. the end of `day`
            if day < self.horizon_day:
                self.schedule(day + 1, self._snapshot, day, priority=Priority.HIGH)
        self._schedule_dated()
        self.schedule(self.horizon_day + 1, self.settle, priority=Priority.HIGH)

    # --- building -----------------------------------------------------------------------------

    def _build(self, scenario: Scenario) -> None:
        """The actors, in an order that also fixes who hears a moment first."""
        self.executive = Executive(self, scenario.executive) if scenario.executive else None
        self.reviewers: dict[str, Reviewer] = {
            rid: reviewer_kind(spec.kind).agent(self, rid, spec) for rid, spec in scenario.reviewers.items()
        }
        self.instruments: dict[str, InstrumentState] = {
            iid: instrument_kind(spec.kind).state(
                iid, spec, self.clock, self.view, self.delivery.announce, self.actor, self.run_seed
            )
            for iid, spec in scenario.instruments.items()
        }
        self.agencies: dict[str, Agency] = {}  # who implements the stages, each with its instruments
        for spec in scenario.instruments.values():
            if isinstance(spec, Ban | Law) and spec.agency not in self.agencies:
                mine = {i: s for i, s in scenario.instruments.items() if s.__dict__.get("agency") == spec.agency}
                self.agencies[spec.agency] = Agency(self, spec.agency, spec.agency_label, mine)
        self._stage_agency = {sid: a for a in self.agencies.values() for sid in a.stages}
        self.courts = {cid: Court(self, cid, spec) for cid, spec in scenario.courts.items()}
        self.home = HomeGovernment(scenario.home, self.timeline, self.delivery.announce) if scenario.home else None
        self.seller = Seller(self, scenario.seller, self.deal)
        forced = scenario.deal.kind == "forced_divestiture"
        self.bidders: dict[str, Bidder] = {
            bid: Bidder(self, bid, spec, enters=forced) for bid, spec in scenario.bidders.items()
        }
        self.pool = BidderPool(self, scenario.bidder_pool) if scenario.bidder_pool and forced else None
        self.market = Market(self)
        subscribers: list[Reacting] = [
            *([self.executive] if self.executive else []),
            *self.reviewers.values(),
            *self.instruments.values(),
            *self.agencies.values(),
            *self.courts.values(),
            self.seller,
            *self.bidders.values(),
            self.market,  # after the agencies: a close or an exit lifts their stages before the market looks
            self,
        ]
        self.delivery.subscribe(*subscribers)

    def actor(self, actor_id: str) -> Actor:
        """An actor by its id (``executive``, a reviewer's...), e.g. an instrument's ``decided_by``."""
        if actor_id == "executive":
            if self.executive is None:
                raise KeyError("the scenario has no executive")  # checked at validation
            return self.executive
        return self.reviewers[actor_id]

    def _schedule_dated(self) -> None:
        """The instruments on their dates, then the dated events, in date order (instruments first on a day)."""
        scenario = self.deal_scenario
        dated: list[tuple[Any, int, str, Any, Callable[..., None], tuple]] = [
            (spec.date, 0, f"instrument:{iid}", spec, self.instruments[iid].issue, ())
            for iid, spec in scenario.instruments.items()
        ]
        dated += [(e.date, 1, f"event:{e.id or e.kind}", e, self._dated_event, (e,)) for e in scenario.events]
        for _, _, key, item, handler, args in sorted(dated, key=lambda d: (d[0], d[1])):
            day = self.event_day(item, key)
            if day is not None:
                self.schedule(day, handler, *args, priority=Priority.HIGH)

    def _dated_event(self, event: Any) -> None:
        event_kind(event.kind).handle(self, event)

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

    # --- running ------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        """Play the run to its end and return its record."""
        self.run_until(self.horizon_day + 1)
        assert self.record is not None, "the horizon's event settles the run"
        return self.record

    def _play_a_day(self) -> None:
        """One day: the events of day ``steps`` (the first step plays day 0), then the day's record.

        The horizon's step also settles the run, so a run stepped to its end takes one step a day.
        """
        if not self.running:
            return
        self.run_until(self.steps + (1.5 if self.steps == self.horizon_day else 0.5))
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
        mesa_compat.schedule(self, day if day > self.day else self.day, action, args, priority)
        self.events_scheduled += 1

    def after_event(self) -> None:
        """After each event: deliver what it announced, then end the run if a reaction said it is over."""
        self.delivery.deliver()
        if self._ending:
            self.settle()

    # --- the model's own reactions: the run's end, the pool's buyers -----------------------------

    @on(SaleEnded, DealClosed, SellerLeft)
    def over(self, moment: Any) -> None:
        """The sale closed, ended or the seller left: the outcome can no longer change."""
        self._ending = True

    @on(InstrumentEnded)
    def instrument_ended(self, moment: InstrumentEnded) -> None:
        """An instrument ended: once every instrument forcing the sale is gone (revoked or set aside), so is the sale.

        The instruments that force the sale are those whose kind does (an order, a statute); a
        case with bans only is forced by its bans. Revoking a ban leaves an order standing.
        """
        forcing = [i for i in self.instruments.values() if instrument_kind(i.spec.kind).forces_sale]
        if not forcing:
            forcing = list(self.instruments.values())
        if self.deal.closed_day is None and not any(i.in_force for i in forcing):
            self.revoked = True
            if not any(i.in_force for i in self.instruments.values()):
                self._ending = True  # nothing forces a sale or bans anything any more

    @on(InstrumentIssued)
    def instrument_issued(self, moment: InstrumentIssued) -> None:
        """An order or a law took force: the courts that hear it may be petitioned.

        A deadline that runs from the instrument's own (drawn) date sets this run's first deadline.
        """
        for court in self.courts.values():
            court.consider_petition(moment.instrument)
        if getattr(self.deal_scenario.instruments[moment.instrument], "deadline_days", None) is not None:
            self.first_deadline_day = min(i.first_deadline_day for i in self.deadline_instruments())

    @on(BidderArrived)
    def bidder_arrived(self, moment: BidderArrived) -> None:
        """A pool brought a buyer: it becomes a bidder of the run and enters at once."""
        terms = {name: getattr(self.deal_scenario.bidder_pool, name) for name in BidderTerms.model_fields}
        bidder = Bidder(self, moment.bidder, BidderSpec(label=moment.label, **terms), enters=False)
        self.bidders[moment.bidder] = bidder
        self.delivery.subscribe(bidder)
        bidder.enter()

    # --- what other parts of the run read -------------------------------------------------------

    def deadline_instruments(self) -> list[DeadlineState]:
        """The divestiture orders and laws, in the scenario's order."""
        return [i for i in self.instruments.values() if isinstance(i, DeadlineState)]

    def stage_state(self, stage_id: str) -> StageState:
        """A ban stage's state, whichever agency implements it."""
        return self._stage_agency[stage_id].stages[stage_id]

    def stage_effective_day(self, stage_id: str) -> int | None:
        """The day a stage is due to take effect as things stand."""
        return self._stage_agency[stage_id].effective_day(stage_id)

    @property
    def events(self) -> list[tuple[int, str, str, str]]:
        """The event log: rows of (day, actor, event, detail)."""
        return self.timeline.events

    @property
    def spans(self) -> list[list]:
        """The deal's timeline: rows of [span, actor, start day, end day, process]."""
        return self.timeline.spans

    @property
    def stage_history(self) -> list[tuple[int, str]]:
        """The deal's stages: rows of (day, stage) from day 0."""
        return self.timeline.stages

    def date_of(self, day: int) -> str:
        """The ISO date of a day number."""
        return self.clock.date_of(day)

    # --- the end ------------------------------------------------------------------------------

    def outcome_now(self) -> Outcome:
        """The outcome if the run stopped today."""
        blocked = {
            DealStage.BLOCKED_HOST: "host",
            DealStage.BLOCKED_HOME: "home",
            DealStage.TERMINATED: "agreement",
        }.get(self.deal.stage)
        return classify(
            RunFacts(
                closed_day=self.deal.closed_day,
                mitigated=self.deal.structure is not None
                and self.deal.closed_day is not None
                and self.deal_scenario.structures[self.deal.structure].seller_keeps,
                first_deadline_day=self.first_deadline_day,
                blocked_by=blocked,
                ban_bites=self.market.ban_bites,
                withdrawn=self.seller.withdrawn,
                revoked=self.revoked,
                deal_in_progress=self.deal.stage.in_progress,
            )
        )

    def _snapshot(self, day: int) -> None:
        self.snapshots[day] = self.outcome_now().value
        self.waiting_on[day] = tuple(held_by(self))

    def settle(self) -> None:
        """End the run: read the outcome, record it, drop what is still scheduled, close the timeline."""
        if not self.running:
            return
        self.running = False
        self.delivery.close()
        end = min(self.day, self.horizon_day)
        self.end_day = end
        self.outcome = self.outcome_now()
        held = tuple(held_by(self))
        for day in self.checkpoints:  # checkpoints not reached: the outcome no longer changes
            self.snapshots.setdefault(day, self.outcome.value)
            self.waiting_on.setdefault(day, held)
        # dated on the last day simulated, not the day after the horizon
        self.timeline.end(end, (self.outcome.value, MEANING[self.outcome]))
        mesa_compat.drop_scheduled(self)  # what was still scheduled never happens
        self._keep_alive.clear()
        self.record = make_record(self, end)

    @property
    def datacollector(self) -> mesa.DataCollector:
        """Mesa's view of the run: every day stepped, or once at the end of a run played at once.

        Model reporters: ``run_record.DAY_REPORTERS``; with ``collect_agents``, each actor's kind
        and state too. Made when first asked for (ensembles read ``record`` and never ask).
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
