"""The dashboard's "this run against the baseline" charts, each on one shared axis.

Two PNGs side by side, each with its own y-axis, invite reading a taller bar as a
bigger number; here the run and the baseline are drawn on the same axes: the
lead-time distribution (shared bins, the share of orders per bin) and the mean queue
by hour of day (one colour per place, the run solid, the baseline dashed; places where
nobody ever queued in either are left out). Labels come from the glossary. A lesson
whose orders never finish (the store's visits) shows the time in the store instead.

This module draws only (no Panel, no model runs), so it is tested without a browser.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..api import Result
from ..chartkit import UNIT_NAMES, duration_unit, finite, fmt_duration, note_empty, safe_bins
from ..glossary import place
from ..tables import COMPLETED

#: The chart files written beside a dashboard run (not inside its results folder).
LEAD_TIME_CHART = "vs_baseline_lead_time.png"
QUEUE_CHART = "vs_baseline_queues.png"
_RUN, _BASE = ("this run", "#d62728"), ("baseline", "#1f77b4")


def durations(result: Result) -> tuple[np.ndarray, str]:
    """Minutes from placing an order to goods in hand (completed orders after the
    warm-up); for a run without any, the visits' time in the store."""
    orders = result.orders[result.orders["after_warmup"]]
    done = orders[orders["outcome"].isin(COMPLETED)]
    if len(done):
        return finite(done["lead_time_min"].to_numpy()), "lead time, order placed to goods in hand"
    visits = orders["left_store"] - orders["door_queued"]
    return finite(visits.to_numpy()), "time in the store, door queue included"


def lead_time_figure(run: Result, baseline: Result) -> Figure:
    """Both lead-time distributions on one axis, in one unit, with shared bins."""
    (mine, what), (theirs, _) = durations(run), durations(baseline)
    fig, ax = plt.subplots(figsize=(7.5, 4))
    both = np.concatenate([mine, theirs])
    if not len(both):
        note_empty(ax)
        return fig
    top = float(np.percentile(both, 99.5))
    scale, unit = duration_unit([top])
    bins = safe_bins(both[both <= top] / scale, 50)
    for (name, colour), minutes in ((_BASE, theirs), (_RUN, mine)):
        if not len(minutes):
            continue
        weights = np.full(len(minutes), 100.0 / len(minutes))  # % of this run's orders
        ax.hist(np.minimum(minutes / scale, bins[-1]), bins=bins.tolist(), weights=weights,
                histtype="step", lw=2, color=colour,
                label=f"{name}: median {fmt_duration(float(np.median(minutes)))} "
                f"(n={len(minutes):,})")  # fmt: skip
    ax.set_xlabel(f"{what} ({UNIT_NAMES[unit]}; the slowest 0.5% in the last bin)")
    ax.set_ylabel("share of orders (%)")
    ax.set_title("Lead time: this run against the baseline")
    ax.legend(frameon=False, fontsize=9)
    fig.tight_layout()
    return fig


def hourly_queues(result: Result) -> pd.DataFrame:
    """Mean queue length by hour of day (rows) and place (columns), after the warm-up."""
    data = result.resources[result.resources["time"] >= result.scenario.scenario.warmup]
    hour = ((data["time"] % 1440) // 60).astype(int)
    return data.assign(hour=hour).pivot_table(
        index="hour", columns="resource", values="queue", aggfunc="mean", observed=True
    )


def queue_figure(run: Result, baseline: Result) -> Figure:
    """Both runs' queues by hour on one axis; places with no queue in either dropped."""
    mine, theirs = hourly_queues(run), hourly_queues(baseline)
    places = [
        p
        for p in dict.fromkeys([*theirs.columns, *mine.columns])
        if (p in mine and mine[p].max() > 0) or (p in theirs and theirs[p].max() > 0)
    ]
    fig, ax = plt.subplots(figsize=(7.5, 4))
    for i, resource in enumerate(places):
        colour = f"C{i % 10}"
        for table, style, who in ((theirs, "--", "baseline"), (mine, "-", "this run")):
            if resource in table:
                ax.plot(table.index, table[resource], ls=style, color=colour, marker="o", ms=2.5,
                        label=f"{place(str(resource))}, {who}")  # fmt: skip
    if places:
        ax.legend(frameon=False, fontsize=8, ncol=2 if len(places) > 2 else 1)
    else:
        note_empty(ax, "nobody queued anywhere, in either run")
    ax.set_xticks(range(0, 24, 2))
    ax.set_xlabel("hour of day")
    ax.set_ylabel("people or orders waiting (mean)")
    ax.set_title("Queues over the day: this run (solid) against the baseline (dashed)")
    fig.tight_layout()
    return fig


def write_comparison(run: Result, baseline: Result, folder: Path) -> list[Path]:
    """Draw both comparison charts into ``folder``; the paths, in display order."""
    paths = []
    for name, draw in ((LEAD_TIME_CHART, lead_time_figure), (QUEUE_CHART, queue_figure)):
        figure = draw(run, baseline)
        try:
            figure.savefig(folder / name, dpi=100)
        finally:
            plt.close(figure)
        paths.append(folder / name)
    return paths
