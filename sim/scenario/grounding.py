"""Grounding: a scenario file writes every behavioural weight it uses; none is left to a code default.

A behavioural weight is a utility, a probability of a choice or an acceptance weight (declared
with :func:`sim.scenario.schema.weight`). Defaults in the schema only fill the reference doc and
scenarios built in code. A scenario file, merged with the files it extends, must set each weight
of the sections the model plays, so that its source (or the word assumption) sits beside it in
some file: the root sets them, and a child that adds a bidder or a court sets that one's. Two
exceptions: a weight listed under ``inactive:`` (its reason stands in for a value; a section's
path covers every weight in it), and an optional weight, which switches a mechanism on and
leaves it off when unset.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from sim.errors import Problem
from sim.scenario.problems import _origin, union_member
from sim.scenario.schema import Scenario, is_optional_weight, is_weight


def unset_weights(doc: dict, source: str, origins: dict[tuple, str] | None = None) -> list[Problem]:
    """A problem for each behavioural weight a merged scenario document leaves unset.

    Each names the file that holds the nearest section of the missing key (the root for a
    section nobody wrote).
    """
    found = doc.get("inactive")
    inactive: dict = found if isinstance(found, dict) else {}
    return [
        Problem(
            _origin(list(path), origins or {}, source),
            ".".join(path),
            "is a behavioural weight left to the code's default; set it in the file with its source or "
            "'# assumption', or list it under inactive: with the reason it cannot act "
            "(docs/scenario-reference.md says what it means)",
        )
        for path in _missing(Scenario, doc, ())
        if not covered(".".join(path), inactive)
    ]


def covered(path: str, inactive: Iterable[str]) -> bool:
    """Whether a weight's path is one declared inactive, or inside a section declared inactive."""
    return any(path == key or path.startswith(f"{key}.") for key in inactive)


def weight_paths(scenario: Scenario) -> list[str]:
    """The key path of every behavioural weight a validated scenario holds, leaves only.

    A weight that is a mapping (``reviewers.cfius.acceptance.algorithm``) gives one path per key;
    an optional weight left unset gives none.
    """
    return list(_leaves(scenario, ()))


def _missing(model: type[BaseModel], doc: Any, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    if not isinstance(doc, dict):
        return []  # a wrong type is the validator's to report
    found: list[tuple[str, ...]] = []
    for name, field in model.model_fields.items():
        here = (*path, name)
        if is_weight(field):
            if name not in doc and not is_optional_weight(field):
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
                member = union_member(section, entry)
                if member is not None:
                    found += _missing(member, entry, (*here, str(key)))
        else:
            found += _missing(section, value if value is not None else {}, here)
    return found


def _leaves(obj: BaseModel, path: tuple[str, ...]):
    for name, field in type(obj).model_fields.items():
        value = getattr(obj, name)
        here = (*path, name)
        if is_weight(field):
            yield from _weight_leaves(value, here)
        elif isinstance(value, BaseModel):
            yield from _leaves(value, here)
        elif isinstance(value, dict):
            for key, entry in value.items():
                if isinstance(entry, BaseModel):
                    yield from _leaves(entry, (*here, str(key)))


def _weight_leaves(value: Any, path: tuple[str, ...]):
    """A weight's leaves: itself, or each key of a mapping of weights (nested for a categorical term's levels)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _weight_leaves(inner, (*path, str(key)))
    elif value is not None:
        yield ".".join(path)


def _section_type(annotation: Any) -> tuple[Any, bool]:
    """The Spec class of a section (``X``, ``X | None``, ``dict[str, X]`` or a kind union) and whether it is keyed."""
    annotation = _unannotated(annotation)
    origin = typing.get_origin(annotation)
    if origin is dict:
        value = _unannotated(typing.get_args(annotation)[1])
        return (value, True) if _is_model(value) or _is_union_of_models(value) else (None, False)
    if origin in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if _is_model(a)]
        return (models[0], False) if len(models) == 1 else (None, False)
    return (annotation, False) if _is_model(annotation) else (None, False)


def _unannotated(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _is_union_of_models(t: Any) -> bool:
    return typing.get_origin(t) in (typing.Union, types.UnionType) and all(_is_model(a) for a in typing.get_args(t))


def _optional(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in typing.get_args(
        annotation
    )


def _is_model(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)
