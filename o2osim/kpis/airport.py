"""Airport KPIs: the ``airport`` family (``all`` and one ``hour_HH`` per hour of the day).

- Daily figures (orders, flights, passengers, pre-order share, peak day and peak
  hour) count departures on :func:`counted_days`, from the flights table.
- Fates (collected, missed by reason, staging on-time rate, refunds) count orders
  whose flight departs after the warm-up and before the horizon.
- Counter figures count passengers who joined the counter queue after the warm-up
  and before the horizon; ``time_at_counter`` is queue join to hand-over, for
  collected orders.
- ``hour_HH``: counters open, busy and their utilisation in that hour of the day,
  from the resource snapshots from the warm-up to the horizon (not the drain).

A scenario without an airport has no ``airport`` rows. This module only reads tables.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..scenario import Scenario
from ..units import DAY
from .registry import KpiInput, Row, Rows, register


@register("airport")
def airport_kpis(source: KpiInput) -> Rows:
    """The airport's daily figures, order fates and counters (see the module docstring)."""
    scenario, run = source.scenario, source.run
    if scenario.airport is None:
        return []
    return [
        (
            "all",
            _daily_kpis(scenario, run.orders, run.flights)
            + _fate_kpis(scenario, run.orders)
            + _counter_kpis(scenario, run.orders),
        ),
        *_hourly_kpis(scenario, run.resources),
    ]


def counted_days(scenario: Scenario) -> range:
    """Whole departure days whose pre-orders all fall inside the run and after the warm-up.

    Day ``d`` spans minutes ``[d * 1440, (d + 1) * 1440)``; its flights' orders open
    ``preorder_window`` earlier, so earlier days would miss orders placed before the start.
    """
    meta, air = scenario.scenario, scenario.airport
    window = air.preorder_window if air is not None else 0.0
    return range(math.ceil(max(meta.warmup, window) / DAY), math.floor(meta.horizon / DAY))


def _mean(values: pd.Series | np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else np.nan


def _p95(values: pd.Series | np.ndarray) -> float:
    return float(np.percentile(values, 95)) if len(values) else np.nan


def _daily_kpis(scenario: Scenario, orders: pd.DataFrame, flights: pd.DataFrame) -> list[Row]:
    days = counted_days(scenario)
    if not len(days) or not len(flights):
        return []
    departure = orders["departure"].to_numpy()
    order_day = np.floor(departure[~np.isnan(departure)] / DAY).astype(np.int64)
    per_day = np.array([(order_day == d).sum() for d in days])
    flight_day = (flights["departure"] // DAY).astype(np.int64)
    on_days = flights[flight_day.isin(days)]
    hourly = on_days.groupby(on_days["departure"] // 60)["passengers"].sum()
    passengers = int(on_days["passengers"].sum())
    return [
        ("days_counted", len(days), "days"),
        ("orders_per_day", per_day.mean(), "orders/day"),
        ("peak_day_orders", per_day.max(), "orders/day"),
        ("flights_per_day", len(on_days) / len(days), "flights/day"),
        ("passengers_per_day", passengers / len(days), "passengers/day"),
        ("peak_hour_passengers", hourly.max() if len(hourly) else 0, "passengers/h"),
        ("preorder_share", per_day.sum() / passengers if passengers else np.nan, "share"),
    ]


def _fate_kpis(scenario: Scenario, orders: pd.DataFrame) -> list[Row]:
    meta = scenario.scenario
    departure = orders["departure"].to_numpy()
    fate = orders[(departure >= meta.warmup) & (departure < meta.horizon)]
    outcome, reason = fate["outcome"], fate["reason"]
    settled = int(outcome.isin(("collected", "missed")).sum())
    missed = outcome == "missed"
    not_staged = int((reason == "not_staged").sum())
    staged = fate[fate["staged"].notna()]
    return [
        ("collected", int((outcome == "collected").sum()), "orders"),
        ("missed", int(missed.sum()), "orders"),
        ("missed_not_staged", not_staged, "orders"),
        ("missed_passenger_late", int((reason == "passenger_late").sum()), "orders"),
        ("missed_rate", missed.sum() / settled if settled else np.nan, "share"),
        ("staged_on_time_rate", 1 - not_staged / settled if settled else np.nan, "share"),
        ("staging_margin_mean", _mean(staged["departure"] - staged["staged"]), "min"),
        ("refund_cny", float(fate["refund_cny"].sum()), "CNY"),
    ]


def _counter_kpis(scenario: Scenario, orders: pd.DataFrame) -> list[Row]:
    meta = scenario.scenario
    joined = orders["counter_queued"]
    queued = orders[
        (joined >= meta.warmup) & (joined < meta.horizon) & orders["counter_start"].notna()
    ]
    waits = (queued["counter_start"] - queued["counter_queued"]).to_numpy()
    collected = queued[queued["outcome"] == "collected"]
    at_counter = (collected["counter_left"] - collected["counter_queued"]).to_numpy()
    early = queued["counter_queued"] - queued["at_counter"]
    return [
        ("counter_wait_mean", _mean(waits), "min"),
        ("counter_wait_p95", _p95(waits), "min"),
        ("id_check_mean", _mean(queued["id_checked"] - queued["counter_start"]), "min"),
        ("time_at_counter_mean", _mean(at_counter), "min"),
        ("time_at_counter_p95", _p95(at_counter), "min"),
        ("waited_for_goods_share", float((early > 0).mean()) if len(early) else np.nan, "share"),
    ]


def _hourly_kpis(scenario: Scenario, resources: pd.DataFrame) -> Rows:
    if not len(resources):
        return []
    meta, time = scenario.scenario, resources["time"]
    counters = resources[
        (resources["resource"] == "pickup") & (time >= meta.warmup) & (time < meta.horizon)
    ]
    by_hour = counters.groupby((counters["time"] % DAY) // 60)[["servers", "busy", "queue"]]
    out: Rows = []
    for hour, mean in by_hour.mean().iterrows():
        utilisation = mean["busy"] / mean["servers"] if mean["servers"] else np.nan
        out.append(
            (
                f"hour_{int(hour):02d}",
                [
                    ("counters_open", mean["servers"], "counters"),
                    ("counters_busy", mean["busy"], "counters"),
                    ("counter_utilisation", utilisation, "share"),
                    ("counter_queue", mean["queue"], "passengers"),
                ],
            )
        )
    return out
