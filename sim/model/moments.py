"""Moments: what happens in a run that other actors may react to, delivered in order.

An actor that makes something happen *announces* a moment: a small frozen record of it. Moments
wait in the run's queue and are delivered only after the handler that announced them has
returned, one subscriber at a time, in the order the subscribers were built (the scenario's
order); each subscriber's handler runs to its end before the next starts, and the moments it
announces join the back of the queue. So no reaction runs inside its cause: a ban is logged as
biting before anyone reacts to it, and once the run has ended nothing more is delivered.

An actor declares what it reacts to with :func:`on`::

    class Seller(Actor):
        @on(Rejected)
        def deal_rejected(self, moment: Rejected) -> None: ...
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# --- the deal ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Moment:
    """Something that happened in the run."""


@dataclass(frozen=True, slots=True)
class DealChosen(Moment):
    """Terms were chosen (talks started, restructured terms agreed, or a deal signed at the start)."""

    version: int


@dataclass(frozen=True, slots=True)
class DealAgreed(Moment):
    """The deal was agreed in principle."""

    version: int


@dataclass(frozen=True, slots=True)
class DealSigned(Moment):
    """The contract was signed."""

    version: int


@dataclass(frozen=True, slots=True)
class NewTerms(Moment):
    """The terms changed (a restructuring, another buyer): what was filed for the old terms no longer applies."""

    version: int


@dataclass(frozen=True, slots=True)
class SigningCleared(Moment):
    """A reviewer gave the consent without which no contract could be signed (a letter of intent)."""

    reviewer: str
    version: int


@dataclass(frozen=True, slots=True)
class Approved(Moment):
    """A reviewer approved the current terms."""

    reviewer: str
    version: int


@dataclass(frozen=True, slots=True)
class ConsentNeeded(Moment):
    """The current terms need a reviewer's consent: the seller prepares an application (a licence)."""

    reviewer: str
    version: int


@dataclass(frozen=True, slots=True)
class Applied(Moment):
    """The seller's application reached the reviewer."""

    reviewer: str
    version: int


@dataclass(frozen=True, slots=True)
class Filed(Moment):
    """The parties filed with a reviewer (a notice, a refiling, revised terms): the seller logs its act.

    ``event`` is the log's event name and ``detail`` its text, in the seller's name.
    """

    reviewer: str
    event: str
    detail: str


@dataclass(frozen=True, slots=True)
class BlockRecommended(Moment):
    """A reviewer told the parties it will recommend blocking the deal: they abandon it or face the President."""

    reviewer: str
    version: int
    p_abandon: float


@dataclass(frozen=True, slots=True)
class FacesPresident(Moment):
    """The parties did not abandon a deal the reviewer will recommend blocking: it goes to the President."""

    reviewer: str
    version: int


@dataclass(frozen=True, slots=True)
class Silent(Moment):
    """A reviewer gave no answer to the terms before it: the parties may revise them."""

    reviewer: str
    version: int


@dataclass(frozen=True, slots=True)
class Revised(Moment):
    """The parties sent a silent reviewer revised terms."""

    reviewer: str
    version: int


@dataclass(frozen=True, slots=True)
class DealAbandoned(Moment):
    """The parties abandon the current deal in the face of a reviewer's in-depth review (before its end)."""

    reviewer: str
    version: int


@dataclass(frozen=True, slots=True)
class Rejected(Moment):
    """A reviewer (or a decision on its referral) refused the current terms.

    ``final`` says the refusal ends the deal whatever the seller would do (a prohibition of a
    negotiated deal, the President's block); otherwise the seller decides what follows.
    """

    reviewer: str
    side: str
    version: int
    final: bool = False


@dataclass(frozen=True, slots=True)
class BidMade(Moment):
    """A bidder made a bid (the seller holds it)."""

    bidder: str
    bid: Any


@dataclass(frozen=True, slots=True)
class DealAnnounced(Moment):
    """A dated announcement: the seller and this bidder do a deal (its bid), not left to the seller's choice.

    ``bid`` is None when the bidder dropped out or the sale is past bidding: the deal does not happen.
    """

    bidder: str
    bid: Any
    structure: str | None
    note: str


