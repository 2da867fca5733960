"""Field types shared by the scenario's schema modules.

Durations and distributions (from :mod:`o2osim.distributions`), times of day, counts,
amounts and names, each with the sanity limit of :mod:`o2osim.limits` that refuses an
absurd value in one line; the strict base model; and the validator of policy names
against the one policy registry (:mod:`o2osim.policies`). This module must not
import the runtime (facilities, World) or another module of the scenario package.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from ..distributions import Duration, NumberDist, TimeDist
from ..limits import (
    MAX_COUNT,
    MAX_DAY_FACTOR,
    MAX_LOGIT,
    MAX_NUMBER,
    MAX_SEATS,
    MAX_SERVERS,
    MAX_STOCK_DAYS,
    MIN_PERIOD,
)
from ..policies import POLICY_NAMES
from ..profiles import HOURLY_PROFILES, WEEKDAY_PROFILES
from ..units import format_duration

__all__ = ["Duration", "NumberDist", "TimeDist"]  # re-exported for the schema modules

#: Scenario layouts (``scenario.layout``): which of the reference operations it models.
LAYOUTS = (
    "direct_mail",
    "bonded_front_store",
    "airport_pickup",
    "instant_delivery",
    "omnichannel_hub",
    "export",
)


def as_written(text: str) -> Any:
    """A default written as the file writes it (``"2h"``, ``"08:00"``).

    Fields validate their defaults, so a default goes through the same parser as the
    user's text and reads as the file would; typed ``Any`` because the field's type
    (minutes, a float) is what parsing makes of it.
    """
    return text


def at_most(limit: float, what: str) -> AfterValidator:
    """An upper sanity limit of :mod:`o2osim.limits`, named with its reason in the message."""
    shown = f"{limit:,.0f}" if float(limit).is_integer() else f"{limit:g}"

    def check(value: float) -> float:
        if value > limit:
            raise ValueError(f"must be at most {shown} ({what})")
        return value

    return AfterValidator(check)


def period(what: str, zero: str | None = None) -> AfterValidator:
    """A duration that recurs on its own: at least MIN_PERIOD, or 0 if 0 means ``zero``."""

    def check(value: float | None) -> float | None:
        if value is None or (zero is not None and value == 0) or value >= MIN_PERIOD:
            return value
        allowed = f'"0s" ({zero}) or at least 1s' if zero else "at least 1s"
        raise ValueError(
            f"{what} repeats, so it is {allowed}; shorter periods only flood the "
            f"run with timer events (got {format_duration(value)})"
        )

    return AfterValidator(check)


def policy_name(family: str) -> AfterValidator:
    """Validates the name of a policy of ``family`` in :data:`o2osim.policies.POLICY_NAMES`."""

    def known(value: str) -> str:
        names = POLICY_NAMES[family]  # looked up now: a user's policy may have been added
        if value not in names:
            raise ValueError(f"unknown {family} policy {value!r}; allowed: {', '.join(names)}")
        return value

    return AfterValidator(known)


Probability = Annotated[float, Field(ge=0.0, le=1.0)]
PositiveInt = Annotated[int, Field(ge=1)]
#: Servers or staff of one resource (pickers, riders, counters, officers).
Servers = Annotated[int, Field(ge=1), at_most(MAX_SERVERS, "servers of one resource")]
#: Optional servers of one resource (AGVs, mirrors, store staff): 0 means none.
SomeServers = Annotated[int, Field(ge=0), at_most(MAX_SERVERS, "servers of one resource")]
#: An integer that is only stored and compared (stock units, orders per wave).
Count = Annotated[int, Field(ge=0), at_most(MAX_COUNT, "o2osim's limit on a count")]
PositiveCount = Annotated[int, Field(ge=1), at_most(MAX_COUNT, "o2osim's limit on a count")]
#: Days of mean demand held as stock.
StockDays = Annotated[float, Field(ge=0), at_most(MAX_STOCK_DAYS, "days of demand, 10 years")]
PositiveStockDays = Annotated[
    float, Field(gt=0), at_most(MAX_STOCK_DAYS, "days of demand, 10 years")
]
#: A multiplier of one day's arrivals (peak days, calendar events).
DayFactor = Annotated[
    float, Field(ge=0), at_most(MAX_DAY_FACTOR, "times a normal day; Double 11 is 10-20")
]
#: A relative weight (profiles, channel shares).
Weight = Annotated[float, Field(ge=0), at_most(MAX_NUMBER, "o2osim's limit on a weight")]
#: A plain positive amount that is only multiplied and compared (CNY limits, km, items/h).
Amount = Annotated[float, Field(gt=0), at_most(MAX_NUMBER, "o2osim's limit on an amount")]
Seats = Annotated[int, Field(ge=1), at_most(MAX_SEATS, "seats of one flight; an A380 has 853")]
#: A logit coefficient: bounded so that utilities stay finite.
LogitCoefficient = Annotated[float, Field(ge=-MAX_LOGIT, le=MAX_LOGIT)]
#: A position on the city plane, km from the city origin (east or north).
Coordinate = Annotated[float, Field(ge=-1000, le=1000)]
#: Money in CNY (prices, rents, fees).
Money = Annotated[float, Field(ge=0, le=1e9)]
#: A name people give (a segment, channel, depot, fleet): a lower-case identifier.
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


def _time_of_day(value: Any) -> float:
    text = value.strip() if isinstance(value, str) else ""
    match = re.fullmatch(r"([0-9]{2}):([0-9]{2})", text)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(f'a time of day is written "HH:MM", "00:00" to "23:59" (got {value!r})')
    return float(int(match.group(1)) * 60 + int(match.group(2)))


def format_time_of_day(minutes: float) -> str:
    """Minutes after midnight as ``"HH:MM"``."""
    return f"{int(minutes) // 60:02d}:{int(minutes) % 60:02d}"


#: A clock time of day written "HH:MM"; held as minutes after midnight.
TimeOfDay = Annotated[
    float,
    BeforeValidator(_time_of_day),
    PlainSerializer(format_time_of_day, return_type=str),
]


def _check_profile(value: str | list[float], names: dict[str, Any], length: int) -> Any:
    if isinstance(value, str):
        if value not in names:
            raise ValueError(
                f"unknown profile {value!r}; allowed: {', '.join(names)} "
                f"or a list of {length} weights"
            )
        return value
    if len(value) != length:
        raise ValueError(f"a custom profile needs {length} weights (got {len(value)})")
    if min(value) < 0 or sum(value) <= 0:
        raise ValueError("profile weights must be >= 0 with at least one > 0")
    return value


_Weights = str | list[Weight]
#: A named hourly profile or 24 weights (hour 0 = midnight).
HourlyProfile = Annotated[
    _Weights, AfterValidator(lambda value: _check_profile(value, HOURLY_PROFILES, 24))
]
#: A named weekday profile or 7 weights (Monday first).
WeekdayProfile = Annotated[
    _Weights, AfterValidator(lambda value: _check_profile(value, WEEKDAY_PROFILES, 7))
]


class Strict(BaseModel):
    """Every scenario table: unknown keys refused, frozen, defaults validated, no coercion."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, strict=True, allow_inf_nan=False
    )
