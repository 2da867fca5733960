"""The MDRP dispatch policies on hand-computed cases and on Grubhub's bundled instances."""

from __future__ import annotations

from pathlib import Path

import pytest

from o2osim.mdrp.bench import solve
from o2osim.mdrp.bounds import provably_undeliverable
from o2osim.mdrp.instance import Instance
from o2osim.mdrp.loader import PARAMETER_COLUMNS, load_instance
from o2osim.mdrp.settings import PolicySettings

from mdrp_cases import NAMES, Solved, characteristics

#: Instances where couriers cannot keep up with the evening peak (2.4 orders per courier-hour
#: at 1.25 x preparation times): how many orders the rolling horizon may leave undelivered
#: beyond the provably undeliverable ones (observed: 3; whether any policy can do better
#: is open, see docs/mdrp.md).
SHORT_OF_COURIERS = {"4r50t100s1p125": 3}


def _tiny(tmp_path: Path, orders: list[str]) -> Instance:
    """One restaurant 500 m from a courier's start; 100 m a minute; 4 + 4 service minutes."""
    files = {
        "restaurants.txt": "restaurant\tx\ty\nr1\t300\t400\n",
        "orders.txt": "order\tx\ty\tplacement_time\trestaurant\tready_time\n" + "".join(orders),
        "couriers.txt": "courier\tx\ty\ton_time\toff_time\nc1\t0\t0\t0\t100\n",
        "instance_parameters.txt": "\t".join(PARAMETER_COLUMNS) + "\n100\t4\t4\t40\t90\t10\t15\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return load_instance(tmp_path)


@pytest.mark.parametrize("policy", ["fcfs", "rolling_horizon"])
def test_one_order_by_hand(tmp_path: Path, policy: str) -> None:
    # Leave at 0, 5 min to the restaurant, hand-over at max(5 + 2, ready 10) = 10, leave
    # at 12, 6 min (600 m) to the customer, hand-over 2 min after arriving: 20.
    instance = _tiny(tmp_path, ["o1\t300\t1000\t0\tr1\t10\n"])
    solution, metrics = solve(instance, policy, PolicySettings())
    assert [(o.pickup, o.dropoff) for o in solution.orders] == [(10, 20)]
    assert metrics["click_to_door_mean"] == 20
    assert metrics["ready_to_pickup_mean"] == 0


def test_the_rolling_horizon_bundles_orders_of_one_restaurant(tmp_path: Path) -> None:
    orders = ["o1\t300\t1000\t0\tr1\t10\n", "o2\t300\t1100\t0\tr1\t12\n"]
    instance = _tiny(tmp_path, orders)
    rolling, _ = solve(instance, "rolling_horizon", PolicySettings())
    fcfs, _ = solve(instance, "fcfs", PolicySettings())
    assert [a.orders for a in rolling.assignments] == [("o1", "o2")]
    assert [a.orders for a in fcfs.assignments] == [("o1",), ("o2",)]


@pytest.mark.parametrize("name", NAMES)
def test_the_rolling_horizon_delivers_every_order_couriers_can_reach(
    name: str, instances: dict[str, Instance], solved: Solved
) -> None:
    instance = instances[name]
    deliverable = len(instance.orders) - len(provably_undeliverable(instance))
    delivered = solved[name, "rolling_horizon"][1]["delivered"]
    assert deliverable - SHORT_OF_COURIERS.get(name, 0) <= delivered <= deliverable
    assert delivered >= solved[name, "fcfs"][1]["delivered"]


@pytest.mark.parametrize("name", NAMES)
def test_the_rolling_horizon_beats_fcfs_on_mean_click_to_door(name: str, solved: Solved) -> None:
    rolling, fcfs = solved[name, "rolling_horizon"][1], solved[name, "fcfs"][1]
    assert rolling["click_to_door_mean"] < fcfs["click_to_door_mean"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("policy", ["fcfs", "rolling_horizon"])
def test_metrics_agree_with_the_published_instance_figures(
    name: str, policy: str, solved: Solved
) -> None:
    published, metrics = characteristics(name), solved[name, policy][1]
    # Orders per courier-hour is delivered orders over the published courier hours.
    assert metrics["orders_per_courier_hour"] == pytest.approx(
        metrics["delivered"] / published["courier_hours"], rel=1e-4
    )
    if metrics["delivered"] == metrics["orders"]:
        # Nobody's order reaches the door before it is prepared and driven there.
        floor = published["preparation_mean"] + published["travel_minutes_mean"]
        assert metrics["click_to_door_mean"] >= floor


def test_a_day_is_reproduced_exactly(instances: dict[str, Instance], solved: Solved) -> None:
    name = NAMES[1]
    again, _ = solve(instances[name], "rolling_horizon", PolicySettings())
    assert again == solved[name, "rolling_horizon"][0]
