"""The host investment regulator (CFIUS): statutory clocks and a decision on the deal's terms."""

from __future__ import annotations

from sim.model.agents.base import Actor
from sim.model.randomness import WorkCalendar, logistic, logit_choice, odds_text
from sim.narrative import EventName, SpanName


class Regulator(Actor):
    """Reviews a filed deal: review phase, investigation (with its extension), mitigation rounds.

    Its view of a deal is an acceptance index in logit units (:meth:`acceptance`), a weighted sum
    of the deal's terms and the buyer's standing. At the end of the review phase it clears the
    deal with probability ``logistic(acceptance + clear_in_review)``; otherwise it investigates
    and then chooses among approving (utility = acceptance), asking for mitigation (a constant
    utility; each round raises acceptance) and blocking (utility = -acceptance), which refers the
    deal to the President.
    """

    def __init__(self, model, spec):
        super().__init__(model, "cfius", spec.label)
        self.spec = spec
        self.calendar = WorkCalendar(model.deal_scenario.start, tuple(spec.holidays))
        self.review_start: int | None = None

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
            + self.spec.decision.mitigation_gain * rounds
        )

    def approval_belief(self, structure_id: str, bidder_id: str) -> float:
        """The chance of approval the seller reads from the terms: logistic of acceptance."""
        return logistic(self.acceptance(structure_id, bidder_id, blessed=False))

    def _deal_acceptance(self) -> float:
        deal = self.model.deal
        return self.acceptance(deal.structure, deal.bidder, deal.blessed, deal.mitigation_rounds)

    def _idle(self, version: int) -> bool:
        return self.model.stale(version) or self.model.deal.host_shelved

    # --- the clocks ---------------------------------------------------------------------------

    def file(self) -> None:
        """The parties file the deal; the clock starts once the notice is accepted."""
        deal = self.model.deal
        if deal.host_filed:
            return
        deal.host_filed = True
        self.model.open_span(SpanName.HOST_FILING, "seller")
        self.log(EventName.FILING, f"The parties file the {self.model.deal_name()} with {self.label}")
        self.after(self.spec.filing_days, self.start_review, deal.version)

    def start_review(self, version: int) -> None:
        """The notice is accepted: the review phase begins."""
        if self._idle(version):
            return
        self.model.close_span(SpanName.HOST_FILING)
        self.model.open_span(SpanName.HOST_REVIEW, self.actor_id)
        self.review_start = self.today
        day = self.after(self.spec.review_days, self.end_review, version)
        self.log(
            EventName.REVIEW_START,
            f"accepts the notice; the review phase ends by {self.model.date_of(day)}",
        )

    def end_review(self, version: int) -> None:
        """End of the review phase: clear, or open an investigation."""
        if self._idle(version):
            return
        self.model.close_span(SpanName.HOST_REVIEW)
        a = self._deal_acceptance()
        p = logistic(a + self.spec.decision.clear_in_review)
        if self.chance(p):
            self.approve(f"clears it at the end of the review phase (acceptance {a:+.2f}, p={p:.2f})")
            return
        self.model.open_span(SpanName.HOST_INVESTIGATION, self.actor_id)
        day = self.days_from_now(self.spec.investigation_days)
        self.log(
            EventName.INVESTIGATION,
            f"opens an investigation (acceptance {a:+.2f}, p(clear)={p:.2f})",
        )
        if self.chance(self.spec.p_extension):
            extra = self.days_from_now(self.spec.extension_days) - self.today
            day += extra
            self.log(EventName.INVESTIGATION_EXTENDED, f"extends the investigation by {extra} days")
        self.model.schedule(day, self.decide, version)

    def decide(self, version: int) -> None:
        """After an investigation or a mitigation round: approve, ask for mitigation, or block."""
        if self._idle(version):
            return
        self.model.close_span(SpanName.HOST_INVESTIGATION)
        self.model.close_span(SpanName.HOST_MITIGATION)
        deal = self.model.deal
        a = self._deal_acceptance()
        options = {"approve": a, "block": -a}
        if deal.mitigation_rounds < self.spec.decision.max_mitigation_rounds:
            options["mitigate"] = self.spec.decision.mitigate
        choice, probs = logit_choice(self.rng, options)
        if choice == "approve":
            self.approve(f"approves (acceptance {a:+.2f}; {odds_text(probs)})")
        elif choice == "mitigate":
            deal.mitigation_rounds += 1
            self.model.open_span(SpanName.HOST_MITIGATION, "seller")
            day = self.after(self.spec.mitigation_days, self.decide, version)
            self.log(
                EventName.MITIGATION,
                f"asks for mitigation, round {deal.mitigation_rounds}; terms due by "
                f"{self.model.date_of(day)} ({odds_text(probs)})",
            )
        else:
            self.log(
                EventName.REFERRAL,
                f"refers the deal to the President to block it (acceptance {a:+.2f}; {odds_text(probs)})",
            )
            self.model.executive.receive_referral(version)

    def approve(self, reason: str) -> None:
        """Clear the deal."""
        deal = self.model.deal
        deal.host_approved = True
        if self.review_start is not None:
            deal.review_days["host"] = self.today - self.review_start
        self.log(EventName.HOST_APPROVAL, f"{reason}")
        self.model.try_close()

    def shelve(self) -> None:
        """A new administration shelves the pending review until the horizon."""
        deal = self.model.deal
        if deal.host_approved:
            return
        deal.host_shelved = True
        for span in (
            SpanName.HOST_FILING,
            SpanName.HOST_REVIEW,
            SpanName.HOST_INVESTIGATION,
            SpanName.HOST_MITIGATION,
        ):
            self.model.close_span(span)
        self.model.executive.log(EventName.REVIEW_SHELVED, f"shelves the review of the {self.model.deal_name()}")
