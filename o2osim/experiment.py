"""Experiment files: which variants and replications to run, and with which seeds.

An experiment file (TOML) names one base scenario or a list of scenarios to
compare (the layouts), factors as dotted keys with value lists (a full grid or
zipped), replications, one seed, and optionally a common horizon and warm-up.
It expands into a list of :class:`RunSpec`: (variant, replication, seed).

Replication ``r`` gets the same seed in every variant, so the same replication
index sees the same customers in every variant (common random numbers).
This module only plans; :mod:`o2osim.runner` executes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .scenario import (
    Scenario,
    ScenarioError,
    dump_scenario,
    load_scenario,
    read_toml,
    with_overrides,
)
from .units import parse_duration

FactorValue = int | float | bool | str | list[Any] | dict[str, Any]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExperimentMeta(_Strict):
    """The ``[experiment]`` table."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_\-]+$", max_length=80)]
    description: str = ""
    scenario: str | None = Field(default=None, description="base scenario file")
    scenarios: list[str] | None = Field(default=None, min_length=1,
                                        description="scenario files to compare")
    replications: Annotated[int, Field(ge=2, le=10_000)] = 5
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 1
    horizon: str | None = None
    warmup: str | None = None
    design: Literal["grid", "zip"] = "grid"
    baseline: str | None = Field(default=None, description="variant for paired differences")
    save_tables: bool = Field(default=False, description="write orders/resources per run")
    report_kpis: list[str] = Field(
        default_factory=lambda: [
            "overall/all/lead_time_mean", "overall/all/on_time_rate",
            "overall/all/fill_rate", "overall/all/orders_placed",
        ],
        description="group/name/kpi keys drawn in the report",
    )

    @model_validator(mode="after")
    def _one_source(self) -> ExperimentMeta:
        if (self.scenario is None) == (self.scenarios is None):
            raise ValueError("give exactly one of experiment.scenario or experiment.scenarios")
        for key in ("horizon", "warmup"):
            value = getattr(self, key)
            if value is not None:
                parse_duration(value)
        return self


