"""Random valid scenarios (hypothesis strategies) and the checks the conservation tests share."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from o2osim import simulate
from o2osim.scenario import STAGE_END, Scenario

#: Each example is a whole simulation: fewer of them, and no deadline.
CONSERVATION = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

DISTS = st.sampled_from(
    [
        {"dist": "exponential", "mean": "1min"},
        {"dist": "lognormal", "mean": "50s", "cv": 0.7},
        {"dist": "deterministic", "value": "40s"},
        {"dist": "gamma", "mean": "2min", "cv": 1.5},
        {"dist": "uniform", "low": "10s", "high": "2min"},
        {"dist": "triangular", "low": "10s", "mode": "30s", "high": "3min"},
        {"dist": "empirical", "values": ["20s", "40s", "3min"]},
    ]
)


@st.composite
def run_and_catalogue(draw) -> dict:
    """The ``[scenario]`` and ``[catalogue]`` tables: a short run, a small catalogue."""
    return {
        "scenario": {
            "name": "random",
            "layout": "omnichannel_hub",
            "horizon": f"{draw(st.integers(6, 60))}h",
            "warmup": "1h",
            "seed": draw(st.integers(0, 2**32)),
        },
        "catalogue": {
            "skus": draw(st.integers(1, 80)),
            "items_per_order": draw(st.floats(1, 4)),
            "popularity": {"dist": "zipf", "a": draw(st.floats(0, 2))},
        },
    }


@st.composite
def warehouse_table(draw) -> dict:
    """The bonded warehouse's pickers, packers and stock; each test adds its own keys."""
    return {
        "pickers": draw(st.integers(1, 6)),
        "pick_time": draw(DISTS),
        "packers": draw(st.integers(1, 4)),
        "pack_time": draw(DISTS),
        "unlimited_stock": draw(st.booleans()),
        "initial_stock_days": draw(st.floats(0, 3)),
    }


@st.composite
def customs_table(draw, per_order_limit: float) -> dict:
    """Customs clearance with random inspections; each test adds its own keys."""
    return {
        "capacity": draw(st.integers(1, 10)),
        "clearance_time": draw(DISTS),
        "inspection_rate": draw(st.floats(0, 1)),
        "inspection_time": draw(DISTS),
        "per_order_limit_cny": per_order_limit,
    }


@st.composite
def segment(draw, index: int, names: list[str]) -> dict:
    """A Poisson segment using some of the channels ``names``."""
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True))
    return {
        "name": f"segment_{index}",
        "arrivals_per_day": draw(st.floats(50, 1500)),
        "hourly_profile": draw(st.sampled_from(["flat", "retail", "store_hours"])),
        "weekday_profile": draw(st.sampled_from(["flat", "weekend_peak"])),
        "channels": chosen,
        "channel_shares": [draw(st.floats(0.1, 5)) for _ in chosen],
    }


def add_airport(draw, raw: dict, channels: dict) -> None:
    """An [airport] table; travellers pre-order on the channels that end at pickup."""
    counters = draw(st.integers(1, 5))
    raw["airport"] = {
        "counters": counters,
        "id_check_time": draw(DISTS),
        "pickup_time": draw(DISTS),
        "staging_time": draw(DISTS),
        "arrive_before": {"dist": "lognormal", "mean": "70min", "cv": 0.6},
        "last_call": "20min",
        "staging_cutoff": "1h",
        "order_cutoff": "3h",
        "preorder_window": "12h",
        "lead_time": {"dist": "exponential", "mean": "5h"},
        "linehaul": {
            "every": draw(st.sampled_from(["30min", "1h", "3h"])),
            "first": draw(st.sampled_from(["00:00", "05:30"])),
            "travel_time": draw(DISTS),
            "loading": draw(st.sampled_from(["fifo", "earliest_departure"])),
        },
    }
    if draw(st.booleans()):
        raw["airport"]["staffing"] = [draw(st.integers(0, counters)) for _ in range(23)] + [1]
    if draw(st.booleans()):
        raw["airport"]["linehaul"]["capacity"] = draw(st.integers(1, 30))
    if draw(st.booleans()):
        raw["airport"]["linehaul"]["ship_within"] = "4h"
    to_airport = [n for n, r in channels.items() if r["route"][-1] == "pickup"]
    if to_airport and draw(st.booleans()):
        raw["customers"]["segments"].append(
            {"name": "traveller", "source": "flights", "channels": to_airport}
        )
        raw["airport"]["preorder_share"] = draw(st.floats(0.05, 0.5))
        raw["airport"]["flights"] = {
            "departures_per_day": draw(st.floats(5, 60)),
            "hourly_profile": draw(st.sampled_from(["flat", "store_hours"])),
            "seats": draw(st.integers(20, 200)),
        }


