"""Closed-form queueing and inventory results the stripped-down model must reproduce.

These are textbook formulas (design §6), kept apart from the model so tests and
the validation table compare the simulation against numbers it did not produce.
Rates are per minute and times in minutes unless said otherwise.
"""

from __future__ import annotations

import math


def erlang_b(servers: int, offered_load: float) -> float:
    """Blocking probability of M/M/c/c with offered load ``a = lambda / mu`` (Erlangs)."""
    if servers < 0 or offered_load < 0:
        raise ValueError("servers and offered load must be non-negative")
    blocking = 1.0
    for k in range(1, servers + 1):  # stable recursion B(k) = a B(k-1) / (k + a B(k-1))
        blocking = offered_load * blocking / (k + offered_load * blocking)
    return blocking


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in M/M/c (``offered_load`` < ``servers``)."""
    if offered_load >= servers:
        raise ValueError(f"unstable: offered load {offered_load} >= {servers} servers")
    blocking = erlang_b(servers, offered_load)
    rho = offered_load / servers
    return blocking / (1.0 - rho + rho * blocking)


def mmc_mean_wait(arrival_rate: float, service_mean: float, servers: int) -> float:
    """Mean wait in queue W_q of M/M/c (minutes)."""
    load = arrival_rate * service_mean
    return erlang_c(servers, load) * service_mean / (servers - load)


def mmc_mean_queue(arrival_rate: float, service_mean: float, servers: int) -> float:
    """Mean number waiting L_q of M/M/c (Little: lambda W_q)."""
    return arrival_rate * mmc_mean_wait(arrival_rate, service_mean, servers)


def mg1_mean_wait(arrival_rate: float, service_mean: float, service_scv: float) -> float:
    """Pollaczek-Khinchine mean wait of M/G/1; ``service_scv`` is the squared cv."""
    rho = arrival_rate * service_mean
    if rho >= 1:
        raise ValueError(f"unstable: rho = {rho}")
    return rho * service_mean * (1.0 + service_scv) / (2.0 * (1.0 - rho))


def poisson_fill_rate(mean_demand: float, base_stock: int) -> float:
    """Fill rate of a base-stock policy with Poisson lead-time demand (unit demands).

    The share of demand met from stock is P(D <= S - 1) for D ~ Poisson(mean).
    """
    term = math.exp(-mean_demand)
    total = term
    for k in range(1, base_stock):
        term *= mean_demand / k
        total += term
    return total if base_stock > 0 else 0.0
