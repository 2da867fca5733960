"""Money KPIs: margins and costs per order of a set of orders, and the ``site`` family.

The money itself (each order's revenue and cost lines, in cents) is priced by
:mod:`o2osim.economics`; this module only adds it up. Margins: gross (after the
purchase cost), CM1 (after fulfilment), CM2 (after marketing), profit (after
every cost). Per completed order (CNY/order): every cost line
(``cost_LINE_per_order``), the landed cost (every line but the purchase cost, its
write-off and marketing), the tax the customer paid on top, the profit. A run that
completed no order carries its period costs as unallocated, charged to the overall
profit only. This module only reads tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..economics import (
    DIRECT,
    FULFILMENT,
    LANDED,
    MARKETING_LINES,
    Money,
    charged_sites,
    cost_lines,
    site_cost_per_day,
)
from ..tables import COMPLETED
from .registry import KpiInput, Row, Rows, register


def _totals(frame: pd.DataFrame, rows: np.ndarray | None = None) -> dict[str, float]:
    """Each line's total (CNY) over ``frame``, or its ``rows`` (a mask: no copy)."""

    def cents(name: str) -> np.ndarray:
        values = frame[f"{name}_cny"].to_numpy()
        return np.rint((values if rows is None else values[rows]) * 100)

    return {
        name: float(cents(name).sum()) / 100.0
        for name in ("revenue", "delivery_fee", "tax", *cost_lines(frame.columns), "profit")
    }


def _completed(frame: pd.DataFrame) -> np.ndarray:
    return frame["outcome"].isin(COMPLETED).to_numpy()


def _whole(money: Money) -> tuple[dict[str, float], int]:
    """The line totals (CNY) and completed orders of every order priced, worked out once
    (the overall KPIs and a channel that holds every order share them)."""
    whole = money.memo.get("totals")
    if whole is None:
        whole = _totals(money.orders), int(_completed(money.orders).sum())
        money.memo["totals"] = whole
    return whole


def money_kpis(
    money: Money,
    frame: pd.DataFrame,
    unallocated_cents: int = 0,
    subset: np.ndarray | None = None,
) -> list[Row]:
    """KPI rows (kpi, value, unit) for a set of orders (``frame``, or its ``subset`` rows);
    ``unallocated_cents`` is period cost no order carried (a run with no completed order),
    charged to the overall total."""
    if subset is not None and subset.all():
        subset = None  # one channel holds every order: the sums over all of them
    if subset is None and frame is money.orders:
        totals, done = _whole(money)
    else:
        totals = _totals(frame, subset)
        completed = _completed(frame)
        done = int((completed if subset is None else completed[subset]).sum())
    costs = cost_lines(frame.columns)  # with [marketing]: its acquisition and programmes
    gross = totals["revenue"] - totals["cogs"]
    cm1 = gross - sum(totals[c] for c in FULFILMENT)
    cm2 = cm1 - totals["marketing"] - sum(totals[c] for c in costs if c in MARKETING_LINES)
    rows: list[Row] = [
        ("net_revenue_cny", totals["revenue"], "CNY"),
        ("delivery_fees_cny", totals["delivery_fee"], "CNY"),
        ("gross_margin_cny", gross, "CNY"),
        ("cm1_cny", cm1, "CNY"),
        ("cm2_cny", cm2, "CNY"),
        ("profit_cny", totals["profit"] - unallocated_cents / 100.0, "CNY"),
    ]
    if done:
        non_cogs = sum(totals[c] for c in costs if c != "cogs")
        rows += [
            ("cost_per_order", non_cogs / done, "CNY/order"),
            ("profit_per_order", totals["profit"] / done, "CNY/order"),
            ("landed_cost_per_order", sum(totals[c] for c in LANDED) / done, "CNY/order"),
            ("tax_per_order", totals["tax"] / done, "CNY/order"),
            (
                "gross_margin_rate",
                gross / totals["revenue"] if totals["revenue"] else np.nan,
                "share",
            ),
        ]
        rows += [(f"cost_{c}_per_order", totals[c] / done, "CNY/order") for c in costs]
        direct = sum(totals[c] for c in DIRECT)
        contribution = (totals["revenue"] - direct) / done
        fixed_per_day = sum(money.period_cents.values()) / 100.0 / money.days
        rows.append(
            (
                "break_even_orders_per_day",
                fixed_per_day / contribution if contribution > 0 else np.inf,
                "orders/day",
            )
        )
    return rows


@register("site")
def site_kpis(source: KpiInput) -> Rows:
    """Per site: fixed cost per day and the daily orders whose contribution covers it."""
    if source.money is None:
        return []
    frame = source.money.orders
    done = frame["outcome"].isin(COMPLETED).to_numpy()
    totals = _totals(frame, done)
    count = int(done.sum())
    contribution = (totals["revenue"] - sum(totals[c] for c in DIRECT)) / count if count else np.nan
    out: Rows = []
    for site in charged_sites(source.scenario):  # a site whose asset the layout lacks: none
        fixed = site_cost_per_day(site)
        out.append(
            (
                site.name,
                [
                    ("fixed_cost_per_day", fixed, "CNY/day"),
                    (
                        "break_even_orders_per_day",
                        fixed / contribution if contribution and contribution > 0 else np.inf,
                        "orders/day",
                    ),
                ],
            )
        )
    return out
