"""The random primitives every actor draws from, tested directly: durations, logit choices,
per-actor streams and value erosion."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from sim.model.market import Threat, ValueClock
from sim.model.randomness import actor_stream, choice_probabilities, draw_duration, logistic, logit_choice
from sim.scenario.schema import Duration, Market

N = 20_000


def draws(d: Duration, n: int = N, seed: int = 1) -> np.ndarray:
    rng = actor_stream(seed, "test")
    return np.array([draw_duration(rng, d) for _ in range(n)])


def test_a_duration_has_its_median_and_90th_percentile():
    x = draws(Duration(median=40, p90=100))
    assert np.median(x) == pytest.approx(40, abs=1.5)
    assert np.quantile(x, 0.9) == pytest.approx(100, rel=0.05)
    assert (x == np.round(x)).all() and (x >= 0).all()  # whole days


def test_spread_is_p90_as_a_multiple_of_the_median():
    a, b = draws(Duration(median=30, spread=2.5)), draws(Duration(median=30, p90=75))
    assert np.array_equal(a, b)


def test_a_duration_is_clipped_to_its_minimum_and_maximum():
    x = draws(Duration(median=30, p90=200, min=20, max=60))
    assert x.min() == 20 and x.max() == 60
    assert (x == 60).mean() > 0.2  # the clipped tail piles up at the maximum, it is not redrawn


def test_a_fixed_duration_still_draws_once_so_later_draws_keep_their_luck():
    fixed, varied = actor_stream(3, "a"), actor_stream(3, "a")
    draw_duration(fixed, Duration(median=10))
    draw_duration(varied, Duration(median=10, p90=50))
    assert fixed.random() == varied.random()


def test_logit_choices_come_at_their_softmax_frequencies():
    utilities = {"approve": 1.0, "object": 0.0, "silent": -1.0}
    probs = choice_probabilities(utilities)
    e = math.exp
    assert probs["approve"] == pytest.approx(e(1) / (e(1) + 1 + e(-1)))
    rng = actor_stream(5, "cfius")
    seen = Counter(logit_choice(rng, utilities)[0] for _ in range(N))
    for option, p in probs.items():
        assert seen[option] / N == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / N))


def test_plus_one_logit_multiplies_the_odds_by_e():
    for u in (-3.0, 0.0, 2.0):
        odds = lambda x: logistic(x) / (1 - logistic(x))  # noqa: E731
        assert odds(u + 1) / odds(u) == pytest.approx(math.e)
    assert logistic(-800) == 0.0 and logistic(800) == 1.0  # no overflow at the extremes


def test_each_actor_has_its_own_stream_and_a_run_seed_changes_all_of_them():
    assert actor_stream(7, "china").random() == actor_stream(7, "china").random()
    assert actor_stream(7, "china").random() != actor_stream(7, "cfius").random()
    assert actor_stream(7, "china").random() != actor_stream(8, "china").random()


def test_value_erodes_at_its_monthly_rates_and_stops_when_the_threat_ends():
    market = Market(users_m=100, base_value=40, erosion_looming=0.02, erosion_biting=0.10)
    clock = ValueClock(market)
    clock.set(0, Threat.LOOMING)
    assert clock.factor(30) == pytest.approx(0.98)
    clock.set(30, Threat.BITING, extra_severity=0.05)
    assert clock.factor(90) == pytest.approx(0.98 * 0.85**2)
    clock.set(90, Threat.NONE)
    assert clock.factor(400) == pytest.approx(0.98 * 0.85**2)
    assert clock.days_biting(400) == 60
