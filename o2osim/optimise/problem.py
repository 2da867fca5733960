"""Problem files: what ``o2osim optimise`` decides, under which constraints, how sure.

A problem file (TOML) names one scenario (or a market and the networks to choose
from), the decision variables, the objective and the KPI constraints with a
confidence level, and how the search runs (an exact monotone search over one
variable, Optuna over several, or ranking and selection among networks). This
module only reads and checks the file; :mod:`.candidates` turns decision values
into scenarios and :mod:`.search` runs them. Every mistake is one
:class:`~o2osim.scenario.ScenarioError` line naming the file and the key path.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..scenario import ABSENT, KeyPathError, ScenarioError, read_toml
from ..units import parse_duration

#: A derived KPI (:mod:`.tails`): the share of a resource's waits longer than ``over``.
WAIT_OVER = "wait_over"
Direction = Literal["minimize", "maximize"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProblemMeta(_Strict):
    """The ``[problem]`` table."""

    name: Annotated[str, Field(max_length=80, pattern=r"^[A-Za-z0-9_\-]+$")]
    description: str = ""
    scenario: str | None = None
    market: str | None = None
    networks: list[str] | None = Field(default=None, min_length=2)
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 1
    horizon: str | None = None
    warmup: str | None = None
    search: Literal["monotone", "optuna", "select"] = "monotone"
    # The search settings' defaults are assumptions (docs/sources.md, "Optimisation").
    confidence: Annotated[float, Field(gt=0.5, lt=1.0)] = 0.95  # assumption
    replications: Annotated[int, Field(ge=2, le=1000)] = 5  # assumption
    step: Annotated[int, Field(ge=1, le=1000)] = 5  # assumption
    max_replications: Annotated[int, Field(ge=2, le=10_000)] = 40  # assumption
    trials: Annotated[int, Field(ge=1, le=1000)] = 20  # assumption
    delta: Annotated[float, Field(gt=0.0)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ProblemMeta:
        for key in ("horizon", "warmup"):
            text = getattr(self, key)
            if text is not None:
                try:
                    parse_duration(text)
                except ValueError as exc:
                    raise KeyPathError(f"problem.{key}", text, str(exc)) from None
        if self.max_replications < self.replications:
            raise KeyPathError(
                "problem.max_replications",
                self.max_replications,
                f"must be at least problem.replications ({self.replications})",
            )
        if (self.scenario is None) == (self.market is None):
            raise KeyPathError(
                "problem.scenario",
                ABSENT if self.scenario is None else self.scenario,
                "give exactly one of problem.scenario or problem.market (with problem.networks)",
            )
        if (self.market is None) != (self.networks is None):
            raise KeyPathError(
                "problem.networks", ABSENT, "a market needs the networks to choose from"
            )
        if self.search == "select" and (self.networks is None or self.delta is None):
            key = "problem.networks" if self.networks is None else "problem.delta"
            raise KeyPathError(
                key,
                ABSENT,
                'search = "select" ranks networks: give problem.market, problem.networks '
                "and problem.delta (the indifference zone, in the objective's units)",
            )
        return self


class Variable(_Strict):
    """One ``[[variables]]`` entry: an integer, or a level scaling whole profiles."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+$", max_length=40)]
    keys: list[str] = Field(min_length=1)
    type: Literal["integer", "level"] = "integer"
    low: float
    high: float
    step: Annotated[float, Field(gt=0.0)] = 1.0
    field: str | None = Field(default=None, description="the number to scale in tables")
    total: str | None = Field(
        default=None, description="a key set to the sum of the scaled field (a fleet's riders)"
    )

    @model_validator(mode="after")
    def _bounds(self) -> Variable:
        if self.high < self.low:
            raise KeyPathError("high", self.high, f"must be at least low ({self.low:g})")
        if self.type == "integer" and not all(
            float(v).is_integer() for v in (self.low, self.high, self.step)
        ):
            raise KeyPathError("low", self.low, "an integer variable has whole low, high, step")
        if self.total is not None and (self.type != "level" or self.field is None):
            raise KeyPathError("total", self.total, 'total needs type = "level" and field')
        if len(self.grid()) > 10_000:
            raise KeyPathError("step", self.step, "at most 10,000 values between low and high")
        return self

    def grid(self) -> list[float]:
        """The values the variable may take, low to high."""
        count = math.floor((self.high - self.low) / self.step + 1e-9) + 1
        return [round(self.low + i * self.step, 10) for i in range(count)]


class Objective(_Strict):
    kpi: str
    direction: Direction = "minimize"


