"""Charts of an experiment folder, drawn from its summary tables (one figure each).

Every function takes the tables :mod:`o2osim.runner` wrote (summary.csv,
lead_times.parquet, variants.csv) and returns a Figure, or None when there is
nothing to draw. KPI values may be NaN (undefined: a variant with no orders) or
infinite (a break-even never reached); such values are shown as a dash and left
off the axes. :mod:`o2osim.report` decides which charts to draw and saves them;
this module only draws and must not read or write files.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from .chartkit import UNIT_NAMES, duration_log_axis, duration_unit, note_empty, palette
from .economics import COSTS
from .glossary import key_label

COST_KPI = "cost_per_order"
#: A colour per cost line (tab20b, its hues interleaved so neighbours differ), the same in
#: every chart; a line that is not in COSTS gets a hashed one.
_HUES = [0, 4, 8, 12, 16, 2, 6, 10, 14, 18, 1, 5, 9, 13, 17, 3, 7, 11, 15, 19]
COST_COLOURS = {
    name: matplotlib.colors.to_hex(plt.get_cmap("tab20b")(_HUES[i % 20]))
    for i, name in enumerate(COSTS)
}


def split_key(key: str) -> tuple[str, str, str]:
    parts = key.split("/")
    if len(parts) != 3:
        raise ValueError(f"report KPI {key!r} must be group/name/kpi, e.g. overall/all/fill_rate")
    return parts[0], parts[1], parts[2]


def kpi_rows(summary: pd.DataFrame, key: str) -> pd.DataFrame:
    group, name, kpi = split_key(key)
    return summary[
        (summary["group"] == group) & (summary["name"] == name) & (summary["kpi"] == kpi)
    ]


def kpi_bars_chart(
    summary: pd.DataFrame,
    keys: list[str],
    names: dict[str, str] | None = None,
    colours: dict[str, str] | None = None,
) -> Figure:
    """One panel per KPI: mean per variant with its own 95% CI (not a comparison: the
    paired differences chart compares). Bars on a linear axis; a KPI whose means span
    100 times or more is drawn as points on a log axis instead, never as log bars.
    Durations read in minutes, hours or days. ``names``/``colours``: per variant id."""
    keys = [k for k in keys if len(kpi_rows(summary, k))]
    cols = min(2, max(len(keys), 1))
    rows = math.ceil(max(len(keys), 1) / cols)
    high = max(3.6, 1.2 + 0.3 * summary["variant"].nunique()) if len(summary) else 3.6
    fig, axes = plt.subplots(rows, cols, figsize=(6.5 * cols, high * rows), squeeze=False)
    for ax, key in zip(axes.flat, keys, strict=False):
        _kpi_panel(ax, key, kpi_rows(summary, key), names or {}, colours or {})
    for ax in list(axes.flat)[len(keys) :]:
        ax.axis("off")
    if not keys:
        note_empty(axes.flat[0], "none of the report KPIs was computed in these runs")
    fig.suptitle("KPIs per variant: mean and 95% CI over replications")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.45 / fig.get_figheight()))
    return fig


def _kpi_panel(
    ax: plt.Axes, key: str, data: pd.DataFrame, names: dict[str, str], colours: dict[str, str]
) -> None:
    means = data["mean"].to_numpy(dtype=float)
    shown = np.isfinite(means)
    # Undefined (NaN) or unbounded (inf) means get no mark, but keep their row.
    errors = np.nan_to_num(
        data["ci_half_width"].to_numpy(dtype=float), nan=0.0, posinf=0.0, neginf=0.0
    )
    unit = str(data["unit"].iloc[0])
    finite_means = means[shown]
    spans = bool(
        len(finite_means)
        and (finite_means > 0).all()
        and finite_means.max() / finite_means.min() >= 100
    )
    scale = 1.0
    if unit == "min" and not spans:
        scale, short = duration_unit(finite_means)
        unit = UNIT_NAMES[short]
    labels = [
        names.get(str(v), str(label))
        for v, label in zip(data["variant"], data["label"], strict=True)
    ]
    colour = np.array([colours.get(str(v), "C0") for v in data["variant"]])
    y = np.arange(len(means))
    values = np.where(shown, means, 0.0) / scale
    whiskers = np.where(shown, errors, 0.0) / scale
    if spans:  # minutes to weeks: points on a log axis, never log-scaled bars
        ax.errorbar(
            values[shown], y[shown], xerr=whiskers[shown], fmt="none", ecolor="k", capsize=4
        )
        ax.scatter(values[shown], y[shown], c=colour[shown], zorder=3)
        if unit == "min":
            duration_log_axis(ax, "x")
            unit = "log axis"
        else:
            ax.set_xscale("log")
            unit += ", log axis"
    else:
        ax.barh(y, values, xerr=whiskers, color=colour, alpha=0.85, capsize=4, ecolor="k")
    for row, mean in enumerate(means):
        if not np.isfinite(mean):
            ax.annotate(
                " no value" if np.isnan(mean) else f" {fmt(mean)}",
                (0, row),
                xycoords=("axes fraction", "data"),
                va="center",
                fontsize=8,
                color="grey",
            )
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_ylim(len(means) - 0.5, -0.5)
    if unit == "share":
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title(f"{key_label(key)}  [{unit}]", fontsize=10)
    ax.grid(axis="x", alpha=0.3)


def lead_time_distribution_chart(
    leads: pd.DataFrame,
    labels: dict[str, str],
    colours: dict[str, str] | None = None,
    panels: dict[str, str] | None = None,
) -> Figure:
    """Lead-time distribution per variant: quantiles averaged over replications, on a log
    axis of durations. ``panels`` puts each variant in a panel (a demand level);
    ``colours`` (per variant id) keeps each layout's colour."""
    data = leads[leads["channel"] == "all"]
    averaged = data.groupby(["variant", "quantile"])["lead_time_min"].mean().reset_index()
    # A log axis holds only positive finite times; a variant with no completed order has none.
    averaged = averaged[np.isfinite(averaged["lead_time_min"]) & (averaged["lead_time_min"] > 0)]
    panels = panels or {}
    titles = list(dict.fromkeys(panels.get(str(v), "") for v in labels)) or [""]
    fig, axes = plt.subplots(
        1, len(titles), figsize=(4.8 * len(titles) + 3.2, 4.5), squeeze=False, sharey=True
    )
    for variant, group in averaged.groupby("variant"):
        ax = axes[0, titles.index(panels.get(str(variant), ""))]
        ax.plot(
            group["lead_time_min"],
            group["quantile"],
            color=(colours or {}).get(str(variant)),
            label=labels.get(str(variant), str(variant)),
        )
    for ax, title in zip(axes[0], titles, strict=True):
        if not ax.lines:
            note_empty(ax, "no order delivered or collected after the warm-up")
        else:
            duration_log_axis(ax, "x")
            ax.legend(frameon=False, fontsize=7)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("lead time, placed to delivered/collected (log axis)")
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel("share of orders (cumulative)")
    fig.suptitle("Lead-time distribution per variant (quantiles averaged over replications)")
    fig.tight_layout()
    return fig


