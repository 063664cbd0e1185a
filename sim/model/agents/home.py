"""The home government's politics: the tension with the host and its public stance, read by its reviewers."""

from __future__ import annotations

from sim.model.moments import TensionChanged
from sim.model.timeline import RunTimeline, Timeline
from sim.narrative import EventName
from sim.scenario.schema import HomeChange, TensionChange


class HomeGovernment:
    """Tension between the two governments and the home public's opposition to the sale (``home``).

    Not an actor of its own: it draws nothing. A ``tension_change`` event moves both (kept in
    0-1) and the reviewers hear of it; a political hold may end at it where the scenario says so.
    A ``home_change`` moves them the same way when a new government takes office.
    """

    actor_id = "home"

    def __init__(self, spec, timeline: RunTimeline, announce):
        self.spec = spec
        self.label = spec.label
        self.tension = spec.tension
        self.stance = spec.stance
        self.timeline = Timeline(timeline, self.actor_id)
        self.announce = announce

    def move(self, tension: float, stance: float) -> float:
        """Move the tension and the stance by these amounts (kept within 0-1); returns the tension's change."""
        before = self.tension
        self.tension = min(1.0, max(0.0, self.tension + tension))
        self.stance = min(1.0, max(0.0, self.stance + stance))
        return self.tension - before

    def change_tension(self, event: TensionChange) -> None:
        """Move the tension and the stance (kept within 0-1)."""
        moved = self.move(event.tension, event.stance)
        note = f": {event.note}" if event.note else ""
        self.timeline.log(
            EventName.TENSION_CHANGE,
            f"sees tension at {self.tension:.2f} and its public stance at {self.stance:.2f}{note}",
        )
        self.announce(TensionChanged(moved))

    def election(self, event: HomeChange, changes: bool) -> None:
        """The change is decided (drawn by the event's handler): say so."""
        if changes:
            detail = f"will change: a new government takes office on {event.takes_office} (p={event.p_change:.2f})"
        else:
            detail = f"stays in office (p={1 - event.p_change:.2f})"
        self.timeline.log(EventName.HOME_CHANGE, detail + (f": {event.note}" if event.note else ""))

    def take_office(self, event: HomeChange) -> None:
        """A new government takes office: the tension and the stance move."""
        moved = self.move(event.tension, event.stance)
        self.timeline.log(
            EventName.HOME_CHANGE,
            f"changes: a new government takes office; tension at {self.tension:.2f}, stance at {self.stance:.2f}",
        )
        self.announce(TensionChanged(moved))
