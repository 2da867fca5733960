"""Fixtures of the optimisation tests: textbook scenarios and problem files on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from o2osim.scenario import Scenario, dump_scenario

#: Writes scenario.toml and problem.toml into a folder; returns the problem file.
WriteProblem = Callable[..., Path]


@pytest.fixture
def write_problem(tmp_path: Path) -> WriteProblem:
    """``write_problem(scenario, variables=[...], constraints=[...], objective=..., **meta)``."""

    def write(
        scenario: Scenario,
        variables: list[dict[str, Any]],
        constraints: list[dict[str, Any]],
        objective: dict[str, Any],
        **meta: Any,
    ) -> Path:
        (tmp_path / "scenario.toml").write_text(dump_scenario(scenario), encoding="utf-8")
        problem = {
            "problem": {"name": "test", "scenario": "scenario.toml", "seed": 7, **meta},
            "variables": variables,
            "objective": objective,
            "constraints": constraints,
        }
        path = tmp_path / "problem.toml"
        path.write_text(tomli_w.dumps(problem), encoding="utf-8")
        return path

    return write
