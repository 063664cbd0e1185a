"""Each rule in its legal frame: two instruments on their own tracks, CFIUS under the order or
under section 721, courts that rule before a ban's date, and every behavioural weight written
in a scenario file and able to act (see ../shared/domain/legal-frames.md)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner
from conftest import ROOT, SCENARIOS, SHIPPED

from sim import load_scenario, run_ensemble
from sim.analysis.inactive import perturbations
from sim.cli import cli
from sim.errors import ScenarioError
from sim.runs.backends import Execution
from sim.scenario.grounding import covered, weight_paths
from sim.scenario.schema import is_weight

ECR = SCENARIOS / "export_control_review.yaml"
TIKTOK = SCENARIOS / "tiktok_2020.yaml"
SERIAL = Execution(workers=1)

# tiktok_2020 with CFIUS under section 721 instead of the order (a test scenario).
SECTION_721 = ROOT / "tests" / "data" / "tiktok_section_721.yaml"


def ensemble(path, runs=300, events="all", **overrides):
    return run_ensemble(load_scenario(path, overrides), runs=runs, seed=0, execution=SERIAL, events=events)


def both_courts(*settings: tuple[str, object]) -> dict[str, object]:
    """The same settings for the two courts hearing the ban (D.D.C. and E.D. Pa.), as overrides."""
    return {f"courts.{c}.{key}": value for c in ("ddc", "edpa") for key, value in settings}


def share_bitten(result) -> float:
    return float((result.runs["ban_days"] > 0).mean())


# --- courts act on dates -------------------------------------------------------------------


def test_a_court_that_rules_before_the_date_and_enjoins_stops_the_ban():
    """Both courts challenge at once, nearly always enjoin, are never slow and are not reversed on
    appeal: no stage bites. Make them slow and stages bite again (the same runs otherwise)."""
    prompt = both_courts(
        ("p_challenge", 1.0),
        ("p_enjoin", 0.99),
        ("p_slow", 0.0),
        ("filing_days.median", 1),
        ("appeals.circuit.p_reverses", 0.0),
    )
    on_time = ensemble(ECR, events="none", **prompt)
    assert share_bitten(on_time) < 0.01
    slow = ensemble(ECR, events="none", **{**prompt, "courts.ddc.p_slow": 1.0, "courts.edpa.p_slow": 1.0})
    assert share_bitten(slow) > share_bitten(on_time) + 0.1


def test_a_court_declines_at_this_time_a_stage_not_yet_imminent():
    """Imminence (Nichols, 2020-09-27, on the 11-12 prohibitions): with imminent_days 30 no court rules
    on the merits of a stage more than 30 days before its date; it declines at this time and the
    plaintiff moves again once the stage is 30 days away or closer, so the stage is still ruled on. Unset, some
    courts rule on the hosting stage weeks ahead."""
    fast = both_courts(("p_challenge", 1.0), ("p_slow", 0.0))
    merits = ["injunction", "injunction_denied"]

    def play(near):
        result = ensemble(
            ECR, runs=200, **fast, **{"courts.ddc.imminent_days": near, "courts.edpa.imminent_days": near}
        )
        ev = result.events
        days = {}  # each run's effective day of the hosting stage, as announced or postponed (the last word)
        for row in ev[ev["event"].isin(["stage_announced", "stage_postponed"])].itertuples():
            if "full_service" in row.detail:
                days[row.run_id] = max(dt.date.fromisoformat(d) for d in re.findall(r"\d{4}-\d{2}-\d{2}", row.detail))
        ruled = ev[
            ev["event"].isin(merits) & ev["detail"].str.contains("full_service") & ev["actor"].isin(["ddc", "edpa"])
        ]
        early = [
            r
            for r in ruled.itertuples()
            if r.run_id in days and (days[r.run_id] - dt.date.fromisoformat(r.date)).days > 30
        ]
        deferred = ev[ev["event"] == "injunction_deferred"]
        return len(early), len(deferred), len(ruled)

    early, deferred, ruled = play(30)
    assert early == 0 and deferred > 50 and ruled > 100
    early, deferred, ruled = play(None)
    assert early > 20 and deferred == 0


def test_one_complaint_covers_the_stages_announced_together():
    """The two stages are announced the same day: a plaintiff who challenges challenges both, on
    the same day, or neither (p_challenge drawn once per announcement)."""
    result = ensemble(ECR, runs=200, **{"courts.ddc.p_challenge": 0.5, "courts.edpa.p_challenge": 0.5})
    events = result.events
    filed = events[(events["event"] == "challenge_filed") & events["actor"].isin(["ddc", "edpa"])]
    for (run_id, court), rows in filed.groupby(["run_id", "actor"]):
        first = rows[rows["day"] == rows["day"].min()]
        stages = {st for st in ("app_store", "full_service") if first["detail"].str.contains(st).any()}
        assert stages == {"app_store", "full_service"}, (run_id, court, first["detail"].tolist())
    courts = filed.groupby("run_id")["actor"].nunique().reindex(range(200), fill_value=0)
    assert (courts == 2).sum() > 20 and (courts < 2).sum() > 20


def test_a_plaintiff_denied_before_a_stage_s_date_moves_again_before_it():
    """Every first ruling denies and every denial is renewed: a renewed motion after a denial that
    leaves the stage's date more than a day ahead is filed by the day before that date, however
    long renew.days says it takes (an emergency motion)."""
    against = both_courts(
        ("p_challenge", 1.0),
        ("agreement", 1.0),
        ("p_enjoin", 0.5),
        ("renew.p", 1.0),
        ("renew.days", {"median": 60, "p90": 90, "min": 45}),
        ("appeals.circuit.plaintiff_appeals", 0.0),
    )
    events = ensemble(ECR, runs=200, **against).events
    dates = {}  # (run, stage) -> the stage's date as last announced or postponed
    checked = 0
    for row in events.itertuples():
        stage = next((st for st in ("app_store", "full_service") if st in row.detail), None)
        if stage and row.event in ("stage_announced", "stage_postponed"):
            dates[(row.run_id, stage)] = re.findall(r"\d{4}-\d{2}-\d{2}", row.detail)[-1]
        elif stage and row.event == "motion_renewed":
            due = dt.date.fromisoformat(dates[(row.run_id, stage)])
            by = dt.date.fromisoformat(re.findall(r"\d{4}-\d{2}-\d{2}", row.detail)[-1])
            if (due - dt.date.fromisoformat(row.date)).days > 1:
                assert by == due - dt.timedelta(days=1), (row.run_id, row.date, row.detail, due)
                checked += 1
    assert checked > 20


def test_rulings_on_one_instrument_share_the_merits():
    """With agreement 1 every first ruling in a run on the ban order goes the same way; with 0
    they sometimes differ (renewed motions and appeals, which decide on their own, are off)."""
    quiet = both_courts(
        ("renew.p", 0.0),
        ("appeals.circuit.plaintiff_appeals", 0.0),
        ("appeals.circuit.government_appeals", 0.0),
    )

    def mixed_runs(agreement):
        result = ensemble(
            ECR, runs=200, **quiet, **{"courts.ddc.agreement": agreement, "courts.edpa.agreement": agreement}
        )
        rulings = result.events[result.events["event"].isin(["injunction", "injunction_denied"])]
        kinds = rulings.groupby("run_id")["event"].nunique()
        return int((kinds > 1).sum())

    assert mixed_runs(1.0) == 0
    assert mixed_runs(0.0) > 10


def test_a_renewed_motion_can_enjoin_a_stage_a_denial_left_standing():
    """Every first ruling denies (the merits always against the plaintiff, agreement 1); a
    renewed motion is decided on its new record and enjoins in some runs; with no renewal none does."""
    against = both_courts(
        ("p_challenge", 1.0),
        ("agreement", 1.0),
        ("p_enjoin", 0.5),
        ("appeals.circuit.plaintiff_appeals", 0.0),
    )

    def renewed_injunctions(p_renew):
        result = ensemble(ECR, runs=200, **against, **{"courts.ddc.renew.p": p_renew, "courts.edpa.renew.p": p_renew})
        events = result.events
        renewed = set(events.loc[events["event"] == "motion_renewed", "run_id"])
        denied_first = events[events["event"].isin(["injunction", "injunction_denied"])].groupby("run_id").first()
        runs_denied = set(denied_first.index[denied_first["event"] == "injunction_denied"])
        enjoined_after = set(events.loc[events["event"] == "injunction", "run_id"]) & runs_denied
        return len(renewed), len(enjoined_after)

    renewed, enjoined = renewed_injunctions(1.0)
    assert renewed > 20 and enjoined > 5
    assert renewed_injunctions(0.0) == (0, 0)


def test_a_petition_that_sets_the_order_aside_ends_its_deadline_not_the_ban():
    """The D.C. Circuit sets the divestiture order aside before the deadline: no deadline passes
    after that, while the ban order's stages stay on their own track."""
    result = ensemble(
        TIKTOK,
        **{
            "courts.dccir.p_challenge": 1.0,
            "courts.dccir.p_enjoin": 1.0,
            "courts.dccir.filing_days": {"median": 10},
            "courts.dccir.ruling_days": {"median": 20},
        },
    )
    events = result.events
    set_aside = events[events["event"] == "order_set_aside"].groupby("run_id")["day"].min()
    assert len(set_aside) > 250
    for run_id, day in set_aside.items():
        later = events[(events["run_id"] == run_id) & (events["day"] > day)]
        assert not later["event"].isin(["deadline", "extension", "enforcement", "non_enforcement"]).any()
    assert (events["event"] == "stage_announced").sum() > 0


