"""How big a run will be, estimated before it starts, and whether to run it.

:func:`estimate_size` turns a validated scenario into expected orders, events and
peak memory without simulating; :func:`check_size` refuses a run above the limits
(unless the user confirms a deliberate giant) and one that cannot fit the machine
at all. The estimate is an expectation: the count of a Poisson process, so a real
run's orders fall within a few per cent of it (checked in tests/unit/test_size_estimate.py),
and its memory comes from a fit to measurements on the machine that wrote this.

Memory model, fitted to peak RSS (``resource.getrusage``, ``ru_maxrss``) of
``simulate()`` in a fresh Python 3.11 process, every bundled scenario at horizons
of 3 and 9 days (warm-up 1 day), plus the baseline at 27 days (2026, x86-64, 25 GB):

- fixed: ~140 MB (interpreter, numpy, pandas, simpy, pydantic: 128 MB after import);
- per order: 2,000 B + 80 B per distinct route stage of the scenario (the order book
  keeps a timestamp column per stage; the tables are built from it as it is emptied,
  see docs/performance.md): 2.2 KB/order for direct mail (3 stages) to 2.7 KB/order
  for the Xiasha journeys (9 stages), refitted after the memory work of issue 17;
  the fit is within +-15% of each large scenario's slope, and the baseline's slope
  from 28 to 91 days (2.2 KB) matches its slope from 3 to 9 days (2.4 KB), so it is
  linear up to :data:`o2osim.settle.START_ROWS` orders; beyond, a run whose settled
  orders leave memory during the run (most scenarios: see :mod:`o2osim.settle`) costs
  ~610 B per further order (a simulated year of the baseline: 1.8 GB measured, 2.1 GB
  estimated; 10x demand for 28 days: 1.4 GB measured, 1.7 GB estimated);
- per resource snapshot row: ~110 B (baseline, resource_interval 1 min vs 2 s);
- per SKU: ~1.2 KB (baseline with 3,000 vs 300,000 SKUs: prices, stock, levels, ledger);
- per customer of a segment with ``memory``: ~120 B (trust and propensity lists;
  2 M customers added 240 MB); without memory a population costs next to nothing;
- per flight departure: ~800 B (the airport plans every departure of the horizon and
  the pre-order window at the start: Hongqiao at 5,000 instead of 160 departures a day
  for 30 days, almost no pre-orders, added 134 MB for 160 k more flights).

Writing the results folder with charts adds ~60 MB to the simulation's peak for the
baseline (3 and 9 days) and nothing for the Xiasha journeys at 9 days, whose peak is
in the simulation; the fixed part below includes it. Events per second on that machine:
150-220 thousand (baseline: 950 k events, 161 k orders in 4.3 s).

This module reads only the scenario: it must not build a World or simulate.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from .scenario import AIRPORT_STAGES, Scenario, ScenarioError, Segment
from .settle import START_ROWS, settle_lag
from .units import DAY

#: Memory of a run that places no order: interpreter, libraries, the World (~140 MB),
#: and writing the results folder with its charts (~60 MB more for the baseline).
FIXED_BYTES = 200e6
#: Memory per order: a base and a part per distinct route stage of the scenario.
ORDER_BYTES = 2000.0
ORDER_STAGE_BYTES = 80.0
#: Memory per order beyond the first :data:`o2osim.settle.START_ROWS` of a run whose
#: settled orders leave memory during the run (:mod:`o2osim.spill`; a finite settle lag):
#: the book's emptied cells, the counted orders' columns the KPIs read, the money table.
#: Fitted to the baseline at 91 and 365 days (docs/performance.md).
SPILLED_ORDER_BYTES = 610.0
#: Memory per row of the resource snapshots (one row per resource per snapshot).
SNAPSHOT_BYTES = 110.0
#: Memory per SKU of the catalogues.
SKU_BYTES = 1200.0
#: Memory per customer of a segment that remembers its orders.
CUSTOMER_BYTES = 120.0
#: Memory per flight departure planned (horizon plus the pre-order window).
FLIGHT_BYTES = 800.0

#: Above these a run needs the user's confirmation (``--yes``):
#: - a quarter of the memory: a sweep runs one such run per core, the desktop needs
#:   the rest, and the estimate is +-15%;
#: - 10 million orders: ~5 minutes of simulation and ~40 GB on the measuring machine,
#:   more than any study needs per replication (a year of the baseline is 2.2 M);
#: - 200 million events: ~15-20 minutes of one core at 150-220 thousand events a second.
SOFT_MEMORY_SHARE = 0.25
SOFT_ORDERS = 10e6
SOFT_EVENTS = 200e6


@dataclass(frozen=True)
class SizeEstimate:
    """Expected size of one run (expectations, not bounds)."""

    orders: float  #: orders placed over the horizon, warm-up included
    events: float  #: simulation steps: timer events, plus one per SKU a review checks
    memory_bytes: float  #: peak resident memory of the process, bytes

    def describe(self) -> str:
        """One line, e.g. ``~2.2 M orders, ~13 M events, ~7.7 GB peak memory``."""
        return (
            f"~{_count(self.orders)} orders, ~{_count(self.events)} events, "
            f"~{_bytes(self.memory_bytes)} peak memory"
        )


def _two_digits(value: float) -> str:
    """Two significant digits, never in exponent form (``2.2``, ``13``, ``850``)."""
    return f"{value:.0f}" if value >= 10 else f"{value:.2g}"


def _count(value: float) -> str:
    for size, unit in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{_two_digits(value / size)} {unit}"
    return f"{value:.0f}"


def _bytes(value: float) -> str:
    for size, unit in ((1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")):
        if value >= size:
            return f"{_two_digits(value / size)} {unit}"
    return f"{value:.0f} B"


# ---------------------------------------------------------------- the estimate


def estimate_size(scenario: Scenario) -> SizeEstimate:
    """Expected orders, events and peak memory of one run of ``scenario``."""
    horizon = scenario.scenario.horizon
    days = horizon / DAY
    orders = 0.0
    order_events = 0.0
    for segment in scenario.customers.segments:
        placed = _segment_orders(scenario, segment) * (1 + _showroomed(scenario, segment))
        orders += placed
        order_events += placed * _events_per_order(scenario, segment)
    stages = {stage for channel in scenario.channels.values() for stage in channel.route}
    snapshots = horizon / scenario.recorder.resource_interval + 1
    rows = snapshots * len(scenario.resources())
    events = order_events + snapshots + _periodic_events(scenario, days)
    skus = scenario.catalogue.skus + (scenario.airport.catalogue.skus if scenario.airport else 0)
    remembered = sum(s.population or 0 for s in scenario.customers.segments if s.memory)
    kept = orders if math.isinf(settle_lag(scenario)) else min(orders, START_ROWS)
    memory = (
        FIXED_BYTES
        + kept * (ORDER_BYTES + ORDER_STAGE_BYTES * len(stages))
        + (orders - kept) * SPILLED_ORDER_BYTES
        + rows * SNAPSHOT_BYTES
        + skus * SKU_BYTES
        + remembered * CUSTOMER_BYTES
        + _departures(scenario) * FLIGHT_BYTES
    )
    return SizeEstimate(orders=orders, events=events, memory_bytes=memory)


def _segment_orders(scenario: Scenario, segment: Segment) -> float:
    """Expected orders of a segment over the horizon: the integral of its arrival rate."""
    from .customers import arrival_rates  # the model's own rates, so the two never drift

    meta = scenario.scenario
    if segment.source == "flights":
        return _preorders_per_day(scenario) * meta.horizon / DAY
    rates = arrival_rates(segment, meta.start, meta.horizon, scenario.customers.calendar)
    period, hours = len(rates), int(meta.horizon // 60)
    whole, rest = divmod(hours, period)
    per_minute_hours = whole * math.fsum(rates) + math.fsum(rates[:rest])
    partial = (meta.horizon - hours * 60) * rates[hours % period]
    return per_minute_hours * 60 + partial


def _showroomed(scenario: Scenario, segment: Segment) -> float:
    """Online orders of showroomers per arrival: a store visitor who does not buy orders
    the basket online with probability ``showrooming`` (a second row in the book)."""
    journeys = segment.journeys
    if journeys is None or journeys.showrooming == 0 or not scenario.stores:
        return 0.0
    shares = segment.channel_shares or [1.0] * len(segment.channels)
    at_store = math.fsum(
        share
        for name, share in zip(segment.channels, shares, strict=True)
        if scenario.channels[name].route[0] == "store_visit"
    ) / math.fsum(shares)
    buys = scenario.segment_store(segment).purchase_probability
    webroomers = (1 - at_store) * journeys.webrooming
    no_purchase = at_store * (1 - buys) + webroomers * (1 - journeys.webroom_purchase_probability)
    return no_purchase * journeys.showrooming


def _preorders_per_day(scenario: Scenario) -> float:
    from .facilities.airport import preorders_per_day

    airport = scenario.airport
    if airport is None:  # the schema refuses a flights segment without one: nobody flies
        return 0.0
    return preorders_per_day(airport, scenario.scenario.start.weekday())


def _events_per_order(scenario: Scenario, segment: Segment) -> float:
    """The arrival, one event per route stage, and a traveller's cut-off and arrival at
    the counter; weighted by the segment's channel shares (equal if it chooses)."""
    shares = segment.channel_shares or [1.0] * len(segment.channels)
    total = math.fsum(shares)
    mean = 0.0
    for name, share in zip(segment.channels, shares, strict=True):
        route = scenario.channels[name].route
        extra = 2 if set(route) & set(AIRPORT_STAGES) else 0
        mean += share / total * (1 + len(route) + extra)
    return mean


