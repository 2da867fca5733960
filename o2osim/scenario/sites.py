"""Scenario schema of the virtual warehouse over several sites and of cross-channel returns.

``[virtual_warehouse]``: stock held at several sites -- the bonded warehouse (site
``warehouse``, its stock keys stay those of ``[warehouse]``), front warehouses and
stores (``[virtual_warehouse.sites.NAME]``) -- behind one visible figure that every
channel sees ``warehouse.sync_lag`` late; an allocation policy of the family
``site_allocation`` (:mod:`o2osim.policies`) picks the site of each order; what
happens when the chosen site's stock is already gone is ``on_oversell``; a transfer
policy (family ``transfer``) moves units between sites. Weng & Zhang (2015) call for
this "virtual warehouse ... [with] inventory synchronization"; the numbers are
assumptions unless a config says otherwise.

``[cross_returns]``: a returned order goes back through a *return path*: bought online
and returned by parcel or in a store, bought in a store and returned there or by
parcel; each path has its reverse logistics cost per return; a unit returned in a
store goes back into that store's stock.

Times are minutes (written with units), money CNY, distances km. Pure data and the
cross-checks of these tables: this module must not import the runtime.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from .errors import KeyPathError
from .types import (
    Coordinate,
    Count,
    Duration,
    Money,
    Name,
    PositiveCount,
    Probability,
    Strict,
    TimeDist,
    as_written,
    period,
    policy_name,
)

if TYPE_CHECKING:
    from .root import Scenario

#: The bonded warehouse's name as a site of the virtual warehouse.
BONDED_SITE = "warehouse"
#: What happens to an order whose chosen site showed stock that was already gone.
OVERSELL_RULES = ("reallocate", "cancel", "backorder")
#: The return paths: (bought in, returned through).
RETURN_PATHS = ("online_to_parcel", "online_to_store", "store_to_store", "store_to_parcel")


class StockSite(Strict):
    """A store or front warehouse holding stock of its own (every SKU of the catalogue)."""

    kind: Literal["front_warehouse", "store"]
    x_km: Coordinate = 0.0
    y_km: Coordinate = 0.0
    initial_stock_units: Count = Field(description="units of every SKU at time 0")
    lead_time: TimeDist | None = Field(
        default=None,
        description="one-for-one restocking from the supplier: every unit sold here (or "
        "owed here) is reordered at once and arrives this long after, minutes; none: the "
        "site gets stock by transfers only",
    )
    ship_cost_cny: Money = Field(default=0.0, description="cost of shipping an order from here")


class Transfer(Strict):
    """Transfers from the hub site to the others (family ``transfer``), reviewed periodically.

    ``top_up_from_hub``: a site whose units of a SKU (on hand + in transit) are at most
    ``below_units`` gets enough from the hub to reach ``up_to_units``, as far as the hub
    keeps ``hub_keeps_units`` of it.
    """

    policy: Annotated[str, policy_name("transfer")] = "none"
    hub: Name = BONDED_SITE
    review: Annotated[Duration, period("a transfer review")] = Field(
        default=as_written("1h"), description="how often transfers are decided"
    )
    lead_time: TimeDist = Field(
        default_factory=lambda: {"dist": "deterministic", "value": "3h"},
        description="from the hub to the site, minutes",
    )
    below_units: Count = 1
    up_to_units: PositiveCount = 4
    hub_keeps_units: Count = 0


class VirtualWarehouse(Strict):
    """Several stock sites behind one visible figure (see the module docstring)."""

    sites: dict[Name, StockSite] = Field(min_length=1)
    allocation: Annotated[str, policy_name("site_allocation")] = "nearest_with_stock"
    guard_units: Count = Field(
        default=1, description="keep_store_stock_for_walk_ins: units a store keeps per SKU"
    )
    on_oversell: Literal[OVERSELL_RULES] = Field(  # type: ignore[valid-type]
        default="reallocate",
        description="the chosen site's stock is gone: take it from another site "
        "(cancel when none has it), cancel the paid order, or wait for the site",
    )
    warehouse_ship_cost_cny: Money = Field(
        default=0.0, description="cost of shipping an order from the bonded warehouse"
    )
    channels: dict[Name, list[Name]] = Field(
        default_factory=dict, description="sites a channel may sell from (default: every site)"
    )
    transfer: Transfer = Transfer()

    def site_names(self) -> list[str]:
        """Every site in index order: the bonded warehouse first."""
        return [BONDED_SITE, *self.sites]


class ReturnPath(Strict):
    """One return path: its share of its side's returns and its cost per return."""

    share: Probability = 0.0
    cost_cny: Money = Field(default=0.0, description="reverse logistics cost per return")


