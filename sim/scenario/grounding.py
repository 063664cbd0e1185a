"""Grounding: a scenario file writes every behavioural weight it uses; none is left to a code default.

A behavioural weight is a utility, a probability of a choice or an acceptance weight (declared
with :func:`sim.scenario.schema.weight`). Defaults in the schema only fill the reference doc and
scenarios built in code. A scenario file, merged with the files it extends, must set each weight
of the sections the model plays, so that its source (or the word assumption) sits beside it in
some file: the root sets them, and a child that adds a bidder or a court sets that one's.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel

from sim.errors import Problem
from sim.scenario.problems import _origin
from sim.scenario.schema import RegulatorSpec, Scenario, is_weight

# The regulator's sections for the legal frames it is not using cannot act: only the frame's own
# section is required.
_FRAME_SECTIONS = {"order", "section_721"}


def unset_weights(doc: dict, source: str, origins: dict[tuple, str] | None = None) -> list[Problem]:
    """A problem for each behavioural weight a merged scenario document leaves unset.

    Each names the file that holds the nearest section of the missing key (the root for a
    section nobody wrote).
    """
    return [
        Problem(
            _origin(list(path), origins or {}, source),
            ".".join(path),
            "is a behavioural weight left to the code's default; set it in the file with its source or "
            "'# assumption' (docs/scenario-reference.md says what it means)",
        )
        for path in _missing(Scenario, doc, ())
    ]


def weight_paths(scenario: Scenario) -> list[str]:
    """The key path of every behavioural weight a validated scenario holds, leaves only.

    A weight that is a mapping (``cfius.acceptance.algorithm``) gives one path per key.
    """
    return list(_leaves(scenario, ()))


def _missing(model: type[BaseModel], doc: Any, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    if not isinstance(doc, dict):
        return []  # a wrong type is the validator's to report
    found: list[tuple[str, ...]] = []
    for name, field in model.model_fields.items():
        if model is RegulatorSpec and name in _FRAME_SECTIONS and doc.get("frame") != name:
            continue
        here = (*path, name)
        if is_weight(field):
            if name not in doc:
                found.append(here)
            continue
        section, keyed = _section_type(field.annotation)
        if section is None:
            continue
        value = doc.get(name)
        if value is None and (name not in doc and field.is_required() or _optional(field.annotation)):
            continue  # a missing required section is reported by validation; an optional one is off
        if keyed:
            for key, entry in (value or {}).items() if isinstance(value, dict) else ():
                found += _missing(section, entry, (*here, str(key)))
        else:
            found += _missing(section, value if value is not None else {}, here)
    return found


def _leaves(obj: BaseModel, path: tuple[str, ...]):
    for name, field in type(obj).model_fields.items():
        if isinstance(obj, RegulatorSpec) and name in _FRAME_SECTIONS and obj.frame != name:
            continue
        value = getattr(obj, name)
        here = (*path, name)
        if is_weight(field):
            if isinstance(value, dict):
                for key in value:
                    yield ".".join((*here, str(key)))
            else:
                yield ".".join(here)
        elif isinstance(value, BaseModel):
            yield from _leaves(value, here)
        elif isinstance(value, dict):
            for key, entry in value.items():
                if isinstance(entry, BaseModel):
                    yield from _leaves(entry, (*here, str(key)))


def _section_type(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The Spec class of a section (``X``, ``X | None`` or ``dict[str, X]``) and whether it is keyed."""
    origin = typing.get_origin(annotation)
    if origin is dict:
        value = typing.get_args(annotation)[1]
        return (value, True) if _is_model(value) else (None, False)
    if origin in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if _is_model(a)]
        return (models[0], False) if len(models) == 1 else (None, False)
    return (annotation, False) if _is_model(annotation) else (None, False)


def _optional(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in typing.get_args(
        annotation
    )


def _is_model(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)
