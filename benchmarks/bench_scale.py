"""The baseline at several sizes, each in a fresh process: time and peak memory (a script).

Two series on ``configs/wenzhou_baseline.toml`` (seed 7):

- **horizon**: 28, 91 and 365 simulated days at 1x demand -- CPU seconds should grow
  linearly with the orders (constant orders/s) and peak memory should stay flat;
- **demand**: 1x, 4x and 10x ``arrivals_per_day`` over 28 days.

Every size runs in its own subprocess (``--child``), so its peak resident memory
(``ru_maxrss``) is its own and not the largest of the sizes before it. Each child
runs what ``o2osim run --no-charts`` runs: :func:`o2osim.simulate` then
``Result.save``. CPU time (user + system of the child) is reported besides wall
time, because on a shared machine only CPU time is steady. One JSON line per size
on stdout, then a summary line; ``--history`` appends them to ``history.csv``.

    python benchmarks/bench_scale.py                         # both series (~5 min CPU)
    python benchmarks/bench_scale.py --horizons 28d,91d --demands ""
    python benchmarks/bench_scale.py --horizons "" --demands 1,4,10
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from history import emit

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "configs" / "wenzhou_baseline.toml"
DEMAND_KEY = "customers.segments[0].arrivals_per_day"
BASE_ARRIVALS = 6000.0  # the baseline's arrivals_per_day, scaled by --demands


def child(horizon: str, demand: float) -> dict[str, Any]:
    """One run in this process: simulate and save; its figures (run with ``--child``)."""
    import o2osim

    started, cpu0 = time.perf_counter(), time.process_time()
    scenario = o2osim.load_scenario(SCENARIO)
    overrides = [f"{DEMAND_KEY}={BASE_ARRIVALS * demand!r}"] if demand != 1.0 else []
    result = o2osim.simulate(scenario, seed=7, horizon=horizon, overrides=overrides)
    sim_cpu = time.process_time() - cpu0
    with tempfile.TemporaryDirectory() as folder:
        result.save(Path(folder) / "run", charts=False)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    orders = int(result.manifest["orders"])  # len(result.orders) would read the whole table
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "horizon": horizon,
        "demand": demand,
        "orders": orders,
        "events": result.info.events,
        "cpu_s": round(cpu, 2),
        "simulate_cpu_s": round(sim_cpu, 2),
        "wall_s": round(time.perf_counter() - started, 2),
        "orders_per_cpu_s": round(orders / cpu, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "kb_per_order": round(usage.ru_maxrss / orders, 3) if orders else None,
    }


def run_child(horizon: str, demand: float) -> dict[str, Any]:
    """Run one size in a fresh interpreter and return its JSON figures."""
    command = [sys.executable, __file__, "--child", "--horizon", horizon, "--demand", str(demand)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def summary(series: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Linearity of time (orders/s of the largest over the smallest) and memory growth."""
    first, last = rows[0], rows[-1]
    return {
        "benchmark": f"scale_{series}",
        "sizes": [r["horizon"] if series == "horizon" else r["demand"] for r in rows],
        "orders": [r["orders"] for r in rows],
        "orders_per_cpu_s": [r["orders_per_cpu_s"] for r in rows],
        "peak_rss_mb": [r["peak_rss_mb"] for r in rows],
        "throughput_kept": round(last["orders_per_cpu_s"] / first["orders_per_cpu_s"], 3),
        "memory_growth": round(last["peak_rss_mb"] / first["peak_rss_mb"], 3),
        "orders_growth": round(last["orders"] / first["orders"], 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--horizons", default="28d,91d,365d", help="comma list ('' for none)")
    parser.add_argument("--demands", default="1,4,10", help="comma list of factors at 28d")
    parser.add_argument("--history", action="store_true", help="append to history.csv")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--horizon", default="28d", help=argparse.SUPPRESS)
    parser.add_argument("--demand", type=float, default=1.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.horizon, args.demand)))
        return 0
    if shutil.which("o2osim") is None:
        print("o2osim is not installed (pip install -e '.[dev]')", file=sys.stderr)
        return 2
    plans = [("horizon", [(h, 1.0) for h in args.horizons.split(",") if h])]
    plans.append(("demand", [("28d", float(d)) for d in args.demands.split(",") if d]))
    for series, sizes in plans:
        rows = []
        for horizon, demand in sizes:
            print(f"{series}: {horizon} x{demand:g} ...", file=sys.stderr, flush=True)
            row = {"benchmark": f"scale_{series}", **run_child(horizon, demand)}
            print(json.dumps(row), flush=True)
            rows.append(row)
        if rows:
            emit(summary(series, rows), args.history)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
