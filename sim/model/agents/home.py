"""The home government (China's commerce ministry): export-restriction catalogue and licences."""

from __future__ import annotations

from sim.model.agents.base import Actor
from sim.model.randomness import WorkCalendar, choice_probabilities, draw_duration, logistic, logit_choice, odds_text
from sim.narrative import EventName, SpanName
from sim.scenario.schema import CatalogueUpdate, TensionChange


class HomeGovernment(Actor):
    """Keeps the catalogue of restricted technologies and decides export licences.

    A deal whose structure transfers or licenses the algorithm exports the seller's
    technologies; if any is in the catalogue, the deal needs a licence in two stages: a letter
    of intent before any binding contract, then the licence after signing. At the end of the
    first stage it chooses among granting, denying and escalating (an open-ended political
    review) by a logit whose grant utility falls with the algorithm's transfer, the tension
    between the governments and its public stance, and rises with the stake the seller keeps.
    """

    def __init__(self, model, spec):
        super().__init__(model, "china", spec.label)
        self.spec = spec
        self.calendar = WorkCalendar(model.deal_scenario.start, tuple(spec.holidays))
        self.catalogue: set[str] = set(spec.catalogue)
        self.tension = spec.tension
        self.stance = spec.stance
        self.letter_start: int | None = None
        self.licence_start: int | None = None

    # --- what a deal needs --------------------------------------------------------------------

    def exports_listed(self, structure_id: str) -> bool:
        """Whether a deal with this structure exports a technology in the catalogue."""
        terms = self.model.deal_scenario.structures[structure_id]
        if terms.algorithm == "none":
            return False
        return not self.catalogue.isdisjoint(self.model.deal_scenario.seller.technologies)

    def letter_utilities(self, structure_id: str, escalations: int = 0) -> dict[str, float]:
        """Utilities of granting, denying and (while allowed) escalating, for these terms now."""
        u = self.spec.licence.utility
        terms = self.model.deal_scenario.structures[structure_id]
        options = {
            "grant": u.grant
            + u.algorithm.get(terms.algorithm, 0.0)
            + u.seller_stake * terms.seller_stake
            + u.tension * self.tension
            + u.stance * self.stance,
            "deny": u.deny,
        }
        if escalations < self.spec.licence.max_escalations:
            options["escalate"] = u.escalate + u.escalate_tension * self.tension
        return options

    def approval_belief(self, structure_id: str) -> float:
        """The chance of approval the seller reads from the rules.

        1 if no licence is needed, else P(grant) / (P(grant) + P(deny)) at today's tension and
        stance.
        """
        if not self.exports_listed(structure_id):
            return 1.0
        probs = choice_probabilities(self.letter_utilities(structure_id, escalations=99))
        return probs["grant"]

    # --- dated events -------------------------------------------------------------------------

    def update_catalogue(self, event: CatalogueUpdate) -> None:
        """Add technologies to the catalogue; a deal that exports one now needs a licence."""
        self.catalogue.update(event.adds)
        what = event.description or ", ".join(event.adds)
        deal = self.model.deal
        consequence = ""
        if deal.stage.in_progress and not deal.needs_licence and self.exports_listed(deal.structure):
            consequence = f": the {self.model.deal_name()} now needs a licence"
        self.log(EventName.CATALOGUE_UPDATE, f"adds {what}{consequence}")
        if consequence:
            self.model.seller.licence_now_needed()

    def change_tension(self, event: TensionChange) -> None:
        """Move the tension and the stance (kept within 0-1)."""
        self.tension = min(1.0, max(0.0, self.tension + event.tension))
        self.stance = min(1.0, max(0.0, self.stance + event.stance))
        note = f": {event.note}" if event.note else ""
        self.log(
            EventName.TENSION_CHANGE,
            f"sees tension at {self.tension:.2f} and its public stance at {self.stance:.2f}{note}",
        )

    # --- stage 1: the letter of intent --------------------------------------------------------

    def receive_letter_application(self, version: int) -> None:
        """The seller applies for the letter of intent; the review starts."""
        if self.model.stale(version):
            return
        self.letter_start = self.today
        self.model.close_span(SpanName.LETTER_APPLICATION)
        self.model.open_span(SpanName.LETTER_REVIEW, self.actor_id)
        day = self.after(self.spec.licence.review_days, self.decide_letter, version)
        self.log(
            EventName.LETTER_APPLICATION,
            f"receives the application for a letter of intent; review due {self.model.date_of(day)}",
        )

    def decide_letter(self, version: int) -> None:
        """Grant, deny or escalate the letter of intent (or, first, stall it past a date)."""
        if self.model.stale(version):
            return
        deal = self.model.deal
        if self.should_stall():
            return
        self.model.close_span(SpanName.LETTER_STALL)
        options = self.letter_utilities(deal.structure, deal.escalations)
        choice, probs = logit_choice(self.rng, options)
        why = f"tension {self.tension:.2f}, stance {self.stance:.2f}; {odds_text(probs)}"
        if choice == "escalate":
            deal.escalations += 1
            day = self.after(self.spec.licence.escalation_days, self.decide_letter, version)
            self.log(
                EventName.LICENCE_ESCALATED,
                f"escalates the case politically; no decision before {self.model.date_of(day)} ({why})",
            )
            return
        self.model.close_span(SpanName.LETTER_REVIEW)
        deal.review_days["letter"] = self.today - self.letter_start
        if choice == "grant":
            deal.letter_granted = True
            self.log(
                EventName.LETTER_GRANTED,
                f"grants the letter of intent for the {self.model.deal_name()} ({why})",
            )
            self.model.seller.letter_granted()
        else:
            self.log(
                EventName.LICENCE_DENIED,
                f"denies the export of the algorithm in the {self.model.deal_name()} ({why})",
            )
            self.model.seller.deal_rejected("home")

    def should_stall(self) -> bool:
        """Hold the decision past the host's political date, likelier when tension is high.

        The draw is made whether or not a stall rule applies, so adding one does not reshuffle
        this actor's later draws.
        """
        u = self.rng.random()
        stall = self.spec.licence.stall
        deal = self.model.deal
        if stall is None or deal.stalled or self.today >= self.model.deal_scenario.day(stall.until):
            return False
        p = logistic(stall.base + stall.tension * self.tension)
        if u >= p:
            return False
        deal.stalled = True
        self.model.open_span(SpanName.LETTER_STALL, self.actor_id)
        until = self.model.deal_scenario.day(stall.until)
        day = until + max(1, draw_duration(self.rng, stall.days_after))
        self.model.schedule(day, self.decide_letter, deal.version)
        self.log(
            EventName.LICENCE_STALLED,
            f"holds the decision on the {self.model.deal_name()} until after {stall.until.isoformat()}; "
            f"no decision before {self.model.date_of(day)} (tension {self.tension:.2f}, p={p:.2f})",
        )
        return True

    # --- stage 2: the licence -----------------------------------------------------------------

    def receive_licence_application(self, version: int) -> None:
        """After signing, the seller applies for the licence itself."""
        self.licence_start = self.today
        self.model.open_span(SpanName.LICENCE_REVIEW, self.actor_id)
        day = self.after(self.spec.licence.licence_days, self.decide_licence, version)
        self.log(
            EventName.LICENCE_APPLICATION,
            f"receives the signed contract; licence due {self.model.date_of(day)}",
        )

    def decide_licence(self, version: int) -> None:
        """Grant the licence (likely, once the letter was given) or deny it."""
        if self.model.stale(version):
            return
        deal = self.model.deal
        self.model.close_span(SpanName.LICENCE_REVIEW)
        deal.review_days["licence"] = self.today - self.licence_start
        p = self.spec.licence.p_grant_after_letter
        if self.chance(p):
            deal.licence_granted = True
            self.log(EventName.LICENCE_GRANTED, f"grants the export licence (p={p:.2f})")
            self.model.try_close()
        else:
            self.log(
                EventName.LICENCE_DENIED,
                f"denies the licence after the contract review (p={1 - p:.2f})",
            )
            self.model.seller.deal_rejected("home")
