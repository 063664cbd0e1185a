"""Paired comparisons with common random numbers."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import SCENARIOS

from sim import load_scenario
from sim.analysis.compare import compare, comparison_json, paired_bootstrap, paired_difference
from sim.cli import cli
from sim.runs.backends import Execution
from sim.runs.stats import wilson_interval

ECR = SCENARIOS / "export_control_review.yaml"


def test_a_scenario_compared_with_itself_differs_in_nothing(export_control):
    c = compare([export_control, export_control], runs=400, seed=3, execution=Execution(workers=1))
    label = c.labels[1]
    assert c.labels == ["export_control_review", "export_control_review#2"]
    assert c.changed(label) == 0
    rows = c.table[c.table["scenario"] == label]
    assert (rows["diff"].astype(float) == 0).all()
    probs = rows[rows["kind"] == "probability"]
    assert ((probs["diff_lo"] <= 0) & (probs["diff_hi"] >= 0)).all()
    data = comparison_json(c)
    assert data["scenarios"][label]["changed_outcome"] == 0
    assert all(o["diff"] == 0 for o in data["scenarios"][label]["outcomes"].values())


def test_a_change_after_the_catalogue_update_leaves_earlier_closes_alone():
    """Hardening China's stance only matters once the catalogue lists the technology: no run
    whose deal closed before the update changes, while later runs do."""
    late = {"events.catalogue_update.date": "2020-12-15", "events.consent_any_sale.date": "2020-12-15"}
    a = load_scenario(ECR, late)
    b = load_scenario(ECR, {**late, "reviewers.china.utility.deny": 5.0, "home.tension": 1.0})
    c = compare([a, b], runs=600, seed=1, execution=Execution(workers=1))
    ra, rb = c.results[0].runs, c.results[1].runs
    early = ra["close_date"].notna() & (ra["close_date"] < "2020-12-15")
    assert early.sum() > 50
    for column in ("outcome", "close_date", "winner", "price", "extensions"):
        assert ra.loc[early, column].equals(rb.loc[early, column]), column
    assert c.changed(c.labels[1]) > 0


def test_paired_difference_properties():
    rng = np.random.default_rng(0)
    a = rng.random(500) < 0.4
    b = a.copy()
    flip = rng.random(500) < 0.1
    b[flip] = ~b[flip]
    diff, lo, hi = paired_difference(a, b)
    assert diff == pytest.approx(b.mean() - a.mean())
    assert lo <= diff <= hi
    d2, lo2, hi2 = paired_difference(b, a)  # swapping the arms flips the sign
    assert d2 == pytest.approx(-diff) and lo2 == pytest.approx(-hi) and hi2 == pytest.approx(-lo)
    _, wide_lo, wide_hi = paired_difference(a[:50], b[:50])
    assert wide_hi - wide_lo > hi - lo  # fewer pairs, wider interval


def pairs(both: int, only_a: int, only_b: int, neither: int) -> tuple[np.ndarray, np.ndarray]:
    """The two arms of a paired 2x2 table."""
    a = np.repeat([True, True, False, False], [both, only_a, only_b, neither])
    b = np.repeat([True, False, True, False], [both, only_a, only_b, neither])
    return a, b


def test_newcombe_continuity_correction_on_a_published_table():
    """Bentur et al. (2009), airway hyper-responsiveness before and after stem cell transplantation:
    1 both, 1 before only, 7 after only, 12 neither (21 children), the worked example of Fagerland,
    Lydersen and Laake (2014, 2017) and of the ratesci package's paired vignette.

    There AD - BC = 12 - 7 = 5 is below N/2 = 10.5, so the corrected correlation is 0 (ratesci
    prints phi_hat 0.0795 and phi_c 0), and the interval is the two Wilson intervals added in
    squares: -0.2857 (-0.5069 to -0.0256). Without the correction (phi 0.0795) it would be
    narrower, -0.5017 to -0.0361.
    """
    before, after = pairs(1, 1, 7, 12)
    diff, lo, hi = paired_difference(before, after)  # after minus before: 8/21 - 2/21
    assert diff == pytest.approx(6 / 21)
    assert (lo, hi) == pytest.approx((0.0256, 0.5069), abs=1e-4)
    # square-and-add with phi = 0, by hand from the Wilson limits
    (la, ua), (lb, ub) = wilson_interval(2, 21), wilson_interval(8, 21)
    pa, pb = 2 / 21, 8 / 21
    assert lo == pytest.approx(diff - math.hypot(pb - lb, ua - pa))
    assert hi == pytest.approx(diff + math.hypot(ub - pb, pa - la))


def test_newcombe_keeps_a_negative_correlation_and_shrinks_a_large_one():
    a, b = pairs(59, 6, 16, 80)  # Cavo et al. (2012): AD - BC = 4,624, far above N/2
    n = 161
    phi = (59 * 80 - 6 * 16 - n / 2) / math.sqrt(65 * 96 * 75 * 86)
    _, lo, hi = paired_difference(a, b)
    (la, ua), (lb, ub) = wilson_interval(65, n), wilson_interval(75, n)
    pa, pb = 65 / n, 75 / n
    d = pb - pa
    assert lo == pytest.approx(d - math.sqrt((pb - lb) ** 2 - 2 * phi * (pb - lb) * (ua - pa) + (ua - pa) ** 2))
    assert hi == pytest.approx(d + math.sqrt((ub - pb) ** 2 - 2 * phi * (ub - pb) * (pa - la) + (pa - la) ** 2))


def test_pairing_narrows_the_interval():
    """Highly correlated pairs give a narrower interval than the same margins unpaired would."""
    a = np.array([True] * 300 + [False] * 700)
    b = a.copy()
    b[:30] = False  # 30 runs move, no other change
    _, lo, hi = paired_difference(a, b)
    assert hi - lo < 0.05  # an unpaired Newcombe interval for 0.30 vs 0.27 is about 0.08 wide


def test_paired_bootstrap_of_medians():
    rng = np.random.default_rng(1)
    a = rng.normal(100, 10, 400)
    b = a + 5
    diff, lo, hi = paired_bootstrap(a, b, np.median, np.random.default_rng(2))
    assert diff == pytest.approx(5) and lo == pytest.approx(5) and hi == pytest.approx(5)


def test_cli_compare_writes_its_files(tmp_path):
    out = tmp_path / "cmp"
    result = CliRunner().invoke(
        cli,
        [
            "compare",
            str(SCENARIOS / "tiktok_2020.yaml"),
            str(ECR),
            "--runs",
            "200",
            "--out",
            str(out),
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads((out / "comparison.json").read_text())
    entry = data["scenarios"]["export_control_review"]["outcomes"]["closed_by_deadline"]
    assert set(entry) == {"p", "ci95", "diff", "diff_ci95"} and entry["diff"] < 0
    assert {p.name for p in (out / "figures").iterdir()} == {
        "compare_differences.png",  # the paired differences, the command's point, as a forest plot
        "compare_outcomes.png",
        "compare_close_dates.png",
        "transitions_export_control_review.png",
    }
    assert (out / "transitions.csv").read_text().startswith("reference_outcome,outcome,runs,scenario")


def test_cli_compare_needs_two(tmp_path):
    result = CliRunner().invoke(cli, ["compare", str(ECR), "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "at least two scenarios" in result.stderr
