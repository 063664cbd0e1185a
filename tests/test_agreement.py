"""A negotiated acquisition dies at its outside date: extended while the parties may, then
terminated, and never closed after it."""

from __future__ import annotations

from conftest import SCENARIOS

from sim import load_scenario, run_ensemble
from sim.outcomes import Outcome, RunFacts, classify
from sim.runs.backends import Execution

TIKTOK = SCENARIOS / "tiktok_2020.yaml"
SERIAL = Execution(workers=1)


def agreement(p_extend: float, extensions: int) -> dict:
    return {
        "agreement": {
            "outside_date": "2020-10-15",
            "extensions": {"max": extensions, "days": {"median": 30}},
            "p_extend": p_extend,
            "termination_fee": 2.0,
        }
    }


def test_no_close_after_the_last_outside_date():
    """With no extension, every run that had not closed by 2020-10-15 with a deal in progress ends
    terminated on that day, with its fee logged, and no run closes after it."""
    result = run_ensemble(load_scenario(TIKTOK, agreement(0.0, 0)), runs=300, seed=0, execution=SERIAL)
    runs = result.runs
    assert (runs["close_date"].dropna() <= "2020-10-15").all()
    terminated = runs[runs["outcome"] == "terminated"]
    assert len(terminated) > 30 and (terminated["end_date"] == "2020-10-15").all()
    logged = result.events[result.events["event"] == "terminated"]
    assert logged["detail"].str.contains("US\\$2.0 bn fee").all()


def test_extensions_move_the_end_and_are_bounded():
    """Always extended, twice at most, by 30 days: terminations fall on 2020-12-14, after two
    extensions; closes may come until then."""
    result = run_ensemble(load_scenario(TIKTOK, agreement(1.0, 2)), runs=300, seed=0, execution=SERIAL)
    ext = result.events[result.events["event"] == "outside_date_extended"]
    assert ext.groupby("run_id").size().max() == 2
    terminated = result.runs[result.runs["outcome"] == "terminated"]
    assert len(terminated) > 0 and (terminated["end_date"] == "2020-12-14").all()
    assert (result.runs["close_date"].dropna() <= "2020-12-14").all()


def test_terminated_comes_after_the_governments_blocks_and_before_a_ban():
    common = dict(
        closed_day=None, first_deadline_day=100, mitigated=False, withdrawn=True, revoked=True, deal_in_progress=False
    )
    assert classify(RunFacts(blocked_by="agreement", ban_bites=True, **common)) is Outcome.TERMINATED
    assert classify(RunFacts(blocked_by="home", ban_bites=True, **common)) is Outcome.BLOCKED_BY_HOME


def test_the_outside_date_is_the_first_deadline_without_an_order(minimal):
    scenario = load_scenario(minimal, {**agreement(0.5, 1), "instruments.divestiture_order": None})
    assert "divestiture_order" not in scenario.instruments
    assert scenario.first_deadline.isoformat() == "2020-10-15"
