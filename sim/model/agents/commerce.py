"""The host commerce department: implements the ban order in stages, and may postpone them."""

from __future__ import annotations

from dataclasses import dataclass, field

from mesa.time import Priority

from sim.model.agents.base import Actor
from sim.narrative import EventName
from sim.scenario.schema import BanStage


@dataclass(slots=True)
class StageState:
    """Where one ban stage stands in a run.

    A stage bites when it is due (its date came, or the executive enforced the deadline it is
    tied to), no injunction stands against it, and it is neither suspended nor lifted.
    """

    spec: BanStage
    announced: bool = False
    due: bool = False
    suspended: bool = False
    lifted: bool = False
    effective_day: int | None = None
    postponements: int = 0
    enjoined_by: set[str] = field(default_factory=set)

    @property
    def bites(self) -> bool:
        """Whether the stage stops the business now."""
        return self.due and not self.enjoined_by and not self.suspended and not self.lifted


class Commerce(Actor):
    """Implements the ban order in stages.

    It announces each stage, puts it into effect on its date, postpones it while a deal
    progresses (with probability ``commerce.postpone``), and applies injunctions.
    """

    def __init__(self, model, spec):
        super().__init__(model, "commerce", spec.label)
        self.spec = spec
        self.stages = {sid: StageState(st) for sid, st in spec.stages.items()}
        for sid, st in spec.stages.items():
            model.schedule(model.deal_scenario.day(st.announced), self.announce, sid)

    def biting(self) -> list[str]:
        """Ids of the stages that bite now."""
        return [sid for sid, st in self.stages.items() if st.bites]

    def announce(self, sid: str) -> None:
        """Announce a stage (if a ban order is in force); courts may be asked to stop it."""
        stage = self.stages[sid]
        if not self.model.ban_order_in_force:
            return
        stage.announced = True
        when = stage.spec.effective
        if when == "deadline":
            text = "from the divestiture deadline if the executive enforces it"
        else:
            stage.effective_day = self.model.deal_scenario.day(when)
            text = f"from {when.isoformat()}"
            self.model.schedule(stage.effective_day, self.take_effect, sid, priority=Priority.LOW)
        self.log(EventName.STAGE_ANNOUNCED, f"announces {sid} ({stage.spec.label}), {text}")
        for court in self.model.courts.values():
            court.consider_challenge(sid)

    def effective_day(self, sid: str) -> int | None:
        """The day a stage is due to take effect as things stand (None if it has no date yet)."""
        stage = self.stages[sid]
        if stage.spec.effective == "deadline":
            return self.model.executive.deadline_day
        return stage.effective_day

    def take_effect(self, sid: str) -> None:
        """A dated stage reaches its effective day: postpone it, or let it take effect."""
        stage = self.stages[sid]
        if stage.lifted or stage.suspended or stage.due or stage.effective_day != self.today:
            return
        if self.should_postpone(stage):
            stage.postponements += 1
            stage.effective_day = self.days_from_now(self.spec.postpone.days)
            self.model.schedule(stage.effective_day, self.take_effect, sid, priority=Priority.LOW)
            self.log(
                EventName.STAGE_POSTPONED,
                f"postpones {sid} to {self.model.date_of(stage.effective_day)} "
                f"while the {self.model.deal_name()} progresses",
            )
            return
        self.make_due(sid)

    def should_postpone(self, stage: StageState) -> bool:
        """Postpone with one probability while a deal progresses, another otherwise."""
        rule = self.spec.postpone
        if stage.postponements >= rule.max:
            return False
        deal = self.model.deal
        progressing = deal.stage.in_progress or deal.blessed
        return self.chance(rule.p_if_deal_progressing if progressing else rule.p_otherwise)

    def make_due(self, sid: str) -> None:
        """The stage is in effect from today (it bites unless enjoined)."""
        stage = self.stages[sid]
        stage.due = True
        courts = " and ".join(self.model.courts[c].label for c in sorted(stage.enjoined_by))
        self.log(
            EventName.STAGE_DUE,
            f"puts {sid} into effect" + (f", but {courts} enjoined it" if courts else ""),
        )
        self.model.refresh_ban()

    def deadline_enforced(self) -> None:
        """The executive enforces the divestiture deadline: the stages tied to it are due."""
        for sid, stage in self.stages.items():
            if stage.spec.effective == "deadline" and stage.announced and not stage.due:
                stage.suspended = False
                self.make_due(sid)

    def deadline_not_enforced(self) -> None:
        """The executive leaves the deadline unenforced: the stages tied to it are suspended."""
        for sid, stage in self.stages.items():
            if stage.spec.effective == "deadline" and not stage.suspended:
                stage.suspended = True
                self.log(
                    EventName.STAGE_SUSPENDED,
                    f"suspends {sid} while the order goes unenforced",
                )
        self.model.refresh_ban()

    def enjoin(self, sid: str, court: str) -> None:
        """A court enjoins a stage."""
        self.stages[sid].enjoined_by.add(court)
        self.model.refresh_ban()

    def lift_injunction(self, sid: str, court: str) -> None:
        """An appeal lifts one court's injunction of a stage."""
        self.stages[sid].enjoined_by.discard(court)
        self.model.refresh_ban()

    def lift_all(self) -> None:
        """The ban ends for good (a close, a revocation, or the seller's exit)."""
        for stage in self.stages.values():
            stage.lifted = True
