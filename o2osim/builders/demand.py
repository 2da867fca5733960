"""Demand builders: customers, their memories and choices, journeys, orders, arrivals.

Per segment: its customers' memory (a finite population that remembers), its
channel choice (a logit chooser, or fixed shares), whether a rejected customer
splits the basket, its journeys between store and online shop, its stock-out
responses, and the order factory that builds its orders; the arrival processes
are started last (they schedule the first arrivals, so the build order puts them
after every facility). Random streams: ``basket.*``, ``customers.*``,
``arrivals.*``. This module must not decide an order's fate: new orders go to the
order flow's ``place`` (through a webroomer's detour where the segment has one).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from ..choice import CHOICE_POLICIES, Chooser, Offer, Taste
from ..city import homes, road_km
from ..customers import ArrivalProcess, CustomerMemory, OrderFactory, arrival_rates
from ..distributions import Draw
from ..journeys import CustomerJourneys, Showroom, Webroom
from ..plan import SegmentPlan
from ..scenario.marketing import marketed_trust
from ..stockouts import Responder, Rule, rule
from ..units import HOUR
from ..wiring import Hook
from .context import Build
from .warehouse import one_line_baskets


def build_customers(b: Build) -> list[Draw | None]:
    """Each segment's memory and chooser, and its split draws (for the order flow)."""
    first_customer = 0
    split: list[Draw | None] = []
    marketing = b.scenario.marketing
    for seg in b.plan.segments:
        memory = None
        population = seg.config.population
        b.populations.append((first_customer, population) if population else None)
        if population:
            if seg.memory is not None:
                memory = CustomerMemory(
                    seg.memory,
                    first_customer,
                    population,
                    [
                        marketed_trust(
                            marketing, seg.name, b.plan.channels[c].name, b.plan.channels[c].trust
                        )
                        for c in seg.channels
                    ],
                )
            first_customer += population
        b.memories.append(memory)
        split.append(
            b.uniform(f"customers.{seg.name}.split") if seg.split_on_rejection > 0 else None
        )
        b.choosers.append(_chooser(b, seg) if seg.config.choice != "shares" else None)
    return split


def _chooser(b: Build, seg: SegmentPlan) -> Chooser:
    """The segment's channel choice on what each of its channels offers."""
    sc = b.scenario
    offers = []
    for index, tax_rate in zip(seg.channels, seg.tax_rates, strict=True):
        channel = b.plan.channels[index]
        fee = sc.economics.delivery_fees.get(channel.name)
        offers.append(
            Offer(
                tax_rate=tax_rate,
                fee_cny=fee.fee_cny if fee is not None else 0.0,
                free_above_cny=fee.free_above_cny if fee is not None else None,
                promised_hours=(channel.perceived_promise or 0.0) / HOUR,
                travels=channel.customer_travels,
                depot=None if channel.depot == seg.around else channel.depot_position,
                trust=marketed_trust(sc.marketing, seg.name, channel.name, channel.trust),
                max_km=channel.max_distance_km,
                radius=_delivery_radius(b, channel.name, channel.depot_position),
            )
        )
    logit = seg.config.logit
    taste = Taste(
        shares=seg.shares,
        constants=tuple(logit.constants.get(b.plan.channels[c].name, 0.0) for c in seg.channels),
        per_cny=logit.per_cny,
        per_promised_hour=logit.per_promised_hour,
        per_travel_km=logit.per_travel_km,
        per_trust=logit.per_trust,
    )
    detour = b.plan.detour
    if sc.trade is not None:  # an export market: choose on the landed price
        from ..trade.choice import landed_chooser

        names = [b.plan.channels[c].name for c in seg.channels]
        return landed_chooser(b, seg.config.choice, taste, offers, names)
    return Chooser(
        CHOICE_POLICIES[seg.config.choice], taste, offers, lambda a, c: road_km(a, c, detour)
    )


def _delivery_radius(
    b: Build, channel: str, depot: tuple[float, float]
) -> tuple[float, float, float] | None:
    """A channel's delivery radius (``[instant.CHANNEL]``) as the chooser sees it: the
    customer beyond it does not see the channel (formats.md)."""
    spec = (b.scenario.instant or {}).get(channel)
    if spec is None or spec.radius_km is None:
        return None
    return (depot[0], depot[1], spec.radius_km)


def build_journeys(b: Build) -> None:
    """Showrooming, webrooming and the conversion of store visitors."""
    showrooms: list[Showroom | None] = []
    for seg in b.plan.segments:
        journey = seg.journey
        showroom = None
        if journey is not None and journey.showrooming > 0 and journey.showroom_channel:
            channel = b.plan.channel(journey.showroom_channel)
            showroom = Showroom(
                journey.showrooming,
                b.uniform(f"customers.{seg.name}.showroom"),
                channel.index,
                seg.tax_rates[seg.position[channel.index]],
                journey.showroom_after,
            )
        showrooms.append(showroom)
    flow = b.flow
    b.journeys = b.add(
        "customer journeys",
        CustomerJourneys(
            b.env,
            b.book,
            [s.journey for s in b.plan.segments],
            b.memories,
            showrooms,
            place=flow.place,
            end=flow.end,
            home_km=flow.customers.home_km,
        ),
    )


def _placing(b: Build, seg: SegmentPlan) -> Hook:
    """How the segment's orders are placed: through the store by a webroomer's detour,
    or directly."""
    journey = seg.journey
    if journey is None or journey.webrooming <= 0 or journey.webroom_channel is None:
        return b.flow.place
    store = b.plan.channel(journey.webroom_channel)
    return b.journeys.webroomer(
        Webroom(
            online=[seg.position[c.index] >= 0 and not c.walk_in for c in b.plan.channels],
            store=store.index,
            tax_rate=seg.tax_rates[seg.position[store.index]],
            chance=journey.webrooming,
            uniform=b.uniform(f"customers.{seg.name}.webroom"),
            after=journey.webroom_after,
        )
    )


