"""Courts: where an instrument is challenged, and the chain of appeals above them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sim.scenario.schema.base import (
    Duration,
    Index01,
    Probability,
    Spec,
    calendar_param,
    holidays_param,
    param,
    weight,
)


class AppealLevel(Spec):
    """One court above: the losing side's appeal of the ruling below, and its ruling.

    After a ruling, the side that lost appeals with its probability (``government_appeals``,
    ``plaintiff_appeals``); the court hears the case with probability ``p_cert`` (1 for an appeal
    as of right, less for certiorari) and rules ``days`` later, reversing the ruling below with
    probability ``p_reverses``. The side that lost there may go on to the next level. Choices made
    with certainty (1 or 0) draw nothing.
    """

    label: str = param(..., "text", "Court, for the narrative.")
    days: Duration = param(Duration(median=120, p90=240), "days", "From the ruling below to this court's ruling.")
    p_cert: Probability = weight(1.0, "probability", "Chance the court takes the case (1: an appeal as of right).")
    p_reverses: Probability = weight(0.1, "probability", "Chance it reverses the ruling below.")
    government_appeals: Probability = weight(1.0, "probability", "Chance the government appeals a ruling it lost.")
    plaintiff_appeals: Probability = weight(0.0, "probability", "Chance the plaintiff appeals a ruling it lost.")
    held_by_new_administration: Probability = weight(
        0.0,
        "probability",
        "Chance a new administration asks this court to hold the government's pending appeals in abeyance (they are "
        "not ruled on; a revoked instrument leaves them moot).",
    )


class Renewal(Spec):
    """A plaintiff denied an injunction files again for the same stage (a renewed motion, on a new record)."""

    p: Probability = weight(0.5, "probability", "Chance the plaintiff renews after a denial.")
    days: Duration = param(Duration(median=21, p90=45), "days", "From the denial to the renewed motion.")
    max: int = param(1, "count", "Most renewed motions per stage.", ge=0)


class CourtSpec(Spec):
    """A court where an instrument can be challenged.

    A court hearing a ``ban`` is asked to enjoin each stage it hears when the stage is announced;
    a challenge filed before the stage's effective date is ruled on by that date unless the court
    is slow (``p_slow``). A court hearing a divestiture order or a law is petitioned once the
    instrument is issued; a ruling for the plaintiff sets it aside. Challenges to one instrument
    share its legal question: each ruling draws on a merits draw common to the instrument,
    weighted by ``agreement``. ``appeals`` is the chain of courts above, in order.
    """

    label: str = param(..., "text", "Court and case, for the narrative.")
    plaintiff: Literal["seller", "users"] = param(
        ..., "", "Who brings the challenge: the seller, or others (its users, customers, employees)."
    )
    plaintiff_label: str = param(
        "",
        "text",
        "Who brings the challenge, as the narrative names them (e.g. TikTok creators); the seller's label, or "
        "'the plaintiffs', if omitted.",
    )
    hears: str = param(..., "instrument id", "Which instrument is challenged here.")
    stages: list[str] | None = param(None, "stage ids", "Stages of a ban this court can enjoin; all if omitted.")
    p_challenge: Probability = weight(
        0.9, "probability", "Chance the plaintiff challenges a stage (or the instrument) here."
    )
    filing_days: Duration = param(
        Duration(median=2), "days", "From a stage's announcement (or the instrument's issue) to the filing."
    )
    ruling_days: Duration = param(
        Duration(median=10, p90=40), "days", "From the filing to the ruling, if the court is not held to a date."
    )
    p_slow: Probability = weight(
        0.1, "probability", "Chance the court does not rule before the stage's effective date."
    )
    p_enjoin: Probability = weight(
        0.8, "probability", "Chance a ruling enjoins the stage (or sets the instrument aside)."
    )
    imminent_days: int | None = param(
        None,
        "days",
        "Imminence of the harm a preliminary injunction needs: a motion against a stage more than this many days "
        "from its effective date is declined at this time, without a ruling on the merits, and the plaintiff moves "
        "again (after `filing_days`) once the stage is this close. Unset, the court rules on any stage.",
        ge=0,
    )
    agreement: Index01 = weight(
        0.5,
        "index 0-1",
        "How much of a ruling rests on the legal question common to every challenge of the instrument "
        "(0: independent rulings; 1: every court rules alike).",
    )
    petition_held_by_new_administration: Probability | None = weight(
        None,
        "probability",
        "Chance a new administration asks this court to hold the plaintiff's petition against the instrument in "
        "abeyance while it reviews the instrument, the plaintiff agreeing (pending when it takes office, or filed "
        "later); held, the petition is not ruled on. Unset, no petition is held.",
        optional=True,
    )
    petition_hold_days: Duration = param(
        Duration(median=30),
        "days",
        "From the new administration taking office to the court's order holding the petition (2021: 30 days, "
        "01-20 to 02-19); a ruling due before it comes.",
    )
    calendar: Literal["weekdays", "us_federal", "prc"] = calendar_param()
    holidays: list[dt.date] = holidays_param()
    appeals: dict[str, AppealLevel] = param({}, "", "The courts above, in order (an appeal chain).")
    renew: Renewal | None = param(
        None, "", "Renewed motions after a denial (a new motion for the same stage); none if omitted."
    )
