"""Backtests against an observed record, and calibration by grid search.

A backtest runs the scenario as it is (its parameters are never tuned inside the backtest) and
asks how probable the model found what really happened:

* the probability of the observed *sequence* of outcomes at the record's horizons, as one event
  (the horizons of one run are not independent), scored by the log score ``-ln p`` and the
  (multi-category) Brier score ``sum_k (p_k - o_k)^2`` over sequences, lower being better, against
  two baselines: every sequence the case can produce equally likely (:func:`feasible_sequences`:
  no termination without an agreement, no ban without one, a close stays a close...; the old
  uniform over every sequence is kept beside it, labelled), and the same scenario with its
  *decision* parameters at neutral values (:func:`neutral_overrides`: every choice a coin toss
  among its options); each horizon is shown on its own too;
* a record event that is a dated input of the scenario (a catalogue update, an order on its
  date, an announced pick...) is a condition, not a prediction: it is listed, and not scored
  (:func:`conditions`);
* whether the test is out of sample: a scenario says the date its facts are known as of
  (``as_of``); dated inputs after it (events, ban stages, bidders entering, an announced deal, a
  bid deadline) make the backtest in-sample, and the report lists them;
* for each observed dated event, the share of runs in which it happens, the median and 5-95%
  band of its simulated date, and the percentile at which the observed date falls;
* the share of runs in each deal stage over time (a fan chart).

Probabilities entering a log score are smoothed, ``(count + 0.5) / (runs + 0.5 x K)`` over the K
possible outcomes (10 per horizon; 10^H sequences), so an outcome no run produced scores finitely
rather than infinitely badly.

Calibration searches a grid of named parameters for the values under which the record is most
likely, by an approximate log-likelihood: ln P(observed sequence of outcomes), plus,
for each observed event, ln of the share of runs in which it happens within ``window_days`` of
its observed date (smoothed as ``(hits + 0.5) / (runs + 1)``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.sweep import design_points
from sim.model.deal import DealStage
from sim.model.dealmodel import DealModel
from sim.model.kinds import instrument_kind, reviewer_kind
from sim.model.randomness import run_seed
from sim.outcomes import PRECEDENCE
from sim.runs.backends import Execution
from sim.runs.ensemble import EnsembleSpec, run_tasks
from sim.scenario.load import ScenarioTemplate, variant
from sim.scenario.record import Record
from sim.scenario.schema import Parameter, Scenario

OUTCOMES = [o.value for o in PRECEDENCE]
STAGES = [s.value for s in DealStage]
GRID_STEP = 7  # days between the fan chart's samples


def neutral_overrides(scenario: Scenario) -> dict[str, Any]:
    """Every decision parameter of a scenario at a neutral value: the second baseline of a backtest.

    Every choice becomes a coin toss among its options (utilities 0, yes/no probabilities 0.5),
    terms stop mattering to reviewers, and the seller likes every structure alike. What is not a
    decision stays: durations, caps, who decides, courts' rulings, bidders' valuations, dated
    events. Each reviewer and instrument kind says what its neutral settings are
    (:mod:`sim.model.kinds`). The overrides name leaves, so that nothing else in a section changes.
    """
    out: dict[str, Any] = {}
    blessing = scenario.executive.blessing if scenario.executive is not None else None
    if blessing is not None:
        out.update({"executive.blessing.base": 0, "executive.blessing.standing": 0})
        out.update({f"executive.blessing.terms.{dim}": _zero(w) for dim, w in blessing.terms.items()})
    for iid, inst in scenario.instruments.items():
        out.update(instrument_kind(inst.kind).neutral(iid, inst))
    for rid, r in scenario.reviewers.items():
        out.update(reviewer_kind(r.kind).neutral(rid, r))
    if scenario.agreement is not None:
        out["agreement.p_extend"] = 0.5
    out["seller.choice_temperature"] = 1e9
    out["seller.p_restructure"] = 0.5
    out.update({"seller.exit.base": 0, "seller.exit.value_lost": 0})
    out["seller.structure_preference"] = dict.fromkeys(scenario.structures, 1.0)
    return out


def _zero(weight: Any) -> Any:
    return dict.fromkeys(weight, 0) if isinstance(weight, dict) else 0


def neutral(scenario: Scenario) -> Scenario:
    """The scenario with every decision parameter neutral (see :func:`neutral_overrides`)."""
    return variant(scenario, neutral_overrides(scenario), label="neutral decisions")


# --- tracing runs ---------------------------------------------------------------------------


@dataclass
class TraceChunk:
    """What a backtest needs from runs ``start`` to ``stop - 1`` of design point ``index``."""

    index: int
    start: int
    stop: int
    outcomes: list[tuple[str, ...]] = field(default_factory=list)  # per run: outcome at each horizon
    waiting_on: list[tuple[tuple[str, ...], ...]] = field(default_factory=list)  # per run: reviewers at each
    event_days: list[tuple[int, ...]] = field(default_factory=list)  # per run: first day of each event, -1
    stages: list[bytes] = field(default_factory=list)  # per run: stage code at each fan-chart day


def _occurrence_day(events: list[tuple], event: str, actor: str | None, match: str | None, occurrence: int) -> int:
    """The day of the ``occurrence``-th logged event matching, or -1 if there are fewer."""
    seen = 0
    for row in events:
        if _matches(row, event, actor, match):
            seen += 1
            if seen == occurrence:
                return row[0]
    return -1


def _matches(row: tuple, event: str, actor: str | None, match: str | None) -> bool:
    _, who, name, detail = row
    return name == event and (actor is None or who == actor) and (match is None or match in detail.lower())


def trace_chunk(spec: EnsembleSpec, index: int, start: int, stop: int, record: Record, fan: bool) -> TraceChunk:
    """Play runs and keep what a backtest needs of each.

    That is the outcome at the record's horizons, the first day of each observed kind of event,
    and (for the fan chart) the deal's stage every week.
    """
    scenario = spec.scenario
    checkpoints = tuple(scenario.day(o.horizon) for o in record.outcomes)
    watch = [(e.event, e.actor, e.match.lower() if e.match else None, e.occurrence) for e in record.events]
    grid = range(0, scenario.days + 1, GRID_STEP) if fan else range(0)
    chunk = TraceChunk(index, start, stop)
    for i in range(start, stop):
        model = DealModel(scenario, rng=run_seed(spec.seed, i), run_id=i, checkpoints=checkpoints)
        model.run()
        chunk.outcomes.append(tuple(model.snapshots[d] for d in checkpoints))
        chunk.waiting_on.append(tuple(model.waiting_on[d] for d in checkpoints))
        chunk.event_days.append(tuple(_occurrence_day(model.events, *w) for w in watch))
        if fan:
            history, codes, k = model.stage_history, bytearray(), 0
            for day in grid:
                while k + 1 < len(history) and history[k + 1][0] <= day:
                    k += 1
                codes.append(STAGES.index(history[k][1]))
            chunk.stages.append(bytes(codes))
    return chunk


@dataclass
class Trace:
    """All runs of one scenario, traced against a record."""

    scenario: Scenario
    record: Record
    outcomes: np.ndarray  # runs x horizons, outcome names
    event_days: np.ndarray  # runs x events, day or -1
    stages: np.ndarray  # runs x fan-chart days, stage codes
    waiting_on: list[tuple[tuple[str, ...], ...]] = field(default_factory=list)  # per run, per horizon

    @property
    def runs(self) -> int:
        return len(self.outcomes)

    def _held(self, h: int, allowed: tuple[str, ...]) -> list[tuple[str, ...]]:
        """Whom each run with an outcome in ``allowed`` at horizon ``h`` still waited on there."""
        return [self.waiting_on[i][h] for i in range(self.runs) if self.outcomes[i, h] in allowed]

    def waiting(self, h: int, allowed: tuple[str, ...]) -> dict[str, float]:
        """Of the runs with an outcome in ``allowed`` at horizon ``h``: the share still waiting on each reviewer."""
        mine = self._held(h, allowed)
        counts = Counter(r for held in mine for r in held)
        return {r: round(c / len(mine), 4) for r, c in counts.most_common()} if mine else {}

    def waiting_on_all(self, h: int, allowed: tuple[str, ...], observed: list[str]) -> float | None:
        """Of those runs, the share waiting on every reviewer the record names (None if no run had the outcome)."""
        mine = self._held(h, allowed)
        return round(sum(set(observed) <= set(held) for held in mine) / len(mine), 4) if mine else None

    def outcome_shares(self, h: int) -> dict[str, float]:
        counts = Counter(self.outcomes[:, h])
        return {o: counts.get(o, 0) / self.runs for o in OUTCOMES}

    def smoothed(self, h: int, allowed: tuple[str, ...]) -> float:
        """P(the outcome at horizon ``h`` is one of ``allowed``), each outcome's count plus a half."""
        count = int(np.isin(self.outcomes[:, h], allowed).sum())
        return (count + 0.5 * len(allowed)) / (self.runs + 0.5 * len(OUTCOMES))

    def sequence_shares(self) -> Counter:
        """How many runs had each sequence of outcomes at the record's horizons."""
        return Counter(map(tuple, self.outcomes))

    def smoothed_sequence(self, observed: Observed) -> float:
        """P(the sequence matches ``observed``, a set of outcomes per horizon), each sequence's count plus a half."""
        count = sum(c for seq, c in self.sequence_shares().items() if matches(seq, observed))
        return (count + 0.5 * math.prod(map(len, observed))) / (self.runs + 0.5 * len(OUTCOMES) ** len(observed))

    def log_likelihood(self) -> float:
        """Approximate log-likelihood of the record (module docstring); the scenario's own inputs are not scored."""
        total = math.log(self.smoothed_sequence(observed_sequence(self.record)))
        given = conditions(self.scenario, self.record)
        for e, observed in enumerate(self.record.events):
            if e in given:
                continue
            days = self.event_days[:, e]
            window = self.record.window_days if observed.window_days is None else observed.window_days
            near = np.sum((days >= 0) & (np.abs(days - self.scenario.day(observed.date)) <= window))
            total += math.log((near + 0.5) / (self.runs + 1))
        return total


