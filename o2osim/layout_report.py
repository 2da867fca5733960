"""The layout comparison in an experiment's report: who is compared with whom, on what.

An experiment that compares layouts (``networks`` on one market, or a list of
``scenarios``) has a *layout axis*: the column of ``variants.csv`` that names the
layout. Every other column that varies (a demand factor, say) defines a *condition*;
layouts are compared within a condition, each against the baseline layout of that
condition, replication r against replication r (same seed, so the same customers where
the variants share a market). This module reads the design from ``variants.csv`` and
the per-run KPIs (``runs.parquet``), derives the per-run figures the report needs
(profit per day, break-even demand), and picks the best layout per condition by a stated
criterion. :mod:`o2osim.report` writes the words; this module computes, it writes no
file and draws nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .summary import paired_against, paired_ratios, summarise
from .tables import COMPLETED

#: Columns of variants.csv that name the layout, in order of preference.
LAYOUT_AXES = ("network", "scenario")
#: Columns of variants.csv that are never a condition.
NOT_CONDITIONS = ("variant", "label", "scenario", "layout", "network", "market")
#: Default service target of the best-layout criterion (``experiment.on_time_target``).
ON_TIME_TARGET = 0.90
#: The comparison table: (kpi of group overall/all, column heading, kind of number).
TABLE = (
    ("lead_time_p50", "lead time p50", "duration"),
    ("lead_time_p90", "lead time p90", "duration"),
    ("on_time_rate", "on time", "share"),
    ("censored_share", "censored", "share"),
    ("landed_cost_per_order", "landed cost / order", "CNY"),
    ("profit_per_order", "profit / order", "CNY"),
    ("profit_per_day", "profit / day", "CNY"),
)
#: KPIs compared by a paired ratio (they span orders of magnitude between layouts).
RATIO_KPIS = ("lead_time_p50", "lead_time_p90", "lead_time_mean", "lead_time_p95")


@dataclass(frozen=True)
class Design:
    """Who is compared with whom."""

    axis: str | None  # the variants.csv column naming the layout; None: not a comparison
    conditions: tuple[str, ...]  # other columns that vary (demand factor, ...)
    order: tuple[str, ...]  # variant ids in file order
    layout_of: dict[str, str]  # variant -> layout name
    condition_of: dict[str, str]  # variant -> condition text ("" with one condition)
    baseline: str  # the experiment's baseline variant
    pairs: dict[str, str]  # variant -> baseline variant of its condition
    demand: str | None = None  # the condition column that scales demand, if any
    demand_of: dict[str, float] = field(default_factory=dict)  # variant -> demand factor

    @property
    def layouts(self) -> list[str]:
        return list(dict.fromkeys(self.layout_of[v] for v in self.order))

    @property
    def condition_names(self) -> list[str]:
        return list(dict.fromkeys(self.condition_of[v] for v in self.order))

    def base_variant(self, layout: str) -> str | None:
        """The layout's variant at the demand factor nearest 1 (the market as written)."""
        members = [v for v in self.order if self.layout_of[v] == layout]
        if not members or not self.demand_of:
            return members[0] if members else None
        return min(members, key=lambda v: abs(np.log(max(self.demand_of.get(v, 1.0), 1e-9))))

    @property
    def base_condition(self) -> str:
        """The condition at the demand factor nearest 1 (the first without a demand)."""
        base = self.base_variant(self.layouts[0]) if self.order else None
        return self.condition_of[base] if base is not None else ""

    def variant(self, layout: str, condition: str) -> str | None:
        for v in self.order:
            if self.layout_of[v] == layout and self.condition_of[v] == condition:
                return v
        return None


def _value(text: object) -> object:
    """A factor value as variants.csv holds it (JSON text, or what pandas parsed)."""
    if isinstance(text, str):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _short(value: object) -> str:
    """A value fit for a label: lists and tables never appear raw."""
    if isinstance(value, list | dict):
        return f"[{len(value)} items]" if isinstance(value, list) else "{table}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_demand(column: str) -> bool:
    return "demand" in column.lower() or "arrivals" in column.lower()


