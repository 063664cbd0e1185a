"""Instruments in a run: whether each is in force, and a deadline's extensions and enforcement.

An instrument is not an actor: it is a rule that actors apply. A ban's stages are the agency's
(``sim.model.agents.agency``); a deadline's extensions and enforcement are decided by the actor the
scenario names (``decided_by``), with that actor's own random stream and in its name in the log.
Each kind of instrument is registered in :mod:`sim.model.kinds` with the class that plays it here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mesa.time import Priority

from sim.model.kinds import InstrumentKind, register_instrument, zeros
from sim.model.moments import (
    AdministrationChanged,
    BanIssued,
    DeadlinePassed,
    Enforced,
    HostAction,
    InstrumentEnded,
    InstrumentIssued,
    MarketMoved,
    Moment,
    NotEnforced,
    Penalties,
    Reacting,
    Revoked,
    SaleCompelled,
    SetAside,
    StagesChanged,
    on,
)
from sim.model.randomness import actor_stream, logistic, logit_choice, odds_text
from sim.narrative import EventName, SpanName
from sim.scenario.schema import Ban, DeadlineInstrument, DivestitureOrder, Law

if TYPE_CHECKING:
    from sim.model.agents.base import Actor
    from sim.model.view import Clock, RunView


class InstrumentState(Reacting):
    """One instrument in a run (``instruments.<id>``).

    Args:
        instrument_id: its id.
        spec: its scenario section.
        clock, view, announce: the run's ports.
        actor: looks an actor up by id (the executive, a reviewer), who decides for the instrument.
    """

    revocable = True  # the executive can revoke it (not a law)

    def __init__(
        self,
        instrument_id: str,
        spec: Any,
        clock: Clock,
        view: RunView,
        announce: Callable[[Moment], None],
        actor: Callable[[str], Actor],
        seed: int = 0,
    ):
        self.id = instrument_id
        self.seed = seed  # a court's rulings on the instrument draw from a stream of their own
        self.spec = spec
        self.clock = clock
        self.view = view
        self.announce = announce
        self.actor = actor
        self.in_force = False
        # whether it bans something itself (a ban's stages, a law's prohibitions); a kind without stages has none
        self.has_stages = bool(spec.__dict__.get("stages"))

    def issue(self) -> None:
        """The instrument takes force on its date."""
        self.in_force = True

    @on(Revoked)
    def revoked(self, moment: Revoked) -> None:
        """The executive revoked instruments: this one ends if it is among them and the executive's to revoke."""
        if self.id in moment.instruments and self.in_force and self.revocable:
            self.end()

    @on(SetAside)
    def set_aside(self, moment: SetAside) -> None:
        """A court set this instrument aside."""
        if moment.instrument == self.id and self.in_force:
            self.end()

    def end(self) -> None:
        """Revoked or set aside: no longer in force."""
        self.in_force = False
        self.announce(InstrumentEnded(self.id))


class BanState(InstrumentState):
    """A ban: its stages are announced and take effect on their own dates (the agency's)."""

    def issue(self) -> None:
        """The ban takes force: the agency's stages follow it."""
        super().issue()
        self.actor("executive").log(EventName.BAN_ORDER, self.spec.note or "bans transactions with the seller")
        self.announce(StagesChanged())
        self.announce(BanIssued(self.id))


