"""Builders: one per family of facilities, run in one order to make a World's parts.

:func:`assemble` runs them: prices and customers (memories, choosers), the stock
pool and returns, the order flow (whose hooks every later component receives in
its constructor), customer journeys, order factories and stock-out responses;
then the facilities in the order their first events must be scheduled --
replenishment, the reserve stage and the back warehouse, customs and direct mail,
the last mile (depots, fleets), stores, the airport -- the routes, and the
arrivals last. The wiring check (:mod:`o2osim.wiring`) runs before time 0. Event
order matters: SimPy breaks ties at equal times by scheduling order, so moving a
builder that schedules events changes results.

Each family's builder also registers the route stages it serves
(:mod:`.registry`); a new stage is a row of the stage table plus one
:func:`~.registry.register_stage`. :func:`monitored_resources` and
:func:`count_events` say what the run's monitor watches. This package must not
run the simulation.
"""

from __future__ import annotations

import simpy

from ..orderflow import OrderFlow
from ..plan import Plan
from ..randomness import Streams
from ..recorder import InventoryLedger, OrderBook
from ..sellers.build import build_sellers
from ..wiring import MonitoredResource
from .airport import build_airport
from .context import Build
from .customs import build_customs
from .demand import (
    build_arrivals,
    build_customers,
    build_factories,
    build_journeys,
    build_responder,
    memory_counters,
)
from .formats import format_stations
from .lastmile import build_last_mile
from .marketing import build_marketing
from .registry import STAGE_BUILDERS, register_stage
from .routes import build_routes
from .sites import build_return_paths, build_sites
from .stores import build_stores
from .supply import (
    build_pool,
    build_prices,
    build_replenishment,
    build_reserve,
    build_returns,
    supply_counters,
)
from .warehouse import agv_counters, build_warehouse

__all__ = [
    "STAGE_BUILDERS",
    "Build",
    "assemble",
    "count_events",
    "monitored_resources",
    "register_stage",
]


def assemble(
    env: simpy.Environment, book: OrderBook, streams: Streams, plan: Plan, ledger: InventoryLedger
) -> Build:
    """Build every part of one run (see the module docstring) and check the wiring."""
    b = Build(env, book, streams, plan, ledger)
    build_prices(b)
    split = build_customers(b)
    build_pool(b)
    build_sites(b)  # a virtual warehouse stands where the pool stood
    build_returns(b)
    build_return_paths(b)  # nothing without [cross_returns]
    b.flow = b.add(
        "order flow",
        OrderFlow(
            env,
            book,
            plan,
            b.prices,
            pool=b.pool,
            returns=b.returns,
            memories=b.memories,
            choosers=b.choosers,
            split=split,
        ),
    )
    build_journeys(b)
    build_factories(b)
    build_responder(b)
    build_replenishment(b)
    build_reserve(b)
    build_warehouse(b)
    build_customs(b)
    build_last_mile(b)
    build_stores(b)
    build_airport(b)
    build_routes(b)
    build_sellers(b)  # wraps the channels' entries; nothing without [sellers]
    build_arrivals(b)
    build_marketing(b)  # after the segments' own arrivals: none without [marketing]
    b.wiring.check()
    return b


def monitored_resources(b: Build) -> list[MonitoredResource]:
    """The queueing resources to monitor, in the order the tables list them.

    Customs, the bonded warehouse's pickers and packers, the depots' pickers and
    the fleets are always reported (idle staff cost labour too); manual document
    handling, the sorter, port customs and the stores only when a route uses them.
    """
    used = b.plan.used
    found: list[MonitoredResource] = [b.customs.station]
    if b.customs.manual is not None and "customs" in used:
        found.append(b.customs.manual)
    for station in (b.picking, b.packing, b.sorting):
        if station is not None:
            found.append(station)
    found += [*b.front.values(), *b.fleets.values(), *format_stations(b)]
    port = b.port_customs
    if port is not None and port.stage in used:
        found += [port.station, *([port.manual] if port.manual else [])]
    if "store_visit" in used:
        for store in b.stores:
            found += store.resources
    if b.airport is not None:
        found += b.airport.stations
    return found


def count_events(b: Build) -> dict[str, int]:
    """Counted events since the start: purchase orders, inspections, rejections,
    oversells, visitors turned away, waves and line-haul runs, ..."""
    counters = {**supply_counters(b), **b.customs.counters()}
    if b.pool is not None:
        counters.update(b.pool.counters())
    if b.port_customs is not None:
        counters.update(b.port_customs.counters())
    for store in b.stores:
        counters.update(store.counters())
    if b.waves is not None:
        counters.update(b.waves.counters())
    if b.airport is not None:
        counters.update(b.airport.counters())
    counters.update(agv_counters(b))
    counters.update(memory_counters(b))
    if b.plan.journeying:
        counters.update(b.journeys.counters())
    for more in b.counters:
        counters.update(more())
    return counters