# --- two instruments, two tracks -----------------------------------------------------------


def test_revoking_the_ban_order_leaves_the_divestiture_order_in_force(write):
    """A revocation of the ban order before the deadline: the deadline still passes, and the
    extension and enforcement choices are still made."""
    child = write(
        "revoked.yaml",
        f"""\
        extends: {TIKTOK}
        name: ban_revoked
        events:
          - {{id: early_revocation, date: 2020-09-01, kind: revocation, revokes: [ban_order], note: "the ban is revoked"}}
        """,
    )
    result = ensemble(child)
    events = result.events
    early = events[(events["event"] == "revocation") & (events["date"] == "2020-09-01")]
    assert early["run_id"].nunique() == 300
    assert not events["event"].isin(["stage_announced", "ban_bites"]).any()
    runs = result.runs
    unclosed = runs[
        (runs["end_date"] >= "2020-11-12") & (runs["close_date"].isna() | (runs["close_date"] > "2020-11-12"))
    ]
    assert len(unclosed) > 50
    decided = events[events["event"] == "deadline"]["run_id"].unique()
    assert set(unclosed["run_id"]) <= set(decided)
    assert result.runs["deadline_decision"].isin(["extend", "enforce", "not_enforce"]).sum() >= len(unclosed)


# --- CFIUS by legal frame ------------------------------------------------------------------


