"""The forced sale after the pick (legal-frames.md, sections 1-3): an obligation that outlives a
refused buyer, enforcement that does something, courts that keep going, a seller that leaves only
when its service stops, and a new administration that holds what it inherited. Each test turns
one mechanism on and off on the same seeds and checks what follows, not a tuned number."""

from __future__ import annotations

import re

from conftest import SCENARIOS

from sim import load_scenario, run_ensemble
from sim.runs.backends import Execution

ECR = SCENARIOS / "export_control_review.yaml"
ADMIN = SCENARIOS / "administration_change.yaml"
SERIAL = Execution(workers=1)
HOME = ("china", "china_consent")


def ensemble(path=ECR, runs=300, **overrides):
    return run_ensemble(load_scenario(path, overrides), runs=runs, seed=0, execution=SERIAL)


def test_a_refused_buyer_does_not_end_an_ordered_sale():
    """China refuses every deal: under the divestiture order no run ends blocked; each refusal
    sends the seller back to the market (or to the next structure) and the run goes on past it.
    (No petition: an order set aside no longer forces the sale, test_a_refusal_still_ends_a_negotiated_deal.)"""
    result = ensemble(**{f"reviewers.{r}.utility.grant": -50.0 for r in HOME}, **{"courts.dccir.p_challenge": 0.0})
    runs, events = result.runs.set_index("run_id"), result.events
    assert not runs["outcome"].isin(["blocked_by_home", "blocked_by_host"]).any()
    refusals = events[events["event"].isin(["licence_denied", "consent_denied"])]
    assert len(refusals) > 50
    for run_id, day in refusals.groupby("run_id")["day"].first().items():
        after = events[(events["run_id"] == run_id) & (events["day"] >= day)]["event"]
        assert after.isin(["back_to_market", "restructure"]).any()
        date = events.loc[(events["run_id"] == run_id) & (events["day"] == day), "date"].iloc[0]
        assert runs.loc[run_id, "end_date"] > date  # the refusal did not end the run
    assert (runs["home_refusals"] > 0).mean() > 0.15
    # a refused buyer and structure are never agreed again in the run (restructured or back on the market)
    deal = re.compile(r"the (\w+) deal \((\w+)\)")
    for run_id, run in events.groupby("run_id"):
        refused: set[tuple[str, str]] = set()
        for row in run.itertuples():
            found = deal.search(row.detail)
            if found is None:
                continue
            if row.event in ("licence_denied", "consent_denied", "objection"):
                refused.add(found.groups())
            elif row.event == "agreement_in_principle":
                assert found.groups() not in refused, (run_id, row.date, row.detail)


def test_a_refusal_still_ends_a_negotiated_deal():
    """Without an instrument forcing the sale (the orders revoked before any deal), a refusal ends the sale."""
    forcing = {
        "instruments.divestiture_order": None,
        "instruments.ban_order": None,
        "courts": {},
        "executive.new_administration.revokes": [],
    }
    result = ensemble(**forcing, **{f"reviewers.{r}.utility.grant": -50.0 for r in HOME})
    assert (result.runs["outcome"] == "blocked_by_home").mean() > 0.1
    assert not (result.events["event"] == "back_to_market").any()


def _after_suit(result, event: str) -> list[int]:
    ev = result.events
    return sorted(set(ev.loc[ev["event"] == event, "run_id"]))


