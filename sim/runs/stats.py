"""Summaries of an ensemble, computed from a stream of runs.

A :class:`Tally` keeps exact counts (histograms of whole days, of prices in cents, of outcomes),
so tallies of chunks can be merged in any order and give the same summary, byte for byte, as one
tally of all the runs. That is what lets results be identical whatever the backend, and lets a
million runs be summarised in a few megabytes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sim.model.attribution import has_counterfactual
from sim.outcomes import PRECEDENCE
from sim.scenario.schema import DeadlineInstrument, Scenario

Z95 = 1.959963984540054

_HISTOGRAMS = (
    "outcome",
    "close_day",
    "late_days",
    "extensions",
    "deadline_decision",
    "final_deadline_day",
    "ban_days",
    "winner",
    "structure",
    "price_cents",
    "fee_cents",
    "host_review_days",
    "home_review_days",
    "letter_review_days",
    "licence_review_days",
    "held_by",
)
_COUNTS = (
    "runs",
    "failed",
    "closed_by_final_deadline",
    "blessed",
    "licence_required",
    "restructures",
    "host_refused",
    "home_refused",
    "injunctions",
    "administration_changed",
    "fees_paid",
)
MAX_FAILURES_LISTED = 10


def wilson_interval(count: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``count / n`` (95% by default)."""
    if n <= 0:
        return (0.0, 1.0)
    p = count / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if count == 0 else max(0.0, centre - half)
    hi = 1.0 if count == n else min(1.0, centre + half)
    return (lo, hi)


@dataclass(frozen=True, slots=True)
class Counted:
    """What one run record adds to a tally: counts, histogram entries and, for a failed run, its failure."""

    counts: tuple[tuple[str, int], ...]
    hist: tuple[tuple[str, Any], ...]
    failure: dict[str, Any] | None = None


