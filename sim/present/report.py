"""One self-contained HTML report of any result directory, to open offline or mail to a colleague.

``write_report(directory)`` reads what a command wrote (a run, a sweep, a sensitivity analysis, a
comparison, a backtest, a decomposition, a discovery, a calibration) and writes ``report.html``:
its tables with their intervals, interactive figures (Plotly, the lightest bundle that draws them inlined once: hover
for the details, so the timeline needs no overprinted labels), the delay attribution, the stories
of typical runs, and the manifest with the overrides the results ran with. The report reads
files only; it never runs a simulation.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import OutputError
from sim.outcomes import COLOURS, PRECEDENCE
from sim.present.plotlyjs import bundle_for, mark_traces
from sim.runs.reading import read_frame, read_json, require_columns

TEMPLATE = Path(__file__).with_name("templates") / "report.html.j2"


# --- building blocks ------------------------------------------------------------------------


def esc(value: Any) -> str:
    """Text made safe for HTML."""
    return html.escape(str(value), quote=True)


def table(headers: list[str], rows: list[list[Any]], caption: str = "", table_id: str = "") -> str:
    """An HTML table (every cell escaped)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    ident = f' id="{esc(table_id)}"' if table_id else ""
    return f"<div class='scroll'><table{ident}>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


def figure(fig: Any) -> str:
    """A Plotly figure as a div (the JavaScript is inlined once, in the page's head)."""
    fig.update_layout(template="plotly_white", margin={"l": 60, "r": 20, "t": 50, "b": 50}, font={"size": 12})
    div = fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False, "responsive": True})
    return mark_traces(div, {trace.type for trace in fig.data})


def paragraph(text: str) -> str:
    return f"<p>{esc(text)}</p>"


def _p(x: float) -> str:
    return f"{x:.3f}"


def _ci(ci: list[float]) -> str:
    return f"{ci[0]:.3f} to {ci[1]:.3f}"


def _cell(value: Any) -> str:
    """A table cell: floats to four significant figures, everything else as it is."""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


# --- a run ----------------------------------------------------------------------------------


