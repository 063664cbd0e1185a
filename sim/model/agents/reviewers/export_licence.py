"""The home government's export licence (China's commerce ministry in 2020): what needs it, and how it rules.

See ``../shared/domain/legal-frames.md`` (section 3). A deal needs the ministry's consent when it
exports a technology in the reviewer's catalogue (``applies_to: listed_technology``: its terms
pass ``exports_when`` and the seller's technologies meet the catalogue) or, where the scenario
says so, for any sale of the business (``applies_to: any_sale``; a ``jurisdiction_change`` event
can change it). Consent comes in two stages: a letter of intent before any binding contract, then
the licence after signing. The ministry handles an application on the routine statutory clock, or
politically: an open-ended hold that ends only at a host action that moves it (a blessing, a court
loss, a ban that bites, enforcement, the election result), and may last to the horizon with no
ruling at all, as in 2020.
"""

from __future__ import annotations

from typing import Any

from sim.model.agents.reviewers.base import Reviewer
from sim.model.agents.reviewers.politics import PoliticalHold
from sim.model.deal import DealStage
from sim.model.kinds import Overrides, ReviewerKind, at_minimum, register_reviewer, zeros
from sim.model.moments import (
    Applied,
    ConsentNeeded,
    DealAgreed,
    DealChosen,
    DealSigned,
    HostAction,
    NewTerms,
    SigningCleared,
    TensionChanged,
    on,
)
from sim.model.randomness import choice_probabilities, draw_duration, logit_choice, odds_text
from sim.narrative import EventName, SpanName
from sim.scenario.schema import CatalogueUpdate, ExportLicence, meets, score


