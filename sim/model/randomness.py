"""Seeds, per-actor random streams, random durations and stochastic choices.

One way in for randomness: a run's seed is derived from the ensemble's master seed and the run's
index alone (:func:`run_seed`), so results do not depend on how runs are split among workers.
Within a run, each actor draws from its own stream keyed by (run seed, actor id)
(:func:`actor_stream`): changing one actor's parameters does not reshuffle the others' draws,
which is what paired comparisons with common random numbers rely on.

The actors' streams are the standard library's Mersenne Twister (:class:`Stream`): seeding one
costs a few microseconds and a scalar draw tens of nanoseconds, against tens of microseconds and
half a microsecond for a numpy Generator, and a run makes a few dozen scalar draws.
:data:`STREAM_VERSION` names the kind of stream; results and saved runs record it, and a saved
run is not resumed across versions.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import math
import random
from functools import lru_cache

import numpy as np

from sim.scenario.schema import Duration

_Z90 = 1.2815515655446004  # standard normal quantile of 0.9

STREAM_VERSION = 2  # 1: a numpy PCG64 Generator per actor; 2: a stdlib Mersenne Twister per actor


def run_seed(master: int, index: int) -> int:
    """The seed of run ``index`` of an ensemble with master seed ``master`` (a 63-bit int).

    It is ``SeedSequence(master).spawn(...)[index]`` without spawning the ones before it.
    """
    seq = np.random.SeedSequence(master, spawn_key=(index,))
    return int(seq.generate_state(1, np.uint64)[0] >> np.uint64(1))


@lru_cache(maxsize=1024)
def _actor_key(actor_id: str) -> int:
    """A stable integer for an actor id (Python's hash() changes between processes)."""
    return int.from_bytes(hashlib.blake2b(actor_id.encode(), digest_size=8).digest(), "little")


class Stream(random.Random):
    """An actor's random stream.

    The standard library's generator, with the two numpy-style draws the model uses besides
    ``random()``.
    """

    def standard_normal(self) -> float:
        """A standard normal draw."""
        return self.gauss(0.0, 1.0)

    def integers(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high - 1``."""
        return self.randrange(low, high)


def actor_stream(seed: int, actor_id: str) -> Stream:
    """The random stream of one actor in the run with this seed.

    Keyed by the pair: the 63-bit run seed above the actor id's 64-bit key, one 127-bit seed.
    """
    return Stream((seed << 64) | _actor_key(actor_id))


def draw_duration(rng: Stream, d: Duration) -> int:
    """Draw a duration in whole units (days or working days), clipped to [min, max].

    It always consumes one normal draw, fixed duration or not, so that fixing a stage's length
    (a counterfactual) leaves every later draw of the actor unchanged.
    """
    z = rng.gauss(0.0, 1.0)  # rng.standard_normal(), without a call in between
    p90 = d.ninetieth
    value = d.median if p90 == d.median else d.median * math.exp(math.log(p90 / d.median) / _Z90 * z)
    if value < d.min:
        value = d.min
    if d.max is not None and value > d.max:
        value = d.max
    return max(0, round(value))


def logistic(x: float) -> float:
    """The logistic function: the probability of "yes" for a utility of ``x`` logits."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def choice_probabilities(utilities: dict[str, float], temperature: float = 1.0) -> dict[str, float]:
    """Logit (softmax) probabilities of options with these utilities."""
    top = max(utilities.values())
    weights = {k: math.exp((u - top) / temperature) for k, u in utilities.items()}
    total = sum(weights.values())
    return {k: w / total for k, w in weights.items()}


def logit_choice(rng: Stream, utilities: dict[str, float], temperature: float = 1.0) -> tuple[str, dict[str, float]]:
    """Choose one option with logit probabilities; returns the choice and all probabilities.

    Options are visited in the dict's order, so the same draw picks the same option.
    """
    probs = choice_probabilities(utilities, temperature)
    u = rng.random()
    acc = 0.0
    chosen = next(iter(probs))
    for option, p in probs.items():
        acc += p
        chosen = option
        if u < acc:
            break
    return chosen, probs


def odds_text(probs: dict[str, float]) -> str:
    """Probabilities of a choice's options for the event log: ``p(extend)=0.62, ...``."""
    return ", ".join(f"p({k})={v:.2f}" for k, v in probs.items())


class WorkCalendar:
    """Working days (Monday to Friday, less holidays) counted in days from a start date."""

    def __init__(
        self, start: dt.date, holidays: tuple[dt.date, ...] = (), span_days: int = 6000, days: tuple[int, ...] = ()
    ):
        self._days = list(days) if days else _working_days(start, tuple(sorted(holidays)), span_days)

    def add(self, day: int, n: int) -> int:
        """The day on which ``n`` working days after ``day`` have passed (``day`` if n is 0)."""
        if n <= 0:
            return day
        i = bisect.bisect_right(self._days, day) + n - 1
        if i < len(self._days):
            return self._days[i]
        return day + math.ceil(n * 7 / 5)  # beyond the table: about five working days a week


@lru_cache(maxsize=64)
def work_calendar(start: dt.date, kind: str, holidays: tuple[dt.date, ...] = ()) -> WorkCalendar:
    """The working days of a government: ``weekdays``, ``us_federal`` or ``prc``, less ``holidays``.

    ``us_federal`` takes the US federal holidays with their observed days (5 U.S.C. 6103, from
    the holidays package: Juneteenth from 2021, a Saturday holiday observed the Friday before).
    ``prc`` takes the State Council's public holidays and weekend make-up working days from the
    chinesecalendar package (updated each year from the official notices); beyond its last
    year it falls back to weekdays. No maintained package knows the make-up days any other way.
    """
    if kind == "prc":
        off = {(d - start).days for d in holidays}
        return WorkCalendar(start, holidays, days=tuple(d for d in _prc_working_days(start) if d not in off))
    if kind == "us_federal":
        return WorkCalendar(start, tuple(sorted({*holidays, *_us_federal_holidays(start)})))
    return WorkCalendar(start, holidays)


@lru_cache(maxsize=16)
def _us_federal_holidays(start: dt.date, span_days: int = 6000) -> tuple[dt.date, ...]:
    import holidays as calendars

    years = range(start.year, (start + dt.timedelta(days=span_days)).year + 1)
    return tuple(sorted(calendars.US(years=years, observed=True)))


@lru_cache(maxsize=16)
def _prc_working_days(start: dt.date, span_days: int = 6000) -> tuple[int, ...]:
    """PRC working days from the package's years; weekdays before its first year (2004), none after its last."""
    import chinese_calendar

    known = chinese_calendar.constants.holidays
    first, last = dt.date(min(known).year, 1, 1), dt.date(max(known).year, 12, 31)
    end = min(start + dt.timedelta(days=span_days - 1), last)
    if end < start:
        return ()
    before = [d for d in _working_days(start, (), span_days) if start + dt.timedelta(days=d) < first]
    lo = max(start, first)
    return (*before, *((d - start).days for d in chinese_calendar.get_workdays(lo, end) if lo <= end))


@lru_cache(maxsize=64)
def _working_days(start: dt.date, holidays: tuple[dt.date, ...], span_days: int) -> list[int]:
    days = np.arange(span_days)
    dates = np.datetime64(start, "D") + days
    mask = np.is_busday(dates, holidays=list(holidays))
    return days[mask].tolist()