def read_design(variants: pd.DataFrame, baseline: str) -> Design:
    """The design of an experiment from its variants table and baseline variant id."""
    order = tuple(str(v) for v in variants["variant"])
    distinct = {c: variants[c].astype(str).nunique() for c in variants.columns}
    axis = next((c for c in LAYOUT_AXES if c in variants and distinct[c] > 1), None)
    conditions = tuple(c for c in variants.columns if c not in NOT_CONDITIONS and distinct[c] > 1)
    rows = variants.set_index(variants["variant"].astype(str))
    layout_of: dict[str, str] = {}
    for v in order:
        if axis is None:
            layout_of[v] = str(rows.at[v, "label"])
        elif axis == "scenario" and "layout" in rows and _one_to_one(variants, axis):
            layout_of[v] = str(rows.at[v, "layout"])
        else:
            layout_of[v] = str(rows.at[v, axis])
    if axis is None:
        conditions = ()
    demand = next((c for c in conditions if _is_demand(c)), None)
    condition_of = {v: _condition_text(rows.loc[v], conditions) for v in order}
    demand_of = {}
    if demand is not None:
        for v in order:
            value = _value(rows.at[v, demand])
            if isinstance(value, int | float) and not isinstance(value, bool):
                demand_of[v] = float(value)
    base_layout = layout_of.get(baseline)
    pairs = {}
    for v in order:
        match = [
            w for w in order if layout_of[w] == base_layout and condition_of[w] == condition_of[v]
        ]
        pairs[v] = match[0] if match else baseline
    return Design(
        axis, conditions, order, layout_of, condition_of, baseline, pairs, demand, demand_of
    )


def variant_names(design: Design, variants: pd.DataFrame) -> dict[str, str]:
    """A short name per variant for charts and tables: the layout and its condition in a
    comparison; otherwise its label, unless that holds a list or a table (or runs past 40
    characters): then each factor's value, lists and tables shortened."""
    names = {}
    rows = variants.set_index(variants["variant"].astype(str))
    factors = [c for c in variants.columns if c not in NOT_CONDITIONS]
    for v in design.order:
        label = str(rows.at[v, "label"])
        if design.axis is not None:
            condition = design.condition_of[v]
            names[v] = f"{design.layout_of[v]} · {condition}" if condition else design.layout_of[v]
        elif any(mark in label for mark in "[{") or len(label) > 40:
            parts = [f"{c.split('.')[-1]}={_short(_value(rows.at[v, c]))}" for c in factors]
            names[v] = " ".join(parts) if parts and len(" ".join(parts)) <= 60 else v
        else:
            names[v] = label
    return names


def _one_to_one(variants: pd.DataFrame, axis: str) -> bool:
    pairs = variants[[axis, "layout"]].astype(str).drop_duplicates()
    return pairs[axis].is_unique and pairs["layout"].is_unique


def _condition_text(row: pd.Series, conditions: tuple[str, ...]) -> str:
    parts = []
    for column in conditions:
        value = _short(_value(row[column]))
        name = column.split(".")[-1]
        parts.append(f"{value}× demand" if _is_demand(column) else f"{name}={value}")
    return ", ".join(parts)


# ------------------------------------------------------------------ per-run figures


def overall(runs: pd.DataFrame) -> pd.DataFrame:
    """The overall/all KPIs, one row per (variant, replication), one column per KPI."""
    rows = runs[(runs["group"] == "overall") & (runs["name"] == "all")]
    if rows.empty:
        return pd.DataFrame()
    return rows.pivot_table(
        index=["variant", "replication"], columns="kpi", values="value", observed=True
    )


def with_derived(runs: pd.DataFrame, design: Design) -> pd.DataFrame:
    """The runs table with the per-run figures the report derives from the KPIs:
    ``profit_per_day`` (profit over the counted days), ``completed_per_day`` and, with a
    numeric demand factor, ``break_even_demand`` (the factor at which the run's
    completed orders per day would reach its break-even orders per day, the cost and
    contribution per order held at this run's)."""
    wide = overall(runs)
    if wide.empty or not {"orders_placed", "orders_per_day"} <= set(wide.columns):
        return runs
    with np.errstate(divide="ignore", invalid="ignore"):
        days = wide["orders_placed"] / wide["orders_per_day"]
        done = sum((wide[c] for c in COMPLETED if c in wide.columns), pd.Series(0.0, wide.index))
        derived = {"completed_per_day": (done / days, "orders/day")}
        if "profit_cny" in wide:
            derived["profit_per_day"] = (wide["profit_cny"] / days, "CNY/day")
        factors = pd.Series(
            [design.demand_of.get(str(v), np.nan) for v, _ in wide.index], wide.index
        )
        if "break_even_orders_per_day" in wide and factors.notna().any():
            ratio = wide["break_even_orders_per_day"] / (done / days)
            derived["break_even_demand"] = (factors * ratio, "× base demand")
    frames = [runs]
    for kpi, (values, unit) in derived.items():
        frame = values.rename("value").reset_index()
        frame = frame.assign(group="overall", name="all", kpi=kpi, unit=unit)
        frames.append(frame[frame["value"].notna()])
    return pd.concat(frames, ignore_index=True)


# ------------------------------------------------------------------ comparisons


