"""The model's behaviour makes sense: what rises when a parameter rises (fixed seeds, ensembles)."""

from __future__ import annotations

import pytest
from conftest import SCENARIOS

from sim import load_scenario, run_ensemble
from sim.runs.backends import Execution

RUNS = 800


def ensemble(name: str, runs: int = RUNS, **overrides):
    scenario = load_scenario(SCENARIOS / f"{name}.yaml", overrides)
    return run_ensemble(scenario, runs=runs, seed=11, execution=Execution(workers=1), events="none")


def p(result, outcome: str) -> float:
    return result.summary["outcomes"][outcome]["p"]


def refused(result, side: str = "home") -> float:
    """Share of runs in which a reviewer of ``side`` refused a deal or its terms."""
    return float((result.runs[f"{side}_refusals"] > 0).mean())


def clearly_below(low, high, outcome: str) -> bool:
    """low's probability of outcome is below high's, and their 95% intervals do not overlap."""
    lo, hi = low.summary["outcomes"][outcome], high.summary["outcomes"][outcome]
    return lo["ci95"][1] < hi["ci95"][0]


def test_export_licence_lowers_closing_by_the_deadline():
    """China's catalogue update makes a close by the first deadline less likely."""
    assert clearly_below(ensemble("export_control_review"), ensemble("tiktok_2020"), "closed_by_deadline")


def test_slower_licence_review_delays_the_close():
    """Political handling (no clock) instead of the routine clock leaves fewer deals closed by the
    end of 2020."""

    def closed_in_2020(result):
        dates = result.runs["close_date"].dropna()
        return (dates <= "2020-12-31").sum() / len(result.runs)

    home = ("china", "china_consent")
    fast = ensemble("export_control_review", **{f"reviewers.{r}.political.base": -50 for r in home})
    slow = ensemble("export_control_review", **{f"reviewers.{r}.political.base": 50 for r in home})
    assert closed_in_2020(slow) < closed_in_2020(fast) - 0.02


NO_DEAL_NO_EXIT = {
    "bidders.microsoft": None,
    "bidders.oracle": None,
    "bidders.twitter": None,
    "seller.exit.base": -50,
}


def test_likelier_injunctions_make_a_ban_less_likely_to_bite():
    """With no deal to save the business, a likelier injunction lowers ban_in_force."""
    weak = {"courts.ddc.p_enjoin": 0.2, "courts.edpa.p_enjoin": 0.2}
    strong = {"courts.ddc.p_enjoin": 0.9, "courts.edpa.p_enjoin": 0.9}
    low = ensemble("tiktok_2020", **NO_DEAL_NO_EXIT, **strong)
    high = ensemble("tiktok_2020", **NO_DEAL_NO_EXIT, **weak)
    assert clearly_below(low, high, "ban_in_force")
    assert low.runs["ban_days"].mean() < high.runs["ban_days"].mean()


def test_certain_injunctions_keep_the_seller_in_the_market():
    """Courts that always enjoin leave the seller less reason to leave."""
    assert clearly_below(ensemble("courts_enjoin"), ensemble("export_control_review"), "withdrawn")


def test_insisting_on_the_algorithm_is_blocked_by_home_more_often():
    """Once the catalogue update is in force, a buyer that insists on owning the algorithm closes
    less often than one that would take a licence or a partner structure (Microsoft as the only
    bidder, so the seller cannot turn to another). A refusal does not end the ordered sale: the
    seller restructures or goes back to the market (never blocked_by_home)."""
    alone = {"bidders.oracle": None, "bidders.twitter": None}
    insists = ensemble("full_sale", **alone, **{"bidders.microsoft.requires": {"algorithm": ["transfer"]}})
    flexible = ensemble("full_sale", **alone, **{"bidders.microsoft.requires": {}})
    assert refused(insists) >= refused(flexible)
    assert insists.runs["restructures"].sum() == 0 < flexible.runs["restructures"].sum()
    assert p(insists, "blocked_by_home") == 0.0

    def closed(result):
        return float(result.runs["close_date"].notna().mean())

    assert closed(insists) < 0.6 * closed(flexible)