def trace(
    scenarios: Sequence[Scenario],
    record: Record,
    runs: int,
    seed: int,
    fan: bool = False,
    execution: Execution = Execution(),
) -> list[Trace]:
    """Trace ensembles of several scenarios (same seeds) against a record."""
    for s in scenarios:
        record.check_against(s)
    specs = [EnsembleSpec(s, runs, seed, events="none", keep_runs=False) for s in scenarios]
    chunks: list[TraceChunk] = []
    tasks = [(spec, i, a, b) for i, spec in enumerate(specs) for a, b in spec.chunks()]
    run_tasks(tasks, chunks.append, execution, fn=partial(trace_chunk, record=record, fan=fan))
    traces = []
    for i, s in enumerate(scenarios):
        mine = sorted((c for c in chunks if c.index == i), key=lambda c: c.start)
        stages = [np.frombuffer(b, dtype=np.uint8) for c in mine for b in c.stages]
        traces.append(
            Trace(
                scenario=s,
                record=record,
                outcomes=np.array([o for c in mine for o in c.outcomes], dtype=object).reshape(runs, -1),
                event_days=np.array([d for c in mine for d in c.event_days], dtype=int).reshape(runs, -1),
                stages=np.vstack(stages) if stages else np.zeros((runs, 0), np.uint8),
                waiting_on=[w for c in mine for w in c.waiting_on],
            )
        )
    return traces


