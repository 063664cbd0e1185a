"""Why was the sale late? Where the days went, and which stage was decisive.

For each run the model keeps its timeline as stage spans (bidding, talks, signing, each review,
mitigation, the licence letter, a political stall, restructuring, closing), each with the actor
responsible. For a run:

* the **critical path** is the chain of spans that set the close date (or, for a run that never
  closed, that was holding the deal at the first deadline): starting from that day, take the span
  that hands over exactly then (it ends that day), or else the one in progress that ends last,
  and step back to its start; repeat. Waiting for a licence letter is slack, not a stage: the
  letter review that it waits on is on the path instead;
* a span's **excess** is the days it took beyond its minimum (the ``min`` of the duration that
  drew it, in the acting government's working days where it counts them; zero for waits);
* for a late run (not closed by the first deadline), a stage is **decisive** if rerunning the run
  with the same seed and that stage at its minimum closes the sale by the first deadline. The
  per-actor random streams (and durations that always consume their draw) keep everything else
  the same in the rerun. (Skipping the rerun of a stage whose excess is smaller than the days
  late is not sound: a stage at its minimum can move later decisions and durations too, and a
  test found such runs closing by the deadline. Reruns are bounded by a budget instead.)
"""

from __future__ import annotations

from typing import Any

from sim.model.dealmodel import DealModel
from sim.model.kinds import REVIEWERS, reviewer_kind
from sim.narrative import SpanName
from sim.outcomes import Outcome
from sim.scenario.load import scenario_digest, variant
from sim.scenario.schema import Duration, Scenario

# The deal's own stages with a counterfactual, and the scenario durations that set their length.
STAGE_DURATIONS: dict[str, tuple[str, ...]] = {
    SpanName.EXCLUSIVE_TALKS: ("seller.exclusive_talks_days",),
    SpanName.SIGNING: ("seller.signing_days",),
    SpanName.RESTRUCTURING: ("seller.restructure_days",),
    SpanName.CLOSING: ("seller.closing_days",),
}
# Spans outside the deal's own chain (timeline only, never on the critical path).
OFF_PATH = {SpanName.BAN, SpanName.EXTENSION, SpanName.COURT_CHALLENGE, SpanName.BIDDING, SpanName.LETTER_WAIT}

ATTRIBUTION_COLUMNS = ("run_id", "late", "stage", "actor", "start_day", "end_day", "days", "excess_days", "decisive")


def _resolve(scenario: Scenario, path: str) -> Any:
    node: Any = scenario
    for part in path.split("."):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return node


def stage_key(scenario: Scenario, stage: str, process: str | None) -> str:
    """How attribution names a stage: its span name, with its reviewer's id where two reviewers share a kind."""
    reviewer = scenario.reviewers.get(process) if process else None
    if reviewer is None or len(scenario.reviewers_of(reviewer.kind)) < 2:
        return stage
    return f"{stage}:{process}"


def counterfactual_overrides(scenario: Scenario, stage: str, process: str | None = None) -> dict[str, Any] | None:
    """The overrides that put one stage at its minimum, or None if it has no counterfactual (a wait)."""
    paths = duration_paths(scenario, stage, process)
    if not paths:
        return None
    overrides = {}
    for path in paths:
        d: Duration = _resolve(scenario, path)
        overrides[path] = {"median": max(d.min, 0.01), "min": d.min, "max": d.min, "unit": d.unit}
    return overrides


def minimum_days(model: DealModel, stage: str, start: int, process: str | None = None) -> int:
    """The calendar days a stage starting on ``start`` takes at its minimum."""
    paths = duration_paths(model.deal_scenario, stage, process)
    if not paths:
        return 0
    d: Duration = _resolve(model.deal_scenario, paths[0])
    n = round(d.min)
    if d.unit == "days":
        return n
    reviewer = model.reviewers.get(process) if process else None
    calendar = (reviewer.calendar if reviewer is not None else None) or model.clock.weekdays
    return calendar.add(start, n) - start


def duration_paths(scenario: Scenario, stage: str, process: str | None = None) -> tuple[str, ...]:
    """The scenario durations that set a stage's length (empty if none: a wait, or an off-path stretch)."""
    if stage in STAGE_DURATIONS:
        return STAGE_DURATIONS[stage]
    reviewer = scenario.reviewers.get(process) if process else None
    if reviewer is None:
        return ()
    stages = reviewer_kind(reviewer.kind).stages
    return tuple(f"reviewers.{process}.{p}" for p in stages.get(SpanName(stage), ()))


def critical_path(spans: list[list], end: int) -> list[list]:
    """The chain of deal spans that set ``end`` (see the module docstring), latest first."""
    candidates = [s for s in spans if s[0] not in OFF_PATH]
    path: list[list] = []
    t = end
    while True:
        covering = [s for s in candidates if s[2] < t <= s[3] and s not in path]
        if not covering:
            return path
        handing_over = [s for s in covering if s[3] == t]
        span = max(handing_over or covering, key=lambda s: (s[3], s[2]))
        path.append(span)
        t = span[2]


_variants: dict[tuple[str, str, str | None], Scenario | None] = {}


def _variant(scenario: Scenario, digest: str, stage: str, process: str | None) -> Scenario | None:
    key = (digest, stage, process)
    if key not in _variants:
        overrides = counterfactual_overrides(scenario, stage, process)
        _variants[key] = None if overrides is None else variant(scenario, overrides, label=f"{stage} at its minimum")
    return _variants[key]


def attribute(model: DealModel, seed: int, digest: str | None = None, rerun: bool = True) -> list[tuple]:
    """Attribution rows of a finished run (``ATTRIBUTION_COLUMNS``); reruns late runs' stages.

    Args:
        model: the finished run.
        seed: its seed (for the counterfactual reruns).
        digest: the scenario's digest, if known (caches the counterfactual scenarios).
        rerun: rerun a late run's stages at their minimum; without it ``decisive`` stays empty.
    """
    scenario = model.deal_scenario
    record = model.record
    assert record is not None, "attribution reads a finished run"
    closed = model.deal.closed_day
    late = record["outcome"] != Outcome.CLOSED_BY_DEADLINE.value
    end = closed if closed is not None else min(model.first_deadline_day, model.end_day)
    rows = []
    digest = digest or scenario_digest(scenario)
    for name, actor, start, stop, process in reversed(critical_path(model.spans, end)):
        stop = min(stop, end)
        days = stop - start
        excess = max(0, days - minimum_days(model, name, start, process))
        decisive = None
        if rerun and late and excess > 0:
            cf = _variant(scenario, digest, name, process)
            if cf is not None:
                replay = DealModel(cf, rng=seed, narrate=False)
                replay.run()
                decisive = replay.outcome is Outcome.CLOSED_BY_DEADLINE
        key = stage_key(scenario, name, process)
        rows.append((model.run_id, late, key, actor, start, stop, days, excess, decisive))
    return rows


def has_counterfactual(stage: str) -> bool:
    """Whether late runs are rerun with ``stage`` (an attribution stage key) at its minimum."""
    name = stage.partition(":")[0]
    return name in STAGE_DURATIONS or any(name in k.stages for k in REVIEWERS.values())
