"""Checks that need several fields of a valid scenario.

Date order, references between ids, unique and reserved ids, what each part needs of the others:
one function per section of the scenario, each adding problems.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sim.errors import Problem
from sim.scenario.grounding import weight_paths
from sim.scenario.problems import _origin, _unknown
from sim.scenario.schema import (
    Ban,
    BidderTerms,
    CoveredTransaction,
    DeadlineInstrument,
    ExportLicence,
    Law,
    OrderReview,
    Scenario,
    TermsCondition,
    TermWeights,
    meets,
)

# Ids the model's own actors and rows use: a reviewer, agency, court or bidder may not take them.
ACTOR_IDS = ("executive", "home", "seller")
RESERVED_IDS = (*ACTOR_IDS, "model", "hold_out", "none")
POOL_PREFIX = "pool_"  # the bidders a pool brings are pool_1, pool_2...
EARLIEST, LATEST = dt.date(1950, 1, 1), dt.date(2100, 12, 31)  # a scenario's start: deals of record, and futures
MAX_DAYS = 36_500  # a horizon at most a hundred years after the start: every date of a run stays a date


class _Checks:
    """The problems found so far, and the small verbs the section checks share."""

    def __init__(self, s: Scenario, source: str, origins: dict[tuple, str]):
        self.s, self.source, self.origins = s, source, origins
        self.problems: list[Problem] = []
        self.moved_bounds: dict[tuple[str, str], list[str]] = {}  # (start/horizon, its file): the dates it cuts off

    def bad(self, keys: tuple, message: str, value: Any = Problem._MISSING) -> None:
        where = _origin(list(keys), self.origins, self.source)
        self.problems.append(Problem(where, ".".join(map(str, keys)), message, value))

    def unknown(self, keys: tuple, value: str, allowed: list[str], what: str) -> None:
        where = _origin(list(keys), self.origins, self.source)
        self.problems.append(_unknown(where, ".".join(map(str, keys)), value, allowed, what))

    def within(self, keys: tuple, date: dt.date) -> None:
        s = self.s
        if not s.start <= date <= s.horizon:
            message = f"must be within the scenario's start ({s.start}) and horizon ({s.horizon})"
            here = _origin(list(keys), self.origins, self.source)
            bound = "start" if date < s.start else "horizon"
            there = _origin([bound], self.origins, self.source)
            if there != here:  # say where the bound is set, so the fault is found in its file
                message += f"; the {bound} is set in {there}"
                if here != self.source:  # a date the file extends, cut by a bound a child moved: blame the child
                    self.moved_bounds.setdefault((bound, there), []).append(".".join(map(str, keys)))
            self.bad(keys, message, date)

    def known_structure(self, keys: tuple, sid: str) -> None:
        if sid not in self.s.structures:
            self.unknown(keys, sid, sorted(self.s.structures), "structure")

    def known_bidder(self, keys: tuple, bid: str) -> None:
        if bid not in self.s.bidders:
            self.unknown(keys, bid, sorted(self.s.bidders), "bidder")

    def known_instrument(self, keys: tuple, iid: str) -> None:
        if iid not in self.s.instruments:
            self.unknown(keys, iid, sorted(self.s.instruments), "instrument")

    def known_reviewer(self, keys: tuple, rid: str) -> None:
        if rid not in self.s.reviewers:
            self.unknown(keys, rid, sorted(self.s.reviewers), "reviewer")

    def needs(self, keys: tuple, section: str, what: str) -> None:
        if getattr(self.s, section) is None:
            self.bad(keys, f"{what} needs a `{section}:` section, and the scenario has none")


def check_consistency(s: Scenario, source: str, origins: dict[tuple, str]) -> list[Problem]:
    """Every check across fields, section by section."""
    c = _Checks(s, source, origins)
    if not EARLIEST <= s.start <= LATEST:
        c.bad(
            ("start",),
            f"must be between {EARLIEST} and {LATEST} (the calendars the model counts working days in)",
            s.start,
        )
        return c.problems
    if s.horizon <= s.start:
        c.bad(("horizon",), f"must be after the start ({s.start})", s.horizon)
        return c.problems  # every other date check would repeat this one
    if s.days > MAX_DAYS:
        c.bad(
            ("horizon",),
            f"must be at most {MAX_DAYS:,} days ({MAX_DAYS // 365} years) after the start ({s.start})",
            s.horizon,
        )
        return c.problems
    _terms(c)
    if c.problems:
        return c.problems  # structures and weights off the vocabulary: the checks below would trip on them
    for section in (_deal, _seller, _ids, _bidders, _reviewers, _instruments, _courts, _events, _inactive, _declared):
        section(c)
    for (bound, there), cut in c.moved_bounds.items():  # first, the line at the key that caused them
        value = getattr(s, bound)
        first = ", ".join(cut[:3]) + (f" and {len(cut) - 3} more" if len(cut) > 3 else "")
        side = "before" if bound == "start" else "after"
        message = f"leaves {len(cut)} dates of the files it extends {side} it ({first}): move them too, or remove them"
        c.problems.insert(0, Problem(there, bound, message, value))
    return c.problems


def _deal(c: _Checks) -> None:
    deal = c.s.deal
    if deal.kind == "forced_divestiture":
        for key in ("buyer", "structure", "price", "signed"):
            if getattr(deal, key) is not None:
                c.bad(("deal", key), "is for a negotiated or completed deal; a forced divestiture starts with bidding")
    else:
        for key in ("buyer", "price"):
            if getattr(deal, key) is None:
                c.bad(("deal", key), f"a {deal.kind} deal needs its {key}")
        if deal.buyer is not None:
            c.known_bidder(("deal", "buyer"), deal.buyer)
        if deal.structure is not None:
            c.known_structure(("deal", "structure"), deal.structure)
        if deal.signed is not None and deal.signed > c.s.start:
            c.bad(("deal", "signed"), f"must be on or before the start ({c.s.start}): a run starts with it signed")
    if c.s.agreement is not None:
        c.within(("agreement", "outside_date"), c.s.agreement.outside_date)
        if deal.kind == "completed":
            c.bad(("agreement",), "a completed deal has no outside date left to reach")


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


def _ids(c: _Checks) -> None:
    """Reviewers, agencies, courts and bidders share the actors' id space; some ids are the model's own."""
    taken = set(ACTOR_IDS)
    agencies = {i.agency for i in c.s.instruments.values() if isinstance(i, Ban | Law)}
    groups = (
        ("reviewers", list(c.s.reviewers)),
        ("instruments", sorted(agencies)),
        ("courts", list(c.s.courts)),
        ("bidders", list(c.s.bidders)),
    )
    for group, ids in groups:
        for ident in ids:
            keys = (group, ident) if group != "instruments" else ("instruments", "agency")
            if ident in RESERVED_IDS:
                c.bad(keys, f"id {ident!r} is reserved (reserved: {', '.join(RESERVED_IDS)}); pick another", ident)
            elif ident in taken:
                c.bad(keys, f"id {ident!r} is already used by another actor; pick another", ident)
            elif c.s.bidder_pool is not None and ident.startswith(POOL_PREFIX):
                c.bad(keys, f"ids starting {POOL_PREFIX!r} are the bidder pool's; pick another", ident)
            taken.add(ident)


def _bidders(c: _Checks) -> None:
    terms: list[tuple[tuple[str, ...], BidderTerms]] = [(("bidders", bid), b) for bid, b in c.s.bidders.items()]
    pool = c.s.bidder_pool
    if pool is not None:
        terms.append((("bidder_pool",), pool))
        for key in ("opens", "closes"):
            if getattr(pool, key) is not None:
                c.within(("bidder_pool", key), getattr(pool, key))
    for keys, b in terms:
        c.known_structure((*keys, "offers"), b.offers)
        for sid in b.accepts or []:
            c.known_structure((*keys, "accepts"), sid)
        offered = c.s.structures.get(b.offers)
        if b.requires and offered is not None and _terms_known(c.s, b.requires) and not meets(b.requires, offered):
            c.bad((*keys, "offers"), "its own structure fails the bidder's `requires`", b.offers)
    for bid, b in c.s.bidders.items():
        if b.enters is not None:
            c.within(("bidders", bid, "enters"), b.enters)


def _reviewers(c: _Checks) -> None:
    for rid, r in c.s.reviewers.items():
        keys = ("reviewers", rid)
        if r.applies_to == "listed_technology" and not isinstance(r, ExportLicence):
            c.bad((*keys, "applies_to"), "listed_technology reads an export-licence reviewer's catalogue", r.applies_to)
        if isinstance(r, CoveredTransaction):
            c.needs(keys, "executive", "a section 721 reviewer (the President decides its referrals)")
        cover = getattr(r, "covered_by", None)
        if cover is not None and not isinstance(c.s.reviewers.get(cover), ExportLicence):
            c.bad((*keys, "covered_by"), "must name an export_licence reviewer of this scenario", cover)
        if r.kind in ("export_licence", "merger_control", "consent"):
            c.needs(keys, "home", f"a {r.kind} reviewer (it reads the tension between the governments)")


def _instruments(c: _Checks) -> None:
    actors = ["executive", *c.s.reviewers]
    for iid, inst in c.s.instruments.items():
        keys = ("instruments", iid)
        c.needs(keys, "executive", "an instrument (the executive issues it)")
        c.within((*keys, "date"), inst.date)
        _date_window(c, keys, inst)
        last = inst.date_to or inst.date
        if isinstance(inst, Ban):
            for sid, st in inst.stages.items():
                at = (*keys, "stages", sid)
                for date, days in (("announced", "announced_days"), ("effective", "effective_days")):
                    if (getattr(st, date) is None) == (getattr(st, days) is None):
                        c.bad((*at, date), f"give either {date} (a date) or {days} (a duration), not both or neither")
                    elif getattr(st, date) is not None:
                        c.within((*at, date), getattr(st, date))
                if st.announced is None and st.effective is not None:
                    c.bad((*at, "effective"), "a stage announced after a drawn delay takes effect after effective_days")
                if st.announced is None or st.effective is None:
                    continue
                if st.effective < st.announced:
                    c.bad(
                        (*at, "effective"),
                        f"must be on or after the announcement ({st.announced})",
                        st.effective,
                    )
            if inst.postpone is not None:
                for i, sid in enumerate(inst.postpone.stages or []):
                    if sid not in inst.stages:
                        c.unknown((*keys, "postpone", "stages", i), sid, sorted(inst.stages), "stage")
        if isinstance(inst, DeadlineInstrument):
            c.within((*keys, "deadline"), inst.deadline)
            if inst.deadline < last:
                c.bad((*keys, "deadline"), f"must be on or after the instrument's date ({last})", inst.deadline)
            for part in ("extensions", "enforcement"):
                rule = getattr(inst, part)
                if rule is not None and rule.decided_by not in actors:
                    c.unknown((*keys, part, "decided_by"), rule.decided_by, actors, "decider")
        if isinstance(inst, Law) and inst.exclusive_court is not None:
            court = c.s.courts.get(inst.exclusive_court)
            if court is None:
                c.unknown((*keys, "exclusive_court"), inst.exclusive_court, sorted(c.s.courts), "court")
            elif court.hears != iid:
                c.bad((*keys, "exclusive_court"), f"court {inst.exclusive_court!r} does not hear {iid!r}")
    stage_owner: dict[tuple[str, str], str] = {}
    for iid, inst in c.s.instruments.items():
        if isinstance(inst, Ban | Law):
            for sid in inst.stages:
                other = stage_owner.setdefault((inst.agency, sid), iid)
                if other != iid:
                    c.bad(
                        ("instruments", iid, "stages", sid), f"agency {inst.agency!r} has a stage {sid!r} in {other!r}"
                    )
    if c.s.executive is not None:
        for iid in c.s.executive.new_administration.revokes:
            revokes = ("executive", "new_administration", "revokes")
            c.known_instrument(revokes, iid)
            if isinstance(c.s.instruments.get(iid), Law):
                c.bad(revokes, f"{iid!r} is a law: the executive cannot revoke it", iid)
        hosts = sorted(r for r, spec in c.s.reviewers.items() if spec.side == "host")
        for rid in c.s.executive.new_administration.stance or {}:
            if rid not in hosts:
                c.unknown(("executive", "new_administration", "stance", rid), rid, hosts, "host reviewer")
        tests = {rid: r.divestment_test for rid, r in c.s.reviewers.items() if isinstance(r, OrderReview)}
        declared = ("executive", "new_administration", "compliant")
        for sid in c.s.executive.new_administration.compliant:
            c.known_structure(declared, sid)
            for rid, test in tests.items():
                if sid in c.s.structures and not meets(test, c.s.structures[sid]):
                    c.bad(
                        declared, f"{sid!r} fails reviewers.{rid}.divestment_test: a declaration cannot waive it", sid
                    )


def _courts(c: _Checks) -> None:
    for cid, court in c.s.courts.items():
        keys = ("courts", cid)
        inst = c.s.instruments.get(court.hears)
        if inst is None:
            c.unknown((*keys, "hears"), court.hears, sorted(c.s.instruments), "instrument")
            continue
        if isinstance(inst, Law) and inst.exclusive_court not in (None, cid):
            c.bad((*keys, "hears"), f"{court.hears!r} gives exclusive jurisdiction to {inst.exclusive_court!r}")
        if court.stages is not None:
            if not isinstance(inst, Ban):
                c.bad((*keys, "stages"), f"only a court hearing a ban enjoins stages; {court.hears!r} is a {inst.kind}")
            else:
                for sid in court.stages:
                    if sid not in inst.stages:
                        c.unknown((*keys, "stages"), sid, sorted(inst.stages), "stage")


def _date_window(c: _Checks, keys: tuple, item: Any) -> None:
    if item.date_to is not None:
        c.within((*keys, "date_to"), item.date_to)
        if item.date_to < item.date:
            c.bad((*keys, "date_to"), f"must be on or after the first possible day ({item.date})", item.date_to)


def _events(c: _Checks) -> None:
    seen: set = set()
    licences = sorted(c.s.reviewers_of("export_licence"))
    for event in c.s.events:
        ident = event.id or event.kind
        keys = ("events", ident)
        if ident in seen:
            c.bad(keys, f"two events have the id {ident!r}; give each an `id`")
        seen.add(ident)
        c.within((*keys, "date"), event.date)
        _date_window(c, keys, event)
        last = event.date_to or event.date
        if event.kind == "election":
            c.needs(keys, "executive", "an election")
            if event.inauguration <= last:
                c.bad((*keys, "inauguration"), f"must be after the election ({last})", event.inauguration)
        elif event.kind == "revocation":
            for iid in event.revokes:
                c.known_instrument((*keys, "revokes"), iid)
        elif event.kind == "catalogue_update":
            if event.reviewer is not None:
                if event.reviewer not in licences:
                    c.unknown((*keys, "reviewer"), event.reviewer, licences, "export-licence reviewer")
            elif len(licences) != 1:
                c.bad((*keys, "reviewer"), f"name the export-licence reviewer (there are {len(licences)})")
        elif event.kind == "jurisdiction_change":
            c.known_reviewer((*keys, "reviewer"), event.reviewer)
            r = c.s.reviewers.get(event.reviewer)
            if r is not None and event.applies_to == "listed_technology" and not isinstance(r, ExportLicence):
                c.bad((*keys, "applies_to"), "listed_technology reads an export-licence reviewer's catalogue")
        elif event.kind == "tension_change":
            c.needs(keys, "home", "a tension_change")
        elif event.kind == "home_change":
            c.needs(keys, "home", "a home_change")
            if event.takes_office < last:
                c.bad((*keys, "takes_office"), f"must be on or after the change's date ({last})", event.takes_office)
        elif event.kind == "announced_deal":
            c.known_bidder((*keys, "bidder"), event.bidder)
            if event.structure is not None:
                c.known_structure((*keys, "structure"), event.structure)


def _inactive(c: _Checks) -> None:
    """Each path declared inactive must be a behavioural weight of this scenario, or a section holding some."""
    known = set(weight_paths(c.s))
    for path in c.s.inactive:
        if path not in known and not any(k.startswith(f"{path}.") for k in known):
            if _origin(["inactive", path], c.origins, c.source) != c.source:
                continue  # inherited for a section this file removed (its parent checks its own claims)
            c.unknown(("inactive", path), path, sorted(known), "behavioural weight")


def _declared(c: _Checks) -> None:
    """The levers and uncertainties have unique short keys (DealModel's keyword arguments)."""
    from sim.scenario.schema import parameter_keys

    try:
        parameter_keys([*c.s.levers, *c.s.uncertainties])
    except ValueError as exc:
        c.bad(("uncertainties",), str(exc))


def _terms(c: _Checks) -> None:
    """Structures, weights of terms and conditions on terms speak the scenario's ``terms:`` vocabulary."""
    vocabulary = c.s.terms
    for sid, structure in c.s.structures.items():
        given = structure.model_extra or {}
        for dim, value in given.items():
            keys = ("structures", sid, dim)
            if dim not in vocabulary:
                c.unknown(keys, dim, sorted(vocabulary), "term (declare it under terms:)")
            elif vocabulary[dim].numeric and (isinstance(value, str) or not 0 <= float(value) <= 1):
                c.bad(keys, "must be a number from 0 to 1, or true/false", value)
            elif not vocabulary[dim].numeric and value not in (vocabulary[dim].levels or []):
                c.unknown(keys, str(value), list(vocabulary[dim].levels or []), f"level of {dim}")
        for dim, spec in vocabulary.items():
            if dim not in given and not spec.numeric:
                c.bad(("structures", sid), f"gives no level of the term {dim!r} ({', '.join(spec.levels or [])})")
    for keys, value, kind in _term_fields(c.s, ()):
        if kind == "weights":
            for dim, w in value.items():
                here = (*keys, dim)
                if dim not in vocabulary:
                    c.unknown(here, dim, sorted(vocabulary), "term")
                elif vocabulary[dim].numeric and isinstance(w, dict):
                    c.bad(here, "a numeric term takes one weight per unit, not one per level", w)
                elif not vocabulary[dim].numeric and not isinstance(w, dict):
                    c.bad(
                        here,
                        f"a categorical term takes a weight per level ({', '.join(vocabulary[dim].levels or [])})",
                        w,
                    )
                elif isinstance(w, dict):
                    for level in w:
                        if level not in (vocabulary[dim].levels or []):
                            c.unknown((*here, level), level, list(vocabulary[dim].levels or []), f"level of {dim}")
        else:
            for dim, allowed in value.items():
                here = (*keys, dim)
                if dim not in vocabulary:
                    c.unknown(here, dim, sorted(vocabulary), "term")
                elif vocabulary[dim].numeric and isinstance(allowed, list):
                    c.bad(here, "a numeric term takes a range {min, max} or true/false, not levels", allowed)
                elif not vocabulary[dim].numeric and not isinstance(allowed, list):
                    c.bad(here, "a categorical term takes a list of allowed levels", allowed)
                elif isinstance(allowed, list):
                    for level in allowed:
                        if level not in (vocabulary[dim].levels or []):
                            c.unknown(here, level, list(vocabulary[dim].levels or []), f"level of {dim}")


def _terms_known(s: Scenario, condition: dict) -> bool:
    return all(dim in s.terms for dim in condition)


def _term_fields(node: Any, keys: tuple) -> list[tuple[tuple, dict, str]]:
    """Every weights-of-terms and condition-on-terms field of a scenario, with its key path."""
    from pydantic import BaseModel

    found: list[tuple[tuple, dict, str]] = []
    if isinstance(node, BaseModel):
        for name, field in type(node).model_fields.items():
            value = getattr(node, name)
            if field.annotation == TermWeights:
                found.append(((*keys, name), value, "weights"))
            elif field.annotation == TermsCondition:
                found.append(((*keys, name), value, "condition"))
            else:
                found += _term_fields(value, (*keys, name))
    elif isinstance(node, dict):
        for key, value in node.items():
            found += _term_fields(value, (*keys, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _term_fields(value, (*keys, i))
    return found
