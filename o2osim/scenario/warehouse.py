"""Scenario schema of the bonded supply chain: the back warehouse (stock, replenishment,
allocation, picking, packing, sorting, regional waves), customs, and direct mail.

Pure data and per-table checks; checks across tables are in
:mod:`o2osim.scenario.checks`. This module must not import the runtime.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from ..limits import (
    MIN_PERIOD,
)
from ..policies import POLICY_NAMES
from ..units import DAY
from .types import (
    Amount,
    Coordinate,
    Count,
    Duration,
    Name,
    PositiveCount,
    PositiveStockDays,
    Probability,
    Servers,
    SomeServers,
    StockDays,
    Strict,
    TimeDist,
    as_written,
    period,
)

#: Allocation rules of the one stock pool (o2osim.facilities.stock.ALLOCATION).
ALLOCATIONS = POLICY_NAMES["allocation"]
#: Replenishment policies (o2osim.facilities.supply.REPLENISHMENT), or none.
REPLENISHMENT_POLICIES = (*POLICY_NAMES["replenishment"], "none")


class PolicyLevels(Strict):
    """A replenishment policy and its levels, for one class of SKUs.

    Levels are days of each SKU's expected demand (``*_days``), or the same
    number of units for every SKU of the class (``*_units``, which win):

    - ``s_S``: when the inventory position is <= s, order up to S;
    - ``r_Q``: when the position is <= r, order Q (enough multiples of Q to lift it above r);
    - ``base_stock``: order up to S whenever the position is below S.

    ``review`` is the review period; ``"0s"`` reviews continuously (after every demand).
    The inventory position is on hand + on order - backordered units.
    """

    policy: Literal[REPLENISHMENT_POLICIES] = "s_S"  # type: ignore[valid-type]
    review: Annotated[Duration, period("a review period", zero="continuous review")] = Field(
        default=as_written("1d"), description='review period; "0s" is continuous'
    )
    lead_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "7d", "cv": 0.3},
        description="supplier to bonded warehouse, minutes (unless mode names one)",
    )
    mode: Name | None = Field(default=None, description="a named transport mode (sea, air)")
    reorder_point_days: StockDays = 8.0
    order_up_to_days: PositiveStockDays = 16.0
    order_quantity_days: PositiveStockDays | None = None
    reorder_point_units: Count | None = None
    order_up_to_units: PositiveCount | None = None
    order_quantity_units: PositiveCount | None = None
    initial_stock_days: StockDays | None = Field(
        default=None, description="initial stock of the class (default: the warehouse's)"
    )

    @model_validator(mode="after")
    def _levels(self) -> PolicyLevels:
        if self.policy == "s_S":
            if self.reorder_point_units is None and self.order_up_to_units is None:
                if self.order_up_to_days <= self.reorder_point_days:
                    raise ValueError(
                        f"order_up_to_days ({self.order_up_to_days}) must exceed "
                        f"reorder_point_days ({self.reorder_point_days})"
                    )
            elif (
                self.reorder_point_units is not None
                and self.order_up_to_units is not None
                and self.order_up_to_units <= self.reorder_point_units
            ):
                raise ValueError(
                    f"order_up_to_units ({self.order_up_to_units}) must exceed "
                    f"reorder_point_units ({self.reorder_point_units})"
                )
        if self.policy == "r_Q" and (
            self.order_quantity_days is None and self.order_quantity_units is None
        ):
            raise ValueError("policy r_Q needs order_quantity_days or order_quantity_units")
        return self


class SkuClass(PolicyLevels):
    """A class of SKUs by popularity rank (most popular first) with its own policy."""

    name: Name
    share: Annotated[float, Field(gt=0, le=1)] = Field(description="share of the SKUs")


class Replenishment(PolicyLevels):
    """Restocking of the bonded warehouse from overseas suppliers.

    ``classes`` take the most popular SKUs in turn (A, B, ...); the SKUs left over
    follow the policy given at this level. ``modes`` name lead-time
    distributions (``sea``, ``air``) that a class can pick with ``mode``.
    """

    modes: dict[Name, TimeDist] = Field(default_factory=dict)
    classes: list[SkuClass] = Field(default_factory=list)

    @model_validator(mode="after")
    def _classes(self) -> Replenishment:
        names = [c.name for c in self.classes]
        if len(set(names)) != len(names):
            raise ValueError(f"class names must be unique (got {', '.join(names)})")
        return self


class Allocation(Strict):
    """Who gets the bonded stock when it is short (small policies chosen by name).

    ``fcfs``: first come first served. ``channel_priority``: channels ranked by
    ``priority`` (first is highest); a channel of rank k leaves ``k * guard_units``
    of each SKU for the channels above it, and backorders are served by rank.
    ``walk_in_reserve``: channels that do not start at a store leave
    ``guard_units`` of each SKU for walk-in customers.
    """

    policy: Literal[ALLOCATIONS] = "fcfs"  # type: ignore[valid-type]
    priority: list[Name] = Field(default_factory=list)
    guard_units: Count = 1


class RegionalWaves(Strict):
    """Next-day regional delivery: dispatch waves leave at cut-off times each day."""

    cutoffs: list[Duration] = Field(
        default_factory=lambda: [as_written("20h")],
        min_length=1,
        description="departure times of day; an order sorted by then leaves with the wave",
    )
    capacity: Count = Field(default=0, description="orders per wave; 0 is no limit")
    delivery_time: TimeDist = Field(
        default_factory=lambda: {"dist": "triangular", "low": "10h", "mode": "14h", "high": "20h"},
        description="from the wave's departure to delivery in the region, minutes",
    )

    @field_validator("cutoffs")
    @classmethod
    def _times_of_day(cls, value: list[float]) -> list[float]:
        if any(t >= 1440 for t in value):
            raise ValueError("cut-offs are times of day, shorter than 1d")
        if len(set(value)) != len(value):
            raise ValueError("a cut-off is listed twice")
        times = sorted(value)
        gaps = [b - a for a, b in itertools.pairwise([*times, times[0] + DAY])]
        if min(gaps) < MIN_PERIOD:
            raise ValueError(
                "waves repeat, so cut-offs are at least 1s apart (and from the next day's first)"
            )
        return value


class Warehouse(Strict):
    """Bonded back warehouse: one stock pool, pickers and AGVs, packers, sorter, waves."""

    pickers: Servers
    pick_time: TimeDist = Field(description="time per order line, minutes")
    packers: Servers = 4
    pack_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "40s", "cv": 0.4}
    )
    unlimited_stock: bool = False
    initial_stock_days: StockDays = 12.0
    initial_stock_units: Count | None = Field(
        default=None, description="the same initial stock for every SKU (wins over days)"
    )
    replenishment: Replenishment = Replenishment()
    size_from_choice: bool = Field(
        default=False,
        description="size stock from the shares the choice model realises in every "
        "segment; false: a segment's channel_shares, where set, size it as written",
    )
    allocation: Allocation = Allocation()
    sync_lag: Duration = Field(
        default=as_written("0s"), description="delay before the online stock figure shows a change"
    )
    agvs: SomeServers = Field(default=0, description="AGVs picking beside pickers")
    agv_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "20s", "cv": 0.3},
        description="AGV time per order line, minutes",
    )
    sort_per_hour: Amount = Field(
        default=3600.0, description="sorter throughput, items per hour per lane"
    )
    sort_lanes: Servers = 1
    regional: RegionalWaves = RegionalWaves()
    x_km: Coordinate = 0.0
    y_km: Coordinate = 0.0


class Customs(Strict):
    """Cross-border clearance of each order: mode 1210 (bonded) or 9610 (port).

    ``capacity`` declarations are cleared in parallel, so at most
    ``capacity / mean clearance time`` declarations per minute pass.
    """

    capacity: Servers = Field(default=50, description="declarations cleared in parallel")
    clearance_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "10min", "cv": 0.8}
    )
    inspection_rate: Probability = 0.02
    inspection_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "2h", "cv": 0.5}
    )
    per_order_limit_cny: Amount = 5000.0
    annual_limit_cny: Amount = Field(
        default=26000.0, description="per person per calendar year, all cross-border orders"
    )
    tax_rate: Probability = 0.091
    document_mismatch_rate: Probability = Field(
        default=0.0,
        description="share of orders whose order, payment and logistics "
        "documents do not match; they go to manual handling first",
    )
    manual_officers: Servers = 2
    manual_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "30min", "cv": 0.6}
    )


class DirectMail(Strict):
    """Direct mail (mode 9610): the overseas seller's parcel, port customs, national courier."""

    parcel_transit: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "9d", "cv": 0.4},
        description="seller handling and international transit to the port, minutes",
    )
    port_customs: Customs = Customs(
        capacity=20,
        clearance_time={"dist": "lognormal", "mean": "1d", "cv": 0.8},
        inspection_rate=0.05,
        inspection_time={"dist": "lognormal", "mean": "3d", "cv": 0.5},
    )
    courier_transit: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "3d", "cv": 0.4},
        description="national courier from the port to the customer, minutes",
    )


def class_blocks(skus: int, shares: Sequence[float]) -> list[range]:
    """Consecutive SKU ranges (most popular first) for the class shares; then the rest."""
    blocks, start, cumulative = [], 0, 0.0
    for share in shares:
        cumulative += share
        end = min(skus, math.floor(cumulative * skus + 0.5))
        blocks.append(range(start, end))
        start = end
    blocks.append(range(start, skus))
    return blocks
