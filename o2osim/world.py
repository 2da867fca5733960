"""Builds one World from a Scenario and runs it.

The World owns the SimPy environment, the random streams, the recorder and the
facilities, and wires them together: facilities never import each other. A
channel's route is a tuple of stage objects (data from the scenario); an order
walks it by ``advance``. Customer behaviour that links facilities -- splitting
an order customs rejected, returning goods, a missed airport pickup -- is wired
here too. Nothing here computes statistics or touches pandas.

An order enters its route through its channel's *entry*: the first stage
itself, or a check in front of it that refuses orders from beyond the channel's
``max_distance_km`` and records the slot a presale customer picks.

Customers who wait in person at a station (``patience`` in their segment) meet
it through an :class:`Impatient` wrapper that may end their order as balked or
reneged -- at the store's door and staff checkout too; a segment with ``memory``
learns from how each order ended (:meth:`World._remember`), which feeds its next
choices.

A segment with ``journeys`` moves between the store and the online shop
(showrooming, webrooming, conversion after bad experiences: see
:mod:`o2osim.journeys`); one with a ``stockout`` table answers stock-outs itself
(:mod:`o2osim.stockouts`); returns are decided in :mod:`o2osim.returns`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy
from simpy.events import Timeout

from .choice import CHOICE_POLICIES, Chooser, Offer, Taste
from .city import homes, road_km, traffic_factors
from .customers import (
    FAILED,
    LATE,
    ON_TIME,
    ArrivalProcess,
    CustomerMemory,
    OrderFactory,
    arrival_rates,
    split_basket,
    zipf_probabilities,
)
from .dispatch import DISPATCH_POLICIES
from .distributions import uniform_draw
from .facilities.airport import AIRPORT_STAMPS, Airport, preorders_per_day
from .facilities.couriers import LEG_VALUES, TRIP_COUNTS, Fleet, RiderFleet, Travel
from .facilities.customs import Customs, QuotaBook
from .facilities.staging import Hold
from .facilities.station import BALKED, Delay, Impatient, PatienceRule, Station
from .facilities.stock import ALLOCATION, ReserveStage, StockPool
from .facilities.store import Store
from .facilities.supply import REPLENISHMENT, ClassReplenishment, class_blocks, sku_levels
from .facilities.warehouse import DispatchWaves, PickFloor, build_stations, line_service
from .journeys import JOURNEY_STAMPS, CustomerJourneys, Showroom, Webroom
from .promises import SlotChooser, due_time, due_times
from .randomness import Streams
from .recorder import InventoryLedger, OrderBook, Outcome, Reason, ResourceLog
from .returns import ChannelReturns, Returns, sku_returns
from .scenario import (
    AIRPORT_STAGES,
    COURIERS,
    STAGES,
    Couriers,
    Replenishment,
    Scenario,
    ScenarioError,
    Segment,
    Warehouse,
    depot_resource,
    fleet_resource,
)
from .stockouts import Responder, rule
from .units import HOUR

_BONDED_STAMPS = [
    "door_queued", "entered", "left_store",
    "stocked_out", "substituted", "backordered", "oversold", "reserved",
    "declared", "manual_queued", "manual_start", "manual_end",
    "clearance_queued", "clearance_start", "clearance_end", "inspected", "cleared",
    "pick_queued", "pick_start", "picked",
    "pack_queued", "pack_start", "packed",
    "sort_queued", "sort_start", "sorted",
    "port_arrived",
    "port_declared", "port_manual_queued", "port_manual_start", "port_manual_end",
    "port_clearance_queued", "port_clearance_start", "port_clearance_end",
    "port_inspected", "port_cleared",
    "collected",
    "slot_start",
    "dispatch_queued", "dispatched", "leg_start", "arrived", "wave_departed", "delivered",
    "rider_back",
    "returned",
]
#: Timestamps in the order table, in route order. ``pick_*`` are the picking stamps at
#: the bonded warehouse or at the channel's depot (a route has one or the other);
#: ``slot_start`` is the start of a presale order's chosen delivery slot.
STAMPS = [*_BONDED_STAMPS, *(s for s in AIRPORT_STAMPS if s not in _BONDED_STAMPS)]
#: The stamp each stage sets when an order leaves it.
STAGE_END = {
    "store_visit": "left_store",
    "reserve": "reserved",
    "customs": "cleared",
    "pick": "picked",
    "pack": "packed",
    "front_pick": "picked",
    "hold": "dispatch_queued",
    "sort": "sorted",
    "seller_ship": "port_arrived",
    "port_customs": "port_cleared",
    "collect": "collected",
    "deliver": "delivered",
    "regional": "delivered",
    "courier": "delivered",
    "linehaul": "airport_arrived",
    "stage": "staged",
    "pickup": "collected",
}
#: Final stages whose orders end ``delivered``; every other route ends ``collected``.
DELIVERING = ("deliver", "regional", "courier")


@dataclass
class RunInfo:
    """What the run itself knows beyond the logs."""

    seed: int
    horizon: float
    warmup: float
    events: int = 0
    resource_stats: dict[str, dict[str, float]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)


class _BySegment:
    """A route stage served by the facility of the order's segment (e.g. its store)."""

    def __init__(self, book: OrderBook, targets: list[Callable[[int], None]]) -> None:
        self.segment = book.segment
        self.targets = targets
        self.done: Callable[[int], None] | None = None  # the targets are wired directly

    def arrive(self, order_id: int) -> None:
        self.targets[self.segment[order_id]](order_id)


