"""The one bonded stock pool behind every channel, its allocation rules and sync lag.

Stock is held per SKU in integer units on the pool's shelf (:mod:`.shelf`: on
hand, on order, backordered, and every movement in the inventory ledger).

An order asks for all the units of its basket at once:

- if the pool can give them all it takes them (the order goes on);
- if not, a ``lose`` channel loses the sale and takes nothing, while a
  ``backorder`` channel takes what it can and waits in a per-SKU queue for the
  rest; arriving units (receipts, releases, returns) are allocated to waiting
  orders at once. A customer who responds to the stock-out themselves (a
  segment's ``stockout`` table) is asked with ``backorder=False`` and their
  responder (:mod:`o2osim.stockouts`) decides: :meth:`StockPool.wait` queues
  the order, :meth:`StockPool.substitutes` finds in-stock neighbours of the
  missing SKUs, and :meth:`StockPool.abandon` takes a waiting order out of the
  queues and puts its units back.

**Allocation rules** are small functions chosen by name (:data:`ALLOCATION`):
each maps a channel's rank to a :class:`Rule` -- how many units of every SKU
the channel must leave on the shelf for others, and its class in the backorder
queues (lower classes are served first, first come first served within a class).

**Sync lag.** Customers of ``synced`` channels see the online stock figure,
which shows a change only ``sync_lag`` minutes after it happened (a change
exactly ``sync_lag`` ago is shown). A customer who sees stock that is already
gone is an *oversell*: a ``lose`` channel cancels the paid order, a
``backorder`` channel makes it wait. A customer who sees no stock where there
is some does not order (a lost sale, reason ``stale_stock_figure``). With no
lag the figure is the live stock, so there are no oversells.

The pool and its route stage (:class:`~o2osim.facilities.reserve.ReserveStage`)
point at each other (the stage asks the pool; the pool tells the stage when a
backorder is filled): the stage connects the pool's ``ready`` hook when it is
built, and the build-time wiring check catches a pool nobody connected.

This module does not know customs, stores or couriers, nor how stock is
replenished (:mod:`o2osim.facilities.supply` does that through the shelf's
attributes, :meth:`~.shelf.Shelf.watch` and :meth:`~.shelf.Shelf.receive`).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Sequence
from typing import ClassVar, NamedTuple

import simpy

from ..recorder import InventoryLedger, StockKind
from ..wiring import Hook, unwired
from .shelf import Shelf, demanded


class Rule(NamedTuple):
    """What an allocation policy decides for one channel."""

    floor: int  # units of every SKU the channel must leave on the shelf
    queue: int  # backorder queue class; lower is served first


def fcfs(rank: int, walk_in: bool, guard: int) -> Rule:
    """First come, first served: every channel takes what is there."""
    return Rule(0, 0)


def channel_priority(rank: int, walk_in: bool, guard: int) -> Rule:
    """Nested protection: rank k leaves ``k * guard`` units; backorders served by rank."""
    return Rule(guard * rank, rank)


def walk_in_reserve(rank: int, walk_in: bool, guard: int) -> Rule:
    """Online channels leave ``guard`` units of each SKU for customers in the store."""
    return Rule(0, 0) if walk_in else Rule(guard, 1)


#: Allocation policies by name; signature ``(rank, walk_in, guard_units) -> Rule``.
ALLOCATION: dict[str, Callable[[int, bool, int], Rule]] = {
    "fcfs": fcfs,
    "channel_priority": channel_priority,
    "walk_in_reserve": walk_in_reserve,
}

# Results of StockPool.reserve.
TAKEN, LOST, STALE, WAITING, OVERSOLD, OVERSOLD_WAITING = range(6)


class StockPool(Shelf):
    """The one stock pool every channel shares: its :class:`Shelf`, who may take which
    units (allocation rules), and the orders waiting for units (backorders).

    ``rules``, ``backorder`` and ``synced`` are per channel index.
    """

    HOOKS: ClassVar[tuple[str, ...]] = ("ready",)

    def __init__(
        self,
        env: simpy.Environment,
        ledger: InventoryLedger,
        initial: Sequence[int],
        unlimited: bool = False,
        rules: Sequence[Rule] = (),
        backorder: Sequence[bool] = (),
        synced: Sequence[bool] = (),
        sync_lag: float = 0.0,
    ) -> None:
        super().__init__(env, ledger, initial, unlimited, sync_lag)
        self.floor = [r.floor for r in rules]
        self.queue_class = [r.queue for r in rules]
        self.backorder = list(backorder)
        self.synced = list(synced)
        # Per channel: do its customers see a lagged figure (so may differ from the live one)?
        self._lagged_view = [sync_lag > 0 and view for view in self.synced]
        self.oversells = 0
        self.stale_outs = 0
        #: Called with an order id when a waiting order has all its units (see connect).
        self.ready: Hook = unwired("stock pool", "ready")
        self._waiting: dict[int, list[tuple[int, int, int, int]]] = {}
        self._missing: dict[int, int] = {}
        # Per waiting order: the units it holds and the units it is owed, so that giving
        # up can put the first back and cancel the second.
        self._held: dict[int, tuple[list[int], list[int]]] = {}
        self._seq = itertools.count()

    def connect(self, *, ready: Hook) -> None:
        """Connect the hook told of each filled backorder (the pool's reserve stage)."""
        self.ready = ready

    def counters(self) -> dict[str, int]:
        """Oversells and stale stock figures since the start."""
        return {"oversells": self.oversells, "stale_stock_figure": self.stale_outs}

    def _enough(self, level: Callable[[int], int], skus: tuple[int, ...], floor: int) -> bool:
        if len(skus) == 1:
            return level(skus[0]) - 1 >= floor
        return all(level(sku) - skus.count(sku) >= floor for sku in set(skus))

    # -- orders ----------------------------------------------------------------------
    def reserve(
        self, order_id: int, skus: tuple[int, ...], channel: int, backorder: bool | None = None
    ) -> int:
        """Try to take the basket; return TAKEN, LOST, STALE, WAITING, OVERSOLD(_WAITING).

        ``backorder`` overrides the channel's ``on_shortage`` when the shelf is short and
        the customer sees it (None: the channel's rule); the figure's errors (stale,
        oversold) follow the channel's rule.
        """
        if self.unlimited:
            return TAKEN
        on_hand = self.on_hand
        floor = self.floor[channel]
        if len(skus) == 1:
            live = on_hand[skus[0]] > floor
        else:
            live = self._enough(on_hand.__getitem__, skus, floor)
        if live and not self._lagged_view[channel]:
            self._take(order_id, skus)
            return TAKEN
        return self._decide(order_id, skus, channel, live, backorder)

    def _decide(
        self, order_id: int, skus: tuple[int, ...], channel: int, live: bool, backorder: bool | None
    ) -> int:
        """The slow path: what the customer saw, and what happens when stock is short."""
        seen = live
        if self._lagged_view[channel]:
            seen = self._enough(self.published, skus, self.floor[channel])
        # Errors of the figure follow the channel's rule: a customer who sees none while
        # units are there (stale), and one who paid for units already gone (oversold).
        rule = self.backorder[channel]
        if live and (seen or rule):
            self._take(order_id, skus)
            return TAKEN
        if live:  # the figure showed none while stock was there
            self.stale_outs += 1
            return STALE
        if seen:
            self.oversells += 1
        if backorder is None or seen:
            backorder = rule
        if not backorder:
            return OVERSOLD if seen else LOST
        self.wait(order_id, skus, channel)
        return OVERSOLD_WAITING if seen else WAITING

    def wait(self, order_id: int, skus: tuple[int, ...], channel: int) -> None:
        """Take what the rule allows now; queue the rest unit by unit.

        :attr:`ready` is called (on a later event) once every unit is there.
        """
        on_hand, floor, now = self.on_hand, self.floor[channel], self.env.now
        missing = 0
        taken: list[int] = []
        owed: list[int] = []
        for sku in skus:
            if on_hand[sku] - 1 >= floor:
                taken.append(sku)
                on_hand[sku] -= 1
                self.ledger.add(
                    now, sku, StockKind.RESERVE, order_id, -1, 0, on_hand[sku], self.on_order[sku]
                )
                if self.lag > 0:
                    self._changed(sku)
            else:
                missing += 1
                owed.append(sku)
                self.backordered[sku] += 1
                entry = (self.queue_class[channel], next(self._seq), order_id, channel)
                heapq.heappush(self._waiting.setdefault(sku, []), entry)
        if self.review_hooks is not None:
            demanded(self.review_hooks, skus)
        if not missing:  # the floors let every unit through after all
            self.ready(order_id)
            return
        self._missing[order_id] = missing
        self._held[order_id] = (taken, owed)

    def _serve(self, sku: int) -> None:
        """Give newly available units of ``sku`` to waiting orders, by queue class then age.

        Stops at the first waiting order whose channel may not take the unit (the
        rules make floors grow with the queue class, so no later order could).
        """
        heap = self._waiting.get(sku)
        if not heap:
            return
        on_hand, now, missing = self.on_hand, self.env.now, self._missing
        while heap:
            if heap[0][2] not in missing:  # the order gave up waiting: a dead entry
                heapq.heappop(heap)
                continue
            if on_hand[sku] - 1 < self.floor[heap[0][3]]:
                break
            _, _, order_id, _ = heapq.heappop(heap)
            taken, owed = self._held[order_id]
            taken.append(sku)
            owed.remove(sku)
            on_hand[sku] -= 1
            self.backordered[sku] -= 1
            self.ledger.add(
                now, sku, StockKind.RESERVE, order_id, -1, 0, on_hand[sku], self.on_order[sku]
            )
            if self.lag > 0:
                self._changed(sku)
            missing[order_id] -= 1
            if missing[order_id] == 0:
                del missing[order_id]
                del self._held[order_id]
                self.ready(order_id)

    def abandon(self, order_id: int) -> bool:
        """A waiting order gives up: its queued units are no longer owed and the units it
        holds go back on the shelf. False if it is not waiting (it was filled)."""
        if self._missing.pop(order_id, None) is None:
            return False
        taken, owed = self._held.pop(order_id)
        for sku in owed:
            self.backordered[sku] -= 1
        # Its heap entries stay, dead: _serve skips orders that are no longer missing units.
        if taken:
            self._put_back(order_id, tuple(taken), StockKind.RELEASE)
        return True

    def substitutes(
        self, skus: tuple[int, ...], channel: int, span: int, first: int, last: int
    ) -> tuple[int, ...] | None:
        """The basket with each line the channel cannot take from the shelf replaced by
        the nearest SKU in popularity rank that it can (``sku - 1``, ``sku + 1``,
        ``sku - 2``, ... up to ``span`` ranks away, ids ``first..last``); None if a line
        has no such substitute. Lines are served in basket order.
        """
        on_hand, floor = self.on_hand, self.floor[channel]
        kept: dict[int, int] = {}
        basket: list[int] = []
        for sku in skus:
            for candidate in _nearest(sku, span, first, last):
                if on_hand[candidate] - kept.get(candidate, 0) - 1 >= floor:
                    kept[candidate] = kept.get(candidate, 0) + 1
                    basket.append(candidate)
                    break
            else:
                return None
        return tuple(basket)


def _nearest(sku: int, span: int, first: int, last: int) -> list[int]:
    """``sku`` and then its neighbours by rank distance, lower rank first, inside the ids."""
    found = [sku]
    for step in range(1, span + 1):
        found += [k for k in (sku - step, sku + step) if first <= k <= last]
    return found
