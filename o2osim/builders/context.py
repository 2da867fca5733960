"""What the builders share while they build one run: the :class:`Build` context.

It holds the run's kernel, order book, named random streams, plan and wiring
registry, and what each family builder has made so far (the order flow, the stock
pool, the stage objects shared by every channel...), so a later builder can hand
an earlier component's hooks to a new one. The World keeps it (``World.parts``) to
look at what was built. This module must not build anything itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import numpy as np
import simpy

from ..distributions import Draw, uniform_draw
from ..plan import Plan
from ..randomness import Streams
from ..recorder import InventoryLedger, OrderBook
from ..wiring import Component, RouteStage, Wiring

if TYPE_CHECKING:
    from ..choice import Chooser
    from ..customers import CustomerMemory, OrderFactory
    from ..facilities.airport import Airport
    from ..facilities.couriers import RiderFleet
    from ..facilities.customs import Customs, QuotaBook
    from ..facilities.fleet import Fleet
    from ..facilities.patience import Impatient
    from ..facilities.reserve import ReserveStage
    from ..facilities.station import Station
    from ..facilities.stock import StockPool
    from ..facilities.store import Store
    from ..facilities.supply import ClassReplenishment
    from ..facilities.warehouse import DispatchWaves
    from ..facilities.zoned_fleet import ZonedFleet
    from ..journeys import CustomerJourneys
    from ..orderflow import OrderFlow
    from ..returns import Returns
    from ..stockouts import Responder


class Sampled(Protocol):
    """A scenario distribution: it makes draws from a random stream."""

    def sampler(self, rng: np.random.Generator) -> Draw: ...


class Build:
    """The context of one World's build (see the module docstring)."""

    def __init__(
        self,
        env: simpy.Environment,
        book: OrderBook,
        streams: Streams,
        plan: Plan,
        ledger: InventoryLedger,
    ) -> None:
        self.env = env
        self.book = book
        self.streams = streams
        self.plan = plan
        self.scenario = plan.scenario
        self.ledger = ledger
        self.wiring = Wiring()
        #: Unit prices by SKU id (main catalogue, then the duty-free one).
        self.prices: list[float] = []
        #: Stage objects every channel shares, by stage name.
        self.stages: dict[str, RouteStage] = {}
        # Made by the family builders, in build order.
        #: Per segment: (first customer id, population) of a finite population, else None.
        self.populations: list[tuple[int, int] | None] = []
        self.memories: list[CustomerMemory | None] = []
        self.choosers: list[Chooser | None] = []
        self.quota: QuotaBook
        #: Expected units per day per SKU (sizes the initial stock and the policies).
        self.daily_demand: list[float] = []
        self.pool: StockPool | None = None
        self.returns: Returns
        self.flow: OrderFlow
        self.journeys: CustomerJourneys
        self.factories: list[OrderFactory] = []
        self.responder: Responder | None = None
        self.replenishment: list[ClassReplenishment] = []
        self.reserve: ReserveStage | None = None
        self.picking: Station | None = None
        self.packing: Station | None = None
        self.sorting: Station | None = None
        self.waves: DispatchWaves | None = None
        self.customs: Customs
        self.port_customs: Customs | None = None
        self.front: dict[str, Station] = {}
        self.fleets: dict[str, RiderFleet | Fleet | ZonedFleet] = {}
        self.stores: list[Store] = []
        self.airport: Airport | None = None
        #: Stations wrapped for customers who wait in person, by station name.
        self.impatient: dict[str, Impatient] = {}
        #: More counters, each read by the run's monitor (a format's batches, refusals).
        self.counters: list[Callable[[], dict[str, int]]] = []

    def draw(self, name: str, dist: Sampled) -> Draw:
        """Draws of ``dist`` (a scenario distribution) from the stream ``name``."""
        return dist.sampler(self.streams.stream(name))

    def uniform(self, name: str) -> Draw:
        """Uniform(0, 1) draws from the stream ``name``."""
        return uniform_draw(self.streams.stream(name))

    def add(self, label: str, component: Component) -> Component:
        """Register ``component`` for the wiring check under ``label``; return it."""
        return self.wiring.add(label, component)
