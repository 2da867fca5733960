"""Resource KPIs: the ``resource`` family, one name per queueing resource a run used.

Each resource combines its exact time integrals from ``resource_stats``
(utilisation, mean queue length L, arrivals) with the waits read from the
orders table (W), so Little's law ``L = lambda W`` can be checked on one sample
path. A courier fleet adds trips, orders per courier-hour, km and its cost
(rates from ``[economics]``). Everything covers the span from the warm-up to the
horizon: the integrals stop there (the drain after it would dilute them with idle
servers), waits count orders that joined the queue in that span (their waits end
during the drain, so none is cut short), deliveries and trips count those made in
it. This module only reads tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..economics import fleet_cost
from ..scenario import Scenario, fleet_resource
from ..scenario.stages import WAIT_STAMPS
from ..tables import rows_where
from ..units import HOUR
from .registry import KpiInput, Row, Rows, register


def wait_stamps(resource: str, stage: str) -> tuple[str, str] | None:
    """The stamps that bound ``resource``'s wait (None: it keeps none): the stage table's
    :data:`~o2osim.scenario.stages.WAIT_STAMPS` by resource name, else by its stage. A
    store's mirrors and staff keep no stamps."""
    if resource.endswith((".mirrors", ".staff")):
        return None
    return WAIT_STAMPS.get(resource, WAIT_STAMPS.get(stage))


@register("resource")
def resource_kpis(source: KpiInput) -> Rows:
    """Every resource with statistics, in the scenario's order; fleets add their trips."""
    scenario, orders = source.scenario, source.run.orders
    stats_of = source.run.stats
    window = (scenario.scenario.warmup, scenario.scenario.horizon)
    fleets = {fleet_resource(n) for n in scenario.all_fleets()}
    out: Rows = []
    for name, (stage, channels) in scenario.resources().items():
        if name not in stats_of:
            continue  # built only when a channel uses it
        stats = stats_of[name]
        served = rows_where(orders, orders["channel"].isin(channels))
        rows = queue_kpis(stats, served, window, wait_stamps(name, stage))
        if name in fleets:
            rows += fleet_kpis(scenario, name, stats, served, window)
        out.append((name, rows))
    return out


def queue_kpis(
    stats: dict[str, float],
    orders: pd.DataFrame,
    window: tuple[float, float],
    stamps: tuple[str, str] | None,
) -> list[Row]:
    """Servers, utilisation, L and lambda from the statistics; W (minutes) from the stamps
    of the orders that joined the queue in ``window`` (warm-up, horizon; minutes)."""
    span = stats["span_min"]
    rate = stats["arrivals"] / span if span else np.nan
    rows: list[Row] = [
        ("servers", stats["mean_servers"], "servers"),  # time average: staffing may vary
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
    mask = (t_in >= window[0]) & (t_in < window[1]) & ~np.isnan(t_start)
    waits = t_start[mask] - t_in[mask]
    if len(waits):
        rows += [
            ("mean_wait", float(waits.mean()), "min"),
            ("p95_wait", float(np.percentile(waits, 95)), "min"),
            ("share_waited", float((waits > 0).mean()), "share"),
        ]
    return rows


def fleet_kpis(
    scenario: Scenario,
    resource: str,
    stats: dict[str, float],
    orders: pd.DataFrame,
    window: tuple[float, float],
) -> list[Row]:
    """Trips, productivity, distance and cost of a courier fleet in ``window`` (warm-up,
    horizon; minutes).

    ``orders`` are the orders of the channels the fleet serves. Deliveries and
    failures at the door count when they happened; trips and km count trips that
    left in the window (km as planned, out and back; NaN in teaching mode).
    """

    def inside(times: pd.Series) -> pd.Series:
        return (times >= window[0]) & (times < window[1])

    delivered = int(inside(orders["delivered"]).sum())
    absent = int(((orders["reason"] == "customer_absent") & inside(orders["finished"])).sum())
    # Only the columns used: a subset of every column, then sorted, cost a tenth of the KPIs.
    sent = orders.loc[
        inside(orders["dispatched"]), ["order_id", "trip", "stop", "leg_km", "distance_km"]
    ]
    # The station fast path in teaching mode does not label trips: one order per trip.
    trip = np.where(sent["trip"] < 0, sent["order_id"], sent["trip"])
    trips = len(np.unique(trip))
    last = sent.assign(trip=trip).sort_values(["trip", "stop"]).groupby("trip").tail(1)
    km = float(sent["leg_km"].sum(min_count=1) + last["distance_km"].sum())
    paid_hours = stats["paid_rider_min"] / HOUR
    cost = fleet_cost(scenario, resource, stats, delivered)

    def per(a: float, b: float) -> float:
        return a / b if b else np.nan

    return [
        ("trips", trips, "trips"),
        ("deliveries", delivered, "orders"),
        ("failed_at_door", absent, "orders"),
        ("orders_per_trip", per(len(sent), trips), "orders"),
        ("orders_per_rider_hour", per(delivered, paid_hours), "orders/h"),
        ("rider_hours", paid_hours, "h"),
        ("km_per_order", per(km, len(sent)), "km"),
        ("cost_cny", cost, "CNY"),
        ("cost_per_delivery", per(cost, delivered), "CNY"),
    ]
