"""Merger control in phases (China's Anti-Monopoly Law; the EU Merger Regulation; the US HSR Act).

The parties file; the clock starts only when the reviewer accepts the filing as complete, which it
may withhold politically (no acceptance and no clock until a host action ends the hold: its
silence). Phase 1 ends in a clearance or phase 2, which may be extended (phase 3) and, since
China's 2022 amendment, stopped. At the end the reviewer approves, approves with remedies,
prohibits, or asks the parties to pull and refile, which starts a new filing on a new clock. An
agreement's outside date may pass first (Qualcomm/NXP, 2018-07-25).
"""

from __future__ import annotations

from typing import Any

from sim.model.agents.reviewers.base import Reviewer
from sim.model.agents.reviewers.export_licence import _political_neutral
from sim.model.agents.reviewers.politics import PoliticalHold
from sim.model.kinds import Overrides, ReviewerKind, at_minimum, register_reviewer, zeros
from sim.model.moments import DealAbandoned, Filed, HostAction, NewTerms, TensionChanged, on
from sim.model.randomness import choice_probabilities, logistic, logit_choice, odds_text
from sim.narrative import EventName, SpanName
from sim.scenario.schema import MergerControl


class MergerControlReviewer(Reviewer):
    """Reviews the deal's effect on competition in phases (``kind: merger_control``)."""

    def __init__(self, model, reviewer_id: str, spec):
        super().__init__(model, reviewer_id, spec)
        self.files_at = spec.files_at
        self.hold = PoliticalHold(self, spec.political, SpanName.MERGER_HOLD)
        self.rounds = 0  # pull-and-refile cycles of the current terms
        self.filings = 0

    # --- utilities ----------------------------------------------------------------------------

    def _tension_term(self) -> float:
        """What politics adds to clearing and approving: the tension's weight, and a new administration's line."""
        return self.spec.utility.tension * self.view.tension + self.stance_shift

    def p_clear_phase_1(self) -> float:
        """The chance the deal is cleared at the end of phase 1."""
        return logistic(self.spec.utility.clear_phase_1 + self._tension_term())

    def end_options(self) -> dict[str, float]:
        """Utilities of the decisions open at the end of the review."""
        u = self.spec.utility
        t = self._tension_term()
        options = {"approve": u.approve + t, "conditions": u.conditions + t, "prohibit": u.prohibit}
        if self.rounds < self.spec.max_refiles:
            options["refile"] = u.refile
        return options

    def approval_belief(self, structure_id: str, bidder_id: str) -> float:
        """The chance of approval the parties read from the rules (phase 1, else an approval at the end)."""
        if not self.applies(structure_id, bidder_id):
            return 1.0
        u = self.spec.utility
        t = self._tension_term()
        final = choice_probabilities({"approve": u.approve + t, "conditions": u.conditions + t, "prohibit": u.prohibit})
        p1 = self.p_clear_phase_1()
        return p1 + (1 - p1) * (final["approve"] + final["conditions"])

    @on(NewTerms)
    def new_terms(self, moment: NewTerms) -> None:
        """New terms need a new filing."""
        super().new_terms(moment)
        self.rounds = 0
        self.filings = 0
        self.hold.held = False

    # --- the procedure ------------------------------------------------------------------------

    def start_review(self, version: int) -> None:
        """The parties prepare the filing."""
        self.timeline.open(SpanName.MERGER_FILING, self.actor_id, responsible="seller")
        self.after(self.spec.filing_days, self.receive_filing, version)

    def receive_filing(self, version: int) -> None:
        """A filing arrives: accepted after ``acceptance_days``, or held with no clock."""
        if not self.current(version):
            return
        self.filings += 1
        self.timeline.close(SpanName.MERGER_FILING, self.actor_id)
        what = "file" if self.filings == 1 else "refile"
        self.announce(
            Filed(
                self.actor_id,
                EventName.MERGER_FILED.value,
                f"The parties {what} the {self.view.deal_name()} with {self.label}",
            )
        )
        day = self.days_from_now(self.spec.acceptance_days)  # drawn either way (common random numbers)
        political, p = self.hold.political_now()
        if political:
            self.hold.start(
                EventName.MERGER_HOLD,
                f"does not accept the filing as complete: no clock, no decision until a host action moves it "
                f"(tension {self.view.tension:.2f}, p={p:.2f})",
            )
            return
        self.timeline.open(SpanName.MERGER_ACCEPTANCE, self.actor_id)
        self.clock.schedule(day, self.accept, version)

    def hold_ended(self) -> None:
        """The hold ended: the filing is accepted now."""
        self.accept(self.view.deal.version)

    @on(HostAction)
    def host_action(self, moment: HostAction) -> None:
        """A host action may end a hold."""
        self.hold.consider_release(moment.action)

    @on(TensionChanged)
    def tension_changed(self, moment: TensionChanged) -> None:
        """A change of tension may end a hold, where the scenario says so."""
        self.hold.consider_tension(moment.delta)

    def accept(self, version: int) -> None:
        """The filing is accepted as complete: phase 1 starts."""
        if not self.current(version):
            return
        self.timeline.close(SpanName.MERGER_ACCEPTANCE, self.actor_id)
        if self.review_start is None:
            self.review_start = self.today
        self.timeline.open(SpanName.MERGER_PHASE_1, self.actor_id)
        day = self.after(self.spec.phase_1_days, self.end_phase_1, version)
        self.log(
            EventName.MERGER_ACCEPTED, f"accepts the filing as complete; phase 1 ends by {self.clock.date_of(day)}"
        )

    def end_phase_1(self, version: int) -> None:
        """End of phase 1: clear, or open phase 2 (which the reviewer may stop)."""
        if not self.current(version):
            return
        self.timeline.close(SpanName.MERGER_PHASE_1, self.actor_id)
        p = self.p_clear_phase_1()
        if self.chance(p):
            self.approve(EventName.MERGER_CLEARED, f"clears the {self.view.deal_name()} in phase 1 (p={p:.2f})")
            return
        self.timeline.open(SpanName.MERGER_PHASE_2, self.actor_id)
        day = self.days_from_now(self.spec.phase_2_days)
        stop = self.spec.clock_stop
        if stop is not None and self.chance(stop.p):
            extra = self.days_from_now(stop.days) - self.today
            day += extra
            self.log(EventName.CLOCK_STOPPED, f"stops the clock for {extra} days")
        self.clock.schedule(day, self.end_phase_2, version)
        self.log(
            EventName.MERGER_PHASE_2,
            f"opens phase 2, to end by {self.clock.date_of(day)} (p(clear in phase 1)={p:.2f})",
        )
        quit_p = self.spec.p_abandon_in_depth
        if quit_p is not None and self.chance(quit_p):  # unset: no draw, so a scenario without it plays as before
            self.after(self.spec.abandon_days, self.parties_abandon, version)

    def parties_abandon(self, version: int) -> None:
        """The parties give up on the deal under the in-depth review, unless a decision came first."""
        if not self.current(version) or self.approved:
            return
        self.announce(DealAbandoned(self.actor_id, version))

    def end_phase_2(self, version: int) -> None:
        """End of phase 2: extend it by phase 3, or decide."""
        if not self.current(version):
            return
        self.timeline.close(SpanName.MERGER_PHASE_2, self.actor_id)
        if self.chance(self.spec.p_phase_3):
            self.timeline.open(SpanName.MERGER_PHASE_3, self.actor_id)
            day = self.after(self.spec.phase_3_days, self.decide, version)
            self.log(EventName.MERGER_PHASE_3, f"extends the review to {self.clock.date_of(day)}")
            return
        self.decide(version)

    def decide(self, version: int) -> None:
        """The clock runs out: approve, approve with remedies, prohibit, or ask for a refile."""
        if not self.current(version):
            return
        self.timeline.close(SpanName.MERGER_PHASE_3, self.actor_id)
        choice, probs = logit_choice(self.rng, self.end_options())
        why = f"tension {self.view.tension:.2f}; {odds_text(probs)}"
        name = self.view.deal_name()
        if choice == "approve":
            self.approve(EventName.MERGER_CLEARED, f"approves the {name} unconditionally ({why})")
        elif choice == "conditions":
            self.log(EventName.CONDITIONAL_APPROVAL, f"approves the {name} with remedies ({why})")
            self.approve(EventName.MERGER_CLEARED, "clears it with the remedies accepted")
        elif choice == "prohibit":
            self.log(EventName.PROHIBITION, f"prohibits the {name} ({why})")
            self.reject(final=self.view.scenario.deal.kind != "forced_divestiture")
        else:
            self.rounds += 1
            self.timeline.open(SpanName.MERGER_REFILE, self.actor_id, responsible="seller")
            day = self.after(self.spec.refile_days, self.refiled, version)
            self.log(
                EventName.PULL_AND_REFILE,
                f"asks the parties to pull and refile the {name} (refile {self.rounds}, by {self.clock.date_of(day)}; "
                f"{odds_text(probs)})",
            )

    def refiled(self, version: int) -> None:
        """The refiled notification arrives: a new filing on a new clock."""
        if not self.current(version):
            return
        self.timeline.close(SpanName.MERGER_REFILE, self.actor_id)
        self.receive_filing(version)


