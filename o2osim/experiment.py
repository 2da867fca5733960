"""Experiment files: which variants and replications to run, and with which seeds.

An experiment file (TOML) names one base scenario or a list of scenarios to
compare, or markets crossed with networks (each pair composed into a scenario,
:mod:`o2osim.scenario.compose`), factors as dotted keys with value lists (a full grid
or zipped; ``market.demand`` multiplies every segment's demand), replications, one
seed, and optionally a common horizon and warm-up.
It expands into a list of :class:`RunSpec`: (variant, replication, seed).

Replication ``r`` gets the same seed in every variant, so the same replication
index sees the same customers in every variant (common random numbers).
This module only plans; :mod:`o2osim.runner` executes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .experiment_checks import (
    DEMAND,
    OWN_KEYS,
    apply_overrides,
    check_market_factor,
    describe_error,
    factor_error,
    factor_overrides,
    factor_path,
    label_part,
    one_source,
    scenario_bases,
    with_demand,
    with_run_length,
)
from .kpi_catalogue import check_report_kpi, check_report_kpis
from .scenario import (
    ABSENT,
    KeyPathError,
    Scenario,
    ScenarioError,
    dump_scenario,
    read_toml,
)
from .scenario.overrides import override_text
from .units import parse_duration

FactorValue = int | float | bool | str | list[Any] | dict[str, Any]
MIN_REPLICATIONS = 2


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExperimentMeta(_Strict):
    """The ``[experiment]`` table."""

    name: Annotated[str, Field(max_length=80)]
    description: str = ""
    scenario: str | None = Field(default=None, description="base scenario file or bundled name")
    scenarios: list[str] | None = Field(
        default=None, min_length=1, description="scenario files or bundled names to compare"
    )
    market: str | None = Field(default=None, description="market file or bundled name")
    markets: list[str] | None = Field(default=None, min_length=1, description="markets to cross")
    networks: list[str] | None = Field(
        default=None, min_length=1, description="network files or bundled names (layouts)"
    )
    replications: Annotated[int, Field(le=10_000)] = 5
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 1
    horizon: str | None = None
    warmup: str | None = None
    design: Literal["grid", "zip"] = "grid"
    baseline: str | None = Field(default=None, description="variant for paired differences")
    save_tables: bool = Field(default=False, description="write orders/resources per run")
    on_time_target: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        default=0.90,
        description="share of orders on time a layout must keep (lower CI bound) to be "
        "named best in the report; 0.90 is an assumption, set it per study",
    )
    report_kpis: list[str] = Field(
        default_factory=lambda: [
            "overall/all/lead_time_mean",
            "overall/all/on_time_rate",
            "overall/all/fill_rate",
            "overall/all/orders_placed",
        ],
        description="group/name/kpi keys drawn in the report",
    )

    @field_validator("name")
    @classmethod
    def _folder_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_\-]+", value):
            raise ValueError("use letters, digits, _ and - only (it names the results folder)")
        return value

    @field_validator("replications")
    @classmethod
    def _enough(cls, value: int) -> int:
        if value < MIN_REPLICATIONS:
            raise ValueError(
                f"give at least {MIN_REPLICATIONS}: the report's 95% confidence intervals and "
                "paired differences need the spread between replications, which one run "
                "cannot show"
            )
        return value

    @field_validator("horizon", "warmup")
    @classmethod
    def _duration(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and parse_duration(value) <= 0 and info.field_name == "horizon":
            raise ValueError("the horizon must be longer than 0s")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> ExperimentMeta:
        layouts = self.networks is not None or self.market is not None or self.markets is not None
        if layouts:
            one_source(self.scenario, self.scenarios, self.market, self.markets, self.networks)
        elif (self.scenario is None) == (self.scenarios is None):
            both = self.scenario is not None
            raise KeyPathError(
                "experiment.scenarios" if both else "experiment.scenario",
                self.scenarios if both else ABSENT,
                "give exactly one of experiment.scenario (one file or bundled name), "
                "experiment.scenarios (a list to compare) or experiment.market(s) with "
                "experiment.networks" + ("; both are set" if both else ""),
            )
        return self


class SelectionTable(_Strict):
    """``[selection]``: pick the best variant by KN (Kim & Nelson 2001) with a guarantee."""

    kpi: str = Field(description="group/name/kpi to rank the variants by")
    direction: Literal["minimize", "maximize"] = "maximize"
    alpha: Annotated[float, Field(gt=0.0, lt=0.5)] = 0.05  # assumption (docs/sources.md)
    delta: Annotated[float, Field(gt=0.0)] = Field(description="indifference zone, KPI units")
    max_replications: Annotated[int, Field(ge=2, le=10_000)] = 100  # assumption


class ExperimentFile(_Strict):
    experiment: ExperimentMeta
    factors: dict[str, list[FactorValue]] = Field(default_factory=dict)
    selection: SelectionTable | None = None

    @model_validator(mode="after")
    def _factor_lists(self) -> ExperimentFile:
        for key, values in self.factors.items():
            bare = ".".join(part.strip() for part in key.split("."))
            if bare in OWN_KEYS:
                raise KeyPathError(
                    factor_path(key),
                    values,
                    f"each run's seed comes from {OWN_KEYS[bare]} (replication r gets the "
                    "same seed in every variant, for common random numbers), so a factor on "
                    f"{bare} would be ignored; set {OWN_KEYS[bare]} instead, or raise "
                    "experiment.replications for more seeds",
                )
            if not values:
                raise KeyPathError(factor_path(key), values, "give at least one value")
            check_market_factor(key, values)
            seen = [json.dumps(v, sort_keys=True, default=str) for v in values]
            repeated = next(
                (v for v, text in zip(values, seen, strict=True) if seen.count(text) > 1), None
            )
            if repeated is not None and self.experiment.design == "grid":
                raise KeyPathError(
                    factor_path(key),
                    values,
                    f"{repeated!r} is listed twice: two variants would be the same run",
                )
        if self.experiment.design == "zip" and len(self.factors) > 1:
            lengths = {key: len(values) for key, values in self.factors.items()}
            first, *others = lengths
            for key in others:
                if lengths[key] != lengths[first]:
                    raise KeyPathError(
                        factor_path(key),
                        self.factors[key],
                        f'design = "zip" pairs the i-th values of every factor, so the lists '
                        f"need one length: {factor_path(first)} has {lengths[first]} values, "
                        f"{factor_path(key)} has {lengths[key]}",
                    )
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
    #: The validated scenario itself, so a worker does not validate it again (the text
    #: is what the fingerprint covers and what a run folder stores).
    scenario: Scenario | None = field(default=None, compare=False, repr=False)

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
            f"{self.source}: experiment.baseline = {wanted!r}: no such variant; give a label "
            f"or an id (v000, ...); labels: {labels}"
        )

    def runs(self) -> list[RunSpec]:
        """Every (variant, replication), replication-major so early results cover variants."""
        seeds = replication_seeds(self.spec.experiment.seed, self.spec.experiment.replications)
        texts = {v.variant_id: dump_scenario(v.scenario) for v in self.variants}
        return [
            RunSpec(v.variant_id, r, seeds[r], texts[v.variant_id], v.scenario)
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
            row: dict[str, Any] = {
                "variant": v.variant_id,
                "label": v.label,
                "scenario": v.scenario.scenario.name,
                "layout": v.scenario.scenario.layout,
            }
            row.update({k: json.dumps(val) for k, val in v.factors})
            rows.append(row)
        return rows


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Independent 63-bit seeds for replications 0..n-1 from the experiment seed."""
    states = np.random.SeedSequence(seed).generate_state(replications, dtype=np.uint64)
    return [int(s) & (2**63 - 1) for s in states]


