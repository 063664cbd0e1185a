"""The one place that relies on private parts of Mesa.

Two of them, each with a fallback to the public API if Mesa changes:

``mesa.Model.__init__`` starts a daily tick (``model._default_schedule``) that costs a few
microseconds a day even when nothing happens; an event-driven model stops it, as Mesa's own
discrete-event simulator does (``mesa.experimental.devs.DEVSimulator.setup``). If Mesa renames
or removes it, :func:`stop_daily_tick` warns once and carries on: the tick is harmless to the
results (no agent acts on it), it only makes a run's cost grow with its horizon.
``tests/test_mesa_compat.py`` fails on such a Mesa, so that the shim is updated.

:func:`schedule` adds a :class:`Call` (a Mesa ``Event`` that carries its arguments and holds
its method directly) to the model's event list (``model._event_list``, private):
``Model.schedule_event`` takes no arguments, so each event would need a ``functools.partial`` of
its own, kept alive by hand because Mesa holds callbacks weakly, and it builds the weak reference
twice. If the event list is gone, it falls back to ``schedule_event`` with a partial.
"""

from __future__ import annotations

import heapq
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import mesa
from mesa.time import Event, Priority

_warned = False


def stop_daily_tick(model: mesa.Model) -> None:
    """Stop Mesa's default daily step so time jumps from event to event."""
    global _warned
    schedule = getattr(model, "_default_schedule", None)
    if schedule is None or not hasattr(schedule, "stop"):
        if not _warned:
            _warned = True
            warnings.warn(
                f"mesa {mesa.__version__} has no Model._default_schedule to stop; runs are correct but cost "
                "more with a longer horizon (update sim/model/mesa_compat.py)",
                RuntimeWarning,
                stacklevel=2,
            )
        return
    schedule.stop()


class Call(Event):
    """A Mesa ``Event`` that calls a bound method of the run's own actors with its arguments.

    Before the call it sets ``model.day``, the whole day the event happens on: reading it costs
    less than Mesa's observable ``model.time``, which the actors ask for at every step.

    Mesa's ``Event`` holds its callable by weak reference, so that an event of a removed agent
    does nothing; the run's actors live as long as the run, so this one holds it directly and
    skips making two weak references per event. It keeps every attribute Mesa's ``Event`` has
    (``tests/test_mesa_compat.py`` compares them), so the event list orders, pops and cancels it
    as its own.
    """

    def __init__(
        self, model: mesa.Model, time: int, function: Callable[..., Any], priority: Priority, args: tuple
    ) -> None:
        self.model = model
        self.time = time
        self.priority = int(priority)
        self._canceled = False
        self.fn = function
        self.unique_id = next(Event._ids)
        self.function_args = args
        self.function_kwargs: dict[str, Any] = {}

    def execute(self) -> None:
        """Call the method, unless the event was cancelled, with the model's ``day`` set to its time.

        Then the model delivers what the call announced (``after_event``): reactions run after
        their cause has returned.
        """
        if not self._canceled and self.fn is not None:
            model = self.model
            model.day = self.time
            self.fn(*self.function_args)
            after = getattr(model, "after_event", None)
            if after is not None:  # None: a plain Mesa model (the benchmark's floor), without raising for it
                after()


def schedule(model: mesa.Model, time: int, function: Callable[..., Any], args: tuple, priority: Priority) -> Event:
    """Schedule ``function(*args)`` at ``time``; ``function`` must live as long as the model."""
    events = getattr(model, "_event_list", None)
    if events is None:  # pragma: no cover - only on a Mesa that changed
        call = partial(_on_day, model, time, function, *args)
        model._keep_alive.append(call)
        return model.schedule_event(call, at=time, priority=priority)
    event = Call(model, time, function, priority, args)
    events.add_event(event)
    return event


def drop_scheduled(model: mesa.Model) -> None:
    """Drop the run's own events still scheduled (:class:`Call`): the run has ended and none of them may happen.

    Whatever else is on the model's event list (a user's ``schedule_event`` or recurring recorder)
    stays and runs to the horizon as before.
    """
    events = getattr(model, "_event_list", None)
    if events is not None:
        others = [e for e in events._events if not isinstance(e, Call)]
        if others:
            heapq.heapify(others)
        events._events = others
    else:  # pragma: no cover - only on a Mesa that changed; the run's own check stops them
        model._keep_alive.clear()


def _on_day(model: mesa.Model, time: int, function: Callable[..., Any], *args: Any) -> None:
    model.day = time
    function(*args)
    model.after_event()
