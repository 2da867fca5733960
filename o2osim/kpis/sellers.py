"""Seller KPIs: the ``seller`` family, one name per seller of a ``[sellers]`` scenario.

Names: ``platform`` (its own stock), then each SME in file order. Every order is one
seller's (the basket is split per seller at checkout, :mod:`o2osim.sellers.flow`).
Per seller: orders placed and completed, the fill rate of its stock requests (a
self-shipping SME's own shelf is never short: 1 unless it lost sales), the mean and
90th percentile lead time of its completed orders (minutes), the SKUs it owns and,
for the stock in the bonded pool, the time-averaged units on hand over the counted
span and its purchase orders. With money (CNY, :mod:`o2osim.sellers.money`): its
sales (goods of completed orders, after discounts), the commission and storage fees it
paid the platform, its payout, its landed purchase cost, its own logistics, its profit
and margin (profit / sales). ``platform`` also carries the platform's revenue (its own
sales, commissions, storage and delivery fees) and profit. This module only reads
tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..scenario import Scenario
from ..scenario.sellers import PLATFORM
from ..sellers.money import order_sellers, storage_fees_cents
from ..tables import COMPLETED
from .orders import _stock_request_kpis
from .registry import KpiInput, Row, Rows, register
from .stock import time_average

_ORDER_KPIS = (
    "skus",
    "orders",
    "completed",
    "fill_rate",
    "lead_time_mean",
    "lead_time_p90",
    "on_hand_units",
    "purchase_orders",
)
_MONEY_KPIS = (
    "sales_cny",
    "commission_cny",
    "storage_fee_cny",
    "payout_cny",
    "purchase_cost_cny",
    "logistics_cny",
    "profit_cny",
    "margin_rate",
)
_PLATFORM_KPIS = ("platform_revenue_cny", "platform_profit_cny")
#: Every KPI the ``seller`` group can hold (for the KPI catalogue).
SELLER_KPIS: tuple[str, ...] = (*_ORDER_KPIS, *_MONEY_KPIS, *_PLATFORM_KPIS)


def seller_skus(scenario: Scenario) -> dict[str, list[int]]:
    """The SKU ids each seller owns, the platform first."""
    sellers = scenario.sellers
    if sellers is None:
        return {}
    owners = sellers.owners(scenario.catalogue.skus)
    return {name: [k for k, o in enumerate(owners) if o == name] for name in sellers.names()}


def _stock_rows(source: KpiInput, skus: list[int]) -> list[Row]:
    """Units on hand (time average over the counted span) and purchase orders of ``skus``."""
    meta, inventory = source.scenario.scenario, source.run.inventory
    if inventory.empty:
        return []
    own = inventory[inventory["sku"].isin(skus)]
    level = np.cumsum(own["on_hand_change"].to_numpy())
    mean = time_average(own["time"].to_numpy(), level, meta.warmup, meta.horizon)
    counted = own[(own["time"] >= meta.warmup) & (own["time"] < meta.horizon)]
    ordered = int((counted["kind"].astype(str) == "purchase_order").sum())
    return [("on_hand_units", mean, "units"), ("purchase_orders", ordered, "orders")]


def _order_rows(source: KpiInput, orders: pd.DataFrame, skus: list[int]) -> list[Row]:
    done = orders[orders["outcome"].astype(str).isin(COMPLETED)]
    lead = done["lead_time_min"].to_numpy()
    rows: list[Row] = [
        ("skus", len(skus), "SKUs"),
        ("orders", len(orders), "orders"),
        ("completed", len(done), "orders"),
        *_stock_request_kpis(orders, len(orders)),
    ]
    if len(lead):
        rows += [
            ("lead_time_mean", float(lead.mean()), "min"),
            ("lead_time_p90", float(np.percentile(lead, 90)), "min"),
        ]
    return rows + _stock_rows(source, skus)


def _total(frame: pd.DataFrame, column: str) -> float:
    """The sum of a money column, CNY, added in cents."""
    return float(np.rint(frame[column].to_numpy() * 100).sum()) / 100.0


def _sales(frame: pd.DataFrame) -> float:
    """Goods of the completed orders (what the customers paid less delivery fees), CNY."""
    done = frame[frame["outcome"].astype(str).isin(COMPLETED)]
    return _total(done, "customer_paid_cny") - _total(done, "delivery_fee_cny")


def _money_rows(own: pd.DataFrame, owed_storage_cents: int) -> list[Row]:
    """An SME's sales, what it paid the platform, its payout, costs and profit."""
    sales = _sales(own)
    # Storage owed but carried by no order (no completed order) still costs the SME.
    unallocated = owed_storage_cents / 100.0 - _total(own, "storage_fee_cny")
    profit = _total(own, "seller_profit_cny") - unallocated
    return [
        ("sales_cny", sales, "CNY"),
        ("commission_cny", _total(own, "commission_cny"), "CNY"),
        ("storage_fee_cny", owed_storage_cents / 100.0, "CNY"),
        ("payout_cny", _total(own, "seller_payout_cny") - unallocated, "CNY"),
        ("purchase_cost_cny", _total(own, "seller_cogs_cny"), "CNY"),
        ("logistics_cny", _total(own, "seller_logistics_cny"), "CNY"),
        ("profit_cny", profit, "CNY"),
        ("margin_rate", profit / sales if sales else np.nan, "share"),
    ]


def _platform_rows(money: pd.DataFrame, own: pd.DataFrame, storage_cents: int) -> list[Row]:
    """The platform's own sales and purchase cost, and its revenue and profit over every
    order (with storage fees no order carried)."""
    unallocated = storage_cents / 100.0 - _total(money, "storage_fee_cny")
    return [
        ("sales_cny", _sales(own), "CNY"),
        ("purchase_cost_cny", _total(own, "cogs_cny"), "CNY"),
        ("platform_revenue_cny", _total(money, "revenue_cny") + unallocated, "CNY"),
        ("platform_profit_cny", _total(money, "profit_cny") + unallocated, "CNY"),
    ]


@register("seller")
def seller_kpis(source: KpiInput) -> Rows:
    """Orders, fill rate, lead time, stock and money of each seller."""
    sc = source.scenario
    if sc.sellers is None:
        return []
    counted = source.counted
    seller = order_sellers(sc, counted["skus"])
    money = source.money.orders if source.money is not None else None
    storage = storage_fees_cents(sc, source.run.inventory) if money is not None else {}
    found: Rows = []
    for name, skus in seller_skus(sc).items():
        rows = _order_rows(source, counted[seller == name], skus)
        if money is not None:
            own = money[money["seller"].astype(str) == name]
            if name == PLATFORM:
                rows += _platform_rows(money, own, sum(storage.values()))
            else:
                rows += _money_rows(own, storage.get(name, 0))
        found.append((name, rows))
    return found
