"""The EMA Workbench bridge: ``from sim.ema import ema_model`` (see :mod:`sim.analysis.ema`)."""

from sim.analysis.ema import OUTCOME_NAMES, EnsembleFunction, ema_model

__all__ = ["OUTCOME_NAMES", "EnsembleFunction", "ema_model"]
