"""Typed run parameters: the seed, horizon and warm-up of one run, applied to a scenario.

A run is a scenario plus these three; they travel as typed values, not as
``--set`` strings. The seed takes part in no check, so it is set without validating
the scenario again; a new horizon or warm-up is validated once, with the
scenario's cross-checks (a warm-up must be shorter than the horizon, ...).
This module must not import the runtime.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import ScenarioError
from .io import with_overrides
from .root import Scenario

#: Seeds are 63-bit so that they fit numpy's SeedSequence and a signed int64 column.
SEED_LIMIT = 2**63


def with_seed(scenario: Scenario, seed: int, *, origin: str = "seed") -> Scenario:
    """``scenario`` with ``scenario.seed = seed`` (no re-validation: no check reads it)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < SEED_LIMIT:
        raise ScenarioError(f"{origin} = {seed!r}: a seed is a whole number from 0 to 2**63 - 1")
    if seed == scenario.scenario.seed:
        return scenario
    meta = scenario.scenario.model_copy(update={"seed": seed})
    return scenario.model_copy(update={"scenario": meta})


@dataclass(frozen=True)
class RunParameters:
    """What one run changes in its scenario. ``None`` keeps the scenario's value.

    ``horizon`` and ``warmup`` are duration texts as in a scenario file (``"14d"``).
    """

    seed: int | None = None
    horizon: str | None = None
    warmup: str | None = None

    def apply(
        self, scenario: Scenario, *, origin: str = "run parameters", overrides: Sequence[str] = ()
    ) -> Scenario:
        """The scenario of the run: one validation at most (none for a seed alone).

        ``overrides`` (dotted ``key=value`` texts) are applied in the same validation.
        """
        times = [*overrides] + [
            f"scenario.{key}={json.dumps(value)}"  # a TOML basic string, quotes escaped
            for key, value in (("horizon", self.horizon), ("warmup", self.warmup))
            if value is not None
        ]
        if times:  # together: a shorter horizon with a shorter warm-up is one valid change
            scenario = with_overrides(scenario, times, origin=origin)
        if self.seed is not None:
            scenario = with_seed(scenario, self.seed, origin=origin)
        return scenario
