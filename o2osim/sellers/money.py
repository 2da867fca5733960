"""The money of ``[sellers]``: each order's payment split between the platform and its
seller, in integer cents, so both P&Ls add up to the cent.

:func:`o2osim.economics.order_money` prices every order as if the platform sold it;
:func:`seller_split` then hands an SME order's goods to its seller. Per order:

- the customer pays ``goods + delivery fee`` (tax on top is collected for customs);
- an SME's **payout** is ``goods - commission - storage fee share`` (plus the delivery
  fee when it ships the parcel itself); the **commission** is
  ``round(commission share x goods)``; the **storage fee** of a consignment SME
  (``storage_fee_cny_per_unit_day`` x its unit-days on hand in the pool over the counted
  span) is spread over its completed orders in cents (largest remainder, as period
  costs are);
- the platform's revenue (``revenue_cny``) becomes ``payment - payout``: its own sales,
  the commission, the storage fees, the delivery fees it earns. So
  ``revenue_cny + seller_payout_cny = goods + delivery fee`` on every order.

Costs follow the goods: an SME order's purchase cost, duty, stock freight and write-off
leave the platform's lines (the SME's landed purchase cost, ``purchase_cost_share`` of
the price, covers goods, inbound freight and duty); a self-shipped order's customs fee,
packaging, courier, postage and return shipping leave them too, and the SME pays its own
handling, packaging and postage. Payment fees, marketing (a share of the goods sold on
the platform) and the period costs stay the platform's. ``profit_cny`` is the
platform's profit, ``seller_profit_cny`` the SME's. This module must not run the model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..economics import COSTS, event_discounts, spread, stock_unit_days
from ..period_costs import to_cents as _cents
from ..scenario import Scenario
from ..scenario.sellers import PLATFORM
from ..tables import COMPLETED

#: Platform lines an SME order's goods take with them to the seller.
GOODS_LINES = ("cogs", "duty", "freight", "write_off")
#: Platform lines a self-shipped order does not incur (the SME ships it).
SHIPPING_LINES = ("fees", "packaging", "courier", "postage", "reverse")
#: Columns the split adds to the money table (CNY).
SELLER_COLUMNS = (
    "customer_paid_cny",
    "commission_cny",
    "storage_fee_cny",
    "seller_payout_cny",
    "seller_cogs_cny",
    "seller_logistics_cny",
    "seller_profit_cny",
)


def order_sellers(scenario: Scenario, skus: pd.Series) -> np.ndarray:
    """The seller of each order: the owner of its first line (an order is one seller's)."""
    sellers = scenario.sellers
    if sellers is None:
        return np.full(len(skus), PLATFORM, dtype=object)
    owners = np.asarray(sellers.owners(scenario.catalogue.skus), dtype=object)
    first = np.fromiter((s[0] for s in skus), dtype=np.int64, count=len(skus))
    return owners[first]


def storage_fees_cents(scenario: Scenario, inventory: pd.DataFrame) -> dict[str, int]:
    """Storage fee each consignment SME owes over the counted span, cents."""
    meta, sellers = scenario.scenario, scenario.sellers
    fees: dict[str, int] = {}
    if sellers is None:
        return fees
    for name, seller in sellers.smes.items():
        if seller.fulfilment != "consignment" or inventory.empty:
            continue
        own = inventory[inventory["sku"].isin(seller.skus)]
        unit_days = stock_unit_days(own, meta.warmup, meta.horizon)
        fees[name] = int(_cents(np.asarray(unit_days * seller.storage_fee_cny_per_unit_day)))
    return fees


def seller_split(
    scenario: Scenario, counted: pd.DataFrame, table: pd.DataFrame, inventory: pd.DataFrame
) -> pd.DataFrame:
    """``table`` (the money of ``counted``, priced as the platform's) split per seller."""
    sellers = scenario.sellers
    if sellers is None:
        return table
    n = len(table)
    seller = order_sellers(scenario, counted["skus"])
    completed = table["outcome"].astype(str).isin(COMPLETED).to_numpy()
    fee = _cents(table["delivery_fee_cny"])
    discounted = counted["value_cny"].to_numpy() * (1.0 - event_discounts(scenario, counted))
    goods = np.where(completed, _cents(discounted), 0)  # as order_money prices them
    revenue = _cents(table["revenue_cny"])
    lines = {c: _cents(table[f"{c}_cny"]) for c in COSTS}
    zero = np.zeros(n, dtype=np.int64)
    commission, storage, payout = zero.copy(), zero.copy(), zero.copy()
    own_cogs, logistics = zero.copy(), zero.copy()
    value = counted["value_cny"].to_numpy()
    written_off = np.nan_to_num(counted["written_off_cny"].to_numpy())
    # A self-shipped order that ended delivered or returned went out as a parcel.
    shipped = table["outcome"].astype(str).isin(("delivered", "returned")).to_numpy()
    fees = storage_fees_cents(scenario, inventory)
    for name, spec in sellers.smes.items():
        rows = seller == name
        commission[rows] = np.rint(goods[rows] * spec.commission).astype(np.int64)
        done = np.flatnonzero(rows & completed)
        storage[done] = spread(fees.get(name, 0), len(done))
        own_cogs[rows] = np.where(
            completed[rows], _cents(value[rows] * spec.purchase_cost_share), 0
        )
        own_cogs[rows] += _cents(written_off[rows] * spec.purchase_cost_share)
        payout[rows] = goods[rows] - commission[rows] - storage[rows]
        moved: tuple[str, ...] = GOODS_LINES
        if spec.fulfilment == "self":
            moved += SHIPPING_LINES
            sent = rows & shipped
            parcel = spec.postage.cny_per_shipment + spec.postage.cny_per_kg * table["weight_kg"]
            per_order = spec.handling_cny_per_order + spec.packaging_cny_per_order
            logistics[sent] = _cents(parcel.to_numpy()[sent] + per_order)
            logistics[rows] += lines["reverse"][rows]  # the return parcel comes to the SME
            payout[rows] += fee[rows]
        for line in moved:
            lines[line][rows] = 0
    out = table.copy()
    out.insert(out.columns.get_loc("order_id") + 1, "seller", pd.Categorical(seller))
    platform_revenue = revenue - payout
    out["revenue_cny"] = platform_revenue / 100.0
    removed = zero.copy()
    for line in COSTS:
        removed += _cents(table[f"{line}_cny"]) - lines[line]
        out[f"{line}_cny"] = lines[line] / 100.0
    # Every other line (the platform's own) stays: profit moves by what left the platform.
    out["profit_cny"] = (_cents(table["profit_cny"]) - payout + removed) / 100.0
    seller_profit = payout - own_cogs - logistics
    extra = (goods + fee, commission, storage, payout, own_cogs, logistics, seller_profit)
    for column, cents in zip(SELLER_COLUMNS, extra, strict=True):
        out[column] = cents / 100.0
    return out
