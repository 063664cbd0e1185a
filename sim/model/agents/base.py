"""The base of every actor: an id, a label, its own random stream, and the narrow ports it sees the run through.

An actor never reaches into the run (``DealModel``) itself. It sees:

* ``self.clock``: today, dates, and scheduling its own steps (:class:`~sim.model.view.Clock`);
* ``self.view``: a read-only view of the deal and of what other actors have made public
  (:class:`~sim.model.view.RunView`);
* ``self.timeline``: its own rows of the event log and its stretches of the deal's timeline;
* ``self.announce``: telling the others what it did (:mod:`sim.model.moments`), which they react to
  once its handler has returned.

``tests/test_layers.py`` fails if an actor's module reads ``self.model``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any

import mesa
from mesa.time import Priority

from sim.model.moments import Moment, Reacting
from sim.model.randomness import Stream, WorkCalendar, actor_stream, draw_duration, work_calendar
from sim.model.timeline import Timeline
from sim.scenario.schema import Duration

if TYPE_CHECKING:
    from sim.model.dealmodel import DealModel


class Actor(mesa.Agent, Reacting):
    """An actor of the deal.

    ``self.rng`` is the actor's own stream, keyed by (run seed, actor id), not the model's: one
    actor's draws do not depend on another's parameters or draws. ``self.random`` (which Mesa's
    ``Agent`` would otherwise share with the model) is the same stream.

    Args:
        model: the run (Mesa's agents belong to a model; the actor uses only the ports below).
        actor_id: the id used in the event log (``executive``, ``china``, a bidder's key...).
        label: the name used in the narrative.
    """

    calendar: WorkCalendar | None = None  # working days of this actor's government, if any

    def __init__(self, model: DealModel, actor_id: str, label: str):
        super().__init__(model)
        self.actor_id = actor_id
        self.label = label
        ports = model.ports
        self.clock = ports.clock
        self.view = ports.view
        self.timeline = Timeline(ports.timeline, actor_id)
        self.log = self.timeline.log  # a row of the event log in this actor's name
        self.announce: Callable[[Moment], None] = ports.announce
        self._seed = ports.seed

    def count_working_days(self, kind: str, holidays: Iterable[dt.date] = ()) -> None:
        """Count this actor's working days by a government's ``calendar`` (``weekdays``, ``us_federal``, ``prc``)."""
        self.calendar = work_calendar(self.view.scenario.start, kind, tuple(holidays))

    @cached_property
    def rng(self) -> Stream:
        """The actor's own random stream (created on first use; then a plain attribute)."""
        return actor_stream(self._seed, self.actor_id)

    @property
    def random(self) -> Stream:
        """The actor's own stream, the same as ``rng`` (not Mesa's stream shared with the model)."""
        return self.rng

    @property
    def state(self) -> str:
        """What the actor is doing today, in a few words (the dashboard's agent reporter)."""
        return ""

    @property
    def today(self) -> int:
        """The current day (days from the scenario's start)."""
        return self.clock.today

    def chance(self, p: float) -> bool:
        """True with probability ``p`` (always one draw)."""
        return self.rng.random() < p

    def happens(self, p: float) -> bool:
        """True with probability ``p``, drawing only when it is uncertain (0 < p < 1).

        For choices added to the model after others: set to certainty, they change no other draw
        of the actor, so scenarios that do not use them play exactly as before.
        """
        if p >= 1:
            return True
        if p <= 0:
            return False
        return self.rng.random() < p

    def days_from_now(self, duration: Duration, start: int | None = None) -> int:
        """The day on which a random ``duration`` drawn now ends, counted from today (or from day ``start``)."""
        return self.day_after(draw_duration(self.rng, duration), duration.unit, start)

    def day_after(self, n: int, unit: str, start: int | None = None) -> int:
        """The day ``n`` days (or this actor's working days) after today (or after day ``start``)."""
        day = self.today if start is None else start
        if unit == "working_days":
            calendar = self.calendar or self.clock.weekdays
            return calendar.add(day, n)
        return day + n

    def after(
        self,
        duration: Duration,
        action: Callable[..., Any],
        *args: Any,
        priority: Priority = Priority.DEFAULT,
    ) -> int:
        """Schedule ``action(*args)`` once a random ``duration`` has passed; returns the day."""
        day = self.days_from_now(duration)
        self.clock.schedule(day, action, *args, priority=priority)
        return day
