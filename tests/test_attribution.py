"""Why was the sale late: critical paths, days beyond minimums, counterfactuals, stories, strategic timing."""

from __future__ import annotations

import re

from click.testing import CliRunner
from conftest import SCENARIOS, SHIPPED, WEIGHTS

from sim import DealModel, load_scenario, run_ensemble
from sim.cli import cli
from sim.model.attribution import critical_path
from sim.runs.backends import Execution
from sim.runs.store import load_result

SLOW_LETTER = (
    f"extends: {WEIGHTS}\n"
    + """\
name: slow_letter
description: every stage quick and certain but the licence letter, which outlasts the deadline
start: 2020-08-01
horizon: 2021-06-30
market: {users_m: 100, base_value: 40}
structures:
  full_sale: {label: full sale, seller_stake: 0, algorithm: transfer, data_custody: buyer}
reviewers:
  cfius:
    files_at: agreement
    filing_days: {median: 2, min: 2}
    review_days: {median: 5, min: 5}
    clear_in_review: 50
  china:
    catalogue: [push]
    application_days: {median: 2, min: 2}
    review_days: {median: 150, min: 10}
    political: {base: -50}
    licence_days: {median: 3, min: 3}
    p_grant_after_letter: 1.0
    utility: {grant: 50}
seller:
  technologies: [push]
  structure_preference: {full_sale: 1.0}
  reservation: 0
  choice_temperature: 0.01
  bid_deadline: 2020-08-10
  exclusive_talks_days: {median: 3, min: 3}
  signing_days: {median: 3, min: 3}
  closing_days: {median: 2, min: 2}
bidders:
  acme: {label: Acme, valuation: {low: 20, high: 30}, offers: full_sale, standing: 0.5, p_drop_out: 0, p_return: 0, due_diligence_days: {median: 5}}
instruments:
  divestiture_order:
    kind: divestiture_order
    date: 2020-08-14
    deadline: 2020-11-12
    enforcement: {base: 0.0, no_deal: 1.0, new_administration: -2.0, lame_duck: 0.0}
"""
)


def test_only_the_slow_licence_review_is_blamed(write):
    """The letter review is the only slow stage: every late run has it on its critical path, it
    is decisive in all of them (at its minimum, the sale closes on time), and nothing else is."""
    scenario = load_scenario(write("slow.yaml", SLOW_LETTER))
    result = run_ensemble(scenario, runs=150, seed=0, execution=Execution(workers=1), attribution=150)
    attribution = result.summary["attribution"]
    assert attribution["late_runs"] == 150  # the letter (>= 10 + 2 days of quick stages) always comes late
    stages = attribution["stages"]
    assert stages["letter_review"]["late"]["share_on_path"] == 1.0
    assert stages["letter_review"]["late"]["share_decisive"] == 1.0
    assert all(s["late"]["share_decisive"] == 0 for name, s in stages.items() if name != "letter_review")
    rows = result.attribution
    letter = rows[rows["stage"] == "letter_review"]
    assert len(letter) == 150 and (letter["decisive"] == True).all()  # noqa: E712
    assert (letter["excess_days"] == letter["days"] - 10).all()
    assert max(stages, key=lambda s: stages[s]["late"]["mean_days_added"]) == "letter_review"


def test_without_the_catalogue_update_no_licence_stage_appears(tiktok):
    """tiktok_2020 has no catalogue update: no timeline has a letter or licence stage."""
    result = run_ensemble(tiktok, runs=300, seed=0, execution=Execution(workers=1), attribution=300)
    licence = {"letter_application", "letter_review", "letter_wait", "letter_hold", "licence_review"}
    assert not licence & set(result.spans["span"])
    assert not licence & set(result.attribution["stage"])


def test_critical_path_follows_handovers():
    """From the close, step back through the span that hands over at each point."""
    spans = [
        ["exclusive_talks", "seller", 0, 5],
        ["letter_application", "seller", 0, 8],
        ["signing", "seller", 5, 20],
        ["letter_review", "china", 8, 60],
        ["letter_wait", "china", 20, 60],
        ["licence_review", "china", 60, 70],
        ["host_review", "cfius", 6, 40],
        ["closing", "seller", 70, 75],
    ]
    path = [s[0] for s in critical_path(spans, 75)]
    assert path == ["closing", "licence_review", "letter_review", "letter_application"]


