"""The virtual warehouse against the Poisson base-stock fill rate: risk pooling over sites.

Two channels each sell 5 units of every SKU a day (Poisson, unit demand); two front
warehouses hold 7 units of each and reorder one for one with a 1-day lead time, and
waiting orders (backorders) are filled from whichever site gets a unit. With zero lag
and ``nearest_with_stock`` over both sites the two are one pool: the fill rate is
P(D <= 13), D ~ Poisson(10) = 0.8645 (Hadley & Whitin 1963). Kept apart (each channel
sells from its own site) each is a pool of 7 under Poisson(5): 0.7622. Each value must
lie in the 99% replication confidence interval.
"""

from __future__ import annotations

import pytest

from o2osim import simulate
from o2osim.theory import poisson_fill_rate

from helpers import confidence_interval
from site_scenarios import two_sites

REPLICATIONS = 10


def fill_rates(pooled: bool) -> list[float]:
    scenario = two_sites(pooled)
    return [
        simulate(scenario, seed=seed).kpi("overall", "all", "fill_rate")
        for seed in range(1, REPLICATIONS + 1)
    ]


@pytest.mark.parametrize(("pooled", "mean", "stock"), [(True, 10.0, 14), (False, 5.0, 7)])
def test_two_sites_give_the_pooled_or_the_split_poisson_fill_rate(pooled, mean, stock):
    exact = poisson_fill_rate(mean, stock)
    assert exact == pytest.approx(0.8645 if pooled else 0.7622, abs=5e-5)
    low, high = confidence_interval(fill_rates(pooled))
    assert low <= exact <= high, f"{exact:.4f} outside 99% CI [{low:.4f}, {high:.4f}]"


def test_per_site_counters_add_up_to_the_overall_requests():
    result = simulate(two_sites(True, horizon="6d"), seed=3)
    requests = sum(
        result.kpi("stock_site", s, "requests") for s in ("warehouse", "site_a", "site_b")
    )
    orders = result.kpi("overall", "all", "orders_placed")
    assert requests == orders  # every counted order asked one site once
    assert result.kpi("stock_site", "site_a", "oversells") == 0  # no lag, no oversell
