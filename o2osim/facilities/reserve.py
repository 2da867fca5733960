"""Route stage ``reserve``: an order takes its basket from the one bonded stock pool.

The pool (:mod:`.stock`) decides what a customer gets; this stage stamps the
order and sends it on (hook ``done``), waits for a backorder to be filled, or
ends the order through its hooks ``lost`` (a lost sale) and ``cancelled`` (an
oversold order). Customers of segments with their own stock-out responses are
handed to the hook ``stocked_out`` (:mod:`o2osim.stockouts` decides). This module
does not know customs, stores or couriers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import simpy

from ..kernel import Call, call_in, handlers
from ..recorder import OrderBook, Reason, Response
from ..wiring import Hook, WiringError
from .stock import LOST, OVERSOLD, OVERSOLD_WAITING, STALE, TAKEN, WAITING, StockPool


class ReserveStage:
    """Route stage ``reserve``: ask the pool for the basket; go on, wait, or end.

    A customer who finds the shelf short (a *stock-out*: the order is stamped
    ``stocked_out``) either follows the channel's ``on_shortage`` (the response is
    recorded as ``leave`` or ``wait``) or, where their segment has its own responses
    (``responds[segment]``), is handed to the hook ``stocked_out(order_id)`` to
    decide. A filled order goes to ``done``; a lost sale to ``lost``, an oversold
    order to ``cancelled`` (the reason is on the order).
    """

    HOOKS: ClassVar[tuple[str, ...]] = ("done", "lost", "cancelled")

    def __init__(
        self,
        env: simpy.Environment,
        pool: StockPool,
        book: OrderBook,
        *,
        done: Hook,
        lost: Hook,
        cancelled: Hook,
        stocked_out: Hook | None = None,
        responds: Sequence[bool] = (),
    ) -> None:
        self.env = env
        self.pool = pool
        self.book = book
        self.reserved = book.column("reserved")
        self.response = book.counts["stockout_response"]
        self.done = done
        self.lost = lost
        self.cancelled = cancelled
        #: Per segment: do its customers respond to stock-outs themselves?
        self.responds = list(responds)
        self.stocked_out = stocked_out
        if any(self.responds) and stocked_out is None:
            raise WiringError(
                "reserve stage (ReserveStage): hook 'stocked_out' is not "
                "connected, yet some segments respond to stock-outs"
            )
        self._on_resume = handlers(self._resume)
        pool.connect(ready=self._ready)

    def arrive(self, order_id: int) -> None:
        book = self.book
        responds = self.responds and self.responds[book.segment[order_id]]
        result = self.pool.reserve(
            order_id, book.skus[order_id], book.channel[order_id], False if responds else None
        )
        if result == TAKEN:
            self.filled(order_id)
            return
        now = self.env.now
        # Columns asked for only here: a run without shortages or lag never pays for them.
        if result in (LOST, WAITING):
            book.column("stocked_out")[order_id] = now
        if result in (OVERSOLD, OVERSOLD_WAITING):
            book.column("oversold")[order_id] = now
        if result == LOST and responds and self.stocked_out is not None:
            self.stocked_out(order_id)
        elif result in (WAITING, OVERSOLD_WAITING):
            book.column("backordered")[order_id] = now
            if result == WAITING:
                self.response[order_id] = Response.WAIT
        elif result == OVERSOLD:
            book.reason[order_id] = Reason.OVERSOLD
            self.cancelled(order_id)
        else:
            if result == LOST:
                self.response[order_id] = Response.LEAVE
            book.reason[order_id] = (
                Reason.STALE_STOCK_FIGURE if result == STALE else Reason.OUT_OF_STOCK
            )
            self.lost(order_id)

    def filled(self, order_id: int) -> None:
        """The order has all its units now: stamp it and send it on."""
        self.reserved[order_id] = self.env.now
        self.done(order_id)

    def _ready(self, order_id: int) -> None:
        # A backorder filled by a release would otherwise continue its route inside the
        # release's call stack: a chain of filled-then-rejected backorders recursed without
        # bound. A zero-delay event runs it after the current event instead, same time.
        call_in(self.env, 0.0, self._on_resume, order_id)

    def _resume(self, call: Call) -> None:
        order_id = call.value
        if self.book.outcome[order_id]:  # it ended while the event was pending
            return
        self.filled(order_id)
