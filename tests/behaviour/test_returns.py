"""Returns per channel and product category; resold or written off, in the ledger and money.

An order is returned with its channel's ``return_rate`` times the mean
``return_factor`` of its lines' categories; each returned unit goes back on the
shelf with its category's ``resellable`` probability, else it is written off.
The realised rates must match these probabilities inside replication confidence
intervals, and every returned unit must appear once in the ledger, restocked or
written off (docs/sources.md: online returns ~17.6%, NRF 2023).
"""

from __future__ import annotations

import numpy as np
import pytest

from o2osim import simulate
from o2osim.scenario import Catalogue, ScenarioError

from helpers import confidence_interval, stripped

CATEGORIES = [
    {"name": "cosmetics", "share": 0.4, "return_factor": 0.5, "resellable": 0.3},
    {"name": "formula", "share": 0.3, "return_factor": 0.2, "resellable": 0.0},
    {"name": "apparel", "share": 0.3, "return_factor": 2.5, "resellable": 0.9},
]
RATE = 0.176


def scenario():
    return stripped(
        ["reserve", "pick", "pack", "deliver"],
        per_minute=1.0,
        horizon="4d",
        warmup="0s",
        catalogue={"skus": 200, "items_per_order": 1.0, "categories": CATEGORIES},
        channels={
            "only": {
                "route": ["reserve", "pick", "pack", "deliver"],
                "goods": "duty_paid",  # no customs stage: legal only for duty-paid goods
                "promise": "1d",
                "return_rate": RATE,
                "return_after": {"dist": "exponential", "mean": "2h"},
            }
        },
        warehouse={
            "unlimited_stock": False,
            "initial_stock_units": 100,
            "replenishment": {
                "policy": "s_S",
                "review": "1d",
                "reorder_point_units": 20,
                "order_up_to_units": 100,
                "lead_time": {"dist": "exponential", "mean": "1d"},
            },
        },
    )


def test_skus_are_spread_over_the_categories_by_share():
    catalogue = Catalogue(skus=1000, categories=CATEGORIES)
    counts = np.bincount(catalogue.sku_categories(), minlength=3)
    np.testing.assert_allclose(counts / 1000, [0.4, 0.3, 0.3], atol=0.005)
    # Popular and rare SKUs alike: each category holds its share of the top 100.
    top = np.bincount(catalogue.sku_categories()[:100], minlength=3)
    np.testing.assert_allclose(top / 100, [0.4, 0.3, 0.3], atol=0.03)


def test_return_and_write_off_rates_follow_channel_and_category():
    categories = Catalogue(skus=200, categories=CATEGORIES).sku_categories()
    returned = {c["name"]: [] for c in CATEGORIES}
    resold = {c["name"]: [] for c in CATEGORIES if 0 < c["resellable"] < 1}
    for seed in range(1, 11):
        result = simulate(scenario(), seed=seed)
        orders, ledger = result.orders, result.inventory
        # Orders that ended delivered long enough before the horizon to have come back.
        done = orders[orders["delivered"].notna() & (orders["delivered"] < 3 * 1440.0)]
        category = done["skus"].str[0].map(lambda k: categories[k])
        for index, spec in enumerate(CATEGORIES):
            mine = done[category == index]
            returned[spec["name"]].append((mine["outcome"] == "returned").mean())
        back = ledger[ledger["kind"].isin(["return", "write_off"])]
        back_category = back["sku"].map(lambda k: categories[k])
        for index, spec in enumerate(CATEGORIES):
            if spec["name"] in resold:
                rows = back[back_category == index]
                resold[spec["name"]].append((rows["kind"] == "return").mean())
            elif spec["resellable"] == 0:
                assert not (back.loc[back_category == index, "kind"] == "return").any()
        check_returns_add_up(result)
    for spec in CATEGORIES:
        expected = min(RATE * spec["return_factor"], 1.0)
        low, high = confidence_interval(returned[spec["name"]])
        assert low <= expected <= high, f"{spec['name']} {expected} not in [{low:.4f}, {high:.4f}]"
        if spec["name"] in resold:
            low, high = confidence_interval(resold[spec["name"]])
            assert low <= spec["resellable"] <= high


def check_returns_add_up(result) -> None:
    """Every returned unit is restocked or written off once; levels balance; money agrees."""
    orders, ledger = result.orders, result.inventory
    returned = orders[orders["outcome"] == "returned"]
    back = ledger[ledger["kind"].isin(["return", "write_off"])]
    per_order = back.groupby("order_id").size()
    np.testing.assert_array_equal(
        per_order.reindex(returned["order_id"], fill_value=0), returned["lines"]
    )
    assert set(back["order_id"]) <= set(returned["order_id"])
    # Write-off rows do not move the shelf: the balance law keeps its form.
    kinds = ledger.groupby("kind", observed=False)["on_hand_change"].sum()
    assert kinds["write_off"] == 0
    last = ledger.groupby("sku").tail(1)["on_hand"].sum()
    assert (
        kinds[["initial", "receipt", "return"]].sum() + kinds[["reserve", "release"]].sum() == last
    )
    written = ledger[ledger["kind"] == "write_off"].groupby("order_id").size()
    money = result.money.set_index("order_id")
    cost_share = result.scenario.economics.purchase_cost_share
    value = orders.set_index("order_id")["written_off_cny"].fillna(0.0)
    assert (value[written.index] > 0).all()
    np.testing.assert_allclose(
        money["write_off_cny"], np.round(value[money.index] * cost_share, 2), atol=0.006
    )
    # The stock KPIs count the movements up to the horizon, not those of the drain.
    before = ledger["time"] < result.scenario.scenario.horizon
    assert result.kpi("stock", "bonded", "units_written_off") == len(
        ledger[(ledger["kind"] == "write_off") & before]
    )


def test_category_shares_must_add_up_to_one():
    with pytest.raises(ScenarioError) as caught:
        stripped(
            ["reserve"],
            per_minute=0.1,
            catalogue={"skus": 10, "categories": [{"name": "a", "share": 0.5}]},
        )
    assert "shares of categories must add up to 1 (got 0.5)" in str(caught.value)