def test_no_section_721_decision_falls_outside_its_filings_window():
    """Under section 721 every decision comes within 45 + 45 + 15 days of its notice's acceptance,
    the President's within 15 days of the referral, and a refile starts a new filing."""
    result = ensemble(SECTION_721, runs=400)
    events = result.events
    assert (events["event"] == "withdraw_refile").any() and (events["event"] == "investigation").any()
    for _, run in events.groupby("run_id"):
        accepted = None
        referral = None
        for row in run.itertuples():
            if row.event == "review_start":
                accepted = row.day
            elif row.event in ("host_approval", "referral", "withdraw_refile") and accepted is not None:
                assert row.day - accepted <= 105, (row.run_id, row.event, row.day, accepted)
                referral = row.day if row.event == "referral" else referral
            elif row.event in ("president_blocks", "president_declines_block"):
                assert row.day - referral <= 15
            elif row.event == "restructure":
                accepted = None
    filings = events[events["event"] == "filing"].groupby("run_id").size()
    refiles = events[events["event"] == "withdraw_refile"].groupby("run_id").size()
    restructured = set(events[events["event"] == "restructure"]["run_id"])
    plain = refiles.index.difference(list(restructured))
    assert (filings.reindex(plain) <= refiles.reindex(plain) + 1).all()
    assert (filings.reindex(plain) >= 2).any()


