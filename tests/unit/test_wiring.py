"""Wiring is checked before time 0; the plan is built once; the kernel keeps SimPy's order.

A component with a hook nobody connected, or a route stage nobody builds, fails
``World(...)`` with a :class:`~o2osim.wiring.WiringError` naming the component and
the hook; a run never asks the scenario about its topology; and callbacks
scheduled through :mod:`o2osim.kernel` fire in the order SimPy fires ``Timeout``
events.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
import simpy

from o2osim.builders import STAGE_BUILDERS, Build
from o2osim.facilities.station import Delay, Station
from o2osim.facilities.stock import StockPool
from o2osim.kernel import Kernel, call_in, events_scheduled, handlers
from o2osim.plan import ChannelPlan
from o2osim.recorder import InventoryLedger, Outcome
from o2osim.scenario import Scenario, load_scenario
from o2osim.validation import textbook_scenario
from o2osim.wiring import MonitoredResource, RouteStage, Wiring, WiringError
from o2osim.world import World

from helpers import BASELINE


def small() -> Scenario:
    return textbook_scenario(["pick", "pack", "deliver"], 0.5, horizon="6h", warmup="0s")


def test_a_hook_not_connected_fails_the_build_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def forgetful(b: Build, channel: ChannelPlan) -> Delay:  # forgets to hand orders on
        return Delay(b.env, lambda: 1.0, b.book.column("packed"), done=None)  # type: ignore

    monkeypatch.setitem(STAGE_BUILDERS, "pack", forgetful)
    with pytest.raises(
        WiringError,
        match=r"stage 'pack' of channel 'only' \(Delay\): "
        r"hook 'done' is not connected",
    ):
        World(small())


def test_a_stage_without_a_builder_fails_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(STAGE_BUILDERS, "pack")
    with pytest.raises(WiringError, match="stage 'pack' of channel 'only': no builder"):
        World(small())


def test_a_connection_never_made_is_caught_by_the_check() -> None:
    env = simpy.Environment()
    wiring = Wiring()
    wiring.add("stock pool", StockPool(env, InventoryLedger(), [3, 3]))
    with pytest.raises(WiringError, match=r"stock pool \(StockPool\): hook 'ready'"):
        wiring.check()


def test_every_stage_and_resource_meets_its_protocol() -> None:
    world = World(load_scenario(BASELINE))
    assert world.resources
    assert all(isinstance(r, MonitoredResource) for r in world.resources)
    for route in world.flow.routes:
        assert all(
            isinstance(arrive.__self__, RouteStage)
            for arrive in route
            if hasattr(arrive, "__self__")
        )


def test_a_run_never_asks_the_scenario_its_topology(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario(BASELINE, ['scenario.horizon="2d"', 'scenario.warmup="0s"'])
    world = World(scenario, seed=5)

    def asked(*args: object, **kwargs: object) -> None:
        raise AssertionError("the scenario was asked at run time")

    for method in (
        "channel_depot",
        "depot_position",
        "stage_resource",
        "stage_resources",
        "resources",
        "channel_stores",
        "segment_store",
        "perceived_promise",
        "all_fleets",
    ):
        monkeypatch.setattr(Scenario, method, asked)
    world.run()
    assert (world.book.outcome[: len(world.book)].count(Outcome.DELIVERED)) > 1000


def test_the_plan_has_one_record_per_channel() -> None:
    world = World(load_scenario(BASELINE))
    plan = world.plan
    assert [c.name for c in plan.channels] == list(world.scenario.channels)
    for channel in plan.channels:
        assert channel.route == tuple(world.scenario.channels[channel.name].route)
        assert channel.depot == world.scenario.channel_depot(channel.name)
        expected = Outcome.DELIVERED if channel.route[-1] == "deliver" else Outcome.COLLECTED
        assert channel.final_outcome == expected
        assert channel.resume_step == int(channel.route[0] == "store_visit")


def _fired(env: simpy.Environment) -> list[str]:
    """Calls and SimPy timeouts at equal times, in the order they fired."""
    fired: list[str] = []
    on_call = handlers(lambda call: fired.append(call.value))

    def timeout(name: str) -> None:
        # SimPy's own public way to be told of an event: the comparison the kernel must meet.
        env.timeout(1.0).callbacks.append(lambda _event: fired.append(name))

    timeout("timeout a")
    call_in(env, 1.0, on_call, "call b")
    timeout("timeout c")
    call_in(env, 0.5, on_call, "call first")
    env.run(until=2.0)
    return fired


def test_kernel_calls_fire_in_simpy_order_at_equal_times() -> None:
    for env in (simpy.Environment(), Kernel()):
        assert _fired(env) == ["call first", "timeout a", "call b", "timeout c"]
        assert env.now == 2.0
        assert events_scheduled(env) == 6  # four, the run's end, and this count


def test_the_kernel_clock_follows_simpy() -> None:
    env = Kernel()
    seen: list[float] = []

    def process(env: Kernel) -> Generator[simpy.Event, Any, None]:
        for _ in range(3):
            yield env.timeout(1.5)
            seen.append(env.now)

    env.process(process(env))
    call_in(env, 2.0, handlers(lambda call: seen.append(env.now)))
    env.run(until=10.0)
    assert seen == [1.5, 2.0, 3.0, 4.5]
    with pytest.raises(ValueError, match="Negative delay"):
        call_in(env, -1.0, handlers(print))
    station = Station(env, "s", 1, lambda _oid: 1.0, [0.0], [0.0], [0.0], done=lambda _o: None)
    assert isinstance(station, MonitoredResource) and isinstance(station, RouteStage)
