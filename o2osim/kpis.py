"""KPIs from the run's tables, as one tidy table: group, name, kpi, value, unit.

Only orders placed after the warm-up count. Resource KPIs combine the
stations' exact time integrals (utilisation, mean queue length L) with the
waits read from the order table (W), so Little's law ``L = lambda W`` can be
checked on one sample path. Nothing here runs the model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .economics import Money, money_kpis, site_kpis
from .scenario import Scenario
from .units import DAY

#: Timestamps that bound the wait in queue at each resource: (joined queue, service began).
WAIT_STAMPS = {
    "customs": ("declared", "clearance_start"),
    "pick": ("pick_queued", "pick_start"),
    "pack": ("pack_queued", "pack_start"),
    "deliver": ("dispatch_queued", "dispatched"),
}
DONE = ("delivered", "collected")


def _order_kpis(orders: pd.DataFrame, promise: pd.Series, days: float) -> list[tuple]:
    placed = len(orders)
    outcome = orders["outcome"]
    done = orders[outcome.isin(DONE)]
    lead = done["lead_time_min"].to_numpy()
    rows: list[tuple] = [
        ("orders_placed", placed, "orders"),
        ("orders_per_day", placed / days if days else np.nan, "orders/day"),
    ]
    for name in ("delivered", "collected", "lost_sale", "rejected", "in_flight"):
        rows.append((name, int((outcome == name).sum()), "orders"))
    lost = int((outcome == "lost_sale").sum())
    rows += [
        ("fill_rate", 1 - lost / placed if placed else np.nan, "share"),
        ("revenue_cny", float(done["value_cny"].sum()), "CNY"),
        ("tax_cny", float(done["tax_cny"].sum()), "CNY"),
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
                   warmup: float) -> list[tuple]:
    span = stats["span_min"]
    rate = stats["arrivals"] / span if span else np.nan
    rows = [
        ("servers", stats["servers"], "servers"),
        ("utilisation", stats["utilisation"], "share"),
        ("mean_queue", stats["mean_queue"], "orders"),
        ("arrival_rate", rate, "orders/min"),
        ("mean_wait_little", stats["mean_queue"] / rate if rate else np.nan, "min"),
    ]
    joined, began = WAIT_STAMPS[name]
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


def compute_kpis(
    scenario: Scenario,
    orders: pd.DataFrame,
    resource_stats: dict[str, dict[str, float]],
    money: Money | None = None,
) -> pd.DataFrame:
    """The KPI table for one run (orders placed after the warm-up)."""
    meta = scenario.scenario
    days = (meta.horizon - meta.warmup) / DAY
    counted = orders[orders["after_warmup"]]
    promises = {n: ch.promise for n, ch in scenario.channels.items()}
    promise = counted["channel"].astype(str).map(promises).astype(float)
    rows: list[tuple] = []

    def add(group: str, name: str, items: list[tuple]) -> None:
        rows.extend((group, name, kpi, float(value), unit) for kpi, value, unit in items)

    add("overall", "all", _order_kpis(counted, promise, days))
    if money is not None:
        add("overall", "all", money_kpis(money, money.orders, money.unallocated_cents))
    for channel in scenario.channels:
        subset = counted[counted["channel"] == channel]
        if len(subset):
            add("channel", channel, _order_kpis(subset, promise, days))
            if money is not None:
                add("channel", channel,
                    money_kpis(money, money.orders[money.orders["channel"] == channel]))
    if len(scenario.customers.segments) > 1:
        for seg in scenario.customers.segments:
            subset = counted[counted["segment"] == seg.name]
            add("segment", seg.name, _order_kpis(subset, promise, days))
    used = {stage for ch in scenario.channels.values() for stage in ch.route}
    for name, stats in resource_stats.items():
        if name in used:
            add("resource", name, _resource_kpis(name, stats, orders, meta.warmup))
    if money is not None:
        rows.extend(("site", name, kpi_name, float(value), unit)
                    for name, kpi_name, value, unit in site_kpis(scenario, money))
    return pd.DataFrame(rows, columns=["group", "name", "kpi", "value", "unit"])


def kpi(table: pd.DataFrame, group: str, name: str, kpi_name: str) -> float:
    """Look one KPI up: ``kpi(t, "resource", "pick", "mean_wait")``."""
    hit = table[(table["group"] == group) & (table["name"] == name) & (table["kpi"] == kpi_name)]
    if hit.empty:
        raise KeyError(f"no KPI {group}/{name}/{kpi_name}")
    return float(hit["value"].iloc[0])
