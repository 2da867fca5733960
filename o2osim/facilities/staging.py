"""Presale staging: a prepared order waits at its depot until its delivery slot.

Route stage ``hold``. The order's slot was chosen when it was placed
(``slot_start`` in the order book); it is released to the next
stage (dispatch) ``release_before`` minutes before its slot starts, or at once if
that time has passed. Holding takes no resource. This module does not know the
couriers or the warehouse.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy
from simpy.events import Timeout

from ..recorder import OrderBook
from .station import _unwired


class Hold:
    """Route stage ``hold`` of one presale channel."""

    def __init__(self, env: simpy.Environment, release_before: float, book: OrderBook) -> None:
        self.env = env
        self.release_before = release_before
        self._slot_start = book.column("slot_start")
        self.done: Callable[[int], None] = _unwired

    def arrive(self, order_id: int) -> None:
        wait = self._slot_start[order_id] - self.release_before - self.env._now
        if wait > 0:
            Timeout(self.env, wait, order_id).callbacks.append(self._release)
        else:
            self.done(order_id)

    def _release(self, event: Timeout) -> None:
        self.done(event._value)
