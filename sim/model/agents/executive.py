"""The host executive (the US President): orders, deadlines, blessings, elections."""

from __future__ import annotations

from mesa.time import Priority

from sim.model.agents.base import Actor
from sim.model.randomness import logistic, logit_choice, odds_text
from sim.narrative import EventName, SpanName
from sim.scenario.schema import BanOrder, DivestitureOrder, Election, Revocation


class Executive(Actor):
    """Issues the ban and divestiture orders, decides on enforcement, blesses deals.

    The two orders are separate instruments (see ``../shared/domain/legal-frames.md``): the ban
    order's stages are the commerce department's, on their own dates; the divestiture order has
    a deadline that the regulator may extend within the order's cap. Once a deadline passes with
    no close and no extension, the executive (the Attorney General) chooses between enforcing
    and leaving the order unenforced, by a logit over utilities that depend on the state of the
    deal (``executive.enforce``). Non-enforcement is open-ended: a new administration decides
    again when it takes office.
    """

    def __init__(self, model, spec):
        super().__init__(model, "executive", spec.label)
        self.spec = spec
        self.extensions = 0
        self.extension_days = 0
        self.max_extension_days: float | None = None  # what the divestiture order lets the regulator grant
        self.deadline_day: int | None = None  # the deadline in force (None once revoked or set aside)
        self.last_deadline_day: int | None = None  # the latest deadline set, for the record
        self.decision: str | None = None  # the last decision on the order: extend, enforce, not_enforce
        self.pauses = 0  # enforcement pauses so far
        self.new_administration = False
        self.lame_duck_until: int | None = None  # inauguration day after an election lost

    # --- orders -------------------------------------------------------------------------------

    def issue_ban_order(self, event: BanOrder) -> None:
        """A ban order takes force: the commerce department's stages follow it."""
        self.model.ban_order_in_force = True
        self.model.refresh_ban()
        self.log(EventName.BAN_ORDER, event.note or "bans transactions with the seller")

    def issue_divestiture_order(self, event: DivestitureOrder) -> None:
        """Order the seller to divest by a deadline; courts hearing the order may be petitioned."""
        self.deadline_day = self.last_deadline_day = self.model.deal_scenario.day(event.deadline)
        self.max_extension_days = event.max_extension_days
        self.model.divestiture_order_in_force = True
        self.model.schedule(self.deadline_day, self.deadline_passes, priority=Priority.LOW)
        self.log(
            EventName.DIVESTITURE_ORDER,
            f"orders the sale by {event.deadline.isoformat()}" + (f": {event.note}" if event.note else ""),
        )
        for court in self.model.courts.values():
            court.consider_petition()

    # --- deadlines ----------------------------------------------------------------------------

    @property
    def lame_duck(self) -> bool:
        """Between an election that changed the administration and the inauguration."""
        return self.lame_duck_until is not None and self.today < self.lame_duck_until

    @property
    def administration_changing(self) -> bool:
        """An election has changed the administration (the lame-duck weeks included)."""
        return self.lame_duck_until is not None

    def can_extend(self) -> bool:
        """Whether the order and the regulator's practice leave an extension (by count and days)."""
        if self.extensions >= self.model.cfius.spec.extensions.max:
            return False
        return self.max_extension_days is None or self.extension_days < self.max_extension_days

    def deadline_passes(self) -> None:
        """The divestiture deadline is here and the deal has not closed: extend, or decide on enforcement."""
        if self.model.deal.closed_day is not None or self.deadline_day != self.today:
            return
        self.log(EventName.DEADLINE, "sees the divestiture deadline pass without a close")
        self.model.market_moves("the deadline passed")
        if self.can_extend() and self.model.cfius.consider_extension():
            return
        self.decide_enforcement()

    def extend(self, days: int) -> None:
        """The regulator moved the deadline by ``days`` (clipped to what the order leaves)."""
        if self.max_extension_days is not None:
            days = min(days, int(self.max_extension_days - self.extension_days))
        self.extensions += 1
        self.extension_days += days
        self.decision = "extend"
        self.deadline_day = self.last_deadline_day = self.today + days
        self.model.schedule(self.deadline_day, self.deadline_passes, priority=Priority.LOW)
        self.model.add_span(SpanName.EXTENSION, "cfius", self.today, self.deadline_day)
        self.model.cfius.log(
            EventName.EXTENSION,
            f"grants extension {self.extensions}: {days} days, to {self.model.date_of(self.deadline_day)}",
        )

    def enforcement_utilities(self) -> dict[str, float]:
        """Utilities of enforcing the order and of leaving it unenforced (the reference, 0)."""
        u = self.spec.enforce
        deal = self.model.deal
        enforce = (
            u.base
            + u.no_deal * (not deal.stage.in_progress)
            + u.new_administration * self.new_administration
            + u.lame_duck * self.lame_duck
        )
        return {"enforce": enforce, "not_enforce": 0.0}

    def decide_enforcement(self) -> None:
        """No close and no extension: enforce the order, or leave it unenforced (open-ended)."""
        choice, probs = logit_choice(self.rng, self.enforcement_utilities())
        self.decision = choice
        if choice == "enforce":
            tied = any(st.spec.effective == "deadline" for st in self.model.commerce.stages.values())
            effect = (
                "ban stages tied to the deadline take effect unless enjoined" if tied else "no ban stage is tied to it"
            )
            self.log(EventName.ENFORCEMENT, f"enforces the order: {effect} ({odds_text(probs)})")
            self.model.commerce.deadline_enforced()
            self.model.china.host_action("enforcement")
        else:
            rule = self.spec.enforce
            if rule.pause_days is not None and self.pauses < rule.max_pauses:
                self.pauses += 1
                day = self.after(rule.pause_days, self.pause_ends)
                how = f"pauses enforcement (pause {self.pauses}) until {self.model.date_of(day)}"
            else:
                how = "leaves the order unenforced, open-ended"
            self.log(EventName.NON_ENFORCEMENT, f"{how}; the deal may still close ({odds_text(probs)})")
            self.model.commerce.deadline_not_enforced()

    def pause_ends(self) -> None:
        """An enforcement pause runs out with no close: decide again."""
        if self.model.deal.closed_day is not None or self.deadline_day is None or self.decision != "not_enforce":
            return
        self.decide_enforcement()

    # --- the deal -----------------------------------------------------------------------------

    def consider_blessing(self) -> None:
        """Bless an agreed deal "in principle", more likely for a buyer of high standing."""
        deal = self.model.deal
        if deal.blessed:
            return
        b = self.spec.blessing
        standing = self.model.bidders[deal.bidder].spec.standing
        stake = self.model.deal_scenario.structures[deal.structure].seller_stake
        p = logistic(b.base + b.standing * standing + b.seller_stake * stake)
        if self.chance(p):
            deal.blessed = True
            self.log(EventName.BLESSING, f"blesses the {self.model.deal_name()} in principle (p={p:.2f})")
            self.model.china.host_action("blessing")
        else:
            self.log(
                EventName.NO_BLESSING,
                f"withholds a blessing of the {self.model.deal_name()} (p={1 - p:.2f})",
            )

    def receive_referral(self, version: int) -> None:
        """The regulator refers the deal to block it; the President decides within days."""
        self.model.open_span(SpanName.PRESIDENT_DECISION, self.actor_id)
        self.after(self.spec.decision_days, self.decide_referral, version)

    def decide_referral(self, version: int) -> None:
        """Block the deal (usually) or decline to."""
        if self.model.stale(version):
            return
        self.model.close_span(SpanName.PRESIDENT_DECISION)
        if self.chance(self.spec.p_follow_block):
            self.log(EventName.PRESIDENT_BLOCKS, f"blocks the {self.model.deal_name()}")
            self.model.seller.deal_rejected("host")
        else:
            self.log(
                EventName.PRESIDENT_DECLINES_BLOCK,
                f"declines to block the {self.model.deal_name()}",
            )
            self.model.cfius.approve(reason="approves: the President declined to block")

    # --- elections and revocations ------------------------------------------------------------

    def hold_election(self, event: Election) -> None:
        """An election: the administration changes with probability ``p_change``."""
        changes = self.chance(event.p_change)
        if changes:
            self.lame_duck_until = self.model.deal_scenario.day(event.inauguration)
            self.model.schedule(self.lame_duck_until, self.inaugurate)
            self.log(
                EventName.ELECTION,
                f"The election changes the administration on {event.inauguration.isoformat()} (p={event.p_change:.2f})",
            )
        else:
            self.log(EventName.ELECTION, f"The election keeps the administration (p={1 - event.p_change:.2f})")
        self.model.china.host_action("election")

    def inaugurate(self) -> None:
        """A new administration takes office: it may shelve the review and revoke the ban."""
        self.new_administration = True
        self.label = f"new {self.spec.label}"
        na = self.spec.new_administration
        self.log(EventName.ADMINISTRATION_CHANGE, "A new administration takes office")
        if self.model.deal.stage.in_progress and self.chance(na.p_shelve_review):
            self.model.cfius.shelve()
        if self.chance(na.p_revoke):
            self.after(na.revoke_days, self.revoke_ban_order)
        self.model.market_moves("a new administration took office")
        unenforced = self.decision == "not_enforce" and self.deadline_day is not None
        if unenforced and self.model.deal.closed_day is None:
            self.decide_enforcement()  # non-enforcement was open-ended: the new administration decides again

    def revoke_ban_order(self) -> None:
        """Revoke the ban order (the divestiture order stands)."""
        self.model.revoke(("ban_order",), "The new administration revokes the ban order")

    def revocation_event(self, event: Revocation) -> None:
        """A dated revocation from the scenario (whether and when it happens is drawn by the model)."""
        self.model.revoke(tuple(event.revokes), event.note or "Revoked: " + " and ".join(event.revokes))
