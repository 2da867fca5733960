"""Route builder: each channel's route as stage objects, and how an order enters it.

Every stage of a route is made by the builder registered for it
(:mod:`.registry`); a stage with no builder fails the build, naming it. A station
where some segment's customers wait in person is met through an
:class:`~o2osim.facilities.patience.Impatient` wrapper (one per station, shared by
its channels); the airport's and the stores' queues have their own (their family
builders make them).

An order enters its route through its channel's *entry*: the first stage itself,
or a check in front of it that refuses orders from beyond the channel's
``max_distance_km`` and records the slot a presale customer picks (stream
``channels.CHANNEL.slot``). This module must not decide anything else about an
order.
"""

from __future__ import annotations

import math

from ..facilities.station import Station
from ..plan import ChannelPlan
from ..promises import SlotChooser
from ..recorder import Outcome, Reason
from ..scenario import stages
from ..wiring import Hook, RouteStage, WiringError
from .context import Build
from .formats import format_entry
from .patience import impatient
from .registry import STAGE_BUILDERS


def build_routes(b: Build) -> None:
    """Make every channel's route and entry and connect them to the order flow."""
    routes, entries = [], []
    for channel in b.plan.channels:
        route = tuple(_stage(b, channel, stage) for stage in channel.route)
        routes.append(tuple(s.arrive for s in route))
        entries.append(format_entry(b, channel, _entry(b, channel, route[0].arrive)))
    b.flow.connect(routes, entries)


def _stage(b: Build, channel: ChannelPlan, stage: str) -> RouteStage:
    """The object serving ``stage`` of ``channel``."""
    label = f"stage {stage!r} of channel {channel.name!r}"
    builder = STAGE_BUILDERS.get(stage)
    if builder is None:
        raise WiringError(
            f"{label}: no builder is registered for the stage "
            "(o2osim.builders.registry.register_stage)"
        )
    found = b.add(label, builder(b, channel))
    row = stages.STAGE_ROWS.get(stage)
    airport = row is not None and row.family == "airport"
    if airport or not isinstance(found, Station) or not b.plan.waits_at(stage):
        return found
    return impatient(b, found, stage)


def _entry(b: Build, channel: ChannelPlan, first: Hook) -> Hook:
    """How an order of ``channel`` enters its route (see the module docstring)."""
    radius = channel.max_distance_km
    if radius is None and channel.slots is None:
        return first
    env, end, distance = b.env, b.flow.end, b.book.distance
    slot_start = b.book.column("slot_start")
    choose = None
    if channel.slots is not None:
        choose = SlotChooser(channel.slots, b.uniform(f"channels.{channel.name}.slot"))

    def enter(order_id: int) -> None:
        # The slot is picked on entering: the order time, or later for a customer who
        # came back to this channel after a stock-out elsewhere.
        start = choose(env.now) if choose is not None else math.nan
        if radius is not None and distance[order_id] > radius:
            end(order_id, Outcome.REJECTED, Reason.OUT_OF_AREA, at_stage=False)
            return
        if choose is not None:
            slot_start[order_id] = start
        first(order_id)

    return enter
