"""Export KPIs: the ``trade`` family (landed cost, border charges, profit, stock abroad).

Only an export run (a scenario with ``[trade]``) has ``trade`` rows: one name ``all``
and one per channel. Each KPI is given for every counted order and, split at the
*shock* (the first instant inside the counted span at which a rule starts or ends;
the horizon when none does), for the orders placed ``_before`` and ``_after`` it.
Money is per completed order (as the money KPIs: every counted order's costs, a
returned one's too, over the completed orders): ``landed_cost`` is the seller's landed cost plus the
duty and fees the customer pays at the door (everything the goods pay on the way),
``border_charges`` the duty and handling whoever pays them, ``customer_price`` what
the customer pays (price, VAT, fees at the door), ``profit`` the seller's; ``_mkt``
is the market's currency. Lead times are of delivered orders, minutes. ``all``
also carries the stock abroad (time-averaged units on hand and in the pipeline over
the counted span, and their purchase cost) and, when a freight mode is priced per
container, the first leg: containers shipped, their mean fill (share of capacity) and
its cost per unit shipped (o2osim.trade.firstleg). This module only reads tables.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..economics import LANDED
from ..scenario import Scenario
from ..tables import COMPLETED
from ..trade.firstleg import consignments
from ..units import DAY
from .registry import KpiInput, Row, Rows, register
from .stock import time_average

PERIODS = ("", "_before", "_after")
_MONEY_KPIS = (
    "landed_cost_per_order",
    "landed_cost_per_order_mkt",
    "border_charges_per_order",
    "customer_price_per_order",
    "profit_per_order",
    "profit_per_order_mkt",
)
_ORDER_KPIS = ("orders", "share", "lead_time_p50", "lead_time_p90", *_MONEY_KPIS)
_STOCK_KPIS = ("stock_abroad_units", "stock_abroad_cny", "pipeline_units", "shock_day")
_FIRST_LEG_KPIS = ("containers_shipped", "container_fill", "first_leg_cny_per_unit")
#: Every KPI the ``trade`` group can hold (for the KPI catalogue).
TRADE_KPIS: tuple[str, ...] = (
    *(f"{k}{p}" for p in PERIODS for k in _ORDER_KPIS),
    *_STOCK_KPIS,
    *_FIRST_LEG_KPIS,
)


def shock_minute(scenario: Scenario) -> float:
    """Minutes since the start of the first rule change inside the counted span."""
    meta, trade = scenario.scenario, scenario.trade
    midnight = dt.datetime.combine(meta.start, dt.time())
    changes = [
        (when - midnight).total_seconds() / 60.0
        for rule in (trade.rules if trade is not None else [])
        for when in (rule.start, rule.until)
        if when is not None
    ]
    inside = sorted(m for m in changes if meta.warmup < m < meta.horizon)
    return inside[0] if inside else meta.horizon


@register("trade")
def trade_kpis(source: KpiInput) -> Rows:
    """The export run's landed cost, border charges, profit and stock abroad."""
    sc, money = source.scenario, source.money
    if sc.trade is None or money is None:
        return []
    shock = shock_minute(sc)
    table = money.orders.set_index("order_id")
    orders = source.counted.set_index("order_id")
    joined = orders[["channel", "placed", "lead_time_min", "outcome"]].join(
        table.drop(columns=["channel", "outcome"])
    )
    # The seller's landed lines (its duty and fees included) plus what the customer pays
    # at the door beyond the VAT (the duty and handling of a DAP parcel).
    at_door = joined["tax_cny"] - joined["vat_cny"]
    joined["landed_all_cny"] = joined[[f"{c}_cny" for c in LANDED]].sum(axis=1) + at_door
    groups = [("all", joined), *((str(c), g) for c, g in joined.groupby("channel", observed=True))]
    total = len(joined)
    rows: Rows = []
    for name, group in groups:
        items: list[Row] = []
        for period, part in _periods(group, shock):
            items += _period_rows(part, period, total_of(joined, period, shock) or total)
        if name == "all":
            items += _stock_rows(source, shock) + _first_leg_rows(source)
        rows.append((name, items))
    return rows


