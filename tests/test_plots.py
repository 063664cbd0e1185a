"""Figures: drawn from a result, onto a given Axes or saved as files."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import itertools  # noqa: E402
import re  # noqa: E402

import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

from sim import run_ensemble  # noqa: E402
from sim.present.figures import (  # noqa: E402
    _segment_distance,
    _strip,
    _strips_meet,
    plot_close_dates,
    plot_outcomes,
    plot_timeline,
    plot_winners,
    representative_run,
    save_figures,
)
from sim.runs.backends import Execution


@pytest.fixture(scope="module")
def result(export_control):
    return run_ensemble(export_control, runs=150, seed=0, execution=Execution(workers=1))


@pytest.mark.parametrize("draw", [plot_outcomes, plot_close_dates, plot_timeline, plot_winners])
def test_draws_on_the_given_axes(result, draw):
    """Each plot draws on the Axes it is given, with a title and axis labels."""
    ax = Figure().add_subplot()
    assert draw(result, ax=ax) is ax
    assert ax.get_title()
    assert ax.get_xlabel() or ax.get_ylabel()


def test_close_dates_marks_the_deadline(result):
    ax = plot_close_dates(result, ax=Figure().add_subplot())
    labels = [line.get_label() for line in ax.get_lines()]
    assert any("first deadline 2020-11-12" in label for label in labels)


def test_representative_run_has_the_most_common_outcome(result):
    run_id = representative_run(result)
    common = result.runs["outcome"].value_counts().idxmax()
    assert result.runs.set_index("run_id").loc[run_id, "outcome"] == common
    assert representative_run(result, "withdrawn") in set(
        result.runs.loc[result.runs["outcome"] == "withdrawn", "run_id"]
    )


def test_save_figures_writes_four_pngs(result, tmp_path):
    paths = save_figures(result, tmp_path)
    assert sorted(p.name for p in paths) == [
        "close_dates.png",
        "outcomes.png",
        "timeline.png",
        "winners.png",
    ]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in paths)


def test_the_delay_figure_of_a_result_without_attribution_says_how_to_get_one(result):
    """run_ensemble attributes no run by default (sim run attributes 1,000): a clear error, not a KeyError."""
    from sim.present.figures import plot_delay_attribution

    with pytest.raises(ValueError, match=r"attribution=1000"):
        plot_delay_attribution(result)


def test_close_dates_mark_the_first_deadline_the_election_and_the_horizon(result):
    ax = plot_close_dates(result, ax=Figure().add_subplot())
    labels = [line.get_label() for line in ax.get_lines()]
    assert any(label.startswith("first deadline 2020-11-12") for label in labels)
    assert any(label.startswith("election 2020-11-03") for label in labels)
    assert any(label.startswith("horizon 2021-06-30") for label in labels)
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks and all(any(year in t for year in ("2020", "2021")) for t in ticks)  # every tick has its year


def test_the_timeline_names_its_outcome_and_keeps_lane_names_short(result):
    ax = plot_timeline(result, ax=Figure().add_subplot())
    outcome = result.runs.set_index("run_id").loc[representative_run(result), "outcome"]
    assert outcome.replace("_", " ") in [t.get_text() for t in ax.texts]
    for tick in ax.get_yticklabels():
        assert all(len(line) <= 29 for line in tick.get_text().splitlines()) and tick.get_text().count("\n") <= 1


def test_the_timeline_leaves_out_labels_that_would_run_into_another(result):
    """A label rotated into the lane above can collide with a neighbour lane's label: as drawn, no two
    labels' slanted strips meet, and every event of the run has a label or is counted as left out."""
    fig = Figure(figsize=(12, 6), layout="constrained")
    ax = plot_timeline(result, ax=fig.add_subplot())
    fig.draw_without_rendering()
    labels = [t for t in ax.texts if isinstance(t, Annotation)]
    strips = [_strip(t.get_window_extent(), t.get_rotation()) for t in labels]
    assert not [(a, b) for a, b in itertools.combinations(strips, 2) if _strips_meet(a, b)]
    run = result.events[result.events["run_id"] == representative_run(result)]
    left_out = int(re.search(r"(\d+) labels of events", ax.get_xlabel()).group(1))
    assert len(labels) + left_out == len(run) and left_out > 0 and len(labels) > 10


