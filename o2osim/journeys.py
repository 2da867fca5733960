"""Customer journeys between the experience store and the online shop.

A segment with ``journeys`` (:class:`o2osim.scenario.Journeys`) moves between
channels the way shoppers do (GfK 2014: ~28% showroom, ~41% webroom):

- *showrooming*: a store visitor who leaves without buying orders the same
  basket online ``showroom_after`` later, with probability ``showrooming`` -- a
  new row whose ``parent`` is the visit (which ends ``no_purchase``, reason
  ``showroomed``);
- *webrooming*: a customer whose choice fell on a channel that skips the store
  goes to the store instead with probability ``webrooming``: the same row moves
  to the store channel and is placed when the customer reaches the door;
- *bad experiences*: a visitor who waited longer than ``bad_wait`` at the door,
  or (with a memory) whose last store visit went wrong, buys with the store's
  probability times ``bad_experience_factor``.

This module holds that behaviour; the demand builder wires it. It knows the order
book and the segments' journeys and memories, not routes or facilities: placing an
order, ending one and the road distance from a channel's depot are hooks given to
:class:`CustomerJourneys`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, NamedTuple

import simpy

from .customers import FAILED, CustomerMemory
from .kernel import Call, call_in, handlers
from .recorder import OrderBook, Outcome, Reason
from .scenario import Journeys
from .wiring import Hook

#: Ends an order now: ``end(order_id, outcome, reason)``.
End = Callable[[int, Outcome, Reason], None]

#: Stamps of customer journeys (only in scenarios with ``journeys``): ``webroomed`` is when
#: a customer chose to buy in the store what they browsed online (their ``placed`` is
#: when they reach the door); ``showroomed``, on the online order of a showroomer, is when
#: they left the store without buying (the visit is its ``parent``).
JOURNEY_STAMPS = ["webroomed", "showroomed"]


class Showroom(NamedTuple):
    """One segment's showrooming: chance, its uniform, channel index, tax rate, delay (min)."""

    chance: float
    uniform: Callable[[], float]
    channel: int
    tax_rate: float
    after: float


class Webroom(NamedTuple):
    """One segment's webrooming: which channels skip the store, the store channel, etc."""

    online: list[bool]  # per channel index: a channel of the segment that skips the store
    store: int
    tax_rate: float
    chance: float
    uniform: Callable[[], float]
    after: float  # minutes to reach the store


