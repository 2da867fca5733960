"""Scenario schema of the money (prices, costs, sites) and of the recorder.

Every amount is CNY; a rate says its unit in its name (``_per_kg``, ``_per_shipment``,
``_per_declaration``, ``_share``). Each default's source is in ``docs/sources.md``; the
ones nobody has measured are marked *assumption* in their field description here.
Pure data; this module must not import the runtime or compute any cost
(:mod:`o2osim.economics` does).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from ..limits import (
    MAX_AREA_M2,
)
from .stages import WAREHOUSE
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

#: Asset name of the airport's counters (a site may stand for it).
AIRPORT = "airport"


class Container(Strict):
    """A bulk first leg priced by volume: whole containers (FCL) or, with ``lcl``, per m3.

    A consignment (the purchase orders of one review instant and mode) of V m3 pays
    ceil(V / ``capacity_m3``) containers at ``cny_per_container`` (FCL), or V x
    ``cny_per_m3`` (LCL, less than a container load).
    """

    capacity_m3: Annotated[float, Field(gt=0, le=1000)] = Field(
        description="usable volume of one container, m3"
    )
    cny_per_container: Money = Field(default=0.0, description="CNY per container (FCL)")
    lcl: bool = Field(default=False, description="price per m3 shipped instead (LCL)")
    cny_per_m3: Money = Field(default=0.0, description="CNY per m3 shipped (LCL)")


class Tariff(Strict):
    """A carrier's price: a fixed part per shipment plus a part per kg shipped (CNY).

    A shipment is one parcel (a 9610 parcel abroad, a domestic courier parcel) or, for
    bulk restocking of the stock by sea or air, one purchase order.
    """

    cny_per_shipment: Money = Field(default=0.0, description="CNY per shipment")
    cny_per_kg: Money = Field(default=0.0, description="CNY per kg shipped")
    container: Container | None = Field(
        default=None,
        description="bulk restocking priced per container (or per m3 for LCL) of each "
        "consignment, on top of the per-shipment and per-kg parts (o2osim.trade.firstleg)",
    )


class Site(Strict):
    """A store, warehouse or counter that pays rent and fixed staff (not modelled as
    servers): CNY per m2 per day and per staff-hour, charged per day of the counted span
    only when the scenario has the asset the site stands for."""

    name: Name
    asset: Name = Field(
        default=WAREHOUSE,
        description="what the site stands for: 'warehouse' (the [warehouse] table), "
        "'airport' (its counters), or the name of a depot or a store; a layout "
        "without that asset does not pay for the site",
    )
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
    return [
        {  # Xiasha complex: 12,000 m2 (Li 2025 §2.2); rent and staff: assumption
            "name": "bonded_warehouse",
            "asset": WAREHOUSE,
            "area_m2": 12000.0,
            "rent_cny_per_m2_day": 1.2,
            "staff": 6,
            "staff_cny_per_hour": 35.0,
        },
        {  # pickup counters in a terminal: area and rent are assumptions
            "name": "airport_counters",
            "asset": AIRPORT,
            "area_m2": 100.0,
            "rent_cny_per_m2_day": 10.0,
        },
    ]


def _default_freight() -> dict[str, Any]:
    """International freight by mode (assumptions, docs/sources.md)."""
    return {
        "sea": {"cny_per_kg": 2.0},  # consolidated sea freight, port to bonded zone
        "air": {"cny_per_kg": 25.0},  # air cargo, airport to bonded zone
        "post": {"cny_per_shipment": 10.0, "cny_per_kg": 30.0},  # a 9610 parcel
    }


class Economics(Strict):
    """Prices and costs of a run (CNY); each default's source is in docs/sources.md.

    Labour is paid per staffed server-hour of each resource (``labour_cny_per_hour``
    keyed by resource name; a depot's pickers ``pick_DEPOT`` and a fleet
    ``deliver_FLEET`` without a rate of their own are paid the ``pick`` and
    ``deliver`` rates); ``per_event_cny`` prices counted events (purchase orders,
    inspections...) keyed by counter name. Freight, postage and return shipping are
    priced by the order's weight (``catalogue.weight_kg``).
    """

    purchase_cost_share: Probability = Field(
        default=0.62,
        description="the supplier's price as a share of the retail price, before "
        "freight, duties and fees (assumption)",
    )
    freight: dict[Name, Tariff] = Field(
        default_factory=_default_freight,
        description="international freight by mode: the replenishment modes of the "
        "stock (sea, air; per kg of the units sold, per shipment = per purchase order) "
        "and the 9610 parcel (post; per parcel and per kg); assumption",
    )
    stock_freight_mode: Name = Field(
        default="sea",
        description="freight mode of stocked SKUs whose replenishment class names no "
        "mode (assumption)",
    )
    parcel_freight_mode: Name = Field(
        default="post", description="freight mode of a direct-mail (9610) parcel"
    )
    postage: Tariff = Field(
        default_factory=lambda: Tariff(cny_per_shipment=8.0, cny_per_kg=1.0),
        description="domestic courier of a parcel (the 9610 parcel from the port, the "
        "next-day regional wave) and of a return, per parcel and per kg; calibrated: "
        "about 9.1 CNY for a 1 kg parcel, the 2023 average (State Post Bureau)",
    )
    packaging_cny_per_order: Money = Field(
        default=2.0,
        description="per order packed, shipped as a parcel or delivered (assumption)",
    )
    courier_cny_per_order: Money = Field(
        default=4.5, description="paid to the rider per delivery (instant retail: RMB 4-5)"
    )
    fleet_cny_per_order: dict[Name, Money] = Field(
        default_factory=dict,
        description="per-delivery pay of a fleet by resource name "
        "(deliver, deliver_NAME); courier_cny_per_order for fleets not listed",
    )
    customs_cny_per_declaration: Money = Field(
        default=1.0,
        description="1210: one declaration per order at the bonded warehouse's customs "
        "(assumption)",
    )
    port_cny_per_parcel: Money = Field(
        default=4.0,
        description="9610: port and customs fees per parcel declared at the port (assumption)",
    )
    payment_share: Probability = Field(
        default=0.006,
        description="payment fee as a share of the amount paid (goods, tax and delivery "
        "fee): 0.6%, the standard WeChat Pay and Alipay merchant rate",
    )
    duty_share_of_purchase_cost: Probability = Field(
        default=0.08,
        description="general trade (channels with goods = 'duty_paid'): import tariff "
        "and consumption tax borne by the retailer, as a share of the purchase cost "
        "(assumption); the 13% VAT is the customer's tax",
    )
    storage_cny_per_unit_day: Money = 0.05
    storage_cny_per_m3_day: Money = Field(
        default=0.0,
        description="storage per m3 on hand per day (catalogue volume_m3), charged on top "
        "of storage_cny_per_unit_day (set that to 0 to price storage by volume only)",
    )
    returns_handling_cny: Money = Field(
        default=15.0, description="handling per returned order, before shipping (assumption)"
    )
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

    @model_validator(mode="after")
    def _modes(self) -> Economics:
        for key in ("stock_freight_mode", "parcel_freight_mode"):
            mode = getattr(self, key)
            if mode not in self.freight:
                known = ", ".join(self.freight) or "none"
                raise ValueError(f"{key} {mode!r} has no tariff in freight (has: {known})")
        names = [site.name for site in self.sites]
        if len(set(names)) != len(names):
            raise ValueError(f"site names must be unique (got {', '.join(names)})")
        return self


class Recorder(Strict):
    resource_interval: Annotated[Duration, period("a resource snapshot")] = Field(
        default=as_written("5min"), description="snapshot period, minutes"
    )
