"""Instruments in a run: whether each is in force, and a deadline's extensions and enforcement.

An instrument is not an actor: it is a rule that actors apply. A ban's stages are the agency's
(``sim.model.agents.agency``); a deadline's extensions and enforcement are decided by the actor the
scenario names (``decided_by``), with that actor's own random stream and in its name in the log.
"""

from __future__ import annotations

from mesa.time import Priority

from sim.model.randomness import logistic, logit_choice, odds_text
from sim.narrative import EventName, SpanName
from sim.scenario.schema import Ban, DeadlineInstrument, Law


class InstrumentState:
    """One instrument in a run (``instruments.<id>``)."""

    def __init__(self, model, instrument_id: str, spec):
        self.model = model
        self.id = instrument_id
        self.spec = spec
        self.in_force = False

    @property
    def has_stages(self) -> bool:
        """Whether it bans something itself (a ban's stages, a law's prohibitions)."""
        return bool(getattr(self.spec, "stages", None))

    @property
    def revocable(self) -> bool:
        """Whether the executive can revoke it (not a law)."""
        return True

    def issue(self) -> None:
        """The instrument takes force on its date."""
        self.in_force = True

    def end(self) -> None:
        """Revoked or set aside."""
        self.in_force = False


class BanState(InstrumentState):
    """A ban: its stages are announced and take effect on their own dates (the agency's)."""

    def issue(self) -> None:
        """The ban takes force: the agency's stages follow it."""
        super().issue()
        self.model.refresh_ban()
        self.model.executive.log(EventName.BAN_ORDER, self.spec.note or "bans transactions with the seller")


