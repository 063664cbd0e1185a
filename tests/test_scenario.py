"""Loading scenarios: shipped files, extends, overrides, and every kind of bad input."""

from __future__ import annotations

import re

import pytest
from conftest import MINIMAL, SCENARIOS, SHIPPED

from sim import ScenarioError, load_scenario
from sim.scenario.load import parse_override


def problems(exc_info) -> list[str]:
    return exc_info.value.lines()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenarios_load(path):
    """Every shipped scenario validates and is named after its file."""
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    assert scenario.description


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenarios_cite_the_record(path):
    """Each shipped scenario opens with a header naming the facts of the record it uses."""
    header = path.read_text().split("\n\n")[0]
    assert header.startswith("#")
    assert "Facts of the record used here" in header
    assert re.search(r"20\d\d-\d\d-\d\d", header)
    assert load_scenario(path).sources


def test_scenario_is_frozen(tiktok):
    """Validated scenarios cannot be changed by accident."""
    with pytest.raises(Exception, match="frozen"):
        tiktok.market.base_value = 1


def test_extends_merges_mappings_and_adds_events(tiktok, export_control):
    """A child keeps its parent's values, overrides its own, and adds its events."""
    assert export_control.bidders == tiktok.bidders
    assert export_control.reviewers["china"].review_days.median == 25
    assert export_control.reviewers["china"].political == tiktok.reviewers["china"].political
    assert export_control.instruments == tiktok.instruments
    kinds = [e.kind for e in export_control.events]
    assert "catalogue_update" in kinds and "election" in kinds
    assert len(export_control.events) == len(tiktok.events) + 3


def test_child_event_with_same_id_replaces_parent(write, minimal):
    """An event with the id of a parent's event replaces it; remove: true deletes one."""
    parent = write(
        "parent.yaml",
        MINIMAL.replace("name: minimal", "name: parent")
        + """\
events:
  - {id: shock, date: 2020-09-01, kind: tension_change, tension: 0.1}
  - {id: calm, date: 2020-10-01, kind: tension_change, tension: -0.1}
""",
    )
    child = write(
        "child.yaml",
        f"""\
        extends: {parent.name}
        name: child
        events:
          - {{id: shock, date: 2020-09-15, kind: tension_change, tension: 0.3}}
          - {{id: calm, remove: true}}
        """,
    )
    scenario = load_scenario(child)
    assert [(e.id, e.date.isoformat(), e.tension) for e in scenario.events] == [("shock", "2020-09-15", 0.3)]


def test_child_instrument_of_another_kind_replaces_the_parent_s(write, minimal):
    """Instruments merge key by key, but one whose kind changes replaces the parent's whole."""
    child = write(
        "child.yaml",
        """\
        extends: minimal.yaml
        name: child
        instruments:
          divestiture_order: {deadline: 2020-12-01}
          ban_order:
            kind: divestiture_order
            date: 2020-08-06
            deadline: 2021-01-15
            enforcement: {base: 0.0, no_deal: 1.0, new_administration: -2.0, lame_duck: 0.0}
        """,
    )
    scenario = load_scenario(child)
    assert scenario.instruments["divestiture_order"].extensions.max == 2  # merged, not replaced
    assert scenario.first_deadline.isoformat() == "2020-12-01"
    assert scenario.instruments["ban_order"].kind == "divestiture_order"


def test_null_in_child_deletes_parent_key(write, minimal):
    """`bidders: {acme: null}` removes the parent's bidder."""
    child = write("child.yaml", "extends: minimal.yaml\nname: child\nbidders: {acme: null}\n")
    assert load_scenario(child).bidders == {}


def test_extends_absolute_path(write, minimal):
    """extends may name an absolute path."""
    child = write("child.yaml", f"extends: {minimal}\nname: child\n")
    assert load_scenario(child).name == "child"


def test_overrides_are_applied_and_typed(export_control):
    """--set values are read as YAML and land at their key path."""
    scenario = load_scenario(
        SCENARIOS / "export_control_review.yaml",
        {
            "reviewers.china.review_days.median": "90",
            "bidders.oracle.valuation.high": 70,
            "events.catalogue_update.date": "2020-09-15",
        },
    )
    assert scenario.reviewers["china"].review_days.median == 90
    assert scenario.bidders["oracle"].valuation.high == 70
    assert [e.date.isoformat() for e in scenario.events if e.kind == "catalogue_update"] == ["2020-09-15"]


