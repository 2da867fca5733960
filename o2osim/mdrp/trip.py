"""One assignment carried out: a courier's moves, pickup and drop-off times.

Travel and service times are deterministic in the MDRP, so a trip is fully known
when it is assigned: from where the courier stands to the restaurant, a wait for
the latest ready time of the bundle, then the drop-offs in the given sequence.
Times are integer minutes. This module must not choose couriers or orders (the
policies do) nor advance a clock (the model does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .instance import Instance, Pos, split_service


@dataclass(frozen=True, slots=True)
class Move:
    """A courier leaves ``origin`` at ``departure`` for ``destination`` (ids as in the
    solution files: ``0`` for the courier's start, a restaurant id or an order id)."""

    courier: str
    departure: int
    origin: str
    destination: str


@dataclass(frozen=True, slots=True)
class Stand:
    """Where a courier is idle from ``free_at`` (minutes): position and solution-file id."""

    free_at: int
    pos: Pos
    place: str


@dataclass(frozen=True)
class Trip:
    """An assignment of ``orders`` (indices, drop-off sequence) to ``courier`` (index)."""

    courier: int
    assigned: int
    orders: tuple[int, ...]
    pickup: int
    dropoffs: tuple[int, ...]
    moves: tuple[Move, ...]
    end: Stand


def pickup_time(instance: Instance, start: int, pos: Pos, orders: Sequence[int]) -> int:
    """When a courier leaving ``pos`` at ``start`` picks up ``orders`` (one restaurant):
    after travel and the first half of the service, and not before the latest ready time."""
    restaurant = instance.restaurant_of(orders[0])
    before, _ = split_service(instance.parameters.pickup_service)
    arrive = start + instance.travel(pos, restaurant.pos)
    return max(arrive + before, max(instance.orders[o].ready for o in orders))


def plan_trip(instance: Instance, courier: int, now: int, at: Stand, orders: Sequence[int]) -> Trip:
    """The trip of ``courier`` standing ``at`` (idle by ``now``) assigned ``orders`` at ``now``."""
    name = instance.couriers[courier].id
    restaurant = instance.restaurant_of(orders[0])
    start = max(now, at.free_at)
    pickup = pickup_time(instance, start, at.pos, orders)
    _, after_pickup = split_service(instance.parameters.pickup_service)
    before_drop, after_drop = split_service(instance.parameters.dropoff_service)
    moves = [Move(name, start, at.place, restaurant.id)]
    leave, pos, place = pickup + after_pickup, restaurant.pos, restaurant.id
    dropoffs = []
    for o in orders:
        order = instance.orders[o]
        moves.append(Move(name, leave, place, order.id))
        drop = leave + instance.travel(pos, order.pos) + before_drop
        dropoffs.append(drop)
        leave, pos, place = drop + after_drop, order.pos, order.id
    return Trip(
        courier=courier,
        assigned=now,
        orders=tuple(orders),
        pickup=pickup,
        dropoffs=tuple(dropoffs),
        moves=tuple(moves),
        end=Stand(leave, pos, place),
    )
