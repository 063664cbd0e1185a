"""Records, backtests and calibration."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import ROOT, SCENARIOS

from sim import load_scenario
from sim.analysis.backtest import (
    ABSORBING,
    OUTCOMES,
    Trace,
    _scores,
    backtest,
    calibrate,
    conditions,
    event_fit,
    feasible_sequences,
    neutral,
    possible_outcomes,
    trace,
)
from sim.analysis.sweep import parse_param
from sim.cli import cli
from sim.errors import ScenarioError
from sim.runs.backends import Execution
from sim.scenario.load import ScenarioTemplate
from sim.scenario.record import Record, load_record

RECORD = SCENARIOS / "records" / "tiktok_2020.yaml"
ECR = SCENARIOS / "export_control_review.yaml"


def test_shipped_record_loads_with_a_source_for_every_entry():
    record = load_record(RECORD)
    assert record.events and record.outcomes
    assert all(e.source for e in record.events) and all(o.source for o in record.outcomes)


def _tiny(scenario) -> Trace:
    record = Record.model_validate(
        {
            "name": "tiny",
            "events": [{"date": "2020-08-13", "event": "extension", "source": "x"}],
            "outcomes": [{"horizon": "2020-12-31", "outcome": "pending", "source": "x"}],
        }
    )
    return Trace(
        scenario,
        record,
        outcomes=np.array([["pending"], ["pending"], ["pending"], ["revoked"]], object),
        event_days=np.array([[10], [12], [-1], [20]]),
        stages=np.zeros((4, 0), np.uint8),
    )


K = len(OUTCOMES)  # 11


def test_scores_on_a_hand_checked_case(tiktok):
    """Four runs, three pending: P = 0.75; smoothed (3 + 0.5) / (4 + 11 x 0.5); Brier (0.25^2 + 0.25^2)."""
    t = _tiny(tiktok)
    model = _scores(t, 0, ("pending",))
    assert model["p_observed"] == 0.75
    assert model["log_score"] == pytest.approx(-math.log(3.5 / (4 + 0.5 * K)), abs=1e-4)
    assert model["brier"] == pytest.approx(0.125)
    uniform = _scores(None, 0, ("pending",))
    assert uniform["log_score"] == pytest.approx(math.log(K), abs=1e-4)
    assert uniform["brier"] == pytest.approx((K - 1) / K**2 + ((K - 1) / K) ** 2, abs=1e-4)
    # over the outcomes this case allows (no agreement: never terminated; no structure the seller keeps)
    possible = possible_outcomes(tiktok)
    assert "terminated" not in possible and "mitigated" not in possible and "pending" in possible
    assert _scores(None, 0, ("pending",), possible)["log_score"] == pytest.approx(math.log(len(possible)), abs=1e-4)
    fit = event_fit(t, 0)  # observed on day 12 (2020-08-13); simulated 10, 12, 20, and once never
    assert fit["share"] == 0.75 and fit["median"] == "2020-08-13" and fit["percentile"] == 50.0
    assert t.log_likelihood() == pytest.approx(math.log(3.5 / (4 + 0.5 * K)) + math.log(2.5 / 5))


def test_the_feasible_uniform_counts_only_sequences_the_case_can_produce(tiktok):
    """Two readings: an absorbing outcome (a close, a final block, an exit) repeats, the others may
    be followed by any possible outcome: A + (P - A) x P sequences of P possible, A absorbing."""
    possible = possible_outcomes(tiktok)
    absorbing = [o for o in possible if o in ABSORBING]
    assert feasible_sequences(tiktok, 1) == len(possible)
    assert feasible_sequences(tiktok, 2) == len(absorbing) + (len(possible) - len(absorbing)) * len(possible)
    assert feasible_sequences(tiktok, 2) < K**2


def test_a_record_event_that_is_a_scenario_input_is_not_scored(export_control):
    """The catalogue update of 2020-08-28 is a dated input of export_control_review: the backtest
    lists it as a condition and the likelihood is the same with or without it in the record."""
    record = load_record(RECORD)
    given = conditions(export_control, record)
    assert any(record.events[e].event == "catalogue_update" for e in given)
    without = record.model_copy(update={"events": [e for e in record.events if e.event != "catalogue_update"]})
    runs = 60
    with_it = backtest(export_control, record, runs=runs, seed=0, execution=Execution(workers=1)).report
    without_it = backtest(export_control, without, runs=runs, seed=0, execution=Execution(workers=1)).report
    assert with_it["log_likelihood"] == without_it["log_likelihood"]
    assert (
        any("catalogue_update" in c for c in with_it["conditions"])
        and without_it["conditions"] != with_it["conditions"]
    )


def test_backtest_report_is_complete_and_honest(export_control):
    record = load_record(RECORD)
    result = backtest(export_control, record, runs=300, seed=0, execution=Execution(workers=1))
    r = result.report
    assert [h["observed"] for h in r["horizons"]] == ["pending", "pending"]  # the divestiture order stands
    for h in r["horizons"]:
        assert 0 <= h["p_observed"] <= 1 and h["p_observed"] == h["p_all"][h["observed"]]
        assert {"model", "uniform", "neutral"} <= set(h)
    assert set(r["scores"]) == {"model", "uniform", "uniform_all", "neutral"}
    assert len(r["events"]) == len(record.events)
    assert next(e for e in r["events"] if e["event"] == "catalogue_update")["share"] == 1.0


def test_neutral_baseline_really_is_neutral(export_control):
    n = neutral(export_control)
    assert n.seller.choice_temperature > 1e6
    assert n.reviewers["china"].utility.deny == n.reviewers["china"].utility.grant == 0
    assert n.bidders == export_control.bidders and n.events == export_control.events
    # what is not a decision stays: who extends, by how much, within what cap
    kept, base = (
        n.instruments["divestiture_order"].extensions,
        export_control.instruments["divestiture_order"].extensions,
    )
    assert (kept.decided_by, kept.max, kept.max_days, kept.days) == (
        base.decided_by,
        base.max,
        base.max_days,
        base.days,
    )
    assert kept.base == kept.deal_under_review == 0


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "events:\n  - {date: 2020-08-06, event: ban_ordr, source: x}\n",
            "events[0].event = 'ban_ordr': unknown event name 'ban_ordr'; did you mean 'ban_order'?",
        ),
        ("events:\n  - {date: 2020-02-30, event: ban_order, source: x}\n", "invalid date '2020-02-30'"),
        ("events:\n  - {date: 2020-08-06, event: ban_order}\n", "events[0].source: required key is missing"),
    ],
)
def test_bad_records_exit_2_with_one_line(tmp_path, text, message):
    path = tmp_path / "r.yaml"
    path.write_text("name: r\noutcomes:\n  - {horizon: 2020-12-31, outcome: pending, source: x}\n" + text)
    result = CliRunner().invoke(cli, ["backtest", str(ECR), str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}") and message in lines[0]
    assert not (tmp_path / "o").exists()


def test_record_dates_outside_the_scenario(tmp_path, tiktok):
    path = tmp_path / "r.yaml"
    path.write_text("name: r\noutcomes:\n  - {horizon: 2022-01-01, outcome: pending, source: x}\n")
    with pytest.raises(ScenarioError, match=r"outcomes\[0\].horizon = 2022-01-01: must be within the scenario"):
        load_record(path).check_against(tiktok)


def test_calibration_finds_a_planted_value(write):
    """A record generated by the model with CFIUS accepting the notice after 10 working days: the
    grid search over 2 to 20 days picks 10."""
    path = write(
        "fixed.yaml",
        f"""\
        extends: {ROOT / "tests" / "data" / "tiktok_section_721.yaml"}
        name: fixed_filing
        reviewers:
          cfius:
            filing_days: {{median: 5, p90: null, unit: working_days}}
        """,
    )
    template = ScenarioTemplate(path)
    probe = Record.model_validate(
        {
            "name": "probe",
            "events": [{"date": "2020-10-01", "event": "review_start", "source": "synthetic"}],
            "outcomes": [{"horizon": "2021-06-30", "outcome": "pending", "source": "synthetic"}],
        }
    )
    (t,) = trace(
        [template.build({"reviewers.cfius.filing_days.median": 10})],
        probe,
        runs=400,
        seed=5,
        execution=Execution(workers=1),
    )
    days = t.event_days[:, 0]
    observed = template.build().start + dt.timedelta(days=int(np.median(days[days >= 0])))
    modal = max(set(t.outcomes[:, 0]), key=list(t.outcomes[:, 0]).count)
    synthetic = Record.model_validate(
        {
            "name": "synthetic",
            "window_days": 3,
            "events": [{"date": observed.isoformat(), "event": "review_start", "source": "generated by the model"}],
            "outcomes": [{"horizon": "2021-06-30", "outcome": modal, "source": "generated by the model"}],
        }
    )
    result = calibrate(
        template,
        synthetic,
        [parse_param("reviewers.cfius.filing_days.median=2,5,10,15,20")],
        runs=400,
        seed=9,
        execution=Execution(workers=1),
    )  # another seed than the one that made the record
    assert result.best == {"reviewers.cfius.filing_days.median": 10}
    assert result.after > result.before


def test_cli_backtest_and_calibrate_write_their_files(tmp_path):
    runner = CliRunner()
    out = tmp_path / "bt"
    result = runner.invoke(
        cli, ["backtest", str(ECR), str(RECORD), "--runs", "100", "--out", str(out), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "backtest.json").read_text())
    assert report["horizons"][0]["observed"] == "pending" and "p_observed" in report["horizons"][0]
    md = (out / "backtest.md").read_text()
    assert "P(observed)" in md and "figures/fan_chart.png" in md
    assert {p.name for p in (out / "figures").iterdir()} == {"fan_chart.png", "event_dates.png"}
    out = tmp_path / "cal"
    written = tmp_path / "scen" / "x_calibrated.yaml"
    written.parent.mkdir()
    result = runner.invoke(
        cli,
        [
            "calibrate",
            str(SCENARIOS / "tiktok_2020.yaml"),
            str(RECORD),
            "--param",
            "events.election.p_change=0.5,1.0",
            "--param",
            "reviewers.cfius.silent=-2,0",
            "--runs",
            "60",
            "--out",
            str(out),
            "--workers",
            "1",
            "--write-scenario",
            str(written),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "best values: events.election.p_change=" in result.stdout
    calibrated = load_scenario(written)  # extends the original by a relative path, and validates
    assert calibrated.name == "tiktok_2020_calibrated"
    data = json.loads((out / "calibration.json").read_text())
    assert calibrated.reviewers["cfius"].silent == data["best"]["reviewers.cfius.silent"]
    assert len((out / "calibration.csv").read_text().splitlines()) == 5


def test_the_sequence_of_outcomes_is_scored_as_one_event(tiktok):
    """Two horizons: the observed sequence (pending, then revoked) happens in 2 of 4 runs; it is
    one of 11^2 = 121 sequences, so the uniform baseline over all of them scores ln 121."""
    from sim.analysis.backtest import _sequence_scores

    record = Record.model_validate(
        {
            "name": "two",
            "outcomes": [
                {"horizon": "2020-12-31", "outcome": "pending", "source": "x"},
                {"horizon": "2021-06-30", "outcome": "revoked", "source": "x"},
            ],
        }
    )
    runs = [["pending", "revoked"], ["pending", "revoked"], ["pending", "pending"], ["no_deal", "revoked"]]
    t = Trace(tiktok, record, np.array(runs, object), np.zeros((4, 0), int), np.zeros((4, 0), np.uint8))
    model = _sequence_scores(t, (("pending",), ("revoked",)))
    assert model["p_observed"] == 0.5
    assert model["log_score"] == pytest.approx(-math.log(2.5 / (4 + 0.5 * K**2)), abs=1e-4)
    assert model["brier"] == pytest.approx(0.25**2 + 0.25**2 + 0.5**2)
    assert _sequence_scores(None, (("pending",), ("revoked",)))["log_score"] == pytest.approx(math.log(K**2), abs=1e-4)
    # the horizons are not independent: P(pending) x P(revoked) = 0.75 x 0.75 overstates 0.5
    assert t.log_likelihood() == pytest.approx(math.log(2.5 / (4 + 0.5 * K**2)))


def test_an_outcome_known_only_as_a_set_is_scored_as_one_event(tiktok):
    """A record that knows only "closed, by or after the deadline" is scored on the set: its
    probability is the sum of its outcomes', at each horizon and in the sequence; the uniform
    baseline counts the feasible sequences inside it. The same runs score worse against either
    outcome alone (the record does not pretend to know more)."""
    from sim.analysis.backtest import _sequence_scores, observed_sequence

    closed = ["closed_by_deadline", "closed_after_deadline"]
    record = Record.model_validate(
        {
            "name": "set",
            "outcomes": [
                {"horizon": "2020-12-31", "one_of": closed, "source": "x"},
                {"horizon": "2021-06-30", "one_of": closed, "source": "x"},
            ],
        }
    )
    assert record.outcomes[0].label == "closed_by_deadline or closed_after_deadline"
    runs = [["closed_by_deadline"] * 2, ["closed_after_deadline"] * 2, ["pending", "closed_after_deadline"]]
    runs.append(["pending", "pending"])
    t = Trace(tiktok, record, np.array(runs, object), np.zeros((4, 0), int), np.zeros((4, 0), np.uint8))
    horizon = _scores(t, 0, tuple(closed))
    assert horizon["p_observed"] == 0.5
    assert horizon["log_score"] == pytest.approx(-math.log((2 + 2 * 0.5) / (4 + 0.5 * K)), abs=1e-4)
    assert horizon["brier"] == pytest.approx(0.5**2 + 0.5**2)  # the set as one category, pending the other
    observed = observed_sequence(record)
    joint = _sequence_scores(t, observed)
    assert joint["p_observed"] == 0.5
    assert joint["log_score"] == pytest.approx(-math.log((2 + 4 * 0.5) / (4 + 0.5 * K**2)), abs=1e-4)
    alone = _sequence_scores(t, (("closed_by_deadline",), ("closed_by_deadline",)))
    assert alone["log_score"] > joint["log_score"]
    # closes are absorbing: of the 2 x 2 sequences in the set, the feasible ones keep their close
    assert feasible_sequences(tiktok, 2, observed) == 2
    uniform = _sequence_scores(None, observed, feasible_sequences(tiktok, 2), 2)
    assert uniform["p_observed"] == pytest.approx(2 / feasible_sequences(tiktok, 2), abs=1e-4)


def test_a_record_outcome_is_one_outcome_or_a_set_never_both():
    bad = [
        {"horizon": "2020-12-31", "source": "x"},
        {"horizon": "2020-12-31", "outcome": "pending", "one_of": ["pending", "no_deal"], "source": "x"},
        {"horizon": "2020-12-31", "one_of": ["pending"], "source": "x"},
        {"horizon": "2020-12-31", "one_of": ["pending", "closed"], "source": "x"},
    ]
    for outcome in bad:
        with pytest.raises(ValueError):
            Record.model_validate({"name": "r", "outcomes": [outcome]})


def test_a_scenario_with_facts_after_its_as_of_date_is_in_sample(tiktok):
    from sim.analysis.backtest import sample_check

    check = sample_check(tiktok)
    assert check["as_of"] == "2020-08-01" and check["in_sample"]
    assert "2020-09-18 ban stage app_store" in check["later_inputs"]
    assert not any("election" in x for x in check["later_inputs"])  # a scheduled election is known in advance
    later = load_scenario(SCENARIOS / "tiktok_2020.yaml", {"as_of": "2021-06-30"})
    assert sample_check(later) == {
        "as_of": "2021-06-30",
        "in_sample": False,
        "why": "no dated input after as_of",
        "later_inputs": [],
        "later_predictions": [],
    }


def test_a_date_drawn_in_a_window_is_a_prediction_not_an_input(tiktok):
    """The same later fact, written as a certain date, makes the backtest in-sample; written as a
    window of dates known at as_of (the ban stage "within 45 days"), it is a prediction the model
    draws, listed for the reader and not counted as a later input."""
    from sim.analysis.backtest import sample_check

    as_of = {"as_of": "2020-08-01"}
    ids = [e.id or e.kind for e in tiktok.events if e.date > tiktok.as_of and e.kind == "tension_change"]
    assert ids, "the TikTok scenario has a later tension change to move"
    event = next(e for e in tiktok.events if (e.id or e.kind) == ids[0])
    fixed = sample_check(tiktok)
    assert any(event.date.isoformat() in x and ids[0] in x for x in fixed["later_inputs"])
    window = load_scenario(
        SCENARIOS / "tiktok_2020.yaml",
        {**as_of, f"events.{ids[0]}.date": {"between": ["2020-08-01", "2020-09-15"]}},
    )
    drawn = sample_check(window)
    assert not any(ids[0] in x for x in drawn["later_inputs"])
    assert any(x.startswith("2020-08-01 to 2020-09-15") and ids[0] in x for x in drawn["later_predictions"])


def test_a_repeated_event_matches_its_own_occurrence():
    """The record's second extension (2020-11-25) is matched against each run's second extension,
    not its first; a run with one extension has no second."""
    from sim.analysis.backtest import _occurrence_day

    log = [(103, "cfius", "extension", "grants extension 1"), (118, "cfius", "extension", "grants extension 2")]
    assert _occurrence_day(log, "extension", "cfius", None, 1) == 103
    assert _occurrence_day(log, "extension", "cfius", None, 2) == 118
    assert _occurrence_day(log[:1], "extension", "cfius", None, 2) == -1
    record = load_record(RECORD)
    second = [e for e in record.events if e.event == "extension" and e.occurrence == 2]
    assert len(second) == 1 and second[0].date.isoformat() == "2020-11-25"


def test_an_event_can_have_its_own_matching_window(tiktok):
    """A per-event window overrides the record's: a wider window can only raise the likelihood."""
    base = _tiny(tiktok)
    wide = Trace(
        tiktok,
        Record.model_validate(
            {
                "name": "tiny",
                "events": [{"date": "2020-08-13", "event": "extension", "source": "x", "window_days": 30}],
                "outcomes": [{"horizon": "2020-12-31", "outcome": "pending", "source": "x"}],
            }
        ),
        base.outcomes,
        base.event_days,
        base.stages,
    )
    assert wide.log_likelihood() > base.log_likelihood()