class DeadlineState(InstrumentState):
    """A divestiture order or a law: a deadline, its extensions, and the choice to enforce it.

    At the deadline with no close, the decider of ``extensions`` extends it while the count, the
    cap and the conditions leave one; otherwise the decider of ``enforcement`` enforces it or
    leaves it unenforced (open-ended, or a pause after which it decides again).
    """

    spec: DeadlineInstrument

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # the deadline it is issued with: its date's, or, for one that runs from a drawn date, this run's at issue
        self.first_deadline_day: int = self.clock.day_of(self.spec.deadline)
        self.deadline_day: int | None = None  # the deadline in force (None once revoked or set aside)
        self.last_deadline_day: int | None = None  # the latest deadline set, for the record
        self.issued_day: int | None = None
        self.extensions = 0
        self.extension_days = 0
        self.decision: str | None = None  # the last decision: extend, enforce, not_enforce
        self.pauses = 0
        self._suit_rng: Any = None  # the suit's own stream, made when first needed

    def issue(self) -> None:
        """Set the deadline; courts hearing the instrument may be petitioned."""
        super().issue()
        self.issued_day = self.clock.today
        if self.spec.deadline_days is not None:  # a deadline that runs from the day the instrument was issued
            self.first_deadline_day = self.clock.today + self.spec.deadline_days
        self.deadline_day = self.last_deadline_day = self.first_deadline_day
        self.clock.schedule(self.deadline_day, self.deadline_passes, priority=Priority.LOW)
        self.log_issue()
        self.announce(InstrumentIssued(self.id))

    def log_issue(self) -> None:
        """The instrument in the event log."""
        note = self.spec.note or self.spec.label
        self.actor("executive").log(
            EventName.DIVESTITURE_ORDER,
            f"orders the sale by {self.clock.date_of(self.first_deadline_day)}" + (f": {note}" if note else ""),
        )

    def end(self) -> None:
        """Revoked or set aside: no deadline any more."""
        self.deadline_day = None
        super().end()

    # --- the deadline -------------------------------------------------------------------------

    def deadline_passes(self) -> None:
        """The deadline is here and the deal has not closed: extend, or decide on enforcement."""
        if self.view.deal.closed_day is not None or self.deadline_day != self.clock.today:
            return
        self.actor("executive").log(EventName.DEADLINE, f"sees the {self._what} deadline pass without a close")
        self.announce(DeadlinePassed(self.id))
        self.announce(MarketMoved("the deadline passed"))
        if self.can_extend() and self.consider_extension():
            return
        self.decide_enforcement()

    @property
    def _what(self) -> str:
        return "divestiture"

    @property
    def _noun(self) -> str:
        return "order"

    def can_extend(self) -> bool:
        """Whether the instrument leaves an extension: by count, by days, and by its conditions."""
        rule = self.spec.extensions
        if rule is None or self.extensions >= rule.max:
            return False
        if rule.max_days is not None and self.extension_days >= rule.max_days:
            return False
        deal = self.view.deal
        met = {
            "deal_agreed": deal.agreed_day is not None and deal.stage.in_progress,
            "deal_signed": deal.signed_day is not None and deal.stage.in_progress,
            "deal_under_review": deal.stage.in_progress and self.view.under_review(),
        }
        return all(met[c] for c in rule.requires)

    def consider_extension(self) -> bool:
        """The decider extends (within what is left) or not."""
        u = self.spec.extensions
        assert u is not None, "can_extend() came first"
        decider = self.actor(u.decided_by)
        deal = self.view.deal
        under_review = deal.stage.in_progress and self.view.under_review()
        p = logistic(
            u.base
            + u.deal_under_review * under_review
            + u.deal_blessed * deal.blessed
            + u.lame_duck * self.view.lame_duck
        )
        if not decider.chance(p):
            decider.log(EventName.NO_EXTENSION, f"does not extend the deadline (p(extend)={p:.2f})")
            return False
        self.extend(decider, max(1, decider.days_from_now(u.days) - decider.today))
        return True

    def extend(self, decider: Actor, days: int) -> None:
        """Move the deadline by ``days`` (clipped to what the cap leaves)."""
        assert self.spec.extensions is not None
        cap = self.spec.extensions.max_days
        if cap is not None:
            days = min(days, int(cap - self.extension_days))
        today = self.clock.today
        self.extensions += 1
        self.extension_days += days
        self.decision = "extend"
        self.deadline_day = self.last_deadline_day = today + days
        self.clock.schedule(self.deadline_day, self.deadline_passes, priority=Priority.LOW)
        decider.timeline.add(SpanName.EXTENSION, today, self.deadline_day, self.id)
        decider.log(
            EventName.EXTENSION,
            f"grants extension {self.extensions}: {days} days, to {self.clock.date_of(self.deadline_day)}",
        )

    # --- enforcement --------------------------------------------------------------------------

    def enforcement_utilities(self) -> dict[str, float]:
        """Utilities of enforcing and of leaving it unenforced (the reference, 0)."""
        u = self.spec.enforcement
        enforce = (
            u.base
            + u.no_deal * (not self.view.deal.stage.in_progress)
            + u.new_administration * self.view.new_administration
            + u.lame_duck * self.view.lame_duck
        )
        return {"enforce": enforce, "not_enforce": 0.0}

    def decide_enforcement(self) -> None:
        """No close and no extension: enforce, or leave it unenforced (open-ended, or a pause).

        An order with neither prohibitions of its own nor a suit to compel the sale has nothing to
        enforce: no choice is made (the scenario must say what enforcing would do).
        """
        rule = self.spec.enforcement
        if not self.has_stages and rule.suit is None:
            return
        decider = self.actor(rule.decided_by)
        choice, probs = logit_choice(decider.rng, self.enforcement_utilities())
        self.decision = choice
        if choice == "enforce":
            effect = (
                "its prohibitions take effect unless enjoined"
                if self.has_stages
                else f"the government will sue in {rule.suit.court} to compel the sale"
                if rule.suit is not None
                else ""
            )
            decider.log(EventName.ENFORCEMENT, f"enforces the {self._noun}: {effect} ({odds_text(probs)})")
            if rule.suit is not None:
                decider.after(rule.suit.filing_days, self.sue)
            self.announce(Enforced(self.id))
            self.announce(HostAction("enforcement"))
        else:
            if rule.pause_days is not None and self.pauses < rule.max_pauses:
                self.pauses += 1
                day = decider.after(rule.pause_days, self.pause_ends)
                how = f"pauses enforcement (pause {self.pauses}) until {self.clock.date_of(day)}"
            else:
                how = f"leaves the {self._noun} unenforced, open-ended"
            decider.log(EventName.NON_ENFORCEMENT, f"{how}; the deal may still close ({odds_text(probs)})")
            self.announce(NotEnforced(self.id))

    def sue(self) -> None:
        """The suit to compel the sale is filed; the court rules after ``ruling_days``."""
        suit = self.spec.enforcement.suit
        assert suit is not None, "filed only where the scenario gives a suit"
        if self.view.deal.closed_day is not None or self.deadline_day is None or self.suit_dropped():
            return
        decider = self.actor(self.spec.enforcement.decided_by)
        day = decider.after(suit.ruling_days, self.rule_on_suit, self.clock.today)
        decider.timeline.open(SpanName.ENFORCEMENT_SUIT, self.id)
        decider.log(
            EventName.ENFORCEMENT_SUIT,
            f"has the government sue in {suit.court} to compel the sale; a ruling by {self.clock.date_of(day)}",
        )

    def _suit_stream(self):
        if self._suit_rng is None:
            self._suit_rng = actor_stream(self.seed, f"suit:{self.id}")
        return self._suit_rng

    def suit_dropped(self) -> bool:
        """A new administration in office may drop the suit (a draw at the filing and at the ruling)."""
        suit = self.spec.enforcement.suit
        assert suit is not None
        if not self.view.new_administration:
            return False
        if self._suit_stream().random() >= suit.dropped_by_new_administration:
            return False
        self.actor(self.spec.enforcement.decided_by).log(
            EventName.SUIT_DROPPED, f"The new administration drops the suit to compel the sale; the {self._noun} stands"
        )
        return True

    def rule_on_suit(self, filed: int) -> None:
        """The court compels the sale, imposes penalties until it, or dismisses the suit."""
        suit = self.spec.enforcement.suit
        assert suit is not None
        decider = self.actor(self.spec.enforcement.decided_by)
        decider.timeline.close(SpanName.ENFORCEMENT_SUIT, self.id)
        if self.view.deal.closed_day is not None or self.deadline_day is None or self.suit_dropped():
            return
        options = {"compel": suit.compel, "penalties": suit.penalties, "dismiss": suit.dismiss}
        choice, probs = logit_choice(self._suit_stream(), options)
        why = odds_text(probs)
        if choice == "compel":
            decider.log(EventName.SALE_COMPELLED, f"{suit.court} compels the sale: a trustee sells ({why})")
            self.announce(SaleCompelled(self.id))
        elif choice == "penalties":
            decider.log(EventName.PENALTIES, f"{suit.court} imposes penalties until the sale ({why})")
            self.announce(Penalties(self.id, suit.penalty_cut))
        else:
            decider.log(
                EventName.SUIT_DISMISSED, f"{suit.court} dismisses the suit: the order stands unenforced ({why})"
            )
        self.announce(MarketMoved(f"the ruling of {suit.court} on the suit"))

    def pause_ends(self) -> None:
        """An enforcement pause runs out with no close: decide again."""
        if self.view.deal.closed_day is not None or self.deadline_day is None or self.decision != "not_enforce":
            return
        self.decide_enforcement()

    @on(AdministrationChanged)
    def reconsider(self, moment: AdministrationChanged) -> None:
        """A new administration decides again on an instrument left unenforced."""
        unenforced = self.decision == "not_enforce" and self.deadline_day is not None
        if unenforced and self.view.deal.closed_day is None:
            self.decide_enforcement()


