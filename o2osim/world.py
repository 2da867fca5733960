"""One simulation run of one scenario with one seed: build it, run it, say what it knows.

:class:`World` resolves the scenario into a :class:`~o2osim.plan.Plan` once, makes
the run's kernel (:mod:`o2osim.kernel`), named random streams and logs, has the
builders (:mod:`o2osim.builders`) make and wire every facility, and starts the
monitor (:mod:`o2osim.monitor`). Orders then walk their channels' routes under the
order flow (:mod:`o2osim.orderflow`); :meth:`World.run` runs to the horizon, then
drains, and returns a :class:`RunInfo`.

The drain: arrivals stop at the horizon (Poisson segments and airport pre-orders
are scheduled only before it), but the run goes on, with every periodic process
that moves orders (shifts, replenishment reviews, truck runs, dispatch waves),
until every order placed before the horizon has ended or ``scenario.drain`` has
passed. Resource statistics and counters are taken at the horizon, and the
monitor's snapshots stop there, so they cover the span from the warm-up to the
horizon and the emptying system does not dilute them. An order still in flight
when the run stops is right-censored at its age then (see :mod:`o2osim.kpis.survival`).

Facilities never import each other: the builders hand each one its hooks in its
constructor, and the wiring is checked before time 0. Nothing here computes
statistics, touches pandas or decides an order's fate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .builders import assemble, count_events, monitored_resources
from .builders.services import build_services, service_counters
from .customers import CustomerMemory, OrderFactory
from .facilities.airport import Airport
from .facilities.couriers import LEG_VALUES, TRIP_COUNTS, RiderFleet
from .facilities.fleet import Fleet
from .facilities.zoned_fleet import ZonedFleet
from .kernel import Kernel, events_scheduled
from .monitor import Monitor, check_economics
from .plan import make_plan
from .randomness import Streams
from .recorder import InventoryLedger, OrderBook, ResourceLog
from .scenario import COURIERS, Scenario
from .scenario.sites import order_columns
from .scenario.stages import DELIVERING, STAGE_END, STAMPS

# The stage table's lists, named where callers of the World have always found them.
__all__ = ["DELIVERING", "STAGE_END", "STAMPS", "RunInfo", "World"]


#: During the drain, the run looks every this many minutes whether every order has ended.
DRAIN_CHECK = 60.0


@dataclass
class RunInfo:
    """What the run itself knows beyond the logs.

    ``resource_stats`` and ``counters`` cover the warm-up to the horizon; ``stopped``
    is when the run stopped (minutes, the horizon plus the time the drain took).
    """

    seed: int
    horizon: float
    warmup: float
    events: int = 0
    resource_stats: dict[str, dict[str, float]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    stopped: float = 0.0


class World:
    """One simulation run of one scenario with one seed."""

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        self.scenario = scenario
        self.seed = scenario.scenario.seed if seed is None else seed
        self.plan = make_plan(scenario)
        self.env = Kernel()
        self.streams = Streams(self.seed)
        self.book = OrderBook(
            list(self.plan.stamps),
            (*LEG_VALUES, "written_off_cny", *order_columns(scenario)[0]),
            (*TRIP_COUNTS, "stockout_response", *order_columns(scenario)[1]),
        )
        self.resource_log = ResourceLog()
        self.ledger = InventoryLedger()
        self.channel_names = self.plan.channel_names
        self.segment_names = self.plan.segment_names
        parts = assemble(self.env, self.book, self.streams, self.plan, self.ledger)
        self.parts = parts
        self.flow = parts.flow
        #: Service products sold abroad (none without ``[services]``; docs/services.md).
        self.services = build_services(self.env, self.streams, self.plan)
        #: The queueing resources the monitor snapshots, in table order.
        self.resources = monitored_resources(parts)
        self.monitor = Monitor(
            self.env,
            self.resources,
            self.resource_log,
            scenario.recorder.resource_interval,
            self.plan.warmup,
            self.counters,
            until=self.plan.horizon,
        )
        check_economics(
            scenario.economics,
            [r.name for r in self.resources],
            list(self.counters()),
            [f.name for f in parts.fleets.values()],
        )

    # -- the parts callers look at --------------------------------------------------
    @property
    def fleets(self) -> dict[str, RiderFleet | Fleet | ZonedFleet]:
        """Every courier fleet by name."""
        return self.parts.fleets

    @property
    def fleet(self) -> RiderFleet | Fleet | ZonedFleet | None:
        """The ``[couriers]`` fleet, if the scenario has one."""
        return self.parts.fleets.get(COURIERS)

    @property
    def airport(self) -> Airport | None:
        """The airport (None without one)."""
        return self.parts.airport

    @property
    def memories(self) -> list[CustomerMemory | None]:
        """Per segment: its customers' memory (None where they forget)."""
        return self.parts.memories

    @property
    def factories(self) -> list[OrderFactory]:
        """Per segment: the factory that builds its orders."""
        return self.parts.factories

    def counters(self) -> dict[str, int]:
        """Counted events since the start: purchase orders, inspections, rejections,
        oversells, visitors turned away, waves and line-haul runs, ..."""
        return {**count_events(self.parts), **service_counters(self.services)}

    # -- running ----------------------------------------------------------------
    def run(self, progress: Callable[[float], None] | None = None, chunk: float = 60.0) -> RunInfo:
        """Run to the horizon, then drain; call ``progress(now)`` every ``chunk`` simulated
        minutes up to the horizon."""
        horizon = self.plan.horizon
        if progress is None:
            self.env.run(until=horizon)
        else:
            now = 0.0
            while now < horizon:
                now = min(now + chunk, horizon)
                self.env.run(until=now)
                progress(now)
        info = RunInfo(self.seed, horizon, self.plan.warmup)
        # Statistics of the warm-up to the horizon: the drain empties the system, and its
        # idle servers would dilute utilisation and queue lengths.
        info.resource_stats = self.monitor.resource_stats()
        info.counters = self.monitor.counters_after_warmup()
        info.stopped = self.drain(horizon + self.plan.drain)
        self.book.trim()
        info.events = events_scheduled(self.env)
        return info

    def drain(self, until: float) -> float:
        """Run on, ``DRAIN_CHECK`` minutes at a time, until every order that exists now has
        ended or the clock reaches ``until``; return the time the run stopped.

        Orders placed later (a split order's parts, a showroomer's online order) are
        simulated but neither awaited nor counted: they were placed after the horizon.
        """
        outcome = self.book.outcome
        placed = len(self.book)
        first_open = 0  # every order before this one has ended
        while True:
            while first_open < placed and outcome[first_open]:
                first_open += 1
            now = self.env.now
            if first_open == placed or now >= until:
                return now
            self.env.run(until=min(now + DRAIN_CHECK, until))