def test_no_catalogue_update_no_home_block():
    """Without the catalogue update (and the 09-19 consent rule), the same full sale is never
    refused by the home government, which has nothing to rule on."""
    without = ensemble(
        "full_sale", **{"events.catalogue_update.date": "2021-06-30", "events.consent_any_sale.date": "2021-06-30"}
    )
    assert refused(without) == 0.0
    assert refused(ensemble("full_sale")) > 0.2


def test_tension_raises_home_blocks():
    """Higher tension between the governments makes a deal that needs consent likelier to be
    denied or held without a ruling, and a close less likely."""
    calm = ensemble("export_control_review", **{"home.tension": 0.1})
    tense = ensemble("export_control_review", **{"home.tension": 0.95})

    def refused_or_held(result):
        runs = result.runs[result.runs["licence_required"]]
        return runs["outcome"].isin(["blocked_by_home", "pending"]).mean()

    assert refused_or_held(tense) > refused_or_held(calm) + 0.05
    assert clearly_below(tense, calm, "closed_after_deadline")


def test_no_transfer_no_licence():
    """The trusted-partner structure without the algorithm needs no licence when Oracle is picked,
    unless the home government's consent covers any sale (from 2020-09-19 in the scenario)."""
    listed = {"bidders.oracle.p_drop_out": 0.0, "events.consent_any_sale.applies_to": "none"}
    result = ensemble("trusted_partner", **listed)
    unrefused = result.runs[result.runs["host_refusals"] == 0]  # no other buyer or structure after a refusal
    assert len(unrefused) > 400 and unrefused["licence_required"].sum() == 0
    assert (unrefused["home_refusals"] == 0).all()
    assert p(result, "closed_by_deadline") > p(ensemble("export_control_review"), "closed_by_deadline")
    assert ensemble("trusted_partner", **{"bidders.oracle.p_drop_out": 0.0}).runs["licence_required"].all()


def test_extension_limit_is_respected():
    """No run extends more often than instruments.divestiture_order.extensions.max allows, and 0 means none."""
    none = ensemble("export_control_review", runs=300, **{"instruments.divestiture_order.extensions.max": 0})
    assert none.runs["extensions"].max() == 0
    two = ensemble("export_control_review", runs=300)
    assert two.runs["extensions"].max() <= 2 and two.runs["extensions"].max() > 0


@pytest.mark.parametrize("bonus, direction", [(4.0, 1), (-4.0, -1)])
def test_extension_utility_moves_extensions(bonus, direction):
    """Raising the utility of extending a deadline under review raises the number of extensions."""
    base = ensemble("export_control_review", runs=400)
    moved = ensemble(
        "export_control_review",
        runs=400,
        **{"instruments.divestiture_order.extensions.deal_under_review": 2.5 + bonus},
    )
    assert direction * (moved.runs["extensions"].mean() - base.runs["extensions"].mean()) > 0.1


def test_administration_change_revokes_more():
    """A new administration that may revoke both instruments: a certain change makes `revoked`
    likelier than an even chance. Revoking the ban alone (as EO 14034 did) leaves the divestiture
    order, and the sale it forces, standing: fewer runs end revoked."""
    both = {"executive.new_administration.revokes": ["ban_order", "divestiture_order"]}
    certain = ensemble("administration_change", **both)
    assert clearly_below(ensemble("export_control_review", **both), certain, "revoked")
    assert clearly_below(ensemble("administration_change"), certain, "revoked")


def test_value_erosion_lowers_prices():
    """A faster erosion of value while the ban looms lowers the prices deals close at."""
    slow = ensemble("tiktok_2020", **{"market.erosion_looming": 0.0})
    fast = ensemble("tiktok_2020", **{"market.erosion_looming": 0.3})
    assert fast.runs["price"].median() < slow.runs["price"].median()
