"""Host courts: challenges to ban stages, petitions against orders and laws, and the appeals above them.

Courts act on dates: a challenge filed before a ban stage's effective date is ruled on by that
date (early in the day, before the stage would take effect) unless the court is slow. Rulings
on one instrument share its legal question (in 2020, the IEEPA informational-materials
exception for every challenge to the ban): each court's ruling mixes a merits draw common to
the instrument with its own, so that courts agree as much as ``agreement`` says, while each
still enjoins with its own probability ``p_enjoin``. The side that loses may appeal up the
court's chain (``appeals``), where each court may decline the case and may reverse.
"""

from __future__ import annotations

import math

from mesa.time import Priority

from sim.model.agents.base import Actor
from sim.model.moments import (
    AdministrationChanged,
    Enjoined,
    HostAction,
    InjunctionLifted,
    MarketMoved,
    SetAside,
    StageAnnounced,
    on,
)
from sim.model.randomness import actor_stream
from sim.narrative import EventName, SpanName
from sim.scenario.schema import Law


def _normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


class Court(Actor):
    """A court where a plaintiff (the seller, or users) challenges one instrument (``hears``).

    Against a ban the plaintiff asks it to enjoin each stage it hears when the stage is
    announced. Against a divestiture order or a law the plaintiff petitions for review once it is
    issued (within the law's window, if it has one); a ruling for the plaintiff sets it aside.
    """

    def __init__(self, model, court_id: str, spec):
        super().__init__(model, court_id, spec.label)
        self.spec = spec
        self.count_working_days(spec.calendar, spec.holidays)  # its legal holidays skipped (FRAP 26(a))
        self.levels = list(spec.appeals.values())
        self.injunctions = 0
        self.rulings = 0
        self.pending = 0  # cases filed and not yet ruled on, appeals included
        self.standing: set[str] = set()  # stages this court's injunctions still stop
        self.renewals: dict[str, int] = {}  # renewed motions per stage
        self.appeals_held = False  # a new administration asked to hold the government's appeals in abeyance
        self.petition_held = False  # ... or the petition against the instrument
        self.petition_pending = False  # the petition against the instrument is filed and not ruled on
        self._merits: float | None = None
        self._complaint: tuple[int, int | None] | None = None  # (day of the stages' announcement, filing day or None)

    @property
    def active(self) -> bool:
        """A case is pending here, or one of this court's injunctions stands."""
        return self.pending > 0 or bool(self.standing)

    @property
    def state(self) -> str:
        """Cases pending and injunctions granted."""
        return f"{self.pending} pending, {self.injunctions} injunctions"

    def hears(self, sid: str, instrument: str) -> bool:
        """Whether this court can enjoin stage ``sid`` of ``instrument``."""
        return self.spec.hears == instrument and (self.spec.stages is None or sid in self.spec.stages)

    def merits(self) -> float:
        """The run's merits draw for the legal question every challenge of the instrument shares.

        Every court hearing the instrument reads the same draw: the first of a stream keyed by the
        run and the instrument alone.
        """
        if self._merits is None:
            self._merits = merits_stream(self._seed, self.spec.hears).standard_normal()
        return self._merits

    def for_plaintiff(self, renewed: bool = False) -> bool:
        """Whether this ruling goes for the plaintiff: the instrument's common merits and the court's own draw.

        A renewed motion is decided on a new record (the stage now imminent, the harm concrete), so
        it reads the court's own draw alone: a denial on the common merits does not bind it.
        """
        rho = 0.0 if renewed else self.spec.agreement
        z = math.sqrt(rho) * self.merits() + math.sqrt(1 - rho) * self.rng.standard_normal()
        return _normal_cdf(z) < self.spec.p_enjoin

    def plaintiff(self) -> str:
        """Who challenges, as the narrative names them."""
        if self.spec.plaintiff_label:
            return self.spec.plaintiff_label
        return self.view.scenario.seller.label if self.spec.plaintiff == "seller" else "the plaintiffs"

    # --- a ban's stages -----------------------------------------------------------------------

    @on(StageAnnounced)
    def consider_challenge(self, moment: StageAnnounced) -> None:
        """A stage was announced: the plaintiff may challenge it here.

        One complaint covers the stages announced the same day: the plaintiff challenges all of
        them or none, and files once.
        """
        if not self.hears(moment.stage, moment.instrument):
            return
        if self._complaint is None or self._complaint[0] != self.today:
            filing = self.days_from_now(self.spec.filing_days) if self.chance(self.spec.p_challenge) else None
            self._complaint = (self.today, filing)
        filing = self._complaint[1]
        if filing is not None:
            self.clock.schedule(filing, self.file, moment.stage)

    def date_ahead(self, sid: str) -> int | None:
        """The day stage ``sid`` is to take effect, unless it is in effect already (or has no date)."""
        return None if self.view.stage(sid).due else self.view.stage_effective_day(sid)

    def file(self, sid: str, renewed: bool = False) -> None:
        """The plaintiff files for an injunction; the court rules by the stage's date unless slow."""
        if self.view.stage(sid).lifted:
            return
        day = self.days_from_now(self.spec.ruling_days)
        slow = self.chance(self.spec.p_slow)
        effective = self.date_ahead(sid)
        pending = effective is not None and self.today <= effective
        if effective is not None and pending and not slow and day > effective:
            day = effective  # the court rules before the stage bites
        self.clock.schedule(day, self.rule, sid, self.today, renewed, priority=Priority.HIGH)
        self.pending += 1
        when = ""
        if effective is not None and pending:
            when = (
                " (before the stage takes effect)"
                if day <= effective
                else " (after the stage's date: the court is slow)"
            )
        self.log(
            EventName.CHALLENGE_FILED,
            f"A challenge to {sid} is filed in {self.label} by {self.plaintiff()}; ruling by "
            f"{self.clock.date_of(day)}{when}",
        )

    def rule(self, sid: str, filed: int, renewed: bool = False) -> None:
        """Rule on the injunction, or decline at this time if the harm is not yet imminent (``imminent_days``)."""
        self.pending -= 1
        if self.view.stage(sid).lifted:
            return
        self.timeline.add(SpanName.COURT_CHALLENGE, filed, self.today, self.spec.hears)
        effective = self.date_ahead(sid)
        near = self.spec.imminent_days
        if near is not None and effective is not None and effective - self.today > near:
            self.defer(sid, effective, renewed)
            return
        self.rulings += 1
        if self.for_plaintiff(renewed):
            self.enjoin(sid, f"{self.label} enjoins {sid} (p={self.spec.p_enjoin:.2f})", appeal_to=0)
        else:
            self.log(
                EventName.INJUNCTION_DENIED,
                f"{self.label} declines to enjoin {sid} (p={1 - self.spec.p_enjoin:.2f})",
            )
            self.announce(MarketMoved(f"{self.label} declined to stop {sid}"))
            self.appeal(0, "plaintiff", sid)
            self.consider_renewal(sid)

    def defer(self, sid: str, effective: int, renewed: bool) -> None:
        """Not yet imminent: the court declines at this time, without ruling on the merits.

        The plaintiff moves again, ``filing_days`` after the stage comes within ``imminent_days`` of
        its date (the same motion, not a renewal after a denial).
        """
        ready = effective - (self.spec.imminent_days or 0)
        self.clock.schedule(self.days_from_now(self.spec.filing_days, start=ready), self.file, sid, renewed)
        self.log(
            EventName.INJUNCTION_DEFERRED,
            f"{self.label} declines at this time to enjoin {sid}, which takes effect on "
            f"{self.clock.date_of(effective)}: the harm is not yet imminent",
        )

    def consider_renewal(self, sid: str) -> None:
        """After a denial the plaintiff may move again for the same stage, on a new record (``renew``)."""
        rule = self.spec.renew
        if rule is None or self.renewals.get(sid, 0) >= rule.max or not self.happens(rule.p):
            return
        self.renewals[sid] = self.renewals.get(sid, 0) + 1
        day = self.days_from_now(rule.days)
        effective = self.date_ahead(sid)
        if effective is not None and self.today < effective - 1 < day:
            day = effective - 1  # the harm is at hand: an emergency motion, filed before the stage's date
        self.clock.schedule(day, self.file, sid, True)
        who = self.plaintiff()  # the sentence's subject: "The plaintiffs will move again..."
        self.log(
            EventName.MOTION_RENEWED,
            f"{who[:1].upper()}{who[1:]} will move again in {self.label} to enjoin {sid}, by {self.clock.date_of(day)}",
        )

    def enjoin(self, sid: str, detail: str, appeal_to: int) -> None:
        """An injunction (here, or on appeal) stops the stage; the government may appeal to ``appeal_to``."""
        self.injunctions += 1
        self.standing.add(sid)
        self.log(EventName.INJUNCTION, detail)
        self.announce(Enjoined(sid, self.actor_id))
        self.appeal(appeal_to, "government", sid)
        self.announce(HostAction("injunction"))

    # --- appeals ------------------------------------------------------------------------------

    def appeal(self, level: int, loser: str, sid: str | None) -> None:
        """The side that lost may take the ruling to court ``level`` of the chain.

        ``sid`` is the stage a ruling on an injunction concerns; None for a petition against the
        instrument (only the plaintiff's appeal of an upheld instrument is followed: an
        instrument set aside stays set aside).
        """
        if level >= len(self.levels):
            return
        rule = self.levels[level]
        if not self.happens(rule.government_appeals if loser == "government" else rule.plaintiff_appeals):
            return
        self.log(EventName.APPEAL_FILED, f"The {loser} appeals to {rule.label}")
        self.pending += 1
        self.after(rule.days, self.hear_appeal, level, loser, sid)

    def hear_appeal(self, level: int, appellant: str, sid: str | None) -> None:
        """The court above decides whether to hear the appeal, and whether to reverse."""
        self.pending -= 1
        rule = self.levels[level]
        if appellant == "government" and self.appeals_held:
            self.log(EventName.APPEAL_HELD, f"{rule.label} holds the government's appeal in abeyance")
            return
        if sid is not None and self.view.stage(sid).lifted:
            return
        if sid is None and not self.view.in_force(self.spec.hears):
            return
        if not self.happens(rule.p_cert):
            self.log(EventName.CERT_DENIED, f"{rule.label} declines to hear the {appellant}'s appeal")
            return
        if not self.chance(rule.p_reverses):
            if sid is not None and appellant == "government":
                self.log(EventName.APPEAL_FAILS, f"The injunction of {sid} by {self.label} stands on appeal")
            else:
                self.log(EventName.APPEAL_FAILS, f"{rule.label} affirms: the {appellant}'s appeal fails")
            self.appeal(level + 1, appellant, sid)
            return
        other = "plaintiff" if appellant == "government" else "government"
        if sid is None:  # the plaintiff wins its appeal against the instrument
            self.set_aside(f"{rule.label} sets the {self.view.instrument_label(self.spec.hears)} aside")
            return
        if appellant == "government":
            self.log(EventName.INJUNCTION_LIFTED, f"The appeal lifts the injunction of {sid} by {self.label}")
            self.standing.discard(sid)
            self.announce(InjunctionLifted(sid, self.actor_id))
            self.appeal(level + 1, other, sid)
        else:
            self.enjoin(sid, f"{rule.label} reverses: {sid} is enjoined", appeal_to=level + 1)

    @on(AdministrationChanged)
    def administration_changed(self, moment: AdministrationChanged) -> None:
        """A new administration may ask to hold the government's pending appeals, and a petition, in abeyance."""
        if self.levels:
            self.appeals_held = self.happens(self.levels[0].held_by_new_administration)
        p = self.spec.petition_held_by_new_administration
        if p is not None and self.view.in_force(self.spec.hears) and self.happens(p):
            self.after(self.spec.petition_hold_days, self.hold_petition)

    def hold_petition(self) -> None:
        """The court holds the petition, pending or filed later, in abeyance while the new administration reviews."""
        self.petition_held = True
        if self.petition_pending and self.view.in_force(self.spec.hears):
            self.log_hold()

    def log_hold(self) -> None:
        """Say the petition is held (at the court's order, or at a filing after it)."""
        self.log(
            EventName.PETITION_HELD,
            f"{self.label} holds the petition against the {self.view.instrument_label(self.spec.hears)} in "
            "abeyance: the new administration asked to review it first, and the plaintiff agreed",
        )

    # --- a divestiture order or a law ---------------------------------------------------------

    def consider_petition(self, instrument: str) -> None:
        """The instrument was issued: the plaintiff may petition for review here (within its window)."""
        if self.spec.hears != instrument or not self.chance(self.spec.p_challenge):
            return
        day = self.days_from_now(self.spec.filing_days)
        spec = self.view.scenario.instruments[instrument]
        if isinstance(spec, Law) and spec.challenge_within_days is not None:
            day = min(day, self.today + spec.challenge_within_days)
        self.clock.schedule(day, self.petition)

    def petition(self) -> None:
        """The petition for review is filed; the ruling comes after ``ruling_days``."""
        if not self.view.in_force(self.spec.hears):
            return
        day = self.after(self.spec.ruling_days, self.rule_on_instrument, self.today)
        self.pending += 1
        self.petition_pending = True
        self.log(
            EventName.CHALLENGE_FILED,
            f"A petition to set aside the {self.view.instrument_label(self.spec.hears)} is filed in {self.label} by "
            f"{self.plaintiff()}; ruling by {self.clock.date_of(day)}",
        )
        if self.petition_held:
            self.log_hold()

    def rule_on_instrument(self, filed: int) -> None:
        """Set the instrument aside, or uphold it (the plaintiff may appeal); a petition held in abeyance waits."""
        if self.petition_held:
            return  # still pending: held until the run's end (a revoked instrument leaves it moot)
        self.pending -= 1
        self.petition_pending = False
        if not self.view.in_force(self.spec.hears) or self.view.deal.closed_day is not None:
            return
        self.timeline.add(SpanName.COURT_CHALLENGE, filed, self.today, self.spec.hears)
        self.rulings += 1
        label = self.view.instrument_label(self.spec.hears)
        if self.for_plaintiff():
            self.set_aside(f"{self.label} sets the {label} aside")
        else:
            self.log(EventName.ORDER_UPHELD, f"{self.label} upholds the {label}")
            self.appeal(0, "plaintiff", None)

    def set_aside(self, detail: str) -> None:
        """The instrument is set aside (other instruments stand)."""
        self.log(EventName.ORDER_SET_ASIDE, detail)
        self.announce(SetAside(self.spec.hears, self.actor_id))


def merits_stream(seed: int, instrument: str):
    """The stream of the merits draws common to every challenge of one instrument in a run."""
    return actor_stream(seed, f"merits:{instrument}")
