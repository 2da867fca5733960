"""The one bonded stock pool behind every channel, its allocation rules and sync lag.

Stock is held per SKU in integer units: on hand, on order (the pipeline from
overseas suppliers) and backordered (units owed to waiting orders). Every
movement is written to the inventory ledger, so ``initial + receipts + returns
- reserved + released = on hand`` holds on every run.

An order asks for all the units of its basket at once:

- if the pool can give them all it takes them (the order goes on);
- if not, a ``lose`` channel loses the sale and takes nothing, while a
  ``backorder`` channel takes what it can and waits in a per-SKU queue for the
  rest; arriving units (receipts, releases, returns) are allocated to waiting
  orders at once. A customer who responds to the stock-out themselves (a
  segment's ``stockout`` table) is asked with ``backorder=False`` and the World
  decides: :meth:`StockPool.wait` queues the order, :meth:`StockPool.substitutes`
  finds in-stock neighbours of the missing SKUs, and :meth:`StockPool.abandon`
  takes a waiting order out of the queues and puts its units back.

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

This module does not know customs, stores or couriers, nor how stock is
replenished (:mod:`o2osim.facilities.supply` does that through this pool's
attributes and :meth:`StockPool.receive`).
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable, Sequence
from typing import NamedTuple

import simpy
from simpy.events import Timeout

from ..recorder import InventoryLedger, OrderBook, Reason, Response, StockKind
from .station import _unwired


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


class StockPool:
    """On-hand, on-order and backordered units per SKU, shared by every channel.

    ``rules``, ``backorder`` and ``synced`` are per channel index.
    """

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
        self.env = env
        self.ledger = ledger
        self.unlimited = unlimited
        self.on_hand = list(initial)
        self.on_order = [0] * len(initial)
        self.backordered = [0] * len(initial)
        self.floor = [r.floor for r in rules]
        self.queue_class = [r.queue for r in rules]
        self.backorder = list(backorder)
        self.synced = list(synced)
        self.lag = sync_lag
        # Per channel: do its customers see a lagged figure (so may differ from the live one)?
        self._lagged_view = [sync_lag > 0 and view for view in self.synced]
        self.oversells = 0
        self.stale_outs = 0
        #: Per SKU, or None: called with the SKU after each demand (continuous review).
        self.review_hooks: list[Callable[[int], None] | None] | None = None
        #: Called with an order id when a waiting order has all its units.
        self.ready: Callable[[int], None] = _unwired
        self._waiting: dict[int, list[tuple[int, int, int, int]]] = {}
        self._missing: dict[int, int] = {}
        # Per waiting order: the units it holds and the units it is owed, so that giving
        # up can put the first back and cancel the second.
        self._held: dict[int, tuple[list[int], list[int]]] = {}
        self._seq = itertools.count()
        if sync_lag > 0:
            self._published = list(initial)
            self._pending: list[deque[tuple[float, int]]] = [deque() for _ in initial]
        if not unlimited:
            for sku, units in enumerate(self.on_hand):
                ledger.add(0.0, sku, StockKind.INITIAL, -1, units, 0, units, 0)

    # -- the figures ---------------------------------------------------------------
    def position(self, sku: int) -> int:
        """Inventory position: on hand + on order - backordered units."""
        return self.on_hand[sku] + self.on_order[sku] - self.backordered[sku]

    def published(self, sku: int) -> int:
        """The online stock figure of ``sku`` now (the live figure ``sync_lag`` ago)."""
        if self.lag <= 0:
            return self.on_hand[sku]
        pending = self._pending[sku]
        shown_until = self.env._now - self.lag
        while pending and pending[0][0] <= shown_until:
            self._published[sku] = pending.popleft()[1]
        return self._published[sku]

    def _changed(self, sku: int) -> None:
        self._pending[sku].append((self.env._now, self.on_hand[sku]))

    def _enough(self, level: Callable[[int], int], skus: tuple[int, ...], floor: int) -> bool:
        if len(skus) == 1:
            return level(skus[0]) - 1 >= floor
        return all(level(sku) - skus.count(sku) >= floor for sku in set(skus))

    # -- orders ----------------------------------------------------------------------
    def reserve(self, order_id: int, skus: tuple[int, ...], channel: int,
                backorder: bool | None = None) -> int:
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

    def take(self, order_id: int, skus: tuple[int, ...]) -> None:
        """Take a basket the caller knows is on the shelf (a substitute basket)."""
        self._take(order_id, skus)

    def _take(self, order_id: int, skus: tuple[int, ...]) -> None:
        on_hand, on_order = self.on_hand, self.on_order
        now, add = self.env._now, self.ledger.add
        for sku in skus:
            on_hand[sku] -= 1
            add(now, sku, StockKind.RESERVE, order_id, -1, 0, on_hand[sku], on_order[sku])
        if self.lag > 0:
            for sku in skus:
                self._changed(sku)
        if self.review_hooks is not None:
            _demand(self.review_hooks, skus)

    def _decide(self, order_id: int, skus: tuple[int, ...], channel: int, live: bool,
                backorder: bool | None) -> int:
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
        on_hand, floor, now = self.on_hand, self.floor[channel], self.env._now
        missing = 0
        taken: list[int] = []
        owed: list[int] = []
        for sku in skus:
            if on_hand[sku] - 1 >= floor:
                taken.append(sku)
                on_hand[sku] -= 1
                self.ledger.add(now, sku, StockKind.RESERVE, order_id, -1, 0,
                                on_hand[sku], self.on_order[sku])
                if self.lag > 0:
                    self._changed(sku)
            else:
                missing += 1
                owed.append(sku)
                self.backordered[sku] += 1
                entry = (self.queue_class[channel], next(self._seq), order_id, channel)
                heapq.heappush(self._waiting.setdefault(sku, []), entry)
        if self.review_hooks is not None:
            _demand(self.review_hooks, skus)
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
        on_hand, now, missing = self.on_hand, self.env._now, self._missing
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
            self.ledger.add(now, sku, StockKind.RESERVE, order_id, -1, 0, on_hand[sku],
                            self.on_order[sku])
            if self.lag > 0:
                self._changed(sku)
            missing[order_id] -= 1
            if missing[order_id] == 0:
                del missing[order_id]
                del self._held[order_id]
                self.ready(order_id)

    def _put_back(self, order_id: int, skus: tuple[int, ...], kind: StockKind) -> None:
        now = self.env._now
        for sku in skus:
            self.on_hand[sku] += 1
            self.ledger.add(now, sku, kind, order_id, 1, 0, self.on_hand[sku],
                            self.on_order[sku])
            if self.lag > 0:
                self._changed(sku)
        for sku in set(skus):
            self._serve(sku)

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

    def substitutes(self, skus: tuple[int, ...], channel: int, span: int,
                    first: int, last: int) -> tuple[int, ...] | None:
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

    def release(self, order_id: int, skus: tuple[int, ...]) -> None:
        """Put a cancelled or rejected order's units back on the shelf."""
        if not self.unlimited:
            self._put_back(order_id, skus, StockKind.RELEASE)

    def restock(self, order_id: int, skus: tuple[int, ...]) -> None:
        """Put a returned order's units back on the shelf (they are sellable again)."""
        if not self.unlimited:
            self._put_back(order_id, skus, StockKind.RETURN)

    def write_off(self, order_id: int, skus: tuple[int, ...]) -> None:
        """Record returned units that cannot be sold again (they never reach the shelf)."""
        if self.unlimited:
            return
        now = self.env._now
        for sku in skus:
            self.ledger.add(now, sku, StockKind.WRITE_OFF, order_id, 0, 0, self.on_hand[sku],
                            self.on_order[sku])

    # -- replenishment -------------------------------------------------------------
    def order(self, sku: int, quantity: int) -> None:
        """Record a purchase order of ``quantity`` units (they join the pipeline)."""
        self.on_order[sku] += quantity
        self.ledger.add(self.env._now, sku, StockKind.PURCHASE_ORDER, -1, 0, quantity,
                        self.on_hand[sku], self.on_order[sku])

    def receive(self, sku: int, quantity: int) -> None:
        """A purchase order arrives: units move from the pipeline to the shelf."""
        self.on_hand[sku] += quantity
        self.on_order[sku] -= quantity
        self.ledger.add(self.env._now, sku, StockKind.RECEIPT, -1, quantity, -quantity,
                        self.on_hand[sku], self.on_order[sku])
        if self.lag > 0:
            self._changed(sku)
        self._serve(sku)


