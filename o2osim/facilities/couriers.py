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

Per order the fleet records: ``dispatch_queued`` (ready at the depot),
``dispatched`` (the courier leaves), ``leg_start`` (the courier leaves the
previous stop), ``arrived``, ``delivered`` (after the handover), ``rider_back``
(the courier is back at the depot); the leg's ``leg_km``, ``speed_kmh`` and
``traffic``; its ``trip`` (the id of the trip's first order), ``stop`` (1 = first)
and ``rider``. The fast path does not know which courier rode (``rider`` stays
-1); teaching mode records no legs (and on the fast path no trip either). This
module does not know stock, customs or other facilities.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import simpy
from simpy.events import Timeout

from ..city import Point, road_km, travel_minutes
from ..dispatch import Policy
from ..distributions import Draw
from ..recorder import OrderBook, Outcome, Reason
from ..scenario import Couriers, Shift
from ..units import DAY
from .station import Station, _unwired

#: Per-order numbers a fleet records besides timestamps (``OrderBook.values``).
LEG_VALUES = ("leg_km", "speed_kmh", "traffic")
#: Per-order labels a fleet records (``OrderBook.counts``).
TRIP_COUNTS = ("trip", "stop", "rider")


def _unwired_failure(order_id: int, outcome: Outcome, reason: Reason) -> None:
    raise RuntimeError("stage is not wired to a World")


@dataclass(frozen=True)
class Travel:
    """How a fleet's couriers move. Draws are minutes except ``speed`` (km/h)."""

    speed: Draw  # per trip
    handover: Draw  # at each stop
    traffic: list[float]  # 24 travel-time multipliers by hour of day
    detour: float  # road km per straight-line km
    depot: Point
    trip: Draw | None = None  # teaching mode: the whole round trip


class _Recorder:
    """The order-book columns a fleet writes, and its wiring to the World."""

    def __init__(self, env: simpy.Environment, name: str, book: OrderBook, travel: Travel) -> None:
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
        self.done: Callable[[int], None] = _unwired
        self.fail: Callable[[int, Outcome, Reason], None] = _unwired_failure

    def _stamp_arrival(self, order_id: int) -> None:
        # Recomputed from the recorded leg with the same expression that timed it.
        self._arrived[order_id] = self._leg_start[order_id] + travel_minutes(
            self._leg_km[order_id], self._speed[order_id], self._traffic[order_id]
        )


class RiderFleet(_Recorder):
    """Fast path of stage ``deliver``: couriers are the servers of a :class:`Station`.

    The station's service is the whole round trip (the courier is busy until back);
    the order is handed over part-way, ``leg + handover`` minutes after leaving.
    """

    def __init__(self, env: simpy.Environment, name: str, riders: int, travel: Travel,
                 book: OrderBook) -> None:
        super().__init__(env, name, book, travel)
        self._next_speed, self._next_handover = travel.speed, travel.handover
        self._hourly = travel.traffic
        # One multiplier all day (e.g. "free"): no hour lookups; 0.0 means look them up.
        self._flat = travel.traffic[0] if len(set(travel.traffic)) == 1 else 0.0
        trip = travel.trip
        service = self._round_trip if trip is None else (lambda _oid: trip())
        self.station = Station(env, name, riders, service, self._queued, self._dispatched,
                               self._back)
        self.station.done = self._rider_back if trip is None else self._handed_over
        self.arrive = self.station.arrive
        self.reset_stats()

    # -- the resource interface the World snapshots -------------------------------
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
        now = self.env._now
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
        Timeout(self.env, handed_over, order_id).callbacks.append(self._on_handover)
        return handed_over + back

    def _on_handover(self, event: Timeout) -> None:
        order_id = event._value
        self._arrived[order_id] = self._leg_start[order_id] + (
            self._leg_km[order_id] * 60.0 / self._speed[order_id] * self._traffic[order_id])
        self._delivered[order_id] = self.env._now
        self.done(order_id)

    def _handed_over(self, order_id: int) -> None:
        self._delivered[order_id] = self.env._now
        self.done(order_id)

    def _rider_back(self, order_id: int) -> None:
        """Nothing to do for the order: it was delivered on the way."""


class Fleet(_Recorder):
    """General stage ``deliver``: shifts, trips chosen by a dispatch policy, failures.

    Ready orders wait at the depot in arrival order. Whenever an order arrives, a
    courier comes back or on duty, or the policy's wake-up time passes, the policy
    is asked what one idle courier should take; the fleet keeps asking while it
    has idle couriers and the policy sends someone. Idle couriers leave in the
    order they became idle.

    A courier whose shift ends while out finishes the trip and goes off duty when
    back (that time is paid). Utilisation is busy courier-time over paid
    courier-time (on duty, or out after the shift ended).
    """

    def __init__(self, env: simpy.Environment, name: str, config: Couriers, travel: Travel,
                 book: OrderBook, policy: Policy, absent: Draw | None) -> None:
        super().__init__(env, name, book, travel)
        self.capacity = config.capacity
        self.window = config.batch_window
        self.depot = travel.depot
        self.ready = self._queued  # DispatchView: when each order became ready
        self.policy = policy
        self.absent_rate = config.absent_rate
        self.absent = absent
        self.give_up_after = config.give_up_after
        self.waiting: dict[int, None] = {}  # insertion-ordered: oldest first
        self.idle: deque[int] = deque()
        self.busy = 0
        self.on_duty = [False] * config.riders
        self.out = [False] * config.riders
        self._wake_at = math.inf
        self.reset_stats()
        self._start_shifts(config)

    # -- the resource interface the World snapshots -------------------------------
    @property
    def queue(self) -> dict[int, None]:
        return self.waiting

    @property
    def servers(self) -> int:
        """Couriers being paid now: idle on duty, or out on a trip."""
        return len(self.idle) + self.busy

    def reset_stats(self) -> None:
        """Start the time integrals afresh now (used at the end of the warm-up)."""
        self.stats_since = self._last = self.env.now
        self.area_queue = self.area_busy = self.area_paid = 0.0
        self.arrivals = self.completions = self.cancelled = 0

    def _account(self, now: float) -> None:
        elapsed = now - self._last
        if elapsed:
            self.area_queue += len(self.waiting) * elapsed
            self.area_busy += self.busy * elapsed
            self.area_paid += (len(self.idle) + self.busy) * elapsed
            self._last = now

    def snapshot(self) -> dict[str, float]:
        """Time averages up to now (queue, busy and paid couriers) and counters."""
        self._account(self.env.now)
        span = self.env.now - self.stats_since
        stats = {
            "span_min": span,
            "mean_queue": self.area_queue / span if span else 0.0,
            "mean_busy": self.area_busy / span if span else 0.0,
            "utilisation": self.area_busy / self.area_paid if self.area_paid else 0.0,
            "arrivals": float(self.arrivals),
            "completions": float(self.completions),
            "servers": float(self.servers),  # couriers on duty now
            "mean_servers": self.area_paid / span if span else 0.0,
            "paid_rider_min": self.area_paid,
            "busy_rider_min": self.area_busy,
            "cancelled": float(self.cancelled),
        }
        return stats

    # -- shifts ------------------------------------------------------------------
    def _start_shifts(self, config: Couriers) -> None:
        shifts = config.shifts or [Shift(start="00:00", end="00:00", riders=config.riders)]
        first = 0
        for shift in shifts:
            riders = range(first, first + shift.riders)
            first += shift.riders
            if shift.length >= DAY:
                self._clock(riders, True)
            else:
                self.env.process(self._shift(riders, shift.start, shift.start + shift.length))

    def _shift(self, riders: range, start: float, end: float) -> Iterator[simpy.Event]:
        env = self.env
        day = -1  # yesterday's shift may run past midnight into the start of the run
        while True:
            on, off = day * DAY + start, day * DAY + end
            if off > env.now:
                if on > env.now:
                    yield env.timeout(on - env.now)
                self._clock(riders, True)
                yield env.timeout(off - env.now)
                self._clock(riders, False)
            day += 1

    def _clock(self, riders: range, on: bool) -> None:
        """Couriers come on duty (``on``) or go off duty now."""
        self._account(self.env.now)
        for rider in riders:
            self.on_duty[rider] = on
            if not self.out[rider]:
                if on:
                    self.idle.append(rider)
                else:
                    self.idle.remove(rider)
        if on:
            self._dispatch()

    # -- flow ------------------------------------------------------------------
    def arrive(self, order_id: int) -> None:
        """An order is ready for dispatch at the depot now."""
        now = self.env._now
        self._account(now)
        self.arrivals += 1
        self._queued[order_id] = now
        self.waiting[order_id] = None
        if self.give_up_after is not None:
            Timeout(self.env, self.give_up_after, order_id).callbacks.append(self._give_up)
        if self.idle:
            self._dispatch()

    def _dispatch(self) -> None:
        waiting, idle = self.waiting, self.idle
        now = self.env._now
        while idle and waiting:
            stops, wake_at = self.policy(waiting.keys(), now, self)
            if not stops:
                if wake_at <= now:
                    raise RuntimeError(f"dispatch policy of fleet {self.name!r} sent nobody "
                                       f"and asked to wake at {wake_at} <= now ({now})")
                if wake_at < self._wake_at:
                    self._wake_at = wake_at
                    Timeout(self.env, wake_at - now).callbacks.append(self._wake)
                return
            if len(stops) > self.capacity:
                raise RuntimeError(f"dispatch policy of fleet {self.name!r} sent {len(stops)} "
                                   f"orders on one trip; capacity is {self.capacity}")
            self._start_trip(idle.popleft(), stops)

    def _wake(self, _event: object) -> None:
        # Clear unconditionally: a timer may fire a rounding error before the time asked.
        self._wake_at = math.inf
        self._dispatch()

    def _give_up(self, event: Timeout) -> None:
        order_id = event._value
        if order_id in self.waiting:
            self._account(self.env._now)
            del self.waiting[order_id]
            self.cancelled += 1
            self.fail(order_id, Outcome.CANCELLED, Reason.NO_COURIER_IN_TIME)

    def _start_trip(self, rider: int, stops: list[int]) -> None:
        env, travel = self.env, self.travel
        now = env._now
        self._account(now)
        for order_id in stops:
            del self.waiting[order_id]
        self.busy += 1
        self.out[rider] = True
        trip = stops[0]  # a trip is named after its first order: unique in the run
        teaching = travel.trip is not None
        if teaching:
            clock = travel.trip()
        else:
            speed = travel.speed()
            traffic, detour, x, y = travel.traffic, travel.detour, self.x, self.y
            clock = 0.0  # minutes after now
            here: Point | None = None
        for stop, order_id in enumerate(stops, 1):
            self._dispatched[order_id] = now
            self._trip[order_id] = trip
            self._stop[order_id] = stop
            self._rider[order_id] = rider
            if not teaching:
                there = (x[order_id], y[order_id])
                km = self.distance[order_id] if here is None else road_km(here, there, detour)
                factor = traffic[int((now + clock) // 60.0) % 24]
                if here is None:  # a later leg's start is stamped when its previous stop ends
                    self._leg_start[order_id] = now
                self._leg_km[order_id] = km
                self._speed[order_id] = speed
                self._traffic[order_id] = factor
                clock = clock + travel_minutes(km, speed, factor) + travel.handover()
                here = there
            absent = self.absent is not None and self.absent() < self.absent_rate
            following = stops[stop] if stop < len(stops) else -1
            Timeout(env, clock, (order_id, absent, following)).callbacks.append(self._at_door)
        if not teaching:
            # Back along the road from the last stop (its distance from the depot).
            km = self.distance[stops[-1]]
            clock = clock + travel_minutes(km, speed, traffic[int((now + clock) // 60.0) % 24])
        Timeout(env, clock, (rider, stops)).callbacks.append(self._rider_back)

    def _at_door(self, event: Timeout) -> None:
        order_id, absent, following = event._value
        self.completions += 1
        if self.travel.trip is None:
            self._stamp_arrival(order_id)
            if following >= 0:
                self._leg_start[following] = self.env._now
        if absent:
            self.fail(order_id, Outcome.MISSED, Reason.CUSTOMER_ABSENT)
        else:
            self._delivered[order_id] = self.env._now
            self.done(order_id)

    def _rider_back(self, event: Timeout) -> None:
        rider, stops = event._value
        now = self.env._now
        self._account(now)
        for order_id in stops:
            self._back[order_id] = now
        self.busy -= 1
        self.out[rider] = False
        if self.on_duty[rider]:
            self.idle.append(rider)
            self._dispatch()

