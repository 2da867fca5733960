"""Returns: which completed orders come back, when, and what becomes of their units.

An order of a channel with a ``return_rate`` is returned with that rate times
the mean ``return_factor`` of its lines' product categories (at most 1),
``return_after`` after it was delivered or collected. Each returned unit goes
back on the shelf with its category's ``resellable`` probability, else it is
written off (ledger kind ``write_off``, order value ``written_off_cny``); the
person's annual customs quota is given back. Only units the order took from the
bonded pool come back to it; a direct-mail parcel goes back to its seller. An
unlimited pool keeps no ledger, but a written-off unit still costs its purchase
price (``written_off_cny``). One uniform per completed order
decides the return, and one per unit of a category that may be written off, so
scenarios without categories draw exactly what they drew before.

This module knows the order book, the stock pool and the quota book; it does
not know routes or the other facilities.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import simpy

from .facilities.customs import QuotaBook
from .facilities.stock import StockPool
from .kernel import Call, call_in, handlers
from .recorder import OrderBook, Outcome
from .scenario import Catalogue


class ChannelReturns(NamedTuple):
    """One channel's returns: probability, its uniform draw, the delay draw (minutes)."""

    rate: float
    uniform: Callable[[], float]
    delay: Callable[[], float]


class SkuReturns(NamedTuple):
    """Per SKU id (every catalogue, in id order): return factor and resellable share."""

    factor: list[float]
    resellable: list[float]


def sku_returns(catalogues: Sequence[Catalogue]) -> SkuReturns:
    """Each SKU's category figures; SKU ids of a later catalogue follow the earlier ones."""
    found = SkuReturns([], [])
    for catalogue in catalogues:
        categories = catalogue.categories
        for index in catalogue.sku_categories():
            found.factor.append(categories[index].return_factor if categories else 1.0)
            found.resellable.append(categories[index].resellable if categories else 1.0)
    return found


class Returns:
    """Decides returns after an order completes and puts the goods back (or writes them off).

    ``channels[k]`` is None for a channel without returns; ``resell`` is the uniform draw
    for units that may be written off (None when every category is resellable).
    """

    def __init__(
        self,
        env: simpy.Environment,
        book: OrderBook,
        pool: StockPool | None,
        quota: QuotaBook,
        channels: Sequence[ChannelReturns | None],
        skus: SkuReturns,
        resell: Callable[[], float] | None,
        prices: Sequence[float],
    ) -> None:
        self.env = env
        self.book = book
        self.pool = pool
        self.quota = quota
        self.channels = list(channels)
        self.factor = skus.factor
        self.resellable = skus.resellable
        self.by_category = any(f != 1.0 for f in skus.factor)
        self.resell = resell
        self.prices = prices
        self._on_returned = handlers(self._returned)

    def after_done(self, order_id: int) -> None:
        """The order was delivered or collected now: will it come back?"""
        returns = self.channels[self.book.channel[order_id]]
        if returns is None:
            return
        rate = returns.rate
        if self.by_category:
            skus = self.book.skus[order_id]
            rate *= sum(self.factor[s] for s in skus) / len(skus)
        if returns.uniform() < rate:
            call_in(self.env, returns.delay(), self._on_returned, order_id)

    def _returned(self, call: Call) -> None:
        order_id = call.value
        book = self.book
        book.column("returned")[order_id] = self.env.now
        book.outcome[order_id] = Outcome.RETURNED
        if self.pool is not None and not math.isnan(book.column("reserved")[order_id]):
            self._put_back(self.pool, order_id)
        customer = book.customer[order_id]
        cleared = book.column("cleared")[order_id], book.column("port_cleared")[order_id]
        if customer >= 0 and not all(math.isnan(t) for t in cleared):
            self.quota.refund(customer, book.value[order_id])

    def _put_back(self, pool: StockPool, order_id: int) -> None:
        """Resellable units go back on the shelf; the rest are written off."""
        skus = self.book.skus[order_id]
        draw = self.resell
        if draw is None:
            pool.restock(order_id, skus)
            return
        resellable = self.resellable
        scrapped = tuple(s for s in skus if resellable[s] < 1.0 and draw() >= resellable[s])
        kept = list(skus)
        for sku in scrapped:
            kept.remove(sku)
        pool.restock(order_id, tuple(kept))
        if scrapped:
            pool.write_off(order_id, scrapped)
            self.book.values["written_off_cny"][order_id] = sum(self.prices[s] for s in scrapped)
