"""Terminal tables: a run's summary (``sim run``, ``sim show``) and every analysis's.

They print on :func:`terminal`, as wide as the terminal (``COLUMNS``, else 80 when the output is
not a terminal), and read their text through :func:`printable`: a result directory is data, and
whatever it holds reaches the terminal as text, never as escape sequences or Rich markup.
"""

from __future__ import annotations

import re
import sys
from typing import IO, Any

from rich.console import Console
from rich.table import Table

from sim.outcomes import MEANING, Outcome

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(value: Any) -> Any:
    r"""The value with every control character in its strings shown as its code (ESC as ``\x1b``), recursively.

    Tabs and newlines stay; escape sequences, carriage returns and bidirectional overrides from a
    result's files would otherwise act on the terminal.
    """
    if isinstance(value, str):
        return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else "?", value)
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(printable(v) for v in value)
    return value


def terminal(file: IO[str] | None = None) -> Console:
    """The console every table prints on: the terminal's width, no markup, no emoji codes."""
    return Console(file=file or sys.stdout, markup=False, emoji=False, highlight=False)


def unbroken(table: Table, width: int, cap: int = 24) -> Table:
    """``table`` with columns sized so that, ``width`` columns wide, no cell breaks mid-word.

    Rich shares a narrow terminal out by shrinking its widest columns and folds what no longer
    fits ("responsi/ble"). Here each column gets at least its longest word (up to ``cap``), and the
    rest of the width unwraps as many columns as it can, the shortest first (a header may wrap).
    A table that fits as it is, or whose words cannot all fit, is left to Rich.
    """
    from rich.measure import Measurement

    cells = [[str(c.header), *(str(cell) for cell in c.cells)] for c in table.columns]
    words = [min(cap, max((len(w) for cell in col for w in cell.split()), default=1)) for col in cells]
    lines = [max(len(line) for cell in col[1:] or col for line in cell.splitlines() or [""]) for col in cells]
    for column in table.columns:  # the borders and padding: the table's width with empty columns
        column.width = 0
    wide = Console(width=10_000)
    room = width - Measurement.get(wide, wide.options, table).maximum
    for column in table.columns:
        column.width = None
    if sum(lines) <= room or sum(words) > room:
        return table
    need = [max(0, line - word) for line, word in zip(lines, words, strict=True)]
    spare, extra = room - sum(words), [0] * len(need)
    for i in sorted(range(len(need)), key=lambda i: need[i]):  # the most columns on one line each
        extra[i] = min(need[i], spare)
        spare -= extra[i]
    for column, word, more in zip(table.columns, words, extra, strict=True):
        column.width = word + more
    return table


_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)]*)\)")


def markdown_view(text: str, directory: Any = "", width: int = 80) -> list[Any]:
    """A Markdown report (``backtest.md``, ``discover.md``...) as terminal renderables.

    Its tables become Rich tables whose cells wrap between words; the rest is Rich's Markdown;
    an image becomes the path of its file.
    """
    from pathlib import Path

    from rich import box
    from rich.markdown import Markdown

    shown: list[Any] = []
    prose: list[str] = []
    blocks = re.split(r"\n\s*\n", text.strip())
    for block in blocks:
        lines = block.splitlines()
        if not all(line.lstrip().startswith("|") for line in lines):
            prose.append(_IMAGE.sub(lambda m: f"figure: {Path(directory) / m.group(1)}", block))
            continue
        if prose:
            shown.append(Markdown("\n\n".join(prose)))
            prose = []
        cells = [[cell.strip().replace("**", "") for cell in line.strip().strip("|").split("|")] for line in lines]
        header, *rows = cells
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, collapse_padding=True)
        for name in header:
            table.add_column(name, overflow="fold")
        for row in rows:
            if not all(set(cell) <= set("-: ") for cell in row):  # the |---|---| line under the header
                table.add_row(*row)
        shown.append(unbroken(table, width))
    if prose:
        shown.append(Markdown("\n\n".join(prose)))
    return shown