def run_sections(directory: Path) -> list[tuple[str, str]]:
    """A `sim run` result: outcomes, deadlines, close dates, a timeline, attribution, stories."""
    import plotly.graph_objects as go

    from sim.present.labels import actor_labels
    from sim.present.story import representative_runs, story
    from sim.present.tables import case_meaning
    from sim.runs.store import load_result

    result = load_result(directory)
    s = result.summary
    scenario = result.scenario
    outcomes = s["outcomes"]
    sections = []
    rows = [
        [
            o.value,
            outcomes[o.value]["count"],
            _p(outcomes[o.value]["p"]),
            _ci(outcomes[o.value]["ci95"]),
            case_meaning(o.value, s.get("about", {})),
        ]
        for o in PRECEDENCE
    ]
    bars = go.Figure(
        go.Bar(
            x=[o.value for o in PRECEDENCE],
            y=[outcomes[o.value]["p"] for o in PRECEDENCE],
            marker_color=[COLOURS[o.value] for o in PRECEDENCE],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [outcomes[o.value]["ci95"][1] - outcomes[o.value]["p"] for o in PRECEDENCE],
                "arrayminus": [outcomes[o.value]["p"] - outcomes[o.value]["ci95"][0] for o in PRECEDENCE],
            },
            hovertext=[case_meaning(o.value, s.get("about", {})) for o in PRECEDENCE],
        )
    )
    bars.update_layout(title=f"Outcomes of {s['runs']:,} runs (bars: 95% intervals)", yaxis_title="share of runs")
    sections.append(
        ("Outcomes", table(["outcome", "runs", "P", "95% CI", "meaning"], rows, table_id="outcomes") + figure(bars))
    )
    m = s["metrics"]
    d = m["deadlines"]
    facts = [
        ["first deadline", m["first_deadline"]],
        ["P(closed by the first deadline)", f"{d['closed_by_first']['p']:.3f} ({_ci(d['closed_by_first']['ci95'])})"],
        [
            "P(closed by the last deadline in force)",
            f"{d['closed_by_final']['p']:.3f} ({_ci(d['closed_by_final']['ci95'])})",
        ],
        ["P(closed at all)", f"{m['p_closed']:.3f}"],
        ["median close date", m["close_date"].get("median") or "no close"],
        ["mean extensions", m["extensions"]["mean"]],
        ["P(consent of the home side ever needed)", f"{m['p_licence_required']:.3f}"],
        [
            "winners (share of closes)",
            ", ".join(f"{k} {v:.0%}" for k, v in m["winner"].items() if k != "none") or "none",
        ],
    ]
    sections.append(("Deadlines and headline figures", table(["", ""], facts)))
    sections.append(("When the sale closes", figure(_close_dates(result, go))))
    events = result.events
    if not events.empty:
        top = max(PRECEDENCE, key=lambda o: outcomes[o.value]["count"]).value
        picks = representative_runs(result, top, k=3)
        if picks:
            sections.append(
                (
                    f"One run's timeline (run {picks[0]}, {top})",
                    paragraph("Hover over a bar or a mark for what happened and why; the legend hides a lane.")
                    + figure(_timeline(result, picks[0], actor_labels(scenario), go)),
                )
            )
            told = [story(result, r).splitlines() for r in picks]
            stories = "".join(
                ("<div class='story'>" if i == 0 else f"<details><summary>{esc(lines[0])}</summary><div class='story'>")
                + "".join(paragraph(x) for x in lines if x)
                + ("</div>" if i == 0 else "</div></details>")
                for i, lines in enumerate(told)
            )
            sections.append((f"Typical runs ending {top}, told", stories))
    attribution = s.get("attribution", {})
    if attribution.get("stages"):
        a_rows = []
        for stage, e in attribution["stages"].items():
            late = e["late"]
            ci = late.get("share_decisive_ci95")
            a_rows.append(
                [
                    stage,
                    actor_labels(scenario).get(e["actor"], e["actor"]),
                    f"{late['share_on_path']:.0%}",
                    f"{late['mean_days_added']:.1f}",
                    f"{late['share_decisive']:.0%}" + (f" ({ci[0]:.0%} to {ci[1]:.0%})" if ci else ""),
                ]
            )
        head = (
            f"{attribution['late_runs']} late runs, {attribution['on_time_runs']} on time, "
            f"{attribution['no_deal_runs']} that never chose a deal (counted apart); "
            f"{attribution['late_runs_rerun']} late runs rerun with each stage at its minimum."
        )
        sections.append(
            (
                "Why was the sale late?",
                paragraph(head)
                + table(
                    [
                        "stage",
                        "actor",
                        "on the critical path of late runs",
                        "days added per late run",
                        "decisive (95% CI)",
                    ],
                    a_rows,
                ),
            )
        )
    return sections


def _close_dates(result: Any, go: Any) -> Any:
    scenario = result.scenario
    closes = pd.to_datetime(result.runs["close_date"].dropna()).sort_values()
    n = len(result.runs)
    fig = go.Figure()
    if len(closes):
        fig.add_trace(
            go.Scatter(
                x=closes,
                y=[(i + 1) / n for i in range(len(closes))],
                mode="lines",
                name="closed by then",
                line={"shape": "hv", "color": "#2e7d32"},
            )
        )
    marks = [(scenario.first_deadline, "first deadline")]
    finals = pd.to_datetime(result.runs["deadline_date"].dropna())
    if len(finals):
        marks.append((finals.max().date(), "latest deadline in force"))
    marks += [(e.date, e.note or "election") for e in scenario.events if e.kind == "election"]
    marks.append((scenario.horizon, "horizon"))
    top = min(1.0, max(0.1, 1.2 * len(closes) / max(n, 1)))  # a rare close is still seen
    dashes = ["dot", "dash", "dashdot", "longdash", "longdashdot"]
    for i, (date, label) in enumerate(marks):
        fig.add_trace(
            go.Scatter(
                x=[date, date],
                y=[0, top],
                mode="lines",
                name=f"{label} ({date})",
                hoverinfo="name",
                line={"dash": dashes[i % len(dashes)], "color": "#546e7a", "width": 1.5},
            )
        )
    fig.update_layout(
        title="Share of runs closed by each date",
        yaxis_title="share of runs",
        yaxis_range=[0, top],
        xaxis_range=[str(scenario.start), str(scenario.horizon)],
    )
    return fig


