"""The EMA Workbench's view of a scenario: a model whose uncertainties, levers and outcomes come from it.

``ema_model(scenario)`` is an ``ema_workbench.Model``: its uncertainties and levers are the
scenario's declared ones, by their short keys (``Parameter.key``), and its outcomes the
probability of each outcome (and of closing at all) and the median close day, each evaluated by
an ensemble of ``runs`` runs with the same seed at every point. So the Workbench's own tools
(``perform_experiments`` with policies x scenarios, PRIM, CART, feature scoring, robustness
metrics, many-objective search) work on it directly. The EMA Workbench is an optional extra:
``pip install 'dealsim[discover]'``.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

from sim.errors import UsageError
from sim.outcomes import Outcome
from sim.runs.backends import Execution
from sim.runs.ensemble import run_ensemble
from sim.scenario.load import ScenarioTemplate
from sim.scenario.schema import Parameter

OUTCOME_NAMES = (*(f"p_{o.value}" for o in Outcome), "p_closed", "median_close_day")
"""The model's outcomes."""


class EnsembleFunction:
    """What the Workbench calls at each experiment: an ensemble at these parameter values.

    A plain picklable object (the Workbench's multiprocessing evaluator sends it to workers).
    """

    def __init__(self, path: str, runs: int, seed: int):
        self.path, self.runs, self.seed = path, runs, seed
        self._template: ScenarioTemplate | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "runs": self.runs, "seed": self.seed, "_template": None}

    def __call__(self, **values: Any) -> dict[str, float]:
        if self._template is None:
            self._template = ScenarioTemplate(self.path)
        declared = self._template.build().declared_parameters
        overrides = {declared[k].path: _plain(v) for k, v in values.items() if k in declared}
        scenario = self._template.build(overrides)
        result = run_ensemble(scenario, runs=self.runs, seed=self.seed, execution=Execution(workers=1), events="none")
        summary = result.summary
        out = {f"p_{name}": o["p"] for name, o in summary["outcomes"].items()}
        out["p_closed"] = summary["metrics"]["p_closed"]
        median = result.runs["close_date"].dropna()
        days = (median.map(lambda d: (_date(d) - scenario.start).days)) if len(median) else median
        out["median_close_day"] = float(days.median()) if len(days) else float("nan")
        return out


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _date(iso: str):
    import datetime as dt

    return dt.date.fromisoformat(iso)


def ema_model(scenario: str | Path, runs: int = 200, seed: int = 0) -> Any:
    """An ``ema_workbench.Model`` of a scenario file (see the module docstring).

    Args:
        scenario: the scenario file; its ``levers:`` and ``uncertainties:`` become the model's.
        runs: runs per experiment.
        seed: the master seed (the same at every experiment: common random numbers).
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import ema_workbench as ema
    except ImportError:
        raise UsageError(
            "the EMA Workbench bridge needs the EMA Workbench: pip install -e '.[discover]' in a clone "
            "('dealsim[discover]' from an index)"
        ) from None
    template = ScenarioTemplate(scenario)
    built = template.build()
    model = ema.Model(re.sub(r"\W", "_", built.name), function=EnsembleFunction(str(scenario), runs, seed))
    keys = built.declared_parameters
    levers = {id(p) for p in built.levers}
    model.uncertainties = [_parameter(ema, k, p, template) for k, p in keys.items() if id(p) not in levers]
    model.levers = [_parameter(ema, k, p, template) for k, p in keys.items() if id(p) in levers]
    model.outcomes = [ema.ScalarOutcome(name) for name in OUTCOME_NAMES]
    return model


def _parameter(ema: Any, key: str, p: Parameter, template: ScenarioTemplate) -> Any:
    if p.values is not None:
        return ema.CategoricalParameter(key, list(p.values))
    low, high = (p.low, p.high) if p.low is not None else (p.mean - 2 * p.sd, p.mean + 2 * p.sd)
    if template.leaf_type(p.path) is int:
        return ema.IntegerParameter(key, int(low), int(high))
    return ema.RealParameter(key, low, high)
