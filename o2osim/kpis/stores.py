"""Store KPIs: the ``store`` family, one name per front store.

A store's visitors are the counted rows of the segments it serves that reached
its door (a visitor who balked at the door never joined its queue, so has no
``door_queued`` stamp, but failed at ``store_visit``). With patience: who gave
up at the door and at the staff checkout; with journeys: showroomers and
webroomers. This module only reads tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .registry import KpiInput, Row, Rows, register
from .survival import left_the_store


@register("store")
def store_kpis(source: KpiInput) -> Rows:
    """Each front store's visitors, from the door to the till."""
    scenario, counted = source.scenario, source.counted
    out: Rows = []
    for store in scenario.stores:
        segments = [
            seg.name for seg in scenario.customers.segments if scenario.segment_store(seg) is store
        ]
        came = counted["door_queued"].notna() | (counted["failed_at"] == "store_visit")
        visits = counted[came & counted["segment"].isin(segments)]
        samples = store.display_samples_per_sku * scenario.catalogue.skus
        segs = [seg for seg in scenario.customers.segments if seg.name in segments]
        patience = any(
            seg.patience is not None and {"store_door", "store_checkout"} & set(seg.patience.at)
            for seg in segs
        )
        journeys = "webroomed" in visits and any(seg.journeys is not None for seg in segs)
        out.append((store.name, visit_kpis(visits, samples, patience, journeys)))
    return out


def visit_kpis(
    visits: pd.DataFrame, display_samples: int, patience: bool = False, journeys: bool = False
) -> list[Row]:
    """A store's visitors. With ``patience``: who gave up at the door (never got in) and
    at the staff checkout (got in, left unpaid); with ``journeys``: showroomers (left
    without buying, ordered online) and webroomers (came from the online shop)."""
    outcome = visits["outcome"]
    entered = visits["entered"].notna()
    left = visits["left_store"].notna()
    gave_up = left_the_store(visits)
    buyers = int((left & (outcome != "no_purchase") & ~gave_up).sum())
    arrived = len(visits)
    turned = int((outcome == "turned_away").sum())
    door_wait = (visits["entered"] - visits["door_queued"])[entered]
    in_zone = (visits["left_store"] - visits["entered"])[left]
    rows: list[Row] = [
        ("visitors", arrived, "visitors"),
        ("turned_away", turned, "visitors"),
        ("turned_away_share", turned / arrived if arrived else np.nan, "share"),
        ("entered", int(entered.sum()), "visitors"),
        ("buyers", buyers, "visitors"),
        ("conversion_rate", buyers / int(left.sum()) if left.any() else np.nan, "share"),
    ]
    if patience:
        for how in ("balked", "reneged"):
            mine = gave_up & (outcome == how)
            rows += [
                (f"{how}_at_door", int((mine & ~entered).sum()), "visitors"),
                (f"{how}_at_checkout", int((mine & entered).sum()), "visitors"),
            ]
    if journeys:
        showroomed = int((visits["reason"] == "showroomed").sum())
        webroomed = visits["webroomed"].notna()
        rows += [
            ("showroomed", showroomed, "visitors"),
            ("showroom_share", showroomed / arrived if arrived else np.nan, "share"),
            ("webroomers", int(webroomed.sum()), "visitors"),
        ]
        if (webroomed & left).any():
            rows.append(
                (
                    "webroomer_conversion_rate",
                    int((webroomed & left & (outcome != "no_purchase") & ~gave_up).sum())
                    / int((webroomed & left).sum()),
                    "share",
                )
            )
    if len(door_wait):
        rows.append(("mean_door_wait", float(door_wait.mean()), "min"))
    if len(in_zone):
        rows.append(("mean_time_in_zone", float(in_zone.mean()), "min"))
    rows.append(("display_samples", display_samples, "units"))  # shown, never sold
    return rows
