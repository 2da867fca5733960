"""Supply and stock builders: prices, the bonded stock pool, its replenishment, returns.

:func:`build_prices` draws the catalogues' prices; :func:`build_pool` sizes the
initial stock from the expected demand and makes the one pool behind every
channel (with each channel's allocation rule); :func:`build_replenishment` makes
one policy per SKU class (its periodic reviews are scheduled now, so it runs
where the build order says); :func:`build_reserve` the route stage ``reserve``;
:func:`build_returns` what happens after an order completes. Random streams:
``catalogue.price``, ``airport.catalogue.price``, ``supply.*``, ``returns.*``.
This module must not decide an order's fate: the hooks come from the order flow.
"""

from __future__ import annotations

import math

from ..customers import zipf_probabilities
from ..facilities.customs import QuotaBook
from ..facilities.flights import preorders_per_day
from ..facilities.reserve import ReserveStage
from ..facilities.stock import ALLOCATION, StockPool
from ..facilities.supply import REPLENISHMENT, ClassReplenishment, sku_levels
from ..plan import SegmentPlan
from ..returns import ChannelReturns, Returns, sku_returns
from ..scenario.warehouse import class_blocks
from ..sizing_choice import reserving_share
from .context import Build
from .marketing import acquired_units_per_day
from .registry import register_shared


def build_prices(b: Build) -> None:
    """Each SKU's price: the main catalogue, then the duty-free one's (SKU ids follow)."""
    sc = b.scenario
    cat = sc.catalogue
    price_rng = b.streams.stream("catalogue.price")
    b.prices = [round(p, 2) for p in cat.price_cny.block(price_rng, cat.skus).tolist()]
    if sc.airport is not None:
        # The duty-free catalogue's SKU ids follow the main catalogue's, in one stock pool.
        duty_free = sc.airport.catalogue
        rng = b.streams.stream("airport.catalogue.price")
        b.prices += [round(p, 2) for p in duty_free.price_cny.block(rng, duty_free.skus)]


def build_pool(b: Build) -> None:
    """The bonded stock pool (a scenario without a warehouse has none) and the quota book."""
    b.quota = QuotaBook()
    wh = b.scenario.warehouse
    if wh is None:
        return
    daily = daily_demand(b)
    rep = wh.replenishment
    blocks = class_blocks(len(daily), [c.share for c in rep.classes])
    initial = [0] * len(daily)
    for spec, block in zip([*rep.classes, rep], blocks, strict=True):
        days = wh.initial_stock_days if spec.initial_stock_days is None else spec.initial_stock_days
        for sku in block:
            initial[sku] = (
                wh.initial_stock_units
                if wh.initial_stock_units is not None
                else math.ceil(daily[sku] * days)
            )
    allocate = ALLOCATION[wh.allocation.policy]
    priority = wh.allocation.priority
    rules = [
        allocate(
            priority.index(c.name) if c.name in priority else len(priority),
            c.walk_in,
            wh.allocation.guard_units,
        )
        for c in b.plan.channels
    ]
    b.pool = b.add(
        "stock pool",
        StockPool(
            b.env,
            b.ledger,
            initial,
            wh.unlimited_stock,
            rules,
            [c.backorder for c in b.plan.channels],
            [c.synced for c in b.plan.channels],
            wh.sync_lag,
        ),
    )
    b.daily_demand = daily


def build_replenishment(b: Build) -> None:
    """One :class:`ClassReplenishment` per SKU class with a policy; the rest last."""
    wh, pool = b.scenario.warehouse, b.pool
    if wh is None or pool is None or wh.unlimited_stock:
        return
    rep, daily = wh.replenishment, b.daily_demand
    blocks = class_blocks(len(daily), [c.share for c in rep.classes])
    # The unnamed rest keeps the stream name it always had.
    streams = [f"supply.{c.name}.lead_time" for c in rep.classes] + ["supply.lead_time"]
    for spec, block, stream in zip([*rep.classes, rep], blocks, streams, strict=True):
        if spec.policy == "none" or not len(block):
            continue
        lead_time = rep.modes[spec.mode] if spec.mode else spec.lead_time
        b.replenishment.append(
            ClassReplenishment(
                b.env,
                pool,
                list(block),
                sku_levels(spec, [daily[k] for k in block]),
                REPLENISHMENT[spec.policy],
                spec.review,
                b.draw(stream, lead_time),
            )
        )


def build_reserve(b: Build) -> None:
    """Route stage ``reserve``: customers who answer stock-outs go to the responder."""
    if b.pool is None:
        return
    flow, responder = b.flow, b.responder
    b.reserve = b.add(
        "stage 'reserve'",
        ReserveStage(
            b.env,
            b.pool,
            b.book,
            done=flow.advance,
            lost=flow.lost_sale,
            cancelled=flow.cancelled,
            stocked_out=None if responder is None else responder.respond,
            responds=() if responder is None else responder.responds,
        ),
    )
    b.stages["reserve"] = b.reserve


register_shared("reserve")


def build_returns(b: Build) -> None:
    """Per channel its return rate and delay; per SKU its category's figures."""
    sc = b.scenario
    channels = [
        ChannelReturns(
            c.return_rate,
            b.uniform(f"returns.{c.name}"),
            b.draw(f"returns.{c.name}.delay", c.return_after),
        )
        if c.returns
        else None
        for c in b.plan.channels
    ]
    skus = sku_returns([sc.catalogue] + ([sc.airport.catalogue] if sc.airport else []))
    resell = b.uniform("returns.resell") if any(r < 1.0 for r in skus.resellable) else None
    b.returns = Returns(b.env, b.book, b.pool, b.quota, channels, skus, resell, b.prices)


def supply_counters(b: Build) -> dict[str, int]:
    """Purchase orders and units ordered since the start, over every SKU class."""
    return {
        "purchase_orders": sum(r.purchase_orders for r in b.replenishment),
        "units_ordered": sum(r.units_ordered for r in b.replenishment),
    }


def daily_demand(b: Build) -> list[float]:
    """Expected units per day per SKU (main, then duty-free) from channels that reserve.

    Each segment's share of arrivals that reserve follows its choice model, or its
    ``channel_shares`` as an explicit override (:mod:`o2osim.sizing_choice`); store visits
    count with their store's purchase probability; peak days are ignored.
    """
    sc, plan = b.scenario, b.plan

    def share(seg: SegmentPlan) -> tuple[float, float]:
        return reserving_share(plan, seg, b.choosers[seg.index], b.streams)

    units = 0.0
    for seg in plan.segments:
        if seg.config.source == "poisson":
            # Operation order kept from before choice-based sizing (same floats).
            part, total = share(seg)
            units += (
                (seg.config.arrivals_per_day or 0.0) * part / total * sc.catalogue.items_per_order
            )
    if sc.marketing is not None:  # campaigns' customers (docs/marketing.md)
        units += acquired_units_per_day(b)
    probs = zipf_probabilities(sc.catalogue.skus, sc.catalogue.popularity.a)
    demand: list[float] = (probs * units).tolist()
    if sc.airport is not None:
        duty_free = sc.airport.catalogue
        flying = [share(s) for s in plan.segments if s.config.source == "flights"]
        travellers = sum(part / total for part, total in flying)
        units = (
            preorders_per_day(sc.airport, sc.scenario.start.weekday())
            * travellers
            * duty_free.items_per_order
        )
        probs = zipf_probabilities(duty_free.skus, duty_free.popularity.a)
        demand += (probs * units).tolist()
    return demand
