"""Dispatch policies of the Meal Delivery Routing Problem, registered by name.

A policy is a plain function with one signature, chosen by name::

    policy(pending, now, fleet) -> (assignments, wake_at)

- ``pending``: orders placed and not yet assigned (indices), oldest first; read only;
- ``now``: the time, whole minutes;
- ``fleet``: a :class:`FleetView` (the instance, the settings, where each courier
  stands and when it is free);
- ``assignments``: ``(courier, orders)`` pairs, ``orders`` one restaurant's bundle in
  drop-off sequence; each courier on duty now (a busy one starts when it is free),
  each order pending;
- ``wake_at``: when to ask again if nothing happens (``math.inf``: on the next event).

These are a family of their own (``mdrp`` in :data:`o2osim.policies.POLICY_NAMES`),
not ``dispatch``: a ``dispatch`` policy sends one courier from one depot, while here
many restaurants and couriers scattered over the city are matched at once.
Policies are pure: no randomness, no SimPy; ties go to the lower index.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Collection, Sequence
from typing import Protocol

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..policies import registrar
from .instance import Instance, split_service
from .settings import PolicySettings
from .trip import Stand, pickup_time

Assignment = tuple[int, tuple[int, ...]]
Decision = tuple[list[Assignment], float]

#: Reward for each order assigned in a round, click-to-door minutes: large enough
#: that serving more orders always beats serving fewer a little faster.
ORDER_REWARD = 10_000.0


class FleetView(Protocol):
    """What a policy may read (read only)."""

    @property
    def instance(self) -> Instance: ...

    @property
    def settings(self) -> PolicySettings: ...

    @property
    def stands(self) -> Sequence[Stand]:
        """By courier index: where and from when (minutes) it is idle."""

    def idle(self, now: int) -> list[int]:
        """Couriers on duty and idle at ``now``, by index."""

    def available(self, now: int, within: int) -> list[int]:
        """Couriers on duty now who finish every trip they have by ``now + within``."""


Policy = Callable[[Collection[int], int, FleetView], Decision]

#: Every MDRP policy by name; :func:`mdrp_policy` adds to it.
MDRP_POLICIES: dict[str, Policy] = {}

mdrp_policy = registrar(MDRP_POLICIES, "mdrp")


def can_pick_up(fleet: FleetView, courier: int, now: int, orders: Sequence[int]) -> bool:
    """Whether ``courier`` leaving now picks ``orders`` up before its off time."""
    at = fleet.stands[courier]
    start = max(now, at.free_at)
    return (
        pickup_time(fleet.instance, start, at.pos, orders) <= fleet.instance.couriers[courier].off
    )


@mdrp_policy("fcfs")
def fcfs(pending: Collection[int], now: int, fleet: FleetView) -> Decision:
    """First come first served: each order as soon as it is placed, oldest first, to the
    nearest idle courier that can pick it up before going off duty; one order a trip."""
    idle = fleet.idle(now)
    instance = fleet.instance
    decisions: list[Assignment] = []
    for order in pending:
        where = instance.restaurant_of(order).pos
        able = [c for c in idle if can_pick_up(fleet, c, now, (order,))]
        if not able:
            continue
        best = min(able, key=lambda c: (instance.travel(fleet.stands[c].pos, where), c))
        decisions.append((best, (order,)))
        idle.remove(best)
        if not idle:
            break
    return decisions, math.inf


def best_sequence(instance: Instance, orders: Sequence[int]) -> tuple[int, ...]:
    """The drop-off sequence with the least total click-to-door (tries every order
    of a small bundle; ties go to the first sequence tried)."""
    start = instance.restaurant_of(orders[0]).pos

    def total(sequence: tuple[int, ...]) -> int:
        clock, pos, summed = 0, start, 0
        for o in sequence:
            clock += (
                instance.travel(pos, instance.orders[o].pos) + instance.parameters.dropoff_service
            )
            pos, summed = instance.orders[o].pos, summed + clock
        return summed

    return min(itertools.permutations(orders), key=total)


def make_bundles(
    instance: Instance, orders: Sequence[int], size: int, window: int, now: int
) -> list[tuple[int, ...]]:
    """Orders grouped by restaurant, in ready order, into bundles of at most ``size``
    whose ready times lie within ``window`` minutes of the bundle's first, an order
    already ready counting as ready ``now`` (it waits for nobody: a late-evening order
    may join one that has waited long for a courier, saving a trip when couriers are
    scarce)."""

    def ready(o: int) -> int:
        return max(instance.orders[o].ready, now)

    by_restaurant: dict[int, list[int]] = {}
    for o in sorted(orders, key=lambda o: (instance.orders[o].ready, o)):
        by_restaurant.setdefault(instance.orders[o].restaurant, []).append(o)
    bundles: list[tuple[int, ...]] = []
    for group in by_restaurant.values():
        current: list[int] = []
        for o in group:
            first = ready(current[0]) if current else 0
            if current and (len(current) == size or ready(o) - first > window):
                bundles.append(best_sequence(instance, current))
                current = []
            current.append(o)
        bundles.append(best_sequence(instance, current))
    return bundles


def _cost(fleet: FleetView, courier: int, now: int, bundle: tuple[int, ...]) -> float:
    """Minutes from now to each door, less the minutes each order has already waited (so
    the oldest go first), plus ``wait_weight`` x the courier's wait at the restaurant,
    less :data:`ORDER_REWARD` per order; ``inf`` if the courier cannot pick the bundle
    up before its off time."""
    instance = fleet.instance
    if not can_pick_up(fleet, courier, now, bundle):
        return math.inf
    at = fleet.stands[courier]
    before, after = split_service(instance.parameters.pickup_service)
    start = max(now, at.free_at)
    arrive = start + instance.travel(at.pos, instance.restaurant_of(bundle[0]).pos) + before
    pickup = pickup_time(instance, start, at.pos, bundle)
    clock, pos, to_door = pickup + after, instance.restaurant_of(bundle[0]).pos, 0.0
    for o in bundle:
        clock += instance.travel(pos, instance.orders[o].pos) + instance.parameters.dropoff_service
        waited = now - instance.orders[o].placed
        pos, to_door = instance.orders[o].pos, to_door + clock - now - waited
    waiting = pickup - arrive
    return to_door + fleet.settings.wait_weight * waiting - ORDER_REWARD * len(bundle)


def _must_leave(fleet: FleetView, courier: int, now: int, bundle: tuple[int, ...]) -> bool:
    """Whether waiting one more round would make the courier late for the bundle."""
    at = fleet.stands[courier]
    later = max(now + fleet.settings.frequency, at.free_at)
    ready = max(fleet.instance.orders[o].ready for o in bundle)
    return pickup_time(fleet.instance, later, at.pos, bundle) > ready


@mdrp_policy("rolling_horizon")
def rolling_horizon(pending: Collection[int], now: int, fleet: FleetView) -> Decision:
    """Every ``frequency`` minutes: bundle the orders ready within ``horizon`` by
    restaurant, match bundles to couriers free by the next round by a linear assignment of the cost
    above, and commit only the matches whose courier must leave now (Reyes et al.
    2018: re-optimise often, bundle by restaurant, size bundles by the ratio of
    orders to couriers, postpone what need not be decided yet)."""
    settings = fleet.settings
    next_round = float((now // settings.frequency + 1) * settings.frequency)
    if now % settings.frequency:
        return [], next_round
    instance = fleet.instance
    soon = [o for o in pending if instance.orders[o].ready <= now + settings.horizon]
    free = fleet.available(now, settings.frequency)
    if not soon or not free:
        return [], next_round
    size = min(settings.max_bundle, max(1, math.ceil(len(soon) / len(free))))
    bundles = make_bundles(instance, soon, size, settings.bundle_window, now)
    cost = np.array([[_cost(fleet, c, now, b) for c in free] for b in bundles])
    usable = np.isfinite(cost)
    # Every usable cost is negative (the order reward), so 0 marks a pair never preferred.
    rows, cols = linear_sum_assignment(np.where(usable, cost, 0.0))
    decisions = [
        (free[c], bundles[r])
        for r, c in zip(rows, cols, strict=True)
        if usable[r, c] and _must_leave(fleet, free[c], now, bundles[r])
    ]
    return decisions, next_round
