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

from .chartkit import note_empty

COST_KPI = "cost_per_order"
SERVICE_KPI = "on_time_rate"


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


def kpi_bars_chart(summary: pd.DataFrame, keys: list[str]) -> Figure:
    """One panel per KPI: mean per variant with 95% CI whiskers."""
    keys = [k for k in keys if len(kpi_rows(summary, k))]
    cols = min(2, max(len(keys), 1))
    rows = math.ceil(max(len(keys), 1) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(6.5 * cols, 3.6 * rows), squeeze=False)
    for ax, key in zip(axes.flat, keys, strict=False):
        data = kpi_rows(summary, key)
        means = data["mean"].to_numpy(dtype=float)
        shown = np.isfinite(means)
        # Undefined (NaN) or unbounded (inf) means get no bar, but keep their row.
        errors = np.nan_to_num(
            data["ci_half_width"].to_numpy(dtype=float), nan=0.0, posinf=0.0, neginf=0.0
        )
        ax.barh(
            data["label"],
            np.where(shown, means, 0.0),
            xerr=np.where(shown, errors, 0.0),
            color="C0",
            alpha=0.8,
            capsize=4,
            ecolor="k",
        )
        for y, mean in enumerate(means):
            if not np.isfinite(mean):
                ax.annotate(
                    " no value" if np.isnan(mean) else f" {fmt(mean)}",
                    (0, y),
                    va="center",
                    fontsize=8,
                    color="grey",
                )
        unit = str(data["unit"].iloc[0])
        means = means[shown]
        if len(means) and (means > 0).all() and means.max() / means.min() >= 100:
            # Lead times from minutes (instant delivery) to weeks (direct mail) on one axis.
            ax.set_xscale("log")
            unit += ", log scale"
        ax.set_title(f"{key}  [{unit}]", fontsize=10)
        ax.invert_yaxis()
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(keys) :]:
        ax.axis("off")
    if not keys:
        note_empty(axes.flat[0], "none of the report KPIs was computed in these runs")
    fig.suptitle("KPIs per variant: mean and 95% CI over replications")
    fig.tight_layout()
    return fig


def lead_time_distribution_chart(leads: pd.DataFrame, labels: dict[str, str]) -> Figure:
    """Lead-time distribution per variant: quantiles averaged over replications."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    data = leads[leads["channel"] == "all"]
    averaged = data.groupby(["variant", "quantile"])["lead_time_min"].mean().reset_index()
    # A log axis holds only positive finite times; a variant with no completed order has none.
    averaged = averaged[np.isfinite(averaged["lead_time_min"]) & (averaged["lead_time_min"] > 0)]
    for index, (variant, group) in enumerate(averaged.groupby("variant")):
        ax.plot(
            group["lead_time_min"] / 60.0,
            group["quantile"],
            color=f"C{index % 10}",
            label=labels.get(variant, variant),
        )
    if averaged.empty:
        note_empty(ax, "no order delivered or collected after the warm-up")
    else:
        ax.set_xscale("log")
        ax.legend(frameon=False, fontsize=8)
    ax.set_xlabel("lead time, order placed to delivered/collected (hours, log scale)")
    ax.set_ylabel("share of orders (cumulative)")
    ax.set_title("Lead-time distribution per variant (quantiles averaged over replications)")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def versus_service_chart(summary: pd.DataFrame, kpi: str, ylabel: str, title: str) -> Figure | None:
    """An overall money KPI against the on-time rate, per variant, with 95% CIs."""
    money = summary[(summary["group"] == "overall") & (summary["kpi"] == kpi)]
    service = summary[(summary["group"] == "overall") & (summary["kpi"] == SERVICE_KPI)]
    if money.empty or service.empty:
        return None
    merged = money.merge(service, on=["variant", "label"], suffixes=("_y", "_x"))
    merged = merged[np.isfinite(merged["mean_x"]) & np.isfinite(merged["mean_y"])]
    if merged.empty:
        return None  # no variant has both values: nothing to place
    merged = merged.assign(
        **{c: merged[c].fillna(0.0) for c in ("ci_half_width_x", "ci_half_width_y")}
    )
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.errorbar(
        merged["mean_x"],
        merged["mean_y"],
        xerr=merged["ci_half_width_x"],
        yerr=merged["ci_half_width_y"],
        fmt="o",
        capsize=3,
    )
    for row in merged.itertuples():
        ax.annotate(
            row.label,
            (row.mean_x, row.mean_y),
            fontsize=8,
            xytext=(4, 4),
            textcoords="offset points",
        )
    ax.set_xlabel("on-time rate")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def cost_breakdown_chart(summary: pd.DataFrame) -> Figure | None:
    """Cost per completed order by type (purchase cost left out), stacked, per variant."""
    rows = summary[
        (summary["group"] == "overall") & summary["kpi"].str.match(r"^cost_(?!cogs)\w+_per_order$")
    ]
    if rows.empty:
        return None
    table = rows.pivot_table(index="label", columns="kpi", values="mean", sort=False)
    table.columns = [c.removeprefix("cost_").removesuffix("_per_order") for c in table.columns]
    table = table.replace([np.inf, -np.inf], np.nan)
    table = table.loc[:, table.sum() > 0]
    if table.empty:
        return None  # no variant completed an order: no cost per order
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(table) + 2.5))
    table.plot.barh(stacked=True, ax=ax, colormap="tab20")
    ax.invert_yaxis()
    ax.set_xlabel("CNY per completed order (mean over replications; purchase cost excluded)")
    ax.set_ylabel("")
    ax.set_title("Cost per order by type")
    ax.legend(frameon=False, fontsize=8, ncols=6, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    fig.tight_layout()
    return fig


def heatmap_chart(
    summary: pd.DataFrame, variants: pd.DataFrame, factors: list[str], key: str
) -> Figure | None:
    """Mean of one KPI over a two-factor grid."""
    if len(factors) != 2 or not len(kpi_rows(summary, key)):
        return None
    data = kpi_rows(summary, key).merge(variants, on="variant")
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
    fig.colorbar(image, ax=ax, label=key)
    ax.set_title(f"{key} over {first} x {second}")
    fig.tight_layout()
    return fig


def fmt(value: float) -> str:
    if np.isnan(value):
        return "–"  # undefined, e.g. a rate over no orders
    if np.isinf(value):
        return "∞" if value > 0 else "-∞"  # e.g. a break-even never reached
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
