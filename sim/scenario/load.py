"""Loading scenario files: safe YAML, ``extends:``, ``--set`` overrides, validation, clear errors.

The public entry point is :func:`load_scenario`. Everything that can be wrong with a scenario
comes back as a :class:`~sim.errors.ScenarioError` holding one :class:`~sim.errors.Problem` per
thing wrong, each naming the file (or override), the key path, the value and what is allowed.

Merging rules for ``extends:`` (the child is the file that extends):

* mappings merge key by key; a child's ``null`` deletes the parent's key;
* ``events`` merge by ``id`` (an event's id defaults to its kind): a child's event with the id of
  a parent's replaces it, ``{id: X, remove: true}`` deletes it, other events are added;
* any other value (a number, a list) in the child replaces the parent's.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import hashlib
import json
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.errors import Problem, ScenarioError
from sim.scenario.schema import EVENT_KINDS, Scenario

ACTOR_IDS = ("executive", "cfius", "commerce", "china", "seller")


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
        ...                   {"china.licence.review_days.median": 90})
    """
    return ScenarioTemplate(path).build(overrides)


class ScenarioTemplate:
    """A scenario file read and merged once, from which variants are built with overrides.

    Sweeps build thousands of variants of one file; each is validated like the file.

    Args:
        path: the YAML file.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.origins: dict[tuple, str] = {}
        self.doc = _resolve(self.path, chain=(), origins=self.origins)
        self._check_parameter_paths()

    def build(self, overrides: Mapping[str, Any] | None = None) -> Scenario:
        """The scenario with these overrides applied, validated."""
        doc = copy.deepcopy(self.doc)
        origins = dict(self.origins)
        for key, value in (overrides or {}).items():
            _apply_override(doc, key, value, origins)
        return validate(doc, source=str(self.path), origins=origins)

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
            raise ScenarioError(problems)


def variant(scenario: Scenario, overrides: Mapping[str, Any], label: str = "variant") -> Scenario:
    """A validated copy of a scenario with overrides applied (values as for ``--set``)."""
    doc = scenario.model_dump(mode="python")
    origins: dict[tuple, str] = {}
    for key, value in overrides.items():
        _apply_override(doc, key, value, origins)
    return validate(doc, source=f"{scenario.source} ({label})", origins=origins)


def parse_override(text: str) -> tuple[str, Any]:
    """Split a command-line override ``a.b.c=value``; the value is read as YAML."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ScenarioError([Problem("--set", "", "expected KEY.PATH=VALUE, e.g. china.tension=0.8", text)])
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


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys (PyYAML silently keeps the last one)."""


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


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def read_yaml(path: Path) -> dict:
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "no such file"
        raise ScenarioError([Problem(str(path), "", f"{what} (expected a scenario .yaml file)")])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(str(path), "", f"cannot read: {exc}")]) from None
    try:
        doc = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = exc.problem or str(exc)
        raise ScenarioError([Problem(str(path), "", f"{where}malformed YAML: {what}")]) from None
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
    doc = read_yaml(path)
    parent_ref = doc.pop("extends", None)
    if parent_ref is None:
        _record_origins(doc, (), str(path), origins)
        return doc
    if not isinstance(parent_ref, str):
        raise ScenarioError([Problem(str(path), "extends", "must be a file path", parent_ref)])
    parent_path = Path(parent_ref)
    if not parent_path.is_absolute():
        parent_path = path.parent / parent_path
    if not parent_path.is_file():
        raise ScenarioError([Problem(str(path), "extends", f"no such file ({parent_path})", parent_ref)])
    base = _resolve(parent_path, (*chain, real), origins)
    _record_origins(doc, (), str(path), origins)
    return _merge(base, doc, source=str(path))


def _record_origins(node: Any, prefix: tuple, source: str, origins: dict[tuple, str]) -> None:
    origins[prefix] = source
    if isinstance(node, dict):
        for key, value in node.items():
            _record_origins(value, (*prefix, key), source, origins)
    elif isinstance(node, list) and prefix == ("events",):
        for item in node:
            if isinstance(item, dict):
                origins[("events", _event_id(item))] = source


def _merge(base: dict, child: dict, source: str, prefix: tuple = ()) -> dict:
    merged = dict(base)
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


def _event_id(event: Mapping) -> Any:
    return event.get("id") or event.get("kind")


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
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506
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
            kind = _event_class(node[index])
            node = node[index]
            continue
        allowed = _allowed_keys(kind, node)
        if allowed is not None and part not in allowed:
            raise ScenarioError([_unknown(source, key, part, sorted(allowed), "key")])
        if last:
            return node, part, _child_type(kind, part)
        kind = _child_type(kind, part)
        child = node.get(part)
        if child is None:
            if kind is None or (isinstance(kind, type) and issubclass(kind, BaseModel)):
                child = node[part] = {}
            else:
                raise ScenarioError([Problem(source, key, f"{here or 'the scenario'} has no {part!r} to set")])
        node = child
        if not isinstance(node, dict | list):
            raise ScenarioError([Problem(source, key, f"{'.'.join(parts[: depth + 1])} is a value, not a mapping")])
    raise ScenarioError([Problem(source, key, "empty key path")])


def _show(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _unknown(source: str, key: str, part: str, allowed: list[str], what: str) -> Problem:
    close = difflib.get_close_matches(part, allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
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


def _child_type(kind: Any, key: str) -> Any:
    """The declared type of ``key`` inside ``kind`` (a model class or a dict type)."""
    kind = _strip(kind)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        field = kind.model_fields.get(key)
        return _strip(field.annotation) if field else None
    if typing.get_origin(kind) is dict:
        return _strip(typing.get_args(kind)[1])
    if typing.get_origin(kind) is list:
        return _strip(typing.get_args(kind)[0])
    return None


def _allowed_keys(kind: Any, node: Any) -> set[str] | None:
    """Keys allowed at a node of type ``kind``; None when any key goes."""
    kind = _strip(kind)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return set(kind.model_fields)
    if typing.get_origin(kind) is dict:
        key_type = typing.get_args(kind)[0]
        if typing.get_origin(key_type) is typing.Literal:
            return set(typing.get_args(key_type))
        return set(node) if isinstance(node, dict) else set()
    return None


def _event_class(item: Mapping) -> type[BaseModel] | None:
    for cls in EVENT_KINDS:
        if item.get("kind") == typing.get_args(cls.model_fields["kind"].annotation)[0]:
            return cls
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
            problem = _unknown(where, path, str(keys[-1]), allowed, "key")
            problem.value = err["input"]
        elif etype == "missing":
            field_doc = _field_doc(keys, doc, root)
            problem = Problem(where, path, f"required key is missing{field_doc}")
        elif etype in ("union_tag_invalid", "union_tag_not_found"):
            kinds = ", ".join(typing.get_args(c.model_fields["kind"].annotation)[0] for c in EVENT_KINDS)
            problem = Problem(
                where,
                path + ".kind",
                f"unknown event kind (allowed: {kinds})",
                node.get("kind") if isinstance(node, dict) else node,
            )
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


def _kind_at(keys: list, doc: Mapping, root: Any = Scenario) -> Any:
    kind: Any = root
    node: Any = doc
    for key in keys:
        if isinstance(node, list):
            node = node[key] if isinstance(key, int) and key < len(node) else None
            item = _child_type(kind, key)
            if typing.get_origin(item) in (typing.Union, types.UnionType):  # the events: by kind
                item = _event_class(node) if isinstance(node, dict) else None
            kind = item
            continue
        kind = _child_type(kind, key)
        node = node.get(key) if isinstance(node, dict) else None
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


# --- consistency checks across fields ---------------------------------------------------------


def check_consistency(s: Scenario, source: str, origins: dict[tuple, str]) -> list[Problem]:
    """Checks that need several fields: date order, references between ids, unique ids."""
    out: list[Problem] = []

    def bad(keys: tuple, message: str, value: Any = Problem._MISSING) -> None:
        out.append(Problem(_origin(list(keys), origins, source), ".".join(map(str, keys)), message, value))

    def within(keys: tuple, date: dt.date) -> None:
        if not s.start <= date <= s.horizon:
            bad(
                keys,
                f"must be within the scenario's start ({s.start}) and horizon ({s.horizon})",
                date,
            )

    if s.horizon <= s.start:
        bad(("horizon",), f"must be after the start ({s.start})", s.horizon)
        return out  # every other date check would repeat this one

    structures = set(s.structures)

    def known_structure(keys: tuple, sid: str) -> None:
        if sid not in structures:
            out.append(
                _unknown(
                    _origin(list(keys), origins, source),
                    ".".join(map(str, keys)),
                    sid,
                    sorted(structures),
                    "structure",
                )
            )

    prefs = s.seller.structure_preference
    for sid in prefs:
        known_structure(("seller", "structure_preference", sid), sid)
        if not 0 <= prefs[sid] <= 1:
            bad(
                ("seller", "structure_preference", sid),
                "must be between 0 and 1 (multiplier 0-1)",
                prefs[sid],
            )
    for sid in sorted(structures - set(prefs)):
        bad(("seller", "structure_preference"), f"has no preference for structure {sid!r}")
    for sid in s.seller.restructure_order:
        known_structure(("seller", "restructure_order"), sid)
    if s.seller.bid_deadline is not None:
        within(("seller", "bid_deadline"), s.seller.bid_deadline)

    taken = set(ACTOR_IDS)
    for group, ids in (("bidders", s.bidders), ("courts", s.courts)):
        for ident in ids:
            if ident in taken:
                bad((group, ident), f"id {ident!r} is already used by another actor; pick another")
            taken.add(ident)

    for bid, b in s.bidders.items():
        known_structure(("bidders", bid, "offers"), b.offers)
        for sid in b.accepts or []:
            known_structure(("bidders", bid, "accepts"), sid)
        if b.enters is not None:
            within(("bidders", bid, "enters"), b.enters)
        offered = s.structures.get(b.offers)
        if b.insists_on_algorithm and offered is not None and offered.algorithm != "transfer":
            bad(
                ("bidders", bid, "offers"),
                "insists_on_algorithm needs an offered structure with algorithm: transfer",
                b.offers,
            )

    stages = s.commerce.stages
    for sid, st in stages.items():
        within(("commerce", "stages", sid, "announced"), st.announced)
        if isinstance(st.effective, dt.date):
            within(("commerce", "stages", sid, "effective"), st.effective)
            if st.effective < st.announced:
                bad(
                    ("commerce", "stages", sid, "effective"),
                    f"must be on or after the announcement ({st.announced})",
                    st.effective,
                )
    for cid, c in s.courts.items():
        for sid in c.hears or []:
            if sid not in stages:
                out.append(
                    _unknown(
                        _origin(["courts", cid, "hears"], origins, source),
                        f"courts.{cid}.hears",
                        sid,
                        sorted(stages),
                        "stage",
                    )
                )

    seen: set = set()
    for event in s.events:
        ident = event.id or event.kind
        keys = ("events", ident)
        if ident in seen:
            bad(keys, f"two events have the id {ident!r}; give each an `id`")
        seen.add(ident)
        within((*keys, "date"), event.date)
        if event.kind == "divestiture_order":
            within((*keys, "deadline"), event.deadline)
            if event.deadline < event.date:
                bad(
                    (*keys, "deadline"),
                    f"must be on or after the order ({event.date})",
                    event.deadline,
                )
        elif event.kind == "election" and event.inauguration <= event.date:
            bad(
                (*keys, "inauguration"),
                f"must be after the election ({event.date})",
                event.inauguration,
            )
        elif event.kind == "announced_deal":
            if event.bidder not in s.bidders:
                out.append(
                    _unknown(
                        _origin(list(keys), origins, source),
                        f"events.{ident}.bidder",
                        event.bidder,
                        sorted(s.bidders),
                        "bidder",
                    )
                )
            if event.structure is not None:
                known_structure((*keys, "structure"), event.structure)
    if any(st.effective == "deadline" for st in stages.values()) and not any(
        e.kind == "divestiture_order" for e in s.events
    ):
        bad(
            ("commerce", "stages"),
            "a stage takes effect at the `deadline` but no divestiture_order sets one",
        )
    return out
