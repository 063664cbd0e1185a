"""Merger control in phases, and negotiated deals that live and die by their outside date
(comparable-cases.md: Qualcomm/NXP, where SAMR stayed silent past the end date)."""

from __future__ import annotations

from conftest import ROOT

from sim import load_scenario, run_ensemble
from sim.runs.backends import Execution

MERGER = ROOT / "tests" / "data" / "merger.yaml"
SERIAL = Execution(workers=1)


def ensemble(runs=300, **overrides):
    return run_ensemble(load_scenario(MERGER, overrides), runs=runs, seed=0, execution=SERIAL)


def days_of(events, run_id, actor, event):
    rows = events[(events["run_id"] == run_id) & (events["actor"] == actor) & (events["event"] == event)]
    return rows["day"].tolist()


def test_the_clock_starts_only_when_the_filing_is_accepted():
    """No phase ends and no decision comes before the reviewer accepts the filing; phase 1 then
    lasts exactly its 30 days."""
    result = ensemble(**{"reviewers.samr.political.base": -50})
    events = result.events
    checked = 0
    for run_id in events["run_id"].unique():
        accepted = days_of(events, run_id, "samr", "merger_accepted")
        phase_2 = days_of(events, run_id, "samr", "merger_phase_2")
        decisions = [
            d
            for e in ("merger_cleared", "prohibition", "pull_and_refile", "conditional_approval")
            for d in days_of(events, run_id, "samr", e)
        ]
        if not accepted:
            assert not phase_2 and not decisions
            continue
        checked += 1
        assert min(decisions + phase_2, default=accepted[0] + 30) >= accepted[0] + 30
        if phase_2:
            assert phase_2[0] == accepted[0] + 30
    assert checked > 100


def test_a_silent_reviewer_kills_the_deal_at_its_outside_date():
    """The home authority always holds the filing (no clock) and nothing releases it: no run
    closes, and every run ends terminated at its last outside date, with the fee owed."""
    result = ensemble(
        **{
            "reviewers.samr.political.base": 50,
            "reviewers.samr.political.release.base": -50,
            "reviewers.ec.utility.prohibit": -50,
            "agreement.p_extend": 1.0,
        }
    )
    runs = result.runs
    assert runs["close_date"].isna().all()
    assert (runs["outcome"] == "terminated").all()
    assert (runs["end_date"] == "2018-04-25").all()  # 2017-10-27 + 2 x 90 days
    assert not ((result.events["actor"] == "samr") & (result.events["event"] == "merger_accepted")).any()
    assert result.events[result.events["event"] == "terminated"]["detail"].str.contains("US\\$2.0 bn fee").all()


def test_a_hold_ends_at_the_moment_the_scenario_names(write):
    """A hold whose release term for an easing of tension is certain ends the day the tension eases
    (and the filing is accepted then); with that optional term unset, the easing moves no hold."""
    child = write(
        "eased.yaml",
        f"""\
        extends: {MERGER}
        name: eased
        events:
          - {{id: truce, date: 2017-06-01, kind: tension_change, tension: -0.2}}
        """,
    )
    held = {"reviewers.samr.political.base": 50, "reviewers.samr.political.release.base": 0}
    result = run_ensemble(
        load_scenario(child, {**held, "reviewers.samr.political.release.tension_eases": 50}),
        runs=200,
        seed=0,
        execution=SERIAL,
    )
    events = result.events
    ends = events[(events["actor"] == "samr") & (events["event"] == "hold_ends")]
    assert len(ends) > 150 and (ends["date"] == "2017-06-01").all()
    accepted = events[(events["actor"] == "samr") & (events["event"] == "merger_accepted")].groupby("run_id").first()
    assert (accepted.loc[ends["run_id"], "date"] == "2017-06-01").all()
    off = run_ensemble(
        load_scenario(child, {**held, "reviewers.samr.political.release.tension_eases": None}),
        runs=200,
        seed=0,
        execution=SERIAL,
    )
    assert not (off.events["event"] == "hold_ends").any()


