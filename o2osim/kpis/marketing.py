"""Marketing KPIs: acquired customers, CAC, repeat purchase, LTV and LTV/CAC per campaign.

Only a scenario with ``[marketing]`` has the group; its names are ``all`` and each
campaign's ``segment.channel`` (docs/marketing.md). From the tables alone:

- an acquired customer is an order's ``customer`` id from
  :func:`o2osim.scenario.marketing.first_acquired_id` on; campaign ``i`` of ``n`` owns
  the ids ``first + i + n k`` (:mod:`o2osim.marketing`); the customer was acquired
  when their first order was placed, and counts if that was in [warm-up, horizon);
- CAC = the campaign's spend over the counted days / the customers it acquired then;
- the LTV cohort: customers acquired in [warm-up, horizon - ltv_window], whose whole
  window was simulated. A purchase is an order that is not a part of another (a
  split part or a showroomer's online order has a ``parent``); LTV = the mean over the
  cohort of each order's contribution margin (revenue minus its direct costs but the
  flat marketing share; period costs are left out) discounted at ``discount_rate`` a
  year from the first purchase, over the purchases within ``ltv_window`` of it.

This module only reads tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..economics import DIRECT, MARKETING_LINES
from ..scenario.marketing import Marketing, first_acquired_id
from ..units import DAY
from .registry import KpiInput, Row, Rows, register

YEAR = 365.0 * DAY
#: Every KPI of the group (``all`` has the first block and the last two, a campaign the
#: first block and its configured response and repeat probability).
MARKETING_KPIS = (
    "spend_cny_per_day",
    "acquired_customers",
    "acquired_per_day",
    "cac_cny",
    "ltv_cohort",
    "purchases_per_customer",
    "repeat_customer_share",
    "ltv_cny",
    "ltv_over_cac",
    "arrival_lift",
    "expected_acquired_per_day",
    "repeat_probability",
    "programmes_cny_per_day",
    "marketing_share_of_revenue",
)


def acquired_orders(source: KpiInput, marketing: Marketing) -> pd.DataFrame:
    """Every order of an acquired customer: customer, campaign, placed, acquired (the
    first order's time, minutes), whether it is a purchase, and its margin (CNY; NaN
    without money or for an order not priced)."""
    orders = source.run.orders
    first = first_acquired_id(source.scenario)
    mine = orders[orders["customer"].to_numpy() >= first]
    frame = pd.DataFrame(
        {
            "order_id": mine["order_id"].to_numpy(),
            "customer": mine["customer"].to_numpy(),
            "placed": mine["placed"].to_numpy(),
            "purchase": mine["parent"].to_numpy() < 0,
        }
    )
    frame["campaign"] = (frame["customer"] - first) % max(len(marketing.campaigns), 1)
    frame["acquired"] = frame.groupby("customer")["placed"].transform("min")
    margin = np.full(len(frame), np.nan)
    if source.money is not None:
        money = source.money.orders
        direct = [f"{c}_cny" for c in DIRECT if c != "marketing"]
        per_order = money["revenue_cny"] - money[direct].sum(axis=1)
        margin = pd.Series(per_order.to_numpy(), index=money["order_id"].to_numpy())
        margin = margin.reindex(frame["order_id"].to_numpy()).to_numpy()
    frame["margin"] = margin
    return frame


def _value_rows(frame: pd.DataFrame, source: KpiInput, marketing: Marketing) -> list[Row]:
    """Purchases, repeat rate and LTV of the cohort in ``frame`` (one campaign or all)."""
    meta = source.scenario.scenario
    window = marketing.ltv_window
    cohort = frame[
        (frame["acquired"] >= meta.warmup) & (frame["acquired"] <= meta.horizon - window)
    ]
    inside = cohort[cohort["placed"] - cohort["acquired"] <= window]
    customers = inside["customer"].nunique()
    rows: list[Row] = [("ltv_cohort", customers, "customers")]
    if not customers:
        return rows
    purchases = inside[inside["purchase"]].groupby("customer").size()
    discount = (1.0 + marketing.discount_rate) ** (-(inside["placed"] - inside["acquired"]) / YEAR)
    rows += [
        ("purchases_per_customer", float(purchases.mean()), "orders"),
        ("repeat_customer_share", float((purchases >= 2).mean()), "share"),
    ]
    if source.money is not None:
        ltv = float((inside["margin"] * discount).sum()) / customers
        rows.append(("ltv_cny", ltv, "CNY"))
    return rows


def _campaign_rows(
    frame: pd.DataFrame, source: KpiInput, marketing: Marketing, spend_per_day: float
) -> list[Row]:
    meta = source.scenario.scenario
    firsts = frame.drop_duplicates("customer")
    acquired = int(
        ((firsts["acquired"] >= meta.warmup) & (firsts["acquired"] < meta.horizon)).sum()
    )
    spend = spend_per_day * source.days
    cac = spend / acquired if acquired else np.nan
    rows: list[Row] = [
        ("spend_cny_per_day", spend_per_day, "CNY/day"),
        ("acquired_customers", acquired, "customers"),
        ("acquired_per_day", acquired / source.days if source.days else np.nan, "customers/day"),
        ("cac_cny", cac, "CNY/customer"),
        *_value_rows(frame, source, marketing),
    ]
    ltv = next((value for kpi, value, _ in rows if kpi == "ltv_cny"), None)
    if ltv is not None:
        rows.append(("ltv_over_cac", ltv / cac if cac and cac > 0 else np.nan, "ratio"))
    return rows


@register("marketing")
def marketing_kpis(source: KpiInput) -> Rows:
    """``all`` then each campaign: spend, acquired customers, CAC, purchases, LTV, LTV/CAC."""
    marketing = source.scenario.marketing
    if marketing is None:
        return []
    frame = acquired_orders(source, marketing)
    overall = _campaign_rows(frame, source, marketing, marketing.acquisition_cny_per_day())
    overall.append(("programmes_cny_per_day", marketing.programmes_cny_per_day(), "CNY/day"))
    if source.money is not None:
        money = source.money.orders
        spent = money["marketing_cny"].sum() + sum(
            money[f"{c}_cny"].sum() for c in MARKETING_LINES if f"{c}_cny" in money
        )
        revenue = money["revenue_cny"].sum()
        share = float(spent / revenue) if revenue else np.nan
        overall.append(("marketing_share_of_revenue", share, "share"))
    out: Rows = [("all", overall)]
    segments = {s.name: s for s in source.scenario.customers.segments}
    for index, campaign in enumerate(marketing.campaigns):
        rows = _campaign_rows(
            frame[frame["campaign"] == index], source, marketing, campaign.spend_cny_per_day
        )
        base = segments[campaign.segment].arrivals_per_day or 0.0
        rows += [
            ("arrival_lift", campaign.lift_share(), "share"),
            ("expected_acquired_per_day", base * campaign.lift_share(), "customers/day"),
            ("repeat_probability", marketing.repeat_probability(campaign), "share"),
        ]
        out.append((campaign.label, rows))
    return out
