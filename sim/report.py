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
