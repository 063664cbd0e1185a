"""The host executive (the head of government, and whoever enforces for it): blessings, referrals, elections."""

from __future__ import annotations

from sim.model.agents.base import Actor
from sim.model.moments import (
    AdministrationChanged,
    Blessed,
    DealAgreed,
    DeclaredCompliant,
    HostAction,
    MarketMoved,
    PresidentDecided,
    Referred,
    ReviewsShelved,
    Revoked,
    on,
)
from sim.model.randomness import actor_stream, draw_duration, logistic
from sim.narrative import EventName, SpanName
from sim.scenario.schema import CoveredTransaction, Election, NewAdministration, Revocation, score


class Executive(Actor):
    """Blesses deals, decides referrals to block, lives through elections, revokes instruments.

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

    @on(DealAgreed)
    def consider_blessing(self, moment: DealAgreed) -> None:
        """Bless an agreed deal "in principle", more likely for a buyer of high standing."""
        deal = self.view.deal
        b = self.spec.blessing
        if deal.blessed or b is None or moment.version != deal.version:
            return
        if self.view.scenario.deal.kind != "forced_divestiture":
            return  # a negotiated or completed deal was agreed before the run, with no blessing to seek
        standing = self.view.buyer(deal.chosen_bidder).standing
        p = logistic(score(b.terms, self.view.structure(deal.chosen_structure), start=b.base + b.standing * standing))
        if self.chance(p):
            self.log(EventName.BLESSING, f"blesses the {self.view.deal_name()} in principle (p={p:.2f})")
            self.announce(Blessed(deal.version))
            self.announce(HostAction("blessing"))
        else:
            self.log(EventName.NO_BLESSING, f"withholds a blessing of the {self.view.deal_name()} (p={1 - p:.2f})")

    @on(Referred)
    def receive_referral(self, moment: Referred) -> None:
        """A reviewer refers the deal to block it; the President decides within days."""
        spec = self.view.scenario.reviewers[moment.reviewer]
        assert isinstance(spec, CoveredTransaction), "only a section 721 review refers a deal to the President"
        self.timeline.open(SpanName.PRESIDENT_DECISION, moment.reviewer)
        self.after(spec.president.decision_days, self.decide_referral, moment.reviewer, moment.version)

    def decide_referral(self, reviewer: str, version: int) -> None:
        """Block the deal (usually) or decline to."""
        if version != self.view.deal.version or self.view.deal.stage.ended:
            return
        self.timeline.close(SpanName.PRESIDENT_DECISION, reviewer)
        spec = self.view.scenario.reviewers[reviewer]
        assert isinstance(spec, CoveredTransaction)
        blocks = self.chance(spec.president.p_block)
        if blocks:
            self.log(EventName.PRESIDENT_BLOCKS, f"blocks the {self.view.deal_name()}")
        else:
            self.log(EventName.PRESIDENT_DECLINES_BLOCK, f"declines to block the {self.view.deal_name()}")
        self.announce(PresidentDecided(reviewer, version, blocks))

    # --- elections and revocations ------------------------------------------------------------

    def hold_election(self, event: Election) -> None:
        """An election: the administration changes with probability ``p_change``."""
        changes = self.chance(event.p_change)
        if changes:
            self.lame_duck_until = self.clock.day_of(event.inauguration)
            self.clock.schedule(self.lame_duck_until, self.inaugurate)
            self.log(
                EventName.ELECTION,
                f"The election changes the administration on {event.inauguration.isoformat()} (p={event.p_change:.2f})",
            )
        else:
            self.log(EventName.ELECTION, f"The election keeps the administration (p={1 - event.p_change:.2f})")
        known = self.clock.day_of(event.result_known) if event.result_known else self.today
        if known > self.today:
            self.clock.schedule(known, self.result_known)
        else:
            self.announce(HostAction("election"))

    def result_known(self) -> None:
        """The election's result is known: a reviewer waiting for it may move now."""
        self.announce(HostAction("election"))

    def inaugurate(self) -> None:
        """A new administration takes office: it may shelve the host reviews and revoke instruments."""
        self.new_administration = True
        self.label = f"new {self.spec.label}"
        na = self.spec.new_administration
        self.log(EventName.ADMINISTRATION_CHANGE, "A new administration takes office")
        if self.view.deal.stage.in_progress and self.chance(na.p_shelve_review):
            if na.shelve_days is None:
                self.shelve_reviews()
            else:
                self.after(na.shelve_days, self.shelve_reviews)
        if self.chance(na.p_revoke) and na.revokes:
            self.after(na.revoke_days, self.revoke_instruments)
        if na.compliant and na.p_declare_compliant is not None:
            self.consider_declaring(na)
        self.announce(AdministrationChanged())
        self.announce(MarketMoved("a new administration took office"))

    def shelve_reviews(self) -> None:
        """Shelve the host reviews of the deal still in progress (``shelve_days`` after taking office)."""
        if not self.view.deal.stage.in_progress or not self.view.host_reviews_pending():
            return  # nothing left to shelve (a review already approved stays approved)
        self.log(EventName.REVIEW_SHELVED, f"shelves the host review of the {self.view.deal_name()}")
        self.announce(ReviewsShelved())

    def consider_declaring(self, na: NewAdministration) -> None:
        """Whether and when it declares structures compliant.

        Drawn from a stream of its own, so a scenario that sets the weight plays every other draw
        as one that does not.
        """
        rng = actor_stream(self._seed, "executive:declaration")
        if rng.random() < (na.p_declare_compliant or 0.0):
            day = self.day_after(draw_duration(rng, na.declare_days), na.declare_days.unit)
            self.clock.schedule(day, self.declare_compliant)

    def declare_compliant(self) -> None:
        """Declare the structures the scenario names compliant: the host reviewers clear them."""
        structures = tuple(self.spec.new_administration.compliant)
        names = " and ".join(f"{self.view.structure(s).label} ({s})" for s in structures)
        self.log(EventName.DECLARED_COMPLIANT, f"The new administration declares {names} a qualified divestiture")
        self.announce(DeclaredCompliant(structures))
        self.announce(MarketMoved("the new administration declared a structure compliant"))

    def revoke_instruments(self) -> None:
        """Revoke the instruments the new administration may revoke (the others stand)."""
        revokes = tuple(self.spec.new_administration.revokes)
        names = " and ".join(self.view.instrument_label(i) for i in revokes)
        self.log(EventName.REVOCATION, f"The new administration revokes the {names}")
        self.announce(Revoked(revokes))

    def revocation_event(self, event: Revocation) -> None:
        """A dated revocation from the scenario (whether and when it happens is drawn by the model)."""
        self.log(EventName.REVOCATION, event.note or "Revoked: " + " and ".join(event.revokes))
        self.announce(Revoked(tuple(event.revokes)))
