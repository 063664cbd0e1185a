"""Investment screening (CFIUS), in the legal frame the reviewer's kind names.

* ``order``: the reviewer judges a notified sale by a divestiture order's own test (no statutory
  clock). It can approve, ask for changes, object, or say nothing; a structure that fails the
  order's divestment test is approved only through mitigation it accepts.
* ``section_721``: a covered transaction on the statutory clocks (10 business days to accept the
  notice, 45-day review, 45-day investigation, +15, 15 days for the President). Every decision
  falls inside its filing's window; withdrawing and refiling starts a new filing.

See ``../shared/domain/legal-frames.md`` (sections 2 and 4) and docs/model.md.
"""

from __future__ import annotations

from typing import Any

from sim.model.agents.reviewers.base import Reviewer
from sim.model.kinds import Overrides, ReviewerKind, at_minimum, register_reviewer, zeros
from sim.model.moments import (
    BlockRecommended,
    DeclaredCompliant,
    FacesPresident,
    Filed,
    NewTerms,
    PresidentDecided,
    Referred,
    Revised,
    Silent,
    on,
)
from sim.model.randomness import logistic, logit_choice, odds_text
from sim.narrative import EventName, SpanName
from sim.scenario.schema import CoveredTransaction, OrderReview, meets, score

HOST_SPANS = (
    SpanName.HOST_PREFILING,
    SpanName.HOST_FILING,
    SpanName.HOST_REVIEW,
    SpanName.HOST_INVESTIGATION,
    SpanName.HOST_MITIGATION,
    SpanName.HOST_SILENCE,
)


class InvestmentReviewer(Reviewer):
    """What both investment-screening frames share: the acceptance index, filing, shelving.

    Its view of a deal's terms is an acceptance index in logit units (:meth:`acceptance`): a
    weighted sum of the terms, the buyer's standing, the executive's blessing and the rounds of
    changes the parties made. Each frame turns that index into decisions its own way.
    """

    def __init__(self, model, reviewer_id: str, spec):
        super().__init__(model, reviewer_id, spec)
        self.files_at = spec.files_at
        self.filings = 0  # notices (order) or filings (section 721) of the current terms
        self.rounds = 0  # rounds of changes (order) or refiles (section 721) of the current terms
        self._terms: dict[str, float] = {}  # a structure's terms as this reviewer weighs them (fixed in a run)
        self.declared: frozenset[str] = frozenset()  # structures the executive declared compliant

    def acceptance(self, structure_id: str, bidder_id: str, blessed: bool, rounds: int = 0) -> float:
        """Acceptance index of a deal's terms (logit units; higher means likelier approval)."""
        a = self.spec.acceptance
        terms = self._terms.get(structure_id)
        if terms is None:
            terms = self._terms[structure_id] = score(a.terms, self.view.structure(structure_id), start=a.base)
        standing = self.view.buyer(bidder_id).standing
        return (
            terms + a.standing * standing + a.blessed * blessed + self.spec.mitigation_gain * rounds + self.stance_shift
        )

    def approval_belief(self, structure_id: str, bidder_id: str) -> float:
        """The chance of approval the seller reads from the terms: logistic of acceptance."""
        if not self.applies(structure_id, bidder_id) or structure_id in self.declared:
            return 1.0
        return logistic(self.acceptance(structure_id, bidder_id, blessed=False))

    def deal_acceptance(self) -> float:
        """The acceptance index of the deal as it stands."""
        deal = self.view.deal
        return self.acceptance(deal.chosen_structure, deal.chosen_bidder, deal.blessed, self.rounds)

    def idle(self, version: int) -> bool:
        """Whether a step scheduled for ``version`` no longer applies (stale terms, a shelved review, terms cleared)."""
        return not self.current(version) or self.shelved or self.approved

    @on(NewTerms)
    def new_terms(self, moment: NewTerms) -> None:
        """The deal was restructured: what was notified or filed no longer applies."""
        super().new_terms(moment)
        self.filings = 0
        self.rounds = 0

    @on(DeclaredCompliant)
    def declared_compliant(self, moment: DeclaredCompliant) -> None:
        """The executive declared structures compliant: a deal with one of them, filed, is cleared now."""
        self.declared |= frozenset(moment.structures)
        if self.filed and not self.approved and self.view.deal.stage.in_progress:
            self.clear_declared()

    def file(self) -> None:
        """A deal with a structure the executive declared compliant is cleared on filing."""
        if self.needed and not self.filed and self.view.deal.chosen_structure in self.declared:
            self.filed = True
            self.clear_declared()
            return
        super().file()

    def clear_declared(self) -> None:
        """Clear the deal by the executive's declaration, if its structure is one it declared."""
        if self.view.deal.chosen_structure not in self.declared:
            return
        self.shelved = False  # the declaration is the administration's own determination
        for span in HOST_SPANS:
            self.timeline.close(span, self.actor_id)
        self.approve_deal(f"clears the {self.view.deal_name()}: the executive declared its structure compliant")

    def shelve(self) -> None:
        """A new administration shelves the pending review until the horizon."""
        if self.approved:
            return
        self.shelved = True
        for span in HOST_SPANS:
            self.timeline.close(span, self.actor_id)

    def approve_deal(self, reason: str) -> None:
        """Clear the deal."""
        self.approve(EventName.HOST_APPROVAL, reason)

    def parties_file(self, event: EventName, detail: str) -> None:
        """The parties file with this reviewer: their act, in the seller's name."""
        self.announce(Filed(self.actor_id, event.value, detail))


