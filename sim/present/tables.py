"""Terminal tables for a summary (``sim run`` and ``sim show``)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from sim.outcomes import MEANING, Outcome


def outcome_table(summary: dict[str, Any]) -> Table:
    """Outcome, count, probability and 95% interval, one row per outcome."""
    title = f"{summary['scenario']}: {summary['runs']:,} runs, seed {summary['seed']}"
    table = Table(title=title, title_justify="left")
    table.add_column("outcome")
    table.add_column("runs", justify="right")
    table.add_column("p", justify="right")
    table.add_column("95% CI", justify="right")
    table.add_column("meaning", style="dim")
    for name, row in summary["outcomes"].items():
        lo, hi = row["ci95"]
        table.add_row(
            name,
            f"{row['count']:,}",
            f"{row['p']:.3f}",
            f"{lo:.3f}-{hi:.3f}",
            MEANING[Outcome(name)],
        )
    return table


def metrics_lines(summary: dict[str, Any]) -> list[str]:
    """A few headline metrics as plain lines."""
    m = summary["metrics"]
    lines = [f"first deadline {m['first_deadline']}; closed in {m['p_closed']:.1%} of runs"]
    d = m.get("deadlines")
    if d:
        first, final = d["closed_by_first"], d["closed_by_final"]
        lines.append(
            f"closed by the first deadline {first['p']:.1%} ({first['ci95'][0]:.1%}-{first['ci95'][1]:.1%}); "
            f"by the last deadline in force after extensions {final['p']:.1%} "
            f"({final['ci95'][0]:.1%}-{final['ci95'][1]:.1%})"
        )
    cd = m["close_date"]
    if cd.get("n"):
        lines.append(f"close date: median {cd['median']} (5-95%: {cd['p05']} to {cd['p95']})")
    late = m["days_past_deadline_if_late"]
    if late.get("n"):
        lines.append(f"closed late: median {late['median']:.0f} days past the first deadline")
    lines.append(f"extensions: mean {m['extensions']['mean']:.2f}; deadline decision {_shares(m['deadline_decision'])}")
    lines.append(f"a ban bit in {m['ban_days']['p_any']:.1%} of runs (mean {m['ban_days']['mean']:.1f} days)")
    lines.append(f"licence required in {m['p_licence_required']:.1%} of runs; winners {_shares(m['winner'])}")
    return lines


def _shares(shares: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.0%}" for k, v in shares.items())


def sweep_table(result: Any, outcome: str, limit: int = 20) -> Table:
    """A sweep's first design points: the parameter values and P(outcome) with its interval."""
    table = Table(
        title=f"{result.scenario_name}: {result.design} design, {len(result.table)} points x {result.runs:,} runs",
        title_justify="left",
    )
    for p in result.params:
        table.add_column(p.name, justify="right", overflow="fold", max_width=22)
    table.add_column(f"P({outcome})", justify="right")
    table.add_column("95% CI", justify="right")
    for _, row in result.table.head(limit).iterrows():
        values = [f"{row[p.path]:.4g}" if isinstance(row[p.path], float) else str(row[p.path]) for p in result.params]
        table.add_row(*values, f"{row[f'p_{outcome}']:.3f}", f"{row[f'lo_{outcome}']:.3f}-{row[f'hi_{outcome}']:.3f}")
    if len(result.table) > limit:
        table.caption = f"... {len(result.table) - limit} more points in sweep.csv"
    return table


def robustness_table(robust: Any, result: Any, column: str) -> Table:
    """A cross sweep's lever settings: how each does across the sample of uncertainties."""
    samples = len(result.table) // max(1, len(robust))
    table = Table(
        title=f"{result.scenario_name}: {len(robust)} lever settings x {samples} uncertainty points x "
        f"{result.runs:,} runs; {column} across the uncertainties",
        title_justify="left",
    )
    for p in result.levers:
        table.add_column(p.name, justify="right", overflow="fold", max_width=22)
    share = next(c for c in robust.columns if c.startswith("share_at_least_"))
    for name in ("mean", "min", "p10", "max", share, "max_regret"):
        table.add_column(name.replace("_", " "), justify="right")
    for _, row in robust.iterrows():
        values = [f"{row[p.path]:.4g}" if isinstance(row[p.path], float) else str(row[p.path]) for p in result.levers]
        table.add_row(*values, *(f"{row[c]:.3f}" for c in ("mean", "min", "p10", "max", share, "max_regret")))
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
    seq = report["sequence"]
    lines += [
        f"| **the sequence** | {' then '.join(seq['observed'])} | **{seq['model']['p_observed']:.3f}** | "
        f"**{s['model']['log_score']:.3f}** | **{s['model']['brier']:.3f}** | "
        f"{s['uniform']['log_score']:.3f} / {s['uniform']['brier']:.3f} | "
        f"{s['neutral']['log_score']:.3f} / {s['neutral']['brier']:.3f} |",
        "",
        "The sequence of outcomes is scored as one event (a run's horizons are not independent).",
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
    table.add_column("outcome")
    t = comparison.table
    for label in comparison.labels:
        table.add_column(label, justify="right")
    for quantity in [*t.loc[t["kind"] == "probability", "quantity"].unique()]:
        cells = []
        for label in comparison.labels:
            row = t[(t["scenario"] == label) & (t["quantity"] == quantity)].iloc[0]
            cell = f"{row['value']:.3f}"
            if label != ref:
                cell += f" ({row['diff']:+.3f} [{row['diff_lo']:+.3f}, {row['diff_hi']:+.3f}])"
            cells.append(cell)
        table.add_row(quantity, *cells)
    for label in comparison.labels[1:]:
        table.caption = (table.caption or "") + f"{label}: {comparison.changed(label):,} runs change outcome. "
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
