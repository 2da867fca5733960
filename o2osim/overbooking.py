"""Overbooking policies of a service date, and the binomial arithmetic behind them.

A policy of the family ``overbooking`` is a plain function with one signature,
``policy(capacity, show_probability, settings) -> limit``: the most bookings a service
date holds at once (accepted and not cancelled). ``show_probability`` is the chance a
booking still held at the date shows up; ``settings`` is the product's
``[overbooking]`` table. The names are listed in :mod:`o2osim.policies`.

If a date holds ``B`` bookings at its date and each shows independently with
probability ``q``, the customers denied service are ``max(S - C, 0)`` with
``S ~ Binomial(B, q)`` (Rothstein 1971, the classic overbooking model). This module
only computes; it must not know SimPy, the order book or the scenario file.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.stats import binom

from .policies import registrar
from .scenario.services import Overbooking, ServiceProduct

#: ``(capacity, show probability, settings) -> booking limit`` (at least the capacity).
OverbookingPolicy = Callable[[int, float, Overbooking], int]
OVERBOOKING: dict[str, OverbookingPolicy] = {}
_named = registrar(OVERBOOKING, "overbooking")


@_named("none")
def no_overbooking(capacity: int, show_probability: float, settings: Overbooking) -> int:
    """Never sell more places than there are."""
    return capacity


@_named("fixed_limit")
def fixed_limit(capacity: int, show_probability: float, settings: Overbooking) -> int:
    """Sell ``settings.extra`` places above the capacity."""
    return capacity + settings.extra


@_named("binomial_risk")
def binomial_risk(capacity: int, show_probability: float, settings: Overbooking) -> int:
    """The largest limit whose chance of more shows than places is at most
    ``settings.denied_risk`` (never below the capacity).

    A date that holds fewer bookings than the limit at its date has a smaller risk, so
    the bound holds whatever cancellations do.
    """
    if show_probability >= 1.0:
        return capacity
    if show_probability <= 0.0:
        return capacity * 4  # nobody shows: any limit is safe; assumption: 4x keeps it finite
    # P(S > C) grows with B; search the first B past the target, up to where it is certain.
    top = int(np.ceil(capacity / show_probability * 3)) + 10
    limits = np.arange(capacity, top + 1)
    risk = binom.sf(capacity, limits, show_probability)
    over = np.flatnonzero(risk > settings.denied_risk)
    return int(limits[over[0] - 1]) if over.size else int(top)


def booking_limit(product: ServiceProduct) -> int:
    """The most bookings a date of ``product`` holds at once, by its policy.

    The policy is told the chance a booking still held at the date shows up
    (``1 - no_show_probability``); cancellations still to come only lower the risk.
    """
    settings = product.overbooking
    return OVERBOOKING[settings.policy](
        product.capacity, 1.0 - product.no_show_probability, settings
    )


def denied_distribution(bookings: int, capacity: int, show_probability: float) -> np.ndarray:
    """P(denied = d) for d = 0 .. max(bookings - capacity, 0)."""
    shows = binom.pmf(np.arange(bookings + 1), bookings, show_probability)
    over = max(bookings - capacity, 0)
    out = np.zeros(over + 1)
    out[0] = shows[: capacity + 1].sum()
    out[1:] = shows[capacity + 1 :]
    return out


def expected_denied(bookings: int, capacity: int, show_probability: float) -> float:
    """E[max(S - C, 0)] with S ~ Binomial(bookings, q): customers denied per date."""
    dist = denied_distribution(bookings, capacity, show_probability)
    return float(np.dot(np.arange(dist.size), dist))
