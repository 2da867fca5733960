"""What a courier trip is made of and what it writes: a fleet's travel and its order-book columns.

Shared by the two implementations of stage ``deliver`` (:mod:`.couriers`'s
:class:`~o2osim.facilities.couriers.RiderFleet` and :mod:`.fleet`'s
:class:`~o2osim.facilities.fleet.Fleet`). Per order a fleet records:
``dispatch_queued`` (ready at the depot), ``dispatched`` (the courier leaves),
``leg_start`` (the courier leaves the previous stop), ``arrived``, ``delivered``
(after the handover), ``rider_back`` (the courier is back at the depot); the leg's
``leg_km``, ``speed_kmh`` and ``traffic``; its ``trip`` (the id of the trip's first
order), ``stop`` (1 = first) and ``rider``. This module must not schedule anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import simpy

from ..city import Point, travel_minutes
from ..distributions import Draw
from ..recorder import OrderBook, Outcome, Reason
from ..wiring import Hook

#: Per-order numbers a fleet records besides timestamps (``OrderBook.values``).
LEG_VALUES = ("leg_km", "speed_kmh", "traffic")
#: Per-order labels a fleet records (``OrderBook.counts``).
TRIP_COUNTS = ("trip", "stop", "rider")
#: A stage gives up on an order: ``fail(order_id, outcome, reason)``.
Failure = Callable[[int, Outcome, Reason], None]


@dataclass(frozen=True)
class Travel:
    """How a fleet's couriers move. Draws are minutes except ``speed`` (km/h)."""

    speed: Draw  # per trip
    handover: Draw  # at each stop
    traffic: list[float]  # 24 travel-time multipliers by hour of day
    detour: float  # road km per straight-line km
    depot: Point
    trip: Draw | None = None  # teaching mode: the whole round trip


class FleetRecorder:
    """The order-book columns a fleet writes, and where it hands delivered orders."""

    def __init__(
        self, env: simpy.Environment, name: str, book: OrderBook, travel: Travel, done: Hook
    ) -> None:
        self.env = env
        self.name = name
        self.travel = travel
        self.distance = book.distance
        self.x, self.y = book.x, book.y
        self._queued = book.column("dispatch_queued")
        self._dispatched = book.column("dispatched")
        self._leg_start = book.column("leg_start")
        self._arrived = book.column("arrived")
        self._delivered = book.column("delivered")
        self._back = book.column("rider_back")
        self._leg_km, self._speed, self._traffic = (book.values[n] for n in LEG_VALUES)
        self._trip, self._stop, self._rider = (book.counts[n] for n in TRIP_COUNTS)
        self.done = done

    def _stamp_arrival(self, order_id: int) -> None:
        # Recomputed from the recorded leg with the same expression that timed it.
        self._arrived[order_id] = self._leg_start[order_id] + travel_minutes(
            self._leg_km[order_id], self._speed[order_id], self._traffic[order_id]
        )
