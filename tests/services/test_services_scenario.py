"""The [services] tables: validators (hypothesis), currencies, and a whole run's KPIs."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from services_setup import product

from o2osim import simulate
from o2osim.builders.services import price_converter
from o2osim.bundled import BUNDLED
from o2osim.kpis import kpi
from o2osim.scenario import ScenarioError, scenario_from_dict
from o2osim.scenario.services import Services
from o2osim.scenario.trade import Trade
from o2osim.units import DAY

CONFIG = BUNDLED / "wenzhou_travel_services.toml"


def config(mutate: Any = None) -> dict[str, Any]:
    data = tomllib.loads(Path(CONFIG).read_text(encoding="utf-8"))
    if mutate is not None:
        mutate(data["services"]["products"])
    return data


TIERS = st.lists(
    st.fixed_dictionaries(
        {"days_before": st.integers(0, 90).map(float), "share": st.sampled_from([0.0, 0.5, 1.0])}
    ),
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(tiers=TIERS)
def test_refund_tiers_must_fall_towards_the_date(tiers: list[dict[str, float]]) -> None:
    days = [t["days_before"] for t in tiers]
    shares = [t["share"] for t in tiers]
    valid = (
        days == sorted(days, reverse=True)
        and len(set(days)) == len(days)
        and shares == sorted(shares, reverse=True)
    )
    table = {"products": {"tour": product(refund=tiers).model_dump()}}
    if valid:
        assert len(Services.model_validate(table).products["tour"].refund) == len(tiers)
    else:
        with pytest.raises(ValidationError) as caught:
            Services.model_validate(table)
        assert caught.value.errors()[0]["ctx"]["error"].path == "services.products.tour.refund"


@settings(max_examples=40, deadline=None)
@given(
    key=st.sampled_from(
        ["capacity", "cancel_probability", "no_show_probability", "price", "requests_per_date"]
    ),
    value=st.one_of(st.integers(-5, -1), st.floats(1.01, 5.0)),
)
def test_out_of_range_numbers_are_refused(key: str, value: float) -> None:
    if key in ("price", "requests_per_date") and value > 0:
        value = -value  # a positive price or demand is valid
    if key == "capacity" and isinstance(value, float):
        value = -1
    with pytest.raises(ValidationError):
        product(**{key: value})


@pytest.mark.parametrize(
    ("mutate", "path", "words"),
    [
        (
            lambda p: p["japan_tour"]["overbooking"].update(policy="sell_everything"),
            "services.products.japan_tour.overbooking.policy",
            "none, fixed_limit, binomial_risk",
        ),
        (
            lambda p: p["uk_course"].pop("cny_per_unit"),
            "services.products.uk_course.cny_per_unit",
            "needs cny_per_unit",
        ),
        (
            lambda p: p["japan_tour"].update(cny_per_unit=1.0),
            "services.products.japan_tour.cny_per_unit",
            "needs no rate",
        ),
        (
            lambda p: p["uk_course"]["refund"].reverse(),
            "services.products.uk_course.refund = [14.0, 60.0]",
            "strictly decreasing days_before",
        ),
        (
            lambda p: p["japan_tour"].update(window="0s"),
            "services.products.japan_tour.window",
            "longer than 0s",
        ),
    ],
)
def test_bad_keys_are_named_in_one_line(mutate: Any, path: str, words: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(config(mutate), source="services.toml")
    message = str(caught.value)
    assert path in message and words in message and "\n" not in message


def test_a_foreign_price_uses_the_trade_tables_rate_at_the_instant() -> None:
    trade = Trade.model_validate(
        {
            "currency": "EUR",
            "exchange": [
                {"start": "2026-01-01T00:00", "cny_per_unit": 7.8},
                {"start": "2026-01-02T00:00", "cny_per_unit": 8.0},
            ],
        }
    )
    item = product(price=99.99, currency="EUR")
    cents = price_converter(item, trade, dt.date(2026, 1, 1))
    assert cents(99.99, 0.5 * DAY) == 77_992  # 779.922 CNY
    assert cents(99.99, 1.5 * DAY) == 79_992  # 799.92 CNY
    fixed = price_converter(
        product(price=690000.0, currency="KRW", cny_per_unit=0.0051), None, dt.date(2026, 1, 1)
    )
    assert fixed(690000.0, 0.0) == 351_900


def test_a_run_reports_each_product_and_its_money() -> None:
    sc = scenario_from_dict(config(), source=str(CONFIG))
    result = simulate(sc, seed=11, horizon="150d")
    for name in ("japan_tour", "seoul_concert", "uk_course"):
        get = lambda k, n=name: kpi(result.kpis, "service", n, k)  # noqa: E731
        ended = get("cancelled") + get("no_shows") + get("served") + get("denied")
        assert get("bookings") == ended > 0
        assert get("requests") == get("bookings") + get("refused")
        net = get("revenue_cny") - get("refunds_cny") - get("compensation_cny")
        assert get("net_revenue_cny") == pytest.approx(net, abs=0.005)
        assert get("places") == sc.services.products[name].capacity * get("dates")
    # 690,000 KRW at 0.0051 CNY: 3,519.00 CNY a booking.
    concert = kpi(result.kpis, "service", "seoul_concert", "revenue_cny")
    assert concert == 3519.0 * kpi(result.kpis, "service", "seoul_concert", "bookings")
    # Dates in [warm-up 120 d, horizon 150 d): the Saturday tours of days 121 to 149.
    assert kpi(result.kpis, "service", "japan_tour", "dates") == 5


def test_a_scenario_without_services_has_no_service_figures(tmp_path: Path) -> None:
    data = config()
    del data["services"]
    result = simulate(scenario_from_dict(data, source="plain.toml"), seed=1, horizon="130d")
    assert "service" not in set(result.kpis["group"])
    assert not any(c.startswith("services.") for c in result.counters["counter"])
