"""Reviewers: every government body whose approval a deal may need, each with the procedure it follows.

``reviewers:`` maps an id you choose to one reviewer; its ``kind`` is the legal procedure
(see ``../shared/domain/legal-frames.md``):

* ``order``: judging a sale under a divestiture order's (or a law's) own test, no statutory
  clock (CFIUS under the 2020 Musical.ly order);
* ``section_721``: a covered transaction on the statutory clocks (CFIUS with a foreign acquirer);
* ``export_licence``: the home government's two-stage licence for exporting listed technology
  (MOFCOM in 2020);
* ``merger_control``: competition review in phases whose clock starts only when the filing is
  accepted (China's SAMR under the Anti-Monopoly Law, the European Commission, the US HSR).

``applies_to`` is the jurisdiction rule: which deals the reviewer must clear. ``side`` says which
government it answers to: a final block by a ``host`` reviewer ends the run ``blocked_by_host``,
by a ``home`` reviewer ``blocked_by_home``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sim.scenario.schema import kinds
from sim.scenario.schema.base import Duration, Probability, Spec, calendar_param, holidays_param, param, weight
from sim.scenario.schema.terms import TermsCondition, TermWeights


class ReviewerBase(Spec):
    """Fields every reviewer has."""

    label: str = param(..., "text", "Name used in the narrative.")
    side: Literal["host", "home"] = param(
        ...,
        "",
        "The government it answers to: `host` (the government that forces or screens the sale, where the "
        "business operates) or `home` (the other one: the seller's home government in a forced sale, the "
        "government across the dispute in other cases). Its final block ends the run blocked_by_<side>.",
    )
    applies_to: Literal["any_sale", "foreign_buyer", "listed_technology", "none"] = param(
        "any_sale",
        "",
        "Which deals it must clear: `any_sale`, `none` (until a `jurisdiction_change` event), `foreign_buyer` "
        "(the buyer is `foreign`: a covered "
        "transaction), or `listed_technology` (the deal exports, by the reviewer's `exports_when`, a "
        "technology of the seller's in this reviewer's `catalogue`). A `jurisdiction_change` event can change it.",
    )
    calendar: Literal["weekdays", "us_federal", "prc"] = calendar_param()
    holidays: list[dt.date] = holidays_param()


# --- investment screening: CFIUS under an order, or a covered transaction --------------------


class Acceptance(Spec):
    """An investment screener's acceptance index of a deal's terms (logit units; higher is better)."""

    base: float = weight(0.0, "logit", "Acceptance of a deal with all terms at zero.")
    terms: TermWeights = weight(
        {},
        "logit",
        "Added for the deal's terms, by dimension of the scenario's `terms:`: a number per unit of a numeric "
        "dimension (a seller's stake of 0.8 with weight -3 adds -2.4), or one per level of a categorical one.",
    )
    standing: float = weight(2.0, "logit per unit", "Added per unit of the buyer's standing (0-1).")
    blessed: float = weight(0.5, "logit", "Added when the executive blessed the deal.")


class InvestmentReview(ReviewerBase):
    """What both investment-screening procedures share: how the terms are judged, when they are filed."""

    files_at: Literal["agreement", "signing"] = param(
        "signing",
        "",
        "When the parties notify or file: at the agreement in principle (as in 2020) or at signing.",
    )
    acceptance: Acceptance = param(Acceptance(), "", "How the reviewer sees a deal's terms.")
    mitigation_gain: float = weight(
        1.0, "logit", "Acceptance gained by each round of changes (order) or refile (section 721) the parties make."
    )


class OrderReview(InvestmentReview):
    """Judging a notified sale under a divestiture order's own test (no statutory clock).

    After each notice (the first one, or revised terms) it answers after ``response_days`` by a
    logit over the options open to it, each with a utility in logit units: approving (a structure
    that passes the ``divestment_test``: acceptance + ``approve``), accepting mitigation of one
    that fails (acceptance + ``accept_mitigation``), asking for changes (``ask_changes``, while
    rounds are left: the parties revise the terms and notify again), objecting (``object`` -
    acceptance: the seller must restructure or give up) and staying silent (``silent``: no answer
    to this notice, possibly to the horizon).
    """

    kind: Literal["order"]
    response_days: Duration = param(
        Duration(median=30, p90=75), "days", "From a notice (or revised terms) to the reviewer's answer."
    )
    divestment_test: TermsCondition = param(
        {},
        "",
        'The order\'s own test of a sale (the 2020 Musical.ly order: "a complete divestment"), as a condition on '
        "the terms: each dimension it names must take one of its levels, lie in its range or be true/false; a "
        "structure that fails can be approved only through mitigation the reviewer accepts.",
    )
    revision_days: Duration = param(
        Duration(median=14, p90=30), "days", "From a request for changes to the revised terms' notice."
    )
    approve: float = weight(0.0, "logit", "Added to acceptance for approving a structure that passes the test.")
    accept_mitigation: float = weight(
        -2.0, "logit", "Added to acceptance for approving, with mitigation, a structure that fails it."
    )
    ask_changes: float = weight(0.0, "logit", "Utility of asking for changes.")
    object: float = weight(0.0, "logit", "Utility of objecting, less the acceptance index.")
    silent: float = weight(0.0, "logit", "Utility of giving no answer.")
    max_rounds: int = param(2, "count", "Most requests for changes to one set of terms.", ge=0)
    after_silence: AfterSilence | None = param(
        None,
        "",
        "The parties' answer to the reviewer's silence: revised terms, which it answers again; none if omitted "
        "(silence then lasts).",
    )


class AfterSilence(Spec):
    """The parties send revised terms to a reviewer that gave no answer.

    TikTok did, 2020-11-25, after "no substantive feedback" since 2020-09-19.
    """

    p_revise: Probability = weight(0.5, "probability", "Chance the parties send revised terms after a silence.")
    days: Duration = param(Duration(median=45, p90=90), "days", "From the silence to the revised terms.")


class PresidentialDecision(Spec):
    """The President's decision on a referral to block (section 721(d)): the executive decides."""

    p_block: Probability = weight(0.95, "probability", "Chance the President blocks a deal referred to block it.")
    decision_days: Duration = param(
        Duration(median=10, max=15), "days", "Days the President takes on a referral (statute: at most 15)."
    )


