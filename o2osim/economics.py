"""Money: revenue, the full landed cost and the margins per order, channel and run (CNY).

Everything is computed after the run from the tables, in integer cents, so that
``revenue - every cost = profit`` holds to the cent for each order and in total.

- **Direct** costs belong to one order: the purchase cost (COGS, completed orders);
  the general-trade duty of duty-paid goods; international freight (per kg of the
  units of a completed order at its SKUs' restocking mode, or per 9610 parcel shipped
  to the port, per parcel and per kg); port and customs fees per declaration (1210:
  one per order at the bonded warehouse; 9610: one per parcel at the port); packaging
  (per order packed, shipped as a parcel or sent with a rider); the rider's pay per
  delivery; postage of the domestic courier per parcel and per kg (a 9610 parcel from
  the port, a next-day regional wave); payment fees (a share of what a completed order
  paid: goods, tax, delivery fee); reverse logistics per returned order (handling, and
  the return parcel when the goods had been sent; with ``[cross_returns]`` the cost of
  the order's return path instead); the purchase cost of returned units
  written off; marketing (a share of the order's revenue).
- **Period** costs accrue with time: labour per staffed server-hour, the per-shipment
  freight of purchase orders, bonded storage per unit-day, counted events, rent and
  fixed staff of the sites whose asset the scenario has. They are spread over the
  completed orders in equal shares (largest remainder, so the cents add up); with no
  completed order they stay unallocated.

The **landed cost** of an order is every line but the purchase cost, the write-off and
marketing (:data:`LANDED`). Tax (the cross-border tax of 1210 and 9610, the VAT of
duty-paid goods) is paid by the customer on top of the price and collected for customs:
not revenue, reported beside the money (``tax_cny``). Only orders placed after the
warm-up count; period costs cover ``horizon - warmup``. The money is a function of the
run's tables and the scenario only, so a run folder can compute it again; the KPIs on it
are in :mod:`o2osim.kpis.money`. This module must not run the model.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import membership
from .order_logistics import (
    POSTED,
    freight_problem,
    label_in,
    label_strings,
    logistics_lines,
    purchase_order_freight,
    sku_modes,
)
from .period_costs import (
    charged_sites,
    courier_rate,
    fleet_cost,
    has_asset,
    labour_rate,
    optional_costs,
    period_costs,
    site_cost_per_day,
    spread,
    spread_part,
    stock_unit_days,
)
from .period_costs import to_cents as _cents
from .scenario import Scenario
from .sku_units import sku_weights
from .tables import COMPLETED, RunTables, rows_where
from .units import DAY

#: Public names, the cost lines' helpers of :mod:`o2osim.period_costs` and
#: :mod:`o2osim.order_logistics` included (other modules import them from here).
__all__ = [
    "COSTS", "DIRECT", "FULFILMENT", "LANDED", "MARKETING_LINES", "PERIOD", "POSTED", "Money",
    "charged_sites", "cost_lines", "courier_rate", "event_discounts", "fleet_cost",
    "freight_problem", "has_asset", "labour_rate", "optional_costs", "order_money",
    "period_costs", "purchase_order_freight", "site_cost_per_day", "sku_modes", "sku_weights",
    "spread", "spread_part", "stock_unit_days",
]  # fmt: skip

DIRECT = (
    "cogs", "duty", "freight", "fees", "packaging", "courier", "postage", "payment", "reverse",
    "write_off", "marketing",
)  # fmt: skip
PERIOD = ("labour", "shipments", "storage", "events", "rent", "site_staff")
COSTS = DIRECT + PERIOD
#: The landed cost: every line but the goods' purchase cost, their write-off and marketing.
LANDED = tuple(c for c in COSTS if c not in ("cogs", "write_off", "marketing"))
#: Cost lines between the gross margin and CM1 (after fulfilment); CM2 also takes off
#: marketing, and profit every other line (write-offs, rent, site staff).
FULFILMENT = tuple(c for c in LANDED if c not in ("rent", "site_staff"))
#: Period lines of ``[marketing]`` (acquisition spend, membership and co-branding), in
#: the money table only when the scenario has the table (docs/marketing.md).
MARKETING_LINES = ("acquisition", "programmes")


@dataclass
class Money:
    """Per-order money table (CNY) and the run's period costs (cents)."""

    orders: pd.DataFrame
    period_cents: dict[str, int]
    unallocated_cents: int
    days: float
    #: Sums over every order, worked out once for the KPIs that share them.
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def cost_lines(columns: Iterable[str]) -> tuple[str, ...]:
    """The cost lines of a money table with these ``columns``: :data:`COSTS`, then the
    optional lines it has."""
    have = set(columns)
    return COSTS + tuple(c for c in MARKETING_LINES if f"{c}_cny" in have)


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


def run_period_costs(scenario: Scenario, run: RunTables) -> dict[str, int]:
    """The run's period lines (cents): the fixed ones and those of configured features."""
    return period_costs(scenario, run.stats, run.inventory, run.counts) | optional_costs(scenario)


