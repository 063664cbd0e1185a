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

    At each application the reviewer handles the case politically with probability
    logistic(``base`` + ``tension`` x tension). A hold has no clock: at each host action named in
    ``release`` (a blessing, an injunction...) it ends with probability logistic(``release.base``
    + that action's term), and the reviewer then takes the case up again. With no such action it
    lasts to the horizon. The draws are the reviewer's own.
    """

    def __init__(self, reviewer, spec, span: SpanName):
        self.reviewer = reviewer
        self.spec = spec  # PoliticalHandling, or None: never political
        self.span = span
        self.held = False

    def p_political(self) -> float:
        """The chance the case is handled politically now (0 without political handling)."""
        if self.spec is None:
            return 0.0
        return logistic(self.spec.base + self.spec.tension * self.reviewer.view.tension)

    def start(self, event: EventName, detail: str) -> None:
        """Hold the case: no clock, no decision."""
        r = self.reviewer
        self.held = True
        r.timeline.open(self.span, r.actor_id)
        r.log(event, detail)

    def consider_release(self, action: str) -> None:
        """A host action: the hold may end now."""
        if self.spec is not None:
            host = self.reviewer.view.scenario.labels.host
            self._maybe_end(getattr(self.spec.release, action), ACTIONS[action].format(host=host))

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
