"""Loading scenario files: safe YAML, ``extends:``, ``--set`` overrides, validation, clear errors.

The problems of a document are found in :mod:`sim.scenario.problems` (one field at a time) and
:mod:`sim.scenario.checks` (across fields).

The public entry point is :func:`load_scenario`. Everything that can be wrong with a scenario
comes back as a :class:`~sim.errors.ScenarioError` holding one :class:`~sim.errors.Problem` per
thing wrong, each naming the file (or override), the key path, the value and what is allowed.

Merging rules for ``extends:`` (the child is the file that extends):

* mappings merge key by key; a child's ``null`` deletes the parent's key;
* ``events`` merge by ``id`` (an event's id defaults to its kind): a child's event with the id of
  a parent's replaces it, ``{id: X, remove: true}`` deletes it, other events are added;
* a reviewer or instrument whose ``kind`` differs from the parent's replaces it whole;
* any other value (a number, a list) in the child replaces the parent's;
* a duration's 90th percentile is given as ``p90`` or as ``spread``: a child giving one drops the
  parent's other.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.errors import Problem, ScenarioError
from sim.scenario.checks import check_consistency
from sim.scenario.grounding import unset_weights
from sim.scenario.problems import (
    _allowed_keys,
    _child_type,
    _event_id,
    _show,
    _unknown,
    problems_from_pydantic,
    union_member,
    union_members,
)
from sim.scenario.schema import Scenario


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load, merge and validate a scenario file.

    Args:
        path: the YAML file.
        overrides: ``{"dotted.key.path": value}`` applied after merging, validated like the file
            (a string value is read as YAML, so ``"90"`` is the number 90; None deletes).

    Returns:
        The validated, frozen scenario.

    Raises:
        ScenarioError: the file, an ``extends`` chain or an override is not valid.

    Example:
        >>> s = load_scenario("scenarios/export_control_review.yaml",
        ...                   {"reviewers.china.review_days.median": 90})
    """
    return ScenarioTemplate(path).build(overrides)


class ScenarioTemplate:
    """A scenario file read and merged once, from which variants are built with overrides.

    Sweeps build thousands of variants of one file; each is validated like the file.

    Args:
        path: the YAML file.
        overrides: ``{key path: value}`` applied to every variant first (``--set``); a variant's
            own overrides are applied after them.
    """

    def __init__(self, path: str | Path, overrides: Mapping[str, Any] | None = None):
        self.path = Path(path)
        self.origins: dict[tuple, str] = {}
        self.doc = _resolve(self.path, chain=(), origins=self.origins)
        for key, value in (overrides or {}).items():
            _apply_override(self.doc, key, value, self.origins)
        self._check_parameter_paths()

    def build(self, overrides: Mapping[str, Any] | None = None) -> Scenario:
        """The scenario with these overrides applied, validated."""
        doc = copy.deepcopy(self.doc)
        origins = dict(self.origins)
        for key, value in (overrides or {}).items():
            _apply_override(doc, key, value, origins)
        scenario = validate(doc, source=str(self.path), origins=origins)
        unset = unset_weights(doc, str(self.path), origins)
        if unset:
            raise ScenarioError(unset)
        return scenario

    def leaf_type(self, key: str, source: str | None = None) -> Any:
        """The declared type of the value at a key path (``int``, ``float``, ``date``...)."""
        _, _, kind = _locate(copy.deepcopy(self.doc), key, source or f"--param {key}")
        return kind

    def _check_parameter_paths(self) -> None:
        problems = []
        for group in ("uncertainties", "levers"):
            items = self.doc.get(group)
            if not isinstance(items, list):
                continue
            for i, item in enumerate(items):
                if isinstance(item, dict) and isinstance(item.get("path"), str):
                    source = self.origins.get((group,), str(self.path))
                    try:
                        kind = _locate(copy.deepcopy(self.doc), item["path"], source)[2]
                    except ScenarioError as exc:
                        problems += [
                            Problem(source, f"{group}[{i}].path", p.message, item["path"]) for p in exc.problems
                        ]
                        continue
                    if kind not in (int, float) and "values" not in item:
                        problems.append(
                            Problem(
                                source,
                                f"{group}[{i}].path",
                                "is not a number; give `values:` to vary it",
                                item["path"],
                            )
                        )
        if problems:
            try:  # a document that is wrong itself (a list where a mapping belongs): say that first
                validate(copy.deepcopy(self.doc), source=str(self.path), origins=self.origins)
            except ScenarioError:
                raise
            raise ScenarioError(problems)


