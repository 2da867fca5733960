"""Warehouse builder: the bonded back warehouse's pickers (and AGVs), packers, sorter, waves.

Stages ``pick``, ``pack``, ``sort`` and ``regional`` are made once and shared by
every channel; the sorter only when some route sorts, the dispatch waves only
when some route uses ``regional`` (their first departure is scheduled now).
Random streams: ``warehouse.*``. This module must not decide an order's fate: a
finished order goes to the order flow's ``advance``.
"""

from __future__ import annotations

from ..facilities.warehouse import DispatchWaves, PickFloor, build_stations
from .context import Build
from .registry import register_shared


def build_warehouse(b: Build) -> None:
    """The back warehouse's stations and waves (none without a ``[warehouse]``)."""
    wh = b.scenario.warehouse
    if wh is None:
        return
    used, done = b.plan.used, b.flow.advance
    b.picking, b.packing, b.sorting = build_stations(
        b.env,
        wh,
        b.book,
        b.draw("warehouse.pick_time", wh.pick_time),
        b.draw("warehouse.pack_time", wh.pack_time),
        b.draw("warehouse.agv_time", wh.agv_time) if wh.agvs else None,
        sort="sort" in used,
        done=done,
        one_line=one_line_baskets(b),
    )
    b.stages.update(pick=b.add("stage 'pick'", b.picking), pack=b.add("stage 'pack'", b.packing))
    if b.sorting is not None:
        b.stages["sort"] = b.add("stage 'sort'", b.sorting)
    if "regional" in used:
        b.waves = DispatchWaves(
            b.env,
            wh.regional,
            b.book,
            b.draw("warehouse.regional.delivery_time", wh.regional.delivery_time),
            done=done,
        )
        b.stages["regional"] = b.add("stage 'regional'", b.waves)


def one_line_baskets(b: Build) -> bool:
    """Every basket of the run has one line: each catalogue orders are made from has one
    item per order (``1 + Poisson(0)`` lines); split and substituted baskets keep or cut
    their lines."""
    sc = b.scenario
    catalogues = [sc.catalogue] + ([sc.airport.catalogue] if sc.airport is not None else [])
    return all(c.items_per_order == 1 for c in catalogues)


def agv_counters(b: Build) -> dict[str, int]:
    """Orders picked by AGVs (only where the picking floor has them)."""
    return b.picking.counters() if isinstance(b.picking, PickFloor) else {}


register_shared("pick", "pack", "sort", "regional")
