"""The seller (ByteDance): picks a bid, negotiates, signs, restructures, may leave the market."""

from __future__ import annotations

from dataclasses import replace

from mesa.time import Priority

from sim.model.agents.base import Actor
from sim.model.deal import Bid, DealStage
from sim.model.randomness import logistic, logit_choice, odds_text
from sim.narrative import EventName, SpanName
from sim.scenario.schema import AnnouncedDeal

HOLD_OUT = "hold_out"


class Seller(Actor):
    """The seller of the business.

    It collects bids and picks one by expected value, drives the deal to signing, restructures
    a deal a government rejects, and leaves the market when a ban bites long enough.

    The expected value of a bid is ``price x P(each reviewer approves) x preference for its
    structure``, the price scaled to what the business is worth today; the seller picks
    by a logit over those values (and holding out, worth ``reservation x current value``) with
    ``choice_temperature`` in US$ bn. It can also offer a bidder one of its own structures
    (``proposes``) at the bidder's price. Holding out is not final: the seller reconsiders the
    live bids at each event that changes its position (a bid arriving, a court refusing to stop a
    ban stage, a ban biting, a deadline passing, a new administration).
    """

    def __init__(self, model, spec):
        super().__init__(model, "seller", spec.label)
        self.spec = spec
        self.bids: dict[str, Bid] = {}
        self.waiting_for_bids = False
        self.held_out = False
        self.withdrawn = False
        self._exit_epoch = 0
        model.open_span(SpanName.BIDDING, self.actor_id)
        if model.deal_scenario.deal.kind != "forced_divestiture":
            model.schedule(0, self.signed_at_start, priority=Priority.HIGH)
        elif spec.bid_deadline is not None:
            model.schedule(model.deal_scenario.day(spec.bid_deadline), self.choose)
        agreement = model.deal_scenario.agreement
        self.outside_day: int | None = None
        self.outside_extensions = 0
        if agreement is not None:
            self.outside_day = model.deal_scenario.day(agreement.outside_date)
            model.schedule(self.outside_day, self.outside_date_passes, priority=Priority.LOW)

    @property
    def state(self) -> str:
        """The deal's stage, or holding out, or gone."""
        if self.withdrawn:
            return "left the market"
        if self.held_out and self.model.deal.stage is DealStage.BIDDING:
            return "holding out"
        return self.model.deal.stage.value.replace("_", " ")

    # --- bidding ------------------------------------------------------------------------------

    def receive_bid(self, bid: Bid) -> None:
        """Keep a bid; the pick comes at the bid deadline, or some days after the first bid."""
        self.bids[bid.bidder] = bid
        if self.model.deal.stage is not DealStage.BIDDING:
            return
        if self.held_out:
            self.reconsider(f"a bid from {self.model.bidders[bid.bidder].label}")
        elif self.waiting_for_bids:
            self.choose()
        elif self.spec.bid_deadline is None and len(self.bids) == 1:
            self.after(self.spec.decision_days, self.choose)

    def bidder_left(self) -> None:
        """A bidder dropped out; if the seller was waiting on the last one, decide now."""
        if self.waiting_for_bids and not self.model.bidders_pending():
            self.choose()

    def expected_value(self, bid: Bid) -> float:
        """US$ bn: price x chance each reviewer approves x preference for the structure."""
        value = bid.price
        for reviewer in self.model.reviewers.values():
            value *= reviewer.approval_belief(bid.structure, bid.bidder)
        return value * self.spec.structure_preference[bid.structure]

    def repriced(self, bid: Bid) -> Bid:
        """The bid at today's value of the business (a ban threat erodes it)."""
        now = self.model.value_factor()
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
            bidder = self.model.bidders[bid.bidder]
            if not bidder.active:
                continue
            bid = self.repriced(bid)
            options[bid.bidder] = bid
            for sid in self.spec.proposes:
                if sid != bid.structure and bidder.accepts(sid):
                    options[f"{bid.bidder}/{sid}"] = replace(bid, structure=sid)
        return options

    def hold_out_value(self) -> float:
        """US$ bn: the walk-away price, a share of the business's current value."""
        return self.spec.reservation * self.model.deal_scenario.market.base_value * self.model.value_factor()

    def choose(self) -> None:
        """Pick a bid (or hold out) by a logit over expected values."""
        deal = self.model.deal
        if deal.stage is not DealStage.BIDDING:
            return
        options = self.options()
        if not options:
            if self.model.bidders_pending():
                self.waiting_for_bids = True
                return
            if not self.held_out:
                self.held_out = True  # a bidder may still come back
                self.log(EventName.NO_BIDS, "No bid came: the sale waits for one")
            return
        self.waiting_for_bids = False
        values = {key: self.expected_value(bid) for key, bid in options.items()}
        values[HOLD_OUT] = self.hold_out_value()
        choice, probs = logit_choice(self.rng, values, self.spec.choice_temperature)
        why = ", ".join(f"{k} EV {v:.1f}" for k, v in values.items()) + f"; {odds_text(probs)}"
        if choice == HOLD_OUT:
            self.held_out = True
            self.log(EventName.HOLDS_OUT, f"holds out rather than sell, for now ({why})")
            return
        self.held_out = False
        bid = options[choice]
        self.start_talks(bid, f"picks {self.model.bidders[bid.bidder].label} ({why})")

    def reconsider(self, reason: str) -> None:
        """A seller holding out looks at the bids again after an event that changes its position."""
        if not self.held_out or self.model.deal.stage is not DealStage.BIDDING or self.withdrawn:
            return
        self.log(EventName.RECONSIDERS, f"reconsiders holding out after {reason}")
        self.choose()

    def announced_deal(self, event: AnnouncedDeal) -> None:
        """A deal announced in the scenario: the pick is not left to chance."""
        deal = self.model.deal
        bidder = self.model.bidders[event.bidder]
        if deal.stage is not DealStage.BIDDING or not bidder.active:
            reason = "the sale is past bidding" if bidder.active else f"{bidder.label} dropped out"
            self.log(
                EventName.BID_CHOSEN,
                f"The announced deal with {bidder.label} does not happen: {reason}",
            )
            return
        bid = self.bids.get(event.bidder) or bidder.bid_now()
        if event.structure is not None:
            bid = replace(bid, structure=event.structure)
        self.start_talks(bid, f"announces a deal with {bidder.label}" + (f": {event.note}" if event.note else ""))

    # --- from talks to signing ----------------------------------------------------------------

    def start_talks(self, bid: Bid, why: str) -> None:
        """Exclusive talks with the chosen bidder."""
        deal = self.model.deal
        self.model.set_stage(DealStage.EXCLUSIVE_TALKS)
        deal.bidder, deal.structure = bid.bidder, bid.structure
        deal.price, deal.price_factor = bid.price, bid.value_factor
        deal.chosen_day = self.today
        self.model.close_span(SpanName.BIDDING)
        self.model.open_span(SpanName.EXCLUSIVE_TALKS, self.actor_id)
        self.log(EventName.BID_CHOSEN, f"{why}; structure {bid.structure}, US${bid.price:.1f} bn")
        self.model.each_reviewer("deal_chosen", deal.version)
        self.after(self.spec.exclusive_talks_days, self.agree, deal.version)

    def signed_at_start(self) -> None:
        """A negotiated or completed deal: signed (or closed) before the run; the reviewers it needs take it."""
        deal = self.model.deal
        spec = self.model.deal_scenario.deal
        bidder = self.model.bidders[spec.buyer]
        deal.bidder = spec.buyer
        deal.structure = spec.structure or bidder.spec.offers
        deal.price = spec.price
        deal.chosen_day = deal.agreed_day = deal.signable_day = deal.signed_day = self.today
        self.model.close_span(SpanName.BIDDING)
        self.model.set_stage(DealStage.SIGNED)
        when = (spec.signed or self.model.deal_scenario.start).isoformat()
        what = "closed" if spec.kind == "completed" else "signed"
        self.log(
            EventName.SIGNED,
            f"{what} the {self.model.deal_name()} at US${deal.price:.1f} bn on {when}; the reviews follow",
        )
        for moment in ("deal_chosen", "deal_agreed", "deal_signed"):
            self.model.each_reviewer(moment, deal.version)
        self.model.try_close()

    def agree(self, version: int) -> None:
        """Agreement in principle: the executive may bless it; signing follows."""
        deal = self.model.deal
        if self.model.stale(version):
            return
        self.model.set_stage(DealStage.AGREED)
        deal.agreed_day = self.today
        self.model.close_span(SpanName.EXCLUSIVE_TALKS)
        self.log(EventName.AGREEMENT, f"agrees the {self.model.deal_name()} in principle")
        self.model.consider_blessing()
        if self.model.stale(version):
            return  # the blessing ended a hold whose refusal sent the deal back to restructuring
        self.model.each_reviewer("deal_agreed", version)
        self.model.open_span(SpanName.SIGNING, self.actor_id)
        deal.signable_day = self.after(self.spec.signing_days, self.sign, version)

    def sign(self, version: int) -> None:
        """Sign the contract, unless a letter of intent is awaited (no contract before it)."""
        deal = self.model.deal
        if self.model.stale(version) or deal.stage is not DealStage.AGREED:
            return
        waiting_on = next((r for r in self.model.reviewers.values() if r.blocks_signing), None)
        if waiting_on is not None:
            if not self.model.span_open(SpanName.LETTER_WAIT):
                self.model.close_span(SpanName.SIGNING)
                self.model.open_span(SpanName.LETTER_WAIT, waiting_on.actor_id)
                self.log(
                    EventName.SIGNING_WAITS,
                    "has the contract ready but cannot sign it before the letter of intent",
                )
            return
        self.model.set_stage(DealStage.SIGNED)
        deal.signed_day = self.today
        self.model.close_span(SpanName.SIGNING)
        self.model.close_span(SpanName.LETTER_WAIT)
        self.log(EventName.SIGNED, f"signs the {self.model.deal_name()}")
        self.model.each_reviewer("deal_signed", deal.version)
        self.model.try_close()

    def letter_granted(self) -> None:
        """A letter of intent came before signing: sign now if the contract was waiting for it."""
        deal = self.model.deal
        if deal.stage is DealStage.AGREED and deal.signable_day is not None and deal.signable_day <= self.today:
            self.sign(deal.version)

    # --- rejection and restructuring ----------------------------------------------------------

    def deal_rejected(self, by: str) -> None:
        """A reviewer on side ``by`` (host or home) rejected the deal: restructure along the path, or the sale ends."""
        option = self.next_structure()
        if option is not None and self.chance(self.spec.p_restructure):
            self.restructure(*option, by=by)
            return
        stage = self.model.blocked_stage(by)
        self.end_sale(
            stage,
            EventName.SALE_ENDS,
            f"The {self.model.deal_name()} is blocked by the {by} government; the sale ends",
        )

    def next_structure(self) -> tuple[str, str] | None:
        """The next structure on the restructuring path, and a buyer who accepts it."""
        deal = self.model.deal
        order = self.spec.restructure_order
        later = order[order.index(deal.structure) + 1 :] if deal.structure in order else []
        for sid in later:
            current = self.model.bidders[deal.bidder]
            if current.active and current.accepts(sid):
                return sid, deal.bidder
            others = [
                b
                for bid_id, b in self.bids.items()
                if bid_id != deal.bidder
                and self.model.bidders[bid_id].active
                and self.model.bidders[bid_id].accepts(sid)
            ]
            if others:
                best = max(others, key=lambda b: self.expected_value(replace(b, structure=sid)))
                return sid, best.bidder
        return None

    def restructure(self, structure: str, bidder: str, by: str) -> None:
        """Renegotiate the deal under new terms; every approval starts again."""
        deal = self.model.deal
        old = self.model.deal_name()
        if bidder != deal.bidder:
            deal.blessed = False
            deal.price, deal.price_factor = self.bids[bidder].price, self.bids[bidder].value_factor
        now = self.model.value_factor()
        price = round(deal.price * now / max(deal.price_factor, 1e-9), 2)
        deal.new_terms(bidder, structure, price, now, self.today)
        self.model.each_reviewer("new_terms")
        self.model.set_stage(DealStage.RESTRUCTURING)
        self.model.close_deal_spans()
        self.model.open_span(SpanName.RESTRUCTURING, self.actor_id)
        self.log(
            EventName.RESTRUCTURE,
            f"restructures the {old} as {structure} with {self.model.bidders[bidder].label}, "
            f"after the {by} government's rejection",
        )
        self.after(self.spec.restructure_days, self.restructured, deal.version)

    def restructured(self, version: int) -> None:
        """The restructured terms are agreed; they can be signed at once (letter permitting)."""
        deal = self.model.deal
        if self.model.stale(version):
            return
        self.model.set_stage(DealStage.AGREED)
        deal.agreed_day = deal.signable_day = self.today
        self.model.close_span(SpanName.RESTRUCTURING)
        self.log(EventName.AGREEMENT, f"agrees the restructured {self.model.deal_name()}")
        self.model.each_reviewer("deal_chosen", version)
        self.model.consider_blessing()
        if self.model.stale(version):
            return
        self.model.each_reviewer("deal_agreed", version)
        self.model.open_span(SpanName.SIGNING, self.actor_id)
        self.sign(version)

    def end_sale(self, stage: DealStage, event: EventName, detail: str) -> None:
        """The sale process is over without a close."""
        self.model.set_stage(stage)
        self.model.close_deal_spans()
        self.log(event, detail)
        if stage in (DealStage.BLOCKED_HOST, DealStage.BLOCKED_HOME):
            self.model.settle()

    # --- the agreement's outside date ---------------------------------------------------------

    def outside_date_passes(self) -> None:
        """The outside date, with the deal in progress and not closed: extend it, or terminate."""
        deal = self.model.deal
        agreement = self.model.deal_scenario.agreement
        if self.today != self.outside_day or deal.closed_day is not None or not deal.stage.in_progress:
            return
        extend = self.chance(agreement.p_extend)
        if extend and self.outside_extensions < agreement.extensions.max:
            self.outside_extensions += 1
            self.outside_day = self.days_from_now(agreement.extensions.days)
            self.model.schedule(self.outside_day, self.outside_date_passes, priority=Priority.LOW)
            self.log(
                EventName.OUTSIDE_DATE_EXTENDED,
                f"and the buyer extend the outside date to {self.model.date_of(self.outside_day)} "
                f"(extension {self.outside_extensions}, p={agreement.p_extend:.2f})",
            )
            return
        fee = f"; the buyer owes a US${agreement.termination_fee:.1f} bn fee" if agreement.termination_fee else ""
        self.model.set_stage(DealStage.TERMINATED)
        self.model.close_deal_spans()
        self.log(EventName.TERMINATED, f"The {self.model.deal_name()} terminates at its outside date{fee}")
        self.model.settle()

    # --- leaving the market -------------------------------------------------------------------

    def ban_started(self) -> None:
        """A ban began to bite: reconsider staying every ``exit.check_days``."""
        self._exit_epoch += 1
        self.model.schedule(self.today + self.spec.exit.check_days, self.consider_exit, self._exit_epoch)

    def litigating(self) -> bool:
        """Whether the seller has a case pending or one of its injunctions stands."""
        return any(c.spec.plaintiff == "seller" and c.active for c in self.model.courts.values())

    def consider_exit(self, epoch: int) -> None:
        """Leave the market with a probability that grows with the value lost."""
        if epoch != self._exit_epoch or not self.model.ban_bites:
            return
        lost = 1.0 - self.model.value_factor()
        litigating = self.litigating()
        p = logistic(self.spec.exit.base + self.spec.exit.value_lost * lost + self.spec.exit.litigating * litigating)
        if self.chance(p):
            self.withdrawn = True
            self.log(
                EventName.WITHDRAWAL,
                f"leaves the market after losing {lost:.0%} of the business's value (p={p:.2f})",
            )
            if not self.model.deal.stage.ended:
                self.model.set_stage(DealStage.ABANDONED)
            self.model.lift_all_stages()  # nothing left to ban
            self.model.refresh_ban()
            self.model.settle()
            return
        self.log(EventName.STAYS, f"stays despite losing {lost:.0%} of the value (p(leave)={p:.2f})")
        self.model.schedule(self.today + self.spec.exit.check_days, self.consider_exit, epoch)
