"""Our own feasibility checker of an MDRP solution against its instance.

Checks the rules of the problem on the three solution tables alone (so it judges
any solver's output, not only ours): every order in at most one assignment and
delivered at most once; assigned after placement and inside the courier's shift;
picked up no earlier than its ready time (a bundle: the latest) and before the
courier's off time; delivered after pickup plus travel, in the bundle's sequence
with the drop-off service between; each courier's moves continuous and consistent
with travel times; the courier at the restaurant at pickup and at the customer at
drop-off for at least the service time; an assignment finished before the next.
Returns problems as one-line strings; an empty list means feasible. This module
must not simulate nor compute metrics.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from .instance import START, Instance, Pos
from .solution import AssignmentRow, Solution


@dataclass(frozen=True, slots=True)
class Stay:
    """A courier at ``place`` from ``arrive`` to ``leave`` (minutes)."""

    place: str
    arrive: int
    leave: float


class Ids:
    """Look-ups by the ids the files use."""

    def __init__(self, instance: Instance) -> None:
        self.orders = {o.id: o for o in instance.orders}
        self.couriers = {c.id: c for c in instance.couriers}
        self.restaurant_of = {o.id: instance.restaurants[o.restaurant].id for o in instance.orders}
        self.places: dict[str, Pos] = {r.id: r.pos for r in instance.restaurants}
        self.places.update({o.id: o.pos for o in instance.orders})


def check_solution(instance: Instance, solution: Solution) -> list[str]:
    """Every rule the solution breaks, one line each (empty: feasible)."""
    ids = Ids(instance)
    problems = [p for a in solution.assignments for p in _assignment(ids, a)]
    problems += _orders(instance, ids, solution)
    stays, timeline_problems = _timelines(instance, ids, solution)
    problems += timeline_problems
    problems += _presence(instance, ids, solution, stays)
    return problems


def _assignment(ids: Ids, a: AssignmentRow) -> list[str]:
    courier = ids.couriers.get(a.courier)
    unknown = [o for o in a.orders if o not in ids.orders]
    if courier is None or unknown or not a.orders:
        return [f"assignment {a}: unknown courier or orders {unknown}"]
    problems = []
    if len({ids.restaurant_of[o] for o in a.orders}) != 1:
        problems.append(f"assignment {a.orders}: orders from more than one restaurant")
    if not courier.on <= a.assigned < courier.off:
        problems.append(
            f"assignment {a.orders} at {a.assigned}: outside courier {a.courier}'s shift "
            f"{courier.on}-{courier.off}"
        )
    if a.pickup > courier.off:
        problems.append(f"assignment {a.orders}: pickup {a.pickup} after off time {courier.off}")
    for o in a.orders:
        order = ids.orders[o]
        if a.assigned < order.placed:
            problems.append(f"order {o}: assigned at {a.assigned} before placed at {order.placed}")
        if a.pickup < order.ready:
            problems.append(f"order {o}: picked up at {a.pickup} before ready at {order.ready}")
    return problems


def _orders(instance: Instance, ids: Ids, solution: Solution) -> list[str]:
    assigned = Counter(o for a in solution.assignments for o in a.orders)
    problems = [f"order {o}: in {n} assignments" for o, n in assigned.items() if n > 1]
    rows = Counter(r.order for r in solution.orders)
    problems += [f"order {o}: delivered {n} times" for o, n in rows.items() if n > 1]
    problems += [f"order {o}: assigned but never delivered" for o in assigned if o not in rows]
    assignment_of = {o: a for a in solution.assignments for o in a.orders}
    dropoff = {r.order: r.dropoff for r in solution.orders}
    for row in solution.orders:
        a = assignment_of.get(row.order)
        order = ids.orders.get(row.order)
        if a is None or order is None:
            problems.append(f"order {row.order}: delivered but in no assignment")
            continue
        if (row.placed, row.ready) != (order.placed, order.ready):
            problems.append(f"order {row.order}: placement/ready times differ from the instance")
        if (row.pickup, row.courier) != (a.pickup, a.courier):
            problems.append(f"order {row.order}: pickup or courier differs from its assignment")
    for a in solution.assignments:
        problems += _sequence(instance, ids, a, dropoff)
    return problems


def _sequence(instance: Instance, ids: Ids, a: AssignmentRow, dropoff: dict[str, int]) -> list[str]:
    """Drop-offs after pickup plus travel, then in sequence with travel and service between."""
    if any(o not in dropoff or o not in ids.orders for o in a.orders):
        return []
    place, clock, gap = ids.restaurant_of[a.orders[0]], a.pickup, 0
    problems = []
    for o in a.orders:
        earliest = clock + gap + instance.travel(ids.places[place], ids.places[o])
        if dropoff[o] < earliest:
            problems.append(f"order {o}: dropped off at {dropoff[o]}, earliest possible {earliest}")
        place, clock, gap = o, dropoff[o], instance.parameters.dropoff_service
    return problems


def _timelines(
    instance: Instance, ids: Ids, solution: Solution
) -> tuple[dict[str, list[Stay]], list[str]]:
    """Each courier's stays from its moves, and the moves' breaks of continuity."""
    stays: dict[str, list[Stay]] = {}
    problems: list[str] = []
    finished: set[str] = set()
    last = None
    for move in solution.moves:
        courier = ids.couriers.get(move.courier)
        if courier is None or move.destination not in ids.places:
            problems.append(f"move {move}: unknown courier or destination")
            continue
        if move.courier != last and move.courier in finished:
            problems.append(f"courier {move.courier}: moves not grouped together")
        finished.add(move.courier)
        last = move.courier
        mine = stays.setdefault(move.courier, [Stay(START, courier.on, float("inf"))])
        here = mine[-1]
        if move.origin != here.place or move.departure < here.arrive:
            problems.append(
                f"courier {move.courier}: leaves {move.origin} at {move.departure}, but is at "
                f"{here.place} from {here.arrive}"
            )
        origin = courier.pos if here.place == START else ids.places[here.place]
        mine[-1] = Stay(here.place, here.arrive, move.departure)
        arrive = move.departure + instance.travel(origin, ids.places[move.destination])
        mine.append(Stay(move.destination, arrive, float("inf")))
    return stays, problems


def _present(stays: list[Stay], place: str, time: int, service: int) -> bool:
    return any(
        # Strictly after arriving, as the public evaluator of grubhub/mdrplib requires.
        s.place == place and s.arrive < time <= s.leave and s.leave - s.arrive >= service
        for s in stays
    )


def _presence(
    instance: Instance, ids: Ids, solution: Solution, stays: dict[str, list[Stay]]
) -> list[str]:
    """The courier is where the hand-overs happen, for the service time, one trip at a time."""
    params, problems = instance.parameters, []
    last_drop: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in solution.orders:
        if not _present(stays.get(row.courier, []), row.order, row.dropoff, params.dropoff_service):
            problems.append(
                f"order {row.order}: courier {row.courier} not at the customer at {row.dropoff}"
            )
        last_drop[row.courier].append((row.pickup, row.dropoff))
    for a in solution.assignments:
        if not a.orders or a.orders[0] not in ids.restaurant_of:
            continue
        restaurant = ids.restaurant_of[a.orders[0]]
        if not _present(stays.get(a.courier, []), restaurant, a.pickup, params.pickup_service):
            problems.append(
                f"assignment {a.orders}: courier {a.courier} not at {restaurant} at {a.pickup}"
            )
        earlier = [d for p, d in last_drop[a.courier] if p < a.pickup]
        if earlier and max(earlier) > a.pickup:
            problems.append(f"assignment {a.orders}: picked up before the previous trip ended")
    return problems
