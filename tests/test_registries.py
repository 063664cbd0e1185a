"""One registry per kind: every entry is complete, and a kind written in a test runs through run, decompose, backtest."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

import pytest
from click.testing import CliRunner
from conftest import ROOT, SHIPPED

from sim import load_scenario
from sim.cli import cli
from sim.model.agents.reviewers.base import Reviewer
from sim.model.kind_checks import instrument_problems, reviewer_problems
from sim.model.kinds import INSTRUMENTS, REVIEWERS, ReviewerKind, at_minimum, register_reviewer
from sim.narrative import EventName, SpanName
from sim.outcomes import OUTCOME_KINDS, Outcome
from sim.scenario.schema import Duration, Probability, ReviewerBase, param, unregister_kind, weight

SAMPLES = [*SHIPPED, *(p for p in sorted((ROOT / "tests" / "data").glob("*.yaml")) if p.name != "weights.yaml")]


def samples() -> dict[str, object]:
    """One spec of every reviewer and instrument kind the shipped and test scenarios use."""
    found: dict[str, object] = {}
    for path in SAMPLES:
        scenario = load_scenario(path)
        for spec in [*scenario.reviewers.values(), *scenario.instruments.values()]:
            found.setdefault(spec.kind, spec)
    return found


def test_every_reviewer_and_instrument_kind_is_complete():
    found = samples()
    assert set(REVIEWERS) <= set(found) and set(INSTRUMENTS) <= set(found)  # each is tried on a real spec
    problems = [p for kind, e in REVIEWERS.items() for p in reviewer_problems(e, found[kind])]
    problems += [p for kind, e in INSTRUMENTS.items() for p in instrument_problems(e, found[kind])]
    assert not problems, problems


def test_an_incomplete_entry_is_caught():
    """A stage naming no duration, a setting outside its reviewer, a weight neutral forgets: each is named."""
    order = REVIEWERS["order"]
    spec = samples()["order"]
    broken = ReviewerKind(
        schema=order.schema,
        agent=order.agent,
        stages={**order.stages, SpanName.HOST_SILENCE: ("silent",)},
        waits=order.waits,
        fastest=lambda rid, r: {"seller.reservation": 0},
        consenting=order.consenting,
        at_once=order.at_once,
        neutral=lambda rid, r: {f"reviewers.{rid}.approve": 0},
    )
    problems = " | ".join(reviewer_problems(broken, spec))
    assert "names silent, which is no duration" in problems
    assert "fastest sets seller.reservation, outside the reviewer" in problems
    assert "neutral leaves the decision weight accept_mitigation" in problems


def test_every_outcome_is_complete():
    assert list(OUTCOME_KINDS) == list(Outcome)
    for outcome, kind in OUTCOME_KINDS.items():
        assert kind.meaning and kind.phrase and isinstance(kind.is_close, bool), outcome
        assert re.fullmatch(r"#[0-9a-f]{6}", kind.colour), outcome
    assert len({k.colour for k in OUTCOME_KINDS.values()}) == len(OUTCOME_KINDS)


# --- a kind written here, in the test -----------------------------------------------------------


class ToyReview(ReviewerBase):
    """A toy procedure: a fixed review, then a clearance or a prohibition."""

    kind: Literal["toy"]
    review_days: Duration = param(Duration(median=20), "days", "From signing to the ruling.")
    p_clear: Probability = weight(0.5, "probability", "Chance it clears the deal.")


class ToyReviewer(Reviewer):
    """Reviews for ``review_days`` after signing, then clears with ``p_clear`` or prohibits."""

    files_at = "signing"

    def start_review(self, version: int) -> None:
        self.review_start = self.today
        self.timeline.open(SpanName.HOST_REVIEW, self.actor_id)
        self.after(self.spec.review_days, self.rule, version)

    def rule(self, version: int) -> None:
        if not self.current(version):
            return
        self.timeline.close(SpanName.HOST_REVIEW, self.actor_id)
        if self.chance(self.spec.p_clear):
            self.approve(EventName.HOST_APPROVAL, f"clears the {self.view.deal_name()}")
        else:
            self.log(EventName.PROHIBITION, f"prohibits the {self.view.deal_name()}")
            self.reject(final=True)


TOY = ReviewerKind(
    schema=ToyReview,
    agent=ToyReviewer,
    stages={SpanName.HOST_REVIEW: ("review_days",)},
    waits=(),
    fastest=lambda rid, r: {f"reviewers.{rid}.review_days": at_minimum(r.review_days)},
    consenting=lambda rid, r: {f"reviewers.{rid}.p_clear": 1.0},
    at_once=lambda rid, r: {
        f"reviewers.{rid}.p_clear": 1.0,
        f"reviewers.{rid}.review_days": at_minimum(r.review_days),
    },
    neutral=lambda rid, r: {f"reviewers.{rid}.p_clear": 0.5},
)

SCENARIO = """\
name: toy_case
start: 2020-01-01
horizon: 2020-12-31
labels: {currency: "EUR "}
deal: {kind: negotiated, buyer: acquirer, price: 2.0}
terms: {}
market: {users_m: 0, base_value: 2, erosion_looming: 0.0, erosion_biting: 0.0}
structures: {acquisition: {label: the acquisition}}
reviewers:
  authority:
    kind: toy
    label: the toy authority
    side: host
    review_days: {median: 40, p90: 80, min: 10}   # test assumption
    p_clear: 0.7                                 # test assumption
