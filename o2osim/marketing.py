"""Acquired customers: a campaign's first orders and their geometric repeat purchases.

A campaign (:class:`o2osim.scenario.marketing.Campaign`) adds a Poisson stream of new
customers to its segment at ``lift_share()`` times the segment's own rate, computed
before time 0 (:mod:`o2osim.builders.marketing`); nothing about the spend is looked at
per event. Each arrival is a new customer with an id of its own: campaign ``i`` of
``n`` numbers its ``k``-th customer ``first + i + n * k``, so the table tells every
acquired customer's campaign without a lookup (:mod:`o2osim.kpis.marketing`). After each
purchase the customer buys again with probability ``p`` after a gap drawn from the
campaign's ``repeat_after``: purchases per customer are geometric, mean ``1 / (1 - p)``.
A repeat falling after the horizon is not placed (arrivals stop there).

This module must not know the facilities or decide an order's fate: orders go to
``place(order_id)``; it draws only from the streams it is given.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy

from .customers import OrderFactory
from .distributions import Draw
from .kernel import Call, call_in, handlers
from .recorder import OrderBook


class Acquisition:
    """One campaign's customers: a new one at each arrival, repeats after each purchase."""

    def __init__(
        self,
        env: simpy.Environment,
        book: OrderBook,
        factory: OrderFactory,
        ids: tuple[int, int],
        repeat_probability: float,
        uniform: Draw,
        gap: Draw,
        stop_at: float,
        place: Callable[[int], None],
    ) -> None:
        """``ids`` is (this campaign's first customer id, the step between its ids)."""
        self.env = env
        self.book = book
        self.factory = factory
        self.next_id, self.step = ids
        self.p = repeat_probability
        self.uniform = uniform
        self.gap = gap
        self.stop_at = stop_at
        self.place = place
        self._on_repeat = handlers(self._repeat)
        #: New customers so far (from time 0).
        self.acquired = 0

    def arrive(self, time: float) -> None:
        """A new customer's first order, placed at ``time`` (minutes)."""
        customer = self.next_id
        self.next_id += self.step
        self.acquired += 1
        self._buy(time, customer)

    def _buy(self, time: float, customer: int) -> None:
        order_id = self.factory.build(time)
        self.book.customer[order_id] = customer
        self.place(order_id)
        if self.uniform() < self.p:
            when = time + self.gap()
            if when < self.stop_at:
                call_in(self.env, when - self.env.now, self._on_repeat, customer)

    def _repeat(self, call: Call) -> None:
        self._buy(self.env.now, call.value)
