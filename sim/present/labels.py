"""How actors are named in tables, stories and figures."""

from __future__ import annotations

from sim.scenario.schema import Scenario


def actor_labels(scenario: Scenario) -> dict[str, str]:
    """Display names of the actors by their log id."""
    labels = {
        "executive": scenario.executive.label,
        "cfius": scenario.cfius.label,
        "commerce": scenario.commerce.label,
        "china": scenario.china.label,
        "seller": scenario.seller.label,
        "model": "outcome",
    }
    labels.update({cid: c.label for cid, c in scenario.courts.items()})
    labels.update({bid: b.label for bid, b in scenario.bidders.items()})
    return labels
