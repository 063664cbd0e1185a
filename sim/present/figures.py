"""Figures of an ensemble.

Each function takes a result (and optionally an Axes) and draws; none runs a simulation.

In a notebook::

    from sim.present.figures import plot_outcomes
    plot_outcomes(result)            # draws on a new figure
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from sim.outcomes import COLOURS, MEANING, PRECEDENCE, Outcome
from sim.present.labels import actor_labels
from sim.runs.ensemble import EnsembleResult

OUTCOME_COLOURS = {o: COLOURS[o.value] for o in PRECEDENCE}  # the one table, sim.outcomes' (the report's too)

FIGURES = ("outcomes", "close_dates", "timeline", "winners")


def _axes(ax: Axes | None, size=(8, 4.5)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # only when drawing interactively

    return plt.subplots(figsize=size, layout="constrained")[1]


def _date_axis(ax: Axes) -> None:
    """Date ticks that each carry their year (``Sep 2020``), day ticks their month."""
    locator = mdates.AutoDateLocator(maxticks=10)
    ax.xaxis.set_major_locator(locator)
    formats = ["%Y", "%b\n%Y", "%d %b\n%Y", "%H:%M", "%H:%M", "%S.%f"]
    ax.xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(locator, formats=formats, zero_formats=formats, show_offset=False)
    )


def _title(result: EnsembleResult) -> str:
    """The result's line under a figure's title: scenario, runs, seed, and the overrides it ran with."""
    line = f"{result.scenario.name}: {result.summary['runs']:,} runs, seed {result.seed}"
    overrides = result.summary.get("overrides")
    if overrides:
        line += "; --set " + ", ".join(f"{k}={v}" for k, v in overrides.items())
    return line


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
    tally = result.tally
    n = tally.completed
    start, horizon = pd.Timestamp(result.scenario.start), pd.Timestamp(result.scenario.horizon)
    first = pd.Timestamp(result.scenario.first_deadline)
    closes = sorted(tally.hist["close_day"].items())
    if closes and n:
        days = [start + pd.Timedelta(days=d) for d, _ in closes]
        share = np.cumsum([c for _, c in closes]) / n
        ax.step(
            [start, *days, horizon],
            [0, *share, share[-1]],
            where="post",
            color="#2e7d32",
            lw=2,
            label="share of runs closed",
        )
    finals = tally.hist["final_deadline_day"]
    extended = sorted(d for d in finals if start + pd.Timedelta(days=d) > first)
    by_first = tally.hist["outcome"].get("closed_by_deadline", 0) / n if n else 0.0
    by_final = tally.count["closed_by_final_deadline"] / n if n else 0.0
    top = share[-1] if closes and n else 0.0
    if extended and n:  # where the extended deadlines fell: the middle 80% of them, and their median
        dates = np.repeat(extended, [finals[d] for d in extended])
        low, mid, high = (start + pd.Timedelta(days=float(q)) for q in np.quantile(dates, [0.1, 0.5, 0.9]))
        ax.axvspan(
            low,
            max(high, low + pd.Timedelta(days=1)),
            color="#ffb300",
            alpha=0.2,
            label=f"middle 80% of the extended deadlines ({len(dates) / n:.0%} of runs were extended); "
            f"{by_final:.1%} closed by their last deadline",
        )
        ax.axvline(mid, color="#ef6c00", ls=":", lw=1.2, label=f"median extended deadline {mid:%Y-%m-%d}")
    ax.axvline(
        first, color="#c62828", ls="--", lw=1.5, label=f"first deadline {first:%Y-%m-%d}: {by_first:.1%} closed by it"
    )
    for e in result.scenario.events:
        if e.kind == "election":
            ax.axvline(pd.Timestamp(e.date), color="#6a1b9a", ls="-.", lw=1, label=f"election {e.date}")
    ax.axvline(horizon, color="#37474f", ls="-", lw=2, label=f"horizon {horizon:%Y-%m-%d}: outcomes are read here")
    ax.set_xlim(start, horizon + pd.Timedelta(days=max(3, (horizon - start).days // 60)))
    ax.set_ylim(0, min(1.0, max(0.1, 1.7 * top)))  # a rare close is still seen (room above it for the legend)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_ylabel("share of runs closed by this date")
    ax.set_xlabel("date")
    _date_axis(ax)
    ax.legend(loc="best", fontsize=8)
    ax.grid(alpha=0.3)
    ax.set_title(
        "When the sale closes (all runs; runs that never close keep the line below 100%)\n" + _title(result),
        fontsize=10,
    )
    return ax


def representative_run(result: EnsembleResult, outcome: str | None = None) -> int:
    """The run that stands for an outcome (the most common by default).

    Of the runs with that outcome whose event log was kept, the one whose end date is the
    median.
    """
    runs = result.runs[result.runs["run_id"].isin(result.events["run_id"].unique())]
    if runs.empty:
        raise ValueError("no run kept its event log (events: none)")
    outcome = outcome or runs["outcome"].value_counts().idxmax()
    pick = runs[runs["outcome"] == outcome].sort_values(["end_date", "run_id"])
    if pick.empty:
        raise ValueError(f"no run with an event log ended {outcome}")
    return int(pick.iloc[(len(pick) - 1) // 2]["run_id"])


def plot_timeline(result: EnsembleResult, run_id: int | None = None, ax: Axes | None = None) -> Axes:
    """One run's events on a lane per actor, with the deal's stretches as bars."""
    ax = _axes(ax, size=(12, 6))
    if run_id is None:
        run_id = representative_run(result)
    record = result.runs.set_index("run_id").loc[run_id]
    title = (
        f"A representative run: run {run_id}, {record['outcome']} "
        f"({MEANING[Outcome(record['outcome'])]})\n"
        f"{_title(result)}; dots are events (sim explain / events.csv), bars the deal's stretches"
    )
    return draw_timeline(
        ax,
        result.scenario,
        result.events[result.events["run_id"] == run_id],
        result.spans[result.spans["run_id"] == run_id],
        pd.Timestamp(record["end_date"]),
        title,
    )


Point = tuple[float, float]
Strip = tuple[Point, Point, float]  # a slanted label: its centre line's ends and its thickness, in pixels


def _drop_overlapping(ax: Axes, labels: list[tuple[Text, bool]]) -> int:
    """Remove each label that would run into one kept before it (the outcome's first, then by day); how many.

    A rotated label rises into the lane above, so labels of neighbouring lanes can collide as well
    as those of one lane. The figure is laid out first, so the labels' extents are those drawn;
    a label is the slanted strip its text covers, not the larger box around it.
    """
    ax.figure.draw_without_rendering()
    kept: list[Strip] = []
    dropped = 0
    for label, stays in sorted(labels, key=lambda item: not item[1]):  # stable: by day after the outcome's
        strip = _strip(label.get_window_extent(), label.get_rotation())
        if not stays and any(_strips_meet(strip, other) for other in kept):
            label.remove()
            dropped += 1
        else:
            kept.append(strip)
    return dropped


def _strip(box: Bbox, degrees: float) -> Strip:
    """The centre line (from, to) and thickness of a text rotated by ``degrees`` (0 to 45) from its box.

    The box holds a w x h rectangle turned by the angle: width w cos + h sin, height w sin + h cos.
    """
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    det = c * c - s * s
    w = max(0.0, (box.width * c - box.height * s) / det)
    h = max(0.0, (box.height * c - box.width * s) / det)
    start = (box.x0 + h * s / 2, box.y0 + h * c / 2)
    return start, (start[0] + w * c, start[1] + w * s), h


def _strips_meet(a: Strip, b: Strip) -> bool:
    """Whether two strips overlap: their centre lines come closer than half their thicknesses together."""
    return _segment_distance(a[0], a[1], b[0], b[1]) < (a[2] + b[2]) / 2


def _segment_distance(p: Point, q: Point, r: Point, t: Point) -> float:
    """The shortest distance between the segments pq and rt (0 if they cross)."""

    def cross(o: Point, u: Point, v: Point) -> float:
        return (u[0] - o[0]) * (v[1] - o[1]) - (u[1] - o[1]) * (v[0] - o[0])

    if cross(p, q, r) * cross(p, q, t) < 0 and cross(r, t, p) * cross(r, t, q) < 0:
        return 0.0

    def to_segment(x: Point, u: Point, v: Point) -> float:
        dx, dy = v[0] - u[0], v[1] - u[1]
        length = dx * dx + dy * dy
        k = 0.0 if length == 0 else max(0.0, min(1.0, ((x[0] - u[0]) * dx + (x[1] - u[1]) * dy) / length))
        return math.hypot(x[0] - u[0] - k * dx, x[1] - u[1] - k * dy)

    return min(to_segment(p, r, t), to_segment(q, r, t), to_segment(r, p, q), to_segment(t, p, q))


def draw_timeline(
    ax: Axes, scenario: Any, events: pd.DataFrame, spans: pd.DataFrame, end: pd.Timestamp, title: str
) -> Axes:
    """A run's timeline: a lane per actor, its events as dots, the deal's stretches as bars.

    ``events`` has ``day``, ``actor`` and ``event``; ``spans`` ``span``, ``actor``, ``start_day``
    and ``end_day`` (one run's rows of events.csv and spans.csv, or a live model's so far);
    ``end`` is the last date to show (25 days more are shown, to the horizon at most).
    """
    names = actor_labels(scenario)
    actors = list(dict.fromkeys([*events["actor"], *spans["actor"]]))
    lane = {a: i for i, a in enumerate(reversed(actors))}
    start = pd.Timestamp(scenario.start)
    end = max(end, pd.Timestamp(scenario.first_deadline)) + pd.Timedelta(days=25)
    shown_days = max(30, (min(end, pd.Timestamp(scenario.horizon)) - start).days)
    gap = shown_days / 45  # a label needs this many days to itself in its lane, else it is left out

    def day(d) -> pd.Timestamp:
        return start + pd.Timedelta(days=int(d))

    for actor, group in spans.groupby("actor", sort=False):
        rows: list[int] = []  # end day of the last span in each sub-row of the lane
        for _, s in group.sort_values("start_day").iterrows():
            row = next((i for i, end_day in enumerate(rows) if end_day <= s["start_day"]), None)
            if row is None:
                rows.append(s["end_day"])
                row = len(rows) - 1
            else:
                rows[row] = s["end_day"]
            y = lane[actor] - 0.15 - 0.22 * row
            length = max(1, int(s["end_day"]) - int(s["start_day"]))
            ax.barh(y, pd.Timedelta(days=length), left=day(s["start_day"]), height=0.18, alpha=0.35, color="#1565c0")
            if length >= 3 * gap:  # a short stretch's name would run over its neighbours
                name = " " + s["span"].replace("_", " ")
                ax.text(day(s["start_day"]), y, name, fontsize=6, va="center", color="#0d47a1")
    last_label: dict[str, float] = {}
    left_out = 0
    labels: list[tuple[Text, bool]] = []  # each label drawn, and whether it must stay (the outcome's)
    for _, e in events.sort_values("day", kind="stable").iterrows():
        y = lane[e["actor"]] + 0.08
        is_outcome = e["event"] == "outcome"
        ax.plot(day(e["day"]), y, "o", ms=4, color="#c62828" if is_outcome else "#212121")
        if not is_outcome and e["day"] - last_label.get(e["actor"], -math.inf) < gap:
            left_out += 1
            continue
        last_label[e["actor"]] = e["day"]
        text = str(e.get("detail") or "outcome").split(":")[0] if is_outcome else e["event"]
        label = ax.annotate(
            text.replace("_", " "), (day(e["day"]), y), xytext=(1, 4), textcoords="offset points", fontsize=6,
            rotation=30, color="#c62828" if is_outcome else "#212121",
        )  # fmt: skip
        labels.append((label, is_outcome))
    first = pd.Timestamp(scenario.first_deadline)
    ax.axvline(first, color="#c62828", ls="--", lw=1, label=f"first deadline {first:%Y-%m-%d}")
    ax.set_yticks(list(lane.values()), [_lane_label(names.get(a, "the outcome" if a == "model" else a)) for a in lane])
    ax.set_ylim(-0.9, max(1, len(lane)) - 0.3)
    ax.set_xlim(start, min(end, pd.Timestamp(scenario.horizon) + pd.Timedelta(days=5)))
    _date_axis(ax)
    ax.set_xlabel("date\n ")  # room for the note below, so that the layout stays as the labels are judged
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title, fontsize=10)
    left_out += _drop_overlapping(ax, labels)  # once the axes are as drawn
    note = (
        f"\n{left_out} labels of events that would run into another are left out (dots kept; every event in "
        "events.csv, sim explain and report.html)"
    )
    ax.set_xlabel("date" + (note if left_out else ""))
    return ax


def readable(name: str) -> str:
    """A parameter's name as words, for a figure (no snake_case ids on it).

    A label stays; a key path ``reviewers.cfius.response_days.median`` becomes ``cfius > response
    days > median``.
    """
    if " " in name:
        return name
    parts = name.split(".")
    if parts[0] in ("reviewers", "instruments", "courts", "bidders", "structures", "events") and len(parts) > 2:
        parts = parts[1:]
    return " > ".join(part.replace("_", " ") for part in parts)


def _lane_label(text: str, width: int = 26) -> str:
    """A lane's name on at most two lines of ``width`` characters (a long court name would take the figure)."""
    lines = textwrap.wrap(text, width)
    return "\n".join(lines[:2]) + ("..." if len(lines) > 2 else "")


def plot_winners(result: EnsembleResult, ax: Axes | None = None) -> Axes:
    """Share of runs each bidder wins (closes with), and the share with no close."""
    ax = _axes(ax, size=(7, 4))
    counts = result.tally.hist["winner"]
    n = sum(counts.values()) or 1
    labels = {bid: b.label for bid, b in result.scenario.bidders.items()}
    names = [b for b in labels if counts.get(b)] + ["none"]
    values = np.array([counts.get(name, 0) / n for name in names])
    colours = ["#1565c0"] * (len(names) - 1) + ["#9e9e9e"]
    ax.bar([labels.get(name, "(no close)") for name in names], values, color=colours)
    for x, v in enumerate(values):
        ax.text(x, v + 0.01, f"{v:.1%}", ha="center", fontsize=8)
    ax.set_ylim(0, min(1.0, values.max() + 0.12))
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_ylabel("share of runs")
    ax.set_title(f"Who buys the business\n{_title(result)}", fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    return ax


def plot_delay_attribution(result: EnsembleResult, ax: Axes | None = None) -> Axes:
    """Where the days went: days each stage added beyond its minimum.

    Late runs against on-time runs, with the share of late runs in which the stage was decisive.
    """
    attribution = result.summary.get("attribution")
    if not attribution:
        raise ValueError(
            "this result attributes no run: run_ensemble(..., attribution=1000) attributes the first 1,000, as "
            "`sim run` does by default (the Python default is 0: attribution reruns runs, which costs time)"
        )
    ax = _axes(ax, size=(9, 5))
    stages = list(attribution["stages"].items())[::-1]
    y = np.arange(len(stages))
    late = [s["late"]["mean_days_added"] for _, s in stages]
    on_time = [s["on_time"]["mean_days_added"] for _, s in stages]
    ax.barh(
        y + 0.2,
        late,
        height=0.4,
        color="#c62828",
        label=f"late runs ({attribution['late_runs']:,}: closed after the first deadline, or never)",
    )
    ax.barh(y - 0.2, on_time, height=0.4, color="#2e7d32", label=f"on-time runs ({attribution['on_time_runs']:,})")
    for yi, (_, s), days in zip(y, stages, late, strict=True):
        if s["late"]["counterfactual"]:
            ax.text(days + 0.3, yi + 0.2, f"decisive in {s['late']['share_decisive']:.1%}", va="center", fontsize=7)
    names = actor_labels(result.scenario)
    ax.set_yticks(
        y,
        [f"{name.replace('_', ' ')} ({names.get(s['actor'], s['actor']).split(' (')[0]})" for name, s in stages],
        fontsize=8,
    )
    ax.set_xlabel("mean days beyond the stage's minimum, on the critical path (per run)")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(
        f"Where the days went: {_title(result)}\n"
        "decisive: with that stage at its minimum, the sale closes by the first deadline",
        fontsize=10,
    )
    return ax


def save_figures(result: EnsembleResult, directory: str | Path) -> list[Path]:
    """Write the figures of a result; return their paths.

    outcomes.png, close_dates.png, timeline.png (if event logs were kept), winners.png and
    delay_attribution.png (if runs were attributed).
    """
    directory = Path(directory)
    drawers = {
        "outcomes": (plot_outcomes, (8, 4.5)),
        "close_dates": (plot_close_dates, (9, 4.5)),
        "timeline": (plot_timeline, (12, 6)),
        "winners": (plot_winners, (7, 4)),
        "delay_attribution": (plot_delay_attribution, (9, 5.5)),
    }
    if result.events.empty:
        del drawers["timeline"]
    if not result.summary.get("attribution", {}).get("stages"):
        del drawers["delay_attribution"]
    return [save_figure(directory / f"{name}.png", size, draw, result) for name, (draw, size) in drawers.items()]


EXTRA_FORMATS: tuple[str, ...] = ()
"""Formats every figure is also saved in beside its PNG: ``("svg",)`` with a command's ``--svg``."""


def save_figure(path: Path, size: tuple[float, float], draw, *args: Any) -> Path:
    """Draw ``draw(*args, ax=...)`` on a new figure of ``size`` inches and save it as ``path``.

    Also as each of ``EXTRA_FORMATS`` (vector SVG for print), byte for byte the same each time:
    no date in it, its element ids salted with a constant.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fig = Figure(figsize=size, layout="constrained")
    draw(*args, ax=fig.add_subplot())
    fig.savefig(path, dpi=110)
    for kind in EXTRA_FORMATS:
        with matplotlib.rc_context({"svg.hashsalt": "dealsim", "svg.fonttype": "none"}):
            fig.savefig(path.with_suffix(f".{kind}"), format=kind, metadata={"Date": None})
    return path


# --- sweeps and sensitivity analyses ------------------------------------------------------------


def plot_sweep_lines(result, ax: Axes | None = None) -> Axes:
    """One parameter: each outcome's probability against it, with 95% bands."""
    ax = _axes(ax)
    param = result.params[0]
    table = result.table.sort_values(param.path)
    x = table[param.path]
    for outcome in PRECEDENCE:
        name = outcome.value
        if table[f"p_{name}"].max() < 0.01:
            continue
        colour = OUTCOME_COLOURS[outcome]
        ax.plot(x, table[f"p_{name}"], "o-", ms=3, color=colour, label=name.replace("_", " "))
        ax.fill_between(x, table[f"lo_{name}"], table[f"hi_{name}"], color=colour, alpha=0.15)
    ax.set_xlabel(param.name)
    ax.set_ylabel("probability (bands: 95% CI)")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, ncols=2)
    ax.grid(alpha=0.3)
    ax.set_title(
        f"{result.scenario_name}: outcomes as {param.name} varies\n{result.runs:,} runs per point, seed {result.seed}",
        fontsize=10,
    )
    return ax


def plot_sweep_heatmap(result, outcome: str, ax: Axes | None = None) -> Axes:
    """Two parameters on a grid: the probability of one outcome at each pair of values."""
    ax = _axes(ax)
    px, py = result.params[0], result.params[1]
    table = result.table.pivot_table(index=py.path, columns=px.path, values=f"p_{outcome}", aggfunc="mean")
    image = ax.imshow(table.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(len(table.columns)), [f"{v:g}" if isinstance(v, float) else v for v in table.columns])
    ax.set_yticks(range(len(table.index)), [f"{v:g}" if isinstance(v, float) else v for v in table.index])
    for (i, j), value in np.ndenumerate(table.to_numpy(dtype=float)):
        ax.text(
            j,
            i,
            f"{value:.0%}",
            ha="center",
            va="center",
            fontsize=7,
            color="white" if value < 0.5 else "black",
        )
    ax.figure.colorbar(image, ax=ax, label=f"P({outcome})", format=lambda v, _: f"{v:.0%}")
    ax.set_xlabel(px.name)
    ax.set_ylabel(py.name)
    ax.set_title(
        f"{result.scenario_name}: P({outcome})\n{result.runs:,} runs per point, seed {result.seed}",
        fontsize=10,
    )
    return ax


def plot_sweep_scatter(result, outcome: str, param, ax: Axes | None = None) -> Axes:
    """Any design: the probability of one outcome at each point against one parameter."""
    ax = _axes(ax)
    t = result.table
    y = t[f"p_{outcome}"]
    ax.errorbar(
        t[param.path],
        y,
        yerr=[y - t[f"lo_{outcome}"], t[f"hi_{outcome}"] - y],
        fmt="o",
        ms=3,
        alpha=0.6,
        lw=0.8,
    )
    ax.set_xlabel(param.name)
    ax.set_ylabel(f"P({outcome})")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.grid(alpha=0.3)
    return ax


def plot_robustness(result, outcome: str, ax: Axes | None = None) -> Axes:
    """A cross sweep: P(outcome) of each lever setting at every uncertainty point, with its median."""
    from sim.scenario.schema.scenario import parameter_keys

    ax = _axes(ax)
    column = f"p_{outcome}"
    groups = [g for _, g in result.table.groupby("policy", sort=True)]
    keys = {p.path: key for key, p in parameter_keys(list(result.levers)).items()}
    # each setting by the levers' short keys (their long labels are said once, under the axis)
    labels = [", ".join(f"{keys[p.path]}={_short(g[p.path].iloc[0])}" for p in result.levers) for g in groups]
    ax.boxplot([g[column] for g in groups], orientation="horizontal", widths=0.5, showfliers=False)
    for k, g in enumerate(groups):
        jitter = np.linspace(-0.15, 0.15, len(g)) if len(g) > 1 else [0.0]
        ax.scatter(g[column], np.full(len(g), k + 1) + jitter, s=8, alpha=0.5, color="#1565c0")
    ax.set_yticks(range(1, len(groups) + 1), labels, fontsize=8)
    ax.set_xlim(0, 1)  # probabilities, on the same scale whatever the sample
    meaning = "; ".join(f"{keys[p.path]}: {p.name}" for p in result.levers if p.name != keys[p.path])
    xlabel = f"P({outcome.replace('_', ' ')}) at each point of the uncertainty sample"
    ax.set_xlabel(xlabel + ("\n" + textwrap.fill(meaning, 110) if meaning else ""), fontsize=8)
    ax.set_title(
        f"{result.scenario_name}: each lever setting across {len(groups[0]) if groups else 0} uncertainty points",
        fontsize=10,
        loc="left",
    )
    return ax


def _short(value: Any, width: int = 24) -> str:
    """A lever's value for a tick label: as it is, cut with an ellipsis past ``width`` characters."""
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def save_sweep_figures(result, outcome: str, directory: str | Path) -> list[Path]:
    """Lines with CI bands for one parameter, a heatmap for two on a grid, scatters otherwise.

    A cross sweep draws each lever setting across the uncertainty sample (robustness.png).
    """
    if result.design == "cross":
        height = 2.2 + 0.4 * result.table["policy"].nunique()
        return [save_figure(Path(directory) / "robustness.png", (10, height), plot_robustness, result, outcome)]
    path = Path(directory) / "sweep.png"
    if len(result.params) == 1:
        return [save_figure(path, (8, 4.5), plot_sweep_lines, result)]
    if len(result.params) == 2 and result.design == "grid":
        return [save_figure(path, (8, 6), plot_sweep_heatmap, result, outcome)]
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = min(3, len(result.params))  # otherwise one scatter per parameter, on one figure
    rows = -(-len(result.params) // cols)
    fig = Figure(figsize=(4 * cols, 3.4 * rows), layout="constrained")
    for i, param in enumerate(result.params):
        plot_sweep_scatter(result, outcome, param, fig.add_subplot(rows, cols, i + 1))
    fig.suptitle(
        f"{result.scenario_name}: P({outcome}) across a {result.design} design "
        f"({len(result.table)} points, {result.runs:,} runs each)",
        fontsize=10,
    )
    fig.savefig(path, dpi=110)
    return [path]


def plot_sensitivity(result, ax: Axes | None = None) -> Axes:
    """Sensitivity indices per parameter, with their 95% confidence intervals.

    Sobol: first-order and total shares of the variance, an estimate outside 0 to 1 (noise at few
    runs) marked and said on the figure. Morris: mu* (size) against sigma (interactions or
    non-linearity), each point coloured by the sign of mu (direction).
    """
    ax = _axes(ax)
    t = result.indices.iloc[::-1]
    y = np.arange(len(t))
    if result.method == "sobol":
        for index, offset, colour, label in (
            ("ST", 0.2, "#1565c0", "total (ST)"),
            ("S1", -0.2, "#90caf9", "first order (S1)"),
        ):
            ax.barh(y + offset, t[index], height=0.4, xerr=t[f"{index}_conf"], color=colour, label=label, capsize=2)
        odd = t[(t["S1"] < 0) | (t["S1"] > 1) | (t["ST"] < 0) | (t["ST"] > 1)]
        for i in np.flatnonzero(t.index.isin(odd.index)):
            ax.annotate(
                "*", (max(t["ST"].iloc[i], t["S1"].iloc[i], 0), y[i]), xytext=(4, -3), textcoords="offset points"
            )
        if len(odd):
            ax.text(
                0.0, -0.16, f"* {len(odd)} estimate(s) outside 0 to 1: noise at this many runs, not a share; raise "
                "--runs or --samples", transform=ax.transAxes, fontsize=8, color="#c62828",
            )  # fmt: skip
        ax.set_xlabel("share of the variance of P(outcome) (bars: 95% CI)")
        ax.axvline(0, color="black", lw=0.8)
        ax.axvline(1, color="#9e9e9e", lw=0.8, ls=":")
        ax.set_yticks(y, [_lane_label(readable(label), 34) for label in t["label"]])
        ax.legend(fontsize=8)
    else:
        colours = np.where(t["mu"] >= 0, "#2e7d32", "#c62828")
        ax.errorbar(t["mu_star"], t["sigma"], xerr=t["mu_star_conf"], fmt="none", ecolor="#9e9e9e", lw=1)
        ax.scatter(t["mu_star"], t["sigma"], c=colours, s=30, zorder=3)
        for _, r in t.iterrows():
            ax.annotate(
                _lane_label(readable(r["label"]), 30),
                (r["mu_star"], r["sigma"]),
                xytext=(4, 2),
                textcoords="offset points",
                fontsize=7,
            )
        ax.scatter([], [], c="#2e7d32", s=30, label="raises P (mu > 0)")
        ax.scatter([], [], c="#c62828", s=30, label="lowers P (mu < 0)")
        ax.set_xlabel(f"mu*: mean absolute change in P({result.outcome}) over the range (bars: 95% CI)")
        ax.set_ylabel("sigma: spread of the effects\n(interactions, non-linearity)")
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    ax.set_title(
        f"{result.scenario_name}: what drives P({result.outcome}) ({result.method})\n"
        f"{len(result.design)} design points x {result.runs:,} runs, seed {result.seed}",
        fontsize=10,
    )
    return ax


def save_sensitivity_figure(result, directory: str | Path) -> list[Path]:
    """Write figures/sensitivity.png."""
    return [
        save_figure(
            Path(directory) / "sensitivity.png",
            (9, 2.2 + 0.5 * len(result.indices)) if result.method == "sobol" else (9, 6),
            plot_sensitivity,
            result,
        )
    ]


# --- comparisons and backtests --------------------------------------------------------------

STAGE_COLOURS = {
    "bidding": "#bdbdbd",
    "exclusive_talks": "#90caf9",
    "agreed_in_principle": "#42a5f5",
    "signed": "#1565c0",
    "restructuring": "#ffb300",
    "closed": "#2e7d32",
    "blocked_by_host": "#c62828",
    "blocked_by_home": "#ef6c00",
    "abandoned": "#5d4037",
}


def plot_compare_outcomes(comparison, ax: Axes | None = None) -> Axes:
    """Each outcome's probability in each scenario, side by side, with 95% intervals."""
    ax = _axes(ax, size=(9, 5))
    t = comparison.table[comparison.table["kind"] == "probability"]
    names = [o.value for o in PRECEDENCE]
    width = 0.8 / len(comparison.labels)
    y = np.arange(len(names))[::-1]
    for k, label in enumerate(comparison.labels):
        rows = t[t["scenario"] == label].set_index("quantity").loc[names]
        p, lo, hi = rows["value"].to_numpy(float), rows["lo"].to_numpy(float), rows["hi"].to_numpy(float)
        ax.barh(y + 0.4 - width * (k + 0.5), p, height=width, xerr=[p - lo, hi - p], capsize=2, label=label)
    ax.set_yticks(y, [n.replace("_", " ") for n in names])
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel("probability (bars: 95% CI)")
    ax.legend(fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"Outcomes compared, {comparison.runs:,} paired runs (seed {comparison.seed})", fontsize=10)
    return ax


def plot_compare_close_dates(comparison, ax: Axes | None = None) -> Axes:
    """The share of runs closed by each date, one line per scenario."""
    ax = _axes(ax)
    for label, result in zip(comparison.labels, comparison.results, strict=True):
        start = pd.Timestamp(result.scenario.start)
        closes = sorted(result.tally.hist["close_day"].items())
        if closes:
            days = [start + pd.Timedelta(days=d) for d, _ in closes]
            share = np.cumsum([c for _, c in closes]) / max(1, result.tally.completed)
            ax.step(
                [start, *days, pd.Timestamp(result.scenario.horizon)],
                [0, *share, share[-1]],
                where="post",
                lw=1.8,
                label=label,
            )
    first = pd.Timestamp(comparison.results[0].scenario.first_deadline)
    ax.axvline(first, color="#c62828", ls="--", lw=1, label=f"first deadline {first:%Y-%m-%d}")
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_ylabel("share of runs closed by this date")
    ax.set_xlabel("date")
    _date_axis(ax)
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    ax.set_title("When the sale closes, scenario by scenario", fontsize=10)
    return ax


def plot_transitions(comparison, label: str, ax: Axes | None = None) -> Axes:
    """How many runs moved from each outcome under the first scenario to each under another."""
    ax = _axes(ax, size=(7.5, 6))
    t = comparison.transitions[label]
    t = t.loc[t.sum(axis=1) > 0, t.sum(axis=0) > 0]
    values = t.to_numpy()
    ax.imshow(np.log1p(values), cmap="Blues")
    for (i, j), v in np.ndenumerate(values):
        if v:
            ax.text(
                j,
                i,
                f"{v:,}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if np.log1p(v) > np.log1p(values.max()) / 2 else "black",
            )
    ax.set_xticks(range(len(t.columns)), [str(c).replace("_", " ") for c in t.columns], rotation=30, ha="right")
    ax.set_yticks(range(len(t.index)), [str(c).replace("_", " ") for c in t.index])
    ax.set_xlabel(f"outcome under {label}")
    ax.set_ylabel(f"outcome under {comparison.labels[0]}")
    ax.set_title(f"Paired runs: {comparison.changed(label):,} of {comparison.runs:,} change outcome", fontsize=10)
    return ax


def plot_compare_differences(comparison, ax: Axes | None = None) -> Axes:
    """The command's point: each outcome's paired difference from the first scenario, with its 95% CI.

    A forest plot: a row per outcome, a point per compared scenario; an interval that crosses
    zero is a difference the runs cannot tell from none.
    """
    ax = _axes(ax, size=(9, 5))
    t = comparison.table[comparison.table["kind"] == "probability"]
    names = [o.value for o in PRECEDENCE]
    others = comparison.labels[1:]
    height = 0.7 / max(1, len(others))
    y = np.arange(len(names))[::-1]
    for k, label in enumerate(others):
        rows = t[t["scenario"] == label].set_index("quantity").loc[names]
        d, lo, hi = (rows[c].to_numpy(float) for c in ("diff", "diff_lo", "diff_hi"))
        at = y + 0.35 - height * (k + 0.5)
        minus = f"{label} minus {comparison.labels[0]}"
        ax.errorbar(d, at, xerr=[d - lo, hi - d], fmt="o", ms=4, capsize=2, label=minus)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, [n.replace("_", " ") for n in names])
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:+.0%}")
    ax.set_xlabel("paired difference in probability (bars: 95% CI, Newcombe)")
    ax.legend(fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"What changes, run for run: {comparison.runs:,} paired runs (seed {comparison.seed})", fontsize=10)
    return ax


