"""Route stage ``pickup``: the airport's counters, where staged goods meet their passenger.

Once the goods are staged *and* the passenger has reached the counter, the
passenger queues for one of the counters (a :class:`~.station.Station`, staffed
by hour of day): face-ID check, then hand-over (hook ``done``). A passenger still
queueing at ``departure - last_call``, or one whose hand-over would end after the
flight left, misses it (hook ``missed``). Without a flight (teaching mode) an
order joins the queue on reaching the stage. The rest of the airport is in
:mod:`.airport`; this module does not know stock, customs or the warehouse.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import ClassVar

import simpy

from ..distributions import Draw
from ..kernel import Call, call_in, handlers
from ..recorder import OrderBook, Reason
from ..scenario import Airport as AirportConfig
from ..units import HOUR
from ..wiring import Hook
from .patience import Impatient, PatienceRules
from .station import Station

#: An order of the airport failed: ``missed(order_id, reason)``.
Missed = Callable[[int, Reason], None]


class PickupCounters:
    """Route stage ``pickup``: staged goods meet their passenger at one of the counters.

    With ``patience`` passengers may balk or renege in the counter queue (an
    :class:`Impatient` in front of the counters; one who gave up has an outcome when
    it returns), told to the hook ``gave_up(order_id, how)``.
    """

    HOOKS: ClassVar[tuple[str, ...]] = ("done", "missed")

    def __init__(
        self,
        env: simpy.Environment,
        config: AirportConfig,
        book: OrderBook,
        id_check: Draw,
        handover: Draw,
        *,
        done: Hook,
        missed: Missed,
        patience: PatienceRules | None = None,
        gave_up: Callable[[int, int], None] | None = None,
    ) -> None:
        self.env = env
        self.book = book
        self.done = done
        self.missed = missed
        self._on_restaff = handlers(self._restaff)
        self._on_give_up = handlers(self._give_up)
        self.last_call = config.last_call
        self.id_check = id_check
        self.handover = handover
        col = book.column
        self._departure = col("departure")
        self._staged = col("staged")
        self._at_counter = col("at_counter")
        self._start = col("counter_start")
        self._id_checked = col("id_checked")
        self._collected = col("collected")
        self.staffing = config.staffing
        servers = config.counters if config.staffing is None else config.staffing[0]
        self.station = Station(
            env,
            "pickup",
            servers,
            self._service,
            col("counter_queued"),
            self._start,
            col("counter_left"),
            done=self._counter_done,
        )
        #: How a passenger joins the counter queue: the station itself, or a wrapper whose
        #: customers may balk or renege.
        self.enter: Hook = self.station.arrive
        self.impatient: Impatient | None = None
        if patience is not None:
            if gave_up is None:
                raise TypeError("pickup counters with patience need the gave_up hook")
            self.impatient = Impatient(
                self.station, patience, book.segment, book.channel, gave_up=gave_up
            )
            self.enter = self.impatient.arrive
        if config.staffing is not None:
            call_in(env, HOUR, self._on_restaff)

    def _restaff(self, _call: Call) -> None:
        hour = round(self.env.now / HOUR)
        servers = self.staffing[hour % 24]  # type: ignore[index]
        if servers != self.station.servers:
            self.station.set_servers(servers)
        call_in(self.env, HOUR, self._on_restaff)

    def arrive(self, order_id: int) -> None:
        """The goods reached the counter (staged)."""
        if self.book.outcome[order_id]:
            return
        now = self.env.now
        if math.isnan(self._staged[order_id]):
            self._staged[order_id] = now  # a route without a ``stage`` step
        if math.isnan(self._departure[order_id]):
            self._at_counter[order_id] = now  # teaching mode: the customer is already here
            self.enter(order_id)
        elif not math.isnan(self._at_counter[order_id]):
            self._join(order_id)  # the passenger was waiting for the goods

    def passenger_arrives(self, order_id: int) -> None:
        """The passenger of a flight-linked order reaches the counter."""
        if self.book.outcome[order_id]:
            return
        self._at_counter[order_id] = self.env.now
        if not math.isnan(self._staged[order_id]):
            self._join(order_id)
        elif self.env.now >= self._departure[order_id] - self.last_call:
            self.missed(order_id, Reason.PASSENGER_LATE)

    def _join(self, order_id: int) -> None:
        now = self.env.now
        give_up = self._departure[order_id] - self.last_call
        if now >= give_up:
            self.missed(order_id, Reason.PASSENGER_LATE)
            return
        self.enter(order_id)
        # Queueing (and not balked): will the flight wait?
        if not self.book.outcome[order_id] and math.isnan(self._start[order_id]):
            call_in(self.env, give_up - now, self._on_give_up, order_id)

    def _give_up(self, call: Call) -> None:
        order_id = call.value
        if (
            not self.book.outcome[order_id]
            and math.isnan(self._start[order_id])
            and self.station.withdraw(order_id)
        ):
            self.missed(order_id, Reason.PASSENGER_LATE)

    def _service(self, order_id: int) -> float:
        checked = self.id_check()
        self._id_checked[order_id] = self.env.now + checked
        return checked + self.handover()

    def _counter_done(self, order_id: int) -> None:
        now = self.env.now
        if now > self._departure[order_id]:  # False for NaN: teaching mode has no flight
            self.missed(order_id, Reason.PASSENGER_LATE)
            return
        self._collected[order_id] = now
        self.done(order_id)