# --- the backtest ---------------------------------------------------------------------------


Observed = tuple[tuple[str, ...], ...]
"""What a record observed at each horizon: the outcomes it allows there (one, or a set)."""


def observed_sequence(record: Record) -> Observed:
    """The record's outcomes at its horizons, each as the set of outcomes it allows."""
    return tuple(o.allowed for o in record.outcomes)


def matches(sequence: tuple[str, ...], observed: Observed) -> bool:
    """Whether a run's outcomes at the horizons are among those observed at each."""
    return all(o in allowed for o, allowed in zip(sequence, observed, strict=True))


def _scores(
    trace: Trace | None, h: int, observed: tuple[str, ...], possible: list[str] | None = None
) -> dict[str, float]:
    """Scores of the observed outcome at one horizon; a set of outcomes is scored as one category."""
    if trace is None:  # uniform over the outcomes the case allows (all of them by default)
        allowed = possible or OUTCOMES
        p = {o: (1 / len(allowed) if o in allowed else 0.0) for o in OUTCOMES}
        smoothed = max(sum(p[o] for o in observed), 1e-9)
    else:
        p = trace.outcome_shares(h)
        smoothed = trace.smoothed(h, observed)
    p_observed = sum(p[o] for o in observed)
    brier = (1 - p_observed) ** 2 + sum(p[o] ** 2 for o in OUTCOMES if o not in observed)
    return {"p_observed": round(p_observed, 4), "log_score": round(-math.log(smoothed), 4), "brier": round(brier, 4)}


