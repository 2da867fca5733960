"""Last-mile builders: the depots' pickers, the courier fleets, presale holds.

Each depot under ``[depots]`` has its pickers (stage ``front_pick`` of the
channels fulfilled there); each fleet is the fast path
(:class:`~o2osim.facilities.couriers.RiderFleet`) when it is a plain c-server
queue, else the general dispatcher (its shifts start now), one per zone when
its couriers are bound to delivery zones; a presale channel
holds its orders until their slot (``hold``, one per channel). Random streams:
``depots.*``, ``couriers.*``, ``fleets.*``. This module must not decide an
order's fate: finished orders go to the order flow's ``advance``, failed ones to
its ``fail``.
"""

from __future__ import annotations

import itertools

from ..city import ZoneMap, traffic_factors
from ..dispatch import DISPATCH_POLICIES
from ..facilities.couriers import RiderFleet, Travel
from ..facilities.fleet import Fleet
from ..facilities.staging import Hold
from ..facilities.station import Station
from ..facilities.warehouse import line_service
from ..facilities.zoned_fleet import ZonedFleet
from ..plan import ChannelPlan
from ..scenario import COURIERS, Couriers, depot_resource, fleet_resource
from ..wiring import RouteStage
from .context import Build
from .registry import register_stage


def build_last_mile(b: Build) -> None:
    """The depots' pickers and every fleet."""
    sc, book = b.scenario, b.book
    for name, depot in sc.depots.items():
        b.front[name] = b.add(
            f"pickers of depot {name!r}",
            Station(
                b.env,
                depot_resource(name),
                depot.pickers,
                line_service(b.draw(f"depots.{name}.pick_time", depot.pick_time), book.skus),
                book.column("pick_queued"),
                book.column("pick_start"),
                book.column("picked"),
                stage="front_pick",
                done=b.flow.advance,
            ),
        )
    for name, config in sc.all_fleets().items():
        b.fleets[name] = b.add(f"fleet {name!r}", _fleet(b, name, config))


def _fleet(b: Build, name: str, config: Couriers) -> RiderFleet | Fleet | ZonedFleet:
    """The fast path for a plain fleet (a c-server queue), else the general dispatcher;
    couriers bound to zones are one general dispatcher per zone."""
    sc = b.scenario
    prefix = COURIERS if name == COURIERS else f"fleets.{name}"
    speed = config.speed_kmh
    travel = Travel(
        speed=(
            itertools.repeat(float(speed)).__next__
            if isinstance(speed, int | float)
            else b.draw(f"{prefix}.speed", speed)
        ),
        handover=b.draw(f"{prefix}.handover_time", config.handover_time),
        traffic=traffic_factors(sc.city.traffic_profile),
        detour=sc.city.detour_factor,
        depot=sc.depot_position(config.depot),
        trip=(b.draw(f"{prefix}.trip_time", config.trip_time) if config.trip_time else None),
    )
    resource = fleet_resource(name)
    if config.simple:
        return RiderFleet(b.env, resource, config.riders, travel, b.book, done=b.flow.advance)
    absent = b.uniform(f"{prefix}.absent") if config.absent_rate else None

    def general(spec: Couriers, first_rider: int = 0) -> Fleet:
        return Fleet(
            b.env,
            resource,
            spec,
            travel,
            b.book,
            DISPATCH_POLICIES[config.dispatch],
            absent,
            done=b.flow.advance,
            fail=b.flow.fail,
            first_rider=first_rider,
        )

    zones = config.zones
    if zones is None or zones.pooling == "pooled":
        return general(config)
    fleets, first = [], 0
    for riders in zones.split(config.riders):
        fleets.append(general(config.model_copy(update={"riders": riders, "zones": None}), first))
        first += riders
    zone_of = ZoneMap(travel.depot, zones.sectors, zones.rings_km)
    return ZonedFleet(resource, fleets, zone_of, b.book)


def _front_pick(b: Build, channel: ChannelPlan) -> RouteStage:
    return b.front[channel.depot]


def _deliver(b: Build, channel: ChannelPlan) -> RouteStage:
    return b.fleets[channel.fleet]


def _hold(b: Build, channel: ChannelPlan) -> RouteStage:
    slots = channel.slots
    if slots is None:
        raise ValueError(f"channel {channel.name!r} holds orders but has no slots")
    return Hold(b.env, slots.release_before, b.book, done=b.flow.advance)


register_stage("front_pick", _front_pick)
register_stage("deliver", _deliver)
register_stage("hold", _hold)
