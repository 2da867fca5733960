"""Per-order trade money of an export run: duties, fees, VAT and the market's currency.

:func:`trade_money` judges each counted order by the destination's rules in force when
it was placed (or at ``trade.as_of``): a channel whose route starts with the seller's
parcel (``seller_ship``) sends a *parcel*; any other channel sells from stock imported
as a general-trade *consignment*. A parcel's lines share its value equally (the order
table keeps the basket's value, not each line's price: exact when the lines share one
duty rate); a consignment's customs value is the units' purchase cost (plus the first
leg's freight under CIF). A parcel pays duty and handling when it clears the
destination's customs (``port_cleared``), a consignment's units when they are sold;
VAT is due on a sale. Amounts are computed in the market's cents and converted to CNY
cents at the order's exchange rate. :func:`market_columns` adds the market-currency
view of the money table. Called by :mod:`o2osim.economics`; this module must not run
the model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..scenario import Scenario
from ..scenario.trade import Trade
from ..tables import COMPLETED
from .duty import Charges, Kind, Line, consignment_charges, parcel_charges, sale_vat
from .firstleg import cif_container_cents
from .fx import cny_per_unit, instant, to_market


@dataclass(frozen=True)
class TradeMoney:
    """Per counted order, CNY cents (``rate``: CNY per unit of the market's currency)."""

    rate: np.ndarray
    duty: np.ndarray  # every duty, whoever pays it
    handling: np.ndarray  # every handling fee, whoever pays it
    vat: np.ndarray
    seller_duty: np.ndarray  # the duty the seller pays (cost line "duty")
    seller_fees: np.ndarray  # the handling the seller pays (cost line "fees")
    customer: np.ndarray  # what the customer pays on top of the price (VAT, DAP duty)


def parcel_channels(scenario: Scenario) -> set[str]:
    """Channels that send each order as a parcel from China (direct mail)."""
    return {name for name, ch in scenario.channels.items() if "seller_ship" in ch.route}


def tariff_lines(scenario: Scenario, trade: Trade) -> list[tuple[str, float]]:
    """(tariff code, ad-valorem rate) of every SKU id of the catalogue."""
    cat = scenario.catalogue
    names = [c.name for c in cat.categories]
    found = []
    for index in cat.sku_categories():
        item = trade.tariff_items.get(names[index]) if names else None
        item = item or trade.default_item
        found.append((item.code, item.duty_rate))
    return found


def _cny_cents(charge_cents: int, rate: float) -> int:
    return int(np.floor(charge_cents * rate + 0.5))


def trade_money(
    scenario: Scenario,
    counted: pd.DataFrame,
    value_cents: np.ndarray,
    purchase_cny: np.ndarray,
    freight_cents: np.ndarray,
    inventory: pd.DataFrame | None = None,
) -> TradeMoney:
    """The trade money of every counted order (see the module docstring); with the
    stock ``inventory``, a CIF customs value also carries the order's share of the
    containers (:func:`~.firstleg.cif_container_cents`)."""
    trade = scenario.trade
    if trade is None:
        raise ValueError("trade_money needs a scenario with a [trade] table")
    if inventory is not None and trade.customs_value == "cif":
        freight_cents = freight_cents + cif_container_cents(scenario, counted, inventory)
    start, n = scenario.scenario.start, len(counted)
    items, parcels = tariff_lines(scenario, trade), parcel_channels(scenario)
    placed = counted["placed"].to_numpy()
    channel = counted["channel"].astype(str).to_numpy()
    completed = np.isin(counted["outcome"].astype(str).to_numpy(), COMPLETED)
    cleared = counted["port_cleared"].notna().to_numpy() if "port_cleared" in counted else None
    skus = counted["skus"].to_numpy()
    cols = {k: np.zeros(n, dtype=np.int64) for k in ("duty", "handling", "vat", "cust")}
    rate = np.zeros(n)
    dap = trade.parcel_duty_paid_by == "customer"
    for i in range(n):
        placed_at = instant(start, float(placed[i]))
        when = trade.as_of or placed_at
        rate[i] = cny_per_unit(trade, placed_at)
        parcel = channel[i] in parcels
        charges = _charges(
            trade,
            items,
            skus[i],
            when,
            parcel,
            i,
            rate[i],
            value_cents,
            purchase_cny,
            freight_cents,
        )
        border = bool(cleared[i]) if parcel and cleared is not None else bool(completed[i])
        if border:
            cols["duty"][i] = _cny_cents(charges.duty, rate[i])
            cols["handling"][i] = _cny_cents(charges.handling, rate[i])
        if completed[i]:
            market_value = to_market(value_cents[i] / 100.0, rate[i])
            kind: Kind = "parcel" if parcel else "consignment"
            cols["vat"][i] = _cny_cents(sale_vat(trade.rules, market_value, when, kind), rate[i])
        if parcel and dap:
            cols["cust"][i] = cols["duty"][i] + cols["handling"][i]
    on_seller = np.isin(channel, list(parcels)) & dap
    return TradeMoney(
        rate=rate,
        duty=cols["duty"],
        handling=cols["handling"],
        vat=cols["vat"],
        seller_duty=np.where(on_seller, 0, cols["duty"]),
        seller_fees=np.where(on_seller, 0, cols["handling"]),
        customer=cols["vat"] + cols["cust"],
    )


def _charges(
    trade: Trade,
    items: list[tuple[str, float]],
    skus: tuple[int, ...],
    when: dt.datetime,
    parcel: bool,
    i: int,
    rate: float,
    value_cents: np.ndarray,
    purchase_cny: np.ndarray,
    freight_cents: np.ndarray,
) -> Charges:
    """The border charges of order ``i`` in the market's cents."""
    units = max(len(skus), 1)
    if parcel:
        each = to_market(value_cents[i] / 100.0, rate) / units
        lines = [Line(items[s][0], items[s][1], each) for s in skus]
        return parcel_charges(trade.rules, lines, when)
    freight = freight_cents[i] / 100.0 if trade.customs_value == "cif" else 0.0
    customs_value = purchase_cny[i] + freight
    each = customs_value / rate / units
    lines = [Line(items[s][0], items[s][1], each) for s in skus]
    return consignment_charges(trade.rules, lines, when)


def market_columns(table: pd.DataFrame, money: TradeMoney, landed: list[str]) -> pd.DataFrame:
    """The money table with the trade columns and its market-currency view added.

    ``landed`` are the cost columns (``*_cny``) of the landed cost.
    """
    out = table.copy()
    out["fx_cny_per_unit"] = money.rate
    out["border_duty_cny"] = money.duty / 100.0
    out["border_handling_cny"] = money.handling / 100.0
    out["vat_cny"] = money.vat / 100.0
    out["landed_cost_cny"] = out[landed].sum(axis=1).round(2)
    for name in ("revenue", "tax", "landed_cost", "profit", "border_duty"):
        cny = out[f"{name}_cny"].to_numpy()
        out[f"{name}_mkt"] = np.floor(np.rint(cny * 100.0) / money.rate + 0.5) / 100.0
    return out