def _sequence_scores(
    trace: Trace | None, observed: Observed, k: int | None = None, m: int | None = None
) -> dict[str, float]:
    """Scores of the observed sequence as one event.

    A uniform baseline (no trace) spreads over ``k`` sequences (all of them by default), of which
    ``m`` match the record (the product of its sets by default).
    """
    k = k or len(OUTCOMES) ** len(observed)
    if trace is None:  # uniform over the sequences
        m = m or math.prod(map(len, observed))
        p_observed = smoothed = m / k
        brier = (1 - p_observed) ** 2 + (k - m) * (1 / k) ** 2
    else:
        counts = trace.sequence_shares()
        p = {seq: c / trace.runs for seq, c in counts.items()}
        p_observed = sum(v for seq, v in p.items() if matches(seq, observed))
        smoothed = trace.smoothed_sequence(observed)
        brier = sum(v**2 for seq, v in p.items() if not matches(seq, observed)) + (1 - p_observed) ** 2
    return {"p_observed": round(p_observed, 4), "log_score": round(-math.log(smoothed), 4), "brier": round(brier, 4)}


ABSORBING = {"closed_by_deadline", "closed_after_deadline", "mitigated", "blocked_by_host", "blocked_by_home"}
ABSORBING |= {"terminated", "withdrawn"}
"""Outcomes a run keeps once it has them (the run ends)."""


def possible_outcomes(scenario: Scenario) -> list[str]:
    """The outcomes the case's structure allows: no termination without an agreement, no ban without a ban..."""
    sides = {r.side for r in scenario.reviewers.values()}
    bans = any(getattr(i, "stages", None) for i in scenario.instruments.values())
    allowed = {
        "closed_by_deadline": True,
        "closed_after_deadline": True,
        "mitigated": any(s.seller_keeps for s in scenario.structures.values()),
        "blocked_by_host": "host" in sides,
        "blocked_by_home": "home" in sides,
        "terminated": scenario.agreement is not None,
        "ban_in_force": bans,
        "withdrawn": bans,
        "revoked": bool(scenario.instruments),
        "pending": True,
        "no_deal": scenario.deal.kind == "forced_divestiture",
    }
    return [o for o in OUTCOMES if allowed[o]]


def feasible_sequences(scenario: Scenario, horizons: int, observed: Observed | None = None) -> int:
    """How many sequences of outcomes at ``horizons`` readings the case can produce.

    With ``observed``, only those that match it. Each reading takes an outcome the case allows
    (:func:`possible_outcomes`); an absorbing outcome (a close, a final block, a termination, an
    exit) repeats at every later reading, and a close by the deadline stays one.
    """
    possible = possible_outcomes(scenario)

    def count(last: str | None, h: int) -> int:
        if h == horizons:
            return 1
        options = [last] if last in ABSORBING else possible
        return sum(count(o, h + 1) for o in options if observed is None or o in observed[h])

    return count(None, 0)


