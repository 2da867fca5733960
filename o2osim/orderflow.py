"""The order flow: each order's way along its channel's route, and how it ends.

An order enters its route through its channel's *entry* (the first stage, or a
check in front of it: see :mod:`o2osim.builders.routes`) and walks the route by
:meth:`OrderFlow.advance`, the ``done`` hook of every stage. It ends delivered or
collected when its route is done (:attr:`~o2osim.plan.ChannelPlan.final_outcome`),
or early through the flow's other hooks: ``end`` (with an outcome and a reason),
``fail`` (a stage gives up; reserved units go back), ``missed`` (an airport order;
refunded), ``rejected`` (customs; the customer may split the basket and resubmit
the parts), ``gave_up`` (balked or reneged in a queue), ``turned_away``,
``lost_sale``, ``cancelled``; a customer who answers a stock-out may
:meth:`~OrderFlow.switch_channel`. A segment with a memory remembers how each
order went; :class:`Customers` keeps that and answers the questions asked about
customers (choice weights over channels, km from a channel's depot).

Everything per order comes from the :class:`~o2osim.plan.Plan` and the order
book: this module must not read the scenario, build facilities or draw from a
stream of its own (its split draws are given to it).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from typing import ClassVar

import simpy

from .choice import Chooser
from .city import road_km
from .customers import FAILED, LATE, ON_TIME, CustomerMemory, split_basket
from .facilities.couriers import RiderFleet
from .facilities.patience import BALKED
from .facilities.station import Station
from .facilities.stock import StockPool
from .journeys import sour_next_visit
from .kernel import Call, call_in, handlers
from .plan import Plan
from .promises import due_time
from .recorder import OrderBook, Outcome, Reason
from .returns import Returns
from .wiring import Hook, unwired

#: A route as its stages' ``arrive`` hooks, in route order.
Route = tuple[Hook, ...]


class OrderFlow:
    """Places, advances and ends the orders of one run (see the module docstring).

    ``split[segment]`` is the draw deciding whether a rejected customer splits the
    basket (None: the segment never splits); ``memories`` and ``choosers`` make its
    :class:`Customers`. Routes and entries are connected once the stages exist
    (:meth:`connect`).
    """

    HOOKS: ClassVar[tuple[str, ...]] = ("routes", "entries")

    def __init__(
        self,
        env: simpy.Environment,
        book: OrderBook,
        plan: Plan,
        prices: Sequence[float],
        *,
        pool: StockPool | None,
        returns: Returns,
        memories: Sequence[CustomerMemory | None],
        choosers: Sequence[Chooser | None],
        split: Sequence[Callable[[], float] | None],
    ) -> None:
        self.env = env
        self.book = book
        self.plan = plan
        self.channels = plan.channels
        self.segments = plan.segments
        self.prices = prices
        self.pool = pool
        self.returns = returns
        self.split = list(split)
        self.customers = Customers(book, plan, memories, choosers)
        self.remember = self.customers.remember
        self.remembering = self.customers.remembering
        self._reserved = book.column("reserved") if pool is not None else None
        self._on_resubmit = handlers(self._resubmit)
        #: Per channel index: its route's ``arrive`` hooks, and how an order enters it.
        self.routes: list[Route] = unwired("order flow", "routes")
        self.entries: list[Hook] = unwired("order flow", "entries")
        #: Per channel index: the outcome of an order whose route is done, and whether
        #: some come back (read once per order, so not from the plan's properties).
        self._endings: list[tuple[Outcome, bool]] = []

    def connect(self, routes: Sequence[Route], entries: Sequence[Hook]) -> None:
        """Connect every channel's route and entry (the stages exist only now)."""
        self.routes = list(routes)
        self.entries = list(entries)
        self._endings = [(c.final_outcome, c.returns) for c in self.channels]
        self._hand_on_fixed_steps()

    def _hand_on_fixed_steps(self) -> None:
        """Let a station that is one step of one route hand its orders to the next stage.

        Its orders all come to it through that step (a stage in a route is entered only
        through its route), so :meth:`advance` would always send them to the same next
        stage: the station does that itself (:meth:`Station.hand_on`), one call and three
        lookups less per order. A station on several routes or steps, or also reached
        through a wrapper's ``station`` (patience), keeps ``advance``.
        """
        places = Counter(stage for route in self.routes for stage in route)
        owners = [getattr(stage, "__self__", None) for route in self.routes for stage in route]
        wrapped = {id(getattr(owner, "station", None)) for owner in owners}
        for route in self.routes:
            for step in range(1, len(route)):
                station = getattr(route[step - 1], "__self__", None)
                if (
                    type(station) is Station
                    and places[route[step - 1]] == 1
                    and id(station) not in wrapped
                    and station.done == self.advance
                ):
                    station.hand_on(route[step], self.book.step, step)
        for channel, route in enumerate(self.routes):
            self._end_at_last_stage(channel, route[-1], places[route[-1]] == 1, wrapped)

    def _end_at_last_stage(self, channel: int, last: Hook, once: bool, wrapped: set[int]) -> None:
        """Let the last stage of a route end its orders' route itself, where the end is
        just the finish time and the outcome (no returns, no memories): one call and the
        lookups of :meth:`advance` less per order.

        The stage must be a plain station on this one place of all routes, not behind a
        wrapper, whose ``done`` is :meth:`advance`, or a teaching fleet's station whose
        fleet hands over to :meth:`advance` (:meth:`RiderFleet.end_route`).
        """
        outcome, returns = self._endings[channel]
        station = getattr(last, "__self__", None)
        if returns or self.remembering or not once or type(station) is not Station:
            return
        if id(station) in wrapped:
            return
        book = self.book
        if station.done == self.advance:
            station.end_route(book.finished, book.outcome, outcome)
            return
        fleet = getattr(station.done, "__self__", None)
        if isinstance(fleet, RiderFleet) and fleet.done == self.advance:
            fleet.end_route(book.finished, book.outcome, outcome)

    # -- the way along the route ----------------------------------------------------
    def place(self, order_id: int) -> None:
        """A new order enters its channel's route."""
        self.entries[self.book.channel[order_id]](order_id)

    def advance(self, order_id: int) -> None:
        """The order finished its current stage: on to the next, or done."""
        book = self.book
        step = book.step[order_id] + 1
        channel = book.channel[order_id]
        route = self.routes[channel]
        if step < len(route):
            book.step[order_id] = step
            route[step](order_id)
        else:
            book.finished[order_id] = self.env.now
            outcome, returns = self._endings[channel]
            book.outcome[order_id] = outcome
            if returns:
                self.returns.after_done(order_id)
            if self.remembering:
                self.remember(order_id, None)

    def switch_channel(self, order_id: int, channel: int) -> None:
        """The order starts over on ``channel`` (its price and distance as that channel's)."""
        book = self.book
        segment = self.segments[book.segment[order_id]]
        book.channel[order_id] = channel
        book.tax[order_id] = book.value[order_id] * segment.tax_rates[segment.position[channel]]
        book.distance[order_id] = road_km(
            (book.x[order_id], book.y[order_id]),
            self.channels[channel].depot_position,
            self.plan.detour,
        )
        book.step[order_id] = 0
        self.entries[channel](order_id)

    # -- how orders end early ---------------------------------------------------------
    def end(self, order_id: int, outcome: Outcome, reason: Reason, at_stage: bool = True) -> None:
        """The order ends now without being delivered or collected, for ``reason``."""
        book = self.book
        if book.outcome[order_id]:
            return  # ended already (an airport order missed while it was on its way)
        book.finished[order_id] = self.env.now
        book.outcome[order_id] = outcome
        book.failed_at[order_id] = book.step[order_id] if at_stage else -1
        book.reason[order_id] = reason
        # Browsing without buying is not a bad experience: trust and propensity stay.
        if self.remembering and outcome != Outcome.NO_PURCHASE:
            self.remember(order_id, FAILED)

    def fail(self, order_id: int, outcome: Outcome, reason: Reason) -> None:
        """A stage gives up on an order; its reserved units go back on the shelf."""
        book = self.book
        if book.outcome[order_id]:
            return  # ended already: its units went back then
        pool, reserved = self.pool, self._reserved
        if pool is not None and reserved is not None and not math.isnan(reserved[order_id]):
            pool.release(order_id, book.skus[order_id])
        self.end(order_id, outcome, reason)

    def missed(self, order_id: int, reason: Reason) -> None:
        """An airport order was not collected: its goods go back to stock, it is refunded."""
        book = self.book
        if book.outcome[order_id]:
            return
        book.refund[order_id] = book.value[order_id] + book.tax[order_id]
        self.fail(order_id, Outcome.MISSED, reason)

    def gave_up(self, order_id: int, how: int) -> None:
        """A customer left a queue (balked or reneged) now: the order ends there.

        A pre-paid airport order is refunded, as a missed pickup is."""
        book = self.book
        if self.channels[book.channel[order_id]].prepaid_pickup:
            book.refund[order_id] = book.value[order_id] + book.tax[order_id]
        self.fail(order_id, Outcome.BALKED if how == BALKED else Outcome.RENEGED, Reason.NONE)

    def turned_away(self, order_id: int) -> None:
        """The store's experience zone was full and it has no door queue."""
        self.end(order_id, Outcome.TURNED_AWAY, Reason.ZONE_FULL)

    def lost_sale(self, order_id: int) -> None:
        """The basket was not on the shelf (the reason is on the order)."""
        self.end(order_id, Outcome.LOST_SALE, Reason(self.book.reason[order_id]))

    def cancelled(self, order_id: int) -> None:
        """A paid order is cancelled (the reason is on the order)."""
        self.end(order_id, Outcome.CANCELLED, Reason(self.book.reason[order_id]))

    def rejected(self, order_id: int, per_order_limit: float) -> None:
        """Customs refused the order: its units go back; the customer may split it."""
        book = self.book
        self.fail(order_id, Outcome.REJECTED, Reason(book.reason[order_id]))
        segment = book.segment[order_id]
        draw = self.split[segment]
        if book.reason[order_id] != Reason.OVER_ORDER_LIMIT or draw is None:
            return
        if draw() >= self.segments[segment].split_on_rejection:
            return
        parts = split_basket(book.skus[order_id], self.prices, per_order_limit)
        if parts is not None and len(parts) > 1:
            call_in(
                self.env,
                self.segments[segment].resubmit_after,
                self._on_resubmit,
                (order_id, parts),
            )

    def _resubmit(self, call: Call) -> None:
        """Place the parts of a split order; they start after the store."""
        parent, parts = call.value
        book, now = self.book, self.env.now
        channel = book.channel[parent]
        step = self.channels[channel].resume_step
        tax_rate = self.plan.customs_tax_rate
        for skus in parts:
            value = sum(self.prices[s] for s in skus)
            child = book.new_part(parent, now, channel, skus, value, value * tax_rate)
            book.step[child] = step
            self.routes[channel][step](child)