class World:
    """One simulation run of one scenario with one seed."""

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        self.scenario = scenario
        self.seed = scenario.scenario.seed if seed is None else seed
        self.env = simpy.Environment()
        self.streams = Streams(self.seed)
        journeys = [s.journeys for s in scenario.customers.segments]
        self._journeying = any(j is not None for j in journeys)
        self.book = OrderBook(STAMPS + JOURNEY_STAMPS if self._journeying else STAMPS,
                              (*LEG_VALUES, "written_off_cny"),
                              (*TRIP_COUNTS, "stockout_response"))
        self.journeys = CustomerJourneys(self.env, self.book, journeys)
        self.journeys.place = self.place
        self.journeys.end = self._end
        self.journeys.home_km = self._home_km
        self.resource_log = ResourceLog()
        self.ledger = InventoryLedger()
        self.channel_names = list(scenario.channels)
        self.segment_names = [s.name for s in scenario.customers.segments]
        self.used = {stage for ch in scenario.channels.values() for stage in ch.route}
        self._build_facilities()
        self._build_routes()
        self._build_customers()
        self._build_stockout_responses()
        self._remembering = any(m is not None for m in self.memories)
        self._channel_specs = [scenario.channels[n] for n in self.channel_names]
        #: Per segment and channel index: the channel's place in the segment's list (-1: none).
        self._position = [[seg.channels.index(n) if n in seg.channels else -1
                           for n in self.channel_names] for seg in scenario.customers.segments]
        self._start_monitors()
        self._counters_at_warmup: dict[str, int] = {}
        self._check_economics()

    # -- construction -----------------------------------------------------------
    def _draw(self, name: str, dist: object) -> Callable[[], float]:
        return dist.sampler(self.streams.stream(name))  # type: ignore[attr-defined]

    def _build_facilities(self) -> None:
        sc, env = self.scenario, self.env
        cat = sc.catalogue
        price_rng = self.streams.stream("catalogue.price")
        self.prices = [round(p, 2) for p in cat.price_cny.block(price_rng, cat.skus).tolist()]
        if sc.airport is not None:
            # The duty-free catalogue's SKU ids follow the main catalogue's, in one stock pool.
            duty_free = sc.airport.catalogue
            rng = self.streams.stream("airport.catalogue.price")
            self.prices += [round(p, 2) for p in duty_free.price_cny.block(rng, duty_free.skus)]
        self.stages: dict[str, Any] = {}
        #: Resources that are monitored and reported (Station, RiderFleet or Fleet).
        self.stations: list[Any] = []
        self.pool: StockPool | None = None
        self.replenishment: list[ClassReplenishment] = []
        self.waves: DispatchWaves | None = None
        self.stores: list[Store] = []
        self.quota = QuotaBook()
        if sc.warehouse is not None:
            self._build_warehouse(sc.warehouse)
        self.customs = self._build_customs("customs", sc.customs, "")
        self.port_customs: Customs | None = None
        if self.used & {"seller_ship", "port_customs", "courier"}:
            self._build_direct_mail()
        self.front = {
            name: Station(env, depot_resource(name), depot.pickers,
                          line_service(self._draw(f"depots.{name}.pick_time", depot.pick_time),
                                       self.book.skus),
                          self.book.column("pick_queued"), self.book.column("pick_start"),
                          self.book.column("picked"), stage="front_pick")
            for name, depot in sc.depots.items()
        }
        self.fleets = {name: self._build_fleet(name, config)
                       for name, config in sc.all_fleets().items()}
        self.fleet = self.fleets.get(COURIERS)
        if sc.stores:
            self._build_stores()
        self.airport: Airport | None = None
        if sc.airport is not None:
            self.airport = Airport(env, sc.airport, self.book, self.streams, sc.scenario.horizon,
                                   sc.scenario.start.weekday())
            self.stages.update(linehaul=self.airport.linehaul, stage=self.airport.staging,
                               pickup=self.airport.pickup)
            self.airport.missed = self._missed
        for stage in (*self.stages.values(), *self.front.values(), *self.fleets.values()):
            stage.done = self.advance
        for fleet in self.fleets.values():
            fleet.fail = self._fail
        self.stations = self._resources()

    def _resources(self) -> list[Any]:
        """The queueing resources to monitor, in the order the tables list them.

        Customs, the bonded warehouse's pickers and packers, the depots' pickers and
        the fleets are always reported (idle staff cost labour too); manual document
        handling, the sorter, port customs and the stores only when a route uses them.
        """
        used = self.used

        def office(customs: Customs | None) -> list[Any]:
            if customs is None or customs.stage not in used:
                return []
            return [customs.station, *([customs.manual] if customs.manual else [])]

        found: list[Any] = [self.customs.station]
        if self.customs.manual is not None and "customs" in used:
            found.append(self.customs.manual)
        if self.scenario.warehouse is not None:
            found += [self.picking, self.packing]
            found += [self.sorting] if self.sorting is not None else []
        found += [*self.front.values(), *self.fleets.values()]
        found += office(self.port_customs)
        if "store_visit" in used:
            for store in self.stores:
                found += store.resources
        if self.airport is not None:
            found += self.airport.stations
        return found

    def _build_fleet(self, name: str, config: Couriers) -> RiderFleet | Fleet:
        """The fast path for a plain fleet (a c-server queue), else the general dispatcher."""
        sc = self.scenario
        prefix = COURIERS if name == COURIERS else f"fleets.{name}"
        speed = config.speed_kmh
        travel = Travel(
            speed=(itertools.repeat(float(speed)).__next__ if isinstance(speed, int | float)
                   else self._draw(f"{prefix}.speed", speed)),
            handover=self._draw(f"{prefix}.handover_time", config.handover_time),
            traffic=traffic_factors(sc.city.traffic_profile),
            detour=sc.city.detour_factor,
            depot=sc.depot_position(config.depot),
            trip=(self._draw(f"{prefix}.trip_time", config.trip_time)
                  if config.trip_time else None),
        )
        resource = fleet_resource(name)
        if config.simple:
            return RiderFleet(self.env, resource, config.riders, travel, self.book)
        absent = (uniform_draw(self.streams.stream(f"{prefix}.absent"))
                  if config.absent_rate else None)
        return Fleet(self.env, resource, config, travel, self.book,
                     DISPATCH_POLICIES[config.dispatch], absent)

    def _build_warehouse(self, wh: Warehouse) -> None:
        sc, env, book = self.scenario, self.env, self.book
        daily = self._daily_demand()
        rep = wh.replenishment
        specs = [*rep.classes, rep]
        blocks = class_blocks(len(daily), [c.share for c in rep.classes])
        initial = [0] * len(daily)
        for spec, block in zip(specs, blocks, strict=True):
            days = wh.initial_stock_days if spec.initial_stock_days is None \
                else spec.initial_stock_days
            for sku in block:
                initial[sku] = (wh.initial_stock_units if wh.initial_stock_units is not None
                                else math.ceil(daily[sku] * days))
        allocate = ALLOCATION[wh.allocation.policy]
        priority = wh.allocation.priority
        rules, backorder, synced = [], [], []
        for name in self.channel_names:
            channel = sc.channels[name]
            rank = priority.index(name) if name in priority else len(priority)
            rules.append(allocate(rank, channel.route[0] == "store_visit",
                                  wh.allocation.guard_units))
            backorder.append(channel.on_shortage == "backorder")
            synced.append(channel.stock_view == "synced")
        pool = StockPool(env, self.ledger, initial, wh.unlimited_stock, rules, backorder, synced,
                         wh.sync_lag)
        self.pool = pool
        if not wh.unlimited_stock:
            self._build_replenishment(wh.replenishment, pool, daily)
        self.reserve = ReserveStage(env, pool, book)
        self.reserve.lost = self._lost_sale
        self.reserve.cancelled = lambda oid: self._end(oid, Outcome.CANCELLED,
                                                       Reason(book.reason[oid]))
        self.picking, self.packing, self.sorting = build_stations(
            env, wh, book,
            self._draw("warehouse.pick_time", wh.pick_time),
            self._draw("warehouse.pack_time", wh.pack_time),
            self._draw("warehouse.agv_time", wh.agv_time) if wh.agvs else None,
            sort="sort" in self.used,
        )
        self.stages.update(reserve=self.reserve, pick=self.picking, pack=self.packing)
        if self.sorting is not None:
            self.stages["sort"] = self.sorting
        if "regional" in self.used:
            self.waves = DispatchWaves(env, wh.regional, book,
                                       self._draw("warehouse.regional.delivery_time",
                                                  wh.regional.delivery_time))
            self.stages["regional"] = self.waves

    def _build_replenishment(self, rep: Replenishment, pool: StockPool,
                             daily: list[float]) -> None:
        """One :class:`ClassReplenishment` per SKU class with a policy; the rest last."""
        specs = [*rep.classes, rep]
        blocks = class_blocks(len(daily), [c.share for c in rep.classes])
        hooks: list[Callable[[int], None] | None] = [None] * len(daily)
        for spec, block in zip(specs, blocks, strict=True):
            if spec.policy == "none" or not len(block):
                continue
            # The unnamed rest keeps the stream name it always had.
            stream = "supply.lead_time" if spec is rep else f"supply.{spec.name}.lead_time"
            lead_time = rep.modes[spec.mode] if spec.mode else spec.lead_time
            plan = ClassReplenishment(
                self.env, pool, list(block), sku_levels(spec, [daily[k] for k in block]),
                REPLENISHMENT[spec.policy], spec.review, self._draw(stream, lead_time),
            )
            self.replenishment.append(plan)
            if plan.continuous:
                for sku in block:
                    hooks[sku] = plan.check
        if any(hook is not None for hook in hooks):
            pool.review_hooks = hooks

    def _build_customs(self, stage: str, config: Any, prefix: str) -> Customs:
        office = Customs(
            self.env, config, self.book, self.quota,
            self._draw(f"{stage}.clearance_time", config.clearance_time),
            uniform_draw(self.streams.stream(f"{stage}.inspection")),
            self._draw(f"{stage}.inspection_time", config.inspection_time),
            uniform_draw(self.streams.stream(f"{stage}.documents")),
            self._draw(f"{stage}.manual_time", config.manual_time),
            stage=stage, prefix=prefix,
        )
        office.reject = lambda order_id: self._rejected(order_id, office.per_order_limit)
        self.stages[stage] = office
        return office

    def _build_direct_mail(self) -> None:
        mail = self.scenario.direct_mail
        self.stages["seller_ship"] = Delay(
            self.env, self._draw("direct_mail.parcel_transit", mail.parcel_transit),
            self.book.column("port_arrived"))
        self.port_customs = self._build_customs("port_customs", mail.port_customs, "port_")
        self.stages["courier"] = Delay(
            self.env, self._draw("direct_mail.courier_transit", mail.courier_transit),
            self.book.column("delivered"))

    def _build_stores(self) -> None:
        sc, env, book = self.scenario, self.env, self.book
        collect = []
        for cfg in sc.stores:
            key = f"store.{cfg.name}"
            store = Store(
                env, cfg, book,
                self._draw(f"{key}.browse_time", cfg.browse_time),
                self._draw(f"{key}.mirror_time", cfg.mirror_time),
                self._draw(f"{key}.help_time", cfg.help_time),
                self._draw(f"{key}.checkout_time", cfg.checkout_time),
                self._draw(f"{key}.checkout_staff_time", cfg.checkout_staff_time),
                uniform_draw(self.streams.stream(f"{key}.choices")),
            )
            store.done = self.advance
            store.no_purchase = self.journeys.no_purchase
            store.turned_away = self._turned_away
            store.gave_up = self._gave_up
            self._store_patience(store)
            if self._journeying:
                store.conversion = self.journeys.conversion(cfg.purchase_probability)
            self.stores.append(store)
            counter = Delay(env, self._draw(f"{key}.handover_time", cfg.handover_time),
                            book.column("collected"))
            counter.done = self.advance
            collect.append(counter)
        names = [s.name for s in sc.stores]
        chosen = [names.index(seg.store) if seg.store else 0 for seg in sc.customers.segments]
        self.stages["store_visit"] = _BySegment(book, [self.stores[i].arrive for i in chosen])
        self.stages["collect"] = _BySegment(book, [collect[i].arrive for i in chosen])

    def _store_patience(self, store: Store) -> None:
        """Visitors who may give up at the store's door or staff checkout queue there."""
        waits = [s.patience.at for s in self.scenario.customers.segments if s.patience]
        if any("store_door" in at for at in waits) and store.config.door_queue:
            store.wait_at_door(self._impatient(store.zone, "store_door"))
        if any("store_checkout" in at for at in waits) and store.config.staff:
            store.wait_at_checkout(self._impatient(store.staff, "store_checkout"))

    def _daily_demand(self) -> list[float]:
        """Expected units per day per SKU (main, then duty-free) from channels that reserve.

        Store visits count with their store's purchase probability; peak days are ignored.
        """
        sc = self.scenario
        stores = {s.name: s for s in sc.stores}

        def reserving_share(seg: Segment) -> tuple[float, float]:
            shares = seg.channel_shares or [1.0] * len(seg.channels)
            share = 0.0
            for name, weight in zip(seg.channels, shares, strict=True):
                route = sc.channels[name].route
                if "reserve" not in route:
                    continue
                if route[0] == "store_visit":
                    store = stores[seg.store] if seg.store else sc.stores[0]
                    weight *= store.purchase_probability
                share += weight
            return share, sum(shares)

        units = 0.0
        for seg in sc.customers.segments:
            if seg.source == "poisson":
                share, total = reserving_share(seg)
                units += (seg.arrivals_per_day or 0.0) * share / total \
                    * sc.catalogue.items_per_order
        probs = zipf_probabilities(sc.catalogue.skus, sc.catalogue.popularity.a)
        demand = (probs * units).tolist()
        if sc.airport is not None:
            duty_free = sc.airport.catalogue
            travellers = [reserving_share(s) for s in sc.customers.segments
                          if s.source == "flights"]
            share = sum(part / total for part, total in travellers)
            units = (preorders_per_day(sc.airport, sc.scenario.start.weekday()) * share
                     * duty_free.items_per_order)
            probs = zipf_probabilities(duty_free.skus, duty_free.popularity.a)
            demand += (probs * units).tolist()
        return demand

    def _build_routes(self) -> None:
        sc = self.scenario
        self.holds = {}
        for name, channel in sc.channels.items():
            if channel.slots is not None:
                self.holds[name] = Hold(self.env, channel.slots.release_before, self.book)
                self.holds[name].done = self.advance
        self.impatient: dict[str, Impatient] = {}
        self.routes = [tuple(self._stage(n, s) for s in sc.channels[n].route)
                       for n in self.channel_names]
        if self.airport is not None and any(
                s.patience is not None and "pickup" in s.patience.at
                for s in sc.customers.segments):
            counters = self._impatient(self.airport.pickup.station, "pickup")
            self.impatient["pickup"] = counters
            self.airport.pickup.enter = counters.arrive
        self.final_outcome = [
            Outcome.DELIVERED if sc.channels[n].route[-1] in DELIVERING else Outcome.COLLECTED
            for n in self.channel_names
        ]
        # A split order skips the store: it starts where the goods are handled.
        self.resume_step = [int(sc.channels[n].route[0] == "store_visit")
                            for n in self.channel_names]
        self.returns = self._build_returns()
        self.after_done: list[Callable[[int], None] | None] = [
            self.returns.after_done if r is not None else None for r in self.returns.channels
        ]
        self.entries = [self._entry(i, n) for i, n in enumerate(self.channel_names)]

    def _build_returns(self) -> Returns:
        """Per channel its return rate and delay; per SKU its category's figures."""
        sc = self.scenario
        channels = []
        for name in self.channel_names:
            channel = sc.channels[name]
            channels.append(ChannelReturns(
                channel.return_rate, uniform_draw(self.streams.stream(f"returns.{name}")),
                self._draw(f"returns.{name}.delay", channel.return_after))
                if channel.return_rate > 0 else None)
        skus = sku_returns([sc.catalogue] + ([sc.airport.catalogue] if sc.airport else []))
        resell = (uniform_draw(self.streams.stream("returns.resell"))
                  if any(r < 1.0 for r in skus.resellable) else None)
        return Returns(self.env, self.book, self.pool, self.quota, channels, skus, resell,
                       self.prices)

    def _stage(self, channel: str, stage: str) -> Any:
        """The object serving ``stage`` of ``channel``: a station whose customers may give
        up is wrapped in an :class:`Impatient` (one per station, shared by its channels)."""
        if stage == "deliver":
            return self.fleets[self.scenario.channels[channel].fleet]
        if stage == "hold":
            return self.holds[channel]
        if stage in AIRPORT_STAGES:  # patience at the counter: see _build_routes
            return self.stages[stage]
        found = (self.front[self.scenario.channel_depot(channel)] if stage == "front_pick"
                 else self.stages[stage])
        if not any(s.patience is not None and stage in s.patience.at
                   for s in self.scenario.customers.segments):
            return found
        if found.name not in self.impatient:
            self.impatient[found.name] = self._impatient(found, stage)
        return self.impatient[found.name]

    def _impatient(self, station: Station, stage: str) -> Impatient:
        """``station`` with the patience of the segments that wait in person at ``stage``."""
        rules: list[list[PatienceRule | None]] = []
        for seg in self.scenario.customers.segments:
            rule = seg.patience
            if rule is None or stage not in rule.at:
                rules.append([None] * len(self.channel_names))
                continue
            prefix = f"customers.{seg.name}"
            uniform = (uniform_draw(self.streams.stream(f"{prefix}.balk.{station.name}"))
                       if rule.balk_at is not None and rule.balk_probability < 1
                       else itertools.repeat(0.0).__next__)
            patience = (self._draw(f"{prefix}.patience.{station.name}", rule.time)
                        if rule.time is not None else None)
            waits = (rule.balk_at, rule.balk_probability, uniform, patience)
            rules.append([waits if not rule.channels or name in rule.channels else None
                          for name in self.channel_names])
        wrapper = Impatient(station, rules, self.book.segment, self.book.channel)
        wrapper.gave_up = self._gave_up
        return wrapper

    def _gave_up(self, order_id: int, how: int) -> None:
        """A customer left a queue (balked or reneged) now: the order ends there.

        A pre-paid airport order is refunded, as a missed pickup is."""
        book = self.book
        if self.routes[book.channel[order_id]][-1] is self.stages.get("pickup"):
            book.refund[order_id] = book.value[order_id] + book.tax[order_id]
        self._fail(order_id, Outcome.BALKED if how == BALKED else Outcome.RENEGED, Reason.NONE)

    def _entry(self, index: int, name: str) -> Callable[[int], None]:
        """How an order of channel ``name`` enters its route (see the module docstring)."""
        spec = self.scenario.channels[name]
        first = self.routes[index][0].arrive
        radius = spec.max_distance_km
        if radius is None and spec.slots is None:
            return first
        book = self.book
        distance = book.distance
        slot_start = book.column("slot_start")
        choose = None
        if spec.slots is not None:
            slot_draw = uniform_draw(self.streams.stream(f"channels.{name}.slot"))
            choose = SlotChooser(spec.slots, slot_draw)

        def enter(order_id: int) -> None:
            # The slot is picked on entering: the order time, or later for a customer who
            # came back to this channel after a stock-out elsewhere.
            start = choose(self.env._now) if choose is not None else math.nan
            if radius is not None and distance[order_id] > radius:
                self._end(order_id, Outcome.REJECTED, Reason.OUT_OF_AREA, at_stage=False)
                return
            if choose is not None:
                slot_start[order_id] = start
            first(order_id)

        return enter

    def _build_customers(self) -> None:
        sc, env = self.scenario, self.env
        self.factories: list[OrderFactory] = []
        self._split_uniform: list[Callable[[], float] | None] = []
        #: Per segment: the import tax rate of each of its channels.
        self._tax_rates: list[list[float]] = []
        #: Per segment: its customers' memory, None where they forget (or are anonymous).
        self.memories: list[CustomerMemory | None] = []
        self.journeys.memories = self.memories
        first_customer = 0
        for index, seg in enumerate(sc.customers.segments):
            parts = ("skus", "lines", "channel") + (("identity",) if seg.population else ()) \
                + (("come_back",) if seg.memory else ())
            streams = {part: self.streams.stream(f"basket.{seg.name}.{part}") for part in parts}
            customers, memory = None, None
            if seg.population:
                customers = (first_customer, seg.population)
                if seg.memory is not None:
                    memory = CustomerMemory(seg.memory, first_customer, seg.population,
                                            [sc.channels[c].offer.trust for c in seg.channels])
                first_customer += seg.population
            self.memories.append(memory)
            self._split_uniform.append(
                uniform_draw(self.streams.stream(f"customers.{seg.name}.split"))
                if seg.split_on_rejection > 0 else None
            )
            channels = [self.channel_names.index(c) for c in seg.channels]
            shares = seg.channel_shares or [1.0] * len(seg.channels)
            flying = seg.source == "flights"
            base_tax = sc.airport.tax_rate if flying and sc.airport is not None \
                else sc.customs.tax_rate
            tax_rates = [base_tax if sc.channels[c].offer.tax_rate is None
                         else sc.channels[c].offer.tax_rate for c in seg.channels]
            self._tax_rates.append(tax_rates)
            chooser = self._chooser(seg, shares, tax_rates) if seg.choice != "shares" else None
            place = self._journeys(index, seg, tax_rates)
            if flying and self.airport is not None and sc.airport is not None:
                # Travellers buy from the duty-free catalogue, tax-free, and collect at the gate.
                factory = OrderFactory(
                    self.book, index, channels, shares, sc.airport.catalogue, self.prices,
                    sc.airport.tax_rate, streams, itertools.repeat((0.0, 0.0, 0.0)).__next__,
                    [None] * len(self.channel_names), 1.0, self.place,
                    sku_offset=sc.catalogue.skus, customers=customers, chooser=chooser,
                    tax_rates=tax_rates,
                )
                self.airport.build_order = factory.build
                self.airport.place = self.place
                self.factories.append(factory)
                continue
            depots = [None if sc.channel_depot(c) == seg.around
                      else sc.depot_position(sc.channel_depot(c)) for c in self.channel_names]
            factory = OrderFactory(
                self.book, index, channels, shares, sc.catalogue, self.prices,
                sc.customs.tax_rate, streams,
                homes(seg.distance_km, self.streams.stream(f"customers.{seg.name}.distance"),
                      self.streams.stream(f"customers.{seg.name}.direction"),
                      sc.depot_position(seg.around), sc.city.detour_factor),
                depots, sc.city.detour_factor, place, customers=customers,
                chooser=chooser, tax_rates=tax_rates, memory=memory,
            )
            self.factories.append(factory)
            ArrivalProcess(env, arrival_rates(seg, sc.scenario.start, sc.scenario.horizon,
                                              sc.customers.calendar), sc.scenario.horizon,
                           self.streams.stream(f"arrivals.{seg.name}"), factory)

    def _journeys(self, index: int, seg: Segment, tax_rates: list[float]) -> Callable[[int], None]:
        """Register the segment's showrooming; return how its orders are placed (through
        the store by a webroomer's detour, or directly)."""
        journey = seg.journeys
        if journey is None:
            return self.place
        if journey.showrooming > 0 and journey.showroom_channel:
            self.journeys.showroom(index, Showroom(
                journey.showrooming,
                uniform_draw(self.streams.stream(f"customers.{seg.name}.showroom")),
                self.channel_names.index(journey.showroom_channel),
                tax_rates[seg.channels.index(journey.showroom_channel)],
                journey.showroom_after))
        if journey.webrooming <= 0 or journey.webroom_channel is None:
            return self.place
        sc = self.scenario
        return self.journeys.webroomer(Webroom(
            online=[name in seg.channels and sc.channels[name].route[0] != "store_visit"
                    for name in self.channel_names],
            store=self.channel_names.index(journey.webroom_channel),
            tax_rate=tax_rates[seg.channels.index(journey.webroom_channel)],
            chance=journey.webrooming,
            uniform=uniform_draw(self.streams.stream(f"customers.{seg.name}.webroom")),
            after=journey.webroom_after,
        ))

    def _chooser(self, seg: Segment, shares: list[float], tax_rates: list[float]) -> Chooser:
        """The segment's channel choice on what each of its channels offers."""
        sc = self.scenario
        offers = []
        for name, tax_rate in zip(seg.channels, tax_rates, strict=True):
            spec = sc.channels[name]
            fee = sc.economics.delivery_fees.get(name)
            depot = sc.channel_depot(name)
            offers.append(Offer(
                tax_rate=tax_rate,
                fee_cny=fee.fee_cny if fee is not None else 0.0,
                free_above_cny=fee.free_above_cny if fee is not None else None,
                promised_hours=(sc.perceived_promise(name) or 0.0) / HOUR,
                travels=spec.offer.customer_travels,
                depot=None if depot == seg.around else sc.depot_position(depot),
                trust=spec.offer.trust,
                max_km=spec.max_distance_km,
            ))
        taste = Taste(
            shares=tuple(shares),
            constants=tuple(seg.logit.constants.get(c, 0.0) for c in seg.channels),
            per_cny=seg.logit.per_cny, per_promised_hour=seg.logit.per_promised_hour,
            per_travel_km=seg.logit.per_travel_km, per_trust=seg.logit.per_trust,
        )
        detour = sc.city.detour_factor
        return Chooser(CHOICE_POLICIES[seg.choice], taste, offers,
                       lambda a, b: road_km(a, b, detour))

    def _build_stockout_responses(self) -> None:
        """Segments with a ``stockout`` table decide what a stock-out makes them do."""
        sc = self.scenario
        if self.pool is None or all(s.stockout is None for s in sc.customers.segments):
            return
        rules = []
        for seg in sc.customers.segments:
            if seg.stockout is None:
                rules.append(None)
                continue
            prefix = f"customers.{seg.name}.stockout"
            elsewhere = [self.channel_names.index(c) for c in seg.channels
                         if "reserve" not in sc.channels[c].route]
            rules.append(rule(seg.stockout, uniform_draw(self.streams.stream(prefix)),
                              uniform_draw(self.streams.stream(f"{prefix}.switch")), elsewhere))
        main = sc.catalogue.skus
        catalogues = [(0, main - 1)]
        if sc.airport is not None:
            catalogues.append((main, main + sc.airport.catalogue.skus - 1))
        responder = Responder(self.env, self.book, self.pool, self.reserve, rules, self.prices,
                              catalogues)
        responder.end = self._end
        responder.switch = self._switch_channel
        responder.weights = self._choice_weights
        self.responder = responder

    def _choice_weights(self, order_id: int, channels: Sequence[int]) -> list[float]:
        """The order's segment's choice weights over ``channels`` (channel indices)."""
        book, sc = self.book, self.scenario
        index = book.segment[order_id]
        seg = sc.customers.segments[index]
        chooser = self.factories[index].chooser
        if chooser is None:
            shares = seg.channel_shares or [1.0] * len(seg.channels)
        else:
            home = road_km((book.x[order_id], book.y[order_id]), sc.depot_position(seg.around),
                           sc.city.detour_factor)
            memory = self.memories[index]
            customer = book.customer[order_id]
            trust = (memory.trust[customer - memory.first]
                     if memory is not None and customer >= 0 else None)
            shares = chooser.probabilities(book.value[order_id], book.x[order_id],
                                           book.y[order_id], home, trust)
        weights = []
        for c in channels:
            radius = sc.channels[self.channel_names[c]].max_distance_km
            reachable = radius is None or self._home_km(order_id, c) <= radius
            weights.append(shares[seg.channels.index(self.channel_names[c])] if reachable
                           else 0.0)
        return weights

    def _switch_channel(self, order_id: int, channel: int) -> None:
        """The order starts over on ``channel`` (its price and distance as that channel's)."""
        book, sc = self.book, self.scenario
        name = self.channel_names[channel]
        seg = sc.customers.segments[book.segment[order_id]]
        book.channel[order_id] = channel
        book.tax[order_id] = book.value[order_id] * self._tax_rates[book.segment[order_id]][
            seg.channels.index(name)]
        book.distance[order_id] = road_km((book.x[order_id], book.y[order_id]),
                                          sc.depot_position(sc.channel_depot(name)),
                                          sc.city.detour_factor)
        book.step[order_id] = 0
        self.entries[channel](order_id)

    def _start_monitors(self) -> None:
        interval = self.scenario.recorder.resource_interval
        self._snapshot_interval = interval
        Timeout(self.env, 0.0).callbacks.append(self._snapshot)
        warmup = self.scenario.scenario.warmup
        if warmup > 0:
            Timeout(self.env, warmup).callbacks.append(self._end_warmup)

    def _snapshot(self, _event: object) -> None:
        now, add = self.env.now, self.resource_log.add
        for station in self.stations:
            add(now, station.name, len(station.queue), station.busy, station.servers)
        Timeout(self.env, self._snapshot_interval).callbacks.append(self._snapshot)

    def _end_warmup(self, _event: object) -> None:
        for station in self.stations:
            station.reset_stats()
        self._counters_at_warmup = self.counters()

    def _check_economics(self) -> None:
        """Cost tables must name resources and counters this World has."""
        econ = self.scenario.economics
        known = {
            "labour_cny_per_hour": [st.name for st in self.stations],
            "per_event_cny": list(self.counters()),
            "fleet_cny_per_order": [fleet.name for fleet in self.fleets.values()],
        }
        for table, names in known.items():
            for key in getattr(econ, table):
                # A resource this scenario does not build (riders at an airport-only hub)
                # costs nothing; only a name no scenario could have is an error.
                if key not in names and not (table == "labour_cny_per_hour" and key in STAGES):
                    raise ScenarioError(
                        f"economics.{table}.{key}: no resource or counter named {key!r}; "
                        f"allowed: {', '.join(names)}"
                    )

    # -- order flow -------------------------------------------------------------
    def place(self, order_id: int) -> None:
        """A new order enters its channel's route."""
        self.entries[self.book.channel[order_id]](order_id)

    def advance(self, order_id: int) -> None:
        """The order finished its current stage: on to the next, or done."""
        book = self.book
        step = book.step[order_id] + 1
        channel = book.channel[order_id]
        route = self.routes[channel]
        if step < len(route):
            book.step[order_id] = step
            route[step].arrive(order_id)
        else:
            book.finished[order_id] = self.env._now
            book.outcome[order_id] = self.final_outcome[channel]
            after = self.after_done[channel]
            if after is not None:
                after(order_id)
            if self._remembering:
                self._remember(order_id, None)

    def _end(self, order_id: int, outcome: Outcome, reason: Reason,
             at_stage: bool = True) -> None:
        """The order ends now without being delivered or collected, for ``reason``."""
        book = self.book
        if book.outcome[order_id]:
            return  # ended already (an airport order missed while it was on its way)
        book.finished[order_id] = self.env.now
        book.outcome[order_id] = outcome
        book.failed_at[order_id] = book.step[order_id] if at_stage else -1
        book.reason[order_id] = reason
        # Browsing without buying is not a bad experience: trust and propensity stay.
        if self._remembering and outcome != Outcome.NO_PURCHASE:
            self._remember(order_id, FAILED)

    def _remember(self, order_id: int, how: int | None) -> None:
        """The order's customer remembers it: ``how`` (None: on time or late, from its due
        time)."""
        book = self.book
        segment = book.segment[order_id]
        memory = self.memories[segment]
        if memory is None or book.customer[order_id] < 0:
            return
        channel = book.channel[order_id]
        spec = self._channel_specs[channel]
        if how is None:
            due = due_time(spec, book.placed[order_id], book.column("slot_start")[order_id])
            how = ON_TIME if book.finished[order_id] <= due else LATE
        memory.remember(book.customer[order_id], self._position[segment][channel], how)
        if self._journeying:
            self.journeys.remember(order_id, how, memory, spec.route[0] == "store_visit")

    def _lost_sale(self, order_id: int) -> None:
        self._end(order_id, Outcome.LOST_SALE, Reason(self.book.reason[order_id]))

    def _home_km(self, order_id: int, channel: int) -> float:
        """Road km from the depot of ``channel`` to the home of ``order_id``'s customer."""
        sc, book = self.scenario, self.book
        depot = sc.channel_depot(self.channel_names[channel])
        if depot == sc.channel_depot(self.channel_names[book.channel[order_id]]):
            return book.distance[order_id]
        return road_km((book.x[order_id], book.y[order_id]), sc.depot_position(depot),
                       sc.city.detour_factor)

    def _turned_away(self, order_id: int) -> None:
        self._end(order_id, Outcome.TURNED_AWAY, Reason.ZONE_FULL)

    def _missed(self, order_id: int, reason: Reason) -> None:
        """An airport order was not collected: its goods go back to stock, it is refunded."""
        book = self.book
        if book.outcome[order_id]:
            return
        book.refund[order_id] = book.value[order_id] + book.tax[order_id]
        self._fail(order_id, Outcome.MISSED, reason)

    def _fail(self, order_id: int, outcome: Outcome, reason: Reason) -> None:
        """A stage gives up on an order; its reserved units go back on the shelf."""
        book = self.book
        if book.outcome[order_id]:
            return  # ended already: its units went back then
        if self.pool is not None and not math.isnan(book.column("reserved")[order_id]):
            self.pool.release(order_id, book.skus[order_id])
        self._end(order_id, outcome, reason)

    def _rejected(self, order_id: int, per_order_limit: float) -> None:
        """Customs refused the order: its units go back; the customer may split it."""
        book = self.book
        self._fail(order_id, Outcome.REJECTED, Reason(book.reason[order_id]))
        segment = book.segment[order_id]
        draw = self._split_uniform[segment]
        if book.reason[order_id] != Reason.OVER_ORDER_LIMIT or draw is None:
            return
        if draw() >= self.scenario.customers.segments[segment].split_on_rejection:
            return
        parts = split_basket(book.skus[order_id], self.prices, per_order_limit)
        if parts is not None and len(parts) > 1:
            delay = self.scenario.customers.segments[segment].resubmit_after
            Timeout(self.env, delay, (order_id, parts)).callbacks.append(self._resubmit)

    def _resubmit(self, event: Timeout) -> None:
        """Place the parts of a split order; they start after the store."""
        parent, parts = event._value
        book, now = self.book, self.env.now
        channel = book.channel[parent]
        step = self.resume_step[channel]
        tax_rate = self.scenario.customs.tax_rate
        for skus in parts:
            value = sum(self.prices[s] for s in skus)
            child = book.new(now, book.segment[parent], channel, skus, value, value * tax_rate,
                             book.distance[parent], book.x[parent], book.y[parent])
            book.customer[child] = book.customer[parent]
            book.parent[child] = parent
            book.step[child] = step
            self.routes[channel][step].arrive(child)

    def due_times(self) -> np.ndarray:
        """Every order's due time (minutes) from its channel's promise."""
        book = self.book
        return due_times(
            [self.scenario.channels[n] for n in self.channel_names],
            np.asarray(book.channel, dtype=np.int64), np.asarray(book.placed, dtype=float),
            np.asarray(book.column("slot_start"), dtype=float),
        )

    # -- running ----------------------------------------------------------------
    def run(self, progress: Callable[[float], None] | None = None, chunk: float = 60.0) -> RunInfo:
        """Run to the horizon; call ``progress(now)`` every ``chunk`` simulated minutes."""
        horizon = self.scenario.scenario.horizon
        if progress is None:
            self.env.run(until=horizon)
        else:
            now = 0.0
            while now < horizon:
                now = min(now + chunk, horizon)
                self.env.run(until=now)
                progress(now)
        self.book.trim()
        info = RunInfo(self.seed, horizon, self.scenario.scenario.warmup)
        info.events = next(self.env._eid)  # events scheduled over the run
        info.resource_stats = {st.name: st.snapshot() for st in self.stations}
        # Counted after the warm-up, like every other statistic.
        start = self._counters_at_warmup
        info.counters = {k: v - start.get(k, 0) for k, v in self.counters().items()}
        return info

    def counters(self) -> dict[str, int]:
        """Counted events since the start: purchase orders, inspections, rejections,
        oversells, visitors turned away, waves and line-haul runs, ..."""
        counters = {
            "purchase_orders": sum(r.purchase_orders for r in self.replenishment),
            "units_ordered": sum(r.units_ordered for r in self.replenishment),
            "inspections": self.customs.inspections,
            "customs_rejections": self.customs.rejected,
            "document_mismatches": self.customs.mismatches,
        }
        if self.pool is not None:
            counters["oversells"] = self.pool.oversells
            counters["stale_stock_figure"] = self.pool.stale_outs
        if self.port_customs is not None:
            counters["port_inspections"] = self.port_customs.inspections
            counters["port_customs_rejections"] = self.port_customs.rejected
            counters["port_document_mismatches"] = self.port_customs.mismatches
        for store in self.stores:
            counters[f"{store.name}.turned_away"] = store.zone.refused
        if self.waves is not None:
            counters["regional_waves"] = self.waves.waves
        if self.airport is not None:
            counters["linehaul_runs"] = self.airport.linehaul.runs
        if self.scenario.warehouse is not None and isinstance(self.picking, PickFloor):
            counters["orders_picked_by_agv"] = self.picking.agv_orders
        if any(m is not None for m in self.memories):
            counters["stayed_away"] = sum(m.stayed_away for m in self.memories if m is not None)
        if self._journeying:
            counters.update(self.journeys.counters())
        return counters
