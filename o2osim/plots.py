"""Charts of one run, drawn when its folder is saved. Each function takes tables
and returns a Figure.

Roles: this module draws one run's charts (``lead_time_by_channel.png``, ...);
:mod:`o2osim.experiment_charts` draws an experiment's; :mod:`o2osim.report`
rebuilds what a results folder can rebuild from its tables (an experiment's
charts and ``report.md``, a run's ``kpis.csv``); :mod:`o2osim.chartkit` draws
and saves a chart without ever losing a run; and :mod:`o2osim.results` writes
results folders atomically. This module computes
nothing the KPI table or the tables do not hold, and writes only chart files.

Uses the non-interactive Agg backend when saving; never shows windows. Runs
with no orders, NaN or infinite values are valid: a chart with nothing to show
says so on the figure, and :func:`o2osim.chartkit.save_charts` turns any chart
that still fails into a warning and an entry in ``skipped``, so a drawing problem
never costs the tables of a finished run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .chartkit import (
    OUTCOME_COLOURS,
    UNIT_NAMES,
    SavedCharts,
    duration_unit,
    finite,
    hatch_unfinished,
    kpi_table,
    note_empty,
    palette,
    safe_bins,
    save_charts,
    segment_bars,
    step_histograms,
)
from .glossary import place
from .kpis import VISIT_ONLY, left_the_store
from .recorder import RESPONSE_NAMES
from .scenario import Scenario
from .tables import COMPLETED

#: How the outcomes of orders that had not ended read in a legend.
UNFINISHED = {
    "in_flight": "not ended when the run stopped (censored)",
    "censored": "censored (not ended when the run stopped)",
}


def lead_time_by_channel_chart(orders: pd.DataFrame, scenario: Scenario) -> Figure:
    """Distribution of order lead time per channel, with each channel's promise, in
    minutes, hours or days as they read best. Channels whose lead times differ by more
    than 20 times (30 minutes and a week) get a panel each, so none is squashed."""
    done = orders[orders["after_warmup"] & orders["outcome"].isin(COMPLETED)]
    groups = [
        (str(c), finite(g["lead_time_min"].to_numpy()))
        for c, g in done.groupby("channel", observed=True)
    ]
    groups = [(c, m) for c, m in groups if len(m)]
    tops = [float(np.percentile(m, 99.5)) for _, m in groups]
    shared = not groups or max(tops) <= 20 * max(min(tops), 1e-9)
    panels = [groups] if shared else [[g] for g in groups]
    high = 4.5 if shared else 1.2 + 2.3 * len(panels)
    fig, axes = plt.subplots(len(panels), 1, figsize=(8, high), squeeze=False)
    colours = palette(scenario.channels)
    for ax, members in zip(axes[:, 0], panels, strict=True):
        step_histograms(
            ax,
            [(c, m, scenario.channels[c].promise, colours.get(c, "k")) for c, m in members],
            "lead time, order placed to delivered",
        )
    if not groups:
        note_empty(axes[0, 0], "no order delivered after the warm-up")
    fig.suptitle(f"{scenario.scenario.name}: lead time by channel (after warm-up)")
    fig.tight_layout()
    return fig


def queues_over_day_chart(resources: pd.DataFrame, scenario: Scenario) -> Figure:
    """Mean queue length by hour of day per resource (after warm-up)."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    data = resources[resources["time"] >= scenario.scenario.warmup]
    hour = ((data["time"] % 1440) // 60).astype(int)
    table = data.assign(hour=hour).pivot_table(
        index="hour", columns="resource", values="queue", aggfunc="mean", observed=True
    )
    for resource in table.columns:
        ax.plot(table.index, table[resource], marker="o", ms=3, label=place(str(resource)))
    ax.set_xticks(range(0, 24, 2))
    ax.set_xlabel("hour of day")
    ax.set_ylabel("mean orders waiting")
    ax.set_title(f"{scenario.scenario.name}: queues over the day")
    if len(table.columns):
        ax.legend(frameon=False)
    else:
        note_empty(ax, "no resource snapshot after the warm-up")
    fig.tight_layout()
    return fig


def utilisation_chart(kpis: pd.DataFrame, scenario: Scenario) -> Figure:
    """Time-average utilisation of each resource after warm-up."""
    fig, ax = plt.subplots(figsize=(7, 4))
    rows = kpis[(kpis["group"] == "resource") & (kpis["kpi"] == "utilisation")]
    values = rows["value"].to_numpy(dtype=float)
    # NaN (no time counted) draws as no bar, labelled with a dash.
    names = [place(str(n)) for n in rows["name"]]
    bars = ax.bar(names, np.where(np.isfinite(values), values, 0.0), color="C2")
    ax.bar_label(bars, labels=[f"{v:.0%}" if np.isfinite(v) else "–" for v in values])
    if not len(rows):
        note_empty(ax, "no resource")
    if len(rows) > 5:  # long resource names (a store's mirrors and staff) would overlap
        ax.tick_params(axis="x", labelrotation=30)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("utilisation")
    ax.set_title(f"{scenario.scenario.name}: resource utilisation")
    fig.tight_layout()
    return fig


def outcomes_chart(orders: pd.DataFrame, scenario: Scenario) -> Figure:
    """Orders by outcome and channel (after warm-up). Only outcomes that occurred; orders
    that had not ended when the run stopped are shown as such (grey, hatched: censored),
    not as a failure or a success."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    counted = orders[orders["after_warmup"]]
    table = pd.crosstab(counted["channel"].astype(str), counted["outcome"].astype(str))
    table = table.loc[table.sum(axis=1) > 0, table.sum() > 0]
    known = [o for o in OUTCOME_COLOURS if o in table.columns]
    table = table[known + [o for o in table.columns if o not in known]]
    if table.size:
        table.rename(columns=UNFINISHED).plot.barh(
            stacked=True, ax=ax, color=[OUTCOME_COLOURS.get(o, "k") for o in table.columns]
        )
        hatch_unfinished(ax, [str(o) in UNFINISHED for o in table.columns])
        ax.legend(frameon=False, ncols=3, fontsize=8)
    else:
        note_empty(ax)
    ax.set_xlabel("orders placed after the warm-up")
    ax.set_ylabel("")
    ax.set_title(f"{scenario.scenario.name}: order outcomes by channel")
    fig.tight_layout()
    return fig


def orders_per_day_chart(orders: pd.DataFrame, scenario: Scenario) -> Figure:
    """Orders placed, completed and lost per day over the whole run (warm-up shaded).

    Store visitors who never ordered are left out.
    """
    fig, ax = plt.subplots(figsize=(8, 4))
    # Visitors who never ordered.
    orders = orders[~orders["outcome"].isin(VISIT_ONLY) & ~left_the_store(orders)]
    day = (orders["placed"] // 1440).astype(int)
    placed = day.value_counts().sort_index()
    done = orders[orders["outcome"].isin(COMPLETED)]
    completed = (done["finished"] // 1440).astype(int).value_counts().sort_index()
    ax.plot(placed.index, placed.to_numpy(), marker="o", ms=3, label="placed")
    ax.plot(completed.index, completed.to_numpy(), marker="s", ms=3, label="delivered/collected")
    lost = orders[orders["outcome"].isin(("lost_sale", "rejected", "missed"))]
    lost_per_day = (lost["placed"] // 1440).astype(int).value_counts().sort_index()
    ax.plot(
        lost_per_day.index,
        lost_per_day.to_numpy(),
        marker="x",
        ms=3,
        label="lost sale / rejected / missed",
    )
    if orders.empty:
        note_empty(ax, "no orders")
    return _over_days(fig, ax, scenario, "orders", "orders per day")


def stock_chart(inventory: pd.DataFrame, scenario: Scenario) -> Figure:
    """Units on hand and in the pipeline (on order) in the bonded pool over the run."""
    fig, ax = plt.subplots(figsize=(8, 4))
    levels = (
        pd.DataFrame(
            {
                "day": inventory["time"] / 1440.0,
                "on hand": inventory["on_hand_change"].cumsum(),
                "pipeline (on order)": inventory["on_order_change"].cumsum(),
            }
        )
        .groupby("day")
        .last()
    )  # the level after the last movement at each instant
    for column in levels.columns:
        ax.step(levels.index, levels[column], where="post", label=column)
    return _over_days(fig, ax, scenario, "units, all SKUs", "bonded stock")


def _over_days(fig: Figure, ax: plt.Axes, scenario: Scenario, ylabel: str, title: str) -> Figure:
    """Shade the warm-up and label a chart whose x axis is the day of the run."""
    ax.axvspan(0, scenario.scenario.warmup / 1440, color="grey", alpha=0.15, label="warm-up")
    ax.set_xlabel("day")
    ax.set_ylabel(ylabel)
    ax.set_title(f"{scenario.scenario.name}: {title}")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def airport_counters_chart(kpis: pd.DataFrame, scenario: Scenario) -> Figure:
    """Pickup counters over the day: open and busy (mean, after warm-up), and utilisation."""
    hourly = kpis[(kpis["group"] == "airport") & kpis["name"].str.startswith("hour_")]
    table = hourly.pivot(index="name", columns="kpi", values="value")
    hours = np.array([int(name.removeprefix("hour_")) for name in table.index])
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.bar(hours, table["counters_open"], width=0.8, color="C0", alpha=0.25, label="counters open")
    ax.bar(hours, table["counters_busy"], width=0.5, color="C0", label="counters busy (mean)")
    ax.set_xticks(range(0, 24, 2))
    ax.set_xlim(-0.6, 23.6)
    ax.set_xlabel("hour of day")
    ax.set_ylabel("counters")
    right = ax.twinx()
    right.plot(
        hours,
        table["counter_utilisation"],
        color="C3",
        marker="o",
        ms=3,
        label="utilisation (busy / open)",
    )
    right.set_ylim(0, 1.05)
    right.set_ylabel("utilisation")
    lines = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], frameon=False, loc="upper left", fontsize=8)
    ax.set_title(f"{scenario.scenario.name}: pickup counters over the day")
    fig.tight_layout()
    return fig


def lateness_chart(orders: pd.DataFrame, scenario: Scenario) -> Figure | None:
    """How early or late each channel's completed orders were against their due time.

    One panel per channel: promises differ by orders of magnitude (30 min to a day).
    """
    done = orders[orders["after_warmup"] & orders["outcome"].isin(COMPLETED)]
    groups = [
        (str(c), finite(g["lateness_min"].to_numpy()))
        for c, g in done.groupby("channel", observed=True)
    ]
    groups = [(c, m) for c, m in groups if len(m)]
    if not groups:
        return None
    fig, axes = plt.subplots(len(groups), 1, figsize=(8, 1.2 + 2.2 * len(groups)), squeeze=False)
    colours = palette(scenario.channels)
    for ax, (channel, minutes) in zip(axes[:, 0], groups, strict=True):
        low, high = np.percentile(minutes, [0.5, 99.5])
        scale, unit = duration_unit([low, high])
        shown = minutes[(minutes >= low) & (minutes <= high)] / scale
        ax.hist(shown, bins=safe_bins(shown).tolist(), color=colours.get(channel, "C0"))
        ax.axvline(0.0, color="k", ls="--", lw=1)
        ax.set_title(
            f"{channel}: {(minutes <= 0).mean():.1%} on time, "
            f"{(minutes > 0).sum():,} late of {len(minutes):,}",
            fontsize=9,
            loc="left",
        )
        ax.set_ylabel("orders")
        ax.set_xlabel(
            f"lateness: delivered minus due ({UNIT_NAMES[unit]}; negative = early; dashed = due)",
            fontsize=8,
        )
    fig.suptitle(f"{scenario.scenario.name}: promises kept? (after warm-up)")
    fig.tight_layout()
    return fig


def fleet_chart(resources: pd.DataFrame, scenario: Scenario) -> Figure | None:
    """Couriers on duty and couriers out on trips, by hour of day, per fleet."""
    fleets = [n for n, (stage, _) in scenario.resources().items() if stage == "deliver"]
    data = resources[
        (resources["time"] >= scenario.scenario.warmup) & resources["resource"].isin(fleets)
    ]
    if data.empty:
        return None
    fig, ax = plt.subplots(figsize=(8, 4.5))
    hour = ((data["time"] % 1440) // 60).astype(int)
    table = (
        data.assign(hour=hour)
        .groupby(["resource", "hour"], observed=True)[["servers", "busy"]]
        .mean()
    )
    fleets_drawn = [str(f) for f in table.index.get_level_values(0).unique()]
    colours = palette(fleets_drawn)
    for fleet in fleets_drawn:
        rows = table.loc[fleet]
        colour = colours[fleet]
        ax.plot(rows.index, rows["servers"], color=colour, ls="--", label=f"{fleet} on duty")
        ax.plot(
            rows.index,
            rows["busy"],
            color=colour,
            marker="o",
            ms=3,
            label=f"{fleet} out on trips",
        )
    ax.set_xticks(range(0, 24, 2))
    ax.set_xlabel("hour of day")
    ax.set_ylabel("couriers (mean)")
    ax.set_title(f"{scenario.scenario.name}: couriers over the day")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def channel_shares_chart(kpis: pd.DataFrame, scenario: Scenario) -> Figure | None:
    """Each segment's orders split by the channel it chose (after warm-up)."""
    rows = kpis[kpis["group"] == "choice"]
    if not np.isfinite(rows["value"].to_numpy(dtype=float)).any():
        return None  # no segment placed an order: no shares to show
    table = kpi_table(rows, "share_")
    colours = palette([*scenario.channels, *table.columns])
    fig = segment_bars(
        table,
        f"{scenario.scenario.name}: channel choice by segment",
        "share of the segment's orders",
        color=[colours[str(c)] for c in table.columns],
    )
    fig.axes[0].set_xlim(0, 1)
    return fig


def stockout_chart(kpis: pd.DataFrame, scenario: Scenario) -> Figure | None:
    """What customers did about stock-outs, per segment (after warm-up): counts of each
    response, stacked; None when nobody found the shelf short."""
    rows = kpis[(kpis["kpi"].str.startswith("stockout_"))]
    if len(scenario.customers.segments) > 1:
        rows = rows[rows["group"] == "segment"]
    else:
        rows = rows[rows["group"] == "overall"].assign(name=scenario.customers.segments[0].name)
    if rows.empty or rows["value"].sum() == 0:
        return None
    table = kpi_table(rows, "stockout_")
    table = table[[r for r in RESPONSE_NAMES if r in table.columns]]
    return segment_bars(
        table[table.sum(axis=1) > 0],
        f"{scenario.scenario.name}: what customers did on a stock-out",
        "orders that found the shelf short",
        color=["#4c72b0", "#dd8452", "#8172b3", "#c44e52"],
    )


def save_run_charts(
    folder: Path,
    scenario: Scenario,
    orders: pd.DataFrame,
    resources: pd.DataFrame,
    kpis: pd.DataFrame,
    inventory: pd.DataFrame | None = None,
) -> SavedCharts:
    """Write every run chart as PNG into ``folder``: which were drawn, which skipped."""
    makers: dict[str, Callable[[], Figure | None]] = {
        "lead_time_by_channel.png": lambda: lead_time_by_channel_chart(orders, scenario),
        "queues_over_day.png": lambda: queues_over_day_chart(resources, scenario),
        "utilisation.png": lambda: utilisation_chart(kpis, scenario),
        "outcomes.png": lambda: outcomes_chart(orders, scenario),
        "orders_per_day.png": lambda: orders_per_day_chart(orders, scenario),
        "lateness_by_channel.png": lambda: lateness_chart(orders, scenario),
        "couriers_over_day.png": lambda: fleet_chart(resources, scenario),
        "channel_choice.png": lambda: channel_shares_chart(kpis, scenario),
        "stockouts.png": lambda: stockout_chart(kpis, scenario),
    }
    if inventory is not None and len(inventory):
        makers["stock.png"] = lambda: stock_chart(inventory, scenario)
    if scenario.airport is not None and (kpis["name"].str.startswith("hour_")).any():
        makers["airport_counters.png"] = lambda: airport_counters_chart(kpis, scenario)
    if scenario.marketing is not None and scenario.marketing.campaigns:
        from .marketing_charts import ltv_cac_chart

        makers["ltv_cac.png"] = lambda: ltv_cac_chart(kpis, scenario)
    return save_charts(folder, makers)
