"""The README's examples work: its quick start, its Python block, its YAML, and every `sim` line
of its shell blocks parses (the long ones are run with fewer runs where they are run at all)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, SCENARIOS

from sim.cli import cli

README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, flags=re.S)


def blocks(language: str) -> list[str]:
    return [text for lang, text in BLOCKS if lang == language]


def sim_lines() -> list[str]:
    """Every `sim ...` command of the shell blocks, comments and the install prefix removed."""
    found = []
    for text in blocks("bash"):
        for line in text.splitlines():
            command = line.split("#")[0].strip().split("&& ")[-1]
            if command.startswith("sim "):
                found.append(command)
    return found


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A fresh directory where `scenarios/` is the shipped one, as in a clone."""
    (tmp_path / "scenarios").symlink_to(SCENARIOS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_readme_has_the_examples_these_tests_run():
    assert len(sim_lines()) >= 15 and len(blocks("python")) == 1 and len(blocks("yaml")) == 1


@pytest.mark.parametrize("line", sim_lines())
def test_every_sim_line_parses(line):
    """Each command exists and takes every option the README gives it (click parses, nothing runs)."""
    args = shlex.split(line)[1:]
    command = cli.commands[args[0]]
    with command.make_context(args[0], args[1:]) as ctx:
        assert ctx.command is command


def test_quick_start_runs_as_written(workdir):
    """The quick start's command, in a fresh directory: results, figures and the table."""
    (line,) = [c for c in sim_lines() if c == "sim run scenarios/export_control_review.yaml"]
    done = subprocess.run([sys.executable, "-m", "sim", *shlex.split(line)[1:]], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out = workdir / "outputs" / "export_control_review"
    assert (
        "closed_by_deadline" in done.stdout
        and f"results written to {Path('outputs/export_control_review')}/" in done.stdout
    )
    assert {"summary.json", "manifest.json", "runs.csv", "figures"} <= {p.name for p in out.iterdir()}
    assert (out / "figures" / "outcomes.png").stat().st_size > 10_000


def test_python_block_runs(workdir):
    """The README's Python, with its million (and thousand) runs cut to three hundred."""
    (code,) = blocks("python")
    code = code.replace("runs=1_000_000", "runs=300").replace("runs=1000,", "runs=300,")  # the same calls, fewer runs
    subprocess.run(
        [sys.executable, "-m", "sim", "run", "scenarios/export_control_review.yaml", "--runs", "200", "--quiet"],
        check=True,
        capture_output=True,
    )  # the block loads this result at its end
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "MPLBACKEND": "Agg"}
    )
    assert done.returncode == 0, done.stderr
    assert (workdir / "outputs" / "big" / "figures").is_dir()


def test_yaml_example_validates(workdir):
    """The "Writing a scenario" example, saved in a working directory with no scenario beside it, as it says."""
    (text,) = blocks("yaml")
    (workdir / "my_variant.yaml").write_text(text)
    done = subprocess.run(
        [sys.executable, "-m", "sim", "validate", "my_variant.yaml"], capture_output=True, text=True, cwd=workdir
    )
    assert done.returncode == 0, done.stderr
    # it removes one inherited event and adds one: none is lost silently by an id collision
    from sim import load_scenario

    parent = load_scenario(SCENARIOS / "export_control_review.yaml")
    assert f"{len(parent.events)} dated events" in done.stdout


SKIPPED = {  # run elsewhere, or not a one-off command
    "sim dashboard scenarios/tiktok_2020.yaml": "a server: tests/test_browser.py drives it",
}


RESULT_COMMANDS = {
    "run",
    "sweep",
    "sensitivity",
    "compare",
    "decompose",
    "backtest",
    "evaluate",
    "calibrate",
    "discover",
}


def scaled(line: str) -> list[str]:
    """A README command with its runs and samples cut to a few and no report.html (each command's
    report is tested in tests/test_report.py), as written otherwise."""
    args = shlex.split(line)[1:]
    for option, few in (("--runs", "6"), ("--samples", "4")):
        if option in args:
            args[args.index(option) + 1] = few
    if args[0] in RESULT_COMMANDS:
        args += ["--no-report", "--no-figures"]  # both drawn and tested elsewhere (test_report, test_plots)
    if args[0] in ("run", "compare", "decompose", "backtest", "calibrate") and "--runs" not in args:
        args += ["--runs", "6"]  # the quick start's 1,000 runs: test_quick_start_runs_as_written runs them
    if args[0] == "experiment" and len(args) > 2:  # a named sweep: its own --samples, cut by adding one
        args += ["--samples", "4", "--no-report", "--no-figures"]
    if args[0] == "validate":  # the file only: its inactive: claims are run in tests/test_legal_frames.py
        args.append("--no-runs")
    return args


@pytest.mark.xdist_group("readme_lines")
def test_every_sim_line_runs_in_order(workdir):
    """Every `sim` command of the README's shell blocks, in the order given, with fewer runs: each
    exits 0, so the directories the later ones read (outputs/t2020, the sweep...) are those the
    earlier ones wrote."""
    runner = CliRunner()
    failed = []
    for line in sim_lines():
        if line in SKIPPED or "--resume" in line:  # resuming a finished run: tests/test_scale.py
            continue
        result = runner.invoke(cli, scaled(line))
        if result.exit_code != 0:
            failed.append(f"{line}: exit {result.exit_code}: {result.output[-300:]}")
    assert not failed, "\n".join(failed)
