"""The scenario root: the ``[scenario]`` table, :class:`Scenario`, and its derived topology.

:class:`Scenario` holds every table of a run, runs the cross-checks of
:mod:`o2osim.scenario.checks` once when it is built, and answers the questions the
World and the KPIs share about its topology (which resource serves a stage of a
channel, where a channel is fulfilled, every fleet) from the stage table. It must not
import the runtime, nor read files (:mod:`o2osim.scenario.io` does).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from ..limits import MAX_HORIZON, MAX_START, MIN_START
from ..units import format_duration
from .airport import Airport
from .catalogue import Catalogue
from .channels import Channel, Store
from .checks import cross_check
from .customers import Customers, Segment
from .economics import Economics, Recorder
from .instant import InstantChannel
from .lastmile import City, Couriers, Depot
from .marketing import Marketing
from .presale import Membership, PresaleBatch
from .sellers import Sellers
from .services import Services
from .sites import CrossReturns, VirtualWarehouse
from .stages import CENTRE, COURIERS, STAGE_ROWS, WAREHOUSE
from .trade import Trade
from .types import LAYOUTS, Duration, Name, Strict, as_written
from .warehouse import Customs, DirectMail, Warehouse


class Meta(Strict):
    """The ``[scenario]`` table: identity, calendar and run length."""

    name: Name
    layout: Literal[LAYOUTS]  # type: ignore[valid-type]
    description: str = ""
    start: Annotated[dt.date, Field(strict=False, ge=MIN_START, le=MAX_START)] = dt.date(
        2026, 11, 1
    )  # "2026-11-01" too
    horizon: Duration = Field(description="simulated time, minutes")
    warmup: Duration = Field(
        default=as_written("0s"), description="statistics ignore this first span, minutes"
    )
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 0
    drain: Duration = Field(
        default=as_written("30d"),
        description=(
            "after the horizon no order arrives, but the run goes on until every order "
            "placed before it has ended or this span has passed, minutes; '0s' stops at "
            "the horizon. Assumption: 30 days is twice the longest promise of the bundled "
            "scenarios (14 days, direct mail), and a stable layout ends far sooner"
        ),
    )

    @field_validator("drain")
    @classmethod
    def _drain_bounded(cls, value: float) -> float:
        if value > MAX_HORIZON:
            raise ValueError(f"drain must be at most {format_duration(MAX_HORIZON)}")
        return value

    @field_validator("horizon")
    @classmethod
    def _horizon_positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("horizon must be longer than 0s")
        if value > MAX_HORIZON:
            raise ValueError(
                f"horizon must be at most {format_duration(MAX_HORIZON)} "
                "(10 years, o2osim's longest run)"
            )
        return value


class Scenario(Strict):
    """Everything one run needs. Frozen: derive variants with :func:`with_overrides`."""

    scenario: Meta
    customers: Customers
    catalogue: Catalogue
    channels: dict[Name, Channel] = Field(min_length=1)
    warehouse: Warehouse | None = None
    customs: Customs = Customs()
    couriers: Couriers | None = None
    stores: list[Store] = Field(default_factory=list)
    direct_mail: DirectMail = DirectMail()
    fleets: dict[Name, Couriers] = Field(default_factory=dict, description="more fleets")
    depots: dict[Name, Depot] = Field(
        default_factory=dict,
        description="front warehouses and stores (the bonded warehouse is the depot 'warehouse')",
    )
    city: City = City()
    airport: Airport | None = None
    recorder: Recorder = Recorder()
    economics: Economics = Economics()
    trade: Trade | None = Field(
        default=None, description="an export market's currency and trade rules (layout export)"
    )
    marketing: Marketing | None = Field(
        default=None, description="acquisition spend, repeat purchase, membership (marketing.md)"
    )
    services: Services | None = Field(
        default=None, description="customised cross-border services sold (docs/services.md)"
    )
    virtual_warehouse: VirtualWarehouse | None = Field(
        default=None, description="stock at several sites behind one figure (inventory_sites.md)"
    )
    cross_returns: CrossReturns | None = Field(
        default=None, description="return paths across channels (docs/inventory_sites.md)"
    )
    sellers: Sellers | None = Field(
        default=None, description="small sellers (SMEs) and their own SKUs (docs/sellers.md)"
    )
    presale: dict[Name, PresaleBatch] | None = Field(
        default=None,
        description="presale channels picked in batches ahead of the slot (formats.md)",
    )
    membership: Membership | None = Field(
        default=None, description="a warehouse club's paid membership: fees, member prices"
    )
    instant: dict[Name, InstantChannel] | None = Field(
        default=None, description="delivery radius and tote conveyor of a store (formats.md)"
    )

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        cross_check(self)
        return self

    # -- derived facts the World and the KPIs share ------------------------------
    def all_fleets(self) -> dict[str, Couriers]:
        """Every fleet by name: ``couriers`` first, then those under ``[fleets]``."""
        first = {} if self.couriers is None else {COURIERS: self.couriers}
        return {**first, **self.fleets}

    def perceived_promise(self, channel: str) -> float | None:
        """The promised time choosing customers weigh, minutes (None: not known)."""
        spec = self.channels[channel]
        return spec.offer.promised_time if spec.offer.promised_time is not None else spec.promise

    def depot_position(self, depot: str) -> tuple[float, float]:
        """(x, y) km of a depot on the city plane (a scenario without a warehouse: 0, 0;
        the city's centre, ``"centre"``: 0, 0)."""
        if depot == CENTRE:
            return (0.0, 0.0)
        place = self.warehouse if depot == WAREHOUSE else self.depots[depot]
        return (0.0, 0.0) if place is None else (place.x_km, place.y_km)

    def channel_depot(self, channel: str) -> str:
        """Where a channel's orders are fulfilled and delivered from."""
        spec = self.channels[channel]
        if spec.depot is not None:
            return spec.depot
        if "deliver" in spec.route and spec.fleet in self.all_fleets():
            return self.all_fleets()[spec.fleet].depot
        return WAREHOUSE

    def resources(self) -> dict[str, tuple[str, list[str]]]:
        """Every queueing resource some channel uses: name -> (stage, channels using it).

        Resource names follow the stage table's rules: ``customs``, ``pick``, ``pack``,
        ``sort``, ``port_customs``, ``pickup`` (``*_manual`` for the manual document
        desks, if documents can mismatch); ``pick_DEPOT`` for a depot's pickers;
        ``deliver`` for the ``couriers`` fleet and ``deliver_FLEET`` for others; a
        store's name for its experience zone and ``STORE.mirrors``, ``STORE.staff``
        for its mirrors and staff.
        """
        found: dict[str, tuple[str, list[str]]] = {}
        for name, channel in self.channels.items():
            for stage in channel.route:
                for resource in self.stage_resources(name, stage):
                    found.setdefault(resource, (stage, []))[1].append(name)
        return found

    def stage_resource(self, channel: str, stage: str) -> str | None:
        """The resource that serves ``stage`` of ``channel`` (None: the stage has no queue)."""
        row = STAGE_ROWS[stage]
        depot = self.channel_depot(channel) if row.resource == "depot" else WAREHOUSE
        return row.resource_name(depot, self.channels[channel].fleet)

    def stage_resources(self, channel: str, stage: str) -> list[str]:
        """Every resource that serves ``stage`` of ``channel``, main one first."""
        if STAGE_ROWS[stage].resource == "stores":
            names: list[str] = []
            for store in self.channel_stores(channel):
                names.append(store.name)
                names += [f"{store.name}.mirrors"] if store.ar_mirrors else []
                names += [f"{store.name}.staff"] if store.staff else []
            return names
        main = self.stage_resource(channel, stage)
        if main is None:
            return []
        office = self._office(stage) if STAGE_ROWS[stage].manual is not None else None
        if office is not None and office.document_mismatch_rate > 0:
            return [main, f"{main}_manual"]
        return [main]

    def _office(self, stage: str) -> Customs:
        """The customs office of a clearance stage (one with a manual document desk)."""
        return self.direct_mail.port_customs if stage == "port_customs" else self.customs

    def segment_store(self, segment: Segment) -> Store:
        """The store a segment's customers visit."""
        names = [s.name for s in self.stores]
        return self.stores[names.index(segment.store) if segment.store else 0]

    def channel_stores(self, channel: str) -> list[Store]:
        """The stores whose visitors use ``channel`` (through their segments)."""
        found: list[Store] = []
        for seg in self.customers.segments:
            if channel in seg.channels and self.stores:
                store = self.segment_store(seg)
                if store not in found:
                    found.append(store)
        return found
