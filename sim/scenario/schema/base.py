"""What every part of a scenario is built from: frozen specs, declared parameters, durations, dates.

Utilities in ``logit`` units feed stochastic choices: an option with utility ``u`` is chosen
with probability ``exp(u) / sum(exp(u_i))`` over the options on offer, so +1 multiplies an
option's odds by e (about 2.7). A single yes/no uses the logistic function of its utility.
"""

from __future__ import annotations

import datetime as dt
import functools
import typing
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


def param(default: Any = ..., unit: str = "", doc: str = "", **constraints: Any) -> Any:
    """Declare a scenario parameter with its unit and meaning (shown in the reference doc)."""
    return Field(default, description=doc, json_schema_extra={"unit": unit}, **constraints)


def calendar_param() -> Any:
    """The ``calendar`` an actor counts working days in (a reviewer's, a court's)."""
    return param(
        "weekdays",
        "",
        "Working days for durations in working days: `weekdays` (Monday to Friday less `holidays`), "
        "`us_federal` (also less the US federal holidays as observed, from the holidays package) or `prc` "
        "(the State Council's public holidays and weekend make-up working days, from the chinesecalendar "
        "package, 2004 to its latest year).",
    )


def holidays_param() -> Any:
    """Further non-working days beside an actor's ``calendar``."""
    return param(
        [],
        "dates",
        "Further non-working days for durations in working days (weekends always are), with any calendar "
        "(e.g. Inauguration Day, a holiday for federal employees in Washington only).",
    )


def weight(default: Any, unit: str, doc: str, *, optional: bool = False, **constraints: Any) -> Any:
    """Declare a behavioural weight: a utility, probability or acceptance weight.

    A scenario file, with the files it extends, must set every behavioural weight of the sections
    the model plays, with its source or the word assumption in a comment beside it (or list it
    under ``inactive:`` with the reason it cannot act); the default here only fills the reference
    doc and scenarios built in code. ``sim.scenario.grounding`` checks it. An ``optional`` weight
    (default None) switches a mechanism on: left unset, the mechanism is off and draws nothing.
    """
    extra: dict[str, Any] = {"unit": unit, "behavioural": True, "optional": optional}
    return Field(default, description=doc, json_schema_extra=extra, **constraints)


def is_weight(field: Any) -> bool:
    """Whether a pydantic field was declared with :func:`weight`."""
    return bool((field.json_schema_extra or {}).get("behavioural"))


def is_optional_weight(field: Any) -> bool:
    """Whether a weight switches an optional mechanism on (unset: off)."""
    return is_weight(field) and bool(field.json_schema_extra.get("optional"))


LAX = "lax scalar "  # marks a refused lax conversion; sim.scenario.problems puts it at its key


class Spec(BaseModel):
    """Base of every scenario object: frozen, and unknown keys are errors.

    An actor's section is named after the actor with ``Spec`` (``SellerSpec``), so it is never
    confused with the agent that plays it (``sim.model.agents.seller.Seller``).
    """

    # NaN and infinity are no numbers a scenario means (a NaN utility silently turns an option off)
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_lax_scalars(cls, data: Any) -> Any:
        """Refuse what pydantic's lax mode would convert silently: ``true`` as a number, ``0`` as a date."""
        if not isinstance(data, dict):
            return data
        for name, value in data.items():
            if not isinstance(value, bool | int) or name not in cls.model_fields or name == "kind":
                continue
            accepts = _accepted(cls, name)
            if isinstance(value, bool) and bool not in accepts and accepts & {int, float}:
                raise ValueError(f"{LAX}{name}={value!r}: must be a number, not yes/no")
            if not isinstance(value, bool) and dt.date in accepts and not accepts & {int, float}:
                raise ValueError(f"{LAX}{name}={value!r}: must be a date (YYYY-MM-DD), not a number")
        return data


@functools.cache
def _accepted(cls: type[BaseModel], name: str) -> frozenset[type]:
    """The scalar types a field's annotation admits (through unions, Annotated and Optional)."""
    found: set[type] = set()
    stack = [cls.model_fields[name].annotation]
    while stack:
        t = stack.pop()
        if t in (bool, int, float, dt.date, str):
            found.add(typing.cast(type, t))
        elif typing.get_origin(t) is not list:  # a list's items are validated as items, not here
            stack.extend(typing.get_args(t))
    return frozenset(found)


MAX_DURATION = 36_500.0  # days: a hundred years, the longest horizon
MAX_MONEY = (
    1_000_000.0  # bn of the scenario's currency: a thousand times the largest deal of record; beyond it prices overflow
)
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Index01 = Annotated[float, Field(ge=0.0, le=1.0)]


def kind_of(cls: type[BaseModel]) -> str:
    """The ``kind`` literal of one member of a union discriminated by kind."""
    return typing.get_args(cls.model_fields["kind"].annotation)[0]


# --- distributions ----------------------------------------------------------------------------


class Duration(Spec):
    """A random duration, in days or working days.

    Lognormal with the given median and 90th percentile, clipped to [min, max] and rounded to
    whole days. The 90th percentile is given as ``p90`` (days) or as ``spread`` (a multiple of
    the median, so that sweeping the median moves the whole distribution); with neither, the
    duration is fixed.
    """

    median: float = param(..., "days", "Median duration (at most 36,500: a hundred years).", gt=0, le=MAX_DURATION)
    p90: float | None = param(None, "days", "90th percentile; must be >= median.", gt=0, le=MAX_DURATION)
    spread: float | None = param(
        None,
        "multiple of the median",
        "90th percentile as a multiple of the median (>= 1), instead of p90.",
        ge=1,
        le=MAX_DURATION,
    )
    min: float = param(0.0, "days", "Shortest possible duration (e.g. a statutory minimum).", ge=0, le=MAX_DURATION)
    max: float | None = param(
        None, "days", "Longest possible duration (e.g. a statutory limit); none if omitted.", ge=0, le=MAX_DURATION
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

    low: float = param(..., "bn, the scenario's currency", "Lowest value.", ge=0, le=MAX_MONEY)
    high: float = param(..., "bn, the scenario's currency", "Highest value; must be >= low.", ge=0, le=MAX_MONEY)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self


class Dated(Spec):
    """Something that happens on a date, possibly uncertain: an event, an order, a law.

    It happens with probability ``p``, on a day drawn uniformly from ``date`` to ``date_to``
    (written ``date: {between: [2020-09-01, 2020-10-15]}`` or with ``date_to``). Each run draws
    both from a stream of its own for the item, so adding or changing one uncertain item leaves
    every other draw of the run alone; a certain item on a fixed date draws nothing.
    """

    date: dt.date = param(..., "date", "When it happens (the first possible day, with `date_to`).")
    date_to: dt.date | None = param(
        None, "date", "The last possible day: it happens on a day drawn uniformly from `date` to it."
    )
    p: Probability = param(1.0, "probability", "Chance it happens at all.")
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

    @property
    def certain(self) -> bool:
        """Whether it surely happens, on its one date (no draw)."""
        return self.p >= 1 and self.date_to is None
