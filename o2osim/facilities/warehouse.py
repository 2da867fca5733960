"""Bonded back warehouse: the one stock pool, its replenishment, pickers and packers.

Stock is held per SKU in integer units. An order reserves all its units at once
or none (a lost sale); a rejected order's units are released back. Every
movement is written to the inventory ledger, so ``initial + receipts - reserved
+ released = on hand`` can be checked on any run.

Replenishment is periodic review (s, S) per SKU, with ``s`` and ``S`` set as
days of each SKU's expected demand; purchase orders arrive after a random lead
time from overseas. This module does not know customs or couriers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import simpy
from simpy.events import Timeout

from ..distributions import Draw
from ..recorder import InventoryLedger, OrderBook, StockKind
from ..scenario import Warehouse
from .station import Station, _unwired


class StockPool:
    """On-hand and on-order units per SKU, shared by every channel."""

    def __init__(
        self,
        env: simpy.Environment,
        ledger: InventoryLedger,
        initial: Sequence[int],
        unlimited: bool = False,
    ) -> None:
        self.env = env
        self.ledger = ledger
        self.unlimited = unlimited
        self.on_hand = list(initial)
        self.on_order = [0] * len(initial)
        if not unlimited:
            for sku, units in enumerate(self.on_hand):
                ledger.add(0.0, sku, StockKind.INITIAL, -1, units, 0, units, 0)

    def reserve(self, order_id: int, skus: tuple[int, ...]) -> bool:
        """Take every unit of the basket, or nothing; return whether it succeeded."""
        if self.unlimited:
            return True
        on_hand = self.on_hand
        if len(skus) == 1:
            if on_hand[skus[0]] < 1:
                return False
        else:
            for sku in set(skus):
                if on_hand[sku] < skus.count(sku):
                    return False
        now = self.env.now
        add = self.ledger.add
        for sku in skus:
            on_hand[sku] -= 1
            add(now, sku, StockKind.RESERVE, order_id, -1, 0, on_hand[sku], self.on_order[sku])
        return True

    def release(self, order_id: int, skus: tuple[int, ...]) -> None:
        """Put a cancelled or rejected order's units back on the shelf."""
        if self.unlimited:
            return
        now = self.env.now
        for sku in skus:
            self.on_hand[sku] += 1
            self.ledger.add(now, sku, StockKind.RELEASE, order_id, 1, 0,
                            self.on_hand[sku], self.on_order[sku])


class SsReplenishment:
    """Periodic review: every ``review`` minutes, order up to S where position <= s."""

    def __init__(
        self,
        env: simpy.Environment,
        pool: StockPool,
        reorder_point: Sequence[int],
        order_up_to: Sequence[int],
        review: float,
        lead_time: Draw,
    ) -> None:
        self.env = env
        self.pool = pool
        self.reorder_point = list(reorder_point)
        self.order_up_to = list(order_up_to)
        self.review = review
        self.lead_time = lead_time
        self.purchase_orders = 0
        Timeout(env, review).callbacks.append(self._review)

    def _review(self, _event: object) -> None:
        pool, now = self.pool, self.env.now
        for sku, s in enumerate(self.reorder_point):
            position = pool.on_hand[sku] + pool.on_order[sku]
            if position <= s:
                quantity = self.order_up_to[sku] - position
                pool.on_order[sku] += quantity
                self.purchase_orders += 1
                pool.ledger.add(now, sku, StockKind.PURCHASE_ORDER, -1, 0, quantity,
                                pool.on_hand[sku], pool.on_order[sku])
                Timeout(self.env, self.lead_time(), (sku, quantity)).callbacks.append(
                    self._receive
                )
        Timeout(self.env, self.review).callbacks.append(self._review)

    def _receive(self, event: Timeout) -> None:
        sku, quantity = event._value
        pool = self.pool
        pool.on_hand[sku] += quantity
        pool.on_order[sku] -= quantity
        pool.ledger.add(self.env.now, sku, StockKind.RECEIPT, -1, quantity, -quantity,
                        pool.on_hand[sku], pool.on_order[sku])


class ReserveStage:
    """Route stage ``reserve``: check and reserve the basket in the stock pool."""

    def __init__(self, env: simpy.Environment, pool: StockPool, book: OrderBook) -> None:
        self.env = env
        self.pool = pool
        self.book = book
        self.reserved = book.column("reserved")
        self.done: Callable[[int], None] = _unwired
        self.lost: Callable[[int], None] = _unwired

    def arrive(self, order_id: int) -> None:
        if self.pool.reserve(order_id, self.book.skus[order_id]):
            self.reserved[order_id] = self.env.now
            self.done(order_id)
        else:
            self.lost(order_id)


def line_service(draw: Draw, skus: list[tuple[int, ...]]) -> Callable[[int], float]:
    """Service time = the sum of one draw per order line (minutes)."""

    def service(order_id: int) -> float:
        lines = len(skus[order_id])
        total = draw()
        for _ in range(lines - 1):
            total += draw()
        return total

    return service


def stock_levels(
    config: Warehouse, daily_demand: Sequence[float]
) -> tuple[list[int], list[int], list[int]]:
    """Initial stock, reorder point s and order-up-to S per SKU, from days of cover."""
    rep = config.replenishment
    initial = [math.ceil(d * config.initial_stock_days) for d in daily_demand]
    s = [math.ceil(d * rep.reorder_point_days) for d in daily_demand]
    big_s = [max(math.ceil(d * rep.order_up_to_days), lo + 1) for d, lo in zip(daily_demand, s,
                                                                            strict=True)]
    return initial, s, big_s


def build_stations(
    env: simpy.Environment, config: Warehouse, book: OrderBook, pick: Draw, pack: Draw
) -> tuple[Station, Station]:
    """The picking and packing stations of the back warehouse."""
    picking = Station(env, "pick", config.pickers, line_service(pick, book.skus),
                      book.column("pick_queued"), book.column("pick_start"), book.column("picked"))
    packing = Station(env, "pack", config.packers, lambda _oid: pack(),
                      book.column("pack_queued"), book.column("pack_start"), book.column("packed"))
    return picking, packing
