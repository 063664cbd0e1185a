"""The ten outcomes of a run and the precedence that makes them exclusive.

Every run gets exactly one outcome: the first in :data:`PRECEDENCE` whose condition holds when
the run ends (at the horizon, or earlier once the outcome cannot change).
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """How a run ends, in order of precedence."""

    CLOSED_BY_DEADLINE = "closed_by_deadline"
    CLOSED_AFTER_DEADLINE = "closed_after_deadline"
    BLOCKED_BY_HOST = "blocked_by_host"
    BLOCKED_BY_HOME = "blocked_by_home"
    TERMINATED = "terminated"
    BAN_IN_FORCE = "ban_in_force"
    WITHDRAWN = "withdrawn"
    REVOKED = "revoked"
    PENDING = "pending"
    NO_DEAL = "no_deal"


PRECEDENCE: tuple[Outcome, ...] = tuple(Outcome)

MEANING: dict[Outcome, str] = {
    Outcome.CLOSED_BY_DEADLINE: "the sale closed on or before the first deadline",
    Outcome.CLOSED_AFTER_DEADLINE: "the sale closed after the first deadline, before the horizon",
    Outcome.BLOCKED_BY_HOST: "the host regulator or President blocked the deal for good",
    Outcome.BLOCKED_BY_HOME: "the home government denied the export licence for good",
    Outcome.TERMINATED: "the merger agreement terminated at its outside date before a close",
    Outcome.BAN_IN_FORCE: "a ban stage bites at the horizon",
    Outcome.WITHDRAWN: "the seller left the host market",
    Outcome.REVOKED: "the orders forcing the sale were revoked or set aside before any close",
    Outcome.PENDING: "none of these, and a chosen deal still awaits talks or approvals at the horizon",
    Outcome.NO_DEAL: "none of these, and no deal in progress at the horizon (held out, no bids, abandoned)",
}


def classify(
    *,
    closed_day: int | None,
    first_deadline_day: int,
    blocked_by: str | None,
    ban_bites: bool,
    withdrawn: bool,
    revoked: bool,
    deal_in_progress: bool,
) -> Outcome:
    """The outcome of a run from the facts at its end, by :data:`PRECEDENCE`."""
    if closed_day is not None:
        if closed_day <= first_deadline_day:
            return Outcome.CLOSED_BY_DEADLINE
        return Outcome.CLOSED_AFTER_DEADLINE
    if blocked_by == "host":
        return Outcome.BLOCKED_BY_HOST
    if blocked_by == "home":
        return Outcome.BLOCKED_BY_HOME
    if blocked_by == "agreement":
        return Outcome.TERMINATED
    if ban_bites:
        return Outcome.BAN_IN_FORCE
    if withdrawn:
        return Outcome.WITHDRAWN
    if revoked:
        return Outcome.REVOKED
    if deal_in_progress:
        return Outcome.PENDING
    return Outcome.NO_DEAL
