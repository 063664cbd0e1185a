"""How fast and how lean ensembles are, against Mesa's own batch runner.

    python benchmarks/scale.py                 # everything (the million-run part takes minutes)
    python benchmarks/scale.py --skip-million  # leave out the peak-memory measurement

Prints, for export_control_review:
  * runs/s for 20,000 runs written to a result directory (as `sim run` does): serial, 2 worker
    processes, a 2-worker Dask LocalCluster; and mesa.batch_run(DealModel, number_processes=2),
    which steps each model one day at a time;
  * the wall time of 100,000 runs on 2 workers;
  * the peak memory (summed over the command and its workers) of `sim run --runs 1000000`.

It prints figures and checks nothing; speed is shown here, never in timed tests.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mesa

from sim import DealModel, load_scenario
from sim.runs.backends import Execution
from sim.runs.store import run_to_directory

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "export_control_review.yaml"


def timed(label: str, runs: int, fn) -> float:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    print(f"  {label:<50} {runs / seconds:8,.0f} runs/s  ({seconds:6.1f} s)", flush=True)
    return runs / seconds


def to_directory(scenario, runs: int, **kwargs) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run_to_directory(scenario, Path(tmp) / "out", runs, 0, **kwargs)


def dask_warm(scenario, runs: int) -> float:
    """Dask on a cluster already started (the cost of starting one is shown apart)."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=40) as cluster,
        Client(cluster) as client,
    ):
        executor = client.get_executor()
        to_directory(scenario, 500, execution=Execution(executor=executor))  # workers import sim
        return timed(
            "dask, 2-worker LocalCluster already running",
            runs,
            lambda: to_directory(scenario, runs, execution=Execution(executor=executor)),
        )


def peak_memory_of(cmd: list[str]) -> tuple[float, float, float]:
    """Run a command; return its wall time and the peak of the summed PSS and RSS (MB) of its
    process tree, sampled every 0.2 s."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    peak_pss = peak_rss = 0.0
    while proc.poll() is None:
        pss = rss = 0.0
        for pid in _tree(proc.pid):
            try:
                text = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in text.splitlines()[1:])
            pss += int(fields["Pss"].split()[0]) / 1024
            rss += int(fields["Rss"].split()[0]) / 1024
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        time.sleep(0.2)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode})")
    return time.perf_counter() - start, peak_pss, peak_rss


def _tree(pid: int) -> list[int]:
    out = [pid]
    for child in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split():
        out += _tree(int(child))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20_000, help="runs per speed measurement")
    parser.add_argument("--skip-million", action="store_true", help="skip the 1,000,000-run memory measurement")
    args = parser.parse_args()
    scenario = load_scenario(SCENARIO)
    n = args.runs
    print(f"export_control_review, {n:,} runs, seed 0, results written as `sim run` writes them")
    serial = timed("sim, serial", n, lambda: to_directory(scenario, n, execution=Execution(backend="serial")))
    two = timed(
        "sim, 2 worker processes",
        n,
        lambda: to_directory(scenario, n, execution=Execution(backend="processes", workers=2)),
    )
    timed(
        "sim, dask 2-worker LocalCluster (incl. start-up)",
        n,
        lambda: to_directory(scenario, n, execution=Execution(backend="dask", workers=2)),
    )
    dask_warm(scenario, n)
    batch = timed(
        "mesa.batch_run(DealModel, number_processes=2)",
        n,
        lambda: mesa.batch_run(
            DealModel,
            parameters={"scenario": [scenario]},
            rng=list(range(n)),
            number_processes=2,
            max_steps=100_000,
            display_progress=False,
        ),
    )
    print(f"  2 workers vs serial: {two / serial:.2f}x;  2 workers vs mesa.batch_run: {two / batch:.1f}x")

    with tempfile.TemporaryDirectory() as tmp:
        seconds = time.perf_counter()
        run_to_directory(scenario, Path(tmp) / "out", 100_000, 0, execution=Execution(backend="processes", workers=2))
        print(f"100,000 runs, 2 workers, to a result directory: {time.perf_counter() - seconds:.1f} s")

    if not args.skip_million:
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [
                sys.executable,
                "-m",
                "sim",
                "run",
                str(SCENARIO),
                "--runs",
                "1000000",
                "--workers",
                "2",
                "--quiet",
                "--no-figures",
                "--out",
                str(Path(tmp) / "out"),
            ]
            seconds, pss, rss = peak_memory_of(cmd)
            size = sum(p.stat().st_size for p in (Path(tmp) / "out").iterdir() if p.is_file()) / 1e6
            print(
                f"1,000,000 runs, 2 workers: {seconds:.0f} s; peak memory of the command and its workers "
                f"{pss:,.0f} MB (PSS; {rss:,.0f} MB summed RSS); results {size:,.0f} MB"
            )


if __name__ == "__main__":
    main()
