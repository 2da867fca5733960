"""Order traces: one order's journey through its route's stages, and a Gantt chart of many.

An order's journey is read from its row of ``orders.parquet`` and its channel's route:
each stage starts where the previous one ended (the first where the order was placed)
and is split at the stage's service-start stamp (see ``Stage.start`` in
:mod:`o2osim.scenario.stages`) into waiting (queue, a wave's cut-off, a delivery slot,
stock) and service (being served, riding, travelling). The legs are contiguous, so
their durations add up to the order's lead time: that is what the tests check.

Times are minutes of the simulation clock. This module reads a run's tables and draws;
it must not run the model, compute KPIs or write anything but the chart it is asked for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .run_folder import read_run_folder
from .scenario import Scenario, ScenarioError
from .scenario.stages import STAGE_END, STAGE_ROWS
from .units import DAY, HOUR

#: Stages whose waiting ends at a stamp that is not their queue's (or that have no queue):
#: the regional wave's departure, the slot of a presale order (all of ``hold`` is waiting).
_START_STAMP: dict[str, str] = {"regional": "wave_departed", "hold": "dispatch_queued"}
#: Orders that reached the customer (the only ones whose journey is complete).
FINISHED = ("delivered", "collected", "returned")


@dataclass(frozen=True)
class Leg:
    """One stage of one order: arrived at ``begin``, served from ``start`` to ``end`` (min)."""

    stage: str
    begin: float
    start: float
    end: float

    @property
    def wait(self) -> float:
        """Minutes waiting: in the queue, for the wave or slot, for stock."""
        return self.start - self.begin

    @property
    def service(self) -> float:
        """Minutes being served or on the way."""
        return self.end - self.start


@dataclass(frozen=True)
class Journey:
    """An order's legs, in route order; ``unreached`` are the stages it never finished."""

    order_id: int
    channel: str
    outcome: str
    placed: float
    lead_time: float  # minutes, NaN if the order did not finish
    legs: tuple[Leg, ...]
    unreached: tuple[str, ...]


@dataclass(frozen=True)
class TracedRun:
    """What a trace needs from a run folder: its scenario and its order table."""

    scenario: Scenario
    orders: pd.DataFrame


def read_traced_run(folder: Path) -> TracedRun:
    """The run in ``folder``; a missing or damaged folder is a one-line ScenarioError."""
    stored, problems = read_run_folder(folder)
    if stored is None:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise ScenarioError(problems[0] + more)
    return TracedRun(stored.scenario, stored.tables.orders)


def routes(scenario: Scenario) -> dict[str, list[str]]:
    """Each channel's route (stage names in order)."""
    return {name: list(channel.route) for name, channel in scenario.channels.items()}


def _stamp(row: pd.Series, column: str | None) -> float:
    if column is None or column not in row.index:
        return math.nan
    return float(row[column])


def journey_of(row: pd.Series, route: list[str]) -> Journey:
    """The journey of the order in ``row`` (a row of the order table) along ``route``."""
    legs: list[Leg] = []
    begin = float(row["placed"])
    unreached: list[str] = []
    for position, stage in enumerate(route):
        info = STAGE_ROWS[stage]
        end = _stamp(row, info.end)
        if not math.isfinite(end):
            unreached = route[position:]
            break
        end = max(end, begin)  # a stage done while the last one ended (paid, then left)
        start = _stamp(row, _START_STAMP.get(stage, info.start))
        if stage == "reserve" and math.isfinite(_stamp(row, "backordered")):
            start = end  # waited for stock until it was reserved
        if not math.isfinite(start) or not begin <= start <= end:
            start = begin  # a stage without a queue: all of it is service
        legs.append(Leg(stage, begin, start, end))
        begin = end
    lead = float(row["lead_time_min"]) if str(row["outcome"]) in FINISHED else math.nan
    return Journey(
        int(row["order_id"]),
        str(row["channel"]),
        str(row["outcome"]),
        float(row["placed"]),
        lead,
        tuple(legs),
        tuple(unreached),
    )


