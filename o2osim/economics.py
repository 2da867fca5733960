"""Money: revenue, cost lines and margins per order, channel and run (CNY).

Everything is computed after the run from the tables, in integer cents, so
that ``revenue - every cost = profit`` holds to the cent for each order and in
total. Costs fall in two kinds:

- **direct** costs belong to one order: purchase cost (COGS), packaging, the
  courier's fee, the customs declaration, returns handling, the purchase cost of
  returned units written off (their category is not resellable), marketing (a
  share of the order's revenue);
- **period** costs accrue with time: labour per staffed server-hour, rent and
  fixed site staff, bonded storage per unit-day, counted events (purchase
  orders, inspections). They are spread over the completed orders in equal
  shares (largest remainder, so the cents add up); with no completed order they
  stay unallocated.

Only orders placed after the warm-up count, and period costs cover
``horizon - warmup``. Tax is collected for customs and is not revenue.

The money is a function of the run's tables (:class:`o2osim.tables.RunTables`) and
the scenario only, so a run folder can compute it again. This module prices
orders and periods; the money KPIs built on it are in :mod:`o2osim.kpis.money`.
It must not run the model, nor read anything but the tables and the scenario.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .scenario import Scenario, fleet_resource
from .tables import COMPLETED, RunTables
from .units import DAY, HOUR

DIRECT = ("cogs", "packaging", "courier", "customs", "returns", "write_off", "marketing")
PERIOD = ("labour", "storage", "events", "rent", "site_staff")
COSTS = DIRECT + PERIOD
#: Cost lines between the gross margin and CM1 (after fulfilment); CM2 also takes off
#: marketing, and profit every other line (write-offs, rent, site staff).
FULFILMENT = ("packaging", "courier", "customs", "returns", "labour", "storage", "events")


def _cents(values: np.ndarray | float) -> np.ndarray:
    return np.rint(np.asarray(values, dtype=float) * 100.0).astype(np.int64)


def spread(total_cents: int, count: int) -> np.ndarray:
    """Split ``total_cents`` into ``count`` integer shares that differ by at most one cent."""
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    base, remainder = divmod(int(total_cents), count)
    shares = np.full(count, base, dtype=np.int64)
    shares[:remainder] += 1
    return shares


@dataclass
class Money:
    """Per-order money table (CNY) and the run's period costs (cents)."""

    orders: pd.DataFrame
    period_cents: dict[str, int]
    unallocated_cents: int
    days: float


def period_costs(
    scenario: Scenario,
    resource_stats: dict[str, dict[str, float]],
    inventory: pd.DataFrame,
    counters: dict[str, int],
) -> dict[str, int]:
    """Period cost lines of the counted span, in cents."""
    econ, meta = scenario.economics, scenario.scenario
    span_h = (meta.horizon - meta.warmup) / HOUR
    days = span_h / 24.0
    labour = sum(
        stats["mean_servers"] * stats["span_min"] / HOUR * econ.labour_cny_per_hour.get(name, 0.0)
        for name, stats in resource_stats.items()
    )
    rent = sum(site.area_m2 * site.rent_cny_per_m2_day * days for site in econ.sites)
    staff = sum(
        site.staff * site.staff_cny_per_hour * site.opening_hours_per_day * days
        for site in econ.sites
    )
    events = sum(econ.per_event_cny.get(name, 0.0) * count for name, count in counters.items())
    unit_days = stock_unit_days(inventory, meta.warmup, meta.horizon)
    return {
        "labour": int(_cents(labour)),
        "storage": int(_cents(unit_days * econ.storage_cny_per_unit_day)),
        "events": int(_cents(events)),
        "rent": int(_cents(rent)),
        "site_staff": int(_cents(staff)),
    }


def courier_rate(scenario: Scenario, resource: str) -> float:
    """CNY paid per delivery by the fleet with resource name ``resource``."""
    econ = scenario.economics
    return econ.fleet_cny_per_order.get(resource, econ.courier_cny_per_order)


def fleet_cost(
    scenario: Scenario, resource: str, stats: dict[str, float], deliveries: int
) -> float:
    """CNY a courier fleet cost over the counted span: its couriers' paid hours (the
    same labour line as :func:`period_costs`) plus its pay for ``deliveries``."""
    hours = stats["mean_servers"] * stats["span_min"] / HOUR
    return (
        scenario.economics.labour_cny_per_hour.get(resource, 0.0) * hours
        + courier_rate(scenario, resource) * deliveries
    )