def load_experiment(path: str | Path) -> Experiment:
    """Read, validate and expand an experiment file; raise :class:`ScenarioError`.

    Everything is checked here, before any folder is made: the file, its
    scenarios, every variant, the baseline and the report KPIs.
    """
    path = Path(path)
    raw = read_toml(path)
    try:
        spec = ExperimentFile.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(describe_error(exc, path, ExperimentMeta.model_fields)) from None
    experiment = expand(spec, path)
    _ = experiment.baseline  # an unknown baseline is refused now, not after the runs
    check_report_kpis(
        list(spec.experiment.report_kpis), [v.scenario for v in experiment.variants], str(path)
    )
    if spec.selection is not None:
        wrong = check_report_kpi(spec.selection.kpi, [v.scenario for v in experiment.variants])
        if wrong is not None:
            raise ScenarioError(f"{path}: selection.kpi = {spec.selection.kpi!r}: {wrong}")
    return experiment


def _factor_text(key: str, value: Any) -> str:
    return f"{key}={override_text(value)}"


def _label_names(keys: list[str]) -> list[str]:
    """How each factor is named in variant labels: its last key part, unless two share it."""
    last = [k.split(".")[-1] for k in keys]
    return [short if last.count(short) == 1 else key for key, short in zip(keys, last, strict=True)]


