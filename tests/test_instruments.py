"""Instruments as the law has them: a statute's ban date, extensions on conditions, enforcement
pauses by the decider the scenario names, exclusive jurisdiction, and appeal chains up to a court
that may decline the case (tiktok-2020-record.md, section C: the 2024 act)."""

from __future__ import annotations

import pytest
from conftest import ROOT, SCENARIOS

from sim import load_scenario, run_ensemble
from sim.errors import ScenarioError
from sim.runs.backends import Execution

LAW = ROOT / "tests" / "data" / "law.yaml"
ECR = SCENARIOS / "export_control_review.yaml"
SERIAL = Execution(workers=1)


def ensemble(path=LAW, runs=300, **overrides):
    return run_ensemble(load_scenario(path, overrides), runs=runs, seed=0, execution=SERIAL)


def first_day(events, event, actor=None):
    rows = events[(events["event"] == event) & ((events["actor"] == actor) if actor else True)]
    return rows.groupby("run_id")["day"].min()


# --- a law's ban date ----------------------------------------------------------------------


def test_a_law_bites_at_its_ban_date_when_enforced_and_never_while_unenforced():
    """Always enforced, with no extension: in every run not closed by 2025-01-19 the prohibition
    is due that day (unless enjoined). Never enforced: it never bites, it is suspended instead."""
    quiet = {"instruments.act.extensions.max": 0, "courts.dccir.p_challenge": 0.0}
    enforced = ensemble(**quiet, **{"instruments.act.enforcement.base": 50})
    due = enforced.events[enforced.events["event"] == "stage_due"]
    unclosed = enforced.runs[enforced.runs["close_date"].isna() | (enforced.runs["close_date"] > "2025-01-19")]
    assert len(unclosed) > 100 and set(unclosed["run_id"]) <= set(due["run_id"])
    assert (due["date"] == "2025-01-19").all() and (due["actor"] == "doj").all()
    assert (enforced.runs["ban_days"] > 0).mean() > 0.3
    unenforced = ensemble(
        **quiet, **{"instruments.act.enforcement.base": -50, "instruments.act.enforcement.max_pauses": 0}
    )
    assert (unenforced.runs["ban_days"] == 0).all()
    assert (unenforced.events["event"] == "stage_suspended").sum() > 100


def test_an_extension_on_conditions_needs_a_signed_deal():
    """The act allows one extension only with binding agreements: certain to extend when allowed,
    it extends exactly the runs with a signed deal at the ban date, by at most 90 days."""
    result = ensemble(**{"instruments.act.extensions.base": 50, "courts.dccir.p_challenge": 0.0})
    events = result.events
    ban_date = result.scenario.day(result.scenario.first_deadline)
    at_deadline = set(events[(events["event"] == "deadline") & (events["day"] == ban_date)]["run_id"])
    signed = first_day(events, "signed", "seller")
    signed_before = set(signed[signed <= ban_date].index)
    extended = set(events[events["event"] == "extension"]["run_id"])
    assert extended and extended <= at_deadline & signed_before
    assert at_deadline - signed_before and not (at_deadline - signed_before) & extended
    assert result.runs["extensions"].max() == 1
    assert (result.runs.loc[result.runs["extensions"] == 1, "deadline_date"] <= "2025-04-19").all()


def test_enforcement_pauses_are_the_decider_s_and_repeat_up_to_their_number():
    result = ensemble(**{"instruments.act.extensions.max": 0, "instruments.act.enforcement.base": -50})
    pauses = result.events[result.events["event"] == "non_enforcement"]
    assert (pauses["actor"] == "executive").all()
    per_run = pauses[pauses["detail"].str.contains("pauses enforcement")].groupby("run_id").size()
    assert per_run.max() == 3 and (per_run == 3).mean() > 0.5


def test_the_executive_cannot_revoke_a_law():
    with pytest.raises(ScenarioError, match=r"executive.new_administration.revokes.*'act' is a law"):
        load_scenario(LAW, {"executive.new_administration.revokes": ["act"]})


# --- exclusive jurisdiction ----------------------------------------------------------------


def test_a_law_s_exclusive_court_is_the_only_one_that_hears_it(write):
    child = write(
        "two_courts.yaml",
        f"""\
        extends: {LAW}
        name: two_courts
        courts:
          ddc: {{label: D.D.C., plaintiff: users, hears: act, p_challenge: 0.5, p_slow: 0.1, p_enjoin: 0.5, agreement: 0.5}}
        """,
    )
    with pytest.raises(ScenarioError, match=r"courts.ddc.hears.*exclusive jurisdiction to 'dccir'"):
        load_scenario(child)


