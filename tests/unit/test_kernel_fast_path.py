"""The hot path's shortcuts change nothing a run computes.

- Functions scheduled by :func:`o2osim.kernel.scheduler` fire in the order SimPy fires
  ``Timeout`` events scheduled at the same moments (SimPy is the reference), on a plain
  ``simpy.Environment`` and on the :class:`~o2osim.kernel.Kernel`, whose own ``run``
  loop must also return what SimPy's returns.
- A block sampler hands out exactly numpy's values in numpy's order, calling numpy
  only when a block is used up; :func:`~o2osim.distributions.per_order` hands out the
  same values whatever the order id.
- A station that is one fixed step of one route hands orders on itself; each order
  finishes with the step count its route has (the order flow's own rule).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from o2osim.distributions import block_draw, per_order
from o2osim.facilities.station import Station
from o2osim.kernel import Call, Kernel, call_in, handlers, scheduler
from o2osim.recorder import Outcome
from o2osim.validation import textbook_scenario
from o2osim.world import World

#: (delay in minutes, how it is scheduled) at the moments the test schedules them.
Plan = list[tuple[float, str]]
plans = st.lists(
    st.tuples(st.sampled_from([0.0, 0.5, 1.0, 2.0]), st.sampled_from(["fast", "call", "timeout"])),
    max_size=12,
)


def _fired(env: simpy.Environment, plan: Plan) -> list[Any]:
    """Indices of ``plan`` in the order they fired, each scheduled in its own way."""
    fired: list[Any] = []
    fast = scheduler(env, fired.append)

    def on_call_fired(call: Call) -> None:
        fired.append(call.value)

    on_call = handlers(on_call_fired)

    def on_timeout(event: simpy.Event) -> None:
        fired.append(event.value)

    for index, (delay, how) in enumerate(plan):
        if how == "fast":
            fast(delay, index)
        elif how == "call":
            call_in(env, delay, on_call, index)
        else:
            env.timeout(delay, index).callbacks.append(on_timeout)
    env.run(until=3.0)
    return fired


@settings(max_examples=60, deadline=None)
@given(plans)
def test_scheduled_functions_fire_in_simpy_timeout_order(plan: Plan) -> None:
    # SimPy's rule for timeouts: by time, then in the order they were scheduled.
    expected = sorted(range(len(plan)), key=lambda i: (plan[i][0], i))
    assert _fired(simpy.Environment(), plan) == expected
    assert _fired(Kernel(), plan) == expected


def _process_model(env: simpy.Environment) -> tuple[Any, list[float]]:
    seen: list[float] = []

    def worker(env: simpy.Environment) -> Generator[simpy.Event, Any, str]:
        for _ in range(3):
            yield env.timeout(1.5)
            seen.append(env.now)
        return "done"

    process = env.process(worker(env))
    return env.run(until=process), seen


def test_the_kernel_run_loop_returns_what_simpy_returns() -> None:
    assert (
        _process_model(Kernel()) == _process_model(simpy.Environment()) == ("done", [1.5, 3.0, 4.5])
    )
    kernel = Kernel()
    scheduler(kernel, lambda _value: None)(1.0, "x")
    with pytest.raises(RuntimeError, match="No scheduled events left"):
        kernel.run(until=kernel.event())  # never triggered
    with pytest.raises(ValueError, match="Negative delay"):
        scheduler(kernel, lambda _value: None)(-1.0, None)


def test_block_draws_are_numpys_values_drawn_lazily() -> None:
    asked: list[int] = []

    def make(n: int) -> np.ndarray:
        asked.append(n)
        return np.random.default_rng(3).random(n) + len(asked)

    draw = block_draw(make, block=4)
    assert asked == []  # nothing drawn before the first value is asked for
    values = [draw() for _ in range(6)]
    reference = np.random.default_rng(3).random(4)
    assert values == [*(reference + 1).tolist(), *(reference[:2] + 2).tolist()]
    assert asked == [4, 4] and all(type(v) is float for v in values)
    asked.clear()
    again = per_order(block_draw(make, block=4))
    assert [again(order_id) for order_id in range(6)] == values
    assert per_order(lambda: 2.5)(7) == 2.5  # any other callable: called without the id


def test_stations_on_one_fixed_step_hand_orders_on_themselves() -> None:
    scenario = textbook_scenario(["pick", "pack", "deliver"], 0.6, horizon="1d", warmup="0s")
    world = World(scenario, seed=3)
    route = world.flow.routes[0]
    stations = [getattr(stage, "__self__", None) for stage in route]
    handing = [s for s in stations if isinstance(s, Station) and s._next_stage is not None]
    assert len(handing) == 2  # pick and pack; the couriers end the route
    assert [s._next_stage for s in handing] == list(route[1:3])
    world.run()
    book = world.book
    delivered = [i for i, o in enumerate(book.outcome) if o == Outcome.DELIVERED]
    assert delivered and all(book.step[i] == len(route) - 1 for i in delivered)