def expand(spec: ExperimentFile, source: Path) -> Experiment:
    """Turn the experiment file into its variants (each validated as a scenario)."""
    meta = spec.experiment
    keys = list(spec.factors)
    if not keys:
        combos: list[tuple[Any, ...]] = [()]
    elif meta.design == "grid":
        combos = list(itertools.product(*(spec.factors[k] for k in keys)))
    else:
        combos = list(zip(*(spec.factors[k] for k in keys), strict=True))
    names = _label_names(keys)
    variants: list[Variant] = []
    bases: dict[str, str] = {}
    sources = scenario_bases(meta, source)
    for where, file, prefix, base in sources:
        base = with_run_length(base, meta.horizon, meta.warmup, file, source)
        if base.scenario.name in bases:  # the labels would not tell the two apart
            raise ScenarioError(
                f"{source}: {where} = {file!r}: its scenario.name {base.scenario.name!r} is "
                f"also the name of {bases[base.scenario.name]}; compare scenarios with "
                "different names"
            )
        bases[base.scenario.name] = repr(file)
        for combo in combos:
            pairs = [(k, v) for k, v in zip(keys, combo, strict=True) if k != DEMAND]
            overrides = factor_overrides(file, pairs, _factor_text, source)
            demand = dict(zip(keys, combo, strict=True)).get(DEMAND)
            try:
                scenario = with_demand(base, demand, source)
                if overrides:
                    scenario = apply_overrides(scenario, list(overrides), f"{source}: factor")
            except ScenarioError as exc:
                raise ScenarioError(
                    factor_error(
                        str(exc),
                        [k for k, _ in pairs],
                        tuple(v for _, v in pairs),
                        overrides,
                        source,
                        file if len(sources) > 1 else None,
                    )
                ) from None
            parts = [prefix] if len(sources) > 1 else []
            parts += [
                label_part(n, k, v, spec.factors[k].index(v))
                for n, k, v in zip(names, keys, combo, strict=True)
            ]
            label = " ".join(parts) or prefix
            variants.append(
                Variant(
                    f"v{len(variants):03d}",
                    label,
                    scenario,
                    overrides,
                    tuple(zip(keys, combo, strict=True)),
                )
            )
    labels = [v.label for v in variants]
    twice = sorted({label for label in labels if labels.count(label) > 1})
    if twice:  # zip with a repeated pair: grid duplicates are caught per factor
        raise ScenarioError(
            f"{source}: factors: two variants would be the same ({twice[0]}); "
            "each combination of factor values must differ"
        )
    return Experiment(meta.name, source, spec, tuple(variants))
