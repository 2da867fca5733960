"""A delivery radius in front of a channel: homes beyond it cannot choose delivery.

Hema-style instant retail delivers only within a few km of the store (the app's
delivery area, a straight-line radius). :class:`RadiusGate` sits in front of a
channel's entry: an order from a home within ``radius_km`` (straight-line km from the
channel's depot) enters the channel; one from beyond is handed to ``beyond`` -- the
order flow switching it to the store channel (the customer shops in the store), or
ending it refused (out of area). It counts both. It draws no random numbers and must
not decide anything else about an order.
"""

from __future__ import annotations

import math
from typing import ClassVar

from ..recorder import OrderBook
from ..wiring import Hook


class RadiusGate:
    """The entry of one channel with a delivery radius (see the module docstring)."""

    HOOKS: ClassVar[tuple[str, ...]] = ("enter", "beyond")

    def __init__(
        self,
        book: OrderBook,
        depot: tuple[float, float],
        radius_km: float,
        *,
        enter: Hook,
        beyond: Hook,
    ) -> None:
        self.x, self.y = book.x, book.y
        self.depot = depot
        self.radius_km = radius_km
        self.enter = enter
        self.beyond = beyond
        #: Orders from beyond the radius.
        self.refused = 0

    def arrive(self, order_id: int) -> None:
        dx, dy = self.x[order_id] - self.depot[0], self.y[order_id] - self.depot[1]
        if math.hypot(dx, dy) > self.radius_km:
            self.refused += 1
            self.beyond(order_id)
        else:
            self.enter(order_id)
