"""Lesson: channel choice, showrooming and webrooming.

One segment chooses between a visit to the experience store and an online order
with a multinomial logit whose only varying term is the promised time (price and
travel terms are switched off, so the closed form is exact: McFadden 1974). A store
visitor who does not buy orders the same basket online with probability p
(showrooming, GfK 2014: ~28%), so showroom orders per visit are (1 - q) p; a share
w of those who chose online go to the store instead (webrooming, GfK 2014: ~41%). This
module must not hold key answers: the key computes them at run time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..api import simulate
from ..scenario import Scenario
from ..validation import textbook_scenario
from .core import Decision, Lesson, lesson_scenario
from .keys import Key, answer, replicate_many

ONLINE_CONSTANT = 1.0  # assumption: online is the habit, worth 1 util over a visit
PER_PROMISED_HOUR = -0.05  # assumption: each promised hour costs 0.05 util
WARMUP = 360.0  # minutes, as the base scenario's warm-up


def store_or_online(
    customers: dict[str, Any],
    *,
    per_minute: float = 1.0,  # assumption: 60 customers an hour
    horizon: str = "2d",
    store: dict[str, Any] | None = None,
) -> Scenario:
    """One segment choosing between a store visit (``visit``) and an online order
    (``online``, picked at the bonded warehouse); the store channel pays no import tax.
    ``customers`` adds the segment's choice (shares or logit) and journeys; the behaviour
    tests build on the same scenario."""
    return textbook_scenario(
        ["pick"],
        per_minute,
        horizon=horizon,
        warmup="6h",
        channels={
            "visit": {"route": ["store_visit"], "promise": "1d", "offer": {"tax_rate": 0.0}},
            "online": {"route": ["pick"], "promise": "1d"},
        },
        stores=[
            {
                "name": "front",
                "capacity": 200,
                "purchase_probability": 0.3,
                "browse_time": {"dist": "exponential", "mean": "10min"},
                **(store or {}),
            }
        ],
        warehouse={"pickers": 10},
        customers={"channels": ["visit", "online"], **customers},
    )


def channels_base() -> Scenario:
    return store_or_online(
        {
            "choice": "logit",
            "logit": {
                "constants": {"online": ONLINE_CONSTANT},
                "per_cny": 0.0,
                "per_promised_hour": PER_PROMISED_HOUR,
                "per_travel_km": 0.0,
                "per_trust": 0.0,
            },
            "journeys": {
                "showrooming": 0.28,
                "showroom_channel": "online",
                "showroom_after": "2h",
                "webrooming": 0.41,
                "webroom_channel": "visit",
                "webroom_after": "45min",
                "webroom_purchase_probability": 0.9,  # assumption: they came for the goods
            },
        }
    )


def logit_online_share(promise_hours: float, visit_hours: float) -> float:
    """P(online) of the two-channel logit with only constants and promised hours."""
    online = ONLINE_CONSTANT + PER_PROMISED_HOUR * promise_hours
    visit = PER_PROMISED_HOUR * visit_hours
    return 1.0 / (1.0 + math.exp(visit - online))


def _choice_terms(scenario: Scenario) -> Any:
    """Per run: the share who chose online first, the share of those who went to the
    store instead (webroomed), showroom orders per visit of those who chose the store."""

    def measure(seed: int) -> list[float]:
        result = simulate(scenario, seed=seed)
        orders = result.orders
        end = result.info.horizon - 180.0  # every visit before this has its online order
        first = orders[(orders["parent"] < 0) & (orders["placed"] >= WARMUP)]
        webroomed = first["webroomed"].notna()
        online = (first["channel"] == "online") | webroomed  # a webroomer chose online first
        visits = first[(first["channel"] == "visit") & ~webroomed & (first["placed"] < end)]
        children = orders[orders["parent"] >= 0]
        return [
            float(online.mean()),
            float(webroomed.sum() / online.sum()),
            float(children["parent"].isin(visits["order_id"]).sum() / len(visits)),
        ]

    return measure


def channels_key(lesson: Lesson, values: Mapping[str, float], replications: int) -> Key:
    key = Key(lesson.name, dict(values), replications)
    scenario = lesson_scenario(lesson, values)
    visit_hours = (scenario.channels["visit"].promise or 0.0) / 60.0
    share, webroom, showroom = replicate_many(_choice_terms(scenario), replications)
    q, p, w = values["store_conversion"], values["showrooming"], values["webrooming"]
    key.answers += [
        answer(
            "Customers who choose to order online",
            "share",
            share,
            logit_online_share(values["online_promise_h"], visit_hours),
            "logit",
        ),
        answer("Online choosers who go to the store instead", "share", webroom, w, "w"),
        answer("Showroom orders per store visit", "orders", showroom, (1 - q) * p, "(1 - q) p"),
    ]
    return key


# Ranges and defaults: teaching choices (assumption, docs/sources.md "Lessons").
CHANNEL_DECISIONS = (
    Decision(
        "online_promise_h",
        "Online delivery promise",
        "hours",
        1,
        72,
        24,
        lambda v: {"channels.online.promise": f"{v:g}h"},
    ),
    Decision(
        "store_conversion",
        "Store visitors who buy on the spot",
        "share",
        0.1,
        0.9,
        0.3,
        lambda v: {"stores.front.purchase_probability": v},
        step=0.05,
    ),
    Decision(
        "showrooming",
        "Non-buyers who order the same goods online later",
        "share",
        0.0,
        0.6,
        0.28,
        lambda v: {"customers.segments[0].journeys.showrooming": v},
        step=0.02,
    ),
    Decision(
        "webrooming",
        "Online choosers who go to see the goods in the store instead",
        "share",
        0.0,
        0.6,
        0.41,
        lambda v: {"customers.segments[0].journeys.webrooming": v},
        step=0.01,
    ),
)


CHANNEL_CHOICE = Lesson(
    name="channel_choice",
    title="Channel choice, showrooming and webrooming",
    minutes=90,
    story=(
        "An O2O retailer sells the same bonded goods in an experience store and online. "
        "Customers pick the channel that suits them: a multinomial logit (McFadden 1974) "
        "gives each channel j a utility V_j from what it offers (here: a habit constant "
        "and the promised hours) and chooses j with probability exp(V_j) / sum exp(V_k).\n\n"
        "Then they move between channels: about 28% of shoppers try in the store and buy "
        "online (showrooming) and 41% browse online and buy in the store (webrooming; GfK "
        "2014). A store that converts a share q of its visitors sees (1 - q) p showroom "
        "orders per visit come back to the online shop, on the same stock pool."
    ),
    measure=(
        ("choice", "poisson", "share_online"),
        ("overall", "all", "showroom_orders"),
        ("overall", "all", "webroom_orders"),
        ("store", "front", "conversion_rate"),
    ),
    exercises=(
        "With a 24-hour online promise, what share chooses online? Compute the logit by "
        "hand, then read the model's share.",
        "How fast must online delivery be to win 75% of the customers?",
        "The store converts 30% of visitors and 28% of the rest showroom. How many online "
        "orders does each visit bring? Is a showroomer a lost sale for an O2O retailer?",
        "Raise the store's conversion to 50%. Who gains, the store or the online shop?",
    ),
    decisions=CHANNEL_DECISIONS,
    base=channels_base,
    key=channels_key,
    sources=("McFadden 1974", "GfK 2014"),
    objective=("overall", "all", "orders_placed"),
)
