"""Conservation laws on random valid last-mile scenarios (hypothesis).

Every order placed ends in exactly one outcome consistent with its timestamps,
and an order that failed says why; stock never goes negative; units in = units
out + units on hand. Routes may end at a courier or at the airport, whose
travellers pre-order from a random flight schedule; the scenarios mix the bonded
warehouse with a front warehouse, courier fleets with random dispatch policies,
shifts and failures, and all three kinds of delivery promise. The bonded layout's
features are in test_conservation_bonded.py.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from o2osim.dispatch import DISPATCH_POLICIES
from o2osim.scenario import AIRPORT_STAGES, scenario_from_dict

from random_scenarios import (
    CONSERVATION,
    DISTS,
    add_airport,
    check_shelf,
    customs_table,
    run_and_catalogue,
    segment,
    simulate_and_check,
    warehouse_table,
)

SPEEDS = st.one_of(st.floats(5, 40), st.just({"dist": "uniform", "low": 8.0, "high": 30.0}))
PROMISES = st.sampled_from(
    [
        {"promise": "2h"},
        {"next_day": {"by": "20:00", "cutoff": "18:00"}},
        {
            "slots": {
                "length": "2h",
                "first": "08:00",
                "last": "20:00",
                "lead": "1h",
                "choices": 3,
                "release_before": "15min",
            }
        },
    ]
)


@st.composite
def fleets(draw, depot):
    fleet = {
        "riders": draw(st.integers(1, 8)),
        "depot": depot,
        "speed_kmh": draw(SPEEDS),
        "handover_time": draw(DISTS),
        "dispatch": draw(st.sampled_from(sorted(DISPATCH_POLICIES))),
    }
    if fleet["dispatch"] != "fcfs":
        fleet["capacity"] = draw(st.integers(1, 4))
        fleet["batch_window"] = draw(st.sampled_from(["0s", "3min", "20min"]))
    if draw(st.booleans()):
        first = draw(st.integers(0, fleet["riders"]))
        clock = st.builds("{:02d}:{:02d}".format, st.integers(0, 23), st.sampled_from([0, 30]))
        fleet["shifts"] = [
            {"start": draw(clock), "end": draw(clock), "riders": n}
            for n in (first, fleet["riders"] - first)
            if n
        ]
    fleet["absent_rate"] = draw(st.sampled_from([0.0, 0.2]))
    if draw(st.booleans()):
        fleet["give_up_after"] = "40min"
    if draw(st.booleans()):
        fleet["trip_time"] = draw(DISTS)
    return fleet


@st.composite
def scenarios(draw):
    routes = {}
    for index in range(draw(st.integers(1, 3))):
        front = draw(st.booleans())
        pool = (
            ["reserve", "customs", "front_pick"]
            if front
            else ["reserve", "customs", "pick", "pack"]
        )
        stages = [s for s in pool if draw(st.booleans())] or [pool[-1]]
        end = draw(st.sampled_from(["deliver", "airport", "depot"]))
        promise = draw(PROMISES) if end == "deliver" else {"promise": "2h"}
        channel = {"route": stages, **promise}
        if "slots" in promise:
            stages.append("hold")
        if end == "deliver":
            stages.append("deliver")
            channel["fleet"] = "bikes" if front else "couriers"
            if draw(st.booleans()):
                channel["max_distance_km"] = draw(st.floats(1, 10))
        elif end == "airport":
            stages += [s for s in AIRPORT_STAGES[:-1] if draw(st.booleans())] + ["pickup"]
        if front:
            channel["depot"] = "front"
        if "reserve" in stages and "customs" not in stages:  # legal only for duty-paid goods
            channel["goods"] = "duty_paid"
        routes[f"channel_{index}"] = channel
    names = list(routes)
    segments = []
    for index in range(draw(st.integers(1, 2))):
        segments.append(
            {**draw(segment(index, names)), "around": draw(st.sampled_from(["warehouse", "front"]))}
        )
    raw = {
        **draw(run_and_catalogue()),
        "customers": {"segments": segments},
        "channels": routes,
        "warehouse": {
            **draw(warehouse_table()),
            "replenishment": {
                "policy": draw(st.sampled_from(["s_S", "none"])),
                "review": "4h",
                "lead_time": {"dist": "exponential", "mean": "6h"},
                "reorder_point_days": 1.0,
                "order_up_to_days": 2.0,
            },
        },
        "customs": draw(customs_table(draw(st.floats(50, 2000)))),
        "couriers": draw(fleets("warehouse")),
        "fleets": {"bikes": draw(fleets("front"))},
        "depots": {
            "front": {
                "x_km": draw(st.floats(-5, 5)),
                "y_km": draw(st.floats(-5, 5)),
                "pickers": draw(st.integers(1, 4)),
                "pick_time": draw(DISTS),
            }
        },
        "city": {
            "detour_factor": draw(st.floats(1, 2)),
            "traffic_profile": draw(st.sampled_from(["free", "city"])),
        },
    }
    add_airport(draw, raw, routes)
    return scenario_from_dict(raw)


@CONSERVATION
@given(scenarios())
def test_conservation_laws(scenario):
    orders, ledger = simulate_and_check(scenario)
    # An order that failed says why; one that did not, does not.
    failed = orders["outcome"].isin(["lost_sale", "rejected", "cancelled", "missed"])
    assert ((orders["reason"].astype(str) != "") == failed).all()
    # Handed to a courier: delivered, nobody home, or still riding at the horizon.
    ridden = orders[orders["dispatched"].notna()]
    assert ridden["outcome"].isin(["delivered", "missed", "in_flight"]).all()
    assert (ridden.loc[ridden["outcome"] == "missed", "reason"] == "customer_absent").all()

    # Stock never negative; the ledger balances per SKU and matches the orders.
    if len(ledger):
        units_out = check_shelf(ledger, ("initial", "receipt"))[0]
        # Failed orders put their units back; kept orders hold theirs.
        kept = orders[
            orders["reserved"].notna()
            & orders["outcome"].isin(["delivered", "collected", "in_flight"])
        ]
        assert units_out.sum() == kept["lines"].sum()
