"""The plan: a scenario's topology resolved once, before time 0.

:func:`make_plan` reads the scenario and the stage table once and answers, as
frozen records, everything the run asks per order: one :class:`ChannelPlan` per
channel (its route, depot and where that is, fleet, stores, promise, how an order
ends when its route is done, where a split order resumes, entry rule, stock and
return rules, offer) and one :class:`SegmentPlan` per segment (its channels as
indices, shares, tax rate per channel, where its customers live); the queueing
resources and which stage of which channel each serves; the order table's stamp
columns. The order flow and the builders read the plan; nothing at run time
queries the scenario.

This module must not build facilities, touch SimPy or the order book, or draw
random numbers: it is arithmetic on the scenario.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .city import Point
from .distributions import TimeDist
from .journeys import JOURNEY_STAMPS
from .recorder import Outcome
from .scenario import (
    Journeys,
    Memory,
    NextDay,
    Patience,
    Scenario,
    Segment,
    Slots,
    StockoutResponse,
    stages,
)

#: How an order ends when its route is done, by the last stage's row (``outcome``).
_FINAL = {"delivered": Outcome.DELIVERED, "collected": Outcome.COLLECTED}


@dataclass(frozen=True)
class ChannelPlan:
    """One sales channel, resolved: what the order flow and the builders need of it."""

    index: int
    name: str
    route: tuple[str, ...]
    #: Where its orders are fulfilled and delivered from, and that depot's position.
    depot: str
    depot_position: Point
    #: The fleet that delivers (stage ``deliver``).
    fleet: str
    #: The stores whose visitors use it (through their segments).
    stores: tuple[str, ...]
    #: The promise (a :class:`o2osim.promises.PromiseRule`): exactly one, or none.
    promise: float | None
    next_day: NextDay | None
    slots: Slots | None
    #: The promise choosing customers weigh, minutes (None: not known).
    perceived_promise: float | None
    #: How an order ends when its route is done (the last stage's outcome).
    final_outcome: Outcome
    #: Where a split order's parts start: after the store, where the goods are handled.
    resume_step: int
    #: The route starts in a store (a walk-in channel).
    walk_in: bool
    #: The route takes units from the bonded pool.
    reserves: bool
    #: The route ends at the airport counter: a paid order is refunded if it fails there.
    prepaid_pickup: bool
    #: Entry rule: orders from farther away (road km from the depot) are refused.
    max_distance_km: float | None
    #: Out of stock, the order waits (else the sale is lost).
    backorder: bool
    #: Customers see the lagged online stock figure (else the live one).
    synced: bool
    return_rate: float
    return_after: TimeDist
    #: What it offers a choosing customer.
    tax_rate: float | None
    trust: float
    customer_travels: bool

    @property
    def returns(self) -> bool:
        """Some of its completed orders come back."""
        return self.return_rate > 0


@dataclass(frozen=True)
class SegmentPlan:
    """One customer segment, resolved against the channels."""

    index: int
    name: str
    #: The segment's channels as channel indices, in the segment's order, and their shares.
    channels: tuple[int, ...]
    shares: tuple[float, ...]
    #: Import tax rate of each of its channels (same order).
    tax_rates: tuple[float, ...]
    #: Per channel index: its place in :attr:`channels` (-1: not one of the segment's).
    position: tuple[int, ...]
    #: Travellers who order against the flight schedule.
    flying: bool
    #: The depot its customers live around, and where that is.
    around: str
    around_position: Point
    #: Index of the store its visitors go to.
    store: int
    split_on_rejection: float
    resubmit_after: float
    memory: Memory | None
    journey: Journeys | None
    patience: Patience | None
    stockout: StockoutResponse | None
    #: The scenario's table, for the builders (arrivals, baskets, choice).
    config: Segment

    def waits_at(self, stage: str) -> bool:
        """Its customers wait in person (and may give up) at ``stage``."""
        return self.patience is not None and stage in self.patience.at


@dataclass(frozen=True)
class Plan:
    """A scenario resolved for one run (see the module docstring)."""

    scenario: Scenario
    channels: tuple[ChannelPlan, ...]
    segments: tuple[SegmentPlan, ...]
    #: Every stage some route uses.
    used: frozenset[str]
    #: Every queueing resource some channel uses: name -> (stage, channel names).
    resources: dict[str, tuple[str, tuple[str, ...]]]
    #: Per (channel name, stage): the resources serving it, main one first.
    stage_resources: dict[tuple[str, str], tuple[str, ...]]
    #: The order table's stamp columns, in column order.
    stamps: tuple[str, ...]
    #: Road km per straight-line km.
    detour: float
    #: The tax rate of a split order's parts (customs').
    customs_tax_rate: float
    horizon: float
    warmup: float
    #: After the horizon, the longest the run goes on for orders to end, minutes.
    drain: float
    start: dt.date

    @property
    def channel_names(self) -> list[str]:
        return [c.name for c in self.channels]

    @property
    def segment_names(self) -> list[str]:
        return [s.name for s in self.segments]

    @property
    def journeying(self) -> bool:
        """Some segment moves between the store and the online shop."""
        return any(s.journey is not None for s in self.segments)

    def channel(self, name: str) -> ChannelPlan:
        """The channel called ``name``."""
        return self.channels[self.channel_names.index(name)]

    def waits_at(self, stage: str) -> bool:
        """Some segment's customers wait in person at ``stage``."""
        return any(s.waits_at(stage) for s in self.segments)


