"""The dashboard's parts without a browser: controls from the declared parameters, Mesa's Reset, the ensemble."""

from __future__ import annotations

import pytest
from conftest import ROOT, SCENARIOS

pytest.importorskip("solara")  # the dashboard extra; the test extra installs it

from mesa.visualization.solara_viz import _build_model_init_kwargs, _check_model_params  # noqa: E402

from sim.analysis.compare import paired_difference  # noqa: E402
from sim.present import dashboard  # noqa: E402
from sim.runs.ensemble import run_ensemble  # noqa: E402
from sim.scenario.load import load_scenario  # noqa: E402

ECR = SCENARIOS / "export_control_review.yaml"
README = " ".join((ROOT / "README.md").read_text().split())  # its words, whatever the line breaks


@pytest.fixture
def ecr(monkeypatch):
    monkeypatch.setenv(dashboard.SCENARIO_ENV, str(ECR))
    dashboard.deal_scenario.cache_clear()
    dashboard._played.cache_clear()
    yield load_scenario(ECR)
    dashboard.deal_scenario.cache_clear()
    dashboard._played.cache_clear()


def test_controls_are_the_declared_parameters_at_their_values(ecr):
    controls = dashboard.controls(ecr)
    assert list(controls) == list(ecr.declared_parameters)
    grant = controls["china_grant"]
    assert grant["type"] == "SliderFloat" and (grant["min"], grant["max"]) == (0.0, 3.0)
    assert grant["value"] == ecr.reviewers["china"].utility.grant
    proposes = controls["seller_proposes"]  # a list of one structure, chosen as its item
    assert proposes["type"] == "Select" and proposes["values"] == [
        "partner_no_transfer",
        "trusted_partner",
        "licensed_algorithm",
    ]
    assert [proposes["value"]] == ecr.seller.proposes


def test_mesa_reset_makes_the_dashboard_model_again_with_the_sidebar_values(ecr):
    """SolaraViz's Reset passes the sidebar's values and Mesa's own scenario object: both are taken."""
    model = dashboard.DashboardModel(rng=0)
    params = {"rng": dashboard.SEED, **dashboard.controls(ecr)}
    _check_model_params(model, params)  # what SolaraViz checks when it starts
    kwargs = _build_model_init_kwargs(
        model, {"rng": 4, "china_grant": 0.25}, add_scenario_when_empty=True, require_model_accepts_scenario=True
    )
    again = type(model)(**kwargs)
    assert again.run_seed == 4 and again.deal_scenario.reviewers["china"].utility.grant == 0.25
    assert again.deal_scenario.name == ecr.name


def test_the_ensemble_view_pairs_the_setting_with_the_scenario_as_it_is(ecr):
    found = dashboard.ensemble(
        {**{k: c["value"] for k, c in dashboard.controls(ecr).items()}, "cfius_mitigation": -50.0}, runs=300, seed=0
    )
    assert found["changed"] == {"cfius_mitigation": -50.0}
    base = run_ensemble(ecr, runs=300, seed=0, events="none")
    assert found["as it is"]["outcomes"] == base.summary["outcomes"]
    moved = load_scenario(ECR, {"reviewers.cfius.accept_mitigation": -50.0})
    assert found["as set"]["outcomes"] == run_ensemble(moved, runs=300, seed=0, events="none").summary["outcomes"]
    # a CFIUS that never accepts mitigation of a structure failing the order's test closes fewer deals
    before, after = (found[w]["outcomes"]["closed_after_deadline"]["p"] for w in ("as it is", "as set"))
    assert after < before
    d, low, high = paired_difference(
        found["as it is"]["by_run"] == "closed_after_deadline", found["as set"]["by_run"] == "closed_after_deadline"
    )
    assert high < 0
    # the README quotes this very comparison
    assert f"from {before:.2f} to {after:.2f}" in README
    assert f"paired difference {d:+.2f}, 95% CI {low:+.2f} to {high:+.2f}" in README


def test_nothing_changed_runs_once(ecr):
    found = dashboard.ensemble({k: c["value"] for k, c in dashboard.controls(ecr).items()}, runs=50, seed=1)
    assert found["changed"] == {} and found["as set"] is found["as it is"]


def test_a_busy_port_is_refused_in_one_line(tmp_path):
    """A port another program listens on: one line naming the option and what to do, exit 2, no server started."""
    import socket

    from click.testing import CliRunner

    from sim.cli import cli

    with socket.socket() as holder:
        holder.bind(("localhost", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = CliRunner().invoke(cli, ["dashboard", str(ECR), "--port", str(port)])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: --port {port}: already in use on localhost; choose another, or --port 0 for any free one"
    ]
