"""Lead-time KPIs against a known distribution that the horizon cuts (o2osim.kpis.survival).

The route's only stage is the national courier of direct mail, an infinite-server
delay: each order's lead time is one lognormal draw (mean 3 d, cv 0.5), whatever
the load, so its mean, median, 90th percentile and P(T <= promise) are known
exactly. Orders arrive for 10 days after a 2-day warm-up; without a drain
(``scenario.drain = "0s"``) an order placed on the last day is cut after hours, and
about 30% are still in flight at the horizon. The completed orders alone are the
quick ones (biased low, on time too often); the Kaplan–Meier KPIs, which count the
orders in flight as censored at their age, must hold the exact values in their
replications' 99% interval while the naive estimate's interval misses them. With
the default drain every order ends and the exact sample figures do the same.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats

from o2osim import simulate
from o2osim.kpis.stability import UnstableRunWarning
from o2osim.tables import COMPLETED
from o2osim.units import DAY

from helpers import confidence_interval, stripped

REPLICATIONS = 12
MEAN, CV, PROMISE = 3 * DAY, 0.5, 4 * DAY  # minutes
SIGMA = math.sqrt(math.log(1 + CV**2))
MU = math.log(MEAN) - SIGMA**2 / 2
EXACT = {
    "lead_time_mean": MEAN,
    "lead_time_p50": math.exp(MU),
    "lead_time_p90": math.exp(MU + SIGMA * stats.norm.ppf(0.9)),
    "on_time_rate": stats.norm.cdf((math.log(PROMISE) - MU) / SIGMA),
}


def _scenario(drain: str):
    return stripped(
        ["courier"],
        per_minute=200 / DAY,
        horizon="12d",
        warmup="2d",
        scenario={"drain": drain},
        channels={"only": {"route": ["courier"], "promise": "4d"}},
        direct_mail={"courier_transit": {"dist": "lognormal", "mean": "3d", "cv": CV}},
    )


def _naive(orders) -> dict[str, float]:
    """The figures of the completed orders alone, as the KPIs were before censoring."""
    done = orders[orders["after_warmup"] & orders["outcome"].isin(COMPLETED)]
    lead = done["lead_time_min"].to_numpy()
    return {
        "lead_time_mean": float(lead.mean()),
        "lead_time_p50": float(np.percentile(lead, 50)),
        "lead_time_p90": float(np.percentile(lead, 90)),
        "on_time_rate": float((done["lateness_min"] <= 0).mean()),
    }


def _replicate(drain: str) -> tuple[dict[str, list[float]], dict[str, list[float]], list]:
    kpis: dict[str, list[float]] = {k: [] for k in EXACT}
    naive: dict[str, list[float]] = {k: [] for k in EXACT}
    shares = []
    for seed in range(1, REPLICATIONS + 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnstableRunWarning)
            result = simulate(_scenario(drain), seed=seed)
        for key in EXACT:
            kpis[key].append(result.kpi("overall", "all", key))
        for key, value in _naive(result.orders).items():
            naive[key].append(value)
        shares.append(result.kpi("overall", "all", "censored_share"))
    return kpis, naive, shares


def test_kaplan_meier_recovers_a_lognormal_lead_time_the_horizon_cuts():
    kpis, naive, shares = _replicate("0s")
    assert 0.2 < np.mean(shares) < 0.4  # the horizon cuts about 30% of the orders
    for key, exact in EXACT.items():
        low, high = confidence_interval(kpis[key])
        assert low <= exact <= high, f"KM {key}: {exact:.4g} outside [{low:.4g}, {high:.4g}]"
        n_low, n_high = confidence_interval(naive[key])
        if key == "on_time_rate":  # the quick orders finish: on time too often
            assert n_low > exact, f"naive {key} [{n_low:.4g}, {n_high:.4g}] not above {exact:.4g}"
        else:  # the slow ones are cut: too short
            assert n_high < exact, f"naive {key} [{n_low:.4g}, {n_high:.4g}] not below {exact:.4g}"


def test_with_the_drain_nothing_is_censored_and_the_sample_is_exact():
    kpis, naive, shares = _replicate("30d")
    assert shares == [0.0] * REPLICATIONS
    for key, exact in EXACT.items():
        assert kpis[key] == pytest.approx(naive[key], rel=1e-12)  # no estimator needed
        low, high = confidence_interval(kpis[key])
        assert low <= exact <= high, f"{key}: {exact:.4g} outside [{low:.4g}, {high:.4g}]"