def _periodic_events(scenario: Scenario, days: float) -> float:
    """Events that recur whatever the orders: reviews, runs, waves, shifts, flights."""
    horizon = scenario.scenario.horizon
    events = 0.0
    used = {stage for channel in scenario.channels.values() for stage in channel.route}
    warehouse = scenario.warehouse
    if warehouse is not None and not warehouse.unlimited_stock:
        rep = warehouse.replenishment
        skus = scenario.catalogue.skus
        rest = skus - sum(round(c.share * skus) for c in rep.classes)
        for spec, count in [*((c, round(c.share * skus)) for c in rep.classes), (rep, rest)]:
            if spec.policy != "none" and spec.review > 0 and count > 0:
                events += horizon / spec.review * (1 + count)  # a review checks every SKU
        if "regional" in used:
            events += days * len(warehouse.regional.cutoffs)
    for fleet in scenario.all_fleets().values():
        events += days * 2 * len(fleet.shifts or [])
    airport = scenario.airport
    if airport is not None:
        haul = airport.linehaul
        runs = math.floor((min(haul.last, DAY - 1e-9) - haul.first) / haul.every) + 1
        events += days * (runs + (24 if airport.staffing else 0))
        events += _departures(scenario)
    return events


def _departures(scenario: Scenario) -> float:
    """Flight departures the airport plans: the horizon and the pre-order window after it."""
    airport = scenario.airport
    if airport is None or airport.flights is None:
        return 0.0
    flights = airport.flights
    per_day = flights.departures_per_day or len(flights.timetable)
    return per_day * (scenario.scenario.horizon + airport.preorder_window) / DAY


