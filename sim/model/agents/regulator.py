"""The host investment regulator (CFIUS), in the legal frame the scenario names.

* ``order``: CFIUS judges a notified sale by a divestiture order's own test (no statutory
  clock). It can approve, ask for changes, object, or say nothing; a structure that fails the
  order's complete-divestment test is approved only through mitigation it accepts.
* ``section_721``: a covered transaction on the statutory clocks (10 business days to accept the
  notice, 45-day review, 45-day investigation, +15, 15 days for the President). Every decision
  falls inside its filing's window; withdrawing and refiling starts a new filing.

See ``../shared/domain/legal-frames.md`` (sections 2 and 4) and docs/model.md.
"""

from __future__ import annotations

from sim.model.agents.base import Actor
from sim.model.randomness import WorkCalendar, logistic, logit_choice, odds_text
from sim.narrative import EventName, SpanName

HOST_SPANS = (
    SpanName.HOST_FILING,
    SpanName.HOST_REVIEW,
    SpanName.HOST_INVESTIGATION,
    SpanName.HOST_MITIGATION,
    SpanName.HOST_SILENCE,
)


class Regulator(Actor):
    """Reviews the chosen deal under its legal frame (``cfius.frame``).

    Its view of a deal's terms is an acceptance index in logit units (:meth:`acceptance`): a
    weighted sum of the terms, the buyer's standing, the executive's blessing and the rounds of
    changes the parties made. Each frame turns that index into decisions its own way.
    """

    def __init__(self, model, spec):
        super().__init__(model, "cfius", spec.label)
        self.spec = spec
        self.calendar = WorkCalendar(model.deal_scenario.start, tuple(spec.holidays))
        self.review_start: int | None = None
        self.window_end: int | None = None  # section 721: the last day of the current filing's window
        self.filings = 0  # notices (order) or filings (section 721) of the current terms

    def acceptance(self, structure_id: str, bidder_id: str, blessed: bool, rounds: int = 0) -> float:
        """Acceptance index of a deal's terms (logit units; higher means likelier approval)."""
        a = self.spec.acceptance
        terms = self.model.deal_scenario.structures[structure_id]
        standing = self.model.bidders[bidder_id].spec.standing
        return (
            a.base
            + a.seller_stake * terms.seller_stake
            + a.algorithm.get(terms.algorithm, 0.0)
            + a.data_custody.get(terms.data_custody, 0.0)
            + a.source_code_audit * terms.source_code_audit
            + a.standing * standing
            + a.blessed * blessed
            + self.spec.mitigation_gain * rounds
        )

    def passes_order_test(self, structure_id: str) -> bool:
        """Whether a structure is a complete divestment by the order's test."""
        test = self.spec.order.complete_divestment
        terms = self.model.deal_scenario.structures[structure_id]
        return (
            terms.seller_stake <= test.max_seller_stake
            and terms.algorithm in test.algorithm
            and terms.data_custody in test.data_custody
        )

    def approval_belief(self, structure_id: str, bidder_id: str) -> float:
        """The chance of approval the seller reads from the terms: logistic of acceptance."""
        return logistic(self.acceptance(structure_id, bidder_id, blessed=False))

    def _deal_acceptance(self) -> float:
        deal = self.model.deal
        return self.acceptance(deal.structure, deal.bidder, deal.blessed, deal.mitigation_rounds)

    def _idle(self, version: int) -> bool:
        return self.model.stale(version) or self.model.deal.host_shelved

    def file(self) -> None:
        """The parties bring the chosen deal to the regulator (a notice, or a section 721 filing)."""
        deal = self.model.deal
        if deal.host_filed:
            return
        deal.host_filed = True
        if self.spec.frame == "order":
            self.notify(deal.version)
        else:
            self.file_notice(deal.version)

    # --- under a divestiture order ------------------------------------------------------------

    def notify(self, version: int) -> None:
        """The seller notifies the intended buyer and terms; the answer comes in ``response_days``."""
        if self._idle(version):
            return
        self.filings += 1
        self.model.close_span(SpanName.HOST_MITIGATION)
        self.model.open_span(SpanName.HOST_REVIEW, self.actor_id)
        if self.review_start is None:
            self.review_start = self.today
        what = "notifies" if self.filings == 1 else "sends revised terms of"
        self.model.seller.log(EventName.FILING, f"{what} the {self.model.deal_name()} to {self.label} under the order")
        self.after(self.spec.order.response_days, self.answer, version)

    def order_options(self) -> dict[str, float]:
        """Utilities of the regulator's answers to the notified terms (``cfius.order``)."""
        rule = self.spec.order
        deal = self.model.deal
        a = self._deal_acceptance()
        options: dict[str, float] = {}
        if self.passes_order_test(deal.structure):
            options["approve"] = a + rule.approve
        else:
            options["accept_mitigation"] = a + rule.accept_mitigation
        if deal.mitigation_rounds < rule.max_rounds:
            options["ask_changes"] = rule.ask_changes
        options["object"] = rule.object - a
        options["silent"] = rule.silent
        return options

    def answer(self, version: int) -> None:
        """Answer the notified terms: approve, accept mitigation, ask for changes, object, or stay silent."""
        if self._idle(version):
            return
        self.model.close_span(SpanName.HOST_REVIEW)
        deal = self.model.deal
        passes = "passes" if self.passes_order_test(deal.structure) else "fails"
        choice, probs = logit_choice(self.rng, self.order_options())
        why = f"the structure {passes} the complete-divestment test; {odds_text(probs)}"
        if choice == "approve":
            self.approve(f"approves the {self.model.deal_name()} under the order ({why})")
        elif choice == "accept_mitigation":
            self.log(EventName.MITIGATION_ACCEPTED, f"accepts mitigation of the {self.model.deal_name()} ({why})")
            self.approve("approves it with the mitigation")
        elif choice == "ask_changes":
            deal.mitigation_rounds += 1
            self.model.open_span(SpanName.HOST_MITIGATION, "seller")
            day = self.after(self.spec.order.revision_days, self.notify, version)
            self.log(
                EventName.CHANGES_ASKED,
                f"asks for changes, round {deal.mitigation_rounds}; revised terms by {self.model.date_of(day)} ({why})",
            )
        elif choice == "object":
            self.log(EventName.OBJECTION, f"objects to the {self.model.deal_name()} ({why})")
            self.model.seller.deal_rejected("host")
        else:
            self.model.open_span(SpanName.HOST_SILENCE, self.actor_id)
            self.log(EventName.SILENCE, f"gives no answer on the {self.model.deal_name()} ({why})")

    # --- a covered transaction (section 721) --------------------------------------------------

    def file_notice(self, version: int) -> None:
        """A new filing: the clock starts once the notice is accepted."""
        if self._idle(version):
            return
        self.filings += 1
        self.model.close_span(SpanName.HOST_MITIGATION)
        self.model.open_span(SpanName.HOST_FILING, "seller")
        what = "file" if self.filings == 1 else "refile"
        self.model.seller.log(EventName.FILING, f"The parties {what} the {self.model.deal_name()} with {self.label}")
        self.after(self.spec.section_721.filing_days, self.start_review, version)

    def start_review(self, version: int) -> None:
        """The notice is accepted: the 45-day review begins; the filing's window is now known."""
        if self._idle(version):
            return
        rule = self.spec.section_721
        self.model.close_span(SpanName.HOST_FILING)
        self.model.open_span(SpanName.HOST_REVIEW, self.actor_id)
        if self.review_start is None:
            self.review_start = self.today
        day = self.after(rule.review_days, self.end_review, version)
        statutory = rule.review_days.max or rule.review_days.median
        longest = (rule.investigation_days.max or rule.investigation_days.median) + (
            rule.extension_days.max or rule.extension_days.median
        )
        self.window_end = self.today + round(statutory + longest)
        self.log(
            EventName.REVIEW_START,
            f"accepts the notice; the review ends by {self.model.date_of(day)}, "
            f"any decision by {self.model.date_of(self.window_end)}",
        )

    def end_review(self, version: int) -> None:
        """End of the review phase: clear, or open an investigation."""
        if self._idle(version):
            return
        rule = self.spec.section_721
        self.model.close_span(SpanName.HOST_REVIEW)
        a = self._deal_acceptance()
        p = logistic(a + rule.clear_in_review)
        if self.chance(p):
            self.approve(f"clears it at the end of the review phase (acceptance {a:+.2f}, p={p:.2f})")
            return
        self.model.open_span(SpanName.HOST_INVESTIGATION, self.actor_id)
        day = self.days_from_now(rule.investigation_days)
        self.log(EventName.INVESTIGATION, f"opens an investigation (acceptance {a:+.2f}, p(clear)={p:.2f})")
        if self.chance(rule.p_extension):
            extra = self.days_from_now(rule.extension_days) - self.today
            day += extra
            self.log(EventName.INVESTIGATION_EXTENDED, f"extends the investigation by {extra} days")
        self.model.schedule(min(day, self.window_end), self.decide, version)

    def decide(self, version: int) -> None:
        """End of the investigation: approve, refer to the President, or let the parties refile."""
        if self._idle(version):
            return
        rule = self.spec.section_721
        self.model.close_span(SpanName.HOST_INVESTIGATION)
        deal = self.model.deal
        a = self._deal_acceptance()
        options = {"approve": a, "block": -a}
        if deal.mitigation_rounds < rule.max_refiles:
            options["refile"] = rule.refile
        choice, probs = logit_choice(self.rng, options)
        if choice == "approve":
            self.approve(f"approves (acceptance {a:+.2f}; {odds_text(probs)})")
        elif choice == "refile":
            deal.mitigation_rounds += 1
            self.model.open_span(SpanName.HOST_MITIGATION, "seller")
            day = self.after(rule.refile_days, self.file_notice, version)
            self.log(
                EventName.WITHDRAW_REFILE,
                f"lets the parties withdraw and refile with mitigated terms (refile {deal.mitigation_rounds}, "
                f"by {self.model.date_of(day)}; {odds_text(probs)})",
            )
        else:
            self.log(
                EventName.REFERRAL,
                f"refers the deal to the President to block it (acceptance {a:+.2f}; {odds_text(probs)})",
            )
            self.model.executive.receive_referral(version)

    # --- either frame -------------------------------------------------------------------------

    def approve(self, reason: str) -> None:
        """Clear the deal."""
        deal = self.model.deal
        deal.host_approved = True
        if self.review_start is not None:
            deal.review_days["host"] = self.today - self.review_start
        self.log(EventName.HOST_APPROVAL, reason)
        self.model.try_close()

    def consider_extension(self) -> bool:
        """A divestiture deadline passes with no close: extend it (within the order's cap) or not."""
        u = self.spec.extensions
        executive = self.model.executive
        deal = self.model.deal
        under_review = deal.stage.in_progress and (deal.host_filed or deal.letter_applied)
        p = logistic(
            u.base
            + u.deal_under_review * under_review
            + u.deal_blessed * deal.blessed
            + u.lame_duck * executive.lame_duck
        )
        if not self.chance(p):
            self.log(EventName.NO_EXTENSION, f"does not extend the deadline (p(extend)={p:.2f})")
            return False
        executive.extend(max(1, self.days_from_now(u.days) - self.today))
        return True

    def new_terms(self) -> None:
        """The deal was restructured: what was notified or filed no longer applies."""
        self.filings = 0
        self.window_end = None

    def shelve(self) -> None:
        """A new administration shelves the pending review until the horizon."""
        deal = self.model.deal
        if deal.host_approved:
            return
        deal.host_shelved = True
        for span in HOST_SPANS:
            self.model.close_span(span)
        self.model.executive.log(EventName.REVIEW_SHELVED, f"shelves the review of the {self.model.deal_name()}")
