"""What every reviewer does: decide whether a deal needs it, take the deal when its procedure says, approve or block.

Every reviewer hears the same moments of the deal, in the scenario's order (terms chosen, agreed,
signed, new terms); each kind acts on the moments its procedure names and leaves the others alone.
A reviewer is *satisfied* when the current terms do not need it or it approved them; the deal
closes once it is signed and every reviewer is satisfied.
"""

from __future__ import annotations

from sim.model.agents.base import Actor
from sim.model.moments import (
    AdministrationChanged,
    Approved,
    DealAgreed,
    DealChosen,
    DealSigned,
    HostAction,
    NewTerms,
    Rejected,
    ReviewsShelved,
    TensionChanged,
    on,
)
from sim.narrative import EventName

APPLIES_TO = {
    "none": "no deal",
    "any_sale": "any sale of the business",
    "listed_technology": "a deal exporting a listed technology",
    "foreign_buyer": "a deal with a foreign buyer",
}


class Reviewer(Actor):
    """A government body whose approval the deal may need (``reviewers.<id>``).

    Attributes:
        needed: the current terms need this reviewer (its jurisdiction rule, when they were chosen).
        ever_needed: some terms of the run needed it (not reset by a restructuring).
        approved: it approved the current terms.
        shelved: a new administration shelved its review (a host reviewer; kept across terms).
        decided_days: days its decisions took from their start (``licence``, ``letter`` or its id),
            for the run's record.
    """

    files_at: str | None = None  # the deal moment its procedure starts at (agreement, signing), if any

    def __init__(self, model, reviewer_id: str, spec):
        super().__init__(model, reviewer_id, spec.label)
        self.spec = spec
        self.side = spec.side
        self.applies_to = spec.applies_to
        self.count_working_days(spec.calendar, spec.holidays)
        self.needed = False
        self.ever_needed = False
        self.approved = False
        self.shelved = False
        self.filed = False
        self.stance_shift = 0.0  # what a new administration added to this reviewer's stance (logit)
        self.review_start: int | None = None
        self.decided_days: dict[str, int] = {}

    # --- jurisdiction -------------------------------------------------------------------------

    def applies(self, structure_id: str, bidder_id: str) -> bool:
        """Whether a deal with these terms must be cleared by this reviewer."""
        if self.applies_to == "foreign_buyer":
            return self.view.buyer(bidder_id).foreign
        return self.applies_to != "none"

    def approval_belief(self, structure_id: str, bidder_id: str) -> float:
        """The chance of approval the seller reads from the rules (1 if the deal does not need it)."""
        return 1.0

    @property
    def state(self) -> str:
        """Not needed, not yet filed, reviewing, held, shelved or approved."""
        hold = getattr(self, "hold", None)
        if not self.needed:
            return "not needed"
        if self.approved:
            return "approved"
        if self.shelved:
            return "shelved"
        if hold is not None and hold.held:
            return "holding (no clock)"
        return "reviewing" if self.filed else "not yet filed"

    @property
    def satisfied(self) -> bool:
        """The current terms do not need this reviewer, or it approved them."""
        return not self.needed or self.approved

    @property
    def blocks_signing(self) -> bool:
        """No binding contract may be signed before this reviewer's consent (an export-licence letter)."""
        return False

    def current(self, version: int) -> bool:
        """Whether a step scheduled for deal ``version`` still applies (the same terms, the sale still on)."""
        deal = self.view.deal
        return version == deal.version and not deal.stage.ended

    # --- the deal's moments -------------------------------------------------------------------

    @on(DealChosen)
    def deal_chosen(self, moment: DealChosen) -> None:
        """Terms were chosen (talks start, or restructured terms are agreed): see whether they need this reviewer."""
        deal = self.view.deal
        self.needed = self.applies(deal.chosen_structure, deal.chosen_bidder)
        self.ever_needed |= self.needed

    @on(DealAgreed)
    def deal_agreed(self, moment: DealAgreed) -> None:
        """The deal was agreed in principle."""
        if self.files_at == "agreement":
            self.file()

    @on(DealSigned)
    def deal_signed(self, moment: DealSigned) -> None:
        """The contract was signed."""
        if self.files_at == "signing":
            self.file()

    def file(self) -> None:
        """The parties bring the deal to this reviewer (once per set of terms)."""
        if self.filed or not self.needed:
            return
        self.filed = True
        self.start_review(self.view.deal.version)

    def start_review(self, version: int) -> None:
        """The procedure starts (each kind its own)."""
        raise NotImplementedError

    def change_jurisdiction(self, applies_to: str, note: str = "") -> None:
        """Which deals need this reviewer changes (a ``jurisdiction_change`` event)."""
        self.applies_to = applies_to
        what = APPLIES_TO[applies_to]
        self.rule_changed(
            EventName.CONSENT_RULE, f"now requires its consent for {what}" + (f" ({note})" if note else "")
        )

    def rule_changed(self, event: EventName, detail: str) -> None:
        """A rule changed: a deal in progress may now need this reviewer."""
        deal = self.view.deal
        caught = deal.stage.in_progress and not self.needed and self.applies(deal.chosen_structure, deal.chosen_bidder)
        self.log(event, detail + (f"; the {self.view.deal_name()} now needs its consent" if caught else ""))
        if caught:
            self.needed = self.ever_needed = True
            self.catch_up()

    def catch_up(self) -> None:
        """A deal caught in progress by a new rule: file now if its moment has passed."""
        stage = self.view.deal.stage.value
        passed = {"agreement": ("agreed_in_principle", "signed"), "signing": ("signed",)}.get(self.files_at or "", ())
        if stage in passed:
            self.file()

    @on(NewTerms)
    def new_terms(self, moment: NewTerms) -> None:
        """The deal was restructured: what was notified or filed no longer applies."""
        self.needed = self.approved = self.filed = False

    # --- decisions ----------------------------------------------------------------------------

    def approve(self, event: EventName, reason: str) -> None:
        """Clear the current terms."""
        self.approved = True
        if self.review_start is not None:
            self.decided_days[self.actor_id] = self.today - self.review_start
        self.log(event, reason)
        self.announce(Approved(self.actor_id, self.view.deal.version))

    def reject(self, final: bool = False) -> None:
        """A no to the current terms: the seller decides what follows (unless ``final``)."""
        self.announce(Rejected(self.actor_id, self.side, self.view.deal.version, final))

    @on(AdministrationChanged)
    def administration_changed(self, moment: AdministrationChanged) -> None:
        """A new host administration took office: it may move this (host) reviewer's stance."""
        executive = self.view.scenario.executive
        stance = executive.new_administration.stance if executive is not None else None
        shift = (stance or {}).get(self.actor_id)
        if shift:
            self.stance_shift += shift
            self.log(EventName.STANCE_SHIFT, f"takes the new administration's line: its stance moves by {shift:+g}")

    @on(ReviewsShelved)
    def reviews_shelved(self, moment: ReviewsShelved) -> None:
        """The new administration shelved the host reviews: a host reviewer's pending review stops."""
        if self.side == "host":
            self.shelve()

    def shelve(self) -> None:
        """A new administration shelves the review until the horizon (host reviewers)."""

    @on(HostAction)
    def host_action(self, moment: HostAction) -> None:
        """A host action (a blessing, an injunction...): a political hold may end now."""

    @on(TensionChanged)
    def tension_changed(self, moment: TensionChanged) -> None:
        """The tension between the governments moved: a political hold may end now."""

    def hold_ended(self) -> None:
        """A political hold ended (``PoliticalHold``): the reviewer takes the case up again."""
