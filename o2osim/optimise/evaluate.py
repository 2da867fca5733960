"""Evaluate candidates with common random numbers and sequential replications.

Replication ``r`` of every candidate uses the same seed (common random numbers:
the same customers meet every staffing level, so differences between candidates
are not noise between seeds). A candidate gets ``problem.replications`` runs
first; while some constraint is undecided at the stated confidence, ``step`` more,
up to ``max_replications``. A constraint ``mean <= limit`` is *met* when the
one-sided upper confidence bound is at most the limit, *violated* when the lower
bound is above it, else *undecided* (and a candidate with an undecided constraint
is not counted as feasible). A violated constraint stops the candidate early.
Batches have a fixed size, so the answer does not depend on the number of workers.

Runs are stored as ``runs/CANDIDATE/rep-NNN/`` (``kpis.parquet`` plus the derived
rows of :mod:`.tails`, and ``manifest.json``), each written atomically; a run found
on disk is read, never re-run. Execution goes through
:func:`o2osim.executors.run_local` or :func:`~o2osim.executors.run_dask`.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from ..executors import run_dask, run_local
from ..experiment import RunSpec
from ..results import atomic_folder
from ..summary import t_half_width
from .candidates import Candidate
from .problem import WAIT_OVER, Constraint, ProblemFile

Decision = Literal["met", "violated", "undecided"]
Tail = tuple[str, str, str]


def run_candidate(spec: RunSpec, root: str, save: bool, tails: tuple[Tail, ...]) -> str:
    """Simulate one replication of a candidate and store its KPIs (worker side)."""
    from ..api import simulate
    from ..kpis.stability import UnstableRunWarning
    from ..scenario import scenario_from_dict
    from .tails import tail_rows

    del save  # the optimiser keeps KPIs only
    scenario = spec.scenario
    if scenario is None:
        import tomllib

        scenario = scenario_from_dict(tomllib.loads(spec.scenario_toml), source=spec.folder)
    with warnings.catch_warnings():  # a poor candidate may be unstable; its KPIs say so
        warnings.simplefilter("ignore", UnstableRunWarning)
        result = simulate(scenario, seed=spec.seed)
    kpis = pd.concat([result.kpis, tail_rows(scenario, result.orders, tails)], ignore_index=True)
    with atomic_folder(Path(root) / spec.folder, force=True) as temp:
        kpis.to_parquet(temp / "kpis.parquet", index=False)
        manifest = {"candidate": spec.variant_id, "replication": spec.replication}
        manifest["seed"] = spec.seed
        (temp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return spec.folder


def kpi_value(table: pd.DataFrame, key: str) -> float:
    """KPI ``key`` (group/name/kpi) of one run's KPI table; NaN if the run has none."""
    group, name, kpi = key.split("/")
    hit = table[(table["group"] == group) & (table["name"] == name) & (table["kpi"] == kpi)]
    return float(hit["value"].iloc[0]) if len(hit) else float("nan")


@dataclass(frozen=True)
class Estimate:
    """Mean of a KPI over ``n`` replications and its two-sided confidence interval."""

    mean: float
    low: float
    high: float
    n: int


def estimate(values: np.ndarray, level: float) -> Estimate:
    mean = float(np.mean(values))
    half = float(t_half_width(np.std(values, ddof=1), len(values), level)) if len(values) > 1 else 0
    half = 0.0 if math.isnan(half) else half
    return Estimate(mean, mean - half, mean + half, len(values))


def decide(constraint: Constraint, values: np.ndarray, confidence: float) -> Decision:
    """Met, violated or undecided at one-sided ``confidence`` (Student t)."""
    if len(values) < 2 or np.isnan(values).any():
        return "undecided"
    mean = float(values.mean())
    half = float(stats.t.ppf(confidence, len(values) - 1) * values.std(ddof=1))
    half /= math.sqrt(len(values))
    low, high = mean - half, mean + half
    limit = constraint.limit
    if constraint.upper:
        return "met" if high <= limit else "violated" if low > limit else "undecided"
    return "met" if low >= limit else "violated" if high < limit else "undecided"


@dataclass(frozen=True)
class Evaluation:
    """What the optimiser knows about one candidate."""

    candidate: Candidate
    replications: int
    objective: Estimate
    constraints: tuple[tuple[Constraint, Estimate, Decision], ...]

    @property
    def feasible(self) -> bool:
        return all(decision == "met" for _, _, decision in self.constraints)


