"""Replenishment of the bonded warehouse from overseas suppliers, by sea or air.

SKUs are split into classes by popularity rank (A, B, ... and the rest); each
class has a policy chosen by name (:data:`REPLENISHMENT`), a review period and
a lead-time distribution (its transport mode). A policy is a plain function
``(inventory position, Levels) -> units to order``; the inventory position is
on hand + on order - backordered units. A class with review period 0 reviews
continuously: the stock pool calls it after every demand for one of its SKUs
(:meth:`ClassReplenishment.watch` subscribes it).

Purchase orders and receipts go through the pool, which writes them to the
inventory ledger (so the pipeline stock is on record). This module does not
know customers, customs or couriers, and holds no stock itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple, Protocol

import simpy

from ..distributions import Draw
from ..kernel import Call, call_in, handlers
from ..scenario import PolicyLevels


class Levels(NamedTuple):
    """The levels of one SKU, in units."""

    reorder_point: int  # s of (s, S), r of (r, Q)
    order_up_to: int  # S of (s, S) and of base stock
    quantity: int  # Q of (r, Q)


def s_S(position: int, levels: Levels) -> int:
    """(s, S): if the position is at or below s, order up to S."""
    return levels.order_up_to - position if position <= levels.reorder_point else 0


def r_Q(position: int, levels: Levels) -> int:
    """(r, Q): if the position is at or below r, order the fewest Qs that lift it above r."""
    if position > levels.reorder_point:
        return 0
    lots = (levels.reorder_point - position) // levels.quantity + 1
    return lots * levels.quantity


def base_stock(position: int, levels: Levels) -> int:
    """Base stock: order up to S whenever the position is below S."""
    return levels.order_up_to - position if position < levels.order_up_to else 0


#: Replenishment policies by name; signature ``(position, Levels) -> units to order``.
REPLENISHMENT: dict[str, Callable[[int, Levels], int]] = {
    "s_S": s_S,
    "r_Q": r_Q,
    "base_stock": base_stock,
}


class Pool(Protocol):
    """What replenishment needs of the stock pool (the builder passes the real one)."""

    on_hand: list[int]
    on_order: list[int]

    def position(self, sku: int) -> int: ...
    def order(self, sku: int, quantity: int) -> None: ...
    def receive(self, sku: int, quantity: int) -> None: ...
    def watch(self, skus: Sequence[int], check: Callable[[int], None]) -> None: ...


def sku_levels(spec: PolicyLevels, daily_demand: Sequence[float]) -> list[Levels]:
    """Levels per SKU from days of cover (ceil of demand x days), or the given units."""
    levels = []
    for d in daily_demand:
        s = (
            spec.reorder_point_units
            if spec.reorder_point_units is not None
            else math.ceil(d * spec.reorder_point_days)
        )
        big_s = (
            spec.order_up_to_units
            if spec.order_up_to_units is not None
            else math.ceil(d * spec.order_up_to_days)
        )
        if spec.policy == "s_S":
            big_s = max(big_s, s + 1)
        q = (
            spec.order_quantity_units
            if spec.order_quantity_units is not None
            else max(1, math.ceil(d * (spec.order_quantity_days or 0.0)))
        )
        levels.append(Levels(s, big_s, q))
    return levels


class ClassReplenishment:
    """One class of SKUs restocked under one policy."""

    def __init__(
        self,
        env: simpy.Environment,
        pool: Pool,
        skus: Sequence[int],
        levels: Sequence[Levels],
        policy: Callable[[int, Levels], int],
        review: float,
        lead_time: Draw,
    ) -> None:
        self.env = env
        self.pool = pool
        self.levels = dict(zip(skus, levels, strict=True))
        self.policy = policy
        self.review = review
        self.lead_time = lead_time
        self.purchase_orders = 0
        self.units_ordered = 0
        self._on_review = handlers(self._review)
        self._on_receive = handlers(self._receive)
        if review > 0 and self.levels:
            call_in(env, review, self._on_review)
        elif self.continuous:
            pool.watch(list(self.levels), self.check)

    @property
    def continuous(self) -> bool:
        """Reviews after every demand rather than periodically."""
        return self.review <= 0

    def _review(self, _call: Call) -> None:
        for sku, levels in self.levels.items():
            self._check(sku, levels)
        call_in(self.env, self.review, self._on_review)

    def hand_over(self, skus: Sequence[int]) -> None:
        """Stop restocking ``skus``: their owner restocks them (a seller, o2osim.sellers)."""
        for sku in skus:
            self.levels.pop(sku, None)

    def check(self, sku: int) -> None:
        """Continuous review of one SKU (called by the pool after a demand)."""
        self._check(sku, self.levels[sku])

    def _check(self, sku: int, levels: Levels) -> None:
        quantity = self.policy(self.pool.position(sku), levels)
        if quantity > 0:
            self.pool.order(sku, quantity)
            self.purchase_orders += 1
            self.units_ordered += quantity
            call_in(self.env, self.lead_time(), self._on_receive, (sku, quantity))

    def _receive(self, call: Call) -> None:
        sku, quantity = call.value
        self.pool.receive(sku, quantity)
