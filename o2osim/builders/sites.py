"""Virtual warehouse builder: the stock sites behind one figure, their suppliers, transfers.

Runs right after the bonded stock pool is made (:func:`.supply.build_pool`): with a
``[virtual_warehouse]`` the pool becomes site 0 of a
:class:`~o2osim.facilities.sites.VirtualWarehouse`, which then stands where the pool
stood (``b.pool``), so the order flow, returns, replenishment of the bonded warehouse
and the route stage ``reserve`` use it unchanged. Random streams:
``sites.SITE.lead_time``, ``virtual_warehouse.transfer.lead_time``;
:func:`build_return_paths` gives returns their paths across channels
(``[cross_returns]``, stream ``returns.paths``). This module must not decide an
order's fate.
"""

from __future__ import annotations

from ..facilities.site_policies import SITE_ALLOCATION, TRANSFER, TransferRule
from ..facilities.site_supply import OneForOne, Transfers
from ..facilities.sites import Layout, Place, SiteShelf, VirtualWarehouse
from ..returns import ReturnPaths
from ..scenario.sites import RETURN_PATHS
from .context import Build


def build_sites(b: Build) -> None:
    """Wrap the bonded pool into a virtual warehouse (only with ``[virtual_warehouse]``)."""
    sc, bonded = b.scenario, b.pool
    vw_spec, wh = sc.virtual_warehouse, sc.warehouse
    if vw_spec is None or bonded is None or wh is None:
        return
    names = vw_spec.site_names()
    lag = wh.sync_lag
    places = [Place(wh.x_km, wh.y_km, vw_spec.warehouse_ship_cost_cny, False)]
    places += [
        Place(s.x_km, s.y_km, s.ship_cost_cny, s.kind == "store") for s in vw_spec.sites.values()
    ]
    channels = b.plan.channels
    every = tuple(range(len(names)))
    layout = Layout(
        allowed=[
            tuple(names.index(s) for s in vw_spec.channels[c.name])
            if c.name in vw_spec.channels
            else every
            for c in channels
        ],
        walk_in=[c.walk_in for c in channels],
        backorder=[c.backorder for c in channels],
        lagged=[lag > 0 and c.synced for c in channels],
    )
    vw = VirtualWarehouse(
        b.env,
        b.ledger,
        b.book,
        bonded,
        places,
        layout,
        SITE_ALLOCATION[vw_spec.allocation],
        vw_spec.guard_units,
        vw_spec.on_oversell,
        sc.city.detour_factor,
    )
    vw.names = names
    skus = len(bonded.on_hand)
    for name, spec in vw_spec.sites.items():
        shelf = SiteShelf(b.env, b.ledger, [spec.initial_stock_units] * skus, lag, vw._arrived)
        supplier = (
            None
            if spec.lead_time is None
            else OneForOne(b.env, shelf, b.draw(f"sites.{name}.lead_time", spec.lead_time))
        )
        vw.add_site(shelf, supplier)
    move = vw_spec.transfer
    if move.policy != "none":
        vw.transfers = Transfers(
            b.env,
            vw,
            names.index(move.hub),
            TRANSFER[move.policy],
            TransferRule(move.below_units, move.up_to_units, move.hub_keeps_units),
            move.review,
            b.draw("virtual_warehouse.transfer.lead_time", move.lead_time),
        )
    # The bonded pool never queues an order itself now: the virtual warehouse does.
    bonded.connect(ready=vw.ready_hook)
    b.pool = b.add("virtual warehouse", vw)


def build_return_paths(b: Build) -> None:
    """Return paths across channels (only with ``[cross_returns]``); stream ``returns.paths``."""
    sc = b.scenario
    spec = sc.cross_returns
    if spec is None:
        return
    store_site = None
    if spec.store_site is not None and sc.virtual_warehouse is not None:
        store_site = sc.virtual_warehouse.site_names().index(spec.store_site)
    b.returns.cross(
        ReturnPaths(
            walk_in=[c.walk_in for c in b.plan.channels],
            to_store=spec.online_to_store.share,
            to_parcel=spec.store_to_parcel.share,
            cost=tuple(spec.path(name).cost_cny for name in RETURN_PATHS),
            uniform=b.uniform("returns.paths"),
            store_site=store_site,
        )
    )
