"""The story of a run, told from its event log, and the runs that stand for an outcome."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from sim.narrative import short
from sim.outcomes import MEANING, Outcome
from sim.present.labels import actor_labels
from sim.runs.ensemble import EnsembleResult

QUIET_EVENTS = {"stays", "outcome"}  # repeated or restated elsewhere in the story
COMMON_WORDS = {"The", "No", "A", "An", "Revoked:"}


def representative_runs(result: EnsembleResult, outcome: str, k: int = 3) -> list[int]:
    """Up to ``k`` runs that stand for ``outcome``.

    The median by close date (by end date if the runs did not close), then the earliest and the
    latest. Only runs whose event log was kept are candidates.
    """
    runs = result.runs[(result.runs["outcome"] == outcome) & result.runs["run_id"].isin(result.events["run_id"])]
    if runs.empty:
        return []
    key = runs["close_date"].fillna(runs["end_date"]).astype(str)
    ordered = runs.assign(_key=key).sort_values(["_key", "run_id"])["run_id"].astype(int).tolist()
    picks = [ordered[(len(ordered) - 1) // 2], ordered[0], ordered[-1]]
    return list(dict.fromkeys(picks))[:k]


def _date(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.day} {d:%B %Y}"


def told(names: dict[str, str], actor: str, detail: str, date: str) -> str:
    """One event as a sentence: "On 2 August 2020, Microsoft with Walmart enters talks..."."""
    # a detail is a verb phrase for its actor ("picks Oracle ..."), or stands alone ("Oracle bids ...",
    # "3d Cir. holds ..."); a sentence that stands alone starts with no lower-case letter, or with
    # its actor's own name (a label in lower case: "a users' suit declines ...")
    name = names.get(actor, actor)
    if detail[:1].islower() and not detail.startswith((name, short(name))):
        sentence = f"{short(name)} {detail}"
    elif detail.split(" ", 1)[0] in COMMON_WORDS:  # "The ban bites", not a name: lower it mid-sentence
        sentence = detail[0].lower() + detail[1:]
    else:
        sentence = detail
    return f"On {_date(date)}, {sentence.rstrip('.')}."


def story(result: EnsembleResult, run_id: int) -> str:
    """A run told as short prose.

    What happened, when, who decided and why (from its event log), then where its days went
    (from its attribution, when it has one).
    """
    names = actor_labels(result.scenario)
    record = result.runs.set_index("run_id").loc[run_id]
    outcome = Outcome(record["outcome"])
    first = result.scenario.first_deadline.isoformat()
    # the run's own first deadline is the scenario's, unless an order's deadline runs from its drawn date
    drawn = any(getattr(i, "deadline_days", None) is not None for i in result.scenario.instruments.values())
    meaning = MEANING[outcome].removeprefix("none of these, and ")  # "none of these" points at the outcome table
    lines = [f"Run {run_id} (seed {record['seed']}) ended {outcome.value}: {meaning}."]
    if pd.notna(record["close_date"]):
        late = int(record["days_past_deadline"])
        if late:  # the run's own first deadline: its close less the days past it
            own = dt.date.fromisoformat(record["close_date"]) - dt.timedelta(days=late)
            when = f"{late} days after the first deadline ({_date(own.isoformat())})"
        else:
            when = "by its first deadline" if drawn else f"by the deadline of {_date(first)}"
        lines[0] += (
            f" The {names.get(record['winner'], record['winner'])} deal ({record['structure']}) closed on "
            f"{_date(record['close_date'])}, "
            f"{when}, at {result.scenario.labels.money(record['price'])}."
        )
    events = result.events[result.events["run_id"] == run_id]
    for _, e in events.iterrows():
        if e["event"] not in QUIET_EVENTS:
            lines.append(told(names, e["actor"], e["detail"], e["date"]))
    rows = result.attribution[result.attribution["run_id"] == run_id] if not result.attribution.empty else None
    if rows is not None and not rows.empty:
        parts = []
        for _, r in rows.iterrows():
            part = f"{r['stage'].replace('_', ' ')} ({short(names.get(r['actor'], r['actor']))}) {int(r['days'])} days"
            if r["excess_days"]:
                part += f", {int(r['excess_days'])} beyond its minimum"
            if r["decisive"] is True:
                part += (
                    f": at its minimum the sale would have closed by {'its first deadline' if drawn else _date(first)}"
                )
            parts.append(part)
        lines.append("The critical path: " + "; ".join(parts) + ".")
        if bool(record["outcome"] != "closed_by_deadline") and not (rows["decisive"] == True).any():  # noqa: E712
            lines.append("No single stage at its minimum would have closed the sale by the deadline.")
    return "\n".join(lines)


def attribution_table(summary: dict[str, Any], labels: dict[str, str]) -> list[tuple]:
    """Rows for the terminal: stage, actor, and the late and on-time figures."""
    rows = []
    for stage, s in summary.get("attribution", {}).get("stages", {}).items():
        late, on_time = s["late"], s["on_time"]
        rows.append(
            (
                stage.replace("_", " "),
                short(labels.get(s["actor"], s["actor"] or "")),
                f"{late['share_on_path']:.0%}",
                f"{late['mean_days_added']:.1f}",
                "-" if late["median_days_if_on_path"] is None else str(late["median_days_if_on_path"]),
                _decisive(late) if late["counterfactual"] else "-",
                f"{on_time['mean_days_added']:.1f}",
            )
        )
    return rows


def _decisive(late: dict[str, Any]) -> str:
    """The share of rerun late runs in which a stage was decisive, with its 95% interval."""
    ci = late.get("share_decisive_ci95")
    share = f"{late['share_decisive']:.1%}"
    return f"{share} ({ci[0]:.0%}-{ci[1]:.0%})" if ci else share
