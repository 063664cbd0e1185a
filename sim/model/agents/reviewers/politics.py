"""A political hold: a case handled outside its clock, which ends only at a host action that moves it."""

from __future__ import annotations

from sim.model.randomness import logistic
from sim.narrative import EventName, SpanName

ACTIONS = {
    "blessing": "the blessing of the deal by {host}",
    "injunction": "an injunction in {host}",
    "ban_bites": "a ban stage biting in {host}",
    "enforcement": "enforcement by {host}",
    "election": "the election in {host}",
}
"""How the narrative names each host action a hold may end at."""


class PoliticalHold:
    """Whether a reviewer holds the current case politically, and when the hold ends.

    At its first application the reviewer handles the case politically with probability
    logistic(``base`` + ``tension`` x tension), and the case stays so: an application under new
    terms (a restructuring, another buyer) is the same case, held again. A hold has no clock: at
    each host action named in ``release`` (a blessing...) it ends with probability logistic(``release.base``
    + that action's term), and the reviewer then takes the case up again. With no such action it
    lasts to the horizon. The draws are the reviewer's own.
    """

    def __init__(self, reviewer, spec, span: SpanName):
        self.reviewer = reviewer
        self.spec = spec  # PoliticalHandling, or None: never political
        self.span = span
        self.held = False
        self.case: bool | None = None  # whether the case is handled politically, decided at its first application

    def p_political(self) -> float:
        """The chance the case is handled politically now (0 without political handling)."""
        if self.spec is None:
            return 0.0
        return logistic(self.spec.base + self.spec.tension * self.reviewer.view.tension)

    def political_now(self) -> tuple[bool, float]:
        """Whether this application is handled politically, and the chance the case had of it.

        The draw is made at every application (common random numbers); the first one decides the case.
        """
        p = self.p_political()
        drawn = p > 0 and self.reviewer.chance(p)
        if self.case is None:
            self.case = drawn
        return self.case, p

    def start(self, event: EventName, detail: str) -> None:
        """Hold the case: no clock, no decision."""
        r = self.reviewer
        self.held = True
        r.timeline.open(self.span, r.actor_id)
        r.log(event, detail)

    def consider_release(self, action: str) -> None:
        """A host action: the hold may end now."""
        term = getattr(self.spec.release, action) if self.spec is not None else None
        if term is not None:  # an action the scenario does not name is no moment to end the hold at
            host = self.reviewer.view.scenario.labels.host
            self._maybe_end(term, ACTIONS[action].format(host=host))

    def consider_tension(self, delta: float) -> None:
        """The tension moved: the hold may end now, if the scenario makes that a moment to rule."""
        if self.spec is None or delta == 0:
            return
        release = self.spec.release
        term = release.tension_eases if delta < 0 else release.tension_rises
        if term is not None:
            self._maybe_end(term, "the tension " + ("eased" if delta < 0 else "rose"))

    def _maybe_end(self, term: float, what: str) -> None:
        r = self.reviewer
        if not self.held or r.view.deal.stage.ended:
            return
        p = logistic(self.spec.release.base + term)
        if r.chance(p):
            self.held = False
            r.timeline.close(self.span, r.actor_id)
            r.log(EventName.HOLD_ENDS, f"ends its hold after {what} (p={p:.2f})")
            r.hold_ended()
