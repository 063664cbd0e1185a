"""The outcomes of a run: one registry entry each, in the precedence that makes them exclusive.

Every run gets exactly one outcome: the first entry of :data:`OUTCOME_KINDS` whose condition holds
for the facts at the run's end (:class:`RunFacts`, read at the horizon or as soon as the outcome
cannot change). Each entry carries everything the rest of the engine needs to show it: its meaning,
a short phrase, its colour (the one colour every figure and report uses) and whether it is a close.
A new outcome is one new entry here (``tests/test_registries.py`` fails on an incomplete one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    """How a run ends, in order of precedence."""

    CLOSED_BY_DEADLINE = "closed_by_deadline"
    CLOSED_AFTER_DEADLINE = "closed_after_deadline"
    MITIGATED = "mitigated"
    BLOCKED_BY_HOST = "blocked_by_host"
    BLOCKED_BY_HOME = "blocked_by_home"
    TERMINATED = "terminated"
    BAN_IN_FORCE = "ban_in_force"
    WITHDRAWN = "withdrawn"
    REVOKED = "revoked"
    PENDING = "pending"
    NO_DEAL = "no_deal"


@dataclass(frozen=True, slots=True)
class RunFacts:
    """What the outcome is read from at a run's end."""

    closed_day: int | None
    first_deadline_day: int
    mitigated: bool  # what closed keeps the business with the seller under a security agreement (no sale)
    blocked_by: str | None  # "host", "home" or "agreement" (terminated), if the sale ended so
    ban_bites: bool
    withdrawn: bool
    revoked: bool  # every instrument forcing the sale is gone (revoked or set aside)
    deal_in_progress: bool


@dataclass(frozen=True, slots=True)
class OutcomeKind:
    """One outcome: what it means, how it is shown, and when it holds."""

    outcome: Outcome
    meaning: str  # a sentence: what a run that ends so looks like
    phrase: str  # a few words for tables and figures ("closed after the deadline")
    colour: str  # hex colour in every figure and report
    is_close: bool  # the sale closed
    holds: Callable[[RunFacts], bool]  # the condition, given that no entry before it holds


def _closed_by(f: RunFacts) -> bool:
    return f.closed_day is not None and not f.mitigated and f.closed_day <= f.first_deadline_day


OUTCOME_KINDS: dict[Outcome, OutcomeKind] = {
    k.outcome: k
    for k in (
        OutcomeKind(
            Outcome.CLOSED_BY_DEADLINE,
            "the sale closed on or before the first deadline",
            "closed by the deadline",
            "#2e7d32",
            True,
            _closed_by,
        ),
        OutcomeKind(
            Outcome.CLOSED_AFTER_DEADLINE,
            "the sale closed after the first deadline, before the horizon",
            "closed after the deadline",
            "#81c784",
            True,
            lambda f: f.closed_day is not None and not f.mitigated,
        ),
        OutcomeKind(
            Outcome.MITIGATED,
            "no sale: the host accepted that the seller keeps the business under a security agreement",
            "kept under a security agreement",
            "#00838f",
            False,
            lambda f: f.closed_day is not None,
        ),
        OutcomeKind(
            Outcome.BLOCKED_BY_HOST,
            "a host government's reviewer or decision blocked the deal for good",
            "blocked by the host",
            "#c62828",
            False,
            lambda f: f.blocked_by == "host",
        ),
        OutcomeKind(
            Outcome.BLOCKED_BY_HOME,
            "the home (or a foreign) government's reviewer refused the deal for good: a denied consent or "
            "licence, a prohibition",
            "blocked by the home side",
            "#ef6c00",
            False,
            lambda f: f.blocked_by == "home",
        ),
        OutcomeKind(
            Outcome.TERMINATED,
            "the agreement terminated (at its outside date, or abandoned) before a close",
            "terminated",
            "#6a1b9a",
            False,
            lambda f: f.blocked_by == "agreement",
        ),
        OutcomeKind(
            Outcome.BAN_IN_FORCE,
            "a ban stage bites at the horizon",
            "a ban in force",
            "#4e342e",
            False,
            lambda f: f.ban_bites,
        ),
        OutcomeKind(
            Outcome.WITHDRAWN,
            "the seller left the host market",
            "the seller left",
            "#757575",
            False,
            lambda f: f.withdrawn,
        ),
        OutcomeKind(
            Outcome.REVOKED,
            "every instrument forcing the sale was revoked or set aside before any close",
            "orders revoked",
            "#1565c0",
            False,
            lambda f: f.revoked,
        ),
        OutcomeKind(
            Outcome.PENDING,
            "none of these, and a chosen deal still awaits talks or approvals at the horizon",
            "pending",
            "#f9a825",
            False,
            lambda f: f.deal_in_progress,
        ),
        OutcomeKind(
            Outcome.NO_DEAL,
            "none of these, and no deal in progress at the horizon (held out, no bids, back on the market)",
            "no deal in progress",
            "#bdbdbd",
            False,
            lambda f: True,
        ),
    )
}
"""Every outcome, in precedence order."""

PRECEDENCE: tuple[Outcome, ...] = tuple(OUTCOME_KINDS)
MEANING: dict[Outcome, str] = {o: k.meaning for o, k in OUTCOME_KINDS.items()}
COLOURS: dict[str, str] = {o.value: k.colour for o, k in OUTCOME_KINDS.items()}
CLOSES: tuple[str, ...] = tuple(o.value for o, k in OUTCOME_KINDS.items() if k.is_close)
"""The outcomes that are closes (``closed`` in analyses means any of them)."""


def classify(facts: RunFacts) -> Outcome:
    """The outcome of a run from the facts at its end: the first entry whose condition holds."""
    return next(o for o, k in OUTCOME_KINDS.items() if k.holds(facts))