class OrderReviewer(InvestmentReviewer):
    """Reviews a notified sale under a divestiture order (``kind: order``)."""

    def passes_test(self, structure_id: str) -> bool:
        """Whether a structure passes the order's divestment test."""
        return meets(self.spec.divestment_test, self.view.structure(structure_id))

    def start_review(self, version: int) -> None:
        """The seller notifies the intended buyer and terms."""
        self.notify(version)

    def notify(self, version: int) -> None:
        """A notice (or revised terms); the answer comes in ``response_days``."""
        if self.idle(version):
            return
        self.filings += 1
        self.timeline.close(SpanName.HOST_MITIGATION, self.actor_id)
        self.timeline.open(SpanName.HOST_REVIEW, self.actor_id)
        if self.review_start is None:
            self.review_start = self.today
        what = "notifies" if self.filings == 1 else "sends revised terms of"
        self.parties_file(EventName.FILING, f"{what} the {self.view.deal_name()} to {self.label}")
        self.after(self.spec.response_days, self.answer, version)

    def options(self) -> dict[str, float]:
        """Utilities of the reviewer's answers to the notified terms."""
        rule = self.spec
        deal = self.view.deal
        a = self.deal_acceptance()
        options: dict[str, float] = {}
        if self.passes_test(deal.chosen_structure):
            options["approve"] = a + rule.approve
        else:
            options["accept_mitigation"] = a + rule.accept_mitigation
        if self.rounds < rule.max_rounds:
            options["ask_changes"] = rule.ask_changes
        options["object"] = rule.object - a
        options["silent"] = rule.silent
        return options

    def answer(self, version: int) -> None:
        """Answer the notified terms: approve, accept mitigation, ask for changes, object, or stay silent."""
        if self.idle(version):
            return
        self.timeline.close(SpanName.HOST_REVIEW, self.actor_id)
        deal = self.view.deal
        passes = "passes" if self.passes_test(deal.chosen_structure) else "fails"
        choice, probs = logit_choice(self.rng, self.options())
        why = f"the structure {passes} the divestment test; {odds_text(probs)}"
        if choice == "approve":
            self.approve_deal(f"approves the {self.view.deal_name()} under the order ({why})")
        elif choice == "accept_mitigation":
            self.log(EventName.MITIGATION_ACCEPTED, f"accepts mitigation of the {self.view.deal_name()} ({why})")
            self.approve_deal("approves it with the mitigation")
        elif choice == "ask_changes":
            self.rounds += 1
            self.timeline.open(SpanName.HOST_MITIGATION, self.actor_id, responsible="seller")
            day = self.after(self.spec.revision_days, self.notify, version)
            self.log(
                EventName.CHANGES_ASKED,
                f"asks for changes, round {self.rounds}; revised terms by {self.clock.date_of(day)} ({why})",
            )
        elif choice == "object":
            self.log(EventName.OBJECTION, f"objects to the {self.view.deal_name()} ({why})")
            self.reject()
        else:
            self.timeline.open(SpanName.HOST_SILENCE, self.actor_id)
            self.log(EventName.SILENCE, f"gives no answer on the {self.view.deal_name()} ({why})")
            if self.spec.after_silence is not None:
                self.announce(Silent(self.actor_id, version))

    @on(Revised)
    def revised(self, moment: Revised) -> None:
        """The parties answered the silence with revised terms: a new notice, answered again."""
        if moment.reviewer != self.actor_id or self.idle(moment.version):
            return
        self.timeline.close(SpanName.HOST_SILENCE, self.actor_id)
        self.notify(moment.version)


