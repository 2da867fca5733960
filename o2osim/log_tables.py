"""The run's logs other than the orders as tables: resource snapshots, the stock ledger,
flights, resource statistics and event counters (see :mod:`o2osim.tables` for units).

This module only converts; it must not compute KPIs or money, nor import the World.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .recorder import InventoryLedger, ResourceLog, StockKind

STOCK_KIND_NAMES = [k.name.lower() for k in StockKind]


def resources_table(log: ResourceLog) -> pd.DataFrame:
    """Snapshots of every resource: time (min), queue length, busy servers, servers."""
    return pd.DataFrame(
        {
            "time": np.asarray(log.time, dtype=float),
            "resource": pd.Categorical(log.resource),
            "queue": np.asarray(log.queue, dtype=np.int64),
            "busy": np.asarray(log.busy, dtype=np.int64),
            "servers": np.asarray(log.servers, dtype=np.int64),
        }
    )


def inventory_table(ledger: InventoryLedger) -> pd.DataFrame:
    """The stock ledger: every movement of on-hand and on-order units, per SKU."""
    return pd.DataFrame(
        {
            "time": np.asarray(ledger.time, dtype=float),
            "sku": np.asarray(ledger.sku, dtype=np.int64),
            "kind": pd.Categorical.from_codes(
                np.asarray(ledger.kind, dtype=np.int64), categories=STOCK_KIND_NAMES
            ),
            "order_id": np.asarray(ledger.order_id, dtype=np.int64),
            "on_hand_change": np.asarray(ledger.on_hand_change, dtype=np.int64),
            "on_order_change": np.asarray(ledger.on_order_change, dtype=np.int64),
            "on_hand": np.asarray(ledger.on_hand, dtype=np.int64),
            "on_order": np.asarray(ledger.on_order, dtype=np.int64),
        }
    )


def flights_table(
    departure: list[float],
    name: list[str],
    seats: list[int],
    passengers: list[int],
    preorders: list[int],
) -> pd.DataFrame:
    """One row per flight: departure (minutes since start), seats, passengers, pre-orders.

    The row number is the ``flight`` column of the orders table.
    """
    return pd.DataFrame(
        {
            "flight": np.arange(len(departure), dtype=np.int64),
            "name": pd.Series(name, dtype=object),
            "departure": np.asarray(departure, dtype=float),
            "seats": np.asarray(seats, dtype=np.int64),
            "passengers": np.asarray(passengers, dtype=np.int64),
            "preorders": np.asarray(preorders, dtype=np.int64),
        }
    )


def resource_stats_table(stats: dict[str, dict[str, float]]) -> pd.DataFrame:
    """A resource's time averages and counts, one row per (resource, statistic).

    Long rather than wide: fleets report statistics stations do not (paid courier
    minutes), and no cell is left empty. Rows keep the World's order, which sums
    over resources (labour cost) follow, so totals come out the same to the last bit.
    """
    rows = [
        (name, stat, float(value))
        for name, values in stats.items()
        for stat, value in values.items()
    ]
    return pd.DataFrame(
        {
            "resource": pd.Series([r[0] for r in rows], dtype=object),
            "stat": pd.Series([r[1] for r in rows], dtype=object),
            "value": np.array([r[2] for r in rows], dtype=float),
        }
    )


def resource_stats_dict(table: pd.DataFrame) -> dict[str, dict[str, float]]:
    """The inverse of :func:`resource_stats_table`: resource -> statistic -> value."""
    stats: dict[str, dict[str, float]] = {}
    for name, stat, value in zip(table["resource"], table["stat"], table["value"], strict=True):
        stats.setdefault(str(name), {})[str(stat)] = float(value)
    return stats


def counters_table(counters: dict[str, int]) -> pd.DataFrame:
    """Events counted after the warm-up (purchase orders, inspections, ...), one row each."""
    return pd.DataFrame(
        {
            "counter": pd.Series(list(counters), dtype=object),
            "count": np.array(list(counters.values()), dtype=np.int64),
        }
    )


def counters_dict(table: pd.DataFrame) -> dict[str, int]:
    """The inverse of :func:`counters_table`, in the same order."""
    return {str(k): int(v) for k, v in zip(table["counter"], table["count"], strict=True)}