def test_enforcement_sues_and_the_ruling_changes_what_follows():
    """Always enforce, never extend, no new administration: the government sues. A court that
    compels the sale puts a trustee in charge (the seller no longer holds out or leaves); one that
    dismisses leaves the order unenforced; with no suit in the scenario nobody sues."""
    always = {
        "instruments.divestiture_order.enforcement.base": 50.0,
        "instruments.divestiture_order.extensions.max": 0,
        "events.election.p_change": 0.0,
    }
    compel = ensemble(**always, **{"instruments.divestiture_order.enforcement.suit.compel": 50.0})
    ev = compel.events
    suits, compelled = _after_suit(compel, "enforcement_suit"), _after_suit(compel, "sale_compelled")
    assert len(suits) > 100 and len(compelled) > 50 and set(compelled) <= set(suits)
    for run_id in compelled:
        run = ev[ev["run_id"] == run_id]
        day = run.loc[run["event"] == "sale_compelled", "day"].iloc[0]
        later = run[run["day"] > day]["event"]
        assert not later.isin(["holds_out", "withdrawal"]).any()
    dismiss = ensemble(**always, **{"instruments.divestiture_order.enforcement.suit.dismiss": 50.0})
    assert _after_suit(dismiss, "suit_dismissed") and not _after_suit(dismiss, "sale_compelled")
    none = ensemble(**always, **{"instruments.divestiture_order.enforcement.suit": None})
    assert not _after_suit(none, "enforcement_suit")
    # compelling moves runs out of holding out: fewer end with no deal than when suits are dismissed
    assert (compel.runs["outcome"] == "no_deal").mean() <= (dismiss.runs["outcome"] == "no_deal").mean()


def test_a_new_administration_can_drop_the_suit():
    """With a certain change of administration and a suit it always drops, no court ever rules
    on a suit after the inauguration; with one it never drops, some do."""
    always = {
        "instruments.divestiture_order.enforcement.base": 50.0,
        "instruments.divestiture_order.enforcement.suit.ruling_days": {"median": 120, "p90": 150, "min": 90},
    }
    inauguration = "2021-01-20"

    def rulings_after(p):
        result = ensemble(
            ADMIN, **always, **{"instruments.divestiture_order.enforcement.suit.dropped_by_new_administration": p}
        )
        ev = result.events
        ruled = ev[ev["event"].isin(["sale_compelled", "penalties", "suit_dismissed"]) & (ev["date"] >= inauguration)]
        return len(ruled), int((ev["event"] == "suit_dropped").sum())

    ruled, dropped = rulings_after(1.0)
    assert ruled == 0 and dropped > 20
    ruled, dropped = rulings_after(0.0)
    assert ruled > 20 and dropped == 0


def test_the_seller_leaves_only_while_its_service_is_stopped():
    """No court stops the ban and leaving is attractive: the seller withdraws once the hosting stage
    bites. If no stage stops the service (only new downloads stop), it never leaves."""
    no_courts = {f"courts.{c}.p_challenge": 0.0 for c in ("ddc", "edpa")}
    keen = {"seller.exit.base": 2.0, "instruments.ban_order.postpone": None}
    leaves = ensemble(**no_courts, **keen)
    assert (leaves.runs["outcome"] == "withdrawn").mean() > 0.1
    stays = ensemble(**no_courts, **keen, **{"instruments.ban_order.stages.full_service.stops_service": False})
    assert not (stays.runs["outcome"] == "withdrawn").any()
    assert not (stays.events["event"] == "withdrawal").any()


def test_a_new_administration_holds_the_government_s_appeals():
    """The government's appeals heard after a new administration takes office are held in abeyance
    (as in 2021) when held_by_new_administration is 1; with 0 they are decided."""
    stuck = {f"courts.{c}.appeals.circuit.days": {"median": 200, "p90": 240, "min": 150} for c in ("ddc", "edpa")}

    def appeals(p):
        held = {f"courts.{c}.appeals.circuit.held_by_new_administration": p for c in ("ddc", "edpa")}
        ev = ensemble(ADMIN, **stuck, **held).events
        late = ev[ev["date"] >= "2021-01-20"]
        decided = late["event"].isin(["appeal_fails", "injunction_lifted"]) & late["detail"].str.contains(
            "injunction|lifts", case=False
        )
        return int((late["event"] == "appeal_held").sum()), int(decided.sum())

    held, decided = appeals(1.0)
    assert held > 50 and decided == 0
    held, decided = appeals(0.0)
    assert held == 0 and decided > 50


