"""The airport's schedules: the flight timetable, expected pre-orders, truck loading policies.

Pure arithmetic on the scenario's ``[airport]`` tables, used by
:mod:`o2osim.facilities.airport` (and by the supply builder, which sizes the initial
duty-free stock from :func:`preorders_per_day`). This module must not know SimPy or
the order book.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ..distributions import Draw
from ..profiles import HOURLY_PROFILES, WEEKDAY_PROFILES, profile_weights
from ..scenario import Airport as AirportConfig
from ..scenario import Flights
from ..units import DAY, HOUR

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
        :capacity
    ]


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
            out += [
                (day * DAY + t, seats, name) for t, seats, name in daily if day * DAY + t < until
            ]
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


def truncated(draw: Draw, low: float, high: float) -> Draw:
    """Redraw until ``low <= value <= high``; after 100 tries, clip (a badly placed law)."""

    def inside() -> float:
        for _ in range(100):
            value = draw()
            if low <= value <= high:
                return value
        return min(max(value, low), high)

    return inside
