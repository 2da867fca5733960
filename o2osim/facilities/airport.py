"""Airport "buy & pick up" (the Shanghai Hongqiao model): flights, pre-orders, staging, counters.

Travellers order duty-free goods up to ``preorder_window`` before their flight and
the order is linked to the flight (``book.flight``, stamp ``departure``). The World
routes the order through the bonded warehouse (reserve, customs, pick, pack) and
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

An order fails (outcome MISSED, the reason recorded, the refund paid by the World):

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

This module does not know stock, customs or the warehouse: failures go to
``missed(order_id, reason)``, new orders are built by ``build_order(time)`` and
handed to ``place(order_id)``; the World wires all three. Its random streams are
named ``airport.*``.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterator

import numpy as np
import simpy
from simpy.events import Timeout

from ..distributions import Draw
from ..profiles import HOURLY_PROFILES, WEEKDAY_PROFILES, profile_weights
from ..randomness import Streams
from ..recorder import OrderBook, Reason
from ..scenario import Airport as AirportConfig
from ..scenario import Flights, LineHaul
from ..units import DAY, HOUR
from .station import Station, _unwired

NAN = math.nan

# ---------------------------------------------------------------- loading policies
#: ``(order ids due to ship, in arrival order; truck capacity; departure per order id)
#: -> the ids loaded`` (at most ``capacity``; the others wait for the next run).
LoadingPolicy = Callable[[list[int], int, list[float]], list[int]]


def load_fifo(due: list[int], capacity: int, departure: list[float]) -> list[int]:
    """First come, first loaded."""
    return due[:capacity]


def load_earliest_departure(due: list[int], capacity: int, departure: list[float]) -> list[int]:
    """Orders for the earliest flights first (ties and orders without a flight: FIFO)."""
    if len(due) <= capacity:
        return due
    return sorted(due, key=lambda o: math.inf if math.isnan(departure[o]) else departure[o])[
        :capacity]


LOADING_POLICIES: dict[str, LoadingPolicy] = {
    "fifo": load_fifo,
    "earliest_departure": load_earliest_departure,
}


# ---------------------------------------------------------------- the timetable
def flight_timetable(
    flights: Flights, start_weekday: int, until: float
) -> list[tuple[float, int, str]]:
    """``(departure minute, seats, name)`` of every departure in ``[0, until)``, by time.

    A timetable repeats daily. With ``departures_per_day`` the k-th flight of a day
    leaves when the day's cumulative expected count (hourly x weekday profile)
    reaches ``k - 1/2``: deterministic, and spread as the profile says.
    ``start_weekday`` is 0 for Monday; minute 0 is midnight of the start date.
    """
    out: list[tuple[float, int, str]] = []
    days = math.ceil(until / DAY)
    if flights.timetable:
        daily = sorted((f.departs, f.seats or flights.seats, f.name) for f in flights.timetable)
        for day in range(days):
            out += [(day * DAY + t, seats, name) for t, seats, name in daily
                    if day * DAY + t < until]
        return out
    hours = profile_weights(flights.hourly_profile, HOURLY_PROFILES)
    weekdays = profile_weights(flights.weekday_profile, WEEKDAY_PROFILES)
    per_day = flights.departures_per_day or 0.0
    for day in range(days):
        expected = per_day * weekdays[(start_weekday + day) % 7] / 24.0
        cumulative, k = 0.0, 1
        for hour in range(24):
            rate = expected * hours[hour]  # flights in this hour
            while rate > 0 and k - 0.5 <= cumulative + rate:
                time = day * DAY + hour * HOUR + (k - 0.5 - cumulative) / rate * HOUR
                if time < until:
                    out.append((time, flights.seats, f"d{day}-{k:03d}"))
                k += 1
            cumulative += rate
    return out


def preorders_per_day(config: AirportConfig, start_weekday: int) -> float:
    """Expected pre-orders per day over a week of the schedule (for initial stock)."""
    if config.flights is None:
        return 0.0
    week = flight_timetable(config.flights, start_weekday, 7 * DAY)
    seats = sum(s for _t, s, _n in week)
    return seats * config.flights.load_factor * config.preorder_share / 7.0


def _truncated(draw: Draw, low: float, high: float) -> Draw:
    """Redraw until ``low <= value <= high``; after 100 tries, clip (a badly placed law)."""

    def inside() -> float:
        for _ in range(100):
            value = draw()
            if low <= value <= high:
                return value
        return min(max(value, low), high)

    return inside


# ---------------------------------------------------------------- stages
class LineHaulStage:
    """Route stage ``linehaul``: wait at the dock, ride the next scheduled truck run."""

    def __init__(
        self,
        env: simpy.Environment,
        config: LineHaul,
        book: OrderBook,
        travel: Draw,
        load: LoadingPolicy,
    ) -> None:
        self.env = env
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
        self.done: Callable[[int], None] = _unwired
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
        Timeout(self.env, when - now).callbacks.append(self._run)

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

    def _run(self, _event: object) -> None:
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
            Timeout(self.env, self.travel(), loaded).callbacks.append(self._unload)
        self._next_run()

    def _unload(self, event: Timeout) -> None:
        now, outcome = self.env.now, self.book.outcome
        for order_id in event._value:
            if not outcome[order_id]:
                self._arrived[order_id] = now
                self.done(order_id)


class StagingStage:
    """Route stage ``stage``: unload, sort and shelve one order at the pickup counter."""

    def __init__(self, env: simpy.Environment, book: OrderBook, staging_time: Draw) -> None:
        self.env = env
        self.book = book
        self.staging_time = staging_time
        self._staged = book.column("staged")
        self.done: Callable[[int], None] = _unwired

    def arrive(self, order_id: int) -> None:
        if not self.book.outcome[order_id]:
            Timeout(self.env, self.staging_time(), order_id).callbacks.append(self._shelved)

    def _shelved(self, event: Timeout) -> None:
        order_id = event._value
        if not self.book.outcome[order_id]:
            self._staged[order_id] = self.env.now
            self.done(order_id)


class PickupCounters:
    """Route stage ``pickup``: staged goods meet their passenger at one of the counters."""

    def __init__(
        self,
        env: simpy.Environment,
        config: AirportConfig,
        book: OrderBook,
        id_check: Draw,
        handover: Draw,
    ) -> None:
        self.env = env
        self.book = book
        self.last_call = config.last_call
        self.id_check = id_check
        self.handover = handover
        col = book.column
        self._departure = col("departure")
        self._staged = col("staged")
        self._at_counter = col("at_counter")
        self._start = col("counter_start")
        self._id_checked = col("id_checked")
        self._collected = col("collected")
        self.staffing = config.staffing
        servers = config.counters if config.staffing is None else config.staffing[0]
        self.station = Station(env, "pickup", servers, self._service, col("counter_queued"),
                               self._start, col("counter_left"))
        self.station.done = self._counter_done
        #: How a passenger joins the counter queue: the station itself, or a wrapper whose
        #: customers may balk or renege (the World sets it; an order that gave up has an
        #: outcome when this returns).
        self.enter: Callable[[int], None] = self.station.arrive
        self.done: Callable[[int], None] = _unwired
        self.missed: Callable[[int, Reason], None] = _unwired  # type: ignore[assignment]
        if config.staffing is not None:
            Timeout(env, HOUR).callbacks.append(self._restaff)

    def _restaff(self, _event: object) -> None:
        hour = round(self.env.now / HOUR)
        servers = self.staffing[hour % 24]  # type: ignore[index]
        if servers != self.station.servers:
            self.station.set_servers(servers)
        Timeout(self.env, HOUR).callbacks.append(self._restaff)

    def arrive(self, order_id: int) -> None:
        """The goods reached the counter (staged)."""
        if self.book.outcome[order_id]:
            return
        now = self.env.now
        if math.isnan(self._staged[order_id]):
            self._staged[order_id] = now  # a route without a ``stage`` step
        if math.isnan(self._departure[order_id]):
            self._at_counter[order_id] = now  # teaching mode: the customer is already here
            self.enter(order_id)
        elif not math.isnan(self._at_counter[order_id]):
            self._join(order_id)  # the passenger was waiting for the goods

    def passenger_arrives(self, order_id: int) -> None:
        """The passenger of a flight-linked order reaches the counter."""
        if self.book.outcome[order_id]:
            return
        self._at_counter[order_id] = self.env.now
        if not math.isnan(self._staged[order_id]):
            self._join(order_id)
        elif self.env.now >= self._departure[order_id] - self.last_call:
            self.missed(order_id, Reason.PASSENGER_LATE)

    def _join(self, order_id: int) -> None:
        now = self.env.now
        give_up = self._departure[order_id] - self.last_call
        if now >= give_up:
            self.missed(order_id, Reason.PASSENGER_LATE)
            return
        self.enter(order_id)
        # Queueing (and not balked): will the flight wait?
        if not self.book.outcome[order_id] and math.isnan(self._start[order_id]):
            Timeout(self.env, give_up - now, order_id).callbacks.append(self._give_up)

    def _give_up(self, event: Timeout) -> None:
        order_id = event._value
        if (not self.book.outcome[order_id] and math.isnan(self._start[order_id])
                and self.station.withdraw(order_id)):
            self.missed(order_id, Reason.PASSENGER_LATE)

    def _service(self, order_id: int) -> float:
        checked = self.id_check()
        self._id_checked[order_id] = self.env._now + checked
        return checked + self.handover()

    def _counter_done(self, order_id: int) -> None:
        now = self.env._now
        if now > self._departure[order_id]:  # False for NaN: teaching mode has no flight
            self.missed(order_id, Reason.PASSENGER_LATE)
            return
        self._collected[order_id] = now
        self.done(order_id)


# ---------------------------------------------------------------- the facility
class Airport:
    """Flights and their pre-orders, and the three airport stages of a route."""

    def __init__(
        self,
        env: simpy.Environment,
        config: AirportConfig,
        book: OrderBook,
        streams: Streams,
        horizon: float,
        start_weekday: int,
    ) -> None:
        self.env = env
        self.config = config
        self.book = book
        self.horizon = horizon

        def draw(name: str, dist: object) -> Draw:
            return dist.sampler(streams.stream(f"airport.{name}"))  # type: ignore[attr-defined]

        self.linehaul = LineHaulStage(
            env, config.linehaul, book, draw("linehaul.travel_time", config.linehaul.travel_time),
            LOADING_POLICIES[config.linehaul.loading],
        )
        self.staging = StagingStage(env, book, draw("staging_time", config.staging_time))
        self.pickup = PickupCounters(env, config, book, draw("id_check_time", config.id_check_time),
                                     draw("pickup_time", config.pickup_time))
        self.build_order: Callable[[float], int] = _unwired_build
        self.place: Callable[[int], None] = _unwired
        self._departure = book.column("departure")
        self.flight_departure: list[float] = []
        self.flight_seats: list[int] = []
        self.flight_name: list[str] = []
        self.flight_passengers: list[int] = []
        self.flight_preorders: list[int] = []
        if config.flights is not None:
            self._plan_flights(config.flights, streams, start_weekday)
            self._lead_time = _truncated(draw("lead_time", config.lead_time),
                                         config.order_cutoff, config.preorder_window)
            self._arrive_before = draw("arrive_before", config.arrive_before)

    @property
    def stations(self) -> list[Station]:
        return [self.pickup.station]

    @property
    def missed(self) -> Callable[[int, Reason], None]:
        return self.pickup.missed

    @missed.setter
    def missed(self, handler: Callable[[int, Reason], None]) -> None:
        self.pickup.missed = handler

    # -- pre-orders ---------------------------------------------------------------
    def _plan_flights(self, flights: Flights, streams: Streams, start_weekday: int) -> None:
        """Every flight whose pre-order window opens before the horizon, with its travellers."""
        window = self.config.preorder_window
        plan = flight_timetable(flights, start_weekday, self.horizon + window)
        seats = np.array([s for _t, s, _n in plan], dtype=np.int64)
        passengers = streams.stream("airport.passengers").binomial(seats, flights.load_factor)
        preorders = streams.stream("airport.preorders").binomial(passengers,
                                                                 self.config.preorder_share)
        self.flight_departure = [t for t, _s, _n in plan]
        self.flight_seats = seats.tolist()
        self.flight_name = [n for _t, _s, n in plan]
        self.flight_passengers = passengers.tolist()
        self.flight_preorders = preorders.tolist()
        for flight, departure in enumerate(self.flight_departure):
            opens = max(0.0, departure - window)
            Timeout(self.env, opens, flight).callbacks.append(self._open_flight)

    def _open_flight(self, event: Timeout) -> None:
        """The flight's pre-order window opens: schedule its travellers' orders."""
        flight = event._value
        departure, now = self.flight_departure[flight], self.env.now
        lead = self._lead_time
        # Draw every traveller's lead time (keeps the stream aligned), keep those in the run.
        times = sorted(departure - lead() for _ in range(self.flight_preorders[flight]))
        for time in times:
            if now <= time < self.horizon:
                Timeout(self.env, time - now, flight).callbacks.append(self._preorder)

    def _preorder(self, event: Timeout) -> None:
        flight = event._value
        now = self.env.now
        order_id = self.build_order(now)
        departure = self.flight_departure[flight]
        self.book.flight[order_id] = flight
        self._departure[order_id] = departure
        cutoff = departure - self.config.staging_cutoff
        Timeout(self.env, max(0.0, cutoff - now), order_id).callbacks.append(self._cutoff)
        at_counter = max(now, departure - self._arrive_before())
        Timeout(self.env, at_counter - now, order_id).callbacks.append(self._passenger)
        self.place(order_id)

    def _cutoff(self, event: Timeout) -> None:
        order_id = event._value
        if not self.book.outcome[order_id] and math.isnan(self.book.stamps["staged"][order_id]):
            self.pickup.missed(order_id, Reason.NOT_STAGED)

    def _passenger(self, event: Timeout) -> None:
        self.pickup.passenger_arrives(event._value)


def _unwired_build(time: float) -> int:
    raise RuntimeError("airport is not wired to a World")


#: Stamp columns this module writes, in route order (the World lists them in STAMPS).
AIRPORT_STAMPS = [
    "departure", "linehaul_queued", "linehaul_departed", "airport_arrived", "staged",
    "at_counter", "counter_queued", "counter_start", "id_checked", "counter_left", "collected",
]
