"""Customs (mode 1210): quota rules at their boundaries, splits, returns, documents, peaks.

The limits are China's cross-border retail import rules: RMB 5,000 per order and
RMB 26,000 per person per year, both inclusive; the tax is 9.1% of the value.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from o2osim import simulate
from o2osim.customers import arrival_rates, split_basket
from o2osim.facilities.customs import QuotaBook, quota_reason
from o2osim.recorder import Reason
from o2osim.theory import mmc_mean_wait

from helpers import confidence_interval, stripped


def customs_run(
    price: float,
    *,
    population: int | None = None,
    annual: float = 26000.0,
    per_minute: float = 0.05,
    horizon: str = "2d",
    split: float = 0.0,
    items: float = 1.0,
    skus: int = 1,
    channel: dict | None = None,
    seed: int = 1,
):
    segment = {
        "name": "buyers",
        "arrivals_per_day": per_minute * 1440,
        "hourly_profile": "flat",
        "channels": ["only"],
        "split_on_rejection": split,
    }
    if population is not None:
        segment["population"] = population
    scenario = stripped(
        ["customs"],
        per_minute=per_minute,
        horizon=horizon,
        warmup="0s",
        catalogue={
            "skus": skus,
            "items_per_order": items,
            "price_cny": {"dist": "deterministic", "value": price},
        },
        customs={"per_order_limit_cny": 5000, "annual_limit_cny": annual},
        customers={"segments": [segment]},
        channels={"only": {"route": ["customs"], "promise": "1d", **(channel or {})}},
    )
    return simulate(scenario, seed=seed).orders.sort_values("placed")


@pytest.mark.parametrize(
    ("value", "spent", "reason"),
    [
        (5000.00, 0.0, Reason.NONE),  # exactly the per-order limit passes
        (5000.01, 0.0, Reason.OVER_ORDER_LIMIT),  # one cent above does not
        (4999.99, 0.0, Reason.NONE),
        (5000.00, 21000.00, Reason.NONE),  # exactly the annual limit passes
        (5000.00, 21000.01, Reason.ANNUAL_LIMIT),  # the last order crosses it by a cent
        (0.01, 26000.00, Reason.ANNUAL_LIMIT),
        (5000.01, 25000.00, Reason.OVER_ORDER_LIMIT),  # the per-order limit is checked first
    ],
)
def test_quota_boundaries(value, spent, reason):
    assert quota_reason(value, spent, 5000.0, 26000.0) == reason


def test_booked_spend_adds_up_to_the_cent():
    # 0.1 + 0.2 style float error must not push a person over the limit.
    book = QuotaBook()
    for _ in range(10):
        book.book(7, 2599.99)
    book.book(7, 0.10)
    assert book.spent[7] == 26000.0
    assert quota_reason(0.0, book.spent[7], 5000.0, 26000.0) == Reason.NONE
    assert quota_reason(0.01, book.spent[7], 5000.0, 26000.0) == Reason.ANNUAL_LIMIT


def test_an_order_of_exactly_5000_is_cleared():
    orders = customs_run(5000.00)
    assert len(orders) > 50
    assert (orders["outcome"] == "collected").all()
    assert orders["cleared"].notna().all()


def test_an_order_of_5000_01_is_rejected_at_declaration():
    orders = customs_run(5000.01)
    assert len(orders) > 50
    assert (orders["outcome"] == "rejected").all()
    assert (orders["reason"] == "over_order_limit").all()
    assert (orders["declared"] == orders["placed"]).all()
    assert orders["clearance_start"].isna().all()


@pytest.mark.parametrize(("price", "accepted"), [(5000.0, 5), (3250.0, 8), (6500.0, 0)])
def test_the_order_that_crosses_the_annual_limit_is_rejected(price, accepted):
    # One person: 5 x 5,000 = 25,000 passes and the 6th would make 30,000; 8 x 3,250 is
    # exactly 26,000 and passes, the 9th crosses; 6,500 is above the per-order limit.
    orders = customs_run(price, population=1)
    assert (orders["customer"] == 0).all()
    cleared = (orders["outcome"] == "collected").to_numpy()
    assert cleared[:accepted].all() and not cleared[accepted:].any()
    rest = orders.iloc[accepted:]
    expected = "over_order_limit" if price > 5000 else "annual_limit"
    assert (rest["reason"] == expected).all()


def test_each_person_has_their_own_annual_limit():
    orders = customs_run(5000.0, population=3, per_minute=0.1)
    cleared = orders[orders["outcome"] == "collected"]
    assert cleared.groupby("customer").size().to_dict() == {0: 5, 1: 5, 2: 5}


def test_a_return_gives_the_quota_back():
    # Every order is returned an hour after clearance, long before the next one.
    returned = customs_run(
        5000.0,
        population=1,
        annual=10000.0,
        per_minute=1 / 240,
        horizon="5d",
        channel={"return_rate": 1.0, "return_after": {"dist": "deterministic", "value": "1h"}},
    )
    kept = customs_run(5000.0, population=1, annual=10000.0, per_minute=1 / 240, horizon="5d")
    assert (kept["outcome"] == "collected").sum() == 2
    assert (returned["reason"] == "").all()
    assert (returned["outcome"] == "returned").sum() >= len(returned) - 1


def test_tax_enters_the_price_the_customer_pays():
    orders = customs_run(1234.56)
    np.testing.assert_allclose(orders["price_paid_cny"], np.round(1234.56 * 1.091, 2))


# ---------------------------------------------------------------- splitting


def test_split_basket_packs_within_the_limit():
    prices = [3000.0, 2500.0, 2000.0, 6000.0, 1.0]
    assert split_basket((0, 1, 2), prices, 5000.0) == [(0, 2), (1,)]
    assert split_basket((1, 1), prices, 5000.0) == [(1, 1)]  # exactly 5,000
    assert split_basket((0, 3), prices, 5000.0) is None  # one line alone is too dear


def test_rejected_orders_are_split_into_orders_within_the_limit():
    orders = customs_run(
        3000.0,
        population=10_000,
        split=1.0,
        items=2.5,
        skus=4,
        per_minute=0.5,
        horizon="1d",
        annual=1e9,
    )
    parents = orders[orders["reason"] == "over_order_limit"].set_index("order_id")
    parts = orders[orders["parent"] >= 0]
    assert len(parents) > 50
    assert (parents["lines"] >= 2).all()
    assert set(parts["parent"]) <= set(parents.index)
    # Any two lines make 6,000: every line becomes an order (unless the day ends first).
    assert len(parts) >= 0.95 * parents["lines"].sum()
    for parent_id, group in parts.groupby("parent"):
        parent = parents.loc[parent_id]
        assert sorted(sku for skus in group["skus"] for sku in skus) == sorted(parent["skus"])
        assert (group["value_cny"] <= 5000.0).all()
        assert (group["customer"] == parent["customer"]).all()
        assert np.allclose(group["placed"], parent["finished"] + 10.0)  # resubmit_after
        assert (group["outcome"].isin(["collected", "in_flight"])).all()


def test_without_splitting_rejected_orders_are_dropped():
    orders = customs_run(
        3000.0, population=10_000, items=2.5, skus=4, per_minute=0.5, horizon="1d", annual=1e9
    )
    assert (orders["reason"] == "over_order_limit").sum() > 50
    assert (orders["parent"] < 0).all()


# ---------------------------------------------------------------- documents and capacity


def test_mismatched_documents_queue_for_manual_handling_as_erlang_c():
    # 2 orders/min, 30% mismatch -> 0.6/min to 4 officers at exponential 5 min: rho = 0.75.
    scenario = stripped(
        ["customs"],
        per_minute=2.0,
        horizon="4d",
        warmup="12h",
        customs={
            "document_mismatch_rate": 0.3,
            "manual_officers": 4,
            "manual_time": {"dist": "exponential", "mean": "5min"},
        },
    )
    waits = []
    for seed in range(1, 21):
        result = simulate(scenario, seed=seed)
        waits.append(result.kpi("resource", "customs_manual", "mean_wait"))
        orders = result.orders
        manual = orders["manual_end"].notna()
        assert (orders.loc[manual, "clearance_queued"] == orders.loc[manual, "manual_end"]).all()
    low, high = confidence_interval(waits)
    exact = mmc_mean_wait(0.6, 5.0, 4)
    assert low <= exact <= high, f"Erlang C W_q={exact:.3f} outside 99% CI [{low:.3f}, {high:.3f}]"


def test_double_11_multiplies_the_arrival_rate_of_that_date():
    segment = stripped(
        ["customs"],
        per_minute=1.0,
        customers={
            "segments": [
                {
                    "name": "s",
                    "arrivals_per_day": 1440,
                    "channels": ["only"],
                    "peak_days": [{"date": "2026-11-11", "factor": 4.0}],
                }
            ]
        },
    ).customers.segments[0]
    rates = arrival_rates(segment, dt.date(2026, 11, 1), 14 * 1440.0)
    assert rates[10 * 24 : 11 * 24] == [4.0] * 24
    assert set(rates[: 10 * 24] + rates[11 * 24 :]) == {1.0}


def test_customs_capacity_saturates_on_double_11():
    # 10 slots of exponential 1 min: 10 declarations/min at most. 5/min is rho = 0.5; on the
    # peak day 15/min arrive, so the slots are all busy and the queue grows.
    scenario = stripped(
        ["customs"],
        per_minute=5.0,
        horizon="3d",
        warmup="0s",
        customers={
            "segments": [
                {
                    "name": "s",
                    "arrivals_per_day": 7200,
                    "channels": ["only"],
                    "peak_days": [{"date": "2026-11-02", "factor": 3.0}],
                }
            ]
        },
    )
    resources = simulate(scenario, seed=2).resources
    customs = resources[resources["resource"] == "customs"]
    day = (customs["time"] // 1440).astype(int)
    busy = (customs["busy"] / customs["servers"]).groupby(day).mean()
    queue = customs["queue"].groupby(day).max()
    assert busy[0] == pytest.approx(0.5, abs=0.03)  # offered load lambda / (c mu)
    assert busy[1] > 0.99
    assert queue[1] > 1000 and queue[0] < 30
    assert not math.isnan(busy[2])
