"""One registry per kind: reviewers, instruments and dated events, each entry with everything the engine needs.

A kind is registered once, in the module that plays it, with:

* its scenario schema (``kind: <name>`` in a scenario; registered with the input floor too, so
  validation, problems and the reference know it);
* what plays it in a run (a reviewer's agent class, an instrument's state class, an event's handler);
* for a reviewer, what the analyses need: the scenario durations that set each stage of its
  timeline and the waits that have none (delay attribution), its settings at its fastest, always
  consenting and approving at once (the decomposition by actor), and its decision weights at
  neutral values (the backtest's baseline);
* for an instrument, whether it forces a sale, its neutral weights and how to take its bans away.

``tests/test_registries.py`` fails when an entry is incomplete, and registers a toy reviewer kind
in the test itself to run ``sim run``, ``decompose`` and ``backtest`` on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.narrative import SpanName
from sim.scenario.schema import Duration, Spec, kind_of, register_kind

if TYPE_CHECKING:
    from sim.model.dealmodel import DealModel

Overrides = dict[str, Any]
"""``{key path: value}``, as ``--set`` takes them."""


def at_minimum(d: Duration) -> dict[str, Any]:
    """A duration fixed at its minimum (an override value)."""
    return {"median": max(d.min, 0.01), "min": d.min, "max": d.min, "unit": d.unit, "p90": None, "spread": None}


def zeros(prefix: str, *names: str) -> Overrides:
    """Overrides setting ``prefix.name`` to 0 for each name."""
    return {f"{prefix}.{name}": 0 for name in names}


@dataclass(frozen=True)
class ReviewerKind:
    """A kind of reviewer (a legal procedure): its schema, its agent, and what the analyses need of it.

    The callables take the reviewer's id and its spec and return overrides of ``reviewers.<id>.*``.
    """

    schema: type[Spec]
    agent: type
    stages: dict[
        SpanName, tuple[str, ...]
    ]  # a stage of its timeline -> the durations (under reviewers.<id>) that set it
    waits: tuple[SpanName, ...]  # stages with no duration of their own (a hold, a silence): no minimum to try
    fastest: Callable[[str, Any], Overrides]  # every stage at its minimum, no hold, no detour
    consenting: Callable[[str, Any], Overrides]  # approves whenever it rules
    at_once: Callable[[str, Any], Overrides]  # approves at its first answer, as fast as it can
    neutral: Callable[[str, Any], Overrides]  # every decision weight neutral (a coin toss among its options)
    not_decisions: tuple[str, ...] = ()  # weights (field paths) that neutral leaves as they are, and why it may

    @property
    def kind(self) -> str:
        """The ``kind`` a scenario names it by."""
        return kind_of(self.schema)


@dataclass(frozen=True)
class InstrumentKind:
    """A kind of instrument: its schema, the state class that plays it, and what the analyses need."""

    schema: type[Spec]
    state: type
    forces_sale: bool  # it obliges the seller to sell (a divestiture order, a law), not only bans
    neutral: Callable[[str, Any], Overrides]  # its decision weights neutral
    without_bans: Callable[[str, Any], Overrides]  # its ban stages taken away (the decomposition's host_bans)

    @property
    def kind(self) -> str:
        """The ``kind`` a scenario names it by."""
        return kind_of(self.schema)


@dataclass(frozen=True)
class EventKind:
    """A kind of dated event: its schema and who handles it in a run."""

    schema: type[Spec]
    handle: Callable[[DealModel, Any], None]  # (the run, the event): hands it to the actor it concerns

    @property
    def kind(self) -> str:
        """The ``kind`` a scenario names it by."""
        return kind_of(self.schema)


REVIEWERS: dict[str, ReviewerKind] = {}
INSTRUMENTS: dict[str, InstrumentKind] = {}
EVENTS: dict[str, EventKind] = {}


def register_reviewer(entry: ReviewerKind) -> ReviewerKind:
    """Register a reviewer kind (its schema too); returns the entry."""
    register_kind("reviewers", entry.schema)
    REVIEWERS[entry.kind] = entry
    return entry


def register_instrument(entry: InstrumentKind) -> InstrumentKind:
    """Register an instrument kind (its schema too); returns the entry."""
    register_kind("instruments", entry.schema)
    INSTRUMENTS[entry.kind] = entry
    return entry


def register_event(entry: EventKind) -> EventKind:
    """Register a dated event kind (its schema too); returns the entry."""
    register_kind("events", entry.schema)
    EVENTS[entry.kind] = entry
    return entry


def reviewer_kind(kind: str) -> ReviewerKind:
    """The entry of a reviewer kind (the built-in ones register when ``sim.model.dealmodel`` is imported)."""
    return _entry(REVIEWERS, kind, "reviewer")


def instrument_kind(kind: str) -> InstrumentKind:
    """The entry of an instrument kind."""
    return _entry(INSTRUMENTS, kind, "instrument")


def event_kind(kind: str) -> EventKind:
    """The entry of a dated event kind."""
    return _entry(EVENTS, kind, "event")


def _entry(registry: dict[str, Any], kind: str, what: str) -> Any:
    try:
        return registry[kind]
    except KeyError:
        known = ", ".join(registry) or "none registered: import sim.model.dealmodel first"
        raise KeyError(f"no {what} kind {kind!r} is registered (known: {known})") from None
