"""The one place that relies on a private part of Mesa.

``mesa.Model.__init__`` starts a daily tick (``model._default_schedule``) that costs a few
microseconds a day even when nothing happens; an event-driven model stops it, as Mesa's own
discrete-event simulator does (``mesa.experimental.devs.DEVSimulator.setup``). If Mesa renames
or removes it, :func:`stop_daily_tick` warns once and carries on: the tick is harmless to the
results (no agent acts on it), it only makes a run's cost grow with its horizon.
``tests/test_mesa_compat.py`` fails on such a Mesa, so that the shim is updated.
"""

from __future__ import annotations

import warnings

import mesa

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
