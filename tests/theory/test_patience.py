"""Customers who give up: reneging against Erlang-A, balking against M/M/c/K.

A stripped picking station (4 pickers, exponential 1 min) serves customers who
wait in person there. Each test asserts that the closed form lies inside the
99% confidence interval of independent replications (warm-up removed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from o2osim import simulate
from o2osim.theory import erlang_a, mmck_blocking

from helpers import confidence_interval, stripped

REPLICATIONS = 20
WARMUP = 240.0  # minutes


def _counted(orders: pd.DataFrame) -> pd.DataFrame:
    done = orders[(orders["placed"] >= WARMUP) & (orders["outcome"] != "in_flight")]
    return done


def _abandonment_and_wait(orders: pd.DataFrame) -> tuple[float, float]:
    counted = _counted(orders)
    reneged = (counted["outcome"] == "reneged").to_numpy()
    # A reneging customer waited until leaving; the others until service began.
    left = np.where(reneged, counted["finished"], counted["pick_start"])
    return float(reneged.mean()), float((left - counted["pick_queued"]).mean())


def test_reneging_matches_erlang_a():
    # lambda = 4.5/min > c mu = 4/min: without abandonment this queue would explode.
    scenario = stripped(
        ["pick"],
        per_minute=4.5,
        horizon="2d",
        warmup="4h",
        customers={"patience": {"at": ["pick"], "time": {"dist": "exponential", "mean": "2min"}}},
    )
    measured = [
        _abandonment_and_wait(simulate(scenario, seed=s).orders) for s in range(1, REPLICATIONS + 1)
    ]
    abandon, wait, _ = erlang_a(4.5, 1.0, 4, 2.0)
    low, high = confidence_interval([m[0] for m in measured])
    assert low <= abandon <= high, f"P(abandon) {abandon:.4f} outside [{low:.4f}, {high:.4f}]"
    low, high = confidence_interval([m[1] for m in measured])
    assert low <= wait <= high, f"W {wait:.4f} outside [{low:.4f}, {high:.4f}]"


def test_balking_at_a_visible_queue_is_mmck_blocking():
    # Balk on seeing 3 waiting: the station holds at most c + 3 = 7 customers.
    scenario = stripped(
        ["pick"],
        per_minute=3.0,
        horizon="2d",
        warmup="4h",
        customers={"patience": {"at": ["pick"], "balk_at": 3}},
    )
    shares = []
    for seed in range(1, REPLICATIONS + 1):
        counted = _counted(simulate(scenario, seed=seed).orders)
        shares.append(float((counted["outcome"] == "balked").mean()))
    exact = mmck_blocking(3.0, 1.0, 4, 7)
    low, high = confidence_interval(shares)
    assert low <= exact <= high, f"P(balk) {exact:.4f} outside [{low:.4f}, {high:.4f}]"


def test_giving_up_is_recorded_with_where_and_when():
    scenario = stripped(
        ["pick", "pack"],
        per_minute=4.5,
        horizon="1d",
        warmup="0s",
        customers={
            "patience": {
                "at": ["pick"],
                "time": {"dist": "exponential", "mean": "2min"},
                "balk_at": 6,
            }
        },
    )
    result = simulate(scenario, seed=5)
    orders = result.orders
    gave_up = orders[orders["outcome"].isin(["balked", "reneged"])]
    assert set(gave_up["outcome"]) == {"balked", "reneged"}
    assert set(gave_up["failed_at"]) == {"pick"}
    assert (gave_up["finished"] >= gave_up["placed"]).all()
    balked = gave_up[gave_up["outcome"] == "balked"]
    assert (balked["finished"] == balked["placed"]).all()  # balking takes no time
    assert gave_up["pack_queued"].isna().all()  # nobody who left reached the next stage
    overall = result.kpis.query("group == 'overall'").set_index("kpi")["value"]
    assert overall["balked"] + overall["reneged"] == len(gave_up)


def test_reneging_at_the_airport_counter_matches_erlang_a():
    # Teaching mode: Poisson passengers straight to 3 counters, exponential 1 min, no ID
    # check; they leave the queue after an exponential 90 s patience (lambda 3.3 > c mu 3).
    scenario = stripped(
        ["pickup"],
        per_minute=3.3,
        horizon="2d",
        warmup="4h",
        airport={
            "counters": 3,
            "id_check_time": {"dist": "deterministic", "value": "0s"},
            "pickup_time": {"dist": "exponential", "mean": "1min"},
        },
        customers={"patience": {"at": ["pickup"], "time": {"dist": "exponential", "mean": "90s"}}},
    )
    shares, waits = [], []
    for seed in range(1, REPLICATIONS + 1):
        counted = _counted(simulate(scenario, seed=seed).orders)
        reneged = (counted["outcome"] == "reneged").to_numpy()
        left = np.where(reneged, counted["finished"], counted["counter_start"])
        shares.append(float(reneged.mean()))
        waits.append(float((left - counted["counter_queued"]).mean()))
        assert (counted.loc[reneged, "refund_cny"] > 0).all()  # pre-paid: refunded
    abandon, wait, _ = erlang_a(3.3, 1.0, 3, 1.5)
    low, high = confidence_interval(shares)
    assert low <= abandon <= high, f"P(abandon) {abandon:.4f} outside [{low:.4f}, {high:.4f}]"
    low, high = confidence_interval(waits)
    assert low <= wait <= high, f"W {wait:.4f} outside [{low:.4f}, {high:.4f}]"


def _door_scenario(per_minute: float, capacity: int, browse: str, patience: str, **store):
    return stripped(
        ["store_visit"],
        per_minute=per_minute,
        horizon="2d",
        warmup="4h",
        stores=[
            {
                "name": "front",
                "capacity": capacity,
                "door_queue": True,
                "browse_time": {"dist": "exponential", "mean": browse},
                "purchase_probability": 0.0,
                **store,
            }
        ],
        customers={
            "patience": {
                "at": ["store_door", "store_checkout"],
                "time": {"dist": "exponential", "mean": patience},
            }
        },
    )


def test_reneging_at_the_store_door_matches_erlang_a():
    # The zone's door: capacity 10, exponential 8 min inside (nobody buys, so the visit is
    # the browse), 1.4 visitors/min (offered 11.2 > 10), exponential 5 min patience at the
    # door: M/M/10+M.
    scenario = _door_scenario(1.4, 10, "8min", "5min")
    shares, waits = [], []
    for seed in range(1, REPLICATIONS + 1):
        result = simulate(scenario, seed=seed)
        counted = _counted(result.orders)
        reneged = (counted["outcome"] == "reneged").to_numpy()
        assert counted.loc[reneged, "entered"].isna().all()  # gave up before getting in
        assert set(counted.loc[reneged, "failed_at"]) <= {"store_visit"}
        left = np.where(reneged, counted["finished"], counted["entered"])
        shares.append(float(reneged.mean()))
        waits.append(float((left - counted["door_queued"]).mean()))
        assert result.kpi("store", "front", "reneged_at_door") == reneged.sum()
        assert result.kpi("store", "front", "reneged_at_checkout") == 0
    abandon, wait, _ = erlang_a(1.4, 8.0, 10, 5.0)
    low, high = confidence_interval(shares)
    assert low <= abandon <= high, f"P(abandon) {abandon:.4f} outside [{low:.4f}, {high:.4f}]"
    low, high = confidence_interval(waits)
    assert low <= wait <= high, f"W {wait:.4f} outside [{low:.4f}, {high:.4f}]"


def test_reneging_at_the_staff_checkout_matches_erlang_a_and_frees_the_zone():
    # A zone too large to queue is M/M/inf: visitors leave it browsing as a Poisson stream
    # (Burke), all buy at a staff checkout of 2 staff, exponential 1 min, with exponential
    # 1 min patience: the checkout is M/M/2+M at 2.2/min.
    scenario = _door_scenario(
        2.2,
        500,
        "5min",
        "1min",
        purchase_probability=1.0,
        staff=2,
        checkout_staff_share=1.0,
        checkout_staff_time={"dist": "exponential", "mean": "1min"},
    )
    shares = []
    for seed in range(1, REPLICATIONS + 1):
        result = simulate(scenario, seed=seed)
        # Among visitors who left the browse after the warm-up (they reach the checkout then).
        orders = result.orders
        counted = orders[(orders["placed"] >= WARMUP) & orders["left_store"].notna()]
        reneged = counted["outcome"] == "reneged"
        # Leaving without paying: out of the zone, at the store's stage, never collected.
        assert counted.loc[reneged, "entered"].notna().all()
        assert (counted.loc[reneged, "left_store"] == counted.loc[reneged, "finished"]).all()
        assert set(counted.loc[reneged, "failed_at"]) <= {"store_visit"}
        shares.append(float(reneged.mean()))
        store = result.kpis.query("group == 'store'").set_index("kpi")["value"]
        assert store["reneged_at_door"] == 0
        assert (
            store["buyers"] + store["reneged_at_checkout"]
            == store["entered"]
            - (
                result.orders["after_warmup"]
                & result.orders["entered"].notna()
                & result.orders["left_store"].isna()
            ).sum()
        )
    abandon, _, _ = erlang_a(2.2, 1.0, 2, 1.0)
    low, high = confidence_interval(shares)
    assert low <= abandon <= high, f"P(abandon) {abandon:.4f} outside [{low:.4f}, {high:.4f}]"


def test_balking_at_the_store_door_is_mmck_blocking():
    # Visitors balk on seeing 4 at the door of a 6-visitor zone (exponential 5 min inside,
    # 1.2 visitors/min): the zone and its door hold at most 6 + 4, an M/M/6/10 queue.
    scenario = stripped(
        ["store_visit"],
        per_minute=1.2,
        horizon="2d",
        warmup="4h",
        stores=[
            {
                "name": "front",
                "capacity": 6,
                "browse_time": {"dist": "exponential", "mean": "5min"},
                "purchase_probability": 0.0,
            }
        ],
        customers={"patience": {"at": ["store_door"], "balk_at": 4}},
    )
    shares = []
    for seed in range(1, REPLICATIONS + 1):
        result = simulate(scenario, seed=seed)
        counted = _counted(result.orders)
        balked = counted["outcome"] == "balked"
        shares.append(float(balked.mean()))
        # Balking takes no time and never joins the door queue.
        assert (counted.loc[balked, "finished"] == counted.loc[balked, "placed"]).all()
        assert counted.loc[balked, "door_queued"].isna().all()
        assert set(counted.loc[balked, "failed_at"]) == {"store_visit"}
        assert (
            result.kpi("store", "front", "balked_at_door")
            == (result.orders["after_warmup"] & (result.orders["outcome"] == "balked")).sum()
        )
    exact = mmck_blocking(1.2, 5.0, 6, 10)
    low, high = confidence_interval(shares)
    assert low <= exact <= high, f"P(balk) {exact:.4f} outside [{low:.4f}, {high:.4f}]"
