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
    users_m: float = param(..., "million users", "Users of the business in the host country.", ge=0)
    base_value: float = param(
        ...,
        "US$ bn",
        "Value of the business with no ban threat; the seller's reservation price is a share of it.",
        gt=0,
    )
    erosion_looming: float = param(
        0.0,
        "fraction per 30 days",
        "Share of value lost per 30 days while a ban order is in force but no stage bites.",
        ge=0,
        lt=1,
    )
    erosion_biting: float = param(
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
    """How the executive may extend a divestiture deadline."""

    max: int = param(2, "count", "Most extensions the executive grants.", ge=0)
    days: Duration = param(Duration(median=14), "days", "Length of one extension (clipped to what is left).")
    max_total_days: float | None = param(
        None,
        "days",
        "Total extension the order allows (30 under the 2020 Musical.ly order); none if omitted.",
        ge=0,
    )


class ExtendUtility(Spec):
    """Utility of extending a deadline."""

    base: float = param(-1.0, "logit", "Utility of extending when nothing else applies.")
    deal_under_review: float = param(2.0, "logit", "Added when a signed or agreed deal is under a government's review.")
    deal_blessed: float = param(1.0, "logit", "Added when the executive blessed the deal.")
    pre_election: float = param(
        0.0, "logit", "Added within `deadline.election_window_days` before an election (push the decision past it)."
    )
    lame_duck: float = param(
        0.0, "logit", "Added between an election that changes the administration and the inauguration."
    )


class EnforceUtility(Spec):
    """Utility of enforcing a deadline (the deadline-tied ban stages bite unless enjoined)."""

    base: float = param(0.0, "logit", "Utility of enforcing when nothing else applies.")
    no_deal: float = param(1.0, "logit", "Added when no deal is in progress.")
    new_administration: float = param(-2.0, "logit", "Added after a change of administration.")
    pre_election: float = param(
        0.0, "logit", "Added within `deadline.election_window_days` before an election (look tough)."
    )
    lame_duck: float = param(
        0.0, "logit", "Added between an election that changes the administration and the inauguration."
    )


class NotEnforceUtility(Spec):
    """Utility of leaving a deadline unenforced (deadline-tied stages are suspended)."""

    base: float = param(0.0, "logit", "Utility of not enforcing (the reference option).")


class DeadlineChoice(Spec):
    """What the executive weighs when a divestiture deadline passes without a close."""

    extend: ExtendUtility = param(ExtendUtility(), "", "Extending the deadline.")
    enforce: EnforceUtility = param(EnforceUtility(), "", "Enforcing the order.")
    not_enforce: NotEnforceUtility = param(NotEnforceUtility(), "", "Leaving it unenforced.")
    election_window_days: int = param(60, "days", "How close before an election the `pre_election` terms apply.", ge=0)


class Blessing(Spec):
    """The executive's blessing of an agreed deal "in principle"."""

    base: float = param(0.0, "logit", "Logit of blessing a deal by a buyer of zero standing.")
    standing: float = param(2.0, "logit per unit", "Added per unit of the buyer's standing (0-1).")
    seller_stake: float = param(-1.0, "logit per unit", "Added per unit of the stake the seller keeps (0-1).")


class NewAdministration(Spec):
    """What a new administration does after an election changes it."""

    p_shelve_review: Probability = param(
        0.5, "probability", "Chance it shelves a pending review of the deal until the horizon."
    )
    p_revoke: Probability = param(0.5, "probability", "Chance it revokes the ban order (the divestiture order stands).")
    revoke_days: Duration = param(Duration(median=120, p90=200), "days", "Days from inauguration to the revocation.")


class ExecutiveSpec(Spec):
    """The host executive (the US President): orders, deadlines, blessing."""

    label: str = param("US President", "text", "Name used in the narrative.")
    extensions: Extensions = param(Extensions(), "", "Deadline extensions.")
    deadline: DeadlineChoice = param(DeadlineChoice(), "", "The choice at a deadline.")
    blessing: Blessing = param(Blessing(), "", "Blessing an agreed deal in principle.")
    p_follow_block: Probability = param(
        0.95, "probability", "Chance the President acts on the regulator's referral to block."
    )
    decision_days: Duration = param(
        Duration(median=10, max=15),
        "days",
        "Days the President takes on a referral (statute: at most 15).",
    )
    new_administration: NewAdministration = param(
        NewAdministration(), "", "Behaviour after a change of administration."
    )


class RegulatorAcceptance(Spec):
    """The regulator's acceptance index of a deal's terms (logit units; higher is better)."""

    base: float = param(0.0, "logit", "Acceptance of a deal with all terms at zero.")
    seller_stake: float = param(-3.0, "logit per unit", "Added per unit of the stake the seller keeps (0-1).")
    algorithm: dict[Literal["transfer", "licence", "none"], float] = param(
        {"transfer": 1.0, "licence": -0.5, "none": -1.0},
        "logit",
        "Added for who controls the recommendation algorithm and source code.",
    )
    data_custody: dict[Literal["buyer", "trusted_partner", "seller"], float] = param(
        {"buyer": 0.5, "trusted_partner": 1.0, "seller": -2.0},
        "logit",
        "Added for where host-country user data lives and who controls it.",
    )
    source_code_audit: float = param(1.0, "logit", "Added when a host-country partner audits the source code.")
    standing: float = param(2.0, "logit per unit", "Added per unit of the buyer's standing (0-1).")
    blessed: float = param(0.5, "logit", "Added when the executive blessed the deal.")


class RegulatorDecision(Spec):
    """How the acceptance index becomes a decision."""

    clear_in_review: float = param(
        -1.0,
        "logit",
        "Offset on acceptance for clearing at the end of the review phase (else investigation).",
    )
    mitigate: float = param(
        0.5,
        "logit",
        "Utility of asking for mitigation; approving has utility = acceptance, blocking = -acceptance.",
    )
    mitigation_gain: float = param(1.0, "logit", "Acceptance gained by each round of mitigation the parties agree.")
    max_mitigation_rounds: int = param(2, "count", "Most mitigation rounds before a final call.", ge=0)


class RegulatorSpec(Spec):
    """The host investment regulator (CFIUS) and its statutory clocks."""

    label: str = param("CFIUS", "text", "Name used in the narrative.")
    files_at: Literal["agreement", "signing"] = param(
        "signing",
        "",
        "When the parties file: at the agreement in principle (as Microsoft did in 2020) or at signing.",
    )
    filing_days: Duration = param(
        Duration(median=10, unit="working_days"),
        "days",
        "From the filing trigger to the notice's acceptance (start of the clock).",
    )
    review_days: Duration = param(Duration(median=45, max=45), "days", "Review phase (statute: 45 days).")
    investigation_days: Duration = param(Duration(median=45, max=45), "days", "Investigation phase (statute: 45 days).")
    p_extension: Probability = param(
        0.2, "probability", "Chance of the 15-day extension in 'extraordinary circumstances'."
    )
    extension_days: Duration = param(Duration(median=15), "days", "Length of that extension (statute: 15 days).")
    mitigation_days: Duration = param(
        Duration(median=21, p90=45),
        "days",
        "Days the parties take to renegotiate terms and the regulator to re-review them.",
    )
    acceptance: RegulatorAcceptance = param(RegulatorAcceptance(), "", "Acceptance of terms.")
    decision: RegulatorDecision = param(RegulatorDecision(), "", "From acceptance to decision.")
    holidays: list[dt.date] = param(
        [], "dates", "Non-working days for durations in working days (weekends always are)."
    )


class Postponement(Spec):
    """When the commerce department postpones a ban stage about to take effect."""

    p_if_deal_progressing: Probability = param(
        0.5,
        "probability",
        "Chance of postponing when a deal is agreed, blessed, signed or under review.",
    )
    p_otherwise: Probability = param(0.0, "probability", "Chance of postponing otherwise.")
    days: Duration = param(Duration(median=7), "days", "Length of one postponement.")
    max: int = param(1, "count", "Most postponements of one stage.", ge=0)


class BanStage(Spec):
    """One stage of the ban the commerce department implements."""

    label: str = param(..., "text", "What the stage prohibits, for the narrative.")
    announced: dt.date = param(..., "date", "When the stage is announced (courts can be asked).")
    effective: dt.date | Literal["deadline"] = param(
        ...,
        "date",
        "When it takes effect, or `deadline`: when the divestiture deadline passes and the executive enforces.",
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

    p_lifts: Probability = param(0.1, "probability", "Chance an appeal lifts the injunction.")
    days: Duration = param(Duration(median=120, p90=240), "days", "From the injunction to the appeal's ruling.")


class CourtSpec(Spec):
    """A court where a ban stage can be challenged."""

    label: str = param(..., "text", "Court and case, for the narrative.")
    plaintiff: Literal["seller", "users"] = param(..., "", "Who brings the challenge.")
    hears: list[str] | None = param(None, "stage ids", "Stages this court can enjoin; all stages if omitted.")
    p_challenge: Probability = param(
        0.9, "probability", "Chance the plaintiff challenges a stage here when it is announced."
    )
    filing_days: Duration = param(Duration(median=2), "days", "From a stage's announcement to the filing.")
    ruling_days: Duration = param(
        Duration(median=10, p90=40), "days", "From the filing to the ruling on an injunction."
    )
    p_enjoin: Probability = param(
        0.8, "probability", "Chance the ruling enjoins the stage (2020 record: 4 of 5 rulings)."
    )
    appeal: Appeal = param(Appeal(), "", "Appeals of an injunction.")


class LicenceUtility(Spec):
    """The home government's utilities at the end of a licence review."""

    grant: float = param(1.0, "logit", "Utility of granting a deal with all terms at zero.")
    algorithm: dict[Literal["transfer", "licence", "none"], float] = param(
        {"transfer": -2.0, "licence": -0.5, "none": 0.0},
        "logit",
        "Added to granting for what happens to the algorithm.",
    )
    seller_stake: float = param(1.5, "logit per unit", "Added to granting per unit of the stake the seller keeps.")
    tension: float = param(-2.0, "logit per unit", "Added to granting per unit of tension between the governments.")
    stance: float = param(-1.0, "logit per unit", "Added to granting per unit of public opposition to the sale.")
    deny: float = param(0.0, "logit", "Utility of denying (the reference option).")
    escalate: float = param(-1.0, "logit", "Utility of escalating the case politically (open-ended review).")
    escalate_tension: float = param(2.0, "logit per unit", "Added to escalating per unit of tension.")


class Stall(Spec):
    """Holding a licence decision past a date of the host's political calendar.

    The home government may hold a decision until after, say, the host's election; more likely
    when tension is high.
    """

    until: dt.date = param(..., "date", "The date the decision is held past (e.g. the host's election).")
    base: float = param(-1.0, "logit", "Logit of stalling at zero tension, when a decision falls due before `until`.")
    tension: float = param(2.0, "logit per unit", "Added per unit of tension between the governments.")
    days_after: Duration = param(Duration(median=7, p90=21), "days", "From `until` to the decision, once stalled.")


class Licence(Spec):
    """The home government's two-stage export-licence procedure for restricted technology."""

    application_days: Duration = param(
        Duration(median=10, p90=20),
        "days",
        "From the licence becoming necessary (or the deal being chosen) to the application.",
    )
    review_days: Duration = param(
        Duration(median=30, unit="working_days"),
        "days",
        "Stage 1: application to the letter of intent (rules: 30 working days). No binding "
        "contract may be signed before the letter.",
    )
    licence_days: Duration = param(
        Duration(median=15, unit="working_days"),
        "days",
        "Stage 2: signed contract to the licence (rules: 15 working days).",
    )
    escalation_days: Duration = param(
        Duration(median=60, p90=180),
        "days",
        "Extra review time each time the case is escalated politically (no statutory limit).",
    )
    max_escalations: int = param(1, "count", "Most escalations of one application.", ge=0)
    stall: Stall | None = param(None, "", "Holding the letter-of-intent decision until after a date; none if omitted.")
    p_grant_after_letter: Probability = param(
        0.95, "probability", "Chance stage 2 grants the licence once the letter was given."
    )
    utility: LicenceUtility = param(LicenceUtility(), "", "The stage-1 decision.")


class HomeGovernmentSpec(Spec):
    """The home government (China's commerce ministry with its technology ministry)."""

    label: str = param("MOFCOM", "text", "Name used in the narrative.")
    tension: Index01 = param(0.5, "index 0-1", "Tension between the two governments at the start; events move it.")
    stance: Index01 = param(0.5, "index 0-1", "Public opposition to the sale at the start; events move it.")
    catalogue: list[str] = param([], "technology ids", "Technologies whose export is restricted at the start.")
    licence: Licence = param(Licence(), "", "The export-licence procedure.")
    holidays: list[dt.date] = param(
        [], "dates", "Non-working days for durations in working days (weekends always are)."
    )


class Exit(Spec):
    """The seller's choice to leave the market while a ban bites."""

    base: float = param(-4.0, "logit", "Logit of leaving at each check with no value lost.")
    value_lost: float = param(4.0, "logit per unit", "Added per unit of the business's value lost (0-1).")
    check_days: int = param(30, "days", "Days between the seller's reconsiderations while a ban bites.", gt=0)


class SellerSpec(Spec):
    """The seller (ByteDance): picks a bid, restructures, litigates, may leave the market."""

    label: str = param("seller", "text", "Name used in the narrative.")
    technologies: list[str] = param(
        [],
        "technology ids",
        "Technologies embodied in the algorithm; a deal that transfers or licenses the algorithm exports them.",
    )
    structure_preference: dict[str, float] = param(
        ...,
        "multiplier 0-1",
        "How much the seller likes each structure (by id); keeping control of the algorithm is worth more.",
    )
    restructure_order: list[str] = param(
        [],
        "structure ids",
        "The path the seller restructures along when a government rejects a deal.",
    )
    p_restructure: Probability = param(
        0.7, "probability", "Chance the seller restructures a rejected deal instead of ending it."
    )
    restructure_days: Duration = param(Duration(median=21, p90=45), "days", "Days to renegotiate a restructured deal.")
    reservation: float = param(
        0.5,
        "fraction",
        "Walk-away price as a share of the business's current value; utility of holding out.",
        ge=0,
    )
    choice_temperature: float = param(
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
    standing: Index01 = param(0.5, "index 0-1", "How favourably the host government sees the buyer.")
    due_diligence_days: Duration = param(Duration(median=30, p90=45), "days", "From entering to a bid.")
    p_drop_out: Probability = param(0.1, "probability", "Chance it drops out before bidding.")


# --- dated events -----------------------------------------------------------------------------


class EventBase(Spec):
    """Fields every dated event has."""

    date: dt.date = param(..., "date", "When it happens.")
    id: str | None = param(
        None,
        "id",
        "Names the event for `extends` merging; defaults to its kind. A child's event with the "
        "same id replaces the parent's.",
    )
    note: str = param("", "text", "What happened, for the narrative.")
    source: str = param("", "text", "Where the fact comes from.")


class BanOrder(EventBase):
    """The executive orders a ban; the commerce department's stages follow it."""

    kind: Literal["ban_order"]


class DivestitureOrder(EventBase):
    """The executive orders the seller to divest by a deadline."""

    kind: Literal["divestiture_order"]
    deadline: dt.date = param(..., "date", "The divestiture deadline (the first deadline).")


class CatalogueUpdate(EventBase):
    """The home government adds technologies to its export-restriction catalogue."""

    kind: Literal["catalogue_update"]
    adds: list[str] = param(..., "technology ids", "Technologies added to the catalogue.")
    description: str = param("", "text", "The catalogue entries as published (e.g. item numbers), for the narrative.")


class Election(EventBase):
    """A host election; the administration may change at the inauguration."""

    kind: Literal["election"]
    p_change: Probability = param(..., "probability", "Chance the administration changes.")
    inauguration: dt.date = param(..., "date", "When a new administration takes office.")


class Revocation(EventBase):
    """A dated revocation of orders (without an election)."""

    kind: Literal["revocation"]
    revokes: list[Literal["ban_order", "divestiture_order"]] = param(["ban_order"], "", "Which orders are revoked.")
    p: Probability = param(1.0, "probability", "Chance it happens.")


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
    BanOrder | DivestitureOrder | CatalogueUpdate | Election | Revocation | TensionChange | AnnouncedDeal,
    Field(discriminator="kind"),
]

EVENT_KINDS = (
    BanOrder,
    DivestitureOrder,
    CatalogueUpdate,
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
    horizon: dt.date = param(..., "date", "Last day simulated; the outcome is read here.")
    sources: list[str] = param([], "text", "Facts of the record the scenario rests on.")
    market: Market = param(..., "", "The business for sale.")
    structures: dict[str, Structure] = param(..., "", "Ways to do the deal, by id.")
    executive: ExecutiveSpec = param(ExecutiveSpec(), "", "The host executive.")
    cfius: RegulatorSpec = param(RegulatorSpec(), "", "The host investment regulator.")
    commerce: CommerceSpec = param(CommerceSpec(), "", "The host commerce department.")
    courts: dict[str, CourtSpec] = param({}, "", "Courts where ban stages can be challenged, by id.")
    china: HomeGovernmentSpec = param(HomeGovernmentSpec(), "", "The home government.")
    seller: SellerSpec = param(..., "", "The seller.")
    bidders: dict[str, BidderSpec] = param({}, "", "The bidders, by id.")
    events: list[Event] = param([], "", "Dated events: orders, catalogue updates, elections...")
    uncertainties: list[Parameter] = param(
        [], "", "Uncertain parameters; `sim sweep` and `sim sensitivity` vary them by default."
    )
    levers: list[Parameter] = param([], "", "What a decision-maker controls; `sim sweep` varies these first.")

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

        The earliest divestiture deadline, else the earliest dated ban stage, else the horizon.
        """
        orders = self.events_of(DivestitureOrder)
        if orders:
            return min(o.deadline for o in orders)
        dated = [s.effective for s in self.commerce.stages.values() if s.effective != "deadline"]
        return min(dated) if dated else self.horizon
