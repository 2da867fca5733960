"""Virtual warehouse and return path KPIs: the ``stock_site`` and ``return_path`` families.

``stock_site`` (one name per site, only with ``[virtual_warehouse]``): the site's
counters between the warm-up and the horizon (requests the allocation sent it,
those met at once, ``fill_rate``, units shipped, oversells of the lagged figure and
how many were reallocated, stale figures, backorders, transfers in, units restocked
by returns) and, over the counted orders it served, ``orders_served`` and
``ship_cost_cny``.

``return_path`` (one name per path, only with ``[cross_returns]``): over the counted
orders returned through the path, ``returns``, ``units_returned``, the units put back
on a shelf (``units_restocked``) and written off (from the ledger), the money
refunded (what the orders had paid for the goods), the reverse logistics cost and the
purchase value written off. This module only reads tables.
"""

from __future__ import annotations

import numpy as np

from ..log_tables import STOCK_KIND_NAMES
from ..recorder import StockKind
from ..scenario.sites import RETURN_PATHS
from .registry import KpiInput, Row, Rows, register

#: Counters of each site and their units, in row order (``fill_rate`` follows ``filled``).
SITE_COUNTS = (
    ("requests", "orders"),
    ("filled", "orders"),
    ("units_shipped", "units"),
    ("oversells", "orders"),
    ("reallocated", "orders"),
    ("stale", "orders"),
    ("backordered", "orders"),
    ("transfers_in", "transfers"),
    ("units_transferred_in", "units"),
    ("units_restocked", "units"),
)
SITE_KPIS = (
    *(name for name, _ in SITE_COUNTS),
    "fill_rate",
    "orders_served",
    "ship_cost_cny",
)
RETURN_PATH_KPIS = (
    "returns",
    "units_returned",
    "units_restocked",
    "units_written_off",
    "refunded_cny",
    "reverse_cny",
    "written_off_cny",
)


@register("stock_site")
def site_kpis(source: KpiInput) -> Rows:
    """Each site of the virtual warehouse (none without one)."""
    vw = source.scenario.virtual_warehouse
    if vw is None:
        return []
    counts, counted = source.run.counts, source.counted
    served = counted["site"].to_numpy() if "site" in counted else np.zeros(0, dtype=int)
    reserved = counted["reserved"].notna().to_numpy()
    costs = [vw.warehouse_ship_cost_cny, *(s.ship_cost_cny for s in vw.sites.values())]
    out: Rows = []
    for index, name in enumerate(vw.site_names()):
        got = {k: counts.get(f"site.{name}.{k}", 0) for k, _ in SITE_COUNTS}
        rows: list[Row] = [(k, got[k], unit) for k, unit in SITE_COUNTS]
        requests = got["requests"]
        rows.append(("fill_rate", got["filled"] / requests if requests else np.nan, "share"))
        shipped = int(((served == index) & reserved).sum())
        rows += [
            ("orders_served", shipped, "orders"),
            ("ship_cost_cny", round(shipped * costs[index], 2), "CNY"),
        ]
        out.append((name, rows))
    return out


@register("return_path")
def return_path_kpis(source: KpiInput) -> Rows:
    """Each return path across channels (none without ``[cross_returns]``)."""
    if source.scenario.cross_returns is None:
        return []
    counted = source.counted
    returned = counted[counted["outcome"] == "returned"]
    ledger = source.run.inventory
    kind = ledger["kind"].astype(str).to_numpy() if len(ledger) else np.zeros(0, dtype=str)
    back = ledger["order_id"].to_numpy()[kind == STOCK_KIND_NAMES[StockKind.RETURN]]
    scrapped = ledger["order_id"].to_numpy()[kind == STOCK_KIND_NAMES[StockKind.WRITE_OFF]]
    out: Rows = []
    for name in RETURN_PATHS:
        mine = returned[(returned["return_path"] == name).to_numpy()]
        ids = mine["order_id"].to_numpy()
        rows: list[Row] = [
            ("returns", len(mine), "orders"),
            ("units_returned", int(mine["lines"].sum()), "units"),
            ("units_restocked", int(np.isin(back, ids).sum()), "units"),
            ("units_written_off", int(np.isin(scrapped, ids).sum()), "units"),
            ("refunded_cny", round(float(mine["value_cny"].sum()), 2), "CNY"),
            ("reverse_cny", round(float(np.nan_to_num(mine["reverse_cny"]).sum()), 2), "CNY"),
            (
                "written_off_cny",
                round(float(np.nan_to_num(mine["written_off_cny"]).sum()), 2),
                "CNY",
            ),
        ]
        out.append((name, rows))
    return out
