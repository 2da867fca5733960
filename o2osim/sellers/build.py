"""Wires ``[sellers]`` into a World: checkout per seller, own shipping, own restocking.

:func:`build_sellers` runs after the routes exist (it wraps each channel's entry with
the :class:`~.flow.Checkout`) and before time 0. For every SME it takes the SME's SKUs
out of the platform's replenishment classes; a consignment SME restocks them with its
own policy and lead time (stream ``sellers.NAME.lead_time``) and starts with its
consigned units in the pool; a self-fulfilling SME's SKUs hold no stock in the pool
(streams ``sellers.NAME.handling`` and ``sellers.NAME.transit``). Its purchase orders
are not the platform's ``purchase_orders`` counter (the platform does not pay for
them). This module must not price anything nor decide an order's fate.
"""

from __future__ import annotations

from ..builders.context import Build
from ..facilities.supply import REPLENISHMENT, ClassReplenishment, sku_levels
from ..recorder import Outcome, StockKind
from ..scenario.sellers import Seller
from .flow import Checkout, SelfShipping


def build_sellers(b: Build) -> None:
    """Checkout, shipping and restocking of the scenario's SMEs (if it has any)."""
    sellers = b.scenario.sellers
    if sellers is None:
        return
    names = sellers.names()
    owner_names = sellers.owners(b.scenario.catalogue.skus)
    owner = [names.index(name) for name in owner_names]
    shippers: list[SelfShipping | None] = [None]
    for name, seller in sellers.smes.items():
        _hand_over(b, seller.skus)
        if seller.fulfilment == "self":
            shippers.append(_shipping(b, name, seller))
            _set_initial(b, seller.skus, [0] * len(seller.skus))
        else:
            shippers.append(None)
            _restocking(b, name, seller)
    checkout = Checkout(b.book, b.prices, owner, shippers)
    b.flow.entries = [checkout.entry(entry) for entry in b.flow.entries]


def _hand_over(b: Build, skus: list[int]) -> None:
    """The platform stops restocking ``skus`` (their SME does, or ships them itself)."""
    for policy in b.replenishment:
        policy.hand_over(skus)
    hooks = None if b.pool is None else b.pool.review_hooks
    if hooks is not None:
        for sku in skus:
            hooks[sku] = None


def _set_initial(b: Build, skus: list[int], units: list[int]) -> None:
    """Set the pool's stock of ``skus`` at time 0 (an initial movement in the ledger)."""
    pool = b.pool
    if pool is None or pool.unlimited:
        return
    for sku, level in zip(skus, units, strict=True):
        change = level - pool.on_hand[sku]
        if change:
            pool.on_hand[sku] = level
            b.ledger.add(0.0, sku, StockKind.INITIAL, -1, change, 0, level, pool.on_order[sku])


def _restocking(b: Build, name: str, seller: Seller) -> None:
    """A consignment SME's own policy over its SKUs, and its consigned initial stock."""
    if b.pool is None:
        return
    spec = seller.stock
    levels = sku_levels(spec, [b.daily_demand[k] for k in seller.skus])
    initial = spec.initial_units
    _set_initial(b, seller.skus, [lv.order_up_to if initial is None else initial for lv in levels])
    ClassReplenishment(
        b.env,
        b.pool,
        list(seller.skus),
        levels,
        REPLENISHMENT[spec.policy],
        spec.review,
        b.draw(f"sellers.{name}.lead_time", spec.lead_time),
    )


def _shipping(b: Build, name: str, seller: Seller) -> SelfShipping:
    """A self-fulfilling SME's parcels; an order it delivers ends as a route's end would."""
    env, book, flow = b.env, b.book, b.flow

    def delivered(order_id: int) -> None:
        book.finished[order_id] = env.now
        book.outcome[order_id] = Outcome.DELIVERED
        if flow.channels[book.channel[order_id]].returns:
            flow.returns.after_done(order_id)
        if flow.remembering:
            flow.remember(order_id, None)

    return b.add(
        f"seller {name!r}",
        SelfShipping(
            env,
            b.draw(f"sellers.{name}.handling", seller.handling_time),
            b.draw(f"sellers.{name}.transit", seller.parcel_transit),
            done=delivered,
        ),
    )