_DURATIONS = ("filing_days", "acceptance_days", "phase_1_days", "phase_2_days", "phase_3_days")


def _fastest(rid: str, r: Any) -> Overrides:
    at = f"reviewers.{rid}"
    out: Overrides = {f"{at}.{d}": at_minimum(getattr(r, d)) for d in _DURATIONS}
    out.update({f"{at}.p_phase_3": 0.0, f"{at}.utility.clear_phase_1": 50, f"{at}.utility.refile": -50})
    if r.political is not None:
        out[f"{at}.political.base"] = -50
    return out


def _consenting(rid: str, r: Any) -> Overrides:
    return {f"reviewers.{rid}.utility.approve": 50, f"reviewers.{rid}.utility.prohibit": -50}


register_reviewer(
    ReviewerKind(
        schema=MergerControl,
        agent=MergerControlReviewer,
        stages={
            SpanName.MERGER_FILING: ("filing_days",),
            SpanName.MERGER_ACCEPTANCE: ("acceptance_days",),
            SpanName.MERGER_PHASE_1: ("phase_1_days",),
            SpanName.MERGER_PHASE_2: ("phase_2_days",),
            SpanName.MERGER_PHASE_3: ("phase_3_days",),
            SpanName.MERGER_REFILE: ("refile_days",),
        },
        waits=(SpanName.MERGER_HOLD,),
        fastest=_fastest,
        consenting=_consenting,
        at_once=lambda rid, r: {**_consenting(rid, r), **_fastest(rid, r)},
        neutral=lambda rid, r: {
            **zeros(f"reviewers.{rid}.utility", *type(r.utility).model_fields),
            f"reviewers.{rid}.p_phase_3": 0.5,
            **_political_neutral(f"reviewers.{rid}", r.political),
        },
        not_decisions=("clock_stop.p",),  # stopping the clock: a pace, left as the scenario says
    )
)
