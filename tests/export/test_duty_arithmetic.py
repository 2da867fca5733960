"""Duty arithmetic by hand: the EU's EUR 3 per tariff item, the US de minimis, exchange rates.

The rules are the bundled market files' (configs/markets/eu_shoes.toml, us_eyewear.toml),
so the tests check the shipped data as well as the arithmetic. Expected values are worked
out by hand in each test.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2osim.scenario.trade import RatePoint, Trade
from o2osim.trade import Line, cny_per_unit, parcel_charges, sale_vat, to_cny, to_market

from export_scenarios import export_scenario

EU = export_scenario("eu_shoes", "export_direct_mail").trade
US = export_scenario("us_eyewear", "export_direct_mail").trade
JULY = dt.datetime(2026, 7, 1)
MINUTE = dt.timedelta(minutes=1)
assert EU is not None and US is not None

PEN, BOOK, HAT = Line("9608", 0.0, 5.0), Line("4901", 0.0, 20.0), Line("6505", 0.027, 25.0)


def test_eu_pen_book_and_hat_pay_nine_euros():
    # Three distinct tariff items, a EUR 50 parcel: 3 x EUR 3.
    assert parcel_charges(EU.rules, [PEN, BOOK, HAT], JULY).duty == 900


def test_eu_four_pens_and_a_book_pay_six_euros():
    # Four pens are one tariff item: two distinct items, 2 x EUR 3.
    assert parcel_charges(EU.rules, [PEN, PEN, PEN, PEN, BOOK], JULY).duty == 600


def test_eu_parcel_of_150_or_more_pays_ad_valorem_instead():
    # EUR 150 exactly: no fixed duty; the hats' 2.7% and the coats' 12% on their values.
    hats = [Line("6505", 0.027, 50.0)] * 2
    coat = Line("6201", 0.12, 50.0)
    charges = parcel_charges(EU.rules, [*hats, coat], JULY)
    assert charges.duty == 135 + 135 + 600  # EUR 1.35 + 1.35 + 6.00
    # One cent under EUR 150: the fixed duty, two items.
    cheaper = [*hats, Line("6201", 0.12, 49.99)]
    assert parcel_charges(EU.rules, cheaper, JULY).duty == 600


def test_eu_low_value_parcel_was_duty_free_before_july_2026():
    assert parcel_charges(EU.rules, [PEN, BOOK, HAT], JULY - MINUTE).duty == 0


def test_eu_vat_is_collected_at_sale_on_the_price():
    # 20% of EUR 50, whether the fixed duty applies or not.
    assert sale_vat(EU.rules, 50.0, JULY, "parcel") == 1000
    assert parcel_charges(EU.rules, [PEN, BOOK, HAT], JULY).vat == 1000


US_END = dt.datetime(2025, 8, 29, 0, 1)  # 12:01 a.m. on 29 August 2025


def test_us_parcel_under_800_was_duty_free_before_the_suspension():
    glasses = [Line("9004.10.00", 0.02, 100.0)]
    before = parcel_charges(US.rules, glasses, US_END - MINUTE)
    assert (before.duty, before.handling) == (0, 0)
    assert before.vat == 700  # 7% sales tax on USD 100 at sale


def test_us_parcel_pays_mfn_and_additional_duty_and_brokerage_after():
    # USD 100 of sunglasses: MFN 2% = 2.00, additional 30% = 30.00; USD 5 brokerage.
    after = parcel_charges(US.rules, [Line("9004.10.00", 0.02, 100.0)], US_END)
    assert (after.duty, after.handling) == (3200, 500)


def test_us_parcel_over_800_paid_duty_before_too():
    # USD 900 is above the de minimis: 2% + 30% = USD 288; no brokerage rule yet.
    before = parcel_charges(US.rules, [Line("9004.10.00", 0.02, 900.0)], US_END - MINUTE)
    assert (before.duty, before.handling) == (28800, 0)


def test_exchange_rate_conversion_to_the_cent():
    assert to_market(100.0, 7.2) == 13.89  # 13.888... rounds up
    assert to_market(1230.0, 8.2) == 150.0
    assert to_cny(3.0, 8.2) == 24.6
    assert to_cny(0.125, 1.0) == 0.13  # half up, as an invoice rounds
    assert to_cny(13.89, 7.2) == 100.01


def test_a_dated_exchange_rate_path_switches_at_its_point():
    path = Trade(
        currency="EUR",
        exchange=[
            RatePoint(start=JULY - dt.timedelta(days=30), cny_per_unit=8.0),
            RatePoint(start=JULY, cny_per_unit=8.3),
        ],
    )
    assert cny_per_unit(path, JULY - MINUTE) == 8.0
    assert cny_per_unit(path, JULY) == 8.3
    assert cny_per_unit(path, JULY - dt.timedelta(days=60)) == 8.0  # before the first point


@given(st.integers(min_value=1, max_value=10_000_000), st.floats(min_value=0.5, max_value=20.0))
def test_conversion_round_trip_is_within_half_a_market_cent(cents: int, rate: float):
    cny = cents / 100.0
    back = to_cny(to_market(cny, rate), rate)
    assert abs(back - cny) <= rate * 0.005 + 0.005 + 1e-9


def test_a_rule_needs_its_amount():
    with pytest.raises(ValueError, match="needs amount"):
        Trade(currency="EUR", cny_per_unit=8.0, rules=[{"name": "x", "kind": "per_item"}])
