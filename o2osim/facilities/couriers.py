"""Last-mile rider fleet: one order per trip, first come first served.

A rider takes the next packed order, rides out (distance / speed), hands it over
(the order is delivered then), and rides back; the rider is free again only
when back at the depot. In teaching mode a ``trip_time`` distribution replaces
the ride, and the order counts as delivered when the trip ends, so the fleet is
a plain c-server queue. This module does not know stock or customs.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy
from simpy.events import Timeout

from ..distributions import Draw
from ..recorder import OrderBook
from ..scenario import Couriers
from .station import Station, _unwired


class RiderFleet:
    """Route stage ``deliver``: riders are the servers of a :class:`Station`.

    The station's service is the whole round trip (the rider is busy until back);
    the order is handed over part-way, at ``one way + handover`` minutes.
    """

    def __init__(
        self,
        env: simpy.Environment,
        config: Couriers,
        book: OrderBook,
        handover: Draw,
        trip: Draw | None,
    ) -> None:
        self.env = env
        self.minutes_per_km = 60.0 / config.speed_kmh
        self.distance = book.distance
        self.handover = handover
        self.trip = trip
        self._delivered = book.column("delivered")
        service = self._round_trip if trip is None else (lambda _oid: trip())
        self.station = Station(env, "deliver", config.riders, service,
                               book.column("dispatch_queued"), book.column("dispatched"),
                               book.column("rider_back"))
        self.station.done = self._rider_back if trip is None else self._handed_over
        self.done: Callable[[int], None] = _unwired

    def arrive(self, order_id: int) -> None:
        self.station.arrive(order_id)

    def _round_trip(self, order_id: int) -> float:
        one_way = self.distance[order_id] * self.minutes_per_km
        handed_over = one_way + self.handover()
        Timeout(self.env, handed_over, order_id).callbacks.append(self._on_handover)
        return handed_over + one_way

    def _on_handover(self, event: Timeout) -> None:
        self._handed_over(event._value)

    def _handed_over(self, order_id: int) -> None:
        self._delivered[order_id] = self.env._now
        self.done(order_id)

    def _rider_back(self, order_id: int) -> None:
        """Nothing to do for the order: it was delivered on the way."""
