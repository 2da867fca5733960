"""Customer lifetime value from simulated repeat purchases against the geometric repeat
model's closed form.

An acquired customer buys, then buys again with probability p after a gap tau, and so
on: the k-th repeat (k = 0 the first purchase) happens with probability p^k at k tau.
Discounted at an annual rate r, it is worth m d^k with d = (1 + r)^(-tau / 365 d). Over
a window W the expected purchases are sum_{k <= W/tau} p^k (1 / (1 - p) as W grows) and
the LTV is m sum_{k <= W/tau} (p d)^k (m / (1 - p d) as W grows). Here every order's
margin m is 100 CNY x (1 - 0.6) = 40 CNY (one price, every cost but the purchase set to
0), so every number on the right-hand side comes from the parameters, none from the run.
"""

from __future__ import annotations

import math

import pytest
from scenarios import MARGIN, campaign, marketed

from o2osim.api import simulate

from helpers import confidence_interval

P, GAP_DAYS, RATE, WINDOW_DAYS = 0.5, 10.0, 0.10, 95.0
SEEDS = range(1, 9)
#: Repeats inside the window: k tau <= W.
K = math.floor(WINDOW_DAYS / GAP_DAYS)
D = (1.0 + RATE) ** (-GAP_DAYS / 365.0)
PURCHASES = sum(P**k for k in range(K + 1))
LTV = MARGIN * sum((P * D) ** k for k in range(K + 1))


@pytest.fixture(scope="module")
def runs():
    marketing = {
        "discount_rate": RATE,
        "ltv_window": f"{WINDOW_DAYS:g}d",
        "campaigns": [
            campaign(
                repeat_probability=P,
                repeat_after={"dist": "deterministic", "value": f"{GAP_DAYS:g}d"},
            )
        ],
    }
    # 14.4 organic customers a day and as many acquired (lift ~1); cohort: days 0-35.
    scenario = marketed(0.01, "130d", marketing)
    return [simulate(scenario, seed=seed) for seed in SEEDS]


def _kpis(runs, kpi):
    return [run.kpi("marketing", "poisson.only", kpi) for run in runs]


def test_the_window_truncates_almost_nothing():
    # The closed forms below are the truncated sums; they sit within 0.2% of the untruncated.
    assert pytest.approx(1.0 / (1.0 - P), rel=2e-3) == PURCHASES
    assert pytest.approx(MARGIN / (1.0 - P * D), rel=2e-3) == LTV


def test_purchases_per_customer_follow_the_geometric_model(runs):
    low, high = confidence_interval(_kpis(runs, "purchases_per_customer"))
    assert low <= PURCHASES <= high
    low, high = confidence_interval(_kpis(runs, "repeat_customer_share"))
    assert low <= P <= high


def test_ltv_from_simulated_repeats_matches_the_closed_form(runs):
    low, high = confidence_interval(_kpis(runs, "ltv_cny"))
    assert low <= LTV <= high
    assert high - low < 0.1 * LTV  # a CI tight enough to tell d from 1 (no discounting)


def test_cac_and_ltv_over_cac_are_spend_over_customers(runs):
    for run in runs:
        acquired = run.kpi("marketing", "poisson.only", "acquired_customers")
        cac = run.kpi("marketing", "poisson.only", "cac_cny")
        assert cac == pytest.approx(5000.0 * 130 / acquired)
        ratio = run.kpi("marketing", "poisson.only", "ltv_over_cac")
        assert ratio == pytest.approx(run.kpi("marketing", "poisson.only", "ltv_cny") / cac)
        # The money pays the spend as a period line; the overall profit carries it.
        assert run.kpi("overall", "all", "cost_acquisition_per_order") > 0
