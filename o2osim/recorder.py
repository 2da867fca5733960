"""Append-only columnar logs written in the event loop, turned into tables once.

The order is the unit of flow and is just an integer id: its attributes and
stage timestamps live in parallel Python lists indexed by that id. Facilities
only *add* to an order (set a timestamp, set the outcome). Nothing here may use
pandas; :mod:`o2osim.tables` converts the lists after the run.

Times are simulation minutes since the scenario start.
"""

from __future__ import annotations

import math
from enum import IntEnum
from typing import Any


class Outcome(IntEnum):
    """How an order ended. ``IN_FLIGHT`` means it had not ended at the horizon."""

    IN_FLIGHT = 0
    DELIVERED = 1
    COLLECTED = 2
    MISSED = 3
    CANCELLED = 4
    REJECTED = 5
    LOST_SALE = 6
    RETURNED = 7
    TURNED_AWAY = 8  # a store visitor who found the experience zone full (no door queue)
    NO_PURCHASE = 9  # a store visitor who left without buying
    BALKED = 10  # left at once on seeing the queue (``failed_at``: where; ``finished``: when)
    RENEGED = 11  # left the queue after waiting longer than the customer's patience


class Reason(IntEnum):
    """Why an order failed or ended as it did (``NONE``: it did not fail, or has not ended)."""

    NONE = 0
    NOT_STAGED = 1  # airport: the goods were not at the counter by the staging cut-off
    PASSENGER_LATE = 2  # airport: the passenger had to leave for the flight first
    OUT_OF_STOCK = 3  # lost sale: the basket was not all on the shelf
    OVER_ORDER_LIMIT = 4  # customs: above the per-order limit
    OUT_OF_AREA = 5  # refused: the home is beyond the channel's max_distance_km
    CUSTOMER_ABSENT = 6  # courier: nobody took the order at the door
    NO_COURIER_IN_TIME = 7  # courier: not dispatched within give_up_after
    ANNUAL_LIMIT = 8  # customs: the person's annual limit would be exceeded
    OVERSOLD = 9  # the online figure showed stock that was gone (sync lag)
    STALE_STOCK_FIGURE = 10  # the online figure showed none, yet stock was there (sync lag)
    ZONE_FULL = 11  # the experience zone was full and there is no door queue
    NO_SUBSTITUTE = 12  # stock-out: the customer would substitute, but no neighbour was in stock
    WENT_ELSEWHERE = 13  # stock-out: the customer bought from another retailer
    BACKORDER_TOO_LONG = 14  # stock-out: the customer cancelled a backorder not filled in time
    SHOWROOMED = 15  # no purchase in the store: the visitor buys the basket online later


class Response(IntEnum):
    """What a customer did on finding the shelf short (a stock-out), Gruen et al. (2002)."""

    SUBSTITUTE = 0  # took a neighbouring SKU (another brand or size)
    SWITCH_CHANNEL = 1  # bought through a channel that does not draw on this pool, or elsewhere
    WAIT = 2  # waited for the units (a backorder)
    LEAVE = 3  # did not buy


OUTCOME_NAMES = tuple(o.name.lower() for o in Outcome)
REASON_NAMES = ("", *(r.name.lower() for r in Reason if r is not Reason.NONE))
RESPONSE_NAMES = tuple(r.name.lower() for r in Response)
NAN = math.nan
#: Rows added at a time to the columns that are filled in after an order is placed.
GROWTH = 8192