class CoveredTransactionReviewer(InvestmentReviewer):
    """Reviews a covered transaction on the section 721 clocks (``kind: section_721``)."""

    def __init__(self, model, reviewer_id: str, spec):
        super().__init__(model, reviewer_id, spec)
        self.window_end: int | None = None  # the last day of the current filing's window

    @on(NewTerms)
    def new_terms(self, moment: NewTerms) -> None:
        """The deal was restructured: a new filing will have its own window."""
        super().new_terms(moment)
        self.window_end = None

    def start_review(self, version: int) -> None:
        """The parties file a notice, after pre-filing consultations if the scenario has them."""
        if self.spec.prefiling_days is None:
            self.file_notice(version)
        else:
            self.timeline.open(SpanName.HOST_PREFILING, self.actor_id, responsible="seller")
            self.after(self.spec.prefiling_days, self.file_notice, version)

    def file_notice(self, version: int) -> None:
        """A new filing: the clock starts once the notice is accepted."""
        if self.idle(version):
            return
        self.filings += 1
        self.timeline.close(SpanName.HOST_PREFILING, self.actor_id)
        self.timeline.close(SpanName.HOST_MITIGATION, self.actor_id)
        self.timeline.open(SpanName.HOST_FILING, self.actor_id, responsible="seller")
        what = "file" if self.filings == 1 else "refile"
        self.parties_file(EventName.FILING, f"The parties {what} the {self.view.deal_name()} with {self.label}")
        self.after(self.spec.filing_days, self.accept_notice, version)

    def accept_notice(self, version: int) -> None:
        """The notice is accepted: the review begins; the filing's window is now known."""
        if self.idle(version):
            return
        rule = self.spec
        self.timeline.close(SpanName.HOST_FILING, self.actor_id)
        self.timeline.open(SpanName.HOST_REVIEW, self.actor_id)
        if self.review_start is None:
            self.review_start = self.today
        day = self.after(rule.review_days, self.end_review, version)
        statutory = rule.review_days.max or rule.review_days.median
        longest = (rule.investigation_days.max or rule.investigation_days.median) + (
            rule.extension_days.max if rule.extension_days.max is not None else rule.extension_days.median
        )
        self.window_end = self.today + round(statutory + longest)
        self.log(
            EventName.REVIEW_START,
            f"accepts the notice; the review ends by {self.clock.date_of(day)}, "
            f"any decision by {self.clock.date_of(self.window_end)}",
        )

    def end_review(self, version: int) -> None:
        """End of the review phase: clear, or open an investigation."""
        if self.idle(version):
            return
        rule = self.spec
        self.timeline.close(SpanName.HOST_REVIEW, self.actor_id)
        a = self.deal_acceptance()
        p = logistic(a + rule.clear_in_review)
        if self.chance(p):
            self.approve_deal(f"clears it at the end of the review phase (acceptance {a:+.2f}, p={p:.2f})")
            return
        self.timeline.open(SpanName.HOST_INVESTIGATION, self.actor_id)
        day = self.days_from_now(rule.investigation_days)
        self.log(EventName.INVESTIGATION, f"opens an investigation (acceptance {a:+.2f}, p(clear)={p:.2f})")
        if rule.extension_days.max != 0 and self.chance(rule.p_extension):  # max 0: no extension in law (before 2018)
            extra = self.days_from_now(rule.extension_days) - self.today
            day += extra
            self.log(EventName.INVESTIGATION_EXTENDED, f"extends the investigation by {extra} days")
        assert self.window_end is not None, "accept_notice() set the filing's window"
        self.clock.schedule(min(day, self.window_end), self.decide, version)

    def decide(self, version: int) -> None:
        """End of the investigation: approve, recommend blocking, or let the parties refile."""
        if self.idle(version):
            return
        rule = self.spec
        self.timeline.close(SpanName.HOST_INVESTIGATION, self.actor_id)
        a = self.deal_acceptance()
        options = {"approve": a, "block": -a}
        if self.rounds < rule.max_refiles:
            options["refile"] = rule.refile
        choice, probs = logit_choice(self.rng, options)
        if choice == "approve":
            self.approve_deal(f"approves (acceptance {a:+.2f}; {odds_text(probs)})")
        elif choice == "refile":
            self.rounds += 1
            self.timeline.open(SpanName.HOST_MITIGATION, self.actor_id, responsible="seller")
            day = self.after(rule.refile_days, self.file_notice, version)
            self.log(
                EventName.WITHDRAW_REFILE,
                f"lets the parties withdraw and refile with mitigated terms (refile {self.rounds}, "
                f"by {self.clock.date_of(day)}; {odds_text(probs)})",
            )
        else:
            self.log(
                EventName.BLOCK_RECOMMENDED,
                f"will recommend that the President block the {self.view.deal_name()} "
                f"(acceptance {a:+.2f}; {odds_text(probs)})",
            )
            self.announce_recommendation(version)

    def announce_recommendation(self, version: int) -> None:
        """Tell the parties: they abandon the deal or let it go to the President (their choice)."""
        self.announce(BlockRecommended(self.actor_id, version, self.spec.p_abandon))

    @on(FacesPresident)
    def refer(self, moment: FacesPresident) -> None:
        """The parties did not abandon the deal: refer it to the President."""
        if moment.reviewer != self.actor_id or self.idle(moment.version):
            return
        self.log(EventName.REFERRAL, f"refers the {self.view.deal_name()} to the President to block it")
        self.announce(Referred(self.actor_id, moment.version))

    @on(PresidentDecided)
    def president_decided(self, moment: PresidentDecided) -> None:
        """The President blocked the deal (final), or declined to (the deal is cleared)."""
        if moment.reviewer != self.actor_id or not self.current(moment.version):
            return
        if moment.blocks:
            self.reject(final=True)
        else:
            self.approve_deal("approves: the President declined to block")


