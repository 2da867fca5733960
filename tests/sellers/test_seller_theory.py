"""SMEs against inventory and delay theory, asserted inside 99% replication CIs.

A consignment SME's units sit in the platform's pool under its own base-stock policy:
with unit Poisson demand of 10 a day per SKU, a deterministic 1-day lead time and
S = 14, the share of its demand met from stock is P(Poisson(10) <= 13) = 0.8645
(``o2osim.theory.poisson_fill_rate``, the textbook base-stock result). An SME that ships
itself hands each order to a parcel after an exponential handling time (mean 8 h) and
the parcel takes a lognormal transit (mean 1 day): the mean lead time is their sum,
1,920 min, whatever the shapes.
"""

from __future__ import annotations

import pytest
from seller_scenarios import HANDLING_MIN, TRANSIT_MIN, seller_scenario

from o2osim import simulate
from o2osim.theory import poisson_fill_rate

from helpers import confidence_interval

REPLICATIONS = 12


@pytest.fixture(scope="module")
def seller_kpis() -> list:
    scenario = seller_scenario()
    return [simulate(scenario, seed=seed).kpis for seed in range(1, REPLICATIONS + 1)]


def _values(tables: list, name: str, kpi: str) -> list[float]:
    return [
        float(
            t[(t["group"] == "seller") & (t["name"] == name) & (t["kpi"] == kpi)]["value"].iloc[0]
        )
        for t in tables
    ]


def test_consignment_fill_rate_is_the_poisson_base_stock_value(seller_kpis):
    exact = poisson_fill_rate(10.0, 14)
    assert exact == pytest.approx(0.8645, abs=5e-5)
    low, high = confidence_interval(_values(seller_kpis, "consigner", "fill_rate"))
    assert low <= exact <= high, f"fill rate {exact:.4f} outside 99% CI [{low:.4f}, {high:.4f}]"


def test_self_shipping_lead_time_is_handling_plus_transit(seller_kpis):
    mean = HANDLING_MIN + TRANSIT_MIN
    low, high = confidence_interval(_values(seller_kpis, "shipper", "lead_time_mean"))
    assert low <= mean <= high, f"lead time {mean:.0f} min outside 99% CI [{low:.0f}, {high:.0f}]"


def test_a_self_shipping_seller_never_draws_on_the_pool(seller_kpis):
    # Its SKUs hold no stock in the pool and are never restocked; its orders are all filled.
    assert set(_values(seller_kpis, "shipper", "on_hand_units")) == {0.0}
    assert set(_values(seller_kpis, "shipper", "purchase_orders")) == {0.0}
    assert set(_values(seller_kpis, "shipper", "fill_rate")) == {1.0}
