"""Builds one World from a Scenario and runs it.

The World owns the SimPy environment, the random streams, the recorder and the
facilities, and wires them together: facilities never import each other. A
channel's route is a tuple of stage objects (data from the scenario); an order
walks it by ``advance``. Nothing here computes statistics or touches pandas.

An order enters its route through its channel's *entry*: the first stage
itself, or a check in front of it that refuses orders from beyond the channel's
``max_distance_km`` and records the slot a presale customer picks.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy
from simpy.events import Timeout

from .city import homes, traffic_factors
from .customers import ArrivalProcess, OrderFactory, weekly_rates, zipf_probabilities
from .dispatch import DISPATCH_POLICIES
from .distributions import uniform_draw
from .facilities.airport import AIRPORT_STAMPS, Airport, preorders_per_day
from .facilities.couriers import LEG_VALUES, TRIP_COUNTS, Fleet, RiderFleet, Travel
from .facilities.customs import Customs
from .facilities.staging import Hold
from .facilities.station import Station
from .facilities.warehouse import (
    ReserveStage,
    SsReplenishment,
    StockPool,
    build_stations,
    line_service,
    stock_levels,
)
from .promises import SlotChooser, due_times
from .randomness import Streams
from .recorder import InventoryLedger, OrderBook, Outcome, Reason, ResourceLog
from .scenario import (
    COURIERS,
    STAGES,
    Couriers,
    Scenario,
    ScenarioError,
    Segment,
    depot_resource,
    fleet_resource,
)

#: Timestamps in the order table, in route order. ``pick_*`` are the picking stamps at
#: the bonded warehouse or at the channel's depot (a route has one or the other);
#: ``slot_start`` is the start of a presale order's chosen delivery slot.
STAMPS = [
    "reserved",
    "declared", "clearance_start", "clearance_end", "inspected", "cleared",
    "pick_queued", "pick_start", "picked",
    "pack_queued", "pack_start", "packed",
    "slot_start",
    "dispatch_queued", "dispatched", "leg_start", "arrived", "delivered", "rider_back",
    *AIRPORT_STAMPS,
]


@dataclass
class RunInfo:
    """What the run itself knows beyond the logs."""

    seed: int
    horizon: float
    warmup: float
    events: int = 0
    resource_stats: dict[str, dict[str, float]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)


class World:
    """One simulation run of one scenario with one seed."""

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        self.scenario = scenario
        self.seed = scenario.scenario.seed if seed is None else seed
        self.env = simpy.Environment()
        self.streams = Streams(self.seed)
        self.book = OrderBook(STAMPS, LEG_VALUES, TRIP_COUNTS)
        self.resource_log = ResourceLog()
        self.ledger = InventoryLedger()
        self.channel_names = list(scenario.channels)
        self.segment_names = [s.name for s in scenario.customers.segments]
        self._build_facilities()
        self._build_routes()
        self._build_customers()
        self._start_monitors()
        self._counters_at_warmup: dict[str, int] = {}
        self._check_economics()

    # -- construction -----------------------------------------------------------
    def _draw(self, name: str, dist: object) -> Callable[[], float]:
        return dist.sampler(self.streams.stream(name))  # type: ignore[attr-defined]

    def _build_facilities(self) -> None:
        sc, env, book = self.scenario, self.env, self.book
        cat = sc.catalogue
        price_rng = self.streams.stream("catalogue.price")
        self.prices = [round(p, 2) for p in cat.price_cny.block(price_rng, cat.skus).tolist()]
        if sc.airport is not None:
            # The duty-free catalogue's SKU ids follow the main catalogue's, in one stock pool.
            duty_free = sc.airport.catalogue
            rng = self.streams.stream("airport.catalogue.price")
            self.prices += [round(p, 2) for p in duty_free.price_cny.block(rng, duty_free.skus)]
        initial, s, big_s = stock_levels(sc.warehouse, self._daily_demand())
        self.pool = StockPool(env, self.ledger, initial, sc.warehouse.unlimited_stock)
        rep = sc.warehouse.replenishment
        self.replenishment = None
        if not sc.warehouse.unlimited_stock and rep.policy == "s_S":
            self.replenishment = SsReplenishment(
                env, self.pool, s, big_s, rep.review, self._draw("supply.lead_time", rep.lead_time)
            )
        self.reserve = ReserveStage(env, self.pool, book)
        self.customs = Customs(
            env, sc.customs, book,
            self._draw("customs.clearance_time", sc.customs.clearance_time),
            uniform_draw(self.streams.stream("customs.inspection")),
            self._draw("customs.inspection_time", sc.customs.inspection_time),
        )
        self.picking, self.packing = build_stations(
            env, sc.warehouse, book,
            self._draw("warehouse.pick_time", sc.warehouse.pick_time),
            self._draw("warehouse.pack_time", sc.warehouse.pack_time),
        )
        self.front = {
            name: Station(env, depot_resource(name), depot.pickers,
                          line_service(self._draw(f"depots.{name}.pick_time", depot.pick_time),
                                       book.skus),
                          book.column("pick_queued"), book.column("pick_start"),
                          book.column("picked"))
            for name, depot in sc.depots.items()
        }
        self.fleets = {name: self._build_fleet(name, config)
                       for name, config in sc.all_fleets().items()}
        self.fleet = self.fleets.get(COURIERS)
        self.stations: list[Any] = [  # Station, RiderFleet or Fleet: the snapshot interface
            self.customs.station, self.picking, self.packing, *self.front.values(),
            *self.fleets.values(),
        ]
        self.stages = {
            "reserve": self.reserve,
            "customs": self.customs,
            "pick": self.picking,
            "pack": self.packing,
        }
        self.airport = None
        if sc.airport is not None:
            self.airport = Airport(env, sc.airport, book, self.streams, sc.scenario.horizon,
                                   sc.scenario.start.weekday())
            self.stations += self.airport.stations
            self.stages.update(linehaul=self.airport.linehaul, stage=self.airport.staging,
                               pickup=self.airport.pickup)
            self.airport.missed = self._missed
        for stage in (*self.stages.values(), *self.front.values(), *self.fleets.values()):
            stage.done = self.advance
        for fleet in self.fleets.values():
            fleet.fail = self._fail
        self.reserve.lost = lambda oid: self._fail(oid, Outcome.LOST_SALE, Reason.OUT_OF_STOCK)
        self.customs.reject = lambda oid: self._fail(oid, Outcome.REJECTED,
                                                     Reason.OVER_ORDER_LIMIT)

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

    def _daily_demand(self) -> list[float]:
        """Expected units per day per SKU (main, then duty-free) from channels that reserve."""
        sc = self.scenario
        reserving = {n for n, ch in sc.channels.items() if "reserve" in ch.route}

        def reserving_share(seg: Segment) -> tuple[float, float]:
            shares = seg.channel_shares or [1.0] * len(seg.channels)
            share = sum(w for c, w in zip(seg.channels, shares, strict=True) if c in reserving)
            return share, sum(shares)

        units = 0.0
        for seg in sc.customers.segments:
            if seg.source == "poisson":
                share, total = reserving_share(seg)
                units += seg.arrivals_per_day * share / total * sc.catalogue.items_per_order
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
        self.routes = [tuple(self._stage(n, s) for s in sc.channels[n].route)
                       for n in self.channel_names]
        self.final_outcome = [
            Outcome.DELIVERED if sc.channels[n].route[-1] == "deliver" else Outcome.COLLECTED
            for n in self.channel_names
        ]
        self.entries = [self._entry(i, n) for i, n in enumerate(self.channel_names)]

    def _stage(self, channel: str, stage: str) -> Any:
        """The object serving ``stage`` of ``channel``."""
        if stage == "front_pick":
            return self.front[self.scenario.channel_depot(channel)]
        if stage == "deliver":
            return self.fleets[self.scenario.channels[channel].fleet]
        if stage == "hold":
            return self.holds[channel]
        return self.stages[stage]

    def _entry(self, index: int, name: str) -> Callable[[int], None]:
        """How an order of channel ``name`` enters its route (see the module docstring)."""
        spec = self.scenario.channels[name]
        first = self.routes[index][0].arrive
        radius = spec.max_distance_km
        if radius is None and spec.slots is None:
            return first
        book = self.book
        distance, placed = book.distance, book.placed
        slot_start = book.column("slot_start")
        choose = None
        if spec.slots is not None:
            slot_draw = uniform_draw(self.streams.stream(f"channels.{name}.slot"))
            choose = SlotChooser(spec.slots, slot_draw)

        def enter(order_id: int) -> None:
            start = choose(placed[order_id]) if choose is not None else math.nan
            if radius is not None and distance[order_id] > radius:
                self._end(order_id, Outcome.REJECTED, Reason.OUT_OF_AREA, at_stage=False)
                return
            if choose is not None:
                slot_start[order_id] = start
            first(order_id)

        return enter

    def _build_customers(self) -> None:
        sc, env = self.scenario, self.env
        weekday = sc.scenario.start.weekday()
        self.factories: list[OrderFactory] = []
        for index, seg in enumerate(sc.customers.segments):
            streams = {
                part: self.streams.stream(f"basket.{seg.name}.{part}")
                for part in ("skus", "lines", "channel")
            }
            channels = [self.channel_names.index(c) for c in seg.channels]
            shares = seg.channel_shares or [1.0] * len(seg.channels)
            if seg.source == "flights" and self.airport is not None and sc.airport is not None:
                # Travellers buy from the duty-free catalogue, tax-free, and collect at the gate.
                factory = OrderFactory(
                    self.book, index, channels, shares, sc.airport.catalogue, self.prices,
                    sc.airport.tax_rate, streams, itertools.repeat((0.0, 0.0, 0.0)).__next__,
                    [None] * len(self.channel_names), 1.0, self.place,
                    sku_offset=sc.catalogue.skus,
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
                depots, sc.city.detour_factor, self.place,
            )
            self.factories.append(factory)
            ArrivalProcess(env, weekly_rates(seg, weekday), sc.scenario.horizon,
                           self.streams.stream(f"arrivals.{seg.name}"), factory)

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

    def counters(self) -> dict[str, int]:
        """Counted events since the start (purchase orders, inspections, rejections, and
        line-haul truck runs with an airport)."""
        counts = {
            "purchase_orders": self.replenishment.purchase_orders if self.replenishment else 0,
            "inspections": self.customs.inspections,
            "customs_rejections": self.customs.rejected,
        }
        if self.airport is not None:
            counts["linehaul_runs"] = self.airport.linehaul.runs
        return counts

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

    def _end(self, order_id: int, outcome: Outcome, reason: Reason, at_stage: bool = True) -> None:
        """The order ends now without being delivered or collected, for ``reason``."""
        book = self.book
        book.finished[order_id] = self.env.now
        book.outcome[order_id] = outcome
        book.failed_at[order_id] = book.step[order_id] if at_stage else -1
        book.reason[order_id] = reason

    def _missed(self, order_id: int, reason: Reason) -> None:
        """An airport order was not collected: its goods go back to stock, it is refunded."""
        book = self.book
        if book.outcome[order_id]:
            return
        book.refund[order_id] = book.value[order_id] + book.tax[order_id]
        self._fail(order_id, Outcome.MISSED, reason)

    def _fail(self, order_id: int, outcome: Outcome, reason: Reason) -> None:
        """A stage gives up on an order; its reserved units go back on the shelf."""
        if not math.isnan(self.book.stamps["reserved"][order_id]):
            self.pool.release(order_id, self.book.skus[order_id])
        self._end(order_id, outcome, reason)

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
