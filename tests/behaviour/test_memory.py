"""Repeat purchases of a finite population, and trust that follows experience.

With fixed shares and no memory, whether an order's customer used its channel
before is an occupancy question: the k-th order of channel share s from N
customers repeats with probability 1 - (1 - s / N)^(k - 1). With memory, late
orders erode trust in a channel and the propensity to come back.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from o2osim import simulate
from o2osim.recorder import Outcome
from o2osim.scenario import scenario_from_dict, scenario_to_dict
from o2osim.world import World

from helpers import confidence_interval, stripped

REPLICATIONS = 20
POPULATION = 2000
SHARES = {"few": 0.3, "many": 0.7}


def _two_channels(per_minute: float, horizon: str, warmup: str, promise_few: str = "1d", **segment):
    """One segment of POPULATION customers choosing between channels few and many."""
    base = stripped(
        ["pick"], per_minute=per_minute, horizon=horizon, warmup=warmup, warehouse={"pickers": 10}
    )
    raw = scenario_to_dict(base)
    # Customers perceive the same promise for both, whatever is delivered.
    raw["channels"] = {
        name: {"route": ["pick"], "promise": "1d", "offer": {"promised_time": "1h"}}
        for name in SHARES
    }
    raw["channels"]["few"]["promise"] = promise_few
    raw["customers"]["segments"][0].update(
        {"channels": list(SHARES), "population": POPULATION, **segment}
    )
    return scenario_from_dict(raw, source="<memory>")


def test_repeat_rate_is_the_occupancy_probability():
    scenario = _two_channels(1.0, "1d", "12h", channel_shares=list(SHARES.values()))
    gaps = {name: [] for name in SHARES}
    for seed in range(1, REPLICATIONS + 1):
        result = simulate(scenario, seed=seed)
        orders = result.orders
        for name, share in SHARES.items():
            mine = orders[orders["after_warmup"] & (orders["channel"] == name)]
            earlier = mine["order_id"].to_numpy()  # ids count the segment's earlier orders
            expected = float(np.mean(1 - (1 - share / POPULATION) ** earlier))
            gaps[name].append(result.kpi("channel", name, "repeat_rate") - expected)
    for name, values in gaps.items():
        low, high = confidence_interval(values)
        assert low <= 0.0 <= high, f"{name}: repeat rate - occupancy in [{low:.4f}, {high:.4f}]"


def test_late_orders_erode_trust_and_visits():
    # Picking takes ~1 min, so channel few (promise 1 s) is always late, many never.
    scenario = _two_channels(
        1.0,
        "3d",
        "0s",
        promise_few="1s",
        choice="logit",
        population=300,
        memory={"late_loss": 0.5, "on_time_gain": 0.05},
        logit={"per_trust": 5.0},
    )
    world = World(scenario, seed=2)
    info = world.run()
    channel = np.asarray(world.book.channel)
    placed = np.asarray(world.book.placed)
    _, first_orders = np.unique(np.asarray(world.book.customer), return_index=True)
    first, last = channel[first_orders], channel[placed >= 2 * 1440]
    # Equal offers apart from trust: a customer's first order is a fair coin (binomial,
    # 3.3 standard deviations); later the late channel loses (its share tends to
    # 1 / (1 + e^5) = 0.7% as trust in it tends to 0).
    assert abs((first == 0).mean() - 0.5) < 3.3 * math.sqrt(0.25 / len(first))
    assert (last == 0).mean() < 0.1
    # Every arrival either ordered or stayed away: a Poisson count of mean 3 x 1440.
    arrivals = len(world.book) + info.counters["stayed_away"]
    low, high = stats.poisson.interval(0.99, 3 * 1440)
    assert low <= arrivals <= high
    assert info.counters["stayed_away"] > 0
    again = World(scenario, seed=2)
    again.run()
    assert again.book.channel == world.book.channel  # deterministic with memory too


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["promise", "next_day", "next_day_no_cutoff", "slots"]),
    st.floats(0, 30 * 1440.0),
    st.floats(0, 30 * 1440.0),
)
def test_one_orders_due_time_is_the_table_rule(kind, placed, slot_start):
    from o2osim.promises import due_time, due_times
    from o2osim.scenario import Channel

    promise = {
        "promise": {"promise": "3h"},
        "next_day": {"next_day": {"by": "21:00", "cutoff": "20:00"}},
        "next_day_no_cutoff": {"next_day": {"by": "12:00"}},
        "slots": {"slots": {"length": "1h", "first": "09:00", "last": "20:00"}},
    }[kind]
    route = ["reserve", "hold", "deliver"] if kind == "slots" else ["reserve", "deliver"]
    channel = Channel(route=route, **promise)
    table = due_times(
        [channel], np.zeros(1, dtype=np.int64), np.array([placed]), np.array([slot_start])
    )[0]
    assert due_time(channel, placed, slot_start) == table


def test_browsing_without_buying_is_not_a_bad_experience():
    # Nobody buys in the store and nothing else happens to them: every arrival of a person
    # whose propensity starts at 1 must come in (stayed_away = 0), and trust stays 1.
    scenario = stripped(
        ["store_visit", "reserve"],
        per_minute=0.5,
        horizon="2d",
        warmup="0s",
        customers={"population": 50, "memory": {"failed_loss": 0.5}},
        stores=[
            {
                "name": "front",
                "capacity": 1000,
                "purchase_probability": 0.0,
                "browse_time": {"dist": "exponential", "mean": "10min"},
            }
        ],
    )
    world = World(scenario, seed=1)
    world.run()
    assert world.counters()["stayed_away"] == 0
    memory = world.memories[0]
    assert all(p == 1.0 for p in memory.propensity)
    outcomes = set(world.book.outcome[: len(world.book)])
    assert outcomes <= {Outcome.IN_FLIGHT, Outcome.NO_PURCHASE}
