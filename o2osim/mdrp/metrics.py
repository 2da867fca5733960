"""The instance set's performance measures of a solution (one row of the benchmark).

Definitions follow the ``grubhub/mdrplib`` description: click-to-door = drop-off -
placement, ready-to-pickup = pickup - ready (minutes); orders per courier-hour =
orders delivered / total duty hours; a courier's utilisation = (driving + pickup
service per bundle + drop-off service per order) / duty time, averaged over
couriers. This module must not check feasibility nor simulate.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from .instance import START, Instance
from .solution import Solution

#: Metric columns, in the order tables show them.
COLUMNS = (
    "orders",
    "delivered",
    "delivered_share",
    "click_to_door_mean",
    "click_to_door_p90",
    "over_target_share",
    "ready_to_pickup_mean",
    "orders_per_courier_hour",
    "utilisation_mean",
    "orders_per_bundle",
)


def _mean(values: list[int]) -> float:
    return float(np.mean(values)) if values else float("nan")


def _utilisation(instance: Instance, solution: Solution) -> float:
    """Mean over couriers of their busy share of duty time."""
    params = instance.parameters
    places = {r.id: r.pos for r in instance.restaurants} | {o.id: o.pos for o in instance.orders}
    start = {c.id: c.pos for c in instance.couriers}
    busy: Counter[str] = Counter()
    for m in solution.moves:
        origin = start[m.courier] if m.origin == START else places[m.origin]
        busy[m.courier] += instance.travel(origin, places[m.destination])
    for a in solution.assignments:
        busy[a.courier] += params.pickup_service
    for r in solution.orders:
        busy[r.courier] += params.dropoff_service
    return float(np.mean([busy[c.id] / (c.off - c.on) for c in instance.couriers]))


def solution_metrics(instance: Instance, solution: Solution) -> dict[str, float]:
    """Every column of :data:`COLUMNS` for ``solution`` (times in minutes)."""
    delivered = solution.orders
    click_to_door = [r.dropoff - r.placed for r in delivered]
    target = instance.parameters.target_click_to_door
    return {
        "orders": len(instance.orders),
        "delivered": len(delivered),
        "delivered_share": len(delivered) / len(instance.orders),
        "click_to_door_mean": _mean(click_to_door),
        "click_to_door_p90": float(np.percentile(click_to_door, 90)) if delivered else float("nan"),
        "over_target_share": _mean([int(c > target) for c in click_to_door]),
        "ready_to_pickup_mean": _mean([r.pickup - r.ready for r in delivered]),
        "orders_per_courier_hour": len(delivered) / instance.courier_hours,
        "utilisation_mean": _utilisation(instance, solution),
        "orders_per_bundle": len(delivered) / max(len(solution.assignments), 1),
    }
