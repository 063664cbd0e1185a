"""The deal: its stages, the bids, and the read-only view of it every actor but the seller gets.

A deal moves through :class:`DealStage` (see docs/model.md for the diagram)::

    BIDDING -> EXCLUSIVE_TALKS -> AGREED -> SIGNED -> CLOSED
                     ^               |         |
                     +-- RESTRUCTURING <-------+--(a reviewer rejects)
    ... or ends BLOCKED_HOST, BLOCKED_HOME, ABANDONED or TERMINATED.

A negotiated or completed deal starts SIGNED. The seller owns the deal and is the only actor that
changes it; every other actor reads it through a :class:`DealView`. Reviews run beside the stages,
each reviewer keeping its own state (``sim.model.agents.reviewers``).
"""

from __future__ import annotations

from dataclasses import dataclass
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
    price: float  # in the scenario's currency, bn: implied value of the whole business
    day: int
    value_factor: float = 1.0  # share of the business's value left when the bid was priced


@dataclass(slots=True)
class Deal:
    """The sale as it stands (the seller's).

    ``version`` goes up whenever the terms change (a restructuring): steps scheduled for an older
    version find it stale and stop. Each reviewer keeps what it decided about the current terms.
    """

    stage: DealStage = DealStage.BIDDING
    bidder: str | None = None
    structure: str | None = None
    price: float | None = None
    price_factor: float = 1.0  # share of the business's value left when the price was set
    version: int = 0
    blessed: bool = False
    restructures: int = 0
    # timing (days from the start)
    chosen_day: int | None = None
    agreed_day: int | None = None
    signable_day: int | None = None
    signed_day: int | None = None
    closed_day: int | None = None
    closing_scheduled: bool = False

    def new_terms(
        self, bidder: str | None, structure: str | None, price: float | None, price_factor: float, day: int
    ) -> None:
        """Start new terms (a restructuring; none, back on the market): a new version, signing and closing to come.

        The blessing and the history stay as they were; each reviewer resets its own progress. Going
        back on the market (no bidder) is not counted as a restructuring.
        """
        self.version += 1
        self.restructures += bidder is not None
        self.bidder, self.structure, self.price, self.price_factor = bidder, structure, price, price_factor
        self.chosen_day = day
        self.signed_day = None
        self.closing_scheduled = False


class DealView:
    """The deal as every actor but the seller sees it: read only."""

    __slots__ = ("_deal",)

    def __init__(self, deal: Deal):
        self._deal = deal

    @property
    def stage(self) -> DealStage:
        """Where the sale stands."""
        return self._deal.stage

    @property
    def bidder(self) -> str | None:
        """The chosen buyer, if any."""
        return self._deal.bidder

    @property
    def structure(self) -> str | None:
        """The chosen structure, if any."""
        return self._deal.structure

    @property
    def chosen_bidder(self) -> str:
        """The chosen buyer (for an actor that acts only once a deal is chosen)."""
        if self._deal.bidder is None:
            raise RuntimeError("no deal is chosen yet")
        return self._deal.bidder

    @property
    def chosen_structure(self) -> str:
        """The chosen structure (for an actor that acts only once a deal is chosen)."""
        if self._deal.structure is None:
            raise RuntimeError("no deal is chosen yet")
        return self._deal.structure

    @property
    def price(self) -> float | None:
        """The agreed price, if any."""
        return self._deal.price

    @property
    def version(self) -> int:
        """The version of the terms (up at each restructuring)."""
        return self._deal.version

    @property
    def blessed(self) -> bool:
        """Whether the executive blessed the deal."""
        return self._deal.blessed

    @property
    def chosen_day(self) -> int | None:
        """When the current terms were chosen."""
        return self._deal.chosen_day

    @property
    def agreed_day(self) -> int | None:
        """When the deal was agreed in principle."""
        return self._deal.agreed_day

    @property
    def signed_day(self) -> int | None:
        """When the contract was signed."""
        return self._deal.signed_day

    @property
    def closed_day(self) -> int | None:
        """When the deal closed."""
        return self._deal.closed_day

    @property
    def restructures(self) -> int:
        """How many times the terms changed."""
        return self._deal.restructures