def test_a_pull_and_refile_is_a_new_filing_on_a_new_clock(write):
    """The home authority always asks for a refile while it may (once): the parties refile, the
    new filing is accepted again and the review starts over."""
    result = ensemble(
        **{
            "reviewers.samr.political.base": -50,
            "reviewers.samr.utility.refile": 50,
            "reviewers.samr.acceptance_days": {"median": 20},
            "agreement.p_extend": 1.0,
        }
    )
    events = result.events
    samr = events[events["actor"] == "samr"]
    refiles = samr[samr["event"] == "pull_and_refile"].groupby("run_id").size()
    assert len(refiles) > 100 and refiles.max() == 1
    for run_id in refiles.index:
        refiled = days_of(events, run_id, "samr", "pull_and_refile")[0]
        accepted = days_of(events, run_id, "samr", "merger_accepted")
        assert len(accepted) == 2 and accepted[1] > refiled
        filed = events[(events["run_id"] == run_id) & (events["event"] == "merger_filed")]
        assert filed["detail"].str.contains("refile the").sum() == 1


def test_a_prohibition_blocks_for_the_reviewer_s_side():
    """A prohibition ends the deal blocked by the prohibiting reviewer's side."""
    home = ensemble(
        **{
            "reviewers.samr.political.base": -50,
            "reviewers.samr.utility.prohibit": 50,
            "reviewers.samr.utility.clear_phase_1": -50,
            "reviewers.samr.acceptance_days": {"median": 10},
            "agreement.p_extend": 1.0,
        }
    )
    assert set(home.runs["outcome"]) <= {"blocked_by_home", "blocked_by_host"}
    assert (home.runs["outcome"] == "blocked_by_home").mean() > 0.9
    host = ensemble(**{"reviewers.ec.utility.prohibit": 50, "reviewers.ec.utility.clear_phase_1": -50})
    assert (host.runs["outcome"] == "blocked_by_host").mean() > 0.9


def test_a_conditional_approval_clears_the_deal():
    """Approval with remedies counts as an approval: with both reviewers certain to approve with
    conditions and no hold, every run closes."""
    result = ensemble(
        **{
            f"reviewers.{r}.{k}": v
            for r in ("ec", "samr")
            for k, v in (
                ("utility.conditions", 50),
                ("utility.clear_phase_1", -50),
                ("acceptance_days", {"median": 30}),
            )
        },
        **{"reviewers.samr.political.base": -50, "agreement.p_extend": 1.0},
    )
    assert result.runs["close_date"].notna().all()
    assert (result.events["event"] == "conditional_approval").groupby(result.events["run_id"]).sum().min() == 2


def test_a_stopped_clock_lengthens_phase_2():
    """With the clock always stopped for 60 days, phase 2 ends 90 + 60 days after it opened."""
    result = ensemble(
        **{
            "reviewers.ec.clock_stop": {"p": 1.0, "days": {"median": 60}},
            "reviewers.ec.utility.clear_phase_1": -50,
        }
    )
    events = result.events
    ec = events[events["actor"] == "ec"]
    stops = ec[ec["event"] == "clock_stopped"]
    assert len(stops) > 100 and stops["detail"].str.contains("60 days").all()
    for run_id in stops["run_id"].unique()[:50]:
        opened = days_of(events, run_id, "ec", "merger_phase_2")[0]
        ended = days_of(events, run_id, "ec", "merger_phase_3") + days_of(events, run_id, "ec", "merger_cleared")
        ended += days_of(events, run_id, "ec", "conditional_approval")
        if ended:
            assert min(ended) >= opened + 150


def test_a_negotiated_deal_starts_signed_and_never_closes_after_its_last_outside_date():
    result = ensemble(runs=400)
    runs = result.runs
    assert (runs["close_date"].dropna() <= "2018-04-25").all()
    first = result.events.groupby("run_id").first()
    assert (first["event"] == "signed").all() and (first["day"] == 0).all()
    assert not result.events["event"].isin(["bid", "bid_chosen", "bidder_enters"]).any()
    assert {"terminated", "closed_by_deadline", "closed_after_deadline"} <= set(runs["outcome"])


