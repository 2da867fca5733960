"""Decisions, not just runs: optimise staffing and stock for a service level, rank layouts.

``o2osim optimise PROBLEM.toml`` reads a problem file (:mod:`.problem`), turns
decision values into scenarios (:mod:`.candidates`), evaluates them with common
random numbers and sequential replications (:mod:`.evaluate`), searches
(:mod:`.search`: exact monotone bisection, Optuna, or KN ranking and selection,
:mod:`.selection`) and writes a resumable results folder (:mod:`.store`,
:mod:`.outputs`, :mod:`.chart`). Optuna is imported only by the Optuna search.
This package must not change the model: it only sets scenario keys and reads KPIs.
"""

from __future__ import annotations

from .problem import ProblemFile, load_problem
from .run import Finished, optimise
from .selection import Selection, kn_constants, kn_select

__all__ = [
    "Finished",
    "ProblemFile",
    "Selection",
    "kn_constants",
    "kn_select",
    "load_problem",
    "optimise",
]
