"""Stock sizing that follows the choice model: the share of a segment's arrivals that
draws on the bonded pool, computed before time 0 from the scenario.

The pool's initial stock and its replenishment levels are days of expected demand
(:func:`o2osim.builders.supply.daily_demand`). Which part of a segment's arrivals
becomes that demand depends on the channel each customer takes:

- a segment with ``channel_shares`` is sized on those shares as written (an explicit
  override, and the behaviour of every scenario before choice-based sizing), unless
  ``warehouse.size_from_choice`` is true;
- otherwise the shares are those the choice model realises: the configured (or equal)
  shares of a ``shares`` segment; for a logit segment the expected logit probabilities
  (McFadden 1974) over its customers' baskets and homes -- the closed form when every
  customer sees the same options, else the mean over :data:`SAMPLE` customers drawn from
  the stream ``sizing.<segment>`` --; then the journeys' expected flow (webroomers move
  to the store and buy there with their own probability, visitors who leave without
  buying showroom online; GfK 2014).

A store visit reserves only if the visitor buys (the store's ``purchase_probability``).
Second-order effects are left out: stock-out responses (a substitute takes as many
units as it replaces; a switch happens only after a stock-out), bad experiences at the
door, memories that change trust and propensity during the run, and peak days.

This module computes numbers only: it must not build facilities or change the choice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .choice import Chooser
from .city import homes
from .customers import zipf_probabilities
from .plan import Plan, SegmentPlan
from .randomness import Streams
from .scenario import Catalogue, Segment

#: Customers drawn to estimate a logit segment's mean choice probabilities when the
#: options differ between customers (# assumption: sampling error of a share ~0.5%).
SAMPLE = 4096


def configured_share(plan: Plan, seg: Segment) -> tuple[float, float]:
    """(reserving weight, total weight) of ``channel_shares`` (equal when unset); store
    visits count with their store's purchase probability. Arithmetic as before choice-based
    sizing, so scenarios sized this way keep their numbers exactly."""
    sc = plan.scenario
    shares = seg.channel_shares or [1.0] * len(seg.channels)
    share = 0.0
    for name, weight in zip(seg.channels, shares, strict=True):
        channel = plan.channel(name)
        if not channel.reserves:
            continue
        if channel.walk_in:
            weight *= sc.segment_store(seg).purchase_probability
        share += weight
    return share, sum(shares)


def follows_choice(plan: Plan, seg: Segment) -> bool:
    """Is the segment sized from the choice model (not from its ``channel_shares``)?
    Not with unlimited stock: nothing is sized there, so nothing is computed either."""
    wh = plan.scenario.warehouse
    if wh is None or wh.unlimited_stock:
        return False
    return wh.size_from_choice or seg.channel_shares is None


def reserving_share(
    plan: Plan, segment: SegmentPlan, chooser: Chooser | None, streams: Streams | None
) -> tuple[float, float]:
    """(reserving part, total) of one arrival of ``seg``: their ratio is the expected
    number of orders per arrival that take units from the pool.

    ``chooser`` is the segment's logit chooser (None for ``shares``); ``streams`` gives
    the sample of customers when the logit's options vary between them.
    """
    seg = segment.config
    if not follows_choice(plan, seg) or _as_configured(plan, seg):
        return configured_share(plan, seg)
    probabilities = choice_probabilities(plan, segment, chooser, streams)
    return expected_flow(plan, seg, probabilities), 1.0


def _as_configured(plan: Plan, seg: Segment) -> bool:
    """Does the configured arithmetic already give the choice model's flow? Without
    journeys: for fixed shares (they are the choice), or when every channel reserves and
    none is a store visit (all arrivals reserve whatever they choose: exactly 1)."""
    if seg.journeys is not None:
        return False
    channels = [plan.channel(name) for name in seg.channels]
    return seg.choice == "shares" or all(c.reserves and not c.walk_in for c in channels)


def choice_probabilities(
    plan: Plan, segment: SegmentPlan, chooser: Chooser | None, streams: Streams | None
) -> list[float]:
    """The segment's expected channel probabilities, in the order of its channels."""
    seg = segment.config
    if chooser is None or seg.choice == "shares":
        shares = seg.channel_shares or [1.0] * len(seg.channels)
        total = sum(shares)
        return [s / total for s in shares]
    if _same_options(chooser):
        # Closed form: every customer sees the same differences between the options.
        return chooser.probabilities(100.0, *segment.around_position, 0.0)
    if streams is None:
        raise ValueError(f"segment {seg.name!r}: a sample stream is needed to size its stock")
    return _sampled(plan, segment, chooser, streams)


