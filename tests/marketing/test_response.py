"""Acquired arrivals follow the response curve: rate = base x a (1 - exp(-spend / s)).

The campaign's customers are a Poisson stream at the segment's own rate times the
curve's lift, so over T days their count has mean base x lift x T; the segment's
first purchases (its own arrivals and the acquired) have mean base x (1 + lift) x T.
The closed form comes from the parameters only; each check is a replication CI.
"""

from __future__ import annotations

import math

import pytest
from scenarios import campaign, marketed

from o2osim.api import simulate

from helpers import confidence_interval

BASE_PER_DAY, DAYS = 72.0, 20
A, S = 2.0, 4000.0
SEEDS = range(1, 9)


def _lift(spend: float) -> float:
    return A * (1.0 - math.exp(-spend / S))


@pytest.fixture(scope="module", params=[1000.0, 4000.0, 12000.0])
def spend_and_runs(request):
    spend = request.param
    marketing = {
        "campaigns": [
            campaign(
                spend_cny_per_day=spend, lift=A, saturation_cny_per_day=S, repeat_probability=0.0
            )
        ]
    }
    scenario = marketed(BASE_PER_DAY / 1440.0, f"{DAYS}d", marketing)
    return spend, [simulate(scenario, seed=seed) for seed in SEEDS]


def test_acquired_customers_follow_the_response_curve(spend_and_runs):
    spend, runs = spend_and_runs
    counts = [r.kpi("marketing", "poisson.only", "acquired_customers") for r in runs]
    low, high = confidence_interval(counts)
    assert low <= BASE_PER_DAY * _lift(spend) * DAYS <= high


def test_first_purchases_are_the_base_rate_times_the_multiplier(spend_and_runs):
    spend, runs = spend_and_runs
    # With p = 0 every order is a first purchase: organic (customer -1) or acquired.
    totals = [len(r.orders) for r in runs]
    low, high = confidence_interval(totals)
    assert low <= BASE_PER_DAY * (1.0 + _lift(spend)) * DAYS <= high


def test_the_cac_is_the_spend_over_the_curve(spend_and_runs):
    spend, runs = spend_and_runs
    expected = spend / (BASE_PER_DAY * _lift(spend))  # CNY per customer
    low, high = confidence_interval(
        [r.kpi("marketing", "poisson.only", "acquired_customers") for r in runs]
    )
    assert spend * DAYS / high <= expected <= spend * DAYS / low
