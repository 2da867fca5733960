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
from ..tables import RunTables
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
    scenario, run = source.scenario, source.run
    # Every order, not only the counted ones; each resource reads its columns and rows.
    channel = run.order_columns(["channel"])["channel"]
    stats_of = source.run.stats
    window = (scenario.scenario.warmup, scenario.scenario.horizon)
    fleets = {fleet_resource(n) for n in scenario.all_fleets()}
    out: Rows = []
    for name, (stage, channels) in scenario.resources().items():
        if name not in stats_of:
            continue  # built only when a channel uses it
        stats = stats_of[name]
        stamps = wait_stamps(name, stage)
        served = channel.isin(channels).to_numpy()
        rows = queue_kpis(stats, run.order_columns(list(stamps or ()), rows=served), window, stamps)
        if name in fleets:
            rows += fleet_kpis(scenario, name, stats, run, served, window)
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
    run: RunTables,
    served: np.ndarray,
    window: tuple[float, float],
) -> list[Row]:
    """Trips, productivity, distance and cost of a courier fleet in ``window`` (warm-up,
    horizon; minutes).

    ``served`` marks the orders of the channels the fleet serves (a mask over every
    order of ``run``). Deliveries and failures at the door count when they happened;
    trips and km count trips that left in the window (km as planned, out and back; NaN
    in teaching mode). Columns are read a few at a time: a year's orders are millions.
    """

    def inside(times: pd.Series) -> pd.Series:
        return (times >= window[0]) & (times < window[1])

    ends = run.order_columns(["delivered", "reason", "finished", "dispatched"], rows=served)
    delivered = int(inside(ends["delivered"]).sum())
    absent = int(((ends["reason"] == "customer_absent") & inside(ends["finished"])).sum())
    keep = served.copy()
    keep[served] = inside(ends["dispatched"]).to_numpy()
    del ends
    # Numpy on the columns used: a sorted copy of a frame was this family's peak memory.
    trips_of = run.order_columns(["order_id", "trip", "stop", "leg_km", "distance_km"], rows=keep)

    def sent(name: str) -> np.ndarray:
        return trips_of[name].to_numpy()

    # The station fast path in teaching mode does not label trips: one order per trip.
    trip = np.where(sent("trip") < 0, sent("order_id"), sent("trip"))
    # Each trip's last stop, in trip order (a stable sort by trip, then stop).
    order = np.lexsort((sent("stop"), trip))
    last = order[np.append(trip[order][1:] != trip[order][:-1], True)] if len(order) else order
    trips = len(last)  # one last stop per trip
    km = float(
        pd.Series(sent("leg_km")).sum(min_count=1) + pd.Series(sent("distance_km")[last]).sum()
    )
    paid_hours = stats["paid_rider_min"] / HOUR
    cost = fleet_cost(scenario, resource, stats, delivered)

    def per(a: float, b: float) -> float:
        return a / b if b else np.nan

    return [
        ("trips", trips, "trips"),
        ("deliveries", delivered, "orders"),
        ("failed_at_door", absent, "orders"),
        ("orders_per_trip", per(len(trip), trips), "orders"),
        ("orders_per_rider_hour", per(delivered, paid_hours), "orders/h"),
        ("rider_hours", paid_hours, "h"),
        ("km_per_order", per(km, len(trip)), "km"),
        ("cost_cny", cost, "CNY"),
        ("cost_per_delivery", per(cost, delivered), "CNY"),
    ]
