"""The Kaplan–Meier estimate behind the censored lead-time KPIs (o2osim.kpis.survival).

The reference is the textbook example of Kaplan–Meier estimation: remission times
(weeks) of the 6-MP arm of Freireich et al. (1963), as tabulated by Kleinbaum &
Klein, *Survival Analysis* (3rd ed.), ch. 2, and Collett, *Modelling Survival Data in
Medical Research*, table 2.3.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from o2osim.kpis.survival import Curve, censored_kpis, kaplan_meier, lead_time_kpis
from o2osim.validation import textbook_scenario

# 21 patients; nine relapses (events), twelve censored.
EVENTS = [6, 6, 6, 7, 10, 13, 16, 22, 23]
CENSORED = [6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35]
# The published survival estimate S(t) just after each event time.
PUBLISHED = {6: 0.857, 7: 0.807, 10: 0.753, 13: 0.690, 16: 0.627, 22: 0.538, 23: 0.448}


def test_kaplan_meier_reproduces_the_published_remission_curve():
    curve = kaplan_meier(np.array(EVENTS, float), np.array(CENSORED, float))
    for t, survival in PUBLISHED.items():
        assert 1 - curve.at(t) == pytest.approx(survival, abs=5e-4)
        assert 1 - curve.at(t - 0.5) > survival  # a step down at each event time
    # The curve stays at 0.448 after the last event: the median is 23 weeks, the 60th
    # percentile is never reached, and the mean is restricted to the last time (35).
    assert curve.quantile(0.5) == 23
    assert np.isnan(curve.quantile(0.6))
    steps = {0: 1.0, **PUBLISHED}
    times = [*steps, 35]
    area = sum((b - a) * s for a, b, s in zip(times[:-1], times[1:], steps.values(), strict=True))
    assert curve.mean() == pytest.approx(area, abs=0.02)  # 23.29 weeks with rounded steps


def test_without_censoring_it_is_the_empirical_distribution():
    rng = np.random.default_rng(4)
    sample = rng.exponential(10.0, 1001)
    curve = kaplan_meier(sample, np.array([]))
    assert curve.at(float(np.median(sample))) == pytest.approx(0.5, abs=1e-3)
    assert curve.quantile(0.5) == pytest.approx(np.median(sample))
    assert curve.mean() == pytest.approx(sample.mean())
    # scipy's estimator with one subject censored after every event: each step is
    # the empirical one over 1002 subjects instead of 1001.
    with_scipy = kaplan_meier(sample, np.array([sample.max() + 1.0]))
    for t in (5.0, 20.0, 40.0):
        assert with_scipy.at(t) == pytest.approx(curve.at(t) * 1001 / 1002)


def test_curve_helpers():
    curve = Curve(np.array([1.0, 2.0, 4.0]), np.array([0.25, 0.5, 1.0]))
    assert curve.at(0.5) == 0.0 and curve.at(2.0) == 0.5 and curve.at(3.9) == 0.5
    assert curve.quantile(0.5) == 2.0 and curve.quantile(0.51) == 4.0
    assert curve.mean() == pytest.approx(1 * 1 + 1 * 0.75 + 2 * 0.5)  # 2.75 = (1+2+4+4)/4


def _orders(lead: list[float], open_placed: list[float], due_in: float) -> pd.DataFrame:
    """Completed orders placed at 0 with ``lead`` times, and in-flight ones."""
    done = pd.DataFrame(
        {
            "outcome": "delivered",
            "placed": 0.0,
            "lead_time_min": lead,
            "due": due_in,
            "lateness_min": np.array(lead) - due_in,
            "failed_at": "",
        }
    )
    still = pd.DataFrame(
        {
            "outcome": "in_flight",
            "placed": open_placed,
            "lead_time_min": np.nan,
            "due": np.array(open_placed) + due_in,
            "lateness_min": np.nan,
            "failed_at": "",
        }
    )
    return pd.concat([done, still], ignore_index=True)


def test_lead_time_kpis_are_exact_without_censoring_and_km_with_it():
    scenario = textbook_scenario(["pick"], 1.0, horizon="1d", warmup="0s", scenario={"drain": "0s"})
    lead = [10.0, 20.0, 30.0, 40.0]
    exact = dict((k, v) for k, v, _ in lead_time_kpis(scenario, _orders(lead, [], 25.0)))
    assert exact["lead_time_p50"] == np.percentile(lead, 50) == 25.0
    assert exact["lead_time_mean"] == 25.0
    assert exact["on_time_rate"] == 0.5
    # Two orders placed 15 min before the horizon (1440) are still in flight: their lead
    # times are censored at 15 min, their lateness at -10 (due 10 min after the stop).
    orders = _orders(lead, [1425.0, 1425.0], 25.0)
    km = dict((k, v) for k, v, _ in lead_time_kpis(scenario, orders))
    curve = kaplan_meier(np.array(lead), np.array([15.0, 15.0]))
    assert km["lead_time_p50"] == curve.quantile(0.5)
    # By hand: at 10, 1 of 6 at risk ends (S = 5/6); the two censored leave at 15; then
    # 20, 30, 40 end one of 3, 2, 1 at risk: S = 5/6 * 2/3 = 5/9 after 20, 5/18 after 30.
    assert 1 - curve.at(20.0) == pytest.approx(5 / 9)
    assert km["lead_time_p50"] == 30.0
    assert km["on_time_rate"] == pytest.approx(1 - 5 / 9)  # P(lateness <= 0) = F(25 - 25)
    assert km["lead_time_mean"] == pytest.approx(10 + 10 * 5 / 6 + 10 * 5 / 9 + 10 * 5 / 18)
    assert censored_kpis(orders, 6) == [
        ("censored", 2, "orders"),
        ("censored_share", 2 / 6, "share"),
    ]
