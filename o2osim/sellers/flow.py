"""Checkout per seller and an SME's own parcel shipping (the order flow of ``[sellers]``).

:class:`Checkout` stands in front of every channel's entry. A basket holding SKUs of
several sellers is split when it is placed, as a marketplace splits a cart into one
order per shop: the order keeps the lines of its first line's seller (its value and
tax scaled down), and each other seller's lines become a new order of the same
customer, channel and home (``parent`` = the original order). Each single-seller order
then enters its channel's route, or, if its seller ships itself, the seller's
:class:`SelfShipping`: a handling time, then a parcel, and the order ends delivered
(``finished`` is the delivery; no stage stamp, so a courier fleet's counts of
``delivered`` stamps never include a parcel the SME sent). This module must not price
anything nor touch the stock pool.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

import simpy

from ..distributions import Draw
from ..kernel import Call, call_in, handlers
from ..recorder import OrderBook
from ..wiring import Hook


class SelfShipping:
    """One SME's own fulfilment: handling (``handling()``) then a parcel (``transit()``),
    minutes; then ``done(order_id)`` ends the order delivered."""

    HOOKS: ClassVar[tuple[str, ...]] = ("done",)

    def __init__(
        self, env: simpy.Environment, handling: Draw, transit: Draw, *, done: Hook
    ) -> None:
        self.env = env
        self.handling = handling
        self.transit = transit
        self.done = done
        self.shipped = 0
        self._on_arrived = handlers(self._arrived)

    def arrive(self, order_id: int) -> None:
        """The order was placed with this seller: it ships after handling."""
        self.shipped += 1
        delay = self.handling()
        call_in(self.env, delay + self.transit(), self._on_arrived, order_id)

    def _arrived(self, call: Call) -> None:
        self.done(call.value)


class Checkout:
    """Splits baskets per seller and sends each order to its channel or its seller.

    ``owner[sku]`` is the seller index of each SKU; ``shippers[seller]`` that seller's
    :class:`SelfShipping` (None: the order goes along its channel's route).
    """

    def __init__(
        self,
        book: OrderBook,
        prices: Sequence[float],
        owner: Sequence[int],
        shippers: Sequence[SelfShipping | None],
    ) -> None:
        self.book = book
        self.prices = prices
        self.owner = owner
        self.shippers = shippers
        self.splits = 0

    def entry(self, first: Hook) -> Hook:
        """The entry of a channel whose route starts with ``first``."""
        book, owner, shippers = self.book, self.owner, self.shippers

        def enter(order_id: int) -> None:
            skus = book.skus[order_id]
            seller = owner[skus[0]]
            if len(skus) > 1 and any(owner[s] != seller for s in skus):
                self._split(order_id, enter)
                return
            ship = shippers[seller]
            if ship is None:
                first(order_id)
            else:
                ship.arrive(order_id)

        return enter

    def _split(self, order_id: int, enter: Callable[[int], None]) -> None:
        """One order per seller: the first seller's lines keep ``order_id``."""
        book, owner, prices = self.book, self.owner, self.prices
        groups: dict[int, list[int]] = {}
        for sku in book.skus[order_id]:
            groups.setdefault(owner[sku], []).append(sku)
        value = book.value[order_id]
        rate = book.tax[order_id] / value if value else 0.0
        parts = [tuple(lines) for lines in groups.values()]
        keep = parts[0]
        book.skus[order_id] = keep
        book.value[order_id] = sum(prices[s] for s in keep)
        book.tax[order_id] = book.value[order_id] * rate
        children = []
        for skus in parts[1:]:
            part_value = sum(prices[s] for s in skus)
            child = book.new_part(
                order_id, book.placed[order_id], book.channel[order_id], skus, part_value,
                part_value * rate,
            )  # fmt: skip
            children.append(child)
        self.splits += len(children)
        enter(order_id)
        for child in children:
            enter(child)