def variant(scenario: Scenario, overrides: Mapping[str, Any], label: str = "variant") -> Scenario:
    """A validated copy of a scenario with overrides applied (values as for ``--set``)."""
    doc = scenario.model_dump(mode="python")
    origins: dict[tuple, str] = {}
    for key, value in overrides.items():
        _apply_override(doc, key, value, origins)
    return validate(doc, source=f"{scenario.source} ({label})", origins=origins)


def value_at(scenario: Scenario, key: str) -> Any:
    """The value a scenario holds at a key path (as ``--set`` names it); None where nothing is set."""
    node: Any = scenario.model_dump(mode="python")
    for part in key.split("."):
        if isinstance(node, list):  # the events list: items are addressed by id
            node = next((e for e in node if isinstance(e, dict) and str(_event_id(e)) == part), None)
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
        if node is None:
            return None
    return node


def parse_override(text: str) -> tuple[str, Any]:
    """Split a command-line override ``a.b.c=value``; the value is read as YAML."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ScenarioError([Problem("--set", "", "expected KEY.PATH=VALUE, e.g. home.tension=0.8", text)])
    return key.strip(), _yaml_scalar(value, f"--set {text}")


def validate(doc: Mapping[str, Any], source: str = "<scenario>", origins: dict[tuple, str] | None = None) -> Scenario:
    """Validate a scenario document (a plain dict) into a :class:`Scenario`."""
    origins = origins or {}
    try:
        scenario = Scenario.model_validate(doc)
    except ValidationError as exc:
        raise ScenarioError(problems_from_pydantic(exc, doc, source, origins)) from None
    problems = check_consistency(scenario, source, origins)
    if problems:
        raise ScenarioError(problems)
    scenario._source = source
    return scenario


def scenario_digest(scenario: Scenario) -> str:
    """sha256 of the resolved scenario (canonical JSON), for manifests and caches."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# --- reading files ----------------------------------------------------------------------------