def total_of(joined: pd.DataFrame, period: str, shock: float) -> int:
    """Orders of every channel in ``period`` (the denominator of a channel's share)."""
    return len(dict(_periods(joined, shock))[period])


def _periods(frame: pd.DataFrame, shock: float) -> list[tuple[str, pd.DataFrame]]:
    placed = frame["placed"]
    return [("", frame), ("_before", frame[placed < shock]), ("_after", frame[placed >= shock])]


def _period_rows(part: pd.DataFrame, period: str, total: int) -> list[Row]:
    done = part[part["outcome"].astype(str).isin(COMPLETED)]
    delivered = done["lead_time_min"].dropna().to_numpy()
    rows: list[Row] = [
        (f"orders{period}", len(part), "orders"),
        (f"share{period}", len(part) / total if total else float("nan"), "share"),
    ]
    if len(delivered):
        rows.append((f"lead_time_p50{period}", float(np.quantile(delivered, 0.5)), "min"))
        rows.append((f"lead_time_p90{period}", float(np.quantile(delivered, 0.9)), "min"))
    if not len(done):
        return rows
    # As the money KPIs: the costs of every order (a returned one's too) per completed order.
    n = len(done)
    border = part["border_duty_cny"] + part["border_handling_cny"]
    values = {
        "landed_cost_per_order": (part["landed_all_cny"].sum() / n, "CNY/order"),
        "landed_cost_per_order_mkt": (
            (part["landed_all_cny"] / part["fx_cny_per_unit"]).sum() / n,
            "mkt/order",
        ),
        "border_charges_per_order": (border.sum() / n, "CNY/order"),
        "customer_price_per_order": (
            (part["revenue_cny"] + part["tax_cny"]).sum() / n,
            "CNY/order",
        ),
        "profit_per_order": (part["profit_cny"].sum() / n, "CNY/order"),
        "profit_per_order_mkt": (part["profit_mkt"].sum() / n, "mkt/order"),
    }
    return [*rows, *((f"{k}{period}", float(v), unit) for k, (v, unit) in values.items())]


def _stock_rows(source: KpiInput, shock: float) -> list[Row]:
    """Stock abroad over the counted span (none without a stock pool)."""
    meta = source.scenario.scenario
    rows: list[Row] = [("shock_day", shock / DAY, "days")]
    inventory = source.run.inventory
    if not len(inventory):
        return rows
    times = inventory["time"].to_numpy()
    on_hand = np.cumsum(inventory["on_hand_change"].to_numpy())
    pipeline = np.cumsum(inventory["on_order_change"].to_numpy())
    units = time_average(times, on_hand, meta.warmup, meta.horizon)
    counted = source.counted
    sold = counted[counted["outcome"].astype(str).isin(COMPLETED)]
    lines = sold["skus"].map(len).sum()
    unit_cost = (
        sold["value_cny"].sum() / lines * source.scenario.economics.purchase_cost_share
        if lines
        else 0.0
    )
    return [
        *rows,
        ("stock_abroad_units", units, "units"),
        ("stock_abroad_cny", units * unit_cost, "CNY"),
        ("pipeline_units", time_average(times, pipeline, meta.warmup, meta.horizon), "units"),
    ]


def _first_leg_rows(source: KpiInput) -> list[Row]:
    """Consignments of the counted span by a container-priced mode (none without one)."""
    shipped = consignments(source.scenario, source.run.inventory)
    if shipped.empty:
        return []
    units = int(shipped["units"].sum())
    space = float(shipped["capacity_m3"].sum())
    full = shipped["volume_m3"][shipped["containers"] > 0].sum()
    return [
        ("containers_shipped", int(shipped["containers"].sum()), "containers"),
        ("container_fill", float(full) / space if space else float("nan"), "share"),
        ("first_leg_cny_per_unit", float(shipped["cost_cny"].sum()) / units, "CNY/unit"),
    ]
