"""Lesson decisions map onto the right scenario values, and bad values are refused.

"Counters open at the peak" must become the peak hours of the 24-value staffing list,
the riders' shifts must add up to the fleet, a stock decision must set both the
order-up-to level and the opening stock; out of range or fractional counts are one-line
ScenarioErrors naming the decision and its range.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o2osim.lessons import LESSONS, decision_overrides, get_lesson, lesson_scenario
from o2osim.lessons.airport import PEAK
from o2osim.scenario import ScenarioError

FAST = settings(max_examples=15, deadline=None)


@FAST
@given(peak=st.integers(1, 10), quiet=st.integers(1, 6), handover=st.integers(9, 30))
def test_counters_fill_the_staffing_list_hour_by_hour(peak, quiet, handover):
    chosen = {"peak_counters": peak, "quiet_counters": quiet, "handover_s": handover * 5}
    airport = lesson_scenario(get_lesson("airport_counters"), chosen).airport
    assert airport is not None and airport.staffing is not None
    assert airport.staffing == [peak if h in PEAK else quiet for h in range(24)]
    assert airport.pickup_time.mean == pytest.approx(handover * 5 / 60)  # minutes


@FAST
@given(night=st.integers(1, 10), day=st.integers(4, 25), evening=st.integers(8, 25))
def test_rider_shifts_set_each_shift_and_the_fleet_is_their_sum(night, day, evening):
    chosen = {"night_riders": night, "day_riders": day, "evening_riders": evening}
    couriers = lesson_scenario(get_lesson("couriers_dispatch"), chosen).couriers
    assert [s.riders for s in couriers.shifts or []] == [night, day, evening]
    assert couriers.riders == night + day + evening


@FAST
@given(stock=st.integers(1, 20), lead=st.integers(1, 3), demand=st.integers(1, 10))
def test_stock_decisions_set_the_base_stock_the_opening_stock_and_the_lead_time(
    stock, lead, demand
):
    chosen = {"total_stock": 2 * stock, "lead_time_days": lead, "demand_per_channel": demand}
    scenario = lesson_scenario(get_lesson("one_stock_pool"), chosen)
    warehouse = scenario.warehouse
    assert warehouse.replenishment.order_up_to_units == 2 * stock
    assert warehouse.initial_stock_units == 2 * stock
    assert warehouse.replenishment.lead_time.value == pytest.approx(lead * 1440.0)
    assert scenario.customers.segments[0].arrivals_per_day == pytest.approx(demand * 2 * 40)


@pytest.mark.parametrize("name", list(LESSONS))
def test_every_default_is_inside_its_range_and_builds_a_valid_scenario(name):
    lesson = LESSONS[name]
    for d in lesson.decisions:
        assert d.low <= d.default <= d.high
        assert d.name.isidentifier()
    assert decision_overrides(lesson)  # the defaults say something
    lesson_scenario(lesson)  # validates


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (11, "outside its range; allowed: 1 to 10 counters"),
        (0, "outside its range"),
        (3.5, "give a whole number"),
        ("4", "give a number"),
        (float("nan"), "give a number"),
    ],
)
def test_bad_decision_values_name_the_decision_and_what_is_allowed(value, message):
    with pytest.raises(ScenarioError, match=message) as raised:
        lesson_scenario(get_lesson("airport_counters"), {"peak_counters": value})
    assert "peak_counters" in str(raised.value) and "\n" not in str(raised.value)


def test_an_unknown_decision_lists_the_lessons_decisions():
    with pytest.raises(ScenarioError, match="allowed: peak_counters, quiet_counters, handover_s"):
        lesson_scenario(get_lesson("airport_counters"), {"counters": 4})
