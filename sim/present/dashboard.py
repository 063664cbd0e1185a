"""``sim dashboard``: a scenario in the browser, with no internet connection (Mesa's SolaraViz).

Two pages, one per question:

- **One run** (``/``): Mesa's SolaraViz over :class:`DealModel`, one day per step, and a Play
  card that plays a day, a week, to the deadline, to a date or to the end. The sidebar's
  sliders, menus and switches are the scenario's declared levers and uncertainties, and the
  seed (Mesa applies them on Reset). The panels: today (date, stage, days to the deadline,
  reviews open, bans biting, value left, the outcome if it stopped today), the parameters as
  this run has them, the series the DataCollector records each day, the run's timeline so far,
  each actor's state, and the latest events told.
- **Ensemble** (``/ensemble``): the same controls, a number of runs and a Run button. It runs
  the scenario as set and as it is, with the same seeds (common random numbers), and shows
  each outcome's share with its 95% interval and the share closed by each date, side by side.

``sim dashboard SCENARIO`` serves it (``solara run sim.present.dashboard``, with the scenario's
path in the environment variable ``SIM_DASHBOARD_SCENARIO``). It needs the ``dashboard`` extra.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from functools import cache, lru_cache
from html import escape
from typing import Any

import matplotlib

matplotlib.use("Agg")  # the server draws PNGs; no window

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import solara  # noqa: E402
import solara.lab  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from mesa.visualization import SolaraViz  # noqa: E402
from mesa.visualization.utils import force_update, update_counter  # noqa: E402

from sim.analysis.compare import paired_difference  # noqa: E402
from sim.model.dealmodel import DealModel  # noqa: E402
from sim.model.run_record import DAY_REPORTERS  # noqa: E402
from sim.outcomes import MEANING, PRECEDENCE  # noqa: E402
from sim.present.figures import draw_timeline  # noqa: E402
from sim.present.labels import actor_labels  # noqa: E402
from sim.present.story import QUIET_EVENTS, told  # noqa: E402
from sim.runs.backends import Execution  # noqa: E402
from sim.runs.ensemble import run_ensemble  # noqa: E402
from sim.runs.stats import wilson_interval  # noqa: E402
from sim.scenario.load import load_scenario, shipped_scenarios, value_at  # noqa: E402
from sim.scenario.schema import Parameter, Scenario  # noqa: E402

PAGES = [("/", "One run"), ("/ensemble", "Ensemble")]
SCENARIO_ENV = "SIM_DASHBOARD_SCENARIO"
DEFAULT_SCENARIO = "export_control_review.yaml"  # among the shipped scenarios (sim.scenario.load.shipped_scenarios)
SEED = {"type": "SliderInt", "value": 0, "min": 0, "max": 999, "step": 1, "label": "seed"}
ENSEMBLE_RUNS = 300  # a few hundred: a second or two on one core, intervals about +-5 points


@cache
def deal_scenario() -> Scenario:
    """The scenario the dashboard shows (``SIM_DASHBOARD_SCENARIO``, else export_control_review)."""
    return load_scenario(os.environ.get(SCENARIO_ENV) or shipped_scenarios() / DEFAULT_SCENARIO)


# --- page furniture ------------------------------------------------------------------------


def html(text: str, classes: list[str] | None = None) -> None:
    """A piece of HTML (Solara's Markdown would fetch KaTeX from a CDN, which an offline machine cannot)."""
    solara.HTML(tag="div", unsafe_innerHTML=text, classes=classes or [], style={"font-size": "0.9em"})


def html_table(headers: list[str], rows: list[list[Any]], title: str = "") -> str:
    """An HTML table, every cell escaped."""
    head = "".join(f"<th style='text-align:left;padding:2px 8px'>{escape(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td style='padding:2px 8px'>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    caption = f"<h3>{escape(title)}</h3>" if title else ""
    return f"{caption}<table style='border-collapse:collapse'><tr>{head}</tr>{body}</table>"


@solara.component
def Navigation() -> None:
    """Tabs for the two pages, in the app bar."""
    path = solara.use_router().path
    here = next((i for i, (p, _) in enumerate(PAGES) if p != "/" and path.startswith(p)), 0)
    # as wide as the tabs, leaving the title its room
    with solara.Div(style={"flex": "0 0 auto"}), solara.lab.Tabs(value=here, background_color="primary", dark=True):
        for path, label in PAGES:
            solara.lab.Tab(label, path_or_route=path)


@solara.component
def Layout(children: list[Any] = []) -> None:  # noqa: B006 - Solara's signature for a layout
    """Solara's app layout, with our tabs instead of its route names."""
    solara.AppLayout(children=children, navigation=False)


# --- the controls: the scenario's declared levers and uncertainties --------------------------


def controls(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """Mesa's ``model_params`` for the declared parameters, by their keys, each at its current value.

    A parameter with ``values`` is a menu (a switch when they are yes and no), a range a slider:
    whole numbers when the scenario holds a whole number there.
    """
    out = {}
    for key, p in scenario.declared_parameters.items():
        now = value_at(scenario, p.path)
        out[key] = _control(p, now)
    return out


def _control(p: Parameter, now: Any) -> dict[str, Any]:
    if isinstance(now, list) and len(now) == 1:  # a list of one (seller.proposes) is chosen as its item
        now = now[0]
    if p.values is not None:
        if set(map(type, p.values)) == {bool}:
            return {"type": "Checkbox", "value": bool(now), "label": p.name}
        value = now if now in p.values else p.values[0]
        return {"type": "Select", "value": value, "values": list(p.values), "label": p.name}
    low, high = (p.low, p.high) if p.low is not None else (p.mean - 2 * p.sd, p.mean + 2 * p.sd)
    value = min(max(now, low), high) if isinstance(now, int | float) else (low + high) / 2
    if isinstance(now, int) and not isinstance(now, bool):
        return {"type": "SliderInt", "value": int(value), "min": int(low), "max": int(high), "step": 1, "label": p.name}
    return {
        "type": "SliderFloat",
        "value": float(value),
        "min": float(low),
        "max": float(high),
        "step": _step(high - low),
        "label": p.name,
    }


def _step(width: float) -> float:
    """A round slider step of about a hundredth of the range (0.01, 0.02, 0.05, 0.1...)."""
    raw = width / 100 if width > 0 else 0.01
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


# --- one run, day by day -------------------------------------------------------------------


class DashboardModel(DealModel):
    """:class:`DealModel` of the dashboard's scenario, keeping every actor's state each day.

    SolaraViz makes the model again on Reset with the sidebar's values as keyword arguments, and
    passes Mesa's own ``scenario`` object along: the deal scenario is the dashboard's, not that.
    """

    def __init__(self, rng: Any = 0, scenario: Any = None, **params: Any):
        super().__init__(deal_scenario(), rng=rng, collect_agents=True, **params)


def today_panel(model: DealModel) -> None:
    """Today's facts: the date, the stage, the deadline, reviews, bans, value, the outcome so far."""
    today = {name: report(model) for name, report in DAY_REPORTERS.items()}
    ahead = today["days_to_deadline"]
    outcome = model.outcome or model.outcome_now()
    rows = [
        ("date", f"{today['date']} ({model.steps} days played)"),
        ("deal stage", today["stage"].replace("_", " ")),
        ("days to the deadline in force", "none ahead" if ahead is None else str(ahead)),
        ("reviews open", str(today["open_reviews"])),
        ("ban stages biting", str(today["bans_biting"])),
        ("value left (share of the base)", f"{today['value']:.0%}"),
        ("outcome if it stopped today", f"{outcome.value}: {MEANING[outcome]}"),
    ]
    if today["winner"]:
        rows.append(("winner", f"{today['winner']} at {model.deal_scenario.labels.money(today['price'])}"))
    html(html_table(["", ""], rows, f"Today in {model.deal_scenario.name}"), classes=["today-panel"])


def parameters_panel(model: DealModel) -> None:
    """The declared parameters as this run has them (Mesa's sidebar shows sliders without their values)."""
    scenario = model.deal_scenario
    rows = []
    for p in scenario.declared_parameters.values():
        now = value_at(scenario, p.path)
        rows.append([p.name, ", ".join(map(str, now)) if isinstance(now, list) else now])
    rows.append(["seed", model.run_seed])
    table = html_table(["parameter", "this run"], rows, "This run's levers and uncertainties")
    html(table, classes=["parameters-panel"])


def series_panel(model: DealModel) -> None:
    """The DataCollector's days: value left, reviews open and bans biting, days to the deadline."""
    frame = model.datacollector.get_model_vars_dataframe()
    fig = Figure(figsize=(6, 4.2), layout="constrained")
    axes = fig.subplots(3, 1, sharex=True)
    if len(frame):
        days = frame["day"]
        axes[0].plot(days, frame["value"], color="#2e7d32")
        axes[0].set_ylim(0, 1.05)
        axes[0].set_ylabel("value left")
        axes[1].step(days, frame["open_reviews"], where="post", label="reviews open", color="#1565c0")
        axes[1].step(days, frame["bans_biting"], where="post", label="ban stages biting", color="#c62828")
        axes[1].legend(fontsize=7, loc="upper left")
        axes[1].set_ylabel("count")
        axes[1].yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: whole numbers
        axes[2].plot(days, frame["days_to_deadline"].astype(float), color="#6a1b9a")
        axes[2].set_ylabel("days to deadline")
    axes[2].xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[2].set_xlabel("day of the run")
    axes[0].set_title("Each day so far (the DataCollector's model reporters)", fontsize=9)
    solara.FigureMatplotlib(fig, format="png")


def timeline_panel(model: DealModel) -> None:
    """The run's timeline so far: a lane per actor, its events as dots, the deal's stretches as bars."""
    events = pd.DataFrame(model.events, columns=["day", "actor", "event", "detail"])
    spans = pd.DataFrame(  # a stretch still open ends today
        [(name, actor, start, model.day if end is None else end) for name, actor, start, end, *_ in model.spans],
        columns=["span", "actor", "start_day", "end_day"],
    )
    fig = Figure(figsize=(9, 4.8), layout="constrained")
    end = pd.Timestamp(model.deal_scenario.start) + pd.Timedelta(days=model.day)
    draw_timeline(fig.subplots(), model.deal_scenario, events, spans, end, f"Run so far (seed {model.run_seed})")
    solara.FigureMatplotlib(fig, format="png")


def actors_panel(model: DealModel) -> None:
    """Each actor's state today (the DataCollector's agent reporters)."""
    names = actor_labels(model.deal_scenario)
    rows = [[names.get(a.actor_id, a.actor_id), type(a).__name__, a.state] for a in model.agents]
    html(html_table(["actor", "kind", "state"], rows, "The actors today"))


def story_panel(model: DealModel) -> None:
    """The latest events, told."""
    names = actor_labels(model.deal_scenario)
    lines = [
        told(names, actor, detail, model.date_of(day))
        for day, actor, event, detail in model.events
        if event not in QUIET_EVENTS
    ]
    said = "".join(f"<p style='margin:2px 0'>{escape(line)}</p>" for line in reversed(lines[-12:]))
    html("<h3>What happened, latest first</h3>" + (said or "<p>Nothing yet.</p>"))


def play_days(model: DealModel, days: int) -> int:
    """Play up to ``days`` more days (fewer if the run ends first); returns how many were played."""
    played = 0
    while played < days and model.running:
        model.step()
        played += 1
    return played


def days_to(model: DealModel, date: str) -> int:
    """How many days to play so that ``date`` (YYYY-MM-DD) is the last day played; 0 if it is past."""
    target = (dt.date.fromisoformat(date) - model.deal_scenario.start).days
    return max(0, target + 1 - model.steps)


@solara.component
def RunState(model: DealModel) -> None:
    """Whether the run goes on (redrawn with the panels after every step)."""
    update_counter.get()
    state = "goes on" if model.running else "is over"
    html(f"<p>Day {model.steps} played; the run {state}.</p>", classes=["play-state"])


@solara.component
def PlayControls(model: solara.Reactive[DealModel]) -> None:
    """Buttons that play a day, a week, to the first deadline or to the end, and a date to play to.

    They sit in the sidebar, outside the panels Mesa redraws after every step, so each stays
    the same widget: a click made while the page draws is handled in turn and plays its days
    (clicks on a widget being replaced are lost, as they can be on Mesa's Step button). A
    click plays all its days, then the panels redraw once.
    """
    date = solara.use_reactive("")
    problem = solara.use_reactive("")
    deadline = deal_scenario().first_deadline.isoformat()

    def play(days: int) -> None:
        play_days(model.value, days)
        force_update()

    def to_date() -> None:
        try:
            days = days_to(model.value, date.value)
        except ValueError:
            problem.set(f"{date.value!r} is not a date: write it as YYYY-MM-DD")
            return
        problem.set("")
        play(days)

    with solara.Card("Play", classes=["play-controls"]):
        RunState(model.value)
        with solara.Row():
            solara.Button("+1 day", on_click=lambda: play(1), small=True)
            solara.Button("+1 week", on_click=lambda: play(7), small=True)
            solara.Button("to the end", on_click=lambda: play(model.value.horizon_day + 2), small=True)
        solara.Button(
            f"to the deadline ({deadline})",
            on_click=lambda: play(days_to(model.value, deadline)),
            small=True,
            style={"margin-top": "8px"},
        )
        with solara.Row(style={"align-items": "center"}):
            solara.InputText("play to date (YYYY-MM-DD)", value=date, continuous_update=False)
            solara.Button("go", on_click=to_date, small=True)
        if problem.value:
            solara.Warning(problem.value)


@solara.component
def OneRun() -> None:
    """Mesa's SolaraViz: the run stepped day by day, with the scenario's parameters as controls."""
    first = solara.use_memo(lambda: DashboardModel(rng=0), [])
    model = solara.use_reactive(first)  # SolaraViz's Reset replaces its value; PlayControls plays it
    solara.Title(f"dealsim: {deal_scenario().name}: one run")
    # Mesa names its one page of panels "Page 0" and takes no name for it: show ours instead
    solara.Style(
        ".solara-content-main .v-tabs .v-tab { font-size: 0 } "
        ".solara-content-main .v-tabs .v-tab::after { content: 'This run, day by day'; font-size: 0.875rem }"
    )
    with solara.AppBar():
        Navigation()
    with solara.Sidebar():
        PlayControls(model)
    SolaraViz(
        model,
        components=[today_panel, parameters_panel, series_panel, timeline_panel, actors_panel, story_panel],
        model_params={"rng": SEED, **controls(deal_scenario())},
        name=f"dealsim: {deal_scenario().name}",
        play_interval=50,
    )


# --- the ensemble --------------------------------------------------------------------------


def ensemble(settings: dict[str, Any], runs: int, seed: int) -> dict[str, Any]:
    """The scenario as set and as it is, ``runs`` runs each with the same seeds: outcomes and close dates."""
    current = {k: c["value"] for k, c in controls(deal_scenario()).items()}
    changed = {k: v for k, v in settings.items() if v != current.get(k)}
    found = {"runs": runs, "seed": seed, "changed": changed, "as it is": _played((), runs, seed)}
    found["as set"] = _played(tuple(sorted(changed.items())), runs, seed) if changed else found["as it is"]
    return found


@lru_cache(maxsize=32)
def _played(changed: tuple[tuple[str, Any], ...], runs: int, seed: int) -> dict[str, Any]:
    """The dashboard's scenario with these parameters changed, ``runs`` runs in this process.

    A few hundred runs take a second or two. Returns the outcomes, the close dates, and each
    run's outcome (for the paired differences).
    """
    scenario = DealModel(deal_scenario(), rng=0, **dict(changed)).deal_scenario
    result = run_ensemble(scenario, runs=runs, seed=seed, execution=Execution(backend="serial"), events="none")
    return {
        "outcomes": result.summary["outcomes"],
        "close": sorted(result.runs["close_date"].dropna()),
        "by_run": result.runs["outcome"].to_numpy(),
    }


def outcome_figure(found: dict[str, Any]) -> Figure:
    """Each outcome's share, as set beside as it is, with 95% intervals."""
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    ax = fig.subplots()
    names = [o.value for o in PRECEDENCE]
    for k, (which, colour) in enumerate((("as it is", "#90a4ae"), ("as set", "#1565c0"))):
        outcomes = found[which]["outcomes"]
        p = [outcomes[o]["p"] for o in names]
        low = [outcomes[o]["p"] - outcomes[o]["ci95"][0] for o in names]
        high = [outcomes[o]["ci95"][1] - outcomes[o]["p"] for o in names]
        x = [i + (k - 0.5) * 0.38 for i in range(len(names))]
        ax.bar(x, p, width=0.38, color=colour, label=which, yerr=[low, high], capsize=2, ecolor="#37474f")
    ax.set_xticks(range(len(names)), [n.replace("_", "\n") for n in names], fontsize=7)
    ax.set_ylabel("share of runs")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
    ax.set_title(f"Outcomes of {found['runs']} runs each (bars: 95% intervals; same seeds)", fontsize=9)
    return fig


def close_figure(found: dict[str, Any], scenario: Scenario) -> Figure:
    """The share of runs closed by each date, as set and as it is, with the first deadline."""
    fig = Figure(figsize=(9, 3.2), layout="constrained")
    ax = fig.subplots()
    for which, colour in (("as it is", "#90a4ae"), ("as set", "#1565c0")):
        dates = pd.to_datetime(found[which]["close"])
        ax.step(
            [pd.Timestamp(scenario.start), *dates],
            [0, *((i + 1) / found["runs"] for i in range(len(dates)))],
            where="post",
            color=colour,
            label=which,
        )
    ax.axvline(pd.Timestamp(scenario.first_deadline), color="#c62828", ls="--", lw=1, label="first deadline")
    ax.set_xlim(pd.Timestamp(scenario.start), pd.Timestamp(scenario.horizon))
    most = max(len(found[w]["close"]) for w in ("as it is", "as set")) / found["runs"]
    ax.set_ylim(0, min(1.0, max(0.1, 1.2 * most)))  # a rare close is still seen
    ax.set_ylabel("share closed")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("When the sale closes", fontsize=9)
    return fig


def outcome_rows(found: dict[str, Any]) -> list[list[str]]:
    """The outcome table: each outcome as it is and as set, with 95% intervals, and the difference."""

    def cell(p: float, ci: tuple[float, float]) -> str:
        return f"{p:.3f} ({ci[0]:.2f} to {ci[1]:.2f})"

    def difference(wanted: tuple[str, ...]) -> str:
        if not found["changed"]:
            return "-"  # the same runs: nothing to compare
        d, low, high = paired_difference(*(np.isin(found[w]["by_run"], wanted) for w in ("as it is", "as set")))
        return f"{d:+.3f} ({low:+.2f} to {high:+.2f})"

    rows = []
    for o in (o.value for o in PRECEDENCE):
        a, b = found["as it is"]["outcomes"][o], found["as set"]["outcomes"][o]
        rows.append([o, cell(a["p"], a["ci95"]), cell(b["p"], b["ci95"]), difference((o,))])
    n = found["runs"]
    closed = {w: len(found[w]["close"]) for w in ("as it is", "as set")}
    both = ("closed_by_deadline", "closed_after_deadline")
    rows.append(
        [
            "closed at all",
            *(cell(closed[w] / n, wilson_interval(closed[w], n)) for w in ("as it is", "as set")),
            difference(both),
        ]
    )
    return rows


@solara.component
def Controls(specs: dict[str, dict[str, Any]], settings: solara.Reactive[dict[str, Any]]) -> None:
    """A slider, menu or switch per declared parameter, its label above it and its value on it."""
    scenario_values = {k: c["value"] for k, c in specs.items()}

    def set_one(key: str, value: Any) -> None:
        settings.set({**settings.value, key: value})

    for key, spec in specs.items():
        value = settings.value[key]
        moved = "" if value == scenario_values[key] else f" (scenario: {scenario_values[key]})"
        if spec["type"] == "Checkbox":
            solara.Switch(label=spec["label"] + moved, value=value, on_value=lambda v, k=key: set_one(k, v))
        elif spec["type"] == "Select":
            solara.Select(
                spec["label"] + moved, values=spec["values"], value=value, on_value=lambda v, k=key: set_one(k, v)
            )
        else:
            slider = solara.SliderInt if spec["type"] == "SliderInt" else solara.SliderFloat
            solara.Text(f"{spec['label']}: {value:g}{moved}", style={"font-size": "0.85em"})
            slider(
                "",
                value=value,
                min=spec["min"],
                max=spec["max"],
                step=spec["step"],
                thumb_label=False,
                on_value=lambda v, k=key: set_one(k, v),
                tick_labels="end_points",
            )
    solara.Button("Back to the scenario's values", text=True, on_click=lambda: settings.set(dict(scenario_values)))


@solara.component
def Ensemble() -> None:
    """Sliders and switches from the scenario, a Run button, and the outcomes beside the unchanged scenario's."""
    scenario = deal_scenario()
    solara.Title(f"dealsim: {scenario.name}: ensemble")
    specs = controls(scenario)
    settings = solara.use_reactive({k: c["value"] for k, c in specs.items()})
    runs = solara.use_reactive(ENSEMBLE_RUNS)
    seed = solara.use_reactive(0)

    def compute() -> dict[str, Any]:
        return ensemble(dict(settings.value), runs.value, seed.value)

    task = solara.lab.use_task(compute, dependencies=None)

    with solara.AppBar():
        solara.AppBarTitle(f"dealsim: {scenario.name}")
        Navigation()
    with solara.Sidebar(), solara.Column():
        with solara.Card("Runs"):
            solara.Text(f"runs of each: {runs.value}; seed {seed.value}", style={"font-size": "0.85em"})
            solara.SliderInt("runs", value=runs, min=50, max=2000, step=50)
            solara.SliderInt("seed", value=seed, min=0, max=999)
            solara.Button("Run", color="primary", on_click=task, disabled=task.pending, classes=["run-ensemble"])
        with solara.Card("Levers and uncertainties"):
            Controls(specs, settings)
    with solara.Column(style={"padding": "1em 1em 4em"}):  # room below for Solara's badge
        html(
            f"<h3>{escape(scenario.name)}</h3><p>{escape(scenario.description)}. Move the controls, then Run: "
            "the scenario as set runs "
            "beside the scenario as it is, with the same seeds.</p>"
        )
        if task.pending:
            solara.ProgressLinear(True)
            solara.Text("running...")
        if task.finished and task.value is not None:
            found = task.value
            labels = {k: c["label"] for k, c in specs.items()}
            changed = ", ".join(f"{labels[k]} = {v}" for k, v in found["changed"].items()) or "nothing (as it is)"
            html(
                f"<h3>Outcomes</h3><p>Changed: {escape(changed)}; {found['runs']} runs each, seed {found['seed']}.</p>"
                + html_table(["outcome", "as it is", "as set", "difference (paired 95% CI)"], outcome_rows(found)),
                classes=["outcome-panel"],
            )
            solara.FigureMatplotlib(outcome_figure(found), format="png")
            solara.FigureMatplotlib(close_figure(found, scenario), format="png")
        elif not task.pending:
            solara.Info("No runs yet: press Run.")
        if task.error:
            solara.Error(f"the runs failed: {task.exception}")


routes = [
    solara.Route(path="/", component=OneRun, label="One run", layout=Layout),  # the root route's layout holds all
    solara.Route(path="ensemble", component=Ensemble, label="Ensemble"),
]
"""The dashboard's pages (``solara run sim.present.dashboard`` serves them)."""
