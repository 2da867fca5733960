"""The one door into SimPy's internals: the run's clock and callbacks scheduled at a time.

o2osim drives SimPy without processes on its hot path: a service completion is a
callback put on SimPy's event queue, not a generator resumed by an event, because
that costs several times less per order. Doing so needs SimPy's private API
(``Environment._queue``, ``_eid``, ``_now``, ``schedule`` and the event protocol of
``Environment.step``); this module is the only place that touches it, so a SimPy
upgrade is checked here and nowhere else.

- :class:`Kernel` is the run's environment: a ``simpy.Environment`` whose ``now``
  is a plain attribute (SimPy's is a Python property, read about ten times per
  order), kept in step with SimPy's own clock, and whose ``run`` loop is SimPy's
  with the event step inlined.
- :func:`scheduler` is the hot path's way to schedule: it returns a function
  ``schedule(delay, value)`` that runs ``handler(value)`` ``delay`` minutes from
  now. On a :class:`Kernel` that puts one tuple on the queue and nothing else (no
  event object, no callback list), about half the cost of :func:`call_in`.
- :func:`call_in` schedules callbacks ``delay`` minutes from now with a value, in
  exactly the order SimPy would schedule a ``Timeout`` (same time, priority and
  event id), so runs are identical to ones built on ``Timeout``; each call
  allocates one slotted :class:`Call` and nothing else.
- :func:`events_scheduled` counts the events scheduled over a run.

Both ways of scheduling take the event id from SimPy's own counter, so calls,
scheduled functions and SimPy events at equal times fire in the order they were
scheduled, whichever way each was scheduled.

Everything here also works on a plain ``simpy.Environment`` (its clock is then
SimPy's property, and a scheduled function goes through a :class:`Call`). This
module must not know orders, facilities or the scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.core import EmptySchedule, StopSimulation
from simpy.events import NORMAL, URGENT, Event, EventPriority


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
    if isinstance(env, Kernel):
        env.push((env.now + delay, NORMAL, next(env._eid), env._fire, call))
    else:
        heappush(env._queue, (env.now + delay, NORMAL, next(env._eid), call))  # type: ignore[misc]


#: ``schedule(delay, value)``: run the scheduler's handler with ``value`` ``delay`` minutes
#: from now (see :func:`scheduler`).
Schedule = Callable[[float, Any], None]


def scheduler(env: simpy.Environment, handler: Callable[[Any], None]) -> Schedule:
    """A function ``schedule(delay, value)`` that runs ``handler(value)`` ``delay`` minutes
    from now (build it once per component, call it per event).

    Ordered as :func:`call_in` (normal priority, the next event id). On a :class:`Kernel`
    the queue entry is ``(time, priority, id, handler, value)``, which
    :meth:`Kernel.step` runs as one call; elsewhere it is a :class:`Call`.
    """
    if not isinstance(env, Kernel):
        callbacks = handlers(lambda call: handler(call.value))

        def schedule_call(delay: float, value: Any = None) -> None:
            call_in(env, delay, callbacks, value)

        return schedule_call
    kernel, ids = env, env._eid
    queue: list[Any] = env._queue

    def schedule(delay: float, value: Any = None) -> None:
        if delay < 0:
            raise ValueError(f"Negative delay {delay}")
        heappush(queue, (kernel.now + delay, NORMAL, next(ids), handler, value))

    return schedule


def events_scheduled(env: simpy.Environment) -> int:
    """How many events have been scheduled so far (consumes one event id: call at the end)."""
    return next(env._eid)


class Kernel(simpy.Environment):
    """SimPy's environment with ``now`` as a plain attribute, for the hot path's clock reads.

    ``step`` and ``run`` are SimPy's own (4.1) with three changes: they set ``now``,
    which SimPy's ``_now`` reads (a property here: one attribute set per event, not
    two); every queue entry has five items, ``(time, priority, id, handler, value)``,
    run as ``handler(value)`` (a SimPy event's handler runs its callbacks, as SimPy's
    ``step`` does: :meth:`schedule` is SimPy's with that one item more), so the loop
    makes no test per event; and ``run`` processes events in its own loop instead of
    calling ``step`` per event.
    """

    # Shadows SimPy's read-only property; step() keeps the instance attribute current.
    now: float = 0.0

    def __init__(self, initial_time: float = 0.0) -> None:
        super().__init__(initial_time)
        self.now = initial_time
        #: Runs a SimPy event's (or a :class:`Call`'s) callbacks: the handler of its entry.
        self._fire = self._process
        queue: list[Any] = self._queue
        #: Puts an entry ``(time, priority, id, handler, value)`` on the queue.
        self.push: Callable[[tuple[Any, ...]], None] = partial(heappush, queue)

    def schedule(self, event: Event, priority: EventPriority = NORMAL, delay: float = 0) -> None:
        """SimPy's ``Environment.schedule``, the event's entry carrying its handler: every
        entry on this queue has five items, so the loop runs each as one call."""
        self.push((self.now + delay, priority, next(self._eid), self._fire, event))

    # SimPy's own clock, read where SimPy schedules an event, is ``now`` itself: the
    # loop then sets one attribute per event, not two.
    @property
    def _now(self) -> float:
        return self.now

    @_now.setter
    def _now(self, time: float) -> None:
        self.now = time

    def step(self) -> None:
        """Process the next event (SimPy's ``Environment.step``, also setting ``now``)."""
        queue: list[Any] = self._queue
        try:
            entry = heappop(queue)
        except IndexError:
            raise EmptySchedule from None
        self.now = entry[0]
        entry[3](entry[4])

    def run(self, until: float | Event | None = None) -> Any:
        """Run until ``until`` (a time or an event; None: until no event is left).

        SimPy's ``Environment.run`` with :meth:`step` inlined in the loop: the same
        events in the same order, one method call less per event.
        """
        if until is not None:
            if not isinstance(until, Event):
                at = float(until)
                if at <= self.now:
                    raise ValueError(
                        f"until ({at}) must be greater than the current simulation time"
                    )
                # As SimPy does: an event at ``at`` before all regular ones stops the run.
                until = Event(self)
                until._ok = True
                until._value = None
                self.schedule(until, URGENT, at - self.now)
            elif until.callbacks is None:
                return until.value
            until.callbacks.append(StopSimulation.callback)
        queue: list[Any] = self._queue
        try:
            while queue:
                entry = heappop(queue)
                self.now = entry[0]
                entry[3](entry[4])
        except StopSimulation as stop:
            return stop.args[0]
        if until is not None:
            raise RuntimeError(
                f'No scheduled events left but "until" event was not triggered: {until}'
            )
        return None

    def _process(self, event: Event) -> None:
        """Run a SimPy event's callbacks (or a :class:`Call`'s), as ``Environment.step``."""
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