class CoveredTransaction(InvestmentReview):
    """A section 721 review of a covered transaction (a foreign acquirer), on statutory clocks.

    The notice is accepted within ``filing_days``; at the end of the review phase the reviewer
    clears the deal with probability ``logistic(acceptance + clear_in_review)``, else it
    investigates (45 days, +15 in extraordinary circumstances since 2018). At the end of the
    investigation it approves (utility = acceptance), recommends blocking the deal
    (utility = -acceptance) or lets the parties withdraw and refile with mitigated terms
    (``refile``, while refiles are left): a refile is a new filing with its own clock, so no
    decision falls outside its filing's window. Told the deal will be blocked, the parties abandon
    it (``p_abandon``) or let it go to the President (``president``).
    """

    kind: Literal["section_721"]
    prefiling_days: Duration | None = param(
        None,
        "days",
        "From the moment the parties file at (`files_at`) to the formal notice: pre-filing consultations and a "
        "draft notice; none if omitted (the notice goes in at once).",
    )
    filing_days: Duration = param(
        Duration(median=10, max=14, unit="working_days"),
        "days",
        "From the filing to the notice's acceptance, the start of the clock (statute: 10 business days).",
    )
    review_days: Duration = param(
        Duration(median=45, max=45), "days", "Review phase (statute: 45 days; 30 before FIRRMA, 2018-08-13)."
    )
    investigation_days: Duration = param(Duration(median=45, max=45), "days", "Investigation (statute: 45 days).")
    p_extension: Probability = weight(
        0.2, "probability", "Chance of the 15-day extension of the investigation in 'extraordinary circumstances'."
    )
    extension_days: Duration = param(
        Duration(median=15, max=15), "days", "That extension (statute: 15 days; none before FIRRMA: set max 0)."
    )
    clear_in_review: float = weight(
        -1.0, "logit", "Offset on acceptance for clearing at the end of the review phase (else investigation)."
    )
    refile: float = weight(0.5, "logit", "Utility of withdrawing and refiling with mitigated terms.")
    max_refiles: int = param(2, "count", "Most withdraw-and-refile cycles before a final call.", ge=0)
    refile_days: Duration = param(
        Duration(median=21, p90=45), "days", "From withdrawing to refiling with mitigated terms."
    )
    p_abandon: Probability = weight(
        0.0,
        "probability",
        "Chance the parties abandon the deal when told the reviewer will recommend blocking it, instead of "
        "letting it go to the President.",
    )
    president: PresidentialDecision = param(PresidentialDecision(), "", "The President's decision on a referral.")


