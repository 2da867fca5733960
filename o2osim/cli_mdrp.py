"""``o2osim mdrp``: Grubhub's meal-delivery instances (Reyes et al. 2018) under our policies.

``o2osim mdrp run INSTANCE --policy NAME --out FOLDER`` writes a solution in the
instance set's format plus ``metrics.json``; ``o2osim mdrp bench [INSTANCE...]``
prints the metrics table per instance and policy (and writes it as CSV with
``--csv``); ``o2osim mdrp check INSTANCE SOLUTION`` checks any solution folder.
A separate subcommand rather than ``o2osim run --mdrp``: an instance is not a
scenario (no TOML, no seed, no replications, other outputs), so ``run``'s options
would not apply. This module only parses arguments and prints.
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console

from .policies import POLICY_NAMES

INSTANCE_HELP = "an instance folder, or the name of a bundled instance (e.g. 0o100t100s1p100)"


def _settings_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="rolling-horizon setting: frequency, horizon, max_bundle, bundle_window, wait_weight",
    )


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    mdrp = sub.add_parser("mdrp", help="meal delivery routing instances (Grubhub, Reyes et al.)")
    actions = mdrp.add_subparsers(dest="mdrp_command", required=True, metavar="ACTION")
    run = actions.add_parser("run", help="dispatch one instance and write its solution folder")
    run.add_argument("instance", help=INSTANCE_HELP)
    run.add_argument(
        "--policy",
        default="rolling_horizon",
        choices=POLICY_NAMES["mdrp"],
        help="dispatch policy (default: rolling_horizon)",
    )
    run.add_argument("--out", required=True, help="new results folder")
    run.add_argument(
        "--force", action="store_true", help="replace an earlier o2osim solution folder"
    )
    _settings_option(run)
    bench = actions.add_parser("bench", help="metrics table per instance and policy")
    bench.add_argument("instances", nargs="*", help=f"{INSTANCE_HELP}; default: all bundled")
    bench.add_argument("--csv", help="also write the table to this CSV file (must not exist)")
    _settings_option(bench)
    check = actions.add_parser("check", help="check a solution folder against its instance")
    check.add_argument("instance", help=INSTANCE_HELP)
    check.add_argument("solution", help="folder with the three solution_info_*.txt files")


def run(args: argparse.Namespace, out: Console) -> int:
    from .mdrp.settings import settings_from

    settings = settings_from(args.settings) if args.mdrp_command != "check" else None
    if args.mdrp_command == "run":
        return _run(args, out, settings)
    if args.mdrp_command == "bench":
        return _bench(args, out, settings)
    return _check(args, out)


def _run(args: argparse.Namespace, out: Console, settings: Any) -> int:
    from pathlib import Path

    from .mdrp.bench import write_run
    from .mdrp.loader import load_instance
    from .results import check_target

    check_target(args.out, args.force)  # refuse before solving, as `o2osim run` does
    instance = load_instance(args.instance)
    metrics, problems = write_run(Path(args.out), instance, args.policy, settings, args.force)
    _print_table(out, [{"instance": instance.name, "policy": args.policy} | metrics])
    verdict = "feasible" if not problems else f"INFEASIBLE ({len(problems)} problems)"
    out.print(f"solution written to {args.out} ({verdict})")
    return 0 if not problems else 1


def _bench(args: argparse.Namespace, out: Console, settings: Any) -> int:
    from pathlib import Path

    import pandas as pd

    from .mdrp.bench import benchmark
    from .mdrp.instance import bundled_instances
    from .mdrp.loader import load_instance
    from .results import write_atomic
    from .scenario import ScenarioError

    csv = Path(args.csv) if args.csv else None
    if csv is not None and (csv.exists() or not csv.parent.is_dir()):
        raise ScenarioError(
            f"--csv {csv}: exists already or its folder is missing; give a new file"
        )
    instances = [load_instance(p) for p in (args.instances or bundled_instances())]
    rows = benchmark(instances, POLICY_NAMES["mdrp"], settings)
    _print_table(out, rows)
    if csv is not None:
        write_atomic(csv, lambda path: pd.DataFrame(rows).to_csv(path, index=False))
        out.print(f"table written to {csv}")
    return 0


def _check(args: argparse.Namespace, out: Console) -> int:
    from .mdrp.checker import check_solution
    from .mdrp.loader import load_instance
    from .mdrp.metrics import solution_metrics
    from .mdrp.solution import read_solution

    instance = load_instance(args.instance)
    solution = read_solution(args.solution)
    problems = check_solution(instance, solution)
    for line in problems[:20]:
        out.print(line, markup=False)
    if len(problems) > 20:
        out.print(f"... and {len(problems) - 20} more", markup=False)
    if problems:
        out.print(f"INFEASIBLE: {len(problems)} problems")
        return 1
    metrics = solution_metrics(instance, solution)
    _print_table(out, [{"instance": instance.name, "solution": args.solution} | metrics])
    out.print("FEASIBLE")
    return 0


#: Short column labels, so the table fits a terminal; units in the title.
LABELS = {
    "feasible": "ok",
    "delivered": "done",
    "delivered_share": "done %",
    "click_to_door_mean": "CtD mean",
    "click_to_door_p90": "CtD p90",
    "over_target_share": ">target",
    "ready_to_pickup_mean": "R→P mean",
    "orders_per_courier_hour": "ord/c-h",
    "utilisation_mean": "util.",
    "orders_per_bundle": "ord/bun",
}


def _cell(column: str, value: Any) -> str:
    if column.endswith("_share") or column == "utilisation_mean":
        return f"{100 * value:.1f}%"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _print_table(out: Console, rows: list[dict[str, Any]]) -> None:
    from rich import box
    from rich.table import Table

    table = Table(
        title="MDRP metrics (CtD = click-to-door, R→P = ready-to-pickup; minutes)",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    for column in rows[0]:
        named = column in ("instance", "policy", "solution")
        table.add_column(
            LABELS.get(column, column), justify="left" if named else "right", no_wrap=named
        )
    for row in rows:
        table.add_row(*(_cell(c, v) for c, v in row.items()))
    # Piped output is not cut to 80 columns: the CSV readers of a log want whole numbers.
    wide = out if out.is_terminal else Console(file=out.file, width=max(out.width, 140))
    wide.print(table)
