"""The home government (China's commerce ministry): what needs its consent, and how it rules.

See ``../shared/domain/legal-frames.md`` (section 3). A deal needs the ministry's consent when it
exports a technology in the catalogue (``consent: listed_technology``) or, where the scenario says
so, for any sale of the business (``consent: any_sale``; a ``home_consent`` event can change it).
Consent comes in two stages: a letter of intent before any binding contract, then the licence
after signing. The ministry handles an application on the routine statutory clock, or
politically: an open-ended hold that ends only at a host action that moves it (a blessing, a
court loss, a ban that bites, enforcement, the election result), and may last to the horizon with
no ruling at all, as in 2020.
"""

from __future__ import annotations

from sim.model.agents.base import Actor
from sim.model.randomness import choice_probabilities, logistic, logit_choice, odds_text, work_calendar
from sim.narrative import EventName, SpanName
from sim.scenario.schema import CatalogueUpdate, HomeConsent, TensionChange

# The host actions a political hold may end at, as named in ``licence.political.release``.
HOST_ACTIONS = ("blessing", "injunction", "ban_bites", "enforcement", "election")


class HomeGovernment(Actor):
    """Keeps the catalogue and the consent rule, and rules on letters of intent and licences.

    When it rules on a letter it grants or denies by a logit whose grant utility falls with the
    algorithm's transfer, the tension between the governments and its public stance, and rises
    with the stake the seller keeps (``licence.utility``).
    """

    def __init__(self, model, spec):
        super().__init__(model, "china", spec.label)
        self.spec = spec
        self.calendar = work_calendar(model.deal_scenario.start, spec.calendar, tuple(spec.holidays))
        self.catalogue: set[str] = set(spec.catalogue)
        self.consent = spec.consent
        self.tension = spec.tension
        self.stance = spec.stance
        self.letter_start: int | None = None
        self.licence_start: int | None = None

    # --- what a deal needs --------------------------------------------------------------------

    def needs_consent(self, structure_id: str) -> bool:
        """Whether a deal with this structure needs the home government's consent."""
        if self.consent == "any_sale":
            return True
        return self.exports_listed(structure_id)

    def exports_listed(self, structure_id: str) -> bool:
        """Whether a deal with this structure exports a technology in the catalogue."""
        terms = self.model.deal_scenario.structures[structure_id]
        if terms.algorithm == "none":
            return False
        return not self.catalogue.isdisjoint(self.model.deal_scenario.seller.technologies)

    def letter_utilities(self, structure_id: str) -> dict[str, float]:
        """Utilities of granting and denying these terms now."""
        u = self.spec.licence.utility
        terms = self.model.deal_scenario.structures[structure_id]
        grant = (
            u.grant
            + u.algorithm.get(terms.algorithm, 0.0)
            + u.seller_stake * terms.seller_stake
            + u.tension * self.tension
            + u.stance * self.stance
            + u.new_administration * self.model.executive.administration_changing
        )
        return {"grant": grant, "deny": u.deny}

    def approval_belief(self, structure_id: str) -> float:
        """The chance of consent the seller reads from the rules: 1 if none is needed, else P(grant)."""
        if not self.needs_consent(structure_id):
            return 1.0
        return choice_probabilities(self.letter_utilities(structure_id))["grant"]

    # --- dated events -------------------------------------------------------------------------

    def update_catalogue(self, event: CatalogueUpdate) -> None:
        """Add technologies to the catalogue; a deal that exports one now needs a licence."""
        self.catalogue.update(event.adds)
        self._rule_changed(EventName.CATALOGUE_UPDATE, f"adds {event.description or ', '.join(event.adds)}")

    def change_consent(self, event: HomeConsent) -> None:
        """What needs consent changes (e.g. a new export-control law)."""
        self.consent = event.consent
        what = "any sale of the business" if event.consent == "any_sale" else "a deal exporting a listed technology"
        self._rule_changed(EventName.CONSENT_RULE, f"now requires its consent for {what}" + _note(event.note))

    def _rule_changed(self, event: EventName, detail: str) -> None:
        deal = self.model.deal
        caught = deal.stage.in_progress and not deal.needs_licence and self.needs_consent(deal.structure)
        self.log(event, detail + (f": the {self.model.deal_name()} now needs its consent" if caught else ""))
        if caught:
            self.model.seller.licence_now_needed()

    def change_tension(self, event: TensionChange) -> None:
        """Move the tension and the stance (kept within 0-1)."""
        self.tension = min(1.0, max(0.0, self.tension + event.tension))
        self.stance = min(1.0, max(0.0, self.stance + event.stance))
        self.log(
            EventName.TENSION_CHANGE,
            f"sees tension at {self.tension:.2f} and its public stance at {self.stance:.2f}" + _note(event.note),
        )

    # --- stage 1: the letter of intent --------------------------------------------------------

    def receive_letter_application(self, version: int) -> None:
        """The seller applies for the letter of intent: routine handling, or a political hold."""
        if self.model.stale(version):
            return
        deal = self.model.deal
        self.letter_start = self.today
        self.model.close_span(SpanName.LETTER_APPLICATION)
        political = self.spec.licence.political
        p = logistic(political.base + political.tension * self.tension)
        day = self.days_from_now(self.spec.licence.review_days)  # drawn either way (common random numbers)
        if self.chance(p):
            deal.political_hold = True
            self.model.open_span(SpanName.LETTER_HOLD, self.actor_id)
            self.log(
                EventName.POLITICAL_HOLD,
                f"handles the application for the {self.model.deal_name()} politically: no clock, no decision "
                f"until a US action moves it (tension {self.tension:.2f}, p={p:.2f})",
            )
            return
        self.model.open_span(SpanName.LETTER_REVIEW, self.actor_id)
        self.model.schedule(day, self.decide_letter, version)
        self.log(
            EventName.LETTER_APPLICATION,
            f"handles the application routinely; letter of intent due {self.model.date_of(day)} (p(political)={p:.2f})",
        )

    def host_action(self, action: str) -> None:
        """A host action (``HOST_ACTIONS``): a political hold may end now, with a ruling."""
        deal = self.model.deal
        if not deal.political_hold or deal.stage.ended or deal.letter_granted:
            return
        release = self.spec.licence.political.release
        p = logistic(release.base + getattr(release, action))
        if self.chance(p):
            deal.political_hold = False
            self.model.close_span(SpanName.LETTER_HOLD)
            self.log(EventName.HOLD_ENDS, f"ends its hold after the US {action.replace('_', ' ')} (p={p:.2f})")
            self.decide_letter(deal.version)

    def decide_letter(self, version: int) -> None:
        """Grant or deny the letter of intent."""
        if self.model.stale(version):
            return
        deal = self.model.deal
        self.model.close_span(SpanName.LETTER_REVIEW)
        choice, probs = logit_choice(self.rng, self.letter_utilities(deal.structure))
        why = f"tension {self.tension:.2f}, stance {self.stance:.2f}; {odds_text(probs)}"
        deal.review_days["letter"] = self.today - self.letter_start
        if choice == "grant":
            deal.letter_granted = True
            self.log(EventName.LETTER_GRANTED, f"grants the letter of intent for the {self.model.deal_name()} ({why})")
            self.model.seller.letter_granted()
        else:
            self.log(EventName.LICENCE_DENIED, f"denies consent to the {self.model.deal_name()} ({why})")
            self.model.seller.deal_rejected("home")

    # --- stage 2: the licence -----------------------------------------------------------------

    def receive_licence_application(self, version: int) -> None:
        """After signing, the seller applies for the licence itself."""
        self.licence_start = self.today
        self.model.open_span(SpanName.LICENCE_REVIEW, self.actor_id)
        day = self.after(self.spec.licence.licence_days, self.decide_licence, version)
        self.log(EventName.LICENCE_APPLICATION, f"receives the signed contract; licence due {self.model.date_of(day)}")

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
            self.log(EventName.LICENCE_DENIED, f"denies the licence after the contract review (p={1 - p:.2f})")
            self.model.seller.deal_rejected("home")


def _note(note: str) -> str:
    return f": {note}" if note else ""
