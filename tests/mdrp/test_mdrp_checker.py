"""Our feasibility checker accepts our solutions and catches hand-made infeasible ones."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o2osim.mdrp.checker import check_solution
from o2osim.mdrp.instance import Instance
from o2osim.mdrp.solution import Solution
from o2osim.mdrp.trip import Move

from mdrp_cases import NAMES

Solved = dict[tuple[str, str], tuple[Solution, dict[str, float]]]
NAME = NAMES[0]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("policy", ["fcfs", "rolling_horizon"])
def test_every_solution_we_make_is_feasible(
    name: str, policy: str, instances: dict[str, Instance], solved: Solved
) -> None:
    assert check_solution(instances[name], solved[name, policy][0]) == []


def _base(instances: dict[str, Instance], solved: Solved) -> tuple[Instance, Solution]:
    return instances[NAME], solved[NAME, "rolling_horizon"][0]


def _with_order(solution: Solution, index: int, **changes: int | str) -> Solution:
    orders = list(solution.orders)
    orders[index] = replace(orders[index], **changes)  # type: ignore[arg-type]
    return replace(solution, orders=tuple(orders))


def _with_assignment(solution: Solution, index: int, **changes: object) -> Solution:
    rows = list(solution.assignments)
    rows[index] = replace(rows[index], **changes)  # type: ignore[arg-type]
    return replace(solution, assignments=tuple(rows))


def _early(move: Move) -> Move:
    return replace(move, departure=move.departure - 10_000)


def test_hand_made_infeasible_solutions_are_caught(
    instances: dict[str, Instance], solved: Solved
) -> None:
    instance, good = _base(instances, solved)
    first = good.assignments[0]
    order = next(o for o in instance.orders if o.id == first.orders[0])
    courier = next(c for c in instance.couriers if c.id == first.courier)
    cases = {
        "picked up before ready": _with_assignment(good, 0, pickup=order.ready - 1),
        "assigned before placed": _with_assignment(good, 0, assigned=order.placed - 1),
        "pickup after off time": _with_assignment(good, 0, pickup=courier.off + 1),
        "assigned outside the shift": _with_assignment(good, 0, assigned=courier.off),
        "delivered twice": replace(good, orders=good.orders + good.orders[:1]),
        "in two assignments": replace(good, assignments=good.assignments + good.assignments[:1]),
        "never delivered": replace(good, orders=good.orders[1:]),
        "delivered before pickup": _with_order(good, 0, dropoff=good.orders[0].pickup - 1),
        # 4 service minutes, the hand-over 2 after arriving: 2 earlier is on arrival.
        "handed over on arrival": _with_order(good, 0, dropoff=good.orders[0].dropoff - 2),
        "moves broken": replace(good, moves=good.moves[1:]),
        "courier teleports": replace(good, moves=(_early(good.moves[0]), *good.moves[1:])),
    }
    for case, bad in cases.items():
        assert check_solution(instance, bad), case


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_any_dropoff_earlier_than_travel_and_service_allow_is_caught(
    data: st.DataObject, instances: dict[str, Instance], solved: Solved
) -> None:
    # Between pickup and a drop-off lie at least the drive and the service at the previous
    # stop; a drop-off moved earlier by more than both service times breaks one of them.
    instance, good = _base(instances, solved)
    index = data.draw(st.integers(0, len(good.orders) - 1))
    params = instance.parameters
    shift = data.draw(st.integers(params.pickup_service + params.dropoff_service + 1, 120))
    bad = _with_order(good, index, dropoff=good.orders[index].dropoff - shift)
    assert check_solution(instance, bad)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_any_pickup_moved_before_a_ready_time_is_caught(
    data: st.DataObject, instances: dict[str, Instance], solved: Solved
) -> None:
    instance, good = _base(instances, solved)
    index = data.draw(st.integers(0, len(good.assignments) - 1))
    ready = {o.id: o.ready for o in instance.orders}
    latest = max(ready[o] for o in good.assignments[index].orders)
    early = latest - data.draw(st.integers(1, 60))
    assert check_solution(instance, _with_assignment(good, index, pickup=early))
