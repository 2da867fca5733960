"""o2osim: discrete-event simulation of cross-border e-commerce O2O omnichannel retail.

Public API: :func:`load_scenario`, :func:`simulate` and :class:`Result`.
Simulation time is in minutes; money in CNY; distances in km.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import Result, simulate
from .scenario import Scenario, ScenarioError, load_scenario, with_overrides

__all__ = [
    "Result",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load_scenario",
    "simulate",
    "with_overrides",
]