_INPUT_EVENTS = {
    "election": "election",
    "revocation": "revocation",
    "catalogue_update": "catalogue_update",
    "jurisdiction_change": "consent_rule",
    "tension_change": "tension_change",
    "announced_deal": "bid_chosen",
}
_INSTRUMENT_EVENTS = {"ban": "ban_order", "divestiture_order": "divestiture_order", "law": "law_enacted"}


def scenario_inputs(scenario: Scenario) -> list[tuple[str, Any]]:
    """The dated inputs of a scenario, as the event log names them: (event name, date), certain ones only.

    An uncertain input (a probability below 1, a window of dates) is a prediction the model makes,
    not an input.
    """
    found = [(_INSTRUMENT_EVENTS.get(i.kind, i.kind), i.date) for i in scenario.instruments.values() if i.certain]
    found += [(_INPUT_EVENTS[e.kind], e.date) for e in scenario.events if e.certain and e.kind in _INPUT_EVENTS]
    for i in scenario.instruments.values():
        for st in (getattr(i, "stages", None) or {}).values():
            if getattr(st, "announced", None) is not None and i.certain:
                found.append(("stage_announced", st.announced))
    found += [("bidder_enters", b.enters) for b in scenario.bidders.values() if b.enters]
    return found


def conditions(scenario: Scenario, record: Record) -> set[int]:
    """The record events that are dated inputs of the scenario (same event, within a day): conditions, not scored."""
    inputs = scenario_inputs(scenario)
    return {
        e
        for e, observed in enumerate(record.events)
        if any(name == observed.event and abs((date - observed.date).days) <= 1 for name, date in inputs)
    }


def sample_check(scenario: Scenario) -> dict[str, Any]:
    """Whether a backtest of this scenario is out of sample: no dated input after its ``as_of``.

    Scheduled elections are known in advance and do not count; their outcome is not an input. An
    uncertain dated item (a probability below 1, or a window of dates: ``date: {between: [a, b]}``)
    is a prediction the model draws, not an input: one after ``as_of`` is listed under
    ``later_predictions`` for the reader to judge, and does not make the backtest in-sample.
    """
    as_of = scenario.as_of
    if as_of is None:
        return {
            "as_of": None,
            "in_sample": True,
            "why": "the scenario gives no as_of date",
            "later_inputs": [],
            "later_predictions": [],
        }

    def name(date: Any, what: str, p: float, date_to: Any) -> str:
        window = f" to {date_to.isoformat()}" if date_to is not None else ""
        chance = f", p {p:g}" if p < 1 else ""
        return f"{date.isoformat()}{window} {what}{chance}"

    dated = [(e, e.kind + (f" ({e.id})" if e.id else "")) for e in scenario.events if e.kind != "election"]
    dated += [(i, f"{i.kind} ({iid})") for iid, i in scenario.instruments.items()]
    later = [name(item.date, what, 1, None) for item, what in dated if item.certain and item.date > as_of]
    predicted = [
        name(item.date, what, item.p, item.date_to)
        for item, what in dated
        if not item.certain and (item.date_to or item.date) > as_of
    ]
    later += [
        f"{st.announced.isoformat()} ban stage {sid}"
        for i in scenario.instruments.values()
        if i.kind == "ban"
        for sid, st in i.stages.items()
        if st.announced is not None and st.announced > as_of
    ]
    later += [
        f"{b.enters.isoformat()} {bid} enters" for bid, b in scenario.bidders.items() if b.enters and b.enters > as_of
    ]
    if scenario.seller.bid_deadline and scenario.seller.bid_deadline > as_of:
        later.append(f"{scenario.seller.bid_deadline.isoformat()} bid deadline")
    return {
        "as_of": as_of.isoformat(),
        "in_sample": bool(later),
        "why": f"{len(later)} dated inputs after {as_of.isoformat()}" if later else "no dated input after as_of",
        "later_inputs": sorted(later),
        "later_predictions": sorted(predicted),
    }


@dataclass
class BacktestResult:
    """A backtest: the report (``backtest.json``) and the traced runs behind its figures."""

    report: dict[str, Any]
    trace: Trace


