"""Deals of every kind and the buyers around them: completed deals reviewed after the fact,
parties who abandon rather than face the President, jurisdiction by the buyer's nationality,
operational ties, and buyers who arrive over time to a seller who holds out."""

from __future__ import annotations

from conftest import ROOT, SCENARIOS

from sim import load_scenario, run_ensemble
from sim.runs.backends import Execution

SECTION_721 = ROOT / "tests" / "data" / "tiktok_section_721.yaml"
LAW = ROOT / "tests" / "data" / "law.yaml"
TIKTOK = SCENARIOS / "tiktok_2020.yaml"
SERIAL = Execution(workers=1)


def ensemble(path, runs=300, **overrides):
    return run_ensemble(load_scenario(path, overrides), runs=runs, seed=0, execution=SERIAL)


COMPLETED = f"""\
extends: {SECTION_721}
name: completed
start: 2020-08-01
deal: {{kind: completed, buyer: oracle, structure: full_sale, price: 0.5, signed: 2020-05-01}}
instruments: {{ban_order: null, divestiture_order: null}}
courts: {{ddc: null, edpa: null, dccir: null}}
reviewers:
  china: null
  cfius: {{files_at: signing, filing_days: {{median: 20}}, acceptance: {{base: -3.0}}}}
executive: {{new_administration: {{revokes: []}}}}
seller: {{restructure_order: []}}
events:
  - {{id: election, remove: true}}
inactive:
  courts.dccir.p_slow: null
  courts.dccir.agreement: null
  executive.blessing: "a completed deal is never agreed in principle again"
  executive.new_administration: "no election here"
  seller: "a completed deal: the seller picks no bid and faces no ban"
  bidders: "a completed deal: nobody bids"
  structures: "none"
"""


def test_a_completed_deal_is_cleared_or_unwound(write):
    """A deal that closed before any review: the clearance lets it stand (the close is the day of
    the clearance), a block unwinds it; nothing else can happen to it."""
    path = write("completed.yaml", COMPLETED.replace('  structures: "none"\n', ""))
    result = ensemble(path)
    runs, events = result.runs, result.events
    assert set(runs["outcome"]) <= {"closed_by_deadline", "blocked_by_host", "pending"}
    assert {"closed_by_deadline", "blocked_by_host"} <= set(runs["outcome"])
    cleared = events[events["event"] == "host_approval"].groupby("run_id")["date"].first()
    closed = runs.dropna(subset=["close_date"]).set_index("run_id")["close_date"]
    assert (closed == cleared.loc[closed.index]).all()
    assert not events["event"].isin(["bid", "bid_chosen", "agreement_in_principle"]).any()


def test_abandoning_on_a_recommendation_skips_the_president():
    """Told CFIUS will recommend a block, parties that always abandon never reach the President;
    parties that never abandon always do."""
    blocked = {"reviewers.cfius.clear_in_review": -50, "reviewers.cfius.acceptance.base": -50}
    abandon = ensemble(SECTION_721, **blocked, **{"reviewers.cfius.p_abandon": 1.0})
    events = abandon.events
    assert (events["event"] == "abandoned_on_recommendation").sum() > 100
    assert not events["event"].isin(["referral", "president_blocks", "president_declines_block"]).any()
    fight = ensemble(SECTION_721, **blocked, **{"reviewers.cfius.p_abandon": 0.0})
    assert not (fight.events["event"] == "abandoned_on_recommendation").any()
    assert fight.events["event"].isin(["president_blocks", "president_declines_block"]).sum() > 100


def test_a_covered_transaction_needs_a_foreign_buyer():
    """A section 721 reviewer that applies to foreign buyers reviews Oracle's deals once Oracle is
    foreign, and never otherwise."""
    rule = {"reviewers.cfius.applies_to": "foreign_buyer"}
    domestic = ensemble(SECTION_721, **rule)
    assert not (domestic.events["event"] == "review_start").any()
    foreign = ensemble(SECTION_721, **rule, **{"bidders.oracle.foreign": True})
    starts = foreign.events[foreign.events["event"] == "review_start"]
    assert len(starts) > 50
    deals = foreign.events[foreign.events["event"] == "filing"]["detail"]
    assert deals.str.contains("Oracle deal").all()


def test_an_operational_tie_fails_a_test_that_forbids_ties():
    """The act's qualified divestiture precludes an operational tie: a structure that licenses the
    algorithm back is never approved without accepted mitigation, and never with none on offer."""
    result = ensemble(LAW, **{"reviewers.president.accept_mitigation": -50, "courts.dccir.p_challenge": 0.0})
    approvals = result.events[(result.events["event"] == "host_approval")]
    assert len(approvals) > 0 and not approvals["detail"].str.contains("licensed").any()
    assert (result.runs.dropna(subset=["close_date"])["structure"] == "qualified").all()


POOL = {
    "bidders.microsoft": None,
    "bidders.oracle": None,
    "bidders.twitter": None,
    "bidder_pool": {
        "label": "buyer",
        "arrivals_per_30_days": 1.0,
        "opens": "2020-09-01",
        "closes": "2020-12-31",
        "max_bidders": 3,
        "valuation": {"low": 20, "high": 40},
        "offers": "full_sale",
        "standing": 0.6,
        "p_drop_out": 0.1,
        "p_return": 0.0,
        "due_diligence_days": {"median": 20},
    },
}


def test_buyers_arrive_from_the_pool_within_its_window_and_number():
    result = ensemble(TIKTOK, **POOL)
    arrivals = result.events[result.events["event"] == "bidder_arrives"]
    assert len(arrivals) > 300
    assert arrivals["date"].between("2020-09-02", "2020-12-31").all()
    assert arrivals.groupby("run_id").size().max() == 3
    winners = result.runs["winner"].dropna()
    assert len(winners) > 20 and winners.str.match(r"pool_\d").all()
    none = ensemble(TIKTOK, **{**POOL, "bidder_pool": {**POOL["bidder_pool"], "arrivals_per_30_days": 0.0}})
    assert not (none.events["event"] == "bidder_arrives").any() and none.runs["close_date"].isna().all()


def test_a_seller_who_held_out_comes_back_when_a_new_buyer_bids():
    """With no bid at its bid deadline the seller waits; a buyer from the pool bids later and the
    seller reconsiders and picks it."""
    late_pool = {**POOL, "bidder_pool": {**POOL["bidder_pool"], "opens": "2020-09-20"}}
    result = ensemble(TIKTOK, **late_pool)
    events = result.events
    waited = set(events[events["event"] == "no_bids"]["run_id"])
    came_back = events[(events["event"] == "reconsiders") & events["detail"].str.contains("a bid from buyer")]
    chosen = events[events["event"] == "bid_chosen"].groupby("run_id")["day"].min()
    assert len(waited) > 100
    back = set(came_back["run_id"]) & waited
    assert len(back) > 50 and set(chosen.index) & back
