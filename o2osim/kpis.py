"""KPIs from the run's tables, as one tidy table: group, name, kpi, value, unit.

Only orders placed after the warm-up count (stock KPIs: movements after it).
Resource KPIs combine the stations' exact time integrals (utilisation, mean
queue length L) with the waits read from the order table (W), so Little's law
``L = lambda W`` can be checked on one sample path. Nothing here runs the model.

Groups: ``overall``, ``channel``, ``segment`` (orders), ``store`` (visitors of
each front store), ``stock`` (the bonded pool and its replenishment),
``resource`` (every queueing resource of a stage in use).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .scenario import Scenario
from .units import DAY
from .world import WAIT_STAMPS

DONE = ("delivered", "collected")
#: Outcomes of store visitors who never ordered.
VISIT_ONLY = ("turned_away", "no_purchase")
#: Outcome counts reported for every group of orders.
COUNTED = ("delivered", "collected", "lost_sale", "rejected", "in_flight", "cancelled",
           "returned", "turned_away", "no_purchase")


def _order_kpis(orders: pd.DataFrame, promise: pd.Series, days: float) -> list[tuple]:
    outcome = orders["outcome"]
    # A store visitor is a row from the door on, but an order only once they pay.
    placed = len(orders) - int(outcome.isin(VISIT_ONLY).sum())
    done = orders[outcome.isin(DONE)]
    lead = done["lead_time_min"].to_numpy()
    rows: list[tuple] = [
        ("orders_placed", placed, "orders"),
        ("orders_per_day", placed / days if days else np.nan, "orders/day"),
    ]
    for name in COUNTED:
        rows.append((name, int((outcome == name).sum()), "orders"))
    # A stock request met at once: reserved, never backordered. Requests also count the
    # lost sales and the oversold orders that were cancelled.
    reserved, backordered = orders["reserved"].notna(), orders["backordered"].notna()
    requested = int((reserved | backordered | (outcome == "lost_sale")
                     | orders["oversold"].notna()).sum())
    filled = int((reserved & ~backordered).sum())
    reasons = orders["reason"]
    if requested:  # only channels that draw on the bonded stock
        rows.append(("fill_rate", filled / requested, "share"))
    rows += [
        ("backordered", int(backordered.sum()), "orders"),
        ("oversold", int(orders["oversold"].notna().sum()), "orders"),
        ("rejected_per_order_limit", int((reasons == "per_order_limit").sum()), "orders"),
        ("rejected_annual_limit", int((reasons == "annual_limit").sum()), "orders"),
        ("split_orders", int((orders["parent"] >= 0).sum()), "orders"),
        ("revenue_cny", float(done["value_cny"].sum()), "CNY"),
        ("tax_cny", float(done["tax_cny"].sum()), "CNY"),
        ("price_paid_cny", float(done["price_paid_cny"].sum()), "CNY"),
        ("units_sold", int(done["lines"].sum()), "units"),
    ]
    if len(lead):
        p50, p90, p95 = np.percentile(lead, [50, 90, 95])
        on_time = float((lead <= promise.loc[done.index].to_numpy()).mean())
        rows += [
            ("lead_time_mean", float(lead.mean()), "min"),
            ("lead_time_p50", float(p50), "min"),
            ("lead_time_p90", float(p90), "min"),
            ("lead_time_p95", float(p95), "min"),
            ("on_time_rate", on_time, "share"),
        ]
    return rows


def _resource_kpis(name: str, stats: dict[str, float], orders: pd.DataFrame,
                   warmup: float, stamps: tuple[str, str] | None) -> list[tuple]:
    span = stats["span_min"]
    rate = stats["arrivals"] / span if span else np.nan
    rows = [
        ("servers", stats["servers"], "servers"),
        ("utilisation", stats["utilisation"], "share"),
        ("mean_queue", stats["mean_queue"], "orders"),
        ("arrival_rate", rate, "orders/min"),
        ("mean_wait_little", stats["mean_queue"] / rate if rate else np.nan, "min"),
    ]
    if stamps is None:
        return rows
    joined, began = stamps
    t_in = orders[joined].to_numpy()
    t_start = orders[began].to_numpy()
    mask = (t_in >= warmup) & ~np.isnan(t_start)
    waits = t_start[mask] - t_in[mask]
    if len(waits):
        rows += [
            ("mean_wait", float(waits.mean()), "min"),
            ("p95_wait", float(np.percentile(waits, 95)), "min"),
            ("share_waited", float((waits > 0).mean()), "share"),
        ]
    return rows


def _store_kpis(store: str, visits: pd.DataFrame, counters: Mapping[str, float]) -> list[tuple]:
    outcome = visits["outcome"]
    entered = visits["entered"].notna()
    left = visits["left_store"].notna()
    buyers = int((left & (outcome != "no_purchase")).sum())
    arrived = len(visits)
    turned = int((outcome == "turned_away").sum())
    door_wait = (visits["entered"] - visits["door_queued"])[entered]
    in_zone = (visits["left_store"] - visits["entered"])[left]
    rows = [
        ("visitors", arrived, "visitors"),
        ("turned_away", turned, "visitors"),
        ("turned_away_share", turned / arrived if arrived else np.nan, "share"),
        ("entered", int(entered.sum()), "visitors"),
        ("buyers", buyers, "visitors"),
        ("conversion_rate", buyers / int(left.sum()) if left.any() else np.nan, "share"),
    ]
    if len(door_wait):
        rows.append(("mean_door_wait", float(door_wait.mean()), "min"))
    if len(in_zone):
        rows.append(("mean_time_in_zone", float(in_zone.mean()), "min"))
    samples = counters.get(f"{store}.display_samples")
    if samples is not None:
        rows.append(("display_samples", samples, "units"))
    return rows


def _time_average(times: np.ndarray, levels: np.ndarray, start: float, end: float) -> float:
    """Time average over [start, end] of a step function: ``levels[i]`` from ``times[i]`` on."""
    if end <= start or not len(times):
        return float("nan")
    before = np.searchsorted(times, start, side="right") - 1
    level0 = levels[before] if before >= 0 else 0.0
    inside = (times > start) & (times < end)
    edges = np.concatenate(([start], times[inside], [end]))
    values = np.concatenate(([level0], levels[inside]))
    return float((np.diff(edges) * values).sum() / (end - start))


def _stock_kpis(inventory: pd.DataFrame, orders: pd.DataFrame, warmup: float,
                horizon: float) -> list[tuple]:
    times = inventory["time"].to_numpy()
    on_hand = np.cumsum(inventory["on_hand_change"].to_numpy())
    on_order = np.cumsum(inventory["on_order_change"].to_numpy())
    after = inventory[inventory["time"] >= warmup]
    kind = after["kind"]
    waited = orders["reserved"] - orders["backordered"]
    rows = [
        ("purchase_orders", int((kind == "purchase_order").sum()), "orders"),
        ("units_ordered", int(after.loc[kind == "purchase_order", "on_order_change"].sum()),
         "units"),
        ("receipts", int((kind == "receipt").sum()), "deliveries"),
        ("units_received", int(after.loc[kind == "receipt", "on_hand_change"].sum()), "units"),
        ("units_returned", int(after.loc[kind == "return", "on_hand_change"].sum()), "units"),
        ("mean_on_hand", _time_average(times, on_hand, warmup, horizon), "units"),
        ("mean_pipeline", _time_average(times, on_order, warmup, horizon), "units"),
        ("oversold_orders", int(orders["oversold"].notna().sum()), "orders"),
        ("stale_figure_lost_sales", int((orders["reason"] == "stale_stock_figure").sum()),
         "orders"),
        ("backordered_orders", int(orders["backordered"].notna().sum()), "orders"),
    ]
    if waited.notna().any():
        rows.append(("mean_backorder_wait", float(waited.mean()), "min"))
    return rows


def compute_kpis(
    scenario: Scenario,
    orders: pd.DataFrame,
    resource_stats: dict[str, dict[str, float]],
    wait_stamps: Mapping[str, tuple[str, str]] | None = None,
    inventory: pd.DataFrame | None = None,
    counters: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The KPI table for one run (orders placed after the warm-up).

    ``wait_stamps`` names the order-table stamps that bound each resource's wait
    (default: the fixed stations'); ``inventory`` (the ledger) adds stock KPIs and
    ``counters`` (RunInfo.counters) what only the run counted.
    """
    wait_stamps = WAIT_STAMPS if wait_stamps is None else wait_stamps
    counters = counters or {}
    meta = scenario.scenario
    days = (meta.horizon - meta.warmup) / DAY
    counted = orders[orders["after_warmup"]]
    promises = {n: ch.promise for n, ch in scenario.channels.items()}
    promise = counted["channel"].astype(str).map(promises).astype(float)
    rows: list[tuple] = []

    def add(group: str, name: str, items: list[tuple]) -> None:
        rows.extend((group, name, kpi, float(value), unit) for kpi, value, unit in items)

    add("overall", "all", _order_kpis(counted, promise, days))
    for channel in scenario.channels:
        subset = counted[counted["channel"] == channel]
        if len(subset):
            add("channel", channel, _order_kpis(subset, promise, days))
    if len(scenario.customers.segments) > 1:
        for seg in scenario.customers.segments:
            subset = counted[counted["segment"] == seg.name]
            add("segment", seg.name, _order_kpis(subset, promise, days))
    for index, store in enumerate(scenario.stores):
        segments = [seg.name for seg in scenario.customers.segments
                    if seg.store == store.name or (seg.store is None and index == 0)]
        visits = counted[counted["door_queued"].notna() & counted["segment"].isin(segments)]
        add("store", store.name, _store_kpis(store.name, visits, counters))
    if inventory is not None and len(inventory):
        add("stock", "bonded", _stock_kpis(inventory, counted, meta.warmup, meta.horizon))
    for name, stats in resource_stats.items():
        add("resource", name,
            _resource_kpis(name, stats, orders, meta.warmup, wait_stamps.get(name)))
    return pd.DataFrame(rows, columns=["group", "name", "kpi", "value", "unit"])


def kpi(table: pd.DataFrame, group: str, name: str, kpi_name: str) -> float:
    """Look one KPI up: ``kpi(t, "resource", "pick", "mean_wait")``."""
    hit = table[(table["group"] == group) & (table["name"] == name) & (table["kpi"] == kpi_name)]
    if hit.empty:
        raise KeyError(f"no KPI {group}/{name}/{kpi_name}")
    return float(hit["value"].iloc[0])
