"""Order KPIs: the ``overall``, ``channel`` and ``segment`` families.

Each group reports the same order KPIs over its orders placed after the warm-up
and before the horizon: counts by outcome, fill rate, stock-outs and the
customers' responses, revenue, the orders still in flight when the run stopped
(``censored``, ``censored_share``), lead time and the promise (on time against each
order's due time, lateness of the late ones). Lead time and the on-time rate are
corrected for censored orders (:mod:`o2osim.kpis.survival`); lateness, revenue and
units count the completed orders. ``overall`` and ``channel`` add the money KPIs
(:mod:`o2osim.kpis.money`), a channel with a finite population its repeat rate;
``overall`` says whether the run looks unstable (:mod:`o2osim.kpis.stability`).

Store visitors who never paid (turned away, no purchase, gave up at the door or
the staff checkout) are rows of the orders table but not orders placed; where a
visitor gave up is told by the ``entered`` stamp (none: at the door). With
journeys, showroom and webroom orders are counted too. This module only reads
tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..recorder import RESPONSE_NAMES
from ..scenario import Scenario
from ..tables import COMPLETED, rows_where
from .choice import repeat_orders
from .money import money_kpis
from .registry import KpiInput, Row, Rows, register
from .stability import instability
from .survival import censored_kpis, lead_time_kpis, orders_placed

#: The columns of the completed orders that :func:`order_kpis` reads.
DONE_COLUMNS = [
    "value_cny", "tax_cny", "price_paid_cny", "lines", "lateness_min", "slot_start", "finished",
]  # fmt: skip


@register("overall")
def overall_kpis(source: KpiInput) -> Rows:
    """Every order counted, whether the run looks unstable (1) or not (0), then the run's
    money (period costs no order carried included)."""
    rows = counted_order_kpis(source)
    rows.append(("unstable", int(bool(instability(source))), "flag"))
    money = source.money
    if money is not None:
        rows += money_kpis(money, money.orders, money.unallocated_cents)
    return [("all", rows)]


@register("channel")
def channel_kpis(source: KpiInput) -> Rows:
    """Each channel with orders: its order KPIs, repeat rate and money."""
    counted, money = source.counted, source.money
    repeat = repeat_orders(source.run.order_columns(["order_id", "customer", "channel", "placed"]))
    out: Rows = []
    for channel in source.scenario.channels:
        in_channel = counted["channel"] == channel
        whole = bool(in_channel.all())  # the only channel with orders: the overall order KPIs
        subset = counted if whole else rows_where(counted, in_channel)
        if not len(subset):
            continue
        rows = (
            counted_order_kpis(source)
            if whole
            else order_kpis(source.scenario, subset, source.days, source.outcomes)
        )
        known = subset["customer"] >= 0 if "customer" in subset else None
        if known is not None and known.any():
            # Orders of known customers placed by someone who had used this channel before.
            rows.append(("repeat_rate", float(repeat[subset.index[known]].mean()), "share"))
        if money is not None:
            mine = (money.orders["channel"] == channel).to_numpy()
            rows += money_kpis(money, money.orders, subset=mine)
        out.append((channel, rows))
    return out


@register("segment")
def segment_kpis(source: KpiInput) -> Rows:
    """Each segment's orders; with one segment its KPIs are the overall ones, not repeated."""
    segments = source.scenario.customers.segments
    if len(segments) <= 1:
        return []
    counted = source.counted
    return [
        (
            seg.name,
            order_kpis(
                source.scenario,
                rows_where(counted, counted["segment"] == seg.name),
                source.days,
                source.outcomes,
            ),
        )
        for seg in segments
    ]


def counted_order_kpis(source: KpiInput) -> list[Row]:
    """:func:`order_kpis` of every counted order, worked out once per KPI table."""
    rows = source.shared.get("order_kpis")
    if rows is None:
        rows = order_kpis(source.scenario, source.counted, source.days, source.outcomes)
        source.shared["order_kpis"] = rows
    return list(rows)  # a copy: callers append their own rows


