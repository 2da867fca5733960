"""Conservation laws on random valid scenarios (hypothesis).

Every order placed ends in exactly one outcome consistent with its timestamps,
and an order that failed says why; stock never goes negative; units in = units
out + units on hand. Routes may end at a courier or at the airport, whose
travellers pre-order from a random flight schedule; the scenarios mix the bonded
warehouse with a front warehouse, courier fleets with random dispatch policies,
shifts and failures, and all three kinds of delivery promise.

The bonded layout's test adds front stores, split orders, backorders, returns,
allocation rules, sync lag and replenishment classes: every order holds exactly
the units its outcome says, and oversells happen only with a sync lag.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2osim import simulate
from o2osim.dispatch import DISPATCH_POLICIES
from o2osim.scenario import (
    AIRPORT_STAGES,
    STAGE_END,
    STAGES,
    TERMINAL_STAGES,
    scenario_from_dict,
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


SPEEDS = st.one_of(st.floats(5, 40), st.just({"dist": "uniform", "low": 8.0, "high": 30.0}))
PROMISES = st.sampled_from(
    [
        {"promise": "2h"},
        {"next_day": {"by": "20:00", "cutoff": "18:00"}},
        {
            "slots": {
                "length": "2h",
                "first": "08:00",
                "last": "20:00",
                "lead": "1h",
                "choices": 3,
                "release_before": "15min",
            }
        },
    ]
)


@st.composite
def fleets(draw, depot):
    fleet = {
        "riders": draw(st.integers(1, 8)),
        "depot": depot,
        "speed_kmh": draw(SPEEDS),
        "handover_time": draw(DISTS),
        "dispatch": draw(st.sampled_from(sorted(DISPATCH_POLICIES))),
    }
    if fleet["dispatch"] != "fcfs":
        fleet["capacity"] = draw(st.integers(1, 4))
        fleet["batch_window"] = draw(st.sampled_from(["0s", "3min", "20min"]))
    if draw(st.booleans()):
        first = draw(st.integers(0, fleet["riders"]))
        clock = st.builds("{:02d}:{:02d}".format, st.integers(0, 23), st.sampled_from([0, 30]))
        fleet["shifts"] = [
            {"start": draw(clock), "end": draw(clock), "riders": n}
            for n in (first, fleet["riders"] - first)
            if n
        ]
    fleet["absent_rate"] = draw(st.sampled_from([0.0, 0.2]))
    if draw(st.booleans()):
        fleet["give_up_after"] = "40min"
    if draw(st.booleans()):
        fleet["trip_time"] = draw(DISTS)
    return fleet


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


@st.composite
def scenarios(draw):
    routes = {}
    for index in range(draw(st.integers(1, 3))):
        front = draw(st.booleans())
        pool = (
            ["reserve", "customs", "front_pick"]
            if front
            else ["reserve", "customs", "pick", "pack"]
        )
        stages = [s for s in pool if draw(st.booleans())] or [pool[-1]]
        end = draw(st.sampled_from(["deliver", "airport", "depot"]))
        promise = draw(PROMISES) if end == "deliver" else {"promise": "2h"}
        channel = {"route": stages, **promise}
        if "slots" in promise:
            stages.append("hold")
        if end == "deliver":
            stages.append("deliver")
            channel["fleet"] = "bikes" if front else "couriers"
            if draw(st.booleans()):
                channel["max_distance_km"] = draw(st.floats(1, 10))
        elif end == "airport":
            stages += [s for s in AIRPORT_STAGES[:-1] if draw(st.booleans())] + ["pickup"]
        if front:
            channel["depot"] = "front"
        routes[f"channel_{index}"] = channel
    names = list(routes)
    segments = []
    for index in range(draw(st.integers(1, 2))):
        segments.append(
            {**draw(segment(index, names)), "around": draw(st.sampled_from(["warehouse", "front"]))}
        )
    raw = {
        **draw(run_and_catalogue()),
        "customers": {"segments": segments},
        "channels": routes,
        "warehouse": {
            "pickers": draw(st.integers(1, 6)),
            "pick_time": draw(DISTS),
            "packers": draw(st.integers(1, 4)),
            "pack_time": draw(DISTS),
            "unlimited_stock": draw(st.booleans()),
            "initial_stock_days": draw(st.floats(0, 3)),
            "replenishment": {
                "policy": draw(st.sampled_from(["s_S", "none"])),
                "review": "4h",
                "lead_time": {"dist": "exponential", "mean": "6h"},
                "reorder_point_days": 1.0,
                "order_up_to_days": 2.0,
            },
        },
        "customs": {
            "capacity": draw(st.integers(1, 10)),
            "clearance_time": draw(DISTS),
            "inspection_rate": draw(st.floats(0, 1)),
            "inspection_time": draw(DISTS),
            "per_order_limit_cny": draw(st.floats(50, 2000)),
        },
        "couriers": draw(fleets("warehouse")),
        "fleets": {"bikes": draw(fleets("front"))},
        "depots": {
            "front": {
                "x_km": draw(st.floats(-5, 5)),
                "y_km": draw(st.floats(-5, 5)),
                "pickers": draw(st.integers(1, 4)),
                "pick_time": draw(DISTS),
            }
        },
        "city": {
            "detour_factor": draw(st.floats(1, 2)),
            "traffic_profile": draw(st.sampled_from(["free", "city"])),
        },
    }
    add_airport(draw, raw, routes)
    return scenario_from_dict(raw)


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


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_conservation_laws(scenario):
    result = simulate(scenario)
    orders, ledger = result.orders, result.inventory

    check_outcomes(orders, scenario.scenario.horizon)
    check_airport(orders)
    counts = orders["outcome"].value_counts()
    assert counts.sum() == len(orders)
    # An order that failed says why; one that did not, does not.
    failed = orders["outcome"].isin(["lost_sale", "rejected", "cancelled", "missed"])
    assert ((orders["reason"].astype(str) != "") == failed).all()
    # Handed to a courier: delivered, nobody home, or still riding at the horizon.
    ridden = orders[orders["dispatched"].notna()]
    assert ridden["outcome"].isin(["delivered", "missed", "in_flight"]).all()
    assert (ridden.loc[ridden["outcome"] == "missed", "reason"] == "customer_absent").all()
    # Stage timestamps never run backwards along an order's route.
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

    # Stock never negative; the ledger balances per SKU and matches the orders.
    if len(ledger):
        assert (ledger["on_hand"] >= 0).all()
        assert (ledger["on_order"] >= 0).all()
        last = ledger.groupby("sku").tail(1).set_index("sku")
        by_kind = ledger.groupby(["sku", "kind"], observed=False)["on_hand_change"].sum()
        units_in = by_kind.xs("initial", level="kind") + by_kind.xs("receipt", level="kind")
        units_out = -(by_kind.xs("reserve", level="kind") + by_kind.xs("release", level="kind"))
        np.testing.assert_array_equal((units_in - units_out).loc[last.index], last["on_hand"])
        # Failed orders put their units back; kept orders hold theirs.
        kept = orders[
            orders["reserved"].notna()
            & orders["outcome"].isin(["delivered", "collected", "in_flight"])
        ]
        assert units_out.sum() == kept["lines"].sum()


# ---------------------------------------------------------------- the bonded layout

# Depots and presale slots are the last mile's (tested above); the bonded routes use the rest.
INNER = [s for s in STAGES if s not in (*TERMINAL_STAGES, *AIRPORT_STAGES, "front_pick", "hold")]
POLICY = st.sampled_from(
    [
        {"policy": "s_S", "reorder_point_days": 1.0, "order_up_to_days": 2.0},
        {"policy": "r_Q", "reorder_point_days": 0.5, "order_quantity_days": 1.0},
        {"policy": "base_stock", "order_up_to_units": 3},
        {"policy": "none"},
    ]
)


@st.composite
def bonded_routes(draw):
    stages = [s for s in INNER if draw(st.booleans())]
    end = draw(st.sampled_from([None, *TERMINAL_STAGES]))
    if end == "pickup":  # through the airport: no store visit on the way to a flight
        stages = [s for s in stages if s != "store_visit"]
        return stages + [s for s in AIRPORT_STAGES[:-1] if draw(st.booleans())] + ["pickup"]
    return [*stages, end] if end else stages or ["pick"]


@st.composite
def stockout_table(draw, flying: bool) -> dict:
    """Stock-out responses; a segment using an airport channel cannot wait."""
    parts = draw(
        st.lists(st.integers(0, 5), min_size=4, max_size=4).filter(
            lambda w: sum(w[i] for i in range(4) if not (flying and i == 2)) > 0
        )
    )
    if flying:
        parts[2] = 0
    names = ("substitute", "switch_channel", "wait", "leave")
    table = {n: p / sum(parts) for n, p in zip(names, parts, strict=True)}
    table["substitute_span"] = draw(st.integers(1, 4))
    if draw(st.booleans()):
        table["wait_patience"] = draw(st.sampled_from(["30min", "6h"]))
    return table


@st.composite
def bonded_scenarios(draw):
    channels = {}
    for index in range(draw(st.integers(1, 3))):
        route = draw(bonded_routes())
        channels[f"channel_{index}"] = {
            "route": route,
            "promise": "2h",
            "on_shortage": "lose"
            if route[-1] == "pickup"
            else draw(st.sampled_from(["lose", "backorder"])),
            "stock_view": draw(st.sampled_from(["synced", "live"])),
            "return_rate": draw(st.sampled_from([0.0, 0.3])),
            "return_after": {"dist": "exponential", "mean": "3h"},
        }
        if draw(st.booleans()):
            channels[f"channel_{index}"]["max_distance_km"] = draw(st.sampled_from([2.0, 8.0]))
    names = list(channels)
    segments = []
    for index in range(draw(st.integers(1, 2))):
        segments.append(
            {
                **draw(segment(index, names)),
                "population": draw(st.sampled_from([None, 5, 200])),
                "split_on_rejection": draw(st.sampled_from([0.0, 0.8])),
                "resubmit_after": "5min",
                "peak_days": draw(st.sampled_from([[], [{"date": "2026-11-01", "factor": 3.0}]])),
            }
        )
        if segments[-1]["population"] is None:
            del segments[-1]["population"]
        if draw(st.booleans()):
            segments[-1]["stockout"] = draw(
                stockout_table(
                    any(channels[c]["route"][-1] == "pickup" for c in segments[-1]["channels"])
                )
            )
    per_order_limit = draw(st.floats(50, 2000))
    meta = draw(run_and_catalogue())
    if draw(st.booleans()):
        meta["catalogue"]["categories"] = [
            {"name": "kept", "share": 0.5, "return_factor": draw(st.floats(0, 3))},
            {"name": "mixed", "share": 0.25, "resellable": draw(st.floats(0, 1))},
            {"name": "scrapped", "share": 0.25, "resellable": 0.0},
        ]
    raw = {
        **meta,
        "customers": {"segments": segments},
        "channels": channels,
        "warehouse": {
            "pickers": draw(st.integers(1, 6)),
            "pick_time": draw(DISTS),
            "packers": draw(st.integers(1, 4)),
            "pack_time": draw(DISTS),
            "agvs": draw(st.integers(0, 3)),
            "agv_time": draw(DISTS),
            "sort_per_hour": draw(st.floats(60, 5000)),
            "unlimited_stock": draw(st.booleans()),
            "initial_stock_days": draw(st.floats(0, 3)),
            "sync_lag": draw(st.sampled_from(["0s", "20min"])),
            "allocation": {
                "policy": draw(st.sampled_from(["fcfs", "channel_priority", "walk_in_reserve"])),
                "priority": draw(st.permutations(names)),
                "guard_units": draw(st.integers(0, 2)),
            },
            "replenishment": {
                **draw(POLICY),
                "review": draw(st.sampled_from(["0s", "4h"])),
                "lead_time": {"dist": "exponential", "mean": "6h"},
                "modes": {"air": {"dist": "exponential", "mean": "2h"}},
                "classes": [
                    {
                        "name": "a",
                        "share": 0.3,
                        "mode": "air",
                        "review": draw(st.sampled_from(["0s", "2h"])),
                        **draw(POLICY),
                    }
                ],
            },
            "regional": {
                "cutoffs": ["6h", "18h"],
                "capacity": draw(st.integers(0, 20)),
                "delivery_time": {"dist": "exponential", "mean": "3h"},
            },
        },
        "customs": {
            "capacity": draw(st.integers(1, 10)),
            "clearance_time": draw(DISTS),
            "inspection_rate": draw(st.floats(0, 1)),
            "inspection_time": draw(DISTS),
            "per_order_limit_cny": per_order_limit,
            "annual_limit_cny": per_order_limit * draw(st.floats(1, 5)),
            "document_mismatch_rate": draw(st.sampled_from([0.0, 0.2])),
            "manual_time": draw(DISTS),
        },
        "stores": [
            {
                "name": "front",
                "capacity": draw(st.integers(1, 20)),
                "door_queue": draw(st.booleans()),
                "browse_time": draw(DISTS),
                "ar_mirrors": 2,
                "mirror_share": 0.5,
                "mirror_time": draw(DISTS),
                "staff": 2,
                "help_share": 0.3,
                "checkout_staff_share": 0.3,
                "purchase_probability": draw(st.floats(0, 1)),
                "handover_time": draw(DISTS),
            }
        ],
        "direct_mail": {
            "parcel_transit": {"dist": "exponential", "mean": "2h"},
            "courier_transit": {"dist": "exponential", "mean": "1h"},
            "port_customs": {
                "capacity": 3,
                "clearance_time": draw(DISTS),
                "per_order_limit_cny": per_order_limit,
            },
        },
        "couriers": {"riders": draw(st.integers(1, 10)), "speed_kmh": draw(st.floats(5, 40))},
    }
    if draw(st.booleans()):
        raw["couriers"]["trip_time"] = draw(DISTS)
    add_airport(draw, raw, channels)
    return scenario_from_dict(raw)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bonded_scenarios())
def test_bonded_conservation_laws(scenario):
    result = simulate(scenario)
    orders, ledger = result.orders, result.inventory

    check_outcomes(orders, scenario.scenario.horizon)
    check_airport(orders)
    missed = orders["outcome"] == "missed"
    assert (orders["reason"].isin(["not_staged", "passenger_late"]) == missed).all()
    # Every other reason goes with its outcome.
    expected = {
        "over_order_limit": "rejected",
        "annual_limit": "rejected",
        "oversold": "cancelled",
        "out_of_stock": "lost_sale",
        "stale_stock_figure": "lost_sale",
        "zone_full": "turned_away",
        "no_substitute": "lost_sale",
        "went_elsewhere": "lost_sale",
        "backorder_too_long": "cancelled",
    }
    for reason, outcome in expected.items():
        assert (orders.loc[orders["reason"] == reason, "outcome"] == outcome).all(), reason
    # Every stock-out has exactly one response; only stock-outs have one.
    assert (orders["stockout_response"].notna() == orders["stocked_out"].notna()).all()
    waited = orders["stockout_response"] == "wait"
    assert orders.loc[waited, "backordered"].notna().all()
    switched = orders["stockout_response"] == "switch_channel"
    moved = orders.loc[switched & (orders["reason"] != "went_elsewhere"), "channel"]
    assert all("reserve" not in scenario.channels[c].route for c in moved)
    assert not (switched & (orders["reason"] == "out_of_area")).any()
    returned = orders["outcome"] == "returned"
    assert orders.loc[returned, "returned"].notna().all()
    assert (orders.loc[returned, "returned"] >= orders.loc[returned, "finished"]).all()
    counts = orders["outcome"].value_counts()
    assert counts.sum() == len(orders)
    # Stage timestamps never run backwards along an order's route.
    for channel, spec in scenario.channels.items():
        rows = orders[orders["channel"] == channel]
        previous = rows["placed"].to_numpy()
        for stage in spec.route:
            current = rows[STAGE_END[stage]].to_numpy()
            ok = np.isnan(current) | (current >= previous)
            assert ok.all(), f"{stage} before the previous stage in {channel}"
            previous = np.where(np.isnan(current), previous, current)
    # A split order's parts are within the limit that rejected it, and carry its customer.
    parts = orders[orders["parent"] >= 0]
    if len(parts):
        parents = orders.set_index("order_id").loc[parts["parent"]]
        assert (parents["outcome"] == "rejected").all()
        assert (parents["reason"] == "over_order_limit").all()
        assert (parts["customer"].to_numpy() == parents["customer"].to_numpy()).all()
        assert (parts["value_cny"] <= scenario.customs.per_order_limit_cny + 0.005).all()
    # Oversells only with a sync lag; turned away only without a door queue.
    if scenario.warehouse.sync_lag == 0:
        assert orders["oversold"].isna().all()
    if scenario.stores[0].door_queue:
        assert not (orders["outcome"] == "turned_away").any()

    # Stock never negative; the ledger balances per SKU and per order.
    if len(ledger):
        assert (ledger["on_hand"] >= 0).all()
        assert (ledger["on_order"] >= 0).all()
        last = ledger.groupby("sku").tail(1).set_index("sku")
        by_kind = ledger.groupby(["sku", "kind"], observed=False)["on_hand_change"].sum()
        units_in = sum(by_kind.xs(k, level="kind") for k in ("initial", "receipt", "return"))
        units_out = -(by_kind.xs("reserve", level="kind") + by_kind.xs("release", level="kind"))
        np.testing.assert_array_equal((units_in - units_out).loc[last.index], last["on_hand"])
        assert (by_kind.xs("write_off", level="kind") == 0).all()  # never on the shelf
        pipeline = ledger.groupby(["sku", "kind"], observed=False)["on_order_change"].sum()
        ordered = pipeline.xs("purchase_order", level="kind")
        received = -pipeline.xs("receipt", level="kind")
        np.testing.assert_array_equal((ordered - received).loc[last.index], last["on_order"])

        def per_order(kind: str) -> np.ndarray:
            rows = ledger[ledger["kind"] == kind]
            sums = rows.groupby("order_id")["on_hand_change"].sum()
            return sums.reindex(orders["order_id"], fill_value=0).to_numpy()

        held = -(per_order("reserve") + per_order("release"))
        scrapped = ledger[ledger["kind"] == "write_off"].groupby("order_id").size()
        # A returned unit comes back once: restocked (+1 on the shelf) or written off.
        back = per_order("return") + scrapped.reindex(orders["order_id"], fill_value=0).to_numpy()
        lines = orders["lines"].to_numpy()
        reserved = orders["reserved"].notna().to_numpy()
        rejected = orders["outcome"].isin(["rejected", "missed"]).to_numpy()  # units went back
        waiting = (orders["backordered"].notna() & orders["reserved"].isna()).to_numpy()
        keeps = reserved & ~rejected
        assert (held[keeps] == lines[keeps]).all()
        assert (held[waiting] <= lines[waiting]).all()
        assert (held[~keeps & ~waiting] == 0).all()
        restocked = (orders["outcome"] == "returned").to_numpy() & reserved
        assert (back[restocked] == lines[restocked]).all()
        assert (back[~restocked] == 0).all()
