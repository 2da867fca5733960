"""Parallel efficiency of a sweep: the same experiment on 1 and on 2 workers (a script).

Runs ``o2osim sweep EXPERIMENT --workers N --quiet`` as a subprocess for each N
into a temporary folder and reports wall seconds per N and
``speedup = wall(1) / wall(2)`` (the issue's target: >= 1.85 on an idle 2-core
machine). Wall time is the only honest figure here (the point is using two cores at
once), so run it on an otherwise idle machine. One JSON line on stdout;
``--history`` appends it to ``history.csv``.

    python benchmarks/bench_sweep.py                                  # compare_layouts (~3 min)
    python benchmarks/bench_sweep.py --experiment experiments/X.toml --workers 1,2,4
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from history import emit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "experiments" / "compare_layouts.toml"


def sweep_wall(experiment: Path, workers: int) -> float:
    """Wall seconds of one whole sweep (runs, assembly, report) on ``workers`` workers."""
    with tempfile.TemporaryDirectory() as folder:
        command = ["o2osim", "sweep", str(experiment), "--workers", str(workers)]
        command += ["--out", str(Path(folder) / "out"), "--quiet", "--yes"]
        started = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--experiment", type=Path, default=DEFAULT)
    parser.add_argument("--workers", default="1,2", help="comma list; the first is the base")
    parser.add_argument("--history", action="store_true", help="append to history.csv")
    args = parser.parse_args(argv)
    counts = [int(w) for w in args.workers.split(",")]
    walls = {}
    for workers in counts:
        print(f"{args.experiment.name}: {workers} worker(s) ...", file=sys.stderr, flush=True)
        walls[workers] = sweep_wall(args.experiment, workers)
    base = walls[counts[0]]
    figures = {
        "benchmark": "sweep",
        "experiment": args.experiment.name,
        "wall_s": {str(w): round(s, 2) for w, s in walls.items()},
        "speedup": {str(w): round(base / s, 3) for w, s in walls.items()},
        "efficiency": {str(w): round(base / s / (w / counts[0]), 3) for w, s in walls.items()},
    }
    emit(figures, args.history)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