def _structure(detail: str) -> str | None:
    found = re.search(r"deal \((\w+)\)", detail)
    return found.group(1) if found else None


@pytest.mark.parametrize("path", [TIKTOK, SCENARIOS / "trusted_partner.yaml"])
def test_cfius_under_the_order_approves_a_failing_structure_only_with_accepted_mitigation(path):
    scenario = load_scenario(path)
    from sim.scenario.schema import meets

    test = scenario.reviewers["cfius"].divestment_test
    failing = {sid for sid, s in scenario.structures.items() if not meets(test, s)}
    result = run_ensemble(scenario, runs=400, seed=0, execution=SERIAL)
    events = result.events[result.events["actor"] == "cfius"]
    approvals = 0
    for _, run in events.groupby("run_id"):
        rows = list(run.itertuples())
        for i, row in enumerate(rows):
            if row.event != "host_approval":
                continue
            approvals += 1
            structure = _structure(row.detail) or _structure(rows[i - 1].detail)
            if structure in failing:
                assert rows[i - 1].event == "mitigation_accepted" and rows[i - 1].day == row.day
    assert approvals > 20
    assert (result.events["event"] == "mitigation_accepted").any() == bool(failing & set(scenario.structures))


def test_a_silent_reviewer_stays_silent():
    """CFIUS that always chooses silence, with parties who never revise, never answers again: no approval, no objection, no close,
    and (with no new administration to shelve the review) its silence lasts to the end of the run."""
    result = ensemble(
        TIKTOK,
        runs=200,
        **{
            "reviewers.cfius.silent": 50.0,
            "reviewers.cfius.after_silence.p_revise": 0.0,
            "events.election.p_change": 0.0,
        },
    )
    events = result.events
    assert (events["event"] == "silence").sum() > 100
    assert not events["event"].isin(["host_approval", "objection", "changes_asked", "closed"]).any()
    assert result.runs["close_date"].isna().all()
    silences = result.spans[result.spans["span"] == "host_silence"]
    start = result.scenario.start
    ends = result.runs.set_index("run_id")["end_date"].map(lambda d: (dt.date.fromisoformat(d) - start).days)
    assert len(silences) > 100
    assert (silences["end_day"].to_numpy() == ends.loc[silences["run_id"]].to_numpy()).all()


def test_parties_answer_a_silence_with_a_revised_submission_that_is_reviewed_again():
    """Silence is not the end when the parties revise (as TikTok did on 2020-11-25): each revised
    submission follows a silence in its run, and CFIUS answers again after it in some runs."""

    def revisions(p):
        result = ensemble(
            TIKTOK, runs=200, **{"reviewers.cfius.silent": 2.0, "reviewers.cfius.after_silence.p_revise": p}
        )
        ev = result.events
        revised = ev[ev["event"] == "revised_after_silence"]
        answered = 0
        for run_id, day in zip(revised["run_id"], revised["day"], strict=True):
            run = ev[ev["run_id"] == run_id]
            assert (run.loc[run["day"] <= day, "event"] == "silence").any()
            later = run[(run["day"] >= day) & (run["actor"] == "cfius")]
            answered += bool(
                later["event"]
                .isin(["host_approval", "objection", "changes_asked", "silence", "mitigation_accepted"])
                .any()
            )
        return len(revised), answered

    revised, answered = revisions(1.0)
    assert revised > 10 and answered > 5
    assert revisions(0.0) == (0, 0)


