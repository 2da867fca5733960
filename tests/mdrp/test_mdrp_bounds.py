"""The lower bound on undelivered orders: by hand, tight on one order and one courier,
and never contradicted by a feasible solution of a bundled instance."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2osim.mdrp.bench import solve
from o2osim.mdrp.bounds import provably_undeliverable
from o2osim.mdrp.instance import Courier, Instance, Order, Parameters, Restaurant
from o2osim.mdrp.settings import PolicySettings

from mdrp_cases import NAMES, Solved


def _one_restaurant(ready: int, shifts: list[tuple[int, int]], metres: float = 500) -> Instance:
    """A restaurant ``metres`` from every courier's start (100 m a minute), one order
    placed at 0; a 2-minute pickup service, so the hand-over can be 1 minute after arrival."""
    return Instance(
        name="tiny",
        restaurants=(Restaurant("r1", (metres, 0.0)),),
        orders=(Order("o1", (metres, 600.0), 0, 0, ready),),
        couriers=tuple(Courier(f"c{i}", (0.0, 0.0), on, off) for i, (on, off) in enumerate(shifts)),
        parameters=Parameters(100, 2, 4, 40, 90, 10, 15),
    )


@pytest.mark.parametrize(
    ("ready", "shifts", "undeliverable"),
    [
        (100, [(0, 100)], False),  # ready exactly at the off time: a pickup at 100 is allowed
        (101, [(0, 100)], True),  # ready after the only courier goes off duty
        (10, [(95, 100)], True),  # on at 95, 5 minutes away: at the door at 100, hand-over 101
        (10, [(94, 100)], False),  # one minute earlier: hand-over at 100
        (10, [(95, 100), (0, 20)], False),  # another courier can make it
    ],
)
def test_undeliverable_by_hand(
    ready: int, shifts: list[tuple[int, int]], undeliverable: bool
) -> None:
    assert bool(provably_undeliverable(_one_restaurant(ready, shifts))) == undeliverable


@given(
    ready=st.integers(0, 200),
    on=st.integers(0, 150),
    length=st.integers(1, 120),
    metres=st.floats(0, 3000),
)
def test_the_bound_is_exact_for_one_order_and_one_courier(
    ready: int, on: int, length: int, metres: float
) -> None:
    # Alone, the courier leaves at its on time and hands over 1 minute after arriving,
    # so it delivers the order exactly when the bound does not rule it out.
    instance = _one_restaurant(ready, [(on, on + length)], metres)
    _, metrics = solve(instance, "fcfs", PolicySettings())
    assert metrics["delivered"] == 1 - len(provably_undeliverable(instance))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("policy", ["fcfs", "rolling_horizon"])
def test_no_feasible_solution_delivers_a_provably_undeliverable_order(
    name: str, policy: str, instances: dict[str, Instance], solved: Solved
) -> None:
    instance, solution = instances[name], solved[name, policy][0]
    never = {instance.orders[o].id for o in provably_undeliverable(instance)}
    assert never.isdisjoint(row.order for row in solution.orders)


def test_the_three_late_orders_of_instance_3_are_the_undeliverable_ones(
    instances: dict[str, Instance],
) -> None:
    # The data: three orders of 3o50t100s1p100 are ready after the last off time (1050).
    instance = instances["3o50t100s1p100"]
    last_off = max(c.off for c in instance.couriers)
    late = [o for o, order in enumerate(instance.orders) if order.ready > last_off]
    assert (last_off, len(late)) == (1050, 3)
    assert provably_undeliverable(instance) == late
