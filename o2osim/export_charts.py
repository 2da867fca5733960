"""Charts of an export experiment: landed-cost waterfall, delivery times, stock abroad.

- ``export_waterfall.png``: per single-channel network, the landed cost per order
  built up line by line (freight, fees, last mile, duty ... and what the customer pays
  at the door), before and after the policy shock, at the first demand level;
- ``export_lead_times.png``: the delivery-time distribution (CDF, days) of each
  channel of each network, before the shock, at the first demand level;
- ``export_stock_abroad.png``: units on hand and in the pipeline of each network with
  a stock abroad, replication 0, over time (needs ``save_tables = true``).

Every figure is built from the experiment folder's tables; this module must not run
the model or write files (the caller saves the figures).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .chartkit import palette
from .economics import LANDED
from .export_summary import variant_frame
from .units import DAY

#: Short names of the landed-cost lines in the waterfall.
LINE_NAMES = {
    "freight": "first leg / air",
    "fees": "customs & handling",
    "postage": "last mile",
    "payment": "payment",
    "reverse": "returns",
    "duty": "duty (seller)",
    "labour": "pick & pack",
    "storage": "storage",
    "shipments": "sea containers",
    "events": "consignments",
    "at_door": "duty & fees (customer)",
}


def _policy_variants(variants: pd.DataFrame) -> tuple[pd.DataFrame, str, str]:
    frame = variant_frame(variants)
    frame = frame[frame["demand"] == frame["demand"].min()]
    return frame, min(frame["policy"]), max(frame["policy"])


def _mean(runs: pd.DataFrame, variant: str, group: str, name: str, kpi: str) -> float:
    hit = runs[
        (runs["variant"] == variant)
        & (runs["group"] == group)
        & (runs["name"] == name)
        & (runs["kpi"] == kpi)
    ]
    return float(hit["value"].mean()) if len(hit) else 0.0


def waterfall_lines(runs: pd.DataFrame, variant: str, channel: str) -> dict[str, float]:
    """The landed cost per order of ``channel`` in ``variant``, line by line (CNY)."""
    lines = {c: _mean(runs, variant, "channel", channel, f"cost_{c}_per_order") for c in LANDED}
    seller = _mean(runs, variant, "channel", channel, "landed_cost_per_order")
    lines["at_door"] = _mean(runs, variant, "trade", channel, "landed_cost_per_order") - seller
    return {k: v for k, v in lines.items() if abs(v) > 0.005}


def waterfall(runs: pd.DataFrame, variants: pd.DataFrame) -> Figure | None:
    """Landed-cost waterfall per single-channel network, before and after."""
    frame, first, last = _policy_variants(variants)
    panels = []
    for network, block in frame.groupby("network", sort=False):
        before = str(block.loc[block["policy"] == first, "variant"].iloc[0])
        after = str(block.loc[block["policy"] == last, "variant"].iloc[0])
        channels = runs.loc[(runs["variant"] == before) & (runs["group"] == "channel"), "name"]
        if channels.nunique() == 1:
            panels.append((str(network), str(channels.iloc[0]), before, after))
    if not panels:
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(6.5 * len(panels), 5.0), squeeze=False)
    for ax, (network, channel, before, after) in zip(axes[0], panels, strict=True):
        parts = {"before": waterfall_lines(runs, before, channel)}
        parts["after"] = waterfall_lines(runs, after, channel)
        names = list(dict.fromkeys([*parts["before"], *parts["after"]]))
        for offset, (side, colour) in zip(
            (-0.2, 0.2), (("before", "#9aa5b1"), ("after", "#c0392b")), strict=True
        ):
            level = 0.0
            for i, name in enumerate(names):
                value = parts[side].get(name, 0.0)
                ax.bar(
                    i + offset, value, 0.4, bottom=level, color=colour, edgecolor="black", lw=0.4
                )
                level += value
            ax.bar(
                len(names) + offset,
                level,
                0.4,
                color=colour,
                edgecolor="black",
                lw=0.4,
                label=f"{side}: {level:,.1f} CNY",
            )
        ax.set_xticks(range(len(names) + 1))
        ax.set_xticklabels(
            [LINE_NAMES.get(n, n) for n in names] + ["landed cost"], rotation=40, ha="right"
        )
        ax.set_ylabel("CNY per completed order")
        ax.set_title(f"{network}: {channel}")
        ax.legend(loc="upper left", frameon=False)
    fig.suptitle(f"Landed cost per order, rules at {first} vs {last}")
    fig.tight_layout()
    return fig


def lead_time_cdf(leads: pd.DataFrame, variants: pd.DataFrame) -> Figure | None:
    """Delivery-time distribution of each channel, before the shock (days)."""
    frame, first, _ = _policy_variants(variants)
    chosen = frame[frame["policy"] == first]
    curves = []
    for _, row in chosen.iterrows():
        mine = leads[(leads["variant"] == row["variant"]) & (leads["channel"] != "all")]
        for channel, block in mine.groupby("channel", sort=True):
            mean = block.groupby("quantile")["lead_time_min"].mean()
            if mean.notna().any():
                curves.append((f"{row['network']}: {channel}", str(channel), mean))
    if not curves:
        return None
    colours = palette(c for _, c, _ in curves)
    fig, ax = plt.subplots(figsize=(8.0, 4.8))
    styles = ["-", "--", ":", "-."]
    for k, (label, channel, mean) in enumerate(curves):
        ax.plot(
            mean.to_numpy() / DAY,
            mean.index,
            styles[k % len(styles)],
            color=colours[channel],
            label=label,
        )
    ax.set_xlabel("delivery time (days from order)")
    ax.set_ylabel("share of delivered orders")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    ax.set_title("Delivery time by channel (mean quantiles over replications)")
    fig.tight_layout()
    return fig


def stock_abroad(folder: Path, variants: pd.DataFrame) -> Figure | None:
    """Units on hand and in the pipeline abroad over time, replication 0 of each network
    with stock, at every demand level (before the shock)."""
    frame, first, _ = _policy_variants(variants)
    found = []
    for _, row in frame[frame["policy"] == first].iterrows():
        path = folder / "runs" / str(row["variant"]) / "rep-000" / "inventory.parquet"
        if path.is_file():
            ledger = pd.read_parquet(path)
            if len(ledger):
                found.append((str(row["network"]), ledger))
    if not found:
        return None
    fig, ax = plt.subplots(figsize=(8.0, 4.8))
    colours = palette(n for n, _ in found)
    for network, ledger in found:
        days = ledger["time"].to_numpy() / DAY
        on_hand = np.cumsum(ledger["on_hand_change"].to_numpy())
        pipeline = np.cumsum(ledger["on_order_change"].to_numpy())
        ax.step(days, on_hand, where="post", color=colours[network], label=f"{network}: on hand")
        ax.step(
            days,
            pipeline,
            where="post",
            color=colours[network],
            ls="--",
            label=f"{network}: on the water",
        )
    ax.set_xlabel("days since the start")
    ax.set_ylabel("units")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    ax.set_title("Stock abroad (replication 0)")
    fig.tight_layout()
    return fig
