"""The tables of a World that has run: the one place a run's results are read from it.

:func:`run_tables` converts the World's order book and logs into
:class:`~o2osim.tables.RunTables` (re-exported by :mod:`o2osim.api`). This module
must not compute KPIs or money, nor change the World other than emptying the logs it
is asked to consume.
"""

from __future__ import annotations

from functools import partial

import pandas as pd

from .log_tables import (
    counters_table,
    flights_table,
    inventory_table,
    resource_stats_table,
    resources_table,
)
from .promises import due_times
from .tables import RunTables, orders_table
from .world import RunInfo, World


def run_tables(
    world: World,
    info: RunInfo | None = None,
    *,
    consume: bool = False,
    orders: bool = True,
    sku_lists: bool = True,
) -> RunTables:
    """The tables of a World that has run: the only place results are read from it.

    Without ``info`` (what :meth:`World.run` returned) the resource statistics and the
    counters are left empty. ``consume`` empties the World's logs as they are converted
    (a lower peak); the World is unusable afterwards. ``sku_lists`` as in
    :func:`~o2osim.tables.orders_table`.
    """
    scenario = world.scenario
    table = (
        pd.DataFrame()
        if not orders
        else orders_table(
            world.book,
            world.segment_names,
            world.channel_names,
            [list(scenario.channels[n].route) for n in world.channel_names],
            scenario.scenario.warmup,
            partial(due_times, world.plan.channels),
            scenario.scenario.horizon,
            consume=consume,
            sku_lists=sku_lists,
        )
    )
    airport = world.airport
    flights = (
        pd.DataFrame()
        if airport is None
        else flights_table(
            airport.flight_departure,
            airport.flight_name,
            airport.flight_seats,
            airport.flight_passengers,
            airport.flight_preorders,
        )
    )
    return RunTables(
        table,
        resources_table(world.resource_log),
        inventory_table(world.ledger),
        flights,
        resource_stats_table({} if info is None else info.resource_stats),
        counters_table({} if info is None else info.counters),
    )


def world_tables(world: World) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The orders, resources and inventory tables of a World that has run."""
    tables = run_tables(world)
    return tables.orders, tables.resources, tables.inventory
