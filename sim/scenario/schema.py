"""The scenario schema: every parameter, with its unit and meaning, as typed frozen objects.

A scenario file is validated into a :class:`Scenario` before anything runs. Each field states
its unit (``days``, ``probability``, ``US$ bn``, ``logit``...) and meaning where it is declared;
``docs/scenario-reference.md`` is generated from these declarations (``sim docs``) and a test
keeps the two in step.

Utilities in ``logit`` units feed stochastic choices: an option with utility ``u`` is chosen
with probability ``exp(u) / sum(exp(u_i))`` over the options on offer, so +1 multiplies an
option's odds by e (about 2.7). A single yes/no uses the logistic function of its utility.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

ALGORITHM_TERMS = ("transfer", "licence", "none")
NAME_MAX = 64
NAME_PATTERN = re.compile(rf"\w[\w.-]{{0,{NAME_MAX - 1}}}", re.ASCII)
DATA_CUSTODY = ("buyer", "trusted_partner", "seller")


def param(default: Any = ..., unit: str = "", doc: str = "", **constraints: Any) -> Any:
    """Declare a scenario parameter with its unit and meaning (shown in the reference doc)."""
    return Field(default, description=doc, json_schema_extra={"unit": unit}, **constraints)


def weight(default: Any, unit: str, doc: str, **constraints: Any) -> Any:
    """Declare a behavioural weight: a utility, probability or acceptance weight.

    A scenario file, with the files it extends, must set every behavioural weight of the sections
    the model plays, with its source or the word assumption in a comment beside it; the default
    here only fills the reference doc and scenarios built in code. ``sim.scenario.grounding``
    checks it.
    """
    return Field(default, description=doc, json_schema_extra={"unit": unit, "behavioural": True}, **constraints)


def is_weight(field: Any) -> bool:
    """Whether a pydantic field was declared with :func:`weight`."""
    return bool((field.json_schema_extra or {}).get("behavioural"))


class Spec(BaseModel):
    """Base of every scenario object: frozen, and unknown keys are errors.

    An actor's section is named after the actor with ``Spec`` (``SellerSpec``), so it is never
    confused with the agent that plays it (``sim.model.agents.seller.Seller``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")


Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Index01 = Annotated[float, Field(ge=0.0, le=1.0)]


# --- distributions ----------------------------------------------------------------------------


class Duration(Spec):
    """A random duration, in days or working days.

    Lognormal with the given median and 90th percentile, clipped to [min, max] and rounded to
    whole days. The 90th percentile is given as ``p90`` (days) or as ``spread`` (a multiple of
    the median, so that sweeping the median moves the whole distribution); with neither, the
    duration is fixed.
    """

    median: float = param(..., "days", "Median duration.", gt=0)
    p90: float | None = param(None, "days", "90th percentile; must be >= median.", gt=0)
    spread: float | None = param(
        None, "multiple of the median", "90th percentile as a multiple of the median (>= 1), instead of p90.", ge=1
    )
    min: float = param(0.0, "days", "Shortest possible duration (e.g. a statutory minimum).", ge=0)
    max: float | None = param(
        None, "days", "Longest possible duration (e.g. a statutory limit); none if omitted.", ge=0
    )
    unit: Literal["days", "working_days"] = param(
        "days",
        "",
        "`days` are calendar days; `working_days` skip weekends and the acting government's `holidays`.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Duration:
        if self.p90 is not None and self.spread is not None:
            raise ValueError("give p90 or spread, not both")
        if self.p90 is not None and self.p90 < self.median:
            raise ValueError(f"p90 ({self.p90}) must be >= median ({self.median}); or give spread instead")
        if self.max is not None and self.max < self.min:
            raise ValueError(f"max ({self.max}) must be >= min ({self.min})")
        return self

    @property
    def ninetieth(self) -> float:
        """The 90th percentile in days (before clipping)."""
        if self.spread is not None:
            return self.median * self.spread
        return self.p90 if self.p90 is not None else self.median


class Range(Spec):
    """A uniform range, low to high."""

    low: float = param(..., "US$ bn", "Lowest value.", ge=0)
    high: float = param(..., "US$ bn", "Highest value; must be >= low.", ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self


# --- the business and the deal structures -----------------------------------------------------


class Market(Spec):
    """The business for sale and how a ban threat erodes its value."""

    label: str = param("the business", "text", "Name used in the narrative.")
    users_m: float = param(
        ..., "million users", "Users of the business in the host country (information only: no actor reads it).", ge=0
    )
    base_value: float = param(
        ...,
        "US$ bn",
        "Value of the business with no ban threat; the seller's reservation price is a share of it.",
        gt=0,
    )
    erosion_looming: float = weight(
        0.0,
        "fraction per 30 days",
        "Share of value lost per 30 days while a ban order is in force but no stage bites.",
        ge=0,
        lt=1,
    )
    erosion_biting: float = weight(
        0.0,
        "fraction per 30 days",
        "Share of value lost per 30 days while a ban stage bites (users cannot download or use the app).",
        ge=0,
        lt=1,
    )


class Structure(Spec):
    """The terms of one way to do the deal; regulators judge a deal by these terms."""

    label: str = param(..., "text", "Name used in the narrative.")
    seller_stake: float = param(..., "fraction", "Share of the business the seller keeps after closing.", ge=0, le=1)
    algorithm: Literal["transfer", "licence", "none"] = param(
        ...,
        "",
        "What happens to the recommendation algorithm and source code: `transfer` (the buyer owns "
        "it), `licence` (the seller keeps it and licenses its use), `none` (it does not cross "
        "the border).",
    )
    data_custody: Literal["buyer", "trusted_partner", "seller"] = param(
        ..., "", "Who stores host-country user data and controls access to it."
    )
    source_code_audit: bool = param(False, "yes/no", "A host-country partner may inspect the source code and updates.")


# --- actors -----------------------------------------------------------------------------------


class Extensions(Spec):
    """How the regulator extends a divestiture deadline, within what the order allows.

    Under the 2020 Musical.ly order CFIUS, not the President, granted the extensions (15 days to
    2020-11-27, then 7 days to 2020-12-04), up to the order's cap of 30 days in all
    (``divestiture_order.max_extension_days``).
    """

    max: int = param(2, "count", "Most extensions granted.", ge=0)
    days: Duration = param(Duration(median=14), "days", "Length of one extension (clipped to what the order leaves).")
    base: float = weight(-1.0, "logit", "Logit of extending when nothing else applies.")
    deal_under_review: float = weight(
        2.0, "logit", "Added when a chosen deal is before a government (notified, filed or applied for)."
    )
    deal_blessed: float = weight(1.0, "logit", "Added when the executive blessed the deal.")
    lame_duck: float = weight(
        0.0, "logit", "Added between an election that changes the administration and the inauguration."
    )


class Enforcement(Spec):
    """The choice, once a deadline passes with no close and no extension, to enforce the order.

    The Attorney General "may take any steps necessary" (the 2020 order); in 2020 nobody did, and
    non-enforcement was open-ended. Enforcing puts the ban stages tied to the deadline
    (``effective: deadline``) into effect; leaving it unenforced suspends them. A new
    administration decides again when it takes office.
    """

    base: float = weight(-0.5, "logit", "Logit of enforcing when nothing else applies (leaving it unenforced is 0).")
    no_deal: float = weight(1.5, "logit", "Added when no deal is in progress.")
    new_administration: float = weight(-2.0, "logit", "Added when a new administration decides.")
    lame_duck: float = weight(
        0.0, "logit", "Added between an election that changes the administration and the inauguration."
    )
    pause_days: Duration | None = param(
        None,
        "days",
        "Leaving the order unenforced is a pause of this length, after which the executive decides again "
        "(as with the repeated enforcement pauses of 2025); open-ended if omitted (as in 2020).",
    )
    max_pauses: int = param(
        0, "count", "Most pauses in a row (with `pause_days`); after the last, non-enforcement is open-ended.", ge=0
    )


class Blessing(Spec):
    """The executive's blessing of an agreed deal "in principle"."""

    base: float = weight(0.0, "logit", "Logit of blessing a deal by a buyer of zero standing.")
    standing: float = weight(2.0, "logit per unit", "Added per unit of the buyer's standing (0-1).")
    seller_stake: float = weight(-1.0, "logit per unit", "Added per unit of the stake the seller keeps (0-1).")


class NewAdministration(Spec):
    """What a new administration does after an election changes it."""

    p_shelve_review: Probability = weight(
        0.5, "probability", "Chance it shelves a pending review of the deal until the horizon."
    )
    p_revoke: Probability = weight(
        0.5, "probability", "Chance it revokes the ban order (the divestiture order stands)."
    )
    revoke_days: Duration = param(Duration(median=120, p90=200), "days", "Days from inauguration to the revocation.")


class ExecutiveSpec(Spec):
    """The host executive (the US President and the Attorney General): orders, enforcement, blessing."""

    label: str = param("US President", "text", "Name used in the narrative.")
    enforce: Enforcement = param(Enforcement(), "", "Enforcing a divestiture order after its last deadline.")
    blessing: Blessing = param(Blessing(), "", "Blessing an agreed deal in principle.")
    p_follow_block: Probability = weight(
        0.95, "probability", "Chance the President acts on a section 721 referral to block."
    )
    decision_days: Duration = param(
        Duration(median=10, max=15),
        "days",
        "Days the President takes on a section 721 referral (statute: at most 15).",
    )
    new_administration: NewAdministration = param(
        NewAdministration(), "", "Behaviour after a change of administration."
    )


class RegulatorAcceptance(Spec):
    """The regulator's acceptance index of a deal's terms (logit units; higher is better)."""

    base: float = weight(0.0, "logit", "Acceptance of a deal with all terms at zero.")
    seller_stake: float = weight(-3.0, "logit per unit", "Added per unit of the stake the seller keeps (0-1).")
    algorithm: dict[Literal["transfer", "licence", "none"], float] = weight(
        {"transfer": 1.0, "licence": -0.5, "none": -1.0},
        "logit",
        "Added for who controls the recommendation algorithm and source code.",
    )
    data_custody: dict[Literal["buyer", "trusted_partner", "seller"], float] = weight(
        {"buyer": 0.5, "trusted_partner": 1.0, "seller": -2.0},
        "logit",
        "Added for where host-country user data lives and who controls it.",
    )
    source_code_audit: float = weight(1.0, "logit", "Added when a host-country partner audits the source code.")
    standing: float = weight(2.0, "logit per unit", "Added per unit of the buyer's standing (0-1).")
    blessed: float = weight(0.5, "logit", "Added when the executive blessed the deal.")


class CompleteDivestment(Spec):
    """The order's test: whether a structure effects "a complete divestment" (the 2020 Musical.ly order).

    A structure passes when the seller keeps at most ``max_seller_stake``, the algorithm goes
    one of the ``algorithm`` ways and user data sits with one of ``data_custody``. A structure
    that fails can be approved only through mitigation the regulator accepts.
    """

    max_seller_stake: float = param(0.0, "fraction", "Largest stake the seller may keep.", ge=0, le=1)
    algorithm: list[Literal["transfer", "licence", "none"]] = param(
        ["transfer"], "", "What may happen to the algorithm (a licence or a seller-run algorithm keeps ties)."
    )
    data_custody: list[Literal["buyer", "trusted_partner", "seller"]] = param(
        ["buyer", "trusted_partner"], "", "Who may hold host-country user data."
    )


class OrderReview(Spec):
    """The regulator judging a notified sale under a divestiture order (no statutory clock).

    After each notice (the first one, or revised terms) it answers after ``response_days`` by a
    logit over the options open to it, each with a utility in logit units: approving (a structure
    that passes the complete-divestment test: acceptance + ``approve``), accepting mitigation of
    one that fails (acceptance + ``accept_mitigation``), asking for changes (``ask_changes``,
    while rounds are left: the parties revise the terms and notify again), objecting
    (``object`` - acceptance: the seller must restructure or give up) and staying silent
    (``silent``: no answer to this notice, possibly to the horizon).
    """

    response_days: Duration = param(
        Duration(median=30, p90=75), "days", "From a notice (or revised terms) to the regulator's answer."
    )
    complete_divestment: CompleteDivestment = param(CompleteDivestment(), "", "The order's own test.")
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


class CoveredTransaction(Spec):
    """A section 721 review of a covered transaction (a foreign acquirer), on statutory clocks.

    The notice is accepted within ``filing_days``; at the end of the 45-day review the regulator
    clears the deal with probability ``logistic(acceptance + clear_in_review)``, else it
    investigates (45 days, +15 in extraordinary circumstances). At the end of the investigation
    it approves (utility = acceptance), refers the deal to the President to block it
    (utility = -acceptance) or lets the parties withdraw and refile with mitigated terms
    (``refile``, while refiles are left): a refile is a new filing with its own clock, so no
    decision falls outside its filing's window.
    """

    filing_days: Duration = param(
        Duration(median=10, max=14, unit="working_days"),
        "days",
        "From the filing to the notice's acceptance, the start of the clock (statute: 10 business days).",
    )
    review_days: Duration = param(Duration(median=45, max=45), "days", "Review phase (statute: 45 days).")
    investigation_days: Duration = param(Duration(median=45, max=45), "days", "Investigation (statute: 45 days).")
    p_extension: Probability = weight(
        0.2, "probability", "Chance of the 15-day extension of the investigation in 'extraordinary circumstances'."
    )
    extension_days: Duration = param(Duration(median=15, max=15), "days", "That extension (statute: 15 days).")
    clear_in_review: float = weight(
        -1.0, "logit", "Offset on acceptance for clearing at the end of the review phase (else investigation)."
    )
    refile: float = weight(0.5, "logit", "Utility of withdrawing and refiling with mitigated terms.")
    max_refiles: int = param(2, "count", "Most withdraw-and-refile cycles before a final call.", ge=0)
    refile_days: Duration = param(
        Duration(median=21, p90=45), "days", "From withdrawing to refiling with mitigated terms."
    )


class RegulatorSpec(Spec):
    """The host investment regulator (CFIUS), in the legal frame that governs the deal."""

    label: str = param("CFIUS", "text", "Name used in the narrative.")
    frame: Literal["order", "section_721"] = param(
        ...,
        "",
        "The procedure the deal is reviewed under: `order` (a divestiture order's own test, no "
        "statutory clock: the 2020 TikTok case) or `section_721` (a covered transaction on the "
        "45/45/15/15-day clocks: a foreign acquirer).",
    )
    files_at: Literal["agreement", "signing"] = param(
        "signing",
        "",
        "When the parties notify or file: at the agreement in principle (as in 2020) or at signing.",
    )
    acceptance: RegulatorAcceptance = param(RegulatorAcceptance(), "", "How the regulator sees a deal's terms.")
    mitigation_gain: float = weight(
        1.0, "logit", "Acceptance gained by each round of changes (order) or refile (section 721) the parties make."
    )
    order: OrderReview = param(OrderReview(), "", "The review under a divestiture order (`frame: order`).")
    section_721: CoveredTransaction = param(
        CoveredTransaction(), "", "The covered-transaction review (`frame: section_721`)."
    )
    extensions: Extensions = param(Extensions(), "", "Extending a divestiture deadline.")
    holidays: list[dt.date] = param(
        [], "dates", "Non-working days for durations in working days (weekends always are)."
    )


class Postponement(Spec):
    """When the commerce department postpones a ban stage about to take effect."""

    p_if_deal_progressing: Probability = weight(
        0.5,
        "probability",
        "Chance of postponing when a deal is agreed, blessed, signed or under review.",
    )
    p_otherwise: Probability = weight(0.0, "probability", "Chance of postponing otherwise.")
    days: Duration = param(Duration(median=7), "days", "Length of one postponement.")
    max: int = param(1, "count", "Most postponements of one stage.", ge=0)


class BanStage(Spec):
    """One stage of the ban the commerce department implements."""

    label: str = param(..., "text", "What the stage prohibits, for the narrative.")
    announced: dt.date = param(..., "date", "When the stage is announced (courts can be asked).")
    effective: dt.date | Literal["deadline"] = param(
        ...,
        "date",
        "When it takes effect: a date (the ban order's own track), or `deadline`: when the "
        "divestiture deadline passes and the order is enforced (a ban tied to the deadline by law).",
    )
    severity: float = param(
        0.0,
        "fraction per 30 days",
        "Extra share of value lost per 30 days while this stage bites (on top of `market.erosion_biting`).",
        ge=0,
        lt=1,
    )


class CommerceSpec(Spec):
    """The host commerce department: implements the ban order in stages."""

    label: str = param("Commerce Department", "text", "Name used in the narrative.")
    stages: dict[str, BanStage] = param({}, "", "The ban stages, by id.")
    postpone: Postponement = param(Postponement(), "", "Postponing a stage.")


class Appeal(Spec):
    """The government's appeal of an injunction."""

    p_lifts: Probability = weight(0.1, "probability", "Chance an appeal lifts the injunction.")
    days: Duration = param(Duration(median=120, p90=240), "days", "From the injunction to the appeal's ruling.")


class CourtSpec(Spec):
    """A court where an instrument can be challenged.

    A court hearing the ban order (``instrument: ban_order``) is asked to enjoin each stage when
    it is announced; a challenge filed before the stage's effective date is ruled on by that
    date unless the court is slow (``p_slow``). A court hearing the divestiture order (a
    petition for review) is petitioned once the order is issued; a ruling for the plaintiff sets
    the order aside. Challenges to one instrument share its legal question: each ruling draws on
    a merits draw common to the instrument, weighted by ``agreement``.
    """

    label: str = param(..., "text", "Court and case, for the narrative.")
    plaintiff: Literal["seller", "users"] = param(..., "", "Who brings the challenge.")
    instrument: Literal["ban_order", "divestiture_order"] = param("ban_order", "", "Which order is challenged here.")
    hears: list[str] | None = param(None, "stage ids", "Ban stages this court can enjoin; all if omitted.")
    p_challenge: Probability = weight(
        0.9, "probability", "Chance the plaintiff challenges a stage (or the order) here."
    )
    filing_days: Duration = param(
        Duration(median=2), "days", "From a stage's announcement (or the order) to the filing."
    )
    ruling_days: Duration = param(
        Duration(median=10, p90=40), "days", "From the filing to the ruling, if the court is not held to a date."
    )
    p_slow: Probability = weight(
        0.1, "probability", "Chance the court does not rule before the stage's effective date."
    )
    p_enjoin: Probability = weight(0.8, "probability", "Chance a ruling enjoins the stage (or sets the order aside).")
    agreement: Index01 = weight(
        0.5,
        "index 0-1",
        "How much of a ruling rests on the legal question common to every challenge of the instrument "
        "(0: independent rulings; 1: every court rules alike).",
    )
    appeal: Appeal = param(Appeal(), "", "Appeals of an injunction.")


class LicenceUtility(Spec):
    """The home government's utilities when it rules on a letter of intent: grant or deny."""

    grant: float = weight(1.0, "logit", "Utility of granting a deal with all terms at zero.")
    algorithm: dict[Literal["transfer", "licence", "none"], float] = weight(
        {"transfer": -2.0, "licence": -0.5, "none": 0.0},
        "logit",
        "Added to granting for what happens to the algorithm.",
    )
    seller_stake: float = weight(1.5, "logit per unit", "Added to granting per unit of the stake the seller keeps.")
    tension: float = weight(-2.0, "logit per unit", "Added to granting per unit of tension between the governments.")
    stance: float = weight(-1.0, "logit per unit", "Added to granting per unit of public opposition to the sale.")
    new_administration: float = weight(
        0.0, "logit", "Added to granting once an election has changed the host's administration."
    )
    deny: float = weight(0.0, "logit", "Utility of denying (the reference option).")


class Release(Spec):
    """When a political hold ends: each host action is a moment the ministry may rule at.

    At each such moment the hold ends with probability logistic(``base`` + the action's term);
    with no action that ends it, the hold lasts to the horizon and the ministry never rules.
    """

    base: float = weight(-2.0, "logit", "Logit of ruling at a host action with no term of its own.")
    blessing: float = weight(0.0, "logit", "Added when the host executive blesses the deal.")
    injunction: float = weight(0.0, "logit", "Added when a host court enjoins a ban stage (a loss for the host).")
    ban_bites: float = weight(0.0, "logit", "Added when a ban stage starts to bite.")
    enforcement: float = weight(0.0, "logit", "Added when the host enforces the divestiture order.")
    election: float = weight(0.0, "logit", "Added when the host's election result is known.")


class PoliticalHandling(Spec):
    """Handling an application politically: an open-ended hold instead of the statutory clock.

    At each application the ministry handles it politically with probability
    logistic(``base`` + ``tension`` x tension); otherwise it rules on the routine clock.
    """

    base: float = weight(-1.0, "logit", "Logit of political handling at zero tension.")
    tension: float = weight(2.0, "logit per unit", "Added per unit of tension between the governments.")
    release: Release = param(Release(), "", "When a political hold ends.")


class Licence(Spec):
    """The home government's two-stage export-licence procedure for restricted technology."""

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


class HomeGovernmentSpec(Spec):
    """The home government (China's commerce ministry with its technology ministry)."""

    label: str = param("MOFCOM", "text", "Name used in the narrative.")
    tension: Index01 = weight(0.5, "index 0-1", "Tension between the two governments at the start; events move it.")
    stance: Index01 = weight(0.5, "index 0-1", "Public opposition to the sale at the start; events move it.")
    catalogue: list[str] = param([], "technology ids", "Technologies whose export is restricted at the start.")
    consent: Literal["listed_technology", "any_sale"] = param(
        "listed_technology",
        "",
        "What needs the home government's consent: a deal that exports a listed technology, or any sale of "
        "the business (a `home_consent` event can change it).",
    )
    licence: Licence = param(Licence(), "", "The export-licence procedure.")
    calendar: Literal["weekdays", "prc"] = param(
        "weekdays",
        "",
        "Working days for durations in working days: `weekdays` (Monday to Friday less `holidays`) or `prc` "
        "(the State Council's public holidays and weekend make-up working days, from the chinesecalendar "
        "package, 2004 to its latest year).",
    )
    holidays: list[dt.date] = param(
        [], "dates", "Non-working days for durations in working days (weekends always are), with `weekdays`."
    )


class Exit(Spec):
    """The seller's choice to leave the market while a ban bites."""

    base: float = weight(-4.0, "logit", "Logit of leaving at each check with no value lost.")
    value_lost: float = weight(4.0, "logit per unit", "Added per unit of the business's value lost (0-1).")
    litigating: float = weight(
        0.0,
        "logit",
        "Added while the seller litigates: a case of its own is pending or one of its injunctions stands "
        "(its litigation posture).",
    )
    check_days: int = param(30, "days", "Days between the seller's reconsiderations while a ban bites.", gt=0)


class SellerSpec(Spec):
    """The seller (ByteDance): picks a bid, restructures, litigates, may leave the market."""

    label: str = param("seller", "text", "Name used in the narrative.")
    technologies: list[str] = param(
        [],
        "technology ids",
        "Technologies embodied in the algorithm; a deal that transfers or licenses the algorithm exports them.",
    )
    structure_preference: dict[str, float] = weight(
        ...,
        "multiplier 0-1",
        "How much the seller likes each structure (by id); keeping control of the algorithm is worth more.",
    )
    proposes: list[str] = param(
        [],
        "structure ids",
        "Structures the seller offers bidders itself, at their price, besides their own offers (ByteDance "
        "proposed the no-transfer partnership on 2020-09-13).",
    )
    restructure_order: list[str] = param(
        [],
        "structure ids",
        "The path the seller restructures along when a government rejects a deal.",
    )
    p_restructure: Probability = weight(
        0.7, "probability", "Chance the seller restructures a rejected deal instead of ending it."
    )
    restructure_days: Duration = param(Duration(median=21, p90=45), "days", "Days to renegotiate a restructured deal.")
    reservation: float = weight(
        0.5,
        "fraction",
        "Walk-away price as a share of the business's current value; utility of holding out.",
        ge=0,
    )
    choice_temperature: float = weight(
        5.0,
        "US$ bn",
        "Scale of the logit choice among bids; smaller picks the best expected value more surely.",
        gt=0,
    )
    bid_deadline: dt.date | None = param(
        None,
        "date",
        "When the seller picks among bids; if omitted, `decision_days` after the first.",
    )
    decision_days: Duration = param(
        Duration(median=14), "days", "From the first bid to the pick (without `bid_deadline`)."
    )
    exclusive_talks_days: Duration = param(
        Duration(median=7, p90=14), "days", "From the pick to the agreement in principle."
    )
    signing_days: Duration = param(
        Duration(median=30, p90=60),
        "days",
        "From the agreement in principle to a signed contract (if no licence letter is awaited).",
    )
    closing_days: Duration = param(Duration(median=5), "days", "From the last approval to the close.")
    exit: Exit = param(Exit(), "", "Leaving the market.")


class OutsideDateExtensions(Spec):
    """How the parties may extend their agreement's outside date."""

    max: int = param(0, "count", "Most extensions.", ge=0)
    days: Duration = param(Duration(median=90), "days", "Length of one extension.")


class AgreementSpec(Spec):
    """A negotiated acquisition's merger agreement: the outside date by which it must close.

    When the outside date passes with the deal in progress but not closed, the parties extend it
    (with probability ``p_extend``, while extensions are left) or the agreement terminates: the
    run ends ``terminated``, and the termination fee, if any, is logged.
    """

    outside_date: dt.date = param(..., "date", "The agreement's outside date.")
    extensions: OutsideDateExtensions = param(OutsideDateExtensions(), "", "Extensions of the outside date.")
    p_extend: Probability = weight(0.5, "probability", "Chance the parties extend at an outside date, while they may.")
    termination_fee: float = param(0.0, "US$ bn", "Fee the buyer pays the seller on termination (logged).", ge=0)


class BidderSpec(Spec):
    """A bidder (a buyer with its partners)."""

    label: str = param(..., "text", "Name used in the narrative.")
    partners: list[str] = param([], "names", "Partners in the bid (information only).")
    enters: dt.date | None = param(None, "date", "When it enters talks; the start if omitted.")
    valuation: Range = param(..., "US$ bn", "Range of its valuation of the business under the structure it offers.")
    offers: str = param(..., "structure id", "The structure it proposes.")
    accepts: list[str] | None = param(
        None, "structure ids", "Structures it would accept on restructuring; all if omitted."
    )
    insists_on_algorithm: bool = param(False, "yes/no", "Accepts only structures that transfer the algorithm.")
    standing: Index01 = weight(0.5, "index 0-1", "How favourably the host government sees the buyer.")
    due_diligence_days: Duration = param(Duration(median=30, p90=45), "days", "From entering to a bid.")
    p_drop_out: Probability = weight(0.1, "probability", "Chance it drops out before bidding.")
    p_return: Probability = weight(
        0.0,
        "probability",
        "Chance a bidder that dropped out comes back, at each event that moves the market while no deal is in "
        "progress (a deadline passing, a court refusing to stop a stage, a ban biting, a new administration).",
    )


# --- dated events -----------------------------------------------------------------------------


class EventBase(Spec):
    """Fields every dated event has.

    An event can be uncertain: it happens with probability ``p``, and on a day drawn uniformly
    from ``date`` to ``date_to`` (written ``date: {between: [2020-09-01, 2020-10-15]}`` or with
    ``date_to``). Each run draws both from its own stream for the event, so adding or changing one
    uncertain event leaves every other draw of the run alone.
    """

    date: dt.date = param(..., "date", "When it happens (the first possible day, with `date_to`).")
    date_to: dt.date | None = param(
        None, "date", "The last possible day: the event happens on a day drawn uniformly from `date` to it."
    )
    p: Probability = param(1.0, "probability", "Chance it happens at all.")
    id: str | None = param(
        None,
        "id",
        "Names the event for `extends` merging; defaults to its kind. A child's event with the "
        "same id replaces the parent's.",
    )
    note: str = param("", "text", "What happened, for the narrative.")
    source: str = param("", "text", "Where the fact comes from.")

    @model_validator(mode="before")
    @classmethod
    def _between(cls, data: Any) -> Any:
        # date: {between: [a, b]} is date: a, date_to: b
        if isinstance(data, dict) and isinstance(data.get("date"), dict) and set(data["date"]) == {"between"}:
            window = data["date"]["between"]
            if isinstance(window, list) and len(window) == 2:
                data = {**data, "date": window[0], "date_to": window[1]}
        return data


class BanOrder(EventBase):
    """The executive orders a ban; the commerce department's stages follow it."""

    kind: Literal["ban_order"]


class DivestitureOrder(EventBase):
    """The executive orders the seller to divest by a deadline."""

    kind: Literal["divestiture_order"]
    deadline: dt.date = param(..., "date", "The divestiture deadline (the first deadline).")
    max_extension_days: float | None = param(
        None,
        "days",
        "Total extension the order lets the regulator grant (30 under the 2020 Musical.ly order); none if omitted.",
        ge=0,
    )


class CatalogueUpdate(EventBase):
    """The home government adds technologies to its export-restriction catalogue."""

    kind: Literal["catalogue_update"]
    adds: list[str] = param(..., "technology ids", "Technologies added to the catalogue.")
    description: str = param("", "text", "The catalogue entries as published (e.g. item numbers), for the narrative.")


class HomeConsent(EventBase):
    """What needs the home government's consent changes (e.g. a new export-control law)."""

    kind: Literal["home_consent"]
    consent: Literal["listed_technology", "any_sale"] = param(
        ..., "", "From this date: a deal exporting a listed technology, or any sale of the business."
    )


class Election(EventBase):
    """A host election; the administration may change at the inauguration."""

    kind: Literal["election"]
    p_change: Probability = param(..., "probability", "Chance the administration changes.")
    inauguration: dt.date = param(..., "date", "When a new administration takes office.")


class Revocation(EventBase):
    """A dated revocation of orders (without an election)."""

    kind: Literal["revocation"]
    revokes: list[Literal["ban_order", "divestiture_order"]] = param(["ban_order"], "", "Which orders are revoked.")


class TensionChange(EventBase):
    """Something moves the tension between the governments or the home government's stance."""

    kind: Literal["tension_change"]
    tension: float = param(0.0, "index change", "Added to tension (the result is kept in 0-1).")
    stance: float = param(0.0, "index change", "Added to the stance (kept in 0-1).")


class AnnouncedDeal(EventBase):
    """The seller and a bidder announce a deal on this date (the pick is not left to chance)."""

    kind: Literal["announced_deal"]
    bidder: str = param(..., "bidder id", "The buyer.")
    structure: str | None = param(None, "structure id", "The structure; the bidder's offer if omitted.")


Event = Annotated[
    BanOrder | DivestitureOrder | CatalogueUpdate | HomeConsent | Election | Revocation | TensionChange | AnnouncedDeal,
    Field(discriminator="kind"),
]

EVENT_KINDS = (
    BanOrder,
    DivestitureOrder,
    CatalogueUpdate,
    HomeConsent,
    Election,
    Revocation,
    TensionChange,
    AnnouncedDeal,
)


# --- what is uncertain, and what a decision-maker controls ---------------------------------


class Parameter(Spec):
    """A parameter to vary in sweeps and sensitivity analyses.

    Give a range (``low``/``high``, uniform unless ``dist`` says otherwise) or a list of
    ``values``. A ``normal`` distribution has ``mean`` and ``sd``; a ``triangular`` one has
    ``low``, ``mode`` and ``high``.
    """

    path: str = param(..., "key path", "The scenario value to vary, as in --set (e.g. china.tension).")
    label: str = param("", "text", "Name for tables and figures; the path if omitted.")
    low: float | None = param(None, "as the parameter", "Lowest value of the range.")
    high: float | None = param(None, "as the parameter", "Highest value of the range.")
    values: list[Any] | None = param(None, "as the parameter", "Discrete values to choose among.")
    dist: Literal["uniform", "triangular", "normal"] = param(
        "uniform", "", "Distribution over the range (for sampling designs and Sobol analyses)."
    )
    mode: float | None = param(None, "as the parameter", "Most likely value (triangular).")
    mean: float | None = param(None, "as the parameter", "Mean (normal).")
    sd: float | None = param(None, "as the parameter", "Standard deviation (normal).", gt=0)
    points: int = param(5, "count", "Grid points over the range in a grid sweep.", ge=2)

    @model_validator(mode="after")
    def _complete(self) -> Parameter:
        if self.values is not None:
            if not self.values:
                raise ValueError("values must not be empty")
            return self
        if self.dist == "normal":
            if self.mean is None or self.sd is None:
                raise ValueError("a normal distribution needs mean and sd")
            return self
        if self.low is None or self.high is None:
            raise ValueError("give low and high, or values")
        if self.high <= self.low:
            raise ValueError(f"high ({self.high}) must be > low ({self.low})")
        if self.dist == "triangular" and (self.mode is None or not self.low <= self.mode <= self.high):
            raise ValueError("a triangular distribution needs a mode between low and high")
        return self

    @property
    def name(self) -> str:
        """How tables and figures name it."""
        return self.label or self.path


# --- the scenario -----------------------------------------------------------------------------


class Scenario(Spec):
    """A whole scenario: the actors, the rules, the dates and the uncertain parameters."""

    name: str = param(
        ...,
        "id",
        "Short name; results go to outputs/<name>/. Letters, digits, '_', '.' and '-', starting with a letter, "
        f"digit or '_', at most {NAME_MAX} characters.",
    )
    description: str = param("", "text", "One line on what the scenario asks.")
    start: dt.date = param(..., "date", "Day 0 of every run.")
    as_of: dt.date | None = param(
        None,
        "date",
        "The date the scenario's facts are known as of; a backtest with dated inputs after it is in-sample.",
    )
    horizon: dt.date = param(..., "date", "Last day simulated; the outcome is read here.")
    sources: list[str] = param([], "text", "Facts of the record the scenario rests on.")
    market: Market = param(..., "", "The business for sale.")
    structures: dict[str, Structure] = param(..., "", "Ways to do the deal, by id.")
    executive: ExecutiveSpec = param(ExecutiveSpec(), "", "The host executive.")
    cfius: RegulatorSpec = param(..., "", "The host investment regulator.")
    commerce: CommerceSpec = param(CommerceSpec(), "", "The host commerce department.")
    courts: dict[str, CourtSpec] = param({}, "", "Courts where ban stages can be challenged, by id.")
    china: HomeGovernmentSpec = param(HomeGovernmentSpec(), "", "The home government.")
    seller: SellerSpec = param(..., "", "The seller.")
    bidders: dict[str, BidderSpec] = param({}, "", "The bidders, by id.")
    agreement: AgreementSpec | None = param(
        None, "", "A negotiated acquisition's agreement with an outside date; none for a forced divestiture."
    )
    events: list[Event] = param([], "", "Dated events: orders, catalogue updates, elections...")
    uncertainties: list[Parameter] = param(
        [], "", "Uncertain parameters; `sim sweep` and `sim sensitivity` vary them by default."
    )
    levers: list[Parameter] = param([], "", "What a decision-maker controls; `sim sweep` varies these first.")
    inactive: dict[str, str] = param(
        {},
        "key path: reason",
        "Behavioural weights that cannot change any run of this scenario, each with the reason "
        "(a test perturbs every weight and fails on one that changes nothing and is not listed here).",
    )

    _source: str = PrivateAttr(default="<scenario>")

    @field_validator("name")
    @classmethod
    def _a_safe_directory_name(cls, name: str) -> str:
        # The name becomes a directory under outputs/ that --force may replace: "..", "." or
        # "a/b" would point elsewhere, so only plain names are allowed.
        if not NAME_PATTERN.fullmatch(name):
            raise ValueError(
                "must start with a letter, digit or '_' and hold only letters, digits, '_', '.' and '-' "
                f"(at most {NAME_MAX} characters), since results go to outputs/<name>/"
            )
        return name

    @property
    def source(self) -> str:
        """The file the scenario was loaded from (or ``<scenario>`` if built in code)."""
        return self._source

    @property
    def days(self) -> int:
        """Days from the start to the horizon (the horizon is the last day simulated)."""
        return (self.horizon - self.start).days

    def day(self, date: dt.date) -> int:
        """Days from the start to ``date``."""
        return (date - self.start).days

    def events_of(self, kind: type[EventBase]) -> list[Any]:
        """The scenario's events of one kind, in date order."""
        return sorted((e for e in self.events if isinstance(e, kind)), key=lambda e: e.date)

    @property
    def first_deadline(self) -> dt.date:
        """The first deadline; ``closed_by_deadline`` means closed on or before it.

        The earliest divestiture deadline, else the earliest dated ban stage, else the agreement's
        outside date, else the horizon.
        """
        orders = self.events_of(DivestitureOrder)
        if orders:
            return min(o.deadline for o in orders)
        dated = [s.effective for s in self.commerce.stages.values() if s.effective != "deadline"]
        if dated:
            return min(dated)
        return self.agreement.outside_date if self.agreement else self.horizon