def _same_options(chooser: Chooser) -> bool:
    """Do all customers face the same utility differences? (No travel, no distance limit or
    delivery radius, one tax rate, no fee waived above a basket value.)"""
    if type(chooser) is not Chooser:  # a landed-price chooser: its prices move with time
        return False
    offers = chooser.offers
    return (
        not chooser.limited  # an option some homes cannot have (max_km, a radius)
        and not any(o.travels or o.free_above_cny is not None for o in offers)
        and len({o.tax_rate for o in offers}) == 1
    )


def _sampled(plan: Plan, segment: SegmentPlan, chooser: Chooser, streams: Streams) -> list[float]:
    """Mean choice probabilities over :data:`SAMPLE` customers (basket and home as the
    order factory draws them), each with the channels' offered trust."""
    sc, seg = plan.scenario, segment.config
    rng = streams.stream(f"sizing.{seg.name}")
    flying = seg.source == "flights" and sc.airport is not None
    catalogue = sc.airport.catalogue if flying and sc.airport is not None else sc.catalogue
    values = _basket_values(catalogue, _prices(catalogue, rng), rng)
    if flying:
        place: Callable[[], tuple[float, float, float]] = lambda: (0.0, 0.0, 0.0)  # noqa: E731
    else:
        place = homes(seg.distance_km, rng, rng, segment.around_position, plan.detour, SAMPLE)
    total = np.zeros(len(seg.channels))
    for value in values:
        total += chooser.probabilities(value, *place())
    return (total / SAMPLE).tolist()


def _prices(catalogue: Catalogue, rng: np.random.Generator) -> np.ndarray:
    # Drawn afresh: the run's own price draws are not made yet and must not move.
    return np.round(catalogue.price_cny.block(rng, catalogue.skus), 2)


def _basket_values(catalogue: Catalogue, prices: np.ndarray, rng: np.random.Generator) -> list:
    """:data:`SAMPLE` basket values, CNY before tax: Zipf SKUs, 1 + Poisson extra lines."""
    cdf = np.cumsum(zipf_probabilities(catalogue.skus, catalogue.popularity.a))
    cdf[-1] = 1.0
    lines = 1 + rng.poisson(max(catalogue.items_per_order - 1.0, 0.0), SAMPLE)
    skus = np.minimum(
        np.searchsorted(cdf, rng.random(int(lines.sum())), side="right"), len(cdf) - 1
    )
    ends = np.cumsum(lines)
    return np.add.reduceat(prices[skus], ends - lines).tolist()


def expected_flow(plan: Plan, seg: Segment, probabilities: Sequence[float]) -> float:
    """Expected orders per arrival that reserve, from the choice probabilities and the
    segment's journeys (see the module docstring)."""
    sc = plan.scenario
    channels = [plan.channel(name) for name in seg.channels]
    buys = sc.segment_store(seg).purchase_probability if any(c.walk_in for c in channels) else 1.0
    journey = seg.journeys
    webroom = journey.webrooming if journey and journey.webroom_channel else 0.0
    online = sum(p for p, c in zip(probabilities, channels, strict=True) if not c.walk_in)
    flow = 0.0
    non_buyers = 0.0
    for p, channel in zip(probabilities, channels, strict=True):
        if channel.walk_in:
            non_buyers += p * (1.0 - buys)
            flow += p * buys if channel.reserves else 0.0
        elif channel.reserves:
            flow += p * (1.0 - webroom)
    if journey is not None and webroom > 0 and journey.webroom_channel is not None:
        store = plan.channel(journey.webroom_channel)
        webroomers = webroom * online
        bought = webroomers * journey.webroom_purchase_probability
        flow += bought if store.reserves else 0.0
        non_buyers += webroomers - bought
    showroom = journey.showroom_channel if journey is not None else None
    if journey is not None and showroom is not None and plan.channel(showroom).reserves:
        flow += non_buyers * journey.showrooming
    return flow
