"""Money is conserved to the cent, and a small hand-computed case gives exact cost lines."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2osim import load_scenario, simulate
from o2osim.economics import COSTS, spread
from o2osim.scenario import scenario_from_dict, scenario_to_dict
from o2osim.validation import textbook_scenario

from helpers import BASELINE


def cents(series) -> np.ndarray:
    return np.rint(np.asarray(series, dtype=float) * 100).astype(np.int64)


def check_conservation(result) -> None:
    money = result.money
    revenue = cents(money["revenue_cny"])
    costs = sum(cents(money[f"{c}_cny"]) for c in COSTS)
    profit = cents(money["profit_cny"])
    np.testing.assert_array_equal(revenue - costs, profit)  # per order, to the cent
    total_profit = round(result.kpi("overall", "all", "profit_cny") * 100)
    unallocated = 0 if (money["outcome"].isin(["delivered", "collected"])).any() else None
    if unallocated == 0:
        assert total_profit == profit.sum()  # in total, to the cent
    assert round(result.kpi("overall", "all", "net_revenue_cny") * 100) == revenue.sum()


def test_baseline_money_is_conserved():
    scenario = load_scenario(BASELINE, ['scenario.horizon="4d"', 'scenario.warmup="1d"'])
    result = simulate(scenario, seed=3)
    check_conservation(result)
    # Channel totals add up to the overall total.
    channel = result.kpis[(result.kpis.group == "channel") & (result.kpis.kpi == "profit_cny")]
    assert channel["value"].sum() == pytest.approx(
        result.kpi("overall", "all", "profit_cny"), abs=0.005
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fee=st.floats(0, 20),
    free_above=st.one_of(st.none(), st.floats(0, 500)),
    share=st.floats(0, 1),
    marketing=st.floats(0, 0.5),
    per_order=st.floats(0, 10),
    wage=st.floats(0, 80),
    rate=st.floats(0.01, 2.0),
    seed=st.integers(0, 10**6),
    limit=st.floats(50, 3000),
)
def test_money_is_conserved_for_any_prices(
    fee, free_above, share, marketing, per_order, wage, rate, seed, limit
):
    delivery = {"fee_cny": fee} | ({"free_above_cny": free_above} if free_above else {})
    scenario = textbook_scenario(
        ["reserve", "customs", "pick", "pack", "deliver"],
        rate,
        horizon="1d",
        warmup="2h",
        warehouse={"unlimited_stock": False, "initial_stock_days": 0.5},
        customs={"per_order_limit_cny": limit, "inspection_rate": 0.3},
        economics={
            "delivery_fees": {"only": delivery},
            "purchase_cost_share": share,
            "marketing_share_of_revenue": marketing,
            "courier_cny_per_order": per_order,
            "labour_cny_per_hour": {"pick": wage, "deliver": wage / 2},
        },
    )
    check_conservation(simulate(scenario, seed=seed))


def test_spread_adds_up_to_the_cent():
    shares = spread(1001, 7)
    assert shares.sum() == 1001 and shares.max() - shares.min() <= 1


def test_hand_computed_cost_lines():
    # One day, no warm-up; deterministic service; unlimited stock (no storage, no purchases).
    scenario = textbook_scenario(
        ["customs", "pick", "pack", "deliver"],
        10 / 1440,
        horizon="1d",
        warmup="0s",
        warehouse={
            "pickers": 2,
            "packers": 1,
            "pick_time": {"dist": "deterministic", "value": "1min"},
            "pack_time": {"dist": "deterministic", "value": "1min"},
        },
        customs={
            "capacity": 5,
            "clearance_time": {"dist": "deterministic", "value": "5min"},
            "per_order_limit_cny": 1e6,
        },
        couriers={"riders": 3, "trip_time": {"dist": "deterministic", "value": "20min"}},
        economics={
            "purchase_cost_share": 0.6,
            "packaging_cny_per_order": 2.0,
            "courier_cny_per_order": 4.5,
            "customs_cny_per_declaration": 1.0,
            "marketing_share_of_revenue": 0.1,
            "labour_cny_per_hour": {"pick": 30.0, "pack": 20.0, "deliver": 10.0},
            "per_event_cny": {"inspections": 40.0},
            "delivery_fees": {"only": {"fee_cny": 6.0, "free_above_cny": 99.0}},
            "sites": [
                {
                    "name": "hub",
                    "area_m2": 100.0,
                    "rent_cny_per_m2_day": 2.0,
                    "staff": 1,
                    "staff_cny_per_hour": 25.0,
                    "opening_hours_per_day": 8.0,
                }
            ],
        },
    )
    result = simulate(scenario, seed=4)
    orders, money = result.orders, result.money
    done = orders["outcome"] == "delivered"
    n_done, n_declared = int(done.sum()), int(orders["declared"].notna().sum())
    assert 3 <= n_done <= 30  # "a few orders"
    values = orders.loc[done, "value_cny"].to_numpy()
    fees = np.where(values >= 99.0, 0.0, 6.0)
    expected = {
        "labour": (2 * 30 + 1 * 20 + 3 * 10) * 24.0,  # staffed server-hours x wage
        "rent": 100 * 2.0 * 1,  # m2 x CNY/m2/day x days
        "site_staff": 1 * 25.0 * 8.0,  # staff x wage x opening hours
        "storage": 0.0,
        "events": 0.0,
        "reverse": 0.0,  # no returns
        "packaging": 2.0 * n_done,
        "courier": 4.5 * n_done,
        "fees": 1.0 * n_declared,
        "cogs": sum(round(v * 0.6, 2) for v in values),
        "marketing": sum(
            round((round(v, 2) + f) * 0.1, 2) for v, f in zip(values, fees, strict=True)
        ),
    }
    for line, amount in expected.items():
        assert money[f"{line}_cny"].sum() == pytest.approx(amount, abs=0.005), line
    assert money["revenue_cny"].sum() == pytest.approx(
        values.round(2).sum() + fees.sum(), abs=0.005
    )
    assert result.kpi("site", "hub", "fixed_cost_per_day") == pytest.approx(400.0)


def test_calendar_discount_lowers_revenue_not_purchase_cost():
    events = [
        {"name": "double_11", "start": "2026-11-01", "days": 1, "factor": 1.0, "discount": 0.2}
    ]
    base = textbook_scenario(
        ["pick"], 20 / 1440, horizon="2d", warmup="0s", economics={"purchase_cost_share": 0.5}
    )
    raw = scenario_to_dict(base)
    raw["customers"]["calendar"] = events
    scenario = scenario_from_dict(raw)
    result = simulate(scenario, seed=2)
    orders = result.orders.set_index("order_id")
    money = result.money.set_index("order_id")
    on_day = orders["placed"] < 1440
    assert on_day.any() and (~on_day).any()
    value = orders["value_cny"]
    np.testing.assert_allclose(
        money.loc[on_day, "revenue_cny"], (value[on_day] * 0.8).round(2), atol=0.006
    )
    np.testing.assert_allclose(
        money.loc[~on_day, "revenue_cny"], value[~on_day].round(2), atol=0.006
    )
    np.testing.assert_allclose(money["cogs_cny"], (value * 0.5).round(2), atol=0.006)
