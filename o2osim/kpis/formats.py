"""KPIs of the store formats: the ``presale`` and ``instant`` families.

``presale`` (Metro's presale + instant delivery and the club's membership): per channel
with the stage ``presale_batch``, its presale orders, the slots sold out, the batches (the
orders released to the pickers at one instant form one batch) and their sizes, how long
before its slot an order was picked, and the share delivered within its slot; and, with
``[membership]``, the name ``membership``: members, their orders, the discount they got
and the fees accrued. ``instant`` (Hema-style 30 minutes within 3 km): per channel under
``[instant]``, the share delivered within the promise, the tote's travel, the pickers'
wait, the packers' wait at the packing point and the orders from beyond the radius; with
a gated presale (members only, an assortment), who was refused and the members' presale
orders. Families return nothing for a scenario
without these tables, so other runs' ``kpis.csv`` is unchanged. Times are minutes,
money CNY. This module only reads tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import membership
from ..tables import COMPLETED
from .registry import KpiInput, Row, Rows, register

#: The KPIs of each family, in row order (the KPI catalogue lists them).
PRESALE_KPIS = (
    "presale_orders",
    "sold_out",
    "batches",
    "batch_size_mean",
    "batch_size_max",
    "picked_ahead_mean",
    "picked_ahead_min",
    "on_slot_rate",
    "early_rate",
)
#: Rows added to a presale channel whose entry is gated (members only, an assortment).
PRESALE_GATE_KPIS = (
    "asked_presale",
    "not_member",
    "outside_assortment",
    "outside_assortment_share",
    "redirected",
    "member_presale_orders",
)
MEMBERSHIP_KPIS = (
    "members",
    "member_orders",
    "member_order_share",
    "member_discount_cny",
    "fee_revenue_cny",
    "fee_revenue_per_day_cny",
)
INSTANT_KPIS = (
    "orders_placed",
    "beyond_radius",
    "beyond_radius_share",
    "sent_to_store",
    "delivered",
    "within_promise_share",
    "lead_time_p90",
    "tote_travel_mean",
    "pick_wait_mean",
    "pack_wait_mean",
)


def _mean(values: pd.Series) -> float:
    return float(values.mean()) if len(values) else float("nan")


def presale_channel_kpis(rows: pd.DataFrame, slot_length: float) -> list[Row]:
    """One presale channel's rows: orders, sell-outs, batches, lead picked ahead, on slot."""
    lost = rows["outcome"].astype(str) == "lost_sale"
    sold_out = lost & (rows["failed_at"] == "presale_batch")
    refused = lost & rows["slot_start"].isna()  # at the presale gate, before a slot
    accepted = rows[~sold_out & ~refused]
    picked = rows[rows["picked"].notna()]
    sizes = picked.groupby("pick_queued").size() if len(picked) else pd.Series(dtype=float)
    ahead = picked["slot_start"] - picked["picked"]
    done = accepted["outcome"].astype(str) == "delivered"
    start, finished = accepted["slot_start"], accepted["finished"]
    on_slot = done & (finished >= start) & (finished <= start + slot_length)
    early = done & (finished < start)
    count = len(accepted)
    return [
        ("presale_orders", len(rows), "orders"),
        ("sold_out", int(sold_out.sum()), "orders"),
        ("batches", len(sizes), "batches"),
        ("batch_size_mean", _mean(sizes), "orders"),
        ("batch_size_max", float(sizes.max()) if len(sizes) else np.nan, "orders"),
        ("picked_ahead_mean", _mean(ahead), "min"),
        ("picked_ahead_min", float(ahead.min()) if len(ahead) else np.nan, "min"),
        ("on_slot_rate", on_slot.sum() / count if count else np.nan, "share"),
        ("early_rate", early.sum() / count if count else np.nan, "share"),
    ]


def presale_gate_kpis(source: KpiInput, name: str, rows: pd.DataFrame) -> list[Row]:
    """Who the presale gate refused (members only, the assortment) and the presale orders
    members placed. Refused orders switched to another channel leave ``rows``."""
    spec = (source.scenario.presale or {})[name]
    counts = source.run.counts
    not_member = counts.get(f"presale.{name}.not_member", 0)
    outside = counts.get(f"presale.{name}.outside_assortment", 0)
    redirected = not_member + outside if spec.otherwise_channel is not None else 0
    asked = len(rows) + redirected
    checked = asked - not_member  # the baskets held against the presale list
    refused = (rows["outcome"].astype(str) == "lost_sale") & rows["slot_start"].isna()
    taken = rows[~refused]
    club = source.scenario.membership
    by_members = int(membership.member_orders(source.scenario, taken).sum()) if club else 0
    return [
        ("asked_presale", asked, "orders"),
        ("not_member", not_member, "orders"),
        ("outside_assortment", outside, "orders"),
        ("outside_assortment_share", outside / checked if checked else np.nan, "share"),
        ("redirected", redirected, "orders"),
        ("member_presale_orders", by_members, "orders"),
    ]


