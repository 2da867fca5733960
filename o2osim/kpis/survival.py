"""Lead-time KPIs that the end of the run does not bias: counts of censored orders and
Kaplan–Meier estimates.

An order still ``in_flight`` when the run stopped is *right-censored*: its lead
time is longer than its age then (minutes from ``placed`` to the stop). The run
stops at the horizon plus the drain only when some order placed before the horizon
had not ended (:meth:`o2osim.world.World.drain`), so a censored order's age is
``horizon + drain - placed``, known from the scenario alone and recomputed the same
from a run folder. Dropping censored orders keeps the quick ones and biases lead
times low and the on-time rate high; where some orders are censored the lead-time
mean and percentiles come from the Kaplan–Meier estimate of the lead-time
distribution of the completed and censored orders, and the on-time rate is the
Kaplan–Meier estimate of P(lateness <= 0), each censored order's lateness being
censored at ``stop - due``. Where nothing is censored both are the exact sample
figures (the KPIs are unchanged).

Assumption: a censored order would end completed (delivered or collected), as most
orders do; an order that ends in failure mostly does so early (a stock-out at
reservation, a customs rejection). The Kaplan–Meier mean is the restricted mean up
to the longest time seen: when that time is censored, it is a lower bound.

The estimator is scipy's (``scipy.stats.ecdf`` on ``CensoredData``, scipy >= 1.11):
scipy is a core dependency already, and lifelines would add a package for one
estimator. ``tests/unit/test_survival.py`` holds it to a textbook example. All
times are minutes. This module only reads tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import CensoredData, ecdf

from ..scenario import Scenario
from ..tables import COMPLETED

#: The outcome of an order that had not ended when the run stopped.
CENSORED = "in_flight"
#: Outcomes of store visitors who never ordered.
VISIT_ONLY = ("turned_away", "no_purchase")


def left_the_store(orders: pd.DataFrame) -> pd.Series:
    """Visitors who gave up in a queue of the store (door or staff checkout), unpaid."""
    return orders["outcome"].isin(("balked", "reneged")) & (orders["failed_at"] == "store_visit")


def orders_placed(orders: pd.DataFrame) -> int:
    """How many rows of ``orders`` are orders: a store visitor is a row from the door on,
    but an order only once they pay."""
    visit_only = int(orders["outcome"].isin(VISIT_ONLY).sum())
    return len(orders) - visit_only - int(left_the_store(orders).sum())


@dataclass(frozen=True)
class Curve:
    """A step distribution function: ``cdf[i]`` = P(T <= ``times[i]``), ``times`` rising."""

    times: np.ndarray
    cdf: np.ndarray

    def at(self, t: float) -> float:
        """P(T <= t)."""
        index = np.searchsorted(self.times, t, side="right") - 1
        return float(self.cdf[index]) if index >= 0 else 0.0

    def quantile(self, p: float) -> float:
        """The smallest t with P(T <= t) >= p (NaN: the estimate never reaches p)."""
        # A tolerance: a product of survival factors lands on 0.5 give or take one ulp.
        index = int(np.searchsorted(self.cdf, p - 1e-12, side="left"))
        return float(self.times[index]) if index < len(self.times) else float("nan")

    def mean(self, start: float = 0.0) -> float:
        """The (restricted) mean: ``start`` plus the area under the survival function from
        ``start`` to the last time (``start`` must be at most the first time)."""
        edges = np.concatenate(([start], self.times))
        survival = np.concatenate(([1.0], 1.0 - self.cdf))
        return float(start + (np.diff(edges) * survival[:-1]).sum())


def kaplan_meier(ended: np.ndarray, censored: np.ndarray) -> Curve:
    """The Kaplan–Meier estimate of a distribution from times observed to end (``ended``)
    and times after which the subject was still going (``censored``)."""
    ended = np.asarray(ended, dtype=float)
    censored = np.asarray(censored, dtype=float)
    if not len(censored):  # the empirical distribution, with no estimator around it
        times, counts = np.unique(ended, return_counts=True)
        return Curve(times, np.cumsum(counts) / len(ended))
    result = ecdf(CensoredData(uncensored=ended, right=censored)).cdf
    return Curve(np.asarray(result.quantiles, dtype=float), np.asarray(result.probabilities))


def censoring_age(scenario: Scenario, orders: pd.DataFrame) -> np.ndarray:
    """Each order's age (minutes) when the run stopped, were it still in flight then."""
    meta = scenario.scenario
    return (meta.horizon + meta.drain) - orders["placed"].to_numpy()


def censored_kpis(orders: pd.DataFrame, placed: int) -> list[tuple[str, float, str]]:
    """How many of ``orders`` had not ended when the run stopped, and their share of the
    ``placed`` orders."""
    censored = int((orders["outcome"] == CENSORED).sum())
    return [
        ("censored", censored, "orders"),
        ("censored_share", censored / placed if placed else np.nan, "share"),
    ]


def lead_time_kpis(scenario: Scenario, orders: pd.DataFrame) -> list[tuple[str, float, str]]:
    """Lead-time mean and percentiles and the on-time rate of ``orders``: exact over the
    completed ones when none is censored, else Kaplan–Meier (see the module docstring)."""
    outcome = orders["outcome"]
    # Only the two columns read: a copy of every column was the KPIs' largest allocation.
    done = orders.loc[outcome.isin(COMPLETED), ["lead_time_min", "lateness_min"]]
    if not len(done):
        return []
    lead = done["lead_time_min"].to_numpy()
    lateness = done["lateness_min"].to_numpy()
    open_ = orders.loc[outcome == CENSORED, ["placed", "due"]]
    if not len(open_):
        p50, p90, p95 = np.percentile(lead, [50, 90, 95])
        mean, on_time = float(lead.mean()), float((lateness <= 0).mean())
    else:
        age = censoring_age(scenario, open_)
        curve = kaplan_meier(lead, age)
        p50, p90, p95 = (curve.quantile(p) for p in (0.5, 0.9, 0.95))
        mean = curve.mean()
        # Lateness censored at the stop less the due time (an order without one is left out).
        late_by = age - (open_["due"] - open_["placed"]).to_numpy()
        known = lateness[~np.isnan(lateness)]
        on_time = kaplan_meier(known, late_by[~np.isnan(late_by)]).at(0.0) if len(known) else np.nan
    return [
        ("lead_time_mean", mean, "min"),
        ("lead_time_p50", float(p50), "min"),
        ("lead_time_p90", float(p90), "min"),
        ("lead_time_p95", float(p95), "min"),
        ("on_time_rate", on_time, "share"),
    ]
