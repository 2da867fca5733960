"""Lesson: how many pickup counters the airport needs (Erlang C).

Travellers collect duty-free pre-orders at Hongqiao's face-ID counters (the
Shanghai Hongqiao scenario); here in teaching mode they arrive as a Poisson stream
with a peak from 08:00 to 20:00, and the hand-over is exponential so that Erlang C
is exact when the peak is held all day. Arrival rates are assumptions marked where
set. This module must not hold key answers: the key computes them at run time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from ..scenario import Scenario
from ..theory import erlang_c, mmc_mean_wait
from ..validation import textbook_scenario
from .common import HORIZON, WARMUP, day_rates, kpis_of, per_minute, steady
from .core import Decision, Lesson, lesson_scenario
from .keys import Key, answer, replicate_many

PEAK = range(8, 20)  # 08:00-20:00, the counters' peak hours
PEAK_PER_MIN = 2.4  # assumption: 144 passengers an hour at the peak
QUIET_PER_MIN = 0.6  # assumption: 36 an hour before 08:00 and after 20:00


def airport_base() -> Scenario:
    rates = day_rates(PEAK, PEAK_PER_MIN, QUIET_PER_MIN)
    return textbook_scenario(
        ["pickup"],
        per_minute(rates),
        horizon=HORIZON,
        warmup=WARMUP,
        customers={"hourly_profile": rates},
        airport={
            "counters": 14,  # the Hongqiao T1 counter desk; staffing says how many open
            "staffing": [2] * 24,
            "id_check_time": {"dist": "deterministic", "value": "0s"},
            "pickup_time": {"dist": "exponential", "mean": "90s"},
        },
    )


def _counter_stats(scenario: Scenario) -> Callable[[int], list[float]]:
    """Mean wait, share who waited, 95th percentile of the wait at the counters."""
    return kpis_of(
        scenario,
        ("resource", "pickup", "mean_wait"),
        ("resource", "pickup", "share_waited"),
        ("resource", "pickup", "p95_wait"),
    )


def airport_key(lesson: Lesson, values: Mapping[str, float], replications: int) -> Key:
    key = Key(lesson.name, dict(values), replications)
    peak, quiet = int(values["peak_counters"]), int(values["quiet_counters"])
    service = values["handover_s"] / 60.0
    day = lesson_scenario(lesson, values)
    load = PEAK_PER_MIN * service
    if load < peak:
        steady_peak = steady(day, PEAK_PER_MIN, [f"airport.staffing={[peak] * 24}"])
        wait, waited, _ = replicate_many(_counter_stats(steady_peak), replications)
        exact = mmc_mean_wait(PEAK_PER_MIN, service, peak)
        key.answers += [
            answer("Peak held all day: wait at the counter, mean", "min", wait, exact, "Erlang C"),
            answer(
                "Peak held all day: share who wait",
                "share",
                waited,
                erlang_c(peak, load),
                "Erlang C",
            ),
        ]
    else:
        key.notes.append(
            f"At the peak {load:.2f} Erlangs of work meet {peak} counters: the queue grows "
            "all afternoon and Erlang C has no steady state."
        )
    wait, waited, p95 = replicate_many(_counter_stats(day), replications)
    key.answers += [
        answer("Whole day: wait at the counter, mean", "min", wait),
        answer("Whole day: wait at the counter, 95th percentile", "min", p95),
        answer("Whole day: share who wait", "share", waited),
    ]
    key.tables.append(("Erlang C at the peak and in quiet hours", _erlang_table(service)))
    key.notes.append(
        f"Decisions: {peak} counters from 08:00 to 20:00, {quiet} otherwise; the smallest "
        "number of counters whose mean wait is under 2 minutes is read off the table."
    )
    return key


def _erlang_table(service: float) -> pd.DataFrame:
    rows = []
    for counters in range(1, 11):
        row: dict[str, Any] = {"counters": counters}
        for label, rate in (("peak", PEAK_PER_MIN), ("quiet", QUIET_PER_MIN)):
            load = rate * service
            stable = load < counters
            row[f"{label}_mean_wait_min"] = (
                mmc_mean_wait(rate, service, counters) if stable else float("inf")
            )
            row[f"{label}_share_waiting"] = erlang_c(counters, load) if stable else 1.0
        rows.append(row)
    return pd.DataFrame(rows)


def _peak(value: float) -> dict[str, Any]:
    """Counters at the peak: the peak hours' entries of the 24-value staffing list."""
    return {f"airport.staffing[{h}]": int(value) for h in PEAK}


def _quiet(value: float) -> dict[str, Any]:
    """Counters in quiet hours: every other hour's entry of the staffing list."""
    return {f"airport.staffing[{h}]": int(value) for h in range(24) if h not in PEAK}


# Ranges and defaults: teaching choices (assumption, docs/sources.md "Lessons").
AIRPORT_DECISIONS = (
    Decision(
        "peak_counters",
        "Counters open at the peak (08:00-20:00)",
        "counters",
        1,
        10,
        4,
        _peak,
    ),
    Decision(
        "quiet_counters",
        "Counters open in quiet hours",
        "counters",
        1,
        6,
        2,
        _quiet,
    ),
    Decision(
        "handover_s",
        "Hand-over time at the counter, mean",
        "seconds",
        45,
        150,
        90,
        lambda v: {"airport.pickup_time": {"dist": "exponential", "mean": f"{v:g}s"}},
        step=5,
    ),
)


AIRPORT_COUNTERS = Lesson(
    name="airport_counters",
    title="How many pickup counters does the airport need? (Erlang C)",
    minutes=90,
    story=(
        "Shanghai Hongqiao's T1 lets travellers pre-order duty-free goods up to 72 hours "
        "before their flight and collect them at face-ID counters on the way to the gate "
        "(the Hongqiao port-hub model). Every passenger who queues too long risks the last "
        "call; every counter open costs a clerk's hour. Passengers arrive at random, about "
        "144 an hour from 08:00 to 20:00 and 36 an hour otherwise; a hand-over takes 90 "
        "seconds on average.\n\n"
        "A counter desk is the textbook M/M/c queue (Erlang 1917): with arrivals lambda, "
        "hand-over mean 1/mu and c counters open, the share of passengers who wait is "
        "Erlang C, C(c, a) with a = lambda/mu, and the mean wait is W_q = C(c, a) / "
        "(c mu - lambda)."
    ),
    measure=(
        ("resource", "pickup", "mean_wait"),
        ("resource", "pickup", "p95_wait"),
        ("resource", "pickup", "share_waited"),
        ("resource", "pickup", "utilisation"),
    ),
    exercises=(
        "Compute the offered load a = lambda/mu at the peak. What is the fewest counters "
        "that keeps the queue from growing without bound?",
        "With Erlang C, find the fewest counters whose mean wait at the peak is under 2 "
        "minutes. Run the dashboard with that number and compare the model's wait.",
        "Why is the whole day's mean wait lower than the peak's? Which hours drive the "
        "95th percentile?",
        "A faster face-ID check cuts the hand-over to 60 s. How many counters can close?",
    ),
    decisions=AIRPORT_DECISIONS,
    base=airport_base,
    key=airport_key,
    sources=("Erlang 1917 (Erlang C)", "Hongqiao pickup model (docs/sources.md)"),
    objective=("resource", "pickup", "mean_wait"),
)
