"""Customers who give up waiting at a :class:`~o2osim.facilities.station.Station`.

:class:`Impatient` sits in a route in place of a station: a customer who would wait
may balk (leave on seeing the queue) or renege (leave the queue after a patience
draw, in minutes). It only wraps a station; it must not change how the station serves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from ..kernel import Call, call_in, handlers
from .station import Station

#: How a waiting customer gave up: balked (left on seeing the queue) or reneged (left it).
BALKED, RENEGED = 0, 1
#: One segment's patience at a station: (balk at this many waiting or None, balk
#: probability, uniform draw for it, patience draw in minutes or None).
PatienceRule = tuple[int | None, float, Callable[[], float], Callable[[], float] | None]
#: Per segment and channel index: that segment's patience there (None: patient, or not
#: waiting in person).
PatienceRules = list[list[PatienceRule | None]]


class Impatient:
    """A :class:`Station` whose waiting customers may give up (balk or renege).

    Sits in a route in place of the station. A customer who would wait and sees
    ``balk_at`` or more waiting balks with the rule's probability; one who joins
    the queue reneges after the patience draw unless service has begun by then
    (then :meth:`Station.withdraw` takes it out). The hook ``gave_up(order_id, how)``
    is called with :data:`BALKED` or :data:`RENEGED`; finished orders go on to
    ``station.done`` as usual. ``rules[segment][channel]`` is None where customers
    do not wait in person (or are patient); ``segment`` and ``channel`` are the
    order book's columns. Only customers who must wait cost anything extra (one
    timer each).
    """

    HOOKS: ClassVar[tuple[str, ...]] = ("gave_up",)

    def __init__(
        self,
        station: Station,
        rules: PatienceRules,
        segment: list[int],
        channel: list[int],
        *,
        gave_up: Callable[[int, int], None],
    ) -> None:
        self.station = station
        self.rules = rules
        self.segment = segment
        self.channel = channel
        self.gave_up = gave_up
        self._on_renege = handlers(self._renege)
        self.balked = 0
        self.reneged = 0

    def arrive(self, order_id: int) -> None:
        """A customer reaches the queue now."""
        station = self.station
        rule = self.rules[self.segment[order_id]][self.channel[order_id]]
        if rule is None or station.busy < station.servers:
            station.arrive(order_id)
            return
        balk_at, balk_probability, uniform, patience = rule
        if (
            balk_at is not None
            and len(station.queue) >= balk_at
            and (balk_probability >= 1.0 or uniform() < balk_probability)
        ):
            self.balked += 1
            self.gave_up(order_id, BALKED)
            return
        station.arrive(order_id)
        if patience is not None:
            call_in(station.env, patience(), self._on_renege, order_id)

    def _renege(self, call: Call) -> None:
        order_id = call.value
        # A started service has its start stamped: skip the queue scan of withdraw().
        if self.station._start_at[order_id] != self.station._start_at[
            order_id
        ] and self.station.withdraw(order_id):
            self.reneged += 1
            self.gave_up(order_id, RENEGED)
