"""Marketing builder: each campaign's acquired customers, their orders and their arrivals.

Runs after the segments' own arrivals (:func:`o2osim.builders.demand.build_arrivals`),
so a scenario without ``[marketing]`` schedules exactly what it did before. Per
campaign: an order factory on the campaign's channel with streams of its own
(``marketing.SEGMENT.CHANNEL.*``: basket, home, arrivals, repeat decisions and gaps),
and an arrival process at ``lift_share()`` times the segment's hourly rates. This
module must not decide an order's fate: orders go to the order flow's ``place``.
"""

from __future__ import annotations

from ..city import homes
from ..customers import ArrivalProcess, OrderFactory, arrival_rates
from ..marketing import Acquisition
from ..scenario.marketing import Campaign, first_acquired_id
from .context import Build


def build_marketing(b: Build) -> list[Acquisition]:
    """Start every campaign's acquired customers (none without ``[marketing]``)."""
    sc = b.scenario
    marketing = sc.marketing
    if marketing is None or not marketing.campaigns:
        return []
    first, count = first_acquired_id(sc), len(marketing.campaigns)
    made = []
    for index, campaign in enumerate(marketing.campaigns):
        prefix = f"marketing.{campaign.segment}.{campaign.channel}"
        acquisition = Acquisition(
            b.env,
            b.book,
            _factory(b, campaign, prefix),
            (first + index, count),
            marketing.repeat_probability(campaign),
            b.uniform(f"{prefix}.repeat"),
            b.draw(f"{prefix}.repeat_after", campaign.repeat_after),
            sc.scenario.horizon,
            b.flow.place,
        )
        seg = next(s for s in b.plan.segments if s.name == campaign.segment)
        share = campaign.lift_share()
        rates = arrival_rates(
            seg.config, sc.scenario.start, sc.scenario.horizon, sc.customers.calendar
        )
        ArrivalProcess(
            b.env,
            [rate * share for rate in rates],
            sc.scenario.horizon,
            b.streams.stream(f"{prefix}.arrivals"),
            acquisition.arrive,
        )
        made.append(acquisition)
    return made


def _factory(b: Build, campaign: Campaign, prefix: str) -> OrderFactory:
    """Orders of the campaign's customers: its segment's basket on its channel."""
    sc, plan = b.scenario, b.plan
    seg = next(s for s in plan.segments if s.name == campaign.segment)
    channel = plan.channel(campaign.channel)
    streams = {part: b.streams.stream(f"{prefix}.{part}") for part in ("skus", "lines", "channel")}
    return OrderFactory(
        b.book,
        seg.index,
        [channel.index],
        [1.0],
        sc.catalogue,
        b.prices,
        sc.customs.tax_rate,
        streams,
        homes(
            seg.config.distance_km,
            b.streams.stream(f"{prefix}.distance"),
            b.streams.stream(f"{prefix}.direction"),
            seg.around_position,
            plan.detour,
        ),
        [None if c.depot == seg.around else c.depot_position for c in plan.channels],
        plan.detour,
        b.flow.place,
        tax_rates=[seg.tax_rates[seg.position[channel.index]]],
    )


def acquired_units_per_day(b: Build) -> float:
    """Expected units a day the campaigns' customers take from the stock pool: the
    segment's rate x the campaign's lift x 1 / (1 - p) purchases x items per order, on
    channels that reserve (store visits at their store's purchase probability)."""
    sc, plan = b.scenario, b.plan
    marketing = sc.marketing
    if marketing is None:
        return 0.0
    units = 0.0
    for campaign in marketing.campaigns:
        channel = plan.channel(campaign.channel)
        if not channel.reserves:
            continue
        seg = next(s for s in sc.customers.segments if s.name == campaign.segment)
        buys = sc.segment_store(seg).purchase_probability if channel.walk_in else 1.0
        purchases = 1.0 / (1.0 - marketing.repeat_probability(campaign))
        per_day = (seg.arrivals_per_day or 0.0) * campaign.lift_share() * purchases * buys
        units += per_day * sc.catalogue.items_per_order
    return units
