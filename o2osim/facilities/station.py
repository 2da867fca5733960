"""A c-server first-come-first-served queue of order ids on SimPy's scheduler.

This is the hot path of every facility with servers (pickers, packers, customs
officers, riders). Orders are plain integer ids held in a deque; a service
completion is a callback scheduled through :mod:`o2osim.kernel`, not a process,
because a process per order costs several times more.

Every station keeps exact time integrals of queue length and busy servers since
the last :meth:`Station.reset_stats`, so utilisation and L (Little's law) come
from the same sample path as the waits. Ties at equal times follow SimPy's rule:
events scheduled earlier fire first, so the whole run is deterministic.

A station knows nothing about other facilities: when an order finishes it calls
its ``done(order_id)`` hook (given to its constructor), which a builder connects to
the order flow (the order's next stage). When the station is one fixed step of one
route, the order flow tells it the next stage instead (:meth:`Station.hand_on`),
which saves the flow's lookups and a call per order; when that stage is another
plain station, a completion here runs that station's arrival in the same call. At
the last step of a route the flow may let the station write the route's end (finish
time and outcome) itself (:meth:`Station.end_route`).

Two capabilities stay off the hot path: :meth:`Station.set_servers` changes the
number of servers (staffing by time of day; a server above the new number
finishes its order, then leaves), and :meth:`Station.withdraw` takes a waiting
order out of the queue (a customer who gives up).

:class:`Delay` is the infinite-server sibling (transit legs with no capacity).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from heapq import heappush
from typing import Any, ClassVar, Protocol

import simpy
from simpy.events import NORMAL

from ..kernel import Kernel, scheduler
from ..wiring import Hook


class Stamps(Protocol):
    """A stamp column by order id: the order book's list, or a :class:`Sink`."""

    def __getitem__(self, order_id: int, /) -> float: ...
    def __setitem__(self, order_id: int, time: float, /) -> None: ...


