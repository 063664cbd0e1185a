"""Checks that need several fields of a valid scenario.

Date order, references between ids, unique and reserved ids: one function per section of the
scenario, each adding problems.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sim.errors import Problem
from sim.scenario.grounding import weight_paths
from sim.scenario.problems import _origin, _unknown
from sim.scenario.schema import Scenario

# Ids the model's own actors and rows use: a bidder or court may not take them.
ACTOR_IDS = ("executive", "cfius", "commerce", "china", "seller")
RESERVED_IDS = (*ACTOR_IDS, "model", "hold_out", "none")


class _Checks:
    """The problems found so far, and the small verbs the section checks share."""

    def __init__(self, s: Scenario, source: str, origins: dict[tuple, str]):
        self.s, self.source, self.origins = s, source, origins
        self.problems: list[Problem] = []

    def bad(self, keys: tuple, message: str, value: Any = Problem._MISSING) -> None:
        where = _origin(list(keys), self.origins, self.source)
        self.problems.append(Problem(where, ".".join(map(str, keys)), message, value))

    def unknown(self, keys: tuple, value: str, allowed: list[str], what: str) -> None:
        where = _origin(list(keys), self.origins, self.source)
        self.problems.append(_unknown(where, ".".join(map(str, keys)), value, allowed, what))

    def within(self, keys: tuple, date: dt.date) -> None:
        s = self.s
        if not s.start <= date <= s.horizon:
            self.bad(keys, f"must be within the scenario's start ({s.start}) and horizon ({s.horizon})", date)

    def known_structure(self, keys: tuple, sid: str) -> None:
        if sid not in self.s.structures:
            self.unknown(keys, sid, sorted(self.s.structures), "structure")


def check_consistency(s: Scenario, source: str, origins: dict[tuple, str]) -> list[Problem]:
    """Every check across fields, section by section."""
    c = _Checks(s, source, origins)
    if s.horizon <= s.start:
        c.bad(("horizon",), f"must be after the start ({s.start})", s.horizon)
        return c.problems  # every other date check would repeat this one
    for section in (_seller, _ids, _bidders, _commerce_and_courts, _events, _inactive):
        section(c)
    return c.problems


def _seller(c: _Checks) -> None:
    seller = c.s.seller
    prefs = seller.structure_preference
    for sid in prefs:
        c.known_structure(("seller", "structure_preference", sid), sid)
        if not 0 <= prefs[sid] <= 1:
            c.bad(("seller", "structure_preference", sid), "must be between 0 and 1 (multiplier 0-1)", prefs[sid])
    for sid in sorted(set(c.s.structures) - set(prefs)):
        c.bad(("seller", "structure_preference"), f"has no preference for structure {sid!r}")
    for sid in seller.restructure_order:
        c.known_structure(("seller", "restructure_order"), sid)
    for sid in seller.proposes:
        c.known_structure(("seller", "proposes"), sid)
    if seller.bid_deadline is not None:
        c.within(("seller", "bid_deadline"), seller.bid_deadline)
    if c.s.agreement is not None:
        c.within(("agreement", "outside_date"), c.s.agreement.outside_date)


def _ids(c: _Checks) -> None:
    """Bidders and courts share the actors' id space; some ids are the model's own."""
    taken = set(ACTOR_IDS)
    for group, ids in (("bidders", c.s.bidders), ("courts", c.s.courts)):
        for ident in ids:
            if ident in RESERVED_IDS and ident not in ACTOR_IDS:
                c.bad((group, ident), f"id {ident!r} is reserved (reserved: {', '.join(RESERVED_IDS)}); pick another")
            elif ident in taken:
                c.bad((group, ident), f"id {ident!r} is already used by another actor; pick another")
            taken.add(ident)


def _bidders(c: _Checks) -> None:
    for bid, b in c.s.bidders.items():
        c.known_structure(("bidders", bid, "offers"), b.offers)
        for sid in b.accepts or []:
            c.known_structure(("bidders", bid, "accepts"), sid)
        if b.enters is not None:
            c.within(("bidders", bid, "enters"), b.enters)
        offered = c.s.structures.get(b.offers)
        if b.insists_on_algorithm and offered is not None and offered.algorithm != "transfer":
            c.bad(
                ("bidders", bid, "offers"),
                "insists_on_algorithm needs an offered structure with algorithm: transfer",
                b.offers,
            )


def _commerce_and_courts(c: _Checks) -> None:
    stages = c.s.commerce.stages
    for sid, st in stages.items():
        c.within(("commerce", "stages", sid, "announced"), st.announced)
        if isinstance(st.effective, dt.date):
            c.within(("commerce", "stages", sid, "effective"), st.effective)
            if st.effective < st.announced:
                c.bad(
                    ("commerce", "stages", sid, "effective"),
                    f"must be on or after the announcement ({st.announced})",
                    st.effective,
                )
    for cid, court in c.s.courts.items():
        for sid in court.hears or []:
            if sid not in stages:
                c.unknown(("courts", cid, "hears"), sid, sorted(stages), "stage")
    if any(st.effective == "deadline" for st in stages.values()) and not any(
        e.kind == "divestiture_order" for e in c.s.events
    ):
        c.bad(("commerce", "stages"), "a stage takes effect at the `deadline` but no divestiture_order sets one")


def _events(c: _Checks) -> None:
    seen: set = set()
    for event in c.s.events:
        ident = event.id or event.kind
        keys = ("events", ident)
        if ident in seen:
            c.bad(keys, f"two events have the id {ident!r}; give each an `id`")
        seen.add(ident)
        c.within((*keys, "date"), event.date)
        if event.date_to is not None:
            c.within((*keys, "date_to"), event.date_to)
            if event.date_to < event.date:
                c.bad(
                    (*keys, "date_to"),
                    f"must be on or after the first possible day ({event.date})",
                    event.date_to,
                )
        last = event.date_to or event.date
        if event.kind == "divestiture_order":
            c.within((*keys, "deadline"), event.deadline)
            if event.deadline < last:
                c.bad((*keys, "deadline"), f"must be on or after the order ({last})", event.deadline)
        elif event.kind == "election" and event.inauguration <= last:
            c.bad((*keys, "inauguration"), f"must be after the election ({last})", event.inauguration)
        elif event.kind == "announced_deal":
            if event.bidder not in c.s.bidders:
                c.unknown((*keys, "bidder"), event.bidder, sorted(c.s.bidders), "bidder")
            if event.structure is not None:
                c.known_structure((*keys, "structure"), event.structure)


def _inactive(c: _Checks) -> None:
    """Each weight declared inactive must be a behavioural weight of this scenario."""
    known = set(weight_paths(c.s))
    for path in c.s.inactive:
        if path not in known:
            c.unknown(("inactive", path), path, sorted(known), "behavioural weight")
