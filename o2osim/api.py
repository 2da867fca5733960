"""The Python API for notebooks and scripts: ``simulate`` a scenario, save and load runs.

>>> import o2osim
>>> sc = o2osim.load_scenario("configs/wenzhou_baseline.toml")      # doctest: +SKIP
>>> result = o2osim.simulate(sc, seed=1, overrides=["warehouse.pickers=16"])  # doctest: +SKIP
>>> result.kpis.head()                                               # doctest: +SKIP
>>> again = load_run(result.save("results/base"))                    # doctest: +SKIP

A run folder is self-contained: besides the resolved ``scenario.toml`` it holds
every table the KPIs and the money are computed from (see :mod:`o2osim.run_folder`),
so :func:`load_run` gives back the same KPIs without running anything. The World
is read once, in :func:`run_tables`; KPIs and money are computed from the tables
only, in :func:`price_and_measure`. This module must not compute KPIs itself, nor
write outside the folder it is given.
"""

from __future__ import annotations

import gc
import json
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .collector import collector_paused, older_objects_frozen
from .economics import Money
from .kpis import KpiInput, compute_kpis, kpi
from .kpis.registry import kpi_table
from .kpis.stability import UnstableRunWarning, instability
from .memory import release_free_memory
from .money_blocks import run_money
from .results import atomic_folder
from .run_folder import (
    TABLE_FILES,
    RunFolderError,
    check_run_folder,
    read_run_folder,
    run_manifest,
    write_kpis_csv,
    write_parquet,
    write_run_tables,
)
from .scenario import RunParameters, Scenario
from .spill import Spill, spilled_tables
from .tables import (
    RunTables,
    counters_table,
    resource_stats_table,
    with_sku_lists,
)
from .world import RunInfo, World
from .world_tables import run_tables, world_tables

__all__ = [
    "TABLE_FILES",
    "Result",
    "RunFolderError",
    "check_run_folder",
    "load_run",
    "price_and_measure",
    "run_tables",
    "simulate",
    "world_tables",
]


@dataclass
class Result:
    """One run's tables. Times are minutes since the scenario start; money is CNY."""

    scenario: Scenario
    seed: int
    #: The orders table, or the run's tables whose store gives it on first use.
    orders_source: pd.DataFrame | RunTables
    resources: pd.DataFrame
    inventory: pd.DataFrame
    kpis: pd.DataFrame
    #: The money table, or the Parquet file a large run keeps it in (read on first use).
    money_source: pd.DataFrame | Path
    info: RunInfo
    wall_time_s: float
    manifest: dict[str, Any] = field(default_factory=dict)
    #: One row per flight (empty without an airport); ``orders.flight`` is its row number.
    flights: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Each resource's time averages and counts (see :func:`o2osim.tables.resource_stats_table`).
    resource_stats: pd.DataFrame = field(default_factory=lambda: resource_stats_table({}))
    #: Events counted after the warm-up (see :func:`o2osim.tables.counters_table`).
    counters: pd.DataFrame = field(default_factory=lambda: counters_table({}))

    @property
    def orders(self) -> pd.DataFrame:
        """One row per order (a large run's is read from its file on first use)."""
        source = self.orders_source
        return source.orders if isinstance(source, RunTables) else with_sku_lists(source)

    @property
    def money(self) -> pd.DataFrame:
        """Each counted order's revenue and cost lines (CNY), see :mod:`o2osim.economics`."""
        if isinstance(self.money_source, Path):
            self.money_source = pd.read_parquet(self.money_source)
        return self.money_source

    @property
    def tables(self) -> RunTables:
        """The tables the KPIs and the money are computed from."""
        source = self.orders_source
        if isinstance(source, RunTables):
            return source
        return RunTables(
            self.orders,
            self.resources,
            self.inventory,
            self.flights,
            self.resource_stats,
            self.counters,
        )

    def kpi(self, group: str, name: str, kpi: str) -> float:
        """One KPI value, e.g. ``result.kpi("resource", "pick", "mean_wait")``."""
        from .kpis import kpi as lookup

        return lookup(self.kpis, group, name, kpi)

    def save(
        self,
        folder: str | Path,
        force: bool = False,
        charts: bool = True,
        steps: Callable[[str], None] | None = None,
    ) -> Path:
        """Write the results folder atomically (tables, KPIs, charts); return its path.

        ``steps(what)`` names each step (writing tables, drawing charts) as it starts.
        """
        from .chartkit import SavedCharts
        from .plots import save_run_charts

        step = steps or _silent
        folder = Path(folder)
        with atomic_folder(folder, force=force) as temp:
            step("writing tables")
            tables = self.tables
            write_run_tables(temp, self.scenario, tables, self.money_source)
            release_free_memory()  # Arrow's write buffers, before the charts
            write_kpis_csv(self.kpis, temp / "kpis.csv")
            # Charts come last: a chart that fails is skipped (and named), the tables stay.
            if charts:
                step("drawing charts")
            saved = (
                save_run_charts(
                    temp,
                    self.scenario,
                    tables.order_columns(CHART_COLUMNS),
                    self.resources,
                    self.kpis,
                    self.inventory,
                )
                if charts
                else SavedCharts()
            )
            manifest = {**self.manifest, "charts": saved.drawn, "charts_skipped": saved.skipped}
            (temp / "manifest.json").write_text(
                json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
            )
        return folder


#: The orders' columns the run charts read (:func:`o2osim.plots.save_run_charts`).
CHART_COLUMNS = [
    "channel", "outcome", "after_warmup", "placed", "finished", "lead_time_min",
    "lateness_min", "failed_at",
]  # fmt: skip


def _silent(_what: str) -> None:
    """The default ``steps`` callback: report nothing."""