def test_parse_override():
    """KEY=VALUE splits at the first '=' and reads the value as YAML."""
    assert parse_override("home.tension=0.9") == ("home.tension", 0.9)
    assert parse_override("seller.label=a=b") == ("seller.label", "a=b")


# --- bad input: one clear line naming file, key, value and what is allowed --------------------


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError) as e:
        load_scenario(tmp_path / "nope.yaml")
    assert problems(e) == [f"{tmp_path / 'nope.yaml'}: no such file (expected a scenario .yaml file)"]


def test_malformed_yaml_gives_line_and_column(write):
    path = write("bad.yaml", "name: x\nmarket: {users_m: 1\nstart: 2020-01-01\n")
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    (line,) = problems(e)
    assert line.startswith(f"{path}: line 3, column ") and "malformed YAML" in line


def test_duplicate_key_is_an_error(write):
    path = write("dup.yaml", MINIMAL + "name: again\n")
    with pytest.raises(ScenarioError, match=r"line \d+, column \d+: malformed YAML: duplicate key 'name'"):
        load_scenario(path)


def test_unknown_key_suggests_the_right_one(write, minimal):
    path = write("typo.yaml", MINIMAL.replace("base_value: 40", "base_valu: 40"))
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    assert any(
        line.startswith(f"{path}: market.base_valu: unknown key 'base_valu'; did you mean 'base_value'?")
        for line in problems(e)
    )


def test_probability_out_of_range(write):
    path = write("p.yaml", MINIMAL.replace("p_drop_out: 0.1", "p_drop_out: 1.7"))
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    assert problems(e) == [f"{path}: bidders.acme.p_drop_out = 1.7: must be less than or equal to 1 (probability)"]


def test_wrong_type(write):
    path = write("t.yaml", MINIMAL.replace("base_value: 40", "base_value: lots"))
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    assert problems(e) == [
        f"{path}: market.base_value = 'lots': must be a valid number, unable to parse string as a number (bn, the scenario's currency)"
    ]


def test_negative_duration(write):
    path = write(
        "d.yaml",
        MINIMAL.replace("bid_deadline: 2020-09-15", "bid_deadline: 2020-09-15\n  signing_days: {median: -3}"),
    )
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    assert problems(e) == [f"{path}: seller.signing_days.median = -3: must be greater than 0 (days)"]


def test_p90_below_median(write):
    path = write(
        "d.yaml",
        MINIMAL.replace(
            "bid_deadline: 2020-09-15",
            "bid_deadline: 2020-09-15\n  signing_days: {median: 30, p90: 10}",
        ),
    )
    with pytest.raises(ScenarioError, match=r"seller.signing_days = .*p90 \(10.0\) must be >= median \(30.0\)"):
        load_scenario(path)


def test_horizon_before_start(write):
    path = write("h.yaml", MINIMAL.replace("horizon: 2021-06-30", "horizon: 2020-07-01"))
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    assert problems(e) == [f"{path}: horizon = 2020-07-01: must be after the start (2020-08-01)"]


def test_event_outside_horizon(write):
    path = write("e.yaml", MINIMAL + "events:\n  - {date: 2022-01-01, kind: tension_change, tension: 0.1}\n")
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    assert problems(e) == [
        f"{path}: events.tension_change.date = 2022-01-01: must be within the scenario's start (2020-08-01) and horizon (2021-06-30)"
    ]


def test_instrument_outside_horizon(write):
    path = write("i.yaml", MINIMAL.replace("{kind: ban, date: 2020-08-06,", "{kind: ban, date: 2022-01-01,"))
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    assert problems(e) == [
        f"{path}: instruments.ban_order.date = 2022-01-01: must be within the scenario's start (2020-08-01) and horizon (2021-06-30)"
    ]


def test_unknown_event_kind(write):
    path = write("k.yaml", MINIMAL + "events:\n  - {date: 2020-09-01, kind: tension_chang}\n")
    with pytest.raises(
        ScenarioError,
        match=r"events\.tension_chang\.kind = 'tension_chang': unknown event kind \(allowed: election, ",
    ):
        load_scenario(path)


def test_unknown_instrument_kind(write):
    path = write("k.yaml", MINIMAL.replace("{kind: ban, date", "{kind: bann, date"))
    with pytest.raises(
        ScenarioError,
        match=r"instruments\.ban_order\.kind = 'bann': unknown instrument kind \(allowed: ban, divestiture_order, law\)",
    ):
        load_scenario(path)