def save_compare_figures(comparison, directory: str | Path) -> list[Path]:
    """compare_differences.png, compare_outcomes.png, compare_close_dates.png and transitions_<label>.png."""
    directory = Path(directory)
    paths = [
        save_figure(directory / "compare_differences.png", (9, 5.5), plot_compare_differences, comparison),
        save_figure(directory / "compare_outcomes.png", (9, 5.5), plot_compare_outcomes, comparison),
        save_figure(directory / "compare_close_dates.png", (9, 4.5), plot_compare_close_dates, comparison),
    ]
    for label in comparison.labels[1:]:
        name = f"transitions_{label.replace('#', '_')}.png"
        paths.append(save_figure(directory / name, (7.5, 6), plot_transitions, comparison, label))
    return paths


def plot_fan_chart(result, ax: Axes | None = None) -> Axes:
    """Share of runs in each deal stage over time, with the record's events and its scored outcomes.

    The stages stack (signed, closed, blocked...); above the plot, each observed event is named
    at its date, and each scored horizon shows the outcome observed there with the share of runs
    the model gave it (the number the scores are made of).
    """
    from sim.analysis.backtest import stage_shares

    ax = _axes(ax, size=(11, 6))
    shares = stage_shares(result.trace)
    shares = shares.loc[:, shares.max() > 0]
    ax.stackplot(
        shares.index,
        shares.T.to_numpy(),
        labels=[c.replace("_", " ") for c in shares.columns],
        colors=[STAGE_COLOURS.get(c, "#9e9e9e") for c in shares.columns],
        alpha=0.85,
    )
    for event in result.trace.record.events:  # named above the axes, rotated, so that none overprints
        when = pd.Timestamp(event.date)
        ax.axvline(when, color="black", lw=0.6, alpha=0.5)
        ax.annotate(
            event.event.replace("_", " "), (when, 1.0), xytext=(0, 3), textcoords="offset points",
            rotation=55, fontsize=7, ha="left", va="bottom", annotation_clip=False,
        )  # fmt: skip
    for h in result.report["horizons"]:
        when = pd.Timestamp(h["horizon"])
        ax.axvline(when, color="#c62828", lw=1.5, ls="--")
        ax.text(
            when, 0.03, f" observed {h['observed'].replace('_', ' ')}\n model gave it {h['p_observed']:.0%}",
            fontsize=7, color="white", va="bottom", ha="right", fontweight="bold",
            bbox={"facecolor": "#c62828", "alpha": 0.85, "edgecolor": "none", "pad": 2},
        )  # fmt: skip
    ax.set_ylim(0, 1)
    ax.set_xlim(shares.index[0], shares.index[-1])
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_ylabel("share of runs in each stage")
    _date_axis(ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, title="deal stage", title_fontsize=8)
    r = result.report
    ax.set_title(
        f"{r['scenario']} against the record {r['record']} ({r['runs']:,} runs): the deal's stage over time;\n"
        "black lines: observed events; red: the horizons scored, with the outcome observed",
        fontsize=10,
        pad=70,
    )
    return ax


