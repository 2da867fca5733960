"""A courier fleet whose couriers are bound to delivery zones (``zones.pooling = "zone"``).

Each zone is a :class:`~o2osim.facilities.fleet.Fleet` of its own couriers, with the
fleet's dispatch policy, vehicle, travel and hooks (the builder makes them); an order
ready at the depot joins the queue of the zone its customer lives in
(:class:`o2osim.city.ZoneMap`) and only that zone's couriers take it. Courier ids run
on across the zones (zone 1's first, then zone 2's...). To the monitor the fleet is
one resource: queue, busy and paid couriers are the zones' sums. This module must
not know stock, customs or other facilities.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from ..recorder import OrderBook
from .fleet import Fleet

#: Snapshot figures that add up over the zones (utilisation is recomputed from them).
_SUMMED = (
    "mean_queue",
    "mean_busy",
    "arrivals",
    "completions",
    "servers",
    "mean_servers",
    "paid_rider_min",
    "busy_rider_min",
    "cancelled",
)


class _Waiting:
    """The orders waiting in every zone, as one sized collection (the monitor's queue)."""

    def __init__(self, zones: Sequence[Fleet]) -> None:
        self.zones = zones

    def __len__(self) -> int:
        return sum(len(z.waiting) for z in self.zones)


class ZonedFleet:
    """Stage ``deliver`` with couriers bound to zones (see the module docstring).

    ``zones[k]`` is zone k's fleet (built with its couriers' ``first_rider`` and the
    order flow's hooks); ``zone_of(x, y)`` the zone of a home.
    """

    HOOKS: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        name: str,
        zones: Sequence[Fleet],
        zone_of: Callable[[float, float], int],
        book: OrderBook,
    ) -> None:
        self.name = name
        self.zones = list(zones)
        self.zone_of = zone_of
        self.x, self.y = book.x, book.y
        self.queue = _Waiting(self.zones)

    def arrive(self, order_id: int) -> None:
        """An order is ready at the depot now: it waits for a courier of its zone."""
        self.zones[self.zone_of(self.x[order_id], self.y[order_id])].arrive(order_id)

    # -- the resource interface the monitor snapshots -----------------------------
    @property
    def busy(self) -> int:
        return sum(z.busy for z in self.zones)

    @property
    def servers(self) -> int:
        return sum(z.servers for z in self.zones)

    def reset_stats(self) -> None:
        for zone in self.zones:
            zone.reset_stats()

    def snapshot(self) -> dict[str, float]:
        """The zones' figures added up; utilisation is busy over paid courier-time."""
        parts = [z.snapshot() for z in self.zones]
        total = {key: sum(p[key] for p in parts) for key in _SUMMED}
        paid = total["paid_rider_min"]
        total["utilisation"] = total["busy_rider_min"] / paid if paid else 0.0
        total["span_min"] = parts[0]["span_min"]
        return {key: total[key] for key in parts[0]}  # the keys in a single fleet's order
