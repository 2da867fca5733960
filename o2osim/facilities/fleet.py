"""The general courier dispatcher of stage ``deliver``: shifts, batched trips, failures.

Ready orders wait at the depot; a dispatch policy (:mod:`o2osim.dispatch`) says
what an idle courier takes. Couriers work shifts; a customer may not be at home
(the order fails, ``missed``) and an order no courier takes within
``give_up_after`` is cancelled: both go to the ``fail`` hook, delivered orders to
``done``. For the plain case it gives exactly the same deliveries as the fast path
(:class:`~o2osim.facilities.couriers.RiderFleet`). This module does not know stock,
customs or other facilities.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator
from typing import Any, ClassVar

import simpy

from ..city import Point, road_km, travel_minutes
from ..dispatch import Policy
from ..distributions import Draw
from ..kernel import Call, call_in, handlers
from ..recorder import OrderBook, Outcome, Reason
from ..scenario import Couriers, Shift
from ..units import DAY
from ..wiring import Hook
from .trips import Failure, FleetRecorder, Travel


class Fleet(FleetRecorder):
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

    HOOKS: ClassVar[tuple[str, ...]] = ("done", "fail")

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        config: Couriers,
        travel: Travel,
        book: OrderBook,
        policy: Policy,
        absent: Draw | None,
        *,
        done: Hook,
        fail: Failure,
        first_rider: int = 0,
    ) -> None:
        """``first_rider``: the id of this fleet's first courier in the ``rider`` column
        (a zone's couriers follow the zones before it)."""
        super().__init__(env, name, book, travel, done)
        self.first_rider = first_rider
        self.fail = fail
        self._on_wake = handlers(self._wake)
        self._on_give_up = handlers(self._give_up)
        self._on_at_door = handlers(self._at_door)
        self._on_rider_back = handlers(self._rider_back)
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
        start_shifts(env, config, self._clock)

    # -- the resource interface the monitor snapshots -----------------------------
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
        return {
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

    # -- shifts (started by start_shifts) ----------------------------------------
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
        now = self.env.now
        self._account(now)
        self.arrivals += 1
        self._queued[order_id] = now
        self.waiting[order_id] = None
        if self.give_up_after is not None:
            call_in(self.env, self.give_up_after, self._on_give_up, order_id)
        if self.idle:
            self._dispatch()

    def _dispatch(self) -> None:
        waiting, idle = self.waiting, self.idle
        now = self.env.now
        while idle and waiting:
            stops, wake_at = self.policy(waiting.keys(), now, self)
            if not stops:
                if wake_at <= now:
                    raise RuntimeError(
                        f"dispatch policy of fleet {self.name!r} sent nobody "
                        f"and asked to wake at {wake_at} <= now ({now})"
                    )
                if wake_at < self._wake_at:
                    self._wake_at = wake_at
                    call_in(self.env, wake_at - now, self._on_wake)
                return
            if len(stops) > self.capacity:
                raise RuntimeError(
                    f"dispatch policy of fleet {self.name!r} sent {len(stops)} "
                    f"orders on one trip; capacity is {self.capacity}"
                )
            self._start_trip(idle.popleft(), stops)

    def _wake(self, _call: Call) -> None:
        # Clear unconditionally: a timer may fire a rounding error before the time asked.
        self._wake_at = math.inf
        # Close the time integrals first: the dispatch changes the queue and busy couriers.
        self._account(self.env.now)
        self._dispatch()

    def _give_up(self, call: Call) -> None:
        order_id = call.value
        if order_id in self.waiting:
            self._account(self.env.now)
            del self.waiting[order_id]
            self.cancelled += 1
            self.fail(order_id, Outcome.CANCELLED, Reason.NO_COURIER_IN_TIME)

    def _start_trip(self, rider: int, stops: list[int]) -> None:
        env, travel = self.env, self.travel
        now = env.now
        self._account(now)
        for order_id in stops:
            del self.waiting[order_id]
        self.busy += 1
        self.out[rider] = True
        trip = stops[0]  # a trip is named after its first order: unique in the run
        whole_trip = travel.trip
        teaching = whole_trip is not None
        if whole_trip is not None:
            clock = whole_trip()
        else:
            speed = travel.speed()
            traffic, detour, x, y = travel.traffic, travel.detour, self.x, self.y
            clock = 0.0  # minutes after now
            here: Point | None = None
        for stop, order_id in enumerate(stops, 1):
            self._dispatched[order_id] = now
            self._trip[order_id] = trip
            self._stop[order_id] = stop
            self._rider[order_id] = rider + self.first_rider
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
            call_in(env, clock, self._on_at_door, (order_id, absent, following))
        if not teaching:
            # Back along the road from the last stop (its distance from the depot).
            km = self.distance[stops[-1]]
            clock = clock + travel_minutes(km, speed, traffic[int((now + clock) // 60.0) % 24])
        call_in(env, clock, self._on_rider_back, (rider, stops))

    def _at_door(self, call: Call) -> None:
        order_id, absent, following = call.value
        self.completions += 1
        if self.travel.trip is None:
            self._stamp_arrival(order_id)
            if following >= 0:
                self._leg_start[following] = self.env.now
        if absent:
            self.fail(order_id, Outcome.MISSED, Reason.CUSTOMER_ABSENT)
        else:
            self._delivered[order_id] = self.env.now
            self.done(order_id)

    def _rider_back(self, call: Call) -> None:
        rider, stops = call.value
        now = self.env.now
        self._account(now)
        for order_id in stops:
            self._back[order_id] = now
        self.busy -= 1
        self.out[rider] = False
        if self.on_duty[rider]:
            self.idle.append(rider)
            self._dispatch()


#: Puts couriers on duty (True) or off duty (False) now.
Clock = Callable[[range, bool], None]


def start_shifts(env: simpy.Environment, config: Couriers, clock: Clock) -> None:
    """Clock each shift's couriers on and off every day; a shift of a day or more is on
    duty all the time (no process)."""
    shifts = config.shifts or [
        Shift.model_validate({"start": "00:00", "end": "00:00", "riders": config.riders})
    ]
    first = 0
    for shift in shifts:
        riders = range(first, first + shift.riders)
        first += shift.riders
        if shift.length >= DAY:
            clock(riders, True)
        else:
            env.process(_shift(env, clock, riders, shift.start, shift.start + shift.length))


def _shift(
    env: simpy.Environment, clock: Clock, riders: range, start: float, end: float
) -> Generator[simpy.Event, Any, None]:
    day = -1  # yesterday's shift may run past midnight into the start of the run
    while True:
        on, off = day * DAY + start, day * DAY + end
        if off > env.now:
            if on > env.now:
                yield env.timeout(on - env.now)
            clock(riders, True)
            yield env.timeout(off - env.now)
            clock(riders, False)
        day += 1
