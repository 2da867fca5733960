"""The Python API for notebooks and scripts: ``simulate`` a scenario, get tables.

>>> import o2osim
>>> sc = o2osim.load_scenario("configs/wenzhou_baseline.toml")      # doctest: +SKIP
>>> result = o2osim.simulate(sc, seed=1, overrides=["warehouse.pickers=16"])  # doctest: +SKIP
>>> result.kpis.head()                                               # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .economics import order_money
from .kpis import compute_kpis
from .results import atomic_folder
from .scenario import Scenario, dump_scenario, scenario_hash, with_overrides
from .tables import flights_table, inventory_table, orders_table, resources_table
from .world import RunInfo, World


@dataclass
class Result:
    """One run's tables. Times are minutes since the scenario start; money is CNY."""

    scenario: Scenario
    seed: int
    orders: pd.DataFrame
    resources: pd.DataFrame
    inventory: pd.DataFrame
    kpis: pd.DataFrame
    money: pd.DataFrame
    info: RunInfo
    wall_time_s: float
    manifest: dict[str, Any] = field(default_factory=dict)
    #: One row per flight (empty without an airport); ``orders.flight`` is its row number.
    flights: pd.DataFrame = field(default_factory=pd.DataFrame)

    def kpi(self, group: str, name: str, kpi: str) -> float:
        """One KPI value, e.g. ``result.kpi("resource", "pick", "mean_wait")``."""
        from .kpis import kpi as lookup

        return lookup(self.kpis, group, name, kpi)

    def save(self, folder: str | Path, force: bool = False, charts: bool = True) -> Path:
        """Write the results folder (design §4) atomically; return its path."""
        from .chartkit import SavedCharts
        from .plots import save_run_charts

        folder = Path(folder)
        with atomic_folder(folder, force=force) as temp:
            (temp / "scenario.toml").write_text(dump_scenario(self.scenario), encoding="utf-8")
            self.orders.to_parquet(temp / "orders.parquet", index=False)
            self.resources.to_parquet(temp / "resources.parquet", index=False)
            self.inventory.to_parquet(temp / "inventory.parquet", index=False)
            self.money.to_parquet(temp / "money.parquet", index=False)
            if len(self.flights):
                self.flights.to_parquet(temp / "flights.parquet", index=False)
            self.kpis.to_csv(temp / "kpis.csv", index=False, float_format="%.6g")
            # Charts come last: a chart that fails is skipped (and named), the tables stay.
            saved = (
                save_run_charts(temp, self.scenario, self.orders, self.resources, self.kpis,
                                self.inventory)
                if charts else SavedCharts()
            )
            manifest = {**self.manifest, "charts": saved.drawn,
                        "charts_skipped": saved.skipped}
            (temp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n",
                                                encoding="utf-8")
        return folder


def world_tables(world: World) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The orders, resources and inventory tables of a World that has run."""
    scenario = world.scenario
    orders = orders_table(
        world.book, world.segment_names, world.channel_names,
        [list(scenario.channels[n].route) for n in world.channel_names],
        scenario.scenario.warmup, world.due_times(),
    )
    return orders, resources_table(world.resource_log), inventory_table(world.ledger)


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    overrides: list[str] | None = None,
    horizon: str | None = None,
    progress: Callable[[float], None] | None = None,
) -> Result:
    """Run ``scenario`` once and return its tables.

    ``seed`` defaults to the scenario's ``scenario.seed``; ``overrides`` are dotted
    ``key=value`` strings as on the command line; ``horizon`` (e.g. ``"14d"``)
    replaces the scenario's horizon; ``progress(now_minutes)`` is called as the
    run advances.
    """
    extra = list(overrides or [])
    if horizon is not None:
        extra.append(f'scenario.horizon="{horizon}"')
    if seed is not None:
        extra.append(f"scenario.seed={seed}")
    if extra:
        scenario = with_overrides(scenario, extra)
    started = time.perf_counter()
    world = World(scenario)
    info = world.run(progress=progress)
    orders, resources, inventory = world_tables(world)
    airport = world.airport
    flights = pd.DataFrame() if airport is None else flights_table(
        airport.flight_departure, airport.flight_name, airport.flight_seats,
        airport.flight_passengers, airport.flight_preorders,
    )
    money = order_money(scenario, orders, info.resource_stats, inventory, info.counters)
    kpis = compute_kpis(scenario, orders, info.resource_stats, money, resources, flights,
                        inventory=inventory)
    wall = time.perf_counter() - started
    manifest = {
        "o2osim_version": __version__,
        "scenario": scenario.scenario.name,
        "layout": scenario.scenario.layout,
        "seed": world.seed,
        "scenario_sha256": scenario_hash(scenario),
        "horizon_min": scenario.scenario.horizon,
        "warmup_min": scenario.scenario.warmup,
        "orders": len(orders),
        "events": info.events,
        "wall_time_s": round(wall, 3),
        "orders_per_wall_s": round(len(orders) / wall, 1) if wall else None,
        "counters": info.counters,
        "random_streams": world.streams.names,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }
    return Result(scenario, world.seed, orders, resources, inventory, kpis, money.orders, info,
                  wall, manifest, flights)
