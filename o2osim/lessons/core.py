"""What a lesson is: a scenario, decisions in plain terms, a handout and a computed key.

A :class:`Decision` is one number a student chooses ("counters open at the peak")
with its range, unit and the scenario keys it stands for: :attr:`Decision.expand`
turns the number into dotted ``key -> value`` pairs (a whole 24-value staffing list,
a shift table), so nobody types them. :func:`lesson_scenario` applies a set of
decisions to the lesson's base scenario through the same ``--set`` language as the
command line, so a wrong value fails with the usual one-line
:class:`o2osim.scenario.ScenarioError`.

This module only describes lessons; it must not run the model (the keys do, in
:mod:`o2osim.lessons.keys`) nor draw anything.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..scenario import Scenario, ScenarioError, with_overrides

if TYPE_CHECKING:
    from .keys import Key

#: A decision's value -> dotted scenario key -> value (TOML-shaped: numbers, strings,
#: lists and tables).
Expansion = Callable[[float], dict[str, Any]]


@dataclass(frozen=True)
class Decision:
    """One choice a student makes, in the lesson's words and unit."""

    name: str  # short label for sliders, sweeps and tables: letters, digits and _
    label: str  # the plain-language question, e.g. "Counters open at the peak (08-20 h)"
    unit: str  # what the number counts: "counters", "riders", "minutes", "units"
    low: float
    high: float
    default: float
    expand: Expansion
    step: float = 1.0

    @property
    def integer(self) -> bool:
        """Whole numbers only (counters, riders, units)."""
        return float(self.step).is_integer() and float(self.low).is_integer()

    def check(self, value: object, where: str) -> float:
        """The value as a number, or a :class:`ScenarioError` naming the decision."""
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise ScenarioError(f"{where}: {self.name} = {value!r}: give a number")
        number = float(value)
        if not self.low <= number <= self.high:
            raise ScenarioError(
                f"{where}: {self.name} = {_num(number)}: outside its range; allowed: "
                f"{_num(self.low)} to {_num(self.high)} {self.unit}"
            )
        if self.integer and not number.is_integer():
            raise ScenarioError(f"{where}: {self.name} = {value!r}: give a whole number")
        return number


@dataclass(frozen=True)
class Lesson:
    """A 90-minute class unit: the story, the decisions, the exercises and the key."""

    name: str
    title: str
    minutes: int  # class time
    story: str  # Markdown paragraphs: the setting, from the seed papers
    measure: tuple[tuple[str, str, str], ...]  # (group, name, kpi) the students read
    exercises: tuple[str, ...]
    decisions: tuple[Decision, ...]
    base: Callable[[], Scenario]  # the lesson's scenario with every decision at its default
    key: Callable[[Lesson, Mapping[str, float], int], Key]  # (lesson, values, replications)
    sources: tuple[str, ...] = field(default_factory=tuple)
    objective: tuple[str, str, str] | None = None  # the KPI a class game ranks by
    #: Keys that depend on several decisions at once (a fleet is the sum of its shifts).
    derived: Callable[[Mapping[str, float]], dict[str, Any]] | None = None

    def decision(self, name: str) -> Decision:
        for decision in self.decisions:
            if decision.name == name:
                return decision
        allowed = ", ".join(d.name for d in self.decisions)
        raise ScenarioError(f"lesson {self.name}: no decision {name!r}; allowed: {allowed}")

    @property
    def defaults(self) -> dict[str, float]:
        return {d.name: d.default for d in self.decisions}

    def values(self, chosen: Mapping[str, object] | None = None) -> dict[str, float]:
        """Every decision's value: the defaults with ``chosen`` checked and laid over."""
        values = self.defaults
        for name, value in (chosen or {}).items():
            values[name] = self.decision(name).check(value, f"lesson {self.name}")
        return values


def toml_value(value: Any) -> str:
    """A Python value as TOML text for a ``--set`` override (inline tables for dicts)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML text for {value!r}")


def decision_overrides(lesson: Lesson, chosen: Mapping[str, object] | None = None) -> list[str]:
    """The ``key=value`` overrides that the decisions stand for (every decision)."""
    values = lesson.values(chosen)
    settings: dict[str, Any] = {}
    for name, value in values.items():
        settings.update(lesson.decision(name).expand(value))
    if lesson.derived is not None:
        settings.update(lesson.derived(values))
    return [f"{key}={toml_value(setting)}" for key, setting in settings.items()]


def lesson_scenario(lesson: Lesson, chosen: Mapping[str, object] | None = None) -> Scenario:
    """The lesson's scenario, named after it, with the chosen decisions (the rest at their
    defaults)."""
    named = [f'scenario.name="{lesson.name}"', *decision_overrides(lesson, chosen)]
    return with_overrides(lesson.base(), named, origin=f"lesson {lesson.name}")


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def hour_list(hours: range, inside: float, outside: float) -> list[int]:
    """24 whole numbers, one per hour of the day: ``inside`` in ``hours``, else ``outside``."""
    return [int(inside) if h in hours else int(outside) for h in range(24)]
