"""Lesson: couriers, shifts, dispatch and the delivery promise.

Orders wait for a rider (an M/M/c queue when trips are exponential), riders work
three shifts, and the promise decides the on-time share. The key holds the evening
rate all day to compare with Erlang C, then runs the shaped day. Rates and trip
times are assumptions marked where set. This module must not hold key answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..scenario import Scenario
from ..theory import erlang_c, mmc_mean_wait
from ..validation import textbook_scenario
from .common import HORIZON, WARMUP, kpis_of, per_minute, steady
from .core import Decision, Lesson, lesson_scenario, toml_value
from .keys import Key, answer, replicate_many

RIDER_SHIFTS = (("00:00", "08:00"), ("08:00", "16:00"), ("16:00", "00:00"))
RIDER_RATES = (0.15, 0.6, 1.0)  # assumption: orders a minute at night, by day, evening
TRIP = 15.0  # assumption: a round trip, minutes (exponential: Erlang C is exact)


def riders_base() -> Scenario:
    rates = [RIDER_RATES[h // 8] for h in range(24)]
    return textbook_scenario(
        ["deliver"],
        per_minute(rates),
        horizon=HORIZON,
        warmup=WARMUP,
        customers={"hourly_profile": rates},
        channels={"only": {"route": ["deliver"], "promise": "45min"}},
        couriers={
            "riders": 34,  # every courier works one shift: the sum of the shifts
            "trip_time": {"dist": "exponential", "mean": f"{TRIP:g}min"},
            "shifts": [
                {"start": start, "end": end, "riders": n}
                for (start, end), n in zip(RIDER_SHIFTS, (4, 12, 18), strict=True)
            ],
        },
    )


def _rider_stats(scenario: Scenario) -> Callable[[int], list[float]]:
    """Mean wait for a rider, share who waited, share delivered within the promise."""
    return kpis_of(
        scenario,
        ("resource", "deliver", "mean_wait"),
        ("resource", "deliver", "share_waited"),
        ("overall", "all", "on_time_rate"),
    )


def riders_key(lesson: Lesson, values: Mapping[str, float], replications: int) -> Key:
    key = Key(lesson.name, dict(values), replications)
    evening = int(values["evening_riders"])
    rate = RIDER_RATES[2]
    day = lesson_scenario(lesson, values)
    if rate * TRIP < evening:
        whole_day = {"start": "00:00", "end": "00:00", "riders": evening}
        steady_evening = steady(
            day,
            rate,
            [f"couriers.shifts={toml_value([whole_day])}", f"couriers.riders={evening}"],
        )
        wait, waited, _ = replicate_many(_rider_stats(steady_evening), replications)
        key.answers += [
            answer(
                "Evening held all day: wait for a rider, mean",
                "min",
                wait,
                mmc_mean_wait(rate, TRIP, evening),
                "Erlang C",
            ),
            answer(
                "Evening held all day: share who wait for a rider",
                "share",
                waited,
                erlang_c(evening, rate * TRIP),
                "Erlang C",
            ),
        ]
    else:
        key.notes.append(f"{rate * TRIP:g} Erlangs in the evening need more than {evening} riders.")
    wait, waited, on_time = replicate_many(_rider_stats(day), replications)
    key.answers += [
        answer("Whole day: wait for a rider, mean", "min", wait),
        answer("Whole day: delivered within the promise", "share", on_time),
    ]
    return key


# Ranges and defaults: teaching choices (assumption, docs/sources.md "Lessons").
RIDER_DECISIONS = (
    Decision(
        "night_riders",
        "Riders on the night shift (00:00-08:00)",
        "riders",
        1,
        10,
        4,
        lambda v: {"couriers.shifts[0].riders": int(v)},
    ),
    Decision(
        "day_riders",
        "Riders on the day shift (08:00-16:00)",
        "riders",
        4,
        25,
        12,
        lambda v: {"couriers.shifts[1].riders": int(v)},
    ),
    Decision(
        "evening_riders",
        "Riders on the evening shift (16:00-24:00)",
        "riders",
        8,
        25,
        18,
        lambda v: {"couriers.shifts[2].riders": int(v)},
    ),
    Decision(
        "promise_min",
        "Delivery promise",
        "minutes",
        20,
        120,
        45,
        lambda v: {"channels.only.promise": f"{v:g}min"},
        step=5,
    ),
)


RIDERS = Lesson(
    name="couriers_dispatch",
    title="Couriers, shifts and the delivery promise",
    minutes=90,
    story=(
        "Instant delivery from a front warehouse lives or dies by its riders (the Sam's "
        "Club speed-delivery model): orders trickle in at night, pick up by day and peak "
        "in the evening. Riders work three eight-hour shifts; each trip takes 15 minutes "
        "there and back on average. The app promises delivery within 45 minutes.\n\n"
        "While riders are the bottleneck, an order waits for a free rider as in an M/M/c "
        "queue: Erlang C gives the share who wait and the mean wait when the rate is "
        "steady. The promise turns waits into on-time deliveries."
    ),
    measure=(
        ("resource", "deliver", "mean_wait"),
        ("resource", "deliver", "utilisation"),
        ("overall", "all", "on_time_rate"),
        ("overall", "all", "lead_time_p90"),
    ),
    exercises=(
        "The evening brings 60 orders an hour and a trip takes 15 minutes. How many riders "
        "must be on duty just to keep up? How many for a mean wait under 3 minutes?",
        "Move riders from the day shift to the evening shift. What happens to the day's "
        "on-time share, and why is it not symmetric?",
        "Shorten the promise to 30 minutes. Which shift needs more riders now?",
        "Trace the orders: `o2osim trace results/mine --chart results/mine/traces.png` "
        "draws 30 of them (hatched: waiting for a rider; solid: the ride). Follow a late "
        "one with `o2osim trace results/mine --order ID`: was it late because it waited "
        "for a rider or because the ride was long, and which decision fixes that?",
    ),
    decisions=RIDER_DECISIONS,
    base=riders_base,
    key=riders_key,
    sources=("Erlang 1917 (Erlang C)", "Sam's Club speed delivery model (docs/sources.md)"),
    objective=("overall", "all", "on_time_rate"),
    derived=lambda v: {
        "couriers.riders": int(v["night_riders"] + v["day_riders"] + v["evening_riders"])
    },
)
