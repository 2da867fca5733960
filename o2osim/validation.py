"""``o2osim validate``: stripped-down runs against closed-form results.

Each check builds a textbook scenario (flat Poisson arrivals, one channel,
unlimited stock unless the check is about stock, one line per order), runs
independent replications and compares the replication mean's 99% confidence
interval with the exact value from :mod:`o2osim.theory`. Users and teachers see
a table of model value, CI, exact value and pass/fail. This module must not
change the model. ``docs/validation.md`` gives each check's theory.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import numpy as np

from .scenario import Scenario, scenario_from_dict
from .summary import t_half_width
from .theory import (
    erlang_a,
    mg1_mean_wait,
    mmc_mean_wait,
    poisson_fill_rate,
    rq_fill_rate_poisson,
)


def textbook_scenario(
    route: list[str],
    per_minute: float,
    horizon: str = "5d",
    warmup: str = "12h",
    **sections: dict[str, Any] | list[Any],
) -> Scenario:
    """One segment at a flat Poisson rate (orders/min), one channel, unlimited stock.

    Defaults: 4 pickers at exponential 1 min per line, 2 packers at exponential
    30 s, 10 customs slots at exponential 1 min, 8 riders with exponential 2 min
    round trips. ``sections`` update the top-level tables, e.g.
    ``warehouse={"pickers": 1}``; ``customers`` updates the one segment (or, holding
    ``segments``, replaces them); a list (``stores=[...]``) replaces the entry.
    """
    raw: dict[str, Any] = {
        "scenario": {
            "name": "textbook",
            "layout": "omnichannel_hub",
            "horizon": horizon,
            "warmup": warmup,
            "seed": 1,
        },
        "customers": {
            "segments": [
                {
                    "name": "poisson",
                    "arrivals_per_day": per_minute * 1440.0,
                    "hourly_profile": "flat",
                    "channels": ["only"],
                }
            ]
        },
        "catalogue": {"skus": 50, "items_per_order": 1.0},
        "channels": {"only": {"route": route, "promise": "1d"}},
        "warehouse": {
            "pickers": 4,
            "pick_time": {"dist": "exponential", "mean": "1min"},
            "packers": 2,
            "pack_time": {"dist": "exponential", "mean": "30s"},
            "unlimited_stock": True,
        },
        "customs": {
            "capacity": 10,
            "clearance_time": {"dist": "exponential", "mean": "1min"},
            "inspection_rate": 0.0,
        },
        "couriers": {"riders": 8, "trip_time": {"dist": "exponential", "mean": "2min"}},
    }
    for name, table in sections.items():
        if isinstance(table, list):
            raw[name] = table
        elif name == "customers" and "segments" not in table:  # keys of the one segment
            raw["customers"]["segments"][0].update(table)
        else:
            raw.setdefault(name, {}).update(table)
    return scenario_from_dict(raw, source="<textbook>")


@dataclass(frozen=True)
class Check:
    """One line of the validation table."""

    name: str
    model: float
    low: float
    high: float
    exact: float

    @property
    def passed(self) -> bool:
        return self.low <= self.exact <= self.high


def _kpi(
    route: list[str], rate: float, resource: str, kpi: str, **sections: Any
) -> Callable[[int], float]:
    """One KPI of one replication of the textbook scenario."""

    def measure(seed: int) -> float:
        from .api import simulate

        result = simulate(textbook_scenario(route, rate, **sections), seed=seed)
        return result.kpi("resource", resource, kpi)

    return measure


def _tandem_sojourn(seed: int) -> float:
    from .api import simulate

    orders = simulate(textbook_scenario(["pick", "pack"], 3.0), seed=seed).orders
    done = orders[orders["after_warmup"] & orders["packed"].notna()]
    return float((done["packed"] - done["pick_queued"]).mean())


def _jackson_tandem_exact() -> float:
    return (mmc_mean_wait(3.0, 1.0, 4) + 1.0) + (mmc_mean_wait(3.0, 0.5, 2) + 0.5)


#: Customers who wait in person at the pickers and leave after exponential 2 min patience.
IMPATIENT: dict[str, Any] = {
    "customers": {"patience": {"at": ["pick"], "time": {"dist": "exponential", "mean": "2min"}}}
}


def _abandonment(seed: int) -> float:
    from .api import simulate

    orders = simulate(textbook_scenario(["pick"], 4.5, **IMPATIENT), seed=seed).orders
    counted = orders[orders["after_warmup"] & (orders["outcome"] != "in_flight")]
    return float((counted["outcome"] == "reneged").mean())


#: Riders really riding, dispatched by the general dispatcher (a 24 h shift): homes at an
#: exponential distance of mean 0.5 km, 30 km/h, no handover, so a round trip 2 d / v is
#: exponential with mean 2 min.
RIDING: dict[str, Any] = {
    "couriers": {
        "riders": 8,
        "speed_kmh": 30.0,
        "trip_time": None,
        "handover_time": {"dist": "deterministic", "value": "0s"},
        "shifts": [{"start": "00:00", "end": "00:00", "riders": 8}],
    },
    "customers": {"distance_km": {"dist": "exponential", "mean": 0.5}},
}
MD1: dict[str, Any] = {
    "warehouse": {"pickers": 1, "pick_time": {"dist": "deterministic", "value": "1min"}}
}
MG1: dict[str, Any] = {
    "warehouse": {"pickers": 1, "pick_time": {"dist": "lognormal", "mean": "1min", "cv": 1.0}}
}

ZERO: dict[str, Any] = {"dist": "deterministic", "value": "0s"}
#: Teaching mode of the airport: Poisson customers straight to the pickup counters.
COUNTERS_MMC: dict[str, Any] = {
    "airport": {
        "counters": 3,
        "id_check_time": ZERO,
        "pickup_time": {"dist": "exponential", "mean": "90s"},
    }
}
FACE_ID_MD1: dict[str, Any] = {
    "airport": {
        "counters": 1,
        "pickup_time": ZERO,
        "id_check_time": {"dist": "deterministic", "value": "10s"},
    }
}


# ---------------------------------------------------------------- inventory


def stock_scenario(
    per_sku_per_day: float,
    skus: int,
    replenishment: dict[str, Any],
    initial: int,
    horizon: str = "30d",
    warmup: str = "3d",
    **extra: dict[str, Any] | list[Any],
) -> Scenario:
    """The bonded stock pool as a textbook single-item system, ``skus`` copies of it.

    One backorder channel whose route is ``reserve`` only; every SKU has the same Poisson
    demand (Zipf exponent 0), one unit per order; the replenishment lead time is a
    deterministic 1 day; ``replenishment`` gives the policy and its levels. Many SKUs in
    one run average over many independent items.
    """
    return textbook_scenario(
        ["reserve"],
        per_sku_per_day * skus / 1440.0,
        horizon=horizon,
        warmup=warmup,
        catalogue={"skus": skus, "popularity": {"dist": "zipf", "a": 0.0}},
        channels={"only": {"route": ["reserve"], "promise": "1d", "on_shortage": "backorder"}},
        warehouse={
            "unlimited_stock": False,
            "initial_stock_units": initial,
            "replenishment": {
                "lead_time": {"dist": "deterministic", "value": "1d"},
                **replenishment,
            },
        },
        **extra,
    )


def _fill_rate(
    per_sku_per_day: float, skus: int, replenishment: dict[str, Any], initial: int
) -> Callable[[int], float]:
    """The share of demand met from stock in one replication of a stock scenario."""

    def measure(seed: int) -> float:
        from .api import simulate

        scenario = stock_scenario(per_sku_per_day, skus, replenishment, initial)
        return simulate(scenario, seed=seed).kpi("overall", "all", "fill_rate")

    return measure


#: Continuous-review base stock S = 14, 10 a day per SKU: lead-time demand Poisson(10).
BASE_STOCK = _fill_rate(
    10.0, 40, {"policy": "base_stock", "review": "0s", "order_up_to_units": 14}, initial=14
)
#: Continuous-review (r, Q), r = 25, Q = 20, 25 a day per SKU: lead-time demand Poisson(25).
R_Q = _fill_rate(
    25.0,
    20,
    {"policy": "r_Q", "review": "0s", "reorder_point_units": 25, "order_quantity_units": 20},
    initial=45,
)


# ---------------------------------------------------------------- Little's law


#: Pickers M/G/4 with lognormal pick times of cv 2 (no closed form for the wait) and a
#: snapshot of every resource each minute.
LITTLE: dict[str, Any] = {
    "warehouse": {"pickers": 4, "pick_time": {"dist": "lognormal", "mean": "1min", "cv": 2.0}},
    "recorder": {"resource_interval": "1min"},
}
LITTLE_RATE = 3.0  # orders a minute: rho 0.75


def little_terms(seed: int) -> tuple[float, float, float]:
    """(L, lambda, W) at the pickers after the warm-up, from three separate records.

    L is the mean of ``queue + busy`` over the resource snapshots, lambda the orders that
    joined the pickers' queue per minute, W their mean time from ``pick_queued`` to
    ``picked``. None of the three is computed from the others.
    """
    from .api import simulate

    result = simulate(textbook_scenario(["pick"], LITTLE_RATE, **LITTLE), seed=seed)
    meta = result.scenario.scenario
    snaps = result.resources
    snaps = snaps[(snaps["resource"] == "pick") & (snaps["time"] >= meta.warmup)]
    in_system = float((snaps["queue"] + snaps["busy"]).mean())
    orders = result.orders
    joined = orders[orders["pick_queued"] >= meta.warmup]
    rate = len(joined) / (meta.horizon - meta.warmup)
    done = joined[joined["picked"].notna()]
    return in_system, rate, float((done["picked"] - done["pick_queued"]).mean())


def _little_ratio(seed: int) -> float:
    in_system, rate, sojourn = little_terms(seed)
    return in_system / (rate * sojourn)


#: name -> (one replication's measurement, exact value)
CHECKS: dict[str, tuple[Callable[[int], float], float]] = {
    "Erlang C W_q, pickers M/M/4 (rho 0.75), min": (
        _kpi(["pick"], 3.0, "pick", "mean_wait"),
        mmc_mean_wait(3.0, 1.0, 4),
    ),
    "Erlang C W_q, riders M/M/8 (rho 0.85), min": (
        _kpi(["deliver"], 3.4, "deliver", "mean_wait"),
        mmc_mean_wait(3.4, 2.0, 8),
    ),
    "Erlang C W_q, riders by distance and speed, dispatcher M/M/8 (rho 0.85), min": (
        _kpi(["deliver"], 3.4, "deliver", "mean_wait", **RIDING),
        mmc_mean_wait(3.4, 2.0, 8),
    ),
    "Pollaczek-Khinchine W_q, M/D/1 picker (rho 0.7), min": (
        _kpi(["pick"], 0.7, "pick", "mean_wait", **MD1),
        mg1_mean_wait(0.7, 1.0, 0.0),
    ),
    "Pollaczek-Khinchine W_q, M/G/1 lognormal cv 1 (rho 0.7), min": (
        _kpi(["pick"], 0.7, "pick", "mean_wait", **MG1),
        mg1_mean_wait(0.7, 1.0, 1.0),
    ),
    "Jackson tandem pick -> pack, mean time in system, min": (
        _tandem_sojourn,
        _jackson_tandem_exact(),
    ),
    "Utilisation = lambda / (c mu), pickers M/M/4": (
        _kpi(["pick"], 3.0, "pick", "utilisation"),
        0.75,
    ),
    "Erlang C W_q, airport counters M/M/3 (rho 0.8), min": (
        _kpi(["pickup"], 1.6, "pickup", "mean_wait", **COUNTERS_MMC),
        mmc_mean_wait(1.6, 1.5, 3),
    ),
    "Erlang-A P(abandon), pickers M/M/4+M (rho 1.125, patience 2 min)": (
        _abandonment,
        erlang_a(4.5, 1.0, 4, 2.0)[0],
    ),
    "Pollaczek-Khinchine W_q, face-ID M/D/1 counter (rho 0.7), min": (
        _kpi(["pickup"], 4.2, "pickup", "mean_wait", **FACE_ID_MD1),
        mg1_mean_wait(4.2, 10 / 60, 0.0),
    ),
    "Base-stock fill rate, Poisson lead-time demand 10, S = 14": (
        BASE_STOCK,
        poisson_fill_rate(10.0, 14),
    ),
    "(r, Q) fill rate, Poisson lead-time demand 25, r = 25, Q = 20": (
        R_Q,
        rq_fill_rate_poisson(25.0, 25, 20),
    ),
    "Little's law L / (lambda W), pickers M/G/4 lognormal cv 2 (rho 0.75)": (_little_ratio, 1.0),
}


def _measure(name: str, seed: int) -> float:
    return CHECKS[name][0](seed)


def run_checks(
    replications: int = 10,
    workers: int | None = None,
    level: float = 0.99,
    only: Collection[str] | None = None,
    on_done: Callable[[int, int], None] | None = None,
) -> list[Check]:
    """Run the checks with ``replications`` seeds each; return the table rows.

    ``only`` names a subset of :data:`CHECKS` (in the table's order); an unknown name is
    a ``ValueError``. ``workers`` > 1 runs replications in that many processes.
    ``on_done(done, total)`` is called as each replication finishes (for progress).
    """
    names = list(CHECKS)
    if only is not None:
        unknown = sorted(set(only) - set(CHECKS))
        if unknown:
            raise ValueError(f"unknown check {unknown[0]!r}; the checks are {names}")
        names = [name for name in names if name in only]
    jobs = [(name, seed) for name in names for seed in range(1, replications + 1)]
    values: list[float] = []
    with ExitStack() as stack:
        if workers and workers > 1:
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=workers))
            results: Iterator[float] = pool.map(_measure, *zip(*jobs, strict=True))
        else:
            results = (_measure(name, seed) for name, seed in jobs)
        for value in results:
            values.append(value)
            if on_done is not None:
                on_done(len(values), len(jobs))
    checks = []
    for index, name in enumerate(names):
        sample = np.asarray(values[index * replications : (index + 1) * replications])
        half = float(t_half_width(sample.std(ddof=1), replications, level))
        mean = float(sample.mean())
        checks.append(Check(name, mean, mean - half, mean + half, CHECKS[name][1]))
    return checks