@dataclass(frozen=True, slots=True)
class BidderLeft(Moment):
    """A bidder dropped out before bidding."""

    bidder: str


@dataclass(frozen=True, slots=True)
class BidderArrived(Moment):
    """A pool brought a new buyer, with its terms (the run makes it a bidder)."""

    bidder: str
    label: str


@dataclass(frozen=True, slots=True)
class Blessed(Moment):
    """The executive blessed the deal in principle."""

    version: int


@dataclass(frozen=True, slots=True)
class SaleEnded(Moment):
    """The sale ended without a close: ``how`` is the deal stage it ended in."""

    how: str


@dataclass(frozen=True, slots=True)
class DealClosed(Moment):
    """The deal closed."""

    version: int


# --- the governments --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HostAction(Moment):
    """A host action that may move a political hold.

    One of ``blessing``, ``injunction``, ``ban_bites``, ``enforcement``, ``election``.
    """

    action: str


@dataclass(frozen=True, slots=True)
class TensionChanged(Moment):
    """The tension between the governments moved by ``delta``."""

    delta: float


@dataclass(frozen=True, slots=True)
class MarketMoved(Moment):
    """Something changed the seller's position (a ruling, a deadline, a ban, a new administration)."""

    reason: str


@dataclass(frozen=True, slots=True)
class Referred(Moment):
    """A reviewer referred the deal to the President to block it."""

    reviewer: str
    version: int


@dataclass(frozen=True, slots=True)
class PresidentDecided(Moment):
    """The President decided on a referral."""

    reviewer: str
    version: int
    blocks: bool


@dataclass(frozen=True, slots=True)
class AdministrationChanged(Moment):
    """A new administration took office."""


@dataclass(frozen=True, slots=True)
class DeclaredCompliant(Moment):
    """The host executive declared these structures compliant (a qualified divestiture)."""

    structures: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReviewsShelved(Moment):
    """The new administration shelved the host reviews of the deal in progress."""


@dataclass(frozen=True, slots=True)
class InstrumentIssued(Moment):
    """An instrument took force (courts may be petitioned against it)."""

    instrument: str


@dataclass(frozen=True, slots=True)
class Revoked(Moment):
    """Instruments were revoked."""

    instruments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SetAside(Moment):
    """A court set an instrument aside."""

    instrument: str
    court: str


@dataclass(frozen=True, slots=True)
class InstrumentEnded(Moment):
    """An instrument is no longer in force (revoked or set aside)."""

    instrument: str


@dataclass(frozen=True, slots=True)
class DeadlinePassed(Moment):
    """An instrument's deadline passed without a close."""

    instrument: str


@dataclass(frozen=True, slots=True)
class Enforced(Moment):
    """An instrument was enforced at its deadline: its prohibitions are due."""

    instrument: str


@dataclass(frozen=True, slots=True)
class SaleCompelled(Moment):
    """A court compelled the sale (a trustee sells to the best live bid)."""

    instrument: str


@dataclass(frozen=True, slots=True)
class Penalties(Moment):
    """A court imposed penalties until the sale: holding out loses ``cut`` of its worth."""

    instrument: str
    cut: float


@dataclass(frozen=True, slots=True)
class NotEnforced(Moment):
    """An instrument was left unenforced: its prohibitions are suspended."""

    instrument: str


# --- bans and courts ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StageAnnounced(Moment):
    """An agency announced a ban stage (courts may be asked to stop it)."""

    stage: str
    instrument: str


@dataclass(frozen=True, slots=True)
class BanIssued(Moment):
    """A ban took force: its agency announces the stages whose dates were not known in advance."""

    instrument: str


@dataclass(frozen=True, slots=True)
class StagesChanged(Moment):
    """A ban stage took effect, was enjoined, lifted or suspended: whether a ban bites may have changed."""


