"""What customers do when the shelf is short: substitute, switch channel, wait or leave.

The response shares are the worldwide averages of Gruen, Corsten and Bharadwaj
(2002), the defaults of the ``stockout`` table; every stock-out must get exactly
one response. Two responses reduce the pool to textbook systems: with ``leave``
only, a one-for-one (base-stock) pool loses sales as an Erlang loss system
(Palm's theorem: the units on order are an M/G/S/S queue, so the fill rate is
1 - B(S, lambda L)); with ``wait`` only it is the Poisson backorder system.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o2osim import simulate
from o2osim.recorder import RESPONSE_NAMES
from o2osim.scenario import ScenarioError, StockoutResponse, read_toml, scenario_from_dict
from o2osim.theory import erlang_b, poisson_fill_rate

from helpers import ROOT, confidence_interval, stripped

GRUEN = {"substitute": 0.45, "switch_channel": 0.31, "wait": 0.15, "leave": 0.09}
MAIL = ["seller_ship", "port_customs", "courier"]


def one_for_one(response: dict, base_stock: int, per_sku_per_day: float = 10.0):
    """40 SKUs of equal Poisson demand, continuous base stock, lead time exactly 1 day."""
    return stripped(
        ["reserve"],
        per_minute=per_sku_per_day * 40 / 1440.0,
        horizon="30d",
        warmup="3d",
        catalogue={"skus": 40, "popularity": {"dist": "zipf", "a": 0.0}},
        customers={"stockout": response},
        warehouse={
            "unlimited_stock": False,
            "initial_stock_units": base_stock,
            "replenishment": {
                "policy": "base_stock",
                "review": "0s",
                "order_up_to_units": base_stock,
                "lead_time": {"dist": "deterministic", "value": "1d"},
            },
        },
    )


def fill_rates(scenario, replications: int = 15) -> list[float]:
    return [
        simulate(scenario, seed=seed).kpi("overall", "all", "fill_rate")
        for seed in range(1, replications + 1)
    ]


def test_customers_who_leave_make_the_pool_an_erlang_loss_system():
    # S = 12 units, lambda L = 10 units per lead time: fill rate 1 - B(12, 10) = 0.8802.
    scenario = one_for_one({"substitute": 0, "switch_channel": 0, "wait": 0, "leave": 1}, 12)
    low, high = confidence_interval(fill_rates(scenario))
    exact = 1.0 - erlang_b(12, 10.0)
    assert exact == pytest.approx(0.8802, abs=1e-4)
    assert low <= exact <= high, f"Erlang loss {exact:.4f} outside 99% CI [{low:.4f}, {high:.4f}]"


def test_customers_who_wait_make_the_pool_the_backorder_system():
    # The same pool, every customer waits: P(lead-time demand < S) = 0.6968 for S = 12.
    scenario = one_for_one({"substitute": 0, "switch_channel": 0, "wait": 1, "leave": 0}, 12)
    low, high = confidence_interval(fill_rates(scenario))
    exact = poisson_fill_rate(10.0, 12)
    assert exact == pytest.approx(0.6968, abs=1e-4)
    assert low <= exact <= high, f"backorder {exact:.4f} outside 99% CI [{low:.4f}, {high:.4f}]"


def short_shelf(response: dict, replenish: bool = True, items: float = 1.6):
    """A pool that runs short often; direct mail (no pool) is the other channel."""
    replenishment = (
        {
            "policy": "s_S",
            "review": "12h",
            "reorder_point_units": 2,
            "order_up_to_units": 6,
            "lead_time": {"dist": "exponential", "mean": "1d"},
        }
        if replenish
        else {"policy": "none"}
    )
    return stripped(
        ["reserve"],
        per_minute=0.5,
        horizon="6d",
        warmup="0s",
        catalogue={"skus": 60, "items_per_order": items, "popularity": {"dist": "zipf", "a": 0.8}},
        customers={
            "channels": ["online", "mail"],
            "channel_shares": [0.9, 0.1],
            "stockout": response,
        },
        channels={
            "online": {"route": ["reserve"], "promise": "1d"},
            "mail": {"route": MAIL, "promise": "14d"},
        },
        warehouse={
            "unlimited_stock": False,
            "initial_stock_units": 4,
            "replenishment": replenishment,
        },
    )


def test_stockout_responses_add_up_and_follow_the_published_shares():
    shares = {name: [] for name in RESPONSE_NAMES}
    for seed in range(1, 13):
        result = simulate(short_shelf(GRUEN), seed=seed)
        orders = result.orders
        stocked_out = orders["stocked_out"].notna()
        response = orders["stockout_response"]
        # Every stock-out has one response, and only stock-outs have one.
        assert (response.notna() == stocked_out).all()
        counts = response.value_counts()
        assert counts.sum() == result.kpi("overall", "all", "stockouts") == stocked_out.sum()
        for name in RESPONSE_NAMES:
            assert result.kpi("overall", "all", f"stockout_{name}") == counts.get(name, 0)
            shares[name].append(counts.get(name, 0) / stocked_out.sum())
        check_each_response(orders)
    for name in RESPONSE_NAMES:
        low, high = confidence_interval(shares[name])
        assert low <= GRUEN[name] <= high, f"{name}: {GRUEN[name]} outside [{low:.3f}, {high:.3f}]"


def check_each_response(orders) -> None:
    """What each response did to its order."""
    response, outcome, reason = orders["stockout_response"], orders["outcome"], orders["reason"]
    leave = response == "leave"
    assert (outcome[leave] == "lost_sale").all() and (reason[leave] == "out_of_stock").all()
    substitute = response == "substitute"
    took = orders["substituted"].notna()
    assert (took == (substitute & (reason != "no_substitute"))).all()
    assert orders.loc[took, "reserved"].notna().all()
    assert (outcome[substitute & ~took] == "lost_sale").all()
    switch = response == "switch_channel"
    assert (orders.loc[switch, "channel"] == "mail").all()
    assert orders.loc[switch, "reserved"].isna().all()
    wait = response == "wait"
    assert orders.loc[wait, "backordered"].notna().all()
    assert not orders.loc[~wait, "backordered"].notna().any()


def test_a_substitute_is_a_near_sku_at_its_own_price():
    result = simulate(short_shelf({**GRUEN, "substitute_span": 3}, items=1.0), seed=2)
    orders = result.orders
    took = orders[orders["substituted"].notna()]
    assert len(took) > 20
    price = (
        orders[orders["stockout_response"].isna()]
        .groupby(orders["skus"].str[0])["value_cny"]
        .first()
    )
    ledger = result.inventory
    for _, order in took.iterrows():
        sku = order["skus"][0]
        moved = ledger[(ledger["order_id"] == order["order_id"]) & (ledger["kind"] == "reserve")]
        assert list(moved["sku"]) == [sku]  # the substitute, not the SKU that was short
        if sku in price.index:
            assert order["value_cny"] == pytest.approx(price[sku])
    assert (ledger.loc[ledger["kind"] == "reserve", "on_hand"] >= 0).all()


def test_customers_give_up_a_backorder_after_their_patience():
    # No replenishment: the only units that come back are those a waiting two-line order
    # held when its customer gave up. Every waiting customer either got the rest from such
    # a release within their patience, or gave up exactly wait_patience after the stock-out
    # and put back what they held.
    response = {"substitute": 0, "switch_channel": 0, "wait": 1, "leave": 0, "wait_patience": "3h"}
    result = simulate(short_shelf(response, replenish=False, items=2.0), seed=4)
    orders, ledger = result.orders, result.inventory
    wait = orders["stockout_response"] == "wait"
    horizon = 6 * 1440.0
    due = wait & (orders["stocked_out"] + 180.0 <= horizon)
    assert due.sum() > 50
    filled = due & orders["reserved"].notna()
    assert (orders.loc[filled, "reserved"] - orders.loc[filled, "stocked_out"] <= 180.0).all()
    gave_up = orders[due & ~filled]
    assert len(gave_up) > 50
    assert (gave_up["outcome"] == "cancelled").all()
    assert (gave_up["reason"] == "backorder_too_long").all()
    np.testing.assert_allclose(gave_up["finished"] - gave_up["stocked_out"], 180.0)
    released = ledger[ledger["kind"] == "release"]
    assert set(released["order_id"]) <= set(gave_up["order_id"])
    net = ledger.groupby("order_id")["on_hand_change"].sum()
    assert (net.reindex(gave_up["order_id"], fill_value=0) == 0).all()
    assert (ledger["on_hand"] >= 0).all()


def test_with_no_other_channel_a_switch_is_a_sale_lost_to_another_retailer():
    scenario = stripped(
        ["reserve"],
        per_minute=0.5,
        horizon="3d",
        warmup="0s",
        catalogue={"skus": 20},
        customers={"stockout": {"substitute": 0, "switch_channel": 1, "wait": 0, "leave": 0}},
        warehouse={
            "unlimited_stock": False,
            "initial_stock_units": 2,
            "replenishment": {"policy": "none"},
        },
    )
    orders = simulate(scenario, seed=1).orders
    out = orders["stocked_out"].notna()
    assert out.sum() > 100
    assert (orders.loc[out, "reason"] == "went_elsewhere").all()
    assert (orders.loc[out, "outcome"] == "lost_sale").all()


def test_without_a_stockout_table_the_channel_rule_is_the_response():
    lose = simulate(short_shelf(GRUEN).model_copy(update={"customers": _no_responses()}), seed=1)
    responses = lose.orders["stockout_response"]
    assert set(responses.dropna().unique()) == {"leave"}
    assert responses.notna().sum() == lose.orders["stocked_out"].notna().sum() > 0


def _no_responses():
    scenario = short_shelf(GRUEN)
    segment = scenario.customers.segments[0].model_copy(update={"stockout": None})
    return scenario.customers.model_copy(update={"segments": [segment]})


# ---------------------------------------------------------------- the table's rules


weights = st.lists(st.integers(0, 20), min_size=4, max_size=4).filter(lambda w: sum(w) > 0)


@settings(max_examples=60, deadline=None)
@given(weights, st.floats(0.5, 1.5))
def test_the_four_shares_must_sum_to_one(parts, scale):
    names = ("substitute", "switch_channel", "wait", "leave")
    table = {n: p / sum(parts) * scale for n, p in zip(names, parts, strict=True)}
    if any(v > 1 for v in table.values()):
        return
    sums_to_one = abs(sum(table.values()) - 1.0) <= 1e-6
    try:
        StockoutResponse(**table)
    except ValueError as error:
        assert not sums_to_one
        assert "must be 1" in str(error)
    else:
        assert sums_to_one


def test_a_travellers_order_cannot_wait_for_stock():
    raw = read_toml(ROOT / "configs" / "shanghai_hongqiao_airport.toml")
    raw["customers"]["segments"][0]["stockout"] = GRUEN
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(raw)
    message = str(caught.value)
    assert "customers.segments[0].stockout.wait = 0.15: channel 'airport_pickup'" in message
    assert "\n" not in message
    raw["customers"]["segments"][0]["stockout"] = {**GRUEN, "wait": 0.0, "leave": 0.24}
    assert scenario_from_dict(raw).customers.segments[0].stockout.leave == 0.24


# ---------------------------------------------------------------- a table that copies the channel


def lagged_pool(shortage: str, table: dict | None, lag: str):
    """A short shelf seen through a stock figure that lags ``lag`` behind (oversells)."""
    return stripped(
        ["reserve", "pick"],
        per_minute=0.5,
        horizon="4d",
        warmup="0s",
        catalogue={"skus": 60, "items_per_order": 1.6, "popularity": {"dist": "zipf", "a": 0.8}},
        customers={"stockout": table} if table else {},
        channels={
            "only": {
                "route": ["reserve", "pick"],
                "promise": "1d",
                "on_shortage": shortage,
                "stock_view": "synced",
            }
        },
        warehouse={
            "unlimited_stock": False,
            "initial_stock_units": 3,
            "sync_lag": lag,
            "allocation": {"policy": "walk_in_reserve", "guard_units": 1},
            "replenishment": {
                "policy": "s_S",
                "review": "12h",
                "reorder_point_units": 2,
                "order_up_to_units": 6,
                "lead_time": {"dist": "exponential", "mean": "1d"},
            },
        },
    )


@pytest.mark.parametrize(("shortage", "only"), [("lose", "leave"), ("backorder", "wait")])
@pytest.mark.parametrize("lag", ["0s", "30min"])
def test_a_table_that_does_what_the_channel_does_changes_nothing(shortage, only, lag):
    # Oversells (paid on a stale figure) follow the channel's rule either way.
    table = {name: float(name == only) for name in RESPONSE_NAMES}
    plain = simulate(lagged_pool(shortage, None, lag), seed=3).orders
    answered = simulate(lagged_pool(shortage, table, lag), seed=3).orders
    assert plain.equals(answered)
    if lag != "0s":
        assert plain["oversold"].notna().sum() > 0


def test_a_switch_never_goes_to_a_channel_that_does_not_serve_the_home():
    # Homes 20 km out; the pool-free channel serves 5 km: every switch is a sale lost to a
    # competitor, with the logit and with fixed shares.
    for choice in ("logit", "shares"):
        scenario = stripped(
            ["reserve"],
            per_minute=0.5,
            horizon="3d",
            warmup="0s",
            catalogue={"skus": 60},
            customers={
                "channels": ["online", "near"],
                "channel_shares": [0.9, 0.1],
                "choice": choice,
                "distance_km": {"dist": "deterministic", "value": 20.0},
                "stockout": {"substitute": 0, "switch_channel": 1, "wait": 0, "leave": 0},
            },
            channels={
                "online": {"route": ["reserve"], "promise": "1d"},
                "near": {"route": MAIL, "promise": "14d", "max_distance_km": 5.0},
            },
            warehouse={
                "unlimited_stock": False,
                "initial_stock_units": 2,
                "replenishment": {"policy": "none"},
            },
        )
        orders = simulate(scenario, seed=1).orders
        switched = orders[orders["stockout_response"] == "switch_channel"]
        assert len(switched) > 100
        assert (switched["reason"] == "went_elsewhere").all(), choice
        assert (switched["channel"] == "online").all()


def test_the_stockout_chart_shows_each_segments_responses(tmp_path):
    from o2osim.plots import stockout_chart

    short = simulate(short_shelf(GRUEN), seed=1)
    figure = stockout_chart(short.kpis, short.scenario)
    assert figure is not None
    bars = sum(container.datavalues.sum() for container in figure.axes[0].containers)
    assert bars == short.kpi("overall", "all", "stockouts")
    plenty = simulate(stripped(["reserve"], per_minute=0.1, horizon="1d"), seed=1)
    assert stockout_chart(plenty.kpis, plenty.scenario) is None
    folder = short.save(tmp_path / "run")
    assert (folder / "stockouts.png").exists()