def membership_kpis(source: KpiInput) -> list[Row]:
    """The club's members, their orders and discount, and the fees accrued (CNY)."""
    scenario, counted = source.scenario, source.counted
    club = scenario.membership
    if club is None:
        return []
    member = membership.member_orders(scenario, counted)
    completed = counted["outcome"].astype(str).isin(COMPLETED).to_numpy()
    discount = float((counted["value_cny"].to_numpy() * (member & completed)).sum())
    money = source.money
    if money is not None and "membership_fee_cny" in money.orders:
        fees = float(np.rint(money.orders["membership_fee_cny"].to_numpy() * 100).sum()) / 100.0
    else:
        fees = membership.fee_cents(scenario, source.days) / 100.0
    return [
        ("members", membership.members(scenario), "members"),
        ("member_orders", int(member.sum()), "orders"),
        ("member_order_share", member.mean() if len(member) else np.nan, "share"),
        ("member_discount_cny", discount * club.member_discount, "CNY"),
        ("fee_revenue_cny", fees, "CNY"),
        ("fee_revenue_per_day_cny", fees / source.days if source.days else np.nan, "CNY/day"),
    ]


@register("presale")
def presale_kpis(source: KpiInput) -> Rows:
    """Each batch-picked presale channel, then the membership (only when configured)."""
    scenario, counted = source.scenario, source.counted
    out: Rows = []
    for name, spec in (scenario.presale or {}).items():
        slots = scenario.channels[name].slots
        length = slots.length if slots is not None else np.nan
        rows = counted[counted["channel"] == name]
        items = presale_channel_kpis(rows, length)
        if spec.gated:
            items += presale_gate_kpis(source, name, rows)
        out.append((name, items))
    club = membership_kpis(source)
    return [*out, ("membership", club)] if club else out


@register("instant")
def instant_kpis(source: KpiInput) -> Rows:
    """Each channel under ``[instant]``: within the promise, totes, pickers, the radius."""
    scenario, counted, counts = source.scenario, source.counted, source.run.counts
    out: Rows = []
    for name, spec in (scenario.instant or {}).items():
        rows = counted[counted["channel"] == name]
        beyond = counts.get(f"instant.{name}.beyond_radius", 0)
        to_store = beyond if spec.beyond_radius == "store" else 0
        asked = len(rows) + to_store  # refused orders stay in the channel; switched ones leave
        delivered = rows[rows["outcome"].astype(str) == "delivered"]
        promise = scenario.channels[name].promise
        within = (
            (delivered["lead_time_min"] <= promise).mean()
            if promise is not None and len(delivered)
            else np.nan
        )
        route = scenario.channels[name].route
        packing = "pack_point" in route
        # With a packing point the tote ends where the packers' queue begins.
        reached = rows["pack_queued"] if packing else rows["dispatch_queued"]
        tote = reached - rows["picked"] if "tote" in route else None
        items: list[Row] = [
            ("orders_placed", len(rows), "orders"),
            ("beyond_radius", beyond, "orders"),
            ("beyond_radius_share", beyond / asked if asked else np.nan, "share"),
            ("sent_to_store", to_store, "orders"),
            ("delivered", len(delivered), "orders"),
            ("within_promise_share", within, "share"),
            ("lead_time_p90", _quantile(delivered["lead_time_min"], 0.9), "min"),
            ("tote_travel_mean", _mean(tote) if tote is not None else np.nan, "min"),
            ("pick_wait_mean", _mean(rows["pick_start"] - rows["pick_queued"]), "min"),
        ]
        if packing:
            items.append(("pack_wait_mean", _mean(rows["pack_start"] - rows["pack_queued"]), "min"))
        out.append((name, items))
    return out


def _quantile(values: pd.Series, q: float) -> float:
    return float(values.quantile(q)) if len(values) else float("nan")
