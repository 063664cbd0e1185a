"""The plotly.js a report inlines: the lightest bundle that draws every figure on the page.

plotly's own bundle is 4.8 MB and draws every trace type; the cartesian bundle shipped in
``assets/`` (plotly.js's own partial build, 1.5 MB) draws the types below, which are all a report
of this tool uses today. A page with no figure inlines nothing. A figure of any other type (a
``scattergl`` that plotly express picks for large scatters, say), or an installed ``plotly`` that
carries another plotly.js version than the shipped bundle, gets the full bundle: the page always
draws, it is only heavier.
"""

from __future__ import annotations

import re
from pathlib import Path

CARTESIAN_VERSION = "4.1.1"
CARTESIAN_TRACES = frozenset(
    {
        "bar",
        "box",
        "contour",
        "heatmap",
        "histogram",
        "histogram2d",
        "histogram2dcontour",
        "image",
        "pie",
        "scatter",
        "scatterternary",
        "violin",
    }
)
CARTESIAN = Path(__file__).with_name("assets") / f"plotly-cartesian-{CARTESIAN_VERSION}.min.js"

_TRACES = re.compile(r'data-plotly-traces="([a-z0-9,]*)"')


def mark_traces(div: str, traces: set[str]) -> str:
    """A figure's div, wrapped so that :func:`bundle_for` can tell which trace types it draws."""
    return f'<div data-plotly-traces="{",".join(sorted(traces))}">{div}</div>'


def traces_in(page: str) -> set[str]:
    """The trace types of every figure marked on a page."""
    return {t for found in _TRACES.findall(page) for t in found.split(",") if t}


def bundle_for(page: str) -> tuple[str, str]:
    """The plotly.js to inline in ``page`` and its name: ``("", "none")`` if it has no figure."""
    if "plotly-graph-div" not in page:
        return "", "none"
    import plotly.offline

    traces = traces_in(page)
    if (
        traces
        and traces <= CARTESIAN_TRACES
        and plotly.offline.get_plotlyjs_version() == CARTESIAN_VERSION
        and CARTESIAN.is_file()
    ):
        return CARTESIAN.read_text(encoding="utf-8"), f"plotly.js {CARTESIAN_VERSION} cartesian"
    return plotly.offline.get_plotlyjs(), f"plotly.js {plotly.offline.get_plotlyjs_version()} full"
