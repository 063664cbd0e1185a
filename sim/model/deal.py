"""The deal: its stages, the bids, and the state of the approvals it needs.

A deal moves through :class:`DealStage` (see docs/model.md for the diagram)::

    BIDDING -> EXCLUSIVE_TALKS -> AGREED -> SIGNED -> CLOSED
                     ^               |         |
                     +-- RESTRUCTURING <-------+--(a government rejects)
    ... or ends BLOCKED_HOST, BLOCKED_HOME or ABANDONED.

Reviews run beside the stages: the host regulator's from the filing (at the agreement or at
signing), the home government's letter of intent before signing and its licence after.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum


class DealStage(StrEnum):
    """Where the sale stands."""

    BIDDING = "bidding"
    EXCLUSIVE_TALKS = "exclusive_talks"
    AGREED = "agreed_in_principle"
    SIGNED = "signed"
    RESTRUCTURING = "restructuring"
    CLOSED = "closed"
    BLOCKED_HOST = "blocked_by_host"
    BLOCKED_HOME = "blocked_by_home"
    ABANDONED = "abandoned"
    TERMINATED = "terminated"

    @property
    def ended(self) -> bool:
        """Whether the sale process is over."""
        return self in _ENDED

    @property
    def in_progress(self) -> bool:
        """Whether a chosen deal is being negotiated, signed or reviewed."""
        return self in _IN_PROGRESS


_ENDED = {DealStage.CLOSED, DealStage.BLOCKED_HOST, DealStage.BLOCKED_HOME, DealStage.ABANDONED, DealStage.TERMINATED}
_IN_PROGRESS = {
    DealStage.EXCLUSIVE_TALKS,
    DealStage.AGREED,
    DealStage.SIGNED,
    DealStage.RESTRUCTURING,
}


@dataclass(slots=True)
class Bid:
    """A bidder's offer: a structure and an implied value of the business."""

    bidder: str
    structure: str
    price: float  # US$ bn, implied value of the whole business
    day: int
    value_factor: float = 1.0  # share of the business's value left when the bid was priced


@dataclass(slots=True)
class Deal:
    """The sale as it stands, and what each government has decided about it.

    ``version`` goes up whenever the terms change (a restructuring): reviews scheduled for an
    older version find it stale and stop.
    """

    stage: DealStage = DealStage.BIDDING
    bidder: str | None = None
    structure: str | None = None
    price: float | None = None
    price_factor: float = 1.0  # share of the business's value left when the price was set
    version: int = 0
    blessed: bool = False
    restructures: int = 0
    # host regulator
    host_filed: bool = False
    host_approved: bool = False
    host_shelved: bool = False
    mitigation_rounds: int = 0
    # home government
    needs_licence: bool = False
    letter_applied: bool = False
    letter_granted: bool = False
    licence_applied: bool = False
    licence_granted: bool = False
    political_hold: bool = False
    licence_ever: bool = False  # the home government's consent was needed at some point (not reset)
    # timing (days from the start)
    chosen_day: int | None = None
    agreed_day: int | None = None
    signable_day: int | None = None
    signed_day: int | None = None
    closed_day: int | None = None
    closing_scheduled: bool = False
    review_days: dict[str, int] = field(default_factory=dict)

    def new_terms(self, bidder: str, structure: str, price: float, price_factor: float, day: int) -> None:
        """Start new terms (a restructuring): a new version, and every approval to win again.

        The fields in :data:`APPROVALS` go back to their defaults; the blessing, the history
        (days, review durations) and the host regulator's shelving stay as they were.
        """
        self.version += 1
        self.restructures += 1
        self.bidder, self.structure, self.price, self.price_factor = bidder, structure, price, price_factor
        self.chosen_day = day
        for name in APPROVALS:
            setattr(self, name, _DEFAULTS[name])

    def approvals_complete(self) -> bool:
        """Signed, cleared by the host regulator and, if needed, licensed by the home government."""
        return (
            self.stage is DealStage.SIGNED and self.host_approved and (not self.needs_licence or self.licence_granted)
        )


# What new terms reset: each government's progress on the old terms.
APPROVALS = (
    "host_filed",
    "host_approved",
    "mitigation_rounds",
    "needs_licence",
    "letter_applied",
    "letter_granted",
    "licence_applied",
    "licence_granted",
    "political_hold",
    "signed_day",
    "closing_scheduled",
)
_DEFAULTS = {f.name: f.default for f in fields(Deal) if f.name in APPROVALS}
