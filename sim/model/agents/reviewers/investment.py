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

from sim.model.agents.reviewers.base import Reviewer
from sim.model.randomness import logistic, logit_choice, odds_text
from sim.narrative import EventName, SpanName

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

    def acceptance(self, structure_id: str, bidder_id: str, blessed: bool, rounds: int = 0) -> float:
        """Acceptance index of a deal's terms (logit units; higher means likelier approval)."""
        a = self.spec.acceptance
        terms = self.model.deal_scenario.structures[structure_id]
        standing = self.model.buyer_spec(bidder_id).standing
        return (
            a.base
            + a.seller_stake * terms.seller_stake
            + a.algorithm.get(terms.algorithm, 0.0)
            + a.operational_tie * terms.operational_tie
            + a.data_custody.get(terms.data_custody, 0.0)
            + a.source_code_audit * terms.source_code_audit
            + a.standing * standing
            + a.blessed * blessed
            + self.spec.mitigation_gain * rounds
        )

    def approval_belief(self, structure_id: str, bidder_id: str) -> float:
        """The chance of approval the seller reads from the terms: logistic of acceptance."""
        if not self.applies(structure_id, bidder_id):
            return 1.0
        return logistic(self.acceptance(structure_id, bidder_id, blessed=False))

    def deal_acceptance(self) -> float:
        """The acceptance index of the deal as it stands."""
        deal = self.model.deal
        return self.acceptance(deal.structure, deal.bidder, deal.blessed, self.rounds)

    def idle(self, version: int) -> bool:
        """Whether a step scheduled for ``version`` no longer applies (stale terms, or a shelved review)."""
        return self.model.stale(version) or self.shelved

    def new_terms(self) -> None:
        """The deal was restructured: what was notified or filed no longer applies."""
        super().new_terms()
        self.filings = 0
        self.rounds = 0

    def shelve(self) -> None:
        """A new administration shelves the pending review until the horizon."""
        if self.approved:
            return
        self.shelved = True
        for span in HOST_SPANS:
            self.model.close_span(span, self.actor_id)
        self.model.executive.log(EventName.REVIEW_SHELVED, f"shelves the review of the {self.model.deal_name()}")

    def approve_deal(self, reason: str) -> None:
        """Clear the deal."""
        self.approve(EventName.HOST_APPROVAL, reason)


class OrderReviewer(InvestmentReviewer):
    """Reviews a notified sale under a divestiture order (``kind: order``)."""

    def passes_test(self, structure_id: str) -> bool:
        """Whether a structure passes the order's divestment test."""
        test = self.spec.divestment_test
        terms = self.model.deal_scenario.structures[structure_id]
        return (
            terms.seller_stake <= test.max_seller_stake
            and terms.algorithm in test.algorithm
            and terms.data_custody in test.data_custody
            and (test.operational_tie or not terms.operational_tie)
        )

    def start_review(self, version: int) -> None:
        """The seller notifies the intended buyer and terms."""
        self.notify(version)

    def notify(self, version: int) -> None:
        """A notice (or revised terms); the answer comes in ``response_days``."""
        if self.idle(version):
            return
        self.filings += 1
        self.model.close_span(SpanName.HOST_MITIGATION, self.actor_id)
        self.model.open_span(SpanName.HOST_REVIEW, self.actor_id, self.actor_id)
        if self.review_start is None:
            self.review_start = self.today
        what = "notifies" if self.filings == 1 else "sends revised terms of"
        self.model.seller.log(EventName.FILING, f"{what} the {self.model.deal_name()} to {self.label}")
        self.after(self.spec.response_days, self.answer, version)

    def options(self) -> dict[str, float]:
        """Utilities of the reviewer's answers to the notified terms."""
        rule = self.spec
        deal = self.model.deal
        a = self.deal_acceptance()
        options: dict[str, float] = {}
        if self.passes_test(deal.structure):
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
        self.model.close_span(SpanName.HOST_REVIEW, self.actor_id)
        deal = self.model.deal
        passes = "passes" if self.passes_test(deal.structure) else "fails"
        choice, probs = logit_choice(self.rng, self.options())
        why = f"the structure {passes} the divestment test; {odds_text(probs)}"
        if choice == "approve":
            self.approve_deal(f"approves the {self.model.deal_name()} under the order ({why})")
        elif choice == "accept_mitigation":
            self.log(EventName.MITIGATION_ACCEPTED, f"accepts mitigation of the {self.model.deal_name()} ({why})")
            self.approve_deal("approves it with the mitigation")
        elif choice == "ask_changes":
            self.rounds += 1
            self.model.open_span(SpanName.HOST_MITIGATION, "seller", self.actor_id)
            day = self.after(self.spec.revision_days, self.notify, version)
            self.log(
                EventName.CHANGES_ASKED,
                f"asks for changes, round {self.rounds}; revised terms by {self.model.date_of(day)} ({why})",
            )
        elif choice == "object":
            self.log(EventName.OBJECTION, f"objects to the {self.model.deal_name()} ({why})")
            self.reject()
        else:
            self.model.open_span(SpanName.HOST_SILENCE, self.actor_id, self.actor_id)
            self.log(EventName.SILENCE, f"gives no answer on the {self.model.deal_name()} ({why})")


