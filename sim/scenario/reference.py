"""The scenario reference (docs/scenario-reference.md), generated from the schema's declarations."""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from sim.scenario.problems import union_members
from sim.scenario.schema import Duration, Range, Scenario, kind_of

LEAF_MODELS = (Duration, Range)  # documented once, in their own sections

HEADER = """# Scenario reference

Generated from `sim/scenario/schema/` by `sim reference`; a test keeps this file in step with the schema.
Every key, its type, unit, default and meaning. Keys not listed here are errors. `<id>` stands for
an id you choose (a structure, reviewer, instrument, court, stage or bidder). Reviewers,
instruments and events each have a `kind`, and the keys of their kind. Utilities are in logit
units: an option with utility u is chosen with probability exp(u) / sum(exp(u_i)); +1 multiplies
its odds by e. How the actors use these parameters: [model.md](model.md).

"""


def scenario_reference() -> str:
    """The whole reference as Markdown."""
    out = [HEADER]
    out += _section("Top level", Scenario, "", skip_models=True)
    for name, field in Scenario.model_fields.items():
        kind, prefix = _model_of(field.annotation, name)
        if kind is not None and kind not in LEAF_MODELS:
            out += _section(f"`{prefix}`", kind, prefix)
        members, prefix = _union_of(field.annotation, name)
        if members:
            out.append(f"## {name.capitalize()} (`{name}:`)\n\n{UNION_DOCS[name]}\n\n")
            for cls in members:
                out += _section(f"`kind: {kind_of(cls)}`", cls, prefix, level=3, doc=cls.__doc__)
    out += _section("Duration (a random number of days)", Duration, "", doc=_doc(Duration))
    out += _section("Range (uniform)", Range, "", doc=_doc(Range))
    return "".join(out)


UNION_DOCS = {
    "reviewers": "A mapping of ids you choose to reviewers; each has a `kind`, the legal procedure it "
    "follows, and the keys below. A child scenario's reviewer of another kind replaces the parent's.",
    "instruments": "A mapping of ids you choose to instruments; each has a `kind` and the keys below. A "
    "child scenario's instrument of another kind replaces the parent's.",
    "events": "A list; each item has a `kind` and the keys below. A child scenario's event with the "
    "same `id` (default: the kind) replaces the parent's; `{id: X, remove: true}` deletes it.",
}


def _union_of(annotation: Any, path: str) -> tuple[tuple[type[BaseModel], ...], str]:
    """The members of a kind union a field holds (as dict values or list items), and their keys' prefix."""
    annotation = _unwrap(annotation)
    origin = typing.get_origin(annotation)
    if origin is dict:
        return union_members(typing.get_args(annotation)[1]), f"{path}.<id>"
    if origin is list:
        return union_members(typing.get_args(annotation)[0]), f"{path}[]"
    return (), path


def _doc(cls: type[BaseModel]) -> str:
    return " ".join((cls.__doc__ or "").split())


def _section(
    title: str,
    kind: type[BaseModel],
    prefix: str,
    *,
    level: int = 2,
    skip_models: bool = False,
    doc: str | None = None,
) -> list[str]:
    lines = [
        f"{'#' * level} {title}\n\n",
        f"{' '.join((doc or kind.__doc__ or '').split())}\n\n",
        "| key | type | unit | default | meaning |\n",
        "|---|---|---|---|---|\n",
    ]
    for path, field in _rows(kind, prefix, skip_models):
        unit = (field.json_schema_extra or {}).get("unit", "")
        lines.append(
            f"| `{path}` | {_type_name(field.annotation)} | {unit} | {_default(field)} | {field.description or ''} |\n"
        )
    if kind.model_config.get("extra") == "allow":  # a structure: its terms, one key per dimension of `terms:`
        lines.append(
            f"| `{prefix}.<term>` | number, true/false or text | as the dimension | 0 (numeric) | The structure's "
            "value on one dimension of the scenario's `terms:` (a number from 0 to 1, true/false, or one of the "
            "dimension's levels); a categorical dimension must be given. |\n"
        )
    lines.append("\n")
    return lines


def _rows(kind: type[BaseModel], prefix: str, skip_models: bool) -> typing.Iterator[tuple[str, Any]]:
    for name, field in kind.model_fields.items():
        if name == "kind" and len(typing.get_args(field.annotation)) == 1:
            continue  # a union member's own kind: its section's title
        path = f"{prefix}.{name}" if prefix else name
        sub, sub_prefix = _model_of(field.annotation, path)
        if sub is not None and sub not in LEAF_MODELS:
            if not skip_models:
                yield from _rows(sub, sub_prefix, False)
            else:
                yield path, field
            continue
        yield path, field


def _model_of(annotation: Any, path: str) -> tuple[type[BaseModel] | None, str]:
    """The model a field holds (directly or as dict values), and the prefix of its keys."""
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, path
    if typing.get_origin(annotation) is dict:
        value = _unwrap(typing.get_args(annotation)[1])
        if isinstance(value, type) and issubclass(value, BaseModel):
            return value, f"{path}.<id>"
    if typing.get_origin(annotation) is list:
        item = _unwrap(typing.get_args(annotation)[0])
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item, f"{path}[]"
    return None, path


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _unwrap(args[0])
    return annotation


def _type_name(annotation: Any) -> str:
    annotation = _unwrap(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if all(isinstance(a, type) and issubclass(a, BaseModel) for a in args):
            return "one of the kinds below"
        return " or ".join(_type_name(a) for a in args)
    if origin is list:
        return f"list of {_type_name(typing.get_args(annotation)[0])}"
    if origin is dict:
        key, value = typing.get_args(annotation)
        return f"mapping {_type_name(key)} to {_type_name(value)}"
    names = {
        float: "number",
        int: "integer",
        bool: "true/false",
        str: "text",
        dt.date: "date (YYYY-MM-DD)",
        Duration: "[duration](#duration-a-random-number-of-days)",
        Range: "[range](#range-uniform)",
    }
    if annotation is Any:
        return "value"
    if annotation in names:
        return names[annotation]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping (below)"
    return str(annotation)


def _default(field: Any) -> str:
    if field.default is PydanticUndefined:
        return "**required**"
    value = field.default
    if isinstance(value, BaseModel):
        dumped = value.model_dump(exclude_defaults=True)
        return "`{" + ", ".join(f"{k}: {v}" for k, v in dumped.items()) + "}`"
    if value is None:
        return "none"
    if isinstance(value, dict):
        return "`{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}`"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value == []:
        return "`[]`"
    return f"`{value}`"
