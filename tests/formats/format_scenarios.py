"""Small scenarios of the store formats for the tests: presale batches and the 3 km store.

Each is a stripped-down scenario (tests/helpers.py ``stripped``): one segment at a flat
Poisson rate, a depot at the centre, and the format's tables.
"""

from __future__ import annotations

from typing import Any

from o2osim.scenario import Scenario

from helpers import stripped

#: Slots of the presale tests: two-hour slots 10:00-18:00, ordered at least 6 h ahead.
SLOTS = {"length": "2h", "first": "10:00", "last": "18:00", "lead": "6h", "choices": 1}


def depot(pickers: int, pick_mean: str = "1min") -> dict[str, Any]:
    """One store at the centre with ``pickers`` pickers at exponential ``pick_mean`` a line."""
    return {
        "shop": {
            "kind": "store",
            "pickers": pickers,
            "pick_time": {"dist": "exponential", "mean": pick_mean},
        }
    }


#: Ample riders on one-minute trips (the radius tests do not look at the delivery).
QUICK_RIDERS = {
    "riders": 50,
    "depot": "shop",
    "trip_time": {"dist": "deterministic", "value": "1min"},
}


def presale_scenario(per_minute: float, **sections: Any) -> Scenario:
    """Presale orders for slots, picked in batches 2 h ahead and ridden out by ample riders
    (deterministic 20-minute round trips)."""
    tables: dict[str, Any] = {
        "depots": depot(4),
        "channels": {
            "only": {
                "route": ["presale_batch", "front_pick", "hold", "deliver"],
                "slots": SLOTS,
                "depot": "shop",
            }
        },
        "presale": {"only": {"batch_lead": "2h"}},
        "couriers": {
            "riders": 200,
            "depot": "shop",
            "trip_time": {"dist": "deterministic", "value": "20min"},
        },
        "customers": {"around": "shop"},
    }
    for name, table in sections.items():
        tables[name] = {**tables.get(name, {}), **table}
    return stripped([], per_minute, horizon="4d", warmup="1d", **tables)


def radius_scenario(per_minute: float, disc_km: float, radius_km: float) -> Scenario:
    """Homes uniform over a disc of ``disc_km`` around the store; delivery within
    ``radius_km`` (straight line), refused beyond."""
    return stripped(
        [],
        per_minute,
        horizon="1d",
        warmup="0s",
        depots=depot(50, "10s"),
        channels={"only": {"route": ["front_pick", "deliver"], "promise": "30min"}},
        instant={"only": {"radius_km": radius_km}},
        couriers=QUICK_RIDERS,
        customers={
            "around": "shop",
            "distance_km": {"dist": "triangular", "low": 0.0, "mode": disc_km, "high": disc_km},
        },
    )


def tote_scenario(per_minute: float, pickers: int, pick_mean: str, travel: str) -> Scenario:
    """Pickers (one line per order, exponential) then a deterministic tote ride; the order
    ends at the packing point."""
    return stripped(
        [],
        per_minute,
        horizon="6d",
        warmup="1d",
        depots=depot(pickers, pick_mean),
        channels={"only": {"route": ["front_pick", "tote"], "promise": "1h", "depot": "shop"}},
        instant={"only": {"tote_travel": {"dist": "deterministic", "value": travel}}},
        customers={"around": "shop"},
    )


def pack_scenario(per_minute: float, packers: int, pack_mean: str, travel: str) -> Scenario:
    """Ample pickers (exponential 1 min, so picked orders leave as a Poisson stream), a
    deterministic tote ride, then ``packers`` packers at exponential ``pack_mean`` per
    order; the order ends at the packing point."""
    return stripped(
        [],
        per_minute,
        horizon="6d",
        warmup="1d",
        depots=depot(60, "1min"),
        channels={
            "only": {
                "route": ["front_pick", "tote", "pack_point"],
                "promise": "1h",
                "depot": "shop",
            }
        },
        instant={
            "only": {
                "tote_travel": {"dist": "deterministic", "value": travel},
                "packers": packers,
                "pack_time": {"dist": "exponential", "mean": pack_mean},
            }
        },
        customers={"around": "shop"},
    )


#: Logit constants of the radius test; every other coefficient is 0, so V_j = constant.
CONSTANTS = {"near": 1.0, "store": 0.0, "web": 0.5}


def logit_radius_scenario(per_minute: float, disc_km: float, radius_km: float) -> Scenario:
    """Homes uniform over a disc; a logit on constants only over a delivery channel with a
    radius (``near``), a store pick-up and a later online channel (``web``)."""
    pick = {"route": ["front_pick"], "promise": "1h", "depot": "shop"}
    return stripped(
        [],
        per_minute,
        horizon="1d",
        warmup="0s",
        depots=depot(50, "10s"),
        channels={
            "only": {**pick, "route": ["front_pick"]},
            "near": {"route": ["front_pick", "deliver"], "promise": "30min"},
            "store": pick,
            "web": pick,
        },
        instant={"near": {"radius_km": radius_km}},
        couriers=QUICK_RIDERS,
        customers={
            "around": "shop",
            "channels": list(CONSTANTS),
            "choice": "logit",
            "logit": {
                "constants": CONSTANTS,
                "per_cny": 0.0,
                "per_promised_hour": 0.0,
                "per_travel_km": 0.0,
                "per_trust": 0.0,
            },
            "distance_km": {"dist": "triangular", "low": 0.0, "mode": disc_km, "high": disc_km},
        },
    )
