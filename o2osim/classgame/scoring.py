"""What a class game ranks teams by: one number per run, with its name and direction.

Airport counters and riders are scored by a daily cost that puts staff against
customers' time, so neither "open every counter" nor "open one" wins; the prices
are teaching assumptions, marked here. A game lets teams choose only the decisions
its score prices: the hand-over time and the delivery promise have no price in these
costs (a faster hand-over or a longer promise would win for free), so they stay at
the lesson's defaults. Lessons ranked by profit play every decision (the profit
prices staff by the hour); a lesson whose objective prices none of its decisions
(the store's door wait: the biggest store always wins) has no game.
This module must not run the model: it scores a result it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..api import Result
from ..lessons import LESSONS, Lesson
from ..scenario import ScenarioError

COUNTER_HOUR_CNY = 80.0  # assumption: a counter clerk's hour, wages and desk
WAITING_MINUTE_CNY = 1.0  # assumption: what a passenger's minute in the queue is worth
RIDER_HOUR_CNY = 35.0  # assumption: a rider's hour
LATE_ORDER_CNY = 20.0  # assumption: a voucher for every late order


@dataclass(frozen=True)
class Score:
    label: str
    unit: str
    higher_is_better: bool
    of: Callable[[Result, Mapping[str, float]], float]
    #: the decisions teams choose (the others stay at the lesson's defaults); None: all
    decisions: tuple[str, ...] | None = None


def _per_day(result: Result) -> float:
    meta = result.scenario.scenario
    return (meta.horizon - meta.warmup) / 1440.0


def airport_cost(result: Result, values: Mapping[str, float]) -> float:
    """Counter hours plus passengers' waiting minutes, CNY a day."""
    staffing = result.scenario.airport.staffing if result.scenario.airport else None
    counter_hours = float(sum(staffing or []))
    arrivals = result.kpi("overall", "all", "orders_placed") / _per_day(result)
    waiting = result.kpi("resource", "pickup", "mean_wait") * arrivals
    return counter_hours * COUNTER_HOUR_CNY + waiting * WAITING_MINUTE_CNY


def riders_cost(result: Result, values: Mapping[str, float]) -> float:
    """Rider hours plus a voucher per late order, CNY a day."""
    rider_hours = 8.0 * (values["night_riders"] + values["day_riders"] + values["evening_riders"])
    late = result.kpi("overall", "all", "late_orders") / _per_day(result)
    return rider_hours * RIDER_HOUR_CNY + late * LATE_ORDER_CNY


SCORES: dict[str, Score] = {
    "airport_counters": Score(
        "daily cost: counters + passengers' waiting",
        "CNY",
        False,
        airport_cost,
        ("peak_counters", "quiet_counters"),
    ),
    "couriers_dispatch": Score(
        "daily cost: riders + late vouchers",
        "CNY",
        False,
        riders_cost,
        ("night_riders", "day_riders", "evening_riders"),
    ),
}
#: objective KPIs that price a lesson's decisions (labour by the hour is a cost)
PRICED = ("profit_per_order", "profit_cny")


def games() -> list[str]:
    """The lessons a class game can be played on."""
    return [
        name
        for name, lesson in LESSONS.items()
        if name in SCORES or (lesson.objective and lesson.objective[2] in PRICED)
    ]


def score_of(lesson: Lesson) -> Score:
    """The lesson's game score: its own, or its profit objective; a lesson whose objective
    prices none of its decisions has no game (a ScenarioError naming those that do)."""
    if lesson.name in SCORES:
        return SCORES[lesson.name]
    if lesson.objective is None or lesson.objective[2] not in PRICED:
        raise ScenarioError(
            f"lesson {lesson.name}: no class game (its objective prices none of its "
            f"decisions, so the largest values would always win); games: {', '.join(games())}"
        )
    group, name, kpi = lesson.objective
    return Score(kpi.replace("_", " "), "CNY", True, lambda r, _v: r.kpi(group, name, kpi))
