"""Last-mile rider fleet: one order per trip, first come first served.

A rider takes the next packed order, rides out (distance / speed), hands it over
(the order is delivered then), and rides back; the rider is free again only
when back at the depot. In teaching mode a ``trip_time`` distribution replaces
the ride, and the order counts as delivered when the trip ends, so the fleet is
a plain c-server queue. This module does not know stock or customs.
"""

from __future__ import annotations

import simpy
from simpy.events import Timeout

from ..distributions import Draw
from ..recorder import OrderBook
from ..scenario import Couriers
from .station import Station


class RiderFleet(Station):
    """Route stage ``deliver``: a :class:`Station` whose servers are riders."""

    def __init__(
        self,
        env: simpy.Environment,
        config: Couriers,
        book: OrderBook,
        handover: Draw,
        trip: Draw | None,
    ) -> None:
        super().__init__(
            env, "deliver", config.riders, self._trip_time,
            book.column("dispatch_queued"), book.column("dispatched"), book.column("delivered"),
        )
        self.minutes_per_km = 60.0 / config.speed_kmh
        self.distance = book.distance
        self.handover = handover
        self.trip = trip

    def _trip_time(self, order_id: int) -> float:
        return self.trip() if self.trip is not None else 0.0

    def _begin(self, order_id: int, now: float) -> None:
        if self.trip is not None:
            super()._begin(order_id, now)
            return
        self._start_at[order_id] = now
        one_way = self.distance[order_id] * self.minutes_per_km
        handed_over = one_way + self.handover()
        Timeout(self.env, handed_over, order_id).callbacks.append(self._delivered)
        Timeout(self.env, handed_over + one_way, order_id).callbacks.append(self._back)

    def _delivered(self, event: Timeout) -> None:
        order_id = event._value
        self._end[order_id] = self.env.now
        self.completions += 1
        self.done(order_id)

    def _back(self, event: Timeout) -> None:
        now = self.env.now
        self._account(now)
        self._free_server(now)