def test_challenges_are_filed_within_the_law_s_window():
    """However slow the plaintiff, its petition is filed by day 165 after enactment."""
    result = ensemble(**{"courts.dccir.filing_days": {"median": 400}})
    filed = result.events[result.events["event"] == "challenge_filed"]
    assert len(filed) == 300 and (filed["day"] == 165).all()


# --- appeal chains -------------------------------------------------------------------------


def test_a_supreme_court_that_takes_the_case_and_reverses_sets_the_law_aside():
    """The circuit upholds the act; the plaintiff goes up; the Supreme Court takes the case and
    reverses: the act is set aside (and with nothing else forcing the sale, the run ends revoked)."""
    result = ensemble(
        **{
            "courts.dccir.p_enjoin": 0.0,
            "courts.dccir.appeals.supreme_court.p_cert": 1.0,
            "courts.dccir.appeals.supreme_court.p_reverses": 1.0,
        }
    )
    events = result.events
    upheld = set(events[events["event"] == "order_upheld"]["run_id"])
    aside = events[events["event"] == "order_set_aside"]
    assert len(upheld) > 250 and set(aside["run_id"]) == upheld
    assert aside["detail"].str.startswith("Supreme Court sets the Act aside").all()
    assert (
        result.runs.set_index("run_id").loc[list(upheld), "outcome"].isin(["revoked", "closed_after_deadline"])
    ).all()


def test_a_court_that_declines_the_case_leaves_the_ruling_below():
    result = ensemble(**{"courts.dccir.p_enjoin": 0.0, "courts.dccir.appeals.supreme_court.p_cert": 0.0})
    events = result.events
    assert (events["event"] == "cert_denied").sum() > 250
    assert not (events["event"] == "order_set_aside").any()


def test_a_denial_reversed_on_appeal_enjoins_the_stage():
    """District courts always deny; users always appeal and the circuit always reverses, 5 days
    later: every stage challenged is enjoined on appeal, and only there."""
    overrides = {}
    for court in ("ddc", "edpa"):
        overrides.update(
            {
                f"courts.{court}.p_challenge": 1.0,
                f"courts.{court}.p_enjoin": 0.0,
                f"courts.{court}.appeals.circuit.plaintiff_appeals": 1.0,
                f"courts.{court}.appeals.circuit.p_reverses": 1.0,
                f"courts.{court}.appeals.circuit.days": {"median": 5},
            }
        )
    result = ensemble(ECR, runs=200, **overrides)
    events = result.events
    denied = events[events["event"] == "injunction_denied"]
    enjoined = events[events["event"] == "injunction"]
    assert len(denied) > 100 and enjoined["detail"].str.contains("reverses").all()
    pairs = denied.merge(enjoined, on=["run_id", "actor"], suffixes=("_denied", "_enjoined"))
    assert ((pairs["day_enjoined"] - pairs["day_denied"]) == 5).any()
    filed_up = events[events["event"] == "appeal_filed"]
    assert filed_up["detail"].str.contains("The plaintiff appeals").all()


def test_a_deadline_that_runs_from_a_date_drawn_in_a_window_moves_with_it():
    """An order issued on a day drawn in a 30-day window, its deadline 90 days on: each run's order
    names its own deadline, 90 days after the day it was issued, and closed_by_deadline means a close
    by that run's deadline, not the window's first."""
    import datetime as dt

    from conftest import SCENARIOS

    from sim import load_scenario, run_ensemble
    from sim.runs.backends import Execution

    window = {
        "instruments.divestiture_order.date": {"between": ["2020-08-14", "2020-09-13"]},
        "instruments.divestiture_order.deadline": None,
        "instruments.divestiture_order.deadline_days": 90,
    }
    scenario = load_scenario(SCENARIOS / "tiktok_2020.yaml", window)
    assert scenario.instruments["divestiture_order"].deadline == dt.date(2020, 11, 12)  # the window's first day's
    result = run_ensemble(scenario, runs=200, seed=0, execution=Execution(workers=1))
    orders = result.events[result.events["event"] == "divestiture_order"]
    assert len(orders) == 200
    deadlines = {}
    for _, row in orders.iterrows():
        issued = dt.date.fromisoformat(row["date"])
        named = dt.date.fromisoformat(row["detail"].split("orders the sale by ")[1][:10])
        assert named - issued == dt.timedelta(days=90)
        deadlines[row["run_id"]] = named
    assert len(set(deadlines.values())) > 10  # the deadline moved with the day drawn
    closed = result.runs.dropna(subset=["close_date"])
    assert len(closed) > 20
    for _, run in closed.iterrows():
        by = dt.date.fromisoformat(run["close_date"]) <= deadlines[run["run_id"]]
        assert run["outcome"] == ("closed_by_deadline" if by else "closed_after_deadline")