@dataclass(frozen=True, slots=True)
class Enjoined(Moment):
    """A court enjoined a ban stage."""

    stage: str
    court: str


@dataclass(frozen=True, slots=True)
class InjunctionLifted(Moment):
    """An appeal lifted one court's injunction of a stage."""

    stage: str
    court: str


@dataclass(frozen=True, slots=True)
class BanStarted(Moment):
    """A ban stage began to bite (no stage bit before)."""

    agency: str
    stages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BanEnded(Moment):
    """No ban stage bites any more."""


@dataclass(frozen=True, slots=True)
class SellerLeft(Moment):
    """The seller left the host market."""


# --- delivery ---------------------------------------------------------------------------------


def on(*moments: type[Moment]) -> Callable[[Callable], Callable]:
    """Declare a method as a reaction to these moments (collected by :class:`Reacting`)."""

    def mark(method: Callable) -> Callable:
        method._reacts_to = (*getattr(method, "_reacts_to", ()), *moments)  # type: ignore[attr-defined]
        return method

    return mark


class Reacting:
    """Anything that reacts to moments: its reactions are collected from its methods marked :func:`on`."""

    reactions: tuple[tuple[type[Moment], str], ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found: dict[type[Moment], str] = {}
        for klass in reversed(cls.__mro__):
            for name, member in vars(klass).items():
                for moment in getattr(member, "_reacts_to", ()):
                    found[moment] = name  # a subclass's reaction replaces its base's
        cls.reactions = tuple(found.items())


@lru_cache(maxsize=256)
def _plan(kinds: tuple[type[Reacting], ...]) -> tuple[tuple[type[Moment], tuple[tuple[int, str], ...]], ...]:
    """Who reacts to each kind of moment, as (position among ``kinds``, method name), in order.

    Worked out once for a line-up of subscriber classes (a scenario's runs share one), so a run
    only looks its handlers up.
    """
    plan: dict[type[Moment], list[tuple[int, str]]] = {}
    for i, kind in enumerate(kinds):
        for moment, name in kind.reactions:
            plan.setdefault(moment, []).append((i, name))
    return tuple((moment, tuple(who)) for moment, who in plan.items())


class Delivery:
    """The run's queue of moments and who reacts to each, delivered in order.

    ``subscribe`` adds a subscriber's reactions (in build order); ``announce`` queues a moment;
    ``deliver`` hands the queued moments out until the queue is empty or the run has ended.
    """

    def __init__(self) -> None:
        self._queue: deque[Moment] = deque()
        self._handlers: dict[type[Moment], list[Callable[[Any], None]]] = {}
        self._delivering = False
        self.closed = False

    def subscribe(self, *subscribers: Reacting) -> None:
        """Add the subscribers' reactions in their order, after those already subscribed."""
        handlers = self._handlers
        for moment, who in _plan(tuple(type(s) for s in subscribers)):
            mine = [getattr(subscribers[i], name) for i, name in who]
            if moment in handlers:
                handlers[moment].extend(mine)
            else:
                handlers[moment] = mine

    def handlers(self, moment: type[Moment]) -> list[Callable[[Any], None]]:
        """Who reacts to a kind of moment, in order."""
        return self._handlers.get(moment, [])

    def announce(self, moment: Moment) -> None:
        """Queue a moment; it is delivered once the current handler returns (never after the run's end)."""
        if not self.closed:
            self._queue.append(moment)

    def deliver(self) -> None:
        """Deliver every queued moment, one handler at a time; moments announced meanwhile join the queue."""
        if self._delivering or not self._queue:
            return  # nothing queued, or a handler runs inside an outer delivery that will reach it
        self._delivering = True
        try:
            while self._queue and not self.closed:
                moment = self._queue.popleft()
                for handler in self._handlers.get(type(moment), ()):
                    if self.closed:
                        break
                    handler(moment)
        finally:
            self._delivering = False

    def close(self) -> None:
        """The run ended: drop what is queued and accept nothing more."""
        self.closed = True
        self._queue.clear()
