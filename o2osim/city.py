"""The city plane: where customers live, how far apart places are, how long a ride takes.

Positions are kilometres on a plane (x east, y north) around an arbitrary city
origin. Depots (the bonded warehouse, front warehouses, stores) have fixed
positions from the scenario; a customer's home is drawn at a random distance
and a uniformly random direction from the depot their segment lives around.

Road distance is the straight-line distance times the city's ``detour_factor``.
A leg's travel time is ``road_km * 60 / speed_kmh * traffic`` minutes, where
``traffic`` is the travel-time multiplier of the hour in which the leg *starts*
(it holds for the whole leg, so the figure can be checked from the order table).

This module is geometry and arithmetic only: it must not know SimPy, stages or
the order book.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .distributions import BLOCK, Values
from .profiles import TRAFFIC_PROFILES

Point = tuple[float, float]


def travel_minutes(road_km: float, speed_kmh: float, traffic: float) -> float:
    """Minutes to ride ``road_km`` at ``speed_kmh`` with a traffic multiplier.

    Every leg in the model is timed by this one expression, in this order of
    operations, so recomputing it from the order table gives the same float.
    """
    return road_km * 60.0 / speed_kmh * traffic


def road_km(a: Point, b: Point, detour: float) -> float:
    """Road distance between two points: straight-line km times the detour factor."""
    return detour * math.hypot(a[0] - b[0], a[1] - b[1])


def traffic_factors(profile: str | list[float]) -> list[float]:
    """The 24 hourly travel-time multipliers of a named or custom traffic profile."""
    return list(TRAFFIC_PROFILES[profile] if isinstance(profile, str) else profile)


def homes(
    distance: Any,
    distance_rng: np.random.Generator,
    direction_rng: np.random.Generator,
    centre: Point,
    detour: float,
    block: int = BLOCK,
) -> Callable[[], tuple[float, float, float]]:
    """Draws of a customer's home: ``(x, y, road km from the centre)``.

    ``distance`` is a number distribution of straight-line km from ``centre``; the
    direction is uniform on the circle. Both are drawn in numpy blocks, from their
    own streams, and the positions computed a block at a time.
    """

    def positions(n: int) -> list[tuple[float, float, float]]:
        radius = distance.block(distance_rng, n)
        angle = direction_rng.uniform(0.0, 2.0 * math.pi, n)
        return list(
            zip(
                (centre[0] + radius * np.cos(angle)).tolist(),
                (centre[1] + radius * np.sin(angle)).tolist(),
                (radius * detour).tolist(),
                strict=True,
            )
        )

    # A chain of blocks (as the samplers' ``block_draw``): a draw runs in C, not
    # by resuming a generator; a block is drawn only when the previous is used up.
    return Values.from_iterable(map(positions, itertools.repeat(block))).__next__


class ZoneMap:
    """Delivery zones around ``centre``: ``sectors`` equal angle wedges (the first starts
    due east, counter-clockwise), each cut at the increasing ``rings_km`` radii
    (straight-line km). Zone of a point: ring index x sectors + sector index. The one
    function the fleets and the zone KPIs both call, so they agree to the last bit."""

    def __init__(self, centre: Point, sectors: int, rings_km: Sequence[float]) -> None:
        self.centre = centre
        self.sectors = sectors
        self.rings = list(rings_km)
        self.count = sectors * (len(self.rings) + 1)
        self._width = 2.0 * math.pi / sectors

    def __call__(self, x: float, y: float) -> int:
        dx, dy = x - self.centre[0], y - self.centre[1]
        sector = 0
        if self.sectors > 1:
            angle = math.atan2(dy, dx) % (2.0 * math.pi)
            sector = min(int(angle / self._width), self.sectors - 1)
        if not self.rings:
            return sector
        return bisect.bisect_right(self.rings, math.hypot(dx, dy)) * self.sectors + sector