class Tally:
    """Exact, mergeable counts of an ensemble's run records.

    Args:
        start: the scenario's start date (dates are counted in days from it).
    """

    def __init__(self, start: dt.date):
        self.start = start
        self.hist: dict[str, Counter] = {name: Counter() for name in _HISTOGRAMS}
        self.count: dict[str, int] = dict.fromkeys(_COUNTS, 0)
        self.failures: list[dict[str, Any]] = []
        self.attr: dict[str, Any] = {
            "late_runs": 0,
            "late_rerun_runs": 0,
            "on_time_runs": 0,
            "no_deal_runs": 0,
            "excess": {},
            "days": Counter(),
            "decisive": Counter(),
            "actor": {},
        }

    def _day(self, iso: str) -> int:
        return (dt.date.fromisoformat(iso) - self.start).days

    def add(self, r: dict[str, Any]) -> None:
        """Count one run record (a row of ``runs.csv``).

        All or nothing: a record it cannot count (an infinite price, a malformed date) raises
        before any count changes.
        """
        self.apply(self.counted(r))

    def counted(self, r: dict[str, Any]) -> Counted:
        """What counting a record adds, worked out without changing the tally (raises if it cannot be counted)."""
        if r.get("error"):
            failure = {k: r[k] for k in ("run_id", "seed", "error", "traceback") if k in r}
            return Counted((("runs", 1), ("failed", 1)), (), failure)
        hist: list[tuple[str, Any]] = [("outcome", r["outcome"])]
        close, final = r["close_date"], r["deadline_date"]
        if close is not None:
            hist += [("close_day", self._day(close)), ("price_cents", round(r["price"] * 100))]
        counts: list[tuple[str, int]] = [("runs", 1)]
        if r.get("fee_paid") is not None:
            counts.append(("fees_paid", 1))
            hist.append(("fee_cents", round(r["fee_paid"] * 100)))
            if r["days_past_deadline"]:
                hist.append(("late_days", r["days_past_deadline"]))
        if final is not None:
            hist.append(("final_deadline_day", self._day(final)))
        if close is not None:
            counts.append(("closed_by_final_deadline", close <= final if final else not r["days_past_deadline"]))
        hist += [
            ("extensions", r["extensions"]),
            ("deadline_decision", r["deadline_decision"] or "none"),
            ("ban_days", r["ban_days"]),
            ("winner", r["winner"] or "none"),
            ("structure", r["structure"] or "none"),
        ]
        for name in ("host_review_days", "home_review_days", "letter_review_days", "licence_review_days"):
            if r[name] is not None:
                hist.append((name, r[name]))
        counts += [
            ("blessed", bool(r["blessed"])),
            ("licence_required", bool(r["licence_required"])),
            ("restructures", r["restructures"]),
            ("host_refused", r["host_refusals"] > 0),
            ("home_refused", r["home_refusals"] > 0),
            ("injunctions", r["injunctions"]),
            ("administration_changed", bool(r["administration_changed"])),
        ]
        if close is None:  # who the deal still waited on, by how the run ended
            for reviewer in (r.get("held_by") or "none").split(","):
                hist.append(("held_by", f"{r['outcome']}|{reviewer}"))
        for name, n in counts:  # raise here, not halfway through apply
            if not isinstance(n, int | float):
                raise TypeError(f"{name} = {n!r}: a count must be a number")
        for _, key in hist:
            hash(key)  # a value no histogram can take (a list...) raises TypeError here too
        return Counted(tuple(counts), tuple(hist))

    def apply(self, counted: Counted) -> None:
        """Add what :meth:`counted` worked out."""
        count, hist = self.count, self.hist
        for name, n in counted.counts:
            count[name] += n
        for name, key in counted.hist:
            hist[name][key] += 1
        if counted.failure is not None and len(self.failures) < MAX_FAILURES_LISTED:
            self.failures.append(counted.failure)

    def add_attribution(self, rows: list[tuple], late: bool, rerun: bool = True, no_deal: bool = False) -> None:
        """Count one run's attribution rows (see :mod:`sim.model.attribution`).

        ``rerun``: whether the run's late stages were rerun at their minimum (the counterfactuals'
        sample); only those runs count in the share of runs in which a stage was decisive.
        ``no_deal``: the run never chose a deal; it has no critical path and is counted apart, not
        among the late runs.
        """
        if no_deal:
            self.attr["no_deal_runs"] += 1
            return
        group = "late" if late else "on_time"
        self.attr[f"{group}_runs"] += 1
        self.attr["late_rerun_runs"] += late and rerun
        per_stage: dict[str, list] = {}
        for _, _, stage, actor, _, _, _, excess, decisive in rows:
            total, was_decisive = per_stage.get(stage, (0, False))
            per_stage[stage] = (total + excess, was_decisive or bool(decisive))
            self.attr["actor"].setdefault(stage, actor)
        for stage, (excess, decisive) in per_stage.items():
            key = f"{group}|{stage}"
            self.attr["excess"].setdefault(key, Counter())[excess] += 1
            self.attr["days"][key] += excess
            if decisive:
                self.attr["decisive"][stage] += 1

    def merge(self, other: Tally) -> Tally:
        """Add another tally's counts to this one (order does not matter)."""
        for name in _HISTOGRAMS:
            self.hist[name].update(other.hist[name])
        for name in _COUNTS:
            self.count[name] += other.count[name]
        a, b = self.attr, other.attr
        for key in ("late_runs", "late_rerun_runs", "on_time_runs", "no_deal_runs"):
            a[key] += b[key]
        for key, hist in b["excess"].items():
            a["excess"].setdefault(key, Counter()).update(hist)
        a["days"].update(b["days"])
        a["decisive"].update(b["decisive"])
        for stage, actor in b["actor"].items():
            a["actor"].setdefault(stage, actor)
        # the first failures by run id, whatever the order of merging
        self.failures = sorted(self.failures + other.failures, key=lambda f: f["run_id"])[:MAX_FAILURES_LISTED]
        return self

    @property
    def completed(self) -> int:
        """Runs that ended with an outcome (not failed)."""
        return self.count["runs"] - self.count["failed"]

    def to_json(self) -> dict[str, Any]:
        """A JSON-able form (histogram keys become strings)."""
        return {
            "start": self.start.isoformat(),
            "hist": {n: {str(k): v for k, v in sorted(h.items(), key=str)} for n, h in self.hist.items()},
            "count": self.count,
            "failures": self.failures,
            "attr": {
                **{k: self.attr[k] for k in ("late_runs", "late_rerun_runs", "on_time_runs", "no_deal_runs")},
                "excess": {
                    k: {str(d): n for d, n in sorted(h.items())} for k, h in sorted(self.attr["excess"].items())
                },
                "days": dict(sorted(self.attr["days"].items())),
                "decisive": dict(sorted(self.attr["decisive"].items())),
                "actor": dict(sorted(self.attr["actor"].items())),
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tally:
        """Rebuild a tally saved with :meth:`to_json`."""
        tally = cls(dt.date.fromisoformat(data["start"]))
        for name, hist in data["hist"].items():
            numeric = name not in ("outcome", "deadline_decision", "winner", "structure", "held_by")
            tally.hist[name] = Counter({(int(k) if numeric else k): v for k, v in hist.items()})
        tally.hist = {n: tally.hist.get(n, Counter()) for n in _HISTOGRAMS}  # a tally saved before a histogram existed
        tally.count = dict.fromkeys(_COUNTS, 0) | data["count"]
        tally.failures = list(data["failures"])
        attr = data["attr"]
        tally.attr = {
            "late_runs": attr["late_runs"],
            "late_rerun_runs": attr["late_rerun_runs"],
            "on_time_runs": attr["on_time_runs"],
            "no_deal_runs": attr.get("no_deal_runs", 0),
            "excess": {k: Counter({int(d): n for d, n in h.items()}) for k, h in attr["excess"].items()},
            "days": Counter(attr["days"]),
            "decisive": Counter(attr["decisive"]),
            "actor": dict(attr["actor"]),
        }
        return tally


def outcome_table(outcomes: Counter, n: int) -> dict[str, dict[str, Any]]:
    """``{outcome: {count, p, ci95}}`` for all eleven outcomes, in precedence order."""
    table = {}
    for outcome in PRECEDENCE:
        c = int(outcomes.get(outcome.value, 0))
        lo, hi = wilson_interval(c, n)
        table[outcome.value] = {"count": c, "p": _r(c / n if n else 0.0), "ci95": [_r(lo), _r(hi)]}
    return table


def about(scenario: Scenario) -> dict[str, Any]:
    """What a summary's words depend on: what the deadline is, and whether the case has bans or a consent."""
    deadline_instruments = [i for i in scenario.instruments.values() if isinstance(i, DeadlineInstrument)]
    return {
        "deal": scenario.deal.kind,
        "deadline": "outside date" if not deadline_instruments and scenario.agreement else "deadline",
        "bans": any(getattr(i, "stages", None) for i in scenario.instruments.values()),
        "consent": any(r.side == "home" and r.kind == "export_licence" for r in scenario.reviewers.values()),
        "fee": bool(scenario.agreement and scenario.agreement.termination_fee),
        "instruments": bool(scenario.instruments),
        "currency": scenario.labels.currency,
    }


def summarize(tally: Tally, scenario: Scenario, seed: int) -> dict[str, Any]:
    """The ensemble's summary (``summary.json``): outcomes with 95% intervals, and metrics.

    Probabilities are over the runs that completed; failed runs are counted apart. Winners,
    structures and prices are shares of the closes.
    """
    n = tally.completed
    h, c = tally.hist, tally.count
    closed = sum(h["close_day"].values())
    summary = {
        "scenario": scenario.name,
        "runs": c["runs"],
        "seed": seed,
        "about": about(scenario),
        "outcomes": outcome_table(h["outcome"], n),
        "failed": {
            "count": c["failed"],
            "first": [{k: v for k, v in f.items() if k != "traceback"} for f in tally.failures],
        },
        "metrics": {
            "first_deadline": scenario.first_deadline.isoformat(),
            "p_closed": _r(closed / n if n else 0.0),
            "deadlines": _deadlines(h["outcome"].get("closed_by_deadline", 0), c["closed_by_final_deadline"], n),
            "close_date": _date_quantiles(h["close_day"], tally.start),
            "days_past_deadline_if_late": _quantiles(h["late_days"]),
            "extensions": {"mean": _mean(h["extensions"]), "share": _shares(h["extensions"])},
            "deadline_decision": _shares(h["deadline_decision"]),
            "final_deadline": _date_quantiles(h["final_deadline_day"], tally.start),
            "ban_days": {
                "mean": _mean(h["ban_days"]),
                "p_any": _r(1 - h["ban_days"].get(0, 0) / n if n else 0.0),
                "if_any": _quantiles(Counter({k: v for k, v in h["ban_days"].items() if k > 0})),
            },
            "winner": _shares(Counter({k: v for k, v in h["winner"].items() if k != "none"})),
            "structure": _shares(Counter({k: v for k, v in h["structure"].items() if k != "none"})),
            "fees": {"p_paid": _r(c["fees_paid"] / n if n else 0.0), "bn": _quantiles(h["fee_cents"], scale=0.01)},
            "price_bn": _quantiles(h["price_cents"], scale=0.01),
            "p_blessed": _r(c["blessed"] / n if n else 0.0),
            "p_licence_required": _r(c["licence_required"] / n if n else 0.0),
            "host_review_days": _quantiles(h["host_review_days"]),
            "home_review_days": _quantiles(h["home_review_days"]),
            "letter_review_days": _quantiles(h["letter_review_days"]),
            "licence_review_days": _quantiles(h["licence_review_days"]),
            "restructures_mean": _r(c["restructures"] / n if n else 0.0),
            "p_host_refused": _r(c["host_refused"] / n if n else 0.0),
            "p_home_refused": _r(c["home_refused"] / n if n else 0.0),
            "injunctions_mean": _r(c["injunctions"] / n if n else 0.0),
            "p_administration_changed": _r(c["administration_changed"] / n if n else 0.0),
            "held_by": _held_by(h["held_by"], h["outcome"]),
        },
    }
    if tally.attr["late_runs"] + tally.attr["on_time_runs"] + tally.attr["no_deal_runs"]:
        summary["attribution"] = attribution_summary(tally)
    return summary


def _deadlines(by_first: int, by_final: int, n: int) -> dict[str, Any]:
    """P(closed by the first deadline) and P(closed by the last deadline in force), with 95% intervals.

    The last deadline in force is the deadline as extended in that run (the first one where no
    extension was granted).
    """

    def entry(count: int) -> dict[str, Any]:
        lo, hi = wilson_interval(count, n)
        return {"count": count, "p": _r(count / n if n else 0.0), "ci95": [_r(lo), _r(hi)]}

    return {"closed_by_first": entry(by_first), "closed_by_final": entry(by_final)}


def _r(x: float, digits: int = 4) -> float:
    return float(round(x, digits))


def _held_by(held: Counter, outcomes: Counter) -> dict[str, dict[str, float]]:
    """Per outcome of the runs that did not close: the share of them still waiting on each reviewer."""
    found: dict[str, dict[str, float]] = {}
    for key, count in sorted(held.items(), key=lambda kv: (kv[0].split("|")[0], -kv[1], kv[0])):
        outcome, reviewer = key.split("|", 1)
        if reviewer != "none" and outcomes.get(outcome):
            found.setdefault(outcome, {})[reviewer] = _r(count / outcomes[outcome])
    return found


def _shares(counter: Counter) -> dict[str, float]:
    n = sum(counter.values())
    ordered = sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return {str(k): _r(v / n) for k, v in ordered} if n else {}


def _mean(counter: Counter) -> float:
    n = sum(counter.values())
    return _r(sum(k * v for k, v in counter.items()) / n) if n else 0.0


def quantile(counter: Counter, q: float) -> int | float:
    """The q-quantile of a histogram: the smallest value with at least q of the mass at or below."""
    n = sum(counter.values())
    target = max(1, math.ceil(q * n))
    seen = 0
    for value in sorted(counter):
        seen += counter[value]
        if seen >= target:
            return value
    raise ValueError("empty histogram")


def _quantiles(counter: Counter, scale: float = 1.0) -> dict[str, Any]:
    n = sum(counter.values())
    if not n:
        return {"n": 0}
    mean = sum(k * v for k, v in counter.items()) / n * scale
    qs = {name: _r(quantile(counter, q) * scale) for name, q in (("p05", 0.05), ("median", 0.5), ("p95", 0.95))}
    return {"n": n, "mean": _r(mean), **qs}


def _date_quantiles(counter: Counter, start: dt.date) -> dict[str, Any]:
    n = sum(counter.values())
    if not n:
        return {"n": 0}
    names = (("p05", 0.05), ("p25", 0.25), ("median", 0.5), ("p75", 0.75), ("p95", 0.95))
    return {
        "n": n,
        **{k: (start + dt.timedelta(days=quantile(counter, q))).isoformat() for k, q in names},
    }


def attribution_summary(tally: Any) -> dict[str, Any]:
    """summary.json's ``attribution``: per stage, for late and on-time runs."""
    a = tally.attr
    late, on_time, rerun = a["late_runs"], a["on_time_runs"], a["late_rerun_runs"]
    stages = sorted({k.split("|", 1)[1] for k in a["excess"]}, key=lambda s: -a["days"].get(f"late|{s}", 0))
    out: dict[str, Any] = {
        "late_runs": late,
        "late_runs_rerun": rerun,
        "on_time_runs": on_time,
        "no_deal_runs": a["no_deal_runs"],
        "stages": {},
    }
    for stage in stages:
        entry: dict[str, Any] = {"actor": a["actor"].get(stage)}
        for group, n in (("late", late), ("on_time", on_time)):
            hist = a["excess"].get(f"{group}|{stage}")
            on_path = sum(hist.values()) if hist else 0
            entry[group] = {
                "share_on_path": _r(on_path / n) if n else 0.0,
                "mean_days_added": _r(a["days"].get(f"{group}|{stage}", 0) / n) if n else 0.0,
                "median_days_if_on_path": quantile(hist, 0.5) if on_path else None,
            }
        decisive = a["decisive"].get(stage, 0)
        entry["late"]["share_decisive"] = _r(decisive / rerun) if rerun else 0.0
        entry["late"]["share_decisive_ci95"] = [_r(x) for x in wilson_interval(decisive, rerun)] if rerun else None
        entry["late"]["counterfactual"] = has_counterfactual(stage)
        out["stages"][stage] = entry
    return out
