"""Small virtual-warehouse scenarios shared by the tests of tests/sites."""

from __future__ import annotations

from typing import Any

from o2osim.scenario import Scenario
from o2osim.validation import textbook_scenario

CHANNELS = ("a", "b")
SITES = ("site_a", "site_b")


def two_sites(
    pooled: bool,
    *,
    per_channel: float = 5.0,
    stock: int = 7,
    skus: int = 40,
    horizon: str = "12d",
    lag: str = "0s",
    shortage: str = "backorder",
    **extra: Any,
) -> Scenario:
    """Two channels, each ``per_channel`` units per SKU per day (Poisson, unit demand), two
    front warehouses of ``stock`` units each restocked one for one in 1 day. Pooled: both
    channels may sell from both sites (nearest with stock); apart: each from its own."""
    channels = {
        name: {"route": ["reserve"], "promise": "1d", "on_shortage": shortage, "goods": "duty_paid"}
        for name in CHANNELS
    }
    site = {
        "kind": "front_warehouse",
        "initial_stock_units": stock,
        "lead_time": {"dist": "deterministic", "value": "1d"},
    }
    vw: dict[str, Any] = {
        "sites": {name: dict(site) for name in SITES},
        "channels": {
            c: list(SITES) if pooled else [s] for c, s in zip(CHANNELS, SITES, strict=True)
        },
        **extra,
    }
    return textbook_scenario(
        ["reserve"],
        per_channel * len(CHANNELS) * skus / 1440.0,
        horizon=horizon,
        warmup="2d",
        catalogue={"skus": skus, "popularity": {"dist": "zipf", "a": 0.0}},
        customers={"channels": list(CHANNELS), "channel_shares": [0.5, 0.5]},
        channels=channels,
        warehouse={
            "unlimited_stock": False,
            "initial_stock_units": 0,
            "sync_lag": lag,
            "replenishment": {"policy": "none"},
        },
        virtual_warehouse=vw,
    )