@dataclass(frozen=True)
class Comparison:
    """The statistics of a layout comparison, all of group overall/all."""

    design: Design
    summary: pd.DataFrame  # per variant and KPI: mean, ci_half_width, n
    diffs: pd.DataFrame  # paired differences against each condition's baseline
    ratios: pd.DataFrame  # paired ratios (lead times) against it
    unstable: dict[str, int]  # variant -> replications flagged unstable
    replications: dict[str, int]  # variant -> replications run

    def stat(self, variant: str, kpi: str) -> tuple[float, float]:
        """(mean, CI half-width) of an overall KPI, NaNs when absent."""
        return _lookup(self.summary, variant, kpi, ("mean", "ci_half_width"))

    def diff(self, variant: str, kpi: str) -> tuple[float, float, float]:
        """(mean paired difference, CI low, CI high) against its condition's baseline."""
        return _lookup(self.diffs, variant, kpi, ("mean_diff", "ci_low", "ci_high"))

    def ratio(self, variant: str, kpi: str) -> tuple[float, float, float]:
        """(geometric mean ratio, CI low, CI high) against its condition's baseline."""
        return _lookup(self.ratios, variant, kpi, ("ratio", "ratio_low", "ratio_high"))


def _lookup(table: pd.DataFrame, variant: str, kpi: str, columns: tuple[str, ...]) -> tuple:
    if table.empty:
        return tuple(np.nan for _ in columns)
    hit = table[(table["variant"] == variant) & (table["kpi"] == kpi)]
    if hit.empty:
        return tuple(np.nan for _ in columns)
    return tuple(float(hit[c].iloc[0]) for c in columns)


def compare(runs: pd.DataFrame, design: Design) -> Comparison:
    """Summaries and paired comparisons of the overall KPIs, with the derived figures."""
    runs = with_derived(runs, design)
    rows = runs[(runs["group"] == "overall") & (runs["name"] == "all")]
    wide = overall(rows)
    unstable = (
        (wide["unstable"] > 0).groupby(level="variant").sum().astype(int).to_dict()
        if "unstable" in wide
        else {}
    )
    counts = rows.groupby("variant")["replication"].nunique().astype(int).to_dict()
    ratio_rows = rows[rows["kpi"].isin(RATIO_KPIS)]
    return Comparison(
        design,
        summarise(rows) if len(rows) else pd.DataFrame(),
        paired_against(rows, design.pairs),
        paired_ratios(ratio_rows, design.pairs),
        {str(k): int(v) for k, v in unstable.items()},
        {str(k): int(v) for k, v in counts.items()},
    )


@dataclass(frozen=True)
class Choice:
    """The best layout of one condition and why."""

    condition: str
    best: str | None  # variant id; None when no layout meets the target
    runner_up: str | None  # the next eligible layout by the criterion
    eligible: tuple[str, ...]
    reason: str  # why nothing qualified, or ""


def best_layout(comparison: Comparison, condition: str, target: float) -> Choice:
    """Highest mean profit per day among the condition's layouts whose on-time rate has a
    95% CI lower bound at or above ``target`` and none of whose runs is flagged unstable."""
    design = comparison.design
    members = [v for v in design.order if design.condition_of[v] == condition]
    eligible = []
    for v in members:
        mean, half = comparison.stat(v, "on_time_rate")
        punctual = np.isfinite(mean) and mean - np.nan_to_num(half) >= target
        if punctual and not comparison.unstable.get(v, 0):
            eligible.append(v)
    money = "profit_per_day" if not comparison.summary.empty else ""
    ranked = sorted(
        (v for v in eligible if np.isfinite(comparison.stat(v, money)[0])),
        key=lambda v: -comparison.stat(v, money)[0],
    )
    if not ranked:
        reason = (
            f"no layout keeps its on-time rate's 95% CI at or above {target:.0%}"
            if not eligible
            else "no eligible layout has a profit figure"
        )
        return Choice(condition, None, None, tuple(eligible), reason)
    return Choice(condition, ranked[0], ranked[1] if len(ranked) > 1 else None, tuple(ranked), "")


def paired_between(
    runs: pd.DataFrame, design: Design, first: str, second: str, kpi: str
) -> tuple[float, float, float]:
    """(mean, CI low, CI high) of first − second in ``kpi`` (overall), replication by
    replication."""
    rows = with_derived(runs, design)
    rows = rows[(rows["group"] == "overall") & (rows["name"] == "all") & (rows["kpi"] == kpi)]
    table = paired_against(rows, {first: second})
    if table.empty:
        return (np.nan, np.nan, np.nan)
    row = table.iloc[0]
    return (float(row["mean_diff"]), float(row["ci_low"]), float(row["ci_high"]))
