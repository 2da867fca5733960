"""Dispatch policies of a courier fleet: which waiting orders an idle courier takes now.

A policy is a plain function with one signature, chosen by name in the scenario
(``dispatch = "batch"``)::

    policy(waiting, now, fleet) -> (stops, wake_at)

- ``waiting``: the orders ready at the depot, oldest first; an ordered read-only
  collection (iterate it, ``len`` it, test ``in``; never change it);
- ``now``: the simulation time, minutes;
- ``fleet``: a :class:`DispatchView` (capacity, batching window, when each order
  became ready, where each customer and the depot are);
- ``stops``: the order ids one idle courier takes now, in visiting order; empty
  means nobody leaves now;
- ``wake_at``: when to ask again if nothing else happens (minutes; ``math.inf``:
  only when an order arrives or a courier comes back or on shift).

The fleet asks whenever something changes and keeps asking while it has an idle
courier and the policy returns stops, so a policy decides for one courier at a
time. A new policy is one function decorated with :func:`dispatch_policy`.

Policies are pure: no randomness, no SimPy, no side effects. Ties are broken by
age (the older order first), so runs stay deterministic.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Collection, Sequence
from typing import Protocol

from .city import Point
from .policies import registrar

Decision = tuple[list[int], float]


class DispatchView(Protocol):
    """What a policy may read about its fleet (read only). Times are minutes, positions km."""

    @property
    def capacity(self) -> int:
        """Orders per trip at most."""

    @property
    def window(self) -> float:
        """Batching window: the longest a batch may hold an order, minutes."""

    @property
    def ready(self) -> Sequence[float]:
        """By order id: when the order became ready for dispatch."""

    @property
    def x(self) -> Sequence[float]:
        """By order id: the customer's position, km."""

    @property
    def y(self) -> Sequence[float]:
        """By order id: the customer's position, km."""

    @property
    def depot(self) -> Point:
        """Where the fleet's couriers start and end their trips."""


Policy = Callable[[Collection[int], float, DispatchView], Decision]

#: Every dispatch policy by name; :func:`dispatch_policy` adds to it.
DISPATCH_POLICIES: dict[str, Policy] = {}


#: Decorator: ``@dispatch_policy("name")`` registers a policy function.
dispatch_policy = registrar(DISPATCH_POLICIES, "dispatch")


def _batch_closes(waiting: Collection[int], now: float, fleet: DispatchView) -> float | None:
    """``None`` if a batch may leave now, else the time its window closes.

    A batch leaves as soon as it is full or its oldest order has waited the window.
    """
    if len(waiting) >= fleet.capacity:
        return None
    closes = fleet.ready[next(iter(waiting))] + fleet.window
    return None if now >= closes else closes


@dispatch_policy("fcfs")
def fcfs(waiting: Collection[int], now: float, fleet: DispatchView) -> Decision:
    """One order per trip, first come first served."""
    return [next(iter(waiting))], math.inf


@dispatch_policy("batch")
def batch(waiting: Collection[int], now: float, fleet: DispatchView) -> Decision:
    """Time-window batching: up to ``capacity`` oldest orders, visited oldest first.

    The courier leaves when the batch is full or when its oldest order has waited
    ``window`` minutes, whichever comes first; so batching alone never holds an
    order past its window (only a lack of idle couriers can).
    """
    closes = _batch_closes(waiting, now, fleet)
    if closes is not None:
        return [], closes
    return list(itertools.islice(waiting, fleet.capacity)), math.inf


@dispatch_policy("nearest_neighbour")
def nearest_neighbour(waiting: Collection[int], now: float, fleet: DispatchView) -> Decision:
    """Time-window batching, but the batch is the oldest order and its nearest neighbours,
    visited in nearest-neighbour order from the depot.

    Always taking the oldest order means no order starves however far it lives.
    """
    closes = _batch_closes(waiting, now, fleet)
    if closes is not None:
        return [], closes
    x, y = fleet.x, fleet.y
    orders = iter(waiting)
    oldest = next(orders)
    ox, oy = x[oldest], y[oldest]
    chosen = [
        oldest,
        *heapq.nsmallest(
            fleet.capacity - 1, orders, key=lambda o: math.hypot(x[o] - ox, y[o] - oy)
        ),
    ]
    return nearest_neighbour_tour(chosen, fleet.depot, x, y), math.inf


def nearest_neighbour_tour(
    orders: list[int], start: Point, x: Sequence[float], y: Sequence[float]
) -> list[int]:
    """Visit ``orders`` from ``start`` always going to the nearest unvisited customer.

    Ties go to the order listed first.
    """
    left = list(orders)
    tour: list[int] = []
    px, py = start
    while left:
        best = min(left, key=lambda o: math.hypot(x[o] - px, y[o] - py))
        left.remove(best)
        tour.append(best)
        px, py = x[best], y[best]
    return tour