def stock_unit_days(inventory: pd.DataFrame, start: float, end: float) -> float:
    """Integral of total units on hand over [start, end], in unit-days."""
    if inventory.empty:
        return 0.0
    times = inventory["time"].to_numpy()
    level = np.cumsum(inventory["on_hand_change"].to_numpy())  # ledger is in time order
    # Step function: after event i the level is level[i] until times[i + 1].
    edges = np.clip(np.append(times, end), start, end)
    return float(np.sum(level * np.diff(edges)) / DAY)


def event_discounts(scenario: Scenario, orders: pd.DataFrame) -> np.ndarray:
    """Price discount (share) of each order from the calendar events on its date.

    Discounts of events on the same date compound; the purchase cost is not discounted.
    """
    keep = np.ones(len(orders))
    events = [e for e in scenario.customers.calendar if e.discount > 0]
    if not events:
        return np.zeros(len(orders))
    day = np.floor(orders["placed"].to_numpy() / DAY).astype(np.int64)
    segment = orders["segment"].astype(str).to_numpy()
    for event in events:
        first = (event.start - scenario.scenario.start).days
        on = (day >= first) & (day < first + event.days)
        if event.segments:
            on &= np.isin(segment, event.segments)
        keep[on] *= 1.0 - event.discount
    return 1.0 - keep


def order_money(scenario: Scenario, run: RunTables) -> Money:
    """Every counted order's revenue, cost lines and profit (CNY, exact to the cent)."""
    econ, meta = scenario.economics, scenario.scenario
    counted = run.orders[run.orders["after_warmup"]]
    channel = counted["channel"].astype(str).to_numpy()
    outcome = counted["outcome"].astype(str).to_numpy()
    completed = np.isin(outcome, COMPLETED)
    routes = {name: set(ch.route) for name, ch in scenario.channels.items()}
    uses = {
        stage: np.array([stage in routes[c] for c in channel], dtype=bool)
        for stage in ("pack", "deliver")
    }

    rates = {
        name: int(_cents(courier_rate(scenario, fleet_resource(ch.fleet))))
        for name, ch in scenario.channels.items()
    }
    courier = counted["channel"].astype(str).map(rates).to_numpy(dtype=np.int64)
    value = _cents(counted["value_cny"].to_numpy() * (1.0 - event_discounts(scenario, counted)))
    fee = np.zeros(len(counted), dtype=np.int64)
    for name, rule in econ.delivery_fees.items():
        waived = (
            value >= _cents(rule.free_above_cny)
            if rule.free_above_cny is not None
            else np.zeros(len(value), dtype=bool)
        )
        charged = (channel == name) & completed & ~waived
        fee[charged] = int(_cents(rule.fee_cny))
    revenue = np.where(completed, value, 0) + fee
    lines = {
        "cogs": np.where(
            completed, _cents(counted["value_cny"].to_numpy() * econ.purchase_cost_share), 0
        ),
        "packaging": np.where(
            completed & uses["pack"], int(_cents(econ.packaging_cny_per_order)), 0
        ),
        "courier": np.where((outcome == "delivered") & uses["deliver"], courier, 0),
        "customs": np.where(
            counted["declared"].notna().to_numpy(), int(_cents(econ.customs_cny_per_declaration)), 0
        ),
        "returns": np.where(outcome == "returned", int(_cents(econ.returns_handling_cny)), 0),
        "write_off": _cents(
            np.nan_to_num(counted["written_off_cny"].to_numpy()) * econ.purchase_cost_share
        ),
        "marketing": _cents(revenue / 100.0 * econ.marketing_share_of_revenue),
    }
    period = period_costs(scenario, run.stats, run.inventory, run.counts)
    receivers = np.flatnonzero(completed)
    for name in PERIOD:
        share = np.zeros(len(counted), dtype=np.int64)
        share[receivers] = spread(period[name], len(receivers))
        lines[name] = share
    unallocated = 0 if len(receivers) else sum(period.values())
    profit = revenue - sum(lines[name] for name in COSTS)
    table = pd.DataFrame(
        {
            "order_id": counted["order_id"].to_numpy(),
            "channel": counted["channel"].to_numpy(),
            "outcome": counted["outcome"].to_numpy(),
            "revenue_cny": revenue / 100.0,
            "delivery_fee_cny": fee / 100.0,
            **{f"{name}_cny": lines[name] / 100.0 for name in COSTS},
            "profit_cny": profit / 100.0,
        }
    )
    days = (meta.horizon - meta.warmup) / DAY
    return Money(table, period, unallocated, days)
