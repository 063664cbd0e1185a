"""A pool of buyers that arrive over time, beside the named bidders (``bidder_pool``)."""

from __future__ import annotations

import math

from sim.model.agents.base import Actor
from sim.model.moments import BidderArrived
from sim.narrative import EventName


class BidderPool(Actor):
    """Brings a new bidder at the times of a Poisson process, from its own stream.

    Each arrival is a bidder (``pool_1``, ``pool_2``...) with the pool's terms, which the run
    builds and which enters at once: it does due diligence and bids like a named bidder.
    """

    def __init__(self, model, spec):
        super().__init__(model, "pool", spec.label)
        self.spec = spec
        self.opens = self.clock.day_of(spec.opens) if spec.opens else 0
        self.closes = self.clock.day_of(spec.closes) if spec.closes else self.clock.horizon_day
        self.arrived = 0
        if spec.arrivals_per_30_days > 0 and spec.max_bidders > 0:
            self.clock.schedule(self.opens + self.gap(), self.arrive)

    def gap(self) -> int:
        """Days to the next arrival: an exponential wait, rounded up to a whole day."""
        rate = self.spec.arrivals_per_30_days / 30.0
        return max(1, math.ceil(-math.log(1.0 - self.rng.random()) / rate))

    def arrive(self) -> None:
        """A buyer arrives (while the pool is open and the sale is not over)."""
        if self.today > self.closes or self.view.deal.stage.ended:
            return
        self.arrived += 1
        label = f"{self.spec.label} {self.arrived}"
        self.log(EventName.BIDDER_ARRIVES, f"{label} arrives in the market")
        self.announce(BidderArrived(f"pool_{self.arrived}", label))
        if self.arrived < self.spec.max_bidders:
            self.clock.schedule(self.today + self.gap(), self.arrive)
