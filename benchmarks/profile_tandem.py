"""Profile the o2osim side of the tandem benchmark under cProfile (a script, not a test).

Run from the repository root::

    python benchmarks/profile_tandem.py                     # 200,000 orders, top 25 by tottime
    python benchmarks/profile_tandem.py --orders 50000 --limit 40 --sort cumulative
    python benchmarks/profile_tandem.py --tables            # also the pandas tables + KPIs
    python benchmarks/profile_tandem.py --out tandem.prof   # keep the raw profile (snakeviz etc.)

The network is the one of ``bench_throughput.py`` (pick c=4 -> pack c=2 ->
couriers c=8, rho 0.75 everywhere). Only ``World(...)`` + ``run()`` is profiled
unless ``--tables`` is given. cProfile adds a roughly constant cost per Python
function call, so it exaggerates code made of many small calls: read
``tottime`` for *where* the time goes and ``bench_throughput.py`` for *how much*.
Last it lists the Python functions called at least every other order, with their
calls per order (the hot path's count of calls, which the floor does without).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_throughput import DEFAULT_ORDERS, build_tables, tandem_scenario

from o2osim.world import World


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--orders",
        type=int,
        default=DEFAULT_ORDERS,
        help=f"orders expected over the horizon (default {DEFAULT_ORDERS:,})",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=int, default=25, help="functions to print (default 25)")
    parser.add_argument(
        "--sort",
        default="tottime",
        help="pstats sort key: tottime (default), cumulative, ncalls, ...",
    )
    parser.add_argument(
        "--tables", action="store_true", help="also profile building the pandas tables and KPIs"
    )
    parser.add_argument("--out", type=Path, default=None, help="write the raw profile here")
    args = parser.parse_args(argv)

    scenario = tandem_scenario(args.orders, args.seed)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    world = World(scenario)
    info = world.run()
    if args.tables:
        build_tables(world, scenario, info)
    profiler.disable()
    wall = time.perf_counter() - started

    what = "World + run + tables/KPIs" if args.tables else "World + run"
    print(
        f"o2osim tandem, {len(world.book):,} orders placed, {info.events:,} events; "
        f"{what}: {wall:.2f} s under cProfile"
    )
    if args.out is not None:
        profiler.dump_stats(args.out)
        print(f"raw profile written to {args.out}")
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer).strip_dirs().sort_stats(args.sort)
    stats.print_stats(args.limit)
    # drop pstats' preamble (blank lines, "Ordered by", list reduced ...) but keep the table
    text = buffer.getvalue()
    start = text.find("   ncalls")
    print(text[start:] if start >= 0 else text, end="")
    print(per_order_calls(stats, len(world.book)))
    return 0


def per_order_calls(stats: pstats.Stats, orders: int, at_least: float = 0.5) -> str:
    """The Python functions called ``at_least`` times per order on average, most first,
    and their total: what the hot path costs in calls (C functions left out)."""
    rows = []
    for (path, line, name), (_, calls, *_rest) in stats.stats.items():  # type: ignore[attr-defined]
        per_order = calls / max(orders, 1)
        if per_order >= at_least and path != "~":
            rows.append((per_order, f"{Path(path).name}:{line}({name})"))
    rows.sort(reverse=True)
    lines = [f"{per:6.2f}  {where}" for per, where in rows]
    total = sum(per for per, _ in rows)
    return "\n".join(["Python calls per order:", *lines, f"{total:6.2f}  in all"])


if __name__ == "__main__":
    raise SystemExit(main())
