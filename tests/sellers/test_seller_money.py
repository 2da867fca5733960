"""The money of SMEs adds up to the cent: per order, per seller and in total.

Conservation laws, not figures of the code: what the customer pays for an order (goods
after discounts + delivery fee) is the platform's revenue plus the seller's payout; a
seller's payout is its sales less the commission (the published share of each order's
goods, rounded to the cent) and the storage fee (its unit-days on hand in the pool times
the fee); each side's profit is its revenue less its own cost lines. Baskets of 1.6
lines on average mix sellers and are split at checkout, one order per seller.
"""

from __future__ import annotations

import numpy as np
import pytest
from seller_scenarios import CONSIGNED, SELF_SHIPPED, seller_scenario

from o2osim import simulate
from o2osim.economics import COSTS, stock_unit_days
from o2osim.scenario import with_overrides
from o2osim.tables import COMPLETED

COMMISSION = {"consigner": 0.07, "shipper": 0.05}
FEE = 5.0


def cents(series) -> np.ndarray:
    return np.rint(np.asarray(series, dtype=float) * 100).astype(np.int64)


@pytest.fixture(scope="module")
def run():
    scenario = with_overrides(
        seller_scenario(horizon="10d", items_per_order=1.6),
        [f"economics.delivery_fees = {{ only = {{ fee_cny = {FEE}, free_above_cny = 300 }} }}"],
    )
    return simulate(scenario, seed=7)


def test_every_order_is_one_sellers_and_splits_keep_the_basket(run):
    orders = run.orders
    owner = np.array(["platform"] * 40, dtype=object)
    owner[CONSIGNED], owner[SELF_SHIPPED] = "consigner", "shipper"
    assert all(len({owner[s] for s in skus}) == 1 for skus in orders["skus"])
    children = orders[orders["parent"] >= 0]
    assert len(children) > 100  # mixed baskets were split
    parents = orders.set_index("order_id").loc[children["parent"]]
    assert (children["placed"].to_numpy() == parents["placed"].to_numpy()).all()
    assert set(children["customer"]) <= set(parents["customer"])


def test_customer_payment_is_platform_revenue_plus_seller_payout(run):
    m = run.money
    paid = cents(m["customer_paid_cny"])
    assert (paid == cents(m["revenue_cny"]) + cents(m["seller_payout_cny"])).all()
    platform = m["seller"].astype(str) == "platform"
    assert (cents(m.loc[platform, "seller_payout_cny"]) == 0).all()
    costs = sum(cents(m[f"{c}_cny"]) for c in COSTS)
    assert (cents(m["profit_cny"]) == cents(m["revenue_cny"]) - costs).all()
    seller_costs = cents(m["seller_cogs_cny"]) + cents(m["seller_logistics_cny"])
    assert (cents(m["seller_profit_cny"]) == cents(m["seller_payout_cny"]) - seller_costs).all()


def test_commission_and_storage_fee_per_seller(run):
    m, meta = run.money, run.scenario.scenario
    done = m["outcome"].astype(str).isin(COMPLETED)
    fee = cents(m["delivery_fee_cny"])
    goods = cents(m["customer_paid_cny"]) - fee
    for name, share in COMMISSION.items():
        rows = (m["seller"].astype(str) == name).to_numpy()
        expected = np.rint(goods[rows] * share).astype(np.int64)
        assert (cents(m.loc[rows, "commission_cny"]) == expected).all()
        shipped_fee = fee[rows].sum() if name == "shipper" else 0
        payout = goods[rows].sum() - expected.sum() - cents(m.loc[rows, "storage_fee_cny"]).sum()
        assert cents(m.loc[rows, "seller_payout_cny"]).sum() == payout + shipped_fee
        assert (cents(m.loc[rows & ~done.to_numpy(), "seller_payout_cny"]) == 0).all()
    inventory = run.inventory
    own = inventory[inventory["sku"].isin(CONSIGNED)]
    owed = round(stock_unit_days(own, meta.warmup, meta.horizon) * 0.13 * 100)
    assert cents(m["storage_fee_cny"]).sum() == owed > 0
    assert run.kpi("seller", "consigner", "storage_fee_cny") == pytest.approx(owed / 100)


def test_seller_kpis_add_up_to_the_money(run):
    for name in ("consigner", "shipper"):
        sales = run.kpi("seller", name, "sales_cny")
        paid = run.kpi("seller", name, "commission_cny") + run.kpi(
            "seller", name, "storage_fee_cny"
        )
        fees = run.money.loc[run.money["seller"].astype(str) == name, "delivery_fee_cny"].sum()
        extra = fees if name == "shipper" else 0.0
        assert run.kpi("seller", name, "payout_cny") == pytest.approx(
            sales - paid + extra, abs=0.01
        )
    total_paid = run.money["customer_paid_cny"].sum()
    payouts = run.money["seller_payout_cny"].sum()
    revenue = run.kpi("seller", "platform", "platform_revenue_cny")
    assert revenue + payouts == pytest.approx(total_paid, abs=0.01)


def test_without_sellers_nothing_changes_shape():
    base = seller_scenario(horizon="4d")
    scenario = base.model_copy(update={"sellers": None})
    result = simulate(scenario, seed=3)
    assert "seller" not in result.money.columns
    assert "seller" not in set(result.kpis["group"])