def test_unknown_structure_reference(write):
    path = write("s.yaml", MINIMAL.replace("offers: full_sale}", "offers: full_sal}"))
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    assert problems(e) == [
        f"{path}: bidders.acme.offers: unknown structure 'full_sal'; did you mean 'full_sale'? (allowed: full_sale)"
    ]


def test_extends_cycle(write):
    write("a.yaml", "extends: b.yaml\nname: a\n")
    b = write("b.yaml", "extends: a.yaml\nname: b\n")
    with pytest.raises(ScenarioError, match=r"extends cycle: b.yaml -> a.yaml -> b.yaml"):
        load_scenario(b)


def test_extends_missing_file(write):
    path = write("c.yaml", "extends: nowhere.yaml\nname: c\n")
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    assert problems(e)[0].startswith(f"{path}: extends = 'nowhere.yaml': no such file")


def test_error_names_the_parent_file_a_bad_value_came_from(write, minimal):
    """With extends, a problem is reported in the file that holds the value."""
    bad_parent = write("parent.yaml", MINIMAL.replace("standing: 0.5", "standing: 2"))
    child = write("child.yaml", "extends: parent.yaml\nname: child\n")
    with pytest.raises(ScenarioError) as e:
        load_scenario(child)
    assert problems(e)[0].startswith(f"{bad_parent}: bidders.acme.standing = 2")


@pytest.mark.parametrize(
    "key, message",
    [
        (
            "reviewers.china.review_day.median",
            "unknown key 'review_day'; did you mean 'review_days'?",
        ),
        ("bidders.orcle.valuation.high", "unknown key 'orcle'; did you mean 'oracle'?"),
        (
            "events.catalog_update.date",
            "unknown event id 'catalog_update'; did you mean 'catalogue_update'?",
        ),
    ],
)
def test_override_path_that_does_not_exist(key, message):
    with pytest.raises(ScenarioError) as e:
        load_scenario(SCENARIOS / "export_control_review.yaml", {key: "1"})
    (line,) = problems(e)
    assert line.startswith(f"--set {key}: {key}: {message}")


def test_override_value_is_validated_like_the_file():
    with pytest.raises(ScenarioError) as e:
        load_scenario(SCENARIOS / "tiktok_2020.yaml", {"courts.ddc.p_enjoin": "1.7"})
    assert problems(e) == [
        "--set courts.ddc.p_enjoin=1.7: courts.ddc.p_enjoin = 1.7: must be less than or equal to 1 (probability)"
    ]


@pytest.mark.parametrize("group, ident", [("bidders", "hold_out"), ("bidders", "none"), ("courts", "model")])
def test_reserved_ids_are_refused(write, group, ident):
    """A bidder called hold_out could never win, one called none would merge with "no close", a
    court called model would take the outcome rows' actor: each is refused with the key named."""
    if group == "bidders":
        extra = f"  {ident}: {{label: X, valuation: {{low: 20, high: 30}}, offers: full_sale}}\n"
        text = MINIMAL.replace("bidders:\n", "bidders:\n" + extra)
    else:
        text = MINIMAL + f"courts:\n  {ident}: {{label: X, plaintiff: seller, hears: ban_order}}\n"
    path = write("reserved.yaml", text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert any(p.path == f"{group}.{ident}" and "reserved" in p.message for p in err.value.problems)


def test_an_impossible_date_names_its_key(write):
    """2020-02-30 is no date: the line names the file, the key, the position and the value."""
    path = write("feb.yaml", MINIMAL.replace("start: 2020-08-01", "start: 2020-02-30"))
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    (line,) = problems(e)
    assert line.startswith(f"{path}: start: line ") and "invalid date '2020-02-30'" in line


def test_a_list_where_a_mapping_belongs_is_named_before_what_it_breaks(write):
    """`home: [1, 2]` in a child of a scenario whose uncertainties read home.tension: the problem is
    home itself, not the uncertainty's path."""
    path = write("list.yaml", f"extends: {SCENARIOS / 'export_control_review.yaml'}\nname: l\nhome: [1, 2]\n")
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    (line,) = problems(e)
    assert line.startswith(f"{path}: home = [1, 2]: ") and "uncertainties" not in line