class CrossReturns(Strict):
    """Return paths across channels (see the module docstring).

    ``online_to_store.share`` of online buyers' returns come back in a store (the rest
    by parcel); ``store_to_parcel.share`` of store buyers' returns come back by parcel
    (the rest in the store). The shares of the same-channel paths are the rest and are
    not written.
    """

    online_to_parcel: ReturnPath = ReturnPath(cost_cny=12.0)
    online_to_store: ReturnPath = ReturnPath(share=0.3, cost_cny=4.0)
    store_to_store: ReturnPath = ReturnPath(cost_cny=2.0)
    store_to_parcel: ReturnPath = ReturnPath(share=0.1, cost_cny=12.0)
    store_site: Name | None = Field(
        default=None, description="the virtual warehouse's store site taking in-store returns"
    )

    def path(self, name: str) -> ReturnPath:
        """The path called ``name`` (one of RETURN_PATHS)."""
        found: ReturnPath = getattr(self, name)
        return found


def check_sites(sc: Scenario) -> None:
    """The virtual warehouse needs a stocked bonded warehouse and names known channels/sites;
    the cross returns name a store site of it."""
    vw = sc.virtual_warehouse
    if vw is not None:
        _check_virtual_warehouse(sc, vw)
    cr = sc.cross_returns
    if cr is None:
        return
    for name in ("online_to_store", "store_to_store", "store_to_parcel", "online_to_parcel"):
        if name in ("online_to_parcel", "store_to_store") and cr.path(name).share:
            raise KeyPathError(
                f"cross_returns.{name}.share",
                cr.path(name).share,
                "the same-channel path takes the rest; set the other path's share",
            )
    if cr.store_site is not None:
        stores = [] if vw is None else [n for n, s in vw.sites.items() if s.kind == "store"]
        if cr.store_site not in stores:
            raise KeyPathError(
                "cross_returns.store_site",
                cr.store_site,
                f"no store site of that name; [virtual_warehouse] store sites: "
                f"{', '.join(stores) or 'none'}",
            )


def _check_virtual_warehouse(sc: Scenario, vw: VirtualWarehouse) -> None:
    wh = sc.warehouse
    if wh is None or wh.unlimited_stock:
        raise KeyPathError(
            "virtual_warehouse",
            "set",
            "a virtual warehouse needs a [warehouse] with stock (unlimited_stock = false): "
            "it is the site 'warehouse'",
        )
    if BONDED_SITE in vw.sites:
        raise KeyPathError(
            f"virtual_warehouse.sites.{BONDED_SITE}",
            BONDED_SITE,
            "the bonded warehouse is the site 'warehouse' already; name the others differently",
        )
    names = vw.site_names()
    for channel, sites in vw.channels.items():
        if channel not in sc.channels:
            raise KeyPathError(
                f"virtual_warehouse.channels.{channel}",
                channel,
                f"no channel of that name; channels: {', '.join(sc.channels)}",
            )
        for site in sites:
            if site not in names:
                raise KeyPathError(
                    f"virtual_warehouse.channels.{channel}",
                    site,
                    f"no site of that name; sites: {', '.join(names)}",
                )
        if not sites:
            raise KeyPathError(
                f"virtual_warehouse.channels.{channel}", sites, "name at least one site"
            )
    if vw.transfer.hub not in names:
        raise KeyPathError(
            "virtual_warehouse.transfer.hub",
            vw.transfer.hub,
            f"no site of that name; sites: {', '.join(names)}",
        )
    if getattr(sc, "sellers", None) is not None:
        raise KeyPathError(
            "virtual_warehouse", "set", "not modelled together with [sellers] yet: drop one"
        )
    for i, seg in enumerate(sc.customers.segments):
        if seg.stockout is not None:
            raise KeyPathError(
                f"customers.segments[{i}].stockout",
                "set",
                "stock-out responses are not modelled with a [virtual_warehouse] yet",
            )


def order_columns(sc: Scenario) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The order book's extra (values, counts) columns of these tables: none when unset.

    ``site``: the site an order was served from (index in ``site_names()``, -1 none);
    ``return_path``: its return path (index in RETURN_PATHS); ``reverse_cny``: the
    path's reverse logistics cost.
    """
    values: tuple[str, ...] = ("reverse_cny",) if sc.cross_returns is not None else ()
    counts: tuple[str, ...] = ("site",) if sc.virtual_warehouse is not None else ()
    counts += ("return_path",) if sc.cross_returns is not None else ()
    return values, counts
