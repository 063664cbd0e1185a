"""How actors are named in tables, stories and figures."""

from __future__ import annotations

from sim.scenario.schema import Ban, Law, Scenario


def actor_labels(scenario: Scenario) -> dict[str, str]:
    """Display names of the actors by their log id."""
    labels = {"seller": scenario.seller.label, "model": "outcome", "pool": "bidder pool"}
    if scenario.executive is not None:
        labels["executive"] = scenario.executive.label
    if scenario.home is not None:
        labels["home"] = scenario.home.label
    labels.update({rid: r.label for rid, r in scenario.reviewers.items()})
    labels.update({i.agency: i.agency_label for i in scenario.instruments.values() if isinstance(i, Ban | Law)})
    labels.update({cid: c.label for cid, c in scenario.courts.items()})
    labels.update({bid: b.label for bid, b in scenario.bidders.items()})
    if scenario.bidder_pool is not None:
        labels.update(
            {f"pool_{n}": f"{scenario.bidder_pool.label} {n}" for n in range(1, scenario.bidder_pool.max_bidders + 1)}
        )
    return labels
