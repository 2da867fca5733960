"""Candidates: a base scenario plus decision values, as a validated scenario with an id.

An integer variable sets each of its keys to the value. A level multiplies what
each key holds in the base scenario: a number, a list of numbers (a staffing
profile of 24 hours) or, with ``field``, that number in each table of a list (the
``riders`` of every shift), rounded up to whole units, because a level of staff
means at least that many people; ``total`` names a key set to the sum of the scaled
``field`` (a fleet's riders are the riders of its shifts). A candidate's id hashes
its scenario text, so two decision values that give the same scenario share their
runs. This module builds scenarios only; it must not run them.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import tomli_w

from ..experiment_checks import scenario_bases
from ..scenario import (
    RunParameters,
    Scenario,
    ScenarioError,
    dump_scenario,
    scenario_to_dict,
    with_overrides,
)
from .problem import ProblemFile, Variable


@dataclass(frozen=True)
class Candidate:
    """One point of the decision space, ready to run."""

    candidate_id: str
    label: str
    values: tuple[tuple[str, float], ...]
    scenario: Scenario
    scenario_toml: str


def base_scenarios(problem: ProblemFile, source: Path) -> list[tuple[str, Scenario]]:
    """(label, scenario) of the problem's base: one scenario, or the market on each network,
    with the problem's horizon and warm-up."""
    meta = problem.problem
    shape = SimpleNamespace(
        scenario=meta.scenario,
        scenarios=None,
        market=meta.market,
        markets=None,
        networks=meta.networks,
    )
    run = RunParameters(horizon=meta.horizon, warmup=meta.warmup)
    out = []
    for _key, _file, label, scenario in scenario_bases(shape, source):
        if meta.horizon is not None or meta.warmup is not None:
            scenario = run.apply(scenario, origin=f"{source}: problem")
        out.append((label, scenario))
    return out


def _at(raw: dict[str, Any], key: str, where: str) -> Any:
    """The value at a dotted key path (``a.b[0].c``) of raw scenario data."""
    node: Any = raw
    for part in key.split("."):
        name, _, index = part.partition("[")
        if not isinstance(node, dict) or name not in node:
            raise ScenarioError(f"{where}: {key!r}: the base scenario has no {name!r} here")
        node = node[name]
        if index:
            position = int(index.rstrip("]"))
            if not isinstance(node, list) or position >= len(node):
                raise ScenarioError(f"{where}: {key!r}: no entry [{position}] in the base")
            node = node[position]
    return node


def scaled(value: Any, level: float, field: str | None, where: str) -> Any:
    """``value`` times ``level``, rounded up: a number, numbers, or ``field`` in tables."""

    def up(number: Any) -> int:
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise ScenarioError(f"{where}: a level scales numbers, found {number!r}")
        return math.ceil(number * level - 1e-9)

    if isinstance(value, list):
        if field is None:
            return [up(v) for v in value]
        if not all(isinstance(v, dict) and field in v for v in value):
            raise ScenarioError(f"{where}: every table of the list needs {field!r}")
        return [{**v, field: up(v[field])} for v in value]
    return up(value)  # a plain number: ``field`` names the number inside tables only


def overrides_for(
    variables: list[Variable], values: dict[str, float], raw: dict[str, Any], source: Path
) -> list[str]:
    """The ``key=value`` overrides of one decision."""
    out = []
    for index, variable in enumerate(variables):
        where = f"{source}: variables[{index}].keys"
        value = values[variable.name]
        summed = 0
        for key in variable.keys:
            if variable.type == "integer":
                new: Any = int(value)
            else:
                new = scaled(_at(raw, key, where), value, variable.field, f"{where}: {key}")
                if isinstance(new, list) and variable.field is not None:
                    summed += sum(row[variable.field] for row in new)
            out.append(_override(key, new))
        if variable.total is not None:
            out.append(_override(variable.total, summed))
    return out


def _override(key: str, value: Any) -> str:
    return f"{key}={tomli_w.dumps({'v': value}).strip().removeprefix('v = ')}"


def make_candidate(
    base: Scenario, variables: list[Variable], values: dict[str, float], source: Path, label: str
) -> Candidate:
    """The validated scenario of one decision and its id."""
    raw = scenario_to_dict(base)
    overrides = overrides_for(variables, values, raw, source)
    scenario = with_overrides(base, overrides, origin=f"{source}: variables") if overrides else base
    text = dump_scenario(scenario)
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    pairs = tuple((v.name, values[v.name]) for v in variables)
    return Candidate(f"c{digest}", label, pairs, scenario, text)


def label_of(values: dict[str, float]) -> str:
    return " ".join(f"{name}={value:g}" for name, value in values.items())
