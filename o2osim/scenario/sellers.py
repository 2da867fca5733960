"""Scenario schema of small sellers (SMEs) on the O2O platform: the ``[sellers]`` table.

Xia and Zhu (c. 2014) describe small and medium-sized enterprises that join an open
O2O platform to sell their own goods to its online users. Here each SME owns some
SKUs of the main catalogue (``skus``: 0-based popularity ranks); every SKU no SME
owns is the platform's own stock (the seller named :data:`PLATFORM`). An SME picks
one fulfilment mode:

- ``consignment``: its units sit in the platform's bonded stock pool, restocked by the
  SME's own policy and lead time (``stock``); the platform charges a storage fee per
  unit-day on hand and fulfils the orders as its own;
- ``self``: the SME ships each order itself, outside the platform's warehouse: a
  handling time, then a parcel (``parcel_transit``), at its own handling cost,
  packaging and postage; its own shelf is not modelled (never short).

The platform keeps ``commission`` (a share of the SME's sales) and pays the SME the
rest. Money is CNY, times are minutes (written with units). Pure data and the
cross-checks of the table; this module must not import the runtime.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, field_validator, model_validator

from ..units import format_duration
from .economics import Tariff
from .errors import KeyPathError
from .stages import AIRPORT_STAGES
from .types import Count, Money, Name, Probability, Strict, TimeDist, as_written
from .warehouse import PolicyLevels

if TYPE_CHECKING:
    from .root import Scenario

#: The seller of every SKU no SME owns: the platform's own stock.
PLATFORM = "platform"
#: How an SME's orders reach the customer.
Fulfilment = Literal["consignment", "self"]
#: Stages that place a visitor in a store or a passenger at a counter: an order there
#: cannot be split into one order per seller (see :func:`check_sellers`).
_IN_PERSON = ("store_visit", *AIRPORT_STAGES)


class SellerStock(PolicyLevels):
    """A consignment SME's restocking of its units in the bonded pool (its own policy).

    Levels as the warehouse's classes (days of each SKU's expected demand, or units);
    ``initial_units`` is what the SME consigns at the start (default: its order-up-to
    level per SKU). ``mode`` is not used: the SME's ``lead_time`` is its own.
    """

    initial_units: Count | None = Field(
        default=None, description="units of each SKU consigned at the start (default: S)"
    )

    @model_validator(mode="after")
    def _own_lead_time(self) -> SellerStock:
        if self.mode is not None:
            raise ValueError("a seller's stock has its own lead_time; remove mode")
        if self.policy == "none":
            raise ValueError("a consignment seller restocks: policy 'none' is not allowed")
        return self


class Seller(Strict):
    """One SME selling on the platform with its own assortment and fulfilment mode."""

    skus: list[Annotated[int, Field(ge=0)]] = Field(
        min_length=1, description="SKU ids it owns (0-based popularity ranks, main catalogue)"
    )
    fulfilment: Fulfilment
    commission: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        description="share of the seller's sales (goods, after discounts) the platform keeps"
    )
    purchase_cost_share: Probability = Field(
        default=0.55,
        description="the seller's landed purchase cost as a share of the retail price "
        "(goods, inbound freight and duty); assumption",
    )
    storage_fee_cny_per_unit_day: Money = Field(
        default=0.1,
        description="consignment: charged by the platform per unit on hand per day; assumption",
    )
    stock: SellerStock = Field(
        default_factory=lambda: SellerStock(policy="base_stock", review=as_written("0s")),
        description="consignment: the seller's restocking policy, levels and lead time",
    )
    handling_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "8h", "cv": 0.5},
        description="self: from the order to the parcel handed to the carrier; assumption",
    )
    parcel_transit: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "2d", "cv": 0.4},
        description="self: domestic parcel from the seller to the customer; assumption",
    )
    handling_cny_per_order: Money = Field(
        default=3.0, description="self: the seller's labour per order shipped; assumption"
    )
    packaging_cny_per_order: Money = Field(
        default=2.0, description="self: the seller's packaging per parcel; assumption"
    )
    postage: Tariff = Field(
        default_factory=lambda: Tariff(cny_per_shipment=8.0, cny_per_kg=1.0),
        description="self: the seller's parcel per shipment and per kg (the 2023 average "
        "domestic parcel, State Post Bureau)",
    )

    @field_validator("skus")
    @classmethod
    def _distinct(cls, skus: list[int]) -> list[int]:
        if len(set(skus)) != len(skus):
            raise ValueError(f"a seller lists each SKU once (got {skus})")
        return skus


class Sellers(Strict):
    """The SMEs selling on the platform, by name (the rest of the catalogue is its own)."""

    smes: dict[Name, Seller] = Field(min_length=1, description="the SMEs by name")

    @field_validator("smes")
    @classmethod
    def _names(cls, smes: dict[str, Seller]) -> dict[str, Seller]:
        if PLATFORM in smes:
            raise ValueError(f"{PLATFORM!r} is the platform's own stock, not an SME name")
        return smes

    def owners(self, skus: int) -> list[str]:
        """The seller of each SKU id ``0 .. skus - 1``: its SME's name, else the platform."""
        owner = [PLATFORM] * skus
        for name, seller in self.smes.items():
            for sku in seller.skus:
                owner[sku] = name
        return owner

    def names(self) -> list[str]:
        """Every seller: the platform first, then the SMEs in file order."""
        return [PLATFORM, *self.smes]


def check_sellers(sc: Scenario) -> None:
    """SKUs exist and have one owner; consignment needs limited bonded stock; orders can
    be split per seller (no store visit, no airport pre-order)."""
    sellers = sc.sellers
    if sellers is None:
        return
    owned: dict[int, str] = {}
    for name, seller in sellers.smes.items():
        key = f"sellers.smes.{name}"
        for sku in seller.skus:
            if sku >= sc.catalogue.skus:
                raise KeyPathError(
                    f"{key}.skus",
                    sku,
                    f"SKU ids run 0 .. {sc.catalogue.skus - 1} (catalogue.skus)",
                )
            if sku in owned:
                raise KeyPathError(f"{key}.skus", sku, f"SKU {sku} is owned by {owned[sku]!r}")
            owned[sku] = name
        if seller.fulfilment == "consignment" and (
            sc.warehouse is None or sc.warehouse.unlimited_stock
        ):
            raise KeyPathError(
                f"{key}.fulfilment",
                seller.fulfilment,
                "consignment needs a [warehouse] with limited stock (unlimited_stock = false)",
            )
    if sc.warehouse is not None and sc.warehouse.sync_lag > 0:
        raise KeyPathError(
            "warehouse.sync_lag",
            format_duration(sc.warehouse.sync_lag),
            "sellers are modelled with the live stock figure: set sync_lag = '0s'",
        )
    if sc.airport is not None:
        raise KeyPathError("airport", "[airport]", "sellers are not modelled with an airport")
    for name, channel in sc.channels.items():
        stage = next((s for s in channel.route if s in _IN_PERSON), None)
        if stage is not None:
            raise KeyPathError(
                f"channels.{name}.route",
                stage,
                "with [sellers] every order is split into one order per seller when it "
                "is placed, which a store visit or an airport pre-order cannot be",
            )
