"""The one stock pool against inventory theory, and its allocation rules and sync lag.

Fill rates are asserted as "the closed-form value lies in the 99% replication
confidence interval". Each run has many SKUs with equal Poisson demand (Zipf
exponent 0), each an independent copy of the textbook single-item system, so one
run averages over many items. Demand is unit (one line per order) and customers
wait for stock (backorders), as in the formulas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from o2osim import simulate
from o2osim.facilities.stock import ALLOCATION
from o2osim.facilities.supply import REPLENISHMENT
from o2osim.scenario import ALLOCATIONS, REPLENISHMENT_POLICIES
from o2osim.theory import (
    periodic_base_stock_fill_rate,
    poisson_fill_rate,
    rq_fill_rate_normal,
    rq_fill_rate_poisson,
)
from o2osim.validation import stock_scenario  # the set-up `o2osim validate` runs too

from helpers import confidence_interval, stripped

REPLICATIONS = 20


def fill_rates(scenario) -> list[float]:
    return [
        simulate(scenario, seed=seed).kpi("overall", "all", "fill_rate")
        for seed in range(1, REPLICATIONS + 1)
    ]


def test_policy_names_in_the_scenario_match_the_functions():
    assert set(ALLOCATIONS) == set(ALLOCATION)
    assert set(REPLENISHMENT_POLICIES) == {*REPLENISHMENT, "none"}


def test_base_stock_fill_rate_is_the_poisson_formula():
    # Design §6: Poisson lead-time demand 10 (10 a day, lead time 1 day), S = 14 -> 0.8645.
    scenario = stock_scenario(
        10.0, 40, {"policy": "base_stock", "review": "0s", "order_up_to_units": 14}, initial=14
    )
    low, high = confidence_interval(fill_rates(scenario))
    exact = poisson_fill_rate(10.0, 14)
    assert exact == pytest.approx(0.8645, abs=5e-5)
    assert low <= exact <= high, f"base stock {exact:.4f} outside 99% CI [{low:.4f}, {high:.4f}]"


def test_rq_fill_rate_is_the_normal_approximation():
    # Lead-time demand 25 (sd 5), r = 25, Q = 20: normal approximation 0.9003.
    scenario = stock_scenario(
        25.0,
        20,
        {"policy": "r_Q", "review": "0s", "reorder_point_units": 25, "order_quantity_units": 20},
        initial=45,
    )
    low, high = confidence_interval(fill_rates(scenario))
    approx = rq_fill_rate_normal(25.0, 5.0, 25, 20)
    # The approximation is close to the exact Poisson value here, so the test is fair.
    assert approx == pytest.approx(rq_fill_rate_poisson(25.0, 25, 20), abs=1e-3)
    assert low <= approx <= high, f"(r,Q) {approx:.4f} outside 99% CI [{low:.4f}, {high:.4f}]"


def test_periodic_base_stock_fill_rate_is_exact():
    # Review every day, lead time 1 day, 10 a day, S = 24: fill rate 0.9512.
    scenario = stock_scenario(
        10.0, 40, {"policy": "base_stock", "review": "1d", "order_up_to_units": 24}, initial=24
    )
    low, high = confidence_interval(fill_rates(scenario))
    exact = periodic_base_stock_fill_rate(10.0 / 1440.0, 1440.0, 1440.0, 24)
    assert low <= exact <= high, f"periodic {exact:.4f} outside 99% CI [{low:.4f}, {high:.4f}]"


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        ("s_S", [(5, 15), (4, 16), (6, 0)]),  # s = 5, S = 20
        ("r_Q", [(5, 8), (-4, 16), (6, 0)]),  # r = 5, Q = 8: fewest lots above r
        ("base_stock", [(19, 1), (20, 0), (-3, 23)]),  # S = 20
    ],
)
def test_replenishment_policies_order_what_they_say(position, expected):
    from o2osim.facilities.supply import Levels

    levels = Levels(reorder_point=5, order_up_to=20, quantity=8)
    for inventory_position, units in expected:
        assert REPLENISHMENT[position](inventory_position, levels) == units


# ---------------------------------------------------------------- sync lag and oversells


def tight_stock(lag: str, shortage: str = "lose", horizon: str = "3d"):
    """Little stock, slow replenishment: the online figure is often stale."""
    return stripped(
        ["reserve"],
        per_minute=2.0,
        horizon=horizon,
        warmup="0s",
        catalogue={"skus": 5, "popularity": {"dist": "zipf", "a": 0.0}},
        channels={"only": {"route": ["reserve"], "promise": "1d", "on_shortage": shortage}},
        warehouse={
            "unlimited_stock": False,
            "initial_stock_units": 20,
            "sync_lag": lag,
            "replenishment": {
                "policy": "s_S",
                "review": "2h",
                "reorder_point_units": 5,
                "order_up_to_units": 30,
                "lead_time": {"dist": "exponential", "mean": "6h"},
            },
        },
    )


@pytest.mark.parametrize("shortage", ["lose", "backorder"])
def test_oversells_need_a_sync_lag(shortage):
    live = simulate(tight_stock("0s", shortage), seed=3)
    lagged = simulate(tight_stock("15min", shortage), seed=3)
    assert live.orders["oversold"].isna().all()
    assert live.info.counters["oversells"] == 0
    oversold = lagged.orders["oversold"].notna()
    assert oversold.sum() > 0
    assert lagged.info.counters["oversells"] == oversold.sum()
    if shortage == "lose":  # the paid order is cancelled; it never held stock
        assert (lagged.orders.loc[oversold, "outcome"] == "cancelled").all()
        assert (lagged.orders.loc[oversold, "reason"] == "oversold").all()
    else:  # it waits for stock like any backorder
        assert lagged.orders.loc[oversold, "backordered"].notna().all()


def test_a_customer_sees_the_figure_of_sync_lag_ago():
    # A lose channel buys only when the figure it sees shows stock. Replaying the ledger:
    # the live level sync_lag before each order decides between bought/oversold and lost.
    lag = 15.0
    result = simulate(tight_stock("15min", horizon="1d"), seed=4)
    ledger, orders = result.inventory, result.orders.set_index("order_id")
    for _, order in orders.iterrows():
        sku, seen_at = order["skus"][0], order["placed"] - lag
        history = ledger[(ledger["sku"] == sku) & (ledger["time"] <= seen_at)]
        seen = history["on_hand"].iloc[-1] if len(history) else 20
        if order["reason"] == "stale_stock_figure" or (order["outcome"] == "lost_sale"):
            assert seen < 1
        else:
            assert seen >= 1


# ---------------------------------------------------------------- allocation rules


def two_channels(policy: str, guard: int, shortage: str = "lose", rate: float = 1.0):
    """A walk-in channel (starts at the store) and an online channel share 3 SKUs."""
    return stripped(
        ["reserve"],
        per_minute=rate,
        horizon="4d",
        warmup="0s",
        catalogue={"skus": 3, "popularity": {"dist": "zipf", "a": 0.0}},
        customers={
            "segments": [
                {
                    "name": "walk_in",
                    "arrivals_per_day": rate * 720,
                    "hourly_profile": "flat",
                    "channels": ["walk_in"],
                },
                {
                    "name": "online",
                    "arrivals_per_day": rate * 720,
                    "hourly_profile": "flat",
                    "channels": ["online"],
                },
            ]
        },
        channels={
            "walk_in": {
                "route": ["store_visit", "reserve"],
                "promise": "1d",
                "on_shortage": shortage,
            },
            "online": {"route": ["reserve"], "promise": "1d", "on_shortage": shortage},
        },
        stores=[
            {
                "name": "front",
                "capacity": 1000,
                "purchase_probability": 1.0,
                "browse_time": {"dist": "exponential", "mean": "10min"},
            }
        ],
        warehouse={
            "unlimited_stock": False,
            "initial_stock_units": 10,
            "allocation": {
                "policy": policy,
                "priority": ["walk_in", "online"],
                "guard_units": guard,
            },
            "replenishment": {
                "policy": "s_S",
                "review": "8h",
                "reorder_point_units": 4,
                "order_up_to_units": 12,
                "lead_time": {"dist": "exponential", "mean": "12h"},
            },
        },
    )


def _take_rows(result) -> pd.DataFrame:
    ledger = result.inventory
    takes = ledger[ledger["kind"] == "reserve"]
    channel = result.orders.set_index("order_id")["channel"]
    return takes.assign(channel=channel.loc[takes["order_id"]].to_numpy())


@pytest.mark.parametrize("policy", ["walk_in_reserve", "channel_priority"])
def test_online_orders_never_take_the_guarded_units(policy):
    guard = 2
    result = simulate(two_channels(policy, guard), seed=5)
    takes = _take_rows(result)
    online = takes[takes["channel"] == "online"]
    walk_in = takes[takes["channel"] == "walk_in"]
    assert (online["on_hand"] >= guard).all()  # level after the take
    assert (walk_in["on_hand"] < guard).any()  # walk-ins do get the guarded units
    lost = result.orders[result.orders["outcome"] == "lost_sale"]
    assert (lost["channel"] == "online").any()


def test_fcfs_lets_anyone_take_the_last_unit():
    result = simulate(two_channels("fcfs", 2), seed=5)
    takes = _take_rows(result)
    assert (takes.loc[takes["channel"] == "online", "on_hand"] == 0).any()


def _waiting_orders(result) -> pd.DataFrame:
    orders = result.orders
    waited = orders[orders["backordered"].notna() & orders["reserved"].notna()]
    return waited.assign(sku=waited["skus"].map(lambda s: s[0]))


def test_fcfs_serves_backorders_in_arrival_order():
    result = simulate(two_channels("fcfs", 0, shortage="backorder", rate=1.5), seed=6)
    waited = _waiting_orders(result)
    assert len(waited) > 50
    for _, group in waited.groupby("sku"):
        group = group.sort_values(["backordered", "order_id"])
        assert np.all(np.diff(group["reserved"].to_numpy()) >= 0)


def test_channel_priority_serves_the_higher_channel_first():
    # Whenever an online backorder gets a unit, no walk-in order was waiting for that SKU.
    result = simulate(two_channels("channel_priority", 0, shortage="backorder", rate=1.5), seed=6)
    waited = _waiting_orders(result)
    walk_ins = waited[waited["channel"] == "walk_in"]
    onlines = waited[waited["channel"] == "online"]
    assert len(walk_ins) > 20 and len(onlines) > 20
    for _, order in onlines.iterrows():
        same = walk_ins[walk_ins["sku"] == order["sku"]]
        waiting = (same["backordered"] < order["reserved"]) & (same["reserved"] > order["reserved"])
        assert not waiting.any()
