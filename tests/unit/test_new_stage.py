"""Adding a stage is one row of the stage table plus one builder registration.

The test adds a parcel-locker hand-over (the order waits in a locker until its
customer collects it) to the stage table and registers its builder, and nothing
else; an order then walks a route through it, is stamped by it and ends
``collected``, the outcome of the new row.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import ClassVar

import numpy as np
import pytest

from o2osim.builders import STAGE_BUILDERS, Build
from o2osim.distributions import Draw
from o2osim.kernel import Call, call_in, handlers
from o2osim.plan import ChannelPlan
from o2osim.recorder import OrderBook, Outcome
from o2osim.scenario import stages
from o2osim.validation import textbook_scenario
from o2osim.wiring import Hook
from o2osim.world import World

#: The stage table's row of the new stage: it hands the goods over, so it ends a route.
LOCKER = stages.Stage(
    name="locker",
    family="last_mile",
    table=None,
    resource=None,
    end="locker_collected",
    stamps=("locker_loaded", "locker_collected"),
    outcome="collected",
)


class Locker:
    """Route stage ``locker``: the parcel waits ``pickup_wait()`` minutes for its customer."""

    HOOKS: ClassVar[tuple[str, ...]] = ("done",)

    def __init__(self, env: object, book: OrderBook, pickup_wait: Draw, *, done: Hook) -> None:
        self.env = env
        self.pickup_wait = pickup_wait
        self.done = done
        self._loaded = book.column("locker_loaded")
        self._collected = book.column("locker_collected")
        self._on_collected = handlers(self._collect)

    def arrive(self, order_id: int) -> None:
        self._loaded[order_id] = self.env.now  # type: ignore[attr-defined]
        call_in(self.env, self.pickup_wait(), self._on_collected, order_id)  # type: ignore

    def _collect(self, call: Call) -> None:
        self._collected[call.value] = self.env.now  # type: ignore[attr-defined]
        self.done(call.value)


def build_locker(b: Build, channel: ChannelPlan) -> Locker:
    """The one builder of the new stage: its own named stream, its hook from the flow."""
    wait = b.streams.stream(f"channels.{channel.name}.locker_wait")
    return Locker(b.env, b.book, lambda: float(wait.exponential(30.0)), done=b.flow.advance)


def test_a_new_stage_is_one_row_and_one_builder(monkeypatch: pytest.MonkeyPatch) -> None:
    row = replace(LOCKER, order=len(stages.STAGE_TABLE))
    monkeypatch.setattr(stages, "STAGE_TABLE", (*stages.STAGE_TABLE, row))
    monkeypatch.setitem(stages.STAGE_ROWS, "locker", row)
    monkeypatch.setitem(STAGE_BUILDERS, "locker", build_locker)
    scenario = textbook_scenario(["pick", "pack"], 0.5, horizon="1d", warmup="0s")
    # The schema's route grammar predates the row: put the stage in after validation.
    channel = scenario.channels["only"].model_copy(update={"route": ["pick", "pack", "locker"]})
    scenario = scenario.model_copy(update={"channels": {"only": channel}})

    world = World(scenario, seed=3)
    world.run()

    book = world.book
    assert {"locker_loaded", "locker_collected"} <= set(book.stamp_names)
    loaded = np.asarray(book.stamps["locker_loaded"])
    collected = np.asarray(book.stamps["locker_collected"])
    packed = np.asarray(book.stamps["packed"])
    finished = np.asarray(book.finished)
    outcome = np.asarray(book.outcome)
    done = outcome == Outcome.COLLECTED
    assert done.sum() > 500  # ~720 orders a day, nearly all through the locker
    assert set(outcome) <= {Outcome.COLLECTED, Outcome.IN_FLIGHT}
    assert (loaded[done] == packed[done]).all()  # the locker takes the packed parcel at once
    assert (collected[done] == finished[done]).all()  # and the order ends when it is collected
    waits = collected[done] - loaded[done]
    assert math.isclose(waits.mean(), 30.0, rel_tol=0.15)
    assert "channels.only.locker_wait" in world.streams.names