def plot_event_dates(result, ax: Axes | None = None) -> Axes:
    """Each observed event's date against the band of its simulated dates."""
    events = result.report["events"]
    ax = _axes(ax, size=(10, 0.8 + 0.32 * len(events)))
    y = np.arange(len(events))[::-1]
    for yi, e in zip(y, events, strict=True):
        if e["band"]:
            lo, hi = (pd.Timestamp(d) for d in e["band"])
            ax.plot([lo, hi], [yi, yi], color="#1565c0", lw=4, alpha=0.35, solid_capstyle="butt")
            ax.plot(pd.Timestamp(e["median"]), yi, "|", color="#1565c0", ms=12)
        ax.plot(pd.Timestamp(e["date"]), yi, "D", color="#c62828", ms=5)
        share = f"{e['share']:.0%} of runs"
        ax.text(1.01, yi, share, transform=ax.get_yaxis_transform(), fontsize=7, va="center")
    ax.set_yticks(
        y, [f"{e['event'].replace('_', ' ')}" + (f" ({e['match']})" if e["match"] else "") for e in events], fontsize=7
    )
    _date_axis(ax)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title("Observed dates (red) against simulated ones (blue: 5-95% band, tick: median)", fontsize=10)
    return ax


def save_backtest_figures(result, directory: str | Path) -> list[Path]:
    """fan_chart.png and event_dates.png."""
    directory = Path(directory)
    return [
        save_figure(directory / "fan_chart.png", (11, 5.5), plot_fan_chart, result),
        save_figure(
            directory / "event_dates.png", (10, 1.2 + 0.32 * len(result.report["events"])), plot_event_dates, result
        ),
    ]


