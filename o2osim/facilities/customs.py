"""Customs clearance of cross-border retail orders: mode 1210 (bonded) and 9610 (port).

Each order is declared. The cross-border retail import limits are checked
first: an order whose value is above the per-order limit, or that would take
the person's spend this year above the annual limit, is rejected at once and
reported through the hook ``reject(order_id, per_order_limit)`` (its reason is on
the order). Values are
compared to the cent, so an order of exactly the limit passes. An accepted
order's value is booked against the person's annual quota; a return gives it
back (:meth:`QuotaBook.refund`).

The order, payment and logistics documents must match: a share
``document_mismatch_rate`` does not, and is handled by hand first (a station
of ``manual_officers`` with its own time). Then the order waits for one of
``capacity`` parallel clearance slots -- so at most ``capacity / mean clearance
time`` declarations pass per minute, which saturates when demand peaks -- and
a random share is held for inspection (a delay that holds no slot).

One :class:`Customs` serves one route stage (``customs`` or ``port_customs``,
whose stamps carry the prefix ``port_``); both share one :class:`QuotaBook`,
because the annual limit is per person across all cross-border purchases.
This module does not know stock or couriers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import simpy

from ..distributions import Draw, per_order
from ..kernel import Call, call_in, handlers
from ..recorder import OrderBook, Reason
from ..scenario import Customs as CustomsConfig
from ..wiring import Hook
from .station import Station

#: Money is in whole cents: more than half a cent above a limit is at least a cent above
#: it, and float error in sums of prices stays far below half a cent.
HALF_CENT = 0.005


def quota_reason(value: float, spent: float, per_order_limit: float, annual_limit: float) -> Reason:
    """Why an order of ``value`` CNY is refused for a person who spent ``spent`` this year.

    ``Reason.NONE`` if it passes. Limits are inclusive and compared to the cent.
    """
    if value > per_order_limit + HALF_CENT:
        return Reason.OVER_ORDER_LIMIT
    if spent + value > annual_limit + HALF_CENT:
        return Reason.ANNUAL_LIMIT
    return Reason.NONE


class QuotaBook:
    """Each person's cross-border spend this year (CNY), shared by every customs office."""

    def __init__(self) -> None:
        self.spent: dict[int, float] = {}

    def book(self, customer: int, value: float) -> None:
        """Book an accepted order against the person's annual quota."""
        self.spent[customer] = round(self.spent.get(customer, 0.0) + value, 2)

    def refund(self, customer: int, value: float) -> None:
        """Give a returned order's value back to the person's annual quota."""
        self.spent[customer] = round(self.spent.get(customer, 0.0) - value, 2)


class Customs:
    """Route stage ``customs`` (or ``port_customs``): declare, check, clear, maybe inspect."""

    HOOKS: ClassVar[tuple[str, ...]] = ("done", "reject")

    def __init__(
        self,
        env: simpy.Environment,
        config: CustomsConfig,
        book: OrderBook,
        quota: QuotaBook,
        clearance: Draw,
        inspect_uniform: Draw,
        inspection: Draw,
        documents_uniform: Draw,
        manual: Draw,
        stage: str = "customs",
        prefix: str = "",
        *,
        done: Hook,
        reject: Callable[[int, float], None],
    ) -> None:
        self.env = env
        self.stage = stage
        self.prefix = prefix
        self.done = done
        self.reject = reject
        self.per_order_limit = config.per_order_limit_cny
        self.annual_limit = config.annual_limit_cny
        self.inspection_rate = config.inspection_rate
        self.mismatch_rate = config.document_mismatch_rate
        self.book = book
        self.quota = quota

        def stamps(*names: str) -> tuple[list[float], list[float], list[float]]:
            first, second, third = (book.column(prefix + name) for name in names)
            return first, second, third

        self._declared, self._inspected, self._cleared = stamps("declared", "inspected", "cleared")
        self.station = Station(
            env,
            stage,
            config.capacity,
            per_order(clearance),
            *stamps("clearance_queued", "clearance_start", "clearance_end"),
            done=self._after_clearance,
        )
        self.manual: Station | None = None  # only where documents can mismatch
        if self.mismatch_rate > 0:
            self.manual = Station(
                env,
                f"{stage}_manual",
                config.manual_officers,
                per_order(manual),
                *stamps("manual_queued", "manual_start", "manual_end"),
                stage=stage,
                done=self.station.arrive,
            )
        self._uniform = inspect_uniform
        self._inspection = inspection
        self._documents = documents_uniform
        self._on_release = handlers(self._release)
        self.rejected = 0
        self.inspections = 0
        self.mismatches = 0

    def counters(self) -> dict[str, int]:
        """Inspections, rejections and document mismatches since the start."""
        prefix = self.prefix
        return {
            f"{prefix}inspections": self.inspections,
            f"{prefix}customs_rejections": self.rejected,
            f"{prefix}document_mismatches": self.mismatches,
        }

    def arrive(self, order_id: int) -> None:
        book = self.book
        self._declared[order_id] = self.env.now
        customer = book.customer[order_id]
        value = book.value[order_id]
        spent = self.quota.spent.get(customer, 0.0) if customer >= 0 else 0.0
        reason = quota_reason(value, spent, self.per_order_limit, self.annual_limit)
        if reason is not Reason.NONE:
            if not book.outcome[order_id]:  # one that ended on its way (missed) is dropped
                book.reason[order_id] = reason
                self.rejected += 1
                self.reject(order_id, self.per_order_limit)
            return
        if customer >= 0:
            self.quota.book(customer, value)
        # One uniform per accepted declaration keeps the stream aligned across variants.
        if self.manual is not None and self._documents() < self.mismatch_rate:
            self.mismatches += 1
            self.manual.arrive(order_id)
        else:
            self.station.arrive(order_id)

    def _after_clearance(self, order_id: int) -> None:
        # One uniform per cleared order keeps the inspection stream aligned across variants.
        if self._uniform() < self.inspection_rate:
            self.inspections += 1
            call_in(self.env, self._inspection(), self._on_release, order_id)
        else:
            self._cleared[order_id] = self.env.now
            self.done(order_id)

    def _release(self, call: Call) -> None:
        order_id = call.value
        now = self.env.now
        self._inspected[order_id] = now
        self._cleared[order_id] = now
        self.done(order_id)
