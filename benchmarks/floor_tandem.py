"""The benchmark's floor: the tandem network as a hand-written heapq event loop (a helper).

pick (c=4, Exp mean 1 min) -> pack (c=2, Exp mean 0.5 min) -> couriers (c=8,
lognormal mean 2 min, sd 1 min) fed by a flat Poisson stream of 3 orders/min, the
network of :mod:`simpy_tandem` and of o2osim's tandem. No framework: one heap of
``(time, sequence, kind, order)`` tuples, a deque per station, random numbers
pre-drawn in numpy blocks, and per order the stamps a model would keep (arrival,
and start and end at each station). It is what a careful programmer writes by
hand in pure Python, so ``o2osim / floor`` says what the framework costs on top.
This module must not import o2osim's model.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass
from heapq import heappop, heappush

import numpy as np
import simpy_tandem as net

ARRIVE = -1  # event kind of an arrival; 0, 1, 2 are completions at the stations


@dataclass
class FloorRun:
    sim_s: float
    placed: int
    completed: int
    mean_sojourn: float
    events: int


def _draws(rng: np.random.Generator, n: int) -> tuple[list[float], ...]:
    sigma2 = math.log1p(net.TRIP_CV * net.TRIP_CV)
    mu, sigma = math.log(net.TRIP_MEAN) - sigma2 / 2.0, math.sqrt(sigma2)
    return (
        rng.exponential(1.0 / net.RATE_PER_MIN, n).tolist(),
        rng.exponential(net.PICK_MEAN, n).tolist(),
        rng.exponential(net.PACK_MEAN, n).tolist(),
        rng.lognormal(mu, sigma, n).tolist(),
    )


def run_floor_tandem(horizon: float, seed: int = 1) -> FloorRun:
    """Run the tandem to ``horizon`` minutes with a plain heapq loop (see the module).

    No ``gc.collect()`` here: the caller collects before it starts its clock. A full
    collection of the benchmark's process costs ~0.06 s of CPU, and when it ran in
    here it counted as the floor's own time (a third of it at 100,000 orders).
    """
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    n = int(horizon * net.RATE_PER_MIN * 1.1) + 1000
    gaps, *services = _draws(rng, n)
    servers = (net.PICKERS, net.PACKERS, net.RIDERS)
    busy = [0, 0, 0]
    queues: tuple[deque[int], ...] = (deque(), deque(), deque())
    placed: list[float] = []
    start = ([math.nan] * n, [math.nan] * n, [math.nan] * n)
    end = ([math.nan] * n, [math.nan] * n, [math.nan] * n)
    heap: list[tuple[float, int, int, int]] = [(gaps[0], 0, ARRIVE, 0)]
    seq = events = 1
    while heap:
        now, _, kind, order = heappop(heap)
        if now >= horizon:
            break
        if kind == ARRIVE:
            placed.append(now)
            following = order + 1
            heappush(heap, (now + gaps[following], seq, ARRIVE, following))
            seq += 1
            station = 0
        else:
            end[kind][order] = now
            queue = queues[kind]
            if queue:
                waiting = queue.popleft()
                start[kind][waiting] = now
                heappush(heap, (now + services[kind][waiting], seq, kind, waiting))
                seq += 1
            else:
                busy[kind] -= 1
            station = kind + 1
            if station == 3:
                continue
        if busy[station] < servers[station]:
            busy[station] += 1
            start[station][order] = now
            heappush(heap, (now + services[station][order], seq, station, order))
            seq += 1
        else:
            queues[station].append(order)
        events += 1
    sim_s = time.perf_counter() - started
    done = np.asarray(end[2][: len(placed)])
    mask = ~np.isnan(done)
    lead = done[mask] - np.asarray(placed)[mask]
    mean = float(lead.mean()) if len(lead) else math.nan
    return FloorRun(sim_s, len(placed), int(mask.sum()), mean, seq)
