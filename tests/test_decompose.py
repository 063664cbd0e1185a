"""Whose obstacles: the Shapley decomposition by actor adds up, and gives nothing to an actor
that has no say in a scenario."""

from __future__ import annotations

import json

import numpy as np
from click.testing import CliRunner
from conftest import SCENARIOS

from sim import load_scenario
from sim.analysis.decompose import decompose, shapley_weights
from sim.cli import cli
from sim.runs.backends import Execution


def test_shapley_weights_share_out_exactly_the_whole_gap():
    """For any v, the shares add up to v(all removed) - v(none removed); a factor that changes
    nothing gets nothing."""
    rng = np.random.default_rng(0)
    weights = shapley_weights(3)
    v = rng.random(8)
    assert np.isclose((weights @ v).sum(), v[-1] - v[0])
    dummy = np.array([v[c[1] * 2 + c[2]] for c in np.ndindex(2, 2, 2)])  # v ignores factor 0
    assert np.isclose((weights @ dummy)[0], 0.0)


def test_an_actor_without_a_say_gets_no_share():
    """tiktok_2020 has no catalogue update: China never rules, so its two factors change no run
    and get exactly zero; the shares add up to the gap."""
    d = decompose(load_scenario(SCENARIOS / "tiktok_2020.yaml"), runs=100, seed=0, execution=Execution(workers=1))
    for _, rows in d.table.groupby("outcome"):
        home = rows[rows["factor"].isin(["home_timing", "home_refusal"])]
        assert (home["share"] == 0).all() and (home["lo"] == 0).all() and (home["hi"] == 0).all()
        gap = rows["p_all_removed"].iloc[0] - rows["p_as_is"].iloc[0]
        assert abs(rows["share"].sum() - gap) < 1e-3


def test_cli_decompose_writes_its_files(tmp_path):
    out = tmp_path / "dec"
    result = CliRunner().invoke(
        cli,
        [
            "decompose",
            str(SCENARIOS / "tiktok_2020.yaml"),
            "--runs",
            "20",
            "--out",
            str(out),
            "--quiet",
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads((out / "decomposition.json").read_text())
    assert set(data["outcomes"]) == {"closed_by_deadline", "closed"}
    assert (out / "decomposition.csv").exists() and list(out.rglob("decomposition.png"))