def price_and_measure(scenario: Scenario, tables: RunTables) -> tuple[Money, pd.DataFrame]:
    """The money and the KPI table of a run: a function of its tables and scenario only."""
    money = run_money(scenario, tables)
    return money, compute_kpis(scenario, tables, money)


#: Runs with at least this many orders collect the World's cycles before the KPIs.
_COLLECT_ABOVE_ORDERS = 100_000


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    overrides: list[str] | None = None,
    horizon: str | None = None,
    progress: Callable[[float], None] | None = None,
    warmup: str | None = None,
    steps: Callable[[str], None] | None = None,
) -> Result:
    """Run ``scenario`` once and return its tables.

    ``seed`` defaults to the scenario's ``scenario.seed``; ``overrides`` are dotted
    ``key=value`` strings as on the command line; ``horizon`` and ``warmup`` (e.g.
    ``"14d"``) replace the scenario's; ``progress(now_minutes)`` is called as the
    run advances; ``steps(what)`` names each step after the simulation (the tables,
    the KPIs) as it starts. The scenario is validated again at most once (never for a
    seed).
    """
    step = steps or _silent
    parameters = RunParameters(seed, horizon, warmup)
    scenario = parameters.apply(scenario, origin="simulate()", overrides=overrides or ())
    started = time.perf_counter()
    with older_objects_frozen():
        return _run_world(scenario, started, step, progress)


def _run_world(
    scenario: Scenario,
    started: float,
    step: Callable[[str], None],
    progress: Callable[[float], None] | None,
) -> Result:
    """:func:`simulate` once its scenario is resolved."""
    world = World(scenario)
    spill = Spill(world)
    # The spill looks between the kernel's steps (never as an event of the model).
    info = world.run(**spill.run_options(progress))
    # No automatic collection while the tables are built (millions of new objects).
    with collector_paused():
        step("building tables")
        store = spill.finish() if spill.spilled else None
        tables = run_tables(world, info, consume=True, orders=store is None, sku_lists=False)
        del spill
        seed, stream_names = world.seed, world.streams.names
        # The order book is in the tables now: freeing it (its facilities form reference
        # cycles, hence the collection) before the KPIs lowers a large run's peak memory.
        # The collection walks what the run made (the heap before it is frozen); small
        # runs (a notebook's or a test's hundreds in one process) skip it.
        del world
        if store is not None or tables.order_count >= _COLLECT_ABOVE_ORDERS:
            gc.collect()
        # Freed pages go back to the OS only where that lowers a large run's peak: a run
        # that stayed in memory would fault the same pages in again (system time).
        large = store is not None
        if large:
            release_free_memory()
        if store is not None:  # the orders stay in their file; the logs are read back whole
            tables = spilled_tables(store, tables)
        # The SKUs stay the book's tuples (as the money and KPIs read them): Result.orders
        # makes them lists on first use.
        step("computing money and KPIs")
        money = run_money(scenario, tables)
        if large:
            release_free_memory()
        source = KpiInput.of(scenario, tables, money)
        kpis = kpi_table(source)
        # The KPI table's overall/all/unstable verdict, with its reasons (if unstable).
        unstable = instability(source) if kpi(kpis, "overall", "all", "unstable") else []
        del source
        wall = time.perf_counter() - started
        count = tables.order_count
        money_table: pd.DataFrame | Path = money.orders
        if tables.store is not None:  # kept in a file beside the orders until asked for
            money_table = tables.store.path.with_name("money.parquet")
            write_parquet(money.orders, money_table)
        del money
        if large:
            release_free_memory()
        for reason in unstable:
            warnings.warn(
                f"{scenario.scenario.name} (seed {seed}) looks unstable: {reason}",
                UnstableRunWarning,
                stacklevel=3,  # the caller of simulate()
            )
        manifest = run_manifest(scenario, seed, info, count, wall, unstable, stream_names)
    return Result(
        scenario,
        seed,
        tables if tables.store is not None else tables.orders,
        tables.resources,
        tables.inventory,
        kpis,
        money_table,
        info,
        wall,
        manifest,
        tables.flights,
        tables.resource_stats,
        tables.counters,
    )


# ---------------------------------------------------------------- reading a run folder


def load_run(folder: str | Path) -> Result:
    """A saved run, read back from its folder alone; KPIs and money computed again.

    Raises :class:`RunFolderError` (one line per problem) for a damaged folder.
    """
    folder = Path(folder)
    stored, problems = read_run_folder(folder)
    if stored is None:
        raise RunFolderError("\n".join(problems))
    scenario, tables, manifest = stored.scenario, stored.tables, stored.manifest
    if "drain_min" not in manifest and scenario.scenario.drain:
        # Written before runs drained: it stopped at the horizon, its orders censored there.
        meta = scenario.scenario.model_copy(update={"drain": 0.0})
        scenario = scenario.model_copy(update={"scenario": meta})
    try:
        money, kpis = price_and_measure(scenario, tables)
    except KeyError as exc:  # a table of another shape put in place of the run's own
        raise RunFolderError(
            f"{folder}: the tables do not fit its scenario.toml (no column "
            f"{exc}); run the scenario again"
        ) from None
    meta = scenario.scenario
    info = RunInfo(
        int(manifest.get("seed", meta.seed)),
        meta.horizon,
        meta.warmup,
        int(manifest.get("events", 0)),
        tables.stats,
        tables.counts,
        float(manifest.get("stopped_min", meta.horizon)),
    )
    return Result(
        scenario,
        info.seed,
        tables if tables.store is not None else tables.orders,
        tables.resources,
        tables.inventory,
        kpis,
        money.orders,
        info,
        float(manifest.get("wall_time_s", 0.0)),
        manifest,
        tables.flights,
        tables.resource_stats,
        tables.counters,
    )