def test_a_new_administration_holds_the_petition_against_the_order():
    """TikTok's petition against the order is held in abeyance (as from 2021-02-19) once a new
    administration takes office and the court's order follows, when
    petition_held_by_new_administration is 1: no ruling comes after the hold, and the seller still
    litigates. Unset, the same petitions are decided. Nothing differs before the new administration
    takes office."""
    fast = {"courts.dccir.p_challenge": 1.0, "courts.dccir.ruling_days": {"median": 200, "p90": 260, "min": 160}}
    rulings = ["order_upheld", "order_set_aside"]

    def play(p):
        ev = ensemble(ADMIN, **fast, **{"courts.dccir.petition_held_by_new_administration": p}).events
        return ev[ev["date"] < "2021-01-20"].reset_index(drop=True), ev[ev["actor"] == "dccir"]

    before_held, court = play(1.0)
    held = court[court["event"] == "petition_held"].groupby("run_id")["date"].min()
    assert len(held) > 50 and (held > "2021-01-20").all()
    ruled = court[court["event"].isin(rulings)]
    assert not any(row.date >= held.get(row.run_id, "9999") for row in ruled.itertuples())
    before_free, court = play(None)
    assert (court["event"] == "petition_held").sum() == 0
    assert court[court["event"].isin(rulings)]["date"].gt("2021-03-01").sum() > 50
    assert before_held.equals(before_free)


def test_a_court_counts_its_working_days_without_its_legal_holidays():
    """A hold counted in working days never falls on a federal holiday in a court with the
    `us_federal` calendar (FRAP 26(a)(6)); counted in plain weekdays, some fall on Presidents' Day
    2021 (02-15). Only the order's date moves, never earlier."""
    held = {
        "courts.dccir.p_challenge": 1.0,
        "courts.dccir.petition_held_by_new_administration": 1.0,
        "courts.dccir.petition_hold_days": {"median": 17, "p90": 20, "min": 14, "unit": "working_days"},
    }

    def orders(calendar):
        ev = ensemble(ADMIN, **held, **{"courts.dccir.calendar": calendar}).events
        return ev[ev["event"] == "petition_held"].groupby("run_id")["date"].min()

    weekdays, federal = orders("weekdays"), orders("us_federal")
    assert (weekdays == "2021-02-15").sum() > 10
    assert not federal.isin(["2021-01-18", "2021-02-15"]).any()
    both = federal.index.intersection(weekdays.index)
    assert len(both) > 250 and (federal[both] >= weekdays[both]).all()


def test_revoking_the_ban_alone_leaves_the_sale_ordered():
    """A new administration that revokes only the ban (as EO 14034 did) never makes a run `revoked`
    (no petition sets the order aside here); revoking the order too does."""
    sure = {
        "executive.new_administration.p_revoke": 1.0,
        "executive.new_administration.revoke_days.median": 30,
        "courts.dccir.p_challenge": 0.0,
    }
    ban_only = ensemble(ADMIN, **sure)
    assert (ban_only.events["event"] == "revocation").any()
    assert not (ban_only.runs["outcome"] == "revoked").any()
    both = ensemble(ADMIN, **sure, **{"executive.new_administration.revokes": ["ban_order", "divestiture_order"]})
    assert (both.runs["outcome"] == "revoked").mean() > 0.2


def test_a_new_administration_shelves_only_a_review_still_open():
    """Shelving stops a pending host review; a deal CFIUS already approved (and not changed since)
    is not shelved, and nothing is logged for it."""
    result = ensemble(
        ADMIN, **{"executive.new_administration.p_shelve_review": 1.0, "executive.new_administration.shelve_days": None}
    )
    events = result.events
    shelved = 0
    for _, run in events.groupby("run_id"):
        approved = False
        for row in run.itertuples():
            if row.event == "host_approval":
                approved = True
            elif row.event in ("restructure", "back_to_market", "bid_chosen", "changes_asked", "filing"):
                approved = False
            elif row.event == "review_shelved":
                assert not approved, (row.run_id, row.date)
                shelved += 1
    assert shelved > 20


