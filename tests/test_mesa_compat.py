"""The one private part of Mesa we rely on is still there and does what we think."""

from __future__ import annotations

import mesa
import pytest

from sim.model import DealModel, mesa_compat
from sim.model.mesa_compat import stop_daily_tick


def test_default_schedule_exists_and_stops():
    """Mesa still starts a daily tick we can stop; if this fails, update sim/model/mesa_compat.py."""
    model = mesa.Model(rng=1)
    assert hasattr(model, "_default_schedule"), f"mesa {mesa.__version__} renamed _default_schedule"
    stop_daily_tick(model)
    model.run_until(100)
    assert model.steps == 0
    assert model.time == 100


def test_a_renamed_tick_warns_and_the_run_still_works(monkeypatch, export_control):
    """On a Mesa without the private tick the shim warns once and the run gives the same record."""
    expected = DealModel(export_control, rng=5).run()

    monkeypatch.setattr(mesa_compat, "_warned", False)
    model = mesa.Model(rng=1)
    del model._default_schedule
    with pytest.warns(RuntimeWarning, match="no Model._default_schedule"):
        stop_daily_tick(model)
    stop_daily_tick(model)  # once is enough: no second warning (pytest.warns is not active here)
    assert DealModel(export_control, rng=5).run() == expected


def test_mesa_keeps_its_own_scenario_attribute(export_control):
    """Mesa's Model.scenario is Mesa's (SolaraViz checks its type); ours is deal_scenario."""
    from mesa.experimental.scenarios import Scenario as MesaScenario

    model = DealModel(export_control, rng=3)
    assert isinstance(model.scenario, MesaScenario)
    assert model.deal_scenario is export_control


def test_every_actor_draws_from_its_own_streams(export_control):
    """numpy and stdlib streams of an actor depend on (run seed, actor id) only, not on the model's."""
    a, b = DealModel(export_control, rng=11), DealModel(export_control, rng=11)
    b.random.random(), b.rng.random()  # the model's shared streams move; the actors' do not
    b.seller.random.random()  # nor does one actor's draw move another's
    assert a.reviewers["china"].random.random() == b.reviewers["china"].random.random()
    assert a.reviewers["china"].rng.random() == b.reviewers["china"].rng.random()
    assert a.reviewers["china"].random.random() != a.seller.random.random()
    assert a.reviewers["china"].random is a.reviewers["china"].rng and a.reviewers["china"].random is not a.random


def test_call_is_a_mesa_event_in_all_but_its_reference():
    """Call keeps every attribute of Mesa's Event, orders and cancels the same way, and runs."""
    from mesa.time import Event, Priority

    from sim.model.mesa_compat import Call

    class Target:
        def __init__(self):
            self.got = []

        def act(self, *args):
            self.got.append((model.day, *args))

    model, target = mesa.Model(rng=1), Target()
    theirs = Event(5, target.act, Priority.HIGH, function_args=[1, 2])
    ours = Call(model, 5, target.act, Priority.HIGH, (1, 2))
    assert set(vars(ours)) - {"model"} == set(vars(theirs))
    assert theirs < ours  # same time and priority: the earlier id first, as Mesa orders its own
    later = Call(model, 5, target.act, Priority.LOW, ())
    assert ours < later and not later < ours
    ours.execute()
    assert target.got == [(5, 1, 2)]  # model.day is the event's day during the call
    ours.cancel()
    ours.execute()
    assert target.got == [(5, 1, 2)] and ours.CANCELED


def test_no_private_part_of_mesa_is_used_outside_this_shim():
    """Mesa's private names (``model._event_list``, ``_advance_time``...) appear only in sim/model/mesa_compat.py."""
    import re
    from pathlib import Path

    private = re.compile(r"\.(_event_list|_advance_time|_default_schedule|_agents|_all_agents|_steps)\b")
    root = Path(__file__).resolve().parent.parent / "sim"
    found = [
        f"{p.relative_to(root.parent)}:{n}"
        for p in root.rglob("*.py")
        if p.name != "mesa_compat.py"
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if private.search(line)
    ]
    assert not found, found


def test_a_run_s_end_drops_its_own_events_only(export_control):
    """At the run's end the deal's events still scheduled are dropped; an event someone else put on
    the model's list (a recorder, scheduled with Mesa's own API) still happens on its day."""

    class Recorder:
        def __init__(self) -> None:
            self.seen: list[float] = []

        def record(self) -> None:
            self.seen.append(model.time)

    for seed in range(100):  # the first run that ends before its horizon
        model = DealModel(export_control, rng=seed)
        recorder = Recorder()  # Mesa holds the callable weakly: keep it alive
        model.schedule_event(recorder.record, at=model.horizon_day)
        record = model.run()
        if record["end_date"] < export_control.horizon.isoformat():
            break
    assert record["end_date"] < export_control.horizon.isoformat()
    assert recorder.seen == [model.horizon_day]
    assert not any(isinstance(e, mesa_compat.Call) for e in model._event_list._events)
