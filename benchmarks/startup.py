"""Start-up time of the commands that run no simulation: each in a fresh interpreter.

    python benchmarks/startup.py [--repeat 5]

Prints the median wall time of each; it asserts nothing (speed is shown here, not in tests).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = str(ROOT / "scenarios" / "export_control_review.yaml")
COMMANDS = {
    "sim --help": ["--help"],
    "sim list": ["list"],
    "sim validate SCENARIO": ["validate", SCENARIO],
    "sim show SCENARIO's results": None,  # filled in main() once a result exists
    "sim reference": ["reference"],
}


def seconds(args: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sim", *args], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "res"
        run = ["run", SCENARIO, "--runs", "50", "--out", str(out), "--no-figures", "--quiet"]
        subprocess.run([sys.executable, "-m", "sim", *run], check=True, capture_output=True)
        COMMANDS["sim show SCENARIO's results"] = ["show", str(out)]
        print(f"median of {args.repeat} starts, fresh interpreter each")
        for label, command in COMMANDS.items():
            print(f"  {label:<30} {seconds(command, args.repeat):6.2f} s")
    floor = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        floor.append(time.perf_counter() - start)
    print(f"  {'python -c pass (the floor)':<30} {statistics.median(floor):6.2f} s")


if __name__ == "__main__":
    main()
