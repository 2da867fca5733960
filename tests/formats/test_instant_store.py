"""Hema-style store: the 3 km radius and the tote conveyor against closed forms.

Homes uniform over a disc of radius R lie within r of its centre with probability
(r / R)^2 (the area ratio), so the share of orders refused beyond the radius is
1 - (r / R)^2. Pickers as an M/M/c queue (one line per order, exponential times) and a
deterministic tote ride of T minutes: an order reaches the packing point, on average,
the Erlang C wait plus the mean pick plus T after it was placed. Both are checked with
replication confidence intervals. With packers after the ride (stage ``pack_point``), the
picked orders of ample pickers leave as a Poisson stream (M/M/infinity), so the packing
point is M/M/c: its mean wait is Erlang C's, and an order is packed, on average, the pick
+ the ride + that wait + the pack after it was placed. A customer choosing by logit does
not see a delivery channel beyond its radius: within it the channel's share is the logit
probability over all channels, beyond it the others share by the logit over the rest.
"""

from __future__ import annotations

import math

import pytest
from format_scenarios import (
    CONSTANTS,
    logit_radius_scenario,
    pack_scenario,
    radius_scenario,
    tote_scenario,
)

from o2osim import simulate
from o2osim.theory import mmc_mean_wait

from helpers import confidence_interval


def test_share_beyond_the_radius_is_the_area_ratio() -> None:
    scenario = radius_scenario(0.5, disc_km=5.0, radius_km=3.0)
    shares = [
        simulate(scenario, seed=seed).kpi("instant", "only", "beyond_radius_share")
        for seed in range(8)
    ]
    low, high = confidence_interval(shares)
    assert low <= 1 - (3.0 / 5.0) ** 2 <= high


def test_refused_orders_end_out_of_area() -> None:
    result = simulate(radius_scenario(0.5, disc_km=5.0, radius_km=3.0), seed=1)
    refused = result.orders["reason"] == "out_of_area"
    assert int(refused.sum()) == result.kpi("instant", "only", "beyond_radius")
    assert (result.orders.loc[refused, "outcome"] == "rejected").all()


@pytest.mark.parametrize(("pickers", "per_minute"), [(2, 1.5), (3, 2.4)])
def test_pick_then_tote_is_erlang_c_plus_the_ride(pickers: int, per_minute: float) -> None:
    travel = 3.0
    scenario = tote_scenario(per_minute, pickers, "1min", f"{travel:g}min")
    means = []
    for seed in range(6):
        orders = simulate(scenario, seed=seed).orders
        counted = orders[orders["after_warmup"]]
        means.append(float((counted["finished"] - counted["placed"]).mean()))
        assert (counted["dispatch_queued"] - counted["picked"]).round(9).eq(travel).all()
    expected = mmc_mean_wait(per_minute, 1.0, pickers) + 1.0 + travel
    low, high = confidence_interval(means)
    assert low <= expected <= high


@pytest.mark.parametrize(("packers", "per_minute"), [(2, 1.5), (3, 2.4)])
def test_ride_then_packers_is_the_ride_plus_erlang_c(packers: int, per_minute: float) -> None:
    travel = 3.0
    scenario = pack_scenario(per_minute, packers, "1min", f"{travel:g}min")
    waits, totals = [], []
    for seed in range(6):
        result = simulate(scenario, seed=seed)
        orders = result.orders
        counted = orders[orders["after_warmup"]]
        waits.append(float((counted["pack_start"] - counted["pack_queued"]).mean()))
        totals.append(float((counted["packed"] - counted["placed"]).mean()))
        assert (counted["pack_queued"] - counted["picked"]).round(9).eq(travel).all()
        assert result.kpi("instant", "only", "pack_wait_mean") == pytest.approx(waits[-1])
    wait = mmc_mean_wait(per_minute, 1.0, packers)
    low, high = confidence_interval(waits)
    assert low <= wait <= high
    low, high = confidence_interval(totals)
    assert low <= 1.0 + travel + wait + 1.0 <= high


def test_logit_customers_beyond_the_radius_do_not_see_delivery() -> None:
    weights = {name: math.exp(value) for name, value in CONSTANTS.items()}
    within = weights["near"] / sum(weights.values())
    beyond = weights["web"] / (weights["store"] + weights["web"])
    scenario = logit_radius_scenario(1.0, disc_km=5.0, radius_km=3.0)
    near_shares, web_shares = [], []
    for seed in range(6):
        result = simulate(scenario, seed=seed)
        orders = result.orders
        inside = orders["x_km"].pow(2) + orders["y_km"].pow(2) <= 3.0**2
        assert result.kpi("instant", "near", "beyond_radius") == 0
        assert (orders.loc[~inside, "channel"] != "near").all()
        near_shares.append(float((orders.loc[inside, "channel"] == "near").mean()))
        web_shares.append(float((orders.loc[~inside, "channel"] == "web").mean()))
    for shares, expected in ((near_shares, within), (web_shares, beyond)):
        low, high = confidence_interval(shares)
        assert low <= expected <= high