class DeadlineState(InstrumentState):
    """A divestiture order or a law: a deadline, its extensions, and the choice to enforce it.

    At the deadline with no close, the decider of ``extensions`` extends it while the count, the
    cap and the conditions leave one; otherwise the decider of ``enforcement`` enforces it or
    leaves it unenforced (open-ended, or a pause after which it decides again).
    """

    def __init__(self, model, instrument_id: str, spec: DeadlineInstrument):
        super().__init__(model, instrument_id, spec)
        self.deadline_day: int | None = None  # the deadline in force (None once revoked or set aside)
        self.last_deadline_day: int | None = None  # the latest deadline set, for the record
        self.issued_day: int | None = None
        self.extensions = 0
        self.extension_days = 0
        self.decision: str | None = None  # the last decision: extend, enforce, not_enforce
        self.pauses = 0

    def issue(self) -> None:
        """Set the deadline; courts hearing the instrument may be petitioned."""
        super().issue()
        model = self.model
        self.issued_day = model.today
        self.deadline_day = self.last_deadline_day = model.deal_scenario.day(self.spec.deadline)
        model.schedule(self.deadline_day, self.deadline_passes, priority=Priority.LOW)
        self.log_issue()
        for court in model.courts.values():
            court.consider_petition(self.id)

    def log_issue(self) -> None:
        """The instrument in the event log."""
        note = self.spec.note or self.spec.label
        self.model.executive.log(
            EventName.DIVESTITURE_ORDER,
            f"orders the sale by {self.spec.deadline.isoformat()}" + (f": {note}" if note else ""),
        )

    def end(self) -> None:
        """Revoked or set aside: no deadline any more."""
        super().end()
        self.deadline_day = None

    # --- the deadline -------------------------------------------------------------------------

    def deadline_passes(self) -> None:
        """The deadline is here and the deal has not closed: extend, or decide on enforcement."""
        model = self.model
        if model.deal.closed_day is not None or self.deadline_day != model.today:
            return
        model.executive.log(EventName.DEADLINE, f"sees the {self._what} deadline pass without a close")
        model.market_moves("the deadline passed")
        if self.can_extend() and self.consider_extension():
            return
        self.decide_enforcement()

    @property
    def _what(self) -> str:
        return "ban" if isinstance(self.spec, Law) else "divestiture"

    def can_extend(self) -> bool:
        """Whether the instrument leaves an extension: by count, by days, and by its conditions."""
        rule = self.spec.extensions
        if rule is None or self.extensions >= rule.max:
            return False
        if rule.max_days is not None and self.extension_days >= rule.max_days:
            return False
        deal = self.model.deal
        met = {
            "deal_agreed": deal.agreed_day is not None and deal.stage.in_progress,
            "deal_signed": deal.signed_day is not None and deal.stage.in_progress,
            "deal_under_review": deal.stage.in_progress and self.model.under_review(),
        }
        return all(met[c] for c in rule.requires)

    def consider_extension(self) -> bool:
        """The decider extends (within what is left) or not."""
        u = self.spec.extensions
        decider = self.model.actor(u.decided_by)
        deal = self.model.deal
        under_review = deal.stage.in_progress and self.model.under_review()
        p = logistic(
            u.base
            + u.deal_under_review * under_review
            + u.deal_blessed * deal.blessed
            + u.lame_duck * self.model.lame_duck
        )
        if not decider.chance(p):
            decider.log(EventName.NO_EXTENSION, f"does not extend the deadline (p(extend)={p:.2f})")
            return False
        self.extend(decider, max(1, decider.days_from_now(u.days) - decider.today))
        return True

    def extend(self, decider, days: int) -> None:
        """Move the deadline by ``days`` (clipped to what the cap leaves)."""
        cap = self.spec.extensions.max_days
        if cap is not None:
            days = min(days, int(cap - self.extension_days))
        model = self.model
        self.extensions += 1
        self.extension_days += days
        self.decision = "extend"
        self.deadline_day = self.last_deadline_day = model.today + days
        model.schedule(self.deadline_day, self.deadline_passes, priority=Priority.LOW)
        model.add_span(SpanName.EXTENSION, decider.actor_id, model.today, self.deadline_day, self.id)
        decider.log(
            EventName.EXTENSION,
            f"grants extension {self.extensions}: {days} days, to {model.date_of(self.deadline_day)}",
        )

    # --- enforcement --------------------------------------------------------------------------

    def enforcement_utilities(self) -> dict[str, float]:
        """Utilities of enforcing and of leaving it unenforced (the reference, 0)."""
        u = self.spec.enforcement
        deal = self.model.deal
        enforce = (
            u.base
            + u.no_deal * (not deal.stage.in_progress)
            + u.new_administration * self.model.new_administration
            + u.lame_duck * self.model.lame_duck
        )
        return {"enforce": enforce, "not_enforce": 0.0}

    def decide_enforcement(self) -> None:
        """No close and no extension: enforce, or leave it unenforced (open-ended, or a pause)."""
        model = self.model
        rule = self.spec.enforcement
        decider = model.actor(rule.decided_by)
        choice, probs = logit_choice(decider.rng, self.enforcement_utilities())
        self.decision = choice
        agency = model.agencies.get(getattr(self.spec, "agency", ""))
        if choice == "enforce":
            effect = "its prohibitions take effect unless enjoined" if self.has_stages else "no ban stage is tied to it"
            decider.log(EventName.ENFORCEMENT, f"enforces the {self._noun}: {effect} ({odds_text(probs)})")
            if agency is not None:
                agency.deadline_enforced(self.id)
            model.host_action("enforcement")
        else:
            if rule.pause_days is not None and self.pauses < rule.max_pauses:
                self.pauses += 1
                day = decider.after(rule.pause_days, self.pause_ends)
                how = f"pauses enforcement (pause {self.pauses}) until {model.date_of(day)}"
            else:
                how = f"leaves the {self._noun} unenforced, open-ended"
            decider.log(EventName.NON_ENFORCEMENT, f"{how}; the deal may still close ({odds_text(probs)})")
            if agency is not None:
                agency.deadline_not_enforced(self.id)
            else:
                model.refresh_ban()

    @property
    def _noun(self) -> str:
        return "law" if isinstance(self.spec, Law) else "order"

    def pause_ends(self) -> None:
        """An enforcement pause runs out with no close: decide again."""
        if self.model.deal.closed_day is not None or self.deadline_day is None or self.decision != "not_enforce":
            return
        self.decide_enforcement()

    def reconsider(self) -> None:
        """A new administration decides again on an instrument left unenforced."""
        unenforced = self.decision == "not_enforce" and self.deadline_day is not None
        if unenforced and self.model.deal.closed_day is None:
            self.decide_enforcement()


class LawState(DeadlineState):
    """A statute with a ban date; the executive cannot revoke it."""

    @property
    def revocable(self) -> bool:
        """A law is not the executive's to revoke."""
        return False

    def log_issue(self) -> None:
        """The law in the event log."""
        self.model.executive.log(
            EventName.LAW_ENACTED,
            f"signs the {self.spec.label}: prohibitions from {self.spec.deadline.isoformat()} unless the sale closes"
            + (f" ({self.spec.note})" if self.spec.note else ""),
        )

    def end(self) -> None:
        """Struck down: its prohibitions are lifted too."""
        super().end()
        agency = self.model.agencies.get(self.spec.agency)
        if agency is not None:
            agency.lift(self.id)


def instrument_state(model, instrument_id: str, spec) -> InstrumentState:
    """The run's state of one instrument, by its kind."""
    if isinstance(spec, Ban):
        return BanState(model, instrument_id, spec)
    if isinstance(spec, Law):
        return LawState(model, instrument_id, spec)
    return DeadlineState(model, instrument_id, spec)
