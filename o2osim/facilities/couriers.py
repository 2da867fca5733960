"""Last-mile courier fleets: riders or vans based at a depot deliver orders in trips.

A courier takes one or more ready orders (a *trip*), rides from the depot to
each customer in turn, hands each order over (the order is delivered then) and
rides back; the courier is free again only when back at the depot. Each leg
takes ``road_km * 60 / speed * traffic`` minutes (:func:`o2osim.city.travel_minutes`),
with the speed drawn once per trip and the traffic multiplier of the hour the leg
starts in. In teaching mode a ``trip_time`` distribution replaces the ride and the
trip's orders count as delivered when it ends.

Two implementations of the stage ``deliver`` share the recording:

- :class:`RiderFleet` is the fast path for the plain case (one order per trip,
  first come first served, always on duty, nothing fails): the couriers are the
  servers of a :class:`~o2osim.facilities.station.Station`, a c-server queue.
- :class:`Fleet` is the general dispatcher: shifts, trips of several orders
  chosen by a dispatch policy (:mod:`o2osim.dispatch`), customers not at home,
  orders cancelled when no courier comes in time. For the plain case it gives
  exactly the same deliveries as the fast path.

What a fleet records per order is in :mod:`.trips`. The fast path does not know
which courier rode (``rider`` stays -1); teaching mode records no legs (and on the
fast path no trip either). A delivered order goes to the fleet's ``done`` hook, a
failed one to ``fail``. This module holds the fast path (the general dispatcher is
in :mod:`.fleet`, named here too); it does not know stock, customs or other
facilities.
"""

from __future__ import annotations

from collections import deque
from typing import ClassVar

import simpy

from ..distributions import per_order
from ..kernel import scheduler
from ..recorder import OrderBook
from ..wiring import Hook
from .fleet import Fleet
from .station import Station
from .trips import LEG_VALUES, TRIP_COUNTS, FleetRecorder, Travel

__all__ = ["LEG_VALUES", "TRIP_COUNTS", "Fleet", "RiderFleet", "Travel"]


class RiderFleet(FleetRecorder):
    """Fast path of stage ``deliver``: couriers are the servers of a :class:`Station`.

    The station's service is the whole round trip (the courier is busy until back);
    the order is handed over part-way, ``leg + handover`` minutes after leaving.
    """

    HOOKS: ClassVar[tuple[str, ...]] = ("done",)

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        riders: int,
        travel: Travel,
        book: OrderBook,
        *,
        done: Hook,
    ) -> None:
        super().__init__(env, name, book, travel, done)
        self._next_speed, self._next_handover = travel.speed, travel.handover
        self._hourly = travel.traffic
        # One multiplier all day (e.g. "free"): no hour lookups; 0.0 means look them up.
        self._flat = travel.traffic[0] if len(set(travel.traffic)) == 1 else 0.0
        trip = travel.trip
        service = self._round_trip if trip is None else per_order(trip)
        self._schedule_handover = scheduler(env, self._handover)
        self.station = Station(
            env,
            name,
            riders,
            service,
            self._queued,
            self._dispatched,
            self._back,
            done=self._rider_back if trip is None else self._handed_over,
        )
        self.arrive = self.station.arrive
        self.reset_stats()

    # -- the resource interface the monitor snapshots -----------------------------
    @property
    def queue(self) -> deque[int]:
        return self.station.queue

    @property
    def busy(self) -> int:
        return self.station.busy

    @property
    def servers(self) -> int:
        return self.station.servers

    def reset_stats(self) -> None:
        self.station.reset_stats()

    def snapshot(self) -> dict[str, float]:
        """The station's time averages plus paid and busy courier-minutes."""
        stats = self.station.snapshot()
        stats["paid_rider_min"] = stats["span_min"] * stats["mean_servers"]
        stats["busy_rider_min"] = stats["span_min"] * stats["mean_busy"]
        return stats

    # -- flow ------------------------------------------------------------------
    def _round_trip(self, order_id: int) -> float:
        # The hot path of a riding fleet: travel_minutes() is inlined (same expression, same
        # floats) because this runs once per order; a flat traffic profile skips the lookups.
        now = self.env.now
        speed = self._next_speed()
        km = self.distance[order_id]
        factor = self._flat
        if factor:
            handed_over = km * 60.0 / speed * factor + self._next_handover()
            back = km * 60.0 / speed * factor
        else:
            traffic = self._hourly
            factor = traffic[int(now // 60.0) % 24]
            handed_over = km * 60.0 / speed * factor + self._next_handover()
            back = km * 60.0 / speed * traffic[int((now + handed_over) // 60.0) % 24]
        self._leg_start[order_id] = now
        self._leg_km[order_id] = km
        self._speed[order_id] = speed
        self._traffic[order_id] = factor
        self._trip[order_id] = order_id
        self._stop[order_id] = 1
        self._schedule_handover(handed_over, order_id)
        return handed_over + back

    def _handover(self, order_id: int) -> None:
        self._arrived[order_id] = self._leg_start[order_id] + (
            self._leg_km[order_id] * 60.0 / self._speed[order_id] * self._traffic[order_id]
        )
        self._delivered[order_id] = self.env.now
        self.done(order_id)

    def end_route(self, finished: list[float], outcomes: list[int], outcome: int) -> bool:
        """In teaching mode, let the station end the route of its orders itself (see
        :meth:`Station.end_route`), stamping ``delivered`` as :meth:`_handed_over` does;
        False (nothing changed) when riding: the order is handed over mid-trip."""
        if self.station.done != self._handed_over:
            return False
        self.station.end_route(finished, outcomes, outcome, also=self._delivered)
        return True

    def _handed_over(self, order_id: int) -> None:
        self._delivered[order_id] = self.env.now
        self.done(order_id)

    def _rider_back(self, order_id: int) -> None:
        """Nothing to do for the order: it was delivered on the way."""