def backtest(
    scenario: Scenario, record: Record, runs: int = 1000, seed: int = 0, execution: Execution = Execution()
) -> BacktestResult:
    """Score a scenario against a record; see the module docstring."""
    model, base = trace([scenario, neutral(scenario)], record, runs, seed, fan=True, execution=execution)
    possible = possible_outcomes(scenario)
    horizons = []
    for h, o in enumerate(record.outcomes):
        entry = {
            "horizon": o.horizon.isoformat(),
            "observed": o.label,
            "source": o.source,
            "p_all": {k: round(v, 4) for k, v in model.outcome_shares(h).items()},
        }
        for name, t in (("model", model), ("uniform", None), ("neutral", base)):
            entry[name] = _scores(t, h, o.allowed, possible if t is None else None)
        entry["p_observed"] = entry["model"]["p_observed"]
        if o.waiting_on:  # whom the deal waited on, against the model's runs with the observed outcome
            entry["waiting_on"] = {
                "observed": list(o.waiting_on),
                "model_share": model.waiting_on_all(h, o.allowed, o.waiting_on),
                "model": model.waiting(h, o.allowed),
            }
        horizons.append(entry)
    observed = observed_sequence(record)
    feasible = feasible_sequences(scenario, len(observed))
    joint = {
        "model": _sequence_scores(model, observed),
        "uniform": _sequence_scores(
            None, observed, feasible, max(1, feasible_sequences(scenario, len(observed), observed))
        ),
        "uniform_all": _sequence_scores(None, observed),
        "neutral": _sequence_scores(base, observed),
    }
    given = conditions(scenario, record)
    events = [{**event_fit(model, e), "condition": e in given} for e in range(len(record.events))]
    report = {
        "scenario": scenario.name,
        "record": record.name,
        "runs": runs,
        "seed": seed,
        "sample": sample_check(scenario),
        "horizons": horizons,
        "sequence": {"observed": [o.label for o in record.outcomes], "feasible_sequences": feasible, **joint},
        "conditions": [f"{record.events[e].date.isoformat()} {record.events[e].event}" for e in sorted(given)],
        "scores": {k: {s: v[s] for s in ("log_score", "brier")} for k, v in joint.items()},
        "log_likelihood": {"model": round(model.log_likelihood(), 4), "neutral": round(base.log_likelihood(), 4)},
        "events": events,
    }
    return BacktestResult(report, model)


def event_fit(trace: Trace, e: int) -> dict[str, Any]:
    """An observed event against the simulated dates of the same event."""
    observed = trace.record.events[e]
    days = trace.event_days[:, e]
    happened = days[days >= 0]
    start = trace.scenario.start
    entry: dict[str, Any] = {
        "date": observed.date.isoformat(),
        "event": observed.event,
        "occurrence": observed.occurrence,
        "actor": observed.actor,
        "match": observed.match,
        "note": observed.note,
        "share": round(len(happened) / trace.runs, 4),
    }
    if len(happened):
        p05, median, p95 = np.quantile(happened, [0.05, 0.5, 0.95], method="inverted_cdf")
        as_date = [(pd.Timestamp(start) + pd.Timedelta(days=int(d))).date().isoformat() for d in (p05, median, p95)]
        entry.update(
            median=as_date[1],
            band=[as_date[0], as_date[2]],
            percentile=_mid_rank(happened, trace.scenario.day(observed.date)),
        )
    else:
        entry.update(median=None, band=None, percentile=None)
    return entry


def _mid_rank(values: np.ndarray, x: int) -> float:
    """Percentile of ``x`` among ``values``: those below, plus half of the ties.

    A date every run shares sits at 50.
    """
    return round(100 * float(np.mean(values < x) + 0.5 * np.mean(values == x)), 1)


