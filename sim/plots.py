"""Figures of an ensemble.

Each function takes a result (and optionally an Axes) and draws; none runs a simulation.

In a notebook::

    from sim.plots import plot_outcomes
    plot_outcomes(result)            # draws on a new figure
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.ensemble import EnsembleResult
from sim.outcomes import MEANING, PRECEDENCE, Outcome

OUTCOME_COLOURS = {
    Outcome.CLOSED_BY_DEADLINE: "#2e7d32",
    Outcome.CLOSED_AFTER_DEADLINE: "#9ccc65",
    Outcome.BLOCKED_BY_HOST: "#c62828",
    Outcome.BLOCKED_BY_HOME: "#ef6c00",
    Outcome.BAN_IN_FORCE: "#6a1b9a",
    Outcome.WITHDRAWN: "#5d4037",
    Outcome.REVOKED: "#1565c0",
    Outcome.STALLED: "#9e9e9e",
}

FIGURES = ("outcomes", "close_dates", "timeline", "winners")


def _axes(ax: Axes | None, size=(8, 4.5)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # only when drawing interactively

    return plt.subplots(figsize=size, layout="constrained")[1]


def _date_axis(ax: Axes) -> None:
    locator = mdates.AutoDateLocator(maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _title(result: EnsembleResult) -> str:
    return f"{result.scenario.name}: {len(result.runs):,} runs, seed {result.seed}"


def plot_outcomes(result: EnsembleResult, ax: Axes | None = None) -> Axes:
    """Probability of each outcome with its 95% Wilson interval."""
    ax = _axes(ax)
    table = result.summary["outcomes"]
    names = [o.value for o in PRECEDENCE]
    p = np.array([table[n]["p"] for n in names])
    lo = np.array([table[n]["ci95"][0] for n in names])
    hi = np.array([table[n]["ci95"][1] for n in names])
    y = np.arange(len(names))[::-1]
    ax.barh(y, p, color=[OUTCOME_COLOURS[o] for o in PRECEDENCE], alpha=0.9)
    ax.errorbar(p, y, xerr=[p - lo, hi - p], fmt="none", ecolor="black", capsize=3, lw=1)
    for yi, pi, hii in zip(y, p, hi, strict=True):
        ax.text(hii + 0.01, yi, f"{pi:.1%}", va="center", fontsize=8)
    ax.set_yticks(y, [n.replace("_", " ") for n in names])
    ax.set_xlim(0, min(1.0, max(hi.max() + 0.12, 0.2)))
    ax.set_xlabel("probability (bars: 95% confidence interval)")
    ax.set_title(f"How the sale ends\n{_title(result)}", fontsize=10)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_close_dates(result: EnsembleResult, ax: Axes | None = None) -> Axes:
    """Share of all runs closed by each date, with the first deadline and the extensions."""
    ax = _axes(ax)
    runs = result.runs
    n = len(runs)
    closes = np.sort(pd.to_datetime(runs["close_date"].dropna()).to_numpy())
    first = pd.Timestamp(result.scenario.first_deadline)
    start, horizon = pd.Timestamp(result.scenario.start), pd.Timestamp(result.scenario.horizon)
    if len(closes):
        share = np.arange(1, len(closes) + 1) / n
        ax.step(
            np.r_[start.to_datetime64(), closes, horizon.to_datetime64()],
            np.r_[0, share, share[-1]],
            where="post",
            color="#2e7d32",
            lw=2,
            label="share of runs closed",
        )
    finals = pd.to_datetime(runs["deadline_date"].dropna())
    extended = finals[finals > first]
    if len(extended):
        ax.axvspan(
            first,
            extended.max(),
            color="#ffb300",
            alpha=0.2,
            label=f"extended deadlines ({(finals > first).mean():.0%} of runs)",
        )
    ax.axvline(first, color="#c62828", ls="--", lw=1.5, label=f"first deadline {first:%Y-%m-%d}")
    ax.set_xlim(start, horizon)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_ylabel("share of runs closed by this date")
    ax.set_xlabel("date")
    _date_axis(ax)
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    ax.set_title(
        "When the sale closes (all runs; runs that never close keep the line below 100%)\n"
        + _title(result),
        fontsize=10,
    )
    return ax


def representative_run(result: EnsembleResult, outcome: str | None = None) -> int:
    """The run that stands for an outcome (the most common by default).

    Of the runs with that outcome, the one whose end date is the median.
    """
    runs = result.runs
    outcome = outcome or runs["outcome"].value_counts().idxmax()
    pick = runs[runs["outcome"] == outcome].sort_values(["end_date", "run_id"])
    if pick.empty:
        raise ValueError(f"no run ended {outcome}")
    return int(pick.iloc[(len(pick) - 1) // 2]["run_id"])


def actor_labels(result: EnsembleResult) -> dict[str, str]:
    """Display names of the actors by log id."""
    s = result.scenario
    labels = {
        "executive": s.executive.label,
        "cfius": s.cfius.label,
        "commerce": s.commerce.label,
        "china": s.china.label,
        "seller": s.seller.label,
        "model": "outcome",
    }
    labels.update({cid: c.label for cid, c in s.courts.items()})
    labels.update({bid: b.label for bid, b in s.bidders.items()})
    return labels


def plot_timeline(
    result: EnsembleResult, run_id: int | None = None, ax: Axes | None = None
) -> Axes:
    """One run's events on a lane per actor, with the deal's stretches as bars."""
    ax = _axes(ax, size=(12, 6))
    if run_id is None:
        run_id = representative_run(result)
    events = result.events[result.events["run_id"] == run_id]
    spans = result.spans[result.spans["run_id"] == run_id]
    record = result.runs.set_index("run_id").loc[run_id]
    names = actor_labels(result)
    actors = list(dict.fromkeys([*events["actor"], *spans["actor"]]))
    lane = {a: i for i, a in enumerate(reversed(actors))}
    start = pd.Timestamp(result.scenario.start)

    def day(d) -> pd.Timestamp:
        return start + pd.Timedelta(days=int(d))

    for actor, group in spans.groupby("actor", sort=False):
        rows: list[int] = []  # end day of the last span in each sub-row of the lane
        for _, s in group.sort_values("start_day").iterrows():
            row = next((i for i, end in enumerate(rows) if end <= s["start_day"]), None)
            if row is None:
                rows.append(s["end_day"])
                row = len(rows) - 1
            else:
                rows[row] = s["end_day"]
            y = lane[actor] - 0.15 - 0.22 * row
            ax.barh(
                y,
                pd.Timedelta(days=max(1, int(s["end_day"]) - int(s["start_day"]))),
                left=day(s["start_day"]),
                height=0.18,
                alpha=0.35,
                color="#1565c0",
            )
            ax.text(
                day(s["start_day"]),
                y,
                " " + s["span"].replace("_", " "),
                fontsize=6,
                va="center",
                color="#0d47a1",
            )
    for i, (_, e) in enumerate(events.iterrows()):
        y = lane[e["actor"]] + 0.08
        ax.plot(
            day(e["day"]), y, "o", ms=4, color="#c62828" if e["event"] == "outcome" else "#212121"
        )
        ax.annotate(
            e["event"].replace("_", " "),
            (day(e["day"]), y),
            xytext=(1, 4 + 6 * (i % 2)),
            textcoords="offset points",
            fontsize=6,
            rotation=30,
        )
    first = pd.Timestamp(result.scenario.first_deadline)
    ax.axvline(first, color="#c62828", ls="--", lw=1, label=f"first deadline {first:%Y-%m-%d}")
    end = max(pd.Timestamp(record["end_date"]), first) + pd.Timedelta(days=25)
    ax.set_yticks(list(lane.values()), [names.get(a, a) for a in lane])
    ax.set_ylim(-0.9, len(lane) - 0.3)
    ax.set_xlim(start, min(end, pd.Timestamp(result.scenario.horizon) + pd.Timedelta(days=5)))
    _date_axis(ax)
    ax.set_xlabel("date")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(
        f"A representative run: run {run_id}, {record['outcome']} "
        f"({MEANING[Outcome(record['outcome'])]})\n"
        f"{_title(result)}; dots are events (sim explain / events.csv), bars the deal's stretches",
        fontsize=10,
    )
    return ax


def plot_winners(result: EnsembleResult, ax: Axes | None = None) -> Axes:
    """Share of runs each bidder wins (closes with), and the share with no close."""
    ax = _axes(ax, size=(7, 4))
    runs = result.runs
    labels = {bid: b.label for bid, b in result.scenario.bidders.items()}
    counts = runs["winner"].fillna("(no close)").value_counts()
    names = [
        *[b for b in labels if b in counts.index],
        *(["(no close)"] if "(no close)" in counts.index else []),
    ]
    if not names:
        names = ["(no close)"]
    values = np.array([counts.get(n, 0) / len(runs) for n in names])
    colours = ["#1565c0"] * (len(names) - ("(no close)" in names)) + ["#9e9e9e"] * (
        "(no close)" in names
    )
    ax.bar([labels.get(n, n) for n in names], values, color=colours)
    for x, v in enumerate(values):
        ax.text(x, v + 0.01, f"{v:.1%}", ha="center", fontsize=8)
    ax.set_ylim(0, min(1.0, values.max() + 0.12))
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_ylabel("share of runs")
    ax.set_title(f"Who buys the business\n{_title(result)}", fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    return ax


def save_figures(result: EnsembleResult, directory: str | Path) -> list[Path]:
    """Write outcomes.png, close_dates.png, timeline.png and winners.png; return their paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    drawers = {
        "outcomes": (plot_outcomes, (8, 4.5)),
        "close_dates": (plot_close_dates, (9, 4.5)),
        "timeline": (plot_timeline, (12, 6)),
        "winners": (plot_winners, (7, 4)),
    }
    paths = []
    for name, (draw, size) in drawers.items():
        fig = Figure(figsize=size, layout="constrained")
        draw(result, ax=fig.add_subplot())
        path = directory / f"{name}.png"
        fig.savefig(path, dpi=110)
        paths.append(path)
    return paths