def outcome_table(summary: dict[str, Any], width: int = 120) -> Table:
    """Outcome, count, probability and 95% interval, one row per outcome, with what each means.

    The meaning has a column of its own from 120 columns up, else it goes under the outcome's name.
    """
    from rich.text import Text

    failed = summary.get("failed", {}).get("count", 0)
    runs = f"{summary['runs']:,} runs" + (f" ({failed:,} failed, left out of the shares)" if failed else "")
    title = f"{summary['scenario']}: {runs}, seed {summary['seed']}"
    table = Table(title=title, title_justify="left")
    beside = width >= 120
    table.add_column("outcome", ratio=None if beside else 1)
    table.add_column("runs", justify="right", no_wrap=True)
    table.add_column("p", justify="right", no_wrap=True)
    table.add_column("95% CI", justify="right", no_wrap=True)
    if beside:
        table.add_column("meaning", style="dim")
    for name, row in summary["outcomes"].items():
        lo, hi = row["ci95"]
        meaning = case_meaning(name, summary.get("about", {}))
        numbers = [f"{row['count']:,}", f"{row['p']:.3f}", f"{lo:.3f}-{hi:.3f}"]
        if beside:
            table.add_row(name, *numbers, meaning)
        else:
            table.add_row(Text(name).append(f"\n{meaning}", style="dim") if meaning else name, *numbers)
    return table


_CANNOT = {  # an outcome the case's structure rules out, and why (read from summary["about"])
    "ban_in_force": ("bans", "no ban in this case"),
    "withdrawn": ("bans", "no ban to drive the seller out in this case"),
    "revoked": ("instruments", "no instrument to revoke in this case"),
}


def case_meaning(name: str, about: dict[str, Any]) -> str:
    """What an outcome means, in the case's words.

    A negotiated deal's deadline is its (first) outside date, and an outcome the case cannot
    produce says so (its row stays, with its zero).
    """
    meaning = MEANING.get(Outcome(name), "") if name in Outcome._value2member_map_ else ""
    if about.get("deal", "forced_divestiture") != "forced_divestiture":
        meaning = meaning.replace("the sale closed", "the deal closed")
    if about.get("deadline") == "outside date":
        meaning = meaning.replace("the first deadline", "the first outside date")
    key, why = _CANNOT.get(name, ("", ""))
    if key and about and not about.get(key, True):
        meaning += f" (cannot happen: {why})"
    return meaning


def metrics_lines(summary: dict[str, Any]) -> list[str]:
    """A few headline metrics as plain lines, in the case's own words.

    A negotiated deal's deadline is its outside date; a line about bans or a home government's
    licence is left out where the scenario has none (``summary["about"]``).
    """
    m = summary["metrics"]
    about = summary.get("about", {"deadline": "deadline", "bans": True, "consent": True, "fee": False})
    deadline = about["deadline"]
    closes = m["close_date"].get("n", 0)
    lines = [f"first {deadline} {m['first_deadline']}; closed in {m['p_closed']:.1%} of runs"]
    d = m.get("deadlines")
    if d:
        first, final = d["closed_by_first"], d["closed_by_final"]
        lines.append(
            f"closed by the first {deadline} {first['p']:.1%} ({first['ci95'][0]:.1%}-{first['ci95'][1]:.1%}); "
            f"by the last {deadline} in force after extensions {final['p']:.1%} "
            f"({final['ci95'][0]:.1%}-{final['ci95'][1]:.1%})"
        )
    cd = m["close_date"]
    if cd.get("n"):
        lines.append(f"close date: median {cd['median']} (5-95%: {cd['p05']} to {cd['p95']})")
    late = m["days_past_deadline_if_late"]
    if late.get("n"):
        lines.append(f"closed late: median {late['median']:.0f} days past the first {deadline}")
    decision = _shares(m["deadline_decision"])
    lines.append(f"extensions of the {deadline}: mean {m['extensions']['mean']:.2f}; decision at it {decision}")
    fees = m.get("fees")
    if about.get("fee") and fees:
        paid = fees["bn"]
        money = f"{about.get('currency', '')}{paid['median']:.1f} bn" if paid.get("n") else ""
        lines.append(f"termination fee paid in {fees['p_paid']:.1%} of runs" + (f" ({money})" if money else ""))
    if about["bans"]:
        lines.append(f"a ban bit in {m['ban_days']['p_any']:.1%} of runs (mean {m['ban_days']['mean']:.1f} days)")
    if about["consent"]:
        lines.append(f"the home government's consent needed in {m['p_licence_required']:.1%} of runs")
    if closes:
        lines.append(f"winners (share of the {closes:,} closes) {_shares(m['winner'])}")
    for outcome, held in m.get("held_by", {}).items():
        if outcome in ("terminated", "pending") and held:  # who a deal ran out of time on, or still waits for
            runs = summary["outcomes"][outcome]["count"]
            lines.append(f"{outcome} runs ({runs:,}) still waiting on: {_shares(held)}")
    return lines


def _shares(shares: dict[str, float]) -> str:
    """``oracle 8%, twitter <1%``: a share that rounds to 0 but is not 0 says so."""
    return ", ".join(f"{k} {'<1%' if 0 < v < 0.005 else f'{v:.0%}'}" for k, v in shares.items())


