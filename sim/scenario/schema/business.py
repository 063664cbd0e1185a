"""The business for sale, the ways to do the deal, the deal itself, the seller and the buyers."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import field_validator

from sim.scenario.schema.base import MAX_MONEY, Duration, Index01, Probability, Range, Spec, param, weight
from sim.scenario.schema.terms import TermsCondition


class Market(Spec):
    """The business for sale and how a ban threat erodes its value."""

    label: str = param("the business", "text", "Name used in the narrative.")
    users_m: float = param(
        ..., "million users", "Users of the business in the host country (information only: no actor reads it).", ge=0
    )
    base_value: float = param(
        ...,
        "bn, the scenario's currency",
        "Value of the business with no ban threat; the seller's reservation price is a share of it.",
        gt=0,
        le=MAX_MONEY,
    )
    erosion_looming: float = weight(
        0.0,
        "fraction per 30 days",
        "Share of value lost per 30 days while an instrument with ban stages is in force but no stage bites.",
        ge=0,
        lt=1,
    )
    erosion_biting: float = weight(
        0.0,
        "fraction per 30 days",
        "Share of value lost per 30 days while a ban stage bites (users cannot download or use the app).",
        ge=0,
        lt=1,
    )


class DealSpec(Spec):
    """What kind of deal the scenario plays, and where it stands at the start.

    * ``forced_divestiture`` (the default; the TikTok scenarios): the seller must sell; bidders come,
      the seller picks one, and the deal goes from talks to agreement, signing and the reviews.
    * ``negotiated``: an acquisition the parties signed on ``signed`` (by default the start) with
      ``buyer`` at ``price``; the reviewers it needs review it from there, and an ``agreement``
      may set its outside date (Qualcomm/NXP, Lattice/Canyon Bridge).
    * ``completed``: an acquisition that closed on ``signed`` before any review (a non-notified
      deal, Huawei/3Leaf); the reviewers review it after the fact: a clearance lets it stand
      (the run's close) and a block unwinds it (the buyer must divest).
    """

    kind: Literal["forced_divestiture", "negotiated", "completed"] = param(
        "forced_divestiture", "", "The kind of deal (see above)."
    )
    buyer: str | None = param(None, "bidder id", "The buyer that signed (negotiated) or bought (completed).")
    structure: str | None = param(None, "structure id", "The deal's structure; the buyer's offer if omitted.")
    price: float | None = param(
        None, "bn, the scenario's currency", "The agreed price (value of the whole business).", ge=0, le=MAX_MONEY
    )
    signed: dt.date | None = param(
        None, "date", "When the agreement was signed (completed: when the deal closed); the start if omitted."
    )


class OutsideDateExtensions(Spec):
    """How the parties may extend their agreement's outside date."""

    max: int = param(0, "count", "Most extensions.", ge=0)
    days: Duration = param(Duration(median=90), "days", "Length of one extension.")


class AgreementSpec(Spec):
    """A negotiated acquisition's merger agreement: the outside date by which it must close.

    When the outside date passes with the deal in progress but not closed, the parties extend it
    (with probability ``p_extend``, while extensions are left) or the agreement terminates: the
    run ends ``terminated``, and the termination fee, if any, is logged.
    """

    outside_date: dt.date = param(..., "date", "The agreement's outside date.")
    extensions: OutsideDateExtensions = param(OutsideDateExtensions(), "", "Extensions of the outside date.")
    p_extend: Probability = weight(0.5, "probability", "Chance the parties extend at an outside date, while they may.")
    termination_fee: float = param(
        0.0, "bn, the scenario's currency", "Fee the buyer pays the seller on termination (logged).", ge=0, le=MAX_MONEY
    )


class Exit(Spec):
    """The seller's choice to leave the market, weighed only while a stage that stops the service bites.

    A stage that only stops new downloads (an app-store listing) leaves the service running; only one
    that stops it for existing users (``stops_service``: hosting) makes leaving worth weighing.
    """

    base: float = weight(-4.0, "logit", "Logit of leaving at each check with no value lost.")
    value_lost: float = weight(4.0, "logit per unit", "Added per unit of the business's value lost (0-1).")
    litigating: float = weight(
        0.0,
        "logit",
        "Added while the seller litigates: a case of its own is pending or one of its injunctions stands "
        "(its litigation posture).",
    )
    check_days: int = param(30, "days", "Days between the seller's reconsiderations while a ban bites.", gt=0)


class SellerSpec(Spec):
    """The seller: picks a bid, restructures, litigates, may leave the market."""

    label: str = param("seller", "text", "Name used in the narrative.")
    technologies: list[str] = param(
        [],
        "technology ids",
        "Technologies embodied in the business (its algorithm, its designs); a deal exports them when its terms "
        "pass an export-licence reviewer's `exports_when`.",
    )
    structure_preference: dict[str, float] = weight(
        ...,
        "multiplier 0-1",
        "How much the seller likes each structure (by id); keeping control of the algorithm is worth more.",
    )
    proposes: list[str] = param(
        [],
        "structure ids",
        "Structures the seller offers bidders itself, at their price, besides their own offers (ByteDance "
        "proposed the no-transfer partnership on 2020-09-13); one id alone stands for a list of it.",
    )
    restructure_order: list[str] = param(
        [],
        "structure ids",
        "The path the seller restructures along when a reviewer rejects a deal.",
    )
    p_restructure: Probability = weight(
        0.7,
        "probability",
        "Chance the seller restructures a rejected deal (while its `restructure_order` has a next structure); "
        "otherwise, under an order or a statute that forces the sale it goes back to the market, and a deal no "
        "instrument forces ends.",
    )
    restructure_days: Duration = param(Duration(median=21, p90=45), "days", "Days to renegotiate a restructured deal.")
    reservation: float = weight(
        0.5,
        "fraction",
        "Walk-away price as a share of the business's current value; utility of holding out.",
        ge=0,
    )
    choice_temperature: float = weight(
        5.0,
        "bn, the scenario's currency",
        "Scale of the logit choice among bids; smaller picks the best expected value more surely.",
        gt=0,
    )
    bid_deadline: dt.date | None = param(
        None,
        "date",
        "When the seller picks among bids; if omitted, `decision_days` after the first.",
    )
    decision_days: Duration = param(
        Duration(median=14), "days", "From the first bid to the pick (without `bid_deadline`)."
    )
    exclusive_talks_days: Duration = param(
        Duration(median=7, p90=14), "days", "From the pick to the agreement in principle."
    )
    signing_days: Duration = param(
        Duration(median=30, p90=60),
        "days",
        "From the agreement in principle to a signed contract (if no licence letter is awaited).",
    )
    closing_days: Duration = param(Duration(median=5), "days", "From the last approval to the close.")
    exit: Exit = param(Exit(), "", "Leaving the market.")

    @field_validator("proposes", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        """``proposes: trusted_partner`` is ``[trusted_partner]`` (so a lever can choose one)."""
        return [value] if isinstance(value, str) else value


class BidderTerms(Spec):
    """What a buyer offers and how the host sees it (a named bidder, or each one a pool brings)."""

    valuation: Range = param(
        ..., "bn, the scenario's currency", "Range of its valuation of the business under the structure it offers."
    )
    offers: str = param(..., "structure id", "The structure it proposes.")
    accepts: list[str] | None = param(
        None, "structure ids", "Structures it would accept on restructuring; all if omitted."
    )
    requires: TermsCondition = param(
        {},
        "",
        "Accepts only structures whose terms pass this condition (e.g. `{algorithm: [transfer]}`: it insists on "
        "owning the algorithm); any if empty.",
    )
    foreign: bool = param(
        False,
        "yes/no",
        "A foreign person under the host's investment law: a reviewer with `applies_to: foreign_buyer` "
        "(a section 721 covered transaction) must clear its deals.",
    )
    standing: Index01 = weight(0.5, "index 0-1", "How favourably the host government sees the buyer.")
    due_diligence_days: Duration = param(Duration(median=30, p90=45), "days", "From entering to a bid.")
    p_drop_out: Probability = weight(0.1, "probability", "Chance it drops out before bidding.")
    p_return: Probability = weight(
        0.0,
        "probability",
        "Chance a bidder that dropped out comes back, at each event that moves the market while no deal is in "
        "progress (a deadline passing, a court refusing to stop a stage, a ban biting, a new administration).",
    )


class BidderSpec(BidderTerms):
    """A named bidder (a buyer with its partners)."""

    label: str = param(..., "text", "Name used in the narrative.")
    partners: list[str] = param([], "names", "Partners in the bid (information only).")
    enters: dt.date | None = param(None, "date", "When it enters talks; the start if omitted.")


class BidderPool(BidderTerms):
    """Buyers that arrive over time, beside the named bidders.

    Arrivals are a Poisson process of ``arrivals_per_30_days`` from ``opens`` to ``closes``, at most
    ``max_bidders`` of them, drawn from the pool's own stream; each arrival is a bidder
    (``pool_1``, ``pool_2``...) with the terms below, that does due diligence and bids like a
    named one.
    """

    label: str = param("a new bidder", "text", "Name of each arrival in the narrative (numbered).")
    arrivals_per_30_days: float = weight(
        0.5, "per 30 days", "Mean number of buyers arriving per 30 days (a Poisson process).", ge=0
    )
    opens: dt.date | None = param(None, "date", "When buyers start to arrive; the start if omitted.")
    closes: dt.date | None = param(None, "date", "When they stop arriving; the horizon if omitted.")
    max_bidders: int = param(5, "count", "Most buyers the pool brings.", ge=0)
