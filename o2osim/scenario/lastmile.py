"""Scenario schema of the last mile: courier fleets and their shifts, depots, the city
plane, and the promises (next day, presale slots) a channel makes.

Pure data and per-table checks; this module must not import the runtime.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from ..limits import (
    MAX_SLOT_CHOICES,
    MAX_TRIP_ORDERS,
)
from ..profiles import TRAFFIC_PROFILES
from ..units import DAY
from .stages import WAREHOUSE
from .types import (
    Coordinate,
    Duration,
    Name,
    NumberDist,
    PositiveInt,
    Probability,
    Servers,
    Strict,
    TimeDist,
    TimeOfDay,
    as_written,
    at_most,
    format_time_of_day,
    period,
    policy_name,
)


class Shift(Strict):
    """A daily shift: ``riders`` couriers on duty from ``start`` to ``end`` o'clock.

    A shift whose end is not after its start runs over midnight (``"22:00"`` to
    ``"06:00"``); one that ends when it starts lasts 24 hours (always on duty).
    """

    start: TimeOfDay
    end: TimeOfDay
    riders: Servers

    @property
    def length(self) -> float:
        """How long the shift lasts, minutes (24 h if it ends when it starts)."""
        return (self.end - self.start) % DAY or DAY


def _positive_speeds(value: Any) -> Any:
    """A speed distribution must not be able to draw 0 km/h (a ride would never end)."""
    if isinstance(value, int | float):
        return value
    lowest = {
        "deterministic": lambda d: d.value,
        "uniform": lambda d: d.low,
        "triangular": lambda d: d.low,
        "empirical": lambda d: min(d.values),
    }.get(value.dist)
    if lowest is not None and lowest(value) <= 0:
        raise ValueError(f"a {value.dist} speed distribution must not reach 0 km/h")
    return value


SpeedKmh = Annotated[float, Field(gt=0, le=200)]

#: Vehicle types: (mean riding speed km/h, orders per trip) a fleet gets unless it sets
#: ``speed_kmh`` or ``capacity``. Rider: Reyes et al. 2018 (Grubhub MDRP), one order a
#: trip; e-bike: GB 17761-2018 caps e-bikes at 25 km/h, 20 km/h door to door and 3 orders
#: in the box are assumptions; van: 30 km/h in town and 15 orders are assumptions.
VEHICLES: dict[str, tuple[float, int]] = {
    "rider": (18.0, 1),
    "e_bike": (20.0, 3),  # assumption (speed under the 25 km/h cap; box of 3)
    "van": (30.0, 15),  # assumption
}
#: Delivery zones around one depot at most (sectors x rings).
MAX_ZONES = 64


class Zones(Strict):
    """Delivery zones: the plane around the fleet's depot cut into ``sectors`` equal angle
    wedges (the first starts due east, counter-clockwise), each cut again at the
    ``rings_km`` radii (straight-line km). Zones are numbered ring by ring from the
    centre, sector by sector: ``z1`` .. ``zN``.

    ``pooling = "pooled"``: every courier serves every zone (zones only split the KPIs);
    ``"zone"``: each courier is bound to one zone (``riders``: how many per zone, default
    an equal split) and serves only its orders.
    """

    sectors: Annotated[PositiveInt, at_most(MAX_ZONES, "sectors")] = 1
    rings_km: list[Annotated[float, Field(gt=0, le=1000)]] = Field(
        default_factory=list, description="radii cutting each sector into rings, km, increasing"
    )
    pooling: Literal["pooled", "zone"] = Field(
        default="pooled", description="pooled: any courier serves any zone; zone: bound to one"
    )
    riders: list[Servers] | None = Field(
        default=None,
        description="couriers bound to each zone (read with pooling = zone only); none: equal",
    )

    @property
    def count(self) -> int:
        """How many zones."""
        return self.sectors * (len(self.rings_km) + 1)

    @model_validator(mode="after")
    def _shape(self) -> Zones:
        if any(b <= a for a, b in zip(self.rings_km, self.rings_km[1:], strict=False)):
            raise ValueError(f"rings_km must increase (got {self.rings_km})")
        if self.count > MAX_ZONES:
            raise ValueError(f"{self.count} zones; at most {MAX_ZONES}")
        if self.riders is not None and len(self.riders) != self.count:
            raise ValueError(f"riders has {len(self.riders)} values for {self.count} zones")
        return self

    def split(self, riders: int) -> list[int]:
        """Couriers per zone: the given list, or ``riders`` split as evenly as possible
        (the first zones get the remainder)."""
        if self.riders is not None:
            return list(self.riders)
        share, rest = divmod(riders, self.count)
        return [share + (k < rest) for k in range(self.count)]


class Couriers(Strict):
    """A courier fleet based at one depot: riders (or van drivers), shifts, dispatch.

    ``[couriers]`` is the fleet named ``couriers``; more fleets go under
    ``[fleets.NAME]``. A courier rides out from the depot, visits a trip's stops
    and rides back; it is free again only when back at the depot. What couriers
    cost is in ``[economics]`` (per hour on duty and per delivery, by fleet resource).
    """

    riders: Servers = Field(description="couriers in the fleet (all shifts together)")
    vehicle: Literal["rider", "e_bike", "van"] = Field(
        default="rider",
        description="rider, e_bike or van: the speed and capacity the fleet gets unless "
        "it sets speed_kmh or capacity (VEHICLES)",
    )
    depot: Name = Field(default=WAREHOUSE, description="where the couriers start and return")
    speed_kmh: Annotated[SpeedKmh | NumberDist, AfterValidator(_positive_speeds)] = Field(
        default=18.0, description="riding speed, km/h: a number, or a distribution drawn per trip"
    )
    handover_time: TimeDist = Field(
        default_factory=lambda: {"dist": "deterministic", "value": "2min"}
    )
    trip_time: TimeDist | None = Field(
        default=None,
        description="teaching mode: a round-trip time distribution replaces distance/speed; "
        "the trip's orders count as delivered when the trip ends",
    )
    dispatch: Annotated[str, policy_name("dispatch")] = Field(
        default="fcfs", description="dispatch policy, by name"
    )
    capacity: Annotated[PositiveInt, at_most(MAX_TRIP_ORDERS, "orders on one trip")] = Field(
        default=1, description="orders per trip at most"
    )
    batch_window: Annotated[Duration, period("a batch window", zero="no waiting")] = Field(
        default=as_written("0s"),
        description="batching policies: the longest a batch may hold an order",
    )
    shifts: list[Shift] | None = Field(
        default=None, description="daily shifts; none: every courier is always on duty"
    )
    absent_rate: Probability = Field(
        default=0.0, description="share of stops where nobody takes the order (it fails)"
    )
    give_up_after: Duration | None = Field(
        default=None, description="an order not dispatched within this time is cancelled"
    )
    zones: Zones | None = Field(
        default=None, description="delivery zones around the depot; none: one area"
    )

    @model_validator(mode="before")
    @classmethod
    def _vehicle(cls, data: Any) -> Any:
        """A vehicle type's speed and capacity fill the keys the table leaves out (the
        capacity only for a batching dispatch: ``fcfs`` sends one order per trip)."""
        if isinstance(data, dict) and data.get("vehicle") in VEHICLES:
            speed, capacity = VEHICLES[data["vehicle"]]
            batching = data.get("dispatch", "fcfs") != "fcfs"
            data = {"speed_kmh": speed, **({"capacity": capacity} if batching else {}), **data}
        return data

    @model_validator(mode="after")
    def _zones(self) -> Couriers:
        zones = self.zones
        if zones is None or zones.pooling == "pooled":
            return self
        if self.shifts is not None:
            raise ValueError('zones with pooling = "zone" do not take shifts yet')
        if zones.riders is not None and sum(zones.riders) != self.riders:
            raise ValueError(
                f"zones.riders add up to {sum(zones.riders)}, not riders = {self.riders}"
            )
        if zones.riders is None and self.riders < zones.count:
            raise ValueError(f"{self.riders} riders cannot be bound to {zones.count} zones")
        return self

    @field_validator("give_up_after")
    @classmethod
    def _patience(cls, value: float | None) -> float | None:
        if value is not None and value <= 0:
            raise ValueError("give_up_after must be longer than 0s")
        return value

    @property
    def simple(self) -> bool:
        """One order per trip, first come first served, always on duty, nothing fails:
        the fleet is a plain c-server queue (and runs on the fast path)."""
        return (
            self.dispatch == "fcfs"
            and self.capacity == 1
            and self.shifts is None
            and self.absent_rate == 0
            and self.give_up_after is None
            and self.zones is None
        )


class Depot(Strict):
    """A front warehouse or store: a place on the city plane with its own pickers."""

    kind: Literal["front_warehouse", "store"] = "front_warehouse"
    x_km: Coordinate = 0.0
    y_km: Coordinate = 0.0
    pickers: Servers
    pick_time: TimeDist = Field(description="time per order line, minutes")


class City(Strict):
    """The city plane: road distances and traffic."""

    detour_factor: Annotated[float, Field(ge=1, le=5)] = Field(
        default=1.0, description="road km per straight-line km"
    )
    traffic_profile: str | list[Annotated[float, Field(gt=0, le=10)]] = Field(
        default="free", description="travel-time multiplier by hour of day (1 = free flow)"
    )

    @field_validator("traffic_profile")
    @classmethod
    def _traffic(cls, value: Any) -> Any:
        if isinstance(value, str) and value not in TRAFFIC_PROFILES:
            raise ValueError(
                f"unknown traffic profile {value!r}; allowed: "
                f"{', '.join(TRAFFIC_PROFILES)} or a list of 24 multipliers"
            )
        if isinstance(value, list) and len(value) != 24:
            raise ValueError(f"a custom traffic profile needs 24 multipliers (got {len(value)})")
        return value


class NextDay(Strict):
    """Promise: delivered by ``by`` o'clock on the day after the order."""

    by: TimeOfDay
    cutoff: TimeOfDay | None = Field(
        default=None,
        description="orders placed at or after this time of day count as "
        "placed the next day; none: no cut-off",
    )


class Slots(Strict):
    """Presale: the customer picks a delivery slot when ordering."""

    length: Annotated[Duration, period("a slot")]
    first: TimeOfDay = Field(description="start of the day's first slot")
    last: TimeOfDay = Field(description="start of the day's last slot")
    lead: Duration = Field(
        default=as_written("0s"),
        description="the earliest slot starts at least this long after the order",
    )
    choices: Annotated[PositiveInt, at_most(MAX_SLOT_CHOICES, "slots to choose among")] = Field(
        default=1,
        description="the customer picks uniformly among the next this many slots (1: the earliest)",
    )
    release_before: Duration = Field(
        default=as_written("0s"),
        description="a held order is released for dispatch this long before its slot starts",
    )

    @model_validator(mode="after")
    def _times(self) -> Slots:
        if self.last < self.first:
            raise ValueError(
                f"last ({format_time_of_day(self.last)}) is before first "
                f"({format_time_of_day(self.first)})"
            )
        return self