def test_counterfactuals_change_only_the_shortened_stage(export_control):
    """A rerun with one stage at its minimum replays everything before that stage exactly."""
    from sim.model.attribution import _variant

    for seed in range(40):
        base = DealModel(export_control, rng=seed)
        base.run()
        start = next((s[2] for s in base.spans if s[0] == "letter_review"), None)
        if start is None:
            continue
        cf = DealModel(_variant(export_control, "x", "letter_review", "china"), rng=seed)
        cf.run()
        before = [e for e in base.events if e[0] < start]
        assert [e for e in cf.events if e[0] < start] == before


def test_explain_tells_real_runs(tmp_path):
    """`sim explain` prints the attribution table and prose built from the run's own log."""
    out = tmp_path / "res"
    runner = CliRunner()
    assert (
        runner.invoke(
            cli,
            [
                "run",
                str(SCENARIOS / "export_control_review.yaml"),
                "--runs",
                "120",
                "--out",
                str(out),
                "--workers",
                "1",
                "--no-figures",
            ],
        ).exit_code
        == 0
    )
    result = runner.invoke(cli, ["explain", str(out), "--outcome", "closed_after_deadline", "--runs", "2"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Where the days went" in text and "consent" in text and "CFIUS" in text
    runs = [int(n) for n in re.findall(r"Run (\d+) \(seed", text)]
    assert len(runs) == 2
    loaded = load_result(out)
    for run_id in runs:
        assert loaded.runs.set_index("run_id").loc[run_id, "outcome"] == "closed_after_deadline"
        log = loaded.events[(loaded.events["run_id"] == run_id) & ~loaded.events["event"].isin(["stays", "outcome"])]
        for _, e in log.iterrows():
            assert " ".join(e["detail"].split())[1:40] in text  # every event's own words are told
        closed = log[log["event"] == "closed"].iloc[0]
        day = int(closed["date"][8:10])
        assert f"On {day} " in text and "ByteDance closes the" in text
        assert re.search(r"The (\w+) deal \(\w+\) closed on", text).group(1) in ("Oracle", "Microsoft", "Twitter")


def test_explain_without_such_runs(tmp_path):
    out = tmp_path / "res"
    runner = CliRunner()
    runner.invoke(
        cli,
        [
            "run",
            str(SCENARIOS / "tiktok_2020.yaml"),
            "--runs",
            "60",
            "--out",
            str(out),
            "--workers",
            "1",
            "--no-figures",
            "--events",
            "none",
        ],
    )
    result = runner.invoke(cli, ["explain", str(out), "--outcome", "pending"])
    assert result.exit_code == 2 and "no run with an event log ended pending" in result.stderr


def test_lame_duck_does_not_enforce():
    """With a strongly negative lame-duck enforcement utility, no deadline falling between the
    election and the inauguration is enforced by an outgoing administration."""
    scenario = load_scenario(
        SCENARIOS / "strategic_delay.yaml",
        {
            "instruments.divestiture_order.enforcement.lame_duck": -20,
            "events.election.p_change": 1.0,
            "events.election.date": "2020-11-01",
        },
    )
    result = run_ensemble(scenario, runs=300, seed=0, execution=Execution(workers=1))
    events = result.events
    assert (events["event"] == "non_enforcement").any()
    enforced = events[(events["event"] == "enforcement") & (events["date"] < "2021-01-20")]
    assert enforced.empty


def test_counterfactual_budget_spreads_its_reruns(export_control):
    """--counterfactuals N reruns the late stages of N attributed runs spread evenly; shares of
    decisive runs are counted over those runs only."""
    from sim.runs.ensemble import EnsembleSpec

    spec = EnsembleSpec(export_control, 1000, 0, attribution=1000, counterfactuals=160)
    chosen = [i for i in range(1000) if spec.reruns(i)]
    assert len(chosen) == 160 and chosen[0] == 0 and max(b - a for a, b in zip(chosen, chosen[1:], strict=False)) <= 7
    assert all(EnsembleSpec(export_control, 50, 0, attribution=50).reruns(i) for i in range(50))
    assert not any(EnsembleSpec(export_control, 50, 0, attribution=50, counterfactuals=0).reruns(i) for i in range(50))
    result = run_ensemble(export_control, runs=300, seed=0, attribution=300, counterfactuals=60)
    rerun = result.attribution[result.attribution["run_id"].isin([i for i in range(300) if i % 5 == 0])]
    others = result.attribution[~result.attribution["run_id"].isin(rerun["run_id"])]
    assert others["decisive"].isna().all()
    summary = result.summary["attribution"]
    chose = set(result.events[result.events["event"] == "bid_chosen"]["run_id"])  # runs with a deal
    runs = result.runs
    late_rerun = runs[
        (runs["run_id"] % 5 == 0) & (runs["outcome"] != "closed_by_deadline") & runs["run_id"].isin(chose)
    ]
    assert summary["late_runs_rerun"] == len(late_rerun)
    for stage, entry in summary["stages"].items():
        decisive_runs = rerun[(rerun["stage"] == stage) & (rerun["decisive"] == True)]["run_id"].nunique()  # noqa: E712
        assert entry["late"]["share_decisive"] == round(decisive_runs / len(late_rerun), 4)


def test_no_counterfactual_shortens_a_stage_below_its_floor():
    """Every stage with a counterfactual has a floor above zero in the shipped scenarios (the
    statutory or a stated realistic minimum), and its counterfactual puts it exactly there."""
    from sim.model.attribution import STAGE_DURATIONS, _resolve, counterfactual_overrides
    from sim.model.kinds import reviewer_kind
    from sim.scenario.schema import CatalogueUpdate

    for path in SHIPPED:
        scenario = load_scenario(path)
        licensing = bool(scenario.events_of(CatalogueUpdate))
        kind = scenario.deal.kind
        seller_stages = {  # the seller's stages a deal of this kind can have
            "forced_divestiture": STAGE_DURATIONS,
            "negotiated": ["closing"] + (["restructuring"] if scenario.seller.restructure_order else []),
            "completed": ["restructuring"] if scenario.seller.restructure_order else [],
        }[kind]
        stages = [(stage, None) for stage in seller_stages]
        for rid, r in scenario.reviewers.items():
            if r.kind == "export_licence" and not licensing and r.applies_to == "listed_technology":
                continue  # no licence stage in this scenario
            stages += [(stage, rid) for stage in reviewer_kind(r.kind).stages]
        for stage, rid in stages:
            for p, override in counterfactual_overrides(scenario, stage, rid).items():
                if _resolve(scenario, p).max == 0:
                    continue  # a stage the law gives no length (no third HSR phase, no pre-2018 extension)
                floor = _resolve(scenario, p).min
                assert floor > 0, (scenario.name, stage, p)
                assert override["min"] == override["max"] == floor


def test_stories_read_as_sentences():
    """Each event of every shipped scenario, told: a detail that is a verb phrase gets its actor as
    subject, one that stands alone does not ("3d Cir. holds...", "The new administration drops...",
    not "US President the new administration drops..."), and a reviewer's label is a name before
    "'s" ("the PRC government's consent", not "the PRC government (consent to the sale)'s")."""
    from sim.present.labels import actor_labels
    from sim.present.story import short, told
    from sim.runs.ensemble import Execution, run_ensemble

    assert told({"edpa": "E.D. Pa."}, "edpa", "3d Cir. holds the appeal", "2021-06-29") == (
        "On 29 June 2021, 3d Cir. holds the appeal."
    )
    files = sorted(SCENARIOS.glob("*.yaml")) + sorted((SCENARIOS / "cases").glob("[!b]*.yaml"))  # not base_*
    seen = 0
    for path in files:
        spec = load_scenario(path)
        result = run_ensemble(spec, 25, 0, execution=Execution(backend="serial"))
        names = actor_labels(spec)
        for actor, detail, date in zip(*(result.events[c] for c in ("actor", "detail", "date")), strict=True):
            seen += 1
            first, name = detail.split(" ", 1)[0], names.get(actor, actor)
            if not detail.startswith((name, short(name))):  # a label in lower case names its actor itself
                assert first not in ("the", "a", "an"), (path.name, actor, detail)
            sentence = told(names, actor, detail, date)
            assert not re.search(r"\)'s ", sentence), (path.name, sentence)
            assert f"{short(name)} {short(name)}" not in sentence, (path.name, sentence)  # named once
    assert seen > 5_000