def _timeline(result: Any, run_id: int, labels: dict[str, str], go: Any) -> Any:
    scenario = result.scenario
    start = pd.Timestamp(scenario.start)
    spans = result.spans[result.spans["run_id"] == run_id]
    events = result.events[result.events["run_id"] == run_id]
    actors = list(dict.fromkeys([*spans["actor"], *events["actor"]]))
    fig = go.Figure()
    for actor in actors:
        mine = spans[spans["actor"] == actor]
        if len(mine):
            fig.add_trace(
                go.Bar(
                    base=[start + pd.Timedelta(days=int(d)) for d in mine["start_day"]],
                    x=[
                        max(1, int(e - b)) * 86_400_000 for b, e in zip(mine["start_day"], mine["end_day"], strict=True)
                    ],
                    y=[labels.get(actor, actor)] * len(mine),
                    orientation="h",
                    name=labels.get(actor, actor),
                    hovertext=[
                        f"{s.replace('_', ' ')}: {start.date() + dt.timedelta(days=int(b))} to "
                        f"{start.date() + dt.timedelta(days=int(e))}"
                        for s, b, e in zip(mine["span"], mine["start_day"], mine["end_day"], strict=True)
                    ],
                    hoverinfo="text",
                    opacity=0.75,
                )
            )
        said = events[events["actor"] == actor]
        if len(said):
            fig.add_trace(
                go.Scatter(
                    x=pd.to_datetime(said["date"]),
                    y=[labels.get(actor, actor)] * len(said),
                    mode="markers",
                    marker={"symbol": "diamond", "size": 9, "color": "#263238"},
                    name=f"{labels.get(actor, actor)}: events",
                    hovertext=[
                        f"{d}: {e.replace('_', ' ')}: {t}"
                        for d, e, t in zip(said["date"], said["event"], said["detail"], strict=True)
                    ],
                    hoverinfo="text",
                    showlegend=False,
                )
            )
    fig.add_vline(x=str(scenario.first_deadline), line_dash="dot", line_color="#c62828")
    fig.update_layout(
        barmode="overlay",
        title=f"Run {run_id}: who did what, when (spans and events)",
        xaxis={"type": "date"},
        height=140 + 34 * len(actors),
        legend={"orientation": "h"},
    )
    return fig


# --- the other commands' results ------------------------------------------------------------