class Station:
    """``servers`` parallel servers, FIFO, service time from ``service(order_id)`` minutes."""

    HOOKS: ClassVar[tuple[str, ...]] = ("done",)

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        servers: int,
        service: Callable[[int], float],
        stamp_in: Stamps,
        stamp_start: Stamps,
        stamp_end: Stamps,
        stage: str | None = None,
        *,
        done: Hook,
    ) -> None:
        self.env = env
        self.name = name
        #: The route stage this resource serves (its KPIs are kept when the stage is used).
        self.stage = stage or name
        self.servers = servers
        self.service = service
        self.queue: deque[int] = deque()
        self.busy = 0
        self._in = stamp_in
        self._start_at = stamp_start
        self._end = stamp_end
        self.done = done
        self._schedule_finish = scheduler(env, self._finish)
        # On the o2osim kernel the hot path pushes its completions on the event queue
        # itself: the entry ``schedule_finish`` would make, one call less per service.
        self._heap: list[Any] | None = env._queue if isinstance(env, Kernel) else None
        self._ids = env._eid
        self._on_finish = self._finish
        # Set by hand_on(): the next stage, when this station is one fixed step of one route.
        self._next_stage: Hook | None = None
        self._steps: list[int] = []
        self._next_step = 0
        self._next_station: Station | None = None
        # Set by end_route(): (also, finished, outcomes, outcome) written at a completion.
        self._ending: tuple[Stamps, Stamps, list[int], int] | None = None
        self.reset_stats()

    # -- statistics ---------------------------------------------------------
    def reset_stats(self) -> None:
        """Start the time integrals afresh now (used at the end of the warm-up)."""
        self.stats_since = self.env.now
        self._last = self.env.now
        self.area_queue = 0.0
        self.area_busy = 0.0
        # Server-minutes are integrated only when ``servers`` changes, not per event.
        self._area_servers = 0.0
        self._servers_since = self.env.now
        self.arrivals = 0
        self.completions = 0
        self.withdrawn = 0

    def _account(self, now: float) -> None:
        elapsed = now - self._last
        if elapsed:
            self.area_queue += len(self.queue) * elapsed
            self.area_busy += self.busy * elapsed
            self._last = now

    def snapshot(self) -> dict[str, float]:
        """Time averages up to now: mean queue length, mean busy servers, counts.

        ``utilisation`` is busy server-minutes over open server-minutes; ``servers`` is
        the number open now and ``mean_servers`` the time average.
        """
        now = self.env.now
        self._account(now)
        span = now - self.stats_since
        open_area = self._area_servers + self.servers * (now - self._servers_since)
        return {
            "span_min": span,
            "mean_queue": self.area_queue / span if span else 0.0,
            "mean_busy": self.area_busy / span if span else 0.0,
            "utilisation": self.area_busy / open_area if open_area else 0.0,
            "arrivals": float(self.arrivals),
            "completions": float(self.completions),
            "withdrawn": float(self.withdrawn),
            "servers": float(self.servers),
            # Exactly ``servers`` unless staffing changed since the statistics began.
            "mean_servers": open_area / span
            if self._servers_since > self.stats_since
            else float(self.servers),
        }

    # -- staffing and abandonment (not per event) ------------------------------------
    def set_servers(self, servers: int) -> None:
        """Open or close servers now; queued orders start at once on newly opened ones.

        Closing never interrupts a service: ``busy`` may exceed ``servers`` until the
        extra servers finish their current order.
        """
        now = self.env.now
        self._account(now)
        self._area_servers += self.servers * (now - self._servers_since)
        self._servers_since = now
        self.servers = servers
        queue = self.queue
        while queue and self.busy < servers:
            following = queue.popleft()
            self.busy += 1
            self._start_at[following] = now
            self._schedule_finish(self.service(following), following)

    def withdraw(self, order_id: int) -> bool:
        """Take a waiting order out of the queue now; False if it is not waiting.

        Costs a scan of the queue, so it is meant for short queues (counters).
        """
        self._account(self.env.now)
        try:
            self.queue.remove(order_id)
        except ValueError:
            return False
        self.withdrawn += 1
        return True

    # -- for subclasses whose servers are not plain FIFO servers ------------------
    def _joined(self, order_id: int) -> float:
        """Book an arrival now (time integrals, count, stamp); return the time."""
        now = self.env.now
        self._account(now)
        self.arrivals += 1
        self._in[order_id] = now
        return now

    def _served(self, order_id: int) -> float:
        """Book a completion now (time integrals, count, stamp); return the time."""
        now = self.env.now
        self._account(now)
        self._end[order_id] = now
        self.completions += 1
        return now

    # -- flow ------------------------------------------------------------------
    # The two methods below are the hot path: the time-integral update and the start
    # of service are inlined, because each runs once per order per station. An empty
    # queue adds nothing to its integral (adding 0.0 leaves a sum exactly as it is), so
    # that update is skipped then: the integrals are the same to the last bit.
    def arrive(self, order_id: int) -> None:
        """An order joins the queue now."""
        now = self.env.now
        elapsed = now - self._last
        if elapsed:
            queue = self.queue
            if queue:
                self.area_queue += len(queue) * elapsed
            self.area_busy += self.busy * elapsed
            self._last = now
        self.arrivals += 1
        self._in[order_id] = now
        if self.busy < self.servers:
            self.busy += 1
            self._start_at[order_id] = now
            delay, heap = self.service(order_id), self._heap
            if heap is None or delay < 0:  # a SimPy environment; or the error it raises
                self._schedule_finish(delay, order_id)
            else:
                heappush(heap, (now + delay, NORMAL, next(self._ids), self._on_finish, order_id))
        else:
            self.queue.append(order_id)

    def _finish(self, order_id: int) -> None:
        now = self.env.now
        elapsed = now - self._last
        queue = self.queue
        if elapsed:
            if queue:
                self.area_queue += len(queue) * elapsed
            self.area_busy += self.busy * elapsed
            self._last = now
        self._end[order_id] = now
        self.completions += 1
        # ``busy <= servers``: this server stays open (it may be closing, see set_servers).
        if queue and self.busy <= self.servers:
            following = queue.popleft()
            self._start_at[following] = now
            delay, heap = self.service(following), self._heap
            if heap is None or delay < 0:  # as in arrive()
                self._schedule_finish(delay, following)
            else:
                heappush(heap, (now + delay, NORMAL, next(self._ids), self._on_finish, following))
        else:
            self.busy -= 1
        station = self._next_station
        if station is not None:
            # The next station's arrive(), inlined (see hand_on): one call less per order.
            self._steps[order_id] = self._next_step
            elapsed = now - station._last
            if elapsed:
                queue = station.queue
                if queue:
                    station.area_queue += len(queue) * elapsed
                station.area_busy += station.busy * elapsed
                station._last = now
            station.arrivals += 1
            station._in[order_id] = now
            if station.busy < station.servers:
                station.busy += 1
                station._start_at[order_id] = now
                delay, heap = station.service(order_id), station._heap
                if heap is None or delay < 0:
                    station._schedule_finish(delay, order_id)
                else:
                    entry = (now + delay, NORMAL, next(station._ids), station._on_finish, order_id)
                    heappush(heap, entry)
            else:
                station.queue.append(order_id)
            return
        ending = self._ending
        if ending is not None:  # the end of the route, written here (see end_route)
            also, finished, outcomes, outcome = ending
            also[order_id] = finished[order_id] = now
            outcomes[order_id] = outcome
            return
        next_stage = self._next_stage
        if next_stage is None:
            self.done(order_id)
        else:
            self._steps[order_id] = self._next_step
            next_stage(order_id)

    def hand_on(self, next_stage: Hook, steps: list[int], step: int) -> None:
        """Give finished orders straight to ``next_stage``, route step ``step``, writing the
        step into ``steps`` (the order book's column) instead of calling ``done``.

        For the order flow only, when ``done`` is its ``advance`` and this station is one
        fixed step of one route: ``advance`` would do just that, after looking the step up.
        When the next stage is a plain station's ``arrive``, a completion here runs it
        inline.
        """
        self._next_stage = next_stage
        self._steps = steps
        self._next_step = step
        station = getattr(next_stage, "__self__", None)
        if type(station) is Station and next_stage == station.arrive:
            self._next_station = station

    def end_route(
        self, finished: Stamps, outcomes: list[int], outcome: int, also: Stamps | None = None
    ) -> None:
        """End finished orders' route here: write the time into ``finished`` (and ``also``)
        and ``outcome`` into ``outcomes``, instead of calling ``done``.

        For the order flow only, when this station is the last step of one route whose
        end ``advance`` would write just that (no returns, no memories); ``also`` is what
        ``done`` stamps before it reaches ``advance`` (a teaching fleet's ``delivered``).
        """
        self._ending = (finished if also is None else also, finished, outcomes, outcome)


class Sink:
    """Stands in for a stamp column that a resource shared by several steps does not keep."""

    def __setitem__(self, order_id: int, time: float) -> None:
        """Forget the stamp."""

    def __getitem__(self, order_id: int) -> float:
        """Not kept, so unknown (NaN): an :class:`Impatient` wrapper then asks the queue."""
        return math.nan


class Delay:
    """An infinite-server stage: each order is held ``draw()`` minutes, then done."""

    HOOKS: ClassVar[tuple[str, ...]] = ("done",)

    def __init__(
        self,
        env: simpy.Environment,
        draw: Callable[[], float],
        stamp_end: list[float],
        *,
        done: Hook,
    ) -> None:
        self.env = env
        self.draw = draw
        self._end = stamp_end
        self.done = done
        self._schedule_finish = scheduler(env, self._finish)

    def arrive(self, order_id: int) -> None:
        self._schedule_finish(self.draw(), order_id)

    def _finish(self, order_id: int) -> None:
        self._end[order_id] = self.env.now
        self.done(order_id)
