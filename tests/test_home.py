"""The home government as it behaved: routine handling on the PRC statutory clock, or a political
hold that may never end in a ruling; consent for any sale where the scenario says so; and records
that remember a licence was needed even after a restructuring (legal-frames.md, section 3)."""

from __future__ import annotations

import datetime as dt

from conftest import SCENARIOS

from sim import load_scenario, run_ensemble
from sim.model.randomness import work_calendar
from sim.runs.backends import Execution

ECR = SCENARIOS / "export_control_review.yaml"
SERIAL = Execution(workers=1)
RULINGS = ["letter_granted", "licence_denied"]


def ensemble(path, runs=300, **overrides):
    return run_ensemble(load_scenario(path, overrides), runs=runs, seed=0, execution=SERIAL)


HOME = ("china", "china_consent")  # the licence, and consent over a sale that exports nothing


def both(**settings):
    """The same political-handling settings for both of China's reviews."""
    return {f"reviewers.{r}.political.{k}": v for r in HOME for k, v in settings.items()}


def test_a_political_hold_can_last_to_the_horizon_without_a_ruling():
    """Always political, never released: no letter or consent is ever ruled on, and a run whose deal
    waits on the hold at the horizon ends pending (unless an outcome of higher precedence holds)."""
    result = ensemble(ECR, **both(base=50, **{"release.base": -50}))
    events = result.events
    held = set(events[events["event"] == "political_hold"]["run_id"])
    assert len(held) > 50
    assert not events["event"].isin([*RULINGS, "consent_granted", "consent_denied"]).any()
    runs = result.runs.set_index("run_id").loc[sorted(held)]
    assert runs["close_date"].isna().all()
    assert (runs["outcome"] == "pending").sum() > 0.3 * len(runs)
    assert set(runs["outcome"]) <= {"pending", "ban_in_force", "withdrawn", "revoked", "blocked_by_host", "no_deal"}


def test_a_hold_ends_at_the_host_action_that_moves_it():
    """Released only by the election result: every hold ends on the day the result is known
    (2020-11-07, not election day), and no ruling comes before it."""
    release = {f"release.{k}": -50 for k in ("blessing", "ban_bites", "enforcement")}
    result = ensemble(ECR, **both(base=50, **{"release.election": 100}, **release))
    events = result.events
    ends = events[events["event"] == "hold_ends"]
    assert len(ends) > 30 and (ends["date"] == "2020-11-07").all()
    rulings = events[events["event"].isin([*RULINGS, "consent_granted", "consent_denied"])]
    first = rulings.groupby("run_id")["date"].min()
    assert (first >= "2020-11-07").all()


def test_a_released_hold_rules_no_sooner_than_routine_handling_would():
    """A hold's end is not a ruling: the reviewer takes the case up on its routine clock, so its
    decision comes at least the routine minimum (decision_days.min, in days) after the release."""
    result = ensemble(ECR, **both(base=50, **{"release.base": 50}))
    events = result.events
    consent = events[events["actor"] == "china_consent"]
    gaps = []
    for _, run in consent.groupby("run_id"):
        ended = run.loc[run["event"] == "hold_ends", "day"]
        ruled = run.loc[run["event"].isin(["consent_granted", "consent_denied"]), "day"]
        if len(ended) and len(ruled):
            gaps.append(int(ruled.iloc[0] - ended.iloc[0]))
    minimum = result.scenario.reviewers["china_consent"].decision_days.min
    assert len(gaps) > 20 and min(gaps) >= minimum


def test_political_handling_likelier_with_tension():
    calm, tense = (ensemble(ECR, **{"home.tension": t}) for t in (0.1, 0.95))
    holds = [(r.events["event"] == "political_hold").sum() for r in (calm, tense)]
    assert holds[1] > 1.5 * holds[0]


def test_a_no_transfer_deal_needs_consent_when_any_sale_does():
    """trusted_partner keeps the algorithm home. With no consent over such a sale (no 2020-09-19
    event) the Oracle deal, never restructured, needs no licence and no consent; with the
    statement of 2020-09-19 it needs China's consent, which runs on no licence clock (no letter
    application, no licence ruling); with a licence demanded for any sale it needs the licence."""
    path = SCENARIOS / "trusted_partner.yaml"

    def oracle_only(result):
        events = result.events
        announced = set(events[events["detail"].str.startswith("announces a deal with Oracle")]["run_id"])
        restructured = set(events[events["event"].isin(["restructure", "back_to_market", "sale_compelled"])]["run_id"])
        runs = sorted(announced - restructured)
        return result.runs.set_index("run_id").loc[runs, "licence_required"], events[events["run_id"].isin(runs)]

    needed, events = oracle_only(ensemble(path, **{"events.consent_any_sale.applies_to": "none"}))
    assert len(needed) > 100 and not needed.any()
    reviews = ["consent_application", "letter_application", "political_hold", "licence_needed"]
    assert not events["event"].isin(reviews).any()
    needed, events = oracle_only(ensemble(path))
    assert len(needed) > 100 and needed.all()  # the home side's consent was needed
    assert (events["event"] == "consent_application").any()
    assert not events["event"].isin(["letter_application", *RULINGS]).any()
    needed, _ = oracle_only(ensemble(path, **{"reviewers.china.applies_to": "any_sale"}))
    assert len(needed) > 100 and needed.all()


def test_the_licence_field_counts_runs_that_ever_needed_one():
    """A deal that needed a licence and was restructured into one that does not still counts."""
    result = ensemble(ECR, runs=400)
    events = result.events
    needed = set(events[events["event"].isin(["licence_needed", "letter_application"])]["run_id"])
    needed |= set(events[(events["event"] == "political_hold") & (events["actor"] == "china")]["run_id"])
    assert needed
    assert result.runs.set_index("run_id").loc[sorted(needed), "licence_required"].all()


