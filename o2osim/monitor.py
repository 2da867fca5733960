"""The run's monitor: resource snapshots, the warm-up reset, counters after the warm-up.

Every ``recorder.resource_interval`` minutes from time 0 to the horizon the monitor
writes each queueing resource's queue length, busy and open servers to the resource
log; at the end of the warm-up it restarts every resource's time integrals and notes
the counters, so statistics and counters both cover the span after it (the World
reads them at the horizon, so they end there). The snapshots stop at the horizon too:
like the statistics they describe the counted span, not the drain after it, in which
the system empties (the hour-of-day charts and the Little's-law check of ``o2osim
validate`` average them from the warm-up on). It also checks
before time 0 that the scenario's cost tables name resources and counters the
run has. This module must not know facilities beyond the
:class:`~o2osim.wiring.MonitoredResource` Protocol, nor decide anything about
orders.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import simpy

from .kernel import Call, call_in, handlers
from .recorder import ResourceLog
from .scenario import STAGES, Economics, ScenarioError
from .wiring import MonitoredResource


class Monitor:
    """Watches ``resources`` and ``counters()`` over one run (see the module docstring)."""

    def __init__(
        self,
        env: simpy.Environment,
        resources: Sequence[MonitoredResource],
        log: ResourceLog,
        interval: float,
        warmup: float,
        counters: Callable[[], dict[str, int]],
        until: float = math.inf,
    ) -> None:
        """``interval``, ``warmup`` and ``until`` (the last snapshot is before it) are
        minutes."""
        self.env = env
        self.resources = list(resources)
        self.log = log
        self.interval = interval
        self.until = until
        self.counters = counters
        self._at_warmup: dict[str, int] = {}
        self._on_snapshot = handlers(self._snapshot)
        call_in(env, 0.0, self._on_snapshot)
        if warmup > 0:
            call_in(env, warmup, handlers(self._end_warmup))

    def _snapshot(self, _call: Call) -> None:
        now, add = self.env.now, self.log.add
        if now >= self.until:
            return  # the drain: no more snapshots
        for resource in self.resources:
            add(now, resource.name, len(resource.queue), resource.busy, resource.servers)
        call_in(self.env, self.interval, self._on_snapshot)

    def _end_warmup(self, _call: Call) -> None:
        for resource in self.resources:
            resource.reset_stats()
        self._at_warmup = self.counters()

    def resource_stats(self) -> dict[str, dict[str, float]]:
        """Each resource's time averages and counts since the warm-up, by name."""
        return {resource.name: resource.snapshot() for resource in self.resources}

    def counters_after_warmup(self) -> dict[str, int]:
        """The counters, counted after the warm-up like every other statistic."""
        start = self._at_warmup
        return {k: v - start.get(k, 0) for k, v in self.counters().items()}


def check_economics(
    economics: Economics, resources: Sequence[str], counters: Sequence[str], fleets: Sequence[str]
) -> None:
    """Cost tables must name resources and counters this run has (else ScenarioError)."""
    known = {
        "labour_cny_per_hour": list(resources),
        "per_event_cny": list(counters),
        "fleet_cny_per_order": list(fleets),
    }
    for table, names in known.items():
        for key in getattr(economics, table):
            # A resource this scenario does not build (riders at an airport-only hub)
            # costs nothing; only a name no scenario could have is an error.
            if key not in names and not (table == "labour_cny_per_hour" and key in STAGES):
                raise ScenarioError(
                    f"economics.{table}.{key}: no resource or counter named {key!r}; "
                    f"allowed: {', '.join(names)}"
                )
