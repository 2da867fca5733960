"""Which builder makes each route stage: the stage registry.

A *stage builder* takes the build context and a channel and returns the object
that serves that stage of the channel (a :class:`~o2osim.wiring.RouteStage`):
the facility a family builder made once for every channel (the bonded pickers),
one per depot or fleet, or a new one per channel (a presale hold). A stage of the
stage table (:mod:`o2osim.scenario.stages`) is built by the builder registered
under its name, so a new stage is one row there plus one :func:`register_stage`
here. This module must not build anything itself.
"""

from __future__ import annotations

from collections.abc import Callable

from ..plan import ChannelPlan
from ..wiring import RouteStage
from .context import Build

#: Makes the object serving one stage of one channel.
StageBuilder = Callable[[Build, ChannelPlan], RouteStage]

#: Stage name -> its builder.
STAGE_BUILDERS: dict[str, StageBuilder] = {}


def register_stage(name: str, builder: StageBuilder) -> None:
    """Let ``builder`` make stage ``name`` of every channel whose route has it."""
    STAGE_BUILDERS[name] = builder


def shared_stage(stage: str) -> StageBuilder:
    """The builder of a stage every channel shares: its family builder made it once."""

    def build(b: Build, channel: ChannelPlan) -> RouteStage:
        return b.stages[stage]

    return build


def register_shared(*names: str) -> None:
    """Register each of ``names`` as a stage every channel shares."""
    for name in names:
        register_stage(name, shared_stage(name))
