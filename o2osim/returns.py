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

**Return paths across channels** (``[cross_returns]``, :class:`ReturnPaths`): the
buyer of an online order returns it by parcel or in a store, a store buyer in the
store or by parcel (one more uniform per return, stream ``returns.paths``). The
order records its path (``return_path``) and the path's reverse logistics cost
(``reverse_cny``); a unit returned in a store goes on that store's shelf (the
virtual warehouse's ``store_site``), others back where they came from. The return
happens ``return_after`` after the order ended, whatever the path: the path changes
where the units go and what the return costs, not when.

This module knows the order book, the stock pool and the quota book; it does
not know routes or the other facilities.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import simpy

from .facilities.customs import QuotaBook
from .facilities.sites import VirtualWarehouse
from .facilities.stock import StockPool
from .kernel import Call, call_in, handlers
from .recorder import OrderBook, Outcome
from .scenario import Catalogue


class ChannelReturns(NamedTuple):
    """One channel's returns: probability, its uniform draw, the delay draw (minutes)."""

    rate: float
    uniform: Callable[[], float]
    delay: Callable[[], float]


class ReturnPaths(NamedTuple):
    """Return paths across channels (index order of ``scenario.sites.RETURN_PATHS``)."""

    walk_in: list[bool]  # per channel: bought in a store
    to_store: float  # share of online buyers' returns brought to a store
    to_parcel: float  # share of store buyers' returns sent back by parcel
    cost: tuple[float, ...]  # CNY per return, per path
    uniform: Callable[[], float]
    store_site: int | None  # the virtual warehouse's site taking in-store returns


#: Path indices: bought online / in a store, returned by parcel / in a store.
ONLINE_TO_PARCEL, ONLINE_TO_STORE, STORE_TO_STORE, STORE_TO_PARCEL = range(4)


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
        self.paths: ReturnPaths | None = None
        self._on_returned = handlers(self._returned)

    def cross(self, paths: ReturnPaths) -> None:
        """Send returns through return paths across channels (``[cross_returns]``)."""
        self.paths = paths

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
            delay = returns.delay()
            # Its row is written at the return: it stays in memory until then.
            self.book.hold(order_id, self.env.now + delay)
            call_in(self.env, delay, self._on_returned, order_id)

    def _returned(self, call: Call) -> None:
        order_id = call.value
        book = self.book
        book.column("returned")[order_id] = self.env.now
        book.outcome[order_id] = Outcome.RETURNED
        store_site = None
        if self.paths is not None:
            store_site = self._path(order_id)
        if self.pool is not None and not math.isnan(book.column("reserved")[order_id]):
            self._put_back(self.pool, order_id, store_site)
        customer = book.customer[order_id]
        cleared = book.column("cleared")[order_id], book.column("port_cleared")[order_id]
        if customer >= 0 and not all(math.isnan(t) for t in cleared):
            self.quota.refund(customer, book.value[order_id])

    def _path(self, order_id: int) -> int | None:
        """Choose and record the order's return path; the store site its units go to."""
        paths, book = self.paths, self.book
        if paths is None:
            return None
        if paths.walk_in[book.channel[order_id]]:
            path = STORE_TO_PARCEL if paths.uniform() < paths.to_parcel else STORE_TO_STORE
        else:
            path = ONLINE_TO_STORE if paths.uniform() < paths.to_store else ONLINE_TO_PARCEL
        book.counts["return_path"][order_id] = path
        book.values["reverse_cny"][order_id] = paths.cost[path]
        return paths.store_site if path in (ONLINE_TO_STORE, STORE_TO_STORE) else None

    def _put_back(self, pool: StockPool, order_id: int, store_site: int | None = None) -> None:
        """Resellable units go back on the shelf (a store's, for a return in a store with a
        virtual warehouse); the rest are written off."""
        skus = self.book.skus[order_id]
        draw = self.resell
        if isinstance(pool, VirtualWarehouse) and store_site is not None:
            site = store_site

            def restock(order_id: int, skus: tuple[int, ...]) -> None:
                pool.restock_at(site, order_id, skus)
        else:
            restock = pool.restock
        if draw is None:
            restock(order_id, skus)
            return
        resellable = self.resellable
        scrapped = tuple(s for s in skus if resellable[s] < 1.0 and draw() >= resellable[s])
        kept = list(skus)
        for sku in scrapped:
            kept.remove(sku)
        restock(order_id, tuple(kept))
        if scrapped:
            pool.write_off(order_id, scrapped)
            self.book.values["written_off_cny"][order_id] = sum(self.prices[s] for s in scrapped)
