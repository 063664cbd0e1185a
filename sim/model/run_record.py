"""What a run leaves behind: its record (one row of ``runs.csv``) and what Mesa's DataCollector reads each day.

Both read a finished (or running) :class:`~sim.model.dealmodel.DealModel`; nothing here changes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.model.dealmodel import DealModel

RUN_COLUMNS = (
    "run_id",
    "seed",
    "outcome",
    "end_date",
    "close_date",
    "days_past_deadline",
    "deadline_date",
    "extensions",
    "deadline_decision",
    "ban_days",
    "winner",
    "structure",
    "price",
    "fee_paid",
    "blessed",
    "licence_required",
    "host_review_days",
    "home_review_days",
    "letter_review_days",
    "licence_review_days",
    "restructures",
    "host_refusals",
    "home_refusals",
    "injunctions",
    "administration_changed",
    "held_by",
    "final_stage",
    "error",
)
"""The per-run record, in column order (``runs.csv``)."""


def make_record(model: DealModel, end: int) -> dict[str, Any]:
    """The run's record, as of its last day ``end``."""
    deal = model.deal
    assert model.outcome is not None, "a record is made once the run has ended"
    closed_day = deal.closed_day
    closed = closed_day is not None
    deadlines = model.deadline_instruments()
    primary = min(deadlines, key=lambda i: i.spec.deadline) if deadlines else None
    last = primary.last_deadline_day if primary is not None else None
    extensions = sum(i.extensions for i in deadlines)
    decision = primary.decision if primary is not None else None
    seller = model.seller
    if primary is None and seller.outside_day is not None:  # a negotiated deal: the outside date is the deadline
        last, extensions = seller.outside_day, seller.outside_extensions
        decision = "terminate" if deal.stage.value == "terminated" else ("extend" if extensions else None)
    agreement = model.deal_scenario.agreement
    fee = agreement.termination_fee if agreement is not None and deal.stage.value == "terminated" else None
    licences = [r for r in model.reviewers.values() if r.spec.kind == "export_licence"]
    return {
        "run_id": model.run_id,
        "seed": model.run_seed,
        "outcome": model.outcome.value,
        "end_date": model.clock.date_of(end),
        "close_date": model.clock.date_of(closed_day) if closed_day is not None else None,
        "days_past_deadline": max(0, closed_day - model.first_deadline_day) if closed_day is not None else None,
        "deadline_date": model.clock.date_of(last) if last is not None else None,
        "extensions": extensions,
        "deadline_decision": decision,
        "ban_days": model.market.value.days_biting(end),
        "winner": deal.bidder if closed else None,
        "structure": deal.structure if closed else None,
        "price": deal.price if closed else None,
        "fee_paid": fee,
        "blessed": deal.blessed,
        "licence_required": any(r.ever_needed for r in model.reviewers.values() if r.side == "home"),
        "host_review_days": _review_days(model, "host"),
        "home_review_days": _review_days(model, "home"),
        "letter_review_days": licences[0].decided_days.get("letter") if licences else None,
        "licence_review_days": licences[0].decided_days.get("licence") if licences else None,
        "restructures": deal.restructures,
        "host_refusals": seller.refusals["host"],
        "home_refusals": seller.refusals["home"],
        "injunctions": sum(c.injunctions for c in model.courts.values()),
        "administration_changed": model.view.new_administration,
        "held_by": None if closed else (",".join(held_by(model)) or None),
        "final_stage": deal.stage.value,
        "error": None,
    }


def held_by(model: DealModel) -> list[str]:
    """The reviewers the deal still waited on when the run ended: needed and not yet approved.

    For a deal that terminated at its outside date, these are the reviewers it ran out of time
    on (a phase 2 still open, a hold, a silence); for one still pending, those it waits for.
    """
    return [rid for rid, r in model.reviewers.items() if r.needed and not r.approved]


def _review_days(model: DealModel, side: str) -> int | None:
    """The longest review of one side that ended in an approval (days from its start)."""
    days = [r.decided_days[rid] for rid, r in model.reviewers.items() if r.side == side and rid in r.decided_days]
    return max(days) if days else None


# --- what the DataCollector reads each day ----------------------------------------------------


def days_to_deadline(model: DealModel) -> int | None:
    """Days from today to the nearest deadline in force (an instrument's or the outside date)."""
    days = [i.deadline_day for i in model.deadline_instruments() if i.deadline_day is not None]
    if model.seller.outside_day is not None and not model.deal.stage.ended:
        days.append(model.seller.outside_day)
    ahead = [d - model.day for d in days if d >= model.day]
    return min(ahead) if ahead else None


def open_reviews(model: DealModel) -> int:
    """Reviewers that have the deal before them and have not approved it."""
    return sum(r.filed and not r.approved and not r.shelved for r in model.reviewers.values())


def bans_biting(model: DealModel) -> int:
    """Ban stages that bite today."""
    return sum(len(a.biting()) for a in model.agencies.values())


def outcome_so_far(model: DealModel) -> str:
    """The outcome, or the outcome if the run stopped today."""
    return (model.outcome or model.outcome_now()).value


DAY_REPORTERS: dict[str, Callable[[DealModel], Any]] = {
    "day": lambda m: m.day,
    "date": lambda m: m.clock.date_of(m.day),
    "stage": lambda m: m.deal.stage.value,
    "open_reviews": open_reviews,
    "bans_biting": bans_biting,
    "value": lambda m: round(m.market.factor(m.day), 4),
    "days_to_deadline": days_to_deadline,
    "outcome": outcome_so_far,
    "close_day": lambda m: m.deal.closed_day,
    "winner": lambda m: m.deal.bidder if m.deal.closed_day is not None else None,
    "price": lambda m: m.deal.price if m.deal.closed_day is not None else None,
}
"""What the DataCollector records of the run each day stepped (and once at the end of a run played at once)."""
