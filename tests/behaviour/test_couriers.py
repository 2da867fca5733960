"""The last mile: courier fleets, dispatch policies, travel on the city plane, promises.

Every test checks the model against a number it did not produce: Erlang C, the
distance/speed/traffic arithmetic recomputed from the order table, the
batching rule, the shift timetable, the configured absence rate, conservation
of orders, courier-time and stock, and the published courier benchmarks.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from o2osim import load_scenario, simulate
from o2osim.api import world_tables
from o2osim.dispatch import (
    DISPATCH_POLICIES,
    dispatch_policy,
    nearest_neighbour,
    nearest_neighbour_tour,
)
from o2osim.facilities.couriers import Fleet, RiderFleet
from o2osim.policies import POLICY_NAMES
from o2osim.profiles import TRAFFIC_PROFILES
from o2osim.scenario import Scenario, dump_scenario, scenario_from_dict
from o2osim.theory import mmc_mean_wait
from o2osim.validation import RIDING
from o2osim.world import World

from helpers import confidence_interval, stripped

ROOT = Path(__file__).resolve().parent.parent
SAMS = ROOT / "configs" / "sams_speed_delivery.toml"
DAY = 1440.0
REPLICATIONS = 20


def city(
    per_minute: float,
    fleet: dict[str, Any],
    horizon: str = "2d",
    warmup: str = "6h",
    distance: dict[str, Any] | None = None,
    channel: dict[str, Any] | None = None,
    **sections: Any,
) -> Scenario:
    """One flat Poisson segment, one delivery channel ``instant``, the fleet ``couriers``."""
    raw: dict[str, Any] = {
        "scenario": {
            "name": "couriers",
            "layout": "instant_delivery",
            "horizon": horizon,
            "warmup": warmup,
            "seed": 1,
        },
        "customers": {
            "segments": [
                {
                    "name": "city",
                    "arrivals_per_day": per_minute * DAY,
                    "hourly_profile": "flat",
                    "channels": ["instant"],
                    "distance_km": distance or {"dist": "lognormal", "mean": 2.0, "cv": 0.6},
                }
            ]
        },
        "catalogue": {"skus": 50, "items_per_order": 1.0},
        "channels": {"instant": {"route": ["deliver"], "promise": "30min", **(channel or {})}},
        "warehouse": {
            "pickers": 2,
            "pick_time": {"dist": "exponential", "mean": "1min"},
            "unlimited_stock": True,
        },
        "couriers": fleet,
        **sections,
    }
    return scenario_from_dict(raw, source="<test_couriers>")


def run_world(scenario: Scenario, seed: int = 1, drain: float = 0.0) -> tuple[World, pd.DataFrame]:
    """Run to the horizon, then ``drain`` more minutes with no new orders; the order table."""
    world = World(scenario, seed=seed)
    world.run()
    if drain:
        world.env.run(until=scenario.scenario.horizon + drain)
    return world, world_tables(world)[0]


def trips(orders: pd.DataFrame) -> pd.core.groupby.DataFrameGroupBy:
    return orders[orders["trip"] >= 0].sort_values(["trip", "stop"]).groupby("trip")


# ---------------------------------------------------------------- M/M/c


def test_dispatcher_with_one_order_per_trip_is_erlang_c():
    # 8 riders on a 24 h shift (the general dispatcher, not the station fast path), one order
    # per trip, FCFS. Homes at an exponential distance of mean 0.5 km, 30 km/h, no handover:
    # the round trip 2 d / v is exponential with mean 2 min, so the fleet is M/M/8, rho 0.85.
    scenario = stripped(["deliver"], per_minute=3.4, **RIDING)
    assert isinstance(World(scenario).fleet, Fleet)
    assert scenario.couriers.trip_time is None
    waits = [
        simulate(scenario, seed=s).kpi("resource", "deliver", "mean_wait")
        for s in range(1, REPLICATIONS + 1)
    ]
    low, high = confidence_interval(waits)
    exact = mmc_mean_wait(3.4, 2.0, 8)
    assert low <= exact <= high, f"Erlang C W_q={exact:.4f} outside 99% CI [{low:.4f}, {high:.4f}]"


@pytest.mark.parametrize(
    ("mode", "traffic"), [("riding", "city"), ("riding", "free"), ("teaching", "free")]
)
def test_dispatcher_and_station_fast_path_deliver_identically(mode, traffic):
    # One order per trip, FCFS: the general dispatcher must reproduce the c-server station
    # order by order (same random numbers, same times), in both travel modes.
    fleet: dict[str, Any] = {"riders": 6, "speed_kmh": {"dist": "gamma", "mean": 18.0, "cv": 0.3}}
    if mode == "teaching":
        fleet = {"riders": 6, "trip_time": {"dist": "lognormal", "mean": "2min", "cv": 0.8}}
        rate = 2.5
    else:
        rate = 0.2
    plain = city(rate, fleet, horizon="1d", city={"traffic_profile": traffic})
    shifted = city(
        rate,
        {**fleet, "shifts": [{"start": "00:00", "end": "00:00", "riders": 6}]},
        horizon="1d",
        city={"traffic_profile": traffic},
    )
    fast, general = World(plain), World(shifted)
    assert isinstance(fast.fleet, RiderFleet) and isinstance(general.fleet, Fleet)
    columns = [
        "dispatch_queued",
        "dispatched",
        "leg_start",
        "arrived",
        "delivered",
        "rider_back",
        "leg_km",
        "speed_kmh",
        "traffic",
        "finished",
        "outcome",
    ]
    one, two = run_world(plain)[1], run_world(shifted)[1]
    assert one["dispatched"].notna().sum() > 100
    assert (one["dispatched"] > one["dispatch_queued"]).any()  # riders were sometimes scarce
    pd.testing.assert_frame_equal(one[columns], two[columns])


# ---------------------------------------------------------------- batching


@pytest.mark.parametrize("policy", ["batch", "nearest_neighbour"])
def test_batching_never_holds_an_order_past_its_window(policy):
    window, capacity, riders = 6.0, 4, 5
    scenario = city(
        1.2,
        {
            "riders": riders,
            "dispatch": policy,
            "capacity": capacity,
            "batch_window": "6min",
            "speed_kmh": {"dist": "lognormal", "mean": 18, "cv": 0.2},
        },
        horizon="2d",
        warmup="0s",
        city={"traffic_profile": "city", "detour_factor": 1.3},
    )
    orders = run_world(scenario)[1]
    horizon = scenario.scenario.horizon
    sent = orders[orders["dispatched"].notna()]
    by_trip = trips(orders)
    size = by_trip.size()
    assert size.max() <= capacity
    assert (size > 1).mean() > 0.3  # it really batches
    # A trip leaves before its oldest order's window closes only when it is full.
    oldest = by_trip["dispatch_queued"].min()
    left = by_trip["dispatched"].first()
    early = left < oldest + window - 1e-9
    assert (size[early] == capacity).all()
    # An order waits past its window only while no courier is idle at the depot: each
    # courier is idle from coming back (or the start) until its next trip (or the horizon).
    legs = by_trip[["rider", "dispatched", "rider_back"]].first().sort_values("dispatched")
    gaps = []
    for _, rides in legs.groupby("rider"):
        back = np.concatenate(([0.0], rides["rider_back"].fillna(horizon).to_numpy()))
        leave = np.concatenate((rides["dispatched"].to_numpy(), [horizon]))
        gaps.append(np.column_stack((back, leave)))
    assert sum(len(g) for g in gaps) >= riders  # every courier appears
    idle = np.concatenate(gaps)
    idle = idle[idle[:, 1] - idle[:, 0] > 1e-9]
    overdue_from = sent["dispatch_queued"].to_numpy() + window
    until = sent["dispatched"].to_numpy()
    late = until > overdue_from + 1e-9
    assert late.any()  # the scarce-courier case is exercised
    start = np.maximum(idle[:, :1], overdue_from[late])
    end = np.minimum(idle[:, 1:], until[late])
    assert not (end - start > 1e-9).any(), "an order was held past its window by an idle courier"


def test_nearest_neighbour_tour_and_policy():
    x = [0.0, 5.0, 1.0, 3.0, 10.0]
    y = [0.0] * 5
    assert nearest_neighbour_tour([1, 3, 4, 2], (0.0, 0.0), x, y) == [2, 3, 1, 4]

    class View:
        capacity, window, depot = 3, 5.0, (0.0, 0.0)

        def __init__(self) -> None:
            self.ready = [0.0, 1.0, 2.0, 3.0, 4.0]
            self.x, self.y = x, y

    # Window still open and the batch not full: wait until the oldest order's window closes.
    assert nearest_neighbour([4, 1], 2.0, View()) == ([], 9.0)
    # The oldest order (4, far out) always goes, with its nearest waiting neighbours.
    stops, wake = nearest_neighbour([4, 0, 2, 1, 3], 9.0, View())
    assert stops == [3, 1, 4] and wake == math.inf


def test_a_new_policy_is_one_function(monkeypatch):
    def newest_first(waiting, now, fleet):
        return [list(waiting)[-1]], math.inf

    # One decorated function; the monkeypatches only undo the registration afterwards.
    monkeypatch.setitem(DISPATCH_POLICIES, "newest_first", newest_first)
    monkeypatch.setitem(POLICY_NAMES, "dispatch", POLICY_NAMES["dispatch"])
    dispatch_policy("newest_first")(newest_first)
    scenario = city(1.0, {"riders": 3, "dispatch": "newest_first"}, horizon="1d")
    orders = simulate(scenario).orders
    sent = orders[orders["dispatched"].notna()].sort_values("dispatched", kind="stable")
    # Last come first served: some order leaves before an older one that was waiting.
    assert (np.diff(sent["dispatch_queued"].to_numpy()) < 0).any()


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
                "promise": "30min",
                "max_distance_km": 4.0,
            },
            "presale": {
                "route": ["reserve", "hold", "deliver"],
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