def test_a_new_administration_may_declare_a_structure_compliant():
    """With the administration changing in every run, a declaration of the full sale compliant
    (p 1): the runs agree with the undeclared ones until the declaration, CFIUS clears each
    full-sale deal it reviews from then on (pending or filed later) in its own name, and only those,
    and more runs close. A structure that fails the order's divestment test (ByteDance keeping 80%)
    cannot be declared compliant, nor an unknown one."""
    import pytest

    from sim.errors import ScenarioError

    base = {"events.election.p_change": 1.0, "executive.new_administration.compliant": ["full_sale"]}
    undeclared = ensemble(runs=400, **base, **{"executive.new_administration.p_declare_compliant": 0.0})
    declared = ensemble(runs=400, **base, **{"executive.new_administration.p_declare_compliant": 1.0})
    events, before = declared.events, undeclared.events
    said = events[events["event"] == "declared_compliant"]
    assert said["run_id"].nunique() > 200 and set(said["actor"]) == {"executive"}
    for run_id, day in said.groupby("run_id")["day"].first().items():
        mine = events[(events["run_id"] == run_id) & (events["day"] < day)][["event", "detail"]]
        theirs = before[(before["run_id"] == run_id) & (before["day"] < day)][["event", "detail"]]
        assert mine.reset_index(drop=True).equals(theirs.reset_index(drop=True))
    clears = events[events["detail"].str.contains("declared its structure compliant", regex=False)]
    assert clears["run_id"].nunique() >= 5 and set(clears["actor"]) == {"cfius"}  # few: China must license it too
    assert set(clears["detail"].str.extract(r"deal \((\w+)\)")[0]) == {"full_sale"}
    closed = declared.runs["outcome"].str.startswith("closed").sum()
    assert closed >= undeclared.runs["outcome"].str.startswith("closed").sum()
    for wrong, why in (("partner_no_transfer", "fails reviewers.cfius.divestment_test"), ("nothing", "unknown")):
        with pytest.raises(ScenarioError, match=why):
            load_scenario(ECR, {"executive.new_administration.compliant": [wrong]})


def test_a_change_of_home_government_moves_the_home_reviewers():
    """A home government that changes (p 1) and takes office with the tension 0.5 lower: the
    runs agree with those where it stays (p 0) until it takes office, the tension is logged in the
    home's name, and the home reviewers grant more often after that day; with the tension 0.3
    higher, less often. A date of office before the change is refused."""
    import pytest

    from sim.errors import ScenarioError

    def with_change(p, tension):
        change = {"id": "congress", "kind": "home_change", "date": "2020-09-01", "p_change": p,
                  "takes_office": "2020-09-10", "tension": tension, "note": "a new leadership"}  # fmt: skip
        spec = load_scenario(ECR)
        spec = load_scenario(ECR, {"events": [*(e.model_dump(exclude_none=True) for e in spec.events), change]})
        return run_ensemble(spec, runs=200, seed=0, execution=SERIAL)

    def grants_after(result, day):
        events = result.events
        decided = events[events["actor"].isin(HOME) & (events["day"] > day)]
        granted = decided["event"].isin(["consent_granted", "licence_granted", "letter_granted"]).sum()
        refused = decided["event"].isin(["consent_denied", "licence_denied", "letter_denied"]).sum()
        return granted / max(1, granted + refused)

    stays, calmer, harder = with_change(0.0, -0.5), with_change(1.0, -0.5), with_change(1.0, 0.3)
    office = load_scenario(ECR).start
    day = (__import__("datetime").date(2020, 9, 10) - office).days
    for run_id in range(200):
        mine = calmer.events[(calmer.events["run_id"] == run_id) & (calmer.events["day"] < day)]
        theirs = stays.events[(stays.events["run_id"] == run_id) & (stays.events["day"] < day)]
        assert list(mine["event"]) == list(theirs["event"])
    took = calmer.events[calmer.events["detail"].str.startswith("changes: a new government takes office")]
    assert len(took) == 200 and set(took["actor"]) == {"home"} and (took["day"] == day).all()
    assert grants_after(calmer, day) > grants_after(stays, day) + 0.1
    assert grants_after(harder, day) < grants_after(stays, day) - 0.05
    with pytest.raises(ScenarioError, match="takes_office"):
        bad = {"kind": "home_change", "date": "2020-09-01", "p_change": 1.0, "takes_office": "2020-08-01"}
        load_scenario(ECR, {"events": [bad]})
