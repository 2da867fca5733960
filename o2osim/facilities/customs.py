"""Customs clearance of cross-border orders from the bonded warehouse (mode 1210).

Each order is declared; an order above the per-order limit is rejected at once.
Otherwise it waits for one of ``capacity`` parallel clearance slots, is cleared
after the clearance time, and a random share is held for inspection (a delay
that does not hold a clearance slot). This module does not know stock or
couriers: a rejection is reported through ``reject(order_id)``.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy
from simpy.events import Timeout

from ..distributions import Draw
from ..recorder import OrderBook
from ..scenario import Customs as CustomsConfig
from .station import Station, _unwired


class Customs:
    """Route stage ``customs``: declare, clear, maybe inspect."""

    def __init__(
        self,
        env: simpy.Environment,
        config: CustomsConfig,
        book: OrderBook,
        clearance: Draw,
        inspect_uniform: Draw,
        inspection: Draw,
    ) -> None:
        self.env = env
        self.limit = config.per_order_limit_cny
        self.inspection_rate = config.inspection_rate
        self.book = book
        self.station = Station(env, "customs", config.capacity, lambda _oid: clearance(),
                               book.column("declared"), book.column("clearance_start"),
                               book.column("clearance_end"))
        self.station.done = self._after_clearance
        self._uniform = inspect_uniform
        self._inspection = inspection
        self._inspected = book.column("inspected")
        self._cleared = book.column("cleared")
        self.done: Callable[[int], None] = _unwired
        self.reject: Callable[[int], None] = _unwired
        self.rejected = 0
        self.inspections = 0

    def arrive(self, order_id: int) -> None:
        if self.book.value[order_id] > self.limit:
            self.book.stamps["declared"][order_id] = self.env.now
            self.rejected += 1
            self.reject(order_id)
        else:
            self.station.arrive(order_id)

    def _after_clearance(self, order_id: int) -> None:
        # One uniform per cleared order keeps the inspection stream aligned across variants.
        if self._uniform() < self.inspection_rate:
            self.inspections += 1
            Timeout(self.env, self._inspection(), order_id).callbacks.append(self._release)
        else:
            self._cleared[order_id] = self.env.now
            self.done(order_id)

    def _release(self, event: Timeout) -> None:
        order_id = event._value
        now = self.env.now
        self._inspected[order_id] = now
        self._cleared[order_id] = now
        self.done(order_id)