class OrderBook:
    """One row per order, one list per column.

    ``stamps`` holds a list per stage timestamp (NaN until the stage stamps it);
    ``reason`` holds a :class:`Reason` code, ``refund`` the CNY paid back to the customer
    and ``flight`` the index of the order's flight (-1: not linked to a flight);
    ``customer`` the person who ordered (-1: a segment without a finite population);
    ``values`` other numbers set on the way (km, km/h, factors; NaN until set);
    ``counts`` integer labels set on the way (trip, courier; -1 until set);
    ``customer`` is -1 for a segment without a finite population, and ``parent`` the
    order a split order came from (-1 if none).
    """

    def __init__(
        self,
        stamp_names: list[str],
        value_names: tuple[str, ...] = (),
        count_names: tuple[str, ...] = (),
    ) -> None:
        self.segment: list[int] = []
        self.channel: list[int] = []
        self.skus: list[tuple[int, ...]] = []
        self.value: list[float] = []
        self.tax: list[float] = []
        self.distance: list[float] = []
        self.x: list[float] = []
        self.y: list[float] = []
        self.placed: list[float] = []
        self.finished: list[float] = []
        self.outcome: list[int] = []
        self.failed_at: list[int] = []
        self.step: list[int] = []
        self.reason: list[int] = []
        self.refund: list[float] = []
        self.flight: list[int] = []
        self.customer: list[int] = []
        self.parent: list[int] = []
        #: Every stamp name, in table order; a column exists once a facility asks for it.
        self.stamp_names = list(stamp_names)
        self._known = set(stamp_names)
        self.stamps: dict[str, list[float]] = {}
        self.values: dict[str, list[float]] = {name: [] for name in value_names}
        self.counts: dict[str, list[int]] = {name: [] for name in count_names}
        # Columns set later in an order's life grow in blocks, not one append per order.
        self._grown: tuple[list[Any], ...] = (
            self.finished,
            self.outcome,
            self.failed_at,
            self.step,
            self.reason,
            self.refund,
            self.flight,
            self.customer,
            self.parent,
            *self.values.values(),
            *self.counts.values(),
        )
        self._fill: tuple[float, ...] = (
            NAN,
            0,
            -1,
            0,
            0,
            0.0,
            -1,
            -1,
            -1,
            *([NAN] * len(value_names)),
            *([-1] * len(count_names)),
        )
        self._capacity = 0
        #: Ended orders a feature will still write to, and until when (minutes): their rows
        #: stay in memory until then (:mod:`o2osim.spill`), whatever the settle lag.
        self.holds: dict[int, float] = {}

    def __len__(self) -> int:
        return len(self.placed)

    def new(
        self,
        time: float,
        segment: int,
        channel: int,
        skus: tuple[int, ...],
        value: float,
        tax: float,
        distance: float,
        x: float,
        y: float,
    ) -> int:
        """Append an order placed at ``time`` (minutes); return its id.

        ``distance`` is the road km from the depot of its channel to the home at
        (``x``, ``y``) km.
        """
        oid = len(self.placed)
        if oid == self._capacity:
            self._grow()
        self.placed.append(time)
        self.segment.append(segment)
        self.channel.append(channel)
        self.skus.append(skus)
        self.value.append(value)
        self.tax.append(tax)
        self.distance.append(distance)
        self.x.append(x)
        self.y.append(y)
        return oid

    def new_part(
        self,
        parent: int,
        time: float,
        channel: int,
        skus: tuple[int, ...],
        value: float,
        tax: float,
    ) -> int:
        """Append a part of order ``parent`` (a split basket, a resubmitted part): the same
        segment, home and customer, its own SKUs, value and tax (CNY); return its id."""
        child = self.new(
            time, self.segment[parent], channel, skus, value, tax,
            self.distance[parent], self.x[parent], self.y[parent],
        )  # fmt: skip
        self.customer[child] = self.customer[parent]
        self.parent[child] = parent
        return child

    def hold(self, order_id: int, until: float) -> None:
        """Keep the row of ``order_id`` in memory until ``until`` (minutes), when a feature
        will write to it (a return): a write known in advance needs no settle lag."""
        if until > self.holds.get(order_id, -math.inf):
            self.holds[order_id] = until

    def _grow(self) -> None:
        for column, fill in zip(self._grown, self._fill, strict=True):
            column.extend([fill] * GROWTH)
        self._capacity += GROWTH

    def trim(self) -> None:
        """Drop the unused tail of the block-grown columns (call once after the run)."""
        n = len(self.placed)
        for column in self._grown:
            del column[n:]
        self._capacity = n

    def column(self, name: str) -> list[float]:
        """The list behind a stage timestamp; facilities write into it by order id."""
        column = self.stamps.get(name)
        if column is None:
            # Created on first use, so a run pays only for the stamps its facilities write.
            if name not in self._known:
                raise KeyError(f"no stamp column {name!r}")
            column = [NAN] * self._capacity
            self.stamps[name] = column
            self._grown += (column,)
            self._fill += (NAN,)
        return column


class ResourceLog:
    """Periodic snapshots of every queueing resource: time, queue length, busy servers."""

    def __init__(self) -> None:
        self.time: list[float] = []
        self.resource: list[str] = []
        self.queue: list[int] = []
        self.busy: list[int] = []
        self.servers: list[int] = []

    def add(self, time: float, resource: str, queue: int, busy: int, servers: int) -> None:
        self.time.append(time)
        self.resource.append(resource)
        self.queue.append(queue)
        self.busy.append(busy)
        self.servers.append(servers)


class StockKind(IntEnum):
    """Kinds of stock movement in the inventory ledger."""

    INITIAL = 0
    RESERVE = 1
    RELEASE = 2
    PURCHASE_ORDER = 3
    RECEIPT = 4
    RETURN = 5  # a customer's return put back on the shelf
    WRITE_OFF = 6  # a returned unit that cannot be sold again: one row per unit, no level change


class InventoryLedger:
    """Every stock movement: on-hand and on-order change and the levels after it."""

    def __init__(self) -> None:
        self.time: list[float] = []
        self.sku: list[int] = []
        self.kind: list[int] = []
        self.order_id: list[int] = []
        self.on_hand_change: list[int] = []
        self.on_order_change: list[int] = []
        self.on_hand: list[int] = []
        self.on_order: list[int] = []

    def add(
        self,
        time: float,
        sku: int,
        kind: StockKind,
        order_id: int,
        on_hand_change: int,
        on_order_change: int,
        on_hand: int,
        on_order: int,
    ) -> None:
        self.time.append(time)
        self.sku.append(sku)
        self.kind.append(kind)
        self.order_id.append(order_id)
        self.on_hand_change.append(on_hand_change)
        self.on_order_change.append(on_order_change)
        self.on_hand.append(on_hand)
        self.on_order.append(on_order)