@dataclass
class Executor:
    """Where runs execute: this process or a pool (``workers``), or a Dask ``client``."""

    workers: int = 1
    client: Any = None

    def run(self, job: Callable[..., str], todo: list[RunSpec], root: Path, done: Any) -> None:
        if self.client is not None:
            run_dask(self.client, job, todo, root, False, done)
        else:
            run_local(job, todo, root, False, self.workers, done)


def tails_of(problem: ProblemFile) -> tuple[Tail, ...]:
    """The derived KPIs the constraints ask for: (stored key, resource, threshold)."""
    out = []
    for c in problem.constraints:
        if c.over is not None and c.kpi.rsplit("/", 1)[-1] == WAIT_OVER:
            out.append((c.key, c.kpi.split("/")[1], c.over))
    return tuple(dict.fromkeys(out))


@dataclass
class Evaluator:
    """Runs replications of candidates into ``out`` and judges them (see the module doc)."""

    problem: ProblemFile
    out: Path
    seeds: list[int]
    executor: Executor
    on_run: Callable[[str], None] = lambda folder: None
    on_evaluated: Callable[[Evaluation], None] = lambda evaluation: None
    simulated: int = 0
    reused: int = 0
    _kpis: dict[tuple[str, int], pd.DataFrame] = field(default_factory=dict)
    _done: dict[str, Evaluation] = field(default_factory=dict)

    def values(self, candidate: Candidate, key: str, n: int) -> np.ndarray:
        """KPI ``key`` (group/name/kpi) of replications 0..n-1 of ``candidate``."""
        self.ensure([(candidate, n)])
        return np.array([kpi_value(self._kpis[(candidate.candidate_id, r)], key) for r in range(n)])

    def ensure(self, wanted: list[tuple[Candidate, int]]) -> None:
        """Run (or read back) replications 0..n-1 of each (candidate, n), in one batch."""
        specs = [
            RunSpec(candidate.candidate_id, r, self.seeds[r], candidate.scenario_toml)
            for candidate, n in wanted
            for r in range(n)
            if (candidate.candidate_id, r) not in self._kpis
        ]
        todo = [s for s in specs if not (self.out / s.folder / "manifest.json").is_file()]
        self.reused += len(specs) - len(todo)

        def done(folder: str) -> None:
            self.simulated += 1
            self.on_run(folder)

        if todo:
            job = partial(run_candidate, tails=tails_of(self.problem))
            self.executor.run(job, todo, self.out, done)
        for s in specs:
            kpis = pd.read_parquet(self.out / s.folder / "kpis.parquet")
            self._kpis[(s.variant_id, s.replication)] = kpis

    def record(self, candidate: Candidate, n: int) -> Evaluation:
        """The evaluation of ``candidate`` on its first ``n`` replications, objective only."""
        values = self.values(candidate, self.problem.objective.kpi, n)
        evaluation = Evaluation(candidate, n, estimate(values, self.problem.problem.confidence), ())
        self._done[candidate.candidate_id] = evaluation
        self.on_evaluated(evaluation)
        return evaluation

    def evaluate(self, candidate: Candidate) -> Evaluation:
        """Replicate ``candidate`` until every constraint is decided (or the maximum)."""
        if candidate.candidate_id in self._done:
            return self._done[candidate.candidate_id]
        meta = self.problem.problem
        n = meta.replications
        while True:
            judged = []
            for c in self.problem.constraints:
                values = self.values(candidate, c.key, n)
                judged.append(
                    (c, estimate(values, meta.confidence), decide(c, values, meta.confidence))
                )
            decisions = [d for _, _, d in judged]
            if "violated" in decisions or "undecided" not in decisions:
                break
            if n >= meta.max_replications:
                break
            n = min(n + meta.step, meta.max_replications)
        objective = estimate(self.values(candidate, self.problem.objective.kpi, n), meta.confidence)
        evaluation = Evaluation(candidate, n, objective, tuple(judged))
        self._done[candidate.candidate_id] = evaluation
        self.on_evaluated(evaluation)
        return evaluation

    @property
    def evaluations(self) -> list[Evaluation]:
        """Every candidate evaluated so far, in the order they were first evaluated."""
        return list(self._done.values())