class Customers:
    """What the order flow knows of customers: their memories, their channel choice, and
    how far each channel's depot is from their home.

    ``memories[segment]`` is the segment's customers' memory (None: they forget);
    ``choosers[segment]`` its channel choice (None: fixed shares).
    """

    def __init__(
        self,
        book: OrderBook,
        plan: Plan,
        memories: Sequence[CustomerMemory | None],
        choosers: Sequence[Chooser | None],
    ) -> None:
        self.book = book
        self.plan = plan
        self.channels = plan.channels
        self.segments = plan.segments
        self.memories = list(memories)
        self.choosers = list(choosers)
        self.journeying = plan.journeying
        #: Some segment's customers remember how their orders went.
        self.remembering = any(m is not None for m in self.memories)

    def remember(self, order_id: int, how: int | None) -> None:
        """The order's customer remembers it: ``how`` (None: on time or late, from its due
        time)."""
        book = self.book
        segment = book.segment[order_id]
        memory = self.memories[segment]
        customer = book.customer[order_id]
        if memory is None or customer < 0:
            return
        channel = book.channel[order_id]
        spec = self.channels[channel]
        if how is None:
            due = due_time(spec, book.placed[order_id], book.column("slot_start")[order_id])
            how = ON_TIME if book.finished[order_id] <= due else LATE
        memory.remember(customer, self.segments[segment].position[channel], how)
        if self.journeying:
            sour_next_visit(self.segments[segment].journey, memory, customer, how, spec.walk_in)

    def home_km(self, order_id: int, channel: int) -> float:
        """Road km from the depot of ``channel`` to the home of ``order_id``'s customer."""
        book = self.book
        depot = self.channels[channel]
        if depot.depot == self.channels[book.channel[order_id]].depot:
            return book.distance[order_id]
        return road_km((book.x[order_id], book.y[order_id]), depot.depot_position, self.plan.detour)

    def choice_weights(self, order_id: int, channels: Sequence[int]) -> list[float]:
        """The order's segment's choice weights over ``channels`` (channel indices), 0 for
        a channel that does not serve the home."""
        book = self.book
        index = book.segment[order_id]
        segment = self.segments[index]
        chooser = self.choosers[index]
        shares: Sequence[float]
        if chooser is None:
            shares = segment.shares
        else:
            x, y = book.x[order_id], book.y[order_id]
            home = road_km((x, y), segment.around_position, self.plan.detour)
            memory = self.memories[index]
            customer = book.customer[order_id]
            trust = (
                memory.trust[customer - memory.first]
                if memory is not None and customer >= 0
                else None
            )
            shares = chooser.probabilities(book.value[order_id], x, y, home, trust)
        weights = []
        for c in channels:
            radius = self.channels[c].max_distance_km
            reachable = radius is None or self.home_km(order_id, c) <= radius
            weights.append(shares[segment.position[c]] if reachable else 0.0)
        return weights
