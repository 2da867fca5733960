"""Scenario schema of the sales channels and the front stores' experience zones.

A channel's route is a list of stage names checked against the route grammar of the
stage table (:mod:`o2osim.scenario.stages`). Pure data and per-table checks; this
module must not import the runtime.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .lastmile import NextDay, Slots
from .stages import AIRPORT_STAGES, COURIERS, STAGES, TERMINAL_STAGES
from .types import (
    Amount,
    Count,
    Duration,
    Name,
    Probability,
    Servers,
    SomeServers,
    Strict,
    TimeDist,
)


class Store(Strict):
    """A front store's experience zone: door, AR mirrors, staff and QR checkout.

    Visitors wait at the door when the zone is full (or leave, if ``door_queue``
    is false: then the zone is a loss system). Inside, a visitor browses, may use
    an AR mirror, may be helped by staff, and buys with probability
    ``purchase_probability`` by scanning a QR code and paying online; a share
    needs a staff member to check out. Display samples are not sellable stock.
    """

    name: Name
    capacity: Servers = Field(description="visitors allowed in the experience zone at once")
    door_queue: bool = True
    browse_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "20min", "cv": 0.6}
    )
    ar_mirrors: SomeServers = 0
    mirror_share: Probability = 0.0
    mirror_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "4min", "cv": 0.5}
    )
    staff: SomeServers = 0
    help_share: Probability = 0.0
    help_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "5min", "cv": 0.5}
    )
    purchase_probability: Probability = 0.4
    checkout_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "1min", "cv": 0.5},
        description="self-service: scan the QR code and pay online, minutes",
    )
    checkout_staff_share: Probability = 0.0
    checkout_staff_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "3min", "cv": 0.5}
    )
    handover_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "10min", "cv": 0.5},
        description="take-away: from the back warehouse to the customer at the counter",
    )
    display_samples_per_sku: Count = 1

    @model_validator(mode="after")
    def _resources(self) -> Store:
        if self.mirror_share > 0 and self.ar_mirrors == 0:
            raise ValueError(f"mirror_share {self.mirror_share} needs ar_mirrors >= 1")
        for share in ("help_share", "checkout_staff_share"):
            if getattr(self, share) > 0 and self.staff == 0:
                raise ValueError(f"{share} {getattr(self, share)} needs staff >= 1")
        return self


class Offer(Strict):
    """What a channel offers a choosing customer beyond the basket (logit choice)."""

    tax_rate: Probability | None = Field(
        default=None,
        description="import tax on the basket; none: customs.tax_rate (the "
        "airport's tax_rate for travellers)",
    )
    promised_time: Duration | None = Field(
        default=None,
        description="the promise as customers perceive it; none: the "
        "channel's promise (needed for next_day and slots channels)",
    )
    customer_travels: bool = Field(
        default=False,
        description="the customer goes to the channel's depot (a store, the "
        "airport) instead of waiting for a courier",
    )
    trust: Probability = Field(default=1.0, description="trust in authenticity and delivery")


class Channel(Strict):
    """A sales channel: its fulfilment route (data, not code), its depot, fleet, promise
    and what happens when stock is short.

    The promise is exactly one of ``promise`` (a lead time), ``next_day`` or
    ``slots`` (presale).
    """

    route: list[Literal[STAGES]] = Field(min_length=1)  # type: ignore[valid-type]
    promise: Duration | None = Field(
        default=None, description="promised lead time from order to delivery, minutes"
    )
    next_day: NextDay | None = None
    slots: Slots | None = None
    fleet: Name = Field(default=COURIERS, description="the fleet that delivers (stage deliver)")
    depot: Name | None = Field(
        default=None,
        description="where the order is fulfilled; default: the fleet's depot "
        "if the route delivers, else the bonded warehouse",
    )
    max_distance_km: Amount | None = Field(
        default=None, description="orders from farther away (road km from the depot) are refused"
    )
    on_shortage: Literal["lose", "backorder"] = Field(
        default="lose", description="out of stock: the sale is lost, or the order waits"
    )
    stock_view: Literal["synced", "live"] = Field(
        default="synced",
        description="customers see the stock figure after the sync lag, or the live one",
    )
    return_rate: Probability = 0.0
    return_after: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "5d", "cv": 0.5},
        description="from delivery to the return reaching the warehouse, minutes",
    )
    offer: Offer = Offer()
    goods: Literal["bonded", "duty_paid"] = Field(
        default="bonded",
        description="bonded: imported goods still under customs control, which a route "
        "taking them from the stock pool (reserve) must clear (customs) before the "
        "hand-over; duty_paid: imported under general trade, already cleared",
    )

    @model_validator(mode="after")
    def _route(self) -> Channel:
        order = [STAGES.index(s) for s in self.route]
        got = " -> ".join(self.route)
        if order != sorted(set(order)):
            # The stage order from the route's earliest stage on: what the user needs to see.
            raise ValueError(
                f"route stages must be distinct and in the order "
                f"{' -> '.join(STAGES[min(order) :])} (got {got})"
            )
        airport = [s for s in self.route if s in AIRPORT_STAGES]
        if airport and "deliver" in self.route:
            raise ValueError(f"a route ends at deliver or at the airport, not both (got {got})")
        if airport and self.route[-1] != "pickup":
            raise ValueError(f"a route through the airport ends at pickup (got {got})")
        # A traveller's order has a flight to catch: it cannot browse a store first or
        # wait for stock, because its cut-off would fire while it is held there.
        if airport and self.route[0] == "store_visit":
            raise ValueError(f"a route through the airport does not start at a store (got {got})")
        if airport and self.on_shortage == "backorder":
            raise ValueError(
                'a route through the airport cannot wait for stock: use on_shortage = "lose"'
            )
        ends = [s for s in self.route if s in TERMINAL_STAGES]
        if len(ends) > 1:
            raise ValueError(
                f"a route ends at one of {', '.join(TERMINAL_STAGES)} (got {', '.join(ends)})"
            )
        return self
