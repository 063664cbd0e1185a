"""The agency that implements bans (the Commerce Department in 2020): stages, postponements, injunctions.

One agency actor implements the stages of every instrument that names it (``agency``): a ban's
stages on their own dates, a law's prohibitions from its deadline when it is enforced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mesa.time import Priority

from sim.model.agents.base import Actor
from sim.model.deal import DealStage
from sim.model.moments import (
    BanEnded,
    BanIssued,
    BanStarted,
    DealClosed,
    Enforced,
    Enjoined,
    InjunctionLifted,
    InstrumentEnded,
    NotEnforced,
    SellerLeft,
    StageAnnounced,
    StagesChanged,
    on,
)
from sim.narrative import EventName, SpanName


@dataclass(slots=True)
class StageState:
    """Where one stage stands in a run.

    A stage bites when it is due (its date came, or the instrument it belongs to was enforced at
    its deadline), its instrument is in force, no injunction stands against it, and it is neither
    suspended nor lifted.
    """

    instrument: str
    spec: Any  # BanStage (with its dates) or LawStage
    dated: bool  # a ban's stage on its own date (else a law's, at the deadline)
    announced: bool = False
    due: bool = False
    suspended: bool = False
    lifted: bool = False
    effective_day: int | None = None
    postponements: int = 0
    enjoined_by: set[str] = field(default_factory=set)

    @property
    def severity(self) -> float:
        """Extra value lost per 30 days while the stage bites."""
        return float(self.spec.severity)

    @property
    def bites(self) -> bool:
        """Whether the stage stops the business now."""
        return self.due and not self.enjoined_by and not self.suspended and not self.lifted


class Agency(Actor):
    """Implements the stages of the instruments that name it.

    It announces each dated stage, puts it into effect on its date, postpones it while a deal
    progresses (with the ban's ``postpone`` probabilities), and applies injunctions.
    """

    def __init__(self, model, agency_id: str, label: str, instruments: dict):
        super().__init__(model, agency_id, label)
        self.instruments = instruments  # id -> spec, of the instruments this agency implements
        self.stages: dict[str, StageState] = {}
        for iid, spec in instruments.items():
            dated = spec.kind == "ban"
            for sid, st in spec.stages.items():
                self.stages[sid] = StageState(iid, st, dated, announced=not dated)
                if dated and st.announced is not None:
                    self.clock.schedule(self.clock.day_of(st.announced), self.announce_stage, sid)

    @property
    def state(self) -> str:
        """The stages that bite today."""
        return ", ".join(self.biting()) or "no stage bites"

    def biting(self) -> list[str]:
        """Ids of the stages that bite now (their instruments in force)."""
        return [sid for sid, st in self.stages.items() if st.bites and self.view.in_force(st.instrument)]

    def announce_stage(self, sid: str) -> None:
        """Announce a stage (if its ban is in force); courts may be asked to stop it."""
        stage = self.stages[sid]
        if not self.view.in_force(stage.instrument):
            return
        stage.announced = True
        when = stage.spec.effective
        stage.effective_day = self.clock.day_of(when) if when else self.days_from_now(stage.spec.effective_days)
        self.clock.schedule(stage.effective_day, self.take_effect, sid, priority=Priority.LOW)
        self.log(
            EventName.STAGE_ANNOUNCED,
            f"announces {sid} ({stage.spec.label}), from {self.clock.date_of(stage.effective_day)}",
        )
        self.announce(StageAnnounced(sid, stage.instrument))

    @on(BanIssued)
    def ban_issued(self, moment: BanIssued) -> None:
        """A ban this agency implements took force: its stages without a known date are announced after a delay."""
        for sid, stage in self.stages.items():
            if stage.instrument == moment.instrument and stage.dated and stage.spec.announced_days is not None:
                self.after(stage.spec.announced_days, self.announce_stage, sid)

    def effective_day(self, sid: str) -> int | None:
        """The day a stage is due to take effect as things stand (None if it has no date yet)."""
        stage = self.stages[sid]
        if not stage.dated:
            return self.view.deadline_day(stage.instrument)
        return stage.effective_day

    def take_effect(self, sid: str) -> None:
        """A dated stage reaches its effective day: postpone it, or let it take effect."""
        stage = self.stages[sid]
        if stage.lifted or stage.suspended or stage.due or stage.effective_day != self.today:
            return
        if self.should_postpone(stage):
            stage.postponements += 1
            rule = self.instruments[stage.instrument].postpone
            stage.effective_day = self.days_from_now(rule.days)
            self.clock.schedule(stage.effective_day, self.take_effect, sid, priority=Priority.LOW)
            self.log(
                EventName.STAGE_POSTPONED,
                f"postpones {sid} to {self.clock.date_of(stage.effective_day)} "
                f"while the {self.view.deal_name()} progresses",
            )
            return
        self.make_due(sid)

    def should_postpone(self, stage: StageState) -> bool:
        """Postpone with one probability while a deal progresses, another otherwise."""
        rule = self.instruments[stage.instrument].postpone
        if rule is None or stage.postponements >= rule.max or stage.enjoined_by:
            return False  # no rule, postponed enough, or a court already stops the stage
        if rule.stages is not None and not any(self.stages.get(s) is stage for s in rule.stages):
            return False
        deal = self.view.deal
        if rule.progress == "talks":
            progressing = deal.stage.in_progress or deal.blessed
        elif rule.progress == "agreement":  # agreed in principle, signed, or restructured after either
            progressing = (deal.stage.in_progress and deal.stage is not DealStage.EXCLUSIVE_TALKS) or deal.blessed
        else:
            progressing = deal.blessed
        return self.chance(rule.p_if_deal_progressing if progressing else rule.p_otherwise)

    def make_due(self, sid: str) -> None:
        """The stage is in effect from today (it bites unless enjoined)."""
        stage = self.stages[sid]
        stage.due = True
        courts = " and ".join(self.view.scenario.courts[c].label for c in sorted(stage.enjoined_by))
        self.log(
            EventName.STAGE_DUE,
            f"puts {sid} into effect" + (f", but {courts} enjoined it" if courts else ""),
        )
        self.announce(StagesChanged())

    @on(Enforced)
    def deadline_enforced(self, moment: Enforced) -> None:
        """The instrument is enforced at its deadline: its prohibitions are due."""
        for sid, stage in self.stages.items():
            if stage.instrument == moment.instrument and not stage.dated and not stage.due:
                stage.suspended = False
                self.make_due(sid)

    @on(NotEnforced)
    def deadline_not_enforced(self, moment: NotEnforced) -> None:
        """The instrument is left unenforced: its prohibitions are suspended."""
        for sid, stage in self.stages.items():
            if stage.instrument == moment.instrument and not stage.dated and not stage.suspended:
                stage.suspended = True
                self.log(EventName.STAGE_SUSPENDED, f"suspends {sid} while the law goes unenforced")
        self.announce(StagesChanged())

    @on(Enjoined)
    def enjoined(self, moment: Enjoined) -> None:
        """A court enjoins a stage."""
        if moment.stage in self.stages:
            self.stages[moment.stage].enjoined_by.add(moment.court)
            self.announce(StagesChanged())

    @on(InjunctionLifted)
    def injunction_lifted(self, moment: InjunctionLifted) -> None:
        """An appeal lifts one court's injunction of a stage."""
        if moment.stage in self.stages:
            self.stages[moment.stage].enjoined_by.discard(moment.court)
            self.announce(StagesChanged())

    @on(InstrumentEnded)
    def instrument_ended(self, moment: InstrumentEnded) -> None:
        """An instrument of this agency's was revoked or struck down: its stages end for good."""
        self.lift(moment.instrument)

    @on(DealClosed, SellerLeft)
    def deal_over(self, moment: object) -> None:
        """A close or the seller's exit: nothing is left to ban."""
        self.lift()

    def lift(self, instrument: str | None = None) -> None:
        """The stages of one instrument end for good, or all of them."""
        for stage in self.stages.values():
            if instrument is None or stage.instrument == instrument:
                stage.lifted = True

    # --- the ban in the timeline ----------------------------------------------------------------

    @on(BanStarted)
    def ban_started(self, moment: BanStarted) -> None:
        """A stage of this agency's began to bite: say so, and the ban's stretch starts."""
        if moment.agency != self.actor_id:
            return
        self.timeline.open(SpanName.BAN)
        effect = self.view.scenario.labels.ban_effect
        self.log(EventName.BAN_BITES, f"The ban bites ({', '.join(moment.stages)}): {effect}")

    @on(BanEnded)
    def ban_ended(self, moment: BanEnded) -> None:
        """No stage bites any more: the ban's stretch ends, in the name of the agency that began it."""
        if self.timeline.run.responsible(SpanName.BAN) == self.actor_id:
            self.timeline.close(SpanName.BAN)
            self.log(EventName.BAN_LIFTED, "No ban stage bites any more")