def check_outcomes(orders: pd.DataFrame, horizon: float) -> None:
    """Every order placed has exactly one outcome, consistent with its timestamps."""
    assert orders["outcome"].notna().all()
    in_flight = orders["outcome"] == "in_flight"
    assert orders.loc[in_flight, "finished"].isna().all()
    assert orders.loc[~in_flight, "finished"].notna().all()
    assert (orders["finished"].dropna() <= horizon).all()
    delivered = orders["outcome"] == "delivered"
    assert orders.loc[delivered, "delivered"].notna().all()
    lost = orders["outcome"] == "lost_sale"
    assert orders.loc[lost, "reserved"].isna().all()


def check_airport(orders: pd.DataFrame) -> None:
    """Collected at the airport means staged, then handed over before the flight left; a
    missed airport order is refunded in full; nobody else is refunded."""
    airport = orders[(orders["outcome"] == "collected") & orders["counter_start"].notna()]
    assert (airport["staged"] <= airport["counter_start"]).all()
    assert (airport["collected"] <= airport["departure"].fillna(np.inf)).all()
    missed = orders["reason"].isin(["not_staged", "passenger_late"])
    np.testing.assert_allclose(
        orders.loc[missed, "refund_cny"],
        (orders["value_cny"] + orders["tax_cny"])[missed],
        atol=0.011,
    )
    assert (orders.loc[~missed, "refund_cny"] == 0).all()


def check_stage_order(orders: pd.DataFrame, scenario: Scenario) -> None:
    """Stage timestamps never run backwards along an order's route."""
    for channel, spec in scenario.channels.items():
        rows = orders[orders["channel"] == channel]
        previous = rows["placed"].to_numpy()
        for stage in spec.route:
            if stage == "hold":  # its end, dispatch_queued, is the fleet's queue stamp
                continue
            current = rows[STAGE_END[stage]].to_numpy()
            ok = np.isnan(current) | (current >= previous)
            assert ok.all(), f"{stage} before the previous stage in {channel}"
            previous = np.where(np.isnan(current), previous, current)


def check_shelf(
    ledger: pd.DataFrame, kinds_in: tuple[str, ...]
) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """Stock never negative; per SKU, units in (``kinds_in``) - units out = units on hand.

    Returns the units out (reserved less released) per SKU, the on-hand changes summed by
    SKU and kind, and each SKU's last ledger row.
    """
    assert (ledger["on_hand"] >= 0).all()
    assert (ledger["on_order"] >= 0).all()
    last = ledger.groupby("sku").tail(1).set_index("sku")
    by_kind = ledger.groupby(["sku", "kind"], observed=False)["on_hand_change"].sum()
    units_in = sum(by_kind.xs(k, level="kind") for k in kinds_in)
    units_out = -(by_kind.xs("reserve", level="kind") + by_kind.xs("release", level="kind"))
    np.testing.assert_array_equal((units_in - units_out).loc[last.index], last["on_hand"])
    return units_out, by_kind, last


def simulate_and_check(scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run ``scenario`` and check what every route keeps: one outcome per order, consistent
    with its timestamps and its route's stage order, and the airport's refunds. Returns the
    order table and the stock ledger."""
    result = simulate(scenario)
    orders = result.orders
    meta = scenario.scenario
    check_outcomes(orders, meta.horizon + meta.drain)  # orders may end during the drain
    check_airport(orders)
    assert orders["outcome"].value_counts().sum() == len(orders)
    check_stage_order(orders, scenario)
    return orders, result.inventory
