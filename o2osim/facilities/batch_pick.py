"""Presale batch picking: a slot's orders go to the depot's pickers together, ahead of it.

Route stage ``presale_batch`` of one presale channel (Metro's "presale + instant
delivery", Li 2025 §3.2), just before the depot's pickers (``front_pick``). An order's
delivery slot was chosen when it was placed (``slot_start`` in the order book). Orders
of one slot wait here until ``lead`` minutes before the slot starts; then the whole
batch is handed on (``done``, the order flow's ``advance``), in order of arrival, to the
pickers, who stamp and pick each order. A slot takes at most ``allotment`` orders (the
limited presale quantity); a later one is a lost sale (``sold_out``). An order for a
slot whose batch has left already (possible only when it entered late, e.g. after a
stock-out elsewhere) goes to the pickers at once and is counted as ``late``.

Waiting here takes no resource. This module does not know the couriers, the slots' rules
or the scenario; it must not decide anything but when an order reaches the pickers.
"""

from __future__ import annotations

from typing import ClassVar

import simpy

from ..kernel import Call, call_in, handlers
from ..recorder import OrderBook
from ..wiring import Hook


class BatchPick:
    """Route stage ``presale_batch`` of one presale channel (see the module docstring)."""

    HOOKS: ClassVar[tuple[str, ...]] = ("done", "sold_out")

    def __init__(
        self,
        env: simpy.Environment,
        book: OrderBook,
        lead: float,
        allotment: int | None,
        *,
        done: Hook,
        sold_out: Hook,
    ) -> None:
        self.env = env
        self.lead = lead
        self.allotment = allotment
        self._slot_start = book.column("slot_start")
        self.done = done
        self.sold_out = sold_out
        #: Orders waiting per slot start (minutes), in order of arrival.
        self._waiting: dict[float, list[int]] = {}
        #: Orders taken per slot start (for the allotment).
        self._taken: dict[float, int] = {}
        self._released: set[float] = set()
        self._on_release = handlers(self._release_batch)
        #: Batches released, orders in them, and orders that came after their batch.
        self.batches = 0
        self.batched = 0
        self.late = 0
        self.refused = 0

    def arrive(self, order_id: int) -> None:
        slot = self._slot_start[order_id]
        taken = self._taken.get(slot, 0)
        if self.allotment is not None and taken >= self.allotment:
            self.refused += 1
            self.sold_out(order_id)
            return
        self._taken[slot] = taken + 1
        if slot in self._released:
            self.late += 1
            self.done(order_id)
            return
        waiting = self._waiting.get(slot)
        if waiting is None:
            self._waiting[slot] = [order_id]
            call_in(self.env, max(0.0, slot - self.lead - self.env.now), self._on_release, slot)
        else:
            waiting.append(order_id)

    def _release_batch(self, call: Call) -> None:
        slot = call.value
        batch = self._waiting.pop(slot)
        self._released.add(slot)
        self.batches += 1
        self.batched += len(batch)
        for order_id in batch:
            self.done(order_id)

    def counters(self, prefix: str) -> dict[str, int]:
        """Counted events, named ``PREFIX.batches`` ... (the monitor counts them after the
        warm-up)."""
        return {
            f"{prefix}.batches": self.batches,
            f"{prefix}.batched_orders": self.batched,
            f"{prefix}.late_orders": self.late,
            f"{prefix}.sold_out": self.refused,
        }
