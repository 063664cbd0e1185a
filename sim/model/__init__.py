"""One run.

``DealModel`` (a Mesa model), its agents, the deal, the market, randomness, and the per-run
critical path and counterfactuals.

Nothing here does I/O, draws or parses command lines (a test checks that importing it loads none
of matplotlib, click or rich).
"""

from sim.model.dealmodel import RUN_COLUMNS, DealModel

__all__ = ["RUN_COLUMNS", "DealModel"]
