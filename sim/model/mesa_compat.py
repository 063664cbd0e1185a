"""The one place that relies on a private part of Mesa.

``mesa.Model.__init__`` starts a daily tick (``model._default_schedule``) that costs a few
microseconds a day even when nothing happens; an event-driven model stops it, as Mesa's own
discrete-event simulator does (``mesa.experimental.devs.DEVSimulator.setup``). If Mesa renames
or removes it, :func:`stop_daily_tick` fails loudly and ``tests/test_mesa_compat.py`` says so.
"""

from __future__ import annotations

import mesa


def stop_daily_tick(model: mesa.Model) -> None:
    """Stop Mesa's default daily step so time jumps from event to event."""
    try:
        schedule = model._default_schedule
    except AttributeError as exc:  # pragma: no cover - only on a Mesa that changed
        raise RuntimeError(
            f"mesa {mesa.__version__} has no Model._default_schedule; update sim/model/mesa_compat.py"
        ) from exc
    schedule.stop()
