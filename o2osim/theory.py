"""Closed-form queueing and inventory results the stripped-down model must reproduce.

These are textbook formulas, kept apart from the model so tests and
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


def _poisson_cdf(k: int, mean: float) -> float:
    """P(N <= k) for N ~ Poisson(mean); 0 for k < 0."""
    if k < 0:
        return 0.0
    term = math.exp(-mean)
    total = term
    for j in range(1, k + 1):
        term *= mean / j
        total += term
    return total


def normal_loss(z: float) -> float:
    """Standard normal loss function G(z) = E[(Z - z)^+] = phi(z) - z (1 - Phi(z))."""
    pdf = math.exp(-z * z / 2.0) / math.sqrt(2.0 * math.pi)
    return pdf - z * 0.5 * math.erfc(z / math.sqrt(2.0))


def rq_fill_rate_normal(
    mean_demand: float, sd_demand: float, reorder_point: float, quantity: float
) -> float:
    """Fill rate of continuous-review (r, Q) with backorders, normal lead-time demand.

    The classic approximation (Hadley-Whitin, Silver-Pyke-Peterson): the expected
    shortage per replenishment cycle is ``sd * (G(k) - G(k + Q / sd))`` with
    ``k = (r - mean) / sd``; the fill rate is one minus that over Q. Demand in units.
    """
    k = (reorder_point - mean_demand) / sd_demand
    shortage = sd_demand * (normal_loss(k) - normal_loss(k + quantity / sd_demand))
    return 1.0 - shortage / quantity


def rq_fill_rate_poisson(mean_demand: float, reorder_point: int, quantity: int) -> float:
    """Exact fill rate of (r, Q) with backorders and Poisson lead-time demand (unit demands).

    The inventory position is uniform on r+1..r+Q; a demand is met from stock when
    the lead-time demand is at most the position minus one.
    """
    positions = range(reorder_point + 1, reorder_point + quantity + 1)
    return sum(_poisson_cdf(y - 1, mean_demand) for y in positions) / quantity


def periodic_base_stock_fill_rate(
    rate: float, lead_time: float, review: float, base_stock: int
) -> float:
    """Fill rate of periodic-review base stock with backorders and Poisson demand.

    Reviews every ``review`` minutes order up to S; orders arrive ``lead_time``
    later; ``rate`` is demand per minute. A demand a time s after the review
    whose order covers it is met when fewer than S units were demanded since that
    review, s uniform on [L, L + R):

        fill = (1/R) * integral_L^{L+R} P(N(rate * s) <= S - 1) ds,

    in closed form via d/dx sum_{j<S} P(N(rate x) > j) = rate * P(N(rate x) <= S - 1).
    """

    def g(x: float) -> float:
        return sum(1.0 - _poisson_cdf(j, rate * x) for j in range(base_stock))

    return (g(lead_time + review) - g(lead_time)) / (rate * review)


def erlang_a(
    arrival_rate: float, service_mean: float, servers: int, patience_mean: float
) -> tuple[float, float, float]:
    """M/M/c+M (Erlang-A, Palm's queue with exponential patience).

    Returns (probability that an arrival abandons, mean wait in queue of all arrivals
    in minutes -- abandoning ones count until they leave --, probability of waiting).
    Birth-death chain (Garnett, Mandelbaum & Reiman 2002; Mandelbaum & Zeltyn 2007):
    pi_n ~ a^n / n! for n <= c, and pi_{c+k} = pi_c prod_{j<=k} lambda / (c mu + j theta),
    with mu = 1 / service_mean, theta = 1 / patience_mean. With E[Q] the mean number
    waiting, W = E[Q] / lambda (Little) and P(abandon) = theta E[Q] / lambda.
    Stable for any load because theta > 0.
    """
    if patience_mean <= 0 or service_mean <= 0 or servers < 1 or arrival_rate <= 0:
        raise ValueError("rates, means and servers must be positive")
    mu, theta = 1.0 / service_mean, 1.0 / patience_mean
    term, below = 1.0, 1.0  # pi_0 (unnormalised) and the sum of pi_0..pi_{c-1}
    for n in range(1, servers):
        term *= arrival_rate / (n * mu)
        below += term
    term *= arrival_rate / (servers * mu)  # pi_c
    waiting_mass, queue_mass, k = term, 0.0, 0  # sums of pi_{c+k} and k pi_{c+k}, k >= 0
    while True:
        k += 1
        ratio = arrival_rate / (servers * mu + k * theta)
        term *= ratio
        waiting_mass += term
        queue_mass += k * term
        # Once the ratio is below 1 the tail is below a geometric series: stop when tiny.
        if ratio < 1 and k * term / (1 - ratio) ** 2 < 1e-14 * waiting_mass:
            break
    total = below + waiting_mass
    mean_queue = queue_mass / total
    return theta * mean_queue / arrival_rate, mean_queue / arrival_rate, waiting_mass / total


def mmck_blocking(arrival_rate: float, service_mean: float, servers: int, capacity: int) -> float:
    """Probability that an arrival finds M/M/c/K full (``capacity`` K >= c in the system).

    pi_n ~ a^n / n! for n <= c and pi_c rho^(n - c) above; the answer is pi_K (PASTA).
    Balking at ``b`` waiting is M/M/c/(c + b).
    """
    if capacity < servers:
        raise ValueError("capacity must be at least the number of servers")
    load = arrival_rate * service_mean
    terms = [1.0]
    for n in range(1, capacity + 1):
        terms.append(terms[-1] * load / min(n, servers))
    return terms[-1] / sum(terms)