class CustomerJourneys:
    """Showrooming, webrooming and the conversion of each store visitor.

    ``journeys[segment]`` is the segment's table or None; ``memories[segment]`` its
    customers' memory or None; ``showrooms[segment]`` its showrooming (None: its
    visitors do not showroom). Hooks: ``place(order_id)``, ``end(order_id, outcome,
    reason)``, ``home_km(order_id, channel)`` (road km from that channel's depot to
    the order's home).
    """

    HOOKS: ClassVar[tuple[str, ...]] = ("place", "end", "home_km")

    def __init__(
        self,
        env: simpy.Environment,
        book: OrderBook,
        journeys: Sequence[Journeys | None],
        memories: Sequence[CustomerMemory | None],
        showrooms: Sequence[Showroom | None],
        *,
        place: Hook,
        end: End,
        home_km: Callable[[int, int], float],
    ) -> None:
        self.env = env
        self.book = book
        self.journeys = list(journeys)
        self.showrooms = list(showrooms)
        self.memories = list(memories)
        self.place = place
        self.end = end
        self.home_km = home_km
        self._on_showroomed = handlers(self._showroomed)
        self._on_at_store = handlers(self._at_store)
        #: Counted since the start: online orders of showroomers, customers who went to the
        #: store instead, visitors who entered after a bad door wait.
        self.showroomed = self.webroomed = self.bad_door_waits = 0

    # -- showrooming ---------------------------------------------------------------
    def no_purchase(self, order_id: int) -> None:
        """A visitor left without buying; a showroomer orders the basket online later."""
        rule = self.showrooms[self.book.segment[order_id]]
        if rule is None or rule.uniform() >= rule.chance:
            self.end(order_id, Outcome.NO_PURCHASE, Reason.NONE)
            return
        self.end(order_id, Outcome.NO_PURCHASE, Reason.SHOWROOMED)
        # The online order reads the visit's row then: it stays in memory until then.
        self.book.hold(order_id, self.env.now + rule.after)
        call_in(self.env, rule.after, self._on_showroomed, order_id)

    def _showroomed(self, call: Call) -> None:
        """The showroomer's online order: same customer and basket, the channel's tax and
        distance; a new row whose ``parent`` is the visit."""
        parent = call.value
        book = self.book
        rule = self.showrooms[book.segment[parent]]
        if rule is None:  # registered before the visit ended; kept safe all the same
            return
        value = book.value[parent]
        child = book.new(
            self.env.now,
            book.segment[parent],
            rule.channel,
            book.skus[parent],
            value,
            value * rule.tax_rate,
            self.home_km(parent, rule.channel),
            book.x[parent],
            book.y[parent],
        )
        book.customer[child] = book.customer[parent]
        book.parent[child] = parent
        book.column("showroomed")[child] = book.finished[parent]
        self.showroomed += 1
        self.place(child)

    # -- webrooming ----------------------------------------------------------------
    def webroomer(self, rule: Webroom) -> Callable[[int], None]:
        """How a segment that webrooms places its orders: a customer who chose a channel
        that skips the store goes there instead with the rule's chance."""
        book, env = self.book, self.env
        decided = book.column("webroomed")
        online, uniform, chance = rule.online, rule.uniform, rule.chance

        def webroom(order_id: int) -> None:
            if not online[book.channel[order_id]] or uniform() >= chance:
                self.place(order_id)
                return
            self.webroomed += 1
            book.distance[order_id] = self.home_km(order_id, rule.store)
            book.channel[order_id] = rule.store
            book.tax[order_id] = book.value[order_id] * rule.tax_rate
            decided[order_id] = env.now
            call_in(env, rule.after, self._on_at_store, order_id)

        return webroom

    def _at_store(self, call: Call) -> None:
        """A webroomer reaches the store door: the visit is placed now."""
        order_id = call.value
        self.book.placed[order_id] = self.env.now
        self.place(order_id)

    # -- conversion and bad experiences ----------------------------------------------
    def conversion(self, purchase_probability: float) -> Callable[[int], float]:
        """Each entering visitor's purchase probability at a store that sells at
        ``purchase_probability``: webroomers buy with their own; a door wait over
        ``bad_wait``, or (with a memory) a remembered bad visit, multiplies it by
        ``bad_experience_factor``. A good visit clears the memory of a bad one."""
        book, journeys = self.book, self.journeys
        segment, customer = book.segment, book.customer
        queued, webroomed = book.column("door_queued"), book.column("webroomed")

        def conversion(order_id: int) -> float:
            journey = journeys[segment[order_id]]
            if journey is None:
                return purchase_probability
            chance = (
                purchase_probability
                if webroomed[order_id] != webroomed[order_id]
                else journey.webroom_purchase_probability
            )
            bad = (
                journey.bad_wait is not None and self.env.now - queued[order_id] > journey.bad_wait
            )
            self.bad_door_waits += bad
            if journey.bad_experience_factor >= 1.0:
                return chance
            memory = self.memories[segment[order_id]]
            if memory is not None and customer[order_id] >= 0:
                index = customer[order_id] - memory.first
                bad, memory.bad[index] = bad or memory.bad[index], bad
            return chance * journey.bad_experience_factor if bad else chance

        return conversion

    def counters(self) -> dict[str, int]:
        """The journey counters since the start (the monitor reports them)."""
        return {
            "showroomed": self.showroomed,
            "webroomed": self.webroomed,
            "bad_door_waits": self.bad_door_waits,
        }


def sour_next_visit(
    journey: Journeys | None, memory: CustomerMemory, customer: int, how: int, at_store: bool
) -> None:
    """A failed order at a store channel (refused, gave up, a stock-out -- not simply
    leaving without buying) sours the customer's next visit."""
    if how == FAILED and at_store and journey is not None and journey.bad_experience_factor < 1.0:
        memory.bad[customer - memory.first] = True
