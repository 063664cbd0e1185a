"""Bidders: buyers (with partners) that do due diligence, bid, or drop out."""

from __future__ import annotations

from sim.model.agents.base import Actor
from sim.model.deal import Bid, DealStage
from sim.model.moments import BidderLeft, BidMade, DealAnnounced, MarketMoved, on
from sim.narrative import EventName
from sim.scenario.schema import AnnouncedDeal, meets


class Bidder(Actor):
    """Enters the talks on its date, does due diligence, then bids (or drops out before).

    Its bid offers its structure at a price drawn uniformly from its valuation range, scaled by
    how much of the business's value is left (a ban threat erodes it).
    """

    def __init__(self, model, bidder_id: str, spec, *, enters: bool = True):
        super().__init__(model, bidder_id, spec.label)
        self.spec = spec
        self.entered = False
        self.dropped = False
        self.bid: Bid | None = None
        if enters:
            self.clock.schedule(self.clock.day_of(spec.enters) if spec.enters else 0, self.enter)

    @property
    def active(self) -> bool:
        """Still in the race (not dropped out)."""
        return not self.dropped

    @property
    def pending(self) -> bool:
        """Expected to bid later (not yet bid, not dropped)."""
        return self.bid is None and not self.dropped

    @property
    def state(self) -> str:
        """Not yet in, in due diligence, bid, or dropped out."""
        if self.dropped:
            return "dropped out"
        if self.bid is not None:
            return f"bid {self.view.money(self.bid.price)}"
        return "due diligence" if self.entered else "not yet in"

    def accepts(self, structure_id: str) -> bool:
        """Whether it would do the deal under this structure."""
        if self.spec.requires and not meets(self.spec.requires, self.view.structure(structure_id)):
            return False
        return self.spec.accepts is None or structure_id in self.spec.accepts

    def enter(self) -> None:
        """Enter the talks; decide now (privately) whether it will drop out during diligence."""
        if self.view.deal.stage.ended:
            return
        self.entered = True
        partners = f" with {', '.join(self.spec.partners)}" if getattr(self.spec, "partners", None) else ""
        self.log(
            EventName.BIDDER_ENTERS,
            f"{self.label}{partners} enters talks for {self.view.scenario.market.label}",
        )
        diligence_end = self.days_from_now(self.spec.due_diligence_days)
        if self.chance(self.spec.p_drop_out):
            day = self.today + int(self.rng.integers(0, max(1, diligence_end - self.today) + 1))
            self.clock.schedule(day, self.drop_out)
        else:
            self.clock.schedule(diligence_end, self.submit_bid)

    @on(MarketMoved)
    def consider_return(self, moment: MarketMoved) -> None:
        """A bidder that dropped out may come back when the market moves while no deal is in progress."""
        if self.view.deal.stage is not DealStage.BIDDING:
            return
        if not self.dropped or not self.chance(self.spec.p_return):
            return
        self.dropped = False
        self.bid = None
        self.log(EventName.BIDDER_RETURNS, f"{self.label} comes back to the talks (p={self.spec.p_return:.2f})")
        self.after(self.spec.due_diligence_days, self.submit_bid)

    def drop_out(self) -> None:
        """Walk away before bidding."""
        if self.bid is not None:
            return
        self.dropped = True
        self.log(EventName.BIDDER_DROPS_OUT, f"{self.label} drops out")
        self.announce(BidderLeft(self.actor_id))

    def bid_now(self) -> Bid:
        """Make a bid today: its structure, at a price drawn from its valuation range."""
        v = self.spec.valuation
        factor = self.view.value_factor()
        price = (v.low + (v.high - v.low) * self.rng.random()) * factor
        self.bid = Bid(self.actor_id, self.spec.offers, round(price, 2), self.today, factor)
        return self.bid

    def submit_bid(self) -> None:
        """Due diligence done: bid."""
        if self.dropped or self.bid is not None or self.view.deal.stage.ended:
            return
        bid = self.bid_now()
        self.log(
            EventName.BID, f"{self.label} bids {self.view.money(bid.price)} for a deal structured as {bid.structure}"
        )
        self.announce(BidMade(self.actor_id, bid))

    def announced_deal(self, event: AnnouncedDeal) -> None:
        """A dated announcement names this bidder: it bids now if it has not (the seller takes the deal)."""
        if self.view.deal.stage is not DealStage.BIDDING or not self.active:
            self.announce(DealAnnounced(self.actor_id, None, event.structure, event.note))
            return
        bid = self.bid or self.bid_now()
        self.announce(DealAnnounced(self.actor_id, bid, event.structure, event.note))
