"""The overseas warehouse's one stock pool against inventory theory.

Stripped down, the warehouse abroad is the textbook single-item base-stock system, 40
copies of it: 10 orders a day per SKU (Poisson, one unit each), continuous review,
order-up-to S = 14, a deterministic lead time of 1 day, customers wait for stock. The
fill rate is then P(lead-time demand < S) with Poisson(10) demand, 0.8645 (design
brief, section 6), and it must lie in the 99% replication confidence interval. The
pool and the policy are the import model's own (reused, not copied).
"""

from __future__ import annotations

from o2osim import simulate
from o2osim.theory import poisson_fill_rate

from export_scenarios import export_scenario
from helpers import confidence_interval

REPLICATIONS = 12
STRIPPED = {
    "customers.segments.0.arrivals_per_day": 400.0,
    "catalogue.skus": 40,
    "catalogue.popularity": {"dist": "zipf", "a": 0.0},
    "catalogue.items_per_order": 1.0,
    "channels.overseas_warehouse.return_rate": 0.0,
    "warehouse.initial_stock_units": 14,
    "warehouse.replenishment": {
        "policy": "base_stock",
        "review": "0s",
        "order_up_to_units": 14,
        "lead_time": {"dist": "deterministic", "value": "1d"},
    },
    "economics.stock_freight_mode": "sea",
    "scenario.horizon": "30d",
    "scenario.warmup": "3d",
}


def test_fill_rate_under_base_stock_is_the_poisson_formula():
    scenario = export_scenario("eu_shoes", "export_overseas_warehouse", **STRIPPED)
    rates = []
    for seed in range(1, REPLICATIONS + 1):
        result = simulate(scenario, seed=seed)
        rates.append(result.kpi("overall", "all", "fill_rate"))
        assert result.kpi("trade", "all", "stock_abroad_units") > 0
    low, high = confidence_interval(rates)
    exact = poisson_fill_rate(10.0, 14)
    assert round(exact, 4) == 0.8645
    assert low <= exact <= high, f"{exact:.4f} outside 99% CI [{low:.4f}, {high:.4f}]"


def test_stock_abroad_is_littles_law_for_base_stock():
    # On hand + in the pipeline - backorders = S per SKU; with demand 10/day and a 1-day
    # lead time the pipeline holds 10 units per SKU on average (Little's law).
    scenario = export_scenario("eu_shoes", "export_overseas_warehouse", **STRIPPED)
    pipes = [simulate(scenario, seed=s).kpi("trade", "all", "pipeline_units") for s in (1, 2, 3)]
    low, high = confidence_interval(pipes)
    assert low <= 400.0 <= high
