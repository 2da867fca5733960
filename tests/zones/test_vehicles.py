"""Vehicle types: the speed and capacity a fleet's trips use.

A trip's first leg takes distance / speed (the ride) and the handover follows: with a
deterministic speed and handover the delivery time is road km x 60 / speed + handover,
and the courier is back after twice the ride plus the handover. Capacity is an
invariant: no trip carries more orders than the vehicle holds.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zone_setups import fleet_scenario

from o2osim import simulate
from o2osim.scenario import VEHICLES

HANDOVER = 2.0  # minutes


def _plain(vehicle: str, **extra: object) -> dict:
    return {
        "riders": 3,
        "vehicle": vehicle,
        "trip_time": None,  # ride the road, not the stripped-down scenario's trip times
        "handover_time": {"dist": "deterministic", "value": f"{HANDOVER:g}min"},
        **extra,
    }


# Three riders on the road cannot keep up with this demand; the test only times trips.
@pytest.mark.filterwarnings("ignore::o2osim.kpis.stability.UnstableRunWarning")
@pytest.mark.parametrize("vehicle", sorted(VEHICLES))
def test_trip_time_is_distance_over_speed_plus_handover(vehicle):
    speed, _ = VEHICLES[vehicle]
    scenario = fleet_scenario(0.2, _plain(vehicle), horizon="1d")
    assert scenario.couriers is not None
    # fcfs sends one order per trip whatever the vehicle holds.
    assert (scenario.couriers.speed_kmh, scenario.couriers.capacity) == (speed, 1)
    orders = simulate(scenario, seed=3).orders
    done = orders[orders["outcome"] == "delivered"]
    assert len(done) > 100
    ride = done["distance_km"] * 60.0 / speed
    assert np.allclose(done["speed_kmh"], speed)
    assert np.allclose(done["delivered"] - done["dispatched"], ride + HANDOVER)
    back = done["rider_back"].notna()  # the run stops when the last order is delivered
    assert np.allclose(
        (done["rider_back"] - done["dispatched"])[back], (2.0 * ride + HANDOVER)[back]
    )


def test_a_batching_fleet_gets_its_vehicles_capacity_unless_it_sets_its_own():
    van = fleet_scenario(0.2, _plain("van", dispatch="batch")).couriers
    assert van is not None and (van.speed_kmh, van.capacity) == VEHICLES["van"]
    own = fleet_scenario(0.2, _plain("van", dispatch="batch", speed_kmh=12.0, capacity=4))
    assert own.couriers is not None
    assert (own.couriers.speed_kmh, own.couriers.capacity) == (12.0, 4)


@settings(max_examples=8, deadline=None)
@given(
    vehicle=st.sampled_from(sorted(VEHICLES)),
    per_minute=st.floats(0.2, 2.0),
    riders=st.integers(1, 4),
    dispatch=st.sampled_from(["batch", "nearest_neighbour"]),
    bound=st.booleans(),
)
def test_no_trip_carries_more_than_the_vehicle_holds(vehicle, per_minute, riders, dispatch, bound):
    couriers = _plain(vehicle, riders=2 * riders, dispatch=dispatch, batch_window="15min")
    if bound:
        couriers["zones"] = {"sectors": 2, "pooling": "zone"}
    orders = simulate(
        fleet_scenario(per_minute, couriers, horizon="4h", warmup="0s"), seed=1
    ).orders
    trips = orders[orders["trip"] >= 0].groupby("trip").size()
    assert trips.max() <= VEHICLES[vehicle][1]
    assert len(trips) > 0
