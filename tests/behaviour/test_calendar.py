"""Calendar events and profiles: daily arrival counts against their configured means.

Expected arrivals on day d are ``arrivals_per_day * weekday_weight(d) *
event_factor(d)`` (the hourly profile has mean 1 over a day). Counts of a
Poisson process are Poisson, so each day's total over the replications must
lie in the 99% Poisson interval of its mean (Bonferroni over the days), and the
Pearson statistic over all days below its chi-square 99% quantile.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy import stats

from o2osim.profiles import WEEKDAY_PROFILES, normalised
from o2osim.scenario import ScenarioError, scenario_from_dict, scenario_to_dict
from o2osim.world import World

from helpers import stripped

PER_DAY = 400.0
START = dt.date(2026, 11, 6)  # a Friday; the horizon covers Double 11 (a Wednesday)
DAYS = 14
REPLICATIONS = 10
CALENDAR = [
    {"name": "double_11", "start": "2026-11-11", "factor": 3.0},
    {"name": "warm_up_sale", "start": "2026-11-09", "days": 2, "factor": 1.5},
    {"name": "other_segment_only", "start": "2026-11-15", "factor": 9.0, "segments": ["other"]},
]


def _with_calendar(calendar):
    """One segment shaped by the profiles, a tiny second one, and the calendar."""
    base = stripped(
        ["pick"],
        per_minute=PER_DAY / 1440,
        horizon=f"{DAYS}d",
        warmup="0s",
        scenario={"start": START.isoformat()},
        warehouse={"pickers": 40},
        customers={"hourly_profile": "retail", "weekday_profile": "weekend_peak"},
    )
    raw = scenario_to_dict(base)
    raw["customers"]["segments"].append(
        {**raw["customers"]["segments"][0], "name": "other", "arrivals_per_day": 1.0}
    )
    raw["customers"]["calendar"] = calendar
    return scenario_from_dict(raw, source="<calendar>")


def _expected() -> np.ndarray:
    weekday = normalised(WEEKDAY_PROFILES["weekend_peak"])
    factor = {dt.date(2026, 11, 11): 3.0, dt.date(2026, 11, 9): 1.5, dt.date(2026, 11, 10): 1.5}
    days = [START + dt.timedelta(days=d) for d in range(DAYS)]
    return np.array([PER_DAY * weekday[d.weekday()] * factor.get(d, 1.0) for d in days])


def _daily_counts(seed: int) -> np.ndarray:
    world = World(_with_calendar(CALENDAR), seed=seed)
    world.run()
    placed = np.asarray(world.book.placed)[np.asarray(world.book.segment) == 0]
    return np.bincount((placed // 1440).astype(int), minlength=DAYS)[:DAYS]


def test_calendar_and_profiles_reproduce_expected_daily_counts():
    counts = sum(_daily_counts(seed) for seed in range(1, REPLICATIONS + 1))
    means = _expected() * REPLICATIONS
    low, high = stats.poisson.interval(1 - 0.01 / DAYS, means)
    assert ((low <= counts) & (counts <= high)).all(), list(zip(counts, means, strict=True))
    pearson = float(((counts - means) ** 2 / means).sum())
    assert pearson <= stats.chi2.ppf(0.99, DAYS)


def test_event_outside_the_horizon_changes_nothing():
    late = [{"name": "spring_festival", "start": "2027-02-06", "days": 7, "factor": 0.4}]
    a, b = World(_with_calendar(late), seed=4), World(_with_calendar([]), seed=4)
    a.run()
    b.run()
    assert a.book.placed == b.book.placed


def test_calendar_names_an_unknown_segment():
    with pytest.raises(ScenarioError, match=r"customers.calendar\[0\].segments"):
        _with_calendar(
            [{"name": "x", "start": "2026-11-11", "factor": 2.0, "segments": ["nobody"]}]
        )
