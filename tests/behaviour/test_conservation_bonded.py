"""Conservation laws on random valid scenarios of the bonded layout (hypothesis).

The scenarios add front stores, split orders, backorders, returns, allocation rules,
sync lag and replenishment classes to the routes of test_conservation_last_mile.py:
every order ends in one outcome whose reason goes with it, every order holds exactly
the units its outcome says, the ledger balances per SKU and per order, and oversells
happen only with a sync lag.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from o2osim.scenario import AIRPORT_STAGES, STAGES, TERMINAL_STAGES, scenario_from_dict

from random_scenarios import (
    CONSERVATION,
    DISTS,
    add_airport,
    check_shelf,
    customs_table,
    run_and_catalogue,
    segment,
    simulate_and_check,
    warehouse_table,
)

# Depots and presale slots are the last mile's (test_conservation_last_mile.py); the store
# formats' stages need their [presale]/[instant] tables (tests/formats); the bonded routes
# use the rest.
FORMAT_STAGES = ("presale_batch", "tote", "pack_point")
INNER = [
    s
    for s in STAGES
    if s not in (*TERMINAL_STAGES, *AIRPORT_STAGES, "front_pick", "hold", *FORMAT_STAGES)
]
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
        if "reserve" in route and "customs" not in route:  # legal only for duty-paid goods
            channels[f"channel_{index}"]["goods"] = "duty_paid"
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
            **draw(warehouse_table()),
            "agvs": draw(st.integers(0, 3)),
            "agv_time": draw(DISTS),
            "sort_per_hour": draw(st.floats(60, 5000)),
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
            **draw(customs_table(per_order_limit)),
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


@CONSERVATION
@given(bonded_scenarios())
def test_bonded_conservation_laws(scenario):
    orders, ledger = simulate_and_check(scenario)
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
    # A split order's parts are within the limit that rejected it, and carry its customer.
    parts = orders[orders["parent"] >= 0]
    if len(parts):
        parents = orders.set_index("order_id").loc[parts["parent"]]
        assert (parents["outcome"] == "rejected").all()
        assert (parents["reason"] == "over_order_limit").all()
        assert (parts["customer"].to_numpy() == parents["customer"].to_numpy()).all()
        # A part whose SKU was out of stock may take a substitute at its own price (Gruen):
        # only parts served as split are bound to be within the limit.
        as_split = parts[parts["substituted"].isna()]
        assert (as_split["value_cny"] <= scenario.customs.per_order_limit_cny + 0.005).all()
    # Oversells only with a sync lag; turned away only without a door queue.
    if scenario.warehouse.sync_lag == 0:
        assert orders["oversold"].isna().all()
    if scenario.stores[0].door_queue:
        assert not (orders["outcome"] == "turned_away").any()

    # Stock never negative; the ledger balances per SKU and per order.
    if len(ledger):
        _, by_kind, last = check_shelf(ledger, ("initial", "receipt", "return"))
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
