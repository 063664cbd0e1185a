"""A pool of buyers that arrive over time, beside the named bidders (``bidder_pool``)."""

from __future__ import annotations

import math

from sim.model.agents.base import Actor
from sim.model.agents.bidder import Bidder
from sim.narrative import EventName
from sim.scenario.schema import BidderSpec, BidderTerms


class BidderPool(Actor):
    """Brings a new bidder at the times of a Poisson process, from its own stream.

    Each arrival is a :class:`Bidder` (``pool_1``, ``pool_2``...) with the pool's terms, which
    enters at once: it does due diligence and bids like a named bidder.
    """

    def __init__(self, model, spec):
        super().__init__(model, "pool", spec.label)
        self.spec = spec
        scenario = model.deal_scenario
        self.opens = scenario.day(spec.opens) if spec.opens else 0
        self.closes = scenario.day(spec.closes) if spec.closes else model.horizon_day
        self.arrived = 0
        self.terms = {name: getattr(spec, name) for name in BidderTerms.model_fields}
        if spec.arrivals_per_30_days > 0 and spec.max_bidders > 0:
            model.schedule(self.opens + self.gap(), self.arrive)

    def gap(self) -> int:
        """Days to the next arrival: an exponential wait, rounded up to a whole day."""
        rate = self.spec.arrivals_per_30_days / 30.0
        return max(1, math.ceil(-math.log(1.0 - self.rng.random()) / rate))

    def arrive(self) -> None:
        """A buyer arrives (while the pool is open and the sale is not over)."""
        if self.today > self.closes or self.model.deal.stage.ended:
            return
        self.arrived += 1
        bidder_id = f"pool_{self.arrived}"
        spec = BidderSpec(label=f"{self.spec.label} {self.arrived}", **self.terms)
        bidder = Bidder(self.model, bidder_id, spec, enters=False)
        self.model.bidders[bidder_id] = bidder
        self.log(EventName.BIDDER_ARRIVES, f"{spec.label} arrives in the market")
        bidder.enter()
        if self.arrived < self.spec.max_bidders:
            self.model.schedule(self.today + self.gap(), self.arrive)
