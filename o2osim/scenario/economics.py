"""Scenario schema of the money (prices, costs, sites) and of the recorder.

Pure data; this module must not import the runtime or compute any cost.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from ..limits import (
    MAX_AREA_M2,
)
from .types import (
    Duration,
    Money,
    Name,
    Probability,
    SomeServers,
    Strict,
    as_written,
    at_most,
    period,
)


class Site(Strict):
    """A store or warehouse that pays rent and fixed staff (not modelled as servers)."""

    name: Name
    area_m2: Annotated[float, Field(gt=0), at_most(MAX_AREA_M2, "m2 in one site")]
    rent_cny_per_m2_day: Money
    staff: SomeServers = 0
    staff_cny_per_hour: Money = 0.0
    opening_hours_per_day: Annotated[float, Field(ge=0, le=24)] = 24.0


class DeliveryFee(Strict):
    """What the customer pays for delivery, waived at or above a basket value."""

    fee_cny: Money
    free_above_cny: Money | None = None


def _default_sites() -> list[Any]:
    """Raw tables, validated as the file's would be (fields validate their defaults)."""
    # Bonded complex (Xiasha: 12,000 m2); bonded warehouse rent in Zhejiang ~RMB 1.2/m2/day.
    return [
        {
            "name": "bonded_warehouse",
            "area_m2": 12000.0,
            "rent_cny_per_m2_day": 1.2,
            "staff": 6,
            "staff_cny_per_hour": 35.0,
        }
    ]


class Economics(Strict):
    """Prices, costs and margins (CNY); each default's source is noted beside it or in docs/.

    Labour is paid per staffed server-hour of each resource (``labour_cny_per_hour``
    keyed by resource name); ``per_event_cny`` prices counted events (purchase
    orders, inspections...) keyed by counter name.
    """

    purchase_cost_share: Probability = Field(
        default=0.62, description="landed purchase cost as a share of the retail price"
    )
    packaging_cny_per_order: Money = 2.0
    courier_cny_per_order: Money = Field(
        default=4.5, description="paid to the rider per delivery (instant retail: RMB 4-5)"
    )
    fleet_cny_per_order: dict[Name, Money] = Field(
        default_factory=dict,
        description="per-delivery pay of a fleet by resource name "
        "(deliver, deliver_NAME); courier_cny_per_order for fleets not listed",
    )
    customs_cny_per_declaration: Money = 1.0
    storage_cny_per_unit_day: Money = 0.05
    returns_handling_cny: Money = 15.0
    marketing_share_of_revenue: Probability = Field(
        default=0.08, description="traffic-first platforms spend ~0.28 (Zhang et al. 2025, Table 2)"
    )
    labour_cny_per_hour: dict[Name, Money] = Field(
        default_factory=lambda: {"pick": 28.0, "pack": 26.0, "deliver": 15.0}
    )
    per_event_cny: dict[Name, Money] = Field(
        default_factory=lambda: {"purchase_orders": 30.0, "inspections": 40.0}
    )
    delivery_fees: dict[Name, DeliveryFee] = Field(default_factory=dict)
    sites: list[Site] = Field(default_factory=_default_sites)


class Recorder(Strict):
    resource_interval: Annotated[Duration, period("a resource snapshot")] = Field(
        default=as_written("5min"), description="snapshot period, minutes"
    )
