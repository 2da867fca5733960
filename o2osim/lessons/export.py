"""Lesson: the EU's duty per tariff item, for Wenzhou shoes sold abroad (export side).

The bundled ``wenzhou_shoes_eu`` scenario: EU shoppers choose by logit between a
parcel by direct mail and an overseas warehouse stocked by sea. The key runs the same
shoppers twice, judged under the rules before and after 1 July 2026 (``trade.as_of``),
so every paired difference is the rule's effect. There is no closed form for the
whole network: the answers are the model's paired differences with their CIs. The
lesson is listed only when the scenario is in this checkout. This module must not
hold key answers: the key computes them at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..api import simulate
from ..bundled import BUNDLED
from ..scenario import Scenario, load_scenario, with_overrides
from .core import Decision, Lesson, lesson_scenario
from .keys import Key, answer, replicate_many

SCENARIO = BUNDLED / "wenzhou_shoes_eu.toml"
BEFORE, AFTER = "2026-06-30T23:59:00", "2026-07-01T00:00:00"
#: 14 measured days after the 7-week warm-up that fills the sea pipeline to the warehouse
CALENDAR = ['scenario.horizon="63d"', 'scenario.warmup="49d"']
KPIS = (
    ("trade", "direct_mail", "share", "Shoppers choosing direct mail", "share"),
    ("trade", "all", "border_charges_per_order", "Border charges per order", "CNY per order"),
    ("trade", "all", "landed_cost_per_order", "Landed cost per order", "CNY per order"),
    ("trade", "all", "profit_per_order", "Profit per order", "CNY per order"),
)


def export_base() -> Scenario:
    return load_scenario(SCENARIO, CALENDAR)


def _before_after(scenario: Scenario) -> Any:
    runs = [
        with_overrides(scenario, [f"trade.as_of={when}"], origin="lesson")
        for when in (BEFORE, AFTER)
    ]

    def measure(seed: int) -> list[float]:
        values: list[list[float]] = []
        for variant in runs:
            result = simulate(variant, seed=seed)
            values.append([result.kpi(g, n, k) for g, n, k, _, _ in KPIS])
        before, after = values
        return before + after + [a - b for a, b in zip(after, before, strict=True)]

    return measure


def export_key(lesson: Lesson, values: Mapping[str, float], replications: int) -> Key:
    key = Key(lesson.name, dict(values), replications)
    results = replicate_many(_before_after(lesson_scenario(lesson, values)), replications)
    n = len(KPIS)
    for i, (_, _, _, question, unit) in enumerate(KPIS):
        key.answers += [
            answer(f"Before 1 July 2026: {question.lower()}", unit, results[i]),
            answer(f"After 1 July 2026: {question.lower()}", unit, results[n + i]),
            answer(f"After minus before: {question.lower()}", unit, results[2 * n + i]),
        ]
    key.notes.append(
        "The same shoppers and baskets are judged under both rule sets (trade.as_of), so "
        "each difference is the rule's effect; no closed form covers the whole network."
    )
    return key


# Ranges and defaults: teaching choices (assumption, docs/sources.md "Lessons").
EXPORT_DECISIONS = (
    Decision(
        "stock_days",
        "Stock held abroad, in days of sales",
        "days",
        20,
        90,
        60,
        lambda v: {
            "warehouse.replenishment.order_up_to_days": v,
            "warehouse.initial_stock_days": v,
        },
        step=5,
    ),
    Decision(
        "warehouse_fee",
        "Delivery fee from the overseas warehouse (free from 400 CNY)",
        "CNY",
        0,
        80,
        40,
        lambda v: {"economics.delivery_fees.overseas_warehouse.fee_cny": v},
        step=5,
    ),
)


EXPORT_SHOCK = Lesson(
    name="export_policy_shock",
    title="A policy shock abroad: the EU's EUR 3 per tariff item (Wenzhou shoes)",
    minutes=90,
    story=(
        "Wenzhou's shoemakers sell to the EU in two ways: a parcel by direct mail from "
        "Wenzhou, one to two weeks on the way, or stock shipped by sea to an overseas "
        "warehouse and delivered in a few days (Li 2025). From 1 July 2026 the EU charges "
        "EUR 3 of customs duty per distinct tariff item in every parcel under EUR 150 "
        "(Zhang et al. 2025). Shoppers see the landed price and choose.\n\n"
        "The same shoppers are judged under the rules of 30 June and of 1 July: whatever "
        "changes between the two runs is the rule, not luck."
    ),
    measure=tuple((g, n, k) for g, n, k, _, _ in KPIS),
    exercises=(
        "How much do border charges per order rise after 1 July? Who pays them?",
        "How many shoppers move from direct mail to the overseas warehouse?",
        "Cut the stock abroad to 30 days of sales. Does the warehouse still win them?",
        "Is the rule a loss for Wenzhou's exporters, or a push towards warehouses abroad?",
    ),
    decisions=EXPORT_DECISIONS,
    base=export_base,
    key=export_key,
    sources=("Li 2025", "Zhang et al. 2025 (Table 3)"),
    objective=("trade", "all", "profit_per_order"),
)
