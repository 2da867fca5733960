"""Metro presale: batches conserve the orders of each slot's ordering window, ample
capacity delivers every order within its slot, and membership fees accrue to the cent.

The numbers come from outside the model: each slot's batch is counted from the order
times and the slot rule (an order placed at t takes the first slot starting at or after
t + lead); the fee is fee x members x days / 365; the member share of orders is the
share of members in the population (customers drawn uniformly), checked with a
replication confidence interval.
"""

from __future__ import annotations

import math

import numpy as np
from format_scenarios import SLOTS, presale_scenario

from o2osim import simulate
from o2osim.units import DAY, HOUR

from helpers import confidence_interval

FIRST, LAST, LENGTH, LEAD = 10 * HOUR, 18 * HOUR, 2 * HOUR, 6 * HOUR


def first_slot(placed: float) -> float:
    """The start of the first slot at or after ``placed + lead`` (the slot rule, by hand)."""
    t = placed + LEAD
    day = math.floor(t / DAY)
    starts = np.arange(FIRST, LAST + 1e-9, LENGTH)
    later = starts[starts >= t - day * DAY]
    return day * DAY + later[0] if len(later) else (day + 1) * DAY + FIRST


def test_batches_hold_every_order_of_their_ordering_window() -> None:
    result = simulate(presale_scenario(0.2), seed=5)
    orders = result.orders
    expected = orders.groupby(orders["placed"].map(first_slot)).size()
    batches = orders.groupby("pick_queued").size()
    # One batch per slot, released batch_lead (2 h) before it, holding exactly its orders.
    assert list(batches.index) == [s - 2 * HOUR for s in expected.index]
    assert list(batches.to_numpy()) == list(expected.to_numpy())
    # The counters see the batches released in [warm-up, horizon) = [1 d, 4 d).
    released = orders["pick_queued"].between(DAY, 4 * DAY, inclusive="left")
    counts = result.tables.counts
    assert counts["presale.only.batched_orders"] == int(released.sum())
    assert counts["presale.only.batches"] == orders.loc[released, "pick_queued"].nunique()
    assert SLOTS["choices"] == 1  # the slot rule above is the earliest slot


def test_ample_capacity_delivers_every_order_in_its_slot() -> None:
    result = simulate(presale_scenario(0.1), seed=7)
    assert result.kpi("presale", "only", "on_slot_rate") == 1.0
    assert result.kpi("presale", "only", "picked_ahead_min") > 0.0


def test_allotment_sells_out_the_orders_beyond_it() -> None:
    scenario = presale_scenario(
        0.2, presale={"only": {"batch_lead": "2h", "allotment_per_slot": 5}}
    )
    orders = simulate(scenario, seed=5).orders
    taken = orders[orders["outcome"] != "lost_sale"].groupby("slot_start").size()
    asked = orders.groupby("slot_start").size()
    assert (taken == np.minimum(asked, 5)).all()


MEMBERSHIP = {
    "fee_cny_per_year": 260.0,
    "segments": ["poisson"],
    "member_share": 0.3,
    "member_discount": 0.05,
}


def test_membership_fees_accrue_to_the_cent() -> None:
    scenario = presale_scenario(
        0.1, membership=MEMBERSHIP, customers={"around": "shop", "population": 1000}
    )
    result = simulate(scenario, seed=3)
    days = 3.0  # horizon 4 d minus warm-up 1 d
    assert result.kpi("presale", "membership", "members") == 300
    assert result.kpi("presale", "membership", "fee_revenue_cny") == round(
        260.0 * 300 * days / 365.0, 2
    )
    assert round(float(result.money["membership_fee_cny"].sum()), 2) == round(
        260.0 * 300 * days / 365.0, 2
    )


def test_member_share_of_orders_is_the_member_share_of_customers() -> None:
    scenario = presale_scenario(
        0.1, membership=MEMBERSHIP, customers={"around": "shop", "population": 1000}
    )
    shares = [
        simulate(scenario, seed=seed).kpi("presale", "membership", "member_order_share")
        for seed in range(6)
    ]
    low, high = confidence_interval(shares)
    assert low <= 0.3 <= high
