"""Run one optimisation problem end to end: check, prepare the folder, search, write.

Everything that can fail on input (the problem file, its scenarios, the KPI names,
every bound of every variable) fails before the folder is made or a run starts.
Then the search (:mod:`.search`) evaluates candidates through an
:class:`~.evaluate.Evaluator` on the local pool or Dask, and :mod:`.outputs`
writes the answer. This module wires; it computes nothing itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..executors import check_dask_address, check_workers, dask_client
from ..experiment import replication_seeds
from ..kpi_catalogue import check_report_kpi, group_names
from ..scenario import Scenario, ScenarioError
from .candidates import base_scenarios, label_of, make_candidate
from .evaluate import Evaluation, Evaluator, Executor, tails_of
from .outputs import write_outputs
from .problem import WAIT_OVER, ProblemFile, load_problem
from .search import SEARCHES, select
from .store import fingerprint, prepare


@dataclass(frozen=True)
class Finished:
    """What one call of :func:`optimise` did."""

    out: Path
    chosen: Evaluation | None
    evaluations: list[Evaluation]
    decision: dict[str, Any]
    simulated: int
    reused: int
    wall_seconds: float


def check_kpis(problem: ProblemFile, scenarios: list[Scenario], source: Path) -> None:
    """Refuse an objective or constraint KPI that no run of these scenarios produces."""
    keys = [("objective.kpi", problem.objective.kpi)]
    keys += [(f"constraints[{i}].kpi", c.kpi) for i, c in enumerate(problem.constraints)]
    for where, key in keys:
        parts = key.split("/")
        if len(parts) == 3 and parts[0] == "resource" and parts[2] == WAIT_OVER:
            names = [n for sc in scenarios for n in group_names(sc, "resource")]
            problem_text = None if parts[1] in names else f"no resource {parts[1]!r}: {names}"
        else:
            problem_text = check_report_kpi(key, scenarios)
        if problem_text is not None:
            raise ScenarioError(f"{source}: {where} = {key!r}: {problem_text}")


def check_bounds(problem: ProblemFile, base: Scenario, source: Path) -> None:
    """Build the candidates at both ends of every variable: a bad key or bound fails now."""
    for variable in problem.variables:
        for value in (variable.grid()[0], variable.grid()[-1]):
            values = {v.name: v.grid()[0] for v in problem.variables} | {variable.name: value}
            make_candidate(base, problem.variables, values, source, label_of(values))


def optimise(
    path: str | Path,
    out: str | Path,
    *,
    workers: int = 1,
    dask: str | None = None,
    resume: bool = False,
    force: bool = False,
    on_run: Callable[[str], None] | None = None,
    on_candidate: Callable[[Evaluation], None] | None = None,
) -> Finished:
    """Solve the problem file at ``path`` into the folder ``out``."""
    started = time.perf_counter()
    source, out = Path(path), Path(out)
    problem = load_problem(source)
    workers = check_workers(workers)
    if dask is not None:
        check_dask_address(dask)
    bases = base_scenarios(problem, source)
    check_kpis(problem, [scenario for _, scenario in bases], source)
    if problem.problem.search != "select":
        check_bounds(problem, bases[0][1], source)
    prepare(out, source, fingerprint(bases, problem.problem.seed, tails_of(problem)), resume, force)
    seeds = replication_seeds(problem.problem.seed, problem.problem.max_replications)
    with ExitStack() as stack:
        client = None if dask is None else stack.enter_context(dask_client(dask, workers, 10.0))
        evaluator = Evaluator(problem, out, seeds, Executor(workers, client))
        if on_run is not None:
            evaluator.on_run = on_run
        if on_candidate is not None:
            evaluator.on_evaluated = on_candidate
        if problem.problem.search == "select":
            outcome = select(problem, bases, source, evaluator)
        else:
            outcome = SEARCHES[problem.problem.search](problem, bases[0][1], source, evaluator)
    evaluations = evaluator.evaluations
    data = write_outputs(
        out, problem, outcome.chosen, evaluations, outcome.selection, outcome.differences
    )
    return Finished(
        out,
        outcome.chosen,
        evaluations,
        data,
        evaluator.simulated,
        evaluator.reused,
        time.perf_counter() - started,
    )
