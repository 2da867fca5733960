"""Builds one World from a Scenario and runs it.

The World owns the SimPy environment, the random streams, the recorder and the
facilities, and wires them together: facilities never import each other. A
channel's route is a tuple of stage objects (data from the scenario); an order
walks it by ``advance``. Nothing here computes statistics or touches pandas.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import simpy
from simpy.events import Timeout

from .customers import ArrivalProcess, OrderFactory, weekly_rates, zipf_probabilities
from .distributions import uniform_draw
from .facilities.airport import AIRPORT_STAMPS, Airport, preorders_per_day
from .facilities.couriers import RiderFleet
from .facilities.customs import Customs
from .facilities.station import Station
from .facilities.warehouse import (
    ReserveStage,
    SsReplenishment,
    StockPool,
    build_stations,
    stock_levels,
)
from .randomness import Streams
from .recorder import InventoryLedger, OrderBook, Outcome, Reason, ResourceLog
from .scenario import STAGES, Scenario, ScenarioError, Segment

#: Stage timestamps in the order table, in route order.
STAMPS = [
    "reserved",
    "declared", "clearance_start", "clearance_end", "inspected", "cleared",
    "pick_queued", "pick_start", "picked",
    "pack_queued", "pack_start", "packed",
    "dispatch_queued", "dispatched", "delivered", "rider_back",
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
        self.book = OrderBook(STAMPS)
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
        self.stations: list[Station] = [self.customs.station, self.picking, self.packing]
        self.stages = {
            "reserve": self.reserve,
            "customs": self.customs,
            "pick": self.picking,
            "pack": self.packing,
        }
        cour = sc.couriers
        self.fleet = None
        if cour is not None:
            self.fleet = RiderFleet(
                env, cour, book,
                self._draw("couriers.handover_time", cour.handover_time),
                self._draw("couriers.trip_time", cour.trip_time) if cour.trip_time else None,
            )
            self.stations.append(self.fleet.station)
            self.stages["deliver"] = self.fleet
        self.airport = None
        if sc.airport is not None:
            self.airport = Airport(env, sc.airport, book, self.streams, sc.scenario.horizon,
                                   sc.scenario.start.weekday())
            self.stations += self.airport.stations
            self.stages.update(linehaul=self.airport.linehaul, stage=self.airport.staging,
                               pickup=self.airport.pickup)
            self.airport.missed = self._missed
        for stage in self.stages.values():
            stage.done = self.advance
        self.reserve.lost = self._lost_sale
        self.customs.reject = self._rejected

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
        self.routes = [tuple(self.stages[s] for s in sc.channels[n].route)
                       for n in self.channel_names]
        self.final_outcome = [
            Outcome.DELIVERED if sc.channels[n].route[-1] == "deliver" else Outcome.COLLECTED
            for n in self.channel_names
        ]

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
                    sc.airport.tax_rate, streams, itertools.repeat(0.0).__next__, self.place,
                    sku_offset=sc.catalogue.skus,
                )
                self.airport.build_order = factory.build
                self.airport.place = self.place
                self.factories.append(factory)
                continue
            factory = OrderFactory(
                self.book, index, channels, shares, sc.catalogue, self.prices,
                sc.customs.tax_rate, streams,
                self._draw(f"customers.{seg.name}.distance", seg.distance_km), self.place,
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
        """A new order enters the first stage of its channel's route."""
        self.routes[self.book.channel[order_id]][0].arrive(order_id)

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

    def _end(self, order_id: int, outcome: Outcome) -> None:
        book = self.book
        book.finished[order_id] = self.env.now
        book.outcome[order_id] = outcome
        book.failed_at[order_id] = book.step[order_id]

    def _lost_sale(self, order_id: int) -> None:
        self._end(order_id, Outcome.LOST_SALE)

    def _missed(self, order_id: int, reason: Reason) -> None:
        """An airport order was not collected: its goods go back to stock, it is refunded."""
        book = self.book
        if book.outcome[order_id]:
            return
        if not math.isnan(book.stamps["reserved"][order_id]):
            self.pool.release(order_id, book.skus[order_id])
        book.reason[order_id] = reason
        book.refund[order_id] = book.value[order_id] + book.tax[order_id]
        self._end(order_id, Outcome.MISSED)

    def _rejected(self, order_id: int) -> None:
        if not math.isnan(self.book.stamps["reserved"][order_id]):
            self.pool.release(order_id, self.book.skus[order_id])
        self._end(order_id, Outcome.REJECTED)

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