class ExportLicenceReviewer(Reviewer):
    """Keeps the catalogue and the consent rule, and rules on letters of intent and licences.

    When it rules on a letter it grants or denies by a logit whose grant utility weighs the
    terms (``utility.terms``: the algorithm's transfer, the stake the seller keeps...), the
    tension between the governments and its public stance.
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
        self.routine = 0  # the routine handling drawn at the application (working days): a released hold takes it

    # --- what a deal needs --------------------------------------------------------------------

    def applies(self, structure_id: str, bidder_id: str) -> bool:
        """Whether a deal with this structure needs the ministry's consent."""
        if self.applies_to == "listed_technology":
            return self.exports_listed(structure_id)
        return super().applies(structure_id, bidder_id)

    def exports_listed(self, structure_id: str) -> bool:
        """Whether a deal with this structure exports a technology in the catalogue."""
        if not meets(self.spec.exports_when, self.view.structure(structure_id)):
            return False
        return not self.catalogue.isdisjoint(self.view.scenario.seller.technologies)

    def letter_utilities(self, structure_id: str) -> dict[str, float]:
        """Utilities of granting and denying these terms now."""
        return grant_utilities(self.spec.utility, self.view, structure_id)

    def approval_belief(self, structure_id: str, bidder_id: str) -> float:
        """The chance of consent the seller reads from the rules: 1 if none is needed, else P(grant)."""
        if not self.applies(structure_id, bidder_id):
            return 1.0
        return choice_probabilities(self.letter_utilities(structure_id))["grant"]

    @property
    def blocks_signing(self) -> bool:
        """No binding contract before the letter of intent."""
        return self.needed and not self.letter_granted

    @on(NewTerms)
    def new_terms(self, moment: NewTerms) -> None:
        """New terms need a new application."""
        super().new_terms(moment)
        self.letter_applied = self.letter_granted = self.licence_applied = False
        self.hold.held = False

    # --- the deal's moments -------------------------------------------------------------------

    @on(DealChosen)
    def deal_chosen(self, moment: DealChosen) -> None:
        """Terms were chosen: if they need consent, the seller prepares the application for the letter."""
        super().deal_chosen(moment)
        if self.needed:
            self.apply_for_letter()

    @on(DealAgreed)
    def deal_agreed(self, moment: DealAgreed) -> None:
        """Nothing happens here at the agreement: the letter was applied for when the terms were chosen."""

    @on(DealSigned)
    def deal_signed(self, moment: DealSigned) -> None:
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
        self.timeline.open(SpanName.LETTER_APPLICATION, self.actor_id, responsible="seller")
        self.announce(ConsentNeeded(self.actor_id, self.view.deal.version))

    def apply_for_licence(self) -> None:
        """The seller applies for the licence itself, with the signed contract."""
        if not self.licence_applied:
            self.licence_applied = True
            self.receive_licence_application(self.view.deal.version)

    # --- dated events -------------------------------------------------------------------------

    def update_catalogue(self, event: CatalogueUpdate) -> None:
        """Add technologies to the catalogue; a deal that exports one now needs a licence."""
        self.catalogue.update(event.adds)
        what = event.description or ", ".join(event.adds)
        self.rule_changed(
            EventName.CATALOGUE_UPDATE, f"adds {what} to its catalogue of technologies restricted from export"
        )

    # --- stage 1: the letter of intent --------------------------------------------------------

    @on(Applied)
    def receive_letter_application(self, moment: Applied) -> None:
        """The seller applies for the letter of intent: routine handling, or a political hold."""
        if moment.reviewer != self.actor_id or not self.current(moment.version):
            return
        version = moment.version
        self.letter_start = self.today
        self.timeline.close(SpanName.LETTER_APPLICATION, self.actor_id)
        self.routine = draw_duration(self.rng, self.spec.review_days)  # drawn either way (common random numbers)
        day = self.day_after(self.routine, self.spec.review_days.unit)
        political, p = self.hold.political_now()
        if political:
            self.hold.start(
                EventName.POLITICAL_HOLD,
                f"handles the application for the {self.view.deal_name()} politically: no clock, no decision "
                f"until a host action moves it (tension {self.view.tension:.2f}, p={p:.2f})",
            )
            return
        self.timeline.open(SpanName.LETTER_REVIEW, self.actor_id)
        self.clock.schedule(day, self.decide_letter, version)
        self.log(
            EventName.LETTER_APPLICATION,
            f"handles the application routinely; letter of intent due {self.clock.date_of(day)} (p(political)={p:.2f})",
        )

    @on(HostAction)
    def host_action(self, moment: HostAction) -> None:
        """A host action: a political hold may end now, with a ruling."""
        if not self.letter_granted:
            self.hold.consider_release(moment.action)

    @on(TensionChanged)
    def tension_changed(self, moment: TensionChanged) -> None:
        """A change of tension may end a political hold, where the scenario says so."""
        if not self.letter_granted:
            self.hold.consider_tension(moment.delta)

    def hold_ended(self) -> None:
        """The political hold ended: the application goes to routine handling, and the letter is ruled on its clock."""
        day = self.day_after(self.routine, self.spec.review_days.unit)
        self.timeline.open(SpanName.LETTER_REVIEW, self.actor_id)
        self.clock.schedule(day, self.decide_letter, self.view.deal.version)
        self.log(
            EventName.LETTER_APPLICATION,
            f"takes the application up routinely; letter of intent due {self.clock.date_of(day)}",
        )

    def decide_letter(self, version: int) -> None:
        """Grant or deny the letter of intent."""
        if not self.current(version):
            return
        deal = self.view.deal
        self.timeline.close(SpanName.LETTER_REVIEW, self.actor_id)
        choice, probs = logit_choice(self.rng, self.letter_utilities(deal.chosen_structure))
        why = f"tension {self.view.tension:.2f}, stance {self.view.stance:.2f}; {odds_text(probs)}"
        self.decided_days["letter"] = self.today - (self.letter_start if self.letter_start is not None else self.today)
        if choice == "grant":
            self.letter_granted = True
            self.log(EventName.LETTER_GRANTED, f"grants the letter of intent for the {self.view.deal_name()} ({why})")
            if deal.stage is DealStage.SIGNED:
                self.apply_for_licence()
            else:
                self.announce(SigningCleared(self.actor_id, version))
        else:
            self.log(EventName.LICENCE_DENIED, f"denies consent to the {self.view.deal_name()} ({why})")
            self.reject()

    # --- stage 2: the licence -----------------------------------------------------------------

    def receive_licence_application(self, version: int) -> None:
        """After signing, the seller applies for the licence itself."""
        self.licence_start = self.today
        self.timeline.open(SpanName.LICENCE_REVIEW, self.actor_id)
        day = self.after(self.spec.licence_days, self.decide_licence, version)
        self.log(EventName.LICENCE_APPLICATION, f"receives the signed contract; licence due {self.clock.date_of(day)}")

    def decide_licence(self, version: int) -> None:
        """Grant the licence (likely, once the letter was given) or deny it."""
        if not self.current(version):
            return
        self.timeline.close(SpanName.LICENCE_REVIEW, self.actor_id)
        self.decided_days["licence"] = self.today - (
            self.licence_start if self.licence_start is not None else self.today
        )
        p = self.spec.p_grant_after_letter
        if self.chance(p):
            self.approve(EventName.LICENCE_GRANTED, f"grants the export licence (p={p:.2f})")
        else:
            self.log(EventName.LICENCE_DENIED, f"denies the licence after the contract review (p={1 - p:.2f})")
            self.reject()


