"""The virtual warehouse's policies: which site serves an order, and what a site is sent.

Two families, each a table of plain functions with one signature, chosen by name
(the names are listed in :mod:`o2osim.policies`):

- ``site_allocation`` (:data:`SITE_ALLOCATION`): ``policy(options, walk_in, guard)
  -> site index or None``. ``options`` are the sites the order's channel may sell
  from, each with its distance to the customer, its shipping cost, whether it is a
  store and how many units of the basket's scarcest line the *visible* figure shows;
  None means no site shows the basket in stock.
- ``transfer`` (:data:`TRANSFER`): ``policy(units_here, hub_on_hand, rule) -> units``
  to send from the hub to a site for one SKU now.

This module must not touch stock or orders: the virtual warehouse
(:mod:`.sites`) asks and acts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from ..policies import registrar


class SiteOption(NamedTuple):
    """One site an order may be served from, as the allocation sees it."""

    site: int  # index in the virtual warehouse (0 is the bonded warehouse)
    km: float  # road km from the site to the customer
    cost: float  # CNY to ship the order from the site
    store: bool  # the site is a store (walk-in customers buy from its shelf)
    shown: int  # units of the basket's scarcest line the visible figure shows, after the basket


class TransferRule(NamedTuple):
    """Levels of the transfer policy (units of one SKU)."""

    below: int
    up_to: int
    hub_keeps: int


Allocate = Callable[[Sequence[SiteOption], bool, int], int | None]
Send = Callable[[int, int, TransferRule], int]

SITE_ALLOCATION: dict[str, Allocate] = {}
TRANSFER: dict[str, Send] = {}
allocation = registrar(SITE_ALLOCATION)
transfer = registrar(TRANSFER)


def _best(options: Sequence[SiteOption], key: Callable[[SiteOption], tuple[float, ...]]) -> int:
    return min(options, key=key).site


@allocation("nearest_with_stock")
def nearest_with_stock(options: Sequence[SiteOption], walk_in: bool, guard: int) -> int | None:
    """The nearest site that shows the basket in stock (ties: the lower site index)."""
    stocked = [o for o in options if o.shown >= 0]
    return _best(stocked, lambda o: (o.km, o.site)) if stocked else None


@allocation("cheapest")
def cheapest(options: Sequence[SiteOption], walk_in: bool, guard: int) -> int | None:
    """The site with the lowest shipping cost that shows the basket (ties: the nearest)."""
    stocked = [o for o in options if o.shown >= 0]
    return _best(stocked, lambda o: (o.cost, o.km, o.site)) if stocked else None


@allocation("keep_store_stock_for_walk_ins")
def keep_store_stock_for_walk_ins(
    options: Sequence[SiteOption], walk_in: bool, guard: int
) -> int | None:
    """Online orders leave ``guard`` units of each SKU on store shelves for walk-ins: the
    nearest warehouse that shows stock, else the nearest store with more than the guard.
    A walk-in customer takes from the nearest site showing stock (their store)."""
    if walk_in:
        return nearest_with_stock(options, walk_in, guard)
    stocked = [o for o in options if (o.shown >= guard if o.store else o.shown >= 0)]
    return _best(stocked, lambda o: (o.store, o.km, o.site)) if stocked else None


@transfer("none")
def no_transfer(units_here: int, hub_on_hand: int, rule: TransferRule) -> int:
    """Sites get stock only from their own replenishment."""
    return 0


@transfer("top_up_from_hub")
def top_up_from_hub(units_here: int, hub_on_hand: int, rule: TransferRule) -> int:
    """At or below ``below``: send enough to reach ``up_to``, keeping ``hub_keeps`` at the hub."""
    if units_here > rule.below:
        return 0
    return max(0, min(rule.up_to - units_here, hub_on_hand - rule.hub_keeps))
