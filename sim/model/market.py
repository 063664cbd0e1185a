"""The business's value under a ban threat.

It erodes while a ban looms, and faster while one bites.
"""

from __future__ import annotations

import math
from enum import StrEnum

from sim.scenario.schema import Market


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

    def __init__(self, market: Market):
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
