"""The shelf of the bonded stock pool: units per SKU and every movement in the ledger.

Stock is held per SKU in integer units: on hand, on order (the pipeline from
overseas suppliers) and backordered (units owed to waiting orders). Every
movement -- a basket taken, units put back (released, returned), written off,
ordered from a supplier, received -- is written to the inventory ledger, so
``initial + receipts + returns - reserved + released = on hand`` holds on every
run. With a sync lag the shelf also keeps the online stock figure customers see
(:meth:`Shelf.published`). After each demand it tells the continuous-review
policies that :meth:`Shelf.watch` subscribed.

:class:`~o2osim.facilities.stock.StockPool` builds on the shelf: which orders may
take which units, and who waits for them. This module must not decide that; units
that come back go to :meth:`Shelf._serve`, where the pool serves its waiting
orders.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

import simpy

from ..recorder import InventoryLedger, StockKind


class Shelf:
    """On-hand, on-order and backordered units per SKU (see the module docstring).

    ``unlimited`` stock is never counted down (and keeps no ledger); ``sync_lag`` is
    how long a change takes to show in the online figure (minutes).
    """

    def __init__(
        self,
        env: simpy.Environment,
        ledger: InventoryLedger,
        initial: Sequence[int],
        unlimited: bool = False,
        sync_lag: float = 0.0,
    ) -> None:
        self.env = env
        self.ledger = ledger
        self.unlimited = unlimited
        self.on_hand = list(initial)
        self.on_order = [0] * len(initial)
        self.backordered = [0] * len(initial)
        self.lag = sync_lag
        #: Per SKU, or None: called with the SKU after each demand (continuous review).
        self.review_hooks: list[Callable[[int], None] | None] | None = None
        if sync_lag > 0:
            self._published = list(initial)
            self._pending: list[deque[tuple[float, int]]] = [deque() for _ in initial]
        if not unlimited:
            for sku, units in enumerate(self.on_hand):
                ledger.add(0.0, sku, StockKind.INITIAL, -1, units, 0, units, 0)

    def _serve(self, sku: int) -> None:
        """Units of ``sku`` came back on the shelf: nobody waits for them here."""

    def watch(self, skus: Sequence[int], check: Callable[[int], None]) -> None:
        """Call ``check(sku)`` after each demand for one of ``skus`` (continuous review)."""
        if self.review_hooks is None:
            self.review_hooks = [None] * len(self.on_hand)
        for sku in skus:
            self.review_hooks[sku] = check

    # -- the figures ---------------------------------------------------------------
    def position(self, sku: int) -> int:
        """Inventory position: on hand + on order - backordered units."""
        return self.on_hand[sku] + self.on_order[sku] - self.backordered[sku]

    def published(self, sku: int) -> int:
        """The online stock figure of ``sku`` now (the live figure ``sync_lag`` ago)."""
        if self.lag <= 0:
            return self.on_hand[sku]
        pending = self._pending[sku]
        shown_until = self.env.now - self.lag
        while pending and pending[0][0] <= shown_until:
            self._published[sku] = pending.popleft()[1]
        return self._published[sku]

    def _changed(self, sku: int) -> None:
        self._pending[sku].append((self.env.now, self.on_hand[sku]))

    def take(self, order_id: int, skus: tuple[int, ...]) -> None:
        """Take a basket the caller knows is on the shelf (a substitute basket)."""
        self._take(order_id, skus)

    def _take(self, order_id: int, skus: tuple[int, ...]) -> None:
        on_hand, on_order = self.on_hand, self.on_order
        now, add = self.env.now, self.ledger.add
        for sku in skus:
            on_hand[sku] -= 1
            add(now, sku, StockKind.RESERVE, order_id, -1, 0, on_hand[sku], on_order[sku])
        if self.lag > 0:
            for sku in skus:
                self._changed(sku)
        if self.review_hooks is not None:
            demanded(self.review_hooks, skus)

    def _put_back(self, order_id: int, skus: tuple[int, ...], kind: StockKind) -> None:
        now = self.env.now
        for sku in skus:
            self.on_hand[sku] += 1
            self.ledger.add(now, sku, kind, order_id, 1, 0, self.on_hand[sku], self.on_order[sku])
            if self.lag > 0:
                self._changed(sku)
        for sku in set(skus):
            self._serve(sku)

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
        now = self.env.now
        for sku in skus:
            self.ledger.add(
                now, sku, StockKind.WRITE_OFF, order_id, 0, 0, self.on_hand[sku], self.on_order[sku]
            )

    # -- replenishment -------------------------------------------------------------
    def order(self, sku: int, quantity: int) -> None:
        """Record a purchase order of ``quantity`` units (they join the pipeline)."""
        self.on_order[sku] += quantity
        self.ledger.add(
            self.env.now,
            sku,
            StockKind.PURCHASE_ORDER,
            -1,
            0,
            quantity,
            self.on_hand[sku],
            self.on_order[sku],
        )

    def receive(self, sku: int, quantity: int) -> None:
        """A purchase order arrives: units move from the pipeline to the shelf."""
        self.on_hand[sku] += quantity
        self.on_order[sku] -= quantity
        self.ledger.add(
            self.env.now,
            sku,
            StockKind.RECEIPT,
            -1,
            quantity,
            -quantity,
            self.on_hand[sku],
            self.on_order[sku],
        )
        if self.lag > 0:
            self._changed(sku)
        self._serve(sku)


def demanded(hooks: Sequence[Callable[[int], None] | None], skus: tuple[int, ...]) -> None:
    """Tell continuous-review policies that their SKUs were demanded."""
    for sku in skus:
        hook = hooks[sku]
        if hook is not None:
            hook(sku)
