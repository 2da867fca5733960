"""Run MDRP instances under dispatch policies: one results folder, or a benchmark table.

:func:`solve` simulates one instance under one policy and returns the solution
tables and their metrics; :func:`write_run` puts a solution, its metrics and its
feasibility verdict into a results folder atomically; :func:`benchmark` gives one
row per instance and policy. This module must not parse command lines or print.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from ..results import atomic_folder
from .checker import check_solution
from .instance import Instance
from .metrics import COLUMNS, solution_metrics
from .model import simulate
from .settings import PolicySettings
from .solution import Solution, solution_from_trips, write_solution

METRICS_FILE = "metrics.json"


def solve(
    instance: Instance, policy: str, settings: PolicySettings
) -> tuple[Solution, dict[str, float]]:
    """The solution of one simulated day and its metrics."""
    solution = solution_from_trips(instance, simulate(instance, policy, settings))
    return solution, solution_metrics(instance, solution)


def write_run(
    folder: Path,
    instance: Instance,
    policy: str,
    settings: PolicySettings,
    force: bool = False,
) -> tuple[dict[str, float], list[str]]:
    """Solve and write the solution files and ``metrics.json`` into a new ``folder``;
    returns the metrics and the feasibility problems (empty: feasible)."""
    solution, metrics = solve(instance, policy, settings)
    problems = check_solution(instance, solution)
    record = {
        "instance": instance.name,
        "policy": policy,
        "settings": settings.describe(),
        "feasible": not problems,
        "metrics": metrics,
    }
    with atomic_folder(folder, force) as temp:
        write_solution(temp, solution)
        (temp / METRICS_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        # The manifest marks the folder as o2osim's, so --force may replace it.
        manifest = {"o2osim_version": __version__, "kind": "mdrp_solution"}
        (temp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return metrics, problems


def benchmark(
    instances: Sequence[Instance], policies: Sequence[str], settings: PolicySettings
) -> list[dict[str, object]]:
    """One row per instance and policy: names, feasibility, then :data:`COLUMNS`."""
    rows: list[dict[str, object]] = []
    for instance in instances:
        for policy in policies:
            solution, metrics = solve(instance, policy, settings)
            feasible = not check_solution(instance, solution)
            rows.append(
                {"instance": instance.name, "policy": policy, "feasible": feasible}
                | {c: metrics[c] for c in COLUMNS}
            )
    return rows
