"""The vocabulary of a run's event log and of its timeline.

Each row of the event log names an :class:`EventName`; records of what really happened
(backtests) use the same names. Each span of the deal's timeline names a :class:`SpanName` and
the actor responsible for it.
"""

from __future__ import annotations

from enum import StrEnum


class EventName(StrEnum):
    """What an actor did or what happened to it (one row of the event log)."""

    # the host executive and its instruments
    BAN_ORDER = "ban_order"
    DIVESTITURE_ORDER = "divestiture_order"
    LAW_ENACTED = "law_enacted"
    DEADLINE = "deadline"
    EXTENSION = "extension"
    NO_EXTENSION = "no_extension"
    ENFORCEMENT = "enforcement"
    ENFORCEMENT_SUIT = "enforcement_suit"
    SALE_COMPELLED = "sale_compelled"
    PENALTIES = "penalties"
    SUIT_DISMISSED = "suit_dismissed"
    SUIT_DROPPED = "suit_dropped"
    NON_ENFORCEMENT = "non_enforcement"
    BLESSING = "blessing"
    NO_BLESSING = "no_blessing"
    PRESIDENT_BLOCKS = "president_blocks"
    PRESIDENT_DECLINES_BLOCK = "president_declines_block"
    ELECTION = "election"
    ADMINISTRATION_CHANGE = "administration_change"
    REVIEW_SHELVED = "review_shelved"
    REVOCATION = "revocation"
    # investment screening (CFIUS)
    FILING = "filing"
    REVIEW_START = "review_start"
    INVESTIGATION = "investigation"
    INVESTIGATION_EXTENDED = "investigation_extended"
    CHANGES_ASKED = "changes_asked"
    MITIGATION_ACCEPTED = "mitigation_accepted"
    OBJECTION = "objection"
    SILENCE = "silence"
    REVISED_AFTER_SILENCE = "revised_after_silence"
    WITHDRAW_REFILE = "withdraw_refile"
    HOST_APPROVAL = "host_approval"
    BLOCK_RECOMMENDED = "block_recommended"
    ABANDONED_ON_RECOMMENDATION = "abandoned_on_recommendation"
    REFERRAL = "referral"
    # merger control
    MERGER_FILED = "merger_filed"
    MERGER_HOLD = "merger_hold"
    MERGER_ACCEPTED = "merger_accepted"
    MERGER_PHASE_2 = "merger_phase_2"
    MERGER_PHASE_3 = "merger_phase_3"
    CLOCK_STOPPED = "clock_stopped"
    PULL_AND_REFILE = "pull_and_refile"
    CONDITIONAL_APPROVAL = "conditional_approval"
    MERGER_CLEARED = "merger_cleared"
    PROHIBITION = "prohibition"
    # the agency implementing a ban
    STAGE_ANNOUNCED = "stage_announced"
    STAGE_POSTPONED = "stage_postponed"
    STAGE_DUE = "stage_due"
    STAGE_SUSPENDED = "stage_suspended"
    BAN_BITES = "ban_bites"
    BAN_LIFTED = "ban_lifted"
    # courts
    CHALLENGE_FILED = "challenge_filed"
    INJUNCTION = "injunction"
    INJUNCTION_DENIED = "injunction_denied"
    INJUNCTION_DEFERRED = "injunction_deferred"
    INJUNCTION_LIFTED = "injunction_lifted"
    APPEAL_FILED = "appeal_filed"
    APPEAL_FAILS = "appeal_fails"
    APPEAL_HELD = "appeal_held"
    PETITION_HELD = "petition_held"
    MOTION_RENEWED = "motion_renewed"
    CERT_DENIED = "cert_denied"
    ORDER_SET_ASIDE = "order_set_aside"
    ORDER_UPHELD = "order_upheld"
    # the home government and its export licence
    CATALOGUE_UPDATE = "catalogue_update"
    TENSION_CHANGE = "tension_change"
    LICENCE_NEEDED = "licence_needed"
    LETTER_APPLICATION = "letter_application"
    LETTER_GRANTED = "letter_granted"
    CONSENT_RULE = "consent_rule"
    POLITICAL_HOLD = "political_hold"
    HOLD_ENDS = "hold_ends"
    LICENCE_APPLICATION = "licence_application"
    LICENCE_GRANTED = "licence_granted"
    LICENCE_DENIED = "licence_denied"
    CONSENT_APPLICATION = "consent_application"
    CONSENT_GRANTED = "consent_granted"
    CONSENT_DENIED = "consent_denied"
    # the seller and bidders
    BIDDER_ENTERS = "bidder_enters"
    BIDDER_ARRIVES = "bidder_arrives"
    BIDDER_RETURNS = "bidder_returns"
    BIDDER_DROPS_OUT = "bidder_drops_out"
    BID = "bid"
    BID_CHOSEN = "bid_chosen"
    HOLDS_OUT = "holds_out"
    RECONSIDERS = "reconsiders"
    NO_BIDS = "no_bids"
    AGREEMENT = "agreement_in_principle"
    SIGNING_WAITS = "signing_waits"
    SIGNED = "signed"
    RESTRUCTURE = "restructure"
    BACK_TO_MARKET = "back_to_market"
    SALE_ENDS = "sale_ends"
    OUTSIDE_DATE_EXTENDED = "outside_date_extended"
    TERMINATED = "terminated"
    ABANDONED = "abandoned"
    STANCE_SHIFT = "stance_shift"
    DECLARED_COMPLIANT = "declared_compliant"
    HOME_CHANGE = "home_change"
    CLOSED = "closed"
    WITHDRAWAL = "withdrawal"
    STAYS = "stays"
    # the run
    OUTCOME = "outcome"


class SpanName(StrEnum):
    """A stretch of the deal's timeline, with the actor responsible for it.

    A stretch of a reviewer's or an instrument's procedure also names that reviewer or instrument
    (its ``process``), so two reviewers of one kind keep their stretches apart.
    """

    BIDDING = "bidding"
    EXCLUSIVE_TALKS = "exclusive_talks"
    SIGNING = "signing"
    LETTER_WAIT = "letter_wait"
    HOST_PREFILING = "host_prefiling"
    HOST_FILING = "host_filing"
    HOST_REVIEW = "host_review"
    HOST_INVESTIGATION = "host_investigation"
    HOST_MITIGATION = "host_mitigation"
    HOST_SILENCE = "host_silence"
    PRESIDENT_DECISION = "president_decision"
    LETTER_APPLICATION = "letter_application"
    LETTER_REVIEW = "letter_review"
    LETTER_HOLD = "letter_hold"
    LICENCE_REVIEW = "licence_review"
    CONSENT_APPLICATION = "consent_application"
    CONSENT_REVIEW = "consent_review"
    CONSENT_HOLD = "consent_hold"
    ENFORCEMENT_SUIT = "enforcement_suit"
    MERGER_FILING = "merger_filing"
    MERGER_ACCEPTANCE = "merger_acceptance"
    MERGER_HOLD = "merger_hold"
    MERGER_PHASE_1 = "merger_phase_1"
    MERGER_PHASE_2 = "merger_phase_2"
    MERGER_PHASE_3 = "merger_phase_3"
    MERGER_REFILE = "merger_refile"
    RESTRUCTURING = "restructuring"
    CLOSING = "closing"
    BAN = "ban"
    EXTENSION = "extension"
    COURT_CHALLENGE = "court_challenge"


def short(label: str) -> str:
    """A label without its parenthesis (``PRC Ministry of Commerce (MOFCOM) with MOST``).

    A name a sentence can use: "... needs PRC Ministry of Commerce's consent".
    """
    return label.split(" (")[0]
