"""The SimPy model of an MDRP day: orders placed, couriers on shift, a dispatcher.

Orders appear at their placement times, couriers come on duty at their on times,
and a dispatcher process asks the chosen policy for assignments whenever something
changes (or when the policy asked to be woken). An assignment is carried out to
the end: the courier's process holds it until it stands idle at the last customer.
Travel and service are deterministic, so a trip's times are planned when it is
assigned (:mod:`o2osim.mdrp.trip`). Nothing here is random, so a run is
reproducible by construction. Time is in whole minutes. This module must not
write files or compute metrics.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from typing import Any

import simpy

from .instance import START, Instance
from .policies import MDRP_POLICIES, Assignment, Policy
from .settings import PolicySettings
from .trip import Stand, Trip, plan_trip

Process = Generator[simpy.Event, Any, None]


class Fleet:
    """The couriers' state, as policies see it through :class:`~.policies.FleetView`."""

    def __init__(self, instance: Instance, settings: PolicySettings) -> None:
        self.instance, self.settings = instance, settings
        self._stands = [Stand(c.on, c.pos, START) for c in instance.couriers]

    @property
    def stands(self) -> Sequence[Stand]:
        return self._stands

    def idle(self, now: int) -> list[int]:
        return self.available(now, 0)

    def available(self, now: int, within: int) -> list[int]:
        return [
            i
            for i, (c, s) in enumerate(zip(self.instance.couriers, self._stands, strict=True))
            if c.on <= now < c.off and s.free_at <= now + within
        ]

    def start(self, trip: Trip) -> None:
        self._stands[trip.courier] = trip.end


class Day:
    """One simulated day of an instance under one policy; :meth:`run` returns the trips."""

    def __init__(self, instance: Instance, policy: Policy, settings: PolicySettings) -> None:
        self.instance, self.policy = instance, policy
        self.env = simpy.Environment()
        self.fleet = Fleet(instance, settings)
        self.pending: dict[int, None] = {}  # insertion-ordered: oldest placement first
        self.trips: list[Trip] = []
        self._changed = self.env.event()

    def run(self) -> list[Trip]:
        last_off = max(c.off for c in self.instance.couriers)
        self.env.process(self._placements())
        self.env.process(self._shifts())
        self.env.process(self._dispatcher())
        self.env.run(until=last_off + 1)  # no pickup may happen after the last off time
        return self.trips

    def _poke(self) -> None:
        if not self._changed.triggered:
            self._changed.succeed()

    def _placements(self) -> Process:
        orders = self.instance.orders
        for o in sorted(range(len(orders)), key=lambda o: (orders[o].placed, o)):
            yield self.env.timeout(orders[o].placed - self.env.now)
            self.pending[o] = None
            self._poke()

    def _shifts(self) -> Process:
        for on in sorted({c.on for c in self.instance.couriers}):
            yield self.env.timeout(on - self.env.now)
            self._poke()

    def _courier(self, trip: Trip) -> Process:
        yield self.env.timeout(trip.end.free_at - self.env.now)
        self._poke()  # idle again at the last customer

    def _dispatcher(self) -> Process:
        while True:
            now = int(self.env.now)
            decisions, wake_at = self.policy(self.pending.keys(), now, self.fleet)
            for decision in decisions:
                self._assign(now, decision)
            if decisions:
                continue  # ask again: more couriers or orders may be left
            self._changed = self.env.event()
            if math.isinf(wake_at):
                yield self._changed
            else:
                yield self._changed | self.env.timeout(max(wake_at - now, 0))

    def _assign(self, now: int, decision: Assignment) -> None:
        courier, orders = decision
        self._check(now, courier, orders)
        trip = plan_trip(self.instance, courier, now, self.fleet.stands[courier], orders)
        for o in orders:
            del self.pending[o]
        self.fleet.start(trip)
        self.trips.append(trip)
        self.env.process(self._courier(trip))

    def _check(self, now: int, courier: int, orders: tuple[int, ...]) -> None:
        """A policy's decision breaks no rule (a policy bug, not a user error)."""
        restaurants = {self.instance.orders[o].restaurant for o in orders}
        if (
            not self.instance.couriers[courier].on <= now < self.instance.couriers[courier].off
            or not orders
            or any(o not in self.pending for o in orders)
            or len(set(orders)) != len(orders)
            or len(restaurants) != 1
        ):
            raise RuntimeError(
                f"policy assigned {orders} to courier {courier} at {now}: not allowed"
            )


def simulate(instance: Instance, policy: str, settings: PolicySettings | None = None) -> list[Trip]:
    """The trips of one day of ``instance`` dispatched by the policy named ``policy``."""
    return Day(instance, MDRP_POLICIES[policy], settings or PolicySettings()).run()