# ---------------------------------------------------------------- the decision


def physical_memory() -> float | None:
    """Bytes of memory this process may use: the machine's, or a smaller container limit."""
    try:
        total = float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return None
    for limit in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit).read_text(encoding="ascii").strip()
        except OSError:
            continue
        if text.isdigit() and 0 < int(text) < total:
            total = float(text)
    return total


def check_size(
    estimate: SizeEstimate,
    allow_large: bool,
    *,
    source: str = "",
    memory: float | None = None,
) -> None:
    """Refuse a run above the soft limits unless ``allow_large``; above the memory, always.

    ``source`` starts the message (the scenario file); ``memory`` replaces this
    machine's memory (tests, or a Dask worker's).
    """
    total = physical_memory() if memory is None else memory
    start = f"{source}: " if source else ""
    what = f"{start}this run is estimated at {estimate.describe()}"
    if total is not None and estimate.memory_bytes > total:
        raise ScenarioError(
            f"{what}, more than the {_bytes(total)} of memory here, so it "
            "cannot finish; shorten the horizon or lower the arrivals"
        )
    if allow_large:
        return
    reasons = []
    if total is not None and estimate.memory_bytes > SOFT_MEMORY_SHARE * total:
        reasons.append(f"over a quarter of the {_bytes(total)} of memory")
    if estimate.orders > SOFT_ORDERS:
        reasons.append(f"over {_count(SOFT_ORDERS)} orders")
    if estimate.events > SOFT_EVENTS:
        reasons.append(f"over {_count(SOFT_EVENTS)} events")
    if reasons:
        raise ScenarioError(f"{what}: {' and '.join(reasons)}; pass --yes to run it anyway")
