"""The last mile: travel on the city plane, outcomes, promises, shifts, the bundled scenario.

Every test checks the model against a number it did not produce: the
distance/speed/traffic arithmetic recomputed from the order table, the shift
timetable, the configured absence rate, conservation of orders, courier-time and
stock, and the published courier benchmarks. Dispatch policies are in
test_dispatch.py.
"""

from __future__ import annotations

import math
import tomllib
from typing import Any

import numpy as np
import pytest
from scipy import stats

from o2osim import load_scenario, simulate
from o2osim.api import world_tables
from o2osim.profiles import TRAFFIC_PROFILES
from o2osim.scenario import Scenario, dump_scenario, scenario_from_dict

from courier_city import DAY, city, run_world, trips
from helpers import ROOT

SAMS = ROOT / "configs" / "sams_speed_delivery.toml"


# ---------------------------------------------------------------- travel


@pytest.mark.parametrize("path", ["station", "dispatcher"])
def test_every_leg_takes_distance_over_speed_times_traffic(path):
    detour, hub = 1.3, (1.5, -2.0)
    fleet: dict[str, Any] = {
        "riders": 16,
        "depot": "hub",
        "speed_kmh": {"dist": "lognormal", "mean": 18.0, "cv": 0.25},
    }
    if path == "dispatcher":
        fleet |= {
            "dispatch": "nearest_neighbour",
            "capacity": 3,
            "batch_window": "4min",
            "absent_rate": 0.05,
        }
    scenario = city(
        0.4,
        fleet,
        horizon="2d",
        warmup="0s",
        channel={"route": ["front_pick", "deliver"]},
        distance={"dist": "lognormal", "mean": 3.0, "cv": 0.5},
        depots={
            "hub": {
                "x_km": hub[0],
                "y_km": hub[1],
                "pickers": 2,
                "pick_time": {"dist": "exponential", "mean": "1min"},
            }
        },
        city={"detour_factor": detour, "traffic_profile": "city"},
    )
    orders = run_world(scenario)[1]
    legs = orders[orders["arrived"].notna()]
    assert len(legs) > 500
    profile = np.asarray(TRAFFIC_PROFILES["city"])
    hour = (legs["leg_start"].to_numpy() // 60).astype(int) % 24
    np.testing.assert_array_equal(legs["traffic"].to_numpy(), profile[hour])
    expected = legs["leg_km"] * 60.0 / legs["speed_kmh"] * legs["traffic"]
    np.testing.assert_allclose(legs["arrived"] - legs["leg_start"], expected, rtol=1e-12, atol=1e-9)
    assert (legs["delivered"].dropna() >= legs["arrived"][legs["delivered"].notna()]).all()
    # Homes: road distance from the hub is the detour times the straight line.
    np.testing.assert_allclose(
        orders["distance_km"],
        detour * np.hypot(orders["x_km"] - hub[0], orders["y_km"] - hub[1]),
        rtol=1e-12,
    )
    # The first leg starts at the hub when the courier leaves; each later leg starts at the
    # previous customer when that stop ended, and is the road distance between the two.
    first = legs[legs["stop"] == 1]
    np.testing.assert_array_equal(first["leg_km"], first["distance_km"])
    np.testing.assert_array_equal(first["leg_start"], first["dispatched"])
    ridden = orders[orders["trip"] >= 0].sort_values(["trip", "stop"])
    previous = ridden.groupby("trip").shift(1)
    later = ridden["stop"] > 1
    assert later.any() == (path == "dispatcher")
    np.testing.assert_allclose(
        ridden.loc[later, "leg_km"],
        detour
        * np.hypot(
            ridden.loc[later, "x_km"] - previous.loc[later, "x_km"],
            ridden.loc[later, "y_km"] - previous.loc[later, "y_km"],
        ),
        rtol=1e-12,
    )
    np.testing.assert_array_equal(ridden.loc[later, "leg_start"], previous.loc[later, "finished"])
    assert (ridden.groupby("trip")["speed_kmh"].nunique() == 1).all()  # one speed per trip


# ---------------------------------------------------------------- conservation

REASONS = {
    "out_of_area",
    "customer_absent",
    "no_courier_in_time",
    "out_of_stock",
    "over_order_limit",
}
FAILED = {"rejected", "cancelled", "missed", "lost_sale"}


def _two_channel_city(absent_rate: float) -> Scenario:
    fleet = {
        "riders": 6,
        "dispatch": "batch",
        "capacity": 3,
        "batch_window": "5min",
        "absent_rate": absent_rate,
        "give_up_after": "50min",
        "shifts": [
            {"start": "07:00", "end": "15:00", "riders": 3},
            {"start": "13:00", "end": "23:00", "riders": 3},
        ],
    }
    return city(
        0.35,
        fleet,
        horizon="3d",
        warmup="0s",
        channels={
            "instant": {
                "route": ["reserve", "deliver"],
                "goods": "duty_paid",  # no customs stage: legal only for duty-paid goods
                "promise": "30min",
                "max_distance_km": 4.0,
            },
            "presale": {
                "route": ["reserve", "hold", "deliver"],
                "goods": "duty_paid",
                "slots": {
                    "length": "1h",
                    "first": "09:00",
                    "last": "20:00",
                    "lead": "2h",
                    "choices": 4,
                    "release_before": "10min",
                },
            },
        },
        customers={
            "segments": [
                {
                    "name": "city",
                    "arrivals_per_day": 0.35 * DAY,
                    "hourly_profile": "retail",
                    "channels": ["instant", "presale"],
                    "channel_shares": [3, 1],
                    "distance_km": {"dist": "lognormal", "mean": 2.5, "cv": 0.6},
                }
            ]
        },
        warehouse={
            "pickers": 2,
            "pick_time": {"dist": "exponential", "mean": "1min"},
            "initial_stock_days": 3.0,
            "replenishment": {"review": "1d", "lead_time": {"dist": "exponential", "mean": "2d"}},
        },
    )


def test_every_dispatched_order_is_delivered_or_failed_with_a_reason():
    absent_rate = 0.1
    scenario = _two_channel_city(absent_rate)
    world, orders = run_world(scenario, drain=3 * DAY)  # no new orders; every trip ends
    outcome, reason = orders["outcome"].astype(str), orders["reason"].astype(str)
    assert (outcome != "in_flight").all()
    assert ((reason != "") == outcome.isin(FAILED)).all()
    assert set(reason[reason != ""]) <= REASONS
    assert {"out_of_area", "customer_absent", "no_courier_in_time"} <= set(reason)
    # Handed to the fleet: delivered, or nobody was home, or nobody came in time.
    queued = orders["dispatch_queued"].notna()
    dispatched = orders["dispatched"].notna()
    assert (outcome[dispatched] == "delivered").sum() + (
        reason[dispatched] == "customer_absent"
    ).sum() == dispatched.sum()
    assert (reason[queued & ~dispatched] == "no_courier_in_time").all()
    assert (orders.loc[dispatched, "rider_back"] >= orders.loc[dispatched, "finished"]).all()
    # Refused for distance exactly when farther than the channel's area.
    instant = orders["channel"] == "instant"
    far = orders["distance_km"] > 4.0
    assert ((reason == "out_of_area") == (instant & far)).all()
    assert orders.loc[reason == "out_of_area", "reserved"].isna().all()
    # Nobody home at the configured rate: binomial 99.9% interval.
    n = int(dispatched.sum())
    share = (reason[dispatched] == "customer_absent").mean()
    assert abs(share - absent_rate) <= 3.29 * math.sqrt(absent_rate * (1 - absent_rate) / n)
    # Stock: units of failed orders went back on the shelf.
    ledger = world_tables(world)[2]
    kept = orders[orders["reserved"].notna() & (outcome == "delivered")]
    reserved = -ledger.loc[ledger["kind"] == "reserve", "on_hand_change"].sum()
    released = ledger.loc[ledger["kind"] == "release", "on_hand_change"].sum()
    assert reserved - released == kept["lines"].sum()
    assert (ledger["on_hand"] >= 0).all()


def test_presale_orders_wait_for_the_slot_they_chose():
    scenario = _two_channel_city(0.0)
    slots = scenario.channels["presale"].slots
    orders = run_world(scenario, drain=3 * DAY)[1]
    pre = orders[(orders["channel"] == "presale") & orders["slot_start"].notna()]
    assert len(pre) > 100
    start = pre["slot_start"].to_numpy()
    grid = slots.first + slots.length * np.arange(12)
    assert np.isin(start % DAY, grid).all()
    assert (start >= pre["placed"] + slots.lead).all()
    # The customer skipped 0 .. choices-1 of the slots open to them, each equally often.
    earliest = pre["placed"].to_numpy() + slots.lead
    open_slots = (np.arange(0, 7)[:, None] * DAY + grid[None, :]).ravel()
    skipped = (
        (open_slots[None, :] >= earliest[:, None]) & (open_slots[None, :] < start[:, None])
    ).sum(axis=1)
    counts = np.bincount(skipped, minlength=slots.choices)
    assert len(counts) == slots.choices
    assert stats.chisquare(counts).pvalue > 0.001
    released = pre["dispatch_queued"].dropna()
    assert (released >= pre.loc[released.index, "slot_start"] - slots.release_before).all()
    np.testing.assert_array_equal(pre["due"], pre["slot_start"] + slots.length)


def test_couriers_ride_only_on_duty_and_every_minute_is_accounted():
    shifts = [
        {"start": "08:00", "end": "16:00", "riders": 3},
        {"start": "20:00", "end": "04:00", "riders": 2},
    ]  # over midnight
    scenario = city(
        0.3,
        {"riders": 5, "dispatch": "batch", "capacity": 2, "batch_window": "5min", "shifts": shifts},
        horizon="3d",
        warmup="0s",
    )
    world, orders = run_world(scenario)
    horizon = scenario.scenario.horizon
    rides = trips(orders)[["rider", "dispatched", "rider_back"]].first()
    # Which shift each courier works; when that shift began before each trip.
    shift_of = np.repeat([0, 1], [3, 2])
    starts = np.array([8 * 60.0, 20 * 60.0])
    ends = np.array([16 * 60.0, 28 * 60.0])  # the night shift ends at 04:00 the next day
    s = shift_of[rides["rider"].to_numpy()]
    since = (rides["dispatched"].to_numpy() - starts[s]) % DAY
    assert (since < ends[s] - starts[s]).all(), "a courier left while off duty"
    # Paid courier-minutes = the timetable's minutes + overtime (back after the shift ended).
    shift_end = rides["dispatched"].to_numpy() - since + (ends[s] - starts[s])
    back = rides["rider_back"].fillna(horizon).clip(upper=horizon).to_numpy()
    overtime = np.clip(back - shift_end, 0.0, None).sum()
    timetable = 0.0  # each shift on each day (yesterday's night shift runs into day 0)
    for on, off, riders in zip(starts, ends, (3, 2), strict=True):
        for day in range(-1, 3):
            timetable += riders * max(0.0, min(off + day * DAY, horizon) - max(on + day * DAY, 0))
    stats = world.fleet.snapshot()
    assert stats["paid_rider_min"] == pytest.approx(timetable + overtime, rel=1e-12)
    assert stats["busy_rider_min"] == pytest.approx(
        (back - rides["dispatched"].to_numpy()).sum(), rel=1e-12
    )
    assert overtime > 0


# ---------------------------------------------------------------- the bundled scenario


def test_sams_speed_delivery_reproduces_the_courier_benchmarks():
    # Design §5: couriers ~1.7 orders per courier-hour (Grubhub MDRP), paid RMB 4-5 per order.
    result = simulate(load_scenario(SAMS), horizon="7d")
    per_hour = result.kpi("resource", "deliver", "orders_per_rider_hour")
    assert 1.7 * 0.9 <= per_hour <= 1.7 * 1.1, per_hour
    assert 4.0 <= result.kpi("resource", "deliver", "cost_per_delivery") <= 5.0
    assert result.kpi("channel", "speed_delivery", "on_time_rate") >= 0.95  # the 1 h promise


def test_sams_speed_delivery_dumps_and_reloads_equal():
    # The results folder's scenario.toml must re-run as is: clock times, speed tables, fleets.
    scenario = load_scenario(SAMS)
    assert scenario_from_dict(tomllib.loads(dump_scenario(scenario))) == scenario
