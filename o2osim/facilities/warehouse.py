"""Bonded back warehouse: picking (pickers and/or AGVs), packing, sorting, dispatch waves.

Picking, packing and sorting are FIFO stations (:mod:`.station`); a picking
floor with AGVs beside pickers is one queue served by two kinds of server (a
free AGV is taken first, then a free picker). The sorter's time per order is
its lines divided by the throughput. The regional line-haul leaves in waves at
cut-off times each day (stage ``regional``); an order sorted exactly at a
cut-off waits for the next wave (the departure was scheduled first, and simultaneous events fire in
the order they were scheduled).

The stock pool lives in :mod:`.stock` and its replenishment in :mod:`.supply`.
Each stage hands a finished order to its ``done`` hook. This module does not know
stock, customs or couriers.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import ClassVar

import simpy

from ..distributions import Draw, per_order
from ..kernel import Call, call_in, handlers
from ..recorder import OrderBook
from ..scenario import RegionalWaves, Warehouse
from ..units import DAY
from ..wiring import Hook
from .station import Station


def line_service(draw: Draw, skus: list[tuple[int, ...]]) -> Callable[[int], float]:
    """Service time = the sum of one draw per order line (minutes)."""

    def service(order_id: int) -> float:
        lines = len(skus[order_id])
        total = draw()
        if lines > 1:  # most orders have one line: no loop for them
            for _ in range(lines - 1):
                total += draw()
        return total

    return service


def build_stations(
    env: simpy.Environment,
    config: Warehouse,
    book: OrderBook,
    pick: Draw,
    pack: Draw,
    agv: Draw | None = None,
    sort: bool = True,
    *,
    done: Hook,
    one_line: bool = False,
) -> tuple[Station, Station, Station | None]:
    """The picking, packing and (if ``sort``) sorting stations of the back warehouse.

    ``one_line``: every basket of the run has one line, so a pick is one draw per order
    (the same draw, without a call per order to count the lines).
    """
    stamps = book.column("pick_queued"), book.column("pick_start"), book.column("picked")
    if config.agvs and agv is not None:
        picking: Station = PickFloor(
            env,
            config.pickers,
            config.agvs,
            line_service(pick, book.skus),
            line_service(agv, book.skus),
            *stamps,
            done=done,
        )
    else:
        service = per_order(pick) if one_line else line_service(pick, book.skus)
        picking = Station(env, "pick", config.pickers, service, *stamps, done=done)
    packing = Station(
        env,
        "pack",
        config.packers,
        per_order(pack),
        book.column("pack_queued"),
        book.column("pack_start"),
        book.column("packed"),
        done=done,
    )
    if not sort:
        return picking, packing, None
    per_line = 60.0 / config.sort_per_hour
    skus = book.skus
    sorting = Station(
        env,
        "sort",
        config.sort_lanes,
        lambda oid: len(skus[oid]) * per_line,
        book.column("sort_queued"),
        book.column("sort_start"),
        book.column("sorted"),
        done=done,
    )
    return picking, packing, sorting


class PickFloor(Station):
    """One FIFO queue served by AGVs and pickers; a free AGV is taken before a free picker.

    A server that finishes takes the next order in the queue itself, so each
    order is served by one server of one kind, at that kind's time per line.
    """

    def __init__(
        self,
        env: simpy.Environment,
        pickers: int,
        agvs: int,
        picker_service: Callable[[int], float],
        agv_service: Callable[[int], float],
        stamp_in: list[float],
        stamp_start: list[float],
        stamp_end: list[float],
        *,
        done: Hook,
    ) -> None:
        super().__init__(
            env, "pick", pickers + agvs, picker_service, stamp_in, stamp_start, stamp_end, done=done
        )
        self.pickers = pickers
        self.agvs = agvs
        self.agv_service = agv_service
        self.agvs_busy = 0
        self.agv_orders = 0
        self._on_agv_done = handlers(self._agv_done)
        self._on_picker_done = handlers(self._picker_done)

    def counters(self) -> dict[str, int]:
        """Orders the AGVs picked since the start."""
        return {"orders_picked_by_agv": self.agv_orders}

    def arrive(self, order_id: int) -> None:
        self._joined(order_id)
        if self.agvs_busy < self.agvs:
            self.busy += 1
            self.agvs_busy += 1
            self._start(order_id, True)
        elif self.busy - self.agvs_busy < self.pickers:
            self.busy += 1
            self._start(order_id, False)
        else:
            self.queue.append(order_id)

    def _start(self, order_id: int, agv: bool) -> None:
        self._start_at[order_id] = self.env.now
        if agv:
            self.agv_orders += 1
            call_in(self.env, self.agv_service(order_id), self._on_agv_done, order_id)
        else:
            call_in(self.env, self.service(order_id), self._on_picker_done, order_id)

    def _agv_done(self, call: Call) -> None:
        self._server_done(call.value, True)

    def _picker_done(self, call: Call) -> None:
        self._server_done(call.value, False)

    def _server_done(self, order_id: int, agv: bool) -> None:
        self._served(order_id)
        if self.queue:
            self._start(self.queue.popleft(), agv)
        else:
            self.busy -= 1
            if agv:
                self.agvs_busy -= 1
        self.done(order_id)


def next_departure(now: float, cutoffs: Sequence[float]) -> float:
    """The first cut-off (minutes of day, every day) strictly after ``now`` (minutes)."""
    day = now // DAY
    for offset in (0, 1):
        for cutoff in sorted(cutoffs):
            when = (day + offset) * DAY + cutoff
            if when > now:
                return when
    raise ValueError("cut-offs must be times of day")  # unreachable for valid cut-offs


class DispatchWaves:
    """Route stage ``regional``: wait for the next wave, ride out, delivered in the region.

    Each wave takes up to ``capacity`` waiting orders (all if 0) in the order they
    were sorted; the rest wait for the next wave. Each order's delivery time is
    drawn from the wave's departure.
    """

    HOOKS: ClassVar[tuple[str, ...]] = ("done",)

    def __init__(
        self,
        env: simpy.Environment,
        config: RegionalWaves,
        book: OrderBook,
        delivery: Draw,
        *,
        done: Hook,
    ) -> None:
        self.env = env
        self.cutoffs = list(config.cutoffs)
        self.capacity = config.capacity
        self.delivery = delivery
        self.waiting: deque[int] = deque()
        self._departed = book.column("wave_departed")
        self._delivered = book.column("delivered")
        self.done = done
        self._on_depart = handlers(self._depart)
        self._on_arrived = handlers(self._arrived)
        self.waves = 0
        self.left_behind = 0
        self._schedule()

    def counters(self) -> dict[str, int]:
        """Waves that left since the start."""
        return {"regional_waves": self.waves}

    def _schedule(self) -> None:
        when = next_departure(self.env.now, self.cutoffs)
        call_in(self.env, when - self.env.now, self._on_depart)

    def arrive(self, order_id: int) -> None:
        self.waiting.append(order_id)

    def _depart(self, _call: Call) -> None:
        waiting, now = self.waiting, self.env.now
        count = len(waiting) if not self.capacity else min(self.capacity, len(waiting))
        self.waves += 1
        for _ in range(count):
            order_id = waiting.popleft()
            self._departed[order_id] = now
            call_in(self.env, self.delivery(), self._on_arrived, order_id)
        self.left_behind += len(waiting)
        self._schedule()

    def _arrived(self, call: Call) -> None:
        order_id = call.value
        self._delivered[order_id] = self.env.now
        self.done(order_id)
