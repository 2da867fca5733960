"""The front store: an experience zone with a door, AR mirrors, staff and QR checkout.

A visitor arrives at the door. If fewer than ``capacity`` people are inside,
the visitor enters; otherwise the visitor queues at the door (first come first
served), or -- with the door queue switched off -- is turned away, so the zone
is then an Erlang loss system. Inside, a visitor browses, then may try an AR
mirror (a shared resource), then may be helped by staff, then buys with
``purchase_probability``: by scanning the product's QR code and paying online,
alone or, for a share, with a staff member (staff serve help and checkout from
one FIFO queue). The visitor leaves the zone after paying, or after deciding
not to buy; the next visitor at the door enters then.

Four uniforms are drawn per visitor who enters, always, so the decisions stay
aligned across variants. The purchase probability may differ per visitor: the
builder can hand the store a ``conversion(order_id)`` callable (webroomers who
come knowing what they want, visitors after a bad experience); the store itself
knows nothing about customers.

Visitors may give up at two queues (:class:`~.patience.Impatient`, given their
patience rules by the builder): at the door, before they get in (the order ends
there), and in the staff queue of a staff-assisted checkout, where giving up means
leaving without buying: the visitor leaves the zone, so the next one at the door
comes in.

Display samples are shown, never sold: the store holds no sellable stock (the
order takes its units from the bonded pool later on its route). This module
does not know stock, customs or couriers: a buyer is handed on through the hook
``done(order_id)``, others through ``turned_away``, ``no_purchase`` and
``gave_up``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import simpy

from ..distributions import Draw
from ..kernel import Call, call_in, handlers
from ..recorder import OrderBook
from ..scenario import Store as StoreConfig
from ..wiring import Hook
from .patience import Impatient, PatienceRules
from .station import Sink, Station

HELP, CHECKOUT = 0, 1


def _served_by_leaving(order_id: int) -> None:
    raise RuntimeError("a visitor leaves the zone through Zone.leave, not a service end")


class Zone(Station):
    """The experience zone as a station whose service ends when the visitor leaves.

    ``servers`` is the capacity, ``busy`` the people inside, ``queue`` the door queue.
    """

    HOOKS: ClassVar[tuple[str, ...]] = ("entered", "turned_away")

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        capacity: int,
        door_queue: bool,
        stamp_in: list[float],
        stamp_start: list[float],
        stamp_end: list[float],
        *,
        entered: Hook,
        turned_away: Hook,
    ) -> None:
        # Service never ends on its own: a visitor leaves by :meth:`leave`.
        super().__init__(
            env,
            name,
            capacity,
            lambda _oid: 0.0,
            stamp_in,
            stamp_start,
            stamp_end,
            stage="store_visit",
            done=_served_by_leaving,
        )
        self.door_queue = door_queue
        self.entered = entered
        self.turned_away = turned_away
        self.refused = 0

    def arrive(self, order_id: int) -> None:
        """A visitor at the door: enter, queue, or be turned away."""
        now = self._joined(order_id)
        if self.busy < self.servers:
            self.busy += 1
            self._start_at[order_id] = now
            self.entered(order_id)
        elif self.door_queue:
            self.queue.append(order_id)
        else:
            self.refused += 1
            self.turned_away(order_id)

    def leave(self, order_id: int) -> None:
        """A visitor leaves the zone; the first one at the door comes in."""
        now = self._served(order_id)
        if self.queue:
            following = self.queue.popleft()
            self._start_at[following] = now
            self.entered(following)
        else:
            self.busy -= 1


class Store:
    """Route stage ``store_visit`` of one store.

    ``door`` is what an arriving visitor meets (the zone, or an impatient queue in
    front of it when ``door_patience`` is given); ``till`` the staff queue of a staff
    checkout (impatient with ``till_patience``). ``conversion`` (None: the store's
    ``purchase_probability``) gives each entering visitor's purchase probability; the
    hook ``gave_up(order_id, how)`` is told of a visitor who gave up at either queue.
    """

    HOOKS: ClassVar[tuple[str, ...]] = ("done", "no_purchase", "turned_away", "gave_up")

    def __init__(
        self,
        env: simpy.Environment,
        config: StoreConfig,
        book: OrderBook,
        browse: Draw,
        mirror: Draw,
        help_time: Draw,
        checkout: Draw,
        checkout_staff: Draw,
        uniform: Draw,
        *,
        done: Hook,
        no_purchase: Hook,
        turned_away: Hook,
        gave_up: Callable[[int, int], None],
        conversion: Callable[[int], float] | None = None,
        door_patience: PatienceRules | None = None,
        till_patience: PatienceRules | None = None,
    ) -> None:
        self.env = env
        self.name = config.name
        self.config = config
        self.book = book
        self.done = done
        self.no_purchase = no_purchase
        self.turned_away = turned_away
        self.gave_up = gave_up
        self.conversion = conversion
        self.zone = Zone(
            env,
            config.name,
            config.capacity,
            config.door_queue,
            book.column("door_queued"),
            book.column("entered"),
            book.column("left_store"),
            entered=self._entered,
            turned_away=turned_away,
        )
        sink = Sink()
        self.mirrors = Station(
            env,
            f"{config.name}.mirrors",
            max(config.ar_mirrors, 1),
            lambda _oid: mirror(),
            sink,
            sink,
            sink,
            stage="store_visit",
            done=self._after_mirror,
        )
        self.staff = Station(
            env,
            f"{config.name}.staff",
            max(config.staff, 1),
            self._staff_time,
            sink,
            sink,
            sink,
            stage="store_visit",
            done=self._after_staff,
        )
        self.resources: list[Station] = [self.zone]
        if config.ar_mirrors:
            self.resources.append(self.mirrors)
        if config.staff:
            self.resources.append(self.staff)
        self._browse = browse
        self._help = help_time
        self._checkout = checkout
        self._checkout_staff = checkout_staff
        self._uniform = uniform
        # Per visitor inside: (mirror?, help?, buys?, staff checkout?) and the staff task.
        self._plan: dict[int, tuple[bool, bool, bool, bool]] = {}
        self._task: dict[int, int] = {}
        self._on_browsed = handlers(self._browsed)
        self._on_self_checkout = handlers(self._self_checkout)
        self.door: Zone | Impatient = self.zone
        if door_patience is not None:
            self.door = Impatient(
                self.zone, door_patience, book.segment, book.channel, gave_up=gave_up
            )
        # A visitor who gives up at the staff checkout leaves the zone without buying.
        self.till: Station | Impatient = self.staff
        if till_patience is not None:
            self.till = Impatient(
                self.staff, till_patience, book.segment, book.channel, gave_up=self._left_till
            )
        self.buyers = 0

    def counters(self) -> dict[str, int]:
        """Visitors turned away at a full zone since the start."""
        return {f"{self.name}.turned_away": self.zone.refused}

    def arrive(self, order_id: int) -> None:
        self.door.arrive(order_id)

    def _left_till(self, order_id: int, how: int) -> None:
        del self._plan[order_id]
        del self._task[order_id]
        self.zone.leave(order_id)
        self.gave_up(order_id, how)

    # -- inside the zone -----------------------------------------------------------
    def _entered(self, order_id: int) -> None:
        cfg, u = self.config, self._uniform
        buys = cfg.purchase_probability if self.conversion is None else self.conversion(order_id)
        self._plan[order_id] = (
            u() < cfg.mirror_share,
            u() < cfg.help_share,
            u() < buys,
            u() < cfg.checkout_staff_share,
        )
        call_in(self.env, self._browse(), self._on_browsed, order_id)

    def _browsed(self, call: Call) -> None:
        order_id = call.value
        if self._plan[order_id][0]:
            self.mirrors.arrive(order_id)
        else:
            self._after_mirror(order_id)

    def _after_mirror(self, order_id: int) -> None:
        if self._plan[order_id][1]:
            self._task[order_id] = HELP
            self.staff.arrive(order_id)
        else:
            self._decide(order_id)

    def _staff_time(self, order_id: int) -> float:
        return self._help() if self._task[order_id] == HELP else self._checkout_staff()

    def _after_staff(self, order_id: int) -> None:
        if self._task.pop(order_id) == HELP:
            self._decide(order_id)
        else:
            self._paid(order_id)

    def _decide(self, order_id: int) -> None:
        _, _, buys, needs_staff = self._plan[order_id]
        if not buys:
            del self._plan[order_id]
            self.zone.leave(order_id)
            self.no_purchase(order_id)
        elif needs_staff:
            self._task[order_id] = CHECKOUT
            self.till.arrive(order_id)
        else:
            call_in(self.env, self._checkout(), self._on_self_checkout, order_id)

    def _self_checkout(self, call: Call) -> None:
        self._paid(call.value)

    def _paid(self, order_id: int) -> None:
        del self._plan[order_id]
        self.buyers += 1
        self.zone.leave(order_id)
        self.done(order_id)
