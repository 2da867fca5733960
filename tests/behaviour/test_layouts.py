"""The bundled bonded and direct-mail layouts load, run, and compare as the seed says.

Xiasha (Li 2025 §2.2): take-away at the store, 3 h downtown, next day in the region;
direct mail (9610): days to weeks. Customs clears ~10 min at peak (docs/sources.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from o2osim import load_scenario, simulate
from o2osim.cli import bundled_scenarios, main

from helpers import ROOT

XIASHA = ROOT / "configs" / "hangzhou_xiasha_bonded.toml"
DIRECT_MAIL = ROOT / "configs" / "wenzhou_direct_mail.toml"


@pytest.fixture(scope="module")
def xiasha():
    # Three ordinary days from Nov 3, before Double 11.
    scenario = load_scenario(XIASHA, ['scenario.horizon="4d"', 'scenario.warmup="1d"'])
    return simulate(scenario, seed=1)


def test_both_layouts_are_bundled():
    names = {p.stem for p in bundled_scenarios()}
    assert {"hangzhou_xiasha_bonded", "wenzhou_direct_mail"} <= names


def test_xiasha_channels_keep_their_promises_on_ordinary_days(xiasha):
    medians = {}
    for channel in ("store_takeaway", "online_downtown", "online_regional"):
        medians[channel] = xiasha.kpi("channel", channel, "lead_time_p50") / 60
    assert medians["store_takeaway"] < 1.5  # visit, clearance, pick and hand-over
    assert medians["online_downtown"] < 3  # 3 h downtown
    assert 12 < medians["online_regional"] < 36  # next day in the region
    assert xiasha.kpi("resource", "customs", "mean_wait") < 10  # ~10 min clearance at peak


def test_xiasha_store_and_stock_are_reported(xiasha):
    assert xiasha.kpi("store", "xiasha_complex", "visitors") > 5000
    assert xiasha.kpi("store", "xiasha_complex", "display_samples") == 3000
    assert 0.3 < xiasha.kpi("store", "xiasha_complex", "conversion_rate") < 0.6
    assert xiasha.kpi("stock", "bonded", "purchase_orders") > 0
    assert xiasha.kpi("stock", "bonded", "mean_pipeline") > 0
    assert set(xiasha.orders["customer"]) - {-1}  # identities for the annual limit


def test_direct_mail_takes_days_to_weeks(tmp_path):
    out = tmp_path / "dm"
    args = [
        "run",
        str(DIRECT_MAIL),
        "--out",
        str(out),
        "--quiet",
        "--no-charts",
        "--horizon",
        "30d",
        "--set",
        'scenario.warmup="2d"',
        "--set",
        "customers.segments.resident.arrivals_per_day=300",
    ]
    assert main(args) == 0
    orders = pd.read_parquet(out / "orders.parquet")
    lead_days = orders.loc[orders["outcome"] == "delivered", "lead_time_min"] / 1440
    assert 7 < lead_days.median() < 21
    assert orders["reserved"].isna().all()


def test_xiasha_is_deterministic_and_facilities_keep_their_random_numbers():
    scenario = load_scenario(XIASHA, ['scenario.horizon="2d"', 'scenario.warmup="12h"'])
    first = simulate(scenario, seed=4)
    again = simulate(scenario, seed=4)
    pd.testing.assert_frame_equal(first.orders, again.orders)
    pd.testing.assert_frame_equal(first.inventory, again.inventory)
    # No AGVs changes the warehouse, not the visitors, their choices or customs' draws.
    more = simulate(scenario, seed=4, overrides=["warehouse.agvs=0"])
    columns = [
        "placed",
        "segment",
        "channel",
        "skus",
        "customer",
        "door_queued",
        "entered",
        "left_store",
    ]
    pd.testing.assert_frame_equal(first.orders[columns], more.orders[columns])
    clearance = lambda o: (o["clearance_end"] - o["clearance_start"]).dropna()  # noqa: E731
    np.testing.assert_array_equal(clearance(first.orders), clearance(more.orders))
    assert not first.orders["picked"].equals(more.orders["picked"])
