"""Figures: drawn from a result, onto a given Axes or saved as files."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim import run_ensemble  # noqa: E402
from sim.present.figures import (  # noqa: E402
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
    assert representative_run(result, "blocked_by_home") in set(
        result.runs.loc[result.runs["outcome"] == "blocked_by_home", "run_id"]
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
