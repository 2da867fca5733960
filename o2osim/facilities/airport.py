"""Airport "buy & pick up" (the Shanghai Hongqiao model): flights, pre-orders, staging, counters.

Travellers order duty-free goods up to ``preorder_window`` before their flight and
the order is linked to the flight (``book.flight``, stamp ``departure``). Its route
takes the order through the bonded warehouse (reserve, customs, pick, pack) and
then through the three stages of this module:

- ``linehaul``: the order waits at the dock for the next scheduled truck run
  (daily from ``first`` to ``last`` every ``every``) that leaves within
  ``ship_within`` of its flight; a full truck takes the due orders by a loading
  policy (:data:`LOADING_POLICIES`; due orders queue in the order they became
  due); the run drives ``travel_time`` to the airport.
- ``stage``: each order is unloaded, sorted and shelved at the counter
  (``staging_time``) and is then *staged*.
- ``pickup``: once the goods are staged *and* the passenger has reached the
  counter (``arrive_before`` departure), the passenger queues for one of the
  counters (a :class:`Station`, staffed by hour of day): face-ID check, then hand-over.

An order fails (outcome MISSED, the reason recorded, the refund paid by the order
flow):

- ``not_staged``: its goods are not staged by ``departure - staging_cutoff``;
- ``passenger_late``: the passenger reaches the counter after, or is still
  queueing at, ``departure - last_call``; or the hand-over would end after the
  flight left (a guard; it needs a hand-over longer than ``last_call``).

So no order is handed over before it is staged, and none after its flight left.
Simultaneous events follow SimPy's rule (scheduled earlier, fires first): an
order's cut-off is scheduled when it is placed, so goods staged exactly at the
cut-off are late.

Teaching mode: an order not linked to a flight (a Poisson segment whose route
is, e.g., ``["pickup"]``) joins the counter queue as soon as it reaches the
``pickup`` stage, with no deadline, so the counters are a plain M/G/c queue.

This module does not know stock, customs or the warehouse. Its hooks, given to
:class:`Airport`: an order leaving a stage goes to ``done``, a failed one to
``missed(order_id, reason)``; new orders are built by ``build_order(time)`` and
handed to ``place(order_id)``; a passenger who gives up queueing at the counters
(``pickup_patience``) goes to ``gave_up(order_id, how)``. Its random streams are
named ``airport.*``. The counters are in :mod:`.pickup`, the timetable and the
loading policies in :mod:`.flights`.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterator
from typing import ClassVar

import numpy as np
import simpy

from ..distributions import Draw
from ..kernel import Call, call_in, handlers
from ..randomness import Streams
from ..recorder import OrderBook, Reason
from ..scenario import Airport as AirportConfig
from ..scenario import Flights, LineHaul
from ..units import DAY
from ..wiring import Hook
from .flights import (
    LOADING_POLICIES,
    LoadingPolicy,
    flight_timetable,
    preorders_per_day,
    truncated,
)
from .patience import PatienceRules
from .pickup import Missed, PickupCounters
from .station import Station

# The schedules live in .flights; they are named here too, where callers look for them.
__all__ = [
    "LOADING_POLICIES",
    "Airport",
    "LineHaulStage",
    "PickupCounters",
    "StagingStage",
    "flight_timetable",
    "preorders_per_day",
]


# ---------------------------------------------------------------- stages
class LineHaulStage:
    """Route stage ``linehaul``: wait at the dock, ride the next scheduled truck run."""

    HOOKS: ClassVar[tuple[str, ...]] = ("done",)

    def __init__(
        self,
        env: simpy.Environment,
        config: LineHaul,
        book: OrderBook,
        travel: Draw,
        load: LoadingPolicy,
        *,
        done: Hook,
    ) -> None:
        self.env = env
        self.done = done
        self._on_run = handlers(self._run)
        self._on_unload = handlers(self._unload)
        self.book = book
        self.travel = travel
        self.load = load
        self.capacity = config.capacity
        self.ship_within = math.inf if config.ship_within is None else config.ship_within
        # Due orders in the order they became due; the others in a heap by due time.
        self.due: list[int] = []
        self._held: list[tuple[float, int]] = []
        self.runs = 0
        self._queued = book.column("linehaul_queued")
        self._departed = book.column("linehaul_departed")
        self._arrived = book.column("airport_arrived")
        self._departure = book.column("departure")
        times, t = [], config.first
        while t <= config.last and t < DAY:
            times.append(t)
            t += config.every
        self._times = times
        self._schedule = self._run_times()
        self._next_run()

    def _run_times(self) -> Iterator[float]:
        day = 0
        while True:
            for t in self._times:
                yield day * DAY + t
            day += 1

    def _next_run(self) -> None:
        now = self.env.now
        when = next(self._schedule)
        while when < now:
            when = next(self._schedule)
        call_in(self.env, when - now, self._on_run)

    def arrive(self, order_id: int) -> None:
        if self.book.outcome[order_id]:
            return  # already failed (e.g. its flight's cut-off passed while it was picked)
        now = self.env.now
        self._queued[order_id] = now
        due_at = self._departure[order_id] - self.ship_within  # NaN without a flight
        if due_at > now:
            heapq.heappush(self._held, (due_at, order_id))  # stays in the bonded warehouse
        else:
            self.due.append(order_id)

    def _run(self, _call: Call) -> None:
        outcome, departure = self.book.outcome, self._departure
        now = self.env.now
        held = self._held
        while held and held[0][0] <= now:
            self.due.append(heapq.heappop(held)[1])
        due = [o for o in self.due if not outcome[o]]
        capacity = len(due) if self.capacity is None else self.capacity
        loaded = self.load(due, capacity, departure)
        if len(loaded) == len(due):
            self.due = []
        else:
            on_truck = set(loaded)
            self.due = [o for o in due if o not in on_truck]
        if loaded:
            self.runs += 1
            for order_id in loaded:
                self._departed[order_id] = now
            call_in(self.env, self.travel(), self._on_unload, loaded)
        self._next_run()

    def _unload(self, call: Call) -> None:
        now, outcome = self.env.now, self.book.outcome
        for order_id in call.value:
            if not outcome[order_id]:
                self._arrived[order_id] = now
                self.done(order_id)


class StagingStage:
    """Route stage ``stage``: unload, sort and shelve one order at the pickup counter."""

    HOOKS: ClassVar[tuple[str, ...]] = ("done",)

    def __init__(
        self, env: simpy.Environment, book: OrderBook, staging_time: Draw, *, done: Hook
    ) -> None:
        self.env = env
        self.book = book
        self.staging_time = staging_time
        self._staged = book.column("staged")
        self.done = done
        self._on_shelved = handlers(self._shelved)

    def arrive(self, order_id: int) -> None:
        if not self.book.outcome[order_id]:
            call_in(self.env, self.staging_time(), self._on_shelved, order_id)

    def _shelved(self, call: Call) -> None:
        order_id = call.value
        if not self.book.outcome[order_id]:
            self._staged[order_id] = self.env.now
            self.done(order_id)


# ---------------------------------------------------------------- the facility
class Airport:
    """Flights and their pre-orders, and the three airport stages of a route.

    ``pickup_patience`` (with ``gave_up``) makes passengers impatient in the counter
    queue; see :class:`PickupCounters`.
    """

    HOOKS: ClassVar[tuple[str, ...]] = ("build_order", "place")

    def __init__(
        self,
        env: simpy.Environment,
        config: AirportConfig,
        book: OrderBook,
        streams: Streams,
        horizon: float,
        start_weekday: int,
        *,
        done: Hook,
        missed: Missed,
        build_order: Callable[[float], int],
        place: Hook,
        pickup_patience: PatienceRules | None = None,
        gave_up: Callable[[int, int], None] | None = None,
    ) -> None:
        self.env = env
        self.config = config
        self.book = book
        self.horizon = horizon
        self.build_order = build_order
        self.place = place
        self._on_open_flight = handlers(self._open_flight)
        self._on_preorder = handlers(self._preorder)
        self._on_cutoff = handlers(self._cutoff)
        self._on_passenger = handlers(self._passenger)

        def draw(name: str, dist: object) -> Draw:
            return dist.sampler(streams.stream(f"airport.{name}"))  # type: ignore[attr-defined]

        self.linehaul = LineHaulStage(
            env,
            config.linehaul,
            book,
            draw("linehaul.travel_time", config.linehaul.travel_time),
            LOADING_POLICIES[config.linehaul.loading],
            done=done,
        )
        self.staging = StagingStage(env, book, draw("staging_time", config.staging_time), done=done)
        self.pickup = PickupCounters(
            env,
            config,
            book,
            draw("id_check_time", config.id_check_time),
            draw("pickup_time", config.pickup_time),
            done=done,
            missed=missed,
            patience=pickup_patience,
            gave_up=gave_up,
        )
        self._departure = book.column("departure")
        self.flight_departure: list[float] = []
        self.flight_seats: list[int] = []
        self.flight_name: list[str] = []
        self.flight_passengers: list[int] = []
        self.flight_preorders: list[int] = []
        if config.flights is not None:
            self._plan_flights(config.flights, streams, start_weekday)
            self._lead_time = truncated(
                draw("lead_time", config.lead_time), config.order_cutoff, config.preorder_window
            )
            self._arrive_before = draw("arrive_before", config.arrive_before)

    @property
    def stations(self) -> list[Station]:
        return [self.pickup.station]

    def counters(self) -> dict[str, int]:
        """Line-haul truck runs since the start."""
        return {"linehaul_runs": self.linehaul.runs}

    # -- pre-orders ---------------------------------------------------------------
    def _plan_flights(self, flights: Flights, streams: Streams, start_weekday: int) -> None:
        """Every flight whose pre-order window opens before the horizon, with its travellers."""
        window = self.config.preorder_window
        plan = flight_timetable(flights, start_weekday, self.horizon + window)
        seats = np.array([s for _t, s, _n in plan], dtype=np.int64)
        passengers = streams.stream("airport.passengers").binomial(seats, flights.load_factor)
        preorders = streams.stream("airport.preorders").binomial(
            passengers, self.config.preorder_share
        )
        self.flight_departure = [t for t, _s, _n in plan]
        self.flight_seats = seats.tolist()
        self.flight_name = [n for _t, _s, n in plan]
        self.flight_passengers = passengers.tolist()
        self.flight_preorders = preorders.tolist()
        for flight, departure in enumerate(self.flight_departure):
            opens = max(0.0, departure - window)
            call_in(self.env, opens, self._on_open_flight, flight)

    def _open_flight(self, call: Call) -> None:
        """The flight's pre-order window opens: schedule its travellers' orders."""
        flight = call.value
        departure, now = self.flight_departure[flight], self.env.now
        lead = self._lead_time
        # Draw every traveller's lead time (keeps the stream aligned), keep those in the run.
        times = sorted(departure - lead() for _ in range(self.flight_preorders[flight]))
        for time in times:
            if now <= time < self.horizon:
                call_in(self.env, time - now, self._on_preorder, flight)

    def _preorder(self, call: Call) -> None:
        flight = call.value
        now = self.env.now
        order_id = self.build_order(now)
        departure = self.flight_departure[flight]
        self.book.flight[order_id] = flight
        self._departure[order_id] = departure
        cutoff = departure - self.config.staging_cutoff
        call_in(self.env, max(0.0, cutoff - now), self._on_cutoff, order_id)
        at_counter = max(now, departure - self._arrive_before())
        call_in(self.env, at_counter - now, self._on_passenger, order_id)
        self.place(order_id)

    def _cutoff(self, call: Call) -> None:
        order_id = call.value
        if not self.book.outcome[order_id] and math.isnan(self.book.stamps["staged"][order_id]):
            self.pickup.missed(order_id, Reason.NOT_STAGED)

    def _passenger(self, call: Call) -> None:
        self.pickup.passenger_arrives(call.value)
