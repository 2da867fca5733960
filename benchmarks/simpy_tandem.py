"""The benchmark's reference: the tandem network written as idiomatic SimPy (a script helper).

pick (c=4, Exp mean 1 min) -> pack (c=2, Exp mean 0.5 min) -> couriers (c=8,
lognormal mean 2 min, sd 1 min) fed by a flat Poisson stream of 3 orders/min: the
network :mod:`bench_throughput` also builds with o2osim, so the two times can be
compared. This module must not import o2osim's model (only its kernel, to count
events the same way).
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from o2osim.kernel import events_scheduled

# The tandem network (times in minutes).
RATE_PER_MIN = 3.0  # flat Poisson arrivals: 4320 per day
PICKERS, PICK_MEAN = 4, 1.0  # exponential
PACKERS, PACK_MEAN = 2, 0.5  # exponential
RIDERS, TRIP_MEAN, TRIP_CV = 8, 2.0, 0.5  # lognormal, sd = 1 min


@dataclass
class SimpyRun:
    sim_s: float
    placed: int
    completed: int
    mean_sojourn: float
    events: int


def run_simpy_tandem(horizon: float, seed: int = 1) -> SimpyRun:
    """The same tandem written as idiomatic SimPy.

    One generator process per order and one ``simpy.Resource`` per station
    (``with res.request() as req: yield req; yield env.timeout(...)``). Random
    numbers: one ``numpy.random.Generator`` (PCG64), drawn **per call** with
    ``rng.exponential(scale)`` / ``rng.lognormal(mu, sigma)`` -- the most common
    idiom (no block sampling, no stdlib ``random``). Only the time in system of
    each finished order is recorded; o2osim records 15 timestamps per order, and
    that is deliberately part of its measured time.
    """
    gc.collect()
    started = time.perf_counter()
    env = simpy.Environment()
    rng = np.random.default_rng(seed)
    pick = simpy.Resource(env, capacity=PICKERS)
    pack = simpy.Resource(env, capacity=PACKERS)
    riders = simpy.Resource(env, capacity=RIDERS)
    sigma2 = math.log1p(TRIP_CV * TRIP_CV)
    trip_mu, trip_sigma = math.log(TRIP_MEAN) - sigma2 / 2.0, math.sqrt(sigma2)
    sojourns: list[float] = []
    placed = 0

    def order(env: simpy.Environment) -> Generator[simpy.Event, Any, None]:
        arrived = env.now
        with pick.request() as req:
            yield req
            yield env.timeout(rng.exponential(PICK_MEAN))
        with pack.request() as req:
            yield req
            yield env.timeout(rng.exponential(PACK_MEAN))
        with riders.request() as req:
            yield req
            yield env.timeout(rng.lognormal(trip_mu, trip_sigma))
        sojourns.append(env.now - arrived)

    def source(env: simpy.Environment) -> Generator[simpy.Event, Any, None]:
        nonlocal placed
        while True:
            yield env.timeout(rng.exponential(1.0 / RATE_PER_MIN))
            placed += 1
            env.process(order(env))

    env.process(source(env))
    env.run(until=horizon)
    sim_s = time.perf_counter() - started
    mean = float(np.mean(sojourns)) if sojourns else math.nan
    return SimpyRun(sim_s, placed, len(sojourns), mean, events_scheduled(env))