def order_journey(run: TracedRun, order_id: int) -> Journey:
    """The journey of one order; an order id not in the run is a one-line ScenarioError."""
    found = run.orders.index[run.orders["order_id"] == order_id]
    if len(found) == 0:
        ids = run.orders["order_id"]
        span = f"{ids.min()} to {ids.max()}" if len(ids) else "none: the run has no orders"
        raise ScenarioError(f"--order {order_id}: no such order in this run; order ids: {span}")
    row = run.orders.loc[found[0]]
    return journey_of(row, routes(run.scenario)[str(row["channel"])])


def sample_journeys(run: TracedRun, count: int) -> list[Journey]:
    """``count`` orders after the warm-up that went through their whole route (a store
    visit without a purchase counts: it left the store), spread evenly over each
    channel's orders (no random draw, so the same run gives the same sample)."""
    if count < 1:
        raise ScenarioError(f"--sample {count}: give 1 or more orders")
    orders = run.orders[run.orders["after_warmup"]]
    by_route = routes(run.scenario)
    journeys: list[Journey] = []
    through = {
        c: orders[(orders["channel"] == c) & orders[STAGE_END[r[-1]]].notna()]
        for c, r in by_route.items()
    }
    channels = [c for c in by_route if len(through[c])]
    for i, channel in enumerate(channels):
        mine = through[channel].sort_values("placed")
        share = count // len(channels) + (1 if i < count % len(channels) else 0)
        picks = np.unique(np.linspace(0, len(mine) - 1, num=min(share, len(mine))).round())
        journeys += [journey_of(mine.iloc[int(p)], by_route[channel]) for p in picks]
    return journeys


def readable(minutes: float) -> str:
    """A duration in the notation of scenario files ("22s", "45min", "3.2h", "6.5d"), to 3
    significant digits: seconds below a minute, minutes below 2 h, hours below 3 days,
    days beyond (:func:`o2osim.units.parse_duration` reads it back)."""
    if not math.isfinite(minutes):
        return "-"
    for unit, size in (("d", DAY), ("h", HOUR)):
        if abs(minutes) >= (3 * DAY if unit == "d" else 2 * HOUR):
            return f"{minutes / size:.3g}{unit}"
    if 0 < abs(minutes) < 1:
        return f"{minutes * 60:.3g}s"
    return f"{minutes:.3g}min"


def clock(minutes: float) -> str:
    """A time of the simulation clock as "day 2 14:05:09" (day 1 starts at minute 0)."""
    if not math.isfinite(minutes):
        return "-"
    day, rest = divmod(round(minutes * 60), round(DAY * 60))
    hours, seconds = divmod(rest, 3600)
    return f"day {day + 1} {hours:02d}:{seconds // 60:02d}:{seconds % 60:02d}"


#: One colour per stage, the same in every trace chart: neighbours on a route differ, and
#: the two pickings (same stamps, never on one route) share one.
STAGE_COLOURS: dict[str, str] = {
    "store_visit": "#1f77b4",
    "reserve": "#aec7e8",
    "customs": "#ff7f0e",
    "pick": "#2ca02c",
    "pack": "#98df8a",
    "front_pick": "#2ca02c",
    "sort": "#bcbd22",
    "seller_ship": "#8c564b",
    "port_customs": "#ffbb78",
    "hold": "#c7c7c7",
    "collect": "#9467bd",
    "deliver": "#d62728",
    "regional": "#e377c2",
    "courier": "#17becf",
    "linehaul": "#7f7f7f",
    "stage": "#c5b0d5",
    "pickup": "#393b79",
}


def write_gantt(journeys: list[Journey], path: Path, title: str) -> None:
    """Draw the journeys as a Gantt chart (one row per order, time since it was placed;
    waiting hatched and pale, service solid, a colour per stage) and save it to ``path``."""
    from .trace_chart import gantt_figure

    figure = gantt_figure(journeys, title, STAGE_COLOURS)
    try:
        figure.savefig(path, dpi=110)
    finally:
        import matplotlib.pyplot as plt

        plt.close(figure)


__all__ = [
    "Journey",
    "Leg",
    "TracedRun",
    "journey_of",
    "order_journey",
    "read_traced_run",
    "routes",
    "sample_journeys",
    "write_gantt",
]