# --- the home government's consent, and holds with no clock --------------------------------


class Release(Spec):
    """When a political hold ends: each host action the scenario names is a moment the reviewer may rule at.

    At each such moment the hold ends with probability logistic(``base`` + the action's term); an
    action left unset (or null) is no such moment. With no action that ends it, the hold lasts to the
    horizon and the reviewer never rules.
    """

    base: float = weight(-2.0, "logit", "Logit of ending the hold at a host action whose term is 0.")
    blessing: float | None = weight(
        None, "logit", "Added when the host executive blesses the deal; unset, not a moment.", optional=True
    )
    injunction: float | None = weight(
        None,
        "logit",
        "Added when a host court enjoins a ban stage (a loss for the host); unset, not a moment.",
        optional=True,
    )
    ban_bites: float | None = weight(
        None, "logit", "Added when a ban stage starts to bite; unset, not a moment.", optional=True
    )
    enforcement: float | None = weight(
        None, "logit", "Added when the host enforces a divestiture order or law; unset, not a moment.", optional=True
    )
    election: float | None = weight(
        None, "logit", "Added when the host's election result is known; unset, not a moment.", optional=True
    )
    tension_eases: float | None = weight(
        None,
        "logit",
        "Added when a `tension_change` event lowers the tension between the governments; unset, such an event "
        "is not a moment the hold may end at.",
        optional=True,
    )
    tension_rises: float | None = weight(
        None,
        "logit",
        "Added when a `tension_change` event raises the tension; unset, such an event is not a moment the hold "
        "may end at.",
        optional=True,
    )


class PoliticalHandling(Spec):
    """Handling a case politically: an open-ended hold instead of the statutory clock.

    At each application (or filing) the reviewer handles it politically with probability
    logistic(``base`` + ``tension`` x tension); otherwise it follows the routine clock.
    """

    base: float = weight(-1.0, "logit", "Logit of political handling at zero tension.")
    tension: float = weight(2.0, "logit per unit", "Added per unit of tension between the governments.")
    release: Release = param(Release(), "", "When a political hold ends.")


class LicenceUtility(Spec):
    """The home government's utilities when it rules on a letter of intent: grant or deny."""

    grant: float = weight(1.0, "logit", "Utility of granting a deal with all terms at zero.")
    terms: TermWeights = weight(
        {}, "logit", "Added to granting for the deal's terms (as an investment screener's `acceptance.terms`)."
    )
    tension: float = weight(-2.0, "logit per unit", "Added to granting per unit of tension between the governments.")
    stance: float = weight(-1.0, "logit per unit", "Added to granting per unit of public opposition to the sale.")
    new_administration: float = weight(
        0.0, "logit", "Added to granting once an election has changed the host's administration."
    )
    deny: float = weight(0.0, "logit", "Utility of denying (the reference option).")


