"""The scenario reference stays in step with the schema; every parameter has a unit and a meaning."""

from __future__ import annotations

import typing

from conftest import ROOT
from pydantic import BaseModel

from sim.scenario.reference import scenario_reference
from sim.scenario.schema import EVENT_KINDS, Scenario


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
    for cls in EVENT_KINDS:
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
    assert "`china.licence.review_days`" in text
    assert "`bidders.<id>.valuation`" in text
