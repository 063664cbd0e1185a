"""The seller: picks a bid, negotiates, signs, restructures, may leave the market. It owns the deal."""

from __future__ import annotations

from dataclasses import replace

from mesa.time import Priority

from sim.model.agents.base import Actor
from sim.model.deal import Bid, Deal, DealStage
from sim.model.moments import (
    Applied,
    Approved,
    BanStarted,
    BidderLeft,
    BidMade,
    Blessed,
    BlockRecommended,
    ConsentNeeded,
    DealAbandoned,
    DealAgreed,
    DealAnnounced,
    DealChosen,
    DealClosed,
    DealSigned,
    FacesPresident,
    Filed,
    MarketMoved,
    NewTerms,
    Penalties,
    Rejected,
    Revised,
    SaleCompelled,
    SaleEnded,
    SellerLeft,
    SigningCleared,
    Silent,
    on,
)
from sim.model.randomness import logistic, logit_choice, odds_text
from sim.narrative import EventName, SpanName, short
from sim.scenario.schema import Consent, ExportLicence

HOLD_OUT = "hold_out"


class Seller(Actor):
    """The seller of the business, and the only actor that changes the deal.

    It collects bids and picks one by expected value, drives the deal to signing, restructures
    a deal a government rejects, and leaves the market when a ban bites long enough.

    The expected value of a bid is ``price x P(each reviewer approves) x preference for its
    structure``, the price scaled to what the business is worth today; the seller picks
    by a logit over those values (and holding out, worth ``reservation x current value``) with
    ``choice_temperature`` (in the scenario's currency, bn). It can also offer a bidder one of
    its own structures (``proposes``) at the bidder's price. Holding out is not final: the seller
    reconsiders the live bids at each event that changes its position (a bid arriving, a court
    refusing to stop a ban stage, a ban biting, a deadline passing, a new administration).
    """

    def __init__(self, model, spec, deal: Deal):
        super().__init__(model, "seller", spec.label)
        self.spec = spec
        self.deal = deal  # the run's deal: only the seller changes it
        self.bids: dict[str, Bid] = {}
        self.rejected: set[tuple[str, str]] = set()  # (bidder, structure) a government refused: not offered again
        self.refusals = {"host": 0, "home": 0}  # the deals or terms each side refused
        self.waiting_for_bids = False
        self.held_out = False
        self.withdrawn = False
        self.compelled = False  # a court ordered the sale: a trustee sells to the best live bid
        self.penalty_cut = 0.0  # share of holding out's worth that penalties until the sale take
        self._exit_epoch = 0
        self.timeline.open(SpanName.BIDDING)
        scenario = self.view.scenario
        if scenario.deal.kind != "forced_divestiture":
            self.clock.schedule(0, self.signed_at_start, priority=Priority.HIGH)
        elif spec.bid_deadline is not None:
            self.clock.schedule(self.clock.day_of(spec.bid_deadline), self.choose)
        agreement = scenario.agreement
        self.outside_day: int | None = None
        self.outside_extensions = 0
        if agreement is not None:
            self.outside_day = self.clock.day_of(agreement.outside_date)
            self.clock.schedule(self.outside_day, self.outside_date_passes, priority=Priority.LOW)

    @property
    def state(self) -> str:
        """The deal's stage, or holding out, or gone."""
        if self.withdrawn:
            return "left the market"
        if self.held_out and self.deal.stage is DealStage.BIDDING:
            return "holding out"
        return self.deal.stage.value.replace("_", " ")

    def stale(self, version: int) -> bool:
        """Whether a step scheduled for deal ``version`` no longer applies."""
        return version != self.deal.version or self.deal.stage.ended

    def set_stage(self, stage: DealStage) -> None:
        """Move the deal to a stage, remembering when (the fan chart of a backtest uses it)."""
        self.deal.stage = stage
        self.timeline.run.stage(stage.value)

    def deal_name(self) -> str:
        """How the narrative names the current deal."""
        return self.view.deal_name()

    # --- bidding ------------------------------------------------------------------------------

    @on(BidMade)
    def receive_bid(self, moment: BidMade) -> None:
        """Keep a bid; the pick comes at the bid deadline, or some days after the first bid."""
        self.bids[moment.bidder] = moment.bid
        if self.deal.stage is not DealStage.BIDDING:
            return
        if self.held_out:
            self.reconsider(f"a bid from {self.view.bidder_label(moment.bidder)}")
        elif self.waiting_for_bids:
            self.choose()
        elif self.spec.bid_deadline is None and len(self.bids) == 1:
            self.after(self.spec.decision_days, self.choose)

    @on(BidderLeft)
    def bidder_left(self, moment: BidderLeft) -> None:
        """A bidder dropped out; if the seller was waiting on the last one, decide now."""
        if self.waiting_for_bids and not self.view.bidders_pending():
            self.choose()

    def expected_value(self, bid: Bid) -> float:
        """Value in bn: price x chance each reviewer approves x preference for the structure."""
        value = bid.price * self.view.approval_belief(bid.structure, bid.bidder)
        return value * self.spec.structure_preference[bid.structure]

    def repriced(self, bid: Bid) -> Bid:
        """The bid at today's value of the business (a ban threat erodes it)."""
        now = self.view.value_factor()
        if bid.value_factor == now:
            return bid
        return replace(bid, price=round(bid.price * now / max(bid.value_factor, 1e-9), 2), value_factor=now)

    def options(self) -> dict[str, Bid]:
        """The deals on offer, keyed ``bidder`` or ``bidder/structure``.

        Each live bid under its own structure, and under each structure the seller proposes that
        the bidder accepts, at today's value.
        """
        options: dict[str, Bid] = {}
        for bid in self.bids.values():
            if not self.view.bidder_active(bid.bidder):
                continue
            bid = self.repriced(bid)
            if (bid.bidder, bid.structure) not in self.rejected:
                options[bid.bidder] = bid
            for sid in self.spec.proposes:
                if (
                    sid != bid.structure
                    and self.view.bidder_accepts(bid.bidder, sid)
                    and (bid.bidder, sid) not in self.rejected
                ):
                    options[f"{bid.bidder}/{sid}"] = replace(bid, structure=sid)
        return options

    def hold_out_value(self) -> float:
        """In bn: the walk-away price, a share of the business's current value, less what penalties take."""
        worth = self.spec.reservation * self.view.scenario.market.base_value * self.view.value_factor()
        return worth * (1.0 - self.penalty_cut)

    def choose(self) -> None:
        """Pick a bid (or hold out) by a logit over expected values."""
        if self.deal.stage is not DealStage.BIDDING:
            return
        options = self.options()
        if not options:
            if self.view.bidders_pending():
                self.waiting_for_bids = True
                return
            if not self.held_out:
                self.held_out = True  # a bidder may still come back
                self.log(EventName.NO_BIDS, "No bid came: the sale waits for one")
            return
        self.waiting_for_bids = False
        values = {key: self.expected_value(bid) for key, bid in options.items()}
        if self.compelled:  # a trustee sells: the best live bid, no holding out
            best = max(values, key=lambda k: values[k])
            self.held_out = False
            self.start_talks(options[best], f"The trustee picks {self.view.bidder_label(options[best].bidder)}")
            return
        values[HOLD_OUT] = self.hold_out_value()
        choice, probs = logit_choice(self.rng, values, self.spec.choice_temperature)
        why = ""
        if self.timeline.narrated:  # the expected values and odds, for the event log only
            why = ", ".join(f"{k} EV {v:.1f}" for k, v in values.items()) + f"; {odds_text(probs)}"
        if choice == HOLD_OUT:
            self.held_out = True
            self.log(EventName.HOLDS_OUT, f"holds out rather than sell, for now ({why})")
            return
        self.held_out = False
        bid = options[choice]
        self.start_talks(bid, f"picks {self.view.bidder_label(bid.bidder)} ({why})")

    @on(MarketMoved)
    def market_moved(self, moment: MarketMoved) -> None:
        """The market moved: a seller holding out looks at the bids again."""
        self.reconsider(moment.reason)

    def reconsider(self, reason: str) -> None:
        """A seller holding out looks at the bids again after an event that changes its position."""
        if not self.held_out or self.deal.stage is not DealStage.BIDDING or self.withdrawn:
            return
        self.log(EventName.RECONSIDERS, f"reconsiders holding out after {reason}")
        self.choose()

    @on(DealAnnounced)
    def announced_deal(self, moment: DealAnnounced) -> None:
        """A deal announced in the scenario: the pick is not left to chance."""
        label = self.view.bidder_label(moment.bidder)
        if moment.bid is None:
            reason = "the sale is past bidding" if self.view.bidder_active(moment.bidder) else f"{label} dropped out"
            self.log(EventName.BID_CHOSEN, f"The announced deal with {label} does not happen: {reason}")
            return
        bid = self.bids.get(moment.bidder) or moment.bid
        if moment.structure is not None:
            bid = replace(bid, structure=moment.structure)
        self.start_talks(bid, f"announces a deal with {label}" + (f": {moment.note}" if moment.note else ""))

    # --- from talks to signing ----------------------------------------------------------------

    def start_talks(self, bid: Bid, why: str) -> None:
        """Exclusive talks with the chosen bidder."""
        deal = self.deal
        self.set_stage(DealStage.EXCLUSIVE_TALKS)
        deal.bidder, deal.structure = bid.bidder, bid.structure
        deal.price, deal.price_factor = bid.price, bid.value_factor
        deal.chosen_day = self.today
        self.timeline.close(SpanName.BIDDING)
        self.timeline.open(SpanName.EXCLUSIVE_TALKS)
        self.log(EventName.BID_CHOSEN, f"{why}; structure {bid.structure}, {self.view.money(bid.price)}")
        self.after(self.spec.exclusive_talks_days, self.agree, deal.version)
        self.announce(DealChosen(deal.version))

    def signed_at_start(self) -> None:
        """A negotiated or completed deal: signed (or closed) before the run; the reviewers it needs take it."""
        deal = self.deal
        spec = self.view.scenario.deal
        assert spec.buyer is not None and spec.price is not None, "checked at validation for a signed deal"
        deal.bidder = spec.buyer
        deal.structure = spec.structure or self.view.buyer(spec.buyer).offers
        deal.price = spec.price
        deal.chosen_day = deal.agreed_day = deal.signable_day = deal.signed_day = self.today
        self.timeline.close(SpanName.BIDDING)
        self.set_stage(DealStage.SIGNED)
        when = (spec.signed or self.view.scenario.start).isoformat()
        what = "closed" if spec.kind == "completed" else "signed"
        self.log(
            EventName.SIGNED,
            f"{what} the {self.deal_name()} at {self.view.money(spec.price)} on {when}; the reviews follow",
        )
        self.announce(DealChosen(deal.version))
        self.announce(DealAgreed(deal.version))
        self.announce(DealSigned(deal.version))

    def agree(self, version: int) -> None:
        """Agreement in principle: signing follows (the executive may bless it)."""
        deal = self.deal
        if self.stale(version):
            return
        self.set_stage(DealStage.AGREED)
        deal.agreed_day = self.today
        self.timeline.close(SpanName.EXCLUSIVE_TALKS)
        self.log(EventName.AGREEMENT, f"agrees the {self.deal_name()} in principle")
        self.timeline.open(SpanName.SIGNING)
        deal.signable_day = self.after(self.spec.signing_days, self.sign, version)
        self.announce(DealAgreed(version))

    def sign(self, version: int) -> None:
        """Sign the contract, unless a letter of intent is awaited (no contract before it)."""
        deal = self.deal
        if self.stale(version) or deal.stage is not DealStage.AGREED:
            return
        waiting_on = self.view.signing_blocked_by()
        if waiting_on is not None:
            if not self.timeline.is_open(SpanName.LETTER_WAIT):
                self.timeline.close(SpanName.SIGNING)
                self.timeline.open(SpanName.LETTER_WAIT, responsible=waiting_on)
                self.log(
                    EventName.SIGNING_WAITS,
                    "has the contract ready but cannot sign it before the letter of intent",
                )
            return
        self.set_stage(DealStage.SIGNED)
        deal.signed_day = self.today
        self.timeline.close(SpanName.SIGNING)
        self.timeline.close(SpanName.LETTER_WAIT)
        self.log(EventName.SIGNED, f"signs the {self.deal_name()}")
        self.announce(DealSigned(deal.version))

    @on(SigningCleared)
    def signing_cleared(self, moment: SigningCleared) -> None:
        """A letter of intent came: sign now if the contract was waiting for it."""
        deal = self.deal
        if moment.version != deal.version:
            return
        if deal.stage is DealStage.AGREED and deal.signable_day is not None and deal.signable_day <= self.today:
            self.sign(deal.version)

    @on(Blessed)
    def blessed(self, moment: Blessed) -> None:
        """The executive blessed the deal in principle."""
        if moment.version == self.deal.version:
            self.deal.blessed = True

    # --- the parties' acts in a reviewer's procedure ----------------------------------------

    @on(ConsentNeeded)
    def consent_needed(self, moment: ConsentNeeded) -> None:
        """The terms need a reviewer's consent: prepare the application and file it."""
        spec = self.view.scenario.reviewers[moment.reviewer]
        assert isinstance(spec, ExportLicence | Consent), "a licence or a consent is applied for"
        what = "an export licence" if isinstance(spec, ExportLicence) else "its political consent"
        whose = short(spec.label)
        self.log(EventName.LICENCE_NEEDED, f"learns that the {self.deal_name()} needs {whose}'s consent: {what}")
        self.after(spec.application_days, self.apply, moment.reviewer, moment.version)

    def apply(self, reviewer: str, version: int) -> None:
        """The application reaches the reviewer."""
        if not self.stale(version):
            self.announce(Applied(reviewer, version))

    @on(Silent)
    def silence(self, moment: Silent) -> None:
        """A reviewer gave no answer: the parties may send it revised terms after a while."""
        spec = self.view.scenario.reviewers[moment.reviewer]
        rule = spec.__dict__.get("after_silence")  # a pydantic model's fields; a kind without it has none
        if rule is None or self.stale(moment.version) or not self.happens(rule.p_revise):
            return
        self.after(rule.days, self.revise, moment.reviewer, moment.version)

    def revise(self, reviewer: str, version: int) -> None:
        """The revised terms go to the silent reviewer."""
        if self.stale(version):
            return
        label = self.view.scenario.reviewers[reviewer].label
        self.log(EventName.REVISED_AFTER_SILENCE, f"sends {label} a revised submission of the {self.deal_name()}")
        self.announce(Revised(reviewer, version))

    @on(Filed)
    def filed(self, moment: Filed) -> None:
        """The parties filed with a reviewer: the seller's row of it."""
        self.log(EventName(moment.event), moment.detail)

    @on(BlockRecommended)
    def block_recommended(self, moment: BlockRecommended) -> None:
        """Told the deal will be blocked, the parties abandon it (or unwind a completed one) or face the President."""
        if self.stale(moment.version):
            return
        if not self.happens(moment.p_abandon):
            self.announce(FacesPresident(moment.reviewer, moment.version))
            return
        completed = self.view.scenario.deal.kind == "completed"
        what = "unwind the completed" if completed else "abandon the"
        self.log(
            EventName.ABANDONED_ON_RECOMMENDATION,
            f"and the buyer {what} {self.deal_name()} rather than face the President (p={moment.p_abandon:.2f})",
        )
        side = self.view.scenario.reviewers[moment.reviewer].side
        self.end_sale(
            DealStage.BLOCKED_HOST if side == "host" else DealStage.BLOCKED_HOME,
            EventName.SALE_ENDS,
            f"The {self.deal_name()} is {'unwound' if completed else 'abandoned'}",
        )

    # --- approvals and the close --------------------------------------------------------------

    @on(Approved, DealSigned)
    def approved(self, moment: Approved | DealSigned) -> None:
        """Signed, or a reviewer approved: close once every approval the terms need is in.

        The seller hears of its own signing after the reviewers have (it is built after them), so
        a reviewer the signed terms need has taken the deal by then.
        """
        if moment.version == self.deal.version:
            self.try_close()

    def try_close(self) -> None:
        """Once signed and approved by every reviewer it needs, the deal closes after a few days.

        A completed deal closed before the run: its clearance is the close.
        """
        deal = self.deal
        if deal.stage is DealStage.SIGNED and self.view.all_approved() and not deal.closing_scheduled:
            deal.closing_scheduled = True
            if self.view.scenario.deal.kind == "completed":
                self.close(deal.version)
                return
            self.timeline.open(SpanName.CLOSING)
            self.after(self.spec.closing_days, self.close, deal.version, priority=Priority.HIGH)

    def close(self, version: int) -> None:
        """The sale closes."""
        if self.stale(version):
            return
        deal = self.deal
        self.set_stage(DealStage.CLOSED)
        deal.closed_day = self.today
        self.timeline.close(SpanName.CLOSING)
        if self.view.scenario.deal.kind == "completed":
            self.log(EventName.CLOSED, f"keeps the completed {self.deal_name()}: every review cleared it")
        elif self.view.structure(self.view.deal.chosen_structure).seller_keeps:
            self.log(EventName.CLOSED, f"keeps the business under the {self.deal_name()}: no sale")
        else:
            self.log(EventName.CLOSED, f"closes the {self.deal_name()} at {self.view.money(deal.price or 0.0)}")
        self.announce(DealClosed(version))

    # --- rejection and restructuring ----------------------------------------------------------

    @on(Rejected)
    def deal_rejected(self, moment: Rejected) -> None:
        """A reviewer rejected the deal: restructure along the path, go back to the market, or the deal ends.

        A refusal ends the sale only where it is final: the decision says so (the President's
        block, a prohibition of a negotiated deal), or the deal is not one an instrument forces.
        Under an order or a statute that forces the sale the obligation outlives any buyer: the
        seller restructures (``p_restructure``, while its path has a next structure) or goes back
        to the market, and the run goes on.
        """
        if moment.version != self.deal.version or self.deal.stage.ended:
            return
        by = moment.side
        self.refusals[by] = self.refusals.get(by, 0) + 1
        self.rejected.add((self.view.deal.chosen_bidder, self.view.deal.chosen_structure))  # never offered again
        option = None if moment.final else self.next_structure()
        if option is not None and self.chance(self.spec.p_restructure):
            self.restructure(*option, by=by)
            return
        if not moment.final and self.view.sale_forced():
            self.back_to_market(by)
            return
        stage = DealStage.BLOCKED_HOST if by == "host" else DealStage.BLOCKED_HOME
        self.end_sale(
            stage, EventName.SALE_ENDS, f"The {self.deal_name()} is blocked by the {by} government; the sale ends"
        )

    @on(DealAbandoned)
    def deal_abandoned(self, moment: DealAbandoned) -> None:
        """The parties give up under a reviewer's in-depth review.

        A negotiated deal terminates; a sale an instrument forces goes back to the market without
        that buyer and structure.
        """
        if moment.version != self.deal.version or self.deal.stage.ended or self.deal.closed_day is not None:
            return
        label = short(self.view.scenario.reviewers[moment.reviewer].label or moment.reviewer)
        self.rejected.add((self.view.deal.chosen_bidder, self.view.deal.chosen_structure))  # never offered again
        if self.view.sale_forced():
            self.back_to_market("", why=f"the parties abandon it under {label}'s in-depth review")
            return
        self.end_sale(
            DealStage.TERMINATED,
            EventName.ABANDONED,
            f"The parties abandon the {self.deal_name()} under {label}'s in-depth review, before any decision",
        )

    def back_to_market(self, by: str, why: str = "") -> None:
        """The rejected deal is off; the sale the instrument forces goes on with the other buyers."""
        deal = self.deal
        old = self.deal_name()
        deal.new_terms(None, None, None, 1.0, self.today)
        deal.blessed = False
        self.set_stage(DealStage.BIDDING)
        self.timeline.run.close_all(keep=(SpanName.BAN,))
        self.timeline.open(SpanName.BIDDING)
        why = why or f"the {by} government's refusal"
        self.log(EventName.BACK_TO_MARKET, f"drops the {old} after {why}; the sale goes on (still ordered)")
        self.held_out = False
        self.announce(NewTerms(deal.version))
        self.clock.schedule(self.today, self.choose, priority=Priority.LOW)

    def open_to(self, bidder_id: str, structure_id: str) -> bool:
        """Whether a buyer is still in, would do the deal under this structure, and was not refused it."""
        return (
            self.view.bidder_active(bidder_id)
            and self.view.bidder_accepts(bidder_id, structure_id)
            and (bidder_id, structure_id) not in self.rejected
        )

    def next_structure(self) -> tuple[str, str] | None:
        """The next structure on the restructuring path, and a buyer who accepts it."""
        current = self.view.deal.chosen_bidder
        order = self.spec.restructure_order
        structure = self.view.deal.chosen_structure
        later = order[order.index(structure) + 1 :] if structure in order else []
        for sid in later:
            if self.open_to(current, sid):
                return sid, current
            others = [b for bid_id, b in self.bids.items() if bid_id != current and self.open_to(bid_id, sid)]
            if others:
                best = max(others, key=lambda b: self.expected_value(replace(b, structure=sid)))
                return sid, best.bidder
        return None

    def restructure(self, structure: str, bidder: str, by: str) -> None:
        """Renegotiate the deal under new terms; every approval starts again."""
        deal = self.deal
        old = self.deal_name()
        if bidder != deal.bidder:
            deal.blessed = False
            deal.price, deal.price_factor = self.bids[bidder].price, self.bids[bidder].value_factor
        now = self.view.value_factor()
        price = round((deal.price or 0.0) * now / max(deal.price_factor, 1e-9), 2)
        deal.new_terms(bidder, structure, price, now, self.today)
        self.set_stage(DealStage.RESTRUCTURING)
        self.timeline.run.close_all(keep=(SpanName.BAN,))
        self.timeline.open(SpanName.RESTRUCTURING)
        self.log(
            EventName.RESTRUCTURE,
            f"restructures the {old} as {structure} with {self.view.bidder_label(bidder)}, "
            f"after the {by} government's rejection",
        )
        self.after(self.spec.restructure_days, self.restructured, deal.version)
        self.announce(NewTerms(deal.version))

    def restructured(self, version: int) -> None:
        """The restructured terms are agreed; they can be signed at once (letter permitting)."""
        deal = self.deal
        if self.stale(version):
            return
        self.set_stage(DealStage.AGREED)
        deal.agreed_day = deal.signable_day = self.today
        self.timeline.close(SpanName.RESTRUCTURING)
        self.log(EventName.AGREEMENT, f"agrees the restructured {self.deal_name()}")
        self.timeline.open(SpanName.SIGNING)
        self.announce(DealChosen(version))
        self.announce(DealAgreed(version))
        self.clock.schedule(self.today, self.sign, version, priority=Priority.LOW)

    def end_sale(self, stage: DealStage, event: EventName, detail: str) -> None:
        """The sale process is over without a close."""
        self.set_stage(stage)
        self.timeline.run.close_all(keep=(SpanName.BAN,))
        self.log(event, detail)
        self.announce(SaleEnded(stage.value))

    # --- the agreement's outside date ---------------------------------------------------------

    def outside_date_passes(self) -> None:
        """The outside date, with the deal in progress and not closed: extend it, or terminate."""
        deal = self.deal
        agreement = self.view.scenario.agreement
        assert agreement is not None, "an outside date comes with an agreement"
        if self.today != self.outside_day or deal.closed_day is not None or not deal.stage.in_progress:
            return
        extend = self.chance(agreement.p_extend)
        if extend and self.outside_extensions < agreement.extensions.max:
            self.outside_extensions += 1
            self.outside_day = self.days_from_now(agreement.extensions.days)
            self.clock.schedule(self.outside_day, self.outside_date_passes, priority=Priority.LOW)
            self.log(
                EventName.OUTSIDE_DATE_EXTENDED,
                f"and the buyer extend the outside date to {self.clock.date_of(self.outside_day)} "
                f"(extension {self.outside_extensions}, p={agreement.p_extend:.2f})",
            )
            return
        fee = (
            f"; the buyer owes a {self.view.money(agreement.termination_fee)} fee" if agreement.termination_fee else ""
        )
        self.end_sale(
            DealStage.TERMINATED, EventName.TERMINATED, f"The {self.deal_name()} terminates at its outside date{fee}"
        )

    # --- enforcement ---------------------------------------------------------------------------

    @on(SaleCompelled)
    def sale_compelled(self, moment: SaleCompelled) -> None:
        """A court compelled the sale: a trustee sells to the best live bid as soon as there is one."""
        self.compelled = True
        self.held_out = False
        if self.deal.stage is DealStage.BIDDING:
            self.choose()

    @on(Penalties)
    def penalties(self, moment: Penalties) -> None:
        """Penalties until the sale: holding out is worth less; a seller holding out looks at the bids again."""
        self.penalty_cut = max(self.penalty_cut, moment.cut)
        self.reconsider("the court's penalties")

    # --- leaving the market -------------------------------------------------------------------

    @on(BanStarted)
    def ban_started(self, moment: BanStarted) -> None:
        """A ban began to bite: reconsider staying every ``exit.check_days``."""
        self._exit_epoch += 1
        self.clock.schedule(self.today + self.spec.exit.check_days, self.consider_exit, self._exit_epoch)

    def consider_exit(self, epoch: int) -> None:
        """Leave the market with a probability that grows with the value lost.

        Only while a stage that stops the service bites (an app-store listing leaves the service
        running) and no court has compelled a sale (a trustee sells instead).
        """
        if epoch != self._exit_epoch or not self.view.ban_bites:
            return
        if not self.view.service_stopped() or self.compelled:
            self.clock.schedule(self.today + self.spec.exit.check_days, self.consider_exit, epoch)
            return
        lost = 1.0 - self.view.value_factor()
        litigating = self.view.litigating()
        p = logistic(self.spec.exit.base + self.spec.exit.value_lost * lost + self.spec.exit.litigating * litigating)
        if self.chance(p):
            self.withdrawn = True
            self.log(
                EventName.WITHDRAWAL,
                f"leaves the market after losing {lost:.0%} of the business's value (p={p:.2f})",
            )
            if not self.deal.stage.ended:
                self.set_stage(DealStage.ABANDONED)
            self.announce(SellerLeft())
            return
        self.log(EventName.STAYS, f"stays despite losing {lost:.0%} of the value (p(leave)={p:.2f})")
        self.clock.schedule(self.today + self.spec.exit.check_days, self.consider_exit, epoch)
