"""The home government's consent to a sale that exports no listed technology: a political approval with no clock.

See ``../shared/domain/legal-frames.md`` (section 3). Once Beijing's consent was treated as needed
for the TikTok deal as a whole (2020-09-19), a structure that transfers nothing in the export
catalogue still needed it, but no licence procedure applied: the technology-export rules' 30 and
15 working days govern the export of listed technology only. So this consent has no statutory
clock: the government holds the case politically until a host action moves it, or takes it up
on a routine ``decision_days`` (an assumption, not a statute); a released hold starts that clock.
It grants or denies by the same utilities as a licence. The consent is needed before the close,
not before signing. Where an export-licence reviewer must clear the deal (``covered_by``), its
licence is the consent and this reviewer stands aside.
"""

from __future__ import annotations

from typing import Any

from sim.model.agents.reviewers.base import Reviewer
from sim.model.agents.reviewers.export_licence import grant_neutral, grant_utilities
from sim.model.agents.reviewers.politics import PoliticalHold
from sim.model.kinds import Overrides, ReviewerKind, at_minimum, register_reviewer
from sim.model.moments import Applied, ConsentNeeded, DealAgreed, DealChosen, HostAction, NewTerms, TensionChanged, on
from sim.model.randomness import choice_probabilities, draw_duration, logit_choice, odds_text
from sim.narrative import EventName, SpanName
from sim.scenario.schema import Consent


class ConsentReviewer(Reviewer):
    """Grants, denies or holds a political consent to the sale (``kind: consent``)."""

    files_at = "agreement"

    def __init__(self, model, reviewer_id: str, spec):
        super().__init__(model, reviewer_id, spec)
        self.hold = PoliticalHold(self, spec.political, SpanName.CONSENT_HOLD)
        self.applied = False
        self.routine = 0  # the routine handling drawn at the application: a released hold takes it
        self.start: int | None = None

    def applies(self, structure_id: str, bidder_id: str) -> bool:
        """Whether the deal needs this consent: its rule says so, and no licence reviewer's licence stands for it."""
        if not super().applies(structure_id, bidder_id):
            return False
        cover = self.spec.covered_by
        return cover is None or not self.view.needs(cover, structure_id, bidder_id)

    def utilities(self, structure_id: str) -> dict[str, float]:
        """Utilities of granting and denying these terms now (a licence's, ``grant_utilities``)."""
        return grant_utilities(self.spec.utility, self.view, structure_id)

    def approval_belief(self, structure_id: str, bidder_id: str) -> float:
        """The chance of consent the seller reads from the rules: 1 if none is needed, else P(grant)."""
        if not self.applies(structure_id, bidder_id):
            return 1.0
        return choice_probabilities(self.utilities(structure_id))["grant"]

    @on(NewTerms)
    def new_terms(self, moment: NewTerms) -> None:
        """New terms need a new application."""
        super().new_terms(moment)
        self.applied = False
        self.hold.held = False

    @on(DealChosen)
    def deal_chosen(self, moment: DealChosen) -> None:
        """Terms were chosen: see whether they need the consent."""
        super().deal_chosen(moment)

    @on(DealAgreed)
    def deal_agreed(self, moment: DealAgreed) -> None:
        """Agreed: the seller prepares the application."""
        if self.needed:
            self.file()

    def catch_up(self) -> None:
        """A deal caught in progress by the consent rule applies now, if it was agreed."""
        if self.view.deal.agreed_day is not None:
            self.file()

    def start_review(self, version: int) -> None:
        """The seller prepares and files the application."""
        if self.applied:
            return
        self.applied = True
        self.timeline.open(SpanName.CONSENT_APPLICATION, self.actor_id, responsible="seller")
        self.announce(ConsentNeeded(self.actor_id, version))

    @on(Applied)
    def receive_application(self, moment: Applied) -> None:
        """The application arrives: a political hold, or routine handling on ``decision_days``."""
        if moment.reviewer != self.actor_id or not self.current(moment.version):
            return
        self.start = self.today
        self.timeline.close(SpanName.CONSENT_APPLICATION, self.actor_id)
        self.routine = draw_duration(self.rng, self.spec.decision_days)  # drawn either way (common random numbers)
        political, p = self.hold.political_now()
        if political:
            self.hold.start(
                EventName.POLITICAL_HOLD,
                f"holds the {self.view.deal_name()} politically: no clock, no decision until a host action moves it "
                f"(tension {self.view.tension:.2f}, p={p:.2f})",
            )
            return
        self.take_up(f"takes up the {self.view.deal_name()} routinely (p(political)={p:.2f})")

    def take_up(self, why: str) -> None:
        """Routine handling: the decision comes after the routine days drawn at the application."""
        day = self.day_after(self.routine, self.spec.decision_days.unit)
        self.timeline.open(SpanName.CONSENT_REVIEW, self.actor_id)
        self.clock.schedule(day, self.decide, self.view.deal.version)
        self.log(EventName.CONSENT_APPLICATION, f"{why}; a decision by {self.clock.date_of(day)}")

    @on(HostAction)
    def host_action(self, moment: HostAction) -> None:
        """A host action may end a political hold."""
        self.hold.consider_release(moment.action)

    @on(TensionChanged)
    def tension_changed(self, moment: TensionChanged) -> None:
        """A change of tension may end a political hold, where the scenario says so."""
        self.hold.consider_tension(moment.delta)

    def hold_ended(self) -> None:
        """The hold ended: the case goes to routine handling (no ruling on the spot)."""
        self.take_up("takes the application up")

    def decide(self, version: int) -> None:
        """Grant or deny the consent."""
        if not self.current(version) or self.approved:
            return
        self.timeline.close(SpanName.CONSENT_REVIEW, self.actor_id)
        choice, probs = logit_choice(self.rng, self.utilities(self.view.deal.chosen_structure))
        why = f"tension {self.view.tension:.2f}, stance {self.view.stance:.2f}; {odds_text(probs)}"
        self.decided_days["consent"] = self.today - (self.start if self.start is not None else self.today)
        if choice == "grant":
            self.approve(EventName.CONSENT_GRANTED, f"consents to the {self.view.deal_name()} ({why})")
        else:
            self.log(EventName.CONSENT_DENIED, f"refuses its consent to the {self.view.deal_name()} ({why})")
            self.reject()


def _fastest(rid: str, r: Any) -> Overrides:
    at = f"reviewers.{rid}"
    return {
        f"{at}.political.base": -50,
        f"{at}.application_days": at_minimum(r.application_days),
        f"{at}.decision_days": at_minimum(r.decision_days),
    }


def _consenting(rid: str, r: Any) -> Overrides:
    return {f"reviewers.{rid}.utility.grant": 50, f"reviewers.{rid}.utility.deny": -50}


register_reviewer(
    ReviewerKind(
        schema=Consent,
        agent=ConsentReviewer,
        stages={
            SpanName.CONSENT_APPLICATION: ("application_days",),
            SpanName.CONSENT_REVIEW: ("decision_days",),
        },
        waits=(SpanName.CONSENT_HOLD,),
        fastest=_fastest,
        consenting=_consenting,
        at_once=lambda rid, r: {**_consenting(rid, r), **_fastest(rid, r)},
        neutral=grant_neutral,
    )
)
