"""The bridges to Mesa's and the EMA Workbench's tools: scalar parameters, a counting step, per-day data."""

from __future__ import annotations

import datetime as dt

import mesa
import pytest
from conftest import SCENARIOS

from sim import DealModel, load_scenario
from sim.model.dealmodel import DAY_REPORTERS


def test_batch_run_sweeps_a_declared_parameter_one_row_per_value(export_control):
    """`batch_run` over a scalar keyword parameter: one row per value, each as a run at that value."""
    values = [0.0, 1.5, 3.0]
    rows = mesa.batch_run(
        DealModel,
        parameters={"scenario": [export_control], "china_grant": values},
        rng=[11],
        max_steps=1000,
        data_collection_period=-1,
        display_progress=False,
    )
    assert len(rows) == len(values)
    for row, value in zip(sorted(rows, key=lambda r: r["china_grant"]), values, strict=True):
        assert row["china_grant"] == value
        direct = load_scenario(SCENARIOS / "export_control_review.yaml", {"reviewers.china.utility.grant": value})
        model = DealModel(direct, rng=11)
        record = model.run()
        assert row["outcome"] == record["outcome"]
        assert row["close_day"] == model.deal.closed_day
        assert row["price"] == (model.deal.price if model.deal.closed_day is not None else None)


def test_a_keyword_parameter_sets_its_path(export_control):
    model = DealModel(export_control, rng=1, china_grant=2.5, seller_proposes="trusted_partner")
    assert model.deal_scenario.reviewers["china"].utility.grant == 2.5
    assert model.deal_scenario.seller.proposes == ["trusted_partner"]
    assert export_control.reviewers["china"].utility.grant != 2.5  # the scenario given is left alone


def test_an_unknown_keyword_names_the_allowed_ones(export_control):
    with pytest.raises(TypeError) as info:
        DealModel(export_control, rng=1, pace=0.5)
    message = str(info.value)
    assert "pace" in message and "china_grant" in message and "extension_days" in message


def test_a_scenario_path_is_accepted():
    record = DealModel(str(SCENARIOS / "tiktok_2020.yaml"), rng=3).run()
    assert record == DealModel(load_scenario(SCENARIOS / "tiktok_2020.yaml"), rng=3).run()


def test_max_steps_means_days(tiktok):
    """Each step plays one day: after 30 steps the model is at day 30, with 30 rows of data."""
    model = DealModel(tiktok, rng=5)
    for _ in range(30):
        model.step()
    assert model.steps == 30 and model.time == 30 and model.day == 29
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 30
    assert list(frame["day"]) == list(range(30))
    assert set(DAY_REPORTERS) <= set(frame.columns)


def test_stepping_day_by_day_plays_the_same_run_as_run(tiktok):
    """A run stepped to its end is the run played at once: same record, same event log."""
    for seed in (1, 2, 3, 4):
        whole = DealModel(tiktok, rng=seed)
        whole.run()
        stepped = DealModel(tiktok, rng=seed)
        while stepped.running:
            stepped.step()
        assert stepped.record == whole.record
        assert stepped.events == whole.events and stepped.spans == whole.spans
        ended = dt.date.fromisoformat(whole.record["end_date"])
        assert stepped.steps == min((ended - tiktok.start).days, (tiktok.horizon - tiktok.start).days) + 1


def test_the_day_data_follow_the_run(tiktok):
    """The per-day columns move as the run does: the deadline counts down, the outcome is final at the end."""
    model = DealModel(tiktok, rng=2, collect_agents=True)
    while model.running:
        model.step()
    days = model.datacollector.get_model_vars_dataframe()
    assert days["outcome"].iloc[-1] == model.record["outcome"]
    countdown = days["days_to_deadline"].dropna().astype(int).tolist()
    assert countdown[0] > countdown[1]  # one day less each day, until a deadline moves
    assert (days["value"] <= 1.0).all() and (days["value"] >= 0).all()
    assert days["date"].iloc[0] == str(tiktok.start)
    agents = model.datacollector.get_agent_vars_dataframe()
    assert {"actor", "kind", "state"} <= set(agents.columns)
    assert set(agents["actor"]) >= {"cfius", "seller", "executive", "oracle"}
    assert agents["state"].map(type).eq(str).all()


def test_a_run_played_at_once_collects_one_row(tiktok):
    model = DealModel(tiktok, rng=1)
    model.run()
    assert len(model.datacollector.get_model_vars_dataframe()) == 1
