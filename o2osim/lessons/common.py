"""Helpers the queueing lessons share: shaped days and the steady peak of a key.

A lesson's base scenario is a stripped-down textbook scenario (:func:`o2osim.
validation.textbook_scenario`) with a shaped day: quiet hours and a peak. Its key
runs the peak held steady all day, where a closed form is exact, and compares the
model's replication CI with it. This module must not hold key answers.
"""

from __future__ import annotations

from collections.abc import Callable

from ..api import simulate
from ..scenario import Scenario, with_overrides

#: Keys' runs: 2 days after a 6 h warm-up (~7,000 arrivals at a peak of 2.4 a minute).
HORIZON, WARMUP = "2d", "6h"


def day_rates(hours: range, inside: float, outside: float) -> list[float]:
    """24 arrival rates (a minute), ``inside`` in ``hours`` and ``outside`` elsewhere."""
    return [inside if h in hours else outside for h in range(24)]


def per_minute(rates: list[float]) -> float:
    """The day's mean arrival rate (a minute) of 24 hourly rates."""
    return sum(rates) / 24.0


def steady(scenario: Scenario, rate: float, extra: list[str]) -> Scenario:
    """The scenario with flat arrivals at ``rate`` a minute all day (the theory check)."""
    return with_overrides(
        scenario,
        [
            'customers.segments[0].hourly_profile="flat"',
            f"customers.segments[0].arrivals_per_day={rate * 1440.0}",
            *extra,
        ],
        origin="lesson key",
    )


def kpis_of(scenario: Scenario, *keys: tuple[str, str, str]) -> Callable[[int], list[float]]:
    """One replication (a seed) -> the KPIs ``(group, name, kpi)`` of one run, in order."""

    def measure(seed: int) -> list[float]:
        result = simulate(scenario, seed=seed)
        return [result.kpi(*key) for key in keys]

    return measure
