"""Instruments: the host's legal acts that force or threaten the sale, each on its own track.

``instruments:`` maps an id you choose to one instrument; its ``kind`` says what it is (see
``../shared/domain/legal-frames.md``, section 1):

* ``ban``: an order banning transactions in stages that an agency identifies and puts into effect
  on their own dates (the IEEPA order EO 13942, implemented by Commerce);
* ``divestiture_order``: an order to sell by a deadline, which the order lets someone extend
  within a cap, and which the executive then enforces or not (the 2020 Musical.ly order);
* ``law``: a statute with a ban date: its prohibitions take effect at the deadline unless the
  sale has closed, it may allow an extension on conditions, the executive may pause its
  enforcement, and one court may have exclusive jurisdiction over challenges to it (the 2024 act).

Each is issued (or enacted) on its ``date``, which may be uncertain like any event's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import model_validator

from sim.scenario.schema import kinds
from sim.scenario.schema.base import Dated, Duration, Probability, Spec, param, weight


class BanStage(Spec):
    """One stage of a ban: what it prohibits, and from when."""

    label: str = param(..., "text", "What the stage prohibits, for the narrative.")
    announced: dt.date | None = param(
        None, "date", "When the stage is announced (courts can be asked); or `announced_days`."
    )
    effective: dt.date | None = param(None, "date", "When it takes effect; or `effective_days`.")
    announced_days: Duration | None = param(
        None,
        "days",
        "Days from the ban's own date (drawn, for an uncertain ban) to the announcement, when its date is not "
        "known in advance (an order that says 'within 45 days').",
    )
    effective_days: Duration | None = param(
        None, "days", "Days from the announcement to the effect, when its date is not known in advance."
    )
    severity: float = param(
        0.0,
        "fraction per 30 days",
        "Extra share of value lost per 30 days while this stage bites (on top of `market.erosion_biting`).",
        ge=0,
        lt=1,
    )
    stops_service: bool = param(
        False,
        "yes/no",
        "It stops the service for the users the business already has (hosting, network services), not only new "
        "downloads or updates: the seller weighs leaving the market only while such a stage bites.",
    )


class LawStage(Spec):
    """One prohibition of a law, in effect from its deadline when the law is enforced."""

    label: str = param(..., "text", "What it prohibits, for the narrative.")
    severity: float = param(
        0.0,
        "fraction per 30 days",
        "Extra share of value lost per 30 days while it bites (on top of `market.erosion_biting`).",
        ge=0,
        lt=1,
    )
    stops_service: bool = param(
        False,
        "yes/no",
        "It stops the service for the users the business already has (hosting, network services), not only new "
        "downloads or updates: the seller weighs leaving the market only while such a stage bites.",
    )


class Postponement(Spec):
    """When the agency postpones a ban stage about to take effect."""

    p_if_deal_progressing: Probability = weight(
        0.5,
        "probability",
        "Chance of postponing when a deal is in progress (as `progress` says) or blessed.",
    )
    progress: Literal["talks", "agreement", "blessing"] = param(
        "talks",
        "",
        "What counts as a deal in progress: `talks` (exclusive talks or later: agreed, signed, under review), "
        "`agreement` (agreed in principle or later), or `blessing` (only a deal the executive has blessed).",
    )
    p_otherwise: Probability = weight(0.0, "probability", "Chance of postponing otherwise.")
    days: Duration = param(Duration(median=7), "days", "Length of one postponement.")
    max: int = param(1, "count", "Most postponements of one stage.", ge=0)
    stages: list[str] | None = param(None, "stage ids", "The stages the agency may postpone (every stage if omitted).")


class Ban(Dated):
    """An order banning transactions in stages (IEEPA), which an agency implements."""

    kind: Literal["ban"]
    label: str = param("ban order", "text", "Name used in the narrative.")
    agency: str = param(
        "commerce", "actor id", "The agency that announces and implements the stages (its id in the event log)."
    )
    agency_label: str = param("Commerce Department", "text", "The agency's name in the narrative.")
    stages: dict[str, BanStage] = param({}, "", "The ban's stages, by id.")
    postpone: Postponement | None = param(None, "", "Postponing a stage about to take effect; never if omitted.")


class Extensions(Spec):
    """How a deadline may be extended, by whom, how far, and on what conditions.

    Under the 2020 Musical.ly order CFIUS granted the extensions (15 days to 2020-11-27, then 7
    days to 2020-12-04), within the order's cap of 30 days in all; the 2024 act allows the President
    one extension of up to 90 days if binding agreements for a qualified divestiture are in place.
    At a deadline with no close, while the count, the cap and the conditions leave one, the decider
    extends with probability logistic(``base`` + the terms that apply).
    """

    decided_by: str = param(
        "executive", "actor id", "Who extends: `executive` or a reviewer's id (its stream draws the choice)."
    )
    max: int = param(1, "count", "Most extensions granted.", ge=0)
    max_days: float | None = param(None, "days", "Total extension the instrument allows; none if omitted.", ge=0)
    days: Duration = param(Duration(median=14), "days", "Length of one extension (clipped to what the cap leaves).")
    requires: list[Literal["deal_agreed", "deal_signed", "deal_under_review"]] = param(
        [],
        "",
        "Conditions for any extension: a deal agreed in principle, a signed contract (the 2024 act's "
        "'binding legal agreements'), a chosen deal before a reviewer.",
    )
    base: float = weight(-1.0, "logit", "Logit of extending when nothing else applies.")
    deal_under_review: float = weight(
        2.0, "logit", "Added when a chosen deal is before a reviewer (notified, filed or applied for)."
    )
    deal_blessed: float = weight(1.0, "logit", "Added when the executive blessed the deal.")
    lame_duck: float = weight(
        0.0, "logit", "Added between an election that changes the administration and the inauguration."
    )


class EnforcementSuit(Spec):
    """What enforcing an order does: the government sues to compel the sale, and the court decides.

    ``filing_days`` after the decision to enforce the suit is filed in ``court``; ``ruling_days``
    later the court rules, by a logit over its three rulings: it compels the sale (a trustee sells
    to the best live bid: the seller may no longer hold out or leave), imposes penalties until the
    sale (holding out loses ``penalty_cut`` of its worth), or dismisses the suit (the order stands,
    unenforced). A new administration in office may drop the suit first
    (``dropped_by_new_administration``): the order then stands unenforced.
    """

    court: str = param("the court", "text", "Where the suit is brought, for the narrative.")
    filing_days: Duration = param(Duration(median=30, p90=60), "days", "From the decision to enforce to the suit.")
    ruling_days: Duration = param(Duration(median=120, p90=240), "days", "From the suit to the ruling.")
    compel: float = weight(0.0, "logit", "Utility of compelling the sale by a trustee.")
    penalties: float = weight(0.0, "logit", "Utility of penalties until the sale.")
    dismiss: float = weight(0.0, "logit", "Utility of dismissing the suit.")
    penalty_cut: float = param(
        0.5, "fraction", "Share of the worth of holding out that the penalties take.", ge=0, le=1
    )
    dropped_by_new_administration: Probability = weight(
        0.0,
        "probability",
        "Chance a new administration drops the suit (at its filing or before the ruling) once it has taken office.",
    )


class Enforcement(Spec):
    """The choice, once a deadline passes with no close and no extension, to enforce the instrument.

    The Attorney General "may take any steps necessary" (the 2020 order); in 2020 nobody did, and
    non-enforcement was open-ended. Enforcing puts the instrument's prohibitions (a law's stages)
    into effect; leaving it unenforced suspends them. Without ``pause_days`` non-enforcement is
    open-ended and a new administration decides again when it takes office; with it, leaving the
    instrument unenforced is a pause after which the decider decides again, at most
    ``max_pauses`` times in a row (the repeated pauses of the 2024 act's enforcement in 2025).
    """

    decided_by: str = param("executive", "actor id", "Who decides: `executive` (the Attorney General).")
    base: float = weight(-0.5, "logit", "Logit of enforcing when nothing else applies (leaving it unenforced is 0).")
    no_deal: float = weight(1.5, "logit", "Added when no deal is in progress.")
    new_administration: float = weight(-2.0, "logit", "Added when a new administration decides.")
    lame_duck: float = weight(
        0.0, "logit", "Added between an election that changes the administration and the inauguration."
    )
    pause_days: Duration | None = param(
        None,
        "days",
        "Leaving the instrument unenforced is a pause of this length, after which the decider decides again; "
        "open-ended if omitted (as in 2020).",
    )
    max_pauses: int = param(
        0, "count", "Most pauses in a row (with `pause_days`); after the last, non-enforcement is open-ended.", ge=0
    )
    suit: EnforcementSuit | None = param(
        None,
        "",
        "What enforcing an order without prohibitions of its own does: a suit to compel the sale. An order with "
        "neither a suit nor stages has nothing to enforce, and no enforcement choice is made.",
    )


class DeadlineInstrument(Dated):
    """What a divestiture order and a law share: a deadline, its extensions and its enforcement.

    The deadline is a date (``deadline``), or a number of days from the instrument's own date
    (``deadline_days``), for an instrument whose date is known only as a window
    (``date: {between: [a, b]}``): each run's deadline then moves with the day drawn, and
    ``deadline`` is the one for the window's first day (set from it when omitted).
    """

    label: str = param("divestiture order", "text", "Name used in the narrative.")
    deadline: dt.date = param(
        ..., "date", "The deadline to sell (a law's ban date); the first deadline. With deadline_days: may be omitted."
    )
    deadline_days: int | None = param(
        None,
        "days",
        "The deadline as days after the instrument's date, which then moves with a date drawn in a window.",
        ge=1,
        le=36_500,
    )
    extensions: Extensions | None = param(None, "", "Extending the deadline; none if omitted.")
    enforcement: Enforcement = param(Enforcement(), "", "Enforcing it once the deadline passes.")

    @model_validator(mode="before")
    @classmethod
    def _deadline_from_days(cls, data: Any) -> Any:
        # deadline_days without a deadline: the deadline of the window's first day
        if isinstance(data, dict) and data.get("deadline") is None and isinstance(data.get("deadline_days"), int):
            first = data.get("date")
            if isinstance(first, dict) and isinstance(first.get("between"), list) and first["between"]:
                first = first["between"][0]
            if isinstance(first, str):
                try:
                    first = dt.date.fromisoformat(first)
                except ValueError:
                    return data  # the date's own error is reported
            if isinstance(first, dt.date) and 0 < data["deadline_days"] <= 36_500:
                data = {**data, "deadline": first + dt.timedelta(days=data["deadline_days"])}
        return data

    @model_validator(mode="after")
    def _deadline_agrees(self) -> DeadlineInstrument:
        if self.deadline_days is not None and self.deadline != self.date + dt.timedelta(days=self.deadline_days):
            raise ValueError(
                f"deadline {self.deadline} is not date + deadline_days "
                f"({self.date + dt.timedelta(days=self.deadline_days)}); give one of them"
            )
        return self


class DivestitureOrder(DeadlineInstrument):
    """An order to sell by a deadline (a presidential order under section 721)."""

    kind: Literal["divestiture_order"]


class Law(DeadlineInstrument):
    """A statute forcing the sale: prohibitions from a ban date unless the sale has closed.

    The executive cannot revoke it. ``exclusive_court`` names the only court that hears
    challenges to it, which must be filed within ``challenge_within_days`` of its enactment.
    """

    kind: Literal["law"]
    label: str = param("law", "text", "Name used in the narrative.")
    agency: str = param("doj", "actor id", "Who enforces its prohibitions (its id in the event log).")
    agency_label: str = param("Department of Justice", "text", "Its name in the narrative.")
    stages: dict[str, LawStage] = param({}, "", "What it prohibits from the deadline, by id.")
    exclusive_court: str | None = param(
        None, "court id", "The one court with jurisdiction over challenges to it; any court hearing it if omitted."
    )
    challenge_within_days: int | None = param(
        None, "days", "Challenges must be filed within this many days of its enactment; any time if omitted.", ge=0
    )


kinds.add("instruments", Ban, DivestitureOrder, Law)