def test_a_terminated_deal_names_the_reviewer_it_ran_out_of_time_on(tmp_path):
    """Two reviewers, one clearing in phase 1, one sent to a phase 2 that outlasts the outside date:
    every terminated run waits on the slow one only (held_by), and the summary says so; swap
    which is slow, and the named reviewer follows."""
    two = tmp_path / "two.yaml"
    two.write_text(
        f"extends: {ROOT / 'tests' / 'data' / 'box.yaml'}\n"
        "name: two_reviewers\n"
        "reviewers:\n"
        "  authority: {filing_days: {median: 10, min: 10, max: 10}}\n"
        "  second:\n"
        "    kind: merger_control\n"
        "    label: second authority\n"
        "    side: host\n"
        "    filing_days: {median: 10, min: 10, max: 10}\n"
        "    acceptance_days: {median: 1, min: 1, max: 1}\n"
        "    phase_1_days: {median: 30, min: 30, max: 30}\n"
        "    phase_2_days: {median: 90, min: 90, max: 90}\n"
        "    p_phase_3: 0.0\n"
        "    utility: {clear_phase_1: 0.0, approve: 1.0, conditions: 0.0, prohibit: -5.0, refile: -5.0, tension: 0.0}\n"
        "    max_refiles: 0\n"
    )
    for fast_one, slow_one in (("authority", "second"), ("second", "authority")):
        overrides = {
            f"reviewers.{fast_one}.utility.clear_phase_1": 20.0,
            f"reviewers.{slow_one}.utility.clear_phase_1": -20.0,
        }
        result = run_ensemble(load_scenario(two, overrides), runs=100, seed=0, execution=SERIAL)
        terminated = result.runs[result.runs["outcome"] == "terminated"]
        assert len(terminated) > 90
        assert set(terminated["held_by"]) == {slow_one}
        assert result.summary["metrics"]["held_by"]["terminated"] == {slow_one: 1.0}


def test_parties_abandon_under_an_in_depth_review_when_the_scenario_says_they_may():
    """With p_abandon_in_depth 1 and a fixed delay, every run whose SAMR phase 2 opened and was not
    decided within it ends `terminated` by abandonment that many days after the opening, waiting on
    SAMR; with 0, no run is abandoned; unset, the runs are those of the scenario as it was."""
    quits = {
        "reviewers.samr.p_abandon_in_depth": 1.0,
        "reviewers.samr.abandon_days": {"median": 10, "min": 10, "max": 10},
    }
    result = ensemble(**quits)
    events, runs = result.events, result.runs.set_index("run_id")
    opened = events[(events["actor"] == "samr") & (events["event"] == "merger_phase_2")]
    abandoned = events[events["event"] == "abandoned"]
    assert len(abandoned) > 50
    for _, row in abandoned.iterrows():
        phase_2 = opened[(opened["run_id"] == row["run_id"]) & (opened["day"] <= row["day"])]["day"]
        assert row["day"] - phase_2.max() == 10
        assert runs.loc[row["run_id"], "outcome"] == "terminated"
        assert "samr" in runs.loc[row["run_id"], "held_by"].split(",")
    never = ensemble(**{**quits, "reviewers.samr.p_abandon_in_depth": 0.0}).events
    assert (never["event"] != "abandoned").all()
    as_was = ensemble()
    assert "abandoned" not in set(as_was.events["event"])
    assert as_was.summary["outcomes"]["terminated"]["p"] < result.summary["outcomes"]["terminated"]["p"]


def test_a_new_administration_moves_a_host_reviewers_stance(tmp_path):
    """An election that changes the administration before phase 1 ends: with the new administration's
    stance on the authority at +50 every run clears in phase 1, at -50 none does; unset, about half
    (clear_phase_1 0), as before. The shift is logged once, in the reviewer's name."""
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        f"extends: {ROOT / 'tests' / 'data' / 'box.yaml'}\n"
        "name: new_administration\n"
        "executive:\n"
        "  label: the President\n"
        "  new_administration: {p_shelve_review: 0.0, p_revoke: 0.0}\n"
        "events:\n"
        "  - {id: vote, kind: election, date: 2020-01-05, p_change: 1.0, inauguration: 2020-01-10}\n"
    )

    def cleared_in_phase_1(stance):
        overrides = {"executive.new_administration.stance": stance} if stance is not None else {}
        result = run_ensemble(load_scenario(changed, overrides), runs=200, seed=0, execution=SERIAL)
        events = result.events
        cleared = events[(events["event"] == "merger_cleared") & events["detail"].str.contains("in phase 1")]
        return cleared["run_id"].nunique() / 200, events

    share, events = cleared_in_phase_1({"authority": 50.0})
    assert share == 1.0
    shifts = events[events["event"] == "stance_shift"]
    assert len(shifts) == 200 and set(shifts["actor"]) == {"authority"}
    assert cleared_in_phase_1({"authority": -50.0})[0] == 0.0
    assert 0.35 < cleared_in_phase_1(None)[0] < 0.65
    import pytest

    from sim.errors import ScenarioError

    with pytest.raises(ScenarioError, match="unknown host reviewer 'nobody'"):
        load_scenario(changed, {"executive.new_administration.stance": {"nobody": 1.0}})
