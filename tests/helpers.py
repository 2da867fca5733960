"""Builders for stripped-down scenarios: every sub-model runs as a textbook queue (design §3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from o2osim.scenario import Scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "configs" / "wenzhou_baseline.toml"


def stripped(
    route: list[str],
    per_minute: float,
    horizon: str = "5d",
    warmup: str = "12h",
    **sections: dict[str, Any],
) -> Scenario:
    """One segment at a flat Poisson rate, one channel, unlimited stock, exponential times.

    ``sections`` are merged into the scenario's top-level tables, e.g.
    ``warehouse={"pickers": 4}``; a list (``stores=[...]``) replaces the entry.
    """
    raw: dict[str, Any] = {
        "scenario": {"name": "stripped", "layout": "omnichannel_hub", "horizon": horizon,
                     "warmup": warmup, "seed": 1},
        "customers": {"segments": [{
            "name": "poisson", "arrivals_per_day": per_minute * 1440.0,
            "hourly_profile": "flat", "channels": ["only"],
        }]},
        "catalogue": {"skus": 50, "items_per_order": 1.0},
        "channels": {"only": {"route": route, "promise": "1d"}},
        "warehouse": {"pickers": 4, "pick_time": {"dist": "exponential", "mean": "1min"},
                      "packers": 2, "pack_time": {"dist": "exponential", "mean": "30s"},
                      "unlimited_stock": True},
        "customs": {"capacity": 10, "clearance_time": {"dist": "exponential", "mean": "1min"},
                    "inspection_rate": 0.0},
        "couriers": {"riders": 8, "trip_time": {"dist": "exponential", "mean": "2min"}},
    }
    for name, table in sections.items():
        if isinstance(table, list):
            raw[name] = table
        else:
            raw.setdefault(name, {}).update(table)
    return scenario_from_dict(raw)


def confidence_interval(values: list[float] | np.ndarray, level: float = 0.99) -> tuple:
    """Student-t confidence interval of the mean of independent replications."""
    data = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.5 + level / 2, len(data) - 1) * data.std(ddof=1) / np.sqrt(len(data))
    return data.mean() - half, data.mean() + half