def test_prc_working_days_skip_golden_week_and_count_make_up_days():
    """From 2020-09-25 (a Friday), 5 PRC working days: 09-27 (a Sunday make-up day), 09-28, 09-29,
    09-30, then Golden Week (10-01 to 10-08) passes and 10-09 is the fifth; 10-10 (a Saturday)
    is a make-up day too."""
    start = dt.date(2020, 8, 1)
    prc = work_calendar(start, "prc")
    day = (dt.date(2020, 9, 25) - start).days
    assert start + dt.timedelta(days=prc.add(day, 5)) == dt.date(2020, 10, 9)
    assert start + dt.timedelta(days=prc.add(day, 6)) == dt.date(2020, 10, 10)
    weekdays = work_calendar(start, "weekdays")
    assert start + dt.timedelta(days=weekdays.add(day, 5)) == dt.date(2020, 10, 2)


def test_us_federal_working_days_skip_observed_holidays_and_listed_ones():
    """Juneteenth 2021 fell on a Saturday and was observed on Friday 2021-06-18; 2020-07-04 (a
    Saturday) on Friday 07-03; Inauguration Day 2021-01-20 is a holiday only when listed."""
    start = dt.date(2020, 6, 1)
    federal = work_calendar(start, "us_federal")

    def after(calendar, date: dt.date, n: int) -> dt.date:
        return start + dt.timedelta(days=calendar.add((date - start).days, n))

    assert after(federal, dt.date(2021, 6, 17), 1) == dt.date(2021, 6, 21)  # Thursday: Friday 06-18 is off
    assert after(work_calendar(start, "weekdays"), dt.date(2021, 6, 17), 1) == dt.date(2021, 6, 18)
    assert after(federal, dt.date(2020, 7, 2), 1) == dt.date(2020, 7, 6)
    assert after(federal, dt.date(2021, 1, 19), 1) == dt.date(2021, 1, 20)
    inauguration = work_calendar(start, "us_federal", (dt.date(2021, 1, 20),))
    assert after(inauguration, dt.date(2021, 1, 19), 1) == dt.date(2021, 1, 21)
    prc = work_calendar(start, "prc", (dt.date(2020, 9, 28),))  # a listed day off on top of the notices'
    assert after(prc, dt.date(2020, 9, 25), 2) == dt.date(2020, 9, 29)


# --- the seller ----------------------------------------------------------------------------


def test_a_seller_who_held_out_comes_back_after_an_event_that_moves_it():
    """Holding out is not final: after a reconsidering event the seller looks at the bids again,
    and it picks one in some runs; it never picks after a hold-out without such an event (or a
    court's order compelling the sale, when a trustee picks)."""
    result = ensemble(ECR, runs=400)
    events = result.events
    came_back = 0
    for _, run in events.groupby("run_id"):
        rows = [r for r in run.itertuples() if r.actor == "seller" or r.event == "sale_compelled"]
        held = False
        for i, row in enumerate(rows):
            if row.event == "holds_out":
                held = True
            elif row.event == "bid_chosen" and held:
                # it reconsidered, or a court compelled the sale and a trustee picked
                assert rows[i - 1].event in ("reconsiders", "sale_compelled") and rows[i - 1].day == row.day
                came_back += rows[i - 1].event == "reconsiders"
                held = False
    assert came_back > 20


def test_the_seller_can_offer_its_own_structure():
    """With the no-transfer partnership on offer from the seller, some deals are made on it
    although no bidder offers it; without it, none is."""
    proposing = ensemble(ECR, runs=300)
    chosen = proposing.events[proposing.events["event"] == "bid_chosen"]["detail"]
    assert chosen.str.contains("structure partner_no_transfer").sum() > 10
    silent = ensemble(ECR, runs=300, **{"seller.proposes": []})
    picks = silent.events[silent.events["event"] == "bid_chosen"]["detail"]
    assert not picks.str.contains("structure partner_no_transfer").any()


def test_a_bidder_that_dropped_out_can_come_back():
    """With a certain return, a bidder that dropped out comes back at the next event that moves the
    market while no deal is in progress, and bids again after its diligence."""
    result = ensemble(
        SCENARIOS / "tiktok_2020.yaml",
        **{"bidders.oracle.p_drop_out": 1.0, "bidders.oracle.p_return": 1.0, "seller.reservation": 5.0},
    )
    events = result.events
    returns = events[(events["event"] == "bidder_returns") & (events["actor"] == "oracle")]
    assert len(returns) > 50
    for run_id, day in returns.groupby("run_id")["day"].min().items():
        later = events[(events["run_id"] == run_id) & (events["actor"] == "oracle") & (events["day"] > day)]
        assert later["event"].isin(["bid", "bidder_drops_out"]).any() or later.empty
    never = ensemble(
        SCENARIOS / "tiktok_2020.yaml", **{"bidders.oracle.p_drop_out": 1.0, "bidders.oracle.p_return": 0.0}
    )
    assert not ((never.events["event"] == "bidder_returns") & (never.events["actor"] == "oracle")).any()


def test_a_litigating_seller_is_slower_to_leave():
    """The litigation posture enters the exit choice: a strongly negative weight keeps a seller
    with a case pending or an injunction standing in the market."""
    stay = ensemble(ECR, **{"seller.exit.litigating": -20.0})
    leave = ensemble(ECR, **{"seller.exit.litigating": 2.0})
    assert (stay.runs["outcome"] == "withdrawn").mean() < (leave.runs["outcome"] == "withdrawn").mean() - 0.05
