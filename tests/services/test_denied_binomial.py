"""Denied service under overbooking against the binomial closed form (Rothstein 1971).

With demand far above the booking limit and no cancellation, every date holds exactly
``B`` bookings (the policy's limit) at its date, and each shows independently with
probability ``q``: the customers denied are ``max(S - C, 0)`` with ``S ~ Binomial(B,
q)``, so ``E[denied] = sum_{k>C} (k - C) Binom(B, q)(k)`` and ``P(a date denies) = P(S >
C)``. The closed forms are computed here with scipy, not with o2osim's own helpers;
each replication's mean over its dates is one observation of a 99% Student-t interval.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom
from services_setup import product, run_dates

from o2osim.overbooking import binomial_risk, booking_limit, expected_denied

from helpers import confidence_interval

CAPACITY, SHOW = 20, 0.8
DAYS = 160  # dates from day 10 to day 159: 150 dates a replication
SEEDS = range(8)


def closed_form(bookings: int) -> tuple[float, float, float]:
    """E[denied], E[denied]/E[shows] and P(a date denies) for ``bookings`` held."""
    k = np.arange(bookings + 1)
    pmf = binom.pmf(k, bookings, SHOW)
    denied = float(np.sum(np.clip(k - CAPACITY, 0, None) * pmf))
    return denied, denied / (bookings * SHOW), float(pmf[k > CAPACITY].sum())


def replications(**overbooking: object) -> tuple[int, np.ndarray]:
    """The limit, and per replication: denied per date, per show, share of dates denying."""
    item = product(no_show_probability=1 - SHOW, overbooking=overbooking)
    out = []
    for seed in SEEDS:
        dates = run_dates(item, seed, DAYS)
        c = dates.counters()
        held = {d.figures["booked"] for d in dates.dates}
        assert held == {booking_limit(item)}  # demand always fills the limit
        shows = c["services.tour.served"] + c["services.tour.denied"]
        out.append(
            (
                c["services.tour.denied"] / c["services.tour.dates"],
                c["services.tour.denied"] / shows,
                c["services.tour.dates_denying"] / c["services.tour.dates"],
            )
        )
    return booking_limit(item), np.array(out)


@pytest.mark.parametrize(
    "overbooking",
    [
        {"policy": "fixed_limit", "extra": 5},
        {"policy": "binomial_risk", "denied_risk": 0.1},
    ],
    ids=["fixed_limit_5", "binomial_risk_10pct"],
)
def test_denied_service_matches_the_binomial_closed_form(overbooking: dict) -> None:
    limit, observed = replications(**overbooking)
    expected = closed_form(limit)
    for column, value in enumerate(expected):
        low, high = confidence_interval(observed[:, column])
        assert low <= value <= high, (overbooking, column, value, (low, high))


def test_the_binomial_risk_limit_is_the_largest_within_the_target() -> None:
    limit, _ = replications(policy="binomial_risk", denied_risk=0.1)
    assert binom.sf(CAPACITY, limit, SHOW) <= 0.1 < binom.sf(CAPACITY, limit + 1, SHOW)
    assert limit == 22  # P(S > 20): 0.048 with 22 held, 0.133 with 23


def test_no_overbooking_denies_nobody() -> None:
    limit, observed = replications(policy="none")
    assert limit == CAPACITY
    assert observed.sum() == 0.0


def test_the_expected_denied_helper_agrees_with_the_sum() -> None:
    for bookings in (20, 23, 25, 40):
        assert expected_denied(bookings, CAPACITY, SHOW) == pytest.approx(
            closed_form(bookings)[0], rel=1e-12, abs=1e-15
        )
    settings = product(overbooking={"policy": "binomial_risk", "denied_risk": 0.1}).overbooking
    assert binomial_risk(CAPACITY, 1.0, settings) == CAPACITY
