"""The one door into SimPy's internals: the run's clock and callbacks scheduled at a time.

o2osim drives SimPy without processes on its hot path: a service completion is a
callback put on SimPy's event queue, not a generator resumed by an event, because
that costs several times less per order. Doing so needs SimPy's private API
(``Environment._queue``, ``_eid``, ``_now`` and the event protocol of
``Environment.step``); this module is the only place that touches it, so a SimPy
upgrade is checked here and nowhere else.

- :class:`Kernel` is the run's environment: a ``simpy.Environment`` whose ``now``
  is a plain attribute (SimPy's is a Python property, read about ten times per
  order), kept in step with SimPy's own clock.
- :func:`call_in` schedules callbacks ``delay`` minutes from now with a value, in
  exactly the order SimPy would schedule a ``Timeout`` (same time, priority and
  event id), so runs are identical to ones built on ``Timeout``; each call
  allocates one slotted :class:`Call` and nothing else.
- :func:`events_scheduled` counts the events scheduled over a run.

Everything here also works on a plain ``simpy.Environment`` (its clock is then
SimPy's property). This module must not know orders, facilities or the scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.core import EmptySchedule, StopSimulation
from simpy.events import NORMAL, EventPriority


class Call:
    """A callback scheduled on SimPy's queue, carrying one ``value`` for it.

    It has just what ``Environment.step`` reads of an event: ``callbacks`` (which
    step sets to None once it has run them) and ``_ok`` (a call never fails).
    """

    __slots__ = ("callbacks", "value")
    _ok = True

    callbacks: Handlers | None
    value: Any


#: A function called with the :class:`Call` that fired.
Handler = Callable[[Call], None]
#: The callbacks of a call. Components build theirs once (:func:`handlers`): a tuple kept
#: on the component costs neither a bound method nor a list per call.
Handlers = tuple[Handler, ...]


def handlers(*callbacks: Handler) -> Handlers:
    """The callbacks to run, in order, when a call fires (build once, reuse per call)."""
    return callbacks


def call_in(env: simpy.Environment, delay: float, callbacks: Handlers, value: Any = None) -> None:
    """Run ``callbacks`` with a :class:`Call` carrying ``value`` ``delay`` minutes from now.

    Scheduled as SimPy schedules ``Timeout(env, delay, value)``: normal priority, the
    next event id, so calls and SimPy events at equal times fire in scheduling order.
    """
    if delay < 0:
        raise ValueError(f"Negative delay {delay}")
    call = Call()
    call.callbacks = callbacks
    call.value = value
    heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), call))  # type: ignore[misc]


def events_scheduled(env: simpy.Environment) -> int:
    """How many events have been scheduled so far (consumes one event id: call at the end)."""
    return next(env._eid)


class Kernel(simpy.Environment):
    """SimPy's environment with ``now`` as a plain attribute, for the hot path's clock reads.

    ``step`` is SimPy's own (4.1) with one change: it sets ``now`` along with SimPy's
    ``_now``, so the two never differ between events.
    """

    # Shadows SimPy's read-only property; step() keeps the instance attribute current.
    now: float = 0.0

    def __init__(self, initial_time: float = 0.0) -> None:
        super().__init__(initial_time)
        self.now = initial_time

    def step(self) -> None:
        """Process the next event (SimPy's ``Environment.step``, also setting ``now``)."""
        try:
            when, _, _, event = heappop(self._queue)
        except IndexError:
            raise EmptySchedule from None
        self._now = self.now = when
        callbacks, event.callbacks = event.callbacks, None  # type: ignore[assignment]
        try:
            for callback in callbacks:
                callback(event)
        except StopSimulation:
            # As SimPy does: keep the callbacks not yet run and put the event back.
            event.callbacks = callbacks[callbacks.index(callback) + 1 :]
            self.schedule(event, EventPriority(-1))
            raise
        if not event._ok and not hasattr(event, "_defused"):
            # A failed event nobody handled crashes the run, with its own traceback.
            exc = type(event._value)(*event._value.args)
            exc.__cause__ = event._value
            raise exc
