"""The scenario reference stays in step with the schema; every parameter has a unit and a meaning."""

from __future__ import annotations

import typing

from conftest import ROOT
from pydantic import BaseModel

from sim.scenario.reference import scenario_reference
from sim.scenario.schema import Scenario, kinds


def test_reference_doc_is_up_to_date():
    """docs/scenario-reference.md is what `sim reference` prints (regenerate it if this fails)."""
    committed = (ROOT / "docs" / "scenario-reference.md").read_text()
    assert committed == scenario_reference(), "run: sim reference > docs/scenario-reference.md"


def _models(cls: type[BaseModel], seen: set) -> None:
    if cls in seen:
        return
    seen.add(cls)
    for field in cls.model_fields.values():
        for arg in _flatten(field.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                _models(arg, seen)


def _flatten(annotation) -> list:
    out = [annotation]
    for arg in typing.get_args(annotation):
        out += _flatten(arg)
    return out


def test_every_parameter_is_documented():
    """Each field of each scenario object has a meaning, and a declared unit key."""
    models: set = set()
    _models(Scenario, models)
    for cls in kinds.members("events"):
        _models(cls, models)
    for cls in models:
        for name, field in cls.model_fields.items():
            if name == "kind":
                continue
            assert field.description, f"{cls.__name__}.{name} has no description"
            assert "unit" in (field.json_schema_extra or {}), f"{cls.__name__}.{name} has no unit"


def test_reference_names_every_top_level_block():
    text = scenario_reference()
    for name in Scenario.model_fields:
        assert f"`{name}`" in text
    assert "`reviewers.<id>.review_days`" in text
    assert "`bidders.<id>.valuation`" in text


def _documented_paths(node, kind, prefix: str):
    """The reference's name of every key a scenario document uses (``reviewers.<id>.political.base``)."""
    from sim.scenario.problems import _child_type, union_member

    kind = union_member(kind, node)
    if not (isinstance(kind, type) and issubclass(kind, BaseModel)) or not isinstance(node, dict):
        return
    from sim.scenario.problems import union_members
    from sim.scenario.reference import LEAF_MODELS

    def holds_models(t) -> bool:
        return bool(union_members(t)) or (isinstance(t, type) and issubclass(t, BaseModel) and t not in LEAF_MODELS)

    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else key
        if key not in kind.model_fields and kind.model_config.get("extra") == "allow":
            yield f"{prefix}.<term>"  # a structure's terms: one key per dimension of the scenario's vocabulary
            continue
        child = _child_type(kind, key)
        origin = typing.get_origin(child)
        if origin in (dict, list) and holds_models(_child_type(child, 0)) and isinstance(value, dict | list):
            item = _child_type(child, 0)
            for entry in value.values() if isinstance(value, dict) else value:
                yield from _documented_paths(entry, item, f"{path}.<id>" if origin is dict else f"{path}[]")
        elif holds_models(child):
            yield from _documented_paths(value, child, path)
        else:
            yield path


def test_every_key_of_the_shipped_scenarios_is_in_the_reference():
    """Each key a shipped scenario writes (its files merged) has a row in docs/scenario-reference.md."""
    from conftest import SHIPPED

    from sim.scenario.load import ScenarioTemplate

    text = scenario_reference()
    missing = set()
    for path in SHIPPED:
        for key in _documented_paths(ScenarioTemplate(path).doc, Scenario, ""):
            if f"`{key}`" not in text and key not in ("events[].kind", "reviewers.<id>.kind", "instruments.<id>.kind"):
                missing.add(key)
    assert not missing, sorted(missing)
