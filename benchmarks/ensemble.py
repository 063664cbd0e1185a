"""Runs per second of export_control_review: serially, with all cores, and with a longer horizon.

    python benchmarks/ensemble.py [--runs 5000]

Prints figures; it asserts nothing (speed is shown here, not in tests).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import mesa

from sim import load_scenario, run_ensemble
from sim.model.dealmodel import DealModel
from sim.model.mesa_compat import Priority, schedule, stop_daily_tick
from sim.runs.backends import Execution, default_workers

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "export_control_review.yaml"


def rate(scenario, runs: int, workers: int, events: str = "all") -> float:
    start = time.perf_counter()
    run_ensemble(scenario, runs=runs, seed=0, execution=Execution(workers=workers), events=events)
    return runs / (time.perf_counter() - start)


class _Idle(mesa.Agent):
    def wait(self) -> None:
        pass


def shape(scenario, runs: int = 200) -> tuple[int, float]:
    """A run's Mesa agents and the events it schedules, on average over ``runs`` runs."""
    models = [DealModel(scenario, run, narrate=False) for run in range(runs)]
    for model in models:
        model.run()
    return len(models[0].agents), sum(m.events_scheduled for m in models) / runs


def mesa_floor(runs: int, agents: int, events: int) -> float:
    """Runs/s of a model with this scenario's shape and no logic: Mesa's own cost per run.

    As many agents and events a run as the scenario's runs have (:func:`shape`), scheduled the
    way the deal model schedules them; every event does nothing. No deal model can run faster.
    """
    start = time.perf_counter()
    for run in range(runs):
        model = mesa.Model(rng=run)
        stop_daily_tick(model)
        actors = [_Idle(model) for _ in range(agents)]
        for day in range(events):
            schedule(model, day + 1, actors[day % agents].wait, (), Priority.DEFAULT)
        model.run_until(events + 1)
    return runs / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5000)
    args = parser.parse_args()
    scenario = load_scenario(SCENARIO)
    five_years = load_scenario(SCENARIO, {"horizon": "2025-06-30"})
    cores = default_workers()
    rate(scenario, 200, 1)  # warm up imports and caches
    agents, events = shape(scenario)
    print(f"export_control_review, {args.runs:,} runs, seed 0, {cores} cores available")
    print(f"  a run: {agents} agents, {events:.1f} events scheduled on average (200 runs)")
    serial = rate(scenario, args.runs, 1, events="sample")
    line("serial (1 process), event logs of the first 1,000 runs", serial)
    every = rate(scenario, args.runs, 1)
    line("serial, event logs of every run", every)
    line("serial, outcomes only (no event logs)", rate(scenario, args.runs, 1, events="none"))
    parallel = rate(scenario, args.runs, cores)
    line(f"all cores ({cores} workers), event logs of every run", parallel, f"({parallel / every:.2f}x serial)")
    line("serial, every run's log, horizon 2021-06-30 (as shipped)", rate(scenario, args.runs, 1))
    line("serial, every run's log, horizon 2025-06-30 (5 years)", rate(five_years, args.runs, 1))
    floor = mesa_floor(args.runs, agents, round(events))
    line(f"Mesa alone: {agents} agents, {round(events)} empty events", floor, "(the ceiling)")


def line(label: str, runs_per_second: float, note: str = "") -> None:
    print(f"  {label:<58}{runs_per_second:8,.0f} runs/s  {note}".rstrip())


if __name__ == "__main__":
    main()
