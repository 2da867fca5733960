"""The KPI registry: one function per KPI family, called in a fixed order.

A family is a small policy in the Ciw sense: a plain function with the shared
signature ``family(source: KpiInput) -> list[(name, rows)]``, registered under
its KPI group with :func:`register`. It returns the rows of each ``name`` of
its group (a channel, a store, a resource, ...) as ``(kpi, value, unit)``
triples. :func:`compute_kpis` calls the families in :data:`ORDER`, so the rows
of ``kpis.csv`` keep one order run after run; :mod:`o2osim.kpi_catalogue` lists
the same groups in the same order (a test holds the two together).

A family reads only its :class:`KpiInput` (the run's tables, the scenario and
the money): it must not run the model, touch the World, or write anything.
Adding a family is one function, one name in :data:`ORDER` and its KPIs in the
catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..economics import Money
from ..recorder import OUTCOME_NAMES
from ..scenario import Scenario
from ..tables import RunTables
from ..units import DAY

#: One KPI of one name: (kpi, value, unit). Values are converted to float in the table.
Row = tuple[str, Any, str]
#: The rows of each name of a family's group, e.g. ``[("pick", [...]), ("pack", [...])]``.
Rows = list[tuple[str, list[Row]]]
COLUMNS = ["group", "name", "kpi", "value", "unit"]

#: The KPI groups in the order their rows appear in ``kpis.csv``.
ORDER = (
    "overall", "channel", "segment", "store", "stock", "choice", "resource", "site", "airport",
    "trade", "service", "marketing", "presale", "instant", "seller",
    "zone", "stock_site", "return_path",
)  # fmt: skip
#: Outcome counts every order group reports; other outcomes only when they occur.
OUTCOME_ROWS = ("delivered", "collected", "lost_sale", "rejected", "in_flight")


@dataclass(frozen=True)
class KpiInput:
    """What every family reads: the scenario, the run's tables, the money (if priced)
    and what all families share (the orders counted, the days they span)."""

    scenario: Scenario
    run: RunTables
    money: Money | None
    #: Orders placed after the warm-up.
    counted: pd.DataFrame
    #: Days from the warm-up to the horizon.
    days: float
    #: Outcome counts each order group reports, in a fixed order.
    outcomes: tuple[str, ...]
    #: What one family worked out that another reads again (e.g. the counted orders'
    #: KPIs, which a channel holding every counted order repeats), by name.
    shared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, scenario: Scenario, run: RunTables, money: Money | None = None) -> KpiInput:
        meta = scenario.scenario
        counted = run.order_columns(kpi_columns(scenario, run), counted=True)
        seen = set(counted["outcome"].unique())
        extra = tuple(o for o in OUTCOME_NAMES if o not in OUTCOME_ROWS and o in seen)
        return cls(
            scenario, run, money, counted, (meta.horizon - meta.warmup) / DAY, OUTCOME_ROWS + extra
        )


#: Columns no family reads from :attr:`KpiInput.counted` (the resource family and the
#: money read theirs from the run's file themselves): left out of a large run's counted
#: orders, a sixth of their memory. A family that needs one of them reads it with
#: ``source.run.order_columns([...], counted=True)``.
NOT_COUNTED = frozenset(
    {
        "x_km", "y_km", "flight", "declared", "clearance_queued", "clearance_start",
        "clearance_end", "inspected", "cleared", "packed", "leg_start", "arrived",
        "speed_kmh", "traffic", "rider",
    }
)  # fmt: skip


def kpi_columns(scenario: Scenario, run: RunTables) -> list[str] | None:
    """The orders' columns the families read: all of an in-memory table; of a table in
    a file, all but :data:`NOT_COUNTED` and (unless an export market counts units or
    sellers own SKUs) the SKU lists, the largest column."""
    if run.store is None:
        return None
    by_sku = scenario.trade is not None or scenario.sellers is not None
    unread = NOT_COUNTED | (set() if by_sku else {"skus"})
    return [c for c in run.store.names if c not in unread]


Family = Callable[[KpiInput], Rows]
FAMILIES: dict[str, Family] = {}


def register(group: str) -> Callable[[Family], Family]:
    """Register the decorated function as the family of KPI ``group`` (one per group)."""
    if group not in ORDER:
        raise ValueError(
            f"KPI group {group!r} is not in registry.ORDER; add it there and to the KPI catalogue"
        )

    def add(family: Family) -> Family:
        if group in FAMILIES:
            raise ValueError(
                f"KPI group {group!r} already has a family: {FAMILIES[group].__qualname__}"
            )
        FAMILIES[group] = family
        return family

    return add


def compute_kpis(scenario: Scenario, run: RunTables, money: Money | None = None) -> pd.DataFrame:
    """The KPI table of one run: group, name, kpi, value, unit, in :data:`ORDER`.

    Without ``money`` the money rows (and the ``site`` group) are left out.
    """
    return kpi_table(KpiInput.of(scenario, run, money))


def kpi_table(source: KpiInput) -> pd.DataFrame:
    """The KPI table of :func:`compute_kpis` from a source already read."""
    missing = [group for group in ORDER if group not in FAMILIES]
    if missing:  # a family module was not imported: fail loudly, not with a short table
        raise RuntimeError(f"no KPI family registered for {', '.join(missing)}")
    rows = [
        (group, name, kpi, float(value), unit)
        for group in ORDER
        for name, items in FAMILIES[group](source)
        for kpi, value, unit in items
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def kpi(table: pd.DataFrame, group: str, name: str, kpi_name: str) -> float:
    """Look one KPI up: ``kpi(t, "resource", "pick", "mean_wait")``."""
    hit = table[(table["group"] == group) & (table["name"] == name) & (table["kpi"] == kpi_name)]
    if hit.empty:
        raise KeyError(f"no KPI {group}/{name}/{kpi_name}")
    return float(hit["value"].iloc[0])