def cost_breakdown_chart(
    summary: pd.DataFrame, names: dict[str, str] | None = None
) -> Figure | None:
    """Cost per completed order by type (purchase cost left out), stacked, per variant;
    each cost line keeps its colour whichever lines a chart shows."""
    rows = summary[
        (summary["group"] == "overall") & summary["kpi"].str.match(r"^cost_(?!cogs)\w+_per_order$")
    ]
    if rows.empty:
        return None
    relabel = names or {}
    rows = rows.assign(
        label=[
            relabel.get(str(v), str(x)) for v, x in zip(rows["variant"], rows["label"], strict=True)
        ]
    )
    table = rows.pivot_table(index="label", columns="kpi", values="mean", sort=False)
    table.columns = [c.removeprefix("cost_").removesuffix("_per_order") for c in table.columns]
    known = [c for c in COSTS if c in table.columns]
    table = table[known + sorted(c for c in table.columns if c not in known)]
    table = table.replace([np.inf, -np.inf], np.nan)
    table = table.loc[:, table.sum() > 0]
    if table.empty:
        return None  # no variant completed an order: no cost per order
    colours = {**palette(table.columns), **COST_COLOURS}
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(table) + 2.0))
    table.plot.barh(stacked=True, ax=ax, color=[colours[c] for c in table.columns])
    ax.invert_yaxis()
    ax.set_xlabel("CNY per completed order (mean over replications; purchase cost excluded)")
    ax.set_ylabel("")
    ax.set_title("Cost per order by type")
    ax.legend(frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return fig


def heatmap_chart(
    summary: pd.DataFrame, variants: pd.DataFrame, factors: list[str], key: str
) -> Figure | None:
    """Mean of one KPI over a grid of two numeric factors (the caller never asks for a
    zip design, whose variants are not a grid); None for anything else."""
    if len(factors) != 2 or not len(kpi_rows(summary, key)):
        return None
    data = kpi_rows(summary, key).merge(variants, on="variant")
    for factor in factors:
        if not pd.api.types.is_numeric_dtype(data[factor]):
            return None  # lists, tables or names: not an axis of numbers
    first, second = factors
    table = data.pivot_table(
        index=first, columns=second, values="mean", aggfunc="mean", dropna=False
    )
    table = table.replace([np.inf, -np.inf], np.nan)
    if table.empty:
        return None
    fig, ax = plt.subplots(figsize=(7, 5))
    image = ax.imshow(table.to_numpy(), cmap="viridis", aspect="auto", origin="lower")
    ax.set_xticks(range(len(table.columns)), [str(c) for c in table.columns])
    ax.set_yticks(range(len(table.index)), [str(i) for i in table.index])
    ax.set_xlabel(second)
    ax.set_ylabel(first)
    for (i, j), value in np.ndenumerate(table.to_numpy()):
        ax.text(j, i, fmt(value), ha="center", va="center", color="w", fontsize=8)
    fig.colorbar(image, ax=ax, label=key_label(key))
    ax.set_title(f"{key_label(key)} over {first} x {second}")
    fig.tight_layout()
    return fig


def fmt(value: float) -> str:
    if np.isnan(value):
        return "–"  # undefined, e.g. a rate over no orders
    if np.isinf(value):
        return "∞" if value > 0 else "-∞"  # e.g. a break-even never reached
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