class CoveredTransactionReviewer(InvestmentReviewer):
    """Reviews a covered transaction on the section 721 clocks (``kind: section_721``)."""

    def __init__(self, model, reviewer_id: str, spec):
        super().__init__(model, reviewer_id, spec)
        self.window_end: int | None = None  # the last day of the current filing's window

    def new_terms(self) -> None:
        """The deal was restructured: a new filing will have its own window."""
        super().new_terms()
        self.window_end = None

    def start_review(self, version: int) -> None:
        """The parties file a notice, after pre-filing consultations if the scenario has them."""
        if self.spec.prefiling_days is None:
            self.file_notice(version)
        else:
            self.model.open_span(SpanName.HOST_PREFILING, "seller", self.actor_id)
            self.after(self.spec.prefiling_days, self.file_notice, version)

    def file_notice(self, version: int) -> None:
        """A new filing: the clock starts once the notice is accepted."""
        if self.idle(version):
            return
        self.filings += 1
        self.model.close_span(SpanName.HOST_PREFILING, self.actor_id)
        self.model.close_span(SpanName.HOST_MITIGATION, self.actor_id)
        self.model.open_span(SpanName.HOST_FILING, "seller", self.actor_id)
        what = "file" if self.filings == 1 else "refile"
        self.model.seller.log(EventName.FILING, f"The parties {what} the {self.model.deal_name()} with {self.label}")
        self.after(self.spec.filing_days, self.accept_notice, version)

    def accept_notice(self, version: int) -> None:
        """The notice is accepted: the review begins; the filing's window is now known."""
        if self.idle(version):
            return
        rule = self.spec
        self.model.close_span(SpanName.HOST_FILING, self.actor_id)
        self.model.open_span(SpanName.HOST_REVIEW, self.actor_id, self.actor_id)
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
            f"accepts the notice; the review ends by {self.model.date_of(day)}, "
            f"any decision by {self.model.date_of(self.window_end)}",
        )

    def end_review(self, version: int) -> None:
        """End of the review phase: clear, or open an investigation."""
        if self.idle(version):
            return
        rule = self.spec
        self.model.close_span(SpanName.HOST_REVIEW, self.actor_id)
        a = self.deal_acceptance()
        p = logistic(a + rule.clear_in_review)
        if self.chance(p):
            self.approve_deal(f"clears it at the end of the review phase (acceptance {a:+.2f}, p={p:.2f})")
            return
        self.model.open_span(SpanName.HOST_INVESTIGATION, self.actor_id, self.actor_id)
        day = self.days_from_now(rule.investigation_days)
        self.log(EventName.INVESTIGATION, f"opens an investigation (acceptance {a:+.2f}, p(clear)={p:.2f})")
        if rule.extension_days.max != 0 and self.chance(rule.p_extension):  # max 0: no extension in law (before 2018)
            extra = self.days_from_now(rule.extension_days) - self.today
            day += extra
            self.log(EventName.INVESTIGATION_EXTENDED, f"extends the investigation by {extra} days")
        self.model.schedule(min(day, self.window_end), self.decide, version)

    def decide(self, version: int) -> None:
        """End of the investigation: approve, recommend blocking, or let the parties refile."""
        if self.idle(version):
            return
        rule = self.spec
        self.model.close_span(SpanName.HOST_INVESTIGATION, self.actor_id)
        a = self.deal_acceptance()
        options = {"approve": a, "block": -a}
        if self.rounds < rule.max_refiles:
            options["refile"] = rule.refile
        choice, probs = logit_choice(self.rng, options)
        if choice == "approve":
            self.approve_deal(f"approves (acceptance {a:+.2f}; {odds_text(probs)})")
        elif choice == "refile":
            self.rounds += 1
            self.model.open_span(SpanName.HOST_MITIGATION, "seller", self.actor_id)
            day = self.after(rule.refile_days, self.file_notice, version)
            self.log(
                EventName.WITHDRAW_REFILE,
                f"lets the parties withdraw and refile with mitigated terms (refile {self.rounds}, "
                f"by {self.model.date_of(day)}; {odds_text(probs)})",
            )
        else:
            self.log(
                EventName.BLOCK_RECOMMENDED,
                f"will recommend that the President block the {self.model.deal_name()} "
                f"(acceptance {a:+.2f}; {odds_text(probs)})",
            )
            self.recommendation(version)

    def recommendation(self, version: int) -> None:
        """Told the deal will be blocked, the parties abandon it or let it go to the President."""
        if self.model.seller.happens(self.spec.p_abandon):
            completed = self.model.deal_scenario.deal.kind == "completed"
            what = "unwind the completed" if completed else "abandon the"
            self.model.seller.log(
                EventName.ABANDONED_ON_RECOMMENDATION,
                f"and the buyer {what} {self.model.deal_name()} rather than face the President "
                f"(p={self.spec.p_abandon:.2f})",
            )
            self.model.seller.end_sale(
                self.model.blocked_stage(self.side),
                EventName.SALE_ENDS,
                f"The {self.model.deal_name()} is {'unwound' if completed else 'abandoned'}",
            )
            return
        self.log(EventName.REFERRAL, f"refers the {self.model.deal_name()} to the President to block it")
        self.model.executive.receive_referral(self, version)

    def president_declined(self) -> None:
        """The President declined to block: the deal is cleared."""
        self.approve_deal("approves: the President declined to block")
