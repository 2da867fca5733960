"""Scenario schema of airport buy & pick up: flights, line-haul runs, counters.

Pure data and per-table checks; this module must not import the runtime.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ..limits import (
    MAX_DEPARTURES_PER_DAY,
)
from ..policies import POLICY_NAMES
from ..units import format_duration
from .catalogue import Catalogue
from .errors import KeyPathError
from .types import (
    Duration,
    HourlyProfile,
    PositiveCount,
    Probability,
    Seats,
    Servers,
    SomeServers,
    Strict,
    TimeDist,
    TimeOfDay,
    WeekdayProfile,
    as_written,
    at_most,
    format_time_of_day,
    period,
)

#: How a full line-haul truck picks its load (o2osim.facilities.airport.LOADING_POLICIES).
LOADINGS = POLICY_NAMES["loading"]


class Flight(Strict):
    """One departure of the timetable; it leaves every day at ``departs``."""

    name: Annotated[str, Field(min_length=1, max_length=16)]
    departs: TimeOfDay
    seats: Seats | None = Field(default=None, description="default: airport.flights.seats")


class Flights(Strict):
    """The departure schedule: a daily timetable, or departures per day shaped by profiles.

    With ``departures_per_day`` the timetable is deterministic: the k-th flight of a day
    leaves when the day's cumulative profile reaches k - 1/2 flights.
    """

    departures_per_day: (
        Annotated[
            float,
            Field(gt=0),
            at_most(MAX_DEPARTURES_PER_DAY, "departures a day; the busiest airports see ~1,500"),
        ]
        | None
    ) = None
    hourly_profile: HourlyProfile = "flat"
    weekday_profile: WeekdayProfile = "flat"
    timetable: list[Flight] = Field(default_factory=list, max_length=MAX_DEPARTURES_PER_DAY)
    seats: Seats = 180
    load_factor: Probability = Field(default=0.85, description="share of seats taken")

    @model_validator(mode="after")
    def _one_schedule(self) -> Flights:
        if (self.departures_per_day is None) == (not self.timetable):
            raise ValueError("give either departures_per_day or a timetable of flights")
        return self


class LineHaul(Strict):
    """Scheduled truck runs from the bonded warehouse to the airport, daily from first to last."""

    every: Annotated[Duration, period("a line-haul run")] = as_written("1h")
    first: TimeOfDay = as_written("00:00")
    last: TimeOfDay = as_written("23:59")
    travel_time: TimeDist = Field(
        default_factory=lambda: {"dist": "deterministic", "value": "45min"}
    )
    capacity: PositiveCount | None = Field(
        default=None, description="orders per run; none: no limit"
    )
    ship_within: Duration | None = Field(
        default=None,
        description="an order rides no run earlier than this long before its "
        "flight (airport shelf space); none: the next run",
    )
    loading: Literal[LOADINGS] = Field(  # type: ignore[valid-type]
        default="earliest_departure", description="which waiting orders a full truck takes"
    )

    @model_validator(mode="after")
    def _runs(self) -> LineHaul:
        if self.ship_within is not None and self.ship_within <= 0:
            raise ValueError("ship_within must be longer than 0s")
        if self.last < self.first:
            raise ValueError(
                f"last ({format_time_of_day(self.last)}) is before first "
                f"({format_time_of_day(self.first)})"
            )
        return self


def _duty_free_catalogue() -> Catalogue:
    return Catalogue.model_validate(
        {
            "skus": 400,
            "price_cny": {"dist": "lognormal", "mean": 450.0, "cv": 0.8},
            "items_per_order": 1.4,
        }
    )


class Airport(Strict):
    """Airport buy & pick up: pre-orders linked to flights, staging, pickup counters.

    Times before departure (``last_call``, ``staging_cutoff``, ``order_cutoff``,
    ``preorder_window``) are measured back from the flight's departure.
    """

    counters: Servers = Field(description="pickup counters installed")
    staffing: list[SomeServers] | None = Field(
        default=None,
        description="counters open in each hour of the day (24 values); "
        "none: every counter all day",
    )
    id_check_time: TimeDist = Field(
        default_factory=lambda: {"dist": "deterministic", "value": "10s"},
        description="face-ID check at the counter",
    )
    pickup_time: TimeDist = Field(
        default_factory=lambda: {"dist": "exponential", "mean": "80s"},
        description="hand-over of the goods after the ID check",
    )
    arrive_before: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "100min", "cv": 0.35},
        description="how long before departure the passenger reaches the counter",
    )
    last_call: Duration = Field(
        default=as_written("30min"),
        description="a passenger still queueing this long before departure "
        "leaves without the goods",
    )
    staging_cutoff: Duration = Field(
        default=as_written("90min"),
        description="an order not staged this long before departure fails",
    )
    staging_time: TimeDist = Field(
        default_factory=lambda: {"dist": "deterministic", "value": "10min"},
        description="unload, sort and shelve one order at the counter",
    )
    preorder_share: Probability = Field(
        default=0.15, description="share of passengers who pre-order"
    )
    preorder_window: Duration = Field(
        default=as_written("72h"), description="earliest order before departure"
    )
    order_cutoff: Duration = Field(
        default=as_written("5h"), description="latest order before departure"
    )
    lead_time: TimeDist = Field(
        default_factory=lambda: {"dist": "uniform", "low": "5h", "high": "72h"},
        description="order placed this long before departure; redrawn outside "
        "[order_cutoff, preorder_window]",
    )
    tax_rate: Probability = Field(default=0.0, description="duty-free: no import tax")
    catalogue: Catalogue = Field(default_factory=_duty_free_catalogue)
    flights: Flights | None = None
    linehaul: LineHaul = LineHaul()

    @model_validator(mode="after")
    def _times(self) -> Airport:
        chain = [
            ("last_call", self.last_call),
            ("staging_cutoff", self.staging_cutoff),
            ("order_cutoff", self.order_cutoff),
            ("preorder_window", self.preorder_window),
        ]
        for (short, low), (long, high) in itertools.pairwise(chain):
            if low >= high:
                raise KeyPathError(
                    f"airport.{short}",
                    format_duration(low),
                    f"must be shorter than airport.{long} ({format_duration(high)})",
                )
        if self.staffing is not None:
            if len(self.staffing) != 24:
                raise KeyPathError(
                    "airport.staffing",
                    self.staffing,
                    f"needs 24 values, one per hour (got {len(self.staffing)})",
                )
            if max(self.staffing) > self.counters or max(self.staffing) == 0:
                raise KeyPathError(
                    "airport.staffing",
                    self.staffing,
                    f"each hour opens 0 to {self.counters} counters (airport.counters), "
                    "and at least one hour opens one",
                )
        return self
