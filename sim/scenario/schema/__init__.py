"""The scenario schema: every parameter, with its unit and meaning, as typed frozen objects.

A scenario file is validated into a :class:`Scenario` before anything runs. Each field states
its unit (``days``, ``probability``, ``US$ bn``, ``logit``...) and meaning where it is declared;
``docs/scenario-reference.md`` is generated from these declarations (``sim reference``) and a
test keeps the two in step. The parts live in their own modules:

* :mod:`~sim.scenario.schema.base`: specs, declared parameters and weights, durations, dates;
* :mod:`~sim.scenario.schema.business`: the market, structures, the deal, seller, bidders;
* :mod:`~sim.scenario.schema.reviewers`: reviewers by legal procedure;
* :mod:`~sim.scenario.schema.instruments`: bans, divestiture orders, laws;
* :mod:`~sim.scenario.schema.courts`: courts and appeal chains;
* :mod:`~sim.scenario.schema.government`: the host executive, the home government's politics;
* :mod:`~sim.scenario.schema.events`: dated events;
* :mod:`~sim.scenario.schema.scenario`: the scenario, and the parameters sweeps vary.
"""

from sim.scenario.schema.base import (
    DATA_CUSTODY,
    TECHNOLOGY_TERMS,
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
    Structure,
)
from sim.scenario.schema.courts import AppealLevel, CourtSpec
from sim.scenario.schema.events import (
    EVENT_KINDS,
    AnnouncedDeal,
    CatalogueUpdate,
    Election,
    Event,
    EventBase,
    JurisdictionChange,
    Revocation,
    TensionChange,
)
from sim.scenario.schema.government import Blessing, ExecutiveSpec, HomeSpec, NewAdministration
from sim.scenario.schema.instruments import (
    INSTRUMENT_KINDS,
    Ban,
    BanStage,
    DeadlineInstrument,
    DivestitureOrder,
    Enforcement,
    Extensions,
    Instrument,
    Law,
    LawStage,
    Postponement,
)
from sim.scenario.schema.reviewers import (
    REVIEWER_KINDS,
    Acceptance,
    ClockStop,
    CoveredTransaction,
    DivestmentTest,
    ExportLicence,
    InvestmentReview,
    LicenceUtility,
    MergerControl,
    MergerUtility,
    OrderReview,
    PoliticalHandling,
    PresidentialDecision,
    Release,
    Reviewer,
    ReviewerBase,
)
from sim.scenario.schema.scenario import NAME_MAX, NAME_PATTERN, Experiment, Parameter, Scenario, parameter_keys

UNIONS = {"events": EVENT_KINDS, "reviewers": REVIEWER_KINDS, "instruments": INSTRUMENT_KINDS}
"""The scenario's collections whose items are one of several kinds, told apart by ``kind``."""

__all__ = [
    "DATA_CUSTODY",
    "EVENT_KINDS",
    "INSTRUMENT_KINDS",
    "NAME_MAX",
    "NAME_PATTERN",
    "REVIEWER_KINDS",
    "TECHNOLOGY_TERMS",
    "UNIONS",
    "Acceptance",
    "AgreementSpec",
    "AnnouncedDeal",
    "AppealLevel",
    "Ban",
    "BanStage",
    "BidderPool",
    "BidderSpec",
    "BidderTerms",
    "Blessing",
    "CatalogueUpdate",
    "ClockStop",
    "CourtSpec",
    "CoveredTransaction",
    "Dated",
    "DeadlineInstrument",
    "DealSpec",
    "DivestitureOrder",
    "DivestmentTest",
    "Duration",
    "Election",
    "Enforcement",
    "Event",
    "EventBase",
    "ExecutiveSpec",
    "Exit",
    "Experiment",
    "ExportLicence",
    "Extensions",
    "HomeSpec",
    "Index01",
    "Instrument",
    "InvestmentReview",
    "JurisdictionChange",
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
    "parameter_keys",
    "PoliticalHandling",
    "Postponement",
    "PresidentialDecision",
    "Probability",
    "Range",
    "Release",
    "Reviewer",
    "ReviewerBase",
    "Revocation",
    "Scenario",
    "SellerSpec",
    "Spec",
    "Structure",
    "TensionChange",
    "is_optional_weight",
    "is_weight",
    "kind_of",
    "param",
    "weight",
]
