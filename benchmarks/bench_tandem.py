"""The tandem ratios of the performance issue, measured in one process (a script).

pick (c=4) -> pack (c=2) -> couriers (c=8) at rho = 0.75, 100,000 orders by default:

- **floor**: a hand-written heapq event loop (``floor_tandem.py``);
- **simpy**: idiomatic SimPy, a process per order (``simpy_tandem.py``);
- **o2osim simulation**: ``World(...)`` + ``run()``;
- **o2osim simulate()**: :func:`o2osim.simulate` itself, timed as a whole: the
  simulation plus everything a user waits for after it (the tables, the money, the
  KPIs, the memory housekeeping). ``o2osim_tables_s`` is its best time less the
  simulation's best: what comes on top of the simulation.

Each is run ``--repeat`` times, interleaved, and the best CPU time
(``time.process_time``, so other load on a shared machine counts less than in wall
time) is kept. Prints a table on stderr and one JSON line on stdout; ``--history``
appends the figures to ``benchmarks/history.csv``. Targets: simulation <= 2.5x the
floor, simulate() <= 3.5x.

    python benchmarks/bench_tandem.py                 # 100,000 orders, best of 3
    python benchmarks/bench_tandem.py --orders 20000 --repeat 1
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_throughput import tandem_scenario
from floor_tandem import run_floor_tandem
from history import emit
from simpy_tandem import RATE_PER_MIN, run_simpy_tandem

from o2osim.api import simulate
from o2osim.world import World

SIM_GOAL, TOTAL_GOAL = 2.5, 3.5


def cpu(work: Callable[[], Any]) -> tuple[float, Any]:
    """CPU seconds of ``work()`` in this process, and what it returned."""
    gc.collect()
    started = time.process_time()
    value = work()
    return time.process_time() - started, value


def measure(orders: int, repeat: int, seed: int) -> dict[str, Any]:
    """Best-of-``repeat`` CPU seconds of the four programs and their ratios."""
    scenario = tandem_scenario(orders, seed)
    horizon = orders / RATE_PER_MIN
    best: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        best[name] = min(best.get(name, float("inf")), seconds)

    for round_ in range(repeat):
        print(f"round {round_ + 1}/{repeat}", file=sys.stderr, flush=True)
        keep("floor_s", cpu(lambda: run_floor_tandem(horizon, seed))[0])
        keep("simpy_s", cpu(lambda: run_simpy_tandem(horizon, seed))[0])
        keep("o2osim_sim_s", cpu(lambda: _run(scenario))[0])
        keep("o2osim_simulate_s", cpu(lambda: _simulate(scenario))[0])
    total = best["o2osim_simulate_s"]
    best["o2osim_tables_s"] = total - best["o2osim_sim_s"]
    return {
        "benchmark": "tandem",
        "orders": orders,
        "repeat": repeat,
        "clock": "process_time",
        # simulate() timed as a whole (until c6fc514: simulation + run_tables + compute_kpis)
        "simulate_timed": "whole",
        **{k: round(v, 3) for k, v in best.items()},
        "sim_vs_floor": round(best["o2osim_sim_s"] / best["floor_s"], 3),
        "simulate_vs_floor": round(total / best["floor_s"], 3),
        "simpy_vs_floor": round(best["simpy_s"] / best["floor_s"], 3),
        "sim_vs_simpy": round(best["o2osim_sim_s"] / best["simpy_s"], 3),
        "tables_share": round(best["o2osim_tables_s"] / total, 3),
        "meets_goal": best["o2osim_sim_s"] / best["floor_s"] <= SIM_GOAL
        and total / best["floor_s"] <= TOTAL_GOAL,
    }


def _run(scenario: Any) -> int:
    """The simulation alone; the World is dropped before the next measurement."""
    world = World(scenario)
    return world.run().events


def _simulate(scenario: Any) -> int:
    """What a user calls: the run with its tables, money and KPIs."""
    return len(simulate(scenario).kpis)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--history", action="store_true", help="append to history.csv")
    args = parser.parse_args(argv)
    figures = measure(args.orders, args.repeat, args.seed)
    for key in ("floor_s", "simpy_s", "o2osim_sim_s", "o2osim_simulate_s"):
        print(f"{key:20s} {figures[key]:8.3f} s CPU", file=sys.stderr)
    for key in ("sim_vs_floor", "simulate_vs_floor", "simpy_vs_floor", "tables_share"):
        print(f"{key:20s} {figures[key]:8.3f}", file=sys.stderr)
    emit(figures, args.history)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
