"""Stripped-down scenarios of the zones tests: logit stock sizing, courier zones, vehicles."""

from __future__ import annotations

import math
from typing import Any

from o2osim.scenario import Scenario
from o2osim.validation import textbook_scenario

#: The logit constant of the stocked channel over direct mail (everything else is equal).
PREFERENCE = 1.5
#: P(stocked channel) of the two-channel logit whose only difference is that constant.
LOGIT_STOCKED = math.exp(PREFERENCE) / (1.0 + math.exp(PREFERENCE))


def choice_scenario(
    per_sku_per_day: float,
    skus: int,
    cover_days: float,
    *,
    shares: list[float] | None = None,
    on_shortage: str = "backorder",
    horizon: str = "30d",
    home_km: float | None = None,
) -> Scenario:
    """A logit segment between a stocked channel (route ``reserve``) and direct mail (no
    stock); base stock reviewed continuously, 1-day deterministic lead time, order-up-to
    and initial stock ``cover_days`` of sized demand; unit demand, equal SKUs. With
    ``home_km`` every home is that far from the warehouse and the stocked channel's
    customers travel there (the logit weighs the round trip)."""
    stocked: dict[str, Any] = {"route": ["reserve"], "promise": "1d", "on_shortage": on_shortage}
    homes: dict[str, Any] = {}
    if home_km is not None:
        stocked["offer"] = {"customer_travels": True}
        homes["distance_km"] = {"dist": "deterministic", "value": home_km}
    return textbook_scenario(
        ["reserve"],
        per_sku_per_day * skus / 1440.0,
        horizon=horizon,
        warmup="3d",
        customers={
            "channels": ["stocked", "mail"],
            "choice": "logit",
            "logit": {"constants": {"stocked": PREFERENCE}},
            **({"channel_shares": shares} if shares else {}),
            **homes,
        },
        catalogue={"skus": skus, "popularity": {"dist": "zipf", "a": 0.0}},
        channels={
            "stocked": stocked,
            "mail": {"route": ["deliver"], "promise": "1d"},
        },
        warehouse={
            "unlimited_stock": False,
            "initial_stock_days": cover_days,
            "replenishment": {
                "policy": "base_stock",
                "review": "0s",
                "lead_time": {"dist": "deterministic", "value": "1d"},
                "reorder_point_days": 0.0,
                "order_up_to_days": cover_days,
            },
        },
    )


def fleet_scenario(
    per_minute: float,
    couriers: dict[str, Any],
    horizon: str = "3d",
    warmup: str = "6h",
    **sections: Any,
) -> Scenario:
    """Orders go straight to the couriers (route ``deliver``), homes around the warehouse
    at a uniformly random direction, unlimited stock."""
    return textbook_scenario(
        ["deliver"],
        per_minute,
        horizon=horizon,
        warmup=warmup,
        couriers=couriers,
        **sections,
    )
