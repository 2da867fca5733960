"""Stock KPIs: the ``stock`` family (the bonded pool and its replenishment).

Movements count from the warm-up to the horizon (not those of the drain after it);
levels are exact time averages of the ledger's step functions over
``[warmup, horizon]``; order counts are of the counted orders. A run without a stock
ledger has no ``stock`` rows. This module only reads tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .registry import KpiInput, Row, Rows, register


@register("stock")
def stock_kpis(source: KpiInput) -> Rows:
    """The bonded pool: purchase orders, receipts, returns, levels, oversells, backorders."""
    inventory = source.run.inventory
    if not len(inventory):
        return []
    meta = source.scenario.scenario
    return [("bonded", ledger_kpis(inventory, source.counted, meta.warmup, meta.horizon))]


def time_average(times: np.ndarray, levels: np.ndarray, start: float, end: float) -> float:
    """Time average over [start, end] of a step function: ``levels[i]`` from ``times[i]`` on."""
    if end <= start or not len(times):
        return float("nan")
    before = np.searchsorted(times, start, side="right") - 1
    level0 = levels[before] if before >= 0 else 0.0
    inside = (times > start) & (times < end)
    edges = np.concatenate(([start], times[inside], [end]))
    values = np.concatenate(([level0], levels[inside]))
    return float((np.diff(edges) * values).sum() / (end - start))


def ledger_kpis(
    inventory: pd.DataFrame, orders: pd.DataFrame, warmup: float, horizon: float
) -> list[Row]:
    """Stock KPIs of the ledger ``inventory`` and the counted ``orders``."""
    times = inventory["time"].to_numpy()
    on_hand = np.cumsum(inventory["on_hand_change"].to_numpy())
    on_order = np.cumsum(inventory["on_order_change"].to_numpy())
    # Masks on the columns read, not a copy of the ledger (a year's is millions of rows).
    inside = (times >= warmup) & (times < horizon)
    kind = inventory["kind"][inside]
    ordered = inventory["on_order_change"].to_numpy()[inside]
    received = inventory["on_hand_change"].to_numpy()[inside]
    waited = orders["reserved"] - orders["backordered"]
    rows: list[Row] = [
        ("purchase_orders", int((kind == "purchase_order").sum()), "orders"),
        (
            "units_ordered",
            int(ordered[(kind == "purchase_order").to_numpy()].sum()),
            "units",
        ),
        ("receipts", int((kind == "receipt").sum()), "deliveries"),
        ("units_received", int(received[(kind == "receipt").to_numpy()].sum()), "units"),
        # Units customers sent back: restocked (a "return" row each) or written off.
        ("units_returned", int((kind == "return").sum() + (kind == "write_off").sum()), "units"),
        ("units_restocked", int((kind == "return").sum()), "units"),
        ("units_written_off", int((kind == "write_off").sum()), "units"),
        ("mean_on_hand", time_average(times, on_hand, warmup, horizon), "units"),
        ("mean_pipeline", time_average(times, on_order, warmup, horizon), "units"),
        ("oversold_orders", int(orders["oversold"].notna().sum()), "orders"),
        (
            "stale_figure_lost_sales",
            int((orders["reason"] == "stale_stock_figure").sum()),
            "orders",
        ),
        ("backordered_orders", int(orders["backordered"].notna().sum()), "orders"),
    ]
    if waited.notna().any():
        rows.append(("mean_backorder_wait", float(waited.mean()), "min"))
    return rows