def test_a_seller_held_up_by_an_objection_can_come_back_with_new_terms():
    """CFIUS objects to the first structure; the seller restructures along its path and the new
    terms are notified afresh (and can be approved)."""
    result = ensemble(TIKTOK, runs=300, **{"reviewers.cfius.object": 50.0, "seller.p_restructure": 1.0})
    events = result.events
    objected = set(events[events["event"] == "objection"]["run_id"])
    restructured = set(events[events["event"] == "restructure"]["run_id"])
    assert objected and objected <= restructured | set(
        result.runs[result.runs["final_stage"] != "restructuring"]["run_id"]
    )
    notices = events[(events["event"] == "filing")].groupby("run_id").size()
    assert (notices.reindex(sorted(restructured & objected)) >= 2).mean() > 0.5


# --- grounding -----------------------------------------------------------------------------


def test_a_scenario_that_leaves_a_weight_unset_is_refused(minimal):
    result = CliRunner().invoke(cli, ["validate", str(minimal), "--set", "seller.reservation=null"])
    assert result.exit_code == 2
    assert "seller.reservation: is a behavioural weight left to the code's default" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_weights_declared_inactive_must_exist(minimal, write):
    text = minimal.read_text() + 'inactive: {seller.reservaton: "typo"}\n'
    result = CliRunner().invoke(cli, ["validate", str(write("typo.yaml", text))])
    assert result.exit_code == 2 and "did you mean 'seller.reservation'" in result.stderr


def _acts(scenario, path: str, base, quick: bool = True) -> bool:
    if path not in weight_paths(scenario):
        return False
    for value in perturbations(scenario, path):
        try:
            changed = load_scenario(scenario.source, {path: value})
        except ScenarioError:  # out of range for this weight: try the next value
            continue
        # 60 runs first, against the base's own 60: most weights act there; the rest get all 200
        if quick and not run_ensemble(changed, runs=FIRST, seed=0, execution=SERIAL, events="none").runs.equals(
            base[FIRST]
        ):
            return True
        if not run_ensemble(changed, runs=200, seed=0, execution=SERIAL, events="none").runs.equals(base[200]):
            return True
    return False


WEIGHT_SHARDS = 6  # the weights are checked in shards, so that the test workers share the work
FIRST = 60  # runs tried before all 200


@pytest.fixture(scope="module")
def shipped_runs():
    """Every shipped scenario (export_control_review first), its 200 base runs, its weights."""
    scenarios = [load_scenario(p) for p in [ECR, *[p for p in SHIPPED if p != ECR]]]
    base = {
        s.name: {n: run_ensemble(s, runs=n, seed=0, execution=SERIAL, events="none").runs for n in (FIRST, 200)}
        for s in scenarios
    }
    weights = {s.name: set(weight_paths(s)) for s in scenarios}
    return scenarios, base, weights


