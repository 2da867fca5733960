"""Paired comparison charts of an experiment: every interval is a *paired* one.

Each variant is compared with the baseline of its condition (the baseline layout at
the same demand level), replication r against replication r, from a
:class:`o2osim.layout_report.Comparison`. Intervals that would be unpaired whiskers on
means elsewhere are here the 95% CI of the paired difference (or, for lead times that
span orders of magnitude, of the paired ratio, on a log axis of points). Colours come
from :func:`o2osim.chartkit.palette`, one per layout in every chart. No bars on a log
axis. :mod:`o2osim.report` decides which charts to draw and saves them; this module
only draws.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullLocator, PercentFormatter

from .chartkit import UNIT_NAMES, duration_log_axis, duration_unit, note_empty, palette
from .glossary import key_label
from .layout_report import RATIO_KPIS, Comparison, Design

#: A y-axis label per overall KPI the charts place.
AXIS = {
    "landed_cost_per_order": "landed cost per completed order (CNY)",
    "cost_per_order": "cost per completed order (CNY, purchase cost excluded)",
    "profit_per_order": "profit per completed order (CNY)",
    "on_time_rate": "on-time rate",
}


def _members(design: Design, condition: str) -> list[str]:
    return [v for v in design.order if design.condition_of[v] == condition]


def _is_baseline(design: Design, variant: str) -> bool:
    return design.pairs.get(variant, design.baseline) == variant


def differences_chart(
    diffs: pd.DataFrame, ratios: pd.DataFrame, design: Design, keys: list[str]
) -> Figure | None:
    """One panel per KPI: each variant's paired difference to its baseline with its 95% CI
    (lead times: the paired ratio on a log axis), grouped by condition."""
    panels = []
    for key in keys:
        group, name, kpi = key.split("/")
        source = ratios if kpi in RATIO_KPIS else diffs
        if source.empty:
            continue
        hit = source[(source["group"] == group) & (source["name"] == name)]
        hit = hit[hit["kpi"] == kpi].set_index("variant")
        if len(hit):
            panels.append((key, kpi in RATIO_KPIS, hit))
    if not panels:
        return None
    colours = palette(design.layouts)
    shown = [v for v in design.order if not _is_baseline(design, v)]
    cols = min(2, len(panels))
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(6.5 * cols, 1.6 + 0.32 * len(shown) * rows), squeeze=False
    )
    for ax, (key, is_ratio, hit) in zip(axes.flat, panels, strict=False):
        _difference_panel(ax, key, is_ratio, hit, design, shown, colours)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    base = ", ".join(sorted({design.layout_of[design.pairs[v]] for v in shown}))
    where = " at the same level" if design.conditions else ""
    fig.suptitle(
        f"Paired difference to {base}{where} (same replications; 95% CI), per variant",
        fontsize=11,
    )
    fig.tight_layout()
    return fig


def _difference_panel(
    ax: plt.Axes,
    key: str,
    is_ratio: bool,
    hit: pd.DataFrame,
    design: Design,
    shown: list[str],
    colours: dict[str, str],
) -> None:
    unit = str(hit["unit"].iloc[0])
    middle, low, high = (
        ("ratio", "ratio_low", "ratio_high") if is_ratio else ("mean_diff", "ci_low", "ci_high")
    )
    scale, unit_name = (1.0, unit)
    if not is_ratio and unit == "min":
        scale, short = duration_unit(hit[[low, high]].to_numpy(dtype=float).ravel())
        unit_name = UNIT_NAMES[short]
    elif not is_ratio and unit == "share":
        scale, unit_name = 0.01, "percentage points"
    for y, variant in enumerate(shown):
        if variant not in hit.index or not np.isfinite(hit.at[variant, middle]):
            ax.annotate(
                " no value",
                (0, y),
                va="center",
                fontsize=8,
                color="grey",
                xycoords=("axes fraction", "data"),
            )
            continue
        mid, lo, hi = (
            float(hit.at[variant, c]) / (1 if is_ratio else scale) for c in (middle, low, high)
        )
        colour = colours[design.layout_of[variant]]
        ax.errorbar(mid, y, xerr=[[mid - lo], [hi - mid]], fmt="o", color=colour, capsize=3)
    ax.axvline(1.0 if is_ratio else 0.0, color="k", lw=0.8, ls="--")
    if is_ratio:
        ax.set_xscale("log")
        _ratio_ticks(ax)
    labels = [_name(design, v) for v in shown]
    ax.set_yticks(range(len(shown)), labels, fontsize=8)
    ax.set_ylim(len(shown) - 0.5, -0.5)
    what = "ratio to baseline (log axis)" if is_ratio else f"difference [{unit_name}]"
    ax.set_title(f"{key_label(key)}: {what}", fontsize=9)
    ax.grid(axis="x", alpha=0.3)


def _ratio_ticks(ax: plt.Axes) -> None:
    low, high = ax.get_xlim()
    ticks = [t for t in (0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100, 300) if low <= t <= high]
    if ticks:
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_ticklabels([f"×{t:g}" for t in ticks])
    ax.xaxis.set_minor_locator(NullLocator())


def _name(design: Design, variant: str) -> str:
    condition = design.condition_of[variant]
    layout = design.layout_of[variant]
    return f"{layout} · {condition}" if condition else layout


def lead_time_vs_cost_chart(comparison: Comparison, cost_kpi: str) -> Figure | None:
    """Per condition, each layout's median lead time (log axis) against its cost per order:
    points at the means, whiskers the 95% CI of the paired difference (ratio for lead
    time) to the condition's baseline; the baseline has none."""
    return _paired_scatter(
        comparison,
        "lead_time_p50",
        cost_kpi,
        "Median lead time vs cost per order per layout",
    )


