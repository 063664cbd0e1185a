"""Whether an entry of the kinds' registries is complete: what ``tests/test_registries.py`` asks of each.

A reviewer kind's stages must name durations its schema has, its settings must stay inside the
reviewer, and its neutral settings must cover every decision weight (or say why not); an
instrument kind's state must be an instrument state and its settings stay inside the instrument.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from sim.model.agents.reviewers.base import Reviewer
from sim.model.instruments import InstrumentState
from sim.model.kinds import InstrumentKind, ReviewerKind
from sim.scenario.schema import Duration, is_weight


def reviewer_problems(entry: ReviewerKind, sample: Any) -> list[str]:
    """What a reviewer kind's entry lacks, tried on ``sample`` (a spec of the kind, with id ``x``).

    Every stage names durations the schema has; every setting's overrides name keys of the
    reviewer; the neutral settings cover every decision weight (or ``not_decisions`` says why not).
    """
    problems = []
    if not (isinstance(entry.agent, type) and issubclass(entry.agent, Reviewer)):
        problems.append(f"{entry.kind}: its agent is not a Reviewer")
    for span, paths in entry.stages.items():
        for path in paths:
            if not _is_duration_field(entry.schema, path):
                problems.append(f"{entry.kind}: stage {span} names {path}, which is no duration of its schema")
    prefix = "reviewers.x."
    for setting in ("fastest", "consenting", "at_once", "neutral"):
        for key in getattr(entry, setting)("x", sample):
            if not key.startswith(prefix):
                problems.append(f"{entry.kind}: {setting} sets {key}, outside the reviewer")
    neutral = {k.removeprefix(prefix) for k in entry.neutral("x", sample)}
    for path in _weights(type(sample), sample, "", is_weight):
        covered = any(path == n or path.startswith(n + ".") or n.startswith(path + ".") for n in neutral)
        if not covered and not any(path.startswith(d) for d in entry.not_decisions):
            problems.append(
                f"{entry.kind}: neutral leaves the decision weight {path} as it is (or list it in not_decisions)"
            )
    return problems


def _is_duration_field(cls: Any, path: str) -> bool:
    """Whether a dotted path through a schema's fields ends at a duration (an optional one included)."""
    for part in path.split("."):
        field = cls.model_fields.get(part) if isinstance(cls, type) and issubclass(cls, BaseModel) else None
        if field is None:
            return False
        members = [a for a in typing.get_args(field.annotation) if a is not type(None)] or [field.annotation]
        cls = next((m for m in members if isinstance(m, type) and issubclass(m, BaseModel)), None)
        if cls is None:
            return False
    return cls is Duration


def _weights(cls: type[BaseModel], value: Any, prefix: str, is_weight: Callable[[Any], bool]) -> list[str]:
    """The paths of a spec's behavioural weights (nested sections followed; a mapping of weights as one path)."""
    out: list[str] = []
    for name, field in cls.model_fields.items():
        here = f"{prefix}{name}"
        inner = getattr(value, name, None)
        if is_weight(field):
            if inner is not None:
                out.append(here)
        elif isinstance(inner, BaseModel):
            out += _weights(type(inner), inner, here + ".", is_weight)
    return out


def instrument_problems(entry: InstrumentKind, sample: Any) -> list[str]:
    """What an instrument kind's entry lacks, tried on ``sample`` (a spec of the kind, with id ``x``)."""
    problems = []
    if not (isinstance(entry.state, type) and issubclass(entry.state, InstrumentState)):
        problems.append(f"{entry.kind}: its state is not an InstrumentState")
    if not isinstance(entry.forces_sale, bool):
        problems.append(f"{entry.kind}: forces_sale must say yes or no")
    for setting in ("neutral", "without_bans"):
        for key in getattr(entry, setting)("x", sample):
            if not key.startswith("instruments.x."):
                problems.append(f"{entry.kind}: {setting} sets {key}, outside the instrument")
    return problems
