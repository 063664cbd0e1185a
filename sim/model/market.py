"""The business's value under a ban threat, and whether a ban bites.

It erodes while a ban looms, and faster while one bites. :class:`Market` watches the ban stages:
whenever one takes effect, is enjoined, lifted or suspended, or an instrument ends, it works out
whether a stage bites and announces the change (a ban starting to bite moves the market and is a
host action that may end a political hold).
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import TYPE_CHECKING

from sim.model.moments import (
    BanEnded,
    BanStarted,
    DealClosed,
    HostAction,
    InstrumentEnded,
    MarketMoved,
    Reacting,
    SellerLeft,
    StagesChanged,
    on,
)
from sim.scenario.schema import Market as MarketSpec

if TYPE_CHECKING:
    from sim.model.dealmodel import DealModel


class Threat(StrEnum):
    """How the ban weighs on the business."""

    NONE = "none"
    LOOMING = "looming"
    BITING = "biting"


class ValueClock:
    """Tracks the share of the business's value left, as a function of the day.

    The value falls by ``erosion_looming`` per 30 days while a ban order is in force and by
    ``erosion_biting`` (plus each biting stage's ``severity``) per 30 days while a stage bites.
    """

    def __init__(self, market: MarketSpec):
        self.market = market
        self.threat = Threat.NONE
        self.since = 0
        self._log_rate = 0.0  # log of the value kept per day under the current threat
        self._log_value = 0.0  # log of the share of value left on day `since`
        self.bite_days = 0
        self.loom_days = 0

    def set(self, day: int, threat: Threat, extra_severity: float = 0.0) -> None:
        """From ``day`` on, the business is under ``threat``."""
        self._advance(day)
        self.threat = threat
        if threat is Threat.BITING:
            rate = min(0.999, self.market.erosion_biting + extra_severity)
        elif threat is Threat.LOOMING:
            rate = self.market.erosion_looming
        else:
            rate = 0.0
        self._log_rate = math.log1p(-rate) / 30.0

    def _advance(self, day: int) -> None:
        elapsed = day - self.since
        if elapsed > 0:
            self._log_value += self._log_rate * elapsed
            if self.threat is Threat.BITING:
                self.bite_days += elapsed
            elif self.threat is Threat.LOOMING:
                self.loom_days += elapsed
        self.since = max(self.since, day)

    def factor(self, day: int) -> float:
        """Share of the business's base value left on ``day`` (1.0 with no threat so far)."""
        return math.exp(self._log_value + self._log_rate * max(0, day - self.since))

    def days_biting(self, day: int) -> int:
        """Days a ban stage has bitten up to ``day``."""
        extra = day - self.since if self.threat is Threat.BITING else 0
        return self.bite_days + max(0, extra)


class Market(Reacting):
    """The business: its value clock, and whether a ban bites, recomputed whenever the stages change."""

    def __init__(self, model: DealModel):
        self._m = model
        self.value = ValueClock(model.deal_scenario.market)
        self.ban_bites = False

    def factor(self, day: int) -> float:
        """Share of the business's base value left on ``day``."""
        return self.value.factor(day)

    @on(StagesChanged, InstrumentEnded, DealClosed, SellerLeft)
    def refresh(self, moment: object = None) -> None:
        """Work out whether a ban stage bites, and what that does to the business's value."""
        m = self._m
        today = m.day
        biting = [(agency, sid) for agency in m.agencies.values() for sid in agency.biting()]
        bites = bool(biting)
        if bites:
            severity = sum(agency.stages[sid].severity for agency, sid in biting)
            self.value.set(today, Threat.BITING, severity)
        elif self._looms() and m.deal.closed_day is None and not m.seller.withdrawn:
            self.value.set(today, Threat.LOOMING)
        else:
            self.value.set(today, Threat.NONE)
        if bites and not self.ban_bites:
            self.ban_bites = True
            m.delivery.announce(BanStarted(biting[0][0].actor_id, tuple(sid for _, sid in biting)))
            m.delivery.announce(HostAction("ban_bites"))
            m.delivery.announce(MarketMoved("the ban began to bite"))
        elif not bites and self.ban_bites:
            self.ban_bites = False
            m.delivery.announce(BanEnded())

    def _looms(self) -> bool:
        return any(i.in_force and i.has_stages for i in self._m.instruments.values())
