"""The frontier chart: cost (the objective) against service (the first constraint).

Each evaluated candidate is a point with its confidence intervals on both axes,
filled when every constraint is met, hollow when not; the chosen one is starred
and the constraint's limit is a dashed line, so the chart shows how much service
each step of cost buys and where the target cuts. For a selection (no
constraint) the networks are ranked by the objective with their intervals. A
chart that fails is skipped with a warning (:func:`o2osim.chartkit.save_charts`).
This module only draws.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..chartkit import save_charts
from ..glossary import key_label
from .evaluate import Evaluation
from .problem import ProblemFile


def _frontier(
    problem: ProblemFile, evaluations: list[Evaluation], chosen: Evaluation | None
) -> Figure:
    fig, ax = plt.subplots(figsize=(7.5, 5))
    constraint = problem.constraints[0]
    for e in evaluations:
        estimate = e.constraints[0][1]
        colour = "tab:green" if e.feasible else "tab:red"
        ax.errorbar(
            e.objective.mean,
            estimate.mean,
            xerr=[[e.objective.mean - e.objective.low], [e.objective.high - e.objective.mean]],
            yerr=[[estimate.mean - estimate.low], [estimate.high - estimate.mean]],
            fmt="o",
            color=colour,
            mfc=colour if e.feasible else "white",
            capsize=3,
        )
        ax.annotate(
            e.candidate.label,
            (e.objective.mean, estimate.mean),
            fontsize=7,
            xytext=(4, 4),
            textcoords="offset points",
        )
    if chosen is not None:
        ax.plot(
            chosen.objective.mean,
            chosen.constraints[0][1].mean,
            "*",
            ms=18,
            color="gold",
            mec="black",
            zorder=5,
            label=f"chosen: {chosen.candidate.label}",
        )
    ax.axhline(constraint.limit, ls="--", color="grey", label=f"target: {constraint.text()}")
    ax.plot([], [], "o", color="tab:green", label="every constraint met")
    ax.plot([], [], "o", color="tab:red", mfc="white", label="violated or undecided")
    ax.set_xlabel(f"{key_label(problem.objective.kpi)} ({problem.objective.direction})")
    ax.set_ylabel(key_label(constraint.key))
    level = f"{problem.problem.confidence:.0%}"
    ax.set_title(f"{problem.problem.name}: candidates with {level} confidence intervals")
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig


def _ranking(
    problem: ProblemFile, evaluations: list[Evaluation], chosen: Evaluation | None
) -> Figure:
    fig, ax = plt.subplots(figsize=(7.5, 0.6 * len(evaluations) + 1.8))
    order = sorted(evaluations, key=lambda e: e.objective.mean)
    for row, e in enumerate(order):
        best = chosen is not None and e.candidate.candidate_id == chosen.candidate.candidate_id
        ax.errorbar(
            e.objective.mean,
            row,
            xerr=[[e.objective.mean - e.objective.low], [e.objective.high - e.objective.mean]],
            fmt="*" if best else "o",
            ms=14 if best else 6,
            color="goldenrod" if best else "tab:blue",
            capsize=3,
        )
    ax.set_yticks(range(len(order)), [f"{e.candidate.label} (n={e.replications})" for e in order])
    ax.set_xlabel(
        f"{key_label(problem.objective.kpi)} ({problem.objective.direction}); each mean's CI: KN "
        "compares paired differences\n(the same customers in every layout), which are far "
        "tighter than these intervals"
    )
    ax.set_title(f"{problem.problem.name}: KN selection, {problem.problem.confidence:.0%} CIs")
    fig.tight_layout()
    return fig


def frontier_chart(
    problem: ProblemFile, evaluations: list[Evaluation], chosen: Evaluation | None, path: Path
) -> None:
    """Draw ``path`` (the frontier, or the ranking of a selection)."""
    draw = _frontier if problem.constraints else _ranking
    save_charts(path.parent, {path.name: lambda: draw(problem, evaluations, chosen)})