class ExportLicence(ReviewerBase):
    """The home government's two-stage licence for exporting restricted technology.

    Stage 1, applied for once a deal needs consent: a letter of intent, without which no binding
    contract may be signed, ruled on routinely on the statutory clock or held politically. Stage 2,
    after signing: the licence itself.
    """

    kind: Literal["export_licence"]
    applies_to: Literal["any_sale", "foreign_buyer", "listed_technology"] = param(
        "listed_technology",
        "",
        "Which deals need its consent: `listed_technology` (the technology-export rules: a deal exporting a "
        "technology in the `catalogue`) or `any_sale`; a `jurisdiction_change` event can change it.",
    )
    catalogue: list[str] = param([], "technology ids", "Technologies whose export is restricted at the start.")
    exports_when: TermsCondition = param(
        {},
        "",
        "The terms under which a deal exports the seller's `technologies` (e.g. `{algorithm: [transfer, licence]}`: "
        "the algorithm is transferred or licensed, not kept); every deal if empty.",
    )
    application_days: Duration = param(
        Duration(median=10, p90=20),
        "days",
        "From the licence becoming necessary (or the deal being chosen) to the application.",
    )
    review_days: Duration = param(
        Duration(median=30, max=30, unit="working_days"),
        "days",
        "Stage 1 under routine handling: application to the letter of intent (rules: 30 working days). "
        "No binding contract may be signed before the letter.",
    )
    licence_days: Duration = param(
        Duration(median=15, max=15, unit="working_days"),
        "days",
        "Stage 2: signed contract to the licence (rules: 15 working days).",
    )
    political: PoliticalHandling = param(PoliticalHandling(), "", "Political handling of an application.")
    p_grant_after_letter: Probability = weight(
        0.95, "probability", "Chance stage 2 grants the licence once the letter was given."
    )
    utility: LicenceUtility = param(LicenceUtility(), "", "The decision on the letter of intent.")


# --- merger control ------------------------------------------------------------------------


class MergerUtility(Spec):
    """A merger-control reviewer's utilities at the end of its review, in logit units."""

    clear_phase_1: float = weight(1.0, "logit", "Logit of clearing at the end of phase 1 (else phase 2).")
    approve: float = weight(1.0, "logit", "Utility of approving unconditionally at the end of the review.")
    conditions: float = weight(0.5, "logit", "Utility of approving with remedies (a conditional approval).")
    prohibit: float = weight(-2.0, "logit", "Utility of prohibiting the deal.")
    refile: float = weight(
        0.0,
        "logit",
        "Utility of asking the parties to pull and refile (a new filing restarts the clocks), while refiles are left.",
    )
    tension: float = weight(
        0.0,
        "logit per unit",
        "Added per unit of tension between the governments to clearing in phase 1, approving and approving with "
        "conditions.",
    )


class ClockStop(Spec):
    """Stopping the review clock: the European Commission's stop-the-clock; China's since its 2022 amendment."""

    p: Probability = weight(0.2, "probability", "Chance the reviewer stops the clock once in phase 2.")
    days: Duration = param(Duration(median=60, p90=180), "days", "How long the clock stays stopped.")