def make_plan(scenario: Scenario) -> Plan:
    """Resolve ``scenario`` (see the module docstring); the stage table is read now."""
    sc = scenario
    names = list(sc.channels)
    channels = tuple(_channel(sc, index, name) for index, name in enumerate(names))
    segments = tuple(
        _segment(sc, index, seg, names) for index, seg in enumerate(sc.customers.segments)
    )
    journeying = any(s.journey is not None for s in segments)
    return Plan(
        scenario=sc,
        channels=channels,
        segments=segments,
        used=frozenset(stage for c in channels for stage in c.route),
        resources={name: (stage, tuple(users)) for name, (stage, users) in sc.resources().items()},
        stage_resources={
            (c.name, stage): tuple(sc.stage_resources(c.name, stage))
            for c in channels
            for stage in c.route
        },
        stamps=order_stamps(journeying),
        detour=sc.city.detour_factor,
        customs_tax_rate=sc.customs.tax_rate,
        horizon=sc.scenario.horizon,
        warmup=sc.scenario.warmup,
        drain=sc.scenario.drain,
        start=sc.scenario.start,
    )


def order_stamps(journeying: bool) -> tuple[str, ...]:
    """The order table's stamp columns: the stage table's, then any a new row adds, then
    the journeys' (when some segment journeys)."""
    written = (s for row in stages.STAGE_TABLE for s in (*row.stamps, *(row.manual or ())))
    found = list(dict.fromkeys([*stages.STAMPS, *written]))
    return tuple(found + (JOURNEY_STAMPS if journeying else []))


def _channel(sc: Scenario, index: int, name: str) -> ChannelPlan:
    spec = sc.channels[name]
    route = tuple(spec.route)
    depot = sc.channel_depot(name)
    last = stages.STAGE_ROWS[route[-1]]
    return ChannelPlan(
        index=index,
        name=name,
        route=route,
        depot=depot,
        depot_position=sc.depot_position(depot),
        fleet=spec.fleet,
        stores=tuple(s.name for s in sc.channel_stores(name)),
        promise=spec.promise,
        next_day=spec.next_day,
        slots=spec.slots,
        perceived_promise=sc.perceived_promise(name),
        final_outcome=_FINAL.get(last.outcome or "", Outcome.COLLECTED),
        resume_step=int(route[0] == "store_visit"),
        walk_in=route[0] == "store_visit",
        reserves="reserve" in route,
        prepaid_pickup=route[-1] == "pickup",
        max_distance_km=spec.max_distance_km,
        backorder=spec.on_shortage == "backorder",
        synced=spec.stock_view == "synced",
        return_rate=spec.return_rate,
        return_after=spec.return_after,
        tax_rate=spec.offer.tax_rate,
        trust=spec.offer.trust,
        customer_travels=spec.offer.customer_travels,
    )


def _segment(sc: Scenario, index: int, seg: Segment, names: list[str]) -> SegmentPlan:
    flying = seg.source == "flights"
    base_tax = sc.airport.tax_rate if flying and sc.airport is not None else sc.customs.tax_rate
    overrides = [sc.channels[c].offer.tax_rate for c in seg.channels]
    tax_rates = tuple(base_tax if rate is None else rate for rate in overrides)
    stores = [s.name for s in sc.stores]
    return SegmentPlan(
        index=index,
        name=seg.name,
        channels=tuple(names.index(c) for c in seg.channels),
        shares=tuple(seg.channel_shares or [1.0] * len(seg.channels)),
        tax_rates=tax_rates,
        position=tuple(seg.channels.index(n) if n in seg.channels else -1 for n in names),
        flying=flying,
        around=seg.around,
        around_position=sc.depot_position(seg.around),
        store=stores.index(seg.store) if seg.store else 0,
        split_on_rejection=seg.split_on_rejection,
        resubmit_after=seg.resubmit_after,
        memory=seg.memory,
        journey=seg.journeys,
        patience=seg.patience,
        stockout=seg.stockout,
        config=seg,
    )
