"""The whole scenario: its dates, its parts, what is uncertain, and what a decision-maker controls."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any, Literal

from pydantic import PrivateAttr, field_validator, model_validator

from sim.scenario.schema import events as _events  # noqa: F401 - registers the event kinds
from sim.scenario.schema import instruments as _instruments  # noqa: F401 - registers the instrument kinds
from sim.scenario.schema import kinds
from sim.scenario.schema import reviewers as _reviewers  # noqa: F401 - registers the reviewer kinds
from sim.scenario.schema.base import Spec, kind_of, param
from sim.scenario.schema.business import AgreementSpec, BidderPool, BidderSpec, DealSpec, Market, SellerSpec
from sim.scenario.schema.courts import CourtSpec
from sim.scenario.schema.events import EventBase
from sim.scenario.schema.government import ExecutiveSpec, HomeSpec
from sim.scenario.schema.instruments import Ban, DeadlineInstrument
from sim.scenario.schema.terms import Structure, TermDimension

# The kind unions, as the fields below name them (rebuilt by register_kind). A type checker sees the
# built-in kinds; at run time the fields hold whatever kinds are registered.
if TYPE_CHECKING:
    from sim.scenario.schema.events import (
        AnnouncedDeal,
        CatalogueUpdate,
        Election,
        JurisdictionChange,
        Revocation,
        TensionChange,
    )
    from sim.scenario.schema.instruments import Ban as _Ban
    from sim.scenario.schema.instruments import DivestitureOrder, Law
    from sim.scenario.schema.reviewers import Consent, CoveredTransaction, ExportLicence, MergerControl, OrderReview

    Reviewer = OrderReview | CoveredTransaction | ExportLicence | MergerControl | Consent
    Instrument = _Ban | DivestitureOrder | Law
    Event = Election | Revocation | CatalogueUpdate | JurisdictionChange | TensionChange | AnnouncedDeal
else:
    Reviewer = kinds.union("reviewers")
    Instrument = kinds.union("instruments")
    Event = kinds.union("events")

NAME_MAX = 64
NAME_PATTERN = re.compile(rf"\w[\w.-]{{0,{NAME_MAX - 1}}}", re.ASCII)


# --- what is uncertain, and what a decision-maker controls ---------------------------------


class Parameter(Spec):
    """A parameter to vary in sweeps and sensitivity analyses.

    Give a range (``low``/``high``, uniform unless ``dist`` says otherwise) or a list of
    ``values``. A ``normal`` distribution has ``mean`` and ``sd``; a ``triangular`` one has
    ``low``, ``mode`` and ``high``.
    """

    path: str = param(..., "key path", "The scenario value to vary, as in --set (e.g. home.tension).")
    label: str = param("", "text", "Name for tables and figures; the path if omitted.")
    key: str | None = param(
        None,
        "identifier",
        "A short name: DealModel's keyword argument, the EMA Workbench's parameter name; by default the path's "
        "last part, or as many last parts as make it unique, joined by '_' (home.tension: tension).",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
    )
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


def parameter_keys(params: list[Parameter]) -> dict[str, Parameter]:
    """The declared parameters by their short keys (``Parameter.key``), each unique.

    A parameter without a key takes its path's last part, or as many last parts as no other
    parameter shares, joined by ``_`` (``reviewers.cfius.response_days.median``:
    ``response_days_median``).
    """
    paths = [p.path.split(".") for p in params]
    keys: dict[str, Parameter] = {}
    for p, parts in zip(params, paths, strict=True):
        if p.key is not None:
            key = p.key
        else:
            n = 1
            while n < len(parts) and any(q[-n:] == parts[-n:] for q in paths if q is not parts):
                n += 1
            key = "_".join(parts[-n:]).replace("-", "_")
        if key in keys:
            raise ValueError(f"two declared parameters have the key {key!r}; give one a `key`")
        keys[key] = p
    return keys


class Experiment(Spec):
    """A named analysis saved with the scenario, that ``sim experiment SCENARIO NAME`` runs again.

    ``command`` with ``args`` is what would be typed after ``sim COMMAND SCENARIO``; ``compare``
    adds ``scenarios`` (after this one), ``backtest`` and ``calibrate`` a ``record``, and a sweep may
    go on to scenario discovery with ``discover`` (the options of ``sim discover``). Paths are
    relative to the scenario file.
    """

    description: str = param("", "text", "What the experiment asks.")
    command: Literal["run", "sweep", "sensitivity", "compare", "decompose", "backtest", "calibrate"] = param(
        ..., "", "The sim command it runs."
    )
    args: list[str] = param([], "options", "The command's options, as on the command line (e.g. [--runs, 2000]).")
    scenarios: list[str] = param([], "file paths", "compare: the scenarios to compare this one with.")
    record: str | None = param(None, "file path", "backtest, calibrate: the observed record.")
    discover: list[str] | None = param(
        None, "options", "sweep: then run `sim discover` on its result with these options (e.g. [--outcome, closed])."
    )

    @field_validator("args", "discover", mode="before")
    @classmethod
    def _words(cls, value: Any) -> Any:
        """Options as typed: numbers become their text (``[--runs, 200]``)."""
        if isinstance(value, list):
            return [str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v for v in value]
        return value

    @model_validator(mode="after")
    def _fits(self) -> Experiment:
        if self.scenarios and self.command != "compare":
            raise ValueError("scenarios are for command: compare")
        if self.record is not None and self.command not in ("backtest", "calibrate"):
            raise ValueError("record is for command: backtest or calibrate")
        if self.command in ("backtest", "calibrate") and self.record is None:
            raise ValueError(f"command {self.command} needs a record")
        if self.discover is not None and self.command != "sweep":
            raise ValueError("discover follows command: sweep")
        return self


# --- the scenario -----------------------------------------------------------------------------


class Labels(Spec):
    """How the narrative names what the code cannot know: the host government, the currency, what a ban does."""

    host: str = param("the host government", "text", "The host government, as a sentence names it (e.g. the US).")
    currency: str = param("", "text", "The currency of prices and fees (e.g. US$); prices read `20.5 bn` without it.")
    ban_effect: str = param(
        "the business loses value",
        "text",
        "What a ban stage that bites does, for the narrative (e.g. the app loses users and value).",
    )

    def money(self, bn: float) -> str:
        """An amount in billions, in the scenario's currency: ``US$20.5 bn``."""
        return f"{self.currency}{bn:.1f} bn"


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
    labels: Labels = param(Labels(), "", "Names the narrative needs: the host, the currency, what a ban does.")
    deal: DealSpec = param(DealSpec(), "", "The kind of deal, and where it stands at the start.")
    market: Market = param(..., "", "The business for sale.")
    terms: dict[str, TermDimension] = param(
        ...,
        "",
        "The deal-terms vocabulary: the dimensions along which structures differ, by id (see Structure).",
    )
    structures: dict[str, Structure] = param(
        ..., "", "Ways to do the deal, by id: a label and a value on every dimension of `terms:`."
    )
    executive: ExecutiveSpec | None = param(
        None, "", "The host executive; none if no executive acts (no instrument, referral or election)."
    )
    home: HomeSpec | None = param(
        None, "", "The home government's politics (tension, stance); none if no reviewer reads them."
    )
    reviewers: dict[str, Reviewer] = param({}, "", "The bodies whose approval a deal may need, by id (a `kind` each).")
    instruments: dict[str, Instrument] = param({}, "", "The host's orders and laws, by id (a `kind` each).")
    courts: dict[str, CourtSpec] = param({}, "", "Courts where instruments can be challenged, by id.")
    seller: SellerSpec = param(..., "", "The seller.")
    bidders: dict[str, BidderSpec] = param({}, "", "The named bidders, by id.")
    bidder_pool: BidderPool | None = param(None, "", "Buyers that arrive over time; none if omitted.")
    agreement: AgreementSpec | None = param(
        None, "", "A negotiated acquisition's agreement with an outside date; none for a forced divestiture."
    )
    events: list[Event] = param([], "", "Dated events: elections, revocations, catalogue updates...")
    uncertainties: list[Parameter] = param(
        [], "", "Uncertain parameters; `sim sweep` and `sim sensitivity` vary them by default."
    )
    levers: list[Parameter] = param([], "", "What a decision-maker controls; `sim sweep` varies these first.")
    experiments: dict[str, Experiment] = param(
        {}, "", "Named analyses saved with the scenario, that `sim experiment SCENARIO NAME` runs again."
    )
    inactive: dict[str, str] = param(
        {},
        "key path: reason",
        "Behavioural weights that cannot change any run of this scenario, each with the reason, which stands in "
        "for a value: a listed weight need not be set, and a section's path covers every weight in it (a test "
        "perturbs every weight and fails on one that changes nothing and is not listed here).",
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

    def structure_value(self, structure: str, dimension: str) -> float | str:
        """One term of one structure."""
        return self.structures[structure].value(dimension)

    def reviewers_of(self, kind: str) -> dict[str, Any]:
        """The reviewers of one kind (``order``, ``export_licence``...), by id."""
        return {rid: r for rid, r in self.reviewers.items() if r.kind == kind}

    @property
    def declared_parameters(self) -> dict[str, Parameter]:
        """The levers, then the uncertainties, by their short keys (see :func:`parameter_keys`)."""
        return parameter_keys([*self.levers, *self.uncertainties])

    @property
    def first_deadline(self) -> dt.date:
        """The first deadline; ``closed_by_deadline`` means closed on or before it.

        The earliest deadline of a divestiture order or law, else the earliest date a ban stage
        takes effect (of those with a date known in advance), else the agreement's outside date,
        else the horizon.
        """
        deadlines = [i.deadline for i in self.instruments.values() if isinstance(i, DeadlineInstrument)]
        if deadlines:
            return min(deadlines)
        dated = [
            st.effective
            for i in self.instruments.values()
            if isinstance(i, Ban)
            for st in i.stages.values()
            if st.effective is not None
        ]
        if dated:
            return min(dated)
        return self.agreement.outside_date if self.agreement else self.horizon


_COLLECTIONS = {"reviewers": "dict", "instruments": "dict", "events": "list"}


def register_kind(group: str, cls: type[Spec]) -> None:
    """Register a new kind of reviewer, instrument or dated event: scenarios may then use ``kind: <its kind>``.

    The scenario's fields are rebuilt with the new union, so validation, problems, the weights'
    grounding and the reference know the kind at once. Registering a kind that exists replaces it.
    """
    kinds.add(group, cls)
    _rebuild(group)


def unregister_kind(group: str, kind: str) -> None:
    """Remove a registered kind (tests that register a toy kind put things back)."""
    kinds.KINDS[group].pop(kind, None)
    _rebuild(group)


def _rebuild(group: str) -> None:
    union = kinds.union(group)
    globals()[{"reviewers": "Reviewer", "instruments": "Instrument", "events": "Event"}[group]] = union
    annotation = dict[str, union] if _COLLECTIONS[group] == "dict" else list[union]  # type: ignore[valid-type]
    Scenario.model_fields[group].annotation = annotation
    Scenario.model_rebuild(force=True)


def kind_names(group: str) -> list[str]:
    """The registered kinds of a group."""
    return [kind_of(cls) for cls in kinds.members(group)]
