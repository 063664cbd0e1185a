"""The package's floors: each module imports only from its own floor or those below, with no cycle,
and the lower floors load none of the heavy libraries of the upper ones."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parent.parent / "sim"

# Lowest first. A module belongs to the first floor whose prefix it starts with.
FLOORS = [
    ("ground", ("sim.errors", "sim.outcomes", "sim.narrative")),
    ("input", ("sim.scenario",)),
    ("one run", ("sim.model",)),
    ("many runs", ("sim.runs",)),
    ("analysis", ("sim.analysis",)),
    ("presentation", ("sim.present",)),
    ("command line", ("sim.cli",)),
    ("package", ("sim.__main__", "sim")),
]


def floor(module: str) -> int:
    for level, (_, prefixes) in enumerate(FLOORS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return level
    raise AssertionError(f"{module} is on no floor; add it to FLOORS")


def module_name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(SIM.rglob("*.py"))}


def imports(path: Path, name: str | None = None) -> list[tuple[int, str]]:
    """(line, module) of every import of a sim module, except those only for type checkers.

    Absolute and relative imports count, and so does a string naming a sim module (what
    ``importlib.import_module`` or a lazy ``__getattr__`` would load).
    """
    tree = ast.parse(path.read_text())
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "sim"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # from .x import y: relative to this module's package
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] != "sim":
                continue
            for alias in node.names:  # `from sim.model import agents` imports a module
                sub = f"{base}.{alias.name}"
                found.append((node.lineno, sub if sub in MODULES else base))
        elif isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] in ("import_module", "__import__"):
            found += [(node.lineno, a.value) for a in node.args if isinstance(a, ast.Constant) and a.value in MODULES]
        elif isinstance(node, ast.Dict):  # a lazy loader's table: {"DealModel": "sim.model.dealmodel"}
            found += [(v.lineno, v.value) for v in node.values if isinstance(v, ast.Constant) and v.value in MODULES]
    return found


def test_the_import_finder_sees_every_form(tmp_path):
    """Absolute, relative and string imports are all found (so the floor checks cannot pass vacuously)."""
    fake = tmp_path / "planted.py"
    fake.write_text(
        "from __future__ import annotations\n"
        "import importlib\n"
        "from ..present import figures\n"
        "from .agents import seller\n"
        "from . import kinds\n"
        "import sim.cli\n"
        "importlib.import_module('sim.analysis.sweep')\n"
    )
    found = {target for _, target in imports(fake, "sim.model.planted")}
    assert found == {
        "sim.present.figures",
        "sim.model.agents.seller",
        "sim.model.kinds",
        "sim.cli",
        "sim.analysis.sweep",
    }
    # planted in the model floor, three of them reach upward
    assert sum(floor(t) > floor("sim.model.planted") for t in found) == 3


def test_the_floors_hold_modules_and_imports():
    """The checks below look at real modules and real imports: dealmodel imports the schema and the agents."""
    assert len(MODULES) > 50
    found = {t for _, t in imports(MODULES["sim.model.dealmodel"])}
    assert "sim.scenario.schema" in found and "sim.model.agents.seller" in found


def test_actors_see_the_run_only_through_their_ports():
    """No actor's module reads ``self.model``: actors see a clock, a read-only view, their timeline and announce."""
    offenders = []
    for path in sorted((SIM / "model" / "agents").rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0].strip()
            if code.startswith(("from ", "import ")) or "``" in code:  # imports, and docstrings naming it
                continue
            if code == "ports = model.ports":  # the one handover, in Actor.__init__
                continue
            if re.search(r"\bself\.model\b|(?<![\w.])model\.\w", code):
                offenders.append(f"{path.relative_to(SIM.parent)}:{number}: {line.strip()}")
    assert not offenders, offenders


def test_every_module_is_on_a_floor():
    for name in MODULES:
        floor(name)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_from_a_higher_floor(name):
    mine = floor(name)
    for line, target in imports(MODULES[name]):
        assert floor(target) <= mine, (
            f"{MODULES[name].relative_to(SIM.parent)}:{line} imports {target} "
            f"({FLOORS[floor(target)][0]}) from the {FLOORS[mine][0]} floor"
        )


