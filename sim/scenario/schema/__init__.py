"""The scenario schema: every parameter, with its unit and meaning, as typed frozen objects.

A scenario file is validated into a :class:`Scenario` before anything runs. Each field states
its unit (``days``, ``probability``, ``US$ bn``, ``logit``...) and meaning where it is declared;
``docs/scenario-reference.md`` is generated from these declarations (``sim reference``) and a
test keeps the two in step. The parts live in their own modules:

* :mod:`~sim.scenario.schema.base`: specs, declared parameters and weights, durations, dates;
* :mod:`~sim.scenario.schema.terms`: the deal-terms vocabulary and structures;
* :mod:`~sim.scenario.schema.business`: the market, the deal, seller, bidders;
* :mod:`~sim.scenario.schema.kinds`: the registries of reviewer, instrument and event kinds;
* :mod:`~sim.scenario.schema.reviewers`: reviewers by legal procedure;
* :mod:`~sim.scenario.schema.instruments`: bans, divestiture orders, laws;
* :mod:`~sim.scenario.schema.courts`: courts and appeal chains;
* :mod:`~sim.scenario.schema.government`: the host executive, the home government's politics;
* :mod:`~sim.scenario.schema.events`: dated events;
* :mod:`~sim.scenario.schema.scenario`: the scenario, and the parameters sweeps vary.
"""

from sim.scenario.schema import kinds
from sim.scenario.schema.base import (
    MAX_DURATION,
    MAX_MONEY,
    Dated,
    Duration,
    Index01,
    Probability,
    Range,
    Spec,
    is_optional_weight,
    is_weight,
    kind_of,
    param,
    weight,
)
from sim.scenario.schema.business import (
    AgreementSpec,
    BidderPool,
    BidderSpec,
    BidderTerms,
    DealSpec,
    Exit,
    Market,
    OutsideDateExtensions,
    SellerSpec,
)
from sim.scenario.schema.courts import AppealLevel, CourtSpec, Renewal
from sim.scenario.schema.events import (
    AnnouncedDeal,
    CatalogueUpdate,
    Election,
    EventBase,
    HomeChange,
    JurisdictionChange,
    Revocation,
    TensionChange,
)
from sim.scenario.schema.government import Blessing, ExecutiveSpec, HomeSpec, NewAdministration
from sim.scenario.schema.instruments import (
    Ban,
    BanStage,
    DeadlineInstrument,
    DivestitureOrder,
    Enforcement,
    EnforcementSuit,
    Extensions,
    Law,
    LawStage,
    Postponement,
)
from sim.scenario.schema.reviewers import (
    Acceptance,
    AfterSilence,
    ClockStop,
    Consent,
    CoveredTransaction,
    ExportLicence,
    InvestmentReview,
    LicenceUtility,
    MergerControl,
    MergerUtility,
    OrderReview,
    PoliticalHandling,
    PresidentialDecision,
    Release,
    ReviewerBase,
)
from sim.scenario.schema.scenario import (
    NAME_MAX,
    NAME_PATTERN,
    Experiment,
    Labels,
    Parameter,
    Scenario,
    kind_names,
    parameter_keys,
    register_kind,
    unregister_kind,
)
from sim.scenario.schema.terms import Bound, Structure, TermDimension, TermsCondition, TermWeights, meets, score

__all__ = [
    "MAX_DURATION",
    "MAX_MONEY",
    "NAME_MAX",
    "NAME_PATTERN",
    "Acceptance",
    "AfterSilence",
    "Consent",
    "AgreementSpec",
    "AnnouncedDeal",
    "AppealLevel",
    "Ban",
    "BanStage",
    "BidderPool",
    "BidderSpec",
    "BidderTerms",
    "Blessing",
    "Bound",
    "CatalogueUpdate",
    "ClockStop",
    "CourtSpec",
    "CoveredTransaction",
    "Dated",
    "DeadlineInstrument",
    "DealSpec",
    "DivestitureOrder",
    "Duration",
    "Election",
    "Enforcement",
    "EnforcementSuit",
    "EventBase",
    "ExecutiveSpec",
    "Exit",
    "Experiment",
    "ExportLicence",
    "Extensions",
    "HomeSpec",
    "Index01",
    "InvestmentReview",
    "JurisdictionChange",
    "Labels",
    "Law",
    "LawStage",
    "LicenceUtility",
    "Market",
    "MergerControl",
    "MergerUtility",
    "NewAdministration",
    "OrderReview",
    "OutsideDateExtensions",
    "Parameter",
    "PoliticalHandling",
    "Postponement",
    "PresidentialDecision",
    "Probability",
    "Range",
    "Release",
    "Renewal",
    "ReviewerBase",
    "Revocation",
    "Scenario",
    "SellerSpec",
    "Spec",
    "Structure",
    "HomeChange",
    "TensionChange",
    "TermDimension",
    "TermWeights",
    "TermsCondition",
    "is_optional_weight",
    "is_weight",
    "kind_names",
    "kind_of",
    "kinds",
    "meets",
    "param",
    "parameter_keys",
    "register_kind",
    "score",
    "unregister_kind",
    "weight",
]
