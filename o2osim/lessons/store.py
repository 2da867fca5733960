"""Lesson: Little's law in the bonded experience store.

Visitors queue at the door of the front store's experience zone (the Hangzhou
Xiasha "front store, back warehouse" complex), browse and leave. Little's law
L = lambda W holds for any queue in steady state; with exponential browsing the
door is also an M/M/c queue (Erlang C). Rates are assumptions marked where set.
This module must not hold key answers: the key computes them at run time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..api import simulate
from ..scenario import Scenario
from ..theory import mmc_mean_wait
from ..validation import textbook_scenario
from .common import HORIZON, WARMUP
from .core import Decision, Lesson, lesson_scenario
from .keys import Key, answer, replicate_many

STORE = "experience_store"


def store_base() -> Scenario:
    return textbook_scenario(
        ["store_visit"],
        1.0,  # assumption: 60 visitors an hour, all day (the decision changes it)
        horizon=HORIZON,
        warmup=WARMUP,
        stores=[
            {
                "name": STORE,
                "capacity": 12,
                "door_queue": True,
                "browse_time": {"dist": "exponential", "mean": "10min"},
                "purchase_probability": 0.0,  # this lesson counts people, not sales
            }
        ],
    )


def _little_terms(scenario: Scenario) -> Callable[[int], list[float]]:
    """Per run: L inside (time average), lambda in (a minute), W inside (min), L_q, W_q."""

    def measure(seed: int) -> list[float]:
        result = simulate(scenario, seed=seed)
        meta = result.scenario.scenario
        kpi = result.kpi
        inside = kpi("resource", STORE, "utilisation") * kpi("resource", STORE, "servers")
        rate = kpi("store", STORE, "entered") / (meta.horizon - meta.warmup)
        time_inside = kpi("store", STORE, "mean_time_in_zone")
        door_queue = kpi("resource", STORE, "mean_queue")
        door_wait = kpi("store", STORE, "mean_door_wait")
        return [
            inside,
            inside / (rate * time_inside),
            door_queue / (rate * door_wait) if door_wait > 0 else 1.0,
            door_wait,
        ]

    return measure


def store_key(lesson: Lesson, values: Mapping[str, float], replications: int) -> Key:
    key = Key(lesson.name, dict(values), replications)
    rate = values["visitors_per_hour"] / 60.0
    browse, capacity = values["browse_min"], int(values["zone_capacity"])
    measure = _little_terms(lesson_scenario(lesson, values))
    inside, ratio, door_ratio, wait = replicate_many(measure, replications)
    stable = rate * browse < capacity
    key.answers += [
        answer("Little: people inside / (arrivals x time inside)", "ratio", ratio, 1.0, "Little"),
        answer(
            "Little at the door: people queueing / (arrivals x door wait)",
            "ratio",
            door_ratio,
            1.0,
            "Little",
        ),
        answer(
            "People inside the zone, time average",
            "people",
            inside,
            rate * browse if stable else None,
            "lambda x mean browse" if stable else "",
        ),
        answer(
            "Wait at the door, mean",
            "min",
            wait,
            mmc_mean_wait(rate, browse, capacity) if stable else None,
            "Erlang C" if stable else "",
        ),
    ]
    if not stable:
        key.notes.append(
            f"{rate * browse:g} people would be inside on average but only {capacity} fit: "
            "the door queue grows without bound."
        )
    return key


# Ranges and defaults: teaching choices (assumption, docs/sources.md "Lessons").
STORE_DECISIONS = (
    Decision(
        "visitors_per_hour",
        "Visitors arriving per hour",
        "visitors an hour",
        12,
        120,
        60,
        lambda v: {"customers.segments[0].arrivals_per_day": v * 24.0},
        step=6,
    ),
    Decision(
        "zone_capacity",
        "People allowed in the experience zone at once",
        "people",
        2,
        30,
        12,
        lambda v: {f"stores.{STORE}.capacity": int(v)},
    ),
    Decision(
        "browse_min",
        "Time a visitor spends browsing, mean",
        "minutes",
        2,
        30,
        10,
        lambda v: {f"stores.{STORE}.browse_time": {"dist": "exponential", "mean": f"{v:g}min"}},
    ),
)


LITTLE_STORE = Lesson(
    name="little_store",
    title="Little's law in the bonded experience store",
    minutes=90,
    story=(
        "In Hangzhou's Xiasha bonded zone the 'front store, back warehouse' complex lets "
        "shoppers touch imported goods in an experience zone and collect them, cleared, "
        "from the bonded warehouse behind it. Fire rules cap how many people may be "
        "inside at once; when the zone is full, visitors queue at the door.\n\n"
        "Little's law (Little 1961) says that, in any system in steady state, the average "
        "number inside L equals the arrival rate lambda times the average time inside W. "
        "It needs no assumption about arrivals or browsing times, which makes it the "
        "manager's first check on any flow."
    ),
    measure=(
        ("store", STORE, "mean_time_in_zone"),
        ("store", STORE, "mean_door_wait"),
        ("resource", STORE, "utilisation"),
        ("resource", STORE, "mean_queue"),
    ),
    exercises=(
        "60 visitors an hour browse 10 minutes each. How many are inside on average? "
        "Check the dashboard's busy share times the capacity.",
        "Measure L, lambda and W separately from the run and check L = lambda W, in the "
        "zone and at the door.",
        "Halve the capacity. Which of L, lambda and W change, and by how much?",
        "What capacity keeps the mean door wait under one minute (Erlang C)?",
        "Trace the visitors: `o2osim trace results/mine --chart results/mine/traces.png` "
        "draws 30 of them (hatched: waiting at the door; solid: inside the zone). Follow "
        "one with `o2osim trace results/mine --order ID`. Is its waiting plus browsing "
        "the W of L = lambda W, and why does W differ from visitor to visitor?",
    ),
    decisions=STORE_DECISIONS,
    base=store_base,
    key=store_key,
    sources=("Little 1961", "Erlang 1917", "Xiasha bonded complex (docs/sources.md)"),
    objective=("store", STORE, "mean_door_wait"),
)
