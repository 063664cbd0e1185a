"""Host courts: challenges to ban stages, injunctions, appeals."""

from __future__ import annotations

from mesa.time import Priority

from sim.model.agents.base import Actor
from sim.narrative import EventName, SpanName


class Court(Actor):
    """A court in which a plaintiff (the seller or users) can challenge a ban stage.

    When a stage it hears is announced, the plaintiff files with probability ``p_challenge``;
    the ruling comes after a random delay and enjoins the stage with probability ``p_enjoin``;
    the government's appeal lifts an injunction with probability ``appeal.p_lifts``.
    Rulings come early in the day, before a stage takes effect that day.
    """

    def __init__(self, model, court_id: str, spec):
        super().__init__(model, court_id, spec.label)
        self.spec = spec
        self.injunctions = 0
        self.rulings = 0

    def hears(self, sid: str) -> bool:
        """Whether this court can enjoin stage ``sid``."""
        return self.spec.hears is None or sid in self.spec.hears

    def consider_challenge(self, sid: str) -> None:
        """A stage was announced: the plaintiff may challenge it here."""
        if self.hears(sid) and self.chance(self.spec.p_challenge):
            self.after(self.spec.filing_days, self.file, sid)

    def file(self, sid: str) -> None:
        """The plaintiff files for an injunction."""
        if self.model.commerce.stages[sid].lifted:
            return
        plaintiff, verb = (self.model.seller.label, "asks") if self.spec.plaintiff == "seller" else ("Users", "ask")
        day = self.after(self.spec.ruling_days, self.rule, sid, self.today, priority=Priority.HIGH)
        self.log(
            EventName.CHALLENGE_FILED,
            f"{plaintiff} {verb} {self.label} to enjoin {sid}; ruling by {self.model.date_of(day)}",
        )

    def rule(self, sid: str, filed: int) -> None:
        """Rule on the injunction."""
        if self.model.commerce.stages[sid].lifted:
            return
        self.model.add_span(SpanName.COURT_CHALLENGE, self.actor_id, filed, self.today)
        self.rulings += 1
        if self.chance(self.spec.p_enjoin):
            self.injunctions += 1
            self.log(EventName.INJUNCTION, f"{self.label} enjoins {sid} (p={self.spec.p_enjoin:.2f})")
            self.model.commerce.enjoin(sid, self.actor_id)
            self.after(self.spec.appeal.days, self.hear_appeal, sid)
        else:
            self.log(
                EventName.INJUNCTION_DENIED,
                f"{self.label} declines to enjoin {sid} (p={1 - self.spec.p_enjoin:.2f})",
            )

    def hear_appeal(self, sid: str) -> None:
        """The government's appeal of the injunction is decided."""
        if self.model.commerce.stages[sid].lifted:
            return
        if self.chance(self.spec.appeal.p_lifts):
            self.log(
                EventName.INJUNCTION_LIFTED,
                f"The appeal lifts the injunction of {sid} by {self.label}",
            )
            self.model.commerce.lift_injunction(sid, self.actor_id)
        else:
            self.log(EventName.APPEAL_FAILS, f"The injunction of {sid} by {self.label} stands on appeal")