EVALUATION_COLOURS = {"model": "#1565c0", "neutral": "#9e9e9e", "uniform": "#e0e0e0"}


def plot_case_scores(evaluation, ax: Axes | None = None) -> Axes:
    """Each case's log score of its observed sequence: the model against its two baselines (lower is better)."""
    t = evaluation.table
    ax = _axes(ax, size=(9, 1.2 + 0.45 * len(t)))
    y = np.arange(len(t))[::-1]
    height = 0.27
    for k, method in enumerate(("model", "neutral", "uniform")):
        ax.barh(
            y + (1 - k) * height,
            t[f"log_{method}"],
            height,
            color=EVALUATION_COLOURS[method],
            edgecolor="#616161",
            lw=0.4,
            label={"model": "model", "neutral": "every decision a coin toss", "uniform": "uniform over feasible"}[
                method
            ],
        )
    labels = [f"{c}{' (in sample)' if s else ''}" for c, s in zip(t["case"], t["in_sample"], strict=True)]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel("log score of the observed sequence of outcomes (-ln p; lower is better)")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title("Each case: the model against its baselines", fontsize=10)
    return ax


def plot_pit(evaluation, ax: Axes | None = None) -> Axes:
    """The PIT histogram: where each observed event's date falls among the simulated dates."""
    from sim.analysis.evaluate import PIT_BINS

    ax = _axes(ax, size=(7, 4))
    counts = evaluation.totals["pit_histogram"]
    edges = np.linspace(0, 100, PIT_BINS + 1)
    ax.bar(edges[:-1], counts, width=100 / PIT_BINS, align="edge", color="#1565c0", alpha=0.7, edgecolor="white")
    n = sum(counts)
    if n:
        ax.axhline(n / PIT_BINS, color="#424242", ls="--", lw=1, label="calibrated (flat)")
        ax.legend(fontsize=8)
    never = evaluation.totals["events_never_simulated"]
    ax.set_xlabel("percentile of the observed date among the simulated dates")
    ax.set_ylabel("observed events")
    ax.set_title(
        f"{n} observed events with simulated dates ({never} never simulated); mass on the right: the model is too fast",
        fontsize=9,
    )
    return ax


