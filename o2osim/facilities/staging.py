"""Presale staging: a prepared order waits at its depot until its delivery slot.

Route stage ``hold``. The order's slot was chosen when it was placed
(``slot_start`` in the order book); it is released to the next
stage (dispatch) ``release_before`` minutes before its slot starts, or at once if
that time has passed. Holding takes no resource. This module does not know the
couriers or the warehouse.
"""

from __future__ import annotations

from typing import ClassVar

import simpy

from ..kernel import Call, call_in, handlers
from ..recorder import OrderBook
from ..wiring import Hook


class Hold:
    """Route stage ``hold`` of one presale channel."""

    HOOKS: ClassVar[tuple[str, ...]] = ("done",)

    def __init__(
        self, env: simpy.Environment, release_before: float, book: OrderBook, *, done: Hook
    ) -> None:
        self.env = env
        self.release_before = release_before
        self._slot_start = book.column("slot_start")
        self.done = done
        self._on_release = handlers(self._release)

    def arrive(self, order_id: int) -> None:
        wait = self._slot_start[order_id] - self.release_before - self.env.now
        if wait > 0:
            call_in(self.env, wait, self._on_release, order_id)
        else:
            self.done(order_id)

    def _release(self, call: Call) -> None:
        self.done(call.value)
