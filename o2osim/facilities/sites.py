"""The virtual warehouse: stock at several sites behind one visible figure.

Site 0 is the bonded warehouse's stock pool (its stock keys and replenishment are
those of ``[warehouse]``); the others are stores and front warehouses, each a
:class:`SiteShelf` of its own. Every site writes its movements to the one inventory
ledger (so the ledger's changes sum over the sites; its level columns are the
site's). The class is a :class:`~.stock.StockPool` to the rest of the model: the
route stage ``reserve``, the order flow and returns call it as they call the one
pool, and replenishment of the bonded warehouse goes through it to site 0.

An order asks for its basket. The allocation policy (:mod:`.site_policies`) picks,
among the sites its channel may sell from, one whose *visible* figure shows the
basket; with a sync lag the figure is the live one ``lag`` minutes ago
(:meth:`~.shelf.Shelf.published`), so a chosen site may no longer have it: an
*oversell*, handled by ``on_oversell`` (``reallocate``: the policy chooses again
on live stock, and the order is cancelled if no site has it; ``cancel``; or
``backorder``: it waits). A customer whose figure shows nothing while some site
has stock does not order (``stale``). When no site has stock, a ``backorder``
channel's order waits in one queue per SKU, first come first served, and is
filled by units arriving at any site its channel may use (a lateral shipment);
a ``lose`` channel loses the sale. The chosen site ships the order: the order's
``distance`` becomes the road km from that site to the customer (ship-from-store).

A site with a ``lead_time`` reorders one-for-one from its supplier every unit taken
from it, or owed at it, at that moment; the hub sends units to the other sites
under the transfer policy (both in :mod:`.site_supply`).

Per site it counts requests, requests met at once, units shipped, oversells,
reallocations, stale figures, backorders and transfers (counters named
``site.NAME.WHAT``). This module does not know routes, customs or couriers.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

import simpy

from ..recorder import InventoryLedger, OrderBook, StockKind
from .shelf import Shelf, demanded
from .site_policies import Allocate, SiteOption
from .stock import LOST, OVERSOLD, OVERSOLD_WAITING, STALE, TAKEN, WAITING, StockPool

if TYPE_CHECKING:
    from .site_supply import Transfers

#: Order id of a transfer's ledger rows.
TRANSFER = -2
#: Per-site counters, in the order they are reported.
SITE_COUNTERS = (
    "requests",
    "filled",
    "units_shipped",
    "oversells",
    "reallocated",
    "stale",
    "backordered",
    "transfers_in",
    "units_transferred_in",
    "units_restocked",
)


class SiteShelf(Shelf):
    """A store's or front warehouse's shelf; units coming back are offered to waiting orders."""

    def __init__(
        self,
        env: simpy.Environment,
        ledger: InventoryLedger,
        initial: Sequence[int],
        sync_lag: float,
        arrived: Callable[[Shelf, int], None],
    ) -> None:
        super().__init__(env, ledger, initial, False, sync_lag)
        self.arrived = arrived

    def _serve(self, sku: int) -> None:
        self.arrived(self, sku)


class Place(NamedTuple):
    """Where a site is and what shipping from it costs."""

    x: float
    y: float
    cost: float
    store: bool


class Layout(NamedTuple):
    """Per channel: the sites it may sell from, walk-in, backorders, lagged view."""

    allowed: list[tuple[int, ...]]
    walk_in: list[bool]
    backorder: list[bool]
    lagged: list[bool]


class VirtualWarehouse(StockPool):
    """Several sites behind one visible figure (see the module docstring)."""

    def __init__(
        self,
        env: simpy.Environment,
        ledger: InventoryLedger,
        book: OrderBook,
        bonded: StockPool,
        places: Sequence[Place],
        layout: Layout,
        allocate: Allocate,
        guard: int,
        on_oversell: str,
        detour: float,
    ) -> None:
        super().__init__(env, ledger, [0] * len(bonded.on_hand), unlimited=True)
        self.book = book
        self.places = list(places)
        self.layout = layout
        self.allocate = allocate
        self.guard = guard
        self.on_oversell = on_oversell
        self.detour = detour
        self.sites: list[Shelf] = [bonded]
        #: Per site: a one-for-one reorder (sku) for sites with a supplier lead time.
        self._reorder: list[Callable[[int], None] | None] = [None]
        self.counts = {name: [0] * len(places) for name in SITE_COUNTERS}
        #: Per order id: the site it was served from (or meant for), -1 if none.
        self.site_of = book.counts["site"]
        self._split: dict[int, list[int]] = {}  # orders whose lines came from several sites
        self._queue: dict[int, deque[int]] = {}  # per SKU: orders waiting, oldest first
        self._owed: dict[int, list[int]] = {}  # per waiting order: SKUs still owed
        self.names: list[str] = []
        every = tuple(range(len(places)))
        self._everywhere = all(sites == every for sites in layout.allowed)
        self.transfers: Transfers | None = None

    def ready_hook(self, order_id: int) -> None:
        """The hook of a site that would tell of a filled order: the virtual warehouse's."""
        self.ready(order_id)

    def add_site(self, shelf: Shelf, reorder: Callable[[int], None] | None) -> None:
        """Add a store or front warehouse (in site order, after the bonded warehouse)."""
        self.sites.append(shelf)
        self._reorder.append(reorder)

    def counters(self) -> dict[str, int]:
        """Totals as the one pool reports them, then every site's counters."""
        found = {"oversells": self.oversells, "stale_stock_figure": self.stale_outs}
        for index, name in enumerate(self.names):
            found |= {f"site.{name}.{k}": v[index] for k, v in self.counts.items()}
        return found

    # -- the bonded warehouse's replenishment goes to site 0 --------------------------
    def watch(self, skus: Sequence[int], check: Callable[[int], None]) -> None:
        self.sites[0].watch(skus, check)

    def position(self, sku: int) -> int:
        return self.sites[0].position(sku)

    def order(self, sku: int, quantity: int) -> None:
        self.sites[0].order(sku, quantity)

    def receive(self, sku: int, quantity: int) -> None:
        self.sites[0].receive(sku, quantity)
        self._arrived(self.sites[0], sku)

    # -- orders ----------------------------------------------------------------------
    def reserve(
        self, order_id: int, skus: tuple[int, ...], channel: int, backorder: bool | None = None
    ) -> int:
        """Choose a site and take the basket there; the results of :meth:`StockPool.reserve`."""
        site_of = self.site_of
        lay = self.layout
        walk_in, lagged = lay.walk_in[channel], lay.lagged[channel]
        options = self._options(order_id, skus, lay.allowed[channel], lagged)
        chosen = self.allocate(options, walk_in, self.guard)
        counts = self.counts
        if chosen is None:
            home = self.allocate([o._replace(shown=self.guard) for o in options], walk_in, 0)
            home = options[0].site if home is None else home
            site_of[order_id] = home
            counts["requests"][home] += 1
            if (
                lagged
                and self.allocate(
                    self._options(order_id, skus, lay.allowed[channel], False), walk_in, 0
                )
                is not None
            ):
                self.stale_outs += 1
                counts["stale"][home] += 1
                return STALE
            if not lay.backorder[channel]:
                return LOST
            self._wait(order_id, skus, channel, home)
            return WAITING
        counts["requests"][chosen] += 1
        if self._has(self.sites[chosen].on_hand, skus):
            counts["filled"][chosen] += 1
            self._take_at(chosen, order_id, skus)
            return TAKEN
        self.oversells += 1
        counts["oversells"][chosen] += 1
        site_of[order_id] = chosen
        if self.on_oversell == "reallocate":
            live = self._options(order_id, skus, lay.allowed[channel], False)
            other = self.allocate(live, walk_in, 0)
            if other is None:
                return OVERSOLD
            counts["reallocated"][chosen] += 1
            self._take_at(other, order_id, skus)
            return TAKEN
        if self.on_oversell == "cancel":
            return OVERSOLD
        self._wait(order_id, skus, channel, chosen)
        return OVERSOLD_WAITING

    def _options(
        self, order_id: int, skus: tuple[int, ...], allowed: tuple[int, ...], lagged: bool
    ) -> list[SiteOption]:
        """The allowed sites as the policy sees them: km to the customer, figure shown."""
        book, places, detour = self.book, self.places, self.detour
        x, y = book.x[order_id], book.y[order_id]
        found = []
        for index in allowed:
            site, place = self.sites[index], places[index]
            figure = site.published if lagged else site.on_hand.__getitem__
            shown = min(figure(sku) - skus.count(sku) for sku in skus)
            km = math.hypot(place.x - x, place.y - y) * detour if x == x else 0.0
            found.append(SiteOption(index, km, place.cost, place.store, shown))
        return found

    @staticmethod
    def _has(on_hand: list[int], skus: tuple[int, ...]) -> bool:
        return all(on_hand[sku] >= skus.count(sku) for sku in skus)

    def _take_at(self, index: int, order_id: int, skus: tuple[int, ...]) -> None:
        """Take the basket at one site; the order ships from there."""
        site = self.sites[index]
        site._take(order_id, skus)
        self.site_of[order_id] = index
        self.counts["units_shipped"][index] += len(skus)
        reorder = self._reorder[index]
        if reorder is not None:
            for sku in skus:
                reorder(sku)
        place, book = self.places[index], self.book
        x, y = book.x[order_id], book.y[order_id]
        if x == x:  # a customer with a home: the courier rides from the site
            book.distance[order_id] = math.hypot(place.x - x, place.y - y) * self.detour

    # -- waiting orders ----------------------------------------------------------------
    def _wait(self, order_id: int, skus: tuple[int, ...], channel: int, home: int) -> None:
        """Queue every unit of the basket; the home site reorders what it is owed."""
        self.counts["backordered"][home] += 1
        site = self.sites[home]
        for sku in skus:
            site.backordered[sku] += 1
            self._queue.setdefault(sku, deque()).append(order_id)
        self._owed[order_id] = list(skus)
        self._split[order_id] = []
        reorder = self._reorder[home]
        if reorder is not None:
            for sku in skus:
                reorder(sku)
        elif site.review_hooks is not None:
            demanded(site.review_hooks, skus)
        # Lines some allowed site has on hand go now (to the oldest waiting orders first).
        for sku in dict.fromkeys(skus):
            for index in self.layout.allowed[channel]:
                if self.sites[index].on_hand[sku] > 0:
                    self._arrived(self.sites[index], sku)

    def _arrived(self, shelf: Shelf, sku: int) -> None:
        """Units of ``sku`` came to ``shelf``: fill waiting orders whose channel may use it."""
        queue = self._queue.get(sku)
        if not queue:
            return
        index = self.sites.index(shelf)
        allowed, channel = self.layout.allowed, self.book.channel
        if self._everywhere:  # every channel may use every site: the oldest goes first
            while queue and shelf.on_hand[sku] > 0:
                self._fill(index, queue.popleft(), sku)
            return
        for order_id in list(queue):
            if shelf.on_hand[sku] <= 0:
                return
            if index not in allowed[channel[order_id]]:
                continue
            queue.remove(order_id)
            self._fill(index, order_id, sku)

    def _fill(self, index: int, order_id: int, sku: int) -> None:
        home = self.site_of[order_id]
        self.sites[home].backordered[sku] -= 1
        self.sites[index]._take(order_id, (sku,))
        self.counts["units_shipped"][index] += 1
        owed = self._owed[order_id]
        owed.remove(sku)
        self._split[order_id].append(index)
        if owed:
            return
        del self._owed[order_id]
        sources = self._split.pop(order_id)
        if len(set(sources)) > 1:
            self._split[order_id] = sources
        else:
            self.site_of[order_id] = sources[0]
        self.ready(order_id)

    # -- units coming back ---------------------------------------------------------------
    def lines(self, order_id: int, skus: tuple[int, ...]) -> list[int]:
        """The site each line of a served order came from."""
        return self._split.get(order_id) or [self.site_of[order_id]] * len(skus)

    def _back(
        self, order_id: int, skus: tuple[int, ...], kind: StockKind, site: int | None
    ) -> None:
        sources = self.lines(order_id, skus) if site is None else [site] * len(skus)
        for index in dict.fromkeys(sources):
            part = tuple(s for s, at in zip(skus, sources, strict=True) if at == index)
            shelf = self.sites[index]
            shelf._put_back(order_id, part, kind)
            if kind == StockKind.RETURN:
                self.counts["units_restocked"][index] += len(part)
            if index == 0:
                for sku in set(part):
                    self._arrived(shelf, sku)

    def release(self, order_id: int, skus: tuple[int, ...]) -> None:
        """A cancelled or rejected order's units go back to the sites they came from."""
        self._back(order_id, skus, StockKind.RELEASE, None)

    def restock(self, order_id: int, skus: tuple[int, ...]) -> None:
        """Returned units go back to the sites they came from."""
        self._back(order_id, skus, StockKind.RETURN, None)

    def restock_at(self, site: int, order_id: int, skus: tuple[int, ...]) -> None:
        """Returned units go on the shelf of ``site`` (a return in a store)."""
        self._back(order_id, skus, StockKind.RETURN, site)

    def write_off(self, order_id: int, skus: tuple[int, ...]) -> None:
        self.sites[0].write_off(order_id, skus)
