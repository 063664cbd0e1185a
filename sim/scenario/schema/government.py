"""The two governments' politics: the host executive, and the home government's stance."""

from __future__ import annotations

from sim.scenario.schema.base import Duration, Index01, Probability, Spec, param, weight
from sim.scenario.schema.terms import TermWeights


class Blessing(Spec):
    """The executive's blessing of an agreed deal "in principle"."""

    base: float = weight(0.0, "logit", "Logit of blessing a deal by a buyer of zero standing.")
    standing: float = weight(2.0, "logit per unit", "Added per unit of the buyer's standing (0-1).")
    terms: TermWeights = weight({}, "logit", "Added for the deal's terms (by dimension of the scenario's `terms:`).")


class NewAdministration(Spec):
    """What a new administration does after an election changes it."""

    p_shelve_review: Probability = weight(
        0.5, "probability", "Chance it shelves the host reviewers' pending reviews of the deal until the horizon."
    )
    shelve_days: Duration | None = param(
        None, "days", "Days from inauguration to the shelving (on taking office if omitted)."
    )
    p_revoke: Probability = weight(0.5, "probability", "Chance it revokes the instruments in `revokes` (others stand).")
    revokes: list[str] = param([], "instrument ids", "What it may revoke (not a law).")
    revoke_days: Duration = param(Duration(median=120, p90=200), "days", "Days from inauguration to the revocation.")
    stance: dict[str, float] | None = weight(
        None,
        "logit by host reviewer id",
        "How the new administration moves a host reviewer's stance on taking office: added to an investment "
        "review's acceptance, or to merger control's utilities of clearing and approving; unset, it moves none.",
        optional=True,
    )
    compliant: list[str] = param(
        [],
        "structure ids",
        "Structures it may declare compliant (a qualified divestiture, by its own determination): the host's "
        "investment reviewers then clear a deal with one of them, pending or later. Each must meet every host "
        "order reviewer's `divestment_test`: a declaration does not waive the test.",
    )
    p_declare_compliant: Probability | None = weight(
        None,
        "probability",
        "Chance it declares the structures in `compliant` compliant; unset, it declares none.",
        optional=True,
    )
    declare_days: Duration = param(
        Duration(median=120, p90=300),
        "days",
        "Days from inauguration to the declaration (an assumption; EO 14352 came 248 days after the 2025 one).",
    )


class ExecutiveSpec(Spec):
    """The host executive (in the US: the President, and the Attorney General who enforces).

    It issues the instruments, blesses deals, decides on referrals to block and, as an
    instrument's ``decided_by``, on its extensions and enforcement; elections may change it.
    """

    label: str = param("the executive", "text", "Name used in the narrative (the US President, a prime minister...).")
    blessing: Blessing | None = param(None, "", "Blessing an agreed deal in principle; never if omitted.")
    new_administration: NewAdministration = param(
        NewAdministration(), "", "Behaviour after a change of administration."
    )


class HomeSpec(Spec):
    """The home government's politics, read by its reviewers: tension with the host, and its public stance."""

    label: str = param("home government", "text", "Name used in the narrative.")
    tension: Index01 = weight(0.5, "index 0-1", "Tension between the two governments at the start; events move it.")
    stance: Index01 = weight(0.5, "index 0-1", "Public opposition to the sale at the start; events move it.")
