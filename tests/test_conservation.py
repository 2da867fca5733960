"""Conservation laws on random valid scenarios (hypothesis).

Every order placed ends in exactly one outcome consistent with its timestamps;
stock never goes negative; units in = units out + units on hand.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2osim import simulate
from o2osim.scenario import STAGES, scenario_from_dict

DISTS = st.sampled_from([
    {"dist": "exponential", "mean": "1min"},
    {"dist": "lognormal", "mean": "50s", "cv": 0.7},
    {"dist": "deterministic", "value": "40s"},
    {"dist": "gamma", "mean": "2min", "cv": 1.5},
    {"dist": "uniform", "low": "10s", "high": "2min"},
    {"dist": "triangular", "low": "10s", "mode": "30s", "high": "3min"},
    {"dist": "empirical", "values": ["20s", "40s", "3min"]},
])


@st.composite
def scenarios(draw):
    routes = {}
    for index in range(draw(st.integers(1, 3))):
        stages = [s for s in STAGES if draw(st.booleans())] or ["pick"]
        routes[f"channel_{index}"] = {"route": stages, "promise": "2h"}
    names = list(routes)
    segments = []
    for index in range(draw(st.integers(1, 2))):
        chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names),
                               unique=True))
        segments.append({
            "name": f"segment_{index}",
            "arrivals_per_day": draw(st.floats(50, 1500)),
            "hourly_profile": draw(st.sampled_from(["flat", "retail", "store_hours"])),
            "weekday_profile": draw(st.sampled_from(["flat", "weekend_peak"])),
            "channels": chosen,
            "channel_shares": [draw(st.floats(0.1, 5)) for _ in chosen],
        })
    raw = {
        "scenario": {"name": "random", "layout": "omnichannel_hub",
                     "horizon": f"{draw(st.integers(6, 60))}h", "warmup": "1h",
                     "seed": draw(st.integers(0, 2**32))},
        "customers": {"segments": segments},
        "catalogue": {"skus": draw(st.integers(1, 80)),
                      "items_per_order": draw(st.floats(1, 4)),
                      "popularity": {"dist": "zipf", "a": draw(st.floats(0, 2))}},
        "channels": routes,
        "warehouse": {
            "pickers": draw(st.integers(1, 6)), "pick_time": draw(DISTS),
            "packers": draw(st.integers(1, 4)), "pack_time": draw(DISTS),
            "unlimited_stock": draw(st.booleans()),
            "initial_stock_days": draw(st.floats(0, 3)),
            "replenishment": {"policy": draw(st.sampled_from(["s_S", "none"])),
                              "review": "4h",
                              "lead_time": {"dist": "exponential", "mean": "6h"},
                              "reorder_point_days": 1.0, "order_up_to_days": 2.0},
        },
        "customs": {"capacity": draw(st.integers(1, 10)), "clearance_time": draw(DISTS),
                    "inspection_rate": draw(st.floats(0, 1)),
                    "inspection_time": draw(DISTS),
                    "per_order_limit_cny": draw(st.floats(50, 2000))},
        "couriers": {"riders": draw(st.integers(1, 10)), "speed_kmh": draw(st.floats(5, 40))},
    }
    if draw(st.booleans()):
        raw["couriers"]["trip_time"] = draw(DISTS)
    return scenario_from_dict(raw)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_conservation_laws(scenario):
    result = simulate(scenario)
    orders, ledger = result.orders, result.inventory

    # Every order placed has exactly one outcome, consistent with its timestamps.
    assert orders["outcome"].notna().all()
    in_flight = orders["outcome"] == "in_flight"
    assert orders.loc[in_flight, "finished"].isna().all()
    assert orders.loc[~in_flight, "finished"].notna().all()
    assert (orders["finished"].dropna() <= scenario.scenario.horizon).all()
    delivered = orders["outcome"] == "delivered"
    assert orders.loc[delivered, "delivered"].notna().all()
    lost = orders["outcome"] == "lost_sale"
    assert orders.loc[lost, "reserved"].isna().all()
    counts = orders["outcome"].value_counts()
    assert counts.sum() == len(orders)
    # Stage timestamps never run backwards along an order's route.
    for channel, spec in scenario.channels.items():
        rows = orders[orders["channel"] == channel]
        ends = {"reserve": "reserved", "customs": "cleared", "pick": "picked",
                "pack": "packed", "deliver": "delivered"}
        previous = rows["placed"].to_numpy()
        for stage in spec.route:
            current = rows[ends[stage]].to_numpy()
            ok = np.isnan(current) | (current >= previous)
            assert ok.all(), f"{stage} before the previous stage in {channel}"
            previous = np.where(np.isnan(current), previous, current)

    # Stock never negative; the ledger balances per SKU and matches the orders.
    if len(ledger):
        assert (ledger["on_hand"] >= 0).all()
        assert (ledger["on_order"] >= 0).all()
        last = ledger.groupby("sku").tail(1).set_index("sku")
        by_kind = ledger.groupby(["sku", "kind"], observed=False)["on_hand_change"].sum()
        units_in = by_kind.xs("initial", level="kind") + by_kind.xs("receipt", level="kind")
        units_out = -(by_kind.xs("reserve", level="kind") + by_kind.xs("release", level="kind"))
        np.testing.assert_array_equal((units_in - units_out).loc[last.index], last["on_hand"])
        kept = orders[orders["reserved"].notna() & (orders["outcome"] != "rejected")]
        assert units_out.sum() == kept["lines"].sum()