class ExperimentFile(_Strict):
    experiment: ExperimentMeta
    factors: dict[str, list[FactorValue]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _factor_lists(self) -> ExperimentFile:
        for key, values in self.factors.items():
            if not values:
                raise ValueError(f"factors.{key}: give at least one value")
        if self.experiment.design == "zip" and self.factors:
            lengths = {len(v) for v in self.factors.values()}
            if len(lengths) > 1:
                raise ValueError("design = \"zip\" needs factor lists of equal length")
        return self


@dataclass(frozen=True)
class Variant:
    """One configuration: a scenario plus overrides."""

    variant_id: str
    label: str
    scenario: Scenario
    overrides: tuple[str, ...]
    factors: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class RunSpec:
    """One run: a variant and a replication with its seed."""

    variant_id: str
    replication: int
    seed: int
    scenario_toml: str

    @property
    def folder(self) -> str:
        return f"runs/{self.variant_id}/rep-{self.replication:03d}"


@dataclass(frozen=True)
class Experiment:
    """An expanded experiment: variants x replications."""

    name: str
    source: Path
    spec: ExperimentFile
    variants: tuple[Variant, ...]

    @property
    def baseline(self) -> str:
        wanted = self.spec.experiment.baseline
        if wanted is None:
            return self.variants[0].variant_id
        for v in self.variants:
            if wanted in (v.variant_id, v.label):
                return v.variant_id
        labels = ", ".join(v.label for v in self.variants)
        raise ScenarioError(
            f"{self.source}: experiment.baseline = {wanted!r}: no such variant; variants: {labels}"
        )

    def runs(self) -> list[RunSpec]:
        """Every (variant, replication), replication-major so early results cover variants."""
        seeds = replication_seeds(self.spec.experiment.seed, self.spec.experiment.replications)
        texts = {v.variant_id: dump_scenario(v.scenario) for v in self.variants}
        return [
            RunSpec(v.variant_id, r, seeds[r], texts[v.variant_id])
            for r in range(self.spec.experiment.replications)
            for v in self.variants
        ]

    def fingerprint(self) -> str:
        """sha256 over every run's scenario and seed: resume refuses a changed experiment."""
        digest = hashlib.sha256()
        for run in self.runs():
            digest.update(f"{run.variant_id}|{run.replication}|{run.seed}|".encode())
            digest.update(run.scenario_toml.encode())
        return digest.hexdigest()

    def variants_table(self) -> list[dict[str, Any]]:
        rows = []
        for v in self.variants:
            row: dict[str, Any] = {"variant": v.variant_id, "label": v.label,
                                   "scenario": v.scenario.scenario.name,
                                   "layout": v.scenario.scenario.layout}
            row.update({k: json.dumps(val) for k, val in v.factors})
            rows.append(row)
        return rows


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Independent 63-bit seeds for replications 0..n-1 from the experiment seed."""
    states = np.random.SeedSequence(seed).generate_state(replications, dtype=np.uint64)
    return [int(s) & (2**63 - 1) for s in states]


def load_experiment(path: str | Path) -> Experiment:
    """Read, validate and expand an experiment file; raise :class:`ScenarioError`."""
    path = Path(path)
    raw = read_toml(path)
    try:
        spec = ExperimentFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        message = first["msg"].removeprefix("Value error, ")
        shown = f" = {first['input']!r}" if first["type"] not in ("missing",) else ""
        if first["type"] == "extra_forbidden":
            message = "unknown key (allowed: " + ", ".join(
                ExperimentMeta.model_fields if where.startswith("experiment") else
                ("experiment", "factors")) + ")"
            shown = ""
        raise ScenarioError(f"{path}: {where}{shown}: {message}") from None
    return expand(spec, path)


def _factor_text(key: str, value: Any) -> str:
    import tomli_w

    text = tomli_w.dumps({"v": value}).strip().removeprefix("v = ")
    return f"{key}={text}"


def expand(spec: ExperimentFile, source: Path) -> Experiment:
    """Turn the experiment file into its variants (each validated as a scenario)."""
    meta = spec.experiment
    files = [meta.scenario] if meta.scenario is not None else list(meta.scenarios or [])
    common: list[str] = []
    if meta.horizon is not None:
        common.append(f'scenario.horizon="{meta.horizon}"')
    if meta.warmup is not None:
        common.append(f'scenario.warmup="{meta.warmup}"')
    keys = list(spec.factors)
    if not keys:
        combos: list[tuple[Any, ...]] = [()]
    elif meta.design == "grid":
        combos = list(itertools.product(*(spec.factors[k] for k in keys)))
    else:
        combos = list(zip(*(spec.factors[k] for k in keys), strict=True))
    variants = []
    for file in files:
        scenario_path = (source.parent / file).resolve() if not Path(file).is_absolute() \
            else Path(file)
        base = load_scenario(scenario_path, common)
        for combo in combos:
            overrides = tuple(_factor_text(k, v) for k, v in zip(keys, combo, strict=True))
            try:
                scenario = with_overrides(base, list(overrides)) if overrides else base
            except ScenarioError as exc:
                raise ScenarioError(f"{source}: factors: {exc}") from None
            parts = [base.scenario.name] if len(files) > 1 else []
            parts += [f"{k.split('.')[-1]}={v}" for k, v in zip(keys, combo, strict=True)]
            label = " ".join(parts) or base.scenario.name
            variants.append(Variant(f"v{len(variants):03d}", label, scenario, overrides,
                                    tuple(zip(keys, combo, strict=True))))
    labels = [v.label for v in variants]
    if len(set(labels)) != len(labels):
        raise ScenarioError(f"{source}: two variants have the same label; check the factors")
    return Experiment(meta.name, source, spec, tuple(variants))
