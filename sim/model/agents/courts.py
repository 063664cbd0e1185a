"""Host courts: challenges to ban stages and petitions against a divestiture order.

Courts act on dates: a challenge filed before a ban stage's effective date is ruled on by that
date (early in the day, before the stage would take effect) unless the court is slow. Rulings
on one instrument share its legal question (in 2020, the IEEPA informational-materials
exception for every challenge to the ban): each court's ruling mixes a merits draw common to
the instrument with its own, so that courts agree as much as ``agreement`` says, while each
still enjoins with its own probability ``p_enjoin``.
"""

from __future__ import annotations

import math

from mesa.time import Priority

from sim.model.agents.base import Actor
from sim.model.randomness import actor_stream
from sim.narrative import EventName, SpanName


def _normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


class Court(Actor):
    """A court where a plaintiff (the seller or users) challenges one instrument.

    Against the ban order (``instrument: ban_order``) the plaintiff asks it to enjoin each stage
    it hears when the stage is announced; the government's appeal lifts an injunction with
    probability ``appeal.p_lifts``. Against the divestiture order the plaintiff petitions for
    review once the order is issued; a ruling for the plaintiff sets the order aside.
    """

    def __init__(self, model, court_id: str, spec):
        super().__init__(model, court_id, spec.label)
        self.spec = spec
        self.injunctions = 0
        self.rulings = 0
        self.pending = 0  # cases filed and not yet ruled on

    @property
    def active(self) -> bool:
        """A case is pending here, or one of this court's injunctions stands."""
        return self.pending > 0 or any(self.actor_id in st.enjoined_by for st in self.model.commerce.stages.values())

    def hears(self, sid: str) -> bool:
        """Whether this court can enjoin ban stage ``sid``."""
        return self.spec.instrument == "ban_order" and (self.spec.hears is None or sid in self.spec.hears)

    def for_plaintiff(self) -> bool:
        """Whether this ruling goes for the plaintiff: the instrument's common merits and the court's own draw."""
        rho = self.spec.agreement
        z = math.sqrt(rho) * self.model.merits(self.spec.instrument) + math.sqrt(1 - rho) * self.rng.standard_normal()
        return _normal_cdf(z) < self.spec.p_enjoin

    def _plaintiff(self) -> tuple[str, str]:
        return (self.model.seller.label, "asks") if self.spec.plaintiff == "seller" else ("Users", "ask")

    # --- the ban order ------------------------------------------------------------------------

    def consider_challenge(self, sid: str) -> None:
        """A stage was announced: the plaintiff may challenge it here."""
        if self.hears(sid) and self.chance(self.spec.p_challenge):
            self.after(self.spec.filing_days, self.file, sid)

    def file(self, sid: str) -> None:
        """The plaintiff files for an injunction; the court rules by the stage's date unless slow."""
        stage = self.model.commerce.stages[sid]
        if stage.lifted:
            return
        day = self.days_from_now(self.spec.ruling_days)
        slow = self.chance(self.spec.p_slow)
        effective = self.model.commerce.effective_day(sid)
        pending = effective is not None and self.today <= effective and not stage.due
        if pending and not slow and day > effective:
            day = effective  # the court rules before the stage bites
        self.model.schedule(day, self.rule, sid, self.today, priority=Priority.HIGH)
        self.pending += 1
        plaintiff, verb = self._plaintiff()
        when = ""
        if pending:
            when = (
                " (before the stage takes effect)"
                if day <= effective
                else " (after the stage's date: the court is slow)"
            )
        self.log(
            EventName.CHALLENGE_FILED,
            f"{plaintiff} {verb} {self.label} to enjoin {sid}; ruling by {self.model.date_of(day)}{when}",
        )

    def rule(self, sid: str, filed: int) -> None:
        """Rule on the injunction."""
        self.pending -= 1
        if self.model.commerce.stages[sid].lifted:
            return
        self.model.add_span(SpanName.COURT_CHALLENGE, self.actor_id, filed, self.today)
        self.rulings += 1
        if self.for_plaintiff():
            self.injunctions += 1
            self.log(EventName.INJUNCTION, f"{self.label} enjoins {sid} (p={self.spec.p_enjoin:.2f})")
            self.model.commerce.enjoin(sid, self.actor_id)
            self.after(self.spec.appeal.days, self.hear_appeal, sid)
            self.model.china.host_action("injunction")
        else:
            self.log(
                EventName.INJUNCTION_DENIED,
                f"{self.label} declines to enjoin {sid} (p={1 - self.spec.p_enjoin:.2f})",
            )
            self.model.market_moves(f"{self.label} declined to stop {sid}")

    def hear_appeal(self, sid: str) -> None:
        """The government's appeal of the injunction is decided."""
        if self.model.commerce.stages[sid].lifted:
            return
        if self.chance(self.spec.appeal.p_lifts):
            self.log(EventName.INJUNCTION_LIFTED, f"The appeal lifts the injunction of {sid} by {self.label}")
            self.model.commerce.lift_injunction(sid, self.actor_id)
        else:
            self.log(EventName.APPEAL_FAILS, f"The injunction of {sid} by {self.label} stands on appeal")

    # --- the divestiture order ----------------------------------------------------------------

    def consider_petition(self) -> None:
        """The divestiture order was issued: the plaintiff may petition for review here."""
        if self.spec.instrument == "divestiture_order" and self.chance(self.spec.p_challenge):
            self.after(self.spec.filing_days, self.petition)

    def petition(self) -> None:
        """The petition for review of the order is filed; the ruling comes after ``ruling_days``."""
        if not self.model.divestiture_order_in_force:
            return
        day = self.after(self.spec.ruling_days, self.rule_on_order, self.today)
        self.pending += 1
        plaintiff, verb = self._plaintiff()
        self.log(
            EventName.CHALLENGE_FILED,
            f"{plaintiff} {verb} {self.label} to set aside the divestiture order; ruling by {self.model.date_of(day)}",
        )

    def rule_on_order(self, filed: int) -> None:
        """Set the divestiture order aside, or uphold it."""
        self.pending -= 1
        if not self.model.divestiture_order_in_force or self.model.deal.closed_day is not None:
            return
        self.model.add_span(SpanName.COURT_CHALLENGE, self.actor_id, filed, self.today)
        self.rulings += 1
        if self.for_plaintiff():
            self.model.set_aside_divestiture_order(self.actor_id, f"{self.label} sets the divestiture order aside")
        else:
            self.log(EventName.ORDER_UPHELD, f"{self.label} upholds the divestiture order")


def merits_stream(seed: int, instrument: str):
    """The stream of the merits draws common to every challenge of one instrument in a run."""
    return actor_stream(seed, f"merits:{instrument}")
