"""Orders no solver can deliver: a lower bound on the undelivered orders of an instance.

An order is provably undeliverable when no courier, however it is dispatched, can be
at the order's restaurant after the ready time and no later than its off time. This
module must not simulate nor choose couriers; it only applies the rules of the
feasibility checker (:mod:`o2osim.mdrp.checker`) to each order and courier alone.
"""

from __future__ import annotations

from .instance import Instance


def earliest_pickup(instance: Instance, order: int, courier: int) -> int:
    """The earliest minute ``courier`` could pick ``order`` up under any plan.

    The courier stands at its start from its on time; a detour through other places
    takes at least the direct travel minutes (whole minutes rounded up never add up
    to less than the direct distance rounded up); the hand-over lies strictly after
    the arrival (the checker's and the public evaluator's rule) and not before the
    ready time.
    """
    c = instance.couriers[courier]
    arrive = c.on + instance.travel(c.pos, instance.restaurant_of(order).pos)
    return max(instance.orders[order].ready, arrive + 1)


def provably_undeliverable(instance: Instance) -> list[int]:
    """Orders (indices) that every courier would pick up after its off time, even if it
    had nothing else to do all day; a lower bound, not the exact count."""
    return [
        o
        for o in range(len(instance.orders))
        if all(
            earliest_pickup(instance, o, c) > courier.off
            for c, courier in enumerate(instance.couriers)
        )
    ]
