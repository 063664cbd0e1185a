"""The home government's export licence (China's commerce ministry in 2020): what needs it, and how it rules.

See ``../shared/domain/legal-frames.md`` (section 3). A deal needs the ministry's consent when it
exports a technology in the reviewer's catalogue (``applies_to: listed_technology``) or, where the
scenario says so, for any sale of the business (``applies_to: any_sale``; a
``jurisdiction_change`` event can change it). Consent comes in two stages: a letter of intent
before any binding contract, then the licence after signing. The ministry handles an application
on the routine statutory clock, or politically: an open-ended hold that ends only at a host action
that moves it (a blessing, a court loss, a ban that bites, enforcement, the election result), and
may last to the horizon with no ruling at all, as in 2020.
"""

from __future__ import annotations

from sim.model.agents.reviewers.base import Reviewer
from sim.model.agents.reviewers.politics import PoliticalHold
from sim.model.deal import DealStage
from sim.model.randomness import choice_probabilities, logit_choice, odds_text
from sim.narrative import EventName, SpanName
from sim.scenario.schema import CatalogueUpdate


class ExportLicenceReviewer(Reviewer):
    """Keeps the catalogue and the consent rule, and rules on letters of intent and licences.

    When it rules on a letter it grants or denies by a logit whose grant utility falls with the
    algorithm's transfer, the tension between the governments and its public stance, and rises
    with the stake the seller keeps (``utility``).
    """

    def __init__(self, model, reviewer_id: str, spec):
        super().__init__(model, reviewer_id, spec)
        self.catalogue: set[str] = set(spec.catalogue)
        self.hold = PoliticalHold(self, spec.political, SpanName.LETTER_HOLD)
        self.letter_applied = False
        self.letter_granted = False
        self.licence_applied = False
        self.letter_start: int | None = None
        self.licence_start: int | None = None

    # --- what a deal needs --------------------------------------------------------------------

    def applies(self, structure_id: str, bidder_id: str) -> bool:
        """Whether a deal with this structure needs the ministry's consent."""
        if self.applies_to == "listed_technology":
            return self.exports_listed(structure_id)
        return super().applies(structure_id, bidder_id)

    def exports_listed(self, structure_id: str) -> bool:
        """Whether a deal with this structure exports a technology in the catalogue."""
        terms = self.model.deal_scenario.structures[structure_id]
        if terms.algorithm == "kept":
            return False
        return not self.catalogue.isdisjoint(self.model.deal_scenario.seller.technologies)

    def letter_utilities(self, structure_id: str) -> dict[str, float]:
        """Utilities of granting and denying these terms now."""
        u = self.spec.utility
        terms = self.model.deal_scenario.structures[structure_id]
        home = self.model.home
        grant = (
            u.grant
            + u.algorithm.get(terms.algorithm, 0.0)
            + u.seller_stake * terms.seller_stake
            + u.tension * home.tension
            + u.stance * home.stance
            + u.new_administration * self.model.administration_changing
        )
        return {"grant": grant, "deny": u.deny}

    def approval_belief(self, structure_id: str, bidder_id: str) -> float:
        """The chance of consent the seller reads from the rules: 1 if none is needed, else P(grant)."""
        if not self.applies(structure_id, bidder_id):
            return 1.0
        return choice_probabilities(self.letter_utilities(structure_id))["grant"]

    @property
    def before_it(self) -> bool:
        """An application for the current terms is in."""
        return self.needed and self.letter_applied

    @property
    def blocks_signing(self) -> bool:
        """No binding contract before the letter of intent."""
        return self.needed and not self.letter_granted

    def new_terms(self) -> None:
        """New terms need a new application."""
        super().new_terms()
        self.letter_applied = self.letter_granted = self.licence_applied = False
        self.hold.held = False

    # --- the deal's moments -------------------------------------------------------------------

    def deal_chosen(self, version: int) -> None:
        """Terms were chosen: if they need consent, the seller applies for the letter of intent."""
        super().deal_chosen(version)
        if self.needed:
            self.model.seller.log(
                EventName.LICENCE_NEEDED,
                f"learns that the {self.model.deal_name()} needs {self.label}'s consent: it needs a licence",
            )
            self.apply_for_letter()

    def deal_agreed(self, version: int) -> None:
        """Nothing happens here at the agreement: the letter was applied for when the terms were chosen."""

    def deal_signed(self, version: int) -> None:
        """Stage 2: the signed contract goes to the ministry for the licence."""
        if self.needed and self.letter_granted:
            self.apply_for_licence()

    def catch_up(self) -> None:
        """A deal caught in progress by a new rule applies for the letter now."""
        self.apply_for_letter()

    def apply_for_letter(self) -> None:
        """The seller prepares and files the application for the letter of intent."""
        if self.letter_applied:
            return
        self.letter_applied = self.filed = True
        self.model.open_span(SpanName.LETTER_APPLICATION, "seller", self.actor_id)
        self.model.seller.after(self.spec.application_days, self.receive_letter_application, self.model.deal.version)

    def apply_for_licence(self) -> None:
        """The seller applies for the licence itself, with the signed contract."""
        if not self.licence_applied:
            self.licence_applied = True
            self.receive_licence_application(self.model.deal.version)

    # --- dated events -------------------------------------------------------------------------

    def update_catalogue(self, event: CatalogueUpdate) -> None:
        """Add technologies to the catalogue; a deal that exports one now needs a licence."""
        self.catalogue.update(event.adds)
        self.rule_changed(EventName.CATALOGUE_UPDATE, f"adds {event.description or ', '.join(event.adds)}")

    # --- stage 1: the letter of intent --------------------------------------------------------

    def receive_letter_application(self, version: int) -> None:
        """The seller applies for the letter of intent: routine handling, or a political hold."""
        if self.model.stale(version):
            return
        self.letter_start = self.today
        self.model.close_span(SpanName.LETTER_APPLICATION, self.actor_id)
        p = self.hold.p_political()
        day = self.days_from_now(self.spec.review_days)  # drawn either way (common random numbers)
        if self.chance(p):
            self.hold.start(
                EventName.POLITICAL_HOLD,
                f"handles the application for the {self.model.deal_name()} politically: no clock, no decision "
                f"until a US action moves it (tension {self.model.home.tension:.2f}, p={p:.2f})",
            )
            return
        self.model.open_span(SpanName.LETTER_REVIEW, self.actor_id, self.actor_id)
        self.model.schedule(day, self.decide_letter, version)
        self.log(
            EventName.LETTER_APPLICATION,
            f"handles the application routinely; letter of intent due {self.model.date_of(day)} (p(political)={p:.2f})",
        )

    def host_action(self, action: str) -> None:
        """A host action: a political hold may end now, with a ruling."""
        if not self.letter_granted:
            self.hold.consider_release(action)

    def tension_changed(self, delta: float) -> None:
        """A change of tension may end a political hold, where the scenario says so."""
        if not self.letter_granted:
            self.hold.consider_tension(delta)

    def hold_ended(self) -> None:
        """The political hold ended: rule on the letter at once."""
        self.decide_letter(self.model.deal.version)

    def decide_letter(self, version: int) -> None:
        """Grant or deny the letter of intent."""
        if self.model.stale(version):
            return
        deal = self.model.deal
        self.model.close_span(SpanName.LETTER_REVIEW, self.actor_id)
        choice, probs = logit_choice(self.rng, self.letter_utilities(deal.structure))
        home = self.model.home
        why = f"tension {home.tension:.2f}, stance {home.stance:.2f}; {odds_text(probs)}"
        deal.review_days[f"{self.actor_id}:letter"] = self.today - self.letter_start
        if choice == "grant":
            self.letter_granted = True
            self.log(EventName.LETTER_GRANTED, f"grants the letter of intent for the {self.model.deal_name()} ({why})")
            if deal.stage is DealStage.SIGNED:
                self.apply_for_licence()
            else:
                self.model.seller.letter_granted()
        else:
            self.log(EventName.LICENCE_DENIED, f"denies consent to the {self.model.deal_name()} ({why})")
            self.reject()

    # --- stage 2: the licence -----------------------------------------------------------------

    def receive_licence_application(self, version: int) -> None:
        """After signing, the seller applies for the licence itself."""
        self.licence_start = self.today
        self.model.open_span(SpanName.LICENCE_REVIEW, self.actor_id, self.actor_id)
        day = self.after(self.spec.licence_days, self.decide_licence, version)
        self.log(EventName.LICENCE_APPLICATION, f"receives the signed contract; licence due {self.model.date_of(day)}")

    def decide_licence(self, version: int) -> None:
        """Grant the licence (likely, once the letter was given) or deny it."""
        if self.model.stale(version):
            return
        deal = self.model.deal
        self.model.close_span(SpanName.LICENCE_REVIEW, self.actor_id)
        deal.review_days[f"{self.actor_id}:licence"] = self.today - self.licence_start
        p = self.spec.p_grant_after_letter
        if self.chance(p):
            self.approve(EventName.LICENCE_GRANTED, f"grants the export licence (p={p:.2f})")
        else:
            self.log(EventName.LICENCE_DENIED, f"denies the licence after the contract review (p={1 - p:.2f})")
            self.reject()
