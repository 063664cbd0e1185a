"""Evidence across cases: backtest every case of a library and score them together (``sim evaluate``).

A case is a scenario written from the facts known at its start (``as_of``) and a record of what
happened after: ``DIR/<name>.yaml`` and ``DIR/records/<name>.yaml``. For each case the backtest
(:mod:`sim.analysis.backtest`) gives

* the log score and Brier score of the observed *sequence* of outcomes, for the model, the same
  scenario with every decision a coin toss (neutral), and a uniform guess over the sequences the
  case can produce;
* for each observed event that is not an input of the scenario: whether the model produced it at
  all, and where its date falls among the simulated ones (its percentile, the PIT value), so the
  share of observed dates inside the 5-95% band and a PIT histogram tell whether the simulated
  reviews run too fast (observed dates pile up at the top) or too slow.

Summed over the library the log scores say whether the model beats its baselines on cases it was
not tuned on; a forecaster reads this before trusting it on a new deal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.backtest import backtest
from sim.errors import UsageError
from sim.runs.backends import Execution
from sim.scenario.load import load_scenario
from sim.scenario.record import load_record
from sim.scenario.schema import Scenario

METHODS = ("model", "neutral", "uniform")
PIT_BINS = 10


def find_cases(directory: str | Path) -> list[tuple[Path, Path]]:
    """The (scenario, record) pairs of a case library: every ``<name>.yaml`` with a ``records/<name>.yaml``.

    A scenario without a record (a shared base file that cases extend) is not a case.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise UsageError(f"{directory}: not a directory of cases (scenarios and records/)")
    pairs = [
        (path, directory / "records" / path.name)
        for path in sorted(directory.glob("*.yaml"))
        if (directory / "records" / path.name).is_file()
    ]
    if not pairs:
        raise UsageError(f"{directory}: no case here (a <name>.yaml with a records/<name>.yaml)")
    return pairs


@dataclass
class Evaluation:
    """The library's scores: one row per case, the sums, and every scored event's percentile."""

    table: pd.DataFrame
    events: pd.DataFrame
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, Any]:
        """Summed log scores, mean Brier scores, the band coverage and the PIT histogram."""
        t, ev = self.table, self.events
        scored = ev[ev["percentile"].notna()]
        return {
            "cases": len(t),
            "out_of_sample": int((~t["in_sample"]).sum()),
            "log_score": {m: round(float(t[f"log_{m}"].sum()), 4) for m in METHODS},
            "brier": {m: round(float(t[f"brier_{m}"].mean()), 4) for m in METHODS},
            "cases_model_beats_neutral": int((t["log_model"] < t["log_neutral"]).sum()),
            "cases_model_beats_uniform": int((t["log_model"] < t["log_uniform"]).sum()),
            "events_scored": len(ev),
            "events_never_simulated": int(ev["percentile"].isna().sum()),
            "share_in_band": round(float(ev["in_band"].mean()), 4) if len(ev) else None,
            "share_later_than_band": round(float((scored["percentile"] > 95).sum() / len(ev)), 4) if len(ev) else None,
            "share_earlier_than_band": round(float((scored["percentile"] < 5).sum() / len(ev)), 4) if len(ev) else None,
            "pit_histogram": pit_histogram(scored["percentile"].to_numpy()),
        }


def pit_histogram(percentiles: np.ndarray) -> list[int]:
    """Counts of observed dates' percentiles among the simulated ones, in ``PIT_BINS`` equal bins.

    A calibrated model gives a flat histogram; mass at the top means the observed events came
    later than the model's (its reviews too fast).
    """
    counts, _ = np.histogram(np.clip(percentiles, 0, 100), bins=PIT_BINS, range=(0, 100))
    return [int(c) for c in counts]


def evaluate(
    cases: list[tuple[Scenario | Path, Path]], runs: int = 500, seed: int = 0, execution: Execution = Execution()
) -> Evaluation:
    """Backtest each case (same runs and seed) and gather the scores (module docstring).

    A case is a scenario (or its file) and its record's file.
    """
    rows, events, reports = [], [], {}
    for given, record_path in cases:
        scenario = given if isinstance(given, Scenario) else load_scenario(given)
        record = load_record(record_path)
        record.check_against(scenario)
        report = backtest(scenario, record, runs, seed, execution).report
        reports[scenario.name] = report
        seq = report["sequence"]
        scored = [
            {
                "case": scenario.name,
                "date": e["date"],
                "event": e["event"],
                "share": e["share"],
                "percentile": e["percentile"],
                "in_band": bool(e.get("band")) and e["band"][0] <= e["date"] <= e["band"][1],
            }
            for e in report["events"]
            if not e["condition"]
        ]
        events += scored
        rows.append(
            {
                "case": scenario.name,
                "as_of": scenario.as_of.isoformat() if scenario.as_of else "",
                "in_sample": bool(report["sample"]["in_sample"]),
                "observed": " then ".join(seq["observed"]),
                "p_observed": seq["model"]["p_observed"],
                **{f"log_{m}": seq[m]["log_score"] for m in METHODS},
                **{f"brier_{m}": seq[m]["brier"] for m in METHODS},
                "events_scored": len(scored),
                "in_band": sum(e["in_band"] for e in scored),
                "conditions": len(report["conditions"]),
                "waiting_on": "; ".join(_waited(h["waiting_on"]) for h in report["horizons"] if h.get("waiting_on")),
            }
        )
    columns = ["case", "date", "event", "share", "percentile", "in_band"]
    return Evaluation(pd.DataFrame(rows), pd.DataFrame(events, columns=columns), reports)


def _waited(found: dict[str, Any]) -> str:
    """``bmwk 12%``: the reviewers the record names, and the share of the model's runs that waited on them."""
    share = found["model_share"]
    return f"{'+'.join(found['observed'])} {'-' if share is None else format(share, '.0%')}"


def evaluation_json(result: Evaluation, runs: int, seed: int) -> dict[str, Any]:
    """evaluation.json: the totals, each case's row, and each scored event."""
    return {
        "runs": runs,
        "seed": seed,
        "totals": result.totals,
        "cases": result.table.to_dict(orient="records"),
        "events": result.events.to_dict(orient="records"),
    }