def test_imports_form_no_cycle():
    graph = {name: {t for _, t in imports(path) if t in MODULES and t != name} for name, path in MODULES.items()}
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = trail[trail.index(nxt) :] + [nxt] if nxt in trail else [node, nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_the_cycle_check_finds_a_cycle(monkeypatch):
    """The check above can fail: a planted cycle is found."""
    fake = {"sim.errors": SIM / "errors.py", "sim.outcomes": SIM / "outcomes.py"}
    monkeypatch.setattr(sys.modules[__name__], "MODULES", fake)
    planted = {"sim.errors": [(1, "sim.outcomes")], "sim.outcomes": [(1, "sim.errors")]}
    monkeypatch.setattr(sys.modules[__name__], "imports", lambda path: planted[module_name(path)])
    with pytest.raises(AssertionError, match="import cycle"):
        test_imports_form_no_cycle()


def loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


@pytest.mark.parametrize(
    "statement, absent",
    [
        ("import sim", {"mesa", "pandas", "numpy", "matplotlib", "click", "rich"}),
        ("import sim.scenario; import sim.scenario.record; import sim.scenario.reference", {"mesa", "matplotlib"}),
        ("import sim.model", {"matplotlib", "click", "rich"}),
        ("import sim.runs.store; import sim.runs.ensemble", {"matplotlib", "click", "rich"}),
        ("import sim.present.story; import sim.present.tables", {"matplotlib"}),
        ("from sim.cli import cli", {"mesa", "matplotlib", "pandas", "plotly", "solara", "ema_workbench"}),
        # the optional extras load only where they are used
        ("import sim.analysis.sweep; import sim.present.figures", {"plotly", "solara", "ema_workbench", "jinja2"}),
        ("import sim.present.report", {"solara", "ema_workbench", "plotly"}),  # plotly when a report is written
    ],
)
def test_lower_floors_load_no_heavy_library_of_the_upper_ones(statement, absent):
    assert loaded_after(statement) & absent == set()


def test_the_wheel_lists_every_package_and_ships_the_scenarios():
    """pyproject.toml lists the packages (it maps sim.shipped to scenarios/): none on disk is left out,
    and every shipped scenario and record is package data, so an installed `sim list` finds them."""
    import tomllib

    config = tomllib.loads((SIM.parent / "pyproject.toml").read_text())["tool"]["setuptools"]
    on_disk = {
        ".".join(p.relative_to(SIM.parent).parts)
        for p in [SIM, *SIM.rglob("*")]
        if p.is_dir() and p.name != "__pycache__" and any(p.glob("*.py"))
    }
    shipped = {"sim.shipped", "sim.shipped.records", "sim.shipped.cases", "sim.shipped.cases.records"}
    assert set(config["packages"]) == on_disk | shipped
    assert config["package-dir"] == {"sim.shipped": "scenarios"}
    for package in shipped:  # every folder of scenarios/ that holds YAML is listed, with its YAML
        assert config["package-data"][package] == ["*.yaml"]
    folders = {p for p in (SIM.parent / "scenarios").rglob("*") if p.is_dir() and any(p.glob("*.yaml"))}
    assert {"sim.shipped." + ".".join(p.relative_to(SIM.parent / "scenarios").parts) for p in folders} <= shipped


def test_installed_the_shipped_scenarios_are_found_inside_the_package(tmp_path):
    """The layout a wheel installs: sim/ with its scenarios in sim/shipped/, run from a directory without any."""
    import shutil

    site = tmp_path / "site"
    shutil.copytree(SIM, site / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(SIM.parent / "scenarios", site / "sim" / "shipped")
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    listed = subprocess.run([sys.executable, "-m", "sim", "list"], cwd=work, env=env, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert str(site / "sim" / "shipped" / "tiktok_2020.yaml") in listed.stdout
    valid = subprocess.run(
        [sys.executable, "-m", "sim", "validate", "export_control_review"], cwd=work, env=env, capture_output=True
    )
    assert valid.returncode == 0, valid.stderr
