"""A small city for the courier tests: one Poisson segment, one delivery channel, one fleet."""

from __future__ import annotations

from typing import Any

import pandas as pd

from o2osim.api import world_tables
from o2osim.scenario import Scenario, scenario_from_dict, with_overrides
from o2osim.world import World

DAY = 1440.0


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
    """Run to the horizon, then ``drain`` more minutes with no new orders; the order table.

    Exactly ``drain`` minutes: the scenario's own drain, which stops once every order has
    ended, is set to none, so the fleet's statistics run to the end of this one."""
    world = World(with_overrides(scenario, ['scenario.drain="0s"']), seed=seed)
    world.run()
    if drain:
        world.env.run(until=scenario.scenario.horizon + drain)
    return world, world_tables(world)[0]


def trips(orders: pd.DataFrame) -> pd.core.groupby.DataFrameGroupBy:
    return orders[orders["trip"] >= 0].sort_values(["trip", "stop"]).groupby("trip")