class MergerControl(ReviewerBase):
    """Merger control in phases (China's Anti-Monopoly Law; the EU Merger Regulation; the US HSR Act).

    The parties file ``filing_days`` after signing. The clock starts only when the filing is
    accepted as complete, ``acceptance_days`` later, unless the reviewer holds it politically
    (``political``: no acceptance and no clock until a host action ends the hold: the reviewer's
    silence). Phase 1 (``phase_1_days``) ends in a clearance with probability
    logistic(``utility.clear_phase_1`` + ``utility.tension`` x tension), else phase 2
    (``phase_2_days``), extended by ``phase_3_days`` with probability ``p_phase_3``. At the end the
    reviewer approves, approves with remedies, prohibits, or asks the parties to pull and refile
    (``utility``); a refile is a new filing, accepted and reviewed on a new clock. When phase 2
    opens, the parties may abandon the deal in response (``p_abandon_in_depth``, ``abandon_days``
    later, if no decision came first): a negotiated deal then terminates; a sale an instrument
    forces goes back to the market without that buyer and structure.
    """

    kind: Literal["merger_control"]
    files_at: Literal["agreement", "signing"] = param("signing", "", "When the parties start preparing the filing.")
    filing_days: Duration = param(Duration(median=60, p90=120), "days", "From signing to the filing.")
    acceptance_days: Duration = param(
        Duration(median=30, p90=120),
        "days",
        "From the filing to its acceptance as complete, when the clock starts (SAMR: often months).",
    )
    political: PoliticalHandling | None = param(
        None, "", "Holding a filing politically (no acceptance, no clock); none if omitted."
    )
    phase_1_days: Duration = param(Duration(median=30, max=30), "days", "Phase 1 (AML Art. 25: 30 days).")
    phase_2_days: Duration = param(Duration(median=90, max=90), "days", "Phase 2 (AML Art. 26: 90 days).")
    phase_3_days: Duration = param(
        Duration(median=60, max=60), "days", "The extension of phase 2 (AML Art. 26: up to 60 days)."
    )
    p_phase_3: Probability = weight(0.5, "probability", "Chance phase 2 is extended.")
    utility: MergerUtility = param(MergerUtility(), "", "The decisions at the end of the phases.")
    max_refiles: int = param(1, "count", "Most pull-and-refile cycles the reviewer may ask for.", ge=0)
    refile_days: Duration = param(Duration(median=3, min=1), "days", "From pulling the filing to refiling it.")
    clock_stop: ClockStop | None = param(
        None, "", "Stopping the clock in phase 2; none if omitted (China before 2022)."
    )
    p_abandon_in_depth: Probability | None = weight(
        None,
        "probability",
        "Chance the parties abandon the deal when this reviewer opens phase 2 (an in-depth review, a second "
        "request), `abandon_days` later and before any decision; unset, they never do.",
        optional=True,
    )
    abandon_days: Duration = param(
        Duration(median=45, p90=120), "days", "From phase 2 opening to the parties' abandonment, when they abandon."
    )


class Consent(ReviewerBase):
    """The home government's political approval of a sale that exports no listed technology: no statutory clock.

    China's commerce ministry, once its consent was treated as needed for the deal as a whole
    (2020-09-19), had no licence procedure to follow for a sale that transfers nothing in its
    catalogue: it could grant, deny, or hold. The seller applies ``application_days`` after the
    terms are agreed; the government holds the case politically (``political``, ended only at a
    host action that moves it) or takes it up on a routine ``decision_days``; a released hold starts
    that routine clock. It grants or denies by the same utilities as a licence (``utility``). The
    consent is needed before the close, not before signing. Where a licence reviewer
    (``covered_by``) must clear the deal anyway, its licence is the consent.
    """

    kind: Literal["consent"]
    applies_to: Literal["any_sale", "foreign_buyer", "listed_technology", "none"] = param(
        "none",
        "",
        "Which deals need its consent: `none` until a `jurisdiction_change` event makes it `any_sale` (or set it so "
        "from the start).",
    )
    covered_by: str | None = param(
        None, "reviewer id", "An export-licence reviewer whose licence, when a deal needs one, is the consent."
    )
    application_days: Duration = param(
        Duration(median=10, p90=20), "days", "From the consent becoming necessary to the application."
    )
    decision_days: Duration = param(
        Duration(median=30, p90=60),
        "days",
        "Routine handling, from the application (or the end of a hold) to the decision; no statute sets it.",
    )
    political: PoliticalHandling = param(PoliticalHandling(), "", "Political handling of the application.")
    utility: LicenceUtility = param(LicenceUtility(), "", "The decision: grant or deny.")


kinds.add("reviewers", OrderReview, CoveredTransaction, ExportLicence, MergerControl, Consent)