def test_whom_a_deal_waited_on_is_reported_beside_the_models_runs(tiktok):
    """The record names the reviewers a deal still waited on; the model's runs with the observed
    outcome are counted by whether they waited on them too (reported, not scored). A reviewer the
    scenario does not have is refused by name."""
    record = Record.model_validate(
        {
            "name": "held",
            "outcomes": [{"horizon": "2020-12-31", "outcome": "pending", "waiting_on": ["cfius"], "source": "x"}],
        }
    )
    runs = [["pending"], ["pending"], ["pending"], ["closed_by_deadline"]]
    waiting = [(("cfius",),), (("cfius", "china"),), (("china",),), ((),)]
    t = Trace(tiktok, record, np.array(runs, object), np.zeros((4, 0), int), np.zeros((4, 0), np.uint8), waiting)
    assert t.waiting_on_all(0, ("pending",), ["cfius"]) == pytest.approx(2 / 3, abs=1e-4)
    assert t.waiting(0, ("pending",)) == {
        "cfius": pytest.approx(2 / 3, abs=1e-4),
        "china": pytest.approx(2 / 3, abs=1e-4),
    }
    assert t.waiting_on_all(0, ("terminated",), ["cfius"]) is None
    stranger = Record.model_validate(
        {
            "name": "s",
            "outcomes": [{"horizon": "2020-12-31", "outcome": "pending", "waiting_on": ["bmwk"], "source": "x"}],
        }
    )
    with pytest.raises(ScenarioError, match="no reviewer 'bmwk'"):
        stranger.check_against(tiktok)
