"""What customers do on finding the shelf short: substitute, switch channel, wait or leave.

A segment with a ``stockout`` table (:class:`o2osim.scenario.StockoutResponse`)
responds to a stock-out at the ``reserve`` stage with one of the four
:class:`o2osim.recorder.Response` values, drawn from its probabilities with the
segment's own stream (one uniform per stock-out, so the other streams do not
move). The response is written to the order's ``stockout_response`` column,
and every order stamped ``stocked_out`` gets exactly one: the stock-out
responses add up to the stock-outs.

This module carries the response out through the stock pool; it does not know
routes or channels beyond their indices: switching an order to another channel,
ending an order and sending a filled one on are hooks into the order flow.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Sequence
from typing import ClassVar, NamedTuple

import simpy

from .facilities.stock import StockPool
from .kernel import Call, call_in, handlers
from .recorder import OrderBook, Outcome, Reason, Response
from .scenario import StockoutResponse
from .wiring import Hook


class Rule(NamedTuple):
    """One segment's responses, ready to draw."""

    cumulative: list[float]  # cumulative probabilities in Response order
    uniform: Callable[[], float]  # the response draw
    pick: Callable[[], float]  # the draw of the channel switched to
    span: int  # substitute_span, ranks
    patience: float | None  # wait_patience, minutes
    #: Channel indices the segment can switch to (they do not draw on the pool).
    alternatives: tuple[int, ...]


def rule(
    config: StockoutResponse,
    uniform: Callable[[], float],
    pick: Callable[[], float],
    alternatives: Sequence[int],
) -> Rule:
    """A :class:`Rule` from the scenario's table and the segment's two uniform draws."""
    cumulative = list(itertools.accumulate(config.probabilities()))
    return Rule(
        cumulative, uniform, pick, config.substitute_span, config.wait_patience, tuple(alternatives)
    )


class Responder:
    """Carries out each stock-out response of the segments that have rules.

    ``rules[segment]`` is None for a segment without a ``stockout`` table;
    ``catalogues`` are the (first, last) SKU ids of each catalogue, so that a
    substitute comes from the basket's own catalogue. Hooks: ``end(order_id,
    outcome, reason)`` ends an order; ``switch(order_id, channel)`` moves it to the
    start of another channel's route; ``weights(order_id, channels)`` gives the
    segment's choice weights over those channels, 0 for a channel that does not
    serve the home (with no weight left the customer buys from a competitor);
    ``done(order_id)`` sends on an order that has all its units (a substitute
    basket), stamped ``reserved`` as the reserve stage stamps it.
    """

    HOOKS: ClassVar[tuple[str, ...]] = ("end", "switch", "weights", "done")

    def __init__(
        self,
        env: simpy.Environment,
        book: OrderBook,
        pool: StockPool,
        rules: Sequence[Rule | None],
        prices: Sequence[float],
        catalogues: Sequence[tuple[int, int]],
        *,
        end: Callable[[int, Outcome, Reason], None],
        switch: Callable[[int, int], None],
        weights: Callable[[int, Sequence[int]], list[float]],
        done: Hook,
    ) -> None:
        self.env = env
        self.book = book
        self.pool = pool
        self.rules = list(rules)
        self.prices = prices
        self.catalogues = list(catalogues)
        self.response = book.counts["stockout_response"]
        self.reserved = book.column("reserved")
        self.end = end
        self.switch = switch
        self.weights = weights
        self.done = done
        self._on_give_up = handlers(self._give_up)

    @property
    def responds(self) -> list[bool]:
        """Per segment: do its customers respond to stock-outs themselves?"""
        return [r is not None for r in self.rules]

    def respond(self, order_id: int) -> None:
        """The order found the shelf short now: draw the response and carry it out."""
        rule = self.rules[self.book.segment[order_id]]
        if rule is None:  # wired only for segments with rules; kept safe all the same
            raise RuntimeError(f"order {order_id}: its segment has no stock-out responses")
        # Scaled by the total: shares summing to 1 within the validator's tolerance must
        # not give a response of probability 0 the rounding gap.
        draw = rule.uniform() * rule.cumulative[-1]
        response = Response(min(bisect.bisect_right(rule.cumulative, draw), len(Response) - 1))
        self.response[order_id] = response
        if response == Response.SUBSTITUTE:
            self._substitute(order_id, rule)
        elif response == Response.SWITCH_CHANNEL:
            self._switch(order_id, rule)
        elif response == Response.WAIT:
            self._wait(order_id, rule)
        else:
            self.end(order_id, Outcome.LOST_SALE, Reason.OUT_OF_STOCK)

    def _substitute(self, order_id: int, rule: Rule) -> None:
        book = self.book
        skus = book.skus[order_id]
        first, last = next(c for c in self.catalogues if c[0] <= skus[0] <= c[1])
        basket = self.pool.substitutes(skus, book.channel[order_id], rule.span, first, last)
        if basket is None:
            self.end(order_id, Outcome.LOST_SALE, Reason.NO_SUBSTITUTE)
            return
        value = book.value[order_id]
        tax_rate = book.tax[order_id] / value if value else 0.0
        new_value = sum(self.prices[s] for s in basket)
        book.skus[order_id] = basket
        book.value[order_id] = new_value
        book.tax[order_id] = new_value * tax_rate
        now = self.env.now
        book.column("substituted")[order_id] = now
        self.pool.take(order_id, basket)
        self.reserved[order_id] = now
        self.done(order_id)

    def _switch(self, order_id: int, rule: Rule) -> None:
        if not rule.alternatives:
            self.end(order_id, Outcome.LOST_SALE, Reason.WENT_ELSEWHERE)
            return
        weights = self.weights(order_id, rule.alternatives)
        total = sum(weights)
        if total <= 0:  # none reaches this home, or none would be chosen: a competitor
            self.end(order_id, Outcome.LOST_SALE, Reason.WENT_ELSEWHERE)
            return
        cumulative = list(itertools.accumulate(weights))
        index = min(
            bisect.bisect_right(cumulative, rule.pick() * total), len(rule.alternatives) - 1
        )
        self.switch(order_id, rule.alternatives[index])

    def _wait(self, order_id: int, rule: Rule) -> None:
        book = self.book
        book.column("backordered")[order_id] = self.env.now
        self.pool.wait(order_id, book.skus[order_id], book.channel[order_id])
        if rule.patience is not None:
            call_in(self.env, rule.patience, self._on_give_up, order_id)

    def _give_up(self, call: Call) -> None:
        order_id = call.value
        if self.pool.abandon(order_id):
            self.end(order_id, Outcome.CANCELLED, Reason.BACKORDER_TOO_LONG)