MAX_FILE_BYTES = 1_000_000  # a scenario is a few kilobytes; a file this big is a mistake or an attack
MAX_NODES = 100_000  # values in a file once its aliases (*name) are expanded: refuses "billion laughs"
MAX_EXTENDS = 16  # files in one `extends:` chain


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _expanded_size(root: yaml.Node) -> int:
    """How many values the document holds with every alias expanded (shared nodes counted each time)."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # nodes whose children are still being counted: an alias to one is a cycle
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:  # post-order without recursion: a deeply nested file must not overflow the stack
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        if not done and id(node) in open_nodes:
            mark = node.start_mark
            raise yaml.YAMLError(
                f"line {mark.line + 1}, column {mark.column + 1}: a recursive alias (an anchor &name used inside "
                "itself): refused, it would expand forever"
            )
        children = (
            [n for pair in node.value for n in pair]
            if isinstance(node, yaml.MappingNode)
            else list(node.value)
            if isinstance(node, yaml.SequenceNode)
            else []
        )
        if done:
            sizes[id(node)] = min(MAX_NODES + 1, 1 + sum(sizes[id(c)] for c in children))
            open_nodes.discard(id(node))
        else:
            open_nodes.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def _load(text: str) -> Any:
    """The YAML document, refused when its aliases would expand it past ``MAX_NODES`` values."""
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node) > MAX_NODES:
            raise yaml.YAMLError(
                f"more than {MAX_NODES:,} values once its aliases (*name) are expanded: refused (a scenario needs "
                "a few hundred)"
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


def _construct_timestamp(loader: _UniqueKeyLoader, node: yaml.ScalarNode):
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:  # 2020-13-01: PyYAML would raise a bare ValueError
        raise yaml.constructor.ConstructorError(
            None, None, f"invalid date {node.value!r} ({exc})", node.start_mark
        ) from None


MAX_INT_DIGITS = 30  # no value of a scenario needs more; Python refuses to convert 4,300 or more


def _construct_int(loader: _UniqueKeyLoader, node: yaml.ScalarNode):
    digits = sum(c.isalnum() for c in str(node.value)) - str(node.value).lower().count("0x")
    if digits > MAX_INT_DIGITS:
        raise yaml.constructor.ConstructorError(
            None, None, f"an integer of {digits:,} digits (at most {MAX_INT_DIGITS})", node.start_mark
        )
    return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _key_before(text: str, mark: Any) -> str:
    """The key written just before a position (``start`` in ``start: 2020-02-30``), or ""."""
    lines = text.splitlines()
    if mark.line >= len(lines):
        return ""
    found = re.search(r"([A-Za-z_][\w-]*)\s*:\s*$", lines[mark.line][: mark.column])
    return found.group(1) if found else ""


def read_yaml(path: Path) -> dict:
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "no such file"
        raise ScenarioError([Problem(str(path), "", f"{what} (expected a scenario .yaml file)")])
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ScenarioError(
            [Problem(str(path), "", f"{size:,} bytes: a scenario file may hold at most {MAX_FILE_BYTES:,}")]
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(str(path), "", f"cannot read: {exc}")]) from None
    try:
        doc = _load(text)
    except RecursionError:
        raise ScenarioError([Problem(str(path), "", "malformed YAML: nested too deeply")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = exc.problem or str(exc)
        key = _key_before(text, mark) if mark else ""
        raise ScenarioError([Problem(str(path), key, f"{where}malformed YAML: {what}")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(str(path), "", f"malformed YAML: {exc}")]) from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ScenarioError([Problem(str(path), "", "the file must hold a mapping of keys", type(doc).__name__)])
    return doc


def _resolve(path: Path, chain: tuple[Path, ...], origins: dict[tuple, str]) -> dict:
    """Read ``path`` and the files it extends; return the merged document."""
    real = path.resolve()
    if real in chain:
        cycle = " -> ".join(p.name for p in (*chain, real))
        raise ScenarioError([Problem(str(path), "extends", f"extends cycle: {cycle}")])
    if len(chain) >= MAX_EXTENDS:
        raise ScenarioError(
            [Problem(str(chain[0]), "extends", f"a chain of more than {MAX_EXTENDS} files extending each other")]
        )
    doc = read_yaml(path)
    parent_ref = doc.pop("extends", None)
    if parent_ref is None:
        _record_origins(doc, (), str(path), origins)
        return doc
    if not isinstance(parent_ref, str):
        raise ScenarioError([Problem(str(path), "extends", "must be a file path", parent_ref)])
    parent_path = _parent_path(path, parent_ref)
    if parent_path.suffix not in (".yaml", ".yml"):
        raise ScenarioError([Problem(str(path), "extends", "must name a scenario file (.yaml or .yml)", parent_ref)])
    if not parent_path.is_file():
        raise ScenarioError([Problem(str(path), "extends", f"no such file ({parent_path})", parent_ref)])
    base = _resolve(parent_path, (*chain, real), origins)
    _record_origins(doc, (), str(path), origins)
    return _merge(base, doc, source=str(path))


def parent_of(path: str | Path) -> Path | None:
    """The scenario file that ``path`` extends, or None (for the run's "what next" line)."""
    path = Path(path)
    try:
        ref = read_yaml(path).get("extends")
    except ScenarioError:
        return None
    return _parent_path(path, ref) if isinstance(ref, str) else None


def _parent_path(path: Path, ref: str) -> Path:
    """The file ``extends: ref`` names: beside ``path``, or else a shipped scenario by its name.

    ``extends: tiktok_2020`` (or ``tiktok_2020.yaml``) finds the shipped scenario from anywhere, as
    ``sim run tiktok_2020`` does; a path relative to the file wins when it exists.
    """
    given = Path(ref)
    beside = given if given.is_absolute() else path.parent / given
    if beside.is_file() or given.is_absolute() or len(given.parts) > 1:
        return beside
    shipped = shipped_scenarios() / (ref if given.suffix else f"{ref}.yaml")
    return shipped if shipped.is_file() else beside


def shipped_scenarios() -> Path:
    """``./scenarios`` if there is one, else the scenarios shipped with the package.

    Installed from a wheel they are package data, ``sim/shipped/``; in a clone, ``scenarios/``
    beside ``sim/`` (pyproject.toml maps the one to the other).
    """
    here = Path("scenarios")
    if here.is_dir():
        return here
    package = Path(__file__).resolve().parents[1]  # sim/scenario/load.py: sim/
    installed = package / "shipped"
    return installed if installed.is_dir() else package.parent / "scenarios"


def _record_origins(node: Any, prefix: tuple, source: str, origins: dict[tuple, str]) -> None:
    origins[prefix] = source
    if isinstance(node, dict):
        for key, value in node.items():
            _record_origins(value, (*prefix, key), source, origins)
    elif isinstance(node, list) and prefix == ("events",):
        for item in node:
            if isinstance(item, dict):
                origins[("events", _event_id(item))] = source


# Keys that give one thing in alternative forms: a child giving one form replaces the others.
ALTERNATIVES = ({"p90", "spread"},)


def _merge(base: dict, child: dict, source: str, prefix: tuple = ()) -> dict:
    if "kind" in child and "kind" in base and child["kind"] != base["kind"]:
        return dict(child)  # a reviewer or instrument of another kind replaces the parent's whole
    merged = dict(base)
    for forms in ALTERNATIVES:  # a duration's p90 or spread merges as a unit
        if forms & child.keys():
            for key in forms - child.keys():
                merged.pop(key, None)
    for key, value in child.items():
        if value is None:
            merged.pop(key, None)
        elif prefix == () and key == "events":
            merged[key] = _merge_events(base.get("events") or [], value, source)
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merge(base[key], value, source, (*prefix, key))
        else:
            merged[key] = value
    return merged


def _merge_events(base: list, child: Any, source: str) -> list:
    if not isinstance(child, list):
        raise ScenarioError([Problem(source, "events", "must be a list of events", child)])
    merged = list(base)
    for item in child:
        if not isinstance(item, dict):
            merged.append(item)  # validation reports it
            continue
        ident = _event_id(item)
        at = next((i for i, e in enumerate(merged) if isinstance(e, dict) and _event_id(e) == ident), None)
        if item.get("remove") is True:
            if at is None:
                raise ScenarioError([Problem(source, f"events.{ident}", "remove: no event with this id to remove")])
            del merged[at]
        elif at is None:
            merged.append(item)
        else:
            merged[at] = item
    return merged


# --- overrides --------------------------------------------------------------------------------


def _yaml_scalar(text: str, source: str) -> Any:
    try:
        return _load(text)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError([Problem(source, "", f"cannot read the value as YAML: {problem} (quote it)")]) from None


def _apply_override(doc: dict, key: str, value: Any, origins: dict[tuple, str]) -> None:
    source = f"--set {key}"
    if isinstance(value, str) and value != "":
        value = _yaml_scalar(value, source)
    node, last, _ = _locate(doc, key, source)
    if value is None:
        node.pop(last, None)  # as in extends: null deletes (the default applies)
    else:
        node[last] = value
    origins[tuple(key.split("."))] = f"--set {key}={_show(value)}"


def _locate(doc: dict, key: str, source: str) -> tuple[dict, str, Any]:
    """Find where a dotted key path lives: (the mapping holding it, its last key, its type).

    Missing intermediate mappings are created; unknown keys are errors with a did-you-mean.
    """
    parts = key.split(".")
    node: Any = doc
    kind: Any = Scenario
    for depth, part in enumerate(parts):
        here = ".".join(parts[:depth])
        last = depth == len(parts) - 1
        if isinstance(node, list):  # the events list: items are addressed by id
            ids = [str(_event_id(e)) for e in node if isinstance(e, dict)]
            index = next(
                (i for i, e in enumerate(node) if isinstance(e, dict) and str(_event_id(e)) == part),
                None,
            )
            if index is None:
                raise ScenarioError([_unknown(source, key, part, ids, "event id")])
            if last:
                raise ScenarioError([Problem(source, key, "cannot replace a whole event; set one of its keys")])
            kind = union_member(_child_type(kind, 0), node[index])
            node = node[index]
            continue
        allowed = _allowed_keys(kind, node)
        if allowed is not None and part not in allowed:
            raise ScenarioError([_unknown(source, key, part, sorted(allowed), "key")])
        if last:
            return node, part, _child_type(kind, part, node.get(part) if isinstance(node, dict) else None)
        child = node.get(part)
        kind = _child_type(kind, part, child)
        if union_members(kind):  # a reviewer or an instrument: its kind says which keys it has
            if child is None:
                raise ScenarioError([Problem(source, key, f"{here} has no {part!r} to set (add it in a file)")])
            kind = union_member(kind, child)
        if child is None:
            if kind is None or (isinstance(kind, type) and issubclass(kind, BaseModel)):
                child = node[part] = {}
            else:
                raise ScenarioError([Problem(source, key, f"{here or 'the scenario'} has no {part!r} to set")])
        node = child
        if not isinstance(node, dict | list):
            raise ScenarioError([Problem(source, key, f"{'.'.join(parts[: depth + 1])} is a value, not a mapping")])
    raise ScenarioError([Problem(source, key, "empty key path")])