class Constraint(_Strict):
    """One ``[[constraints]]`` entry: a KPI's mean must be at most ``max`` or at least ``min``."""

    kpi: str
    max: float | None = None
    min: float | None = None
    over: str | None = Field(default=None, description="threshold of a wait_over KPI")

    @model_validator(mode="after")
    def _one_bound(self) -> Constraint:
        if (self.max is None) == (self.min is None):
            raise KeyPathError("max", ABSENT, "give exactly one of max or min")
        derived = self.kpi.rsplit("/", 1)[-1] == WAIT_OVER
        if derived != (self.over is not None):
            raise KeyPathError(
                "over",
                ABSENT if self.over is None else self.over,
                f'a resource/NAME/{WAIT_OVER} KPI needs over = "2min" (and only it takes over)',
            )
        if self.over is not None:
            try:
                parse_duration(self.over)
            except ValueError as exc:
                raise KeyPathError("over", self.over, str(exc)) from None
        return self

    @property
    def limit(self) -> float:
        return float(self.max if self.max is not None else self.min)  # type: ignore[arg-type]

    @property
    def upper(self) -> bool:
        """True for ``max`` (the KPI must stay below the limit)."""
        return self.max is not None

    @property
    def key(self) -> str:
        """The KPI key as stored in a run's table (derived KPIs carry their threshold)."""
        return self.kpi if self.over is None else f"{self.kpi}_{threshold_tag(self.over)}"

    def text(self) -> str:
        sign = "<=" if self.upper else ">="
        return f"{self.key} {sign} {self.limit:g}"


class ProblemFile(_Strict):
    problem: ProblemMeta
    variables: list[Variable] = Field(default_factory=list)
    objective: Objective
    constraints: list[Constraint] = Field(default_factory=list)

    @model_validator(mode="after")
    def _search_fits(self) -> ProblemFile:
        search = self.problem.search
        if search == "select":
            if self.variables or self.constraints:
                raise KeyPathError(
                    "variables" if self.variables else "constraints",
                    ABSENT,
                    'search = "select" only ranks the networks by the objective; remove it',
                )
            return self
        if not self.variables:
            raise KeyPathError("variables", ABSENT, "give at least one [[variables]] entry")
        if search == "monotone" and len(self.variables) != 1:
            raise KeyPathError(
                "problem.search",
                search,
                'a monotone search takes exactly one variable; use search = "optuna"',
            )
        if search == "monotone" and not self.constraints:
            raise KeyPathError(
                "constraints", ABSENT, "a monotone search needs at least one constraint"
            )
        names = [v.name for v in self.variables]
        for i, name in enumerate(names):
            if names.index(name) != i:
                raise KeyPathError(f"variables[{i}].name", name, "each variable needs its own name")
        return self


def threshold_tag(text: str) -> str:
    """``"2min"`` -> ``"2min"``; any duration as a KPI-name suffix (letters, digits, _)."""
    return re.sub(r"[^A-Za-z0-9]+", "_", text.strip())


def load_problem(path: str | Path) -> ProblemFile:
    """Read and check a problem file; raise :class:`ScenarioError` in one line."""
    path = Path(path)
    raw = read_toml(path)
    try:
        return ProblemFile.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(describe(exc, path)) from None


def describe(exc: ValidationError, path: Path) -> str:
    """One line for the first problem: file, key path, value, what is allowed."""
    first = exc.errors(include_url=False)[0]
    loc = [str(p) for p in first["loc"]]
    where = ""
    for part in loc:
        where += f"[{part}]" if part.isdigit() else (f".{part}" if where else part)
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, KeyPathError):
        inner = cause.path
        full = inner if inner.startswith(("problem.", "variables", "constraints")) else None
        key = full or (f"{where}.{inner}" if where else inner)
        shown = "" if cause.value is ABSENT else f" = {cause.value!r}"
        return f"{path}: {key}{shown}: {cause.message}"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        return f"{path}: {where}: missing"
    if first["type"] == "extra_forbidden":
        return f"{path}: {where}: unknown key (allowed: {', '.join(_allowed(loc))})"
    value = repr(first["input"])
    value = value if len(value) <= 60 else value[:57] + "..."
    return f"{path}: {where} = {value}: {message}"


def _allowed(loc: list[str]) -> list[str]:
    """The keys allowed where an unknown key was found."""
    tables: dict[str, type[BaseModel]] = {
        "problem": ProblemMeta,
        "variables": Variable,
        "objective": Objective,
        "constraints": Constraint,
    }
    model = tables.get(loc[0]) if len(loc) > 1 else ProblemFile
    return list((model or ProblemFile).model_fields)
