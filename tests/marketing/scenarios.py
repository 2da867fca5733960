"""Stripped-down scenarios with ``[marketing]`` for the marketing tests."""

from __future__ import annotations

from typing import Any

from o2osim.scenario import Scenario

from helpers import stripped

#: Revenue minus purchase cost of one order of the one-price catalogue, CNY: 100 x (1 - 0.6);
#: every other direct cost is zero, so each order's contribution margin is exactly this.
PRICE, COST_SHARE = 100.0, 0.6
MARGIN = PRICE * (1.0 - COST_SHARE)
FREE = {
    "purchase_cost_share": COST_SHARE,
    "payment_share": 0.0,
    "packaging_cny_per_order": 0.0,
    "customs_cny_per_declaration": 0.0,
    "freight": {"sea": {"cny_per_kg": 0.0}, "air": {"cny_per_kg": 0.0}, "post": {}},
}


def campaign(**keys: Any) -> dict[str, Any]:
    """A campaign on the textbook segment and channel (``poisson``, ``only``)."""
    return {
        "segment": "poisson",
        "channel": "only",
        "spend_cny_per_day": 5000.0,
        "lift": 1.0,
        "saturation_cny_per_day": 1000.0,
        **keys,
    }


def marketed(
    per_minute: float, horizon: str, marketing: dict[str, Any], **sections: Any
) -> Scenario:
    """One flat Poisson segment picked by 4 pickers, one price, zero costs but the
    purchase cost, with ``marketing`` as its ``[marketing]`` table (``sections`` as
    :func:`o2osim.validation.textbook_scenario` takes them)."""
    return stripped(
        ["pick"],
        per_minute,
        horizon=horizon,
        warmup="0s",
        catalogue={"price_cny": {"dist": "deterministic", "value": PRICE}},
        economics=FREE,
        marketing=marketing,
        **sections,
    )
