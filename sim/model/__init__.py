"""One run.

``DealModel`` (a Mesa model), its agents, the deal, the market, randomness, and the per-run
critical path and counterfactuals.

Nothing here does I/O, draws or parses command lines (a test checks that importing it loads none
of matplotlib, click or rich). ``DealModel`` is imported when first used, so that the light
modules here (``randomness``, ``deal``) can be used without loading Mesa.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.model.dealmodel import RUN_COLUMNS, DealModel

__all__ = ["RUN_COLUMNS", "DealModel"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from sim.model import dealmodel

        return getattr(dealmodel, name)
    raise AttributeError(f"module 'sim.model' has no attribute {name!r}")
