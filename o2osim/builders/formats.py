"""Builders of the store formats: presale batches and gate, totes, packing, the radius.

Stage ``presale_batch`` (``[presale.CHANNEL]``) is a
:class:`~o2osim.facilities.batch_pick.BatchPick` that hands a slot's orders together to
the next stage, the depot's pickers; stage ``tote`` (``[instant.CHANNEL]``) is an
infinite-server delay from the picker to the packing point, stream
``instant.CHANNEL.tote_travel``, stamping ``dispatch_queued`` when the tote arrives;
stage ``pack_point`` is the packing station there, a c-server queue (resource
``pack_point``, one per run, time per order from stream ``instant.CHANNEL.pack_time``).
An order enters its channel (:func:`format_entry`) through a
:class:`~o2osim.facilities.presale_gate.PresaleGate` when the presale is members-only or
has an assortment, and through a :class:`~o2osim.facilities.radius.RadiusGate` when the
channel has ``instant.CHANNEL.radius_km``. Their counters are registered with the build
(``presale.CHANNEL.*``, ``instant.CHANNEL.*``). This module must not decide an order's
fate beyond handing it to the order flow's hooks.
"""

from __future__ import annotations

import functools

from .. import membership
from ..distributions import per_order
from ..facilities.batch_pick import BatchPick
from ..facilities.presale_gate import NOT_MEMBER, PresaleGate
from ..facilities.radius import RadiusGate
from ..facilities.station import Delay, Station
from ..plan import ChannelPlan
from ..recorder import Outcome, Reason
from ..wiring import Hook, RouteStage
from .context import Build
from .registry import register_stage


def _batch_pick(b: Build, channel: ChannelPlan) -> RouteStage:
    spec = (b.scenario.presale or {})[channel.name]
    flow = b.flow
    batch = BatchPick(
        b.env,
        b.book,
        spec.batch_lead,
        spec.allotment_per_slot,
        done=b.flow.advance,
        sold_out=lambda order_id: flow.fail(order_id, Outcome.LOST_SALE, Reason.OUT_OF_STOCK),
    )
    b.counters.append(functools.partial(batch.counters, f"presale.{channel.name}"))
    return batch


def _tote(b: Build, channel: ChannelPlan) -> RouteStage:
    travel = (b.scenario.instant or {})[channel.name].tote_travel
    if travel is None:  # the scenario's checks refuse it; the wiring must not guess
        raise ValueError(f"channel {channel.name!r} has a tote stage but no tote_travel")
    stream = f"instant.{channel.name}.tote_travel"
    return Delay(
        b.env, b.draw(stream, travel), b.book.column("dispatch_queued"), done=b.flow.advance
    )


#: The packing point's stage (and resource) name: one packing station per run.
PACK_POINT = "pack_point"


def _pack_point(b: Build, channel: ChannelPlan) -> RouteStage:
    found = b.stages.get(PACK_POINT)
    if found is not None:
        return found
    spec = (b.scenario.instant or {})[channel.name]
    if spec.packers is None or spec.pack_time is None:  # refused by the scenario's checks
        raise ValueError(f"channel {channel.name!r} has a pack_point stage but no packers")
    draw = b.draw(f"instant.{channel.name}.pack_time", spec.pack_time)
    book = b.book
    station = Station(
        b.env,
        PACK_POINT,
        spec.packers,
        per_order(draw),
        book.column("pack_queued"),
        book.column("pack_start"),
        book.column("packed"),
        stage=PACK_POINT,
        done=b.flow.advance,
    )
    b.stages[PACK_POINT] = station
    return station


def format_stations(b: Build) -> list[Station]:
    """The formats' queueing resources to monitor: the packing point, when a route has it."""
    found = b.stages.get(PACK_POINT)
    return [found] if isinstance(found, Station) else []


def format_entry(b: Build, channel: ChannelPlan, entry: Hook) -> Hook:
    """How an order enters ``channel``: through its presale gate and its delivery radius,
    where it has them."""
    return _presale_entry(b, channel, _radius_entry(b, channel, entry))


def _presale_entry(b: Build, channel: ChannelPlan, entry: Hook) -> Hook:
    spec = (b.scenario.presale or {}).get(channel.name)
    if spec is None or not spec.gated:
        return entry
    members = None
    if spec.members_only:
        ranges = membership.member_ranges(b.scenario)
        members = [ranges.get(seg.name) for seg in b.plan.segments]
    assortment = None
    if spec.assortment_skus is not None:
        listed = set(spec.assortment_skus)
        assortment = [sku in listed for sku in range(b.scenario.catalogue.skus)]
    elif spec.assortment_top is not None:
        assortment = [True] * spec.assortment_top
    flow = b.flow
    if spec.otherwise_channel is not None:
        other = b.plan.channel(spec.otherwise_channel).index

        def refused(order_id: int) -> None:
            flow.switch_channel(order_id, other)

    else:

        def refused(order_id: int) -> None:
            # Outside the assortment the basket is not on the presale shelf; a non-member
            # buys elsewhere.
            not_member = gate.last == NOT_MEMBER
            reason = Reason.WENT_ELSEWHERE if not_member else Reason.OUT_OF_STOCK
            flow.end(order_id, Outcome.LOST_SALE, reason, at_stage=False)

    gate = b.add(
        f"presale gate of channel {channel.name!r}",
        PresaleGate(b.book, members, assortment, enter=entry, refused=refused),
    )
    b.counters.append(functools.partial(gate.counters, f"presale.{channel.name}"))
    return gate.arrive


def _radius_entry(b: Build, channel: ChannelPlan, entry: Hook) -> Hook:
    """How an order enters ``channel``: through its delivery radius if it has one."""
    spec = (b.scenario.instant or {}).get(channel.name)
    if spec is None or spec.radius_km is None:
        return entry
    flow = b.flow
    if spec.store_channel is not None:
        store = b.plan.channel(spec.store_channel).index

        def beyond(order_id: int) -> None:
            flow.switch_channel(order_id, store)

    else:

        def beyond(order_id: int) -> None:
            flow.end(order_id, Outcome.REJECTED, Reason.OUT_OF_AREA, at_stage=False)

    gate = b.add(
        f"delivery radius of channel {channel.name!r}",
        RadiusGate(b.book, channel.depot_position, spec.radius_km, enter=entry, beyond=beyond),
    )
    prefix = f"instant.{channel.name}"
    b.counters.append(lambda: {f"{prefix}.beyond_radius": gate.refused})
    return gate.arrive


register_stage("presale_batch", _batch_pick)
register_stage("tote", _tote)
register_stage(PACK_POINT, _pack_point)