def stage_shares(trace: Trace) -> pd.DataFrame:
    """Share of runs in each deal stage at each fan-chart date (rows: dates; columns: stages)."""
    dates = [
        pd.Timestamp(trace.scenario.start) + pd.Timedelta(days=d) for d in range(0, trace.scenario.days + 1, GRID_STEP)
    ]
    shares = {s: (trace.stages == k).mean(axis=0) for k, s in enumerate(STAGES)}
    return pd.DataFrame(shares, index=pd.DatetimeIndex(dates, name="date"))


# --- calibration ----------------------------------------------------------------------------


@dataclass
class Calibration:
    """A grid search: every point's log-likelihood, and the best point."""

    scenario_name: str
    params: list[Parameter]
    table: pd.DataFrame  # one row per point: parameter values, log_likelihood, p_observed per horizon
    best: dict[str, Any]
    before: float  # the scenario as it is
    after: float  # at the best point


def calibrate(
    template: ScenarioTemplate,
    record: Record,
    params: Sequence[Parameter],
    runs: int = 500,
    seed: int = 0,
    execution: Execution = Execution(),
) -> Calibration:
    """Grid search for the parameter values under which the record is most likely."""
    points = design_points(template, params, "grid", 0, seed)
    scenarios = [template.build(), *(template.build(p) for p in points)]
    traces = trace(scenarios, record, runs, seed, execution=execution)
    rows = []
    for point, t in zip(points, traces[1:], strict=True):
        row = {**point, "log_likelihood": round(t.log_likelihood(), 4)}
        for h, o in enumerate(record.outcomes):
            shares = t.outcome_shares(h)
            row[f"p_{'_or_'.join(o.allowed)}_{o.horizon.isoformat()}"] = round(sum(shares[a] for a in o.allowed), 4)
        rows.append(row)
    table = pd.DataFrame(rows)
    best_row = table.loc[table["log_likelihood"].idxmax()]
    best = {p.path: _plain(best_row[p.path]) for p in params}
    return Calibration(
        scenarios[0].name,
        list(params),
        table,
        best,
        round(traces[0].log_likelihood(), 4),
        float(best_row["log_likelihood"]),
    )


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def calibrated_scenario(template: ScenarioTemplate, calibration: Calibration, record: Record, target: str) -> str:
    """YAML of a scenario that extends the original with the best values (to be saved at ``target``)."""
    import os
    from pathlib import Path

    import yaml

    doc: dict[str, Any] = {}
    events: dict[str, dict] = {}
    for path, value in calibration.best.items():
        parts = path.split(".")
        if parts[0] == "events":  # a child's event replaces the parent's: write the whole event
            ident = parts[1]
            base = next(e for e in template.doc["events"] if str(e.get("id") or e.get("kind")) == ident)
            event = events.setdefault(ident, {**base, "id": ident})
            event[parts[2]] = value
            event["note"] = f"calibrated against {record.name}: " + ", ".join(
                f"{k.split('.')[-1]}={v}" for k, v in calibration.best.items() if k.startswith(f"events.{ident}.")
            )
            continue
        node = doc
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    name = f"{calibration.scenario_name}_calibrated"
    extends = os.path.relpath(template.path.resolve(), Path(target).resolve().parent)
    body: dict[str, Any] = {
        "extends": extends,
        "name": name,
        "description": f"{calibration.scenario_name} with {len(calibration.best)} parameters calibrated to the "
        f"record {record.name}",
        "sources": [f"calibrated by `sim calibrate` against {record.source}"],
        **doc,
    }
    if events:
        body["events"] = list(events.values())
    dates = sorted([e.date for e in record.events] + [o.horizon for o in record.outcomes])
    header = [
        f"# {name}: {calibration.scenario_name} with the values under which the record is most likely.",
        "#",
        f"# Facts of the record used here: every dated event and outcome of {record.source},",
        f"# {dates[0].isoformat()} to {dates[-1].isoformat()} (each with its source there).",
        f"# Grid searched: {', '.join(p.path for p in calibration.params)}.",
        f"# Approximate log-likelihood of the record: {calibration.before:.2f} before, {calibration.after:.2f} after.",
        "# Written by `sim calibrate`; see sim/analysis/backtest.py for the score.",
    ]
    return "\n".join(header) + "\n" + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)