def _value(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def design_table(
    title: str,
    params: list[Any],
    settings: list[list[str]],
    stats: dict[str, list[str]],
    width: int = 80,
    caption: str = "",
) -> Table:
    """Rows of parameter settings with their statistics, laid out to fit ``width`` columns.

    Each parameter a column headed by its label when they fit; by its short key, with the labels
    in the caption, when only keys fit; else one column of ``key=value`` settings per row.
    """
    from sim.scenario.schema import parameter_keys

    keys = list(parameter_keys(list(params)))
    table = Table(title=title, title_justify="left")

    def needed(headers: list[str], columns: list[list[str]]) -> int:
        return 1 + sum(3 + max([len(h), *map(len, c)]) for h, c in zip(headers, columns, strict=True))

    by_param = [list(c) for c in zip(*settings, strict=True)] if settings else [[] for _ in params]
    stat_width = needed(list(stats), list(stats.values())) - 1
    legend = "; ".join(f"{k}: {p.name}" for k, p in zip(keys, params, strict=True))
    labels = [p.name for p in params]
    if max(map(len, labels), default=0) <= 22 and stat_width + needed(labels, by_param) <= width:
        headers, legend = labels, ""
    elif stat_width + needed(keys, by_param) <= width:
        headers = keys
    else:
        headers = None
    if headers is not None:
        for h in headers:
            table.add_column(h, justify="right")
    else:
        table.add_column("settings", overflow="fold", ratio=1)
        table.show_lines = True  # a row of several lines each
    for name in stats:
        table.add_column(name, justify="right", no_wrap=True)
    for i, row in enumerate(settings):
        shown = row if headers is not None else [", ".join(f"{k}={v}" for k, v in zip(keys, row, strict=True))]
        table.add_row(*shown, *(column[i] for column in stats.values()))
    table.caption = " ".join(c for c in (caption, legend) if c)
    table.caption_justify = "left"
    return table


def sweep_table(result: Any, outcome: str, limit: int = 20, width: int = 80) -> Table:
    """A sweep's first design points: the parameter values and P(outcome) with its interval."""
    rows = result.table.head(limit)
    settings = [[_value(row[p.path]) for p in result.params] for _, row in rows.iterrows()]
    stats = {
        f"P({outcome})": [f"{v:.3f}" for v in rows[f"p_{outcome}"]],
        "95% CI": [f"{lo:.3f}-{hi:.3f}" for lo, hi in zip(rows[f"lo_{outcome}"], rows[f"hi_{outcome}"], strict=True)],
    }
    more = f"... {len(result.table) - limit} more points in sweep.csv." if len(result.table) > limit else ""
    title = f"{result.scenario_name}: {result.design} design, {len(result.table)} points x {result.runs:,} runs"
    return design_table(title, list(result.params), settings, stats, width, more)


def robustness_table(robust: Any, result: Any, column: str, width: int = 80) -> Table:
    """A cross sweep's lever settings: how each does across the sample of uncertainties."""
    samples = len(result.table) // max(1, len(robust))
    title = (
        f"{result.scenario_name}: {len(robust)} lever settings x {samples} uncertainty points x "
        f"{result.runs:,} runs; {column} across the uncertainties"
    )
    share = next(c for c in robust.columns if c.startswith("share_at_least_"))
    settings = [[_value(row[p.path]) for p in result.levers] for _, row in robust.iterrows()]
    stats = {
        name.replace("_", " "): [f"{v:.3f}" for v in robust[name]]
        for name in ("mean", "min", "p10", "max", share, "max_regret")
    }
    return design_table(title, list(result.levers), settings, stats, width)


def sensitivity_table(result: Any) -> Table:
    """Sobol indices (first order and total) or Morris effects, each parameter a row, largest first.

    SALib's Sobol estimates can fall below 0 or above 1 when runs are few: such a value is marked
    and said in the caption, not clipped.
    """
    d = result.indices
    sobol = result.method == "sobol"
    d = d.sort_values("ST" if sobol else "mu_star", ascending=False, kind="stable")
    title = (
        f"{result.scenario_name}: {result.method} indices of P({result.outcome}), "
        f"{result.samples} samples x {result.runs:,} runs a point"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("parameter", ratio=1, overflow="fold")
    odd = False

    def share(v: float, conf: float) -> str:
        nonlocal odd
        mark = " *" if v < 0 or v > 1 else ""
        odd = odd or bool(mark)
        return f"{v:.3f} ± {conf:.3f}{mark}"

    if sobol:
        for name in ("first order S1", "total ST"):
            table.add_column(name, justify="right", no_wrap=True)
        for _, r in d.iterrows():
            table.add_row(r["label"], share(r["S1"], r["S1_conf"]), share(r["ST"], r["ST_conf"]))
    else:
        for name in ("mu* (size)", "mu (direction)", "sigma (interactions)"):
            table.add_column(name, justify="right", no_wrap=True)
        for _, r in d.iterrows():
            table.add_row(
                r["label"], f"{r['mu_star']:.3f} ± {r['mu_star_conf']:.3f}", f"{r['mu']:+.3f}", f"{r['sigma']:.3f}"
            )
    notes = ["± is the 95% confidence half-width (SALib's bootstrap)."]
    if odd:
        notes.append("* outside 0 to 1: an estimate that noise has pushed past its range; raise --runs or --samples.")
    table.caption = " ".join(notes)
    table.caption_justify = "left"
    return table


def backtest_markdown(report: dict[str, Any], figures: list[str]) -> str:
    """backtest.md: the backtest as a readable report (the figures linked from figures/)."""
    s = report["scores"]
    lines = [
        f"# Backtest: {report['scenario']} against the record {report['record']}",
        "",
        f"{report['runs']:,} runs, seed {report['seed']}. The scenario's parameters were not tuned to the "
        "record in this backtest. Scores: lower is better; the log score is -ln of the (smoothed) "
        "probability of what was observed.",
        "",
        "## The observed outcomes",
        "",
        "| horizon | observed | P(observed) | log score | Brier | uniform: log / Brier | neutral: log / Brier |",
        "|---|---|---|---|---|---|---|",
    ]
    for h in report["horizons"]:
        m, u, n = h["model"], h["uniform"], h["neutral"]
        lines.append(
            f"| {h['horizon']} | {h['observed']} | {m['p_observed']:.3f} | {m['log_score']:.3f} | "
            f"{m['brier']:.3f} | {u['log_score']:.3f} / {u['brier']:.3f} | "
            f"{n['log_score']:.3f} / {n['brier']:.3f} |"
        )
    waits = [h for h in report["horizons"] if h.get("waiting_on")]
    seq = report["sequence"]
    lines += [
        f"| **the sequence** | {' then '.join(seq['observed'])} | **{seq['model']['p_observed']:.3f}** | "
        f"**{s['model']['log_score']:.3f}** | **{s['model']['brier']:.3f}** | "
        f"{s['uniform']['log_score']:.3f} / {s['uniform']['brier']:.3f} | "
        f"{s['neutral']['log_score']:.3f} / {s['neutral']['brier']:.3f} |",
        "",
        "The sequence of outcomes is scored as one event (a run's horizons are not independent). The uniform "
        f"baseline spreads over the {seq.get('feasible_sequences', '?')} sequences this case can produce"
        + (
            f" (over all {len(report['horizons'][0]['p_all']) ** len(seq['observed']):,} sequences its log score "
            f"would be {s['uniform_all']['log_score']:.3f})."
            if "uniform_all" in s
            else "."
        ),
        "",
    ]
    for h in waits:
        w = h["waiting_on"]
        share = "no run had that outcome" if w["model_share"] is None else f"{w['model_share']:.0%} of them"
        spread = ", ".join(f"{r} {v:.0%}" for r, v in w["model"].items()) or "none"
        lines += [
            f"Waiting on at {h['horizon']} ({h['observed']}): the record names {', '.join(w['observed'])}; "
            f"the model's runs with that outcome waited on it in {share} (on each reviewer: {spread}).",
            "",
        ]
    given = report.get("conditions", [])
    if given:
        lines += [
            f"Not scored: {len(given)} record events are dated inputs of the scenario (conditions, not "
            f"predictions): {'; '.join(given)}.",
            "",
        ]
    sample = report["sample"]
    if sample["in_sample"]:
        lines += [
            f"**In sample**: {sample['why']}"
            + (": " + "; ".join(sample["later_inputs"]) if sample["later_inputs"] else "")
            + ". The scenario uses facts a forecaster would not have had on its as_of date.",
            "",
        ]
    else:
        lines += [f"Out of sample: no dated input after {sample['as_of']}.", ""]
    if sample.get("later_predictions"):
        lines += [
            f"Drawn, not given: {len(sample['later_predictions'])} uncertain dated items after {sample['as_of']} "
            f"(the model draws whether and when they happen): {'; '.join(sample['later_predictions'])}.",
            "",
        ]
    verdict = []
    for base in ("uniform", "neutral"):
        better = s["model"]["log_score"] < s[base]["log_score"]
        verdict.append(f"{'beats' if better else 'does not beat'} the {base} baseline on the sequence's log score")
    lines += [f"The model {verdict[0]} and {verdict[1]}.", ""]
    for h in report["horizons"]:
        top = sorted(h["p_all"].items(), key=lambda kv: -kv[1])[:3]
        lines.append(
            f"- {h['horizon']}: the model's likeliest outcomes were "
            + ", ".join(f"{k} ({v:.1%})" for k, v in top)
            + f"; what happened, {h['observed']}, had {h['p_observed']:.1%}."
        )
    lines += [
        "",
        "## The observed events",
        "",
        "Share of runs in which the event happens (first occurrence), its simulated median and 5-95% band, "
        "and the percentile at which the observed date falls among the runs in which it happens (mid-rank: "
        "a date every run shares sits at 50).",
        "",
        "| observed | event | share | median | 5-95% | percentile |",
        "|---|---|---|---|---|---|",
    ]
    for e in report["events"]:
        name = e["event"] + (f" ({e['match']})" if e["match"] else "") + (f" [{e['actor']}]" if e["actor"] else "")
        name += " (an input: not scored)" if e.get("condition") else ""
        band = f"{e['band'][0]} to {e['band'][1]}" if e["band"] else "never"
        pct = f"{e['percentile']:.0f}" if e["percentile"] is not None else "-"
        lines.append(f"| {e['date']} | {name} | {e['share']:.0%} | {e['median'] or '-'} | {band} | {pct} |")
    lines += ["", "## Figures", ""]
    lines += [f"![{f}](figures/{f})" for f in figures]
    return "\n".join(lines) + "\n"


def comparison_table(comparison: Any) -> Table:
    """Each scenario's probability of each outcome, and its paired difference from the first."""
    ref = comparison.labels[0]
    table = Table(
        title=f"{comparison.runs:,} paired runs, seed {comparison.seed}; differences from {ref}", title_justify="left"
    )
    table.add_column("outcome", no_wrap=True)
    t = comparison.table
    for label in comparison.labels:
        table.add_column(label, justify="right", overflow="fold")
    for quantity in [*t.loc[t["kind"] == "probability", "quantity"].unique()]:
        cells = []
        for label in comparison.labels:
            row = t[(t["scenario"] == label) & (t["quantity"] == quantity)].iloc[0]
            cell = f"{row['value']:.3f}"
            if label != ref:
                cell += f"\n{row['diff']:+.3f} [{row['diff_lo']:+.2f}, {row['diff_hi']:+.2f}]"
            cells.append(cell)
        table.add_row(quantity, *cells)
    table.caption = "Under each p, its paired difference from the first [95% CI]. " + " ".join(
        f"{label}: {comparison.changed(label):,} runs change outcome." for label in comparison.labels[1:]
    )
    table.caption_justify = "left"
    return table


def decomposition_table(decomposition: Any) -> Table:
    """Each factor's Shapley share of each outcome's probability, with its 95% interval."""
    d = decomposition
    table = Table(
        title=f"{d.scenario.name}: whose obstacles, {d.runs:,} paired runs x {2 ** len(d.factors)} combinations, "
        f"seed {d.seed}",
        title_justify="left",
    )
    table.add_column("factor (obstacles removed)")
    outcomes = list(dict.fromkeys(d.table["outcome"]))
    for name in outcomes:
        table.add_column(f"{name}: share (95% CI)", justify="right")
    for factor in d.factors:
        cells = []
        for name in outcomes:
            r = d.table[(d.table["outcome"] == name) & (d.table["factor"] == factor)].iloc[0]
            cells.append(f"{r['share']:+.3f} [{r['lo']:+.3f}, {r['hi']:+.3f}]")
        table.add_row(f"{factor}: {d.table[d.table['factor'] == factor].iloc[0]['meaning']}", *cells)
    ends = []
    for name in outcomes:
        r = d.table[d.table["outcome"] == name].iloc[0]
        ends.append(f"P({name}) {r['p_as_is']:.3f} as is, {r['p_all_removed']:.3f} with every obstacle removed")
    table.caption = "; ".join(ends) + ". Shares add up to the difference."
    return table


def evaluation_rows(data: dict[str, Any]) -> list[list[str]]:
    rows = []
    for c in data["cases"]:
        rows.append(
            [
                c["case"] + (" (in sample)" if c["in_sample"] else ""),
                c["as_of"],
                c["observed"],
                f"{c['p_observed']:.3f}",
                f"{c['log_model']:.2f} / {c['log_neutral']:.2f} / {c['log_uniform']:.2f}",
                f"{c['brier_model']:.2f} / {c['brier_neutral']:.2f} / {c['brier_uniform']:.2f}",
                f"{c['in_band']} of {c['events_scored']}",
                c.get("waiting_on") or "",
            ]
        )
    t = data["totals"]
    rows.append(
        [
            f"all {t['cases']} cases",
            f"{t['out_of_sample']} out of sample",
            "",
            "",
            " / ".join(f"{t['log_score'][m]:.2f}" for m in ("model", "neutral", "uniform")) + " (sums)",
            " / ".join(f"{t['brier'][m]:.2f}" for m in ("model", "neutral", "uniform")) + " (means)",
            f"{t['share_in_band']:.0%}" if t["share_in_band"] is not None else "",
            "",
        ]
    )
    return rows


EVALUATION_HEADERS = [
    "case",
    "as of",
    "observed",
    "P(obs.)",
    "log score (model / neutral / uniform)",
    "Brier (model / neutral / uniform)",
    "dates in 5-95% band",
    "waited on (runs with the outcome that did)",
]


def evaluation_table(data: dict[str, Any], width: int = 120) -> Table:
    """Each case's scores against the baselines, and the library's sums (``evaluation.json``).

    The terminal leaves out whom the deals waited on, and below 120 columns the dates and the
    Brier scores too, so that no cell breaks mid-word (``evaluation.md`` has every column).
    """
    narrow = width < 120
    left_out = {"waited on (runs with the outcome that did)"}
    if narrow:
        left_out |= {"as of", "Brier (model / neutral / uniform)"}
    title = f"{data['totals']['cases']} cases, {data['runs']:,} runs each, seed {data['seed']}: lower scores are better"
    table = Table(
        title=title + ("; the dates and Brier scores are in evaluation.md" if narrow else ""), title_justify="left"
    )
    keep = [i for i, h in enumerate(EVALUATION_HEADERS) if h not in left_out]
    for i in keep:
        table.add_column(EVALUATION_HEADERS[i])
    rows = evaluation_rows(data)
    if narrow:  # the library's row says how many cases were out of sample where the observed outcome goes
        rows[-1][2] = rows[-1][1]
    for row in rows:
        table.add_row(*(row[i] for i in keep))
    table.caption = evaluation_verdict(data)
    return unbroken(table, width)


def evaluation_verdict(data: dict[str, Any]) -> str:
    """What the totals say, in words."""
    t = data["totals"]
    log = t["log_score"]
    pit = t["pit_histogram"]
    top, bottom = sum(pit[-2:]), sum(pit[:2])
    n = sum(pit)
    pace = (
        "observed dates fall late among the simulated ones more often than early: the model's reviews run too fast"
        if top > bottom + 0.1 * n
        else "observed dates fall early among the simulated ones more often than late: the model's reviews run slow"
        if bottom > top + 0.1 * n
        else "observed dates spread across the simulated ones"
    )
    return (
        f"Summed log score {log['model']:.2f} against {log['neutral']:.2f} (every decision a coin toss) and "
        f"{log['uniform']:.2f} (uniform over the sequences each case can produce); the model beats the neutral "
        f"baseline in {t['cases_model_beats_neutral']} of {t['cases']} cases and the uniform one in "
        f"{t['cases_model_beats_uniform']}. Of {t['events_scored']} observed events scored, "
        f"{t['events_never_simulated']} never happen in the model, "
        + (f"{t['share_in_band']:.0%} fall inside the simulated 5-95% band, " if t["share_in_band"] is not None else "")
        + f"{t['share_later_than_band']:.0%} after it and {t['share_earlier_than_band']:.0%} before it; {pace}."
    )


def evaluation_markdown(data: dict[str, Any], figures: list[str]) -> str:
    """evaluation.md: the library's table, its verdict and its figures."""
    lines = [
        "# The case library, backtested",
        "",
        f"{data['totals']['cases']} cases, {data['runs']:,} runs each, seed {data['seed']}, written by `sim evaluate`. "
        "Each case is a scenario written from the facts known at its start (`as_of`) and a record of what "
        "happened after; no parameter was tuned to its record. The sequence of observed outcomes is scored "
        "as one event (log score -ln p, and Brier; lower is better) against the same scenario with every "
        "decision a coin toss (neutral) and a uniform guess over the sequences the case can produce. "
        "Record events that are dated inputs of a scenario are conditions, not scored.",
        "",
        "| " + " | ".join(EVALUATION_HEADERS) + " |",
        "|" + "---|" * len(EVALUATION_HEADERS),
    ]
    lines += ["| " + " | ".join(row) + " |" for row in evaluation_rows(data)]
    lines += ["", evaluation_verdict(data), ""]
    pit = data["totals"]["pit_histogram"]
    lines += [
        "PIT histogram (observed dates' percentiles among the simulated ones, in tenths): "
        + ", ".join(str(c) for c in pit)
        + ".",
        "",
    ]
    lines += [f"![{f}](figures/{f})" for f in figures]
    return "\n".join(lines) + "\n"


def discovery_table(found: Any) -> Table:
    """Scenario discovery's boxes, in plain words, with coverage, density and share of the space."""
    target = found.outcome if found.threshold is None else f"P({found.outcome}) >= {found.threshold:g} at a point"
    table = Table(
        title=f"where {target}: {found.cases:,} cases of {found.rows:,} rows ({found.base_rate:.1%})",
        title_justify="left",
    )
    table.add_column("box", overflow="fold")
    table.add_column("coverage", justify="right")
    table.add_column("density", justify="right")
    table.add_column("space", justify="right")
    boxes = [("PRIM", found.prim)] if found.prim else []
    boxes += [(f"CART {i + 1}", b) for i, b in enumerate(found.cart)]
    for name, box in boxes:
        table.add_row(f"{name}: {box.sentence}", f"{box.coverage:.0%}", f"{box.density:.0%}", f"{box.mass:.0%}")
    if not boxes:
        table.caption = "no box: " + "; ".join(found.warnings)
    return table


def discovery_markdown(found: Any, params: list[Any], sweep: str) -> str:
    """discover.md: the boxes in plain words, their limits, and PRIM's trajectory."""
    labels = {p.path: p.name for p in params}
    target = found.outcome if found.threshold is None else f"P({found.outcome}) reaching {found.threshold:g}"
    lines = [
        f"# Scenario discovery: where {target}",
        "",
        f"Sweep `{sweep}`: {found.rows:,} rows ({'design points' if found.threshold is not None else 'runs'}), "
        f"{found.cases:,} of them cases ({found.base_rate:.1%}); at most {found.highest_point_rate:.1%} at any "
        "design point. PRIM and CART from the EMA Workbench.",
        "",
    ]
    lines += [f"> **Warning**: {w}" for w in found.warnings]
    if found.prim:
        lines += [
            "",
            "## PRIM",
            "",
            f"**{found.prim.sentence}.**",
            "",
            "| parameter | from | to | quasi-p (low side, high side) | in the sentence |",
            "|---|---|---|---|---|",
        ]
        kept = found.prim.significant()
        for path, lim in found.prim.limits.items():
            low, high = (
                (", ".join(sorted(map(str, lim))), "") if isinstance(lim, set) else (f"{lim[0]:.4g}", f"{lim[1]:.4g}")
            )
            qp = (found.prim.quasi_p or {}).get(path, (None, None))
            shown = ", ".join("-" if q is None else f"{q:.2g}" for q in qp)
            word = "yes" if path in kept else "no: not significant (quasi-p 0.05 or more)"
            lines.append(f"| {labels.get(path, path)} (`{path}`) | {low} | {high} | {shown} | {word} |")
        lines += [
            "",
            f"Chosen step {found.chosen} of the peeling trajectory (peeling.csv; figures/peeling.png); the box holds "
            f"{found.prim.points} design points. Quasi-p-values compare the design points inside the box with "
            "those each limit shuts out (a one-sided Welch test on their rates of the outcome).",
        ]
    if found.cart:
        lines += ["", "## CART", ""]
        lines += [f"{i + 1}. {b.sentence}." for i, b in enumerate(found.cart)]
    return "\n".join(lines) + "\n"


# --- sim show on an analysis's directory ----------------------------------------------------

ANALYSES = {  # the file that says what a directory holds: its kind
    "sweep.json": "sweep",
    "comparison.csv": "comparison",
    "sensitivity.json": "sensitivity analysis",
    "decomposition.csv": "decomposition",
    "backtest.md": "backtest",
    "evaluation.json": "case-library evaluation",
    "discover.md": "scenario discovery",
    "calibration.json": "calibration",
}


def calibration_lines(summary: dict[str, Any]) -> list[str]:
    """What `sim calibrate` says of its result (``calibration.json``): the best values, the likelihoods."""
    ll = summary["log_likelihood"]
    return [
        "best values: " + ", ".join(f"{k}={v}" for k, v in summary["best"].items()),
        f"approximate log-likelihood of the record: {ll['before']:.3f} before, {ll['after']:.3f} after",
    ]


def analysis_kind(directory: Any) -> str | None:
    """What kind of analysis a result directory holds (None: none that `sim show` knows)."""
    from pathlib import Path

    return next((kind for name, kind in ANALYSES.items() if (Path(directory) / name).is_file()), None)


def _text_as_text(frame: Any) -> Any:
    """A table read from a result's CSV with every text cell through :func:`printable`."""
    from pandas.api.types import is_string_dtype

    text = [c for c in frame.columns if is_string_dtype(frame[c])]  # object or str columns, in pandas 2 and 3
    return frame.assign(**{c: frame[c].map(printable) for c in text})


def analysis_view(directory: Any, width: int = 80) -> list[Any]:
    """What `sim show` prints of an analysis's directory: its main table, or its Markdown summary.

    Every text read from the directory goes through :func:`printable`.
    """
    from pathlib import Path
    from types import SimpleNamespace

    import pandas as pd

    from sim.outcomes import PRECEDENCE
    from sim.runs.reading import read_frame, read_json, require_columns

    d = Path(directory)
    kind = analysis_kind(d)
    if kind == "sweep":
        from sim.scenario.schema import Parameter

        meta = printable(read_json(d / "sweep.json"))
        table = read_frame(d / "sweep.csv")
        require_columns(d / "sweep.csv", table, [f"p_{o}" for o in PRECEDENCE])
        params = [Parameter(**p) for p in meta["params"] if p["path"] in table.columns]
        result = SimpleNamespace(
            scenario_name=meta["scenario"], design=meta["design"], table=table, runs=meta["runs_per_point"],
            params=params, levers=[p for p in params if p.path in meta.get("levers", [])],
        )  # fmt: skip
        outcome = meta.get("outcome", "closed_by_deadline")  # what the sweep printed (older sweeps: the default)
        if meta["design"] == "cross" and (d / "robustness.csv").is_file():  # as the sweep printed it
            robust = read_frame(d / "robustness.csv")
            return [robustness_table(robust, result, f"p_{outcome}", width=width)]
        return [sweep_table(result, outcome, width=width)]
    if kind == "sensitivity analysis":
        meta = printable(read_json(d / "sensitivity.json"))
        result = SimpleNamespace(
            indices=pd.DataFrame(meta["indices"]), method=meta["method"], scenario_name=meta["scenario"],
            outcome=meta["outcome"], samples=meta["samples"], runs=meta["runs_per_point"],
        )  # fmt: skip
        return [sensitivity_table(result)]
    if kind == "comparison":  # the table `sim compare` printed, from its files
        meta = read_json(d / "comparison.json")
        t = _text_as_text(read_frame(d / "comparison.csv"))
        moves = _text_as_text(read_frame(d / "transitions.csv"))
        moved = moves[moves["reference_outcome"] != moves["outcome"]].groupby("scenario")["runs"].sum()
        comparison = SimpleNamespace(
            labels=list(dict.fromkeys(t["scenario"])), runs=meta["runs"], seed=meta["seed"], table=t,
            changed=lambda label: int(moved.get(label, 0)),
        )  # fmt: skip
        return [comparison_table(comparison)]
    if kind == "decomposition":  # the table `sim decompose` printed, from its files
        meta = printable(read_json(d / "decomposition.json"))
        t = _text_as_text(read_frame(d / "decomposition.csv"))
        decomposition = SimpleNamespace(
            scenario=SimpleNamespace(name=meta["scenario"]), runs=meta["runs"], seed=meta["seed"], table=t,
            factors=list(dict.fromkeys(t["factor"])),
        )  # fmt: skip
        return [decomposition_table(decomposition)]
    if kind == "case-library evaluation":  # the table `sim evaluate` printed, and its verdict
        data = printable(read_json(d / "evaluation.json"))
        return [evaluation_table(data, width)]  # its caption says the verdict
    if kind == "calibration":  # the grid `sim calibrate` scored, best first, and what it printed
        meta = printable(read_json(d / "calibration.json"))
        grid = _text_as_text(read_frame(d / "calibration.csv")).sort_values("log_likelihood", ascending=False)
        table = Table(
            title=f"{meta['scenario']} against the record {meta['record']}: {meta['runs_per_point']:,} runs a point, "
            f"seed {meta['seed']}; approximate log-likelihood, higher is better",
            title_justify="left",
        )
        for column in map(str, grid.columns):  # a parameter by its last two parts, an outcome's share in words
            outcome = re.fullmatch(r"p_(\w+?)_(\d{4}-\d\d-\d\d)", column)
            header = f"P({outcome[1]}) at {outcome[2]}" if outcome else ".".join(column.split(".")[-2:])
            table.add_column(header, justify="right" if outcome or column == "log_likelihood" else "left")
        for row in grid.itertuples(index=False):
            table.add_row(*(f"{v:g}" if isinstance(v, float) else str(v) for v in row))
        return [unbroken(table, width), *calibration_lines(meta)]
    if kind in ("backtest", "scenario discovery"):
        name = next(n for n, k in ANALYSES.items() if k == kind)
        return markdown_view(printable((d / name).read_text()), d, width)
    return []
