"""The deal-terms vocabulary: what a structure says, in the scenario's own words.

A scenario declares its ``terms:``, the dimensions along which its structures differ (TikTok's
seller stake, algorithm, data custody...; a chip deal's proxy board, IP ring-fencing, supply
assurances), each a number from 0 to 1 (a share, or 1/0 for yes/no) or one of named levels.
Every structure gives a value on every dimension. Reviewers and the executive weigh the terms
with :data:`TermWeights` (a number per unit of a numeric dimension, a number per level of a
categorical one), and tests on the terms (an order's divestment test, what an export licence
covers, what a bidder accepts) are :data:`TermsCondition` mappings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ConfigDict, PrivateAttr, model_validator

from sim.scenario.schema.base import Spec, param


class TermDimension(Spec):
    """One dimension of the deal-terms vocabulary."""

    label: str = param(..., "text", "What the dimension is, for the narrative and the reference.")
    levels: list[str] | None = param(
        None,
        "names",
        "The levels of a categorical dimension (e.g. transfer, licence, kept); none for a number from 0 to 1 "
        "(a share, or yes/no written true/false).",
    )

    @property
    def numeric(self) -> bool:
        """Whether the dimension is a number (else one of its levels)."""
        return self.levels is None


class Bound(Spec):
    """A numeric dimension's allowed range in a condition."""

    min: float = param(0.0, "as the dimension", "Lowest value allowed.")
    max: float = param(1.0, "as the dimension", "Highest value allowed.")


TermWeights = dict[str, float | dict[str, float]]
"""Weights of the terms: dimension -> a number per unit (numeric) or {level: number} (categorical)."""

TermsCondition = dict[str, list[str] | bool | Bound]
"""A test of the terms: dimension -> allowed levels, a range, or true/false (a yes/no dimension is 1/0)."""


class Structure(Spec):
    """The terms of one way to do the deal: a label, and its value on the dimensions of the scenario's ``terms``.

    Written flat: ``{label: "TikTok Global", seller_stake: 0.8, algorithm: licence}``; a yes/no
    dimension takes true or false. A categorical dimension must be given; a numeric one not given
    is 0 (no stake, no). Reviewers judge a deal by these terms.
    """

    model_config = ConfigDict(frozen=True, extra="allow", allow_inf_nan=False)
    _values: dict[str, float | str] = PrivateAttr(default_factory=dict)

    label: str = param(..., "text", "Name used in the narrative.")
    seller_keeps: bool = param(
        False,
        "yes/no",
        "Not a sale: the seller keeps the business under a security agreement with the host (mitigation instead "
        "of divestment, as TikTok's later national-security agreement talks); approved and closed, the run ends "
        "`mitigated`, not closed.",
    )

    @model_validator(mode="before")
    @classmethod
    def _plain_values(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            for key, value in data.items():
                if key in cls.model_fields:
                    continue
                if not isinstance(value, bool | int | float | str):
                    raise ValueError(f"{key} = {value!r}: a term is a number from 0 to 1, true/false or a level's name")
        return data

    def model_post_init(self, context: Any) -> None:
        """Keep the terms' values ready (a run reads them often)."""
        values = {k: float(v) if isinstance(v, bool | int) else v for k, v in (self.model_extra or {}).items()}
        object.__setattr__(self, "_values", values)

    def value(self, dimension: str) -> float | str:
        """One term's value: a number (yes/no as 1/0; a numeric term not given is 0) or a level's name."""
        return self._values.get(dimension, 0.0)


_KNOWN: dict[tuple[int, int, float | None], tuple[object, Structure, Any]] = {}  # score's and meets' answers
_KNOWN_MAX = 4096


def _known(weights: object, structure: Structure, start: float | None) -> Any:
    """The answer already worked out for these very objects (both are immutable in a run), or None."""
    hit = _KNOWN.get((id(weights), id(structure), start))
    if hit is not None and hit[0] is weights and hit[1] is structure:
        return hit[2]
    return None


def _remember(weights: object, structure: Structure, start: float | None, answer: Any) -> Any:
    if len(_KNOWN) >= _KNOWN_MAX:
        _KNOWN.clear()
    _KNOWN[id(weights), id(structure), start] = (weights, structure, answer)  # holding both keeps the ids theirs
    return answer


def score(weights: Mapping[str, float | Mapping[str, float]], structure: Structure, start: float = 0.0) -> float:
    """``start`` plus the weighted terms, added in the weights' own order (a level without a weight adds 0).

    Remembered for the same weights and structure: a run asks again and again, and so do its
    ensemble's other runs.
    """
    total = _known(weights, structure, start)
    if total is not None:
        return total
    total = start
    for dimension, weight in weights.items():
        value = structure.value(dimension)
        if isinstance(weight, Mapping):
            total += weight.get(str(value), 0.0)
        else:
            total += weight * float(value)
    return _remember(weights, structure, start, total)


def meets(condition: Mapping[str, list[str] | bool | Bound], structure: Structure) -> bool:
    """Whether a structure's terms pass a condition (every dimension it names); remembered as ``score`` is."""
    passes = _known(condition, structure, None)
    if passes is None:
        passes = _remember(condition, structure, None, _passes(condition, structure))
    return passes


def _passes(condition: Mapping[str, list[str] | bool | Bound], structure: Structure) -> bool:
    for dimension, allowed in condition.items():
        value = structure.value(dimension)
        if isinstance(allowed, bool):
            if float(value) != float(allowed):
                return False
        elif isinstance(allowed, Bound):
            if not allowed.min <= float(value) <= allowed.max:
                return False
        elif value not in allowed:
            return False
    return True
