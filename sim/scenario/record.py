"""Observed records: what really happened, in the model's own vocabulary, to backtest against.

A record file (``scenarios/records/*.yaml``) lists dated observed events, named as the model's
event log names them (:class:`~sim.narrative.EventName`), and the observed outcome at one or
more horizons. Every entry carries its source. Records are validated like scenarios: unknown
keys, event names and outcomes are errors with a did-you-mean.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path

from pydantic import PrivateAttr, ValidationError, field_validator, model_validator

from sim.errors import Problem, ScenarioError
from sim.narrative import EventName
from sim.outcomes import Outcome
from sim.scenario.load import read_yaml
from sim.scenario.problems import problems_from_pydantic
from sim.scenario.schema import Scenario, Spec, param

EVENT_NAMES = tuple(e.value for e in EventName)
OUTCOME_NAMES = tuple(o.value for o in Outcome)


def _known(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        close = difflib.get_close_matches(value, allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f" (allowed: {', '.join(allowed)})"
        raise ValueError(f"unknown {what} {value!r}{hint}")
    return value


class ObservedEvent(Spec):
    """Something that happened on a date, as the model would log it."""

    date: dt.date = param(..., "date", "When it happened.")
    event: str = param(..., "event name", "The model's name for it (see sim/narrative.py).")
    actor: str | None = param(None, "actor id", "Who did it, as in the event log; any actor if omitted.")
    match: str | None = param(
        None, "text", "Text the log's detail must contain (case-insensitive), e.g. a bidder's name."
    )
    occurrence: int = param(
        1, "count", "Which occurrence of the event in a run this is (2: the second extension...).", ge=1
    )
    window_days: int | None = param(
        None, "days", "How near a simulated occurrence must fall to count as a match; the record's if omitted.", ge=0
    )
    note: str = param("", "text", "What happened.")
    source: str = param(..., "text", "Where the fact comes from.", min_length=1)

    _check = field_validator("event")(lambda cls, v: _known(v, EVENT_NAMES, "event name"))


class ObservedOutcome(Spec):
    """The outcome observed at a horizon: one outcome, or a set when the record cannot tell which.

    ``one_of`` is for a record that knows the outcome only as a set: a deal that closed, but by
    or after a deadline that was never published, is ``one_of: [closed_by_deadline,
    closed_after_deadline]``. A backtest scores the set as one event (its probability is the
    sum of its outcomes'), so a record that knows less is not scored as if it knew more.
    """

    horizon: dt.date = param(..., "date", "The date the outcome is read at.")
    outcome: str | None = param(None, "outcome", "One of the eleven outcomes (or give one_of).")
    one_of: list[str] = param(
        [], "outcomes", "The outcomes it may have been, when the record cannot tell which (instead of outcome)."
    )
    waiting_on: list[str] = param(
        [],
        "reviewer ids",
        "The reviewers the deal still waited on at this horizon (the one a terminated deal ran out of time on); "
        "reported beside the model's, not scored.",
    )
    note: str = param("", "text", "Why this is the outcome.")
    source: str = param(..., "text", "Where the fact comes from.", min_length=1)

    @field_validator("outcome")
    @classmethod
    def _known_outcome(cls, v: str | None) -> str | None:
        return None if v is None else _known(v, OUTCOME_NAMES, "outcome")

    @field_validator("one_of")
    @classmethod
    def _known_set(cls, v: list[str]) -> list[str]:
        for outcome in v:
            _known(outcome, OUTCOME_NAMES, "outcome")
        if len(set(v)) != len(v):
            raise ValueError("an outcome is named twice")
        return v

    @model_validator(mode="after")
    def _one_way(self) -> ObservedOutcome:
        if (self.outcome is None) == (not self.one_of):
            raise ValueError("give the outcome, or one_of (at least two outcomes it may have been), not both")
        if self.one_of and len(self.one_of) < 2:
            raise ValueError("one_of needs at least two outcomes; with one, write outcome")
        return self

    @property
    def allowed(self) -> tuple[str, ...]:
        """The outcomes the record allows at this horizon (one, unless given as a set)."""
        return (self.outcome,) if self.outcome is not None else tuple(self.one_of)

    @property
    def label(self) -> str:
        """How tables name it: the outcome, or the set as "a or b"."""
        return " or ".join(self.allowed)


class Record(Spec):
    """An observed record."""

    name: str = param(..., "id", "Short name.", pattern=r"^[\w.-]+$")
    description: str = param("", "text", "What the record covers.")
    events: list[ObservedEvent] = param([], "", "Dated observed events.")
    outcomes: list[ObservedOutcome] = param(..., "", "Observed outcomes at horizons.", min_length=1)
    window_days: int = param(
        7,
        "days",
        "How near a simulated event must fall to an observed one to count as a match (calibration).",
        ge=0,
    )

    _source: str = PrivateAttr(default="<record>")

    @property
    def source(self) -> str:
        """The file the record was loaded from."""
        return self._source

    def check_against(self, scenario: Scenario) -> None:
        """Dates must fall within the scenario's start and horizon."""
        problems = []
        for i, o in enumerate(self.outcomes):
            if not scenario.start <= o.horizon <= scenario.horizon:
                problems.append(
                    Problem(
                        self.source,
                        f"outcomes[{i}].horizon",
                        f"must be within the scenario "
                        f"{scenario.name}'s start ({scenario.start}) and horizon ({scenario.horizon})",
                        o.horizon,
                    )
                )
            for reviewer in o.waiting_on:
                if reviewer not in scenario.reviewers:
                    problems.append(
                        Problem(
                            self.source,
                            f"outcomes[{i}].waiting_on",
                            f"no reviewer {reviewer!r} in {scenario.name} (it has {', '.join(scenario.reviewers)})",
                            reviewer,
                        )
                    )
        for i, e in enumerate(self.events):
            if not scenario.start <= e.date <= scenario.horizon:
                problems.append(
                    Problem(
                        self.source,
                        f"events[{i}].date",
                        f"must be within the scenario "
                        f"{scenario.name}'s start ({scenario.start}) and horizon ({scenario.horizon})",
                        e.date,
                    )
                )
        if problems:
            raise ScenarioError(problems)


def load_record(path: str | Path) -> Record:
    """Load and validate a record file.

    Raises:
        ScenarioError: the file is missing, malformed, or not a valid record.
    """
    path = Path(path)
    doc = read_yaml(path)
    try:
        record = Record.model_validate(doc)
    except ValidationError as exc:
        raise ScenarioError(problems_from_pydantic(exc, doc, str(path), {}, root=Record)) from None
    record._source = str(path)
    return record
