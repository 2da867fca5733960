"""A Meal Delivery Routing Problem instance in memory, and its travel-time rule.

Holds the restaurants, orders, couriers and parameters of one instance of Reyes,
Erera, Savelsbergh, Sahasrabuddhe & O'Neil, "The Meal Delivery Routing Problem"
(2018), as read by :mod:`o2osim.mdrp.loader`. Times are integer minutes from the
start of the day, positions metres (UTM, anonymised). This module must not read
files nor simulate; it only describes an instance and measures distances in it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

Pos = tuple[float, float]

#: Where a courier came on duty, as the solution files name it.
START = "0"


@dataclass(frozen=True, slots=True)
class Restaurant:
    """A pickup point: ``id`` as in the files, position in metres."""

    id: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Order:
    """One meal order: placed at ``placed``, ready at its restaurant at ``ready`` (minutes)."""

    id: str
    pos: Pos
    placed: int
    restaurant: int  # index into Instance.restaurants
    ready: int


@dataclass(frozen=True, slots=True)
class Courier:
    """A courier on duty from ``on`` to ``off`` (minutes), starting at ``pos`` (metres)."""

    id: str
    pos: Pos
    on: int
    off: int


@dataclass(frozen=True, slots=True)
class Parameters:
    """``instance_parameters.txt``: speed in metres per minute, service and targets in
    minutes, pay in the instance's currency units (per order and per hour)."""

    metres_per_minute: float
    pickup_service: int
    dropoff_service: int
    target_click_to_door: int
    max_click_to_door: int
    pay_per_order: float
    guaranteed_pay_per_hour: float


@dataclass(frozen=True)
class Instance:
    """A whole instance; ``name`` is its folder name (e.g. ``0o100t100s1p100``)."""

    name: str
    restaurants: tuple[Restaurant, ...]
    orders: tuple[Order, ...]
    couriers: tuple[Courier, ...]
    parameters: Parameters

    def travel(self, a: Pos, b: Pos) -> int:
        """Minutes from ``a`` to ``b``: ceil(Euclidean metres / metres per minute)."""
        return math.ceil(math.dist(a, b) / self.parameters.metres_per_minute)

    def restaurant_of(self, order: int) -> Restaurant:
        """The restaurant where ``order`` (an index) is picked up."""
        return self.restaurants[self.orders[order].restaurant]

    @property
    def courier_hours(self) -> float:
        """Total duty time of all couriers, hours."""
        return sum(c.off - c.on for c in self.couriers) / 60.0


def split_service(minutes: int) -> tuple[int, int]:
    """A service time as (before the hand-over, after it), minutes.

    # assumption: half the service happens before the pickup or drop-off moment
    # (parking, walking in) and half after (walking out); odd minutes go before.
    """
    before = (minutes + 1) // 2
    return before, minutes - before


def bundled_root() -> Path:
    """The folder of the instances shipped with o2osim."""
    return Path(str(resources.files("o2osim") / "data" / "mdrp"))


def bundled_instances() -> list[Path]:
    """The shipped instance folders, by name."""
    return sorted(p for p in bundled_root().iterdir() if (p / "orders.txt").is_file())