def grant_utilities(u: Any, view: Any, structure_id: str) -> dict[str, float]:
    """Utilities of granting and denying terms now, by a licence's ``utility`` (a consent shares it)."""
    grant = (
        score(u.terms, view.structure(structure_id), start=u.grant)
        + u.tension * view.tension
        + u.stance * view.stance
        + u.new_administration * view.administration_changing
    )
    return {"grant": grant, "deny": u.deny}


def grant_neutral(rid: str, r: Any) -> Overrides:
    """Every weight of a licence's (or a consent's) grant-or-deny choice and its political handling at zero."""
    return {
        **zeros(f"reviewers.{rid}.utility", "grant", "tension", "stance", "new_administration", "deny"),
        **{
            f"reviewers.{rid}.utility.terms.{dim}": dict.fromkeys(w, 0) if isinstance(w, dict) else 0
            for dim, w in r.utility.terms.items()
        },
        **_political_neutral(f"reviewers.{rid}", r.political),
    }


def _political_neutral(at: str, political: Any) -> Overrides:
    """A political handling's weights at zero: as likely handled politically as not, a hold as likely to end."""
    if political is None:
        return {}
    out = zeros(f"{at}.political", "base", "tension")
    out.update(
        zeros(f"{at}.political.release", *(k for k, v in political.release.model_dump().items() if v is not None))
    )
    return out


def _fastest(rid: str, r: Any) -> Overrides:
    at = f"reviewers.{rid}"
    return {
        f"{at}.political.base": -50,
        **{f"{at}.{d}": at_minimum(getattr(r, d)) for d in ("application_days", "review_days", "licence_days")},
    }


def _consenting(rid: str, r: Any) -> Overrides:
    at = f"reviewers.{rid}"
    return {f"{at}.utility.grant": 50, f"{at}.utility.deny": -50, f"{at}.p_grant_after_letter": 1}


register_reviewer(
    ReviewerKind(
        schema=ExportLicence,
        agent=ExportLicenceReviewer,
        stages={
            SpanName.LETTER_APPLICATION: ("application_days",),
            SpanName.LETTER_REVIEW: ("review_days",),
            SpanName.LICENCE_REVIEW: ("licence_days",),
        },
        waits=(SpanName.LETTER_HOLD,),
        fastest=_fastest,
        consenting=_consenting,
        at_once=lambda rid, r: {**_consenting(rid, r), **_fastest(rid, r)},
        neutral=grant_neutral,
        not_decisions=("p_grant_after_letter",),  # the licence after a letter: a formality, left as the scenario says
    )
)