def _nearest(sku: int, span: int, first: int, last: int) -> list[int]:
    """``sku`` and then its neighbours by rank distance, lower rank first, inside the ids."""
    found = [sku]
    for step in range(1, span + 1):
        found += [k for k in (sku - step, sku + step) if first <= k <= last]
    return found


def _demand(hooks: Sequence[Callable[[int], None] | None], skus: tuple[int, ...]) -> None:
    """Tell continuous-review policies that their SKUs were demanded."""
    for sku in skus:
        hook = hooks[sku]
        if hook is not None:
            hook(sku)


class ReserveStage:
    """Route stage ``reserve``: ask the pool for the basket; go on, wait, or end.

    A customer who finds the shelf short (a *stock-out*: the order is stamped
    ``stocked_out``) either follows the channel's ``on_shortage`` (the response is
    recorded as ``leave`` or ``wait``) or, where their segment has its own responses
    (``responds[segment]``), is handed to ``stocked_out(order_id)`` to decide.
    """

    def __init__(self, env: simpy.Environment, pool: StockPool, book: OrderBook) -> None:
        self.env = env
        self.pool = pool
        self.book = book
        self.reserved = book.column("reserved")
        self.response = book.counts["stockout_response"]
        self.done: Callable[[int], None] = _unwired
        self.lost: Callable[[int], None] = _unwired
        self.cancelled: Callable[[int], None] = _unwired
        self.stocked_out: Callable[[int], None] = _unwired
        #: Per segment: do its customers respond to stock-outs themselves?
        self.responds: list[bool] = []
        pool.ready = self._ready

    def arrive(self, order_id: int) -> None:
        book = self.book
        responds = self.responds and self.responds[book.segment[order_id]]
        result = self.pool.reserve(order_id, book.skus[order_id], book.channel[order_id],
                                   False if responds else None)
        if result == TAKEN:
            self.filled(order_id)
            return
        now = self.env._now
        # Columns asked for only here: a run without shortages or lag never pays for them.
        if result in (LOST, WAITING):
            book.column("stocked_out")[order_id] = now
        if result in (OVERSOLD, OVERSOLD_WAITING):
            book.column("oversold")[order_id] = now
        if result == LOST and responds:
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
            book.reason[order_id] = Reason.STALE_STOCK_FIGURE if result == STALE \
                else Reason.OUT_OF_STOCK
            self.lost(order_id)

    def filled(self, order_id: int) -> None:
        """The order has all its units now: stamp it and send it on."""
        self.reserved[order_id] = self.env._now
        self.done(order_id)

    def _ready(self, order_id: int) -> None:
        # A backorder filled by a release would otherwise continue its route inside the
        # release's call stack: a chain of filled-then-rejected backorders recursed without
        # bound. A zero-delay event runs it after the current event instead, same time.
        Timeout(self.env, 0.0, order_id).callbacks.append(self._resume)

    def _resume(self, event: Timeout) -> None:
        order_id = event._value
        if self.book.outcome[order_id]:  # it ended while the event was pending
            return
        self.filled(order_id)
