"""Every booking ends one way, and the money of a date adds up to the cent.

Conservation, on random valid products (hypothesis): requests = bookings + refused, and
bookings = cancelled + no-shows + served + denied; no date serves more than its places
or holds more than its limit. Money: revenue is the price times the bookings, a
cancellation refunds its tier's share rounded half up to the cent, a denied customer
gets the full price back plus the compensation.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from services_setup import product, run_dates

from o2osim.facilities.services import FIGURES, refund_cents
from o2osim.overbooking import booking_limit

POLICIES = st.sampled_from(
    [
        {"policy": "none"},
        {"policy": "fixed_limit", "extra": 3},
        {"policy": "binomial_risk", "denied_risk": 0.3},
    ]
)


@settings(max_examples=25, deadline=None)
@given(
    capacity=st.integers(1, 12),
    requests=st.floats(0.0, 30.0),
    cancel=st.floats(0.0, 0.6),
    no_show=st.floats(0.0, 0.5),
    overbooking=POLICIES,
    seed=st.integers(0, 2**32),
)
def test_every_booking_ends_exactly_one_way(
    capacity: int, requests: float, cancel: float, no_show: float, overbooking: dict, seed: int
) -> None:
    item = product(
        capacity=capacity,
        requests_per_date=requests,
        cancel_probability=cancel,
        no_show_probability=no_show,
        overbooking=overbooking,
    )
    dates = run_dates(item, seed, days=25)
    limit = booking_limit(item)
    for date in dates.dates:
        f = date.figures
        assert f["requests"] == f["booked"] + f["refused"]
        assert f["booked"] == f["cancelled"] + f["no_show"] + f["served"] + f["denied"]
        assert f["served"] <= capacity
        assert f["served"] + f["denied"] + f["no_show"] <= limit
        assert f["denied"] == 0 or f["served"] == capacity
    totals = dates.counters()
    assert set(totals) == {f"services.tour.{k}" for k in FIGURES}
    assert totals["services.tour.dates"] == len(dates.dates) == 15


def test_money_to_the_cent() -> None:
    # 1,999.99 CNY; 60% back at least 5 days before, 25% at least 1 day before.
    item = product(
        cancel_probability=0.4,
        no_show_probability=0.2,
        refund=[{"days_before": 5, "share": 0.6}, {"days_before": 1, "share": 0.25}],
        compensation=300.5,
        cost_per_seat=1000.01,
        overbooking={"policy": "fixed_limit", "extra": 4},
    )
    assert refund_cents(199_999, 0.6) == 119_999  # 119,999.4 cents
    assert refund_cents(199_999, 0.25) == 50_000  # 49,999.75 cents
    assert refund_cents(5, 0.5) == 3  # half a cent rounds up
    dates = run_dates(item, seed=3, days=40)
    c = {k.rsplit(".", 1)[1]: v for k, v in dates.counters().items()}
    assert c["revenue_cents"] == c["booked"] * 199_999
    assert c["compensation_cents"] == c["denied"] * 30_050
    assert c["seat_cost_cents"] == c["dates"] * 20 * 100_001
    tiers = {0.6: 119_999, 0.25: 50_000, 0.0: 0}
    # Rebuild the cancellation refunds from each cancellation's timing, by tier.
    expected = c["denied"] * 199_999
    for date in dates.dates:
        accepted = set(date.accepted)
        for request, share in enumerate(date.cancels):
            if share == share:  # not NaN: the request would cancel if booked
                booked = date.arrivals[request]
                days = (1 - share) * (date.time - booked) / 1440
                tier = 0.6 if days >= 5 else 0.25 if days >= 1 else 0.0
                expected += tiers[tier] if request in accepted else 0
    assert c["refund_cents"] == expected
    assert c["cancelled"] > 0 and c["denied"] > 0  # both kinds of refund were tested