# --- the kinds' entries ---------------------------------------------------------------------


def _acceptance_neutral(rid: str, r: Any) -> Overrides:
    at = f"reviewers.{rid}"
    out = zeros(f"{at}.acceptance", "base", "standing", "blessed")
    out.update({f"{at}.acceptance.terms.{dim}": _zero_weight(w) for dim, w in r.acceptance.terms.items()})
    out[f"{at}.mitigation_gain"] = 0
    return out


def _zero_weight(w: Any) -> Any:
    return dict.fromkeys(w, 0) if isinstance(w, dict) else 0


register_reviewer(
    ReviewerKind(
        schema=OrderReview,
        agent=OrderReviewer,
        stages={SpanName.HOST_REVIEW: ("response_days",), SpanName.HOST_MITIGATION: ("revision_days",)},
        waits=(SpanName.HOST_SILENCE,),
        fastest=lambda rid, r: {
            f"reviewers.{rid}.response_days": at_minimum(r.response_days),
            f"reviewers.{rid}.silent": -50,
            f"reviewers.{rid}.ask_changes": -50,
        },
        consenting=lambda rid, r: {f"reviewers.{rid}.approve": 50, f"reviewers.{rid}.accept_mitigation": 50},
        at_once=lambda rid, r: {
            f"reviewers.{rid}.approve": 50,
            f"reviewers.{rid}.accept_mitigation": 50,
            f"reviewers.{rid}.response_days": at_minimum(r.response_days),
        },
        neutral=lambda rid, r: {
            **_acceptance_neutral(rid, r),
            **zeros(f"reviewers.{rid}", "approve", "accept_mitigation", "ask_changes", "object", "silent"),
            **({f"reviewers.{rid}.after_silence.p_revise": 0.5} if r.after_silence is not None else {}),
        },
    )
)

register_reviewer(
    ReviewerKind(
        schema=CoveredTransaction,
        agent=CoveredTransactionReviewer,
        stages={
            SpanName.HOST_PREFILING: ("prefiling_days",),
            SpanName.HOST_FILING: ("filing_days",),
            SpanName.HOST_REVIEW: ("review_days",),
            SpanName.HOST_INVESTIGATION: ("investigation_days", "extension_days"),
            SpanName.HOST_MITIGATION: ("refile_days",),
            SpanName.PRESIDENT_DECISION: ("president.decision_days",),
        },
        waits=(),
        fastest=lambda rid, r: {
            f"reviewers.{rid}.filing_days": at_minimum(r.filing_days),
            f"reviewers.{rid}.review_days": at_minimum(r.review_days),
            f"reviewers.{rid}.refile": -50,
        },
        consenting=lambda rid, r: {f"reviewers.{rid}.clear_in_review": 50},
        at_once=lambda rid, r: {
            f"reviewers.{rid}.clear_in_review": 50,
            f"reviewers.{rid}.filing_days": at_minimum(r.filing_days),
            f"reviewers.{rid}.review_days": at_minimum(r.review_days),
        },
        neutral=lambda rid, r: {
            **_acceptance_neutral(rid, r),
            **zeros(f"reviewers.{rid}", "clear_in_review", "refile"),
            f"reviewers.{rid}.p_abandon": 0.5,
            f"reviewers.{rid}.president.p_block": 0.5,
        },
        not_decisions=("p_extension",),  # whether the statute's extension is used: a pace, left as the scenario says
    )
)