def save_evaluation_figures(evaluation, directory: str | Path) -> list[Path]:
    """case_scores.png and pit.png."""
    directory = Path(directory)
    return [
        save_figure(
            directory / "case_scores.png", (9, 1.4 + 0.45 * len(evaluation.table)), plot_case_scores, evaluation
        ),
        save_figure(directory / "pit.png", (7.5, 4), plot_pit, evaluation),
    ]


def plot_decomposition(decomposition, ax: Axes | None = None) -> Axes:
    """Each factor's Shapley share of P(outcome), with 95% intervals, one bar group per outcome."""
    ax = _axes(ax, size=(9, 4.5))
    d = decomposition
    outcomes = list(dict.fromkeys(d.table["outcome"]))
    y = np.arange(len(d.factors))
    height = 0.8 / len(outcomes)
    for k, name in enumerate(outcomes):
        rows = d.table[d.table["outcome"] == name].set_index("factor").loc[d.factors]
        share = rows["share"].to_numpy()
        err = [share - rows["lo"].to_numpy(), rows["hi"].to_numpy() - share]
        ax.barh(y + 0.4 - height * (k + 0.5), share, height=height, xerr=err, capsize=2, label=f"P({name})")
    ax.set_yticks(y, [f.replace("_", " ") for f in d.factors])
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("Shapley share of the rise in P(outcome) from the scenario as is to every obstacle removed")
    ax.legend(fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"Whose obstacles: Shapley shares by actor\n{d.scenario.name}, {d.runs:,} paired runs", fontsize=10)
    return ax


