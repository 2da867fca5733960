"""What customers chose: the ``choice`` family (each segment's channel shares) and
repeat purchases (used by the ``channel`` family).

A segment with one channel made no choice and has no ``choice`` rows. Repeat
purchases need a finite population (known customers). This module only reads
tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .registry import KpiInput, Row, Rows, register


@register("choice")
def choice_kpis(source: KpiInput) -> Rows:
    """Each segment with more than one channel: the share of its orders in each."""
    counted = source.counted
    return [
        (
            seg.name,
            share_kpis(counted.loc[counted["segment"] == seg.name, ["channel"]], seg.channels),
        )
        for seg in source.scenario.customers.segments
        if len(seg.channels) > 1
    ]


def share_kpis(orders: pd.DataFrame, channels: list[str]) -> list[Row]:
    """Each channel's share of a segment's orders (what the choice policy produced)."""
    placed = len(orders)
    counts = orders["channel"].astype(str).value_counts()
    return [
        (f"share_{ch}", int(counts.get(ch, 0)) / placed if placed else np.nan, "share")
        for ch in channels
    ]


def repeat_orders(orders: pd.DataFrame) -> pd.Series:
    """True for an order whose customer placed an earlier order in the same channel
    (the whole run counts as history, the warm-up included)."""
    if "customer" not in orders or not (orders["customer"] >= 0).any():
        return pd.Series(False, index=orders.index)
    ordered = orders.sort_values(["placed", "order_id"], kind="stable")
    earlier = ordered.groupby(["customer", "channel"], observed=True).cumcount() > 0
    return (earlier & (ordered["customer"] >= 0)).reindex(orders.index)