def order_money(
    scenario: Scenario,
    run: RunTables,
    counted: pd.DataFrame | None = None,
    place: tuple[int, int | None] = (0, None),
    period: dict[str, int] | None = None,
) -> Money:
    """Every counted order's revenue, cost lines and profit (CNY, exact to the cent).

    ``counted`` prices one block of the counted orders instead (:mod:`o2osim.money_blocks`);
    ``place`` = (completed orders before the block, completed orders in all) places its
    share of the period costs; ``period`` is the run's period lines in cents
    (:func:`run_period_costs`), when a caller pricing blocks has worked them out once.
    """
    econ, meta = scenario.economics, scenario.scenario
    if counted is None:
        counted = rows_where(run.orders, run.orders["after_warmup"])  # shares all-NaN columns
    channel, outcome = counted["channel"], counted["outcome"]
    completed = label_in(outcome, COMPLETED)
    value = _cents(counted["value_cny"].to_numpy() * (1.0 - event_discounts(scenario, counted)))
    value = membership.member_prices(scenario, counted, value)  # unchanged without [membership]
    fee = np.zeros(len(counted), dtype=np.int64)
    for name, rule in econ.delivery_fees.items():
        waived = (
            value >= _cents(rule.free_above_cny)
            if rule.free_above_cny is not None
            else np.zeros(len(value), dtype=bool)
        )
        charged = label_in(channel, (name,)) & completed & ~waived
        fee[charged] = int(_cents(rule.fee_cny))
    revenue = np.where(completed, value, 0) + fee
    tax = np.where(completed, _cents(counted["tax_cny"].to_numpy()), 0)
    duty_paid = [
        n for n, ch in scenario.channels.items() if getattr(ch, "goods", "") == "duty_paid"
    ]
    purchase = counted["value_cny"].to_numpy() * econ.purchase_cost_share
    logistics = logistics_lines(scenario, counted)
    trade, paid_tax = None, tax  # paid_tax: the tax that goes through the payment
    if scenario.trade is not None:  # an export market: its dated duties, fees and VAT
        from .trade.landed import trade_money

        trade = trade_money(scenario, counted, value, purchase, logistics["freight"], run.inventory)
        tax, paid_tax = trade.customer, trade.vat  # duty paid at the door is the carrier's
        logistics["fees"] = logistics["fees"] + trade.seller_fees
    returned = label_in(outcome, ("returned",))
    lines = {
        "cogs": np.where(completed, _cents(purchase), 0),
        "duty": np.where(
            completed & label_in(channel, duty_paid),
            _cents(purchase * econ.duty_share_of_purchase_cost),
            0,
        )
        if trade is None
        else trade.seller_duty,
        **{k: logistics[k] for k in ("freight", "fees", "packaging", "courier", "postage")},
        "payment": np.where(
            completed, _cents((revenue + paid_tax) / 100.0 * econ.payment_share), 0
        ),
        "reverse": np.where(returned, int(_cents(econ.returns_handling_cny)), 0)
        + logistics["return_shipping"]
        if scenario.cross_returns is None  # else each return path's own cost
        else _cents(np.nan_to_num(counted["reverse_cny"].to_numpy())),
        "write_off": _cents(
            np.nan_to_num(counted["written_off_cny"].to_numpy()) * econ.purchase_cost_share
        ),
        "marketing": _cents(revenue / 100.0 * econ.marketing_share_of_revenue),
    }
    extra = optional_costs(scenario)  # none unless a feature with period lines is configured
    period = run_period_costs(scenario, run) if period is None else period
    costs = COSTS + tuple(extra)
    receivers = np.flatnonzero(completed)
    before, total = place[0], len(receivers) if place[1] is None else place[1]
    for name in (*PERIOD, *extra):
        share = np.zeros(len(counted), dtype=np.int64)
        share[receivers] = spread_part(period[name], len(receivers), before, total)
        lines[name] = share
    unallocated = 0 if total else sum(period.values())
    club_fees = np.zeros(len(counted), dtype=np.int64)  # [membership]: fees accrued, as revenue
    club_days = (meta.horizon - meta.warmup) / DAY
    club_fees[receivers] = spread_part(
        membership.fee_cents(scenario, club_days), len(receivers), before, total
    )
    revenue = revenue + club_fees
    profit = revenue - sum(lines[name] for name in costs)
    table = pd.DataFrame(
        {
            "order_id": counted["order_id"].to_numpy(),
            "channel": label_strings(counted["channel"]),
            "outcome": label_strings(counted["outcome"]),
            "weight_kg": logistics["weight"],
            "revenue_cny": revenue / 100.0,
            "delivery_fee_cny": fee / 100.0,
            "tax_cny": tax / 100.0,
            **{f"{name}_cny": lines[name] / 100.0 for name in costs},
            "profit_cny": profit / 100.0,
        },
        copy=False,  # fresh arrays: no copy into one 2-D block
    )
    if trade is not None:
        from .trade.landed import market_columns

        table = market_columns(table, trade, [f"{name}_cny" for name in LANDED])
    if scenario.membership is not None:  # the fees' share of each order's revenue
        table.insert(
            table.columns.get_loc("revenue_cny") + 1, "membership_fee_cny", club_fees / 100.0
        )
    if scenario.sellers is not None:  # SMEs' orders: split between platform and seller
        from .sellers.money import seller_split

        table = seller_split(scenario, counted, table, run.inventory)
    days = (meta.horizon - meta.warmup) / DAY
    return Money(table, period, unallocated, days)