def sweep_sections(directory: Path) -> list[tuple[str, str]]:
    """A sweep: robustness per lever setting (a cross design), figures of the outcomes, its points."""
    import plotly.express as px
    import plotly.graph_objects as go

    meta = read_json(directory / "sweep.json")
    points = read_frame(directory / "sweep.csv")
    params = meta["params"]
    paths = [p["path"] for p in params]
    require_columns(directory / "sweep.csv", points, [*paths, *(f"p_{o}" for o in PRECEDENCE)])
    names = {p["path"]: p.get("label") or p["path"] for p in params}
    shown = ["closed_by_deadline", "closed_after_deadline", "blocked_by_host", "blocked_by_home", "terminated"]
    sections = []
    head = paragraph(
        f"{meta['design']} design, {len(points)} points x {meta['runs_per_point']:,} runs, seed {meta['seed']} "
        "(the same at every point: common random numbers)."
    )
    if (directory / "robustness.csv").is_file():
        robust = read_frame(directory / "robustness.csv")
        column = str(robust["outcome"].iloc[0])
        levers = [c for c in robust.columns if c in names]
        setting = [", ".join(f"{names[c]} = {_cell(r[c])}" for c in levers) for _, r in robust.iterrows()]
        fig = go.Figure()
        for policy, label in zip(robust["policy"], setting, strict=True):
            fig.add_trace(
                go.Box(
                    x=points.loc[points["policy"] == policy, column],
                    name=label,
                    boxpoints="all",
                    jitter=0.4,
                    hoverinfo="x",
                )
            )
        fig.update_layout(
            title=f"{column} at each lever setting across the uncertainty sample",
            showlegend=False,
            height=160 + 42 * len(robust),
            xaxis_title=column,
        )
        rows = [
            [label, *(_cell(r[c]) for c in robust.columns[len(levers) + 2 :])]
            for label, (_, r) in zip(setting, robust.iterrows(), strict=True)
        ]
        body = head + paragraph(
            "Each lever setting meets the same sample of uncertainties. Regret: how far below the best setting "
            "at the same uncertainty point a setting falls, at worst."
        )
        body += table(["lever setting", *robust.columns[len(levers) + 2 :]], rows, table_id="robustness")
        sections.append((f"Robustness of each lever setting ({column})", body + figure(fig)))
        head = ""
    numeric = [p for p in paths if pd.api.types.is_numeric_dtype(points[p])]
    figures = ""
    for outcome in ("closed_by_deadline", "closed_after_deadline"):
        y = f"p_{outcome}"
        if len(paths) == 1 and numeric:
            fig = go.Figure(
                [
                    go.Scatter(
                        x=points[paths[0]],
                        y=points[f"hi_{outcome}"],
                        mode="lines",
                        line={"width": 0},
                        showlegend=False,
                        hoverinfo="skip",
                    ),
                    go.Scatter(
                        x=points[paths[0]],
                        y=points[f"lo_{outcome}"],
                        mode="lines",
                        line={"width": 0},
                        fill="tonexty",
                        fillcolor="rgba(46,125,50,0.2)",
                        name="95% interval",
                        hoverinfo="skip",
                    ),
                    go.Scatter(
                        x=points[paths[0]], y=points[y], mode="lines+markers", name=y, line={"color": "#2e7d32"}
                    ),
                ]
            )
            fig.update_layout(xaxis_title=names[paths[0]], yaxis_title=y)
        elif len(paths) == 2 and len(numeric) == 2:
            fig = px.scatter(
                points,
                x=paths[0],
                y=paths[1],
                color=y,
                color_continuous_scale="viridis",
                labels=names,
                range_color=[0, 1],
            )
            fig.update_traces(marker={"size": 14})
        else:
            long = points.melt(id_vars=[y], value_vars=numeric, var_name="parameter")
            long["parameter"] = long["parameter"].map(names)
            fig = px.scatter(
                long, x="value", y=y, facet_col="parameter", facet_col_wrap=3, opacity=0.6, facet_row_spacing=0.12
            )
            fig.update_xaxes(matches=None, showticklabels=True, title_text="")
            fig.for_each_annotation(lambda a: a.update(text=a.text.split("=", 1)[-1]))
            fig.update_layout(height=260 * ((len(numeric) + 2) // 3) + 80)
        fig.update_layout(title=f"P({outcome}) across the design")
        figures += figure(fig)
    sections.append(("What the parameters do", head + figures))
    rows = [
        [*(_cell(r[p]) for p in paths), *(_cell(r[f"p_{o}"]) for o in shown)] for _, r in points.head(100).iterrows()
    ]
    sections.append(
        (
            "Design points",
            table(
                [names[p] for p in paths] + [f"P({o})" for o in shown],
                rows,
                caption=f"first 100 of {len(points)} points; all in sweep.csv" if len(points) > 100 else "all points",
            ),
        )
    )
    return sections


def sensitivity_sections(directory: Path) -> list[tuple[str, str]]:
    """A sensitivity analysis: its indices with their intervals."""
    import plotly.graph_objects as go

    meta = read_json(directory / "sensitivity.json")
    indices = pd.DataFrame(meta["indices"])
    cols = [c for c in indices.columns if c not in ("parameter",)]
    body = paragraph(
        f"{meta['method']} indices of P({meta['outcome']}), {meta['design_points']} points x "
        f"{meta['runs_per_point']} runs; sampling noise explains about {meta['noise_share']} of the variance."
    )
    body += table(cols, indices[cols].values.tolist())
    key = "ST" if meta["method"] == "sobol" else "mu_star"
    fig = go.Figure(
        go.Bar(
            x=indices[key],
            y=indices["label"].where(indices["label"] != "", indices["parameter"]),
            orientation="h",
            error_x={"type": "data", "array": indices[f"{key}_conf"]},
        )
    )
    fig.update_layout(title=f"{key} of each parameter (bars: 95% intervals)", height=200 + 28 * len(indices))
    return [("Sensitivity", body + figure(fig))]


def compare_sections(directory: Path) -> list[tuple[str, str]]:
    """A comparison: every scenario's P with its interval and the paired difference from the first."""
    import plotly.graph_objects as go

    c = read_json(directory / "comparison.json")
    names = list(c["scenarios"])
    rows = []
    for outcome in [*(o.value for o in PRECEDENCE), "closed"]:
        row = [outcome]
        for name in names:
            o = c["scenarios"][name]["outcomes"][outcome]
            cell = f"{o['p']:.3f} ({_ci(o['ci95'])})"
            if "diff" in o:
                cell += f"; {o['diff']:+.3f} ({o['diff_ci95'][0]:+.3f} to {o['diff_ci95'][1]:+.3f})"
            row.append(cell)
        rows.append(row)
    body = paragraph(
        f"{c['runs']:,} paired runs, seed {c['seed']}; differences from {c['reference']} with paired "
        "95% intervals (Newcombe)."
    )
    body += table(["outcome", *names], rows, table_id="comparison")
    fig = go.Figure()
    for name in names[1:]:
        outs = c["scenarios"][name]["outcomes"]
        keys = [o for o in outs if "diff" in outs[o]]
        fig.add_trace(
            go.Scatter(
                x=[outs[k]["diff"] for k in keys],
                y=keys,
                mode="markers",
                name=name,
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [outs[k]["diff_ci95"][1] - outs[k]["diff"] for k in keys],
                    "arrayminus": [outs[k]["diff"] - outs[k]["diff_ci95"][0] for k in keys],
                },
            )
        )
    fig.add_vline(x=0, line_color="#555")
    fig.update_layout(title=f"Paired differences from {c['reference']} (95% intervals)", height=480)
    return [("Comparison", body + figure(fig))]


def backtest_sections(directory: Path) -> list[tuple[str, str]]:
    """A backtest: the observed outcomes' probabilities and scores, and the observed events' dates."""
    b = read_json(directory / "backtest.json")
    rows = [
        [
            h["horizon"],
            h["observed"],
            _p(h["model"]["p_observed"]),
            h["model"]["log_score"],
            h["neutral"]["log_score"],
            h["uniform"]["log_score"],
        ]
        for h in b["horizons"]
    ]
    seq = b["sequence"]
    rows.append(
        [
            "the sequence",
            " then ".join(seq["observed"]),
            _p(seq["model"]["p_observed"]),
            seq["model"]["log_score"],
            seq["neutral"]["log_score"],
            seq["uniform"]["log_score"],
        ]
    )
    sample = b["sample"]
    body = paragraph(
        f"{b['runs']:,} runs, seed {b['seed']}, against the record {b['record']}. "
        + ("In sample: " + sample["why"] if sample["in_sample"] else "Out of sample: " + sample["why"])
        + "."
    )
    body += table(["horizon", "observed", "P(observed)", "log score", "neutral", "uniform"], rows)
    ev = [
        [
            e["date"],
            e["event"],
            e.get("actor") or "",
            f"{e['share']:.0%}",
            e.get("median") or "",
            " to ".join(e["band"]) if e.get("band") else "",
            e.get("percentile") if e.get("percentile") is not None else "",
        ]
        for e in b["events"]
    ]
    body += table(
        ["observed", "event", "actor", "share of runs", "simulated median", "5-95%", "percentile"],
        ev,
        caption="the observed events against the simulated ones",
    )
    return [("Backtest", body)]


def evaluation_sections(directory: Path) -> list[tuple[str, str]]:
    """A case library's evaluation: each case against the baselines, the verdict, the figures."""
    from sim.present.tables import EVALUATION_HEADERS, evaluation_rows, evaluation_verdict

    data = read_json(directory / "evaluation.json")
    body = paragraph(
        f"{data['totals']['cases']} cases, {data['runs']:,} runs each, seed {data['seed']}. Each case is a "
        "scenario written from the facts known at its start and a record of what happened after; lower "
        "scores are better."
    )
    body += table(EVALUATION_HEADERS, evaluation_rows(data))
    body += paragraph(evaluation_verdict(data))
    for name in ("case_scores.png", "pit.png"):
        path = directory / "figures" / name
        if path.is_file():
            data_uri = base64.b64encode(path.read_bytes()).decode()
            body += f'<p><img alt="{name}" src="data:image/png;base64,{data_uri}" style="max-width:100%"></p>'
    events = [
        [e["case"], e["date"], e["event"], f"{e['share']:.0%}", "" if e["percentile"] is None else e["percentile"]]
        for e in data["events"]
    ]
    body += table(
        ["case", "observed", "event", "share of runs", "percentile"],
        events,
        caption="every observed event scored, with its date's percentile among the simulated dates",
    )
    return [("The case library", body)]


def decompose_sections(directory: Path) -> list[tuple[str, str]]:
    """A decomposition: each factor's Shapley share with its interval."""
    import plotly.graph_objects as go

    d = read_json(directory / "decomposition.json")
    body, fig = "", go.Figure()
    for outcome, o in d["outcomes"].items():
        rows = [
            [f, v["meaning"], f"{v['share']:+.3f}", f"{v['ci95'][0]:+.3f} to {v['ci95'][1]:+.3f}"]
            for f, v in o["factors"].items()
        ]
        body += paragraph(
            f"P({outcome}) {o['p_as_is']:.3f} as is, {o['p_all_removed']:.3f} with every obstacle removed."
        )
        body += table(["factor", "meaning", "share", "95% CI"], rows)
        fig.add_trace(go.Bar(name=outcome, x=list(o["factors"]), y=[v["share"] for v in o["factors"].values()]))
    fig.update_layout(barmode="group", title="Shapley shares by factor")
    return [("Whose obstacles?", body + figure(fig))]


def discover_sections(directory: Path) -> list[tuple[str, str]]:
    """A discovery: its boxes in plain words, and PRIM's peeling trajectory."""
    import plotly.graph_objects as go

    d = read_json(directory / "discover.json")
    boxes = ([["PRIM", d["prim"]["sentence"]]] if d["prim"] else []) + [
        [f"CART {i + 1}", b["sentence"]] for i, b in enumerate(d["cart"])
    ]
    body = "".join(f"<p class='warning'>{esc(w)}</p>" for w in d["warnings"])
    body += table(["box", "in plain words"], boxes)
    if (directory / "peeling.csv").is_file() and d["prim"]:
        t = read_frame(directory / "peeling.csv")
        fig = go.Figure(
            go.Scatter(
                x=t["coverage"],
                y=t["density"],
                mode="markers",
                marker={"color": t["res_dim"]},
                hovertext=[f"step {i}: {r} parameters restricted" for i, r in zip(t.index, t["res_dim"], strict=True)],
            )
        )
        fig.update_layout(title="PRIM peeling trajectory", xaxis_title="coverage", yaxis_title="density")
        body += figure(fig)
    return [(f"Where {d['outcome']}", body)]


def calibrate_sections(directory: Path) -> list[tuple[str, str]]:
    """A calibration: the grid's points by log-likelihood, and the best values."""
    c = read_json(directory / "calibration.json")
    grid = read_frame(directory / "calibration.csv").sort_values("log_likelihood", ascending=False)
    body = paragraph(
        f"best values: {', '.join(f'{k}={v}' for k, v in c['best'].items())}; log-likelihood "
        f"{c['log_likelihood']['before']:.2f} before, {c['log_likelihood']['after']:.2f} after."
    )
    return [("Calibration", body + table(list(grid.columns), grid.head(50).values.tolist()))]


KINDS: list[tuple[str, str, Callable[[Path], list[tuple[str, str]]]]] = [
    ("summary.json", "run", run_sections),
    ("sweep.json", "sweep", sweep_sections),
    ("sensitivity.json", "sensitivity analysis", sensitivity_sections),
    ("comparison.json", "comparison", compare_sections),
    ("backtest.json", "backtest", backtest_sections),
    ("decomposition.json", "decomposition", decompose_sections),
    ("evaluation.json", "case library evaluation", evaluation_sections),
    ("discover.json", "scenario discovery", discover_sections),
    ("calibration.json", "calibration", calibrate_sections),
]
"""What a result directory holds (by its main file), and the sections that report it."""


def report_html(directory: str | Path, shown_as: str | Path | None = None) -> str:
    """The report of a result directory as one HTML page (see the module docstring).

    ``shown_as`` is the directory's name in the page (the final one, when it is written while the
    result is assembled elsewhere).
    """
    import jinja2

    directory = Path(directory)
    found = next(((kind, build) for marker, kind, build in KINDS if (directory / marker).is_file()), None)
    if found is None:
        raise OutputError(f"{directory}: not a result directory of sim (no {', '.join(m for m, _, _ in KINDS)})")
    kind, build = found
    manifest = read_json(directory / "manifest.json") if (directory / "manifest.json").is_file() else {}
    sections = build(directory)
    scenario = manifest.get("scenario", {})
    every = [s for s in manifest.get("scenarios", []) if isinstance(s, dict) and "name" in s]
    if len(every) > 1:  # a comparison: every scenario it ran, the first the reference
        names = " vs ".join(s["name"] for s in every)
        ran = [["scenarios", "; ".join(f"{s['name']} ({s.get('file', '?')})" for s in every)]]
    else:
        names = manifest.get("scenario_name", directory.name)
        ran = [["scenario", f"{manifest.get('scenario_name', '?')} ({manifest.get('scenario_file', '?')})"]]
    facts = [
        *ran,
        ["what it asks", scenario.get("description", "")],
        ["overrides", ", ".join(f"{k}={v}" for k, v in manifest.get("overrides", {}).items()) or "none"],
        ["seed, runs", f"{manifest.get('seed', '?')}, {manifest.get('runs', '?')}"],
        ["command", " ".join(manifest.get("command", []))],
        ["when", f"{manifest.get('started', '?')} to {manifest.get('ended', '?')}"],
        ["versions", ", ".join(f"{k} {v}" for k, v in manifest.get("versions", {}).items())],
        ["scenario sha256", manifest.get("scenario_sha256", "")],
    ]
    details = esc(json.dumps(scenario, indent=1, sort_keys=True))
    sections.append(
        (
            "What ran",
            table(["", ""], facts) + f"<details><summary>the resolved scenario</summary><pre>{details}</pre></details>",
        )
    )
    # Plotly names each figure's div by a random UUID: number them instead, so that the same
    # result gives the same page
    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}")
    ids = {u: f"figure-{n}" for n, u in enumerate(dict.fromkeys(uuid.findall("".join(h for _, h in sections))))}
    sections = [(t, uuid.sub(lambda m: ids[m.group(0)], h)) for t, h in sections]
    plotly_js, _ = bundle_for("".join(h for _, h in sections))
    env = jinja2.Environment(autoescape=jinja2.select_autoescape(["html"]), undefined=jinja2.StrictUndefined)
    template = env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    return template.render(
        title=f"{names}: {kind}",
        subtitle=scenario.get("description", ""),
        sections=[
            {"title": t, "html": jinja2.utils.markupsafe.Markup(h), "id": f"s{i}"} for i, (t, h) in enumerate(sections)
        ],
        # the lightest plotly.js that draws the page's figures, none for a page of tables and images
        plotly_js=jinja2.utils.markupsafe.Markup(plotly_js),
        written=manifest.get("ended", "?"),
        directory=str(shown_as or directory),
    )


def write_report(directory: str | Path, path: str | Path | None = None, shown_as: str | Path | None = None) -> Path:
    """Write the report of a result directory (``report.html`` in it by default); returns its path."""
    directory = Path(directory)
    path = Path(path) if path is not None else directory / "report.html"
    text = report_html(directory, shown_as)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