def test_a_ban_stage_announced_within_days_of_a_ban_drawn_in_a_window():
    """A ban issued on a day drawn in a 20-day window whose app-store stage is announced 20-45
    days after it and takes effect 1-7 days after that ("within 45 days", not a known date): in
    every run the stage follows its own ban's day by those delays, challenges to it follow its
    announcement, and the backtest counts the stage as a prediction, not an input. A stage with
    both a date and a delay, or neither, is refused."""
    import datetime as dt

    from sim.analysis.backtest import sample_check, scenario_inputs

    relative = {
        "instruments.ban_order.date": {"between": ["2020-08-06", "2020-08-25"]},
        "instruments.ban_order.stages.app_store.announced": None,
        "instruments.ban_order.stages.app_store.announced_days": {"median": 30, "p90": 42, "min": 20, "max": 45},
        "instruments.ban_order.stages.app_store.effective": None,
        "instruments.ban_order.stages.app_store.effective_days": {"median": 2, "min": 1, "max": 7},
        "as_of": "2020-08-01",
    }
    scenario = load_scenario(SCENARIOS / "export_control_review.yaml", relative)
    result = run_ensemble(scenario, runs=200, seed=0, execution=Execution(workers=1))
    events = result.events
    bans = events[events["event"] == "ban_order"].set_index("run_id")["day"]
    stage = events[(events["event"] == "stage_announced") & events["detail"].str.contains("app_store")]
    assert len(bans) == 200 and stage["run_id"].nunique() == 200 and bans.nunique() > 10
    start = scenario.start
    for _, row in stage.iterrows():
        assert 20 <= row["day"] - bans[row["run_id"]] <= 45
        effective = dt.date.fromisoformat(row["detail"].rsplit("from ", 1)[1][:10])
        assert 1 <= (effective - start).days - row["day"] <= 7
    challenges = events[(events["event"] == "challenge_filed") & events["detail"].str.contains("app_store")]
    announced = stage.set_index("run_id")["day"]
    assert len(challenges) > 100 and (challenges["day"].to_numpy() >= announced[challenges["run_id"]].to_numpy()).all()
    assert ("stage_announced", None) not in scenario_inputs(scenario)
    assert not any("app_store" in later for later in sample_check(scenario)["later_inputs"])
    for both in ({"instruments.ban_order.stages.app_store.announced_days": {"median": 30}}, relative | {
        "instruments.ban_order.stages.app_store.announced_days": None}):  # fmt: skip
        with pytest.raises(ScenarioError, match="announced"):
            load_scenario(SCENARIOS / "export_control_review.yaml", both)


# --- what counts as progress for a postponement --------------------------------------------


@pytest.mark.parametrize("progress", ["talks", "agreement", "blessing"])
def test_a_stage_is_postponed_only_for_the_progress_the_ban_names(progress):
    """The agency postpones whenever the deal progresses (p 1) and never otherwise (p 0): with
    `blessing` every postponement follows a blessing in its run, with `agreement` an agreement in
    principle, and with `talks` some come in exclusive talks before either."""
    result = ensemble(
        ECR,
        **{
            "instruments.ban_order.postpone.p_if_deal_progressing": 1.0,
            "instruments.ban_order.postpone.p_otherwise": 0.0,
            "instruments.ban_order.postpone.progress": progress,
            "instruments.ban_order.postpone.stages": None,
        },
    )
    events = result.events
    postponed = first_day(events, "stage_postponed")
    assert len(postponed) > 20
    before = {}  # postponements with no such event in their run on or before the day
    for name in ("blessing", "agreement_in_principle"):
        first = first_day(events, name)
        before[name] = sum(1 for run, day in postponed.items() if not first.get(run, 10**6) <= day)
    # never a stage a court enjoins (and no appeal has lifted), whatever counts as progress
    for _, run in events.groupby("run_id"):
        standing: set[tuple[str, str]] = set()  # (court, stage)
        for row in run.itertuples():
            stage = next((w for w in ("app_store", "full_service") if w in row.detail), None)
            if row.event == "injunction" and stage:
                standing.add((row.actor, stage))
            elif row.event == "injunction_lifted" and stage:
                standing = {(c, st) for c, st in standing if st != stage or c not in row.detail}
            elif row.event == "stage_postponed":
                assert not any(st == stage for _, st in standing), (row.run_id, row.date, row.detail)
    if progress == "blessing":
        assert before["blessing"] == 0
    elif progress == "agreement":
        assert before["agreement_in_principle"] == 0 and before["blessing"] > 0
    else:
        assert before["agreement_in_principle"] > 10
