"""Shared fixtures: paths to the shipped scenarios and a way to write small scenario files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sim import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SHIPPED = sorted(SCENARIOS.glob("*.yaml"))

WEIGHTS = ROOT / "tests" / "data" / "weights.yaml"  # every behavioural weight, for the scenarios tests write

MINIMAL = (
    f"extends: {WEIGHTS}\n"
    + """\
name: minimal
start: 2020-08-01
horizon: 2021-06-30
market: {users_m: 100, base_value: 40}
structures:
  full_sale: {label: full sale, seller_stake: 0, algorithm: transfer, data_custody: buyer}
seller:
  structure_preference: {full_sale: 1.0}
  bid_deadline: 2020-09-15
bidders:
  acme: {label: Acme, standing: 0.5, p_drop_out: 0.1, p_return: 0.0, valuation: {low: 20, high: 30}, offers: full_sale}
instruments:
  ban_order: {kind: ban, date: 2020-08-06, postpone: {p_if_deal_progressing: 0.5, p_otherwise: 0.0}}
  divestiture_order:
    kind: divestiture_order
    date: 2020-08-14
    deadline: 2020-11-12
    extensions: {decided_by: cfius, max: 2, base: -1.0, deal_under_review: 2.0, deal_blessed: 1.0, lame_duck: 0.0}
    enforcement: {base: 0.0, no_deal: 1.0, new_administration: -2.0, lame_duck: 0.0}
"""
)


@pytest.fixture(scope="session")
def tiktok():
    return load_scenario(SCENARIOS / "tiktok_2020.yaml")


@pytest.fixture(scope="session")
def export_control():
    return load_scenario(SCENARIOS / "export_control_review.yaml")


@pytest.fixture
def write(tmp_path):
    """Write a YAML file (dedented) under tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text))
        return path

    return _write


@pytest.fixture
def minimal(write):
    return write("minimal.yaml", MINIMAL)