agreement: {outside_date: 2020-04-01, p_extend: 0.0, termination_fee: 0.1}   # test assumption
seller: {label: Target, structure_preference: {acquisition: 1.0}, p_restructure: 0.0, closing_days: {median: 5}}
bidders:
  acquirer: {label: Acquirer, valuation: {low: 2, high: 2}, offers: acquisition}
inactive:
  seller: "a negotiated deal: the seller picks no bid and faces no ban"
  bidders: "signed at the start"
"""

RECORD = """\
name: toy_case
events:
  - {date: 2020-02-15, event: host_approval, actor: authority, source: "a test's record"}
outcomes:
  - {horizon: 2020-12-31, outcome: closed_by_deadline, source: "a test's record"}
"""


@pytest.fixture
def toy(tmp_path):
    register_reviewer(TOY)
    (tmp_path / "toy.yaml").write_text(SCENARIO)
    (tmp_path / "record.yaml").write_text(RECORD)
    yield tmp_path
    REVIEWERS.pop("toy", None)
    unregister_kind("reviewers", "toy")


def sim(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_a_kind_registered_in_a_test_runs_decomposes_and_backtests(toy: Path):
    """The toy kind is validated, documented, run, attributed, decomposed and backtested with no other change."""
    assert reviewer_problems(TOY, load_scenario(toy / "toy.yaml").reviewers["authority"]) == []
    assert "`kind: toy`" in sim("reference").stdout
    # one worker: a kind registered in this process only is unknown to a fork server's fresh workers
    ran = sim("run", toy / "toy.yaml", "--runs", 200, "--workers", 1, "--out", toy / "run", "--no-report")
    assert ran.exit_code == 0, ran.output
    summary = json.loads((toy / "run" / "summary.json").read_text())
    outcomes = {k for k, v in summary["outcomes"].items() if v["count"]}
    assert outcomes == {"closed_by_deadline", "closed_after_deadline", "blocked_by_host", "terminated"} & outcomes
    assert {"closed_by_deadline", "blocked_by_host"} <= outcomes
    assert "host_review" in summary["attribution"]["stages"]
    decomposed = sim("decompose", toy / "toy.yaml", "--runs", 100, "--workers", 1, "--out", toy / "dec", "--no-report")
    assert decomposed.exit_code == 0, decomposed.output
    backtested = sim(
        "backtest",
        toy / "toy.yaml",
        toy / "record.yaml",
        "--runs",
        100,
        "--workers",
        1,
        "--out",
        toy / "bt",
        "--no-report",
    )
    assert backtested.exit_code == 0, backtested.output
    neutral = json.loads((toy / "bt" / "backtest.json").read_text())
    assert neutral["log_likelihood"]["neutral"] != neutral["log_likelihood"]["model"]  # p_clear went to 0.5


def test_a_kind_not_registered_is_refused_naming_the_known_ones(tmp_path):
    (tmp_path / "toy.yaml").write_text(SCENARIO)
    result = sim("validate", tmp_path / "toy.yaml")
    assert result.exit_code == 2
    assert "reviewers.authority.kind" in result.stderr and "merger_control" in result.stderr
