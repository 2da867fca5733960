"""The full landed cost per order: every line by hand, per layout, per asset.

A 1210 bonded order, a 9610 parcel and a duty-paid order of the same basket are priced
by hand line by line; every bundled scenario conserves its money to the cent at a short
horizon; direct mail pays postage by weight for every parcel it hands to the courier;
a site is charged only when the layout has the asset it stands for.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from o2osim import load_scenario, simulate
from o2osim.bundled import bundled_scenarios
from o2osim.economics import (
    LANDED,
    charged_sites,
    cost_lines,
    labour_rate,
    order_money,
    sku_modes,
    sku_weights,
)
from o2osim.kpis.money import money_kpis
from o2osim.scenario import STAMPS, Economics
from o2osim.tables import RunTables
from o2osim.validation import textbook_scenario

from helpers import ROOT, exports

SCENARIOS = {path.stem: path for path in bundled_scenarios()}
#: Short runs: long enough after the warm-up for every scenario (the airport's 72 h window).
SHORT = {"shanghai_hongqiao_airport": ("5d", "4d")}

#: Prices of the hand computation (not the defaults: the test fixes its own numbers).
PRICES = {
    "purchase_cost_share": 0.6,
    "freight": {
        "sea": {"cny_per_kg": 2.0},
        "post": {"cny_per_shipment": 10.0, "cny_per_kg": 30.0},
    },
    "postage": {"cny_per_shipment": 8.0, "cny_per_kg": 1.0},
    "customs_cny_per_declaration": 1.0,
    "port_cny_per_parcel": 4.0,
    "packaging_cny_per_order": 2.0,
    "courier_cny_per_order": 4.5,
    "payment_share": 0.006,
    "duty_share_of_purchase_cost": 0.08,
    "returns_handling_cny": 15.0,
    "marketing_share_of_revenue": 0.0,
    "labour_cny_per_hour": {},
    "per_event_cny": {},
    "sites": [],
}


def cents(series: pd.Series | np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(series, dtype=float) * 100).astype(np.int64)


def check_conservation(result) -> None:
    """revenue - every cost = profit, per order and in total, to the cent."""
    money = result.money
    revenue, profit = cents(money["revenue_cny"]), cents(money["profit_cny"])
    costs = cost_lines(money.columns)  # COSTS, and [marketing]'s lines where configured
    np.testing.assert_array_equal(revenue - sum(cents(money[f"{c}_cny"]) for c in costs), profit)
    if money["outcome"].isin(["delivered", "collected"]).any():
        assert round(result.kpi("overall", "all", "profit_cny") * 100) == profit.sum()
    channels = result.kpis[(result.kpis.group == "channel") & (result.kpis.kpi == "profit_cny")]
    assert round(channels["value"].sum() * 100) == profit.sum()


def _short(name: str, seed: int = 7):
    horizon, warmup = SHORT.get(name, ("3d", "1d"))
    overrides = [f'scenario.horizon="{horizon}"', f'scenario.warmup="{warmup}"']
    return simulate(load_scenario(SCENARIOS[name], overrides), seed=seed)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_layout_conserves_its_money(name: str) -> None:
    result = _short(name)
    check_conservation(result)
    landed = result.kpi("overall", "all", "landed_cost_per_order")
    lines = sum(result.kpi("overall", "all", f"cost_{c}_per_order") for c in LANDED)
    assert landed == pytest.approx(lines, abs=1e-9) and landed > 0


# The Wenzhou market's layouts; export networks sell abroad (tests/export checks their money).
NETWORKS = sorted(p.stem for p in (ROOT / "configs" / "networks").glob("*.toml") if not exports(p))


@pytest.mark.parametrize("network", NETWORKS)
def test_every_wenzhou_layout_conserves_its_money(network: str, tmp_path: Path) -> None:
    """The comparison's layouts on one market: the money adds up, and a layout pays rent
    only for the sites whose asset it has."""
    path = tmp_path / f"{network}.toml"
    path.write_text(f'market = "wenzhou"\nnetwork = "{network}"\n', encoding="utf-8")
    scenario = load_scenario(path, ['scenario.horizon="5d"', 'scenario.warmup="4d"'])
    result = simulate(scenario, seed=7)
    check_conservation(result)
    sites = {s.name for s in charged_sites(scenario)}
    assert set(result.kpis.loc[result.kpis.group == "site", "name"]) == sites
    if not sites:
        assert (result.money["rent_cny"] == 0).all()
    if "seller_ship" in {stage for ch in scenario.channels.values() for stage in ch.route}:
        assert result.kpi("overall", "all", "cost_postage_per_order") > 0


# -- one basket, three modes, priced by hand --------------------------------------------
def _three_modes():
    """One scenario with a 1210 bonded channel, a 9610 parcel and a duty-paid channel."""
    return textbook_scenario(
        ["reserve", "customs", "pick", "pack", "deliver"],
        1 / 1440,
        horizon="2d",
        warmup="0s",
        catalogue={"skus": 50, "items_per_order": 1.0, "weight_kg": 0.4},
        customers={"channels": ["only", "parcel", "duty"], "channel_shares": [1, 1, 1]},
        channels={
            "parcel": {"route": ["seller_ship", "port_customs", "courier"], "promise": "14d"},
            "duty": {
                "route": ["reserve", "pick", "pack", "deliver"],
                "promise": "1d",
                "goods": "duty_paid",
            },
        },
        economics=PRICES,
    )


def _orders(rows: list[dict]) -> pd.DataFrame:
    """An orders table with the columns the money reads (every stamp NaN unless given)."""
    base = {
        "segment": "poisson",
        "placed": 60.0,
        "after_warmup": True,
        "written_off_cny": np.nan,
        **dict.fromkeys(STAMPS, np.nan),
    }
    frame = pd.DataFrame([base | row for row in rows])
    frame["order_id"] = np.arange(len(frame))
    return frame


def test_landed_cost_of_one_basket_in_1210_9610_and_general_trade_by_hand() -> None:
    scenario = _three_modes()
    basket = [3, 7, 7]  # three units of 0.4 kg: 1.2 kg
    bonded = {"declared": 61.0, "packed": 70.0, "dispatched": 75.0, "delivered": 90.0}
    parcel = {"port_arrived": 9e3, "port_declared": 9e3, "port_cleared": 9.1e3}
    common = {"skus": basket, "value_cny": 200.0, "outcome": "delivered"}
    orders = _orders(
        [
            {**common, "channel": "only", "tax_cny": 18.2, **bonded},
            {**common, "channel": "parcel", "tax_cny": 18.2, **parcel, "delivered": 1.3e4},
            {**common, "channel": "duty", "tax_cny": 26.0, **bonded, "declared": np.nan},
            # a parcel sent back: returned from the door, abroad (0.4 kg)
            {
                **common,
                "skus": [3],
                "channel": "parcel",
                "tax_cny": 18.2,
                "outcome": "returned",
                **parcel,
                "delivered": 1.3e4,
            },
        ]
    )
    priced = order_money(scenario, RunTables(orders))
    money = priced.orders
    expected = {  # CNY: (1210, 9610, duty paid, returned 9610 parcel)
        "cogs": (120.0, 120.0, 120.0, 0.0),  # 0.6 x 200, on completed orders
        "duty": (0.0, 0.0, 9.6, 0.0),  # 0.08 x 120, general trade only
        "freight": (2.4, 46.0, 2.4, 22.0),  # sea 2 x 1.2 kg; post 10 + 30 x kg
        "fees": (1.0, 4.0, 0.0, 4.0),  # a 1210 declaration; a 9610 port declaration
        "packaging": (2.0, 2.0, 2.0, 2.0),
        "courier": (4.5, 0.0, 4.5, 0.0),  # the rider, 1210 and duty paid
        "postage": (0.0, 9.2, 0.0, 8.4),  # 8 + 1 x kg per parcel from the port
        "payment": (1.31, 1.31, 1.36, 0.0),  # 0.6% of 218.20 and of 226.00
        "reverse": (0.0, 0.0, 0.0, 37.0),  # 15 handling + 10 + 30 x 0.4 kg back abroad
    }
    for line, amounts in expected.items():
        np.testing.assert_allclose(money[f"{line}_cny"], amounts, atol=1e-9, err_msg=line)
    landed = sum(money[f"{c}_cny"] for c in LANDED)
    np.testing.assert_allclose(landed, [11.21, 62.51, 19.86, 73.4], atol=1e-9)
    np.testing.assert_allclose(money["profit_cny"], [68.79, 17.49, 60.14, -73.4], atol=1e-9)
    np.testing.assert_allclose(money["weight_kg"], [1.2, 1.2, 1.2, 0.4])
    np.testing.assert_allclose(money["tax_cny"], [18.2, 18.2, 26.0, 0.0])
    # per completed order of each channel: the returned parcel's costs fall on the other
    for channel, per_order in (("only", 11.21), ("duty", 19.86), ("parcel", 62.51 + 73.4)):
        rows = money_kpis(priced, money[money["channel"] == channel])
        kpis = {kpi: value for kpi, value, _ in rows}
        assert kpis["landed_cost_per_order"] == pytest.approx(per_order, abs=1e-9), channel


# -- direct mail pays postage, and nothing for assets it lacks --------------------------
@pytest.fixture(scope="module")
def direct_mail():
    return _short("wenzhou_direct_mail")


def test_direct_mail_pays_postage_by_weight_for_every_parcel(direct_mail) -> None:
    scenario, money = direct_mail.scenario, direct_mail.money.set_index("order_id")
    orders = direct_mail.orders.set_index("order_id").loc[money.index]
    delivered = orders["delivered"].notna()
    assert delivered.sum() > 100
    kg = orders["skus"].map(len) * scenario.catalogue.weight_kg  # no categories: one weight
    tariff = scenario.economics.postage
    by_hand = (tariff.cny_per_shipment + tariff.cny_per_kg * kg).round(2)
    sent = orders["port_cleared"].notna()  # handed to the national courier at the port
    np.testing.assert_allclose(money.loc[sent, "postage_cny"], by_hand[sent], atol=1e-9)
    assert (money.loc[delivered, "postage_cny"] > 0).all()
    assert (money.loc[~sent, "postage_cny"] == 0).all()
    # three orders by hand: 8 + 1 x 0.5 kg per unit
    for order_id in money.index[delivered][:3]:
        units = len(orders.at[order_id, "skus"])
        assert money.at[order_id, "postage_cny"] == pytest.approx(8.0 + 0.5 * units)
    assert direct_mail.kpi("overall", "all", "cost_postage_per_order") > 8.0


def test_direct_mail_pays_no_period_cost_of_assets_it_lacks(direct_mail) -> None:
    scenario, money = direct_mail.scenario, direct_mail.money
    assert scenario.warehouse is None and scenario.economics.sites  # defaults name one
    assert charged_sites(scenario) == []
    for line in ("rent", "site_staff", "storage", "labour", "shipments", "courier"):
        assert (money[f"{line}_cny"] == 0).all(), line
    assert (direct_mail.kpis["group"] != "site").all()
    assert direct_mail.kpi("overall", "all", "break_even_orders_per_day") == 0


def test_a_site_is_charged_only_when_the_layout_has_its_asset() -> None:
    sites = [
        {"name": "hub", "area_m2": 100.0, "rent_cny_per_m2_day": 2.0},  # the warehouse
        {"name": "shop", "asset": "corner_store", "area_m2": 50.0, "rent_cny_per_m2_day": 9.0},
        {"name": "gate", "asset": "airport", "area_m2": 20.0, "rent_cny_per_m2_day": 9.0},
    ]
    scenario = textbook_scenario(
        ["pick"], 20 / 1440, horizon="2d", warmup="0s", economics={"sites": sites}
    )
    assert [s.name for s in charged_sites(scenario)] == ["hub"]
    result = simulate(scenario, seed=1)
    assert result.money["rent_cny"].sum() == pytest.approx(100 * 2.0 * 2, abs=0.005)
    names = set(result.kpis.loc[result.kpis.group == "site", "name"])
    assert names == {"hub"}


# -- the pieces the lines are made of ---------------------------------------------------
def test_freight_modes_follow_the_replenishment_classes() -> None:
    scenario = load_scenario(SCENARIOS["hangzhou_xiasha_bonded"])
    modes = sku_modes(scenario)
    assert modes[:1200] == ["air"] * 1200 and modes[1200:] == ["sea"] * 1800
    assert (sku_weights(scenario) == scenario.catalogue.weight_kg).all()


def test_category_weights_and_the_duty_free_catalogue() -> None:
    scenario = textbook_scenario(
        ["pick"],
        1 / 1440,
        catalogue={
            "skus": 10,
            "weight_kg": 0.5,
            "categories": [
                {"name": "formula", "share": 0.5, "weight_kg": 1.1},
                {"name": "lipstick", "share": 0.5},
            ],
        },
    )
    cats = scenario.catalogue.sku_categories()
    expected = [1.1 if c == 0 else 0.5 for c in cats]
    np.testing.assert_allclose(sku_weights(scenario), expected)
    airport = _short("shanghai_hongqiao_airport").scenario
    assert len(sku_weights(airport)) == airport.catalogue.skus + airport.airport.catalogue.skus


def test_depot_pickers_and_fleets_are_paid_their_stage_rate() -> None:
    econ = Economics(labour_cny_per_hour={"pick": 28.0, "deliver": 15.0, "deliver_vans": 60.0})
    assert labour_rate(econ, "pick_experience_store") == 28.0
    assert labour_rate(econ, "deliver_store_riders") == 15.0
    assert labour_rate(econ, "deliver_vans") == 60.0
    assert labour_rate(econ, "pickup") == 0.0 and labour_rate(econ, "customs_manual") == 0.0


def test_a_freight_mode_without_a_tariff_is_refused() -> None:
    with pytest.raises(ValueError, match="stock_freight_mode 'rail' has no tariff"):
        Economics(stock_freight_mode="rail")