def service_scatter_chart(comparison: Comparison, y_kpi: str) -> Figure | None:
    """A money KPI against the on-time rate per variant, a panel per condition; whiskers:
    the paired 95% CIs of both differences to the baseline (the baseline has none)."""
    title = AXIS.get(y_kpi, y_kpi).split(" (")[0]
    return _paired_scatter(comparison, "on_time_rate", y_kpi, f"{title} vs on-time rate")


def _paired_scatter(comparison: Comparison, x_kpi: str, y_kpi: str, title: str) -> Figure | None:
    design = comparison.design
    stat = comparison.stat
    duration = x_kpi in RATIO_KPIS
    placed = {v: (stat(v, x_kpi)[0], stat(v, y_kpi)[0]) for v in design.order}
    placed = {
        v: (x, y)
        for v, (x, y) in placed.items()
        if np.isfinite(x) and np.isfinite(y) and (x > 0 or not duration)
    }
    if not placed:
        return None
    colours = palette(design.layouts)
    conditions = design.condition_names
    fig, axes = plt.subplots(
        1,
        len(conditions),
        figsize=(4.6 * len(conditions) + 1.8, 4.6),
        squeeze=False,
        sharex=True,
        sharey=True,
    )
    for ax, condition in zip(axes[0], conditions, strict=True):
        for variant in (v for v in _members(design, condition) if v in placed):
            x, y = placed[variant]
            colour = colours[design.layout_of[variant]]
            if _is_baseline(design, variant):
                ax.plot(x, y, "o", color=colour, ms=9, mfc="white", mew=2)
                continue
            if duration:
                ratio, low, high = comparison.ratio(variant, x_kpi)
                xerr = [[x - x * low / ratio], [x * high / ratio - x]]
            else:
                middle, low, high = comparison.diff(variant, x_kpi)
                xerr = [[middle - low], [high - middle]]
            middle, low, high = comparison.diff(variant, y_kpi)
            yerr = [[middle - low], [high - middle]]
            ax.errorbar(
                x,
                y,
                xerr=np.nan_to_num(xerr),
                yerr=np.nan_to_num(yerr),
                fmt="o",
                color=colour,
                capsize=3,
                ms=7,
            )
            if comparison.unstable.get(variant):
                ax.annotate(
                    "unstable",
                    (x, y),
                    fontsize=7,
                    color="firebrick",
                    xytext=(5, 5),
                    textcoords="offset points",
                )
        ax.set_title(condition or "all variants", fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes[0]:
        if duration:
            duration_log_axis(ax, "x")
            ax.set_xlabel("median lead time (log axis)")
        else:
            ax.xaxis.set_major_formatter(PercentFormatter(1.0))
            ax.set_xlabel(AXIS.get(x_kpi, x_kpi))
            if x_kpi == "on_time_rate":
                low, high = ax.get_xlim()  # no rate below 0% or above 100%
                ax.set_xlim(max(low, -0.02), min(high, 1.02))
    axes[0, 0].set_ylabel(AXIS.get(y_kpi, y_kpi))
    handles = [
        plt.Line2D([], [], marker="o", ls="", color=colours[name], label=name)
        for name in design.layouts
    ]
    handles.append(
        plt.Line2D(
            [],
            [],
            marker="o",
            ls="",
            color="grey",
            mfc="white",
            mew=2,
            label="baseline (no whiskers)",
        )
    )
    fig.legend(handles=handles, loc="center right", frameon=False, fontsize=8)
    fig.suptitle(
        f"{title}\nwhiskers: paired 95% CI of the difference to the baseline at the same "
        "level (same replications)",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0, 1 - 1.7 / fig.get_figwidth(), 1))
    return fig


def profit_vs_demand_chart(comparison: Comparison) -> Figure | None:
    """Profit per day against the demand factor, one line per layout; break-even demand is
    where a line crosses 0. Whiskers: each layout's own 95% CI (unpaired: the paired
    comparison per demand level is in the differences chart)."""
    design = comparison.design
    if len(set(design.demand_of.values())) < 2:
        return None
    colours = palette(design.layouts)
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    drawn = False
    for layout in design.layouts:
        members = sorted(
            (v for v in design.order if design.layout_of[v] == layout and v in design.demand_of),
            key=design.demand_of.__getitem__,
        )
        stats = [(design.demand_of[v], *comparison.stat(v, "profit_per_day")) for v in members]
        stats = [s for s in stats if np.isfinite(s[1])]
        if not stats:
            continue
        x, y, half = (np.array(c, dtype=float) for c in zip(*stats, strict=True))
        ax.errorbar(
            x,
            y,
            yerr=np.nan_to_num(half),
            marker="o",
            capsize=3,
            color=colours[layout],
            label=layout,
        )
        drawn = True
    if not drawn:
        note_empty(ax, "no profit figure in these runs")
    ax.axhline(0.0, color="k", lw=0.8)
    ax.set_xscale("log")
    levels = sorted(set(design.demand_of.values()))
    ax.xaxis.set_major_locator(FixedLocator(levels))
    ax.xaxis.set_ticklabels([f"{v:g}×" for v in levels])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("demand factor (× the market's base demand; log axis)")
    ax.set_ylabel("profit per day (CNY)")
    ax.set_title("Profit per day by demand; break-even where a line crosses 0 (95% CIs)")
    ax.grid(alpha=0.3)
    if drawn:
        ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig
