"""Lesson: base stock, and why one stock pool for every channel needs less stock.

The bonded stock pool of :func:`o2osim.validation.stock_scenario`: every SKU is a
textbook single item with Poisson demand, continuous-review base stock S and a
deterministic lead time L (backorders). Its fill rate is P(D <= S - 1) with D
Poisson(lambda L) (Hadley & Whitin 1963). Two channels drawing on one pool see one
Poisson stream of the summed demand; split pools each see their own. This module
must not hold key answers: the key computes them at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..api import simulate
from ..scenario import Scenario, with_overrides
from ..theory import poisson_fill_rate
from ..validation import stock_scenario
from .core import Decision, Lesson, lesson_scenario
from .keys import Key, answer, replicate

SKUS = 40  # many identical SKUs in one run average over many items
CHANNELS = 2  # the store and the online shop
HORIZON = {"horizon": "20d", "warmup": "3d"}


def stock_base() -> Scenario:
    return with_overrides(
        stock_scenario(
            5.0 * CHANNELS,
            SKUS,
            {"policy": "base_stock", "review": "0s", "order_up_to_units": 14},
            initial=14,
        ),
        [f'scenario.horizon="{HORIZON["horizon"]}"', f'scenario.warmup="{HORIZON["warmup"]}"'],
        origin="lesson stock",
    )


def _fill_rate(scenario: Scenario) -> Any:
    def measure(seed: int) -> float:
        return simulate(scenario, seed=seed).kpi("overall", "all", "fill_rate")

    return measure


def _pool(per_channel: float, stock: int) -> list[str]:
    """Overrides for one pool serving ``per_channel`` x the channels it serves."""
    return [
        f"customers.segments[0].arrivals_per_day={per_channel * SKUS}",
        f"warehouse.replenishment.order_up_to_units={stock}",
        f"warehouse.initial_stock_units={stock}",
    ]


def stock_key(lesson: Lesson, values: Mapping[str, float], replications: int) -> Key:
    key = Key(lesson.name, dict(values), replications)
    demand, stock, lead = (
        values["demand_per_channel"],
        int(values["total_stock"]),
        values["lead_time_days"],
    )
    pooled = lesson_scenario(lesson, values)
    split = with_overrides(pooled, _pool(demand, stock // CHANNELS), origin="lesson key")
    key.answers += [
        answer(
            "One pool for both channels: fill rate",
            "share",
            replicate(_fill_rate(pooled), replications),
            poisson_fill_rate(CHANNELS * demand * lead, stock),
            "Poisson base stock",
        ),
        answer(
            "A pool per channel, same total stock: fill rate",
            "share",
            replicate(_fill_rate(split), replications),
            poisson_fill_rate(demand * lead, stock // CHANNELS),
            "Poisson base stock",
        ),
    ]
    key.tables.append(("Stock needed for a fill rate (theory)", _needed(demand * lead)))
    return key


def _needed(per_channel_lead_demand: float) -> pd.DataFrame:
    rows = []
    for target in (0.9, 0.95, 0.99):
        one = _smallest(CHANNELS * per_channel_lead_demand, target)
        each = _smallest(per_channel_lead_demand, target)
        rows.append(
            {
                "fill_rate_target": target,
                "one_pool_units": one,
                "pool_per_channel_units": CHANNELS * each,
                "saved_units": CHANNELS * each - one,
            }
        )
    return pd.DataFrame(rows)


def _smallest(mean: float, target: float) -> int:
    stock = 0
    while poisson_fill_rate(mean, stock) < target:
        stock += 1
    return stock


# Ranges and defaults: teaching choices (assumption, docs/sources.md "Lessons").
STOCK_DECISIONS = (
    Decision(
        "demand_per_channel",
        "Units sold per SKU per day, in each channel",
        "units a day",
        1,
        10,
        5,
        lambda v: {"customers.segments[0].arrivals_per_day": v * CHANNELS * SKUS},
    ),
    Decision(
        "total_stock",
        "Base stock per SKU, both channels together (on hand + on order)",
        "units",
        2,
        40,
        14,
        lambda v: {
            "warehouse.replenishment.order_up_to_units": int(v),
            "warehouse.initial_stock_units": int(v),
        },
        step=2,
    ),
    Decision(
        "lead_time_days",
        "Replenishment lead time from the bonded supplier",
        "days",
        1,
        3,
        1,
        lambda v: {
            "warehouse.replenishment.lead_time": {"dist": "deterministic", "value": f"{v:g}d"}
        },
    ),
)


ONE_STOCK_POOL = Lesson(
    name="one_stock_pool",
    title="Base stock and one stock pool for every channel",
    minutes=90,
    story=(
        "The Wenzhou cross-border O2O model keeps one bonded stock pool for the store, the "
        "online shop and the airport counter: a unit is not assigned to a channel until a "
        "customer takes it. Each SKU is replenished one for one (base stock): whenever a "
        "unit is sold, one is ordered from the bonded supplier and arrives a lead time "
        "later.\n\n"
        "With Poisson demand at lambda a day and lead time L, the units on order are "
        "Poisson(lambda L) (Palm's theorem), so a sale is met from stock with probability "
        "P(D <= S - 1). Two channels on one pool see demand 2 lambda; two pools each see "
        "lambda with half the stock. Risk pooling (Eppen 1979) says the first needs less "
        "stock for the same fill rate."
    ),
    measure=(
        ("overall", "all", "fill_rate"),
        ("overall", "all", "backordered"),
        ("stock", "bonded", "mean_on_hand"),
    ),
    exercises=(
        "Each channel sells 5 units of a SKU a day and the lead time is 1 day. With 14 units "
        "in one pool, what fill rate does the Poisson formula give?",
        "Split the same 14 units 7 + 7 between the channels. What fill rate now?",
        "How many units does each design need for a 95% fill rate? How much stock does "
        "pooling save, in units and in CNY at 150 CNY a unit?",
        "Double the lead time. Does pooling save more or less?",
    ),
    decisions=STOCK_DECISIONS,
    base=stock_base,
    key=stock_key,
    sources=("Hadley & Whitin 1963", "Eppen 1979", "Palm 1938"),
    objective=("overall", "all", "fill_rate"),
)
