"""What is wrong with a scenario document, said in one line per problem.

Pydantic's validation errors are turned into :class:`~sim.errors.Problem` objects that name the
file each key came from (``extends:`` chains merge several), the dotted key, the value and what
is allowed, with a "did you mean" for misspelt keys, by walking the schema alongside the document.
"""

from __future__ import annotations

import datetime as dt
import difflib
import types
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.errors import Problem
from sim.scenario.schema import Scenario, kind_of
from sim.scenario.schema.base import LAX


def _event_id(event: Mapping) -> Any:
    return event.get("id") or event.get("kind")


def _show(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _unknown(source: str, key: str, part: str, allowed: list[str], what: str) -> Problem:
    close = difflib.get_close_matches(part, allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    if len(allowed) > 24:  # a long list would drown the line: name a few and count the rest
        listing = f"{', '.join(allowed[:6])} and {len(allowed) - 6} more"
    else:
        listing = ", ".join(allowed) if allowed else "none"
    return Problem(source, key, f"unknown {what} {part!r}{hint} (allowed: {listing})")


# --- walking the schema -----------------------------------------------------------------------


def _strip(annotation: Any) -> Any:
    """Remove Annotated and Optional wrappers."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if len(args) == 1:
            return _strip(args[0])
        if models and len(models) == len(args):
            return annotation  # a union of models: the events
    return annotation


def union_members(annotation: Any) -> tuple[type[BaseModel], ...]:
    """The models of a union told apart by ``kind`` (empty if ``annotation`` is not one)."""
    annotation = _strip(annotation)
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return ()
    args = typing.get_args(annotation)
    if all(isinstance(a, type) and issubclass(a, BaseModel) and "kind" in a.model_fields for a in args):
        return args
    return ()


def union_member(annotation: Any, node: Any) -> Any:
    """The model a document node is: the annotation itself, or the union member its ``kind`` names."""
    members = union_members(annotation)
    if not members:
        return _strip(annotation)
    kind = node.get("kind") if isinstance(node, Mapping) else None
    return next((m for m in members if kind_of(m) == kind), None)


def _child_type(kind: Any, key: str | int, value: Any = None) -> Any:
    """The declared type of ``key`` inside ``kind`` (a model class or a dict type).

    ``value``, the value found there, decides between a number and a mapping where both are
    allowed (a weight of a term: a number, or one per level), and gives the type of a key a model
    takes freely (a structure's terms).
    """
    kind = _strip(kind)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        field = kind.model_fields.get(str(key))
        if field is None:
            if _free(kind) and value is not None:
                return float if isinstance(value, int | float) and not isinstance(value, bool) else type(value)
            return None
        return _by_value(_strip(field.annotation), value)
    if typing.get_origin(kind) is dict:
        return _by_value(_strip(typing.get_args(kind)[1]), value)
    if typing.get_origin(kind) is list:
        return _strip(typing.get_args(kind)[0])
    return None


def _free(kind: type[BaseModel]) -> bool:
    """A model that takes keys of its own beyond its fields (a structure's terms)."""
    return kind.model_config.get("extra") == "allow"


def _by_value(annotation: Any, value: Any) -> Any:
    """Of a union of a number and a mapping, the member the value is."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        mapping = next((a for a in args if typing.get_origin(a) is dict), None)
        if mapping is not None and float in args:
            return mapping if isinstance(value, dict) else float
    return annotation


def _allowed_keys(kind: Any, node: Any) -> set[str] | None:
    """Keys allowed at a node of type ``kind``; None when any key goes."""
    kind = _strip(kind)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        if _free(kind):
            return None
        return set(kind.model_fields)
    if typing.get_origin(kind) is dict:
        key_type = typing.get_args(kind)[0]
        if typing.get_origin(key_type) is typing.Literal:
            return set(typing.get_args(key_type))
        return set(node) if isinstance(node, dict) else set()
    return None


# --- turning pydantic's errors into problems --------------------------------------------------


def problems_from_pydantic(
    exc: ValidationError, doc: Mapping, source: str, origins: dict[tuple, str], root: Any = Scenario
) -> list[Problem]:
    """Turn pydantic's errors on a document into one :class:`Problem` each.

    ``root`` is the model the document was validated as.
    """
    by_path: dict[str, Problem] = {}
    for err in exc.errors(include_url=False):
        keys, kind, node = _walk_loc(doc, err["loc"])
        path = _dotted(keys, doc)
        where = _origin(keys, origins, source)
        etype = err["type"]
        if etype == "extra_forbidden":
            parent_kind = _kind_at(keys[:-1], doc, root)
            allowed = sorted(_allowed_keys(parent_kind, None) or [])
            # the value is not shown: the key says what is wrong, and the file may not be a scenario
            # at all (an `extends:` pointed at something else must not echo its secrets)
            problem = _unknown(where, path, str(keys[-1]), allowed, "key")
        elif etype == "missing":
            field_doc = _field_doc(keys, doc, root)
            problem = Problem(where, path, f"required key is missing{field_doc}")
        elif etype in ("union_tag_invalid", "union_tag_not_found"):
            kinds = ", ".join(kind_of(c) for c in union_members(_kind_at(keys, doc, root, resolve=False)))
            what = {"events": "event ", "reviewers": "reviewer ", "instruments": "instrument "}.get(str(keys[0]), "")
            problem = Problem(
                where,
                path + ".kind",
                f"unknown {what}kind (allowed: {kinds})",
                node.get("kind") if isinstance(node, dict) else node,
            )
        elif _message(err["msg"]).startswith(LAX):  # a refused lax conversion, told at its key
            name, _, message = _message(err["msg"]).removeprefix(LAX).partition(": ")
            key = name.partition("=")[0]
            value = node.get(key) if isinstance(node, dict) else None
            keys = [*keys, key]
            path = _dotted(keys, doc)
            problem = Problem(_origin(keys, origins, source), path, message + _unit_of(keys, doc, root), value)
        else:
            message = _message(err["msg"]) + _unit_of(keys, doc, root)
            problem = Problem(where, path, message, err.get("input"))
        if path in by_path and etype not in ("extra_forbidden", "missing"):
            earlier = by_path[path]
            if problem.message not in earlier.message:
                earlier.message = f"{earlier.message}; or {problem.message}"
            continue
        by_path[path if etype != "extra_forbidden" else path + "\0"] = problem
    return _drop_missing_explained_by_typos(list(by_path.values()))


def _drop_missing_explained_by_typos(problems: list[Problem]) -> list[Problem]:
    """A misspelt required key shows up twice (unknown, and missing); keep only the first."""
    suggested = set()
    for p in problems:
        if "did you mean" in p.message:
            parent = p.path.rpartition(".")[0]
            name = p.message.split("did you mean '")[1].split("'")[0]
            suggested.add(f"{parent}.{name}" if parent else name)
    return [p for p in problems if not (p.message.startswith("required key") and p.path in suggested)]


def _walk_loc(doc: Any, loc: tuple) -> tuple[list, Any, Any]:
    """Follow pydantic's loc through the document, skipping union-branch tags."""
    keys: list = []
    node: Any = doc
    for seg in loc:
        in_dict = isinstance(node, dict) and seg in node
        in_list = isinstance(node, list) and isinstance(seg, int) and seg < len(node)
        if in_dict or in_list:
            keys.append(seg)
            node = node[seg]
        elif isinstance(node, dict) and isinstance(seg, str) and not _is_tag(seg, node):
            keys.append(seg)  # a missing or unknown key
            node = None
        # else: a union-branch tag such as 'date' or "literal['deadline']"
    return keys, None, node


def _is_tag(seg: str, node: dict) -> bool:
    kind = node.get("kind")
    return seg == kind or "[" in seg or "-" in seg


def _dotted(keys: list, doc: Mapping) -> str:
    parts: list[str] = []
    node: Any = doc
    for key in keys:
        if isinstance(node, list) and isinstance(key, int):
            item = node[key]
            ident = _event_id(item) if isinstance(item, dict) else None
            if ident:
                parts.append(f".{ident}")
            else:
                parts.append(f"[{key}]")
        else:
            parts.append(f".{key}")
        node = node[key] if isinstance(node, dict | list) and _has(node, key) else None
    return "".join(parts).removeprefix(".")


def _has(node: Any, key: Any) -> bool:
    if isinstance(node, dict):
        return key in node
    return isinstance(key, int) and key < len(node)


def _origin(keys: list, origins: dict[tuple, str], default: str) -> str:
    """The file (or override) the value at ``keys`` came from."""
    for n in range(len(keys), -1, -1):
        prefix = tuple(keys[:n])
        if prefix in origins:
            return origins[prefix]
    return default


def _kind_at(keys: list, doc: Mapping, root: Any = Scenario, resolve: bool = True) -> Any:
    """The declared type at ``keys``; a union told apart by kind resolves to the node's member."""
    kind: Any = root
    node: Any = doc
    for i, key in enumerate(keys):
        if isinstance(node, list):
            node = node[key] if isinstance(key, int) and key < len(node) else None
        else:
            node = node.get(key) if isinstance(node, dict) else None
        kind = _child_type(kind, key)
        if union_members(kind) and (resolve or i < len(keys) - 1):
            kind = union_member(kind, node)
    return kind


def _field_info(keys: list, doc: Mapping, root: Any = Scenario):
    if not keys:
        return None
    parent = _strip(_kind_at(keys[:-1], doc, root))
    if isinstance(parent, type) and issubclass(parent, BaseModel):
        return parent.model_fields.get(str(keys[-1]))
    return None


def _field_doc(keys: list, doc: Mapping, root: Any = Scenario) -> str:
    info = _field_info(keys, doc, root)
    if info is None:
        return ""
    unit = (info.json_schema_extra or {}).get("unit", "")
    unit = f" [{unit}]" if unit else ""
    return f" ({info.description}{unit})" if info.description else unit


def _unit_of(keys: list, doc: Mapping, root: Any = Scenario) -> str:
    info = _field_info(keys, doc, root)
    unit = (info.json_schema_extra or {}).get("unit", "") if info else ""
    return f" ({unit})" if unit else ""


def _message(msg: str) -> str:
    msg = msg.removeprefix("Value error, ")
    for old, new in (("Input should be", "must be"), ("Input should", "must")):
        if msg.startswith(old):
            msg = new + msg[len(old) :]
    return msg[:1].lower() + msg[1:]
