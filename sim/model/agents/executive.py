"""The host executive (the US President and the Attorney General): instruments, blessings, referrals, elections."""

from __future__ import annotations

from sim.model.agents.base import Actor
from sim.model.randomness import logistic
from sim.narrative import EventName, SpanName
from sim.scenario.schema import Election, Revocation


class Executive(Actor):
    """Issues the instruments, blesses deals, decides referrals to block, lives through elections.

    Each instrument is its own legal track (see ``../shared/domain/legal-frames.md``); where the
    scenario makes the executive an instrument's ``decided_by``, the instrument's extensions and
    enforcement are decided with the executive's stream and logged in its name
    (``sim.model.instruments``). A new administration may shelve the host reviews, revoke the
    instruments the scenario names, and decides again on an instrument left unenforced.
    """

    def __init__(self, model, spec):
        super().__init__(model, "executive", spec.label)
        self.spec = spec
        self.new_administration = False
        self.lame_duck_until: int | None = None  # inauguration day after an election lost

    @property
    def state(self) -> str:
        """In office, a lame duck, or a new administration."""
        if self.new_administration:
            return "new administration"
        return "lame duck" if self.lame_duck else "in office"

    @property
    def lame_duck(self) -> bool:
        """Between an election that changed the administration and the inauguration."""
        return self.lame_duck_until is not None and self.today < self.lame_duck_until

    @property
    def administration_changing(self) -> bool:
        """An election has changed the administration (the lame-duck weeks included)."""
        return self.lame_duck_until is not None

    # --- the deal -----------------------------------------------------------------------------

    def consider_blessing(self) -> None:
        """Bless an agreed deal "in principle", more likely for a buyer of high standing."""
        deal = self.model.deal
        b = self.spec.blessing
        if deal.blessed or b is None:
            return
        standing = self.model.buyer_spec(deal.bidder).standing
        stake = self.model.deal_scenario.structures[deal.structure].seller_stake
        p = logistic(b.base + b.standing * standing + b.seller_stake * stake)
        if self.chance(p):
            deal.blessed = True
            self.log(EventName.BLESSING, f"blesses the {self.model.deal_name()} in principle (p={p:.2f})")
            self.model.host_action("blessing")
        else:
            self.log(
                EventName.NO_BLESSING,
                f"withholds a blessing of the {self.model.deal_name()} (p={1 - p:.2f})",
            )

    def receive_referral(self, reviewer, version: int) -> None:
        """A reviewer refers the deal to block it; the President decides within days."""
        self.model.open_span(SpanName.PRESIDENT_DECISION, self.actor_id, reviewer.actor_id)
        self.after(reviewer.spec.president.decision_days, self.decide_referral, reviewer, version)

    def decide_referral(self, reviewer, version: int) -> None:
        """Block the deal (usually) or decline to."""
        if self.model.stale(version):
            return
        self.model.close_span(SpanName.PRESIDENT_DECISION, reviewer.actor_id)
        if self.chance(reviewer.spec.president.p_block):
            self.log(EventName.PRESIDENT_BLOCKS, f"blocks the {self.model.deal_name()}")
            reviewer.reject()
        else:
            self.log(EventName.PRESIDENT_DECLINES_BLOCK, f"declines to block the {self.model.deal_name()}")
            reviewer.president_declined()

    # --- elections and revocations ------------------------------------------------------------

    def hold_election(self, event: Election) -> None:
        """An election: the administration changes with probability ``p_change``."""
        changes = self.chance(event.p_change)
        if changes:
            self.lame_duck_until = self.model.deal_scenario.day(event.inauguration)
            self.model.schedule(self.lame_duck_until, self.inaugurate)
            self.log(
                EventName.ELECTION,
                f"The election changes the administration on {event.inauguration.isoformat()} (p={event.p_change:.2f})",
            )
        else:
            self.log(EventName.ELECTION, f"The election keeps the administration (p={1 - event.p_change:.2f})")
        self.model.host_action("election")

    def inaugurate(self) -> None:
        """A new administration takes office: it may shelve the host reviews and revoke instruments."""
        self.new_administration = True
        self.label = f"new {self.spec.label}"
        na = self.spec.new_administration
        self.log(EventName.ADMINISTRATION_CHANGE, "A new administration takes office")
        if self.model.deal.stage.in_progress and self.chance(na.p_shelve_review):
            for reviewer in self.model.reviewers.values():
                if reviewer.side == "host":
                    reviewer.shelve()
        if self.chance(na.p_revoke) and na.revokes:
            self.after(na.revoke_days, self.revoke_instruments)
        self.model.market_moves("a new administration took office")
        for instrument in self.model.deadline_instruments():
            instrument.reconsider()  # non-enforcement was open-ended: the new administration decides again

    def revoke_instruments(self) -> None:
        """Revoke the instruments the new administration may revoke (the others stand)."""
        revokes = tuple(self.spec.new_administration.revokes)
        names = " and ".join(self.model.deal_scenario.instruments[i].label for i in revokes)
        self.model.revoke(revokes, f"The new administration revokes the {names}")

    def revocation_event(self, event: Revocation) -> None:
        """A dated revocation from the scenario (whether and when it happens is drawn by the model)."""
        self.model.revoke(tuple(event.revokes), event.note or "Revoked: " + " and ".join(event.revokes))
