"""Fixtures of the MDRP tests: the bundled instances loaded and solved once per session."""

from __future__ import annotations

import pytest

from o2osim.mdrp.bench import solve
from o2osim.mdrp.instance import Instance
from o2osim.mdrp.loader import load_instance
from o2osim.mdrp.settings import PolicySettings
from o2osim.mdrp.solution import Solution

from mdrp_cases import NAMES


@pytest.fixture(scope="session")
def instances() -> dict[str, Instance]:
    return {name: load_instance(name) for name in NAMES}


@pytest.fixture(scope="session")
def solved(
    instances: dict[str, Instance],
) -> dict[tuple[str, str], tuple[Solution, dict[str, float]]]:
    """(instance, policy) -> (solution, metrics) with the default settings."""
    return {
        (name, policy): solve(instance, policy, PolicySettings())
        for name, instance in instances.items()
        for policy in ("fcfs", "rolling_horizon")
    }