def test_a_slanted_label_s_strip_and_the_distance_between_two():
    """A 30-degree label's box gives back its text's length and height; strips meet when their centre
    lines come closer than their half thicknesses, crossing or side by side."""
    from matplotlib.transforms import Bbox

    w, h = 100.0, 10.0
    c, s = 3**0.5 / 2, 0.5
    box = Bbox.from_bounds(0.0, 0.0, w * c + h * s, w * s + h * c)
    start, end, thickness = _strip(box, 30)
    assert thickness == pytest.approx(h) and (end[0] - start[0]) == pytest.approx(w * c)
    assert _segment_distance((0, 0), (10, 0), (5, -5), (5, 5)) == 0.0  # crossing
    assert _segment_distance((0, 0), (10, 0), (0, 3), (10, 3)) == pytest.approx(3.0)  # parallel
    assert _segment_distance((0, 0), (10, 0), (13, 4), (20, 4)) == pytest.approx(5.0)  # end to end
    assert _strips_meet(((0, 0), (10, 0), 4.0), ((0, 3), (10, 3), 4.0))
    assert not _strips_meet(((0, 0), (10, 0), 2.0), ((0, 3), (10, 3), 2.0))


def test_svg_figures_are_written_on_request_and_identical_each_time(tmp_path):
    from click.testing import CliRunner

    from sim.cli import cli

    for name in ("a", "b"):
        args = [
            "run",
            "tiktok_2020",
            "--runs",
            "30",
            "--svg",
            "--no-report",
            "--workers",
            "1",
            "--out",
            str(tmp_path / name),
        ]
        assert CliRunner().invoke(cli, args).exit_code == 0
    for figure in ("outcomes", "close_dates", "timeline"):
        a, b = (tmp_path / n / "figures" / f"{figure}.svg" for n in ("a", "b"))
        assert a.read_bytes() == b.read_bytes() and b"<svg" in a.read_bytes()


def test_sobol_bars_outside_zero_to_one_are_marked_and_morris_shows_direction_and_sigma():
    import pandas as pd

    from sim.analysis.sensitivity import SensitivityResult
    from sim.present.figures import plot_sensitivity

    sobol = pd.DataFrame(
        {"parameter": ["a.b", "c.d"], "label": ["a.b", "tension"], "S1": [-0.2, 0.3], "S1_conf": [0.1, 0.1],
         "ST": [1.2, 0.4], "ST_conf": [0.2, 0.1]}
    )  # fmt: skip
    found = SensitivityResult("s", "sobol", "closed_by_deadline", 8, 20, 0, sobol, pd.DataFrame(), 0.1)
    ax = plot_sensitivity(found, ax=Figure().add_subplot())
    assert any("outside 0 to 1" in t.get_text() for t in ax.texts)
    morris = pd.DataFrame(
        {"parameter": ["a.b", "c.d"], "label": ["reviewers.cfius.response_days.median", "tension"],
         "mu_star": [0.3, 0.1], "mu_star_conf": [0.05, 0.02], "sigma": [0.2, 0.05], "mu": [-0.3, 0.1]}
    )  # fmt: skip
    found = SensitivityResult("s", "morris", "closed_by_deadline", 8, 20, 0, morris, pd.DataFrame(), 0.1)
    ax = plot_sensitivity(found, ax=Figure().add_subplot())
    assert ax.get_ylabel().startswith("sigma") and ax.get_xlabel().startswith("mu*")
    assert {"raises P (mu > 0)", "lowers P (mu < 0)"} <= {t.get_text() for t in ax.get_legend().get_texts()}
    assert "cfius > response days > median" in [t.get_text() for t in ax.texts]  # words, not a snake_case path
