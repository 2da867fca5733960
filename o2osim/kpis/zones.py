"""Delivery-zone KPIs: the ``zone`` family, one name per zone of each fleet with zones.

A zone's name is ``FLEET.zK`` (``couriers.z1``...; numbering in
:class:`o2osim.scenario.Zones`). Over the fleet's orders placed after the warm-up whose
customer lives in the zone (:class:`o2osim.city.ZoneMap`, the function the fleets use):
``riders`` bound to it (pooled fleets: the pool's), ``deliveries``, ``mean_wait`` for a
courier (ready at the depot to dispatched, minutes), ``on_time_rate`` of the deliveries,
and ``utilisation``: courier-minutes on the zone's trips between the warm-up and the
horizon (a trip's time shared equally among its stops) over the courier-minutes paid to
the zone (bound: its riders over the window; pooled: the whole fleet's paid minutes, so a
pooled fleet's zones add up to its utilisation). Rows appear only for fleets with
``zones``. This module only reads tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..city import ZoneMap
from ..scenario import Couriers, Scenario, fleet_resource
from ..tables import rows_where
from .registry import KpiInput, Row, Rows, register

#: The KPIs of every zone, in row order.
ZONE_KPIS = ("riders", "deliveries", "mean_wait", "on_time_rate", "utilisation")


def zone_names(scenario: Scenario) -> list[str]:
    """``FLEET.zK`` for every zone of every fleet with zones."""
    return [
        f"{fleet}.z{k + 1}"
        for fleet, config in scenario.all_fleets().items()
        if config.zones is not None
        for k in range(config.zones.count)
    ]


@register("zone")
def zone_kpis(source: KpiInput) -> Rows:
    """Each zone of each fleet with zones (none for other scenarios)."""
    sc = source.scenario
    out: Rows = []
    for fleet, config in sc.all_fleets().items():
        if config.zones is not None:
            out += _fleet_zones(source, fleet, config)
    return out


#: The orders' columns the zone KPIs read.
ZONE_COLUMNS = [
    "x_km", "y_km", "dispatch_queued", "dispatched", "rider_back", "trip", "after_warmup",
    "outcome", "lateness_min",
]  # fmt: skip


def _fleet_zones(source: KpiInput, fleet: str, config: Couriers) -> Rows:
    zones = config.zones
    if zones is None:
        return []
    sc = source.scenario
    zone_of = ZoneMap(sc.depot_position(config.depot), zones.sectors, zones.rings_km)
    channels = [n for n, c in sc.channels.items() if "deliver" in c.route and c.fleet == fleet]
    run = source.run  # only the columns read here: a large run's orders stay in their file
    sent = run.order_columns(["channel", "dispatched"])
    mask = (sent["channel"].isin(channels) & sent["dispatched"].notna()).to_numpy()
    mine = run.order_columns(ZONE_COLUMNS, rows=mask)
    zone = np.array(
        [zone_of(x, y) for x, y in zip(mine["x_km"], mine["y_km"], strict=True)], dtype=int
    )
    start, end = sc.scenario.warmup, sc.scenario.horizon
    window = end - start
    bound = zones.pooling == "zone"
    riders = zones.split(config.riders) if bound else [config.riders] * zones.count
    busy = _busy_minutes(mine, zone, start, end, zones.count)
    pool_paid = _paid_minutes(source, fleet)
    out: Rows = []
    for k in range(zones.count):
        counted = rows_where(mine, (zone == k) & mine["after_warmup"].to_numpy())
        delivered = counted[counted["outcome"] == "delivered"]
        paid = riders[k] * window if bound else pool_paid
        rows: list[Row] = [
            ("riders", riders[k], "riders"),
            ("deliveries", len(delivered), "orders"),
            ("mean_wait", _mean(counted["dispatched"] - counted["dispatch_queued"]), "min"),
            ("on_time_rate", _mean(delivered["lateness_min"] <= 0.0), "share"),
            ("utilisation", busy[k] / paid if paid else float("nan"), "share"),
        ]
        out.append((f"{fleet}.z{k + 1}", rows))
    return out


def _busy_minutes(
    orders: pd.DataFrame, zone: np.ndarray, start: float, end: float, count: int
) -> list[float]:
    """Courier-minutes of each zone inside [start, end): a trip's time is shared equally
    among its stops, each share going to its stop's zone."""
    out_at = np.clip(orders["dispatched"].to_numpy(), start, end)
    back_at = np.clip(orders["rider_back"].fillna(end).to_numpy(), start, end)
    stops = orders.groupby("trip")["trip"].transform("size").to_numpy()
    return np.bincount(zone, weights=(back_at - out_at) / stops, minlength=count).tolist()


def _paid_minutes(source: KpiInput, fleet: str) -> float:
    """The fleet's paid courier-minutes between the warm-up and the horizon."""
    stats = source.run.resource_stats
    hit = stats[(stats["resource"] == fleet_resource(fleet)) & (stats["stat"] == "paid_rider_min")]
    return float(hit["value"].iloc[0]) if len(hit) else float("nan")


def _mean(values: pd.Series) -> float:
    return float(values.mean()) if len(values) else float("nan")