class LawState(DeadlineState):
    """A statute with a ban date; the executive cannot revoke it (only a court can strike it down)."""

    revocable = False

    @property
    def _what(self) -> str:
        return "ban"

    @property
    def _noun(self) -> str:
        return "law"

    def log_issue(self) -> None:
        """The law in the event log."""
        self.actor("executive").log(
            EventName.LAW_ENACTED,
            f"signs the {self.spec.label}: prohibitions from {self.clock.date_of(self.first_deadline_day)} "
            "unless the sale closes" + (f" ({self.spec.note})" if self.spec.note else ""),
        )


# --- the kinds' entries ---------------------------------------------------------------------


def _deadline_neutral(iid: str, spec: Any) -> dict[str, Any]:
    at = f"instruments.{iid}"
    out: dict[str, Any] = {}
    if spec.extensions is not None:
        out.update(zeros(f"{at}.extensions", "base", "deal_under_review", "deal_blessed", "lame_duck"))
    out.update(zeros(f"{at}.enforcement", "base", "no_deal", "new_administration", "lame_duck"))
    if spec.enforcement.suit is not None:
        out.update(zeros(f"{at}.enforcement.suit", "compel", "penalties", "dismiss"))
        out[f"{at}.enforcement.suit.dropped_by_new_administration"] = 0.5
    return out


register_instrument(
    InstrumentKind(
        schema=Ban,
        state=BanState,
        forces_sale=False,
        neutral=lambda iid, spec: (
            {f"instruments.{iid}.postpone.p_if_deal_progressing": 0.5, f"instruments.{iid}.postpone.p_otherwise": 0.5}
            if spec.postpone is not None
            else {}
        ),
        without_bans=lambda iid, spec: {f"instruments.{iid}.stages": {}, f"instruments.{iid}.postpone": None},
    )
)
register_instrument(
    InstrumentKind(
        schema=DivestitureOrder,
        state=DeadlineState,
        forces_sale=True,
        neutral=_deadline_neutral,
        without_bans=lambda iid, spec: {},
    )
)
register_instrument(
    InstrumentKind(
        schema=Law,
        state=LawState,
        forces_sale=True,
        neutral=_deadline_neutral,
        without_bans=lambda iid, spec: {f"instruments.{iid}.stages": {}},
    )
)
