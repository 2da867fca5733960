"""Money of an export run: conserved per order to the cent, in CNY and the market's currency.

Revenue minus every cost line is the profit of each order, exactly; the customer's tax
is the VAT plus what a DAP parcel pays at the door; the market-currency columns are the
CNY columns at the order's exchange rate, to the cent; a parcel's duty is the rule's,
recomputed here by hand from the order's basket.
"""

from __future__ import annotations

import numpy as np
import pytest

from o2osim import simulate
from o2osim.economics import COSTS
from o2osim.scenario import ScenarioError, scenario_from_dict, scenario_to_dict

from export_scenarios import SHORT_EU, export_scenario


@pytest.fixture(scope="module")
def run():
    short = {**SHORT_EU, "scenario.horizon": "21d"}
    return simulate(export_scenario("eu_shoes", "export_both", **short), 5)


def cents(values) -> np.ndarray:
    return np.rint(np.asarray(values, dtype=float) * 100).astype(np.int64)


def test_revenue_minus_every_cost_is_the_profit_of_each_order(run):
    money = run.money
    costs = sum(cents(money[f"{c}_cny"]) for c in COSTS)
    assert np.array_equal(cents(money["revenue_cny"]) - costs, cents(money["profit_cny"]))


def test_tax_is_the_vat_plus_what_the_customer_pays_at_the_door(run):
    money = run.money
    door = money["border_duty_cny"] + money["border_handling_cny"]
    parcel = (money["channel"] == "direct_mail").to_numpy()
    expected = cents(money["vat_cny"]) + np.where(parcel, cents(door), 0)
    assert np.array_equal(cents(money["tax_cny"]), expected)
    # The warehouse's duty (general trade on the consignment) is the seller's cost line.
    stock = ~parcel
    assert np.array_equal(cents(money["duty_cny"])[stock], cents(money["border_duty_cny"])[stock])


def test_market_columns_are_the_cny_columns_at_the_rate_to_the_cent(run):
    money = run.money
    rate = money["fx_cny_per_unit"].to_numpy()
    for name in ("revenue", "profit", "landed_cost"):
        cny = money[f"{name}_cny"].to_numpy()
        assert np.all(np.abs(money[f"{name}_mkt"].to_numpy() * rate - cny) <= rate * 0.005 + 1e-6)


def test_parcel_duty_is_the_rule_worked_out_by_hand(run):
    money = run.money.set_index("order_id")
    orders = run.orders.set_index("order_id").loc[money.index]
    parcels = orders[(orders["channel"] == "direct_mail") & orders["port_cleared"].notna()]
    july = 21 * 1440.0  # 2026-07-01 is 21 days after the start (2026-06-10)
    categories = ["leather_shoes", "textile_shoes"]
    sku_category = export_scenario("eu_shoes", "export_both").catalogue.sku_categories()
    rates = {"leather_shoes": 0.08, "textile_shoes": 0.17}
    checked = 0
    for order_id, order in parcels.iterrows():
        eur = round(order["value_cny"] / 8.2 + 1e-9, 2)
        items = [categories[sku_category[s]] for s in order["skus"]]
        if eur >= 150:
            each = eur / len(items)
            expected = sum(round(each * rates[i] + 1e-9, 2) for i in items)
        elif order["placed"] >= july:
            expected = 3.0 * len(set(items))
        else:
            expected = 0.0
        assert money.loc[order_id, "border_duty_mkt"] == pytest.approx(expected, abs=0.011)
        checked += 1
    assert checked > 500


def test_export_layout_without_trade_is_refused():
    data = scenario_to_dict(export_scenario("eu_shoes", "export_direct_mail"))
    del data["trade"]
    with pytest.raises(ScenarioError, match=r'trade.*layout = "export".*\[trade\]'):
        scenario_from_dict(data, source="x.toml")


def test_trade_in_an_import_layout_is_refused():
    data = scenario_to_dict(export_scenario("eu_shoes", "export_direct_mail"))
    data["scenario"]["layout"] = "direct_mail"
    with pytest.raises(ScenarioError, match='set layout = "export"'):
        scenario_from_dict(data, source="x.toml")


def test_trade_landed_cost_is_the_money_kpi_plus_what_is_paid_at_the_door(run):
    for channel in ("direct_mail", "overseas_warehouse"):
        seller = run.kpi("channel", channel, "landed_cost_per_order")
        landed = run.kpi("trade", channel, "landed_cost_per_order")
        money = run.money[run.money["channel"] == channel]
        done = money["outcome"].isin(["delivered", "collected"]).sum()
        at_door = (money["tax_cny"] - money["vat_cny"]).sum() / done
        assert landed == pytest.approx(seller + at_door, abs=1e-9)
        assert run.kpi("trade", channel, "profit_per_order") == pytest.approx(
            run.kpi("channel", channel, "profit_per_order"), abs=1e-9
        )
