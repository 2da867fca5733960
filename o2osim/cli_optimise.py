"""``o2osim optimise PROBLEM.toml``: the cheapest decision that meets a service level.

Parses the command line, shows progress (each candidate as it is decided) and
prints the answer with its confidence interval, the runs it took and the wall
time. The work is :func:`o2osim.optimise.optimise`; bad input raises
:class:`~o2osim.scenario.ScenarioError` (or a results-folder error), which
:func:`o2osim.cli.main` prints as one line with exit status 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "optimise",
        help="choose staffing, stock or a layout for a service level (problem TOML)",
    )
    parser.add_argument("problem", help="problem TOML file (see docs/optimise.md)")
    parser.add_argument("--out", type=Path, help="results folder (default: results/NAME)")
    parser.add_argument("--workers", type=int, default=None, help="local worker processes")
    parser.add_argument("--dask", metavar="ADDR", help='run on Dask: "local" or tcp://host:8786')
    parser.add_argument(
        "--resume", action="store_true", help="continue a folder: finished runs are reused"
    )
    parser.add_argument(
        "--force", action="store_true", help="replace an existing o2osim optimisation folder"
    )
    parser.add_argument("--quiet", action="store_true", help="print only the answer")


def run(args: argparse.Namespace, out: Console) -> int:
    from .executors import default_workers
    from .optimise import load_problem, optimise
    from .optimise.evaluate import Evaluation

    problem = load_problem(args.problem)
    folder = args.out or Path("results") / problem.problem.name
    workers = default_workers() if args.workers is None else args.workers

    def shown(e: Evaluation) -> None:
        if args.quiet:
            return
        checks = ", ".join(
            f"{c.key} {est.mean:.4g} [{est.low:.4g}, {est.high:.4g}] {d}"
            for c, est, d in e.constraints
        )
        out.print(
            f"  {e.candidate.label or '(base)'}: n={e.replications}, objective "
            f"{e.objective.mean:.4g} [{e.objective.low:.4g}, {e.objective.high:.4g}]"
            + (f"; {checks}" if checks else ""),
            markup=False,
        )

    try:
        done = optimise(
            args.problem,
            folder,
            workers=workers,
            dask=args.dask,
            resume=args.resume,
            force=args.force,
            on_candidate=shown,
        )
    except KeyboardInterrupt:
        if folder.exists():
            out.print(
                f"interrupted; finished runs are kept in {folder}/ — run again with --resume",
                markup=False,
            )
        raise
    chosen = done.decision["chosen"]
    if chosen is None:
        out.print("no candidate met every constraint at the stated confidence", markup=False)
    else:
        o = chosen["objective"]
        out.print(
            f"chosen: {chosen['label'] or '(base)'}; objective {o['objective_mean']:.4g} "
            f"({done.decision['confidence']:.0%} CI {o['objective_low']:.4g} to "
            f"{o['objective_high']:.4g}), n={chosen['replications']}",
            markup=False,
        )
    out.print(
        f"{done.decision['runs_used']} runs used ({done.simulated} simulated now, "
        f"{done.reused} reused), {len(done.evaluations)} candidates, "
        f"{done.wall_seconds:.1f} s wall; results in {done.out}/",
        markup=False,
    )
    return 0
