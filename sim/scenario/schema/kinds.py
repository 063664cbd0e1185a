"""The kinds a scenario's collections may hold: reviewers, instruments and dated events, one registry each.

``reviewers``, ``instruments`` and ``events`` hold items of several kinds, told apart by their
``kind`` key. Each kind's schema class is registered here under its ``kind`` literal; the
scenario's fields are the union of the registered classes, and registering a new kind rebuilds
them (:func:`sim.scenario.schema.scenario.register_kind`), so validation, error messages, the
weights' grounding and the generated reference all know it. The model's side of a kind (the agent
that plays it, its stages, its neutral and fastest settings) is registered with it in
:mod:`sim.model.kinds`.
"""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field

from sim.scenario.schema.base import Spec, kind_of

GROUPS = ("reviewers", "instruments", "events")

KINDS: dict[str, dict[str, type[Spec]]] = {group: {} for group in GROUPS}
"""group -> kind -> schema class, in registration order (the order the reference lists them)."""


def add(group: str, *classes: type[Spec]) -> None:
    """Add schema classes to a group's registry (without rebuilding the scenario: see ``register_kind``)."""
    for cls in classes:
        KINDS[group][kind_of(cls)] = cls


def members(group: str) -> tuple[type[Spec], ...]:
    """The schema classes of a group, in registration order."""
    return tuple(KINDS[group].values())


def union(group: str) -> Any:
    """The annotation a collection's items have: a union of the group's classes, told apart by ``kind``."""
    return Annotated[Union[members(group)], Field(discriminator="kind")]  # noqa: UP007 - built at run time
