"""Small scenarios with SMEs for the seller tests: textbook stock, one backorder channel.

40 SKUs of equal Poisson demand (Zipf exponent 0), ``per_sku`` units a day each, one
line per order unless said: SKUs 0-19 belong to a consignment SME with a base stock of
``base_stock`` units and a deterministic 1-day lead time, SKUs 20-29 to an SME that
ships itself (exponential handling, lognormal parcel transit), the rest is the
platform's own stock.
"""

from __future__ import annotations

from typing import Any

from o2osim.scenario import Scenario
from o2osim.validation import textbook_scenario

CONSIGNED = list(range(20))
SELF_SHIPPED = list(range(20, 30))
HANDLING_MIN = 480.0  # exponential, mean 8 h
TRANSIT_MIN = 1440.0  # lognormal, mean 1 day


def smes(base_stock: int = 14, **consignment: Any) -> dict[str, Any]:
    """The ``[sellers]`` table: one consignment SME and one that ships itself."""
    return {
        "smes": {
            "consigner": {
                "fulfilment": "consignment",
                "skus": CONSIGNED,
                "commission": 0.07,
                "storage_fee_cny_per_unit_day": 0.13,
                "stock": {
                    "policy": "base_stock",
                    "review": "0s",
                    "order_up_to_units": base_stock,
                    "lead_time": {"dist": "deterministic", "value": "1d"},
                },
                **consignment,
            },
            "shipper": {
                "fulfilment": "self",
                "skus": SELF_SHIPPED,
                "commission": 0.05,
                "handling_time": {"dist": "exponential", "mean": "8h"},
                "parcel_transit": {"dist": "lognormal", "mean": "1d", "cv": 0.4},
            },
        }
    }


def seller_scenario(
    per_sku: float = 10.0,
    horizon: str = "30d",
    items_per_order: float = 1.0,
    sellers: dict[str, Any] | None = None,
) -> Scenario:
    """The textbook stock pool of ``o2osim validate`` (route ``reserve``, backorders), the
    platform's SKUs at base stock 14, with the SMEs above."""
    return textbook_scenario(
        ["reserve"],
        per_sku * 40 / items_per_order / 1440.0,
        horizon=horizon,
        warmup="3d",
        catalogue={
            "skus": 40,
            "popularity": {"dist": "zipf", "a": 0.0},
            "items_per_order": items_per_order,
        },
        channels={"only": {"route": ["reserve"], "promise": "1d", "on_shortage": "backorder"}},
        warehouse={
            "unlimited_stock": False,
            "initial_stock_units": 14,
            "replenishment": {
                "policy": "base_stock",
                "review": "0s",
                "order_up_to_units": 14,
                "lead_time": {"dist": "deterministic", "value": "1d"},
            },
        },
        sellers=sellers if sellers is not None else smes(),
    )
