"""The one private part of Mesa we rely on is still there and does what we think."""

from __future__ import annotations

import mesa

from sim.model.mesa_compat import stop_daily_tick


def test_default_schedule_exists_and_stops():
    """Mesa still starts a daily tick we can stop; if this fails, update sim/model/mesa_compat.py."""
    model = mesa.Model(rng=1)
    assert hasattr(model, "_default_schedule"), f"mesa {mesa.__version__} renamed _default_schedule"
    stop_daily_tick(model)
    model.run_until(100)
    assert model.steps == 0
    assert model.time == 100
