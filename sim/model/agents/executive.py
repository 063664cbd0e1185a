"""The host executive (the US President): orders, deadlines, blessings, elections."""

from __future__ import annotations

from mesa.time import Priority

from sim.model.agents.base import Actor
from sim.model.randomness import logistic, logit_choice, odds_text
from sim.narrative import EventName, SpanName
from sim.scenario.schema import BanOrder, DivestitureOrder, Election, Revocation


class Executive(Actor):
    """Issues the ban and divestiture orders, decides at each deadline, blesses deals.

    At a deadline without a close it chooses among extending (while extensions are left),
    enforcing and leaving the order unenforced, by a logit over utilities that depend on the
    state of the deal (``executive.deadline`` in the scenario).
    """

    def __init__(self, model, spec):
        super().__init__(model, "executive", spec.label)
        self.spec = spec
        self.extensions = 0
        self.extension_days = 0
        self.deadline_day: int | None = None  # the deadline in force (None once revoked)
        self.last_deadline_day: int | None = None  # the latest deadline set, for the record
        self.decision: str | None = None  # the last deadline decision
        self.new_administration = False
        self.lame_duck_until: int | None = None  # inauguration day after an election lost
        self.elections = [model.deal_scenario.day(e.date) for e in model.deal_scenario.events_of(Election)]

    # --- orders -------------------------------------------------------------------------------

    def issue_ban_order(self, event: BanOrder) -> None:
        """A ban order takes force: the commerce department's stages follow it."""
        self.model.ban_order_in_force = True
        self.model.refresh_ban()
        self.log(EventName.BAN_ORDER, event.note or "bans transactions with the seller")

    def issue_divestiture_order(self, event: DivestitureOrder) -> None:
        """Order the seller to divest by a deadline."""
        self.deadline_day = self.last_deadline_day = self.model.deal_scenario.day(event.deadline)
        self.model.schedule(self.deadline_day, self.deadline_passes, priority=Priority.LOW)
        self.log(
            EventName.DIVESTITURE_ORDER,
            f"orders the sale by {event.deadline.isoformat()}" + (f": {event.note}" if event.note else ""),
        )

    # --- deadlines ----------------------------------------------------------------------------

    def can_extend(self) -> bool:
        """Whether an extension is left (by count and by total days)."""
        ext = self.spec.extensions
        if self.extensions >= ext.max:
            return False
        return ext.max_total_days is None or self.extension_days < ext.max_total_days

    def deadline_utilities(self) -> dict[str, float]:
        """Utilities of the options at a deadline, given the state of the deal."""
        u = self.spec.deadline
        deal = self.model.deal
        under_review = deal.stage.in_progress and (deal.host_filed or deal.letter_applied)
        pre_election = any(0 <= e - self.today <= u.election_window_days for e in self.elections)
        lame_duck = self.lame_duck_until is not None and self.today < self.lame_duck_until
        options: dict[str, float] = {}
        if self.can_extend():
            options["extend"] = (
                u.extend.base
                + u.extend.deal_under_review * under_review
                + u.extend.deal_blessed * deal.blessed
                + u.extend.pre_election * pre_election
                + u.extend.lame_duck * lame_duck
            )
        options["enforce"] = (
            u.enforce.base
            + u.enforce.no_deal * (not deal.stage.in_progress)
            + u.enforce.new_administration * self.new_administration
            + u.enforce.pre_election * pre_election
            + u.enforce.lame_duck * lame_duck
        )
        options["not_enforce"] = u.not_enforce.base
        return options

    def deadline_passes(self) -> None:
        """The divestiture deadline is here and the deal has not closed: decide."""
        if self.model.deal.closed_day is not None or self.deadline_day != self.today:
            return
        choice, probs = logit_choice(self.rng, self.deadline_utilities())
        self.decision = choice
        self.log(
            EventName.DEADLINE,
            f"sees the deadline pass without a close and chooses to {choice.replace('_', ' ')} ({odds_text(probs)})",
        )
        if choice == "extend":
            self.extend()
        elif choice == "enforce":
            self.log(
                EventName.ENFORCEMENT,
                "enforces the order: ban stages tied to the deadline take effect unless enjoined",
            )
            self.model.commerce.deadline_enforced()
        else:
            self.log(EventName.NON_ENFORCEMENT, "leaves the order unenforced; the deal may still close")
            self.model.commerce.deadline_not_enforced()

    def extend(self) -> None:
        """Move the deadline by a random number of days (within what the order allows)."""
        ext = self.spec.extensions
        days = max(1, self.days_from_now(ext.days) - self.today)
        if ext.max_total_days is not None:
            days = min(days, int(ext.max_total_days - self.extension_days))
        self.extensions += 1
        self.extension_days += days
        self.deadline_day = self.last_deadline_day = self.today + days
        self.model.schedule(self.deadline_day, self.deadline_passes, priority=Priority.LOW)
        self.model.add_span(SpanName.EXTENSION, self.actor_id, self.today, self.deadline_day)
        self.log(
            EventName.EXTENSION,
            f"grants extension {self.extensions}: {days} days, to {self.model.date_of(self.deadline_day)}",
        )

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

    def revoke_ban_order(self) -> None:
        """Revoke the ban order (the divestiture order stands)."""
        self.model.revoke(("ban_order",), "The new administration revokes the ban order")

    def revocation_event(self, event: Revocation) -> None:
        """A dated revocation from the scenario, which happens with probability ``p``."""
        if self.chance(event.p):
            self.model.revoke(tuple(event.revokes), event.note or "Revoked: " + " and ".join(event.revokes))
