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
World can hand the store a ``conversion(order_id)`` callable (webroomers who
come knowing what they want, visitors after a bad experience); the store itself
knows nothing about customers.

Visitors may give up at two queues (:class:`~.station.Impatient`, wired by the
World): at the door, before they get in (the order ends there), and in the staff
queue of a staff-assisted checkout, where giving up means leaving without
buying: the visitor leaves the zone, so the next one at the door comes in.

Display samples are shown, never sold: the store holds no sellable stock (the
order takes its units from the bonded pool later on its route). This module
does not know stock, customs or couriers: a buyer is handed on through
``done(order_id)``, others through ``turned_away``, ``no_purchase`` and
``gave_up``.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy
from simpy.events import Timeout

from ..distributions import Draw
from ..recorder import OrderBook
from ..scenario import Store as StoreConfig
from .station import Impatient, Sink, Station, _unwired

HELP, CHECKOUT = 0, 1


class Zone(Station):
    """The experience zone as a station whose service ends when the visitor leaves.

    ``servers`` is the capacity, ``busy`` the people inside, ``queue`` the door queue.
    """

    def __init__(self, env: simpy.Environment, name: str, capacity: int, door_queue: bool,
                 stamp_in: list[float], stamp_start: list[float], stamp_end: list[float]) -> None:
        super().__init__(env, name, capacity, lambda _oid: 0.0, stamp_in, stamp_start, stamp_end,
                         stage="store_visit")
        self.door_queue = door_queue
        self.entered: Callable[[int], None] = _unwired
        self.turned_away: Callable[[int], None] = _unwired
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
    front of it); ``till`` the staff queue of a staff checkout. ``conversion``
    (None: the store's ``purchase_probability``) gives each entering visitor's
    purchase probability; ``gave_up(order_id, how)`` is told of a visitor who left
    the checkout queue.
    """

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
    ) -> None:
        self.env = env
        self.name = config.name
        self.config = config
        self.book = book
        self.zone = Zone(env, config.name, config.capacity, config.door_queue,
                         book.column("door_queued"), book.column("entered"),
                         book.column("left_store"))
        self.zone.entered = self._entered
        sink = Sink()
        self.mirrors = Station(env, f"{config.name}.mirrors", max(config.ar_mirrors, 1),
                               lambda _oid: mirror(), sink, sink, sink,  # type: ignore[arg-type]
                               stage="store_visit")
        self.mirrors.done = self._after_mirror
        self.staff = Station(env, f"{config.name}.staff", max(config.staff, 1),
                             self._staff_time, sink, sink, sink,  # type: ignore[arg-type]
                             stage="store_visit")
        self.staff.done = self._after_staff
        self.resources = [self.zone]
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
        self.done: Callable[[int], None] = _unwired
        self.no_purchase: Callable[[int], None] = _unwired
        self.gave_up: Callable[[int, int], None] = lambda order_id, how: _unwired(order_id)
        self.conversion: Callable[[int], float] | None = None
        self.door: Zone | Impatient = self.zone
        self.till: Station | Impatient = self.staff
        self.buyers = 0

    @property
    def turned_away(self) -> Callable[[int], None]:
        return self.zone.turned_away

    @turned_away.setter
    def turned_away(self, callback: Callable[[int], None]) -> None:
        self.zone.turned_away = callback

    def arrive(self, order_id: int) -> None:
        self.door.arrive(order_id)

    # -- patience (wired by the World) ---------------------------------------------
    def wait_at_door(self, door: Impatient) -> None:
        """Visitors meet ``door`` (an :class:`Impatient` around the zone) on arrival."""
        self.door = door

    def wait_at_checkout(self, till: Impatient) -> None:
        """A staff checkout queues at ``till`` (an :class:`Impatient` around the staff);
        a visitor who gives up there leaves the zone without buying."""
        till.gave_up = self._left_till
        self.till = till

    def _left_till(self, order_id: int, how: int) -> None:
        del self._plan[order_id]
        del self._task[order_id]
        self.zone.leave(order_id)
        self.gave_up(order_id, how)

    # -- inside the zone -----------------------------------------------------------
    def _entered(self, order_id: int) -> None:
        cfg, u = self.config, self._uniform
        buys = cfg.purchase_probability if self.conversion is None else self.conversion(order_id)
        self._plan[order_id] = (u() < cfg.mirror_share, u() < cfg.help_share,
                                u() < buys, u() < cfg.checkout_staff_share)
        Timeout(self.env, self._browse(), order_id).callbacks.append(self._browsed)

    def _browsed(self, event: Timeout) -> None:
        order_id = event._value
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
            Timeout(self.env, self._checkout(), order_id).callbacks.append(self._self_checkout)

    def _self_checkout(self, event: Timeout) -> None:
        self._paid(event._value)

    def _paid(self, order_id: int) -> None:
        del self._plan[order_id]
        self.buyers += 1
        self.zone.leave(order_id)
        self.done(order_id)