@pytest.mark.parametrize("shard", range(WEIGHT_SHARDS))
def test_every_behavioural_weight_can_act_or_is_declared_inactive(shipped_runs, shard):
    """Perturb each behavioural weight of the shipped scenarios (every WEIGHT_SHARDS-th of them,
    sorted, from ``shard``): it must change some run of a scenario that does not declare it inactive."""
    scenarios, base, weights = shipped_runs
    dead = []
    for path in sorted(set().union(*weights.values()))[shard::WEIGHT_SHARDS]:
        live = [s for s in scenarios if path in weights[s.name] and not covered(path, s.inactive)]
        if live and not any(_acts(s, path, base[s.name]) for s in live):
            dead.append(path)
    assert not dead, f"weights that change no run of any shipped scenario and are not declared inactive: {dead}"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_a_weight_declared_inactive_changes_no_run(shipped_runs, path):
    """A weight a scenario declares inactive (itself or by its section) must change no run of that scenario."""
    scenarios, base, weights = shipped_runs
    (s,) = [s for s in scenarios if s.source == str(path)]
    acting = []
    for declared in s.inactive:
        leaves = [p for p in weights[s.name] if covered(p, [declared])]
        assert leaves, (s.name, declared)
        acting += [p for p in leaves if _acts(s, p, base[s.name], quick=False)]  # all 200 runs, no early out
    assert not acting, f"{s.name}: weights declared inactive that change some of its runs: {acting}"
    assert all(is_weight(f) is False for f in type(s).model_fields.values())


# --- deadlines both ways -------------------------------------------------------------------


def test_deadlines_are_reported_both_ways():
    """P(closed by the last deadline in force) counts closes within extensions too: it is at least
    P(closed by the first deadline), and equal to it when no extension can be granted."""
    extended = ensemble(TIKTOK, events="none").summary["metrics"]["deadlines"]
    assert extended["closed_by_final"]["p"] > extended["closed_by_first"]["p"]
    none = ensemble(TIKTOK, events="none", **{"instruments.divestiture_order.extensions.max": 0}).summary["metrics"][
        "deadlines"
    ]
    assert none["closed_by_final"] == none["closed_by_first"]


def test_enforcement_pauses_repeat_up_to_their_number():
    """With 75-day pauses, at most three in a row: a run that never closes sees non-enforcement
    decisions 75 days apart, at most three pauses, and then an open-ended one (or enforcement)."""
    result = ensemble(
        TIKTOK,
        runs=200,
        **{
            "instruments.divestiture_order.enforcement.pause_days": {"median": 75},
            "instruments.divestiture_order.enforcement.max_pauses": 3,
            "instruments.divestiture_order.enforcement.base": -5.0,
            "instruments.divestiture_order.enforcement.no_deal": 0.0,
            "events.election.p": 0.0,
            "horizon": "2022-06-30",
        },
    )
    events = result.events
    pauses = events[(events["event"] == "non_enforcement") & events["detail"].str.contains("pauses enforcement")]
    assert len(pauses) > 50
    per_run = pauses.groupby("run_id")
    assert per_run.size().max() == 3
    gaps = per_run["day"].diff().dropna()
    assert (gaps == 75).all()
    after_last = events[(events["event"] == "non_enforcement") & events["detail"].str.contains("open-ended")]
    assert set(after_last["run_id"]) <= set(pauses["run_id"])


def test_validate_runs_a_scenarios_inactive_claims(tmp_path):
    """A weight declared inactive that acts (CFIUS's acceptance of mitigation under the order) is
    refused by `sim validate` in one line naming the file, the claim and what moving it did, exit 2;
    --no-runs checks the file only; a shipped scenario's claims pass."""
    liar = tmp_path / "liar.yaml"
    liar.write_text(
        "extends: export_control_review\nname: liar\n"
        "inactive:\n  reviewers.cfius.accept_mitigation: claimed inactive, but it decides a failing structure\n"
    )
    refused = CliRunner().invoke(cli, ["validate", str(liar)])
    assert refused.exit_code == 2
    (line,) = refused.stderr.strip().splitlines()
    assert str(liar) in line and "inactive.reviewers.cfius.accept_mitigation: declared inactive" in line
    assert "changed" in line and "of 60 runs" in line
    assert CliRunner().invoke(cli, ["validate", str(liar), "--no-runs"]).exit_code == 0
    shipped = CliRunner().invoke(cli, ["validate", str(ECR)])
    assert shipped.exit_code == 0 and "inactive claims changed none of 60 runs" in shipped.stdout