def order_kpis(
    scenario: Scenario, orders: pd.DataFrame, days: float, outcomes: tuple[str, ...]
) -> list[Row]:
    """The order KPIs of ``orders`` (counted: placed after the warm-up, before the horizon)
    over ``days``."""
    outcome = orders["outcome"]
    placed = orders_placed(orders)
    # The completed orders' columns read below, not a copy of every column.
    done = orders.loc[outcome.isin(COMPLETED), DONE_COLUMNS]
    rows: list[Row] = [
        ("orders_placed", placed, "orders"),
        ("orders_per_day", placed / days if days else np.nan, "orders/day"),
    ]
    for name in outcomes:
        rows.append((name, int((outcome == name).sum()), "orders"))
    rows += _stock_request_kpis(orders, placed)
    reasons = orders["reason"]
    rows += [
        ("backordered", int(orders["backordered"].notna().sum()), "orders"),
        ("oversold", int(orders["oversold"].notna().sum()), "orders"),
        ("rejected_over_order_limit", int((reasons == "over_order_limit").sum()), "orders"),
        ("rejected_annual_limit", int((reasons == "annual_limit").sum()), "orders"),
        (
            "split_orders",
            int(((orders["parent"] >= 0) & ~_showroom_orders(orders)).sum()),
            "orders",
        ),
        ("stockouts", int(orders["stocked_out"].notna().sum()), "orders"),
        *_response_kpis(orders),
        ("revenue_cny", float(done["value_cny"].sum()), "CNY"),
        ("tax_cny", float(done["tax_cny"].sum()), "CNY"),
        ("price_paid_cny", float(done["price_paid_cny"].sum()), "CNY"),
        ("units_sold", int(done["lines"].sum()), "units"),
    ]
    if "webroomed" in orders:  # a scenario with journeys
        rows += [
            ("showroom_orders", int(_showroom_orders(orders).sum()), "orders"),
            ("webroom_orders", int(orders["webroomed"].notna().sum()), "orders"),
        ]
    rows += censored_kpis(orders, placed)
    if len(done):
        rows += lead_time_kpis(scenario, orders)
        rows += _promise_kpis(done)
    return rows


def _stock_request_kpis(orders: pd.DataFrame, placed: int) -> list[Row]:
    """The fill rate: stock requests met at once (reserved, never backordered)."""
    outcome = orders["outcome"]
    reserved, backordered = orders["reserved"].notna(), orders["backordered"].notna()
    stocked_out = orders["stocked_out"].notna()
    # Requests also count the lost sales and the oversold orders that were cancelled.
    requested = int(
        (
            reserved
            | backordered
            | stocked_out
            | (outcome == "lost_sale")
            | orders["oversold"].notna()
        ).sum()
    )
    # A substitute basket or a switch of channel is a response to a stock-out, not a fill.
    filled = int((reserved & ~backordered & ~stocked_out).sum())
    if requested:
        fill = filled / requested
    else:  # no channel here draws on the bonded stock: nothing was refused for stock
        lost = int((outcome == "lost_sale").sum())
        fill = 1 - lost / placed if placed else np.nan
    return [("fill_rate", fill, "share")]


def _response_kpis(orders: pd.DataFrame) -> list[Row]:
    """How many stock-outs ended in each response (they add up to ``stockouts``)."""
    counts = orders["stockout_response"].value_counts()
    return [(f"stockout_{name}", int(counts.get(name, 0)), "orders") for name in RESPONSE_NAMES]


def _showroom_orders(orders: pd.DataFrame) -> pd.Series:
    """Online orders of showroomers (their ``parent`` is the visit, not a split order)."""
    if "showroomed" not in orders:
        return pd.Series(False, index=orders.index)
    return orders["showroomed"].notna()


def _promise_kpis(done: pd.DataFrame) -> list[Row]:
    """How late the late completed orders were (the on-time rate is
    :func:`~o2osim.kpis.survival.lead_time_kpis`')."""
    lateness = done["lateness_min"].to_numpy()
    late = lateness[lateness > 0]
    rows: list[Row] = [("late_orders", len(late), "orders")]
    if len(late):
        rows += [
            ("lateness_mean", float(late.mean()), "min"),  # of the late orders
            ("lateness_p90", float(np.percentile(late, 90)), "min"),
            ("lateness_max", float(late.max()), "min"),
        ]
    slot_start = done["slot_start"].to_numpy()
    in_slots = ~np.isnan(slot_start)
    if in_slots.any():  # presale: arriving before the slot is not on time either
        early = done["finished"].to_numpy()[in_slots] < slot_start[in_slots]
        rows.append(("early_rate", float(early.mean()), "share"))
    return rows
