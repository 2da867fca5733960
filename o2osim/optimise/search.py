"""The searches: exact monotone bisection, Optuna, and KN selection among networks.

- ``monotone``: one variable whose constraints only get easier as it grows (more
  counters, riders or stock never make waits longer or fill rates lower). Bisection
  over the variable's grid finds the smallest feasible value, which is the cheapest
  when the cost grows with it; it evaluates about log2(grid) candidates.
- ``optuna``: several variables, Optuna's TPE sampler (seeded, one trial at a time so
  the trials depend only on the results), with the constraints set as Optuna
  trial constraints (a feasible candidate has every constraint met). The best feasible
  candidate by objective mean is the answer.
- ``select``: the networks of a market ranked by the objective with the KN procedure
  (:mod:`.selection`), one more replication per surviving network per stage.

This module decides which candidates to evaluate; :mod:`.evaluate` runs them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..scenario import Scenario
from .candidates import Candidate, label_of, make_candidate
from .evaluate import Estimate, Evaluation, Evaluator, estimate
from .problem import ProblemFile
from .selection import Selection, kn_select


@dataclass(frozen=True)
class Outcome:
    """The answer of a search: the chosen evaluation (None: nothing feasible)."""

    chosen: Evaluation | None
    selection: Selection | None = None
    #: select: the chosen network minus each other, paired by replication (label -> CI)
    differences: dict[str, Estimate] = field(default_factory=dict)


def _candidate(
    problem: ProblemFile, base: Scenario, source: Path, values: dict[str, float]
) -> Candidate:
    return make_candidate(base, problem.variables, values, source, label_of(values))


def monotone(problem: ProblemFile, base: Scenario, source: Path, evaluator: Evaluator) -> Outcome:
    """Smallest grid value of the one variable at which every constraint is met."""
    variable = problem.variables[0]
    grid = variable.grid()

    def feasible(index: int) -> Evaluation:
        return evaluator.evaluate(_candidate(problem, base, source, {variable.name: grid[index]}))

    low, high = 0, len(grid) - 1
    top = feasible(high)
    if not top.feasible:
        return Outcome(None)
    best = top
    while low < high:  # invariant: grid[high] is feasible
        middle = (low + high) // 2
        evaluation = feasible(middle)
        if evaluation.feasible:
            high, best = middle, evaluation
        else:
            low = middle + 1
    return Outcome(best)


def optuna_search(
    problem: ProblemFile, base: Scenario, source: Path, evaluator: Evaluator
) -> Outcome:
    """Optuna TPE over the variables' grids; the best feasible candidate."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    maximise = problem.objective.direction == "maximize"

    sampler = optuna.samplers.TPESampler(seed=problem.problem.seed % 2**32)
    study = optuna.create_study(direction=problem.objective.direction, sampler=sampler)

    def objective(trial: optuna.Trial) -> float:
        values = {}
        for v in problem.variables:
            grid = v.grid()
            values[v.name] = grid[trial.suggest_int(v.name, 0, len(grid) - 1)]
        evaluation = evaluator.evaluate(_candidate(problem, base, source, values))
        for index, violation in enumerate(_violations(evaluation)):
            trial.set_constraint(f"c{index}", violation)  # <= 0: met
        return evaluation.objective.mean

    study.optimize(objective, n_trials=problem.problem.trials)
    return Outcome(best_feasible(evaluator.evaluations, maximise))


def _violations(evaluation: Evaluation) -> list[float]:
    """Optuna constraint values: <= 0 when met, else how far the mean is on the wrong side."""
    out = []
    for constraint, est, decision in evaluation.constraints:
        if decision == "met":
            out.append(-1.0)
        else:
            gap = est.mean - constraint.limit
            out.append(max(gap if constraint.upper else -gap, 1e-9))
    return out


def best_feasible(evaluations: list[Evaluation], maximise: bool) -> Evaluation | None:
    """The feasible evaluation with the best objective mean (first found on ties)."""
    feasible = [e for e in evaluations if e.feasible]
    if not feasible:
        return None
    sign = -1.0 if maximise else 1.0
    return min(feasible, key=lambda e: sign * e.objective.mean)


def select(
    problem: ProblemFile,
    bases: list[tuple[str, Scenario]],
    source: Path,
    evaluator: Evaluator,
) -> Outcome:
    """KN among the networks: the best objective with probability >= confidence."""
    meta = problem.problem
    candidates = [make_candidate(base, [], {}, source, label) for label, base in bases]
    key = problem.objective.kpi

    def draw(systems: Sequence[int], reps: range) -> np.ndarray:
        chosen = [candidates[i] for i in systems]
        evaluator.ensure([(c, reps.stop) for c in chosen])  # one batch: the pool runs all
        return np.array([evaluator.values(c, key, reps.stop)[reps.start :] for c in chosen])

    selection = kn_select(
        draw,
        len(candidates),
        1 - meta.confidence,
        float(meta.delta or 0.0),
        meta.replications,
        maximise=problem.objective.direction == "maximize",
        max_replications=meta.max_replications,
    )
    evaluations = [
        evaluator.record(candidate, selection.replications[index])
        for index, candidate in enumerate(candidates)
    ]
    best = candidates[selection.best]
    differences = {}
    for index, other in enumerate(candidates):
        if index != selection.best:  # on the replications both have: common random numbers
            n = min(selection.replications[index], selection.replications[selection.best])
            paired = evaluator.values(best, key, n) - evaluator.values(other, key, n)
            differences[other.label] = estimate(paired, meta.confidence)
    return Outcome(evaluations[selection.best], selection, differences)


SEARCHES: dict[str, Callable[[ProblemFile, Scenario, Path, Evaluator], Outcome]] = {
    "monotone": monotone,
    "optuna": optuna_search,
}