def build_factories(b: Build) -> None:
    """Each segment's order factory (travellers buy duty-free, tax-free, at the gate)."""
    sc, plan = b.scenario, b.plan
    for seg in plan.segments:
        config = seg.config
        customers = b.populations[seg.index]
        parts = (
            ("skus", "lines", "channel")
            + (("identity",) if customers else ())
            + (("come_back",) if seg.memory else ())
        )
        streams = {part: b.streams.stream(f"basket.{seg.name}.{part}") for part in parts}
        shares = list(seg.shares)
        chooser = b.choosers[seg.index]
        tax_rates = list(seg.tax_rates)
        place = _placing(b, seg)
        if seg.flying and sc.airport is not None:
            b.factories.append(
                OrderFactory(
                    b.book,
                    seg.index,
                    list(seg.channels),
                    shares,
                    sc.airport.catalogue,
                    b.prices,
                    sc.airport.tax_rate,
                    streams,
                    itertools.repeat((0.0, 0.0, 0.0)).__next__,
                    [None] * len(plan.channels),
                    1.0,
                    b.flow.place,
                    sku_offset=sc.catalogue.skus,
                    customers=customers,
                    chooser=chooser,
                    tax_rates=tax_rates,
                )
            )
            continue
        depots = [None if c.depot == seg.around else c.depot_position for c in plan.channels]
        b.factories.append(
            OrderFactory(
                b.book,
                seg.index,
                list(seg.channels),
                shares,
                sc.catalogue,
                b.prices,
                sc.customs.tax_rate,
                streams,
                homes(
                    config.distance_km,
                    b.streams.stream(f"customers.{seg.name}.distance"),
                    b.streams.stream(f"customers.{seg.name}.direction"),
                    seg.around_position,
                    plan.detour,
                ),
                depots,
                plan.detour,
                place,
                customers=customers,
                chooser=chooser,
                tax_rates=tax_rates,
                memory=b.memories[seg.index],
            )
        )


def build_responder(b: Build) -> None:
    """Segments with a ``stockout`` table decide what a stock-out makes them do."""
    sc, plan = b.scenario, b.plan
    if b.pool is None or all(s.stockout is None for s in plan.segments):
        return
    rules: list[Rule | None] = []
    for seg in plan.segments:
        if seg.stockout is None:
            rules.append(None)
            continue
        prefix = f"customers.{seg.name}.stockout"
        elsewhere = [c for c in seg.channels if not plan.channels[c].reserves]
        rules.append(
            rule(seg.stockout, b.uniform(prefix), b.uniform(f"{prefix}.switch"), elsewhere)
        )
    main = sc.catalogue.skus
    catalogues = [(0, main - 1)]
    if sc.airport is not None:
        catalogues.append((main, main + sc.airport.catalogue.skus - 1))
    flow = b.flow
    b.responder = b.add(
        "stock-out responses",
        Responder(
            b.env,
            b.book,
            b.pool,
            rules,
            b.prices,
            catalogues,
            end=flow.end,
            switch=flow.switch_channel,
            weights=flow.customers.choice_weights,
            done=flow.advance,
        ),
    )


def build_arrivals(b: Build) -> None:
    """Start each Poisson segment's arrivals (travellers come with their flights)."""
    sc = b.scenario
    horizon = sc.scenario.horizon
    # The routes' entries are final now (routes and sellers are built): a factory that
    # places into the order flow hands its orders to them itself.
    entries = b.flow.entries
    one_line = one_line_baskets(b)
    for seg, factory in zip(b.plan.segments, b.factories, strict=True):
        if seg.flying and sc.airport is not None:
            continue
        placing = entries if factory.place == b.flow.place else None
        ArrivalProcess(
            b.env,
            arrival_rates(seg.config, sc.scenario.start, horizon, sc.customers.calendar),
            horizon,
            b.streams.stream(f"arrivals.{seg.name}"),
            (one_line_arrival(factory, placing) if one_line else None) or factory.arrival(placing),
        )


def one_line_arrival(
    factory: OrderFactory, entries: Sequence[Hook] | None
) -> Callable[[float], None] | None:
    """The factory's ``arrival`` for its simplest segment, else None: one channel without
    a depot of its own, no chooser, memory or finite population, orders placed into the
    order flow; call it only when every basket has one line (``one_line_baskets``). The
    same draws in the same order as ``OrderFactory._new`` (the SKU, then the home; one
    line and one channel draw nothing), with one call and none of its tests per order."""
    if (
        entries is None
        or factory.chooser is not None
        or factory.memory is not None
        or factory.customer is not None
        or factory.several_channels
    ):
        return None
    channel, segment, tax_rate = factory.channels[0], factory.segment, factory.tax_rates[0]
    if factory.depots[channel] is not None:
        return None
    next_sku, home, prices, new = factory.next_sku, factory.home, factory.prices, factory.book.new

    def arrive(time: float) -> None:
        sku = next_sku()
        value = prices[sku]
        x, y, km = home()
        entries[channel](new(time, segment, channel, (sku,), value, value * tax_rate, km, x, y))

    return arrive


def memory_counters(b: Build) -> dict[str, int]:
    """Arrivals whose customer stayed away (only where some segment remembers)."""
    if all(m is None for m in b.memories):
        return {}
    return {"stayed_away": sum(m.stayed_away for m in b.memories if m is not None)}