# --- scenario discovery -------------------------------------------------------------------------


def plot_peeling(found, ax: Axes | None = None) -> Axes:
    """PRIM's peeling trajectory: density against coverage, the chosen box marked."""
    ax = _axes(ax)
    t = found.trajectory
    points = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=18)
    if found.chosen is not None:
        row = t.loc[found.chosen]
        ax.scatter([row["coverage"]], [row["density"]], s=120, facecolors="none", edgecolors="#d32f2f", lw=2)
        ax.annotate("chosen box", (row["coverage"], row["density"]), textcoords="offset points", xytext=(8, -12))
    ax.set_xlabel("coverage (share of all cases in the box)")
    ax.set_ylabel("density (share of the box that are cases)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.figure.colorbar(points, ax=ax, label="parameters restricted")
    ax.set_title(f"PRIM peeling trajectory: {found.outcome.replace('_', ' ')}", fontsize=10)
    return ax


def plot_box(found, params, ax: Axes | None = None) -> Axes:
    """The chosen PRIM box: each restricted parameter's kept share of its range."""
    ax = _axes(ax)
    labels = {p.path: p.name for p in params}
    box = found.prim
    items = [(path, lim) for path, lim in box.limits.items() if not isinstance(lim, set)]
    ranges = {p.path: (p.low, p.high) for p in params if p.low is not None}
    for k, (path, (lo, hi)) in enumerate(items):
        a, b = ranges.get(path, (lo, hi))
        span = (b - a) or 1.0
        ax.barh(k, (hi - lo) / span, left=(lo - a) / span, color="#1565c0", height=0.5)
        ax.text(1.01, k, f"{lo:.3g} to {hi:.3g}", va="center", fontsize=8)
    ax.set_yticks(range(len(items)), [labels.get(p, p) for p, _ in items], fontsize=8)
    ax.set_xlim(0, 1.25)
    ax.set_xlabel("the box's part of each parameter's range (0: low end, 1: high end)")
    ax.set_title(f"PRIM box: density {box.density:.0%}, coverage {box.coverage:.0%}", fontsize=10)
    return ax


def save_discovery_figures(found, params, directory: str | Path) -> list[Path]:
    """peeling.png and box.png (when PRIM found a box)."""
    if found.prim is None:
        return []
    directory = Path(directory)
    return [
        save_figure(directory / "peeling.png", (7, 5), plot_peeling, found),
        save_figure(directory / "box.png", (8, 1.8 + 0.5 * max(1, len(found.prim.limits))), plot_box, found, params),
    ]
